//! Laboratory values: abnormal and critical results, their status and their causes.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    LAB_ABNORMAL,
    LAB_STATUS_MATRIX,
    LAB_CRITICAL_PRIORITY,
    LAB_CAUSE_CHOICE,
    LAB_CAUSE_SATA,
];

/// The in-sentence name of a lab test.
fn lab_name(subject: &str) -> String {
    let names: [(&str, &str); 24] = [
        ("arterial ph", "arterial pH"),
        ("paco2", "PaCO2"),
        ("arterial bicarbonate", "arterial HCO3"),
        ("pao2", "PaO2"),
        ("sao2", "SaO2"),
        ("potassium", "serum potassium"),
        ("sodium", "serum sodium"),
        ("chloride", "serum chloride"),
        ("total calcium", "total serum calcium"),
        ("magnesium", "serum magnesium"),
        ("phosphorus", "serum phosphorus"),
        ("hemoglobin a1c", "hemoglobin A1C"),
        ("thyroid-stimulating hormone", "TSH"),
        ("free t4", "free T4"),
        ("albumin", "serum albumin"),
        ("alanine aminotransferase", "ALT"),
        ("aspartate aminotransferase", "AST"),
        ("ammonia", "serum ammonia"),
        ("c-reactive protein", "C-reactive protein"),
        ("b-type natriuretic peptide", "BNP"),
        ("prothrombin time", "PT"),
        ("inr", "INR"),
        ("activated partial thromboplastin time", "aPTT"),
        ("urine ph", "urine pH"),
    ];
    names.iter().find(|(name, _)| *name == subject).map_or_else(
        || match subject {
            "blood urea nitrogen" => "BUN".to_owned(),
            "creatinine" => "serum creatinine".to_owned(),
            "d-dimer" => "D-dimer".to_owned(),
            other => other.to_owned(),
        },
        |(_, shown)| (*shown).to_owned(),
    )
}

fn lab_label(subject: &str) -> String {
    let name = lab_name(subject);
    if name.starts_with('a') && name.chars().nth(1).is_some_and(char::is_uppercase) {
        name
    } else {
        sentence(&name)
    }
}

/// An adult reference range that applies without a condition.
/// Bounds on generated abnormal results for tests whose reference range is wide next to what a
/// body produces, so "clearly abnormal" never becomes impossible (a urine pH of 9.9, a specific
/// gravity below 1.000). These are generation limits, not facts taught in any item: the clearly
/// abnormal draw reaches up to 80 % of the range's width past its limit, which for these two
/// tests leaves the plausible span. Set by hand after review, not taken from a reference.
const PHYSIOLOGIC_LIMITS: [(&str, f64, f64); 2] = [
    ("urine ph", 4.5, 9.0),
    ("urine specific gravity", 1.001, 1.040),
];

struct LabRef<'a> {
    subject: &'a str,
    fact: &'a Fact,
    low: Option<f64>,
    high: Option<f64>,
    units: String,
    decimals: usize,
}

impl LabRef<'_> {
    fn show(&self, value: f64) -> String {
        format!(
            "{} {}",
            lab_label(self.subject),
            with_units(&fixed(value, self.decimals), &self.units)
        )
    }
    fn range(&self) -> String {
        self.fact.value.display()
    }
    fn width(&self) -> Option<f64> {
        Some(self.high? - self.low.unwrap_or(0.0))
    }
    fn inside(&self, value: f64) -> bool {
        self.low.is_none_or(|low| value > low) && self.high.is_none_or(|high| value < high)
    }
    /// A value well inside the range.
    fn normal(&self, rng: &mut Rng) -> Option<f64> {
        let low = self.low.unwrap_or(0.0);
        let width = self.width()?;
        let step = 10f64.powi(-(self.decimals as i32));
        let value = round_to(
            draw(rng, low + width * 0.2, low + width * 0.8, step),
            self.decimals,
        );
        (self.inside(value) && value > 0.0).then_some(value)
    }
    /// A value clearly (or, with `mild`, slightly) outside the range in one direction.
    fn abnormal(&self, rng: &mut Rng, high: bool, mild: bool) -> Option<f64> {
        let step = 10f64.powi(-(self.decimals as i32));
        let width = self.width()?;
        let two_sided = self.low.is_some_and(|low| low > 0.0);
        let value = if high {
            let top = self.high?;
            if two_sided {
                let (a, b) = if mild { (0.08, 0.2) } else { (0.25, 0.8) };
                draw(rng, top + width * a, top + width * b, step)
            } else {
                let (a, b) = if mild { (1.06, 1.15) } else { (1.25, 1.8) };
                draw(rng, top * a, top * b, step)
            }
        } else {
            let bottom = self.low.filter(|low| *low > 0.0)?;
            let (a, b) = if mild { (0.08, 0.2) } else { (0.25, 0.8) };
            let cap = if mild { bottom * 0.1 } else { bottom * 0.5 };
            bottom - draw(rng, (width * a).min(cap), (width * b).min(cap), step)
        };
        let value = match PHYSIOLOGIC_LIMITS
            .iter()
            .find(|(subject, _, _)| *subject == self.subject)
        {
            Some((_, least, most)) => value.clamp(*least, *most),
            None => value,
        };
        let value = round_to(value, self.decimals);
        let outside = if high {
            self.high.is_some_and(|top| value > top)
        } else {
            self.low.is_some_and(|bottom| value < bottom)
        };
        (outside && value > 0.0).then_some(value)
    }
}

fn lab_refs(kb: &KnowledgeBase) -> Vec<LabRef<'_>> {
    kb.subjects(LABS)
        .iter()
        .filter_map(|subject| {
            let facts: Vec<&Fact> = kb.values(LABS, subject, "reference_range");
            if facts.len() != 1
                || kb
                    .about(LABS, subject)
                    .any(|fact| fact.attribute == "reference_range" && fact.disputed)
            {
                return None;
            }
            let fact = facts[0];
            if !fact.condition.trim().is_empty() || fact.population != Population::Adult {
                return None;
            }
            let Value::Range { low, high, units } = &fact.value else {
                return None;
            };
            high.as_ref()?;
            let decimals = low.map_or(0, decimals_of).max(high.map_or(0, decimals_of));
            Some(LabRef {
                subject,
                fact,
                low: *low,
                high: *high,
                units: units.clone(),
                decimals,
            })
        })
        .collect()
}

/// Whether the knowledge base explains a value of this lab in this direction (a cause or a sign).
fn lab_direction_ok(kb: &KnowledgeBase, lab: &LabRef, high: bool) -> bool {
    let (cause, sign) = if high {
        ("high_cause", "high_sign")
    } else {
        ("low_cause", "low_sign")
    };
    let explained = !kb.values(LABS, lab.subject, cause).is_empty()
        || !kb.values(LABS, lab.subject, sign).is_empty();
    explained
        && if high {
            lab.high.is_some()
        } else {
            lab.low.is_some_and(|low| low > 0.0)
        }
}

fn direction_word(high: bool) -> &'static str {
    if high { "above" } else { "below" }
}

fn lab_explanation<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    high: bool,
) -> (String, Vec<&'a Fact>) {
    let (cause, sign) = if high {
        ("high_cause", "high_sign")
    } else {
        ("low_cause", "low_sign")
    };
    let causes = plain(kb, LABS, subject, cause);
    let signs = plain(kb, LABS, subject, sign);
    let mut text = String::new();
    if !causes.is_empty() {
        let list: Vec<&str> = causes.iter().take(2).map(|fact| fact.text()).collect();
        text.push_str(&format!(" Causes include {}.", list.join(" and ")));
    }
    if let Some(sign) = signs.first() {
        text.push_str(&format!(" Watch for {}.", sign.text()));
    }
    (text, causes.into_iter().chain(signs).take(3).collect())
}

/// "Which result should the nurse report?" — one result outside its reference range among normals.
const LAB_ABNORMAL: ModelSpec = ModelSpec {
    id: "lab-abnormal-result-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Shows four adult laboratory results and asks which one is outside its reference range and needs follow-up. Key: a value generated clearly above or below an undisputed, unconditional `reference_range` (25–80% of the range width beyond it, or 25–80% above a one-sided upper limit), only in a direction the knowledge base explains with a cause or sign. Distractors: results of three other tests generated 20–80% of the way through their own ranges. Units are shown; ranges that are disputed or differ by sex are not used.",
    cases: Cases::From(lab_abnormal_cases),
    seeding: Seeding::Seed,
    generate: lab_abnormal,
};

fn lab_abnormal_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for lab in lab_refs(kb) {
        for (variant, high) in [(0, false), (1, true)] {
            if lab_direction_ok(kb, &lab, high) {
                cases.push(Case::new(lab.subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_abnormal(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let refs = lab_refs(kb);
    let lab = refs.iter().find(|lab| lab.subject == case.subject)?;
    let high = case.variant == 1;
    let value = lab.abnormal(&mut rng, high, false)?;
    let (why, facts) = lab_explanation(kb, lab.subject, high);
    let mut key_facts = vec![lab.fact];
    key_facts.extend(facts);
    let key = Opt::new(
        lab.show(value),
        format!(
            "{} is {} the reference range ({}).{why}",
            lab.show(value),
            direction_word(high),
            lab.range()
        ),
        &key_facts,
    );
    let others: Vec<&LabRef> = refs
        .iter()
        .filter(|other| other.subject != lab.subject)
        .collect();
    let mut distractors = Vec::new();
    for other in rng.sample(&others, 3) {
        let normal = other.normal(&mut rng)?;
        distractors.push(Opt::new(
            other.show(normal),
            format!(
                "{} is within the reference range ({}).",
                other.show(normal),
                other.range()
            ),
            &[other.fact],
        ));
    }
    let frames = [
        "The nurse reviews the morning laboratory results of an adult client. Which result is outside the reference range and needs follow-up?",
        "Which laboratory result for an adult client should the nurse recognize as abnormal and report to the provider?",
    ];
    let stem = frames[rng.below(frames.len())].to_owned();
    let rationale = format!(
        "The reference range for {} is {}; a value {} it needs follow-up, while the other results are within their ranges.",
        lab_name(lab.subject),
        lab.range(),
        direction_word(high)
    );
    let meta = meta.about(lab.subject);
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Matrix: classify each result as below, within or above its reference range.
const LAB_STATUS_MATRIX: ModelSpec = ModelSpec {
    id: "lab-result-status-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Informatics,
    difficulty: Difficulty::Beginner,
    description: "Matrix of 4–5 adult laboratory results: for each, is it below, within or above the reference range? Values are generated from undisputed, unconditional `reference_range` facts: abnormal ones 25–80% of the range width beyond it (only in directions the knowledge base explains), normal ones 20–80% of the way through the range. The case's test has a fixed status; the others are drawn with the seed.",
    cases: Cases::From(lab_status_matrix_cases),
    seeding: Seeding::Seed,
    generate: lab_status_matrix,
};

fn lab_status_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for lab in lab_refs(kb) {
        for variant in 0..3u32 {
            let ok = match variant {
                0 => lab_direction_ok(kb, &lab, false),
                1 => true,
                _ => lab_direction_ok(kb, &lab, true),
            };
            if ok {
                cases.push(Case::new(lab.subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_status_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let refs = lab_refs(kb);
    let anchor = refs.iter().find(|lab| lab.subject == case.subject)?;
    let others: Vec<&LabRef> = refs
        .iter()
        .filter(|other| other.subject != anchor.subject)
        .collect();
    let count = 3 + rng.below(2);
    let mut chosen = vec![(anchor, case.variant as usize)];
    for other in rng.sample(&others, count) {
        let mut statuses = vec![1];
        if lab_direction_ok(kb, other, false) {
            statuses.push(0);
        }
        if lab_direction_ok(kb, other, true) {
            statuses.push(2);
        }
        chosen.push((other, statuses[rng.below(statuses.len())]));
    }
    let mut rows = Vec::new();
    for (lab, status) in chosen {
        let value = match status {
            0 => lab.abnormal(&mut rng, false, false)?,
            1 => lab.normal(&mut rng)?,
            _ => lab.abnormal(&mut rng, true, false)?,
        };
        let (why, facts) = if status == 1 {
            (String::new(), vec![])
        } else {
            lab_explanation(kb, lab.subject, status == 2)
        };
        let place = ["below", "within", "above"][status];
        let mut ids = vec![lab.fact.id.clone()];
        ids.extend(facts.iter().map(|fact| fact.id.clone()));
        rows.push(MatrixRow {
            text: lab.show(value),
            column: status,
            rationale: format!(
                "{} is {place} the reference range ({}).{why}",
                lab.show(value),
                lab.range()
            ),
            facts: ids,
        });
    }
    let stem = "The nurse reviews an adult client's laboratory results. For each result, indicate whether it is below, within or above the reference range.".to_owned();
    let rationale = "Comparing each result with its adult reference range is the first step in recognizing which values need follow-up.".to_owned();
    let meta = meta.about(anchor.subject);
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &[
            "Below reference range",
            "Within reference range",
            "Above reference range",
        ],
        rows,
        rationale,
    ))
}

/// Labs whose critical values are immediately dangerous (chosen keys for the priority item).
const CRITICAL_KEYS: [&str; 12] = [
    "arterial ph",
    "paco2",
    "arterial bicarbonate",
    "pao2",
    "potassium",
    "sodium",
    "total calcium",
    "hemoglobin",
    "platelet count",
    "activated partial thromboplastin time",
    "white blood cell count",
    "hematocrit",
];

struct Critical<'a> {
    fact: &'a Fact,
    high: bool,
    threshold: f64,
    gap: f64,
    decimals: usize,
    units: String,
}

fn critical<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Option<Critical<'a>> {
    let fact = plain(
        kb,
        LABS,
        subject,
        if high {
            "critical_high"
        } else {
            "critical_low"
        },
    )
    .into_iter()
    .next()?;
    let threshold = fact.threshold?;
    let Value::Range { units, .. } = &fact.value else {
        return None;
    };
    let refs: Vec<(Option<f64>, Option<f64>)> = kb
        .about(LABS, subject)
        .filter(|other| other.attribute == "reference_range")
        .filter_map(|other| match &other.value {
            Value::Range { low, high, .. } => Some((*low, *high)),
            _ => None,
        })
        .collect();
    let bound = if high {
        refs.iter().filter_map(|r| r.1).fold(f64::MIN, f64::max)
    } else {
        refs.iter().filter_map(|r| r.0).fold(f64::MAX, f64::min)
    };
    if !bound.is_finite() || bound == f64::MIN || bound == f64::MAX {
        return None;
    }
    let gap = (threshold - bound).abs();
    let decimals = decimals_of(threshold).max(
        refs.iter()
            .flat_map(|r| [r.0, r.1])
            .flatten()
            .map(decimals_of)
            .max()
            .unwrap_or(0),
    );
    Some(Critical {
        fact,
        high,
        threshold,
        gap,
        decimals,
        units: units.clone(),
    })
}

/// "Which result should the nurse report first?" — one critical value among mildly abnormal ones.
const LAB_CRITICAL_PRIORITY: ModelSpec = ModelSpec {
    id: "lab-critical-priority-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which of four adult laboratory results the nurse reports to the provider first. Key: a value beyond an undisputed `critical_low`/`critical_high` threshold (10–50% of the gap between the reference limit and the critical value past it) of an immediately dangerous test (blood gases, potassium, sodium, calcium, hemoglobin, platelets, aPTT, WBC, hematocrit). Distractors: results of other tests (not blood gases) generated slightly outside their undisputed reference ranges (8–20% of the width) and less than halfway to any critical value they have.",
    cases: Cases::From(lab_critical_priority_cases),
    seeding: Seeding::Seed,
    generate: lab_critical_priority,
};

fn lab_critical_priority_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in CRITICAL_KEYS {
        for (variant, high) in [(0, false), (1, true)] {
            if critical(kb, subject, high).is_some() {
                cases.push(Case::new(subject, LABS, variant));
            }
        }
    }
    cases
}

fn lab_critical_priority(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let crit = critical(kb, &case.subject, case.variant == 1)?;
    let step = 10f64.powi(-(crit.decimals as i32));
    let span = draw(&mut rng, 0.1, 0.5, 0.05) * crit.gap;
    let value = if crit.high {
        crit.threshold + span.min(crit.threshold * 0.25)
    } else {
        crit.threshold - span.min(crit.threshold * 0.2)
    };
    let value = round_to(value, crit.decimals);
    let beyond = if crit.high {
        value > crit.threshold
    } else {
        value < crit.threshold
    };
    if !beyond || value <= 0.0 || step <= 0.0 {
        return None;
    }
    let shown = format!(
        "{} {}",
        lab_label(&case.subject),
        with_units(&fixed(value, crit.decimals), &crit.units)
    );
    let op = if crit.high { "above" } else { "below" };
    let key = Opt::new(
        shown.clone(),
        format!(
            "{shown} is {op} the critical value of {}: a life-threatening result the nurse reports at once.{}",
            with_units(&fixed(crit.threshold, crit.decimals), &crit.units),
            cite_note(crit.fact)
        ),
        &[crit.fact],
    );
    let refs = lab_refs(kb);
    let gases = [
        "arterial ph",
        "paco2",
        "arterial bicarbonate",
        "pao2",
        "sao2",
    ];
    let pool: Vec<&LabRef> = refs
        .iter()
        .filter(|lab| lab.subject != case.subject && !gases.contains(&lab.subject))
        .collect();
    let mut distractors = Vec::new();
    for lab in rng.sample(&pool, pool.len()) {
        if distractors.len() == 3 {
            break;
        }
        let mut directions = vec![];
        for high in [false, true] {
            if lab_direction_ok(kb, lab, high) {
                directions.push(high);
            }
        }
        let Some(&high) = rng.pick(&directions) else {
            continue;
        };
        let Some(mild) = lab.abnormal(&mut rng, high, true) else {
            continue;
        };
        if let Some(other) = critical(kb, lab.subject, high) {
            let bound = if high { lab.high } else { lab.low };
            let Some(bound) = bound else { continue };
            if (mild - bound).abs() >= (other.threshold - bound).abs() / 2.0 {
                continue;
            }
        }
        distractors.push(Opt::new(
            lab.show(mild),
            format!("{} is slightly {} the reference range ({}) but not at a critical level; it is reported after the critical value.", lab.show(mild), direction_word(high), lab.range()),
            &[lab.fact],
        ));
    }
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The nurse reviews new laboratory results for four adult clients. Which result should the nurse report to the provider first?",
        "Which laboratory result requires the nurse's immediate notification of the provider?",
    ];
    let stem = frames[rng.below(frames.len())].to_owned();
    let rationale = format!(
        "A critical value is reported at once because it signals a life-threatening state; {} {op} {} is critical, while the other results are only slightly outside their ranges.",
        lab_name(&case.subject),
        with_units(&fixed(crit.threshold, crit.decimals), &crit.units)
    );
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// The fluids-and-electrolytes imbalance that matches a lab's low or high value.
fn imbalance_of(subject: &str, high: bool) -> Option<&'static str> {
    let pairs: [(&str, &str, &str); 5] = [
        ("potassium", "hypokalemia", "hyperkalemia"),
        ("sodium", "hyponatremia", "hypernatremia"),
        ("total calcium", "hypocalcemia", "hypercalcemia"),
        ("magnesium", "hypomagnesemia", "hypermagnesemia"),
        ("phosphorus", "hypophosphatemia", "hyperphosphatemia"),
    ];
    pairs
        .iter()
        .find(|pair| pair.0 == subject)
        .map(|pair| if high { pair.2 } else { pair.1 })
}

/// Causes of a lab value in one direction, from the lab and its matching imbalance, without repeats.
fn lab_causes<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Vec<&'a Fact> {
    let mut causes = plain(
        kb,
        LABS,
        subject,
        if high { "high_cause" } else { "low_cause" },
    );
    if let Some(imbalance) = imbalance_of(subject, high) {
        causes.extend(plain(kb, FE, imbalance, "cause"));
    }
    let mut kept: Vec<&Fact> = Vec::new();
    for cause in causes {
        if kept
            .iter()
            .all(|other| !other.shares_word(cause) && other.norm() != cause.norm())
        {
            kept.push(cause);
        }
    }
    kept
}

/// Opposite-direction causes safe as distractors: none shares a content word with a true cause.
fn wrong_way_causes<'a>(kb: &'a KnowledgeBase, subject: &str, high: bool) -> Vec<&'a Fact> {
    let right = lab_causes(kb, subject, high);
    lab_causes(kb, subject, !high)
        .into_iter()
        .filter(|fact| {
            !fact.shares_word_with_any(&right)
                && !BROAD_CAUSES.iter().any(|word| fact.norm().contains(word))
        })
        .collect()
}

fn changed(high: bool) -> &'static str {
    if high { "elevated" } else { "decreased" }
}

/// "an elevated" / "a decreased".
fn a_changed(high: bool) -> &'static str {
    if high { "an elevated" } else { "a decreased" }
}

/// "A client's X is elevated. Which condition could explain it?" — wrong-direction distractors.
const LAB_CAUSE_CHOICE: ModelSpec = ModelSpec {
    id: "lab-cause-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "States that a laboratory value is elevated or decreased and asks which condition in the history could explain it. Key: a `high_cause`/`low_cause` of the test (merged with the `cause` facts of the matching electrolyte imbalance). Distractors: causes of the opposite direction for the same test (the wrong-direction misconception), excluding any that shares a content word with a true cause and broad causes such as malignancy. No numbers are shown, so disputed ranges do not matter.",
    cases: Cases::From(lab_cause_choice_cases),
    seeding: Seeding::Seed,
    generate: lab_cause_choice,
};

fn lab_cause_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in kb.subjects(LABS) {
        for high in [false, true] {
            if wrong_way_causes(kb, subject, high).len() < 3 {
                continue;
            }
            for index in 0..lab_causes(kb, subject, high).len() {
                cases.push(Case::new(subject, LABS, index as u32 * 2 + u32::from(high)));
            }
        }
    }
    cases
}

fn lab_cause_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let subject = case.subject.as_str();
    let high = case.variant % 2 == 1;
    let key = *lab_causes(kb, subject, high).get(case.variant as usize / 2)?;
    let chosen = rng.sample_exactly(&wrong_way_causes(kb, subject, high), 3)?;
    let name = lab_name(subject);
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} can cause {} {name}.{}",
            sentence(key.text()),
            a_changed(high),
            cite_note(key)
        ),
        &[key],
    );
    let distractors = chosen
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} causes {} {name}, the opposite direction.",
                    sentence(fact.text()),
                    a_changed(!high)
                ),
                &[*fact],
            )
        })
        .collect();
    let frames = [
        format!(
            "A client's {name} is {} on today's laboratory report. Which condition in the client's history could explain this result?",
            changed(high)
        ),
        format!(
            "The nurse notes that a client's {name} is {}. Which condition is the most likely cause?",
            changed(high)
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let rationale = format!(
        "Linking an abnormal {name} to a cause that moves it in the same direction guides the nurse's next assessments; the other conditions push it the other way."
    );
    Some(build::multiple_choice(
        kb,
        &meta,
        seed,
        stem,
        key_opt,
        distractors,
        rationale,
    ))
}

/// "Which conditions can cause an elevated X? Select all that apply."
const LAB_CAUSE_SATA: ModelSpec = ModelSpec {
    id: "lab-cause-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::ReductionOfRisk,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Intermediate,
    description: "Asks which conditions can cause an elevated (or decreased) laboratory value. Keys: 2–3 causes in that direction (the test's `high_cause`/`low_cause` merged with the matching imbalance's `cause`). Distractors: 2–3 causes of the opposite direction for the same test that share no content word with a true cause; broad causes such as malignancy are never distractors.",
    cases: Cases::From(lab_cause_sata_cases),
    seeding: Seeding::Seed,
    generate: lab_cause_sata,
};

fn lab_cause_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in kb.subjects(LABS) {
        for high in [false, true] {
            if lab_causes(kb, subject, high).len() >= 2
                && wrong_way_causes(kb, subject, high).len() >= 2
            {
                for variant in 0..4u32 {
                    cases.push(Case::new(subject, LABS, variant * 2 + u32::from(high)));
                }
            }
        }
    }
    cases
}

fn lab_cause_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let subject = case.subject.as_str();
    let high = case.variant % 2 == 1;
    let right = lab_causes(kb, subject, high);
    let wrong = wrong_way_causes(kb, subject, high);
    let key_count = (2 + rng.below(2)).min(right.len());
    let wrong_count = (5 - key_count).min(wrong.len());
    if key_count < 2 || wrong_count < 2 {
        return None;
    }
    let name = lab_name(subject);
    let keys = rng
        .sample(&right, key_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} can cause {} {name}.{}",
                    sentence(fact.text()),
                    a_changed(high),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractors = rng
        .sample(&wrong, wrong_count)
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(&short(fact.text())),
                format!(
                    "{} causes {} {name}, the opposite change.",
                    sentence(fact.text()),
                    a_changed(!high)
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "The nurse is reviewing a client's history to explain {} {name}. Which conditions can cause this finding? Select all that apply.",
        a_changed(high)
    );
    let rationale = format!(
        "Each selected condition moves the {name} in the {} direction; the others move it the opposite way.",
        if high { "upward" } else { "downward" }
    );
    Some(build::multiple_response(
        kb,
        &meta,
        seed,
        stem,
        keys,
        distractors,
        rationale,
    ))
}
