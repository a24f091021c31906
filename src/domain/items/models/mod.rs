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
    use std::sync::OnceLock;

    use super::super::catalog::Catalog;
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        static KB: OnceLock<KnowledgeBase> = OnceLock::new();
        KB.get_or_init(crate::domain::knowledge::load_embedded_for_tests)
    }

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
