"""Cross-checks this project's Rasch estimates against independent implementations.

Reads the export written by `tests/psychometrics_xcheck.rs` (path as the first argument):
- ability (enforced): our MLE vs catsim's NumericalSearchEstimator, and our EAP vs an EAP
  computed here with numpy on the same grid (61 points over [-4, 4], N(0,1) prior);
- calibration (enforced): item difficulties from our joint estimation vs girth's joint ML on the
  same items x persons matrix, both centred (a Rasch scale is fixed only up to a shift). girth's
  `rasch_jml` is not the Rasch model's JML: each iteration it rescales the abilities to mean 0 and
  SD 1 while holding the discrimination at 1, so its difficulties are on a compressed scale (slope
  about 0.83 against Rasch JML on this data, 0.35 logits apart at the extremes). `onepl_jml` does
  the same rescaling but estimates the common discrimination a; a x b is then the Rasch
  difficulty in logits, and that is what we compare with. `rasch_jml` is still printed, for
  reference.
Fails (exit 1) when an enforced estimate differs by more than 0.05 logits.
"""

import json
import sys

import numpy as np
from catsim.estimation import NumericalSearchEstimator
from catsim.item_bank import ItemBank
from girth import onepl_jml, rasch_jml

TOLERANCE = 0.05


def main(path):
    data = json.load(open(path))
    worst = {}

    responses = np.array(data["calibration"]["responses"], dtype=bool)
    ours = np.array(data["calibration"]["b"])
    onepl = onepl_jml(responses, options={"max_iteration": 1000})
    theirs = float(onepl["Discrimination"]) * np.asarray(onepl["Difficulty"], dtype=float)
    diff = (ours - ours.mean()) - (theirs - theirs.mean())
    worst["calibration vs girth onepl_jml (a x b)"] = float(np.abs(diff).max())
    compressed = np.asarray(rasch_jml(responses)["Difficulty"], dtype=float)
    rasch_gap = float(np.abs((ours - ours.mean()) - (compressed - compressed.mean())).max())

    estimator = NumericalSearchEstimator()
    mle_diffs, eap_diffs = [], []
    grid = np.linspace(-4, 4, 61)
    for case in data["ability"]:
        b = np.array(case["b"])
        x = np.array(case["x"], dtype=bool)
        items = np.column_stack([np.ones_like(b), b, np.zeros_like(b), np.ones_like(b)])
        bank = ItemBank(items)
        theirs = estimator.estimate(
            item_bank=bank,
            administered_items=list(range(len(b))),
            response_vector=list(map(bool, x)),
            est_theta=0.0,
        )
        mle_diffs.append(abs(case["mle"] - theirs))
        p = 1 / (1 + np.exp(-(grid[:, None] - b[None, :])))
        like = np.where(x[None, :], p, 1 - p).prod(axis=1) * np.exp(-grid**2 / 2)
        eap_diffs.append(abs(case["eap"] - (grid * like).sum() / like.sum()))
    worst["MLE vs catsim NumericalSearchEstimator"] = max(mle_diffs)
    worst["EAP vs numpy quadrature"] = max(eap_diffs)

    print(f"(reference) calibration vs girth rasch_jml, abilities rescaled to SD 1: largest difference {rasch_gap:.4f} logits")
    failed = False
    for name, value in worst.items():
        verdict = "ok" if value <= TOLERANCE else "DISAGREES"
        failed |= value > TOLERANCE
        print(f"{name}: largest difference {value:.4f} logits ({verdict}; tolerance {TOLERANCE})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
