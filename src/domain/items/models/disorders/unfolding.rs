//! Unfolding case studies: six items about one disorder, or about a disorder and one of its complications.

use super::evaluate::outcome_rows;
use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-unfolding-case-study",
        item_type: ItemType::CaseStudy,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Advanced,
        description: "Six-item unfolding case built from one disorder. Scenario: presenting complaint. 1 recognize cues (highlight a nurse's note of discriminating cues and normal findings), 2 analyze cues (MC: which condition, with 3 same-system competitors, after a new finding), 3 prioritize hypotheses (MC: priority problem, after the provider's note), 4 generate solutions (SATA: plan interventions vs its `avoid` and other-system actions, after a new finding), 5 take action (MC: first action, after new vital data), 6 evaluate outcomes (matrix: effective / not effective for the reassessment findings). Every item after the first has an exhibit of new data built from the disorder's facts.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: unfolding_case,
    },
    ModelSpec {
        id: "dx-complication-case-study",
        item_type: ItemType::CaseStudy,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Six-item unfolding case about a disorder and one of its complications. Scenario: presentation with cues and normal findings. 1 recognize cues (SATA: which findings require follow-up), 2 analyze cues (cloze: condition and evidence, after a new finding, with 3 same-system competitors), 3 prioritize hypotheses (MC: priority problem, after the provider's note), 4 generate solutions (matrix: indicated/contraindicated for the provider's orders, from its interventions and `avoid`), 5 take action (MC: first action, after a nurse's note; distractors are other-system treatments), 6 evaluate outcomes (dyad: the client is not responding and is developing the complication named by its `complication_sign`, with the admission cues as distractor evidence).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_case,
    },
];

fn inner_meta(meta: &Meta, ncjmm: NcjmmFunction) -> Meta {
    Meta {
        ncjmm,
        ..meta.clone()
    }
}

/// Case-study step 3 (prioritize hypotheses): the priority problem after the provider confirms
/// the disorder. Returns the item and the problem, which later steps and the rationale name.
fn priority_problem_step<'a>(
    kb: &'a KnowledgeBase,
    meta: &Meta,
    subject: &str,
    ctx: &Ctx,
    rng: &mut Rng,
    seed: u64,
) -> Option<(Item, &'a Fact)> {
    let problems = own(kb, subject, &["priority_problem"], ctx);
    let problem = *rng.pick(&problems)?;
    let problem_pool = rival_problems(kb, subject, ctx);
    let mut problem_taken = vec![keys(problem.text())];
    let problem_distractors = pick(rng, &problem_pool, 3, &mut problem_taken);
    if problem_distractors.len() < 3 {
        return None;
    }
    let mut third = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::PrioritizeHypotheses),
        seed,
        "Which problem is the nurse's priority for this client?".to_owned(),
        key_opt(
            problem,
            format!(
                "{} is the priority problem in {subject}.",
                sentence(problem.text())
            ),
        ),
        problem_distractors
            .iter()
            .map(|fact| {
                Opt::new(
                    clean(fact.text()),
                    format!(
                        "{} is a priority problem in {}; nothing in this case supports it.",
                        sentence(fact.text()),
                        fact.subject
                    ),
                    &[*fact],
                )
            })
            .collect(),
        format!(
            "With {subject} confirmed, {} comes first.",
            low(problem.text())
        ),
    );
    third.exhibit = Some(format!(
        "Provider's note: Findings consistent with {subject}. Admit for treatment."
    ));
    Some((third, problem))
}

/// Case A: recognise → which condition → priority problem → plan → first action → evaluate.
fn unfolding_case(g: Gen) -> Option<Item> {
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
    let discriminating = pick(&mut rng, &cues, 4, &mut taken);
    if discriminating.len() < 3 {
        return None;
    }
    let mut discriminating = discriminating;
    let first_cue = discriminating
        .iter()
        .position(|fact| fact.attribute == "cue")?;
    discriminating.swap(0, first_cue);
    let (presenting, rest) = discriminating.split_at(1);
    let (noted, revealed) = rest.split_at(rest.len() - 1);
    let revealed = revealed[0];
    let scenario = format!(
        "{} is brought to the emergency department with {}. The nurse completes an initial assessment.",
        sentence(ctx.who),
        low(presenting[0].text())
    );

    // 1. Recognize cues: highlight the note.
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, 4);
    if normal_opts.len() + noted.len() < 5 || normal_opts.len() < 2 {
        return None;
    }
    let mut segments: Vec<(bool, Opt)> = noted
        .iter()
        .map(|fact| {
            (
                true,
                key_opt(
                    fact,
                    format!(
                        "{} is abnormal and is a finding of {subject}.",
                        sentence(fact.text())
                    ),
                ),
            )
        })
        .collect();
    segments.push((
        true,
        key_opt(
            presenting[0],
            format!(
                "{} is the presenting finding of {subject}.",
                sentence(presenting[0].text())
            ),
        ),
    ));
    segments.extend(normal_opts.iter().cloned().map(|opt| (false, opt)));
    rng.shuffle(&mut segments);
    let first = build::highlight(
        kb,
        &inner_meta(meta, NcjmmFunction::RecognizeCues),
        seed,
        "Highlight the findings in the nurse's initial assessment that require follow-up."
            .to_owned(),
        segments,
        format!(
            "The abnormal findings are {}; the others are within normal limits.",
            serial_list(&texts(&discriminating[..discriminating.len() - 1]))
        ),
    );

    // 2. Analyze cues: which condition, after a new finding.
    let all_evidence = serial_list(&texts(&discriminating));
    let key = Opt::new(
        sentence(subject),
        format!("{} together point to {subject}.", sentence(&all_evidence)),
        &discriminating,
    );
    let distractors = competitors
        .iter()
        .map(|rival| {
            Opt::new(
                sentence(rival),
                rival_rationale(kb, rival, subject, &all_evidence),
                &rival_cue(kb, rival, subject)
                    .into_iter()
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut second = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::AnalyzeCues),
        seed,
        "The findings so far are most consistent with which condition?".to_owned(),
        key,
        distractors,
        format!("{} explains {all_evidence}.", sentence(subject)),
    );
    second.exhibit = Some(format!("Additional finding: {}.", clean(revealed.text())));

    // 3. Prioritize hypotheses: priority problem, after the provider's note.
    let (third, problem) = priority_problem_step(kb, meta, subject, &ctx, &mut rng, seed)?;

    // 4. Generate solutions: plan interventions, after a new finding.
    let interventions = own(kb, subject, &["intervention"], &ctx);
    let mut plan_taken = Vec::new();
    let plan_count = 2 + rng.below(2);
    let plan_keys = pick(&mut rng, &interventions, plan_count, &mut plan_taken);
    if plan_keys.len() < 2 {
        return None;
    }
    plan_taken.extend(
        own(kb, subject, &["priority_intervention"], &ctx)
            .iter()
            .map(|fact| keys(fact.text())),
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let plan_bad = pick(&mut rng, &avoid, 1, &mut plan_taken);
    let plan_others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        5 - plan_keys.len() - plan_bad.len(),
        &mut plan_taken,
    );
    if plan_keys.len() + plan_bad.len() + plan_others.len() < 5 {
        return None;
    }
    let mut plan_distractors: Vec<Opt> = plan_bad
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
    plan_distractors.extend(
        plan_others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let mut fourth = build::multiple_response(
        kb,
        &inner_meta(meta, NcjmmFunction::GenerateSolutions),
        seed,
        "Which interventions should the nurse include in the plan of care? Select all that apply."
            .to_owned(),
        plan_keys
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
            .collect(),
        plan_distractors,
        format!(
            "Care of {subject} includes {}.",
            serial_list(&texts(&plan_keys))
        ),
    );
    let priority_problem_note = format!(
        "Nurse's note: The client is transferred to the medical unit. Priority problem: {}.",
        low(problem.text())
    );
    fourth.exhibit = Some(priority_problem_note);

    // 5. Take action: first action, after new data.
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let first_key = *rng.pick(&priorities)?;
    let mut action_taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    action_taken.extend(plan_keys.iter().map(|fact| keys(fact.text())));
    let action_bad = pick(&mut rng, &avoid, 1, &mut action_taken);
    let action_others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        3 - action_bad.len(),
        &mut action_taken,
    );
    if action_bad.len() + action_others.len() < 3 {
        return None;
    }
    let mut action_distractors: Vec<Opt> = action_bad
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
        action_others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact])),
    );
    let mut fifth = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::TakeAction),
        seed,
        "Which action should the nurse take first?".to_owned(),
        key_opt(
            first_key,
            format!(
                "{} is the priority action in {subject}.",
                sentence(first_key.text())
            ),
        ),
        action_distractors,
        format!(
            "In {subject} the nurse should first {}.",
            low(first_key.text())
        ),
    );
    fifth.exhibit = Some(format!(
        "Nurse's note: The client's findings are unchanged; {} persists.",
        low(revealed.text())
    ));

    // 6. Evaluate outcomes: matrix of reassessment findings.
    let (rows, good, _) = outcome_rows(kb, subject, &ctx, &mut rng)?;
    let row_texts: Vec<String> = rows.iter().map(|row| row.text.clone()).collect();
    let mut sixth = build::matrix(
        kb,
        &inner_meta(meta, NcjmmFunction::EvaluateOutcomes),
        seed,
        "For each reassessment finding, indicate whether it shows the treatment is effective or not effective.".to_owned(),
        &["Effective", "Not effective"],
        rows,
        format!("{} shows the treatment is working; the other findings need follow-up.", sentence(&serial_list(&texts(&good)))),
    );
    sixth.exhibit = Some(format!(
        "Reassessment after treatment: {}.",
        row_texts.join("; ")
    ));

    let rationale = format!(
        "The case follows {} from its first cues ({}) through the priority problem ({}), the plan and priority action ({}), to the outcomes that show the treatment is working.",
        subject,
        serial_list(&texts(&discriminating)),
        low(problem.text()),
        low(first_key.text())
    );
    Some(build::case_study(
        kb,
        meta,
        seed,
        scenario,
        vec![first, second, third, fourth, fifth, sixth],
        rationale,
    ))
}

/// Case B: findings → condition and evidence → developing complication → orders → first action → evaluate.
fn complication_case(g: Gen) -> Option<Item> {
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
    let (competitors, cues) = hypotheses(kb, subject, &mut rng, &ctx)?;
    let cues: Vec<&Fact> = cues
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words.clone()];
    let shown = pick(&mut rng, &cues, 3, &mut taken);
    if shown.len() < 3 {
        return None;
    }
    let normal_opts: Vec<Opt> = normals(kb, subject, &ctx)
        .into_iter()
        .filter(|opt| keys(&opt.text).is_disjoint(&sign_words))
        .collect();
    let normal_opts = rng.sample_exactly(&normal_opts, 3)?;
    let (admission, lab) = shown.split_at(2);
    let lab = lab[0];
    let mut presentation: Vec<String> = texts(admission);
    presentation.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    rng.shuffle(&mut presentation);
    let scenario = format!(
        "{} is admitted to the medical unit. The admission assessment shows {}.",
        sentence(ctx.who),
        serial_list(&presentation)
    );

    // 1. Recognize cues: which findings require follow-up.
    let first = build::multiple_response(
        kb,
        &inner_meta(meta, NcjmmFunction::RecognizeCues),
        seed,
        "Which findings from the admission assessment require follow-up? Select all that apply."
            .to_owned(),
        admission
            .iter()
            .map(|fact| {
                key_opt(
                    fact,
                    format!(
                        "{} is abnormal and is a finding of {subject}.",
                        sentence(fact.text())
                    ),
                )
            })
            .collect(),
        normal_opts.clone(),
        format!(
            "{} are abnormal; the other findings are within normal limits.",
            sentence(&serial_list(&texts(admission)))
        ),
    );

    // 2. Analyze cues: condition and evidence, after a new result.
    let evidence = serial_list(&texts(&shown));
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let mut rival_taken = taken.clone();
    let rival_cues = pick(&mut rng, &rival_pool, 1, &mut rival_taken);
    if rival_cues.is_empty() {
        return None;
    }
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
    let proof = SlotSpec {
        key: key_opt(
            lab,
            format!(
                "{} is the new result and is a finding of {subject}.",
                sentence(lab.text())
            ),
        ),
        distractors: vec![
            normal_opts[0].clone(),
            Opt::new(
                clean(rival_cues[0].text()),
                format!(
                    "{} The client does not have it.",
                    finding_of(kb, rival_cues[0], subject)
                ),
                &[rival_cues[0]],
            ),
        ],
    };
    let mut second = build::drop_down_cloze(
        kb,
        &inner_meta(meta, NcjmmFunction::AnalyzeCues),
        seed,
        "Complete the following sentence by choosing from the lists of options.".to_owned(),
        "The client's findings are most consistent with {{1}}, as shown by the new finding of {{2}}.".to_owned(),
        vec![condition, proof],
        format!("{} fit {subject} and none of the competing conditions.", sentence(&evidence)),
    );
    second.exhibit = Some(format!("New result: {}.", clean(lab.text())));

    // 3. Prioritize hypotheses: the priority problem, after the provider's note.
    let (third, problem) = priority_problem_step(kb, meta, subject, &ctx, &mut rng, seed)?;

    // 4. Generate solutions: which orders are indicated.
    let actions = own(
        kb,
        subject,
        &["priority_intervention", "intervention"],
        &ctx,
    );
    let avoid = own(kb, subject, &["avoid"], &ctx);
    let mut order_taken = Vec::new();
    let bad = pick(&mut rng, &avoid, 1, &mut order_taken);
    let good = pick(&mut rng, &actions, 3, &mut order_taken);
    if bad.is_empty() || good.len() < 3 {
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
            "{} is contraindicated in {subject}; the nurse should question this order.{}",
            sentence(fact.text()),
            cite_note(fact)
        ),
        facts: vec![fact.id.clone()],
    }));
    let mut order_texts: Vec<String> = rows.iter().map(|row| row.text.clone()).collect();
    rng.shuffle(&mut order_texts);
    let mut fourth = build::matrix(
        kb,
        &inner_meta(meta, NcjmmFunction::GenerateSolutions),
        seed,
        "For each order, indicate whether it is indicated or contraindicated for this client."
            .to_owned(),
        &["Indicated", "Contraindicated"],
        rows,
        format!(
            "The nurse should question the order to {}.",
            serial_list(&texts(&bad))
        ),
    );
    fourth.exhibit = Some(format!("Provider's orders: {}.", order_texts.join("; ")));

    // 5. Take action: first action.
    let priorities = own(kb, subject, &["priority_intervention"], &ctx);
    let first_key = *rng.pick(&priorities)?;
    let mut action_taken: Vec<BTreeSet<String>> =
        priorities.iter().map(|fact| keys(fact.text())).collect();
    action_taken.extend(good.iter().map(|fact| keys(fact.text())));
    action_taken.extend(bad.iter().map(|fact| keys(fact.text())));
    let others = pick(
        &mut rng,
        &foreign_actions(kb, subject, &ctx),
        3,
        &mut action_taken,
    );
    if others.len() < 3 {
        return None;
    }
    let mut fifth = build::multiple_choice(
        kb,
        &inner_meta(meta, NcjmmFunction::TakeAction),
        seed,
        "The nurse receives report on the client. Which action should the nurse take first?"
            .to_owned(),
        key_opt(
            first_key,
            format!(
                "{} is the priority action in {subject}.",
                sentence(first_key.text())
            ),
        ),
        others
            .iter()
            .map(|fact| Opt::new(clean(fact.text()), action_of(kb, fact, subject), &[*fact]))
            .collect(),
        format!(
            "In {subject} the nurse should first {}.",
            low(first_key.text())
        ),
    );
    fifth.exhibit = Some(format!(
        "Nurse's note, day 2: The orders have been received; the client still has {}.",
        low(lab.text())
    ));

    // 6. Evaluate outcomes: treatment is not working; a complication is developing.
    let class = kb.class_of(DX, subject);
    let mut seen = BTreeSet::from([name.clone()]);
    let names: Vec<(String, &Fact)> = kb
        .with_attribute(DX, "complication_sign")
        .into_iter()
        .filter(|fact| kb.class_of(DX, &fact.subject) != class)
        .filter(|fact| could_happen_to(kb, fact, &ctx))
        .filter_map(|fact| complication_name(fact).map(|other| (other, fact)))
        .filter(|(other, _)| {
            !clash(kb, subject, other, &FIND_ALL) && keys(other).is_disjoint(&sign_words)
        })
        .filter(|(other, _)| seen.insert(other.clone()))
        .collect();
    let chosen = rng.sample(&names, 3);
    if chosen.len() < 2 {
        return None;
    }
    let cause = SlotSpec {
        key: Opt::new(sentence(&name), format!("{} is the sign of {name}, a complication of {subject}.{}", sentence(sign.text()), cite_note(sign)), &[sign]),
        distractors: chosen
            .iter()
            .map(|(other, fact)| Opt::new(sentence(other), format!("{} is a complication of {} signalled by {}, which this client does not show.", sentence(other), fact.subject, low(fact.text())), &[*fact]))
            .collect(),
    };
    let effect = SlotSpec {
        key: key_opt(
            sign,
            format!(
                "{} is the new finding that signals {name}.",
                sentence(sign.text())
            ),
        ),
        distractors: admission
            .iter()
            .map(|fact| {
                Opt::new(
                    clean(fact.text()),
                    format!(
                        "{} was present on admission and reflects {subject} itself, not {name}.",
                        sentence(fact.text())
                    ),
                    &[*fact],
                )
            })
            .collect(),
    };
    let mut sixth = build::drag_drop_rationale(
        kb,
        &inner_meta(meta, NcjmmFunction::EvaluateOutcomes),
        seed,
        "Complete the following sentence by choosing from the lists of options.".to_owned(),
        "The client is not responding as expected and is most likely developing {{1}}, as evidenced by {{2}}.".to_owned(),
        vec![cause, effect],
        format!(
            "The new finding of {} signals {name}.",
            low(sign.text())
        ),
    );
    sixth.exhibit = Some(format!(
        "Nurse's note, day 3: The client has received the prescribed treatment and now has {}.",
        low(sign.text())
    ));

    let rationale = format!(
        "The case follows a client with {subject} from the first cues ({evidence}) through the priority problem ({}), the orders and the first action, to {name}, signalled by {}.",
        low(problem.text()),
        low(sign.text())
    );
    Some(build::case_study(
        kb,
        meta,
        seed,
        scenario,
        vec![first, second, third, fourth, fifth, sixth],
        rationale,
    ))
}
