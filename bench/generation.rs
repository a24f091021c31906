//! Item generation on one core: items/s through the catalog (including the quality gate), requests
//! through the shared generation policy (`domain::items::generate`, as the API serves them), and
//! the yield report (distinct valid items per model and in total). Run by `bench/generation.sh`, or
//! directly with `cargo bench --bench generation`.

use std::time::Instant;

use bsn_knowledge::content::{Content, TopicMatch};
use bsn_knowledge::domain::items::ItemType;
use bsn_knowledge::domain::items::catalog::signature;
use bsn_knowledge::domain::items::generate::{GenerationRequest, Seed, generate};

fn main() {
    let started = Instant::now();
    let content = Content::load().unwrap_or_else(|error| panic!("content: {error}"));
    println!("content loaded in {} ms", started.elapsed().as_millis());
    let models = content.catalog.models().count();

    // Throughput: every model in turn, fresh seeds, one thread.
    let rounds = 400u64;
    let started = Instant::now();
    let mut made = 0usize;
    let mut bytes = 0usize;
    for seed in 0..rounds {
        for model in 0..models {
            if let Some(item) = content.catalog.generate(&content.kb, model, seed) {
                bytes += signature(&item).len();
                made += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "generation: {made} items in {seconds:.2} s = {:.0} items/s on one core ({bytes} signature bytes)",
        made as f64 / seconds
    );

    // Requests through the generation policy the API uses: 20 items of every type per request.
    let topics = [
        "pharmacology",
        "heart failure",
        "delegation",
        "diabetic ketoacidosis",
        "isolation",
        "maternal",
    ];
    let started = Instant::now();
    let (mut requests, mut served) = (0usize, 0usize);
    for round in 0..5u64 {
        for topic in topics {
            let TopicMatch::Subjects(subjects) = content.topics.resolve(topic) else {
                panic!("the bench topic {topic} is unknown");
            };
            let request = GenerationRequest {
                topic: topic.to_owned(),
                subjects,
                item_types: ItemType::ALL.into_iter().collect(),
                client_need: None,
                difficulty: None,
                count: 20,
                seed: Some(Seed::fold(round)),
            };
            served += generate(&content.catalog, &content.kb, &request)
                .items
                .len();
            requests += 1;
        }
    }
    let policy_seconds = started.elapsed().as_secs_f64();
    println!(
        "policy: {requests} requests, {served} items in {policy_seconds:.2} s = {:.1} ms per request",
        policy_seconds * 1e3 / requests as f64
    );

    // The slowest models, where optimisation pays.
    let mut per_model: Vec<(f64, &str)> = content
        .catalog
        .models()
        .enumerate()
        .map(|(index, model)| {
            let started = Instant::now();
            let mut count = 0u32;
            for seed in 0..100u64 {
                count += u32::from(content.catalog.generate(&content.kb, index, seed).is_some());
            }
            (
                started.elapsed().as_secs_f64() * 1e6 / f64::from(count.max(1)),
                model.id(),
            )
        })
        .collect();
    per_model.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest models (microseconds per item):");
    for (micros, id) in per_model.iter().take(8) {
        println!("  {id:<40} {micros:>8.0}");
    }

    let started = Instant::now();
    let report = content.catalog.yield_report(&content.kb, 8);
    let total: usize = report.iter().map(|row| row.distinct).sum();
    println!(
        "yield: {} models, {total} distinct valid items (8 seeds per case) in {:.1} s",
        report.len(),
        started.elapsed().as_secs_f64()
    );
    let mut types = std::collections::BTreeMap::new();
    for row in &report {
        *types.entry(row.item_type.as_str()).or_insert(0usize) += row.distinct;
    }
    for (kind, count) in types {
        println!("  {kind:<22} {count:>7}");
    }
    println!(
        "RESULT items_per_second={:.0} yield_total={total} models={}",
        made as f64 / seconds,
        report.len()
    );
}
