//! Take action: comfort measures and actions to avoid, the first action, the action for a complication and the priority actions.

use super::*;
use crate::domain::knowledge::shared_words;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-comfort-avoid-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::BasicCareComfort,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which comfort measure the nurse should avoid for a client with a disorder. Key: one of its `avoid` facts that is a comfort measure (positioning, heat, cold, massage, cushions). Distractors: 3 of its own `priority_intervention`/`intervention` facts, all indicated.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: comfort_avoid_mc,
    },
    ModelSpec {
        id: "dx-first-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Gives a client's disorder and current findings and asks which action the nurse should take first. Key: one of its `priority_intervention` facts; when the key is an assessment or test, the stem shows no finding that reports its result (no ST-segment elevation beside 'obtain a 12-lead ECG'). Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that share no word or synonym with anything it records; assessment, notification, oxygen, fluid, antibiotic and analgesic actions are never distractors since they could be argued first.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: first_action_mc,
    },
    ModelSpec {
        id: "dx-unsafe-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which planned action is unsafe for a client with a disorder and should not be carried out. Key: one of its `avoid` facts that is not a comfort measure. Distractors: 3 of its own indicated `priority_intervention`/`intervention` facts.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: unsafe_action_mc,
    },
    ModelSpec {
        id: "dx-complication-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "A client with a disorder develops the findings of one of its complications that is itself a disorder in the knowledge base (for example DVT → pulmonary embolism); asks which action the nurse should take first. Key: a `priority_intervention` of the complication. Distractors: specific treatments of disorders of other body systems that touch nothing recorded about either disorder.",
        cases: Cases::Vetted {
            family: DX,
            variants: 3,
        },
        seeding: Seeding::Seed,
        generate: complication_action_mc,
    },
    ModelSpec {
        id: "dx-priority-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Gives a client's disorder and findings and asks which actions the nurse should take now. Keys: 2–3 of its `priority_intervention` facts. Distractors: its own `avoid` actions and specific treatments of disorders of other body systems that touch nothing it records (broad actions excluded).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: priority_actions_sata,
    },
];

/// "Which comfort measure should the nurse avoid for a client with X?"
fn comfort_avoid_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| comfort(fact.text()))
        .collect();
    avoid_from_own(kb, meta, seed, &mut rng, subject, &ctx, &avoid, true)
}

/// "Which action should the nurse avoid for a client with X?" (non-comfort `avoid` facts)
fn unsafe_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let avoid: Vec<&Fact> = own(kb, subject, &["avoid"], &ctx)
        .into_iter()
        .filter(|fact| !comfort(fact.text()))
        .collect();
    avoid_from_own(kb, meta, seed, &mut rng, subject, &ctx, &avoid, false)
}

#[allow(clippy::too_many_arguments)]
fn avoid_from_own(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    rng: &mut Rng,
    subject: &str,
    ctx: &Ctx,
    avoid: &[&Fact],
    comfort_frame: bool,
) -> Option<Item> {
    let key = *rng.pick(avoid)?;
    let actions = own(kb, subject, &["priority_intervention", "intervention"], ctx);
    let mut taken = vec![keys(key.text())];
    let distractors = pick(rng, &actions, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = if comfort_frame {
        format!(
            "The nurse plans comfort measures for {}. Which measure should the nurse avoid?",
            who_with(ctx, subject)
        )
    } else {
        format!(
            "The nurse reviews the plan of care for {}. Which action would be unsafe for this client?",
            who_with(ctx, subject)
        )
    };
    let key_option = key_opt(
        key,
        format!("{} is contraindicated in {subject}.", sentence(key.text())),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is indicated in {subject}, so it is safe.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let rationale = format!(
        "The nurse should not {} for a client with {subject}.{}",
        low(key.text()),
        cite_note(key)
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

/// "Which action should the nurse take first?"
fn first_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let key = *rng.pick(&priorities)?;
    // A stem that already reports the result of the keyed assessment (ST elevation for "obtain a
    // 12-lead ECG") says it has been done, so such findings are not shown with that key.
    let findings: Vec<&Fact> = own(kb, subject, &FINDINGS, &ctx)
        .into_iter()
        .filter(|finding| !reports_result_of(finding.text(), key.text()))
        .collect();
    let mut seen_taken = Vec::new();
    let shown = pick(&mut rng, &findings, 2, &mut seen_taken);
    if shown.is_empty() {
        return None;
    }
    // Other priority interventions of the subject must not sit beside the key as "wrong".
    let mut taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let bad = pick(&mut rng, &avoid, 1, &mut taken);
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(&mut rng, &others, 3 - bad.len(), &mut taken);
    if bad.len() + other_chosen.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {} who has {}. Which action should the nurse take first?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is the priority action in {subject}.",
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
    let rationale = format!("In {subject}, the nurse should first {}.", low(key.text()));
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

/// Verbs that begin an assessment or a test rather than a treatment.
const ASSESSING: [&str; 8] = [
    "obtain",
    "assess",
    "check",
    "measure",
    "monitor",
    "draw",
    "perform",
    "auscultate",
];

/// Words that name the result of an electrocardiogram or of imaging: a finding that contains one
/// was read from that test.
const ECG_RESULTS: [&str; 10] = [
    "st-segment",
    "st segment",
    "st elevation",
    "st depression",
    "qrs",
    "wave",
    "interval",
    "ecg",
    "electrocardiogram",
    " leads",
];
const IMAGING_RESULTS: [&str; 6] = [" ct", "ct ", "mri", "x-ray", "imaging", "scan"];

/// True when `finding` reports what the assessment `action` would find: the action assesses or
/// tests (it begins with an assessing verb) and the finding names its object or its result. Errs
/// towards true, which only keeps a finding out of the stem.
fn reports_result_of(finding: &str, action: &str) -> bool {
    let action = action.to_lowercase();
    let finding = format!(" {}", finding.to_lowercase());
    let Some(verb) = action.split_whitespace().next() else {
        return false;
    };
    if !ASSESSING.contains(&verb) {
        return false;
    }
    let object = &action[verb.len()..];
    let ecg = ["ecg", "electrocardiogram", "ekg", "cardiac monitor"]
        .iter()
        .any(|word| object.contains(word));
    let imaging = [" ct ", "mri", "x-ray", "ultrasound", "scan"]
        .iter()
        .any(|word| format!("{object} ").contains(word));
    (ecg && ECG_RESULTS.iter().any(|word| finding.contains(word)))
        || (imaging && IMAGING_RESULTS.iter().any(|word| finding.contains(word)))
        || !shared_words(object, &finding, &[]).is_empty()
}

/// The subject's complications that are themselves disorders in the knowledge base.
fn complication_subjects(kb: &KnowledgeBase, subject: &str) -> Vec<String> {
    let known: BTreeSet<String> = kb.subjects(DX).iter().map(|name| normalise(name)).collect();
    kb.values(DX, subject, "complication")
        .into_iter()
        .map(|fact| fact.norm().to_owned())
        .filter(|name| known.contains(name) && name != subject)
        .collect()
}

/// A client with X develops complication Y: which action first?
fn complication_action_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let complications = complication_subjects(kb, subject);
    let complication = complications.get(case.variant as usize)?.clone();
    let ctx = ctx(kb, subject);
    let complication_ctx = ctx_for(kb, &complication);
    let priorities = own(
        kb,
        &complication,
        &["priority_intervention"],
        &complication_ctx,
    );
    let key = *rng.pick(&priorities)?;
    let findings = own(kb, &complication, &FINDINGS, &complication_ctx);
    let mut seen_taken = Vec::new();
    let shown_count = 2 + rng.below(2);
    let shown = pick(&mut rng, &findings, shown_count, &mut seen_taken);
    if shown.len() < 2 {
        return None;
    }
    let mut taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    let pool: Vec<&Fact> = foreign_actions(kb, subject, &ctx)
        .into_iter()
        .filter(|fact| kb.class_of(DX, &fact.subject) != kb.class_of(DX, &complication))
        .filter(|fact| {
            let mut clash_with: Vec<&str> = ACT_ALL.to_vec();
            clash_with.extend(FIND_ALL);
            !clash(kb, &complication, fact.text(), &clash_with)
        })
        .collect();
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {}. The client suddenly develops {}. Which action should the nurse take first?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "The new findings indicate {complication}; the priority action is to {}.",
            low(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                action_of(kb, fact, &complication),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is a complication of {subject}; {} signal it and call for the nurse to {}.",
        sentence(&complication),
        serial_list(&texts(&shown)),
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

/// "Which actions should the nurse take now? Select all that apply."
fn priority_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let mut taken = Vec::new();
    let keys_chosen = pick(&mut rng, &priorities, 3, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let findings = own(kb, subject, &FINDINGS, &ctx);
    let mut seen_taken = Vec::new();
    let shown = pick(&mut rng, &findings, 2, &mut seen_taken);
    if shown.is_empty() {
        return None;
    }
    // Lower-priority interventions of the subject are neither keys nor distractors.
    taken.extend(
        own(kb, subject, &["intervention"], &ctx)
            .iter()
            .map(|fact| keys(fact.text())),
    );
    let total = 5 + rng.below(2);
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let bad = pick(
        &mut rng,
        &avoid,
        2.min(total - keys_chosen.len()),
        &mut taken,
    );
    let others = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &others,
        total - keys_chosen.len() - bad.len(),
        &mut taken,
    );
    if keys_chosen.len() + bad.len() + other_chosen.len() < total {
        return None;
    }
    let stem = format!(
        "The nurse is caring for {} who has {}. Which actions should the nurse take now? Select all that apply.",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is a priority action in {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
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
        "Priority actions in {subject}: {}.",
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

#[cfg(test)]
mod tests {
    use super::super::super::super::Answer;
    use super::super::super::super::catalog::Catalog;
    use super::*;

    use crate::domain::knowledge::shared_for_tests as kb;

    fn key_text(item: &Item) -> String {
        let Answer::Choice(key) = &item.correct_answer else {
            return String::new();
        };
        item.options
            .iter()
            .find(|option| option.id == *key)
            .map(|option| option.text.to_lowercase())
            .unwrap_or_default()
    }

    /// The first action is never an ECG when the stem already reports an ECG finding (ST-segment
    /// elevation in acute coronary syndrome): the ECG has been done.
    #[test]
    fn the_first_action_is_not_an_assessment_the_stem_has_reported() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index("dx-first-action-mc") else {
            panic!("dx-first-action-mc is in the catalog");
        };
        let mut ecg_keys = 0;
        for case in catalog.cases(index) {
            for seed in 0..40 {
                let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                    continue;
                };
                let key = key_text(&item);
                if key.contains("ecg") {
                    ecg_keys += 1;
                    let stem = item.question.to_lowercase();
                    for result in ["st-segment", "st segment", "wave", "qrs"] {
                        assert!(!stem.contains(result), "{}: {stem} / {key}", case.subject);
                    }
                }
            }
        }
        assert!(ecg_keys > 0, "some case keys obtaining an ECG");
    }

    #[test]
    fn a_finding_reports_the_result_of_the_test_that_found_it() {
        let ecg = "obtain a 12-lead ECG within 10 minutes of arrival";
        assert!(reports_result_of(
            "ST-segment elevation in two contiguous leads",
            ecg
        ));
        assert!(!reports_result_of("crushing substernal chest pain", ecg));
        assert!(reports_result_of(
            "positive sputum culture",
            "obtain a sputum culture before the first antibiotic dose"
        ));
        assert!(!reports_result_of(
            "ST-segment elevation in two contiguous leads",
            "give aspirin as prescribed"
        ));
    }
}
