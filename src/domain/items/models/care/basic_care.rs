//! Basic care and comfort: comfort measures, correcting unsafe care and procedure steps.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "comfort-care-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 nursing actions the nurse selects the care topic each belongs to (closed wound drain, incentive spirometry, pressure injury prevention, nasogastric tube, fall prevention, wound cleansing), from the topics' `rule`/`step` facts. Generic steps shared by several topics are not used, and the head-of-bed rule is never shown beside the nasogastric tube column.",
        cases: Cases::From(comfort_cases),
        seeding: Seeding::MixVariant,
        generate: comfort_matrix,
    },
    ModelSpec {
        id: "care-correction-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Which action by a new nurse requires correction during pressure-injury prevention, nasogastric tube placement or tracheostomy suctioning. Key: the topic's `avoid` fact restated as an action. Distractors: the topic's own correct `rule`/`step`/`time_limit` facts.",
        cases: Cases::From(correction_cases),
        seeding: Seeding::MixVariant,
        generate: correction_mc,
    },
    ModelSpec {
        id: "care-procedure-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over care procedures recorded with `order`: tracheostomy suctioning and incentive-spirometer use. Cases are the full sequence and its ordered subsets of three (suctioning) or four (spirometer) or more steps.",
        cases: Cases::From(procedure_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
];

// ---------------------------------------------------------------------------------------------
// Basic care and comfort

/// Care topics with the facts that belong only to them: (subject, column label, rows as
/// (attribute, text prefix)).
/// (subject, column label, rows as (attribute, text prefix)).
type ComfortTopic = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const COMFORT_TOPICS: [ComfortTopic; 6] = [
    (
        "closed wound drain",
        "Closed wound drain",
        &[
            ("rule", "empty the drain"),
            ("rule", "compress the bulb"),
            ("rule", "measure and record"),
            ("rule", "secure the drain"),
        ],
    ),
    (
        "incentive spirometer teaching",
        "Incentive spirometry",
        &[
            ("rule", "repeat about 10 times"),
            ("step", "hold the breath"),
            ("step", "inhale slowly"),
        ],
    ),
    (
        "pressure injury prevention",
        "Pressure injury prevention",
        &[
            ("rule", "reposition bed-bound"),
            ("rule", "assess risk with the Braden"),
            ("rule", "keep the head of the bed"),
        ],
    ),
    (
        "nasogastric tube placement",
        "Nasogastric tube",
        &[
            ("step", "measure from the tip"),
            ("rule", "confirm initial placement"),
            ("rule", "gastric aspirate pH"),
            ("rule", "mark the tube"),
        ],
    ),
    (
        "fall prevention",
        "Fall prevention",
        &[
            ("rule", "keep the bed in the lowest"),
            ("rule", "provide nonskid"),
            ("rule", "assess fall risk"),
        ],
    ),
    (
        "wound cleansing",
        "Wound cleansing",
        &[
            ("rule", "clean from the least"),
            ("rule", "clean a surgical incision"),
        ],
    ),
];

fn comfort_facts(kb: &KnowledgeBase, topic: usize) -> Vec<&Fact> {
    let (subject, _, rows) = COMFORT_TOPICS[topic];
    rows.iter()
        .filter_map(|(attribute, prefix)| {
            kb.values(PROC, subject, attribute)
                .into_iter()
                .find(|fact| fact.text().starts_with(prefix))
        })
        .collect()
}

fn comfort_cases(kb: &KnowledgeBase) -> Vec<Case> {
    (0..COMFORT_TOPICS.len())
        .filter(|topic| comfort_facts(kb, *topic).len() >= 2)
        .flat_map(|topic| cases_n(COMFORT_TOPICS[topic].0, PROC, 16))
        .collect()
}

/// Matrix: which care topic each nursing action belongs to.
fn comfort_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let anchor = COMFORT_TOPICS
        .iter()
        .position(|topic| topic.0 == case.subject)?;
    let others: Vec<usize> = (0..COMFORT_TOPICS.len())
        .filter(|topic| *topic != anchor && comfort_facts(kb, *topic).len() >= 2)
        .collect();
    let mut topics = vec![anchor];
    let extra = 2 + rng.below(2);
    topics.extend(rng.sample(&others, extra));
    if topics.len() < 3 {
        return None;
    }
    let has_ng = topics
        .iter()
        .any(|topic| COMFORT_TOPICS[*topic].0 == "nasogastric tube placement");
    let mut candidates: Vec<(usize, &Fact)> = Vec::new();
    for (column, topic) in topics.iter().enumerate() {
        for fact in comfort_facts(kb, *topic) {
            // The head-of-bed limit for pressure injury conflicts with tube-feeding positioning.
            if has_ng && fact.text().starts_with("keep the head of the bed") {
                continue;
            }
            candidates.push((column, fact));
        }
    }
    rng.shuffle(&mut candidates);
    // Every column gets a row, then fill up to 4–6.
    let mut rows: Vec<(usize, &Fact)> = Vec::new();
    for column in 0..topics.len() {
        rows.push(*candidates.iter().find(|(c, _)| *c == column)?);
    }
    let count = (4 + rng.below(3)).max(rows.len());
    for candidate in &candidates {
        if rows.len() >= count {
            break;
        }
        if !rows.iter().any(|row| row.1.id == candidate.1.id) {
            rows.push(*candidate);
        }
    }
    let labels: Vec<&str> = topics
        .iter()
        .map(|topic| COMFORT_TOPICS[*topic].1)
        .collect();
    let matrix_rows = rows
        .into_iter()
        .map(|(column, fact)| MatrixRow {
            text: sentence(fact.text()),
            column,
            rationale: format!(
                "{} is part of {}.{}",
                sentence(fact.text()),
                COMFORT_TOPICS[topics[column]].0,
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    let stem = "The nurse is reviewing care for several clients on a surgical unit. For each nursing action, select the aspect of care it applies to.".to_owned();
    let rationale = "Each action is a recorded rule or step of one care topic: closed wound drains, incentive spirometry, pressure injury prevention, nasogastric tube placement, fall prevention or wound cleansing.".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &labels,
        matrix_rows,
        rationale,
    ))
}

/// Topics of the correction item: (subject, stem context).
const CORRECTION_TOPICS: [(&str, &str); 3] = [
    (
        "pressure injury prevention",
        "caring for a bed-bound client at risk for pressure injury",
    ),
    (
        "nasogastric tube placement",
        "inserting a nasogastric tube for enteral feeding",
    ),
    (
        "tracheostomy suctioning",
        "clearing secretions from a client's tracheostomy",
    ),
];

fn correction_good<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<(String, &'a Fact)> {
    let mut good: Vec<(String, &Fact)> = ["step", "rule"]
        .iter()
        .flat_map(|attribute| kb.values(PROC, subject, attribute))
        .map(|fact| (sentence(fact.text()), fact))
        .collect();
    for fact in kb.values(PROC, subject, "time_limit") {
        if let Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } = &fact.value
        {
            good.push((
                format!(
                    "Limit each suction pass to {} to {} {units}",
                    number(*low),
                    number(*high)
                ),
                fact,
            ));
        }
    }
    good
}

fn correction_cases(kb: &KnowledgeBase) -> Vec<Case> {
    CORRECTION_TOPICS
        .iter()
        .filter(|(subject, _)| {
            correction_good(kb, subject).len() >= 3
                && kb
                    .values(PROC, subject, "avoid")
                    .iter()
                    .any(|fact| avoid_action(fact).is_some())
        })
        .flat_map(|(subject, _)| cases_n(subject, PROC, 8))
        .collect()
}

/// "Which action by the new nurse requires correction?"
fn correction_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let topic = CORRECTION_TOPICS
        .iter()
        .find(|(subject, _)| *subject == case.subject)?;
    let avoid = kb
        .values(PROC, topic.0, "avoid")
        .into_iter()
        .find(|fact| avoid_action(fact).is_some())?;
    let key = Opt::new(
        avoid_action(avoid)?,
        format!(
            "This needs correction: avoid {}.{}",
            avoid.text(),
            cite_note(avoid)
        ),
        &[avoid],
    );
    let good = correction_good(kb, topic.0);
    let distractors: Vec<Opt> = rng
        .sample(&good, 3)
        .into_iter()
        .map(|(text, fact)| {
            Opt::new(
                text.clone(),
                format!("{text} is correct practice.{}", cite_note(fact)),
                &[fact],
            )
        })
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        format!(
            "The nurse observes a newly hired nurse {}. Which action requires the nurse to intervene?",
            topic.1
        ),
        format!(
            "A preceptor watches an orientee {}. Which action by the orientee needs correction?",
            topic.1
        ),
    ];
    let stem = frames[case.variant as usize % 2].clone();
    let rationale = format!(
        "Safe practice when {} follows the recorded rules; the action to correct is {}.",
        topic.1,
        avoid.text()
    );
    Some(build::multiple_choice(
        kb,
        &meta.about(topic.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}
