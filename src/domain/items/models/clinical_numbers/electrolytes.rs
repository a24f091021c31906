//! Fluids and electrolytes: imbalance findings, risks, treatment, assessment questions and the hyperkalemia sequence.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    IMBALANCE_FINDINGS_MATRIX,
    IMBALANCE_FINDINGS_SATA,
    IMBALANCE_RISK_SATA,
    IMBALANCE_TREATMENT,
    IMBALANCE_QUESTION_ORDER,
    HYPERKALEMIA_SEQUENCE,
];

const IMBALANCE_PAIRS: [(&str, &str); 6] = [
    ("hypokalemia", "hyperkalemia"),
    ("hyponatremia", "hypernatremia"),
    ("hypocalcemia", "hypercalcemia"),
    ("hypomagnesemia", "hypermagnesemia"),
    ("hypophosphatemia", "hyperphosphatemia"),
    ("fluid volume deficit", "fluid volume excess"),
];

fn opposite(imbalance: &str) -> Option<&'static str> {
    IMBALANCE_PAIRS.iter().find_map(|(low, high)| {
        if *low == imbalance {
            Some(*high)
        } else if *high == imbalance {
            Some(*low)
        } else {
            None
        }
    })
}

/// Findings shared by many imbalances or present in both directions (weakness, confusion, cramps,
/// dysrhythmias, ...): never used where the item must tell the two imbalances apart.
const NONSPECIFIC: [&str; 19] = [
    "confus",
    "letharg",
    "seizure",
    "weak",
    "irregular",
    "dysrhythm",
    "fibrillation",
    "asystole",
    "torsades",
    "headache",
    "nausea",
    "vomit",
    "cramp",
    "paresthes",
    "numb",
    "tingl",
    "respirat",
    "agitat",
    "restless",
];

/// Cues and ECG changes that distinguish an imbalance from its opposite.
fn distinguishing<'a>(kb: &'a KnowledgeBase, imbalance: &str) -> Vec<&'a Fact> {
    let Some(other) = opposite(imbalance) else {
        return Vec::new();
    };
    ["cue", "ecg_change"]
        .iter()
        .flat_map(|attribute| plain(kb, FE, imbalance, attribute))
        .filter(|fact| !NONSPECIFIC.iter().any(|word| fact.norm().contains(word)))
        .filter(|fact| {
            !kb.states_fact(FE, other, "cue", fact)
                && !kb.states_fact(FE, other, "ecg_change", fact)
        })
        .collect()
}

fn imbalance_label(imbalance: &str) -> String {
    sentence(imbalance)
}

/// Matrix: for each finding, which of the two opposite imbalances does it fit?
const IMBALANCE_FINDINGS_MATRIX: ModelSpec = ModelSpec {
    id: "fe-imbalance-findings-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "Matrix of 4–6 findings: for each, is it consistent with the low or the high imbalance of one electrolyte (or with fluid volume deficit or excess)? Rows are `cue`/`ecg_change` facts that tell the pair apart; findings seen in both directions or in many imbalances (weakness, confusion, cramps, paresthesias, dysrhythmias, seizures, respiratory changes) are excluded.",
    cases: Cases::From(imbalance_findings_matrix_cases),
    seeding: Seeding::XorVariant(0x9E37),
    generate: imbalance_findings_matrix,
};

fn imbalance_findings_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    IMBALANCE_PAIRS
        .iter()
        .filter(|(low, high)| {
            distinguishing(kb, low).len() >= 2 && distinguishing(kb, high).len() >= 2
        })
        .flat_map(|(low, _)| (0..24).map(move |variant| Case::new(low, FE, variant)))
        .collect()
}

fn imbalance_findings_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let low = case.subject.as_str();
    let high = opposite(low)?;
    let (lows, highs) = (distinguishing(kb, low), distinguishing(kb, high));
    let total = 4 + rng.below(3);
    let from_low = (1 + rng.below(total - 1)).min(lows.len());
    let from_high = (total - from_low).min(highs.len());
    if from_high == 0 || from_low + from_high < 4 {
        return None;
    }
    let mut rows = Vec::new();
    for (column, name, facts, count) in [(0, low, &lows, from_low), (1, high, &highs, from_high)] {
        for fact in rng.sample(facts, count) {
            rows.push(MatrixRow {
                text: sentence(fact.text()),
                column,
                rationale: format!(
                    "{} is a finding of {name}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                facts: vec![fact.id.clone()],
            });
        }
    }
    let stem =
        format!("For each finding, indicate whether it is consistent with {low} or with {high}.");
    let rationale = format!(
        "{} and {} produce opposite findings; recognizing which pattern is present guides the nurse's next action.",
        imbalance_label(low),
        high
    );
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &[&imbalance_label(low), &imbalance_label(high)],
        rows,
        rationale,
    ))
}

/// "Which findings should the nurse expect with X? Select all that apply."
const IMBALANCE_FINDINGS_SATA: ModelSpec = ModelSpec {
    id: "fe-imbalance-findings-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "Asks which findings the nurse should expect in a client with an electrolyte or fluid-volume imbalance. Keys: 2–3 distinguishing `cue`/`ecg_change` facts of the imbalance. Distractors: 2–3 distinguishing findings of the opposite imbalance (low vs high). Findings seen in both directions or in many imbalances are excluded.",
    cases: Cases::From(imbalance_findings_sata_cases),
    seeding: Seeding::XorVariant(0x51ED),
    generate: imbalance_findings_sata,
};

fn imbalance_findings_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (low, high) in IMBALANCE_PAIRS {
        for imbalance in [low, high] {
            let other = opposite(imbalance).unwrap_or_default();
            if distinguishing(kb, imbalance).len() >= 2 && distinguishing(kb, other).len() >= 2 {
                for variant in 0..12 {
                    cases.push(Case::new(imbalance, FE, variant));
                }
            }
        }
    }
    cases
}

fn imbalance_findings_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let imbalance = case.subject.as_str();
    let other = opposite(imbalance)?;
    let (own, theirs) = (distinguishing(kb, imbalance), distinguishing(kb, other));
    let key_count = (2 + rng.below(2)).min(own.len());
    let wrong_count = (5 - key_count).min(theirs.len());
    if wrong_count < 2 {
        return None;
    }
    let keys = rng
        .sample(&own, key_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is a finding of {imbalance}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractors = rng
        .sample(&theirs, wrong_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is a finding of {other}, the opposite imbalance.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "A client is admitted with {imbalance}. Which findings should the nurse expect? Select all that apply."
    );
    let rationale =
        format!("The selected findings follow from {imbalance}; the others belong to {other}.");
    Some(build::multiple_response(
        kb,
        &meta,
        seed,
        stem,
        keys,
        distractors,
        rationale,
    ))
}

fn fe_plain<'a>(kb: &'a KnowledgeBase, subject: &str, attribute: &str) -> Vec<&'a Fact> {
    plain(kb, FE, subject, attribute)
}

/// "Which conditions place a client at risk for X? Select all that apply."
const IMBALANCE_RISK_SATA: ModelSpec = ModelSpec {
    id: "fe-imbalance-risk-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which conditions place a client at risk for an electrolyte or fluid-volume imbalance. Keys: 2–3 of its `cause` facts. Distractors: 2–3 causes of the opposite imbalance that share no content word with a true cause; broad causes such as malignancy are never distractors.",
    cases: Cases::From(imbalance_risk_sata_cases),
    seeding: Seeding::XorVariant(0xA5A5),
    generate: imbalance_risk_sata,
};

fn imbalance_risk_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (low, high) in IMBALANCE_PAIRS {
        for imbalance in [low, high] {
            if fe_plain(kb, imbalance, "cause").len() >= 2
                && risk_distractors(kb, imbalance).len() >= 2
            {
                for variant in 0..10 {
                    cases.push(Case::new(imbalance, FE, variant));
                }
            }
        }
    }
    cases
}

fn imbalance_risk_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let imbalance = case.subject.as_str();
    let other = opposite(imbalance)?;
    let own = fe_plain(kb, imbalance, "cause");
    let wrong = risk_distractors(kb, imbalance);
    let key_count = (2 + rng.below(2)).min(own.len());
    let wrong_count = (5 - key_count).min(wrong.len());
    if wrong_count < 2 {
        return None;
    }
    let keys = rng
        .sample(&own, key_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} is a cause of {imbalance}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractors = rng
        .sample(&wrong, wrong_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} is a cause of {other}, the opposite imbalance.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "The nurse is identifying clients at risk for {imbalance}. Which conditions increase this risk? Select all that apply."
    );
    let rationale = format!(
        "Recognizing conditions that lead to {imbalance} lets the nurse monitor at-risk clients before complications develop."
    );
    Some(build::multiple_response(
        kb,
        &meta,
        seed,
        stem,
        keys,
        distractors,
        rationale,
    ))
}

fn risk_distractors<'a>(kb: &'a KnowledgeBase, imbalance: &str) -> Vec<&'a Fact> {
    let Some(other) = opposite(imbalance) else {
        return Vec::new();
    };
    let own = fe_plain(kb, imbalance, "cause");
    fe_plain(kb, other, "cause")
        .into_iter()
        .filter(|fact| {
            !fact.shares_word_with_any(&own)
                && !BROAD_CAUSES.iter().any(|word| fact.norm().contains(word))
        })
        .collect()
}

/// Electrolyte names that treatments of both directions of an imbalance mention: ignored when
/// telling whether two treatments say the same thing.
const IONS: [&str; 8] = [
    "potassium",
    "sodium",
    "calcium",
    "magnesium",
    "phosphate",
    "phosphorus",
    "chloride",
    "fluids",
];

fn treatment_distractors<'a>(kb: &'a KnowledgeBase, imbalance: &str) -> Vec<&'a Fact> {
    let Some(other) = opposite(imbalance) else {
        return Vec::new();
    };
    let own = fe_plain(kb, imbalance, "treatment");
    fe_plain(kb, other, "treatment")
        .into_iter()
        .filter(|fact| {
            !fact.text().contains(" when ")
                && !own
                    .iter()
                    .any(|mine| overlap_ignoring(mine.text(), fact.text(), &IONS))
        })
        .chain(fe_plain(kb, imbalance, "avoid"))
        .collect()
}

/// "Which treatment should the nurse anticipate for X?" — distractors treat the opposite imbalance.
const IMBALANCE_TREATMENT: ModelSpec = ModelSpec {
    id: "fe-imbalance-treatment-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "Asks which treatment the nurse should anticipate for an electrolyte or fluid-volume imbalance. Key: one of its `treatment` facts. Distractors: treatments of the opposite imbalance (no conditional ones, none overlapping a true treatment apart from the electrolyte's name), completed when needed with the imbalance's own `avoid` facts (actions that harm).",
    cases: Cases::From(imbalance_treatment_cases),
    seeding: Seeding::Seed,
    generate: imbalance_treatment,
};

fn imbalance_treatment_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (low, high) in IMBALANCE_PAIRS {
        for imbalance in [low, high] {
            if treatment_distractors(kb, imbalance).len() < 3 {
                continue;
            }
            for index in 0..fe_plain(kb, imbalance, "treatment").len() {
                cases.push(Case::new(imbalance, FE, index as u32));
            }
        }
    }
    cases
}

fn imbalance_treatment(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let imbalance = case.subject.as_str();
    let key = *fe_plain(kb, imbalance, "treatment").get(case.variant as usize)?;
    let chosen = rng.sample_exactly(&treatment_distractors(kb, imbalance), 3)?;
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} is a treatment for {imbalance}.{}",
            sentence(key.text()),
            cite_note(key)
        ),
        &[key],
    );
    let distractors = chosen
        .iter()
        .map(|fact| {
            let why = if fact.attribute == "avoid" {
                format!(
                    "{} should be avoided in {imbalance}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                )
            } else {
                format!(
                    "{} treats {}, the opposite imbalance: it moves the value the wrong way.",
                    sentence(fact.text()),
                    fact.subject
                )
            };
            Opt::new(sentence(&short(fact.text())), why, &[*fact])
        })
        .collect();
    let frames = [
        format!(
            "A client is diagnosed with {imbalance}. Which treatment should the nurse anticipate?"
        ),
        format!(
            "The nurse plans care for a client with {imbalance}. Which intervention should the nurse expect to be prescribed?"
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let rationale = format!(
        "Treatment of {imbalance} corrects the imbalance in the right direction; the other options treat the opposite problem or are to be avoided."
    );
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key_opt,
        distractors,
        rationale,
    ))
}

/// "Which part of the plan should the nurse question?" — key: an `avoid`; distractors: treatments.
const IMBALANCE_QUESTION_ORDER: ModelSpec = ModelSpec {
    id: "fe-question-plan-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 6),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which part of the plan of care for an electrolyte or fluid-volume imbalance the nurse should question. Key: one of the imbalance's `avoid` facts. Distractors: three of its own `treatment` facts (appropriate parts of the plan).",
    cases: Cases::From(imbalance_question_order_cases),
    seeding: Seeding::Seed,
    generate: imbalance_question_order,
};

fn imbalance_question_order_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (low, high) in IMBALANCE_PAIRS {
        for imbalance in [low, high] {
            if fe_plain(kb, imbalance, "treatment").len() < 3 {
                continue;
            }
            for index in 0..fe_plain(kb, imbalance, "avoid").len() {
                for frame in 0..2 {
                    cases.push(Case::new(imbalance, FE, index as u32 * 2 + frame));
                }
            }
        }
    }
    cases
}

fn imbalance_question_order(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let imbalance = case.subject.as_str();
    let key = *fe_plain(kb, imbalance, "avoid").get(case.variant as usize / 2)?;
    let treatments: Vec<&Fact> = fe_plain(kb, imbalance, "treatment")
        .into_iter()
        .filter(|fact| !overlap_ignoring(fact.text(), key.text(), &IONS))
        .collect();
    let chosen = rng.sample_exactly(&treatments, 3)?;
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} should be avoided in {imbalance}, so the nurse questions it.{}",
            sentence(key.text()),
            cite_note(key)
        ),
        &[key],
    );
    let distractors = chosen
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} is an appropriate treatment for {imbalance}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        format!(
            "The nurse reviews the plan of care for a client with {imbalance}. Which item in the plan should the nurse question?"
        )
    } else {
        format!(
            "A client with {imbalance} has several new prescriptions and instructions. Which one should the nurse clarify before carrying it out?"
        )
    };
    let rationale = format!(
        "Part of safe care for {imbalance} is recognizing what worsens it; the other items are recognized treatments."
    );
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key_opt,
        distractors,
        rationale,
    ))
}

fn hyperkalemia_steps(kb: &KnowledgeBase) -> Vec<&Fact> {
    fe_plain(kb, "hyperkalemia", "treatment")
        .into_iter()
        .filter(|fact| fact.order.is_some())
        .collect()
}

/// Put the emergency treatment of hyperkalemia in order.
const HYPERKALEMIA_SEQUENCE: ModelSpec = ModelSpec {
    id: "fe-hyperkalemia-treatment-order",
    item_type: ItemType::OrderedResponse,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Advanced,
    description: "Orders the emergency treatments of hyperkalemia as recorded with `order`: protect the myocardium (IV calcium gluconate), shift potassium into cells, remove potassium (binders or loop diuretics), then hemodialysis. Each item uses 3–4 steps in the recorded order and never both shifting treatments (insulin with dextrose and albuterol), whose relative order is a convention, not a rule.",
    cases: Cases::From(hyperkalemia_sequence_cases),
    seeding: Seeding::Seed,
    generate: hyperkalemia_sequence,
};

fn hyperkalemia_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let steps = hyperkalemia_steps(kb);
    let shifting: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, fact)| fact.text().contains("shift"))
        .map(|(index, _)| index)
        .collect();
    ordered_subsets(steps.len(), 3, |mask| {
        shifting
            .iter()
            .filter(|index| mask & (1 << **index) != 0)
            .count()
            <= 1
    })
    .into_iter()
    .flat_map(|mask| (0..2).map(move |frame| Case::new("hyperkalemia", FE, mask * 2 + frame)))
    .collect()
}

fn hyperkalemia_sequence(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let steps = hyperkalemia_steps(kb);
    let mask = case.variant / 2;
    let chosen: Vec<&Fact> = steps
        .iter()
        .enumerate()
        .filter(|(index, _)| mask & (1 << index) != 0)
        .map(|(_, fact)| *fact)
        .collect();
    if chosen.len() < 3 {
        return None;
    }
    let opts = chosen
        .iter()
        .enumerate()
        .map(|(position, fact)| {
            Opt::new(
                sentence(&short(fact.text())),
                format!("Step {}: {}.{}", position + 1, fact.text(), cite_note(fact)),
                &[*fact],
            )
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        "A client's serum potassium is 7.1 mEq/L with peaked T waves on the monitor. Place the prescribed treatments in the order the nurse should expect them to be given.".to_owned()
    } else {
        "The nurse prepares the emergency treatment of severe hyperkalemia. Arrange the treatments in the order they are used.".to_owned()
    };
    let rationale = "Severe hyperkalemia is treated by first protecting the heart (calcium does not lower potassium), then shifting potassium into the cells, then removing it from the body, with dialysis when other measures fail.".to_owned();
    let meta = meta.about("hyperkalemia");
    Some(build::ordered_response(
        kb, &meta, seed, stem, opts, rationale,
    ))
}
