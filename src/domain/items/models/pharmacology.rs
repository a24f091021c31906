//! Pharmacology item models: antidotes, adverse effects, dosage calculation.

use super::super::build::{self, Opt, sentence};
use super::super::catalog::Case;
use super::super::spec::{Aacn, Cases, Gen, ModelSpec, Seeding};
use super::super::{Calculation, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen};
use super::prose::{before_parenthetical, cite_note, with_article};
use super::{foreign_values, other_class_values};
use crate::domain::knowledge::{Family, KnowledgeBase, normalise};

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[ANTIDOTE_CHOICE, ADVERSE_EFFECTS_SATA, DESIRED_OVER_HAVE];

const MEDS: Family = Family::Medications;

/// "Which medication reverses X?" — key: X's antidote; distractors: antidotes of other drugs.
const ANTIDOTE_CHOICE: ModelSpec = ModelSpec {
    id: "med-antidote-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Beginner,
    description: "Asks which medication the nurse should have ready to reverse a drug's effect. Facts: the drug's `antidote`. Distractors: antidotes of other drugs (the wrong-antidote misconception), never one that also reverses this drug.",
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
            Opt::new(
                short(fact.text()),
                format!(
                    "{} reverses {}, not {drug}.",
                    sentence(fact.text()),
                    fact.subject
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
/// serious adverse effects; distractors: adverse effects of drugs in other classes that X is not
/// recorded to cause.
const ADVERSE_EFFECTS_SATA: ModelSpec = ModelSpec {
    id: "med-adverse-effects-sata",
    item_type: ItemType::MultipleResponse,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::RecognizeCues,
    aacn: Aacn::new(2, 3),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which findings in a client taking a drug are adverse effects to report. Keys: 2–3 of the drug's `adverse_effect`/`serious_adverse_effect`/`toxicity_sign` facts. Distractors: adverse effects of drugs of other classes that this drug is not recorded to cause under any of those attributes.",
    cases: Cases::From(adverse_effects_sata_cases),
    seeding: Seeding::Seed,
    generate: adverse_effects_sata,
};

fn adverse_effects_sata_cases(kb: &KnowledgeBase) -> Vec<Case> {
    kb.subjects(MEDS)
        .iter()
        .filter(|drug| effects(kb, drug).len() >= 2)
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
    let key_count = 2 + rng.below(2).min(own.len().saturating_sub(2));
    let keys = rng.sample(&own, key_count);
    let pool: Vec<_> = ["adverse_effect", "serious_adverse_effect"]
        .iter()
        .flat_map(|attribute| {
            foreign_values(
                kb,
                MEDS,
                drug,
                attribute,
                &[
                    "adverse_effect",
                    "serious_adverse_effect",
                    "toxicity_sign",
                    "indication",
                ],
            )
        })
        .filter(|fact| kb.class_of(MEDS, &fact.subject) != Some(class))
        .filter(|fact| fact.text().chars().count() <= 45)
        .collect();
    let distractors = rng.sample_exactly(&pool, 5 - key_count)?;
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
    let distractors: Vec<Opt> = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is an adverse effect of {} ({}), not one recorded for {drug}.",
                    sentence(fact.text()),
                    fact.subject,
                    kb.class_of(MEDS, &fact.subject).unwrap_or("another class")
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is {}. Recognising its adverse effects early lets the nurse hold the dose when indicated and notify the provider.",
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
