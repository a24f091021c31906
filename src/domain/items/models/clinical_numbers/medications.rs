//! Medications: indications and contraindications, hold parameters, therapeutic levels and insulin time-action.

use super::*;
use crate::domain::knowledge::opposites::named_sides;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    MED_INDICATION,
    MED_CONTRAINDICATION,
    HOLD_PARAMETER_CHOICE,
    HOLD_PARAMETER_MATRIX,
    HOLD_PARAMETER_HIGHLIGHT,
    THERAPEUTIC_LEVEL,
    INSULIN_PEAK_TIME,
    INSULIN_PROFILE_MATRIX,
];

fn usable_indications<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<&'a Fact> {
    plain(kb, MEDS, drug, "indication")
        .into_iter()
        .filter(|fact| short(fact.text()).chars().count() <= 55)
        .collect()
}

/// Contraindications that are not conditions a drug could treat: drug combinations, allergies,
/// ages, pregnancy, a history of a reaction, a route or timing.
const NOT_A_CONDITION: [&str; 19] = [
    "use ",
    "use of",
    "concurrent",
    "within",
    "allerg",
    "hypersensitivity",
    "pregnan",
    "trimester",
    "neonat",
    "infant",
    "children",
    "younger",
    "history",
    "prior",
    "during",
    "inability",
    "perioperative",
    "treatment",
    "oral ",
];

/// Words before a finding's name that make it another condition (pulmonary hypertension is not
/// the opposite of hypotension).
const SITE_QUALIFIERS: [&str; 7] = [
    "pulmonary",
    "portal",
    "intracranial",
    "ocular",
    "intraocular",
    "arterial",
    "gestational",
];

/// A condition a drug is positively not used to treat, with the reason and the fact behind it.
struct NotIndicated<'a> {
    text: String,
    reason: String,
    fact: &'a Fact,
}

/// Conditions that facts make positively wrong as a drug's indication: its own contraindications
/// (conditions it must not be given in), the opposite of one of its indications (hypotension for
/// a drug given for hypertension) and a change its own adverse effects produce (bradycardia for a
/// drug that causes it), each only when no indication of the drug or its class names it.
fn not_indicated<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<NotIndicated<'a>> {
    let all_own = all_of(kb, MEDS, drug, &["indication"]);
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for fact in plain(kb, MEDS, drug, "contraindication") {
        let text = fact.norm();
        if NOT_A_CONDITION.iter().any(|word| text.contains(word))
            || text.contains(drug)
            || fact.shares_word_with_any(&all_own)
            || short(fact.text()).chars().count() > 55
        {
            continue;
        }
        if seen.insert(normalise(&short(fact.text()))) {
            found.push(NotIndicated {
                text: sentence(&short(fact.text())),
                reason: format!(
                    "{} is a contraindication to {drug}: a condition in which it must not be given without the prescriber's review, not a reason it is prescribed.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                fact,
            });
        }
    }
    for fact in usable_indications(kb, drug) {
        let text = fact.norm();
        for named in named_sides(text) {
            let qualified = SITE_QUALIFIERS
                .iter()
                .any(|qualifier| text.contains(&format!("{qualifier} {}", named.this.name)));
            if qualified
                || kb.mentions_any(MEDS, drug, &["indication"], &named.other)
                || all_own
                    .iter()
                    .any(|own| own.norm().contains(named.other.name))
            {
                continue;
            }
            if seen.insert(normalise(named.other.name)) {
                found.push(NotIndicated {
                    text: sentence(named.other.name),
                    reason: format!(
                        "{} is used for {}; {} is the opposite change in {}, which {drug} would not correct.",
                        sentence(drug),
                        fact.text(),
                        named.other.name,
                        named.opposite.measure
                    ),
                    fact,
                });
            }
        }
    }
    for fact in ["adverse_effect", "serious_adverse_effect", "toxicity_sign"]
        .iter()
        .flat_map(|attribute| plain(kb, MEDS, drug, attribute))
    {
        for named in named_sides(fact.text()) {
            if kb.mentions_any(MEDS, drug, &["indication"], &named.this)
                || all_own
                    .iter()
                    .any(|own| own.norm().contains(named.this.name))
            {
                continue;
            }
            if seen.insert(normalise(named.this.name)) {
                found.push(NotIndicated {
                    text: sentence(named.this.name),
                    reason: format!(
                        "{} can cause {} (a recorded adverse effect): a change in {} it may produce, which the nurse monitors for, not a problem it is given to correct.{}",
                        sentence(drug),
                        fact.text(),
                        named.opposite.measure,
                        cite_note(fact)
                    ),
                    fact,
                });
            }
        }
    }
    found
}

/// "A client is prescribed X. Which condition is it used to treat?" — key: one of X's indications;
/// distractors: conditions X's facts make positively wrong (its contraindications, the opposite
/// of one of its indications).
const MED_INDICATION: ModelSpec = ModelSpec {
    id: "med-indication-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Asks which condition a prescribed drug is used to treat. Key: one unconditional `indication` of the drug (parenthetical qualifiers moved to the rationale). Distractors: conditions the drug's own facts make wrong: its unconditional `contraindication` conditions (not drug combinations, allergies, ages, pregnancy or a past reaction; none sharing a content word with any of its indications) and the opposite of one of its indications from a definitional table of opposite findings (hypotension for a drug given for hypertension, diarrhea for constipation) where the indication is not a site-specific form (pulmonary or portal hypertension), and a change from that table that the drug's own adverse effects produce (bradycardia for a drug recorded to cause it; never a withdrawal, rebound or infusion-rate effect); each only when no indication of the drug or its class names it. Drugs with fewer than three such conditions get no item.",
    cases: Cases::From(med_indication_cases),
    seeding: Seeding::Seed,
    generate: med_indication,
};

fn med_indication_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        if not_indicated(kb, drug).len() < 3 {
            continue;
        }
        for index in 0..usable_indications(kb, drug).len() {
            cases.push(Case::new(drug, MEDS, index as u32));
        }
    }
    cases
}

fn med_indication(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let own = usable_indications(kb, drug);
    let key = *own.get(case.variant as usize)?;
    let pool = not_indicated(kb, drug);
    let chosen = rng.sample_exactly(&pool.iter().collect::<Vec<_>>(), 3)?;
    let frames = [
        format!(
            "A client is prescribed {drug}. The nurse recognizes that this medication is used to treat which condition?"
        ),
        format!(
            "The nurse reviews the medication list of a client who takes {drug}. Which condition is the most likely reason it was prescribed?"
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let class = class_text(kb, drug);
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} ({class}) is indicated for {}.{}",
            sentence(drug),
            key.text(),
            cite_note(key)
        ),
        &[key],
    );
    let distractors = chosen
        .iter()
        .map(|wrong| Opt::new(wrong.text.clone(), wrong.reason.clone(), &[wrong.fact]))
        .collect();
    let rationale = format!(
        "{} is {}; knowing why a drug is prescribed, and which conditions rule it out, lets the nurse judge whether it is working and whether the order fits the client.",
        sentence(drug),
        with_article(&class)
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

fn usable_contraindications<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<&'a Fact> {
    let indications = all_of(kb, MEDS, drug, &["indication"]);
    plain(kb, MEDS, drug, "contraindication")
        .into_iter()
        .filter(|fact| !fact.text().contains("injection") && !fact.norm().contains(drug))
        .filter(|fact| {
            !fact.shares_word_with_any(&indications) && short(fact.text()).chars().count() <= 55
        })
        .collect()
}

/// "Which condition should the nurse clarify before giving X?" — key: a contraindication of X;
/// distractors: X's own indications (conditions that are reasons to give it).
const MED_CONTRAINDICATION: ModelSpec = ModelSpec {
    id: "med-contraindication-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which finding in a client's history the nurse should clarify with the prescriber before the first dose of a drug. Key: an unconditional `contraindication` of the drug. Distractors: three of the drug's own unconditional `indication` facts (reasons to give it), excluding any that share a content word with the contraindication.",
    cases: Cases::From(med_contraindication_cases),
    seeding: Seeding::Seed,
    generate: med_contraindication,
};

fn med_contraindication_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        if usable_indications(kb, drug).len() < 3 {
            continue;
        }
        for index in 0..usable_contraindications(kb, drug).len() {
            cases.push(Case::new(drug, MEDS, index as u32));
        }
    }
    cases
}

fn med_contraindication(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let key = *usable_contraindications(kb, drug).get(case.variant as usize)?;
    let indications: Vec<&Fact> = usable_indications(kb, drug)
        .into_iter()
        .filter(|fact| !fact.shares_word(key))
        .collect();
    let chosen = rng.sample_exactly(&indications, 3)?;
    let frames = [
        format!(
            "The nurse reviews the health history of a client before giving the first dose of {drug}. Which finding should the nurse clarify with the prescriber before giving it?"
        ),
        format!(
            "A client is newly prescribed {drug}. Which condition in the client's history is a contraindication to this medication?"
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} is a contraindication to {drug}.{}",
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
                    "{} is an indication for {drug}: a reason to give it, not to hold it.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "Before a first dose the nurse checks the history for contraindications; {} rules {drug} out or needs the prescriber's review, while the other conditions are reasons it is prescribed.",
        short(key.text())
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

// ---------------------------------------------------------------------------------------------
// Medications: hold parameters
// ---------------------------------------------------------------------------------------------

/// An assessment measure: the `measure` name used by `hold_if` facts, how it is shown, a normal
/// range for safe values (low, high, step), the step for values past a threshold, and decimals.
struct Measure {
    name: &'static str,
    label: &'static str,
    units: &'static str,
    normal: (f64, f64, f64),
    key_step: f64,
    decimals: usize,
}

const MEASURES: [Measure; 7] = [
    Measure {
        name: "systolic blood pressure",
        label: "Blood pressure",
        units: "mm Hg",
        normal: (104.0, 128.0, 2.0),
        key_step: 3.0,
        decimals: 0,
    },
    Measure {
        name: "apical pulse",
        label: "Apical pulse",
        units: "/min",
        normal: (64.0, 92.0, 2.0),
        key_step: 2.0,
        decimals: 0,
    },
    Measure {
        name: "respiratory rate",
        label: "Respiratory rate",
        units: "/min",
        normal: (14.0, 20.0, 1.0),
        key_step: 1.0,
        decimals: 0,
    },
    Measure {
        name: "urine output",
        label: "Urine output",
        units: "mL/h",
        normal: (45.0, 80.0, 5.0),
        key_step: 4.0,
        decimals: 0,
    },
    Measure {
        name: "serum potassium",
        label: "Serum potassium",
        units: "mEq/L",
        normal: (3.8, 4.6, 0.1),
        key_step: 0.2,
        decimals: 1,
    },
    Measure {
        name: "blood glucose",
        label: "Blood glucose",
        units: "mg/dL",
        normal: (90.0, 128.0, 2.0),
        key_step: 4.0,
        decimals: 0,
    },
    Measure {
        name: "platelet count",
        label: "Platelet count",
        units: "/mm3",
        normal: (180_000.0, 340_000.0, 10_000.0),
        key_step: 6_000.0,
        decimals: 0,
    },
];

const HOLD_CONDITIONS: [&str; 4] = [
    "",
    "unless the prescriber sets other parameters",
    "notify the prescriber before giving",
    "treat hypoglycemia and notify the prescriber first",
];

fn measure_index(name: &str) -> Option<usize> {
    MEASURES
        .iter()
        .position(|measure| measure.name == name.to_lowercase())
}

fn show_measure(index: usize, value: f64) -> String {
    let measure = &MEASURES[index];
    if measure.name == "systolic blood pressure" {
        let diastolic = (value * 0.62).round();
        format!(
            "{} {}/{} {}",
            measure.label,
            number(value),
            number(diastolic),
            measure.units
        )
    } else {
        format!(
            "{} {}",
            measure.label,
            with_units(&fixed(value, measure.decimals), measure.units)
        )
    }
}

fn normal_measure(index: usize, rng: &mut Rng) -> f64 {
    let (low, high, step) = MEASURES[index].normal;
    round_to(draw(rng, low, high, step), MEASURES[index].decimals)
}

/// A hold fact usable with numbers: a known measure, a threshold, an adult client, a stated condition.
struct Hold<'a> {
    fact: &'a Fact,
    measure: usize,
    below: bool,
    threshold: f64,
}

fn numeric_holds<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<Hold<'a>> {
    kb.values(MEDS, drug, "hold_if")
        .into_iter()
        .filter(|fact| {
            fact.population == Population::Adult && HOLD_CONDITIONS.contains(&fact.condition.trim())
        })
        .filter_map(|fact| {
            let measure = measure_index(fact.measure.as_deref()?)?;
            let below = match fact.op.as_deref()? {
                "<" | "<=" => true,
                ">" | ">=" => false,
                _ => return None,
            };
            Some(Hold {
                fact,
                measure,
                below,
                threshold: fact.threshold?,
            })
        })
        .collect()
}

/// Every measure any `hold_if` fact of the drug names (disputed, conditional and other-population
/// facts included, by field or by text): a measure the stem may not present as irrelevant.
fn recorded_hold_measures(kb: &KnowledgeBase, drug: &str) -> Vec<usize> {
    (0..MEASURES.len())
        .filter(|&index| {
            kb.about(MEDS, drug)
                .filter(|fact| fact.attribute == "hold_if")
                .any(|fact| {
                    fact.measure
                        .as_deref()
                        .and_then(measure_index)
                        .is_some_and(|measure| measure == index)
                        || fact.norm().contains(MEASURES[index].name)
                })
        })
        .collect()
}

/// A value of the hold's measure just past its threshold (1–4 key steps).
fn past_threshold(hold: &Hold, rng: &mut Rng) -> Option<f64> {
    let measure = &MEASURES[hold.measure];
    let offset = measure.key_step * (1 + rng.below(4)) as f64;
    let value = round_to(
        if hold.below {
            hold.threshold - offset
        } else {
            hold.threshold + offset
        },
        measure.decimals,
    );
    let past = if hold.below {
        value < hold.threshold
    } else {
        value > hold.threshold
    };
    (past && value > 0.0).then_some(value)
}

fn hold_rule(hold: &Hold) -> String {
    format!("Hold {} if {}.", hold_drug(hold), hold.fact.text())
}

fn hold_drug(hold: &Hold) -> String {
    drug_in_text(&hold.fact.subject)
}

fn hold_sentence(holds: &[Hold]) -> &'static str {
    if holds
        .iter()
        .any(|hold| hold.fact.condition.contains("unless the prescriber"))
    {
        " No other hold parameters have been prescribed."
    } else {
        ""
    }
}

fn hold_cases(kb: &KnowledgeBase, per_drug: impl Fn(usize) -> usize) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        let count = numeric_holds(kb, drug).len();
        if count == 0 {
            continue;
        }
        for variant in 0..per_drug(count) {
            cases.push(Case::new(drug, MEDS, variant as u32));
        }
    }
    cases
}

/// "Which finding should make the nurse withhold X?" — key: a value just past one of X's numeric
/// hold thresholds; distractors: a safe value of the same measure and normal values of others.
const HOLD_PARAMETER_CHOICE: ModelSpec = ModelSpec {
    id: "med-hold-parameter-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which assessment finding should make the nurse withhold a scheduled dose. Key: a value just past one of the drug's structured `hold_if` thresholds (measure, op, threshold; e.g. apical pulse 56/min for 'below 60/min'), with units. Distractors: a value of the same measure inside its normal range, on the safe side of the threshold, and normal values of two measures the drug has no hold fact about (blood pressure, pulse, respiratory rate, urine output, potassium, glucose, platelets). Only adult hold facts whose condition the stem can state are used; disputed thresholds (opioid respiratory rate) are excluded.",
    cases: Cases::From(hold_parameter_choice_cases),
    seeding: Seeding::Seed,
    generate: hold_parameter_choice,
};

fn hold_parameter_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    hold_cases(kb, |count| count * 3)
}

fn hold_parameter_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let holds = numeric_holds(kb, drug);
    let hold = holds.get(case.variant as usize % holds.len().max(1))?;
    let value = past_threshold(hold, &mut rng)?;
    let key = Opt::new(
        show_measure(hold.measure, value),
        format!(
            "{} is past the hold parameter: {}{}",
            show_measure(hold.measure, value),
            hold_rule(hold),
            cite_note(hold.fact)
        ),
        &[hold.fact],
    );
    let mut distractors = vec![];
    let same = normal_measure(hold.measure, &mut rng);
    distractors.push(Opt::new(
        show_measure(hold.measure, same),
        format!(
            "{} is within the expected range and on the safe side of the hold parameter ({}).",
            show_measure(hold.measure, same),
            hold.fact.text()
        ),
        &[hold.fact],
    ));
    let recorded = recorded_hold_measures(kb, drug);
    let others: Vec<usize> = (0..MEASURES.len())
        .filter(|&index| index != hold.measure && !recorded.contains(&index))
        .collect();
    for index in rng.sample(&others, 2) {
        let shown = show_measure(index, normal_measure(index, &mut rng));
        distractors.push(Opt::new(
            shown.clone(),
            format!(
                "{shown} is within the expected range for an adult, so it gives no reason to withhold {}.",
                drug_in_text(drug)
            ),
            &[hold.fact],
        ));
    }
    let stem = format!(
        "The nurse is preparing to give the scheduled dose of {} to an adult client.{} Which assessment finding should cause the nurse to withhold the dose and notify the prescriber?",
        drug_in_text(drug),
        hold_sentence(std::slice::from_ref(hold))
    );
    let rationale = format!(
        "{} The other findings are within expected ranges, so they give no reason to hold the dose.",
        hold_rule(hold)
    );
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// The findings of a highlight note: (measure, value, is past a threshold, the drug's hold of that
/// measure if it has one). A measure the drug has a recorded hold fact for that is not keyed is
/// shown on the safe side of the drug's usable threshold, or not at all when no usable threshold
/// exists (disputed, conditional), so no finding is called irrelevant that a fact makes relevant.
type Finding<'a> = (usize, f64, bool, Option<&'a Hold<'a>>);

fn hold_findings<'a>(
    kb: &KnowledgeBase,
    drug: &str,
    holds: &'a [Hold<'a>],
    rng: &mut Rng,
    total: usize,
) -> Option<Vec<Finding<'a>>> {
    let key_count = 1 + rng.below(holds.len().min(2));
    let mut keyed: Vec<&Hold> = Vec::new();
    for hold in rng.sample(&holds.iter().collect::<Vec<_>>(), holds.len()) {
        if keyed.len() < key_count && keyed.iter().all(|other| other.measure != hold.measure) {
            keyed.push(hold);
        }
    }
    let mut findings = Vec::new();
    for hold in &keyed {
        findings.push((hold.measure, past_threshold(hold, rng)?, true, Some(*hold)));
    }
    let recorded = recorded_hold_measures(kb, drug);
    let usable = |index: usize| holds.iter().find(|hold| hold.measure == index);
    let free: Vec<usize> = (0..MEASURES.len())
        .filter(|index| keyed.iter().all(|hold| hold.measure != *index))
        .filter(|&index| !recorded.contains(&index) || usable(index).is_some())
        .collect();
    for index in rng.sample(&free, total.saturating_sub(findings.len())) {
        let value = normal_measure(index, rng);
        if holds
            .iter()
            .any(|hold| hold.measure == index && is_past(hold, value))
        {
            return None;
        }
        findings.push((index, value, false, usable(index)));
    }
    findings.sort_by_key(|finding| finding.0);
    Some(findings)
}

/// Matrix: several clients due the same drug, one finding each: is it a reason to withhold X or not?
/// Every row is a value of a measure the drug has a recorded threshold for, so a row is keyed "not
/// a reason to withhold" only when that threshold positively puts it on the safe side.
const HOLD_PARAMETER_MATRIX: ModelSpec = ModelSpec {
    id: "med-hold-parameter-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Matrix: 4–5 adult clients are due the same drug, each with one finding; for each, is it a reason to withhold the dose or not? Every row is a value of a measure the drug has a structured `hold_if` threshold for: reason rows are just past the threshold, the others are expected values on its safe side, so no row is called not a hold parameter unless the drug's own threshold makes it so (a measure without a recorded threshold for the drug is never shown). Same fact rules as med-hold-parameter-mc.",
    cases: Cases::From(hold_parameter_matrix_cases),
    seeding: Seeding::Seed,
    generate: hold_parameter_matrix,
};

fn hold_parameter_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    hold_cases(kb, |_| 6)
}

/// The rows of the matrix: (hold, value, is past its threshold). 1–2 rows past a threshold, the
/// rest expected values of the drug's own hold measures; every value distinct.
fn hold_matrix_findings<'a>(
    holds: &'a [Hold<'a>],
    rng: &mut Rng,
    total: usize,
) -> Option<Vec<(&'a Hold<'a>, f64, bool)>> {
    let key_count = 1 + rng.below(2);
    let mut rows: Vec<(&Hold, f64, bool)> = Vec::new();
    let mut attempts = 0;
    while rows.len() < total && attempts < 60 {
        attempts += 1;
        let hold = &holds[rng.below(holds.len())];
        let past = rows.iter().filter(|row| row.2).count() < key_count;
        let value = if past {
            past_threshold(hold, rng)?
        } else {
            normal_measure(hold.measure, rng)
        };
        let safe_for_all = holds
            .iter()
            .filter(|other| other.measure == hold.measure)
            .all(|other| !is_past(other, value));
        if !past && !safe_for_all {
            continue;
        }
        if rows
            .iter()
            .any(|row| row.0.measure == hold.measure && row.1 == value)
        {
            continue;
        }
        rows.push((hold, value, past));
    }
    (rows.len() == total).then_some(rows)
}

fn is_past(hold: &Hold, value: f64) -> bool {
    if hold.below {
        value < hold.threshold
    } else {
        value > hold.threshold
    }
}

fn hold_parameter_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let holds = numeric_holds(kb, drug);
    if holds.is_empty() {
        return None;
    }
    let total = 4 + (case.variant as usize % 2);
    let findings = hold_matrix_findings(&holds, &mut rng, total)?;
    let rows: Vec<MatrixRow> = findings
        .iter()
        .map(|(hold, value, past)| {
            let shown = show_measure(hold.measure, *value);
            if *past {
                MatrixRow {
                    text: shown.clone(),
                    column: 0,
                    rationale: format!("{shown} is past the hold parameter. {}", hold_rule(hold)),
                    facts: vec![hold.fact.id.clone()],
                }
            } else {
                MatrixRow {
                    text: shown.clone(),
                    column: 1,
                    rationale: format!(
                        "{shown} is within the expected range, on the safe side of the hold parameter ({}).",
                        hold.fact.text()
                    ),
                    facts: vec![hold.fact.id.clone()],
                }
            }
        })
        .collect();
    let stem = format!(
        "The nurse is caring for several adult clients who are due a scheduled dose of {}.{} Each client's most recent finding is listed. For each finding, indicate whether it is a reason to withhold the dose.",
        drug_in_text(drug),
        hold_sentence(&holds)
    );
    let rules: Vec<String> = holds.iter().map(hold_rule).collect();
    let rationale = format!(
        "{} A finding on the safe side of these parameters does not change the plan to give the dose.",
        rules.join(" ")
    );
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["Reason to withhold", "Not a reason to withhold"],
        rows,
        rationale,
    ))
}

/// Highlight the findings in a pre-administration note that require holding X.
const HOLD_PARAMETER_HIGHLIGHT: ModelSpec = ModelSpec {
    id: "med-hold-parameter-highlight",
    item_type: ItemType::Highlight,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "A nurse's pre-administration note lists six findings (vital signs and laboratory values); the student highlights those that require withholding the drug. Keys: values just past one or two of the drug's structured `hold_if` thresholds. Other segments: expected values, on the safe side of the drug's own threshold where it has one for that measure; a measure the drug has a hold fact about but no usable threshold for (disputed, conditional) is never shown.",
    cases: Cases::From(hold_parameter_highlight_cases),
    seeding: Seeding::AddVariant,
    generate: hold_parameter_highlight,
};

fn hold_parameter_highlight_cases(kb: &KnowledgeBase) -> Vec<Case> {
    hold_cases(kb, |_| 4)
}

fn hold_parameter_highlight(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let holds = numeric_holds(kb, drug);
    if holds.is_empty() {
        return None;
    }
    let findings = hold_findings(kb, drug, &holds, &mut rng, 6)?;
    let segments: Vec<(bool, Opt)> = findings
        .iter()
        .map(|(index, value, past, hold)| {
            let shown = format!("{}.", show_measure(*index, *value));
            match hold {
                Some(hold) if *past => (true, Opt::new(shown.clone(), format!("{shown} This is past the hold parameter. {}", hold_rule(hold)), &[hold.fact])),
                Some(hold) => (false, Opt::new(shown.clone(), format!("{shown} This is within the expected range, on the safe side of the hold parameter ({}).", hold.fact.text()), &[hold.fact])),
                None => (false, Opt::new(shown.clone(), format!("{shown} This is within the expected range for an adult, so it does not require withholding {}.", drug_in_text(drug)), &[holds[0].fact])),
            }
        })
        .collect();
    let stem = format!(
        "The nurse documents an adult client's data before the scheduled dose of {}.{} Highlight the findings that require the nurse to withhold the dose.",
        drug_in_text(drug),
        hold_sentence(&holds)
    );
    let rules: Vec<String> = holds.iter().map(hold_rule).collect();
    let rationale = format!(
        "{} Only findings past these parameters are reasons to withhold the dose and notify the prescriber.",
        rules.join(" ")
    );
    Some(build::highlight(kb, &meta, seed, stem, segments, rationale))
}

// ---------------------------------------------------------------------------------------------
// Medications: therapeutic levels and insulin time-action
// ---------------------------------------------------------------------------------------------

struct Level<'a> {
    range: &'a Fact,
    low: f64,
    high: f64,
    units: String,
    toxic: Option<(&'a Fact, f64)>,
    context: String,
    decimals: usize,
}

fn level_of<'a>(kb: &'a KnowledgeBase, drug: &str) -> Option<Level<'a>> {
    let contexts: [(&str, &str); 4] = [
        ("", ""),
        (
            "total serum phenytoin",
            " The result is a total serum phenytoin level.",
        ),
        (
            "maintenance; trough drawn 12 hours after last dose",
            " The client is on maintenance therapy, and the trough level was drawn 12 hours after the last dose.",
        ),
        (
            "most indications",
            " The client takes warfarin for atrial fibrillation.",
        ),
    ];
    let range = kb
        .values(MEDS, drug, "therapeutic_range")
        .into_iter()
        .find(|fact| {
            contexts
                .iter()
                .any(|(condition, _)| fact.condition.trim() == *condition)
        })?;
    let context = contexts
        .iter()
        .find(|(condition, _)| range.condition.trim() == *condition)?
        .1
        .to_owned();
    let Value::Range {
        low: Some(low),
        high: Some(high),
        units,
    } = &range.value
    else {
        return None;
    };
    // A toxic level counts only as a strict "above" boundary at or past the top of the range.
    let toxic = kb
        .value(MEDS, drug, "toxic_level")
        .filter(|fact| fact.op.as_deref() == Some(">"))
        .and_then(|fact| Some((fact, fact.threshold?)))
        .filter(|(_, toxic)| *toxic >= *high);
    let decimals = if *high >= 20.0 { 0 } else { 1 };
    Some(Level {
        range,
        low: *low,
        high: *high,
        units: units.clone(),
        toxic,
        context,
        decimals,
    })
}

fn show_level(level: &Level, value: f64) -> String {
    if level.units == "INR" {
        format!("INR {}", fixed(value, 1))
    } else {
        with_units(&fixed(value, level.decimals), &level.units)
    }
}

/// Numeric drug levels: which is therapeutic, which is toxic, which INR requires holding warfarin.
const THERAPEUTIC_LEVEL: ModelSpec = ModelSpec {
    id: "med-therapeutic-level-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::EvaluateOutcomes,
    aacn: Aacn::new(2, 7),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Evaluates a drug level against the drug's undisputed `therapeutic_range` (and `toxic_level`). Variant 0: which level is therapeutic (key inside the range by at least 10% of its width; distractors clearly below and clearly above). Variant 1: which level is toxic (key above the recorded toxic boundary, a strict `>` threshold at or above the top of the range, e.g. phenytoin above 20 mcg/mL; distractors therapeutic or subtherapeutic, never between the range and the toxic level). Variant 2 (warfarin): which INR requires holding the dose (key above the 2.0–3.0 target; distractors inside it or low). The stem states the range's condition (maintenance trough, total phenytoin, atrial fibrillation).",
    cases: Cases::From(therapeutic_level_cases),
    seeding: Seeding::Seed,
    generate: therapeutic_level,
};

fn therapeutic_level_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        let Some(level) = level_of(kb, drug) else {
            continue;
        };
        cases.push(Case::new(drug, MEDS, 0));
        if level.toxic.is_some() {
            cases.push(Case::new(drug, MEDS, 1));
        }
        if level.units == "INR"
            && kb
                .values(MEDS, drug, "hold_if")
                .iter()
                .any(|fact| fact.text().contains("INR"))
        {
            cases.push(Case::new(drug, MEDS, 2));
        }
    }
    cases
}

fn therapeutic_level(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let level = level_of(kb, drug)?;
    let width = level.high - level.low;
    let step = 10f64.powi(-(level.decimals as i32));
    let inside = |rng: &mut Rng| {
        round_to(
            draw(rng, level.low + width * 0.1, level.high - width * 0.1, step),
            level.decimals,
        )
    };
    let below = |rng: &mut Rng| {
        round_to(
            draw(rng, level.low * 0.4, level.low * 0.8, step),
            level.decimals,
        )
    };
    let above_top = level
        .toxic
        .map_or(level.high * 1.15, |(_, toxic)| toxic.max(level.high) * 1.05);
    let above =
        |rng: &mut Rng| round_to(draw(rng, above_top, above_top * 1.3, step), level.decimals);
    let range_text = if level.units == "INR" {
        format!("{}–{}", fixed(level.low, 1), fixed(level.high, 1))
    } else {
        level.range.value.display()
    };
    let name = drug_in_text(drug);
    let (stem, key, key_why, mut others, facts): (String, f64, String, Vec<f64>, Vec<&Fact>) =
        match case.variant {
            0 => {
                let key = inside(&mut rng);
                let third = if rng.below(2) == 0 {
                    below(&mut rng)
                } else {
                    above(&mut rng)
                };
                let others = vec![below(&mut rng), above(&mut rng), third];
                (
                    format!(
                        "A client takes {name}.{} Which serum level is within the therapeutic range?",
                        level.context
                    ),
                    key,
                    format!("is within the therapeutic range for {name} ({range_text})."),
                    others,
                    vec![level.range],
                )
            }
            1 => {
                let (toxic_fact, toxic) = level.toxic?;
                let key = round_to(
                    draw(&mut rng, toxic * 1.08, toxic * 1.45, step),
                    level.decimals,
                );
                let others = vec![inside(&mut rng), inside(&mut rng), below(&mut rng)];
                (
                    format!(
                        "A client takes {name}.{} Which serum level indicates toxicity that the nurse must report at once?",
                        level.context
                    ),
                    key,
                    format!(
                        "is above {}, the level above which {name} causes toxic effects.{}",
                        with_units(&number(toxic), &level.units),
                        cite_note(toxic_fact)
                    ),
                    others,
                    vec![level.range, toxic_fact],
                )
            }
            _ => {
                let hold = kb
                    .values(MEDS, drug, "hold_if")
                    .into_iter()
                    .find(|fact| fact.text().contains("INR"))?;
                let key = round_to(draw(&mut rng, level.high * 1.15, level.high * 1.6, 0.1), 1);
                let others = vec![
                    inside(&mut rng),
                    inside(&mut rng),
                    round_to(draw(&mut rng, level.low * 0.55, level.low * 0.8, 0.1), 1),
                ];
                (
                    format!(
                        "A client takes {name} for atrial fibrillation, with a prescribed target INR of {range_text}. Which INR result requires the nurse to withhold the dose and notify the prescriber?"
                    ),
                    key,
                    format!(
                        "is above the target range ({range_text}); {name} is held when the {}.",
                        hold.text().replace("INR above", "INR is above")
                    ),
                    others,
                    vec![level.range, hold],
                )
            }
        };
    others.retain(|value| (*value - key).abs() > 1e-9);
    let mut seen = BTreeSet::from([show_level(&level, key)]);
    let distractors: Vec<Opt> = others
        .iter()
        .filter(|value| seen.insert(show_level(&level, **value)))
        .map(|value| {
            let where_ = if *value < level.low {
                format!("is below the therapeutic range ({range_text})")
            } else if *value <= level.high {
                format!("is within the therapeutic range ({range_text})")
            } else {
                format!("is above the therapeutic range ({range_text})")
            };
            Opt::new(
                show_level(&level, *value),
                format!("{} {where_}.", show_level(&level, *value)),
                &facts,
            )
        })
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let key_opt = Opt::new(
        show_level(&level, key),
        format!("{} {key_why}", show_level(&level, key)),
        &facts,
    );
    let rationale = format!(
        "The therapeutic range for {name} is {range_text}.{}",
        level
            .toxic
            .map(|(_, toxic)| {
                format!(
                    " Levels above {} are toxic.",
                    with_units(&number(toxic), &level.units)
                )
            })
            .unwrap_or_default()
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

/// Minutes of a time-action range fact (low, high).
fn minutes_of(fact: &Fact) -> Option<(f64, f64)> {
    let Value::Range {
        low: Some(low),
        high: Some(high),
        units,
    } = &fact.value
    else {
        return None;
    };
    let factor = if units.starts_with("minute") {
        1.0
    } else if units.starts_with("hour") {
        60.0
    } else {
        return None;
    };
    Some((low * factor, high * factor))
}

fn clock(minutes: f64) -> String {
    let total = minutes.round() as i64;
    let day = total.div_euclid(1440);
    let time = total.rem_euclid(1440);
    let text = format!("{:02}{:02}", time / 60, time % 60);
    if day > 0 {
        format!("{text} the next day")
    } else {
        text
    }
}

struct Profile<'a> {
    onset: (&'a Fact, (f64, f64)),
    peak: (&'a Fact, (f64, f64)),
    duration: (&'a Fact, (f64, f64)),
}

fn profile<'a>(kb: &'a KnowledgeBase, drug: &str) -> Option<Profile<'a>> {
    let get = |attribute: &str| -> Option<(&'a Fact, (f64, f64))> {
        let fact = plain(kb, MEDS, drug, attribute).into_iter().next()?;
        Some((fact, minutes_of(fact)?))
    };
    Some(Profile {
        onset: get("onset")?,
        peak: get("peak")?,
        duration: get("duration")?,
    })
}

const DOSE_TIMES: [f64; 8] = [420.0, 450.0, 480.0, 690.0, 720.0, 990.0, 1020.0, 1050.0];

/// "Insulin X given at T: when is hypoglycemia risk greatest?" — key: a time inside the peak.
const INSULIN_PEAK_TIME: ModelSpec = ModelSpec {
    id: "med-insulin-peak-time-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Advanced,
    description: "Gives the clock time of a subcutaneous insulin dose and asks when the client is at greatest risk for hypoglycemia from that dose. Key: the dose time plus the midpoint of the insulin's `peak` range (rounded to 30 minutes, checked to lie inside the peak). Distractors: a time before the `onset` begins and two times after the longest `duration`, when this dose no longer acts. Only insulins with onset, peak and duration recorded as ranges are used.",
    cases: Cases::From(insulin_peak_time_cases),
    seeding: Seeding::Seed,
    generate: insulin_peak_time,
};

fn insulin_peak_time_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        if drug.contains("insulin") && profile(kb, drug).is_some() {
            for index in 0..DOSE_TIMES.len() {
                cases.push(Case::new(drug, MEDS, index as u32));
            }
        }
    }
    cases
}

fn insulin_peak_time(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let profile = profile(kb, drug)?;
    let (onset, peak, duration) = (profile.onset.1, profile.peak.1, profile.duration.1);
    // Long-peaking insulins are also given at bedtime.
    let dose = if peak.1 >= 600.0 && case.variant % 2 == 1 {
        [1260.0, 1320.0][rng.below(2)]
    } else {
        DOSE_TIMES[case.variant as usize % DOSE_TIMES.len()]
    };
    let key = dose + ((peak.0 + peak.1) / 2.0 / 30.0).round() * 30.0;
    if key < dose + peak.0 || key > dose + peak.1 {
        return None;
    }
    let early = dose + ((onset.0 / 2.0 / 5.0).round() * 5.0).max(5.0);
    if early >= dose + onset.0 {
        return None;
    }
    let late1 = dose + duration.1 + 60.0 * (1 + rng.below(3)) as f64;
    let late2 = late1 + 60.0 * (2 + rng.below(3)) as f64;
    let name = drug_in_text(drug);
    let facts = [profile.onset.0, profile.peak.0, profile.duration.0];
    let key_opt = Opt::new(
        clock(key),
        format!(
            "{} falls within the peak of {name} ({} after the dose), when hypoglycemia is most likely.{}",
            clock(key),
            profile.peak.0.value.display(),
            cite_note(profile.peak.0)
        ),
        &facts,
    );
    let distractors = vec![
        Opt::new(
            clock(early),
            format!(
                "{} is before the onset of {name} ({} after injection), so the dose has not begun to act.",
                clock(early),
                profile.onset.0.value.display()
            ),
            &facts,
        ),
        Opt::new(
            clock(late1),
            format!(
                "{} is after the duration of {name} ({}), so this dose is no longer acting.",
                clock(late1),
                profile.duration.0.value.display()
            ),
            &facts,
        ),
        Opt::new(
            clock(late2),
            format!(
                "{} is well after the duration of {name} ({}).",
                clock(late2),
                profile.duration.0.value.display()
            ),
            &facts,
        ),
    ];
    let stem = format!(
        "A client receives {name} subcutaneously at {}. Based on its expected time-action profile, at which time is the client at greatest risk for hypoglycemia from this dose?",
        clock(dose)
    );
    let rationale = format!(
        "{} has an onset of {}, a peak of {} and a duration of {}. Hypoglycemia is most likely during the peak, so the nurse monitors closely then.",
        drug_label(drug),
        profile.onset.0.value.display(),
        profile.peak.0.value.display(),
        profile.duration.0.value.display()
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

fn peak_text(fact: &Fact) -> String {
    match &fact.value {
        Value::Text(text) => sentence(text),
        value => format!("Peak {}", value.display()),
    }
}

fn insulins_with_peak(kb: &KnowledgeBase) -> Vec<(&str, &Fact)> {
    kb.subjects(MEDS)
        .iter()
        .filter(|drug| drug.contains("insulin"))
        .filter_map(|drug| {
            Some((
                drug.as_str(),
                plain(kb, MEDS, drug, "peak").into_iter().next()?,
            ))
        })
        .collect()
}

/// Matrix: match each insulin with its peak.
const INSULIN_PROFILE_MATRIX: ModelSpec = ModelSpec {
    id: "med-insulin-peak-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Matrix: for each of 3–6 insulins, choose its peak (the distinct `peak` facts of the insulins: 0.5–3 hours, 2–4 hours, 4–12 hours, no pronounced peak). Cases are every subset of insulins whose keys use at least two columns.",
    cases: Cases::From(insulin_profile_matrix_cases),
    seeding: Seeding::Seed,
    generate: insulin_profile_matrix,
};

fn insulin_profile_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let insulins = insulins_with_peak(kb);
    let n = insulins.len().min(10);
    (0u32..(1u32 << n))
        .filter(|mask| (3..=6).contains(&mask.count_ones()))
        .filter(|mask| {
            let columns: BTreeSet<String> = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| peak_text(insulins[i].1))
                .collect();
            columns.len() >= 2
        })
        .map(|mask| Case::new("insulin", MEDS, mask))
        .collect()
}

fn insulin_profile_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let insulins = insulins_with_peak(kb);
    let mut columns: Vec<String> = insulins
        .iter()
        .map(|(_, fact)| peak_text(fact))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Time order: numeric peaks first, by their start, then "no pronounced peak".
    columns.sort_by(|a, b| {
        let start = |text: &str| {
            text.trim_start_matches("Peak ")
                .split('–')
                .next()
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or(f64::MAX)
        };
        start(a)
            .partial_cmp(&start(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if !(2..=4).contains(&columns.len()) {
        return None;
    }
    let rows: Vec<MatrixRow> = insulins
        .iter()
        .enumerate()
        .filter(|(index, _)| case.variant & (1 << index) != 0)
        .filter_map(|(_, (drug, fact))| {
            let column = columns.iter().position(|text| *text == peak_text(fact))?;
            Some(MatrixRow {
                text: drug_label(drug),
                column,
                rationale: match &fact.value {
                    Value::Text(text) => format!(
                        "{} ({}) has {text}.{}",
                        drug_label(drug),
                        class_text(kb, drug),
                        cite_note(fact)
                    ),
                    value => format!(
                        "{} ({}) peaks at {}.{}",
                        drug_label(drug),
                        class_text(kb, drug),
                        value.display(),
                        cite_note(fact)
                    ),
                },
                facts: vec![fact.id.clone()],
            })
        })
        .collect();
    let frames = [
        "The nurse reviews the insulins on a diabetes teaching plan. For each insulin, select its expected peak action.",
        "For each insulin the client may receive, select the expected peak of action the nurse uses to plan hypoglycemia checks.",
    ];
    let stem = frames[rng.below(frames.len())].to_owned();
    let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let rationale = "Rapid-acting insulins peak earliest, regular insulin next, NPH later and over a longer span, and long-acting basal insulins have no pronounced peak; hypoglycemia is most likely during the peak.".to_owned();
    let meta = meta.about("insulin");
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &column_refs,
        rows,
        rationale,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::super::super::Answer;
    use super::super::super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    fn wrong_options(item: &Item) -> Vec<String> {
        let Answer::Choice(key) = &item.correct_answer else {
            return Vec::new();
        };
        item.options
            .iter()
            .filter(|option| option.id != *key)
            .map(|option| option.text.clone())
            .collect()
    }

    /// Every wrong indication is a contraindication of the drug or the opposite of one of its
    /// indications, and no rationale says "not a recorded use".
    #[test]
    fn indication_distractors_are_positively_not_indications() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index("med-indication-mc") else {
            panic!("med-indication-mc is in the catalog");
        };
        let mut made = 0;
        for case in catalog.cases(index) {
            let allowed: Vec<String> = not_indicated(kb, &case.subject)
                .into_iter()
                .map(|wrong| wrong.text)
                .collect();
            println!("{}: {allowed:?}", case.subject);
            for seed in 0..20 {
                let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                    continue;
                };
                made += 1;
                for wrong in wrong_options(&item) {
                    assert!(allowed.contains(&wrong), "{}: {wrong}", case.subject);
                }
                for rationale in item.option_rationales.values() {
                    assert!(!rationale.contains("not a recorded use"), "{rationale}");
                }
            }
        }
        assert!(made > 0);
    }

    /// A contraindication that is a drug combination, an allergy, an age or pregnancy is never
    /// offered as a condition the drug treats; an indication's opposite is.
    #[test]
    fn only_conditions_are_offered_as_wrong_indications() {
        let kb = kb();
        let escitalopram: Vec<String> = not_indicated(kb, "escitalopram")
            .into_iter()
            .map(|wrong| wrong.text)
            .collect();
        assert!(escitalopram.iter().all(|text| !text.contains("MAOI")));
        let lisinopril: Vec<String> = not_indicated(kb, "lisinopril")
            .into_iter()
            .map(|wrong| wrong.text.to_lowercase())
            .collect();
        assert!(
            lisinopril
                .iter()
                .all(|text| !text.contains("pregnan") && !text.contains("history"))
        );
        assert!(
            lisinopril.contains(&"hypotension".to_owned()),
            "{lisinopril:?}"
        );
    }

    /// The measure a shown finding ("Respiratory rate 16/min") is a value of.
    fn measure_of(text: &str) -> Option<usize> {
        MEASURES
            .iter()
            .position(|measure| text.starts_with(measure.label))
    }

    /// No hold item calls a finding "not a hold parameter": every finding offered as no reason to
    /// withhold is a measure the drug has no hold fact about, or a value on the safe side of the
    /// drug's own threshold for it (magnesium sulfate is held for a respiratory rate below 12/min).
    /// Every matrix row is a measure the drug has a usable threshold for.
    #[test]
    fn hold_items_offer_a_finding_as_no_reason_only_when_a_fact_makes_it_so() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let mut made = 0;
        for id in [
            "med-hold-parameter-mc",
            "med-hold-parameter-matrix",
            "med-hold-parameter-highlight",
        ] {
            let Some(index) = catalog.model_index(id) else {
                panic!("{id} is in the catalog");
            };
            for case in catalog.cases(index) {
                let drug = case.subject.as_str();
                let holds = numeric_holds(kb, drug);
                let recorded = recorded_hold_measures(kb, drug);
                for seed in 0..12 {
                    let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                        continue;
                    };
                    made += 1;
                    for text in item.option_rationales.values() {
                        assert!(
                            !text.contains("not a hold parameter"),
                            "{id} {drug}: {text}"
                        );
                    }
                    let shown = item.options.iter().chain(item.rows.iter());
                    for option in shown {
                        let Some(measure) = measure_of(&option.text) else {
                            panic!("{id} {drug}: no measure in {}", option.text);
                        };
                        let usable = holds.iter().any(|hold| hold.measure == measure);
                        assert!(
                            usable || !recorded.contains(&measure),
                            "{id} {drug}: {} has a hold fact but no usable threshold",
                            option.text
                        );
                        if id == "med-hold-parameter-matrix" {
                            assert!(usable, "{drug}: matrix row {}", option.text);
                        }
                    }
                }
            }
        }
        assert!(made > 100, "{made}");
        let magnesium = recorded_hold_measures(kb, "magnesium sulfate");
        assert!(magnesium.contains(&measure_index("respiratory rate").unwrap_or(usize::MAX)));
    }

    /// A level at the top of a therapeutic range is therapeutic, not toxic: phenytoin's range is
    /// 10–20 mcg/mL and toxic effects appear above 20, so no rationale calls 20 toxic ("≥ 20") and
    /// every toxic key lies above the boundary.
    #[test]
    fn a_toxic_level_is_above_the_top_of_the_therapeutic_range() {
        let kb = kb();
        for drug in kb.subjects(MEDS) {
            let (Some(range), Some(toxic)) = (
                kb.value(MEDS, drug, "therapeutic_range"),
                kb.value(MEDS, drug, "toxic_level"),
            ) else {
                continue;
            };
            let Value::Range {
                high: Some(high), ..
            } = range.value
            else {
                continue;
            };
            assert_eq!(toxic.op.as_deref(), Some(">"), "{}", toxic.id);
            assert!(toxic.threshold.is_some_and(|t| t >= high), "{}", toxic.id);
        }
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index("med-therapeutic-level-mc") else {
            panic!("med-therapeutic-level-mc is in the catalog");
        };
        let mut phenytoin = 0;
        for case in catalog.cases(index) {
            for seed in 0..30 {
                let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                    continue;
                };
                for text in item.option_rationales.values().chain([&item.rationale]) {
                    assert!(!text.contains('≥'), "{}: {text}", case.subject);
                }
                if case.subject == "phenytoin" && case.variant == 1 {
                    phenytoin += 1;
                    let Answer::Choice(key) = &item.correct_answer else {
                        panic!("multiple choice");
                    };
                    let why = &item.option_rationales[key];
                    assert!(why.contains("above 20 mcg/mL"), "{why}");
                }
            }
        }
        assert!(phenytoin > 0);
    }

    /// Medication models are tagged Pharmacological and Parenteral Therapies.
    #[test]
    fn medication_models_are_pharmacological_therapies() {
        for model in MODELS {
            assert_eq!(
                model.client_need,
                ClientNeed::PharmacologicalParenteral,
                "{}",
                model.id
            );
        }
    }
}
