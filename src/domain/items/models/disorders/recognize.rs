//! Recognize cues: expected findings, findings in a note, consistent findings, complication signs and laboratory findings.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dx-expected-findings-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Asks which assessment findings the nurse should expect in a client with a named disorder. Keys: 2–3 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts (population-appropriate, unconditioned). Distractors: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder, excluding broad findings (fever, fatigue, heart rate, breathing, confusion).",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: expected_findings_sata,
    },
    ModelSpec {
        id: "dx-findings-highlight",
        item_type: ItemType::Highlight,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "A nurse's note of 6–9 segments; the student highlights the findings that support the suspected disorder. Keys: 3–4 of the disorder's `cue`/`vital_sign_cue`/`lab_cue` facts. Other segments: normal findings (normal vital signs from `vital_signs` reference ranges, normal physical findings) chosen only when they touch nothing the disorder records, plus at most one finding of a disorder of another body system that shares no feature with this one.",
        cases: Cases::Vetted {
            family: DX,
            variants: 2,
        },
        seeding: Seeding::Seed,
        generate: findings_highlight,
    },
    ModelSpec {
        id: "dx-finding-consistent-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for each of 5–6 findings, the student marks whether it is consistent with the named disorder or not. Consistent rows: 2–3 of its `cue`/`vital_sign_cue`/`lab_cue` facts. Not-consistent rows: findings of disorders of other body systems that share no content word or clinical synonym with anything recorded about the disorder (broad findings excluded).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: finding_consistent_matrix,
    },
    ModelSpec {
        id: "dx-complication-sign-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ReductionOfRisk,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Asks which finding indicates a named complication in a client with a disorder. Key: the disorder's `complication_sign` whose condition names that complication. Distractors: complication signs and unconditioned findings of disorders of other body systems that this client could have and that share no content word or synonym with the disorder's records or the complication's name.",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: complication_sign_mc,
    },
    ModelSpec {
        id: "dx-lab-finding-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PhysiologicalAdaptation,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::EvidenceBasedPractice,
        difficulty: Difficulty::Intermediate,
        description: "Asks which laboratory finding the nurse should expect in a client with a disorder. Key: one of its text `lab_cue` facts. Distractors: laboratory cues of disorders of other body systems on analytes the disorder records nothing about (inflammatory markers, WBC and lactate excluded as too broad).",
        cases: Cases::Vetted {
            family: DX,
            variants: 1,
        },
        seeding: Seeding::Seed,
        generate: lab_finding_mc,
    },
];

/// "Which findings should the nurse expect in a client with X? Select all that apply."
fn expected_findings_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let keys_wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, keys_wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let total = 5 + rng.below(2);
    let distractors = pick(&mut rng, &pool, total - keys_chosen.len(), &mut taken);
    if distractors.len() < total - keys_chosen.len() {
        return None;
    }
    let stem = match case.variant {
        0 => format!(
            "The nurse admits {}. Which findings should the nurse expect to assess? Select all that apply.",
            who_with(&ctx, subject)
        ),
        _ => format!(
            "The nurse reviews the assessment of {}. Which findings are consistent with this condition? Select all that apply.",
            who_with(&ctx, subject)
        ),
    };
    let keys_opts = keys_chosen
        .iter()
        .map(|fact| {
            key_opt(
                fact,
                format!(
                    "{} is a recognised finding of {subject}.",
                    sentence(fact.text())
                ),
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact]))
        .collect();
    let rationale = format!(
        "{} typically presents with {}. The other findings belong to disorders of other body systems.",
        sentence(subject),
        serial_list(&texts(&keys_chosen))
    );
    Some(build::multiple_response(
        kb,
        meta,
        seed,
        stem,
        keys_opts,
        distractor_opts,
        rationale,
    ))
}

/// A nurse's note: highlight the findings that support the suspected disorder.
fn findings_highlight(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 3 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 3 {
        return None;
    }
    let normal_count = 2 + rng.below(2);
    let normal_opts = draw_normals(kb, subject, &ctx, &mut rng, normal_count);
    let pool = foreign(
        kb,
        subject,
        &["cue"],
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let foreign_count = usize::from(case.variant == 1 || normal_opts.len() < 2);
    let unrelated = pick(&mut rng, &pool, foreign_count, &mut taken);
    let mut segments: Vec<(bool, Opt)> = keys_chosen
        .iter()
        .map(|fact| {
            (
                true,
                key_opt(
                    fact,
                    format!("{} is a finding of {subject}.", sentence(fact.text())),
                ),
            )
        })
        .collect();
    segments.extend(normal_opts.into_iter().map(|opt| (false, opt)));
    segments.extend(unrelated.iter().map(|fact| {
        (
            false,
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} Although it needs its own follow-up, it does not support {subject}.",
                    finding_of(kb, fact, subject)
                ),
                &[*fact],
            ),
        )
    }));
    if segments.len() < 6 {
        return None;
    }
    rng.shuffle(&mut segments);
    let stem = format!(
        "The nurse suspects that {} has {subject}. Highlight the findings in the nurse's note that support this suspicion.",
        ctx.who
    );
    let rationale = format!(
        "Findings of {subject} in this note: {}. The remaining findings are normal or belong to other conditions.",
        serial_list(&texts(&keys_chosen))
    );
    Some(build::highlight(kb, meta, seed, stem, segments, rationale))
}

/// For each finding: consistent / not consistent with the disorder.
fn finding_consistent_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let own_findings = own(kb, subject, &FINDINGS, &ctx);
    let mut taken = Vec::new();
    let wanted = 2 + rng.below(2);
    let keys_chosen = pick(&mut rng, &own_findings, wanted, &mut taken);
    if keys_chosen.len() < 2 {
        return None;
    }
    let pool = foreign(
        kb,
        subject,
        &FINDINGS,
        &FIND_ALL,
        &BROAD_FINDING,
        true,
        false,
        &ctx,
    );
    let total = 5 + rng.below(2);
    let others = pick(&mut rng, &pool, total - keys_chosen.len(), &mut taken);
    if others.len() < 2 {
        return None;
    }
    let mut rows: Vec<MatrixRow> = keys_chosen
        .iter()
        .map(|fact| MatrixRow {
            text: clean(fact.text()),
            column: 0,
            rationale: format!(
                "{} is a finding of {subject}.{}",
                sentence(fact.text()),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(others.iter().map(|fact| MatrixRow {
        text: clean(fact.text()),
        column: 1,
        rationale: finding_of(kb, fact, subject),
        facts: vec![fact.id.clone()],
    }));
    let stem = format!(
        "The nurse is caring for {}. For each finding, indicate whether it is consistent or not consistent with {subject}.",
        who_with(&ctx, subject)
    );
    let rationale = format!(
        "{} is consistent with {}; the other findings point to disorders of other body systems.",
        serial_list(&texts(&keys_chosen)),
        subject
    );
    Some(build::matrix(
        kb,
        meta,
        seed,
        stem,
        &["Consistent", "Not consistent"],
        rows,
        rationale,
    ))
}

/// "The nurse monitors a client with X for <complication>. Which finding indicates it?"
fn complication_sign_mc(g: Gen) -> Option<Item> {
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
    let mut clash_with: Vec<&str> = FIND_ALL.to_vec();
    clash_with.push("intervention");
    let pool: Vec<&Fact> = foreign(
        kb,
        subject,
        &["complication_sign", "cue", "vital_sign_cue"],
        &clash_with,
        &BROAD_FINDING,
        true,
        true,
        &ctx,
    )
    .into_iter()
    .filter(|fact| keys(fact.text()).is_disjoint(&keys(&name)))
    // A cue recorded for a setting ("postpartum", "in pregnancy") belongs to that client, not
    // to this one; only complication signs name their complication in `condition`.
    .filter(|fact| fact.attribute == "complication_sign" || fact.condition.trim().is_empty())
    .filter(|fact| could_happen_to(kb, fact, &ctx))
    .collect();
    let mut taken = vec![keys(sign.text()), keys(&name)];
    let distractors = pick(&mut rng, &pool, 3, &mut taken);
    if distractors.len() < 3 {
        return None;
    }
    let stem = format!(
        "The nurse is monitoring {} for {name}. Which finding indicates that this complication is developing?",
        who_with(&ctx, subject)
    );
    let key = key_opt(
        sign,
        format!(
            "{} signals {name} in a client with {subject}.",
            sentence(sign.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let what = if fact.condition.trim().is_empty() {
                fact.subject.clone()
            } else {
                format!("{} in {}", normalise(&fact.condition), fact.subject)
            };
            Opt::new(
                clean(fact.text()),
                format!(
                    "{} is a sign of {what}, not of {name}.",
                    sentence(fact.text())
                ),
                &[*fact],
            )
        })
        .collect();
    let rationale = format!(
        "{} is a complication of {subject}; {} is its warning sign and needs prompt reporting.",
        sentence(&name),
        low(sign.text())
    );
    Some(build::multiple_choice(
        kb,
        meta,
        seed,
        stem,
        key,
        distractor_opts,
        rationale,
    ))
}

/// "Which laboratory finding should the nurse expect in a client with X?"
fn lab_finding_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        ref meta,
    } = g;
    let subject = case.subject.as_str();
    let ctx = ctx(kb, subject);
    let labs = own(kb, subject, &["lab_cue"], &ctx);
    let key = *rng.pick(&labs)?;
    let broad = ["wbc", "white", "lacta", "react", "sedim", "esr"];
    let pool = foreign(
        kb,
        subject,
        &["lab_cue"],
        &FIND_ALL,
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
        "The nurse reviews the laboratory results of {}. Which result should the nurse expect?",
        who_with(&ctx, subject)
    );
    let key_option = key_opt(
        key,
        format!(
            "{} is an expected laboratory finding in {subject}.",
            sentence(key.text())
        ),
    );
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(clean(fact.text()), finding_of(kb, fact, subject), &[*fact]))
        .collect();
    let rationale = format!("In {subject} the nurse expects {}.", low(key.text()));
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
