//! The adaptive exam's item bank, built from the item catalog: items generated deterministically
//! for every client need, each with a Rasch difficulty from its prior (the item's difficulty level,
//! [`super::calibration::item_prior`]) until calibration supplies a better one. Case studies become
//! six-part testlets whose parts carry their own difficulty and client need.

use std::collections::HashMap;
use std::sync::Arc;

use super::calibration::item_prior;
use super::cat::{Bank, BankEntry, Part};
use crate::domain::items::catalog::{Catalog, Filter};
use crate::domain::items::rng::mix;
use crate::domain::items::{ClientNeed, Item, ItemType};
use crate::domain::knowledge::KnowledgeBase;

/// The bank and the items behind its entries.
pub struct CatBank {
    pub bank: Bank,
    pub items: Arc<HashMap<String, Item>>,
}

/// The seed of the built-in bank: the same content makes the same bank, so sessions survive a
/// restart.
pub const BANK_SEED: u64 = 0x0ca7_ba4c;

/// The prior difficulty of an item in logits.
pub fn prior_b(item: &Item) -> f64 {
    item_prior(item.difficulty.logit_prior(), &[]).mean
}

/// Builds the bank from `items`: stand-alone items and case studies with their six parts.
pub fn from_items(items: Vec<Item>) -> CatBank {
    let mut entries = Vec::with_capacity(items.len());
    let mut by_id = HashMap::with_capacity(items.len());
    for item in items {
        let parts = if item.item_type == ItemType::CaseStudy {
            item.items
                .iter()
                .map(|inner| Part {
                    id: inner.id.clone(),
                    b: prior_b(inner),
                    client_need: inner.client_need,
                })
                .collect()
        } else {
            vec![Part {
                id: item.id.clone(),
                b: prior_b(&item),
                client_need: item.client_need,
            }]
        };
        if parts.is_empty() || by_id.contains_key(&item.id) {
            continue;
        }
        entries.push(BankEntry {
            id: item.id.clone(),
            client_need: item.client_need,
            parts,
        });
        by_id.insert(item.id.clone(), item);
    }
    CatBank {
        bank: Bank::new(entries),
        items: Arc::new(by_id),
    }
}

/// The bank with calibrated difficulties: each part whose id `calibrated` names takes that
/// difficulty (the caller passes only calibrations the exam may use,
/// [`super::calibration::usable_by_exam`]); the others keep their priors. The items are shared.
pub fn with_calibration(base: &CatBank, calibrated: &HashMap<String, f64>) -> CatBank {
    let entries = base
        .bank
        .entries()
        .iter()
        .map(|entry| BankEntry {
            id: entry.id.clone(),
            client_need: entry.client_need,
            parts: entry
                .parts
                .iter()
                .map(|part| Part {
                    id: part.id.clone(),
                    b: calibrated.get(&part.id).copied().unwrap_or(part.b),
                    client_need: part.client_need,
                })
                .collect(),
        })
        .collect();
    CatBank {
        bank: Bank::new(entries),
        items: Arc::clone(&base.items),
    }
}

/// Generates up to `per_need` items for each client need from the catalog (deterministic for a
/// given catalog and seed).
pub fn generate(catalog: &Catalog, kb: &KnowledgeBase, per_need: usize, seed: u64) -> CatBank {
    let mut items = Vec::new();
    for (index, need) in ClientNeed::ALL.into_iter().enumerate() {
        let filter = Filter {
            client_need: Some(need),
            ..Filter::default()
        };
        items.extend(catalog.generate_matching(kb, &filter, per_need, mix(seed, index as u64)));
    }
    from_items(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::psychometrics::cat::BankEntry;

    #[test]
    fn calibrated_difficulties_replace_the_priors_of_the_parts_they_name() {
        let base = CatBank {
            bank: Bank::new(vec![
                BankEntry::single("a", 0.0, ClientNeed::ManagementOfCare),
                BankEntry::single("b", 1.0, ClientNeed::ManagementOfCare),
            ]),
            items: Arc::new(HashMap::new()),
        };
        let calibrated = HashMap::from([("b".to_owned(), -0.4), ("zzz".to_owned(), 3.0)]);
        let bank = with_calibration(&base, &calibrated);
        assert_eq!(bank.bank.get("a").unwrap().parts[0].b, 0.0);
        assert_eq!(bank.bank.get("b").unwrap().parts[0].b, -0.4);
        assert_eq!(bank.bank.len(), 2);
    }
}
