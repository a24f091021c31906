//! Evaluate outcomes: findings that show treatment is effective, that the disorder improves, or that it worsens.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-effective-outcome-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which finding indicates that treatment of a disorder is effective. Key: one of its text `expected_outcome` facts. Distractors: its `complication_sign` facts (worsening) and its own presenting cues (persisting disease), never cues worded as an absence or a normal finding or marked `lasting`.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: effective_outcome_mc,
    },
    ModelSpec {
        id: "dx-outcome-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix of reassessment findings after treatment of a disorder: each is marked as showing the treatment is effective or not effective. Effective rows: 1–2 of its `expected_outcome` facts. Not-effective rows: its persisting presenting cues and its `complication_sign` facts; findings marked `lasting` (deformities from damage already done, diagnostic antibodies) are never used, since they stay when treatment works.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: outcome_matrix,
    },
    ModelSpec {
        id: "dx-improvement-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which findings show a client's disorder is improving with treatment. Keys: 2 or more of its text `expected_outcome` facts. Distractors: its persisting presenting cues (never `lasting` ones) and its `complication_sign` facts (worsening).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: improvement_sata,
    },
    ModelSpec {
        id: "dx-worsening-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 7),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "While evaluating treatment of a disorder, asks which finding requires immediate follow-up. Key: one of its `complication_sign` facts. Distractors: its own expected outcomes and expected outcomes of disorders of other body systems (improvement findings) that share no word or synonym with the sign.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: worsening_mc,
    },
];

/// Findings that show treatment is not working: complication signs first, then persisting cues.
fn not_effective<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    against: &[&Fact],
) -> (Vec<&'a Fact>, Vec<&'a Fact>) {
    let against_words: BTreeSet<String> =
        against.iter().flat_map(|fact| keys(fact.text())).collect();
    let signs: Vec<&Fact> = complication_signs(kb, subject, ctx)
        .into_iter()
        .map(|(fact, _)| fact)
        .filter(|fact| keys(fact.text()).is_disjoint(&against_words))
        .collect();
    (signs, persisting(kb, subject, ctx, against))
}

fn worse_rationale(fact: &Fact, subject: &str) -> String {
    if fact.attribute == "complication_sign" {
        format!(
            "{} signals {}, a worsening of {subject}.",
            sentence(fact.text()),
            normalise(&fact.condition)
        )
    } else {
        format!(
            "{} is a presenting finding of {subject}; if it persists, treatment has not yet been effective.",
            sentence(fact.text())
        )
    }
}

/// "Which finding indicates that treatment has been effective?"
fn effective_outcome_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let goals = outcomes(kb, subject, &ctx);
    let key = *rng.pick(&goals)?;
    let (signs, cues) = not_effective(kb, subject, &ctx, &goals);
    let mut taken = vec![keys(key.text())];
    let mut distractors = pick(&mut rng, &signs, 1, &mut taken);
    distractors.extend(pick(&mut rng, &cues, 3 - distractors.len(), &mut taken));
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates the response to treatment of {}. Which finding indicates that the treatment is effective?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is an expected outcome of effective treatment of {subject}.",
            sentence(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), worse_rationale(fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "Effective treatment of {subject} is shown by {}.",
        low(key.text())
    );
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

pub(super) fn outcome_rows<'a>(
    kb: &'a KnowledgeBase,
    subject: &str,
    ctx: &Ctx,
    rng: &mut Rng,
) -> Option<(Vec<MatrixRow>, Vec<&'a Fact>, Vec<&'a Fact>)> {
    let goals = outcomes(kb, subject, ctx);
    let mut taken = Vec::new();
    let wanted = 1 + rng.below(2);
    let good = pick(rng, &goals, wanted, &mut taken);
    if good.is_empty() {
        return None;
    }
    let (signs, cues) = not_effective(kb, subject, ctx, &goals);
    let mut bad = pick(rng, &signs, 1, &mut taken);
    let more = 4 - good.len() - bad.len() + rng.below(2);
    bad.extend(pick(rng, &cues, more, &mut taken));
    if bad.len() < 2 || good.len() + bad.len() < 3 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = good
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is an expected outcome of effective treatment of {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(bad.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: worse_rationale(fact, subject),
        facts: vec![fact.id.clone()],
    }));
    Some((rows, good, bad))
}

/// Reassessment findings: effective / not effective.
fn outcome_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (rows, good, _) = outcome_rows(kb, subject, &ctx, &mut rng)?;
    let stem = format!(
        "The nurse reassesses {} after treatment. For each finding, indicate whether it shows the treatment is effective or not effective.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "{} shows the treatment is working; the other findings show the disorder persisting or worsening.",
        sentence(&serial_list(&texts(&good)))
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Effective", "Not effective"],
        rows,
        rationale,
    ))
}

/// "Which findings show the client's condition is improving? Select all that apply."
fn improvement_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let goals = outcomes(kb, subject, &ctx);
    let mut taken = Vec::new();
    let good = pick(&mut rng, &goals, 3, &mut taken);
    if good.len() < 2 {
        return None;
    }
    let (signs, cues) = not_effective(kb, subject, &ctx, &goals);
    let mut bad = pick(&mut rng, &signs, 1, &mut taken);
    let more = 5 - good.len() - bad.len() + rng.below(2);
    bad.extend(pick(&mut rng, &cues, more, &mut taken));
    if bad.len() < 2 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates care of {}. Which findings indicate that the client's condition is improving? Select all that apply.",
        who_with(&ctx, subject)
    );
    let key_opts = good
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is an expected outcome of effective treatment of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let distractors = bad
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), worse_rationale(fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "Improvement in {subject} is shown by {}.",
        serial_list(&texts(&good))
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

/// "Which finding requires immediate follow-up?" during evaluation.
fn worsening_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let signs = complication_signs(kb, subject, &ctx);
    let (sign, name) = rng.pick(&signs)?.clone();
    let sign_words: BTreeSet<String> = keys(sign.text()).union(&keys(&name)).cloned().collect();
    let goals: Vec<&Fact> = outcomes(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words];
    let mut distractors = pick(&mut rng, &goals, 2, &mut taken);
    let broad = [
        "pain", "temp", "vital", "stabl", "infec", "sympt", "resol", "heart", "resp", "bleed",
        "mental", "flare", "weight",
    ];
    let pool = foreign(
        kb,
        subject,
        &["expected_outcome"],
        &FIND_ALL,
        &broad,
        true,
        false,
        &ctx,
    );
    distractors.extend(pick(&mut rng, &pool, 3 - distractors.len(), &mut taken));
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse evaluates {} during treatment. Which finding requires immediate follow-up?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        sign,
        format!(
            "{} signals {name}, a complication of {subject} that needs prompt action.",
            sentence(sign.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let why = if fact.subject == subject {
                format!("an expected outcome of treating {subject}")
            } else {
                format!(
                    "a sign of recovery (an expected outcome in {})",
                    fact.subject
                )
            };
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is {why}; it does not need urgent follow-up.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "In {subject}, {} signals {name}; the other findings show improvement.",
        low(sign.text())
    );
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

#[cfg(test)]
mod tests {
    use super::super::super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    /// D-dimer does not measure anticoagulant effect, so a raised D-dimer is never offered as
    /// evidence that the treatment of a clot (deep vein thrombosis, pulmonary embolism) failed.
    #[test]
    fn d_dimer_is_not_evidence_that_anticoagulation_failed() {
        let kb = kb();
        for subject in ["deep vein thrombosis", "pulmonary embolism"] {
            let ctx = ctx(kb, subject);
            let goals = outcomes(kb, subject, &ctx);
            let (signs, cues) = not_effective(kb, subject, &ctx, &goals);
            for fact in signs.iter().chain(&cues) {
                assert!(!fact.norm().contains("d-dimer"), "{subject}: {}", fact.id);
            }
            assert!(!cues.is_empty(), "{subject} still has persisting cues");
        }
        let catalog = Catalog::builtin(kb);
        let mut made = 0;
        for id in [
            "dx-outcome-matrix",
            "dx-effective-outcome-mc",
            "dx-improvement-sata",
        ] {
            let Some(index) = catalog.model_index(id) else {
                panic!("{id} is in the catalog");
            };
            for case in catalog.cases(index) {
                if !["deep vein thrombosis", "pulmonary embolism"].contains(&case.subject.as_str())
                {
                    continue;
                }
                for seed in 0..30 {
                    let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                        continue;
                    };
                    made += 1;
                    for option in item.options.iter().chain(&item.rows) {
                        assert!(
                            !option.text.to_lowercase().contains("d-dimer"),
                            "{id} {}: {}",
                            case.subject,
                            option.text
                        );
                    }
                }
            }
        }
        assert!(made > 0);
    }
}
