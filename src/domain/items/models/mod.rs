//! The built-in item models, one file per area. Each model documents (in `description`) the facts
//! it draws on and how its distractors are built; `docs/content.md` is generated from these.
//!
//! Shared rules for every model:
//! - keys and distractors come from undisputed facts only (`KnowledgeBase::values` filters them);
//! - a distractor is never a true statement about the subject (`KnowledgeBase::states`);
//! - every option's rationale says why it is right or wrong, from the facts;
//! - a case that cannot make a sound item returns `None` (the catalog skips it).

mod care;
mod clinical_numbers;
mod disorders;
mod pharmacology;
pub mod prose;

use std::collections::BTreeSet;

use super::spec::ModelSpec;
use crate::domain::knowledge::{Fact, Family, KnowledgeBase, normalise};

/// Every built-in model, area by area, in catalog order.
pub fn all() -> Vec<&'static ModelSpec> {
    [
        pharmacology::MODELS,
        clinical_numbers::medications::MODELS,
        clinical_numbers::labs::MODELS,
        clinical_numbers::electrolytes::MODELS,
        clinical_numbers::iv_solutions::MODELS,
        clinical_numbers::acid_base::MODELS,
        clinical_numbers::dosage::MODELS,
        disorders::recognize::MODELS,
        disorders::analyze::MODELS,
        disorders::prioritize::MODELS,
        disorders::solutions::MODELS,
        disorders::action::MODELS,
        disorders::evaluate::MODELS,
        disorders::unfolding::MODELS,
        care::management::MODELS,
        care::safety::MODELS,
        care::health::MODELS,
        care::psychosocial::MODELS,
        care::basic_care::MODELS,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Facts with `attribute` about subjects other than `subject`, whose text `subject` does not state
/// under any of `exclude_attributes`, deduplicated by text, in a stable order.
pub fn foreign_values<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attribute: &str,
    exclude_attributes: &[&str],
) -> Vec<&'a Fact> {
    let mut seen = BTreeSet::new();
    kb.with_attribute(family, attribute)
        .into_iter()
        .filter(|fact| fact.subject != subject)
        .filter(|fact| {
            !exclude_attributes
                .iter()
                .any(|attr| kb.states_fact(family, subject, attr, fact))
        })
        .filter(|fact| seen.insert(fact.norm().to_owned()))
        .collect()
}

/// [`foreign_values`] restricted to subjects of another class than `subject` and to facts without a
/// condition: a drug of the same class often shares the property, so it would not be a wrong answer.
pub fn other_class_values<'a>(
    kb: &'a KnowledgeBase,
    family: Family,
    subject: &str,
    attribute: &str,
    exclude_attributes: &[&str],
) -> Vec<&'a Fact> {
    let class = kb.class_of(family, subject);
    foreign_values(kb, family, subject, attribute, exclude_attributes)
        .into_iter()
        .filter(|fact| fact.condition.trim().is_empty())
        .filter(|fact| class.is_none() || kb.class_of(family, &fact.subject) != class)
        .collect()
}

/// How many subjects of a family state `text` under `attribute`: high counts mean a generic finding
/// that makes a poor key or distractor.
pub fn commonness(kb: &KnowledgeBase, family: Family, attribute: &str, text: &str) -> usize {
    let wanted = normalise(text);
    kb.with_attribute(family, attribute)
        .into_iter()
        .filter(|fact| fact.norm() == wanted)
        .map(|fact| fact.subject.as_str())
        .collect::<BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    /// Every model × 200 seeds through the catalog (which gates every item once): most seeds make
    /// an item.
    #[test]
    fn every_model_makes_gated_items_for_most_of_two_hundred_seeds() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        for (index, model) in catalog.models().enumerate() {
            assert!(catalog.case_count(index) > 0, "{} has no cases", model.id());
            let cases = catalog.cases(index);
            let made = (0..200u64)
                .filter(|&seed| {
                    let case = &cases[seed as usize % cases.len()];
                    catalog.generate_case(kb, index, case, seed).is_some()
                })
                .count();
            assert!(
                made >= 100,
                "{} made only {made} items from 200 seeds",
                model.id()
            );
        }
    }

    /// A snake_case word ("renal_urinary", "hold_if") in item prose: an internal code that leaked.
    fn internal_codes(text: &str) -> Vec<String> {
        // Cloze and drag-and-drop templates name their slots as {{slot_id}}.
        let mut prose = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            prose.push_str(&rest[..start]);
            rest = rest[start..]
                .find("}}")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        prose.push_str(rest);
        prose
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|word| {
                let parts: Vec<&str> = word.split('_').collect();
                parts.len() > 1
                    && parts.iter().all(|part| {
                        !part.is_empty()
                            && part
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    })
            })
            .map(str::to_owned)
            .collect()
    }

    /// Every text a student or an educator reads in an item (stem, exhibit, options, rows, columns,
    /// slot choices, rationales; case-study parts included), with where it is.
    fn prose_of(value: &serde_json::Value, place: &str, out: &mut Vec<(String, String)>) {
        // The calculation's formula names the gate's recomputation, which no one reads as text.
        const CODES: [&str; 15] = [
            "formula",
            "id",
            "item_type",
            "client_need",
            "ncjmm_function",
            "qsen_competency",
            "aacn_competency",
            "difficulty",
            "topic",
            "item_model",
            "source_facts",
            "sources",
            "correct_answer",
            "scoring_rule",
            "seed",
        ];
        match value {
            serde_json::Value::String(text) => out.push((place.to_owned(), text.clone())),
            serde_json::Value::Array(values) => {
                for value in values {
                    prose_of(value, place, out);
                }
            }
            serde_json::Value::Object(fields) => {
                for (key, value) in fields {
                    if !CODES.contains(&key.as_str()) {
                        prose_of(value, &format!("{place}.{key}"), out);
                    }
                }
            }
            _ => {}
        }
    }

    /// No internal identifier (a class code such as renal_urinary, an attribute, a slot id) reaches
    /// the text of any item of any model: every case of every model, with a few seeds.
    #[test]
    fn no_internal_code_reaches_item_text() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let mut leaks = Vec::new();
        let mut made = 0;
        for (index, model) in catalog.models().enumerate() {
            for (number, case) in catalog.cases(index).iter().enumerate() {
                for seed in [number as u64, number as u64 + 7] {
                    let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                        continue;
                    };
                    made += 1;
                    let Ok(json) = serde_json::to_value(&item) else {
                        panic!("{} serialises", model.id());
                    };
                    let mut texts = Vec::new();
                    prose_of(&json, "item", &mut texts);
                    for (place, text) in texts {
                        for code in internal_codes(&text) {
                            leaks.push(format!("{} {place}: {code} in {text}", model.id()));
                        }
                    }
                }
            }
        }
        assert!(made > 1000, "{made}");
        leaks.sort();
        leaks.dedup();
        assert!(
            leaks.is_empty(),
            "{} leaks:\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }

    #[test]
    fn the_internal_code_check_finds_codes_and_passes_prose() {
        assert_eq!(
            internal_codes("a finding of pyelonephritis (renal_urinary), not of X"),
            vec!["renal_urinary".to_owned()]
        );
        assert!(
            internal_codes("Select {{slot_1}} then {{slot_2}}: a well-known, non-specific cue.")
                .is_empty()
        );
        assert!(internal_codes("SpO2 92% at 08:00").is_empty());
    }

    #[test]
    fn the_same_seed_gives_the_same_item_and_other_seeds_other_content() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        for index in 0..catalog.models().count() {
            let first = catalog.generate(kb, index, 11);
            assert_eq!(first, catalog.generate(kb, index, 11));
            let signatures: BTreeSet<String> = (0..20)
                .filter_map(|seed| catalog.generate(kb, index, seed))
                .map(|item| super::super::catalog::signature(&item))
                .collect();
            if catalog.case_count(index) > 1 {
                assert!(
                    signatures.len() > 1,
                    "model {index} gives the same content for every seed"
                );
            }
        }
    }
}
