//! Clinical-numbers item models: pharmacology (indications, contraindications, hold parameters,
//! therapeutic levels, insulin time-action, medication teaching), laboratory values, fluids and
//! electrolytes, IV solutions, acid–base (ABG interpretation) and dosage calculation.
//!
//! Numbers shown in items are generated from the knowledge base's ranges and thresholds, always
//! clearly inside or clearly outside them, so no reference disagreement can change the key.
//! Calculations carry their `Calculation` so the gate recomputes every numeric key.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::super::build::{self, MatrixRow, Meta, Opt, SlotSpec, sentence};
use super::super::catalog::Case;
use super::super::gate;
use super::super::rng::Rng;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{Calculation, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::prose::{before_parenthetical, cite_note, with_article};
use crate::domain::knowledge::{
    Fact, Family, KnowledgeBase, Population, Value, content_words, normalise, number,
};

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
    TEACHING_MATCH,
    LAB_ABNORMAL,
    LAB_STATUS_MATRIX,
    LAB_CRITICAL_PRIORITY,
    LAB_CAUSE_CHOICE,
    LAB_CAUSE_SATA,
    IMBALANCE_FINDINGS_MATRIX,
    IMBALANCE_FINDINGS_SATA,
    IMBALANCE_RISK_SATA,
    IMBALANCE_TREATMENT,
    IMBALANCE_QUESTION_ORDER,
    HYPERKALEMIA_SEQUENCE,
    TONICITY_MATRIX,
    IV_SOLUTION_CHOICE,
    ABG_CLOZE,
    ABG_CAUSE,
    ABG_STEPS,
    DRIP_RATE,
    PUMP_RATE,
    INFUSION_TIME,
    DOSE_PER_HOUR,
    WEIGHT_INFUSION,
    WEIGHT_DOSE,
    MAINTENANCE_FLUID,
    UNIT_CONVERSION,
    BSA_DOSE,
];

const MEDS: Family = Family::Medications;
const LABS: Family = Family::Labs;
const FE: Family = Family::FluidsElectrolytes;
const AB: Family = Family::AcidBase;
const DOSE: Family = Family::Dosage;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Option text without parenthetical qualifiers or "such as" examples.
fn short(text: &str) -> String {
    let cut = before_parenthetical(text);
    let cut = cut.split(" such as ").next().unwrap_or(cut);
    cut.trim().trim_end_matches(',').to_owned()
}

/// Facts of `attribute` about `subject` that apply without a condition, to adults or everyone.
fn plain<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attribute: &str,
) -> Vec<&'a Fact> {
    kb.values(family, subject, attribute)
        .into_iter()
        .filter(|fact| {
            fact.condition.trim().is_empty()
                && matches!(fact.population, Population::Adult | Population::All)
        })
        .collect()
}

/// Every fact (any condition, disputed included) of these attributes about `subject`.
fn all_of<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attributes: &[&str],
) -> Vec<&'a Fact> {
    kb.about(family, subject)
        .filter(|fact| attributes.contains(&fact.attribute.as_str()))
        .collect()
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let factor = 10f64.powi(decimals as i32);
    (value * factor).round() / factor
}

/// A value on a grid from `low` to `high` in steps of `step`.
fn draw(rng: &mut Rng, low: f64, high: f64, step: f64) -> f64 {
    let steps = ((high - low) / step).round().max(0.0) as usize;
    low + step * rng.below(steps + 1) as f64
}

fn decimals_of(value: f64) -> usize {
    (0..4)
        .find(|&d| {
            (value * 10f64.powi(d as i32) - (value * 10f64.powi(d as i32)).round()).abs() < 1e-6
        })
        .unwrap_or(3)
}

fn fixed(value: f64, decimals: usize) -> String {
    if decimals == 0 {
        number(value.round())
    } else {
        format!("{value:.decimals$}")
    }
}

fn with_units(value: &str, units: &str) -> String {
    match units {
        "unitless" | "ratio" | "" => value.to_owned(),
        "%" => format!("{value}%"),
        u if u.starts_with('/') => format!("{value}{u}"),
        u => format!("{value} {u}"),
    }
}

/// Drug class → therapeutic area, so distractor drugs come from clearly different areas.
fn area(class: &str) -> Cow<'_, str> {
    // Classes are stored lowercase; only lowercase when one is not, since this runs for every
    // candidate distractor.
    let class: Cow<'_, str> = if class.chars().any(char::is_uppercase) {
        Cow::Owned(class.to_lowercase())
    } else {
        Cow::Borrowed(class)
    };
    const AREAS: [(&str, &[&str]); 11] = [
        (
            "antidote",
            &[
                "opioid antagonist",
                "benzodiazepine antagonist",
                "heparin antagonist",
                "reactivator",
                "chelator",
                "antidote",
                "vitamin k",
            ],
        ),
        (
            "anti-infective",
            &[
                "aminoglycoside",
                "cephalosporin",
                "penicillin",
                "fluoroquinolone",
                "glycopeptide",
                "macrolide",
                "tetracycline",
                "sulfonamide",
                "nitroimidazole",
                "antitubercular",
                "antiviral",
                "neuraminidase",
                "antifungal",
            ],
        ),
        ("obstetric", &["oxytocic", "uterine", "tocolytic"]),
        (
            "gastrointestinal",
            &[
                "proton pump",
                "h2 receptor",
                "antiemetic",
                "5-ht3",
                "prokinetic",
                "laxative",
                "mucosal",
            ],
        ),
        (
            "respiratory",
            &[
                "beta2",
                "bronchodilator",
                "inhaled corticosteroid",
                "leukotriene",
                "methylxanthine",
            ],
        ),
        (
            "endocrine",
            &[
                "insulin",
                "sulfonylurea",
                "biguanide",
                "dpp-4",
                "glp-1",
                "sglt2",
                "thiazolidinedione",
                "thyroid",
                "corticosteroid",
                "glucose-elevating",
                "bisphosphonate",
            ],
        ),
        (
            "cardiovascular",
            &[
                "ace inhibitor",
                "angiotensin",
                "beta blocker",
                "calcium channel",
                "diuretic",
                "nitrate",
                "glycoside",
                "antidysrhythmic",
                "anticoagulant",
                "antiplatelet",
                "thrombolytic",
                "statin",
                "vasopressor",
                "muscarinic",
            ],
        ),
        (
            "analgesic",
            &["opioid analgesic", "nonsteroidal", "cox-2", "nonopioid"],
        ),
        (
            "neuro-psych",
            &[
                "antiepileptic",
                "benzodiazepine",
                "antipsychotic",
                "serotonin",
                "tricyclic",
                "monoamine",
                "mood stabilizer",
                "stimulant",
                "antiparkinson",
                "cholinesterase",
            ],
        ),
        (
            "oncology-immune",
            &["antimetabolite", "calcineurin", "folic acid"],
        ),
        ("electrolyte", &["electrolyte"]),
    ];
    AREAS
        .iter()
        .find(|(_, keys)| keys.iter().any(|key| class.contains(key)))
        .map_or(class, |(name, _)| Cow::Borrowed(name))
}

fn drug_area<'a>(kb: &'a KnowledgeBase, drug: &str) -> Option<Cow<'a, str>> {
    kb.class_of(MEDS, drug).map(area)
}

fn class_text(kb: &KnowledgeBase, drug: &str) -> String {
    kb.class_of(MEDS, drug).unwrap_or("medication").to_owned()
}

/// Display name of a drug at the start of an option.
fn drug_label(drug: &str) -> String {
    if let Some(rest) = drug.strip_prefix("nph ") {
        format!("NPH {rest}")
    } else {
        sentence(drug)
    }
}

fn drug_in_text(drug: &str) -> String {
    if let Some(rest) = drug.strip_prefix("nph ") {
        format!("NPH {rest}")
    } else {
        drug.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Medications: indications and contraindications
// ---------------------------------------------------------------------------------------------

/// Drugs with recorded uses beyond their class's area (aspirin relieves pain and fever too), so an
/// indication of another area could be true for them.
const MULTI_USE: [&str; 2] = ["aspirin", "magnesium sulfate"];

fn is_corticosteroid(kb: &KnowledgeBase, drug: &str) -> bool {
    kb.class_of(MEDS, drug)
        .is_some_and(|class| class.contains("corticosteroid"))
}

fn usable_indications<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<&'a Fact> {
    plain(kb, MEDS, drug, "indication")
        .into_iter()
        .filter(|fact| short(fact.text()).chars().count() <= 55)
        .collect()
}

/// "A client is prescribed X. Which condition is it used to treat?" — key: one of X's indications;
/// distractors: indications of drugs from other therapeutic areas sharing no content word with any
/// of X's indications.
const MED_INDICATION: ModelSpec = ModelSpec {
    id: "med-indication-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Asks which condition a prescribed drug is used to treat. Key: one unconditional `indication` of the drug (parenthetical qualifiers moved to the rationale). Distractors: indications of drugs from a different therapeutic area (cardiovascular, endocrine, respiratory, neuro-psych, anti-infective, ...) that the drug does not state and that share no content word with any of its recorded indications (conditioned ones included). Corticosteroids and multi-use drugs such as aspirin are left out because many indications are true for them.",
    cases: Cases::From(med_indication_cases),
    seeding: Seeding::Seed,
    generate: med_indication,
};

fn med_indication_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        if MULTI_USE.contains(&drug.as_str()) || is_corticosteroid(kb, drug) {
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
    let all_own = all_of(kb, MEDS, drug, &["indication"]);
    let my_area = drug_area(kb, drug)?;
    let mut seen = BTreeSet::new();
    let pool: Vec<&Fact> = kb
        .with_attribute(MEDS, "indication")
        .into_iter()
        .filter(|fact| fact.subject != drug && fact.condition.trim().is_empty())
        .filter(|fact| {
            !MULTI_USE.contains(&fact.subject.as_str()) && !is_corticosteroid(kb, &fact.subject)
        })
        .filter(|fact| drug_area(kb, &fact.subject).is_some_and(|other| other != my_area))
        .filter(|fact| {
            !kb.states_fact(MEDS, drug, "indication", fact) && !fact.shares_word_with_any(&all_own)
        })
        .filter(|fact| short(fact.text()).chars().count() <= 55)
        .filter(|fact| seen.insert(normalise(&short(fact.text()))))
        .collect();
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 3
        || chosen
            .iter()
            .any(|a| chosen.iter().any(|b| a.id != b.id && a.shares_word(b)))
    {
        return None;
    }
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
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} is an indication for {} ({}), not a recorded use of {drug}.",
                    sentence(fact.text()),
                    fact.subject,
                    class_text(kb, &fact.subject)
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is {}; knowing why a drug is prescribed lets the nurse judge whether it is working and whether the order fits the client.",
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
    description: "Asks which assessment finding should make the nurse withhold a scheduled dose. Key: a value just past one of the drug's structured `hold_if` thresholds (measure, op, threshold; e.g. apical pulse 56/min for 'below 60/min'), with units. Distractors: a value of the same measure inside its normal range and normal values of two other measures (blood pressure, pulse, respiratory rate, urine output, potassium, glucose, platelets), all on the safe side of every threshold the drug has. Only adult hold facts whose condition the stem can state are used; disputed thresholds (opioid respiratory rate) are excluded.",
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
    let others: Vec<usize> = (0..MEASURES.len())
        .filter(|&index| index != hold.measure)
        .collect();
    for index in rng.sample(&others, 2) {
        let shown = show_measure(index, normal_measure(index, &mut rng));
        distractors.push(Opt::new(
            shown.clone(),
            format!(
                "{shown} is a normal finding that is not a reason to withhold {}.",
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

/// The findings of a hold item: (measure, value, is past a threshold, the hold fact when it is).
fn hold_findings<'a>(
    holds: &'a [Hold<'a>],
    rng: &mut Rng,
    total: usize,
) -> Option<Vec<(usize, f64, Option<&'a Hold<'a>>)>> {
    let key_count = 1 + rng.below(holds.len().min(2));
    let mut keyed: Vec<&Hold> = Vec::new();
    for hold in rng.sample(&holds.iter().collect::<Vec<_>>(), holds.len()) {
        if keyed.len() < key_count && keyed.iter().all(|other| other.measure != hold.measure) {
            keyed.push(hold);
        }
    }
    let mut findings = Vec::new();
    for hold in &keyed {
        findings.push((hold.measure, past_threshold(hold, rng)?, Some(*hold)));
    }
    let free: Vec<usize> = (0..MEASURES.len())
        .filter(|index| keyed.iter().all(|hold| hold.measure != *index))
        .collect();
    for index in rng.sample(&free, total.saturating_sub(findings.len())) {
        findings.push((index, normal_measure(index, rng), None));
    }
    findings.sort_by_key(|finding| finding.0);
    Some(findings)
}

/// Matrix: for each finding, is it a reason to withhold X or not?
const HOLD_PARAMETER_MATRIX: ModelSpec = ModelSpec {
    id: "med-hold-parameter-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Matrix of 4–5 assessment findings for a client due a drug: for each, is it a reason to withhold the dose or not? Reason rows are values just past one or two of the drug's structured `hold_if` thresholds; the other rows are normal values of other measures, safe for every threshold the drug has. Same fact rules as med-hold-parameter-mc.",
    cases: Cases::From(hold_parameter_matrix_cases),
    seeding: Seeding::Seed,
    generate: hold_parameter_matrix,
};

fn hold_parameter_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    hold_cases(kb, |_| 6)
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
    let findings = hold_findings(&holds, &mut rng, total)?;
    let rows: Vec<MatrixRow> = findings
        .iter()
        .map(|(index, value, hold)| {
            let shown = show_measure(*index, *value);
            match hold {
                Some(hold) => MatrixRow {
                    text: shown.clone(),
                    column: 0,
                    rationale: format!("{shown} is past the hold parameter. {}", hold_rule(hold)),
                    facts: vec![hold.fact.id.clone()],
                },
                None => MatrixRow {
                    text: shown.clone(),
                    column: 1,
                    rationale: format!(
                        "{shown} is within the expected range and is not a hold parameter for {}.",
                        drug_in_text(drug)
                    ),
                    facts: vec![holds[0].fact.id.clone()],
                },
            }
        })
        .collect();
    let stem = format!(
        "The nurse reviews an adult client's data before giving {}.{} For each finding, indicate whether it is a reason to withhold the dose.",
        drug_in_text(drug),
        hold_sentence(&holds)
    );
    let rules: Vec<String> = holds.iter().map(hold_rule).collect();
    let rationale = format!(
        "{} Findings within expected ranges do not change the plan to give the dose.",
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
    description: "A nurse's pre-administration note lists six findings (vital signs and laboratory values); the student highlights those that require withholding the drug. Keys: values just past one or two of the drug's structured `hold_if` thresholds. Other segments: normal values of other measures, safe for every threshold the drug has.",
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
    let findings = hold_findings(&holds, &mut rng, 6)?;
    let segments: Vec<(bool, Opt)> = findings
        .iter()
        .map(|(index, value, hold)| {
            let shown = format!("{}.", show_measure(*index, *value));
            match hold {
                Some(hold) => (true, Opt::new(shown.clone(), format!("{shown} This is past the hold parameter. {}", hold_rule(hold)), &[hold.fact])),
                None => (false, Opt::new(shown.clone(), format!("{shown} This is within the expected range and is not a hold parameter for {}.", drug_in_text(drug)), &[holds[0].fact])),
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
    let toxic = kb
        .value(MEDS, drug, "toxic_level")
        .and_then(|fact| match &fact.value {
            Value::Range { low: Some(low), .. } => Some((fact, *low)),
            _ => None,
        });
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
    description: "Evaluates a drug level against the drug's undisputed `therapeutic_range` (and `toxic_level`). Variant 0: which level is therapeutic (key inside the range by at least 10% of its width; distractors clearly below and clearly above). Variant 1: which level is toxic (key above the toxic level; distractors therapeutic or subtherapeutic, never between the range and the toxic level). Variant 2 (warfarin): which INR requires holding the dose (key above the 2.0–3.0 target; distractors inside it or low). The stem states the range's condition (maintenance trough, total phenytoin, atrial fibrillation).",
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
                        "is above the toxic level for {name} ({}).{}",
                        toxic_fact.value.display(),
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
            .map(|(fact, _)| format!(" Levels of {} are toxic.", fact.value.display()))
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

// ---------------------------------------------------------------------------------------------
// Medications: teaching
// ---------------------------------------------------------------------------------------------

/// Teaching phrases common to many drugs, which would not point to one medication.
const GENERIC_TEACHING: [&str; 36] = [
    "alcohol",
    "slowly",
    "abruptly",
    "do not stop",
    "driving",
    "grapefruit",
    "sun",
    "bleeding",
    "bruising",
    "medical alert",
    "food",
    "meal",
    "fluid",
    "dizziness",
    "infection",
    "full course",
    "rotate",
    "glucose",
    "chest pain",
    "palpitation",
    "weigh",
    "diet",
    "hypoglycemia",
    "mood",
    "taper",
    "rash",
    "jaundice",
    "yellow",
    "dark urine",
    "sore throat",
    "fever",
    "abdominal pain",
    "iv site",
    "salt",
    "potassium",
    "constipation",
];

fn distinctive_teaching<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<&'a Fact> {
    let class = kb.class_of(MEDS, drug);
    plain(kb, MEDS, drug, "teaching")
        .into_iter()
        .filter(|fact| {
            let text = fact.norm();
            !GENERIC_TEACHING.iter().any(|word| text.contains(word))
                && !text.contains(drug)
                && fact.text().chars().count() <= 70
        })
        .filter(|fact| {
            kb.with_attribute(MEDS, "teaching")
                .into_iter()
                .filter(|other| other.norm() == fact.norm())
                .all(|other| kb.class_of(MEDS, &other.subject) == class)
        })
        .collect()
}

/// "The nurse teaches: '...'. Which medication was prescribed?" — key: the drug whose class alone
/// carries this teaching; distractors: drugs of other therapeutic areas.
const TEACHING_MATCH: ModelSpec = ModelSpec {
    id: "med-teaching-match-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::HealthPromotionMaintenance,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 8),
    qsen: Qsen::PatientCenteredCare,
    difficulty: Difficulty::Intermediate,
    description: "Quotes a medication-teaching instruction and asks which newly prescribed drug it belongs to. Keys: `teaching` facts stated only by drugs of one class and free of generic advice (alcohol, rising slowly, not stopping abruptly, food, sun, bleeding, ...). Distractors: drugs from other therapeutic areas none of whose teaching, administration or adverse-effect facts share a content word with the instruction.",
    cases: Cases::From(teaching_match_cases),
    seeding: Seeding::Seed,
    generate: teaching_match,
};

fn teaching_match_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for drug in kb.subjects(MEDS) {
        for index in 0..distinctive_teaching(kb, drug).len() {
            cases.push(Case::new(drug, MEDS, index as u32));
        }
    }
    cases
}

fn teaching_match(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let teaching = *distinctive_teaching(kb, drug).get(case.variant as usize)?;
    let my_area = drug_area(kb, drug)?;
    let pool: Vec<&String> = kb
        .subjects(MEDS)
        .iter()
        .filter(|other| drug_area(kb, other).is_some_and(|a| a != my_area))
        .filter(|other| {
            !teaching.shares_word_with_any(&all_of(
                kb,
                MEDS,
                other,
                &[
                    "teaching",
                    "administration",
                    "adverse_effect",
                    "serious_adverse_effect",
                    "monitor",
                ],
            ))
        })
        .collect();
    let chosen = rng.sample_exactly(&pool, 3)?;
    let key = Opt::new(
        drug_label(drug),
        format!(
            "\"{}\" is teaching for {drug} ({}).{}",
            sentence(teaching.text()),
            class_text(kb, drug),
            cite_note(teaching)
        ),
        &[teaching],
    );
    let distractors = chosen
        .iter()
        .map(|other| {
            let facts = plain(kb, MEDS, other, "teaching");
            let example = facts
                .first()
                .map(|fact| format!(" Its teaching includes: {}.", fact.text()))
                .unwrap_or_default();
            Opt::new(
                drug_label(other),
                format!(
                    "{} ({}): this instruction is not part of its teaching.{example}",
                    drug_label(other),
                    class_text(kb, other)
                ),
                &facts.iter().take(1).copied().collect::<Vec<_>>(),
            )
        })
        .collect();
    let stem = format!(
        "The nurse is teaching a client about a newly prescribed medication and includes this instruction: \"{}.\" Which medication was most likely prescribed?",
        sentence(teaching.text())
    );
    let rationale = format!(
        "The instruction is specific to {drug} ({}); matching teaching to the drug helps the nurse confirm the client understands the right precautions.",
        class_text(kb, drug)
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

// ---------------------------------------------------------------------------------------------
// Laboratory values
// ---------------------------------------------------------------------------------------------

/// The in-sentence name of a lab test.
fn lab_name(subject: &str) -> String {
    let names: [(&str, &str); 24] = [
        ("arterial ph", "arterial pH"),
        ("paco2", "PaCO2"),
        ("arterial bicarbonate", "arterial HCO3"),
        ("pao2", "PaO2"),
        ("sao2", "SaO2"),
        ("potassium", "serum potassium"),
        ("sodium", "serum sodium"),
        ("chloride", "serum chloride"),
        ("total calcium", "total serum calcium"),
        ("magnesium", "serum magnesium"),
        ("phosphorus", "serum phosphorus"),
        ("hemoglobin a1c", "hemoglobin A1C"),
        ("thyroid-stimulating hormone", "TSH"),
        ("free t4", "free T4"),
        ("albumin", "serum albumin"),
        ("alanine aminotransferase", "ALT"),
        ("aspartate aminotransferase", "AST"),
        ("ammonia", "serum ammonia"),
        ("c-reactive protein", "C-reactive protein"),
        ("b-type natriuretic peptide", "BNP"),
        ("prothrombin time", "PT"),
        ("inr", "INR"),
        ("activated partial thromboplastin time", "aPTT"),
        ("urine ph", "urine pH"),
    ];
    names.iter().find(|(name, _)| *name == subject).map_or_else(
        || match subject {
            "blood urea nitrogen" => "BUN".to_owned(),
            "creatinine" => "serum creatinine".to_owned(),
            "d-dimer" => "D-dimer".to_owned(),
            other => other.to_owned(),
        },
        |(_, shown)| (*shown).to_owned(),
    )
}

fn lab_label(subject: &str) -> String {
    let name = lab_name(subject);
    if name.starts_with('a') && name.chars().nth(1).is_some_and(char::is_uppercase) {
        name
    } else {
        sentence(&name)
    }
}

/// An adult reference range that applies without a condition.
/// Bounds on generated abnormal results for tests whose reference range is wide next to what a
/// body produces, so "clearly abnormal" never becomes impossible (a urine pH of 9.9, a specific
/// gravity below 1.000). These are generation limits, not facts taught in any item: the clearly
/// abnormal draw reaches up to 80 % of the range's width past its limit, which for these two
/// tests leaves the plausible span. Set by hand after review, not taken from a reference.
const PHYSIOLOGIC_LIMITS: [(&str, f64, f64); 2] = [
    ("urine ph", 4.5, 9.0),
    ("urine specific gravity", 1.001, 1.040),
];

struct LabRef<'a> {
    subject: &'a str,
    fact: &'a Fact,
    low: Option<f64>,
    high: Option<f64>,
    units: String,
    decimals: usize,
}

impl LabRef<'_> {
    fn show(&self, value: f64) -> String {
        format!(
            "{} {}",
            lab_label(self.subject),
            with_units(&fixed(value, self.decimals), &self.units)
        )
    }
    fn range(&self) -> String {
        self.fact.value.display()
    }
    fn width(&self) -> Option<f64> {
        Some(self.high? - self.low.unwrap_or(0.0))
    }
    fn inside(&self, value: f64) -> bool {
        self.low.is_none_or(|low| value > low) && self.high.is_none_or(|high| value < high)
    }
    /// A value well inside the range.
    fn normal(&self, rng: &mut Rng) -> Option<f64> {
        let low = self.low.unwrap_or(0.0);
        let width = self.width()?;
        let step = 10f64.powi(-(self.decimals as i32));
        let value = round_to(
            draw(rng, low + width * 0.2, low + width * 0.8, step),
            self.decimals,
        );
        (self.inside(value) && value > 0.0).then_some(value)
    }
    /// A value clearly (or, with `mild`, slightly) outside the range in one direction.
    fn abnormal(&self, rng: &mut Rng, high: bool, mild: bool) -> Option<f64> {
        let step = 10f64.powi(-(self.decimals as i32));
        let width = self.width()?;
        let two_sided = self.low.is_some_and(|low| low > 0.0);
        let value = if high {
            let top = self.high?;
            if two_sided {
                let (a, b) = if mild { (0.08, 0.2) } else { (0.25, 0.8) };
                draw(rng, top + width * a, top + width * b, step)
            } else {
                let (a, b) = if mild { (1.06, 1.15) } else { (1.25, 1.8) };
                draw(rng, top * a, top * b, step)
            }
        } else {
            let bottom = self.low.filter(|low| *low > 0.0)?;
            let (a, b) = if mild { (0.08, 0.2) } else { (0.25, 0.8) };
            let cap = if mild { bottom * 0.1 } else { bottom * 0.5 };
            bottom - draw(rng, (width * a).min(cap), (width * b).min(cap), step)
        };
        let value = match PHYSIOLOGIC_LIMITS
            .iter()
            .find(|(subject, _, _)| *subject == self.subject)
        {
            Some((_, least, most)) => value.clamp(*least, *most),
            None => value,
        };
        let value = round_to(value, self.decimals);
        let outside = if high {
            self.high.is_some_and(|top| value > top)
        } else {
            self.low.is_some_and(|bottom| value < bottom)
        };
        (outside && value > 0.0).then_some(value)
    }
}

fn lab_refs(kb: &KnowledgeBase) -> Vec<LabRef<'_>> {
    kb.subjects(LABS)
        .iter()
        .filter_map(|subject| {
            let facts: Vec<&Fact> = kb.values(LABS, subject, "reference_range");
            if facts.len() != 1
                || kb
                    .about(LABS, subject)
                    .any(|fact| fact.attribute == "reference_range" && fact.disputed)
            {
                return None;
            }
            let fact = facts[0];
            if !fact.condition.trim().is_empty() || fact.population != Population::Adult {
                return None;
            }
            let Value::Range { low, high, units } = &fact.value else {
                return None;
            };
            high.as_ref()?;
            let decimals = low.map_or(0, decimals_of).max(high.map_or(0, decimals_of));
            Some(LabRef {
                subject,
                fact,
                low: *low,
                high: *high,
                units: units.clone(),
                decimals,
            })
        })
        .collect()
}

/// Whether the knowledge base explains a value of this lab in this direction (a cause or a sign).
fn lab_direction_ok(kb: &KnowledgeBase, lab: &LabRef, high: bool) -> bool {
    let (cause, sign) = if high {
        ("high_cause", "high_sign")
    } else {
        ("low_cause", "low_sign")
    };
    let explained = !kb.values(LABS, lab.subject, cause).is_empty()
        || !kb.values(LABS, lab.subject, sign).is_empty();
    explained
        && if high {
            lab.high.is_some()
        } else {
            lab.low.is_some_and(|low| low > 0.0)
        }
}

fn direction_word(high: bool) -> &'static str {
    if high { "above" } else { "below" }
}

fn lab_explanation<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    high: bool,
) -> (String, Vec<&'a Fact>) {
    let (cause, sign) = if high {
        ("high_cause", "high_sign")
    } else {
        ("low_cause", "low_sign")
    };
    let causes = plain(kb, LABS, subject, cause);
    let signs = plain(kb, LABS, subject, sign);
    let mut text = String::new();
    if !causes.is_empty() {
        let list: Vec<&str> = causes.iter().take(2).map(|fact| fact.text()).collect();
        text.push_str(&format!(" Causes include {}.", list.join(" and ")));
    }
    if let Some(sign) = signs.first() {
        text.push_str(&format!(" Watch for {}.", sign.text()));
    }
    (text, causes.into_iter().chain(signs).take(3).collect())
}

/// "Which result should the nurse report?" — one result outside its reference range among normals.
const LAB_ABNORMAL: ModelSpec = ModelSpec {
    id: "lab-abnormal-result-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Shows four adult laboratory results and asks which one is outside its reference range and needs follow-up. Key: a value generated clearly above or below an undisputed, unconditional `reference_range` (25–80% of the range width beyond it, or 25–80% above a one-sided upper limit), only in a direction the knowledge base explains with a cause or sign. Distractors: results of three other tests generated 20–80% of the way through their own ranges. Units are shown; ranges that are disputed or differ by sex are not used.",
    cases: Cases::From(lab_abnormal_cases),
    seeding: Seeding::Seed,
    generate: lab_abnormal,
};

fn lab_abnormal_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for lab in lab_refs(kb) {
        for (variant, high) in [(0, false), (1, true)] {
            if lab_direction_ok(kb, &lab, high) {
                cases.push(Case::new(lab.subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_abnormal(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let refs = lab_refs(kb);
    let lab = refs.iter().find(|lab| lab.subject == case.subject)?;
    let high = case.variant == 1;
    let value = lab.abnormal(&mut rng, high, false)?;
    let (why, facts) = lab_explanation(kb, lab.subject, high);
    let mut key_facts = vec![lab.fact];
    key_facts.extend(facts);
    let key = Opt::new(
        lab.show(value),
        format!(
            "{} is {} the reference range ({}).{why}",
            lab.show(value),
            direction_word(high),
            lab.range()
        ),
        &key_facts,
    );
    let others: Vec<&LabRef> = refs
        .iter()
        .filter(|other| other.subject != lab.subject)
        .collect();
    let mut distractors = Vec::new();
    for other in rng.sample(&others, 3) {
        let normal = other.normal(&mut rng)?;
        distractors.push(Opt::new(
            other.show(normal),
            format!(
                "{} is within the reference range ({}).",
                other.show(normal),
                other.range()
            ),
            &[other.fact],
        ));
    }
    let frames = [
        "The nurse reviews the morning laboratory results of an adult client. Which result is outside the reference range and needs follow-up?",
        "Which laboratory result for an adult client should the nurse recognize as abnormal and report to the provider?",
    ];
    let stem = frames[rng.below(frames.len())].to_owned();
    let rationale = format!(
        "The reference range for {} is {}; a value {} it needs follow-up, while the other results are within their ranges.",
        lab_name(lab.subject),
        lab.range(),
        direction_word(high)
    );
    let meta = meta.about(lab.subject);
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

/// Matrix: classify each result as below, within or above its reference range.
const LAB_STATUS_MATRIX: ModelSpec = ModelSpec {
    id: "lab-result-status-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Informatics,
    difficulty: Difficulty::Beginner,
    description: "Matrix of 4–5 adult laboratory results: for each, is it below, within or above the reference range? Values are generated from undisputed, unconditional `reference_range` facts: abnormal ones 25–80% of the range width beyond it (only in directions the knowledge base explains), normal ones 20–80% of the way through the range. The case's test has a fixed status; the others are drawn with the seed.",
    cases: Cases::From(lab_status_matrix_cases),
    seeding: Seeding::Seed,
    generate: lab_status_matrix,
};

fn lab_status_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for lab in lab_refs(kb) {
        for variant in 0..3u32 {
            let ok = match variant {
                0 => lab_direction_ok(kb, &lab, false),
                1 => true,
                _ => lab_direction_ok(kb, &lab, true),
            };
            if ok {
                cases.push(Case::new(lab.subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_status_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let refs = lab_refs(kb);
    let anchor = refs.iter().find(|lab| lab.subject == case.subject)?;
    let others: Vec<&LabRef> = refs
        .iter()
        .filter(|other| other.subject != anchor.subject)
        .collect();
    let count = 3 + rng.below(2);
    let mut chosen = vec![(anchor, case.variant as usize)];
    for other in rng.sample(&others, count) {
        let mut statuses = vec![1];
        if lab_direction_ok(kb, other, false) {
            statuses.push(0);
        }
        if lab_direction_ok(kb, other, true) {
            statuses.push(2);
        }
        chosen.push((other, statuses[rng.below(statuses.len())]));
    }
    let mut rows = Vec::new();
    for (lab, status) in chosen {
        let value = match status {
            0 => lab.abnormal(&mut rng, false, false)?,
            1 => lab.normal(&mut rng)?,
            _ => lab.abnormal(&mut rng, true, false)?,
        };
        let (why, facts) = if status == 1 {
            (String::new(), vec![])
        } else {
            lab_explanation(kb, lab.subject, status == 2)
        };
        let place = ["below", "within", "above"][status];
        let mut ids = vec![lab.fact.id.clone()];
        ids.extend(facts.iter().map(|fact| fact.id.clone()));
        rows.push(MatrixRow {
            text: lab.show(value),
            column: status,
            rationale: format!(
                "{} is {place} the reference range ({}).{why}",
                lab.show(value),
                lab.range()
            ),
            facts: ids,
        });
    }
    let stem = "The nurse reviews an adult client's laboratory results. For each result, indicate whether it is below, within or above the reference range.".to_owned();
    let rationale = "Comparing each result with its adult reference range is the first step in recognizing which values need follow-up.".to_owned();
    let meta = meta.about(anchor.subject);
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &[
            "Below reference range",
            "Within reference range",
            "Above reference range",
        ],
        rows,
        rationale,
    ))
}

/// Labs whose critical values are immediately dangerous (chosen keys for the priority item).
const CRITICAL_KEYS: [&str; 12] = [
    "arterial ph",
    "paco2",
    "arterial bicarbonate",
    "pao2",
    "potassium",
    "sodium",
    "total calcium",
    "hemoglobin",
    "platelet count",
    "activated partial thromboplastin time",
    "white blood cell count",
    "hematocrit",
];

struct Critical<'a> {
    fact: &'a Fact,
    high: bool,
    threshold: f64,
    gap: f64,
    decimals: usize,
    units: String,
}

fn critical<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Option<Critical<'a>> {
    let fact = plain(
        kb,
        LABS,
        subject,
        if high {
            "critical_high"
        } else {
            "critical_low"
        },
    )
    .into_iter()
    .next()?;
    let threshold = fact.threshold?;
    let Value::Range { units, .. } = &fact.value else {
        return None;
    };
    let refs: Vec<(Option<f64>, Option<f64>)> = kb
        .about(LABS, subject)
        .filter(|other| other.attribute == "reference_range")
        .filter_map(|other| match &other.value {
            Value::Range { low, high, .. } => Some((*low, *high)),
            _ => None,
        })
        .collect();
    let bound = if high {
        refs.iter().filter_map(|r| r.1).fold(f64::MIN, f64::max)
    } else {
        refs.iter().filter_map(|r| r.0).fold(f64::MAX, f64::min)
    };
    if !bound.is_finite() || bound == f64::MIN || bound == f64::MAX {
        return None;
    }
    let gap = (threshold - bound).abs();
    let decimals = decimals_of(threshold).max(
        refs.iter()
            .flat_map(|r| [r.0, r.1])
            .flatten()
            .map(decimals_of)
            .max()
            .unwrap_or(0),
    );
    Some(Critical {
        fact,
        high,
        threshold,
        gap,
        decimals,
        units: units.clone(),
    })
}

/// "Which result should the nurse report first?" — one critical value among mildly abnormal ones.
const LAB_CRITICAL_PRIORITY: ModelSpec = ModelSpec {
    id: "lab-critical-priority-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which of four adult laboratory results the nurse reports to the provider first. Key: a value beyond an undisputed `critical_low`/`critical_high` threshold (10–50% of the gap between the reference limit and the critical value past it) of an immediately dangerous test (blood gases, potassium, sodium, calcium, hemoglobin, platelets, aPTT, WBC, hematocrit). Distractors: results of other tests (not blood gases) generated slightly outside their undisputed reference ranges (8–20% of the width) and less than halfway to any critical value they have.",
    cases: Cases::From(lab_critical_priority_cases),
    seeding: Seeding::Seed,
    generate: lab_critical_priority,
};

fn lab_critical_priority_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in CRITICAL_KEYS {
        for (variant, high) in [(0, false), (1, true)] {
            if critical(kb, subject, high).is_some() {
                cases.push(Case::new(subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_critical_priority(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let crit = critical(kb, &case.subject, case.variant == 1)?;
    let step = 10f64.powi(-(crit.decimals as i32));
    let span = draw(&mut rng, 0.1, 0.5, 0.05) * crit.gap;
    let value = if crit.high {
        crit.threshold + span.min(crit.threshold * 0.25)
    } else {
        crit.threshold - span.min(crit.threshold * 0.2)
    };
    let value = round_to(value, crit.decimals);
    let beyond = if crit.high {
        value > crit.threshold
    } else {
        value < crit.threshold
    };
    if !beyond || value <= 0.0 || step <= 0.0 {
        return None;
    }
    let shown = format!(
        "{} {}",
        lab_label(&case.subject),
        with_units(&fixed(value, crit.decimals), &crit.units)
    );
    let op = if crit.high { "above" } else { "below" };
    let key = Opt::new(
        shown.clone(),
        format!(
            "{shown} is {op} the critical value of {}: a life-threatening result the nurse reports at once.{}",
            with_units(&fixed(crit.threshold, crit.decimals), &crit.units),
            cite_note(crit.fact)
        ),
        &[crit.fact],
    );
    let refs = lab_refs(kb);
    let gases = [
        "arterial ph",
        "paco2",
        "arterial bicarbonate",
        "pao2",
        "sao2",
    ];
    let pool: Vec<&LabRef> = refs
        .iter()
        .filter(|lab| lab.subject != case.subject && !gases.contains(&lab.subject))
        .collect();
    let mut distractors = Vec::new();
    for lab in rng.sample(&pool, pool.len()) {
        if distractors.len() == 3 {
            break;
        }
        let mut directions = vec![];
        for high in [false, true] {
            if lab_direction_ok(kb, lab, high) {
                directions.push(high);
            }
        }
        let Some(&high) = rng.pick(&directions) else {
            continue;
        };
        let Some(mild) = lab.abnormal(&mut rng, high, true) else {
            continue;
        };
        if let Some(other) = critical(kb, lab.subject, high) {
            let bound = if high { lab.high } else { lab.low };
            let Some(bound) = bound else { continue };
            if (mild - bound).abs() >= (other.threshold - bound).abs() / 2.0 {
                continue;
            }
        }
        distractors.push(Opt::new(
            lab.show(mild),
            format!("{} is slightly {} the reference range ({}) but not at a critical level; it is reported after the critical value.", lab.show(mild), direction_word(high), lab.range()),
            &[lab.fact],
        ));
    }
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The nurse reviews new laboratory results for four adult clients. Which result should the nurse report to the provider first?",
        "Which laboratory result requires the nurse's immediate notification of the provider?",
    ];
    let stem = frames[rng.below(frames.len())].to_owned();
    let rationale = format!(
        "A critical value is reported at once because it signals a life-threatening state; {} {op} {} is critical, while the other results are only slightly outside their ranges.",
        lab_name(&case.subject),
        with_units(&fixed(crit.threshold, crit.decimals), &crit.units)
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

/// The fluids-and-electrolytes imbalance that matches a lab's low or high value.
fn imbalance_of(subject: &str, high: bool) -> Option<&'static str> {
    let pairs: [(&str, &str, &str); 5] = [
        ("potassium", "hypokalemia", "hyperkalemia"),
        ("sodium", "hyponatremia", "hypernatremia"),
        ("total calcium", "hypocalcemia", "hypercalcemia"),
        ("magnesium", "hypomagnesemia", "hypermagnesemia"),
        ("phosphorus", "hypophosphatemia", "hyperphosphatemia"),
    ];
    pairs
        .iter()
        .find(|pair| pair.0 == subject)
        .map(|pair| if high { pair.2 } else { pair.1 })
}

/// Causes that are poor distractors in any direction (they cause many abnormalities).
const BROAD_CAUSES: [&str; 2] = ["malignancy", "leukemia"];

/// Causes of a lab value in one direction, from the lab and its matching imbalance, without repeats.
fn lab_causes<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Vec<&'a Fact> {
    let mut causes = plain(
        kb,
        LABS,
        subject,
        if high { "high_cause" } else { "low_cause" },
    );
    if let Some(imbalance) = imbalance_of(subject, high) {
        causes.extend(plain(kb, FE, imbalance, "cause"));
    }
    let mut kept: Vec<&Fact> = Vec::new();
    for cause in causes {
        if kept
            .iter()
            .all(|other| !other.shares_word(cause) && other.norm() != cause.norm())
        {
            kept.push(cause);
        }
    }
    kept
}

/// Opposite-direction causes safe as distractors: none shares a content word with a true cause.
fn wrong_way_causes<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Vec<&'a Fact> {
    let right = lab_causes(kb, subject, high);
    lab_causes(kb, subject, !high)
        .into_iter()
        .filter(|fact| {
            !fact.shares_word_with_any(&right)
                && !BROAD_CAUSES.iter().any(|word| fact.norm().contains(word))
        })
        .collect()
}

fn changed(high: bool) -> &'static str {
    if high { "elevated" } else { "decreased" }
}

/// "an elevated" / "a decreased".
fn a_changed(high: bool) -> &'static str {
    if high { "an elevated" } else { "a decreased" }
}

/// "A client's X is elevated. Which condition could explain it?" — wrong-direction distractors.
const LAB_CAUSE_CHOICE: ModelSpec = ModelSpec {
    id: "lab-cause-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "States that a laboratory value is elevated or decreased and asks which condition in the history could explain it. Key: a `high_cause`/`low_cause` of the test (merged with the `cause` facts of the matching electrolyte imbalance). Distractors: causes of the opposite direction for the same test (the wrong-direction misconception), excluding any that shares a content word with a true cause and broad causes such as malignancy. No numbers are shown, so disputed ranges do not matter.",
    cases: Cases::From(lab_cause_choice_cases),
    seeding: Seeding::Seed,
    generate: lab_cause_choice,
};

fn lab_cause_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in kb.subjects(LABS) {
        for high in [false, true] {
            if wrong_way_causes(kb, subject, high).len() < 3 {
                continue;
            }
            for index in 0..lab_causes(kb, subject, high).len() {
                cases.push(Case::new(subject, LABS, index as u32 * 2 + u32::from(high)));
            }
        }
    }
    cases
}

fn lab_cause_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let subject = case.subject.as_str();
    let high = case.variant % 2 == 1;
    let key = *lab_causes(kb, subject, high).get(case.variant as usize / 2)?;
    let chosen = rng.sample_exactly(&wrong_way_causes(kb, subject, high), 3)?;
    let name = lab_name(subject);
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} can cause {} {name}.{}",
            sentence(key.text()),
            a_changed(high),
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
                    "{} causes {} {name}, the opposite direction.",
                    sentence(fact.text()),
                    a_changed(!high)
                ),
                &[*fact],
            )
        })
        .collect();
    let frames = [
        format!(
            "A client's {name} is {} on today's laboratory report. Which condition in the client's history could explain this result?",
            changed(high)
        ),
        format!(
            "The nurse notes that a client's {name} is {}. Which condition is the most likely cause?",
            changed(high)
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let rationale = format!(
        "Linking an abnormal {name} to a cause that moves it in the same direction guides the nurse's next assessments; the other conditions push it the other way."
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

/// "Which conditions can cause an elevated X? Select all that apply."
const LAB_CAUSE_SATA: ModelSpec = ModelSpec {
    id: "lab-cause-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "Asks which conditions can cause an elevated (or decreased) laboratory value. Keys: 2–3 causes in that direction (the test's `high_cause`/`low_cause` merged with the matching imbalance's `cause`). Distractors: 2–3 causes of the opposite direction for the same test that share no content word with a true cause; broad causes such as malignancy are never distractors.",
    cases: Cases::From(lab_cause_sata_cases),
    seeding: Seeding::Seed,
    generate: lab_cause_sata,
};

fn lab_cause_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in kb.subjects(LABS) {
        for high in [false, true] {
            if lab_causes(kb, subject, high).len() >= 2
                && wrong_way_causes(kb, subject, high).len() >= 2
            {
                for variant in 0..4u32 {
                    cases.push(Case::new(subject, LABS, variant * 2 + u32::from(high)));
                }
            }
        }
    }
    cases
}

fn lab_cause_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let subject = case.subject.as_str();
    let high = case.variant % 2 == 1;
    let right = lab_causes(kb, subject, high);
    let wrong = wrong_way_causes(kb, subject, high);
    let key_count = (2 + rng.below(2)).min(right.len());
    let wrong_count = (5 - key_count).min(wrong.len());
    if key_count < 2 || wrong_count < 2 {
        return None;
    }
    let name = lab_name(subject);
    let keys = rng
        .sample(&right, key_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} can cause {} {name}.{}",
                    sentence(fact.text()),
                    a_changed(high),
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
                    "{} causes {} {name}, not {} one.",
                    sentence(fact.text()),
                    a_changed(!high),
                    a_changed(high)
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "The nurse is reviewing a client's history to explain {} {name}. Which conditions can cause this finding? Select all that apply.",
        a_changed(high)
    );
    let rationale = format!(
        "Each selected condition moves the {name} in the {} direction; the others move it the opposite way.",
        if high { "upward" } else { "downward" }
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

// ---------------------------------------------------------------------------------------------
// Fluids and electrolytes
// ---------------------------------------------------------------------------------------------

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
                    "{} is a cause of {other}, not {imbalance}.",
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

/// Overlap test for treatments, ignoring the electrolyte names both directions mention.
fn treatment_overlap(a: &str, b: &str) -> bool {
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
    let strip = |text: &str| -> BTreeSet<String> {
        content_words(text)
            .into_iter()
            .filter(|word| !IONS.contains(&word.as_str()))
            .collect()
    };
    !strip(a).is_disjoint(&strip(b))
}

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
                    .any(|mine| treatment_overlap(mine.text(), fact.text()))
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
                    "{} treats {}; it is not a treatment for {imbalance}.",
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
        .filter(|fact| !treatment_overlap(fact.text(), key.text()))
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

/// Subsets (size ≥ 3, in the recorded order) of an ordered list.
fn ordered_subsets(len: usize, min: usize, allowed: impl Fn(u32) -> bool) -> Vec<u32> {
    (0u32..(1u32 << len.min(16)))
        .filter(|mask| mask.count_ones() as usize >= min && allowed(*mask))
        .collect()
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

// ---------------------------------------------------------------------------------------------
// IV solutions
// ---------------------------------------------------------------------------------------------

fn solution_label(subject: &str) -> String {
    match subject {
        "lactated ringer's" => "Lactated Ringer's".to_owned(),
        "d5w" => "D5W".to_owned(),
        "d5 0.45% sodium chloride" => "D5 0.45% sodium chloride".to_owned(),
        other => other.to_owned(),
    }
}

/// Solutions with an undisputed tonicity (D5W's is disputed and is left out).
fn tonicities(kb: &KnowledgeBase) -> Vec<(&str, &Fact)> {
    kb.subjects(FE)
        .iter()
        .filter_map(|subject| Some((subject.as_str(), kb.value(FE, subject, "tonicity")?)))
        .collect()
}

const TONICITY: [&str; 3] = ["isotonic", "hypotonic", "hypertonic"];

/// Matrix: classify IV solutions as isotonic, hypotonic or hypertonic.
const TONICITY_MATRIX: ModelSpec = ModelSpec {
    id: "iv-tonicity-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Matrix: classify 3–6 IV solutions as isotonic, hypotonic or hypertonic as supplied in the bag. Rows: solutions with an undisputed `tonicity` fact (D5W, whose in-body tonicity is disputed, is excluded). Cases are every subset of solutions whose keys use at least two columns.",
    cases: Cases::From(tonicity_matrix_cases),
    seeding: Seeding::Seed,
    generate: tonicity_matrix,
};

fn tonicity_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let solutions = tonicities(kb);
    let n = solutions.len().min(10);
    ordered_subsets(n, 3, |mask| {
        let columns: BTreeSet<&str> = (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| solutions[i].1.text())
            .collect();
        mask.count_ones() <= 6 && columns.len() >= 2
    })
    .into_iter()
    .flat_map(|mask| (0..2).map(move |frame| Case::new("iv solutions", FE, mask * 2 + frame)))
    .collect()
}

fn tonicity_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let solutions = tonicities(kb);
    let mask = case.variant / 2;
    let rows: Vec<MatrixRow> = solutions
        .iter()
        .enumerate()
        .filter(|(index, _)| mask & (1 << index) != 0)
        .filter_map(|(_, (subject, fact))| {
            let column = TONICITY
                .iter()
                .position(|tonicity| *tonicity == fact.text())?;
            let use_ = kb
                .value(FE, subject, "use")
                .map(|u| format!(" It is used for {}.", u.text()))
                .unwrap_or_default();
            Some(MatrixRow {
                text: solution_label(subject),
                column,
                rationale: format!(
                    "{} is {}.{}{use_}",
                    solution_label(subject),
                    fact.text(),
                    cite_note(fact)
                ),
                facts: vec![fact.id.clone()],
            })
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        "For each IV solution, indicate its tonicity as supplied in the bag.".to_owned()
    } else {
        "The nurse reviews the IV solutions stocked on the unit. For each solution, select whether it is isotonic, hypotonic or hypertonic as supplied.".to_owned()
    };
    let rationale = "Tonicity determines where the infused water goes: isotonic solutions stay in the vascular space, hypotonic ones shift water into cells and hypertonic ones pull water out of cells.".to_owned();
    let meta = meta.about("iv solutions");
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["Isotonic", "Hypotonic", "Hypertonic"],
        rows,
        rationale,
    ))
}

/// Curated IV-solution cases: (key solution, attribute, fact text, solutions that are clearly wrong).
const IV_CASES: [(&str, &str, &str, &[&str]); 10] = [
    (
        "0.9% sodium chloride",
        "use",
        "blood transfusion",
        &[
            "lactated ringer's",
            "d5w",
            "0.45% sodium chloride",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "0.9% sodium chloride",
        "use",
        "hypovolemic hyponatremia",
        &["0.45% sodium chloride", "d5w", "d5 0.45% sodium chloride"],
    ),
    (
        "0.9% sodium chloride",
        "use",
        "hypovolemia and fluid resuscitation",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "3% sodium chloride",
        "use",
        "severe symptomatic hyponatremia",
        &[
            "0.45% sodium chloride",
            "d5w",
            "d5 0.45% sodium chloride",
            "lactated ringer's",
        ],
    ),
    (
        "lactated ringer's",
        "use",
        "fluid resuscitation in burns",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "lactated ringer's",
        "use",
        "surgical and trauma fluid losses",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "0.45% sodium chloride",
        "caution",
        "increased intracranial pressure",
        &["0.9% sodium chloride", "3% sodium chloride", "5% albumin"],
    ),
    (
        "0.45% sodium chloride",
        "caution",
        "hypovolemia or burns",
        &["0.9% sodium chloride", "lactated ringer's", "5% albumin"],
    ),
    (
        "lactated ringer's",
        "caution",
        "severe liver disease or lactic acidosis (lactate must be metabolized)",
        &[
            "0.9% sodium chloride",
            "5% albumin",
            "0.45% sodium chloride",
        ],
    ),
    (
        "d5w",
        "caution",
        "increased intracranial pressure",
        &["0.9% sodium chloride", "3% sodium chloride", "5% albumin"],
    ),
];

/// "Which IV solution should the nurse anticipate / question for a client with X?"
const IV_SOLUTION_CHOICE: ModelSpec = ModelSpec {
    id: "iv-solution-choice-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which IV solution the nurse should anticipate for a client need (`use` facts: blood transfusion, hypovolemic hyponatremia, resuscitation, burns, severe hyponatremia) or should question for a client condition (`caution` facts: increased intracranial pressure, hypovolemia or burns, liver disease). Curated cases list, for each key, only solutions that are clearly wrong for that situation; all options are solutions of the fluids family.",
    cases: Cases::From(iv_solution_choice_cases),
    seeding: Seeding::XorVariant(1),
    generate: iv_solution_choice,
};

fn iv_solution_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    IV_CASES
        .iter()
        .enumerate()
        .filter(|(_, (subject, attribute, text, _))| kb.states(FE, subject, attribute, text))
        .flat_map(|(index, (subject, ..))| {
            (0..4).map(move |frame| Case::new(subject, FE, index as u32 * 4 + frame))
        })
        .collect()
}

fn iv_solution_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (subject, attribute, text, wrong) = IV_CASES.get(case.variant as usize / 4)?;
    let fact = kb
        .values(FE, subject, attribute)
        .into_iter()
        .find(|fact| fact.norm() == normalise(text))?;
    let chosen = rng.sample_exactly(wrong, 3)?;
    let situation = short(text);
    let questioning = *attribute == "caution";
    let describe = |solution: &str| -> (String, Vec<&Fact>) {
        let tonicity = kb
            .value(FE, solution, "tonicity")
            .map(|t| format!(" is {}", t.text()))
            .unwrap_or_default();
        let uses = kb.values(FE, solution, "use");
        let use_text = uses
            .first()
            .map(|u| {
                format!(
                    "{} used for {}",
                    if tonicity.is_empty() {
                        " is"
                    } else {
                        " and is"
                    },
                    u.text()
                )
            })
            .unwrap_or_default();
        (
            format!("{}{tonicity}{use_text}.", solution_label(solution)),
            uses.into_iter().take(1).collect(),
        )
    };
    let key = Opt::new(
        solution_label(subject),
        if questioning {
            format!(
                "{} calls for caution in {}.{}",
                solution_label(subject),
                situation,
                cite_note(fact)
            )
        } else {
            format!(
                "{} is used for {}.{}",
                solution_label(subject),
                situation,
                cite_note(fact)
            )
        },
        &[fact],
    );
    let distractors: Vec<Opt> = chosen
        .iter()
        .map(|solution| {
            let (about, facts) = describe(solution);
            let why = if questioning {
                format!("{about} It is not the solution to question in {situation}.")
            } else {
                format!("{about} It is not the solution for {situation}.")
            };
            let facts = if facts.is_empty() { vec![fact] } else { facts };
            Opt::new(solution_label(solution), why, &facts)
        })
        .collect();
    let stem = match (questioning, case.variant % 2) {
        (false, 0) => format!(
            "Which IV solution should the nurse anticipate for a client who needs {situation}?"
        ),
        (false, _) => format!(
            "The nurse prepares IV therapy for a client requiring {situation}. Which solution is appropriate?"
        ),
        (true, 0) => format!(
            "A client has {situation}. Which IV solution prescription should the nurse question?"
        ),
        (true, _) => format!(
            "Which IV solution would the nurse recognize as potentially harmful for a client with {situation}?"
        ),
    };
    let rationale = if questioning {
        format!(
            "{} is used cautiously in {situation}; the nurse clarifies it with the prescriber.",
            solution_label(subject)
        )
    } else {
        format!(
            "{} is the solution indicated for {situation}.",
            solution_label(subject)
        )
    };
    let meta = meta.about(subject);
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

// ---------------------------------------------------------------------------------------------
// Acid–base
// ---------------------------------------------------------------------------------------------

const DISORDERS: [&str; 4] = [
    "respiratory acidosis",
    "respiratory alkalosis",
    "metabolic acidosis",
    "metabolic alkalosis",
];
const COMPENSATION: [&str; 3] = [
    "uncompensated",
    "partially compensated",
    "fully compensated",
];

/// Low, normal or high (-1, 0, 1); None when the value is too close to a limit to call.
fn status(value: f64, low: f64, high: f64, margin: f64) -> Option<i8> {
    if value < low - margin {
        Some(-1)
    } else if value > high + margin {
        Some(1)
    } else if value >= low + margin && value <= high - margin {
        Some(0)
    } else {
        None
    }
}

/// ABG limits from the knowledge base: pH and PaCO2 undisputed; for HCO3 the value must fall on the
/// same side of both recorded ranges (22–26 and the disputed 21–28), so either reading gives the key.
struct AbgLimits<'a> {
    ph: (f64, f64, &'a Fact),
    paco2: (f64, f64, &'a Fact),
}

fn abg_limits(kb: &KnowledgeBase) -> Option<AbgLimits<'_>> {
    let get = |subject: &str| -> Option<(f64, f64, &Fact)> {
        let fact = kb.value(AB, subject, "reference_range")?;
        match &fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } => Some((*low, *high, fact)),
            _ => None,
        }
    };
    Some(AbgLimits {
        ph: get("arterial ph")?,
        paco2: get("paco2")?,
    })
}

fn hco3_status(value: f64) -> Option<i8> {
    let wide = status(value, 21.0, 28.0, 0.5)?;
    let narrow = status(value, 22.0, 26.0, 0.5)?;
    (wide == narrow).then_some(wide)
}

/// ROME classification: (disorder index, compensation index).
fn classify(limits: &AbgLimits, ph: f64, paco2: f64, hco3: f64) -> Option<(usize, usize)> {
    let ph_status = status(ph, limits.ph.0, limits.ph.1, 0.015)?;
    let co2 = status(paco2, limits.paco2.0, limits.paco2.1, 1.5)?;
    let bicarb = hco3_status(hco3)?;
    let acid = match ph_status {
        -1 => true,
        1 => false,
        _ if ph < 7.395 => true,
        _ if ph > 7.405 => false,
        _ => return None,
    };
    let respiratory = if acid { co2 == 1 } else { co2 == -1 };
    let metabolic = if acid { bicarb == -1 } else { bicarb == 1 };
    if respiratory == metabolic {
        return None;
    }
    let other = if respiratory { bicarb } else { co2 };
    // Compensation moves the other value in the same direction as the primary one.
    let compensating = if respiratory {
        other == co2
    } else {
        other == bicarb
    };
    let compensation = match (ph_status, other) {
        (s, 0) if s != 0 => 0,
        (s, _) if s != 0 && compensating => 1,
        (0, o) if o != 0 && compensating => 2,
        _ => return None,
    };
    let disorder = match (respiratory, acid) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    };
    Some((disorder, compensation))
}

/// Generates PaCO2 and HCO3 for the target and computes the pH by Henderson–Hasselbalch, so the
/// three values agree; retries until the ROME classification matches the target.
fn abg_values(
    limits: &AbgLimits,
    disorder: usize,
    compensation: usize,
    rng: &mut Rng,
) -> Option<(f64, f64, f64)> {
    let co2_band = |level: i8| match level {
        -1 => (22.0, 31.0),
        0 => (37.0, 43.0),
        _ => (49.0, 70.0),
    };
    let hco3_band = |level: i8| match level {
        -1 => (11.0, 19.0),
        0 => (23.0, 25.0),
        _ => (30.0, 38.0),
    };
    let (co2_level, hco3_level): (i8, i8) = match (disorder, compensation == 0) {
        (0, true) => (1, 0),
        (0, false) => (1, 1),
        (1, true) => (-1, 0),
        (1, false) => (-1, -1),
        (2, true) => (0, -1),
        (2, false) => (-1, -1),
        (_, true) => (0, 1),
        (_, false) => (1, 1),
    };
    for _ in 0..60 {
        let (a, b) = co2_band(co2_level);
        let (c, d) = hco3_band(hco3_level);
        let paco2 = draw(rng, a, b, 1.0);
        let hco3 = draw(rng, c, d, 1.0);
        let ph = round_to(6.1 + (hco3 / (0.03 * paco2)).log10(), 2);
        if !(7.1..=7.62).contains(&ph) {
            continue;
        }
        if classify(limits, ph, paco2, hco3) == Some((disorder, compensation)) {
            return Some((ph, paco2, hco3));
        }
    }
    None
}

fn abg_exhibit(ph: f64, paco2: f64, hco3: f64) -> String {
    format!(
        "Arterial blood gas: pH {ph:.2}; PaCO2 {} mm Hg; HCO3 {} mEq/L",
        number(paco2),
        number(hco3)
    )
}

fn ab_facts<'a>(kb: &'a KnowledgeBase, disorder: &str) -> Vec<&'a Fact> {
    let mut facts: Vec<&Fact> = ["ph_direction", "paco2_direction", "hco3_direction"]
        .iter()
        .filter_map(|attribute| kb.value(AB, disorder, attribute))
        .collect();
    facts.extend(kb.values(AB, "rome", "rule"));
    facts
}

/// Drop-down cloze: name the disorder, its compensation and the value that identifies it.
const ABG_CLOZE: ModelSpec = ModelSpec {
    id: "abg-interpretation-cloze",
    item_type: ItemType::DropDownCloze,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Advanced,
    description: "Shows arterial blood gas values and asks the student to complete: 'These results show {disorder} that is {compensation}; the value that identifies the primary disorder is the {value}.' Values are generated for one of 4 disorders × 3 compensation states: PaCO2 and HCO3 drawn clearly low, normal or high (HCO3 on the same side of both the 22–26 and the disputed 21–28 ranges), pH computed by Henderson–Hasselbalch, then checked with the ROME rule against the `acid_base` reference ranges; ambiguous triples are redrawn. Slot options: the four disorders, the three `compensation` states, and pH/PaCO2/HCO3.",
    cases: Cases::From(abg_cloze_cases),
    seeding: Seeding::XorVariant(0x2F),
    generate: abg_cloze,
};

fn abg_cloze_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..12u32)
        .flat_map(|target| {
            (0..4)
                .map(move |frame| Case::new(DISORDERS[target as usize / 3], AB, target * 4 + frame))
        })
        .collect()
}

fn abg_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = abg_limits(kb)?;
    let target = case.variant as usize / 4;
    let (disorder, compensation) = (target / 3, target % 3);
    let (ph, paco2, hco3) = abg_values(&limits, disorder, compensation, &mut rng)?;
    let name = DISORDERS[disorder];
    let facts = ab_facts(kb, name);
    let comp_fact = kb.value(AB, COMPENSATION[compensation], "compensation")?;
    let disorder_spec = SlotSpec {
        key: Opt::new(name, format!("{}: the pH is on the {} side, and the {} moves in the direction that explains it (ROME).", sentence(name), if disorder % 2 == 0 { "acidotic" } else { "alkalotic" }, if disorder < 2 { "PaCO2" } else { "HCO3" }), &facts),
        distractors: DISORDERS
            .iter()
            .filter(|other| **other != name)
            .map(|other| Opt::new(*other, format!("{} would need a different pattern of pH, PaCO2 and HCO3 than these results.", sentence(other)), &ab_facts(kb, other)))
            .collect(),
    };
    let comp_spec = SlotSpec {
        key: Opt::new(
            COMPENSATION[compensation],
            format!(
                "{}: {}.{}",
                sentence(COMPENSATION[compensation]),
                comp_fact.text(),
                cite_note(comp_fact)
            ),
            &[comp_fact],
        ),
        distractors: COMPENSATION
            .iter()
            .filter(|other| **other != COMPENSATION[compensation])
            .filter_map(|other| {
                let fact = kb.value(AB, other, "compensation")?;
                Some(Opt::new(
                    *other,
                    format!(
                        "{} means {}, which does not match these values.",
                        sentence(other),
                        fact.text()
                    ),
                    &[fact],
                ))
            })
            .collect(),
    };
    let primary = if disorder < 2 { "PaCO2" } else { "HCO3" };
    let value_spec = SlotSpec {
        key: Opt::new(
            primary,
            format!(
                "The {primary} moves in the direction that explains the pH, so it identifies the primary disorder."
            ),
            &facts,
        ),
        distractors: ["pH", "PaCO2", "HCO3"]
            .iter()
            .filter(|value| **value != primary)
            .map(|value| {
                let why = if *value == "pH" {
                    "The pH shows acidosis or alkalosis but not its cause."
                } else {
                    "This value is normal or compensating, not the primary change."
                };
                Opt::new(*value, why, &facts)
            })
            .collect(),
    };
    let template = "These results show {{1}} that is {{2}}. The value that identifies the primary disorder is the {{3}}.".to_owned();
    let stem = "The nurse reviews an adult client's arterial blood gas results. Complete the following sentence by choosing from the lists of options.".to_owned();
    let rationale = format!(
        "pH {ph:.2} with PaCO2 {} mm Hg and HCO3 {} mEq/L: {name}, {}. Reference ranges: pH {}, PaCO2 {}, HCO3 about 22–26 mEq/L.",
        number(paco2),
        number(hco3),
        COMPENSATION[compensation],
        limits.ph.2.value.display().replace(" unitless", ""),
        limits.paco2.2.value.display()
    );
    let meta = meta.about(name);
    let mut item = build::drop_down_cloze(
        kb,
        &meta,
        seed,
        stem,
        template,
        vec![disorder_spec, comp_spec, value_spec],
        rationale,
    );
    item.exhibit = Some(abg_exhibit(ph, paco2, hco3));
    Some(item)
}

/// "Which condition best explains these ABG results?" — key: a cause of the generated disorder.
const ABG_CAUSE: ModelSpec = ModelSpec {
    id: "abg-cause-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Advanced,
    description: "Shows uncompensated or partially compensated ABG values (generated and checked as in abg-interpretation-cloze) and asks which condition in the history best explains them. Key: a `cause` of the disorder. Distractors: one cause of each of the other three acid–base disorders. 'Such as' examples and parentheticals are trimmed from options.",
    cases: Cases::From(abg_cause_cases),
    seeding: Seeding::Seed,
    generate: abg_cause,
};

fn abg_cause_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, disorder) in DISORDERS.iter().enumerate() {
        for cause in 0..kb.values(AB, disorder, "cause").len() {
            for compensation in 0..2 {
                cases.push(Case::new(
                    disorder,
                    AB,
                    (index * 100 + cause * 2 + compensation) as u32,
                ));
            }
        }
    }
    cases
}

fn abg_cause(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = abg_limits(kb)?;
    let disorder = case.variant as usize / 100;
    let cause_index = (case.variant as usize % 100) / 2;
    let compensation = case.variant as usize % 2;
    let name = DISORDERS.get(disorder)?;
    let key = *kb.values(AB, name, "cause").get(cause_index)?;
    let (ph, paco2, hco3) = abg_values(&limits, disorder, compensation, &mut rng)?;
    let mut distractors = Vec::new();
    for other in DISORDERS.iter().filter(|other| *other != name) {
        let causes = kb.values(AB, other, "cause");
        let fact = *rng.pick(&causes)?;
        distractors.push(Opt::new(
            sentence(&short(fact.text())),
            format!(
                "{} causes {other}, which would give a different ABG pattern.",
                sentence(fact.text())
            ),
            &[fact],
        ));
    }
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} causes {name}, which matches these results.{}",
            sentence(key.text()),
            cite_note(key)
        ),
        &[key],
    );
    let stem = "The nurse reviews an adult client's arterial blood gas results. Which condition in the client's history best explains these results?".to_owned();
    let rationale = format!(
        "pH {ph:.2}, PaCO2 {} mm Hg and HCO3 {} mEq/L show {name} ({}); {} is a cause of {name}.",
        number(paco2),
        number(hco3),
        COMPENSATION[compensation],
        key.text()
    );
    let meta = meta.about(name);
    let mut item = build::multiple_choice(kb, &meta, seed, stem, key_opt, distractors, rationale);
    item.exhibit = Some(abg_exhibit(ph, paco2, hco3));
    Some(item)
}

fn abg_step_facts(kb: &KnowledgeBase) -> Vec<&Fact> {
    kb.values(AB, "abg interpretation", "rule")
        .into_iter()
        .filter(|fact| fact.order.is_some_and(|order| order <= 5))
        .collect()
}

/// Order the steps of ABG interpretation.
const ABG_STEPS: ModelSpec = ModelSpec {
    id: "abg-steps-order",
    item_type: ItemType::OrderedResponse,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Beginner,
    description: "Orders the steps of arterial blood gas interpretation recorded with `order` (pH, PaCO2, HCO3, name the primary disorder, judge compensation). Each item uses 3–5 of these steps in the recorded order; the oxygenation step is left out because references place it first or last.",
    cases: Cases::From(abg_steps_cases),
    seeding: Seeding::Seed,
    generate: abg_steps,
};

fn abg_steps_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ordered_subsets(abg_step_facts(kb).len(), 3, |_| true)
        .into_iter()
        .flat_map(|mask| {
            (0..2).map(move |frame| Case::new("abg interpretation", AB, mask * 2 + frame))
        })
        .collect()
}

fn abg_steps(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let steps = abg_step_facts(kb);
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
                sentence(fact.text()),
                format!("Step {}: {}.", position + 1, fact.text()),
                &[*fact],
            )
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        "The nurse interprets a client's arterial blood gas results. Arrange the steps in the order the nurse should perform them.".to_owned()
    } else {
        "Place the steps of systematic ABG interpretation in the correct order.".to_owned()
    };
    let rationale = "A systematic ABG analysis reads the pH first, then the PaCO2 and HCO3, matches the value that moves with the pH to name the primary disorder, and then judges compensation.".to_owned();
    let meta = meta.about("abg interpretation");
    Some(build::ordered_response(
        kb, &meta, seed, stem, opts, rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Dosage calculation
// ---------------------------------------------------------------------------------------------

const WHO: [&str; 5] = [
    "An adult client",
    "A postoperative client",
    "A client on the medical unit",
    "An older adult client",
    "A client in the emergency department",
];

fn dose_fact<'a>(kb: &'a KnowledgeBase, subject: &str, attribute: &str) -> Option<&'a Fact> {
    kb.value(DOSE, subject, attribute)
}

fn time_phrase(minutes: f64) -> String {
    if minutes >= 60.0 && (minutes % 60.0).abs() < 1e-9 {
        let hours = minutes / 60.0;
        format!(
            "{} hour{}",
            number(hours),
            if hours == 1.0 { "" } else { "s" }
        )
    } else {
        format!("{} minutes", number(minutes))
    }
}

#[allow(clippy::too_many_arguments)]
fn numeric_item(
    meta: Meta,
    kb: &KnowledgeBase,
    seed: u64,
    stem: String,
    answer: f64,
    units: &str,
    tolerance: f64,
    calculation: Calculation,
    rationale: String,
    facts: &[&Fact],
    difficulty: Difficulty,
    topic: &str,
) -> Option<Item> {
    if (gate::recompute(&calculation) - answer).abs() > 1e-9 {
        return None;
    }
    let meta = Meta {
        difficulty,
        ..meta.about(topic)
    };
    Some(build::numeric(
        kb,
        &meta,
        seed,
        stem,
        answer,
        units,
        tolerance,
        calculation,
        rationale,
        facts,
    ))
}

const DRIP: [(f64, f64); 16] = [
    (1000.0, 480.0),
    (1000.0, 600.0),
    (1000.0, 720.0),
    (1000.0, 360.0),
    (500.0, 240.0),
    (500.0, 300.0),
    (500.0, 360.0),
    (250.0, 120.0),
    (250.0, 60.0),
    (250.0, 90.0),
    (100.0, 30.0),
    (100.0, 60.0),
    (50.0, 30.0),
    (150.0, 60.0),
    (200.0, 120.0),
    (750.0, 480.0),
];
const DROP_FACTORS: [f64; 4] = [10.0, 15.0, 20.0, 60.0];

/// gtt/min = volume × drop factor ÷ minutes.
const DRIP_RATE: ModelSpec = ModelSpec {
    id: "dose-drip-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a gravity drip rate in gtt/min = volume (mL) × drop factor (gtt/mL) ÷ time (min) (dosage `formula` 'iv drip rate'), rounded to the nearest whole drop ('drip rate rounding' rule). Volumes 50–1000 mL over 30 minutes to 12 hours with drop factors 10, 15, 20 and 60 gtt/mL; no drug is named. Tolerance 0; the gate recomputes the key.",
    cases: Cases::From(drip_rate_cases),
    seeding: Seeding::Seed,
    generate: drip_rate,
};

fn drip_rate_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..(DRIP.len() * DROP_FACTORS.len()) as u32)
        .map(|variant| Case::new("iv drip rate", DOSE, variant))
        .collect()
}

fn drip_rate(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "iv drip rate", "formula")?;
    let (volume, minutes) = DRIP[case.variant as usize / DROP_FACTORS.len()];
    let drop = DROP_FACTORS[case.variant as usize % DROP_FACTORS.len()];
    let answer = (volume * drop / minutes).round();
    let who = WHO[rng.below(WHO.len())];
    let fluid = [
        "0.9% sodium chloride",
        "lactated Ringer's",
        "an IV medication in 0.9% sodium chloride",
    ][rng.below(3)];
    let stem = format!(
        "{who} is prescribed {} mL of {fluid} to infuse over {}. The administration set delivers {} gtt/mL. At how many drops per minute should the nurse regulate the infusion? Round to the nearest whole number.",
        number(volume),
        time_phrase(minutes),
        number(drop)
    );
    let mut facts = vec![formula];
    facts.extend(dose_fact(kb, "drip rate rounding", "rule"));
    let rationale = format!(
        "gtt/min = volume × drop factor ÷ minutes = {} mL × {} gtt/mL ÷ {} min = {} gtt/min (rounded to the nearest whole drop).",
        number(volume),
        number(drop),
        number(minutes),
        number(answer)
    );
    let calculation = Calculation::DripRate {
        volume_ml: volume,
        drop_factor: drop,
        minutes,
        decimals: 0,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "gtt/min",
        0.0,
        calculation,
        rationale,
        &facts,
        if drop == 60.0 {
            Difficulty::Beginner
        } else {
            Difficulty::Intermediate
        },
        "iv drip rate",
    )
}

const PUMP: [(f64, f64); 18] = [
    (1000.0, 8.0),
    (1000.0, 6.0),
    (1000.0, 10.0),
    (1000.0, 12.0),
    (1000.0, 24.0),
    (500.0, 4.0),
    (500.0, 6.0),
    (500.0, 8.0),
    (250.0, 2.0),
    (250.0, 3.0),
    (750.0, 6.0),
    (1500.0, 12.0),
    (2000.0, 24.0),
    (100.0, 0.5),
    (50.0, 0.5),
    (250.0, 1.5),
    (150.0, 0.75),
    (1000.0, 9.0),
];

/// Fluids named in infusion stems (no drug, so nothing to check against a drug record).
const IV_FLUIDS: [&str; 3] = [
    "0.9% sodium chloride",
    "lactated Ringer's",
    "D5 0.45% sodium chloride",
];

/// mL/h = volume ÷ hours.
const PUMP_RATE: ModelSpec = ModelSpec {
    id: "dose-pump-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Calculates an infusion-pump rate in mL/h = total volume (mL) ÷ total time (h) (dosage `formula` 'iv pump rate'), rounded to the nearest tenth. Volumes 50–2000 mL over 30 minutes to 24 hours; no drug is named. Tolerance ±0.1 mL/h; the gate recomputes the key.",
    cases: Cases::From(pump_rate_cases),
    seeding: Seeding::XorVariant(1),
    generate: pump_rate,
};

fn pump_rate_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..PUMP.len() as u32)
        .flat_map(|variant| {
            (0..3).map(move |frame| Case::new("iv pump rate", DOSE, variant * 3 + frame))
        })
        .collect()
}

fn pump_rate(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "iv pump rate", "formula")?;
    let (volume, hours) = PUMP[case.variant as usize / 3];
    let answer = round_to(volume / hours, 1);
    let who = WHO[rng.below(WHO.len())];
    let fluid = IV_FLUIDS[case.variant as usize % IV_FLUIDS.len()];
    let stem = format!(
        "{who} is prescribed {} mL of {fluid} to infuse over {} by infusion pump. At what rate in mL/h should the nurse program the pump? Round to the nearest tenth if needed.",
        number(volume),
        time_phrase(hours * 60.0)
    );
    let rationale = format!(
        "mL/h = total volume ÷ total hours = {} mL ÷ {} h = {} mL/h.",
        number(volume),
        number(hours),
        number(answer)
    );
    let calculation = Calculation::PumpRate {
        volume_ml: volume,
        hours,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Beginner,
        "iv pump rate",
    )
}

const INFUSIONS: [(f64, f64); 14] = [
    (1000.0, 125.0),
    (1000.0, 80.0),
    (1000.0, 100.0),
    (1000.0, 150.0),
    (500.0, 100.0),
    (500.0, 75.0),
    (250.0, 50.0),
    (250.0, 100.0),
    (750.0, 125.0),
    (1000.0, 200.0),
    (500.0, 40.0),
    (2000.0, 125.0),
    (1000.0, 90.0),
    (250.0, 30.0),
];

/// hours = volume ÷ rate.
const INFUSION_TIME: ModelSpec = ModelSpec {
    id: "dose-infusion-time-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Calculates how many hours an infusion will take: hours = total volume (mL) ÷ rate (mL/h) (dosage `formula` 'infusion time'), rounded to the nearest tenth. Stated to the gate as desired ÷ have × 1 (volume ÷ rate). Tolerance ±0.1 h.",
    cases: Cases::From(infusion_time_cases),
    seeding: Seeding::XorVariant(1),
    generate: infusion_time,
};

fn infusion_time_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..INFUSIONS.len() as u32)
        .flat_map(|variant| {
            (0..3).map(move |frame| Case::new("infusion time", DOSE, variant * 3 + frame))
        })
        .collect()
}

fn infusion_time(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "infusion time", "formula")?;
    let (volume, rate) = INFUSIONS[case.variant as usize / 3];
    let answer = round_to(volume / rate, 1);
    let who = WHO[rng.below(WHO.len())];
    let fluid = IV_FLUIDS[case.variant as usize % IV_FLUIDS.len()];
    let stem = format!(
        "{who} has {} mL of {fluid} infusing at {} mL/h. How many hours will the infusion take to complete? Round to the nearest tenth if needed.",
        number(volume),
        number(rate)
    );
    let rationale = format!(
        "Hours = total volume ÷ rate = {} mL ÷ {} mL/h = {} h.",
        number(volume),
        number(rate),
        number(answer)
    );
    let calculation = Calculation::DesiredOverHave {
        desired: volume,
        have: rate,
        quantity: 1.0,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "hours",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Beginner,
        "infusion time",
    )
}

/// mL/h = dose per hour ÷ concentration (heparin units/h, or a neutral medication in mg/h).
const DOSE_PER_HOUR: ModelSpec = ModelSpec {
    id: "dose-per-hour-rate-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a pump rate from a dose ordered per hour: mL/h = ordered dose per hour ÷ concentration per mL (dosage `formula` 'dose-per-hour infusion rate'), stated to the gate as desired ÷ have × volume. Heparin uses standard premixed bags (25,000 units in 250 or 500 mL) and 500–2,000 units/h; other cases name no drug (mg/h). Rounded to the nearest tenth; tolerance ±0.1 mL/h.",
    cases: Cases::From(dose_per_hour_cases),
    seeding: Seeding::XorVariant(1),
    generate: dose_per_hour,
};

fn dose_per_hour_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..48u32)
        .map(|variant| Case::new("dose-per-hour infusion rate", DOSE, variant))
        .collect()
}

fn dose_per_hour(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "dose-per-hour infusion rate", "formula")?;
    let who = WHO[rng.below(WHO.len())];
    let (stem, desired, have, volume, unit) = if case.variant < 32 {
        let volume = if case.variant.is_multiple_of(2) {
            250.0
        } else {
            500.0
        };
        let rate = 500.0 + 100.0 * (case.variant / 2) as f64;
        (
            format!(
                "{who} is prescribed a continuous heparin infusion at {} units/h. The bag contains 25,000 units of heparin in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth if needed.",
                number(rate),
                number(volume)
            ),
            rate,
            25_000.0,
            volume,
            "units",
        )
    } else {
        let bags = [
            (100.0, 100.0),
            (50.0, 250.0),
            (200.0, 100.0),
            (250.0, 250.0),
        ];
        let (mg, volume) = bags[case.variant as usize % 4];
        let rate = [2.0, 4.0, 5.0, 8.0, 10.0, 15.0][(case.variant as usize / 4) % 6];
        (
            format!(
                "{who} is prescribed a medication infusion at {} mg/h. The bag contains {} mg in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth if needed.",
                number(rate),
                number(mg),
                number(volume)
            ),
            rate,
            mg,
            volume,
            "mg",
        )
    };
    let answer = round_to(desired / have * volume, 1);
    let rationale = format!(
        "Concentration = {} {unit} ÷ {} mL; mL/h = ordered dose per hour ÷ concentration = {} {unit}/h ÷ {} {unit} × {} mL = {} mL/h.",
        number(have),
        number(volume),
        number(desired),
        number(have),
        number(volume),
        number(answer)
    );
    let calculation = Calculation::DesiredOverHave {
        desired,
        have,
        quantity: volume,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "dose-per-hour infusion",
    )
}

/// mL/h = mcg/kg/min × kg × 60 ÷ mcg/mL.
const WEIGHT_INFUSION: ModelSpec = ModelSpec {
    id: "dose-weight-infusion-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Advanced,
    description: "Calculates a weight-based infusion rate: mL/h = dose (mcg/kg/min) × weight (kg) × 60 ÷ concentration (mcg/mL) (dosage `formula` 'weight-based infusion rate'), after converting the bag's mg to mcg ('milligram to microgram' conversion). Neutral 'a medication' with bags of 250–800 mg in 250 mL, doses 2–20 mcg/kg/min and weights 50–110 kg. Rounded to the nearest tenth; tolerance ±0.1 mL/h.",
    cases: Cases::From(weight_infusion_cases),
    seeding: Seeding::XorVariant(1),
    generate: weight_infusion,
};

fn weight_infusion_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..96u32)
        .map(|variant| Case::new("weight-based infusion rate", DOSE, variant))
        .collect()
}

fn weight_infusion(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "weight-based infusion rate", "formula")?;
    let conversion = dose_fact(kb, "milligram to microgram", "conversion");
    let bags = [
        (400.0, 250.0),
        (800.0, 250.0),
        (250.0, 250.0),
        (500.0, 250.0),
    ];
    let (mg, volume) = bags[case.variant as usize % 4];
    let dose = [2.0, 3.0, 5.0, 7.5, 10.0, 12.0, 15.0, 20.0][(case.variant as usize / 4) % 8];
    let weight = draw(&mut rng, 50.0, 110.0, 2.0);
    let concentration = mg * 1000.0 / volume;
    let answer = round_to(dose * weight * 60.0 / concentration, 1);
    let stem = format!(
        "A client who weighs {} kg is prescribed a medication infusion at {} mcg/kg/min. The bag contains {} mg in {} mL. At what rate in mL/h should the nurse set the pump? Round to the nearest tenth.",
        number(weight),
        number(dose),
        number(mg),
        number(volume)
    );
    let rationale = format!(
        "Concentration = {} mg × 1,000 ÷ {} mL = {} mcg/mL. mL/h = {} mcg/kg/min × {} kg × 60 ÷ {} mcg/mL = {} mL/h.",
        number(mg),
        number(volume),
        number(concentration),
        number(dose),
        number(weight),
        number(concentration),
        number(answer)
    );
    let mut facts = vec![formula];
    facts.extend(conversion);
    let calculation = Calculation::WeightBasedInfusion {
        mcg_per_kg_min: dose,
        weight_kg: weight,
        concentration_mcg_ml: concentration,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/h",
        0.1,
        calculation,
        rationale,
        &facts,
        Difficulty::Advanced,
        "weight-based infusion",
    )
}

const MG_PER_KG: [f64; 8] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// mg = mg/kg × kg, with the weight given in kg or in pounds.
const WEIGHT_DOSE: ModelSpec = ModelSpec {
    id: "dose-weight-based-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a weight-based dose: dose = ordered mg/kg × weight in kg (dosage `formula` 'weight-based dose'). Half the cases give the weight in pounds, converted to kg with 2.2 lb/kg ('kilogram to pound' conversion) and rounded to the nearest tenth first. Neutral 'a medication'; 0.1–20 mg/kg; pediatric weights 4–40 kg at up to 20 mg/kg, adult weights 50–100 kg at up to 2 mg/kg. Rounded to the nearest tenth; tolerance ±0.1 mg.",
    cases: Cases::From(weight_dose_cases),
    seeding: Seeding::XorVariant(1),
    generate: weight_dose,
};

fn weight_dose_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..(MG_PER_KG.len() * 2 * 4) as u32)
        .map(|variant| Case::new("weight-based dose", DOSE, variant))
        .collect()
}

fn weight_dose(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "weight-based dose", "formula")?;
    let per_kg = MG_PER_KG[case.variant as usize % MG_PER_KG.len()];
    let pounds_given = (case.variant as usize / MG_PER_KG.len()) % 2 == 1;
    let adult = per_kg <= 2.0 && rng.below(2) == 0;
    let (who, kg_raw) = if adult {
        ("An adult client", draw(&mut rng, 50.0, 100.0, 1.0))
    } else {
        ("A child", draw(&mut rng, 4.0, 40.0, 0.5))
    };
    let (weight_text, kg, pounds, difficulty) = if pounds_given {
        let lb = (kg_raw * 2.2).round();
        let kg = round_to(lb / 2.2, 1);
        (
            format!("{} lb", number(lb)),
            kg,
            Some(lb),
            Difficulty::Intermediate,
        )
    } else {
        (
            format!("{} kg", number(kg_raw)),
            kg_raw,
            None,
            Difficulty::Beginner,
        )
    };
    let answer = round_to(per_kg * kg, 1);
    let stem = format!(
        "{who} who weighs {weight_text} is prescribed a medication at {} mg/kg.{} How many mg should the nurse prepare? Round to the nearest tenth if needed.",
        number(per_kg),
        if pounds_given {
            " Convert the weight to kilograms (rounded to the nearest tenth) first."
        } else {
            ""
        }
    );
    let mut facts = vec![formula];
    let rationale = if let Some(lb) = pounds {
        facts.extend(dose_fact(kb, "kilogram to pound", "conversion"));
        format!(
            "{} lb ÷ 2.2 lb/kg = {} kg; {} mg/kg × {} kg = {} mg.",
            number(lb),
            number(kg),
            number(per_kg),
            number(kg),
            number(answer)
        )
    } else {
        format!(
            "Dose = {} mg/kg × {} kg = {} mg.",
            number(per_kg),
            number(kg),
            number(answer)
        )
    };
    let calculation = Calculation::WeightBasedDose {
        mg_per_kg: per_kg,
        weight_kg: kg,
        pounds,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mg",
        0.1,
        calculation,
        rationale,
        &facts,
        difficulty,
        "weight-based dose",
    )
}

/// Holliday–Segar maintenance fluid in mL/day.
const MAINTENANCE_FLUID: ModelSpec = ModelSpec {
    id: "dose-maintenance-fluid-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a child's 24-hour maintenance fluid requirement by the Holliday–Segar formula (100 mL/kg for the first 10 kg, 50 mL/kg for the next 10 kg, 20 mL/kg above 20 kg; dosage `formula` 'holliday-segar maintenance fluid') for weights of 3–45 kg. Whole mL; tolerance 0; the gate recomputes the key.",
    cases: Cases::From(maintenance_fluid_cases),
    seeding: Seeding::Seed,
    generate: maintenance_fluid,
};

fn maintenance_fluid_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..86u32)
        .map(|variant| Case::new("holliday-segar maintenance fluid", DOSE, variant))
        .collect()
}

fn maintenance_fluid(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "holliday-segar maintenance fluid", "formula")?;
    let weight = 3.0 + 0.5 * case.variant as f64;
    let first = weight.min(10.0) * 100.0;
    let second = (weight.min(20.0) - 10.0).max(0.0) * 50.0;
    let rest = (weight - 20.0).max(0.0) * 20.0;
    let answer = (first + second + rest).round();
    let who = [
        "A child",
        "A hospitalized child",
        "A child receiving IV fluids",
    ][rng.below(3)];
    let stem = format!(
        "{who} weighs {} kg. Using the Holliday–Segar method, calculate the child's maintenance fluid requirement for 24 hours. How many mL/day does the child need?",
        number(weight)
    );
    let mut parts = vec![format!(
        "{} kg × 100 mL = {} mL",
        number(weight.min(10.0)),
        number(first)
    )];
    if second > 0.0 {
        parts.push(format!(
            "{} kg × 50 mL = {} mL",
            number(weight.min(20.0) - 10.0),
            number(second)
        ));
    }
    if rest > 0.0 {
        parts.push(format!(
            "{} kg × 20 mL = {} mL",
            number(weight - 20.0),
            number(rest)
        ));
    }
    let rationale = format!(
        "Holliday–Segar: {}; total {} mL/day.{}",
        parts.join("; "),
        number(answer),
        cite_note(formula)
    );
    let calculation = Calculation::MaintenanceFluids {
        weight_kg: weight,
        decimals: 0,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mL/day",
        0.0,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "maintenance fluids",
    )
}

/// A unit conversion with its knowledge-base factor (forward or inverse).
struct ConversionSpec {
    subject: &'static str,
    inverse: bool,
    from: &'static str,
    to: &'static str,
    values: &'static [f64],
    decimals: u32,
    frame: &'static str,
}

const CONVERSIONS: [ConversionSpec; 14] = [
    ConversionSpec {
        subject: "teaspoon",
        inverse: false,
        from: "tsp",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral liquid medication. How many mL is this?",
    },
    ConversionSpec {
        subject: "tablespoon",
        inverse: false,
        from: "tbsp",
        to: "mL",
        values: &[0.5, 1.0, 2.0, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral suspension. How many mL is this?",
    },
    ConversionSpec {
        subject: "ounce",
        inverse: false,
        from: "oz",
        to: "mL",
        values: &[4.0, 6.0, 8.0, 10.0, 12.0, 16.0],
        decimals: 0,
        frame: "A client drinks {v} {from} of water. How many mL should the nurse record as intake?",
    },
    ConversionSpec {
        subject: "cup",
        inverse: false,
        from: "cups",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 3.0],
        decimals: 0,
        frame: "A client drinks {v} {from} of juice. How many mL should the nurse record as intake?",
    },
    ConversionSpec {
        subject: "milligram to microgram",
        inverse: false,
        from: "mg",
        to: "mcg",
        values: &[0.125, 0.25, 0.5, 0.05, 0.1, 1.5],
        decimals: 0,
        frame: "A prescription reads {v} {from}. How many mcg is this dose?",
    },
    ConversionSpec {
        subject: "milligram to microgram",
        inverse: true,
        from: "mcg",
        to: "mg",
        values: &[125.0, 250.0, 500.0, 50.0, 100.0, 1500.0],
        decimals: 3,
        frame: "A dose of {v} {from} is prescribed. How many mg is this dose?",
    },
    ConversionSpec {
        subject: "gram to milligram",
        inverse: false,
        from: "g",
        to: "mg",
        values: &[0.5, 1.0, 1.5, 2.0, 0.25],
        decimals: 0,
        frame: "A prescription reads {v} {from}. How many mg is this dose?",
    },
    ConversionSpec {
        subject: "gram to milligram",
        inverse: true,
        from: "mg",
        to: "g",
        values: &[250.0, 500.0, 750.0, 1500.0, 2000.0],
        decimals: 2,
        frame: "A dose of {v} {from} is prescribed. How many grams is this dose?",
    },
    ConversionSpec {
        subject: "liter to milliliter",
        inverse: false,
        from: "L",
        to: "mL",
        values: &[0.5, 1.0, 1.5, 2.0, 2.5],
        decimals: 0,
        frame: "A client is prescribed {v} {from} of oral fluid per day. How many mL is this?",
    },
    ConversionSpec {
        subject: "kilogram to pound",
        inverse: false,
        from: "kg",
        to: "lb",
        values: &[45.0, 52.0, 60.0, 68.0, 75.0, 82.0, 90.0, 18.0, 25.0],
        decimals: 1,
        frame: "A client weighs {v} {from}. What is the client's weight in pounds?",
    },
    ConversionSpec {
        subject: "kilogram to pound",
        inverse: true,
        from: "lb",
        to: "kg",
        values: &[110.0, 132.0, 154.0, 176.0, 198.0, 44.0, 66.0, 143.0, 165.0],
        decimals: 1,
        frame: "A client weighs {v} {from}. What is the client's weight in kilograms?",
    },
    ConversionSpec {
        subject: "inch to centimeter",
        inverse: false,
        from: "inches",
        to: "cm",
        values: &[60.0, 62.0, 65.0, 68.0, 70.0, 72.0],
        decimals: 1,
        frame: "A client is {v} {from} tall. What is the client's height in centimeters?",
    },
    ConversionSpec {
        subject: "tablespoon to teaspoon",
        inverse: false,
        from: "tbsp",
        to: "tsp",
        values: &[1.0, 2.0, 0.5, 3.0],
        decimals: 1,
        frame: "A client is to take {v} {from} of an oral liquid. How many tsp is this?",
    },
    ConversionSpec {
        subject: "ounce",
        inverse: true,
        from: "mL",
        to: "oz",
        values: &[90.0, 120.0, 180.0, 240.0, 360.0],
        decimals: 1,
        frame: "A client's drainage measures {v} {from}. How many oz is this?",
    },
];

/// value × factor (or ÷ factor) for the knowledge base's conversion factors.
const UNIT_CONVERSION: ModelSpec = ModelSpec {
    id: "dose-unit-conversion-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Converts between household, metric and weight units with the dosage family's `conversion` factors (tsp, tbsp, oz, cup, mg↔mcg, g↔mg, L→mL, kg↔lb, inch→cm, tbsp→tsp, mL→oz); disputed factors (grain) are not used. The gate recomputes value × factor. Tolerance: 0 for whole units, ±0.1 for tenths, ±0.01 or less for finer answers.",
    cases: Cases::From(unit_conversion_cases),
    seeding: Seeding::Seed,
    generate: unit_conversion,
};

fn unit_conversion_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, spec) in CONVERSIONS.iter().enumerate() {
        for value in 0..spec.values.len() {
            cases.push(Case::new(spec.subject, DOSE, (index * 100 + value) as u32));
        }
    }
    cases
}

fn unit_conversion(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let spec = CONVERSIONS.get(case.variant as usize / 100)?;
    let value = *spec.values.get(case.variant as usize % 100)?;
    let fact = dose_fact(kb, spec.subject, "conversion")?;
    let Value::Range {
        low: Some(factor), ..
    } = &fact.value
    else {
        return None;
    };
    let factor = if spec.inverse { 1.0 / factor } else { *factor };
    let answer = round_to(value * factor, spec.decimals as usize);
    if answer <= 0.0 {
        return None;
    }
    let lead = [
        "",
        "The nurse is documenting care. ",
        "During a medication pass: ",
    ][rng.below(3)];
    let question = spec
        .frame
        .replace("{v}", &number(value))
        .replace("{from}", spec.from);
    let rounding = match spec.decimals {
        0 => " Round to the nearest whole number.",
        1 => " Round to the nearest tenth if needed.",
        _ => " Do not round beyond the given precision.",
    };
    let stem = format!("{lead}{question}{rounding}");
    let factor_text = fact.value.display();
    let rationale = if spec.inverse {
        format!(
            "{} {} ÷ {} = {} {} (conversion factor {factor_text}).",
            number(value),
            spec.from,
            number(1.0 / factor),
            number(answer),
            spec.to
        )
    } else {
        format!(
            "{} {} × {} = {} {} (conversion factor {factor_text}).",
            number(value),
            spec.from,
            number(factor),
            number(answer),
            spec.to
        )
    };
    let tolerance = match spec.decimals {
        0 => 0.0,
        1 => 0.1,
        2 => 0.01,
        _ => 0.001,
    };
    let calculation = Calculation::Conversion {
        value,
        factor,
        decimals: spec.decimals,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        spec.to,
        tolerance,
        calculation,
        rationale,
        &[fact],
        Difficulty::Beginner,
        "unit conversion",
    )
}

/// dose = mg/m2 × BSA.
const BSA_DOSE: ModelSpec = ModelSpec {
    id: "dose-bsa-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a body-surface-area dose: dose = ordered dose per m2 × BSA in m2 (dosage `formula` 'bsa-based dose'), with the BSA given (0.6–2.2 m2) and a neutral medication at 10–250 mg/m2. Stated to the gate as value × factor. Rounded to the nearest tenth; tolerance ±0.1 mg.",
    cases: Cases::From(bsa_dose_cases),
    seeding: Seeding::XorVariant(1),
    generate: bsa_dose,
};

fn bsa_dose_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..64u32)
        .map(|variant| Case::new("bsa-based dose", DOSE, variant))
        .collect()
}

fn bsa_dose(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = dose_fact(kb, "bsa-based dose", "formula")?;
    let per_m2 = [10.0, 25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 250.0][case.variant as usize % 8];
    let bsa = round_to(draw(&mut rng, 0.6, 2.2, 0.02), 2);
    let answer = round_to(bsa * per_m2, 1);
    let who = [
        "A client",
        "An adult client",
        "A client receiving chemotherapy",
        "A client on the oncology unit",
    ][case.variant as usize / 8 % 4];
    let stem = format!(
        "{who} with a body surface area of {} m2 is prescribed a medication at {} mg/m2. How many mg should the nurse expect to give? Round to the nearest tenth if needed.",
        number(bsa),
        number(per_m2)
    );
    let rationale = format!(
        "Dose = ordered dose per m2 × BSA = {} mg/m2 × {} m2 = {} mg.",
        number(per_m2),
        number(bsa),
        number(answer)
    );
    let calculation = Calculation::Conversion {
        value: bsa,
        factor: per_m2,
        decimals: 1,
    };
    numeric_item(
        meta,
        kb,
        seed,
        stem,
        answer,
        "mg",
        0.1,
        calculation,
        rationale,
        &[formula],
        Difficulty::Intermediate,
        "bsa-based dose",
    )
}
