//! Prioritize hypotheses: the condition and its evidence (cloze), the priority problem and the bow-tie.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-hypothesis-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Drop-down cloze with a nurse's-note exhibit: \"The client is most likely experiencing {{1}} as evidenced by {{2}}.\" Exhibit: two discriminating cues of the disorder and two normal findings. Drop-down 1: the disorder and 3 same-system competitors. Drop-down 2: one discriminating cue; distractors are the normal findings in the note and a cue of a competitor that is not in the note.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_cloze,
    },
    ModelSpec {
        id: "dx-priority-problem-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Gives a client's disorder and findings and asks for the priority problem. Key: one of the disorder's `priority_problem` facts. Distractors: priority problems of disorders of other body systems that touch nothing recorded about the disorder and are never airway, breathing, circulation or fluid problems (which could outrank the key).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: priority_problem_mc,
    },
    ModelSpec {
        id: "dx-bow-tie",
        item_type: ItemType::BowTie,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Bow-tie from a stem of discriminating cues. Condition: the disorder with 3 same-system competitors. Actions: 2 of its `priority_intervention`/`intervention` facts; distractors are its own `avoid` actions and specific actions for disorders of other systems that touch nothing it records. Parameters: 2 of its `cue`/`vital_sign_cue`/`lab_cue`/`complication_sign` facts to monitor; distractors are findings of unrelated disorders.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: bow_tie,
    },
];

/// Drop-down cloze with a nurse's note: the condition and one piece of evidence.
fn hypothesis_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 2);
    if shown.len() < 2 || normal_opts.is_empty() {
        return None;
    }
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let rival_cues = pick(&mut rng, &rival_pool, 3 - normal_opts.len(), &mut taken);
    if rival_cues.len() + normal_opts.len() < 3 {
        return None;
    }
    let mut note: Vec<String> = shown.iter().map(|fact| clean(fact.text())).collect();
    note.extend(normal_opts.iter().map(|opt| opt.text.clone()));
    rng.shuffle(&mut note);
    let exhibit = format!("Nurse's note: {}.", note.join(". "));
    let stem = format!(
        "The nurse reviews the note for {} admitted with a new problem. Complete the following sentence by choosing from the lists of options.",
        ctx.who
    );
    let key_index = rng.below(2);
    let key = shown[key_index];
    let template = "The client is most likely experiencing {{1}} as evidenced by {{2}}.".to_owned();
    let evidence = serial_list(&texts(&shown));
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!("{} in the note point to {subject}.", sentence(&evidence)),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &evidence),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let mut evidence_distractors = normal_opts;
    evidence_distractors.extend(rival_cues.iter().map(|fact| {
        Opt::new(
            clean(fact.text()),
            format!(
                "{} It is not in the nurse's note.",
                finding_of(kb, fact, subject)
            ),
            &[*fact],
        )
    }));
    let proof = SlotSpec {
        key: key_opt(
            key,
            format!(
                "{} is in the note and is a finding of {subject}.",
                sentence(key.text())
            ),
        ),
        distractors: evidence_distractors,
    };
    let rationale = format!(
        "The note shows {evidence}, which fit {subject} and none of the competing conditions."
    );
    let mut item = build::drop_down_cloze(
        kb,
        meta,
        seed,
        stem,
        template,
        vec![condition, proof],
        rationale,
    );
    item.exhibit = Some(exhibit);
    Some(item)
}

/// The priority problem for a client with the disorder.
fn priority_problem_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let problems = own(kb, subject, &["priority_problem"], &ctx);
    let key = *rng.pick(&problems)?;
    let findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = vec![keys(key.text())];
    let shown = pick(&mut rng, &findings, 2, &mut taken);
    if shown.is_empty() {
        return None;
    }
    let pool = rival_problems(kb, subject, &ctx);
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse plans care for {} who has {}. Which problem is the nurse's priority?",
        who_with(&ctx, subject),
        serial_list(&texts(&shown))
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is the priority problem in {subject}, shown here by {}.",
            sentence(key.text()),
            serial_list(&texts(&shown))
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), format!("{} is a priority problem in {}; nothing in this client's findings supports it.", sentence(fact.text()), fact.subject), &[*fact]))
        .collect();
    let rationale = format!(
        "For a client with {subject}, {} comes first; the other problems are not supported by the findings.",
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

/// Bow-tie: condition, two actions, two parameters.
fn bow_tie(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let mut taken = Vec::new();
    let shown = pick(&mut rng, &cues, 2, &mut taken);
    if shown.len() < 2 {
        return None;
    }
    let evidence = serial_list(&texts(&shown));
    // Actions.
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let mut action_taken = Vec::new();
    let action_keys = pick(&mut rng, &actions, 2, &mut action_taken);
    if action_keys.len() < 2 {
        return None;
    }
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let avoid_chosen = pick(&mut rng, &avoid, 1, &mut action_taken);
    let other_actions = foreign_actions(kb, subject, &ctx);
    let other_chosen = pick(
        &mut rng,
        &other_actions,
        3 - avoid_chosen.len(),
        &mut action_taken,
    );
    if avoid_chosen.len() + other_chosen.len() < 3 {
        return None;
    }
    // Parameters to monitor.
    let mut parameter_pool = own(kb, subject, &FINDINGS, &ctx);
    // Findings about onset or history are not parameters one can monitor.
    parameter_pool.retain(|fact| {
        !["onset", "history", "at birth", "older children"]
            .iter()
            .any(|word| fact.text().contains(word))
    });
    parameter_pool.extend(
        complication_signs(kb, subject, &ctx)
            .into_iter()
            .map(|(fact, _)| fact),
    );
    let fresh: Vec<&Fact> = parameter_pool
        .iter()
        .copied()
        .filter(|fact| !shown.iter().any(|seen| seen.id == fact.id))
        .collect();
    let mut parameter_taken = Vec::new();
    let mut parameter_keys = pick(&mut rng, &fresh, 2, &mut parameter_taken);
    if parameter_keys.len() < 2 {
        parameter_keys.extend(pick(
            &mut rng,
            &parameter_pool,
            2 - parameter_keys.len(),
            &mut parameter_taken,
        ));
    }
    if parameter_keys.len() < 2 {
        return None;
    }
    let unrelated = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let parameter_distractors = pick(&mut rng, &unrelated, 3, &mut parameter_taken);
    if parameter_distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "{} has {evidence}. Complete the diagram by selecting the condition the client is most likely experiencing, 2 actions the nurse should take, and 2 parameters the nurse should monitor.",
        sentence(ctx.who)
    );
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!("{} point to {subject}.", sentence(&evidence)),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &evidence),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let action_key_opts: Vec<Opt> = action_keys
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!("{} is indicated in {subject}.", sentence(fact.text())),
            )
        })
        .collect();
    let mut action_distractors: Vec<Opt> = avoid_chosen
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
    action_distractors.extend(
        other_chosen
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let parameter_key_opts: Vec<Opt> = parameter_keys
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} tracks the course of {subject} and its complications.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let parameter_distractor_opts: Vec<Opt> = parameter_distractors
        .iter()
        .map(|fact| {
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} It is not a parameter to monitor here.",
                    finding_of(kb, fact, subject)
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "The findings indicate {subject}. The nurse should {} and {}, and monitor {} and {}.",
        low(action_keys[0].text()),
        low(action_keys[1].text()),
        low(parameter_keys[0].text()),
        low(parameter_keys[1].text())
    );
    Some(build::bow_tie(
        kb,
        meta,
        seed,
        stem,
        condition,
        (action_key_opts, action_distractors),
        (parameter_key_opts, parameter_distractor_opts),
        rationale,
    ))
}
