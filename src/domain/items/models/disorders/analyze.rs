//! Analyze cues: the most likely condition, differentiating same-system disorders, and the triad and dyad drag-and-drop rationales.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-hypothesis-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Presents 2–3 findings and asks which condition they are most consistent with. Key: the disorder. Distractors: 3 disorders of the same body system that share the most features with it (competing hypotheses), never one that its facts name or that names it (a cause or complication is no competing explanation). The findings shown are only the disorder's cues that share no content word or synonym with anything any of the three competitors records, so each competitor is ruled out by the data.",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_mc,
    },
    ModelSpec {
        id: "dx-differentiate-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Matrix with three same-system disorders as columns (the subject and two competing hypotheses that share features with it); each of 4–6 finding rows belongs to exactly one of them. A row is used only when it shares no content word or synonym with anything the other two columns record.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: differentiate_matrix,
    },
    ModelSpec {
        id: "dx-hypothesis-triad-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Advanced,
        description: "Triad: \"The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.\" The stem lists two discriminating cues of the disorder and two normal findings. Slot 1: the disorder and 3 same-system competitors. Slots 2 and 3: one discriminating cue each; distractors are the normal findings from the stem and a cue of a competitor that the disorder does not record.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: hypothesis_triad_ddr,
    },
    ModelSpec {
        id: "dx-complication-dyad-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Dyad: \"The client is most likely developing {{1}}, as evidenced by {{2}}.\" The stem gives the disorder's admission cues and a new `complication_sign`. Slot 1: the complication that sign indicates (its condition); distractors are complications named by other body systems' complication signs that touch nothing recorded about the disorder and that this client could have (population fits; complications of pregnancy, childhood or psychiatric care only for such clients). Slot 2: the new sign; distractors are the admission cues from the stem (present, but evidence of the disorder itself, chosen to share no word or synonym with the sign) and a normal finding.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_dyad_ddr,
    },
];

/// "The client has A, B, and C. These findings are most consistent with which condition?"
fn hypothesis_mc(g: Gen) -> Option<Item> {
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
    let wanted = 2 + rng.below(2);
    let shown = pick(&mut rng, &cues, wanted, &mut taken);
    if shown.len() < 2 {
        return None;
    }
    let evidence = serial_list(&texts(&shown));
    let stem = match case.variant {
        0 => format!(
            "The nurse assesses {} who has {evidence}. These findings are most consistent with which condition?",
            ctx.who
        ),
        _ => format!(
            "{} presents with {evidence}. Which condition should the nurse suspect?",
            sentence(ctx.who)
        ),
    };
    let key = Opt::new(
        sentence(subject),
        format!("{} together point to {subject}.", sentence(&evidence)),
        &shown,
    );
    let distractors = competitors
        .iter()
        .map(|rival| {
            let cue = rival_cue(kb, rival, subject);
            let facts: Vec<&Fact> = cue.into_iter().collect();
            Opt::new(
                sentence(rival),
                rival_rationale(kb, rival, subject, &evidence),
                &facts,
            )
        })
        .collect();
    let rationale = format!(
        "{} is the hypothesis that explains {evidence}; the competing conditions of the same body system do not produce these findings.",
        sentence(subject)
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Three same-system disorders as columns; each finding belongs to exactly one.
fn differentiate_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let close: Vec<String> = rivals(kb, subject).into_iter().take(4).collect();
    let pair = rng.sample_exactly(&close, 2)?;
    let columns = [subject.to_owned(), pair[0].clone(), pair[1].clone()];
    let mut taken = Vec::new();
    let mut rows = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        let column_ctx = ctx(kb, column);
        let unique: Vec<&Fact> = own(kb, column, &FINDINGS, &column_ctx)
            .into_iter()
            .filter(|fact| {
                columns
                    .iter()
                    .filter(|other| *other != column)
                    .all(|other| !clash(kb, other, fact.text(), &FIND_ALL))
            })
            .collect();
        let count = if index == 0 { 2 } else { 1 + rng.below(2) };
        for fact in pick(&mut rng, &unique, count, &mut taken) {
            rows.push(MatrixRow {
                text: clean(fact.text()),
                column: index,
                rationale: format!(
                    "{} is a finding of {column} and not of the other two conditions.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                facts: vec![fact.id.clone()],
            });
        }
    }
    let used: BTreeSet<usize> = rows.iter().map(|row| row.column).collect();
    if rows.len() < 4 || used.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse compares three {} conditions. For each finding, select the condition it is most consistent with.",
        class_label(kb.class_of(DX, subject).unwrap_or("related"))
    );
    let headers: Vec<String> = columns.iter().map(|column| sentence(column)).collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rationale = format!(
        "{}, {}, and {} share some features, but each finding here is recorded for only one of them.",
        sentence(subject),
        columns[1],
        columns[2]
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &header_refs,
        rows,
        rationale,
    ))
}

/// Triad: condition, and two pieces of evidence from the stem.
fn hypothesis_triad_ddr(g: Gen) -> Option<Item> {
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
    if shown.len() < 2 || normal_opts.len() < 2 {
        return None;
    }
    let rival_pool: Vec<&Fact> = competitors
        .iter()
        .flat_map(|rival| own(kb, rival, &FINDINGS, &ctx_for(kb, rival)))
        .filter(|fact| !clash(kb, subject, fact.text(), &FIND_ALL))
        .collect();
    let rival_cues = pick(&mut rng, &rival_pool, 2, &mut taken);
    if rival_cues.len() < 2 {
        return None;
    }
    let mut findings: Vec<String> = texts(&shown);
    findings.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    rng.shuffle(&mut findings);
    let stem = format!(
        "The nurse assesses {} and documents {}. Complete the following sentence by choosing from the lists of options.",
        ctx.who,
        serial_list(&findings)
    );
    let template =
        "The client is most likely experiencing {{1}} as evidenced by {{2}} and {{3}}.".to_owned();
    let condition = SlotSpec {
        key: Opt::new(
            sentence(subject),
            format!(
                "{} is explained by {subject}.",
                sentence(&serial_list(&texts(&shown)))
            ),
            &shown,
        ),
        distractors: competitors
            .iter()
            .map(|rival| {
                Opt::new(
                    sentence(rival),
                    rival_rationale(kb, rival, subject, &serial_list(&texts(&shown))),
                    &rival_cue(kb, rival, subject)
                        .into_iter()
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
    };
    let evidence = |index: usize| SlotSpec {
        key: key_opt(
            shown[index],
            format!(
                "{} is a finding of {subject} documented for this client.",
                sentence(shown[index].text())
            ),
        ),
        distractors: vec![
            normal_opts[index].clone(),
            Opt::new(
                clean(rival_cues[index].text()),
                format!(
                    "{} It was not documented for this client.",
                    finding_of(kb, rival_cues[index], subject)
                ),
                &[rival_cues[index]],
            ),
        ],
    };
    let specs = vec![condition, evidence(0), evidence(1)];
    let rationale = format!(
        "{} and {} are findings of {subject}; the normal findings do not support any condition.",
        sentence(shown[0].text()),
        low(shown[1].text())
    );
    Some(build::drag_drop_rationale(
        kb, meta, seed, stem, template, specs, rationale,
    ))
}

/// Dyad: a complication of the disorder and the new sign that reveals it.
fn complication_dyad_ddr(g: Gen) -> Option<Item> {
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
    let baseline: Vec<&Fact> = own(kb, subject, &FINDINGS, &ctx)
        .into_iter()
        .filter(|fact| keys(fact.text()).is_disjoint(&sign_words))
        .collect();
    let mut taken = vec![sign_words.clone()];
    let shown = pick(&mut rng, &baseline, 2, &mut taken);
    let normal_opts: Vec<Opt> = draw_normals(kb, subject, &ctx, &mut rng, 3)
        .into_iter()
        .filter(|opt| keys(&opt.text).is_disjoint(&sign_words))
        .take(1)
        .collect();
    if shown.len() + normal_opts.len() < 2 {
        return None;
    }
    // Complications named by other body systems' complication signs.
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
    let mut admission: Vec<String> = texts(&shown);
    admission.extend(normal_opts.iter().map(|opt| lower_first(&opt.text)));
    let stem = format!(
        "The nurse is caring for {}. On admission the nurse documented {}. Today the nurse notes {}. Complete the following sentence by choosing from the lists of options.",
        who_with(&ctx, subject),
        serial_list(&admission),
        low(sign.text())
    );
    let template = "The client is most likely developing {{1}}, as evidenced by {{2}}.".to_owned();
    let cause = SlotSpec {
        key: Opt::new(sentence(&name), format!("{} is the sign of {name}, a complication of {subject}.{}", sentence(sign.text()), cite_note(sign)), &[sign]),
        distractors: chosen
            .iter()
            .map(|(other, fact)| Opt::new(sentence(other), format!("{} is a complication of {} signalled by {}, which this client does not show.", sentence(other), fact.subject, low(fact.text())), &[*fact]))
            .collect(),
    };
    let mut evidence_distractors: Vec<Opt> = shown
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
        .collect();
    evidence_distractors.extend(normal_opts);
    let effect = SlotSpec {
        key: key_opt(
            sign,
            format!(
                "{} is the new finding that signals {name}.",
                sentence(sign.text())
            ),
        ),
        distractors: evidence_distractors,
    };
    let rationale = format!(
        "In a client with {subject}, the new finding of {} signals {name}.",
        low(sign.text())
    );
    Some(build::drag_drop_rationale(
        kb,
        meta,
        seed,
        stem,
        template,
        vec![cause, effect],
        rationale,
    ))
}
