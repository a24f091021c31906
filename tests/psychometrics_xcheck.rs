//! Exports simulated responses and this crate's Rasch estimates for the independent cross-check
//! (`tests/xcheck/rasch.py`, run by `.ci/run` against PyPI `girth` and `catsim`). Writes the file
//! named by `BSN_XCHECK_OUT`; without it the test only checks that the export is well formed.

use bsn_knowledge::domain::items::rng::Rng;
use bsn_knowledge::domain::psychometrics::calibration::{self, ItemPrior, Observation, Settings};
use bsn_knowledge::domain::psychometrics::rasch::{self, Response};
use serde_json::json;

fn uniform(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn export_estimates_for_the_cross_check() {
    let mut rng = Rng::new(2026);
    // Calibration: 600 persons × 30 items, every item answered by everyone; persons with a perfect
    // or zero score are left out (their JML estimate is infinite in both implementations).
    let items = 30;
    let truth: Vec<f64> = (0..items)
        .map(|i| -2.0 + 4.0 * i as f64 / (items - 1) as f64)
        .collect();
    let mut matrix: Vec<Vec<bool>> = Vec::new();
    while matrix.len() < 600 {
        let theta = -2.5 + 5.0 * uniform(&mut rng);
        let row: Vec<bool> = truth
            .iter()
            .map(|&b| uniform(&mut rng) < rasch::probability(theta, b))
            .collect();
        let right = row.iter().filter(|&&x| x).count();
        if right > 0 && right < items {
            matrix.push(row);
        }
    }
    let observations: Vec<Observation> = matrix
        .iter()
        .enumerate()
        .flat_map(|(person, row)| {
            row.iter()
                .enumerate()
                .map(move |(item, &correct)| Observation {
                    person: person as u32,
                    item: item as u32,
                    correct,
                })
        })
        .collect();
    // Weak priors (sd 5 logits), so the estimates are close to the unpenalised joint ML ones.
    let priors = vec![
        ItemPrior {
            mean: 0.0,
            sd: 100.0
        };
        items
    ];
    let settings = Settings {
        person_prior_sd: 5.0,
        max_iterations: 2000,
        tolerance: 1e-6,
    };
    let calibrated = calibration::calibrate(matrix.len(), &priors, &observations, settings);
    assert!(calibrated.converged);

    // Ability: 40 response strings of 40 items each, MLE and EAP.
    let bank: Vec<f64> = (0..40).map(|i| -3.0 + 6.0 * i as f64 / 39.0).collect();
    let mut abilities = Vec::new();
    while abilities.len() < 40 {
        let theta = -2.0 + 4.0 * uniform(&mut rng);
        let responses: Vec<Response> = bank
            .iter()
            .map(|&b| Response::new(b, uniform(&mut rng) < rasch::probability(theta, b)))
            .collect();
        let Some(mle) = rasch::mle(&responses, 0.0) else {
            continue;
        };
        let eap = rasch::eap(&responses, &rasch::Quadrature::default());
        abilities.push(json!({
            "b": bank,
            "x": responses.iter().map(|r| r.correct).collect::<Vec<_>>(),
            "mle": mle.theta,
            "eap": eap.theta,
        }));
    }
    let export = json!({
        "calibration": {
            // items × persons, as girth expects
            "responses": (0..items).map(|i| matrix.iter().map(|row| u8::from(row[i])).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "b": calibrated.items.iter().map(|item| item.b).collect::<Vec<_>>(),
        },
        "ability": abilities,
    });
    if let Ok(path) = std::env::var("BSN_XCHECK_OUT") {
        std::fs::write(path, serde_json::to_vec(&export).unwrap()).unwrap();
    }
}
