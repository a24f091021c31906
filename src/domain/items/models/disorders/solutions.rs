//! Generate solutions: plan interventions, indicated and contraindicated orders, diagnostic tests and comfort measures.
//!
//! There is no goals item: a goal may be offered as inappropriate only when a fact makes it so
//! (the opposite direction of a recorded goal, a target a fact rules out), and the knowledge base
//! records one or two goals per disorder and nothing that rules a goal out, so every such item
//! would have to call another disorder's goals wrong for this one.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-plan-interventions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which interventions belong in the plan of care for a disorder. Keys: 2–3 of its `priority_intervention`/`intervention` facts. Distractors: its own `avoid` (contraindicated) actions and specific actions for disorders of other body systems that share no word or synonym with anything it records (oxygen, fluids, antibiotics, analgesia and monitoring excluded as broadly applicable).",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: plan_interventions_sata,
    },
    ModelSpec {
        id: "dx-orders-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for each of 4–5 actions in a draft plan of care, the student marks it indicated or contraindicated for the disorder. Indicated rows: its `priority_intervention`/`intervention` facts. Contraindicated rows: its `avoid` facts. Both columns come from the disorder's own records only.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: orders_matrix,
    },
    ModelSpec {
        id: "dx-diagnostic-test-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which diagnostic test the nurse should anticipate to help confirm a suspected disorder. Key: one of its `diagnostic_test` facts. Distractors: diagnostic tests for disorders of other body systems that touch nothing recorded about it (chest x-ray, cultures, blood counts, blood gases, ECG, echocardiogram and urinalysis excluded as broadly ordered).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: diagnostic_test_mc,
    },
    ModelSpec {
        id: "dx-comfort-measure-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Asks which comfort measure (positioning, heat or cold, environment, skin care) is appropriate for a client with a disorder. Key: one of its interventions that is a comfort measure. Distractors: its own contraindicated comfort measures (`avoid`) first, then comfort measures for disorders of other body systems that share no word or synonym with anything it records.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: comfort_measure_mc,
    },
];

/// "Which interventions should the nurse include in the plan of care? Select all that apply."
fn plan_interventions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &actions, wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let total = 5 + rng.below(2);
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let avoid_chosen = pick(
        &mut rng,
        &avoid,
        2.min(total - keys_chosen.len()),
        &mut taken,
    );
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &others,
        total - keys_chosen.len() - avoid_chosen.len(),
        &mut taken,
    );
    if keys_chosen.len() + avoid_chosen.len() + other_chosen.len() < total {
        return None;
    }
    let stem = match case.variant {
        0 => format!(
            "The nurse develops the plan of care for {}. Which interventions should the nurse include? Select all that apply.",
            who_with(&ctx, subject)
        ),
        _ => format!(
            "Which nursing actions are appropriate for {}? Select all that apply.",
            who_with(&ctx, subject)
        ),
    };
    let key_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is part of the care of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let mut distractors: Vec<Opt> = avoid_chosen
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!(
        "Care of {subject} includes: {}.",
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

/// For each planned action: indicated or contraindicated.
fn orders_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let mut taken = Vec::new();
    let bad_count = 1 + rng.below(2);
    let bad = pick(&mut rng, &avoid, bad_count, &mut taken);
    let good = pick(&mut rng, &actions, 5 - bad.len(), &mut taken);
    if bad.is_empty() || good.len() < 2 || good.len() + bad.len() < 4 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = good
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is indicated in {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(bad.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: format!(
            "{} is contraindicated in {subject}.{}",
            sentence(fact.text()),
            cite_note(fact)
        ),
        facts: vec![fact.id.clone()],
    }));
    let stem = format!(
        "The nurse reviews a draft plan of care for {}. For each action, indicate whether it is indicated or contraindicated.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "In {subject} the nurse should not {}.",
        serial_list(&texts(&bad))
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Indicated", "Contraindicated"],
        rows,
        rationale,
    ))
}

/// "Which diagnostic test should the nurse anticipate to help confirm X?"
fn diagnostic_test_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let tests = own(kb, subject, &["diagnostic_test"], &ctx);
    let key = *rng.pick(&tests)?;
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.extend(ACT_ALL);
    let broad = [
        "chest", "cultu", "compl", "blood", "arter", "gases", "elect", "echoc", "urina", "ultra",
        "abdom", "head", "liver", "coagu", "serum",
    ];
    let pool = foreign(
        kb,
        subject,
        &["diagnostic_test"],
        &clash_with,
        &broad,
        true,
        false,
        &ctx,
    );
    let mut taken = vec![keys(key.text())];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The provider suspects that {} has {subject}. Which diagnostic test should the nurse anticipate?",
        ctx.who
    );
    let key_option = key_opt(
        key,
        format!("{} is used to diagnose {subject}.", sentence(key.text())),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is used to diagnose {}, not {subject}.",
                    sentence(fact.text()),
                    fact.subject
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!("{} helps confirm {subject}.", sentence(key.text()));
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractor_opts,
        rationale,
    ))
}

/// "Which comfort measure is appropriate for a client with X?"
fn comfort_measure_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let measures: Vec<&Fact> = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    )
    .into_iter()
    .filter(|fact| comfort(fact.text()))
    .collect();
    let key = *rng.pick(&measures)?;
    let mut taken = vec![keys(key.text())];
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    let bad = pick(&mut rng, &avoid, 2, &mut taken);
    let others: Vec<&Fact> = foreign_actions(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    let other_chosen = pick(&mut rng, &others, 3 - bad.len(), &mut taken);
    if bad.len() + other_chosen.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse plans comfort care for {}. Which measure is appropriate?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} promotes comfort and safety in {subject}.",
            sentence(key.text())
        ),
    );
    let mut distractors: Vec<Opt> = bad
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is contraindicated in {subject}.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let rationale = format!(
        "For {subject}, the appropriate comfort measure is to {}.",
        low(key.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key_option,
        distractors,
        rationale,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    /// Risk-assessment tools predict who may develop a condition; they confirm none.
    const RISK_TOOLS: [&str; 4] = ["braden", "norton", "morse", "risk assessment"];

    /// A risk-assessment scale (the Braden Scale) is never recorded, keyed or offered as a test
    /// that diagnoses a disorder.
    #[test]
    fn a_risk_assessment_tool_is_not_a_diagnostic_test() {
        let kb = kb();
        for fact in kb.with_attribute(DX, "diagnostic_test") {
            let text = fact.norm();
            assert!(
                RISK_TOOLS.iter().all(|tool| !text.contains(tool)),
                "{}: {text}",
                fact.id
            );
        }
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index("dx-diagnostic-test-mc") else {
            panic!("dx-diagnostic-test-mc is in the catalog");
        };
        let mut made = 0;
        for case in catalog.cases(index) {
            for seed in 0..4 {
                let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                    continue;
                };
                made += 1;
                for option in &item.options {
                    let text = option.text.to_lowercase();
                    assert!(
                        RISK_TOOLS.iter().all(|tool| !text.contains(tool)),
                        "{}: {}",
                        case.subject,
                        option.text
                    );
                }
            }
        }
        assert!(made > 0);
    }
}
