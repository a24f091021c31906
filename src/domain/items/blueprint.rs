//! Assembling a practice exam to the NCLEX-RN test plan: client-need shares inside the published
//! ranges, NCJMM functions and item types balanced, no near-duplicates.

use super::ClientNeed;

/// How many of `total` items each client need gets: every share inside its test-plan range, the
/// rest spread by the ranges' midpoints (largest remainder).
pub fn allocate(total: usize) -> Vec<(ClientNeed, usize)> {
    let needs = ClientNeed::ALL;
    let total_f = total as f64;
    let mut counts: Vec<usize> = needs
        .iter()
        .map(|need| (need.test_plan_percent().0 / 100.0 * total_f).ceil() as usize)
        .collect();
    let maxima: Vec<usize> = needs
        .iter()
        .map(|need| (need.test_plan_percent().1 / 100.0 * total_f).floor() as usize)
        .collect();
    let midpoint = |need: &ClientNeed| {
        let (low, high) = need.test_plan_percent();
        (low + high) / 200.0 * total_f
    };
    while counts.iter().sum::<usize>() < total {
        // Give the next item to the need furthest below its midpoint that still has room.
        let next = (0..needs.len())
            .filter(|&index| counts[index] < maxima[index])
            .max_by(|&a, &b| {
                let gap_a = midpoint(&needs[a]) - counts[a] as f64;
                let gap_b = midpoint(&needs[b]) - counts[b] as f64;
                gap_a.total_cmp(&gap_b)
            });
        match next {
            Some(index) => counts[index] += 1,
            None => break,
        }
    }
    while counts.iter().sum::<usize>() > total {
        let next = (0..needs.len()).max_by(|&a, &b| {
            let over_a = counts[a] as f64 - midpoint(&needs[a]);
            let over_b = counts[b] as f64 - midpoint(&needs[b]);
            over_a.total_cmp(&over_b)
        });
        match next {
            Some(index) if counts[index] > 0 => counts[index] -= 1,
            _ => break,
        }
    }
    needs.into_iter().zip(counts).collect()
}

/// Assembles an exam of `total` items to the test plan: the allocation per client need, items of
/// each need spread over NCJMM functions and item types, and no two items with the same content
/// or the same model and subject. Fewer items when the catalog cannot fill a need.
pub fn assemble(
    catalog: &super::catalog::Catalog,
    kb: &crate::domain::knowledge::KnowledgeBase,
    total: usize,
    seed: u64,
) -> Vec<super::Item> {
    use std::collections::BTreeSet;

    use super::catalog::{Filter, signature};

    let mut exam = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (index, (need, count)) in allocate(total).into_iter().enumerate() {
        // Ask for more than needed, then take a spread over functions and types.
        let filter = Filter {
            client_need: Some(need),
            ..Filter::default()
        };
        // A need with few models may not fill from one draw (one item per model and subject):
        // draw again with other seeds, keeping the items not already drawn.
        let mut remaining: Vec<super::Item> = Vec::new();
        let mut drawn: BTreeSet<String> = BTreeSet::new();
        for round in 0..4u64 {
            let pool = catalog.generate_matching(
                kb,
                &filter,
                count * 3,
                super::rng::mix(seed, index as u64 + 1_000 * round),
            );
            remaining.extend(pool.into_iter().filter(|item| {
                let key = signature(item);
                !seen.contains(&key) && drawn.insert(key)
            }));
            if remaining.len() >= count * 2 {
                break;
            }
        }
        let mut chosen: Vec<super::Item> = Vec::new();
        let mut functions: std::collections::BTreeMap<super::NcjmmFunction, usize> =
            Default::default();
        let mut types: std::collections::BTreeMap<super::ItemType, usize> = Default::default();
        while chosen.len() < count && !remaining.is_empty() {
            // The candidate whose function and type are least used so far.
            let best = (0..remaining.len())
                .min_by_key(|&i| {
                    let item = &remaining[i];
                    (
                        functions.get(&item.ncjmm_function).copied().unwrap_or(0)
                            + types.get(&item.item_type).copied().unwrap_or(0),
                        i,
                    )
                })
                .unwrap_or(0);
            let item = remaining.swap_remove(best);
            *functions.entry(item.ncjmm_function).or_default() += 1;
            *types.entry(item.item_type).or_default() += 1;
            seen.insert(signature(&item));
            chosen.push(item);
        }
        exam.extend(chosen);
    }
    exam
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest exams fill completely from the built-in catalog.
    #[test]
    fn the_catalog_fills_the_longest_exams() {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = super::super::catalog::Catalog::builtin(&kb);
        for (total, seed) in [(150, 0), (149, 0), (150, 7), (75, 3)] {
            let exam = assemble(&catalog, &kb, total, seed);
            assert_eq!(exam.len(), total, "{total} items at seed {seed}");
        }
    }

    #[test]
    fn allocations_stay_inside_the_test_plan_ranges() {
        for total in [75, 85, 100, 150] {
            let allocation = allocate(total);
            assert_eq!(allocation.iter().map(|(_, n)| n).sum::<usize>(), total);
            for (need, count) in allocation {
                let share = count as f64 * 100.0 / total as f64;
                let (low, high) = need.test_plan_percent();
                assert!(
                    share >= low && share <= high,
                    "{need:?}: {share:.1}% of {total} outside {low}-{high}"
                );
            }
        }
    }
}
