//! Care-environment item models: management of care (delegation, priority, triage frameworks),
//! safety and infection control (isolation, hand hygiene, START triage, safety sequences and
//! rules), health promotion and maintenance (growth and development, maternal–newborn, age norms),
//! psychosocial integrity (therapeutic communication, defense mechanisms, mental-health safety) and
//! basic care and comfort (procedure rules and steps).
//!
//! One file per area, each with its table of [`ModelSpec`]s; this module holds what they share
//! (the families, sequences for ordered-response items, small helpers). Keys and
//! distractors come from undisputed facts; where a distractor could be true for the subject in
//! some reading (neighbouring developmental stages, interventions shared by two deceleration
//! patterns, overlapping age ranges), the model excludes it explicitly and says so in its
//! description. The catalog checks every generated item against the quality gate, once.

pub mod basic_care;
pub mod health;
pub mod management;
pub mod psychosocial;
pub mod safety;

use std::collections::BTreeSet;

use super::prose::{before_parenthetical, cite_note, serial_list, with_article};
use crate::domain::items::build::{self, MatrixRow, Opt, SlotSpec, sentence};
use crate::domain::items::catalog::Case;
use crate::domain::items::rng::Rng;
use crate::domain::items::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use crate::domain::items::{ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use crate::domain::knowledge::{
    Fact, Family, KnowledgeBase, Value, content_words, normalise, number, shared_words,
    sorted_share,
};

const DEL: Family = Family::Delegation;
const PRI: Family = Family::Priority;
const ISO: Family = Family::Isolation;
const DEV: Family = Family::Development;
const COMM: Family = Family::Communication;
const MAT: Family = Family::MaternalNewborn;
const MH: Family = Family::MentalHealth;
const PROC: Family = Family::ProceduresSafety;
const VS: Family = Family::VitalSigns;

// ---------------------------------------------------------------------------------------------
// Shared helpers

fn ids(facts: &[&Fact]) -> Vec<String> {
    facts.iter().map(|fact| fact.id.clone()).collect()
}

fn cases_n(subject: &str, family: Family, count: u32) -> Vec<Case> {
    (0..count)
        .map(|variant| Case::new(subject, family, variant))
        .collect()
}

/// "preschooler safety" → "preschoolers".
fn age_group_label(subject: &str) -> &str {
    match subject {
        "infant safety" => "infants",
        "toddler safety" => "toddlers",
        "preschooler safety" => "preschoolers",
        "school-age safety" => "school-age children",
        "adolescent safety" => "adolescents",
        other => other,
    }
}

/// Avoid facts ("tying the restraint to a side rail") restated as actions a nurse might take.
const AVOID_AS_ACTION: [(&str, &str); 13] = [
    (
        "relying on a no-suicide contract",
        "Rely on a no-suicide contract",
    ),
    (
        "arguing with or threatening the client",
        "Argue with or threaten the client",
    ),
    (
        "arguing about or reinforcing delusions",
        "Argue about or reinforce the client's delusions",
    ),
    (
        "using restraint or seclusion for staff convenience or as punishment",
        "Use restraint or seclusion as punishment",
    ),
    (
        "competitive group games",
        "Encourage competitive group games",
    ),
    (
        "restraining the client",
        "Restrain the client during the seizure",
    ),
    (
        "putting anything in the client's mouth",
        "Put an object in the client's mouth during the seizure",
    ),
    (
        "tying the restraint to a side rail",
        "Tie the restraint to the side rail",
    ),
    (
        "adding medications to the blood or its tubing",
        "Add a medication to the blood tubing",
    ),
    (
        "massaging reddened bony prominences",
        "Massage reddened bony prominences",
    ),
    (
        "relying on auscultation of injected air to confirm placement",
        "Confirm placement by auscultating injected air",
    ),
    (
        "routine instillation of normal saline",
        "Instill normal saline before each suction pass",
    ),
    (
        "arguing with or reinforcing delusions",
        "Argue about or reinforce the client's delusions",
    ),
];

fn avoid_action(fact: &Fact) -> Option<String> {
    let wanted = fact.norm();
    AVOID_AS_ACTION
        .iter()
        .find(|(text, _)| normalise(text) == wanted)
        .map(|(_, action)| (*action).to_owned())
}

/// A sequence recorded with `order` (at least three steps).
fn sequence<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attribute: &str,
) -> Vec<&'a Fact> {
    let steps: Vec<&Fact> = kb
        .values(family, subject, attribute)
        .into_iter()
        .filter(|fact| fact.order.is_some())
        .collect();
    let distinct: BTreeSet<u32> = steps.iter().filter_map(|fact| fact.order).collect();
    if distinct.len() == steps.len() {
        steps
    } else {
        Vec::new()
    }
}

/// Index sets (in order) of `n` steps: the full sequence and every subset of at least `min` steps.
fn subsets(n: usize, min: usize) -> Vec<Vec<usize>> {
    if n == 0 || n > 12 {
        return Vec::new();
    }
    let mut all: Vec<Vec<usize>> = (1u32..(1 << n))
        .map(|mask| {
            (0..n)
                .filter(|index| mask & (1 << index) != 0)
                .collect::<Vec<usize>>()
        })
        .filter(|set| set.len() >= min.min(n) && set.len() <= 7)
        .collect();
    all.sort_by_key(|set| (std::cmp::Reverse(set.len()), set.clone()));
    all
}

/// One ordered-response sequence: where it is recorded and how the stem introduces it.
struct SequenceSpec {
    family: Family,
    subject: &'static str,
    attribute: &'static str,
    stem: &'static str,
    min: usize,
    /// Strips a "label: " prefix (SBAR definitions) so the order is not given away.
    strip_label: bool,
}

const PRIORITY_SEQUENCES: [SequenceSpec; 3] = [
    SequenceSpec {
        family: PRI,
        subject: "maslow",
        attribute: "level",
        stem: "The nurse uses Maslow's hierarchy of needs to plan care. Place the needs in the order in which the nurse should address them, starting with the first.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PRI,
        subject: "abc",
        attribute: "level",
        stem: "The nurse applies the ABC framework to set priorities. Place the problems in the order in which the nurse should address them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: COMM,
        subject: "sbar",
        attribute: "definition",
        stem: "The nurse calls the provider about a change in a client's condition using SBAR. Place the parts of the report in the order in which the nurse should give them.",
        min: 3,
        strip_label: true,
    },
];

const SAFETY_SEQUENCES: [SequenceSpec; 6] = [
    SequenceSpec {
        family: ISO,
        subject: "ppe sequence",
        attribute: "don_step",
        stem: "The nurse is preparing to enter the room of a client who requires several types of personal protective equipment. Place the items in the order in which the nurse should put them on.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: ISO,
        subject: "ppe sequence",
        attribute: "doff_step",
        stem: "The nurse is leaving the room of a client in isolation. Place the steps for removing personal protective equipment in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "race",
        attribute: "step",
        stem: "A fire starts in a client's room. Place the nurse's actions in the order of the RACE response.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "pass",
        attribute: "step",
        stem: "The nurse uses a portable fire extinguisher on a small fire. Place the steps in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "universal protocol",
        attribute: "step",
        stem: "A client is scheduled for an invasive procedure. Place the steps of the Universal Protocol in the correct order.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "transfusion reaction response",
        attribute: "step",
        stem: "A client receiving packed red blood cells develops chills and low back pain. Place the nurse's actions in the order in which they should be performed.",
        min: 3,
        strip_label: false,
    },
];

const STAGE_SEQUENCES: [SequenceSpec; 3] = [
    SequenceSpec {
        family: DEV,
        subject: "erikson",
        attribute: "stage",
        stem: "Place Erikson's psychosocial stages in the order in which they occur across the life span.",
        min: 4,
        strip_label: false,
    },
    SequenceSpec {
        family: DEV,
        subject: "piaget",
        attribute: "stage",
        stem: "Place Piaget's stages of cognitive development in the order in which children move through them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: MAT,
        subject: "lochia",
        attribute: "rule",
        stem: "The nurse teaches a postpartum client about expected vaginal discharge. Place the types of lochia in the order in which they normally occur.",
        min: 3,
        strip_label: false,
    },
];

const PROCEDURE_SEQUENCES: [SequenceSpec; 2] = [
    SequenceSpec {
        family: PROC,
        subject: "tracheostomy suctioning",
        attribute: "step",
        stem: "The nurse is suctioning a client's tracheostomy. Place the steps in the order in which the nurse should perform them.",
        min: 3,
        strip_label: false,
    },
    SequenceSpec {
        family: PROC,
        subject: "incentive spirometer teaching",
        attribute: "step",
        stem: "The nurse teaches a postoperative client to use an incentive spirometer. Place the steps in the order the client should follow.",
        min: 4,
        strip_label: false,
    },
];

fn sequence_specs(id: &str) -> &'static [SequenceSpec] {
    match id {
        "priority-sequence-or" => &PRIORITY_SEQUENCES,
        "safety-sequence-or" => &SAFETY_SEQUENCES,
        "dev-stage-order-or" => &STAGE_SEQUENCES,
        _ => &PROCEDURE_SEQUENCES,
    }
}

/// Variant = sequence index × 1000 + subset index.
fn sequence_cases_for(kb: &KnowledgeBase, specs: &[SequenceSpec]) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, seq) in specs.iter().enumerate() {
        let steps = sequence(kb, seq.family, seq.subject, seq.attribute);
        if steps.len() < 3 {
            continue;
        }
        for subset in 0..subsets(steps.len(), seq.min).len() {
            cases.push(Case::new(
                seq.subject,
                seq.family,
                index as u32 * 1000 + subset as u32,
            ));
        }
    }
    cases
}

fn priority_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &PRIORITY_SEQUENCES)
}
fn safety_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &SAFETY_SEQUENCES)
}
fn stage_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &STAGE_SEQUENCES)
}
fn procedure_sequence_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence_cases_for(kb, &PROCEDURE_SEQUENCES)
}

/// Put the steps of a recorded sequence (or an ordered subset of it) in order.
fn sequence_or(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let seq = sequence_specs(meta.model).get((case.variant / 1000) as usize)?;
    let steps = sequence(kb, seq.family, seq.subject, seq.attribute);
    let chosen = subsets(steps.len(), seq.min)
        .get((case.variant % 1000) as usize)?
        .clone();
    let text_of = |fact: &Fact| -> String {
        let text = fact.text();
        let text = if seq.strip_label {
            text.split_once(": ").map_or(text, |(_, rest)| rest)
        } else {
            text
        };
        sentence(&text.replace(" vs ", " vs. "))
    };
    let options: Vec<Opt> = chosen
        .iter()
        .enumerate()
        .map(|(position, &index)| {
            let fact = steps[index];
            Opt::new(
                text_of(fact),
                format!(
                    "Position {} of {}: {} (step {} of the full sequence).{}",
                    position + 1,
                    chosen.len(),
                    sentence(fact.text()),
                    fact.order.unwrap_or(0),
                    cite_note(fact)
                ),
                &[fact],
            )
        })
        .collect();
    let full: Vec<String> = steps.iter().map(|fact| sentence(fact.text())).collect();
    let partial = if chosen.len() < steps.len() {
        " Only some of the steps are listed; keep them in their relative order."
    } else {
        ""
    };
    let stem = format!(
        "{}{}",
        seq.stem,
        if partial.is_empty() {
            ""
        } else {
            " Not every step is listed."
        }
    );
    let rationale = format!("The recorded sequence is: {}.{partial}", full.join(" → "));
    Some(build::ordered_response(
        kb,
        &meta.about(seq.subject),
        seed,
        stem,
        options,
        rationale,
    ))
}

/// Lengths homogeneous enough for one-best-answer options.
fn balanced(texts: &[&str], key: &str) -> bool {
    let lengths: Vec<usize> = texts.iter().map(|text| text.chars().count()).collect();
    let shortest = lengths.iter().copied().min().unwrap_or(0);
    let longest = lengths.iter().copied().max().unwrap_or(0);
    let key_length = key.chars().count();
    let longest_other = texts
        .iter()
        .filter(|text| **text != key)
        .map(|text| text.chars().count())
        .max()
        .unwrap_or(0);
    longest <= shortest * 4 && key_length * 2 <= longest_other * 3
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;
    use crate::domain::items::catalog::Catalog;

    fn content() -> &'static (KnowledgeBase, Catalog) {
        static CONTENT: OnceLock<(KnowledgeBase, Catalog)> = OnceLock::new();
        CONTENT.get_or_init(|| {
            let kb = crate::domain::knowledge::load_embedded_for_tests();
            let catalog = Catalog::builtin(&kb);
            (kb, catalog)
        })
    }

    /// Every gated item of the model `id`, one per case and seed in `seeds`.
    fn items_of(id: &str, seeds: u64) -> Vec<Item> {
        let (kb, catalog) = content();
        let Some(index) = catalog.model_index(id) else {
            panic!("no model {id}");
        };
        catalog
            .cases(index)
            .iter()
            .flat_map(|case| {
                (0..seeds).filter_map(move |seed| catalog.generate_case(kb, index, case, seed))
            })
            .collect()
    }

    fn option_texts(item: &Item) -> Vec<String> {
        item.options
            .iter()
            .chain(&item.rows)
            .chain(item.slots.iter().flat_map(|slot| &slot.options))
            .map(|option| option.text.clone())
            .collect()
    }

    #[test]
    fn precaution_items_have_four_options_and_a_protective_environment_beside_transmission_keys() {
        let items = items_of("iso-precaution-mc", 3);
        assert!(!items.is_empty());
        for item in &items {
            assert_eq!(item.options.len(), 4, "{item:#?}");
            if item
                .question
                .contains("In addition to standard precautions")
                || item.question.contains("transmission-based")
            {
                assert!(
                    option_texts(item).contains(&"Protective environment".to_owned()),
                    "{item:#?}"
                );
                assert!(!option_texts(item).contains(&"Standard precautions".to_owned()));
            }
        }
    }

    #[test]
    fn every_multiple_choice_item_of_the_care_models_has_four_options() {
        let (_, catalog) = content();
        for model in catalog.models() {
            if model.item_type() != ItemType::MultipleChoice
                || !(model.id().starts_with("dev-")
                    || model.id().starts_with("mh-")
                    || model.id().starts_with("iso-"))
            {
                continue;
            }
            for item in items_of(model.id(), 2) {
                assert_eq!(item.options.len(), 4, "{}: {item:#?}", model.id());
            }
        }
    }

    #[test]
    fn restraint_items_offer_a_fourth_time_beyond_every_recorded_limit() {
        let items = items_of("mh-restraint-order-mc", 1);
        assert!(!items.is_empty());
        for item in &items {
            assert!(
                option_texts(item).contains(&"8 hours".to_owned()),
                "{item:#?}"
            );
            assert_eq!(item.ncjmm_function, NcjmmFunction::RecognizeCues);
        }
    }

    #[test]
    fn milestone_items_have_four_ages_none_overlapping_the_key() {
        let items = items_of("dev-milestone-age-mc", 4);
        assert!(!items.is_empty());
        for item in &items {
            assert_eq!(item.options.len(), 4, "{item:#?}");
            if item.question.contains("birth weight triple") {
                assert!(
                    !option_texts(item)
                        .iter()
                        .any(|text| text == "9 months" || text == "12 to 18 months")
                );
            }
        }
    }

    /// Issue 14: no rationale claims that an option belongs only to something else ("typical of
    /// toddlers, not of a preschooler", "an intervention for X, not indicated here").
    #[test]
    fn care_rationales_teach_the_cue_rather_than_claim_exclusivity() {
        let (_, catalog) = content();
        let banned = [
            ", not of ",
            "not this one",
            "not the stage of",
            "not indicated here",
            "not one of the five rights",
            "not why this response is",
            ", not to ",
            "not for organisms",
            "not of hemorrhage",
            "not hemorrhage",
            "specific to",
        ];
        let ids: Vec<&str> = catalog
            .models()
            .map(|model| model.id())
            .filter(|id| {
                [
                    "dev-", "mh-", "iso-", "comm-", "deleg-", "fhr-", "pph-", "care-",
                ]
                .iter()
                .any(|prefix| id.starts_with(prefix))
            })
            .collect();
        for id in ids {
            for item in items_of(id, 1) {
                for rationale in item.option_rationales.values() {
                    for phrase in banned {
                        assert!(!rationale.contains(phrase), "{id}: {rationale}");
                    }
                }
            }
        }
    }

    #[test]
    fn fall_prevention_makes_comfort_matrix_items() {
        let (kb, catalog) = content();
        let index = catalog
            .model_index("comfort-care-matrix")
            .unwrap_or_else(|| panic!("no comfort matrix"));
        let case = catalog
            .cases(index)
            .iter()
            .find(|case| case.subject == "fall prevention")
            .unwrap_or_else(|| panic!("no fall prevention case"));
        let made = (0..8)
            .filter_map(|seed| catalog.generate_case(kb, index, case, seed))
            .count();
        assert!(made > 0);
    }

    #[test]
    fn the_normal_blood_pressure_range_is_below_120_and_below_80() {
        // Was "≤ 120 mm Hg": normal is systolic below 120 and diastolic below 80.
        let (kb, _) = content();
        let facts = kb.values(VS, "normal blood pressure", "reference_range");
        assert_eq!(facts.len(), 1);
        let shown = facts[0].value.display();
        assert_eq!(
            shown,
            "systolic below 120 mm Hg and diastolic below 80 mm Hg"
        );
        assert!(!shown.contains('≤'));
    }
}
