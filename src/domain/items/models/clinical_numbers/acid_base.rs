//! Acid–base: ABG interpretation, causes and the steps of analysis.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[ABG_CLOZE, ABG_CAUSE, ABG_STEPS];

const DISORDERS: [&str; 4] = [
    "respiratory acidosis",
    "respiratory alkalosis",
    "metabolic acidosis",
    "metabolic alkalosis",
];
const COMPENSATION: [&str; 3] = [
    "uncompensated",
    "partially compensated",
    "fully compensated",
];

/// Low, normal or high (-1, 0, 1); None when the value is too close to a limit to call.
fn status(value: f64, low: f64, high: f64, margin: f64) -> Option<i8> {
    if value < low - margin {
        Some(-1)
    } else if value > high + margin {
        Some(1)
    } else if value >= low + margin && value <= high - margin {
        Some(0)
    } else {
        None
    }
}

/// ABG limits from the knowledge base: pH and PaCO2 undisputed; for HCO3 the value must fall on the
/// same side of both recorded ranges (22–26 and the disputed 21–28), so either reading gives the key.
struct AbgLimits<'a> {
    ph: (f64, f64, &'a Fact),
    paco2: (f64, f64, &'a Fact),
}

fn abg_limits(kb: &KnowledgeBase) -> Option<AbgLimits<'_>> {
    let get = |subject: &str| -> Option<(f64, f64, &Fact)> {
        let fact = kb.value(AB, subject, "reference_range")?;
        match &fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } => Some((*low, *high, fact)),
            _ => None,
        }
    };
    Some(AbgLimits {
        ph: get("arterial ph")?,
        paco2: get("paco2")?,
    })
}

fn hco3_status(value: f64) -> Option<i8> {
    let wide = status(value, 21.0, 28.0, 0.5)?;
    let narrow = status(value, 22.0, 26.0, 0.5)?;
    (wide == narrow).then_some(wide)
}

/// ROME classification: (disorder index, compensation index).
fn classify(limits: &AbgLimits, ph: f64, paco2: f64, hco3: f64) -> Option<(usize, usize)> {
    let ph_status = status(ph, limits.ph.0, limits.ph.1, 0.015)?;
    let co2 = status(paco2, limits.paco2.0, limits.paco2.1, 1.5)?;
    let bicarb = hco3_status(hco3)?;
    let acid = match ph_status {
        -1 => true,
        1 => false,
        _ if ph < 7.395 => true,
        _ if ph > 7.405 => false,
        _ => return None,
    };
    let respiratory = if acid { co2 == 1 } else { co2 == -1 };
    let metabolic = if acid { bicarb == -1 } else { bicarb == 1 };
    if respiratory == metabolic {
        return None;
    }
    let other = if respiratory { bicarb } else { co2 };
    // Compensation moves the other value in the same direction as the primary one.
    let compensating = if respiratory {
        other == co2
    } else {
        other == bicarb
    };
    let compensation = match (ph_status, other) {
        (s, 0) if s != 0 => 0,
        (s, _) if s != 0 && compensating => 1,
        (0, o) if o != 0 && compensating => 2,
        _ => return None,
    };
    let disorder = match (respiratory, acid) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    };
    Some((disorder, compensation))
}

/// Generates PaCO2 and HCO3 for the target and computes the pH by Henderson–Hasselbalch, so the
/// three values agree; retries until the ROME classification matches the target.
fn abg_values(
    limits: &AbgLimits,
    disorder: usize,
    compensation: usize,
    rng: &mut Rng,
) -> Option<(f64, f64, f64)> {
    let co2_band = |level: i8| match level {
        -1 => (22.0, 31.0),
        0 => (37.0, 43.0),
        _ => (49.0, 70.0),
    };
    let hco3_band = |level: i8| match level {
        -1 => (11.0, 19.0),
        0 => (23.0, 25.0),
        _ => (30.0, 38.0),
    };
    let (co2_level, hco3_level): (i8, i8) = match (disorder, compensation == 0) {
        (0, true) => (1, 0),
        (0, false) => (1, 1),
        (1, true) => (-1, 0),
        (1, false) => (-1, -1),
        (2, true) => (0, -1),
        (2, false) => (-1, -1),
        (_, true) => (0, 1),
        (_, false) => (1, 1),
    };
    for _ in 0..60 {
        let (a, b) = co2_band(co2_level);
        let (c, d) = hco3_band(hco3_level);
        let paco2 = draw(rng, a, b, 1.0);
        let hco3 = draw(rng, c, d, 1.0);
        let ph = round_to(6.1 + (hco3 / (0.03 * paco2)).log10(), 2);
        if !(7.1..=7.62).contains(&ph) {
            continue;
        }
        if classify(limits, ph, paco2, hco3) == Some((disorder, compensation)) {
            return Some((ph, paco2, hco3));
        }
    }
    None
}

fn abg_exhibit(ph: f64, paco2: f64, hco3: f64) -> String {
    format!(
        "Arterial blood gas: pH {ph:.2}; PaCO2 {} mm Hg; HCO3 {} mEq/L",
        number(paco2),
        number(hco3)
    )
}

fn ab_facts<'a>(kb: &'a KnowledgeBase, disorder: &str) -> Vec<&'a Fact> {
    let mut facts: Vec<&Fact> = ["ph_direction", "paco2_direction", "hco3_direction"]
        .iter()
        .filter_map(|attribute| kb.value(AB, disorder, attribute))
        .collect();
    facts.extend(kb.values(AB, "rome", "rule"));
    facts
}

/// Drop-down cloze: name the disorder, its compensation and the value that identifies it.
const ABG_CLOZE: ModelSpec = ModelSpec {
    id: "abg-interpretation-cloze",
    item_type: ItemType::DropDownCloze,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Advanced,
    description: "Shows arterial blood gas values and asks the student to complete: 'These results show {disorder} that is {compensation}; the value that identifies the primary disorder is the {value}.' Values are generated for one of 4 disorders × 3 compensation states: PaCO2 and HCO3 drawn clearly low, normal or high (HCO3 on the same side of both the 22–26 and the disputed 21–28 ranges), pH computed by Henderson–Hasselbalch, then checked with the ROME rule against the `acid_base` reference ranges; ambiguous triples are redrawn. Slot options: the four disorders, the three `compensation` states, and pH/PaCO2/HCO3.",
    cases: Cases::From(abg_cloze_cases),
    seeding: Seeding::XorVariant(0x2F),
    generate: abg_cloze,
};

fn abg_cloze_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..12u32)
        .flat_map(|target| {
            (0..4)
                .map(move |frame| Case::new(DISORDERS[target as usize / 3], AB, target * 4 + frame))
        })
        .collect()
}

fn abg_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = abg_limits(kb)?;
    let target = case.variant as usize / 4;
    let (disorder, compensation) = (target / 3, target % 3);
    let (ph, paco2, hco3) = abg_values(&limits, disorder, compensation, &mut rng)?;
    let name = DISORDERS[disorder];
    let facts = ab_facts(kb, name);
    let comp_fact = kb.value(AB, COMPENSATION[compensation], "compensation")?;
    let disorder_spec = SlotSpec {
        key: Opt::new(name, format!("{}: the pH is on the {} side, and the {} moves in the direction that explains it (ROME).", sentence(name), if disorder % 2 == 0 { "acidotic" } else { "alkalotic" }, if disorder < 2 { "PaCO2" } else { "HCO3" }), &facts),
        distractors: DISORDERS
            .iter()
            .filter(|other| **other != name)
            .map(|other| Opt::new(*other, format!("{} would need a different pattern of pH, PaCO2 and HCO3 than these results.", sentence(other)), &ab_facts(kb, other)))
            .collect(),
    };
    let comp_spec = SlotSpec {
        key: Opt::new(
            COMPENSATION[compensation],
            format!(
                "{}: {}.{}",
                sentence(COMPENSATION[compensation]),
                comp_fact.text(),
                cite_note(comp_fact)
            ),
            &[comp_fact],
        ),
        distractors: COMPENSATION
            .iter()
            .filter(|other| **other != COMPENSATION[compensation])
            .filter_map(|other| {
                let fact = kb.value(AB, other, "compensation")?;
                Some(Opt::new(
                    *other,
                    format!(
                        "{} means {}, which does not match these values.",
                        sentence(other),
                        fact.text()
                    ),
                    &[fact],
                ))
            })
            .collect(),
    };
    let primary = if disorder < 2 { "PaCO2" } else { "HCO3" };
    let value_spec = SlotSpec {
        key: Opt::new(
            primary,
            format!(
                "The {primary} moves in the direction that explains the pH, so it identifies the primary disorder."
            ),
            &facts,
        ),
        distractors: ["pH", "PaCO2", "HCO3"]
            .iter()
            .filter(|value| **value != primary)
            .map(|value| {
                let why = if *value == "pH" {
                    "The pH shows acidosis or alkalosis but not its cause."
                } else {
                    "This value is normal or compensating, not the primary change."
                };
                Opt::new(*value, why, &facts)
            })
            .collect(),
    };
    let template = "These results show {{1}} that is {{2}}. The value that identifies the primary disorder is the {{3}}.".to_owned();
    let stem = "The nurse reviews an adult client's arterial blood gas results. Complete the following sentence by choosing from the lists of options.".to_owned();
    let rationale = format!(
        "pH {ph:.2} with PaCO2 {} mm Hg and HCO3 {} mEq/L: {name}, {}. Reference ranges: pH {}, PaCO2 {}, HCO3 about 22–26 mEq/L.",
        number(paco2),
        number(hco3),
        COMPENSATION[compensation],
        limits.ph.2.value.display().replace(" unitless", ""),
        limits.paco2.2.value.display()
    );
    let meta = meta.about(name);
    let mut item = build::drop_down_cloze(
        kb,
        &meta,
        seed,
        stem,
        template,
        vec![disorder_spec, comp_spec, value_spec],
        rationale,
    );
    item.exhibit = Some(abg_exhibit(ph, paco2, hco3));
    Some(item)
}

/// "Which condition best explains these ABG results?" — key: a cause of the generated disorder.
const ABG_CAUSE: ModelSpec = ModelSpec {
    id: "abg-cause-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::PrioritizeHypotheses,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Advanced,
    description: "Shows uncompensated or partially compensated ABG values (generated and checked as in abg-interpretation-cloze) and asks which condition in the history best explains them. Key: a `cause` of the disorder. Distractors: one cause of each of the other three acid–base disorders. 'Such as' examples and parentheticals are trimmed from options.",
    cases: Cases::From(abg_cause_cases),
    seeding: Seeding::Seed,
    generate: abg_cause,
};

fn abg_cause_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for (index, disorder) in DISORDERS.iter().enumerate() {
        for cause in 0..kb.values(AB, disorder, "cause").len() {
            for compensation in 0..2 {
                cases.push(Case::new(
                    disorder,
                    AB,
                    (index * 100 + cause * 2 + compensation) as u32,
                ));
            }
        }
    }
    cases
}

fn abg_cause(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = abg_limits(kb)?;
    let disorder = case.variant as usize / 100;
    let cause_index = (case.variant as usize % 100) / 2;
    let compensation = case.variant as usize % 2;
    let name = DISORDERS.get(disorder)?;
    let key = *kb.values(AB, name, "cause").get(cause_index)?;
    let (ph, paco2, hco3) = abg_values(&limits, disorder, compensation, &mut rng)?;
    let mut distractors = Vec::new();
    for other in DISORDERS.iter().filter(|other| *other != name) {
        let causes = kb.values(AB, other, "cause");
        let fact = *rng.pick(&causes)?;
        distractors.push(Opt::new(
            sentence(&short(fact.text())),
            format!(
                "{} causes {other}, which would give a different ABG pattern.",
                sentence(fact.text())
            ),
            &[fact],
        ));
    }
    let key_opt = Opt::new(
        sentence(&short(key.text())),
        format!(
            "{} causes {name}, which matches these results.{}",
            sentence(key.text()),
            cite_note(key)
        ),
        &[key],
    );
    let stem = "The nurse reviews an adult client's arterial blood gas results. Which condition in the client's history best explains these results?".to_owned();
    let rationale = format!(
        "pH {ph:.2}, PaCO2 {} mm Hg and HCO3 {} mEq/L show {name} ({}); {} is a cause of {name}.",
        number(paco2),
        number(hco3),
        COMPENSATION[compensation],
        key.text()
    );
    let meta = meta.about(name);
    let mut item = build::multiple_choice(kb, &meta, seed, stem, key_opt, distractors, rationale);
    item.exhibit = Some(abg_exhibit(ph, paco2, hco3));
    Some(item)
}

fn abg_step_facts(kb: &KnowledgeBase) -> Vec<&Fact> {
    kb.values(AB, "abg interpretation", "rule")
        .into_iter()
        .filter(|fact| fact.order.is_some_and(|order| order <= 5))
        .collect()
}

/// Order the steps of ABG interpretation.
const ABG_STEPS: ModelSpec = ModelSpec {
    id: "abg-steps-order",
    item_type: ItemType::OrderedResponse,
    client_need: ClientNeed::PhysiologicalAdaptation,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 4),
    qsen: Qsen::EvidenceBasedPractice,
    difficulty: Difficulty::Beginner,
    description: "Orders the steps of arterial blood gas interpretation recorded with `order` (pH, PaCO2, HCO3, name the primary disorder, judge compensation). Each item uses 3–5 of these steps in the recorded order; the oxygenation step is left out because references place it first or last.",
    cases: Cases::From(abg_steps_cases),
    seeding: Seeding::Seed,
    generate: abg_steps,
};

fn abg_steps_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ordered_subsets(abg_step_facts(kb).len(), 3, |_| true)
        .into_iter()
        .flat_map(|mask| {
            (0..2).map(move |frame| Case::new("abg interpretation", AB, mask * 2 + frame))
        })
        .collect()
}

fn abg_steps(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let steps = abg_step_facts(kb);
    let mask = case.variant / 2;
    let chosen: Vec<&Fact> = steps
        .iter()
        .enumerate()
        .filter(|(index, _)| mask & (1 << index) != 0)
        .map(|(_, fact)| *fact)
        .collect();
    if chosen.len() < 3 {
        return None;
    }
    let opts = chosen
        .iter()
        .enumerate()
        .map(|(position, fact)| {
            Opt::new(
                sentence(fact.text()),
                format!("Step {}: {}.", position + 1, fact.text()),
                &[*fact],
            )
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        "The nurse interprets a client's arterial blood gas results. Arrange the steps in the order the nurse should perform them.".to_owned()
    } else {
        "Place the steps of systematic ABG interpretation in the correct order.".to_owned()
    };
    let rationale = "A systematic ABG analysis reads the pH first, then the PaCO2 and HCO3, matches the value that moves with the pH to name the primary disorder, and then judges compensation.".to_owned();
    let meta = meta.about("abg interpretation");
    Some(build::ordered_response(
        kb, &meta, seed, stem, opts, rationale,
    ))
}
