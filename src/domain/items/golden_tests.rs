//! The golden test: every item model × 200 seeds, and a
//! spread of generation requests, digested and compared with `tests/golden/item-digests.txt`. A
//! refactoring of the models must leave every line unchanged; a change meant to alter items
//! regenerates the file with `BSN_BLESS_GOLDEN=1 cargo test --lib golden` and shows the changed
//! lines in review.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::catalog::Catalog;
use super::generate::{Generated, GenerationRequest, Seed, generate};
use super::{ClientNeed, Difficulty, Item, ItemType};
use crate::domain::knowledge::{Family, KnowledgeBase, load_embedded_for_tests};

const GOLDEN: &str = "tests/golden/item-digests.txt";
const SEEDS: usize = 200;

fn content() -> &'static (KnowledgeBase, Catalog) {
    static CONTENT: OnceLock<(KnowledgeBase, Catalog)> = OnceLock::new();
    CONTENT.get_or_init(|| {
        let kb = load_embedded_for_tests();
        let catalog = Catalog::builtin(&kb);
        (kb, catalog)
    })
}

fn hex(hasher: Sha256, bytes: usize) -> String {
    hasher
        .finalize()
        .iter()
        .take(bytes)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn item_json(item: &Option<Item>) -> String {
    match item {
        Some(item) => serde_json::to_string(item).unwrap(),
        None => "none".to_owned(),
    }
}

/// One line per model: its metadata, case count, how many of its draws made an item, and a digest
/// of every drawn item's full JSON (or of its absence). Independent of the model's place in the
/// catalog: draw `n` uses case `n % cases` and seed `n`.
fn model_lines(kb: &KnowledgeBase, catalog: &Catalog) -> String {
    let mut out = String::new();
    for (index, model) in catalog.models().enumerate() {
        let cases = catalog.cases(index);
        let mut items = Sha256::new();
        let mut made = 0;
        for draw in 0..SEEDS {
            let item = cases
                .get(draw % cases.len().max(1))
                .and_then(|case| catalog.generate_case(kb, index, case, draw as u64));
            made += usize::from(item.is_some());
            items.update(item_json(&item));
            items.update(b"\n");
        }
        let mut meta = Sha256::new();
        meta.update(model.description());
        writeln!(
            out,
            "model {} {} {} {} cases={} made={made} meta={} items={}",
            model.id(),
            model.item_type().as_str(),
            model.client_need().as_str(),
            model.ncjmm().as_str(),
            cases.len(),
            hex(meta, 6),
            hex(items, 12)
        )
        .unwrap();
    }
    out
}

/// A fixed spread of requests: single subjects and whole families, one or every item type, each
/// difficulty, with and without a client need and a seed.
fn requests(kb: &KnowledgeBase) -> Vec<GenerationRequest> {
    let difficulties = [
        None,
        Some(Difficulty::Beginner),
        Some(Difficulty::Intermediate),
        Some(Difficulty::Advanced),
    ];
    let mut requests = Vec::new();
    let mut push = |topic: String, subjects: BTreeSet<(Family, String)>| {
        let n = requests.len();
        let item_types: BTreeSet<ItemType> = if n % 2 == 0 {
            ItemType::ALL.into_iter().collect()
        } else {
            [ItemType::MultipleChoice].into_iter().collect()
        };
        requests.push(GenerationRequest {
            topic,
            subjects,
            item_types,
            client_need: (n % 7 == 3).then(|| ClientNeed::ALL[n % ClientNeed::ALL.len()]),
            difficulty: difficulties[n % difficulties.len()],
            count: [5, 12, 20][n % 3],
            seed: (n % 3 == 1).then(|| Seed::new(n as u64 * 7919).unwrap()),
        });
    };
    for family in Family::ALL {
        let subjects = kb.subjects(family);
        for position in [0, subjects.len() / 3, subjects.len() * 2 / 3] {
            if let Some(subject) = subjects.get(position) {
                push(
                    subject.clone(),
                    [(family, subject.clone())].into_iter().collect(),
                );
            }
        }
        push(
            family.folder().replace('_', " "),
            subjects
                .iter()
                .map(|subject| (family, subject.clone()))
                .collect(),
        );
    }
    requests
}

fn request_lines(kb: &KnowledgeBase, catalog: &Catalog) -> String {
    let mut out = String::new();
    for (index, request) in requests(kb).iter().enumerate() {
        let Generated { seed, items } = generate(catalog, kb, request);
        let mut digest = Sha256::new();
        for item in &items {
            digest.update(serde_json::to_string(item).unwrap());
            digest.update(b"\n");
        }
        writeln!(
            out,
            "request {index} topic={:?} subjects={} types={} need={:?} difficulty={:?} count={} seed={} returned={} items={}",
            request.topic,
            request.subjects.len(),
            request.item_types.len(),
            request.client_need.map(ClientNeed::as_str),
            request.difficulty,
            request.count,
            seed.get(),
            items.len(),
            hex(digest, 12)
        )
        .unwrap();
    }
    out
}

#[test]
fn every_model_and_request_gives_the_golden_items() {
    let (kb, catalog) = content();
    let actual = format!(
        "# Golden digests of generated items: see src/domain/items/golden_tests.rs.\n{}{}",
        model_lines(kb, catalog),
        request_lines(kb, catalog)
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("BSN_BLESS_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    let expected_lines: BTreeSet<&str> = expected.lines().collect();
    let actual_lines: BTreeSet<&str> = actual.lines().collect();
    let missing: Vec<&&str> = expected_lines.difference(&actual_lines).collect();
    let changed: Vec<&&str> = actual_lines.difference(&expected_lines).collect();
    assert!(
        missing.is_empty() && changed.is_empty() && expected == actual,
        "generated items differ from {GOLDEN}\nexpected (golden):\n{}\nactual:\n{}",
        missing
            .iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n"),
        changed
            .iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
