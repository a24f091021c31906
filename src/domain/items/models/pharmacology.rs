//! Pharmacology item models: antidotes, adverse effects, dosage calculation.

use super::super::build::{self, Opt, sentence};
use super::super::catalog::Case;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{Calculation, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::other_class_values;
use super::prose::{before_parenthetical, cite_note, with_article};
use crate::domain::knowledge::opposites::{Named, named_sides};
use crate::domain::knowledge::{Fact, Family, KnowledgeBase, normalise};

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[ANTIDOTE_CHOICE, ADVERSE_EFFECTS_SATA, DESIRED_OVER_HAVE];

const MEDS: Family = Family::Medications;

/// "Which medication reverses X?" — key: X's antidote; distractors: antidotes of other drugs.
const ANTIDOTE_CHOICE: ModelSpec = ModelSpec {
    id: "med-antidote-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    // Recalling a drug's antidote is knowledge, not a later clinical-judgment step: tagged like the
    // other recall models (contraindications, Apgar components, restraint-order limits).
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Asks which medication the nurse should have ready to reverse a drug's effect. Facts: the drug's `antidote`. Distractors: unconditional antidotes of drugs of other classes (the wrong-antidote misconception), never one recorded for this drug or its class; each distractor's rationale names the drug it reverses and, where recorded, its `mechanism`, so the student matches the reversal agent to the drug's action.",
    cases: Cases::From(antidote_choice_cases),
    seeding: Seeding::Seed,
    generate: antidote_choice,
};

fn antidote_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    // An antidote named after its drug (digoxin immune Fab) would give the answer away.
    kb.subjects(MEDS)
        .iter()
        .filter(|drug| {
            unconditional_antidote(kb, drug)
                .is_some_and(|antidote| !antidote.norm().contains(drug.as_str()))
        })
        .map(|drug| Case::new(drug, MEDS, 0))
        .collect()
}

fn antidote_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let antidote = unconditional_antidote(kb, drug)?;
    let others = other_class_values(kb, MEDS, drug, "antidote", &["antidote"]);
    let root = |text: &str| before_parenthetical(&normalise(text)).to_owned();
    let mut roots = std::collections::BTreeSet::from([root(antidote.text())]);
    let others: Vec<_> = others
        .into_iter()
        .filter(|fact| roots.insert(root(fact.text())))
        .collect();
    let chosen = rng.sample_exactly(&others, 3)?;
    let frames = [
        format!(
            "A client receiving {drug} shows signs of toxicity. Which medication should the nurse have available to reverse its effects?"
        ),
        format!(
            "The nurse reviews the emergency plan for a client taking {drug}. Which medication is the antidote the nurse should anticipate?"
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    // Parenthetical qualifiers ("partial reversal", a generic name) go to the rationale, not
    // the option, where they would mark the key.
    let short = |text: &str| sentence(before_parenthetical(text));
    let key = Opt::new(
        short(antidote.text()),
        format!(
            "{} is the antidote for {drug}.{}",
            sentence(antidote.text()),
            cite_note(antidote)
        ),
        &[antidote],
    );
    let distractors = chosen
        .iter()
        .map(|fact| {
            let action = antidote_mechanism(kb, fact.text())
                .map(|mechanism| format!(" (its action: {})", mechanism.text()))
                .unwrap_or_default();
            Opt::new(
                short(fact.text()),
                format!(
                    "{} is the antidote for {}, {}{action}. {} is {}; the nurse matches the reversal agent to the action of the drug taken.",
                    sentence(fact.text()),
                    fact.subject,
                    with_article(kb.class_of(MEDS, &fact.subject).unwrap_or("another drug")),
                    sentence(drug),
                    with_article(kb.class_of(MEDS, drug).unwrap_or("a different drug"))
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "The antidote for {drug} is {}. Knowing the reversal agent lets the nurse act at once when toxicity or bleeding occurs.",
        antidote.text()
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

/// "Which findings are adverse effects of X? Select all that apply." — keys: 2–3 of X's adverse or
/// serious adverse effects; distractors: the opposite direction of one of X's own recorded effects
/// (hyperkalemia for a drug that causes hypokalemia) that nothing recorded about X or its class
/// names.
const ADVERSE_EFFECTS_SATA: ModelSpec = ModelSpec {
    id: "med-adverse-effects-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which findings in a client taking a drug are adverse effects to report. Keys: 2–3 of the drug's `adverse_effect`/`serious_adverse_effect`/`toxicity_sign` facts. Distractors: the opposite direction of one of the drug's own recorded effects, from a definitional table of opposite findings (hyperkalemia for a drug recorded to cause hypokalemia, hyperglycemia for hypoglycemia, weight loss for weight gain, dry mouth for excessive salivation; never blood pressure, heart rate or bowel changes, or hypoglycemia, which drugs often cause in both directions or on rebound), offered only when no fact about the drug or its class (any attribute or condition, notes and disputed records included) names that opposite, and never from a withdrawal, rebound or masked effect. The rationale teaches the direction the drug moves the measure. Drugs without such an opposite get no item.",
    cases: Cases::From(adverse_effects_sata_cases),
    seeding: Seeding::Seed,
    generate: adverse_effects_sata,
};

/// A finding offered as wrong for a drug: the opposite side of a measure one of its own effects
/// moves, with that effect.
struct OppositeEffect<'a> {
    named: Named,
    effect: &'a Fact,
}

/// The opposite findings a drug's recorded effects make positively wrong, one per measure.
fn opposite_effects<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<OppositeEffect<'a>> {
    let mut measures = std::collections::BTreeSet::new();
    ["adverse_effect", "serious_adverse_effect", "toxicity_sign"]
        .iter()
        .flat_map(|attribute| kb.values(MEDS, drug, attribute))
        .flat_map(|effect| {
            named_sides(effect.text())
                .into_iter()
                .map(move |named| OppositeEffect { named, effect })
        })
        .filter(|candidate| candidate.named.other.adverse_distractor)
        .filter(|candidate| !kb.mentions_any(MEDS, drug, &[], &candidate.named.other))
        .filter(|candidate| measures.insert(candidate.named.opposite.measure))
        .collect()
}

/// The option counts a drug allows: keys (2–3) and distractors (1–3), at least four options.
fn sata_shape(keys: usize, distractors: usize) -> bool {
    keys >= 2 && distractors >= 1 && keys.min(3) + distractors.min(3) >= 4
}

fn adverse_effects_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    kb.subjects(MEDS)
        .iter()
        .filter(|drug| sata_shape(effects(kb, drug).len(), opposite_effects(kb, drug).len()))
        .map(|drug| Case::new(drug, MEDS, 0))
        .collect()
}

fn adverse_effects_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let drug = case.subject.as_str();
    let class = kb.class_of(MEDS, drug)?;
    let own = effects(kb, drug);
    let opposites = opposite_effects(kb, drug);
    let distractor_count = opposites.len().min(3);
    // At least four options, at most five, two or three of them keys.
    let min_keys = 4usize.saturating_sub(distractor_count).max(2);
    let max_keys = own
        .len()
        .min(3)
        .min(5 - distractor_count.min(3))
        .max(min_keys);
    let key_count = min_keys + rng.below(max_keys - min_keys + 1);
    if key_count > own.len() || key_count > 3 {
        return None;
    }
    let keys = rng.sample(&own, key_count);
    let distractor_count = distractor_count.min(5 - key_count);
    let chosen: Vec<&OppositeEffect> =
        rng.sample_exactly(&opposites.iter().collect::<Vec<_>>(), distractor_count)?;
    let stem = format!(
        "A client is receiving {drug}. Which findings are adverse effects of this medication that the nurse should monitor for? Select all that apply."
    );
    let keys: Vec<Opt> = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is a recognised adverse effect of {drug}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractors: Vec<Opt> = chosen
        .iter()
        .map(|candidate| {
            let Named {
                opposite,
                this,
                other,
            } = candidate.named;
            Opt::new(
                sentence(other.name),
                format!(
                    "{} {} {} ({} is one of its recorded adverse effects), so {} is the opposite change; the nurse watches for {} instead.",
                    sentence(drug),
                    this.verb,
                    opposite.measure,
                    candidate.effect.text(),
                    other.name,
                    this.name
                ),
                &[candidate.effect],
            )
        })
        .collect();
    let rationale = format!(
        "{} is {}. Recognising its adverse effects early lets the nurse hold the dose when indicated and notify the provider; knowing which way the drug moves a measure tells the nurse which change to expect.",
        sentence(drug),
        with_article(class)
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

/// The recorded mechanism of an antidote named by `text` ("vitamin K (phytonadione)"), looked up
/// by its name or the name in parentheses.
fn antidote_mechanism<'a>(kb: &'a KnowledgeBase, text: &str) -> Option<&'a Fact> {
    let text = normalise(text);
    let root = before_parenthetical(&text).trim().to_owned();
    let inner = text
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside.trim().to_owned());
    std::iter::once(root)
        .chain(inner)
        .find_map(|name| kb.value(MEDS, &name, "mechanism"))
}

/// The drug's antidote when it applies without conditions (not, say, an extravasation treatment).
fn unconditional_antidote<'a>(
    kb: &'a KnowledgeBase,
    drug: &str,
) -> Option<&'a crate::domain::knowledge::Fact> {
    kb.values(MEDS, drug, "antidote")
        .into_iter()
        .find(|fact| fact.condition.trim().is_empty())
}

fn effects<'a>(kb: &'a KnowledgeBase, drug: &str) -> Vec<&'a crate::domain::knowledge::Fact> {
    ["adverse_effect", "serious_adverse_effect", "toxicity_sign"]
        .iter()
        .flat_map(|attribute| kb.values(MEDS, drug, attribute))
        .filter(|fact| fact.text().chars().count() <= 45)
        .collect()
}

/// Realistic stock strengths (mg per quantity in mL) and dose multiples, with no drug named: the
/// item teaches the arithmetic, not a particular drug's dose.
const STOCK: [(f64, f64, &str); 6] = [
    (10.0, 5.0, "oral solution"),
    (25.0, 5.0, "oral suspension"),
    (250.0, 5.0, "oral suspension"),
    (2.0, 1.0, "injectable solution"),
    (40.0, 1.0, "injectable solution"),
    (100.0, 2.0, "injectable solution"),
];

/// Dose by desired ÷ have × quantity, for oral liquids and injectables, with seeded numbers.
const DESIRED_OVER_HAVE: ModelSpec = ModelSpec {
    id: "dose-desired-over-have-numeric",
    item_type: ItemType::Numeric,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::TakeAction,
    aacn: Aacn::new(2, 9),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Calculates a liquid dose volume with dose = desired ÷ have × quantity (dosage `formula` fact). Stock strengths are common liquid concentrations; the ordered dose is a multiple of a quarter of the stock strength so the answer rounds cleanly; tolerance ±0.05 mL. The gate recomputes the answer independently.",
    cases: Cases::From(desired_over_have_cases),
    seeding: Seeding::Seed,
    generate: desired_over_have,
};

fn desired_over_have_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let Some(formula) = desired_over_have_fact(kb) else {
        return Vec::new();
    };
    (0..STOCK.len() as u32 * 8)
        .map(|variant| Case::new(&formula.subject, Family::Dosage, variant))
        .collect()
}

fn desired_over_have(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let formula = desired_over_have_fact(kb)?;
    let (have, quantity, form) = STOCK[case.variant as usize % STOCK.len()];
    let multiple =
        [0.5, 0.75, 1.5, 2.0, 1.25, 0.25, 3.0, 2.5][(case.variant as usize / STOCK.len()) % 8];
    let desired = have * multiple;
    let answer = ((desired / have * quantity) * 100.0).round() / 100.0;
    let names = [
        "A client",
        "An older adult client",
        "A postoperative client",
        "A client on the medical unit",
    ];
    let who = names[rng.below(names.len())];
    let stem = format!(
        "{who} is prescribed {} mg of a medication. The {form} available contains {} mg per {} mL. How many mL should the nurse administer? Record your answer to two decimal places if needed.",
        crate::domain::knowledge::number(desired),
        crate::domain::knowledge::number(have),
        crate::domain::knowledge::number(quantity)
    );
    let mut meta = meta.about("dosage calculation");
    meta.difficulty = if multiple.fract() == 0.0 || multiple == 0.5 {
        Difficulty::Beginner
    } else {
        Difficulty::Intermediate
    };
    let rationale = format!(
        "Desired ÷ have × quantity = {} mg ÷ {} mg × {} mL = {} mL.",
        crate::domain::knowledge::number(desired),
        crate::domain::knowledge::number(have),
        crate::domain::knowledge::number(quantity),
        crate::domain::knowledge::number(answer)
    );
    let calculation = Calculation::DesiredOverHave {
        desired,
        have,
        quantity,
        decimals: 2,
    };
    Some(build::numeric(
        kb,
        &meta,
        seed,
        stem,
        answer,
        "mL",
        0.05,
        calculation,
        rationale,
        &[formula],
    ))
}

fn desired_over_have_fact(kb: &KnowledgeBase) -> Option<&crate::domain::knowledge::Fact> {
    kb.value(Family::Dosage, "desired over have", "formula")
}

#[cfg(test)]
mod tests {
    use super::super::super::Answer;
    use super::super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    /// Recall items (which antidote, which contraindication, which Apgar components, which
    /// restraint-order limit) are tagged recognize cues, never a later clinical-judgment step.
    #[test]
    fn recall_models_are_tagged_recognize_cues() {
        let catalog = Catalog::builtin(kb());
        for id in [
            "med-antidote-mc",
            "med-contraindication-mc",
            "apgar-components-sata",
            "mh-restraint-order-mc",
        ] {
            let Some(model) = catalog.models().find(|model| model.id() == id) else {
                panic!("{id} is in the catalog");
            };
            assert_eq!(model.ncjmm, NcjmmFunction::RecognizeCues, "{id}");
        }
    }

    /// The items `model` makes for `subject` over many seeds, through the gate.
    fn items_for(model: &str, subject: &str) -> Vec<Item> {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index(model) else {
            panic!("{model} is in the catalog");
        };
        let cases: Vec<Case> = catalog
            .cases(index)
            .iter()
            .filter(|case| case.subject == subject)
            .cloned()
            .collect();
        cases
            .iter()
            .flat_map(|case| {
                (0..60u64).filter_map(|seed| catalog.generate_case(kb, index, case, seed))
            })
            .collect()
    }

    /// The texts of an item's options that are not keys, lowercase.
    fn wrong_options(item: &Item) -> Vec<String> {
        let keys: Vec<String> = match &item.correct_answer {
            Answer::Choice(key) => vec![key.clone()],
            Answer::Choices(keys) => keys.clone(),
            _ => Vec::new(),
        };
        item.options
            .iter()
            .filter(|option| !keys.contains(&option.id))
            .map(|option| option.text.to_lowercase())
            .collect()
    }

    /// Issue 14's examples: a labeled effect is never offered as a wrong answer (azithromycin's
    /// hepatotoxicity, rifampin's drowsiness, escitalopram's bleeding warning).
    #[test]
    fn labeled_effects_of_azithromycin_rifampin_and_escitalopram_are_never_wrong_answers() {
        let kb = kb();
        for (drug, labeled) in [
            ("azithromycin", ["hepatotox", "liver"]),
            ("rifampin", ["drows", "sedation"]),
            ("escitalopram", ["bleed", "hemorrhage"]),
        ] {
            assert!(
                effects(kb, drug)
                    .iter()
                    .any(|fact| fact.norm().contains(labeled[0])),
                "{drug} records {}",
                labeled[0]
            );
            for item in items_for("med-adverse-effects-sata", drug) {
                for wrong in wrong_options(&item) {
                    assert!(
                        !labeled.iter().any(|word| wrong.contains(word)),
                        "{drug}: {wrong} offered as wrong"
                    );
                }
            }
        }
    }

    /// Every wrong option is the opposite of a finding the drug's own effects name, and every
    /// rationale teaches the direction instead of saying the effect is not recorded.
    #[test]
    fn adverse_effect_distractors_are_opposites_of_the_drugs_own_effects() {
        let kb = kb();
        let opposite_names: Vec<&str> = crate::domain::knowledge::opposites::OPPOSITES
            .iter()
            .flat_map(|opposite| [opposite.low.name, opposite.high.name])
            .collect();
        let mut made = 0;
        for case in adverse_effects_sata_cases(kb) {
            let allowed: Vec<String> = opposite_effects(kb, &case.subject)
                .iter()
                .map(|candidate| candidate.named.other.name.to_owned())
                .collect();
            for item in items_for("med-adverse-effects-sata", &case.subject) {
                made += 1;
                for wrong in wrong_options(&item) {
                    assert!(opposite_names.contains(&wrong.as_str()), "{wrong}");
                    assert!(allowed.contains(&wrong), "{}: {wrong}", case.subject);
                }
                let text = format!("{} {:?}", item.rationale, item.option_rationales);
                assert!(!text.contains("not one recorded"), "{text}");
                assert!(!text.contains("not recorded"), "{text}");
            }
        }
        assert!(made > 0);
        let furosemide = items_for("med-adverse-effects-sata", "furosemide");
        assert!(
            furosemide
                .iter()
                .any(|item| wrong_options(item).contains(&"hyperkalemia".to_owned()))
        );
    }

    /// Bowel, blood-pressure and heart-rate changes are never offered as wrong: drugs often cause
    /// both directions (semaglutide: diarrhea and constipation).
    #[test]
    fn two_way_findings_are_never_adverse_effect_distractors() {
        for drug in [
            "semaglutide",
            "ciprofloxacin",
            "morphine",
            "clozapine",
            "quetiapine",
        ] {
            for item in items_for("med-adverse-effects-sata", drug) {
                for wrong in wrong_options(&item) {
                    for two_way in [
                        "constipation",
                        "diarrhea",
                        "hypertension",
                        "hypotension",
                        "bradycardia",
                        "tachycardia",
                        "hypoglycemia",
                    ] {
                        assert_ne!(wrong, two_way, "{drug}");
                    }
                }
            }
        }
    }

    /// An antidote distractor's rationale names the drug it reverses and claims nothing about
    /// what it does not reverse.
    #[test]
    fn antidote_distractor_rationales_teach_the_match_without_exclusion() {
        for item in items_for("med-antidote-mc", "morphine") {
            for rationale in item.option_rationales.values() {
                assert!(!rationale.contains(", not morphine"), "{rationale}");
            }
        }
    }
}
