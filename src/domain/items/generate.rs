//! The generation policy every caller shares (the HTTP API, quizzes, adaptive exams, the CLI and
//! the bench): how a request's seed is derived or checked, its cache key, drawing matching items
//! from the catalog, and filling up from other difficulty levels without repeating an item or a
//! stem (two items of one set never ask the same question).

use std::collections::BTreeSet;

use super::catalog::{Catalog, Filter, signature, stem_key};
use super::rng::mix;
use super::{ClientNeed, Difficulty, Item, ItemType};
use crate::domain::knowledge::{Family, KnowledgeBase, normalise};

/// A generation seed: below 2^53, so JSON clients (JavaScript numbers) hold it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seed(u64);

/// A seed of 2^53 or more was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be between 0 and {max}", max = Seed::MAX)]
pub struct SeedOutOfRange;

impl Seed {
    /// The largest seed: 2^53 − 1.
    pub const MAX: u64 = (1 << 53) - 1;

    /// `value` as a seed, or the error when it is 2^53 or more.
    pub fn new(value: u64) -> Result<Seed, SeedOutOfRange> {
        if value <= Seed::MAX {
            Ok(Seed(value))
        } else {
            Err(SeedOutOfRange)
        }
    }

    /// Any 64-bit number folded into the seed range (keeps its low 53 bits).
    pub fn fold(value: u64) -> Seed {
        Seed(value & Seed::MAX)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// What to generate, after validation: the topic as the user typed it (it feeds the derived seed
/// and the cache key), the subjects it resolved to, and the filters.
#[derive(Debug, Clone)]
pub struct GenerationRequest {
    pub topic: String,
    pub subjects: BTreeSet<(Family, String)>,
    pub item_types: BTreeSet<ItemType>,
    pub client_need: Option<ClientNeed>,
    /// Preferred difficulty: other levels fill up when too few items match.
    pub difficulty: Option<Difficulty>,
    pub count: usize,
    /// `None`: derived from the other parameters, so the same request gives the same items.
    pub seed: Option<Seed>,
}

/// The items of a request and the seed they were drawn with.
#[derive(Debug, Clone)]
pub struct Generated {
    pub seed: Seed,
    pub items: Vec<Item>,
}

impl Generated {
    /// How many items have the requested difficulty.
    pub fn matching_difficulty(&self, difficulty: Option<Difficulty>) -> usize {
        matching_difficulty(&self.items, difficulty)
    }
}

/// How many of `items` have `difficulty` (none when no difficulty was asked for).
pub fn matching_difficulty(items: &[Item], difficulty: Option<Difficulty>) -> usize {
    items
        .iter()
        .filter(|item| Some(item.difficulty) == difficulty)
        .count()
}

impl GenerationRequest {
    /// The parameters that decide the items, in a stable text form.
    fn parameters(&self) -> String {
        let types: Vec<ItemType> = self.item_types.iter().copied().collect();
        format!(
            "{}|{}|{:?}|{:?}|{:?}",
            normalise(&self.topic),
            self.count,
            self.difficulty,
            types,
            self.client_need
        )
    }

    /// The given seed, or one derived from the parameters (FNV-1a, folded below 2^53).
    pub fn seed(&self) -> Seed {
        self.seed.unwrap_or_else(|| {
            let hash = self
                .parameters()
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
                    (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
                });
            Seed::fold(hash)
        })
    }

    /// The key under which the items of this request and `seed` may be cached.
    pub fn cache_key(&self, seed: Seed) -> String {
        format!("{}|{}", self.parameters(), seed.get())
    }
}

/// Up to `request.count` distinct items for the request: those of the preferred difficulty first,
/// then, when too few match, items of other levels that repeat none already chosen. Empty when the
/// subjects make no item of the requested types.
pub fn generate(catalog: &Catalog, kb: &KnowledgeBase, request: &GenerationRequest) -> Generated {
    let seed = request.seed();
    let count = request.count;
    let mut filter = Filter {
        subjects: Some(request.subjects.clone()),
        item_types: Some(request.item_types.clone()),
        client_need: request.client_need,
        difficulty: request.difficulty,
    };
    let mut items = catalog.generate_matching(kb, &filter, count, seed.get());
    if items.len() < count && request.difficulty.is_some() {
        // Fill up with other difficulty levels rather than return too few.
        filter.difficulty = None;
        let mut have: BTreeSet<String> = items.iter().map(signature).collect();
        let mut stems: BTreeSet<String> = items.iter().map(stem_key).collect();
        let more = catalog.generate_matching(kb, &filter, count * 2, mix(seed.get(), 1));
        let missing = count - items.len();
        items.extend(
            more.into_iter()
                .filter(|item| have.insert(signature(item)) && stems.insert(stem_key(item)))
                .take(missing),
        );
    }
    Generated { seed, items }
}

/// Up to `count` items for `filter`, preferring items whose ids are not in `seen` (the items a
/// student has met): up to three draws of twice the count, the third at any difficulty, then
/// items already seen fill up only what fresh ones cannot. Self-practice uses it so a student
/// meets new items before repeats.
pub fn generate_preferring_unseen(
    catalog: &Catalog,
    kb: &KnowledgeBase,
    filter: &Filter,
    count: usize,
    seed: u64,
    seen: &std::collections::HashSet<String>,
) -> Vec<Item> {
    let mut fresh = Vec::new();
    let mut repeats = Vec::new();
    let mut signatures = BTreeSet::new();
    let mut stems = BTreeSet::new();
    let mut relaxed = filter.clone();
    for round in 0..3u64 {
        if round == 2 {
            relaxed.difficulty = None;
        }
        for item in catalog.generate_matching(kb, &relaxed, count * 2, mix(seed, round)) {
            // Neither the same item nor the same stem twice in one set.
            if !signatures.insert(signature(&item)) || !stems.insert(stem_key(&item)) {
                continue;
            }
            if seen.contains(&item.id) {
                repeats.push(item);
            } else {
                fresh.push(item);
            }
        }
        if fresh.len() >= count {
            break;
        }
    }
    fresh.truncate(count);
    let missing = count - fresh.len();
    fresh.extend(repeats.into_iter().take(missing));
    fresh
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_below_two_to_the_fifty_third_are_accepted_and_larger_ones_refused() {
        assert_eq!(Seed::new(0).map(Seed::get), Ok(0));
        assert_eq!(
            Seed::new(Seed::MAX).map(Seed::get),
            Ok(9_007_199_254_740_991)
        );
        assert_eq!(Seed::new(Seed::MAX + 1), Err(SeedOutOfRange));
        assert_eq!(Seed::new(u64::MAX), Err(SeedOutOfRange));
        assert_eq!(Seed::fold(u64::MAX).get(), Seed::MAX);
    }

    #[test]
    fn a_derived_seed_is_in_range_and_depends_on_the_parameters() {
        let request = |topic: &str, count| GenerationRequest {
            topic: topic.to_owned(),
            subjects: BTreeSet::new(),
            item_types: [ItemType::MultipleChoice].into_iter().collect(),
            client_need: None,
            difficulty: None,
            count,
            seed: None,
        };
        let seeds: BTreeSet<u64> = ["warfarin", "Warfarin ", "heparin"]
            .iter()
            .flat_map(|topic| [5, 6].map(|count| request(topic, count).seed().get()))
            .collect();
        assert!(seeds.iter().all(|&seed| seed <= Seed::MAX), "{seeds:?}");
        // "Warfarin " normalises to "warfarin": four distinct parameter sets.
        assert_eq!(seeds.len(), 4, "{seeds:?}");
        let mut given = request("warfarin", 5);
        given.seed = Some(Seed(42));
        assert_eq!(given.seed().get(), 42);
        assert!(given.cache_key(given.seed()).ends_with("|42"));
    }

    fn content() -> &'static (KnowledgeBase, Catalog) {
        static CONTENT: std::sync::OnceLock<(KnowledgeBase, Catalog)> = std::sync::OnceLock::new();
        CONTENT.get_or_init(|| {
            let kb = crate::domain::knowledge::load_embedded_for_tests();
            let catalog = Catalog::builtin(&kb);
            (kb, catalog)
        })
    }

    #[test]
    fn no_set_repeats_a_stem() {
        // Delegation items share a few stems ("Which task can the charge nurse safely delegate
        // ..."): a set of them never asks the same question twice.
        let (kb, catalog) = content();
        let subjects: BTreeSet<(Family, String)> = kb
            .subjects(Family::Delegation)
            .iter()
            .map(|subject| (Family::Delegation, subject.clone()))
            .collect();
        for seed in 0..8 {
            let request = GenerationRequest {
                topic: "delegation".to_owned(),
                subjects: subjects.clone(),
                item_types: ItemType::ALL.into_iter().collect(),
                client_need: None,
                difficulty: Some(Difficulty::Intermediate),
                count: 30,
                seed: Some(Seed(seed)),
            };
            let items = generate(catalog, kb, &request).items;
            assert!(items.len() >= 5, "{}", items.len());
            let stems: BTreeSet<String> = items.iter().map(stem_key).collect();
            assert_eq!(stems.len(), items.len(), "a stem repeated in {items:#?}");
            let filter = Filter {
                subjects: Some(subjects.clone()),
                item_types: None,
                client_need: None,
                difficulty: None,
            };
            let practice =
                generate_preferring_unseen(catalog, kb, &filter, 30, seed, &Default::default());
            let stems: BTreeSet<String> = practice.iter().map(stem_key).collect();
            assert_eq!(stems.len(), practice.len());
        }
    }

    #[test]
    fn unseen_items_come_first_and_seen_ones_only_fill_up() {
        let (kb, catalog) = content();
        let filter = Filter {
            subjects: None,
            item_types: Some([ItemType::MultipleChoice].into_iter().collect()),
            client_need: None,
            difficulty: None,
        };
        let none_seen = std::collections::HashSet::new();
        let first = generate_preferring_unseen(catalog, kb, &filter, 10, 7, &none_seen);
        assert_eq!(first.len(), 10);
        let seen: std::collections::HashSet<String> =
            first.iter().map(|item| item.id.clone()).collect();
        // The same draw again: the bank is large, so ten items the student has not met exist.
        let second = generate_preferring_unseen(catalog, kb, &filter, 10, 7, &seen);
        assert_eq!(second.len(), 10);
        assert!(
            second.iter().all(|item| !seen.contains(&item.id)),
            "a seen item came back while fresh ones exist"
        );
        // Everything the draws can make has been seen: repeats fill the set rather than leave it short.
        let mut all_seen = seen.clone();
        for round in 0..3u64 {
            for item in catalog.generate_matching(kb, &filter, 20, mix(7, round)) {
                all_seen.insert(item.id);
            }
        }
        let third = generate_preferring_unseen(catalog, kb, &filter, 10, 7, &all_seen);
        assert_eq!(third.len(), 10);
        assert!(third.iter().all(|item| all_seen.contains(&item.id)));
    }
}
