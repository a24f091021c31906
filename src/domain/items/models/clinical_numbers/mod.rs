//! Clinical-numbers item models: pharmacology (indications, contraindications, hold parameters,
//! therapeutic levels, insulin time-action), laboratory values, fluids and
//! electrolytes, IV solutions, acid–base (ABG interpretation) and dosage calculation.
//!
//! Numbers shown in items are generated from the knowledge base's ranges and thresholds, always
//! clearly inside or clearly outside them, so no reference disagreement can change the key.
//! Calculations carry their `Calculation` so the gate recomputes every numeric key.
//!
//! One file per area, each with its table of [`ModelSpec`]s in catalog order; this module holds
//! what they share (families, short option texts, number formatting, drug labels).

pub mod acid_base;
pub mod dosage;
pub mod electrolytes;
pub mod iv_solutions;
pub mod labs;
pub mod medications;

use std::collections::BTreeSet;

use super::super::build::{self, MatrixRow, Meta, Opt, SlotSpec, sentence};
use super::super::catalog::Case;
use super::super::gate;
use super::super::rng::Rng;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{Calculation, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::prose::{before_parenthetical, cite_note, with_article};
use crate::domain::knowledge::{
    Fact, Family, KnowledgeBase, Population, Value, normalise, number, overlap_ignoring,
};

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

/// Subsets (size ≥ 3, in the recorded order) of an ordered list.
fn ordered_subsets(len: usize, min: usize, allowed: impl Fn(u32) -> bool) -> Vec<u32> {
    (0u32..(1u32 << len.min(16)))
        .filter(|mask| mask.count_ones() as usize >= min && allowed(*mask))
        .collect()
}

/// Causes that are poor distractors in any direction (they cause many abnormalities).
const BROAD_CAUSES: [&str; 2] = ["malignancy", "leukemia"];
