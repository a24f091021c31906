//! Psychosocial integrity: therapeutic communication, defense mechanisms and mental-health safety.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "comm-therapeutic-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Which statement reflects therapeutic communication. Key: an `example` of a therapeutic technique. Distractors: examples of nontherapeutic techniques, each explained with its `why_nontherapeutic`. Option sets are re-drawn until lengths are homogeneous.",
        cases: Cases::From(therapeutic_example_cases),
        seeding: Seeding::MixVariant,
        generate: therapeutic_mc,
    },
    ModelSpec {
        id: "comm-technique-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Names the technique a nurse's statement (`example`) uses. Distractors: other techniques outside the key's confusion cluster (e.g. exploring vs. open-ended question vs. focusing, restating vs. reflecting, cliché vs. false reassurance are never paired). A technique whose name shares a word with the statement (\"Why did you...?\" for asking why questions) is not asked this way.",
        cases: Cases::From(technique_example_cases),
        seeding: Seeding::MixVariant,
        generate: technique_mc,
    },
    ModelSpec {
        id: "comm-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Matrix: for 4–6 nurse statements (`example`) the learner marks therapeutic or nontherapeutic, from each technique's `technique_type`; rationales give the technique and its `definition` or `why_nontherapeutic`.",
        cases: Cases::From(technique_example_cases),
        seeding: Seeding::MixVariant,
        generate: communication_matrix,
    },
    ModelSpec {
        id: "comm-nontherapeutic-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 2),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Drag-and-drop rationale dyad: a nontherapeutic statement (`example`) → the technique it shows (cause) → why it blocks communication (`why_nontherapeutic`). Distractors come from techniques outside the key's confusion cluster, and reasons sharing the key reason's wording are left out.",
        cases: Cases::From(nontherapeutic_cases),
        seeding: Seeding::MixVariant,
        generate: nontherapeutic_ddr,
    },
    ModelSpec {
        id: "mh-defense-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Defense mechanisms: (a) which mechanism a described behaviour (`cue`) shows, or (b) which behaviour illustrates a named mechanism. Distractors: other mechanisms or their cues.",
        cases: Cases::From(defense_cases),
        seeding: Seeding::MixVariant,
        generate: defense_mc,
    },
    ModelSpec {
        id: "mh-nms-ss-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Matrix: a febrile client on psychotropic drugs; for 4–6 findings and actions the nurse attributes each to neuroleptic malignant syndrome or serotonin syndrome. Rows: the distinguishing `cue`/`priority_intervention` facts (rigidity, creatine kinase, dantrolene/bromocriptine vs. clonus/hyperreflexia, diarrhea, cyproheptadine; rows that name the drug class, such as stopping the antipsychotic, are left out because they match their column by wording); shared features (hyperthermia, autonomic signs, mental-status change) are left out.",
        cases: Cases::From(nms_ss_cases),
        seeding: Seeding::MixVariant,
        generate: nms_ss_matrix,
    },
    ModelSpec {
        id: "mh-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: actions to include for a client at risk for suicide, escalating, manic, hearing voices, in crisis, in alcohol withdrawal or in restraints. Keys: 2–3 `priority_intervention`/`safety_rule` facts of the subject. Distractors: only actions a fact makes wrong for this client: the subject's own `avoid` facts restated as actions and those of a subject its facts name (seizure care for alcohol withdrawal, which calls for seizure precautions; physical-restraint safety for a client in restraints); interventions recorded for other conditions are never offered as wrong. Give-aways no candidate would pick (arguing, threatening, punishing) are left out, and no two distractors share a content word. Subjects with fewer than two such distractors make no item.",
        cases: Cases::From(mh_action_cases),
        seeding: Seeding::MixVariant,
        generate: mh_actions_sata,
    },
    ModelSpec {
        id: "mh-restraint-order-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::PsychosocialIntegrity,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "CMS restraint and seclusion rules for violent behaviour (`safety_rule`): the maximum length of each order by age (4 h adults, 2 h ages 9–17, 1 h under 9; seeded ages inside each band) or the time limit for the face-to-face evaluation (1 h). Options: the recorded hour limits.",
        cases: Cases::From(restraint_cases),
        seeding: Seeding::MixVariant,
        generate: restraint_mc,
    },
];

// ---------------------------------------------------------------------------------------------
// Therapeutic communication

/// Techniques a learner could reasonably confuse; never paired as key and distractor.
const CONFUSABLE: [&[&str]; 9] = [
    &[
        "open-ended question",
        "giving broad openings",
        "offering general leads",
        "exploring",
        "focusing",
        "clarifying",
        "placing events in sequence",
    ],
    &["restating", "reflecting", "summarizing"],
    &[
        "sharing observations",
        "giving recognition",
        "acknowledging feelings",
        "reflecting",
    ],
    &["giving advice", "giving approval", "expressing disapproval"],
    &["false reassurance", "using cliches", "belittling feelings"],
    &[
        "disagreeing",
        "challenging",
        "defending",
        "rejecting",
        "presenting reality",
    ],
    &["asking why questions", "probing", "excessive questioning"],
    &["changing the subject", "rejecting"],
    &["offering self", "acknowledging feelings"],
];

fn confusable(a: &str, b: &str) -> bool {
    a == b
        || CONFUSABLE
            .iter()
            .any(|cluster| cluster.contains(&a) && cluster.contains(&b))
}

/// Techniques (not the structured tools) with their type.
fn techniques(kb: &KnowledgeBase) -> Vec<(String, bool)> {
    kb.subjects(COMM)
        .iter()
        .filter(|subject| subject.as_str() != "asking about suicide")
        .filter_map(|subject| {
            kb.value(COMM, subject, "technique_type")
                .map(|fact| (subject.clone(), fact.text() == "therapeutic"))
        })
        .collect()
}

/// Examples short enough for an option, with their technique and type.
fn examples(kb: &KnowledgeBase) -> Vec<(&Fact, bool)> {
    techniques(kb)
        .into_iter()
        .flat_map(|(subject, therapeutic)| {
            kb.values(COMM, &subject, "example")
                .into_iter()
                .map(move |fact| (fact, therapeutic))
        })
        .filter(|(fact, _)| fact.text().chars().count() <= 72)
        .collect()
}

/// Why a statement is or is not therapeutic.
fn example_rationale(kb: &KnowledgeBase, fact: &Fact) -> (String, Vec<String>) {
    let technique = fact.subject.as_str();
    let mut facts = vec![fact.id.clone()];
    let text = if let Some(why) = kb.value(COMM, technique, "why_nontherapeutic") {
        facts.push(why.id.clone());
        format!(
            "{} is {technique}, a nontherapeutic technique: it {}.",
            fact.text(),
            why.text()
        )
    } else if let Some(definition) = kb.value(COMM, technique, "definition") {
        facts.push(definition.id.clone());
        format!(
            "{} is {technique}, a therapeutic technique: {}.",
            fact.text(),
            definition.text()
        )
    } else {
        format!("{} is an example of {technique}.", fact.text())
    };
    (text, facts)
}

fn example_opt(kb: &KnowledgeBase, fact: &Fact) -> Opt {
    let (why, facts) = example_rationale(kb, fact);
    Opt {
        text: fact.text().to_owned(),
        rationale: why,
        facts,
    }
}

fn therapeutic_example_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .filter(|(_, therapeutic)| *therapeutic)
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// "Which statement by the nurse is therapeutic?"
fn therapeutic_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_fact = kb.fact(&case.subject)?;
    let pool: Vec<&Fact> = examples(kb)
        .into_iter()
        .filter(|(_, therapeutic)| !therapeutic)
        .map(|(fact, _)| fact)
        .collect();
    let chosen = (0..20).map(|_| rng.sample(&pool, 3)).find(|set| {
        let texts: Vec<&str> = set
            .iter()
            .map(|fact| fact.text())
            .chain(std::iter::once(key_fact.text()))
            .collect();
        set.len() == 3 && balanced(&texts, key_fact.text())
    })?;
    let frames = [
        "A nursing student is practicing therapeutic communication with clients. Which statement by the student reflects a therapeutic technique?",
        "The nurse is talking with a client who has been quiet and withdrawn since admission. Which statement by the nurse is therapeutic?",
        "A nurse educator reviews a new nurse's communication with clients. Which statement by the new nurse is an example of therapeutic communication?",
        "Which statement by the nurse is most likely to encourage a client to keep talking?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let key = example_opt(kb, key_fact);
    let distractors = chosen
        .into_iter()
        .map(|fact| example_opt(kb, fact))
        .collect();
    let rationale = "Therapeutic techniques keep the focus on the client and invite the client to go on; nontherapeutic responses judge, advise, reassure falsely, change the subject or put the client on the defensive.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(&key_fact.subject),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn technique_example_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// "Which technique is the nurse using?"
fn technique_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let example = kb.fact(&case.subject)?;
    let technique = example.subject.as_str();
    // "Asking why questions" for a statement that asks "Why...?" is answered by matching words.
    let said: BTreeSet<String> = example
        .text()
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    let cued = technique
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|word| {
            word.len() >= 3
                && !["the", "and", "for", "with"].contains(&word.as_str())
                && said.contains(&word)
        });
    if cued {
        return None;
    }
    let pool: Vec<String> = techniques(kb)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !confusable(name, technique))
        .collect();
    let chosen = rng.sample_exactly(&pool, 3)?;
    let definition = kb.value(COMM, technique, "definition")?;
    let (why, mut facts) = example_rationale(kb, example);
    facts.push(definition.id.clone());
    let key = Opt {
        text: sentence(technique),
        rationale: why,
        facts,
    };
    let mut distractors = Vec::new();
    for name in chosen {
        let other = kb.value(COMM, &name, "definition")?;
        distractors.push(Opt::new(
            sentence(&name),
            format!(
                "{} means {}; the statement does not do that.",
                sentence(&name),
                other.text()
            ),
            &[other],
        ));
    }
    let stem = format!(
        "A nurse says to a client, {} Which communication technique is the nurse using?",
        example.text()
    );
    let rationale = format!("{}: {}.", sentence(technique), definition.text());
    Some(build::multiple_choice(
        kb,
        &meta.about(technique),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Matrix: therapeutic or nontherapeutic, for each statement.
fn communication_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = examples(kb);
    let anchor = all.iter().find(|(fact, _)| fact.id == case.subject)?;
    let opposite: Vec<&(&Fact, bool)> = all
        .iter()
        .filter(|(_, therapeutic)| *therapeutic != anchor.1)
        .collect();
    let second = *rng.pick(&opposite)?;
    let mut rest: Vec<&(&Fact, bool)> = all
        .iter()
        .filter(|(fact, _)| {
            fact.id != anchor.0.id
                && fact.id != second.0.id
                && fact.subject != anchor.0.subject
                && fact.subject != second.0.subject
        })
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let mut used = BTreeSet::new();
    let mut rows = Vec::new();
    for (fact, therapeutic) in [anchor, second].into_iter().chain(rest) {
        if rows.len() >= count {
            break;
        }
        if !used.insert(fact.subject.clone()) {
            continue;
        }
        let (why, facts) = example_rationale(kb, fact);
        rows.push(MatrixRow {
            text: fact.text().to_owned(),
            column: usize::from(!*therapeutic),
            rationale: why,
            facts,
        });
    }
    let stem = "A nurse educator reviews statements a nursing student made to clients during a clinical day. For each statement, indicate whether it is therapeutic or nontherapeutic.".to_owned();
    let rationale = "Therapeutic statements invite the client to share and keep the focus on the client's feelings; nontherapeutic statements judge, advise, reassure falsely, change the subject or make the client defensive.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about(&anchor.0.subject),
        seed,
        stem,
        &["Therapeutic", "Nontherapeutic"],
        rows,
        rationale,
    ))
}

fn nontherapeutic_cases(kb: &KnowledgeBase) -> Vec<Case> {
    examples(kb)
        .into_iter()
        .filter(|(fact, therapeutic)| {
            !therapeutic
                && kb
                    .value(COMM, &fact.subject, "why_nontherapeutic")
                    .is_some()
        })
        .flat_map(|(fact, _)| cases_n(&fact.id, COMM, 8))
        .collect()
}

/// Words that mark two reasons as saying nearly the same thing: two reasons that share one of
/// these content words are too close to serve as key and distractor.
const REASON_MARKERS: [&str; 7] = [
    "defensive",
    "ignores",
    "concern",
    "dismisses",
    "minimizes",
    "feelings",
    "blocks",
];

fn reasons_overlap(a: &str, b: &str) -> bool {
    shared_words(a, b, &[])
        .iter()
        .any(|word| REASON_MARKERS.contains(&word.as_str()))
}

/// Dyad: nontherapeutic statement → technique → why it blocks communication.
fn nontherapeutic_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let example = kb.fact(&case.subject)?;
    let technique = example.subject.as_str();
    let why = kb.value(COMM, technique, "why_nontherapeutic")?;
    let others: Vec<(String, &Fact)> = techniques(kb)
        .into_iter()
        .filter(|(name, therapeutic)| !therapeutic && !confusable(name, technique))
        .filter_map(|(name, _)| {
            kb.value(COMM, &name, "why_nontherapeutic")
                .map(|fact| (name, fact))
        })
        .filter(|(_, fact)| !reasons_overlap(fact.text(), why.text()))
        .collect();
    let chosen = rng.sample(&others, 3);
    if chosen.len() < 2 {
        return None;
    }
    let (key_why, key_facts) = example_rationale(kb, example);
    let slot1 = SlotSpec {
        key: Opt {
            text: technique.to_owned(),
            rationale: key_why,
            facts: key_facts,
        },
        distractors: chosen
            .iter()
            .map(|(name, fact)| {
                let definition = kb
                    .value(COMM, name, "definition")
                    .map_or(String::new(), |fact| format!(" ({})", fact.text()));
                Opt::new(
                    name.clone(),
                    format!("The statement is not {name}{definition}.",),
                    &[*fact],
                )
            })
            .collect(),
    };
    let second: Vec<(String, &Fact)> = {
        let mut pool = others.clone();
        rng.shuffle(&mut pool);
        pool.into_iter().take(3).collect()
    };
    let slot2 = SlotSpec {
        key: Opt::new(
            why.text(),
            format!(
                "{} is nontherapeutic because it {}.{}",
                sentence(technique),
                why.text(),
                cite_note(why)
            ),
            &[why],
        ),
        distractors: second
            .iter()
            .map(|(name, fact)| {
                Opt::new(
                    fact.text(),
                    format!(
                        "That is why {name} is nontherapeutic; this response is {}, which {}.",
                        sentence(technique),
                        why.text()
                    ),
                    &[*fact],
                )
            })
            .collect(),
    };
    let stem = "A nurse educator reviews a student's conversation with a client. Drag words from the choices below to fill in each blank in the following sentence.".to_owned();
    let template = format!(
        "The student's response {} is an example of {{{{1}}}}, which is nontherapeutic because it {{{{2}}}}.",
        example.text()
    );
    let rationale = format!("{} is {technique}; it {}.", example.text(), why.text());
    Some(build::drag_drop_rationale(
        kb,
        &meta.about(technique),
        seed,
        stem,
        template,
        vec![slot1, slot2],
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Mental health

fn defenses(kb: &KnowledgeBase) -> Vec<&Fact> {
    kb.subjects(MH)
        .iter()
        .filter_map(|subject| {
            kb.values(MH, subject, "cue")
                .into_iter()
                .find(|fact| fact.condition == "defense mechanism")
        })
        .collect()
}

fn defense_cases(kb: &KnowledgeBase) -> Vec<Case> {
    defenses(kb)
        .iter()
        .flat_map(|fact| cases_n(&fact.subject, MH, 6))
        .collect()
}

/// Defense mechanism from behaviour, or behaviour from mechanism.
fn defense_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = defenses(kb);
    let key_fact = *all.iter().find(|fact| fact.subject == case.subject)?;
    let others: Vec<&Fact> = all
        .iter()
        .copied()
        .filter(|fact| fact.subject != case.subject)
        .collect();
    let chosen = rng.sample_exactly(&others, 3)?;
    let by_name = case.variant.is_multiple_of(2);
    let (stem, key, distractors) = if by_name {
        let stem = [
            format!("The nurse observes a client {}. Which defense mechanism is the client using?", key_fact.text()),
            format!("The nurse notes that a client keeps {}. Which defense mechanism does the nurse recognize?", key_fact.text()),
            format!("During a group session, a client is noted to be {}. Which defense mechanism does this describe?", key_fact.text()),
        ][(case.variant / 2) as usize % 3]
            .clone();
        let key = Opt::new(
            sentence(&key_fact.subject),
            format!("{}: {}.", sentence(&key_fact.subject), key_fact.text()),
            &[key_fact],
        );
        let distractors = chosen
            .iter()
            .map(|fact| {
                Opt::new(
                    sentence(&fact.subject),
                    format!("{} is {}.", sentence(&fact.subject), fact.text()),
                    &[*fact],
                )
            })
            .collect();
        (stem, key, distractors)
    } else {
        let stem = format!(
            "The nurse is teaching a class about defense mechanisms. Which client action is an example of {}?",
            key_fact.subject
        );
        let key = Opt::new(
            sentence(key_fact.text()),
            format!("{} is {}.", sentence(key_fact.text()), key_fact.subject),
            &[key_fact],
        );
        let distractors = chosen
            .iter()
            .map(|fact| {
                Opt::new(
                    sentence(fact.text()),
                    format!(
                        "{} describes {}; {} is {}.",
                        sentence(fact.text()),
                        fact.subject,
                        key_fact.subject,
                        key_fact.text()
                    ),
                    &[*fact],
                )
            })
            .collect();
        (stem, key, distractors)
    };
    let rationale = format!("{}: {}.", sentence(&key_fact.subject), key_fact.text());
    Some(build::multiple_choice(
        kb,
        &meta.about(&key_fact.subject),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Rows that tell NMS from serotonin syndrome (shared features excluded).
fn nms_ss_rows(kb: &KnowledgeBase) -> Vec<(usize, &Fact)> {
    let marks: [(&str, &[&str]); 2] = [
        (
            "neuroleptic malignant syndrome",
            // Not "antipsychotic" or "serotonergic": a row naming the drug class matches its
            // column by wording alone.
            &["rigidity", "creatine kinase", "dantrolene"],
        ),
        (
            "serotonin syndrome",
            &["clonus", "diarrhea", "cyproheptadine"],
        ),
    ];
    let mut rows = Vec::new();
    for (column, (subject, words)) in marks.iter().enumerate() {
        let other = marks[1 - column].0;
        for attribute in ["cue", "priority_intervention"] {
            for fact in kb.values(MH, subject, attribute) {
                if words.iter().any(|word| fact.text().contains(word))
                    && !kb.states_fact(MH, other, attribute, fact)
                {
                    rows.push((column, fact));
                }
            }
        }
    }
    rows
}

fn nms_ss_cases(kb: &KnowledgeBase) -> Vec<Case> {
    nms_ss_rows(kb)
        .iter()
        .flat_map(|(_, fact)| cases_n(&fact.id, MH, 8))
        .collect()
}

/// Matrix: NMS or serotonin syndrome, for each finding or action.
fn nms_ss_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = nms_ss_rows(kb);
    let anchor = *all.iter().find(|(_, fact)| fact.id == case.subject)?;
    let opposite: Vec<(usize, &Fact)> = all
        .iter()
        .copied()
        .filter(|(column, _)| *column != anchor.0)
        .collect();
    let second = *rng.pick(&opposite)?;
    let mut rest: Vec<(usize, &Fact)> = all
        .iter()
        .copied()
        .filter(|(_, fact)| fact.id != anchor.1.id && fact.id != second.1.id)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let rows: Vec<MatrixRow> = [anchor, second]
        .into_iter()
        .chain(rest)
        .take(count)
        .map(|(column, fact)| {
            let kind = if fact.attribute == "cue" {
                "a finding"
            } else {
                "a priority action"
            };
            let name = &fact.subject;
            let note = cite_note(fact);
            MatrixRow {
                text: sentence(fact.text()),
                column,
                rationale: format!("{} is {kind} of {name}.{note}", sentence(fact.text())),
                facts: vec![fact.id.clone()],
            }
        })
        .collect();
    let stem = "A client taking several psychotropic medications develops a high fever and tachycardia. For each finding or action, indicate whether it points to neuroleptic malignant syndrome or serotonin syndrome.".to_owned();
    let rationale = "Both cause hyperthermia and autonomic instability. Neuroleptic malignant syndrome (antipsychotics) develops over days with lead-pipe rigidity and a high creatine kinase and is treated with dantrolene or bromocriptine; serotonin syndrome (serotonergic drugs) develops within hours with clonus, hyperreflexia and diarrhea and is treated with cyproheptadine.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about(&anchor.1.subject),
        seed,
        stem,
        &["Neuroleptic malignant syndrome", "Serotonin syndrome"],
        rows,
        rationale,
    ))
}

/// Mental-health subjects of the actions SATA: (subject, stem context).
const MH_CONTEXTS: [(&str, &str); 7] = [
    ("suicide risk", "a client at high risk for suicide"),
    (
        "de-escalation",
        "a client who is pacing, shouting and becoming increasingly agitated",
    ),
    ("acute mania", "a client in an acute manic episode"),
    (
        "schizophrenia",
        "a client with schizophrenia who reports hearing voices",
    ),
    (
        "crisis intervention",
        "a client in crisis after the sudden death of a spouse",
    ),
    (
        "alcohol withdrawal",
        "a client admitted in early alcohol withdrawal",
    ),
    (
        "restraint and seclusion for violent behavior",
        "a client in seclusion and restraints for violent behavior",
    ),
];

fn mh_keys<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<&'a Fact> {
    ["priority_intervention", "safety_rule"]
        .iter()
        .flat_map(|attribute| kb.values(MH, subject, attribute))
        .filter(|fact| !fact.text().is_empty())
        .collect()
}

/// Subjects whose `avoid` facts apply to a mental-health subject because its own facts name them:
/// alcohol withdrawal calls for seizure precautions (its `safety_rule`), and a client in restraints
/// is cared for under the physical-restraint safety rules.
const MH_RELATED: [(&str, Family, &str); 2] = [
    ("alcohol withdrawal", PROC, "seizure care"),
    (
        "restraint and seclusion for violent behavior",
        PROC,
        "physical restraint safety",
    ),
];

/// Distractors for a subject: only actions a fact makes wrong for it, its own recorded `avoid`
/// facts (mental-health and disorder records of the same name) and those of a related subject
/// ([`MH_RELATED`]), restated as actions. An intervention recorded for another condition is not
/// wrong for this client just because it is not recorded here, so none is offered.
fn mh_distractors<'a>(kb: &'a KnowledgeBase, subject: &str) -> Vec<(String, &'a Fact)> {
    let mut pool: Vec<(String, &Fact)> = kb
        .values(MH, subject, "avoid")
        .into_iter()
        .filter_map(|fact| avoid_action(fact).map(|text| (text, fact)))
        .collect();
    // Disorder `avoid` facts are recorded as actions already ("give IV glucose before thiamine").
    pool.extend(
        kb.values(Family::Disorders, subject, "avoid")
            .into_iter()
            .map(|fact| (sentence(fact.text()), fact)),
    );
    for (related_to, family, related) in MH_RELATED {
        if related_to == subject {
            pool.extend(
                kb.values(family, related, "avoid")
                    .into_iter()
                    .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
            );
        }
    }
    // Options no candidate would pick ("argue with or threaten the client") test nothing; two
    // options about the same thing (observing after meals, twice) make a near-duplicate pair.
    const GIVEAWAYS: [&str; 4] = ["argue", "threaten", "punish", "ridicule"];
    let mut seen = BTreeSet::new();
    let mut words_taken: Vec<Vec<String>> = Vec::new();
    pool.into_iter()
        .filter(|(_, fact)| {
            !["priority_intervention", "safety_rule"]
                .iter()
                .any(|attribute| kb.states_fact(MH, subject, attribute, fact))
        })
        .filter(|(text, _)| {
            let lower = text.to_lowercase();
            !GIVEAWAYS.iter().any(|word| lower.contains(word))
        })
        .filter(|(text, _)| seen.insert(normalise(text)))
        .filter(|(text, _)| {
            let words = content_words(text);
            let fresh = words_taken.iter().all(|taken| !sorted_share(taken, &words));
            if fresh {
                words_taken.push(words);
            }
            fresh
        })
        .collect()
}

fn mh_action_cases(kb: &KnowledgeBase) -> Vec<Case> {
    MH_CONTEXTS
        .iter()
        .filter(|(subject, _)| mh_keys(kb, subject).len() >= 2)
        .filter(|(subject, _)| mh_distractors(kb, subject).len() >= 2)
        .flat_map(|(subject, _)| {
            let count = mh_keys(kb, subject).len() as u32;
            cases_n(subject, MH, count * 4)
        })
        .collect()
}

/// SATA: which actions belong in the plan for a mental-health situation.
fn mh_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let context = MH_CONTEXTS
        .iter()
        .find(|(subject, _)| *subject == case.subject)?;
    let own = mh_keys(kb, context.0);
    let anchor = *own.get(case.variant as usize % own.len().max(1))?;
    let others: Vec<&Fact> = own
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = (2 + rng.below(2)).min(own.len());
    let mut keys = vec![anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let pool = mh_distractors(kb, context.0);
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample(&pool, distractor_count);
    if distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is part of safe care for {}.{}",
                    sentence(fact.text()),
                    context.1,
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .into_iter()
        .map(|(text, fact)| {
            // Disorder records are imperatives ("give IV glucose before thiamine"); the others
            // are gerunds ("relying on a no-suicide contract").
            let why = if fact.family == Family::Disorders {
                format!(
                    "{text} is unsafe in {}: the nurse should not {}.{}",
                    fact.subject,
                    fact.text(),
                    cite_note(fact)
                )
            } else {
                format!(
                    "{text} is unsafe or ineffective: the nurse should avoid {}.{}",
                    fact.text(),
                    cite_note(fact)
                )
            };
            Opt::new(text, why, &[fact])
        })
        .collect();
    let stem = format!(
        "The nurse is caring for {}. Which actions should the nurse include in the plan of care? Select all that apply.",
        context.1
    );
    let rationale = format!(
        "Care for {} puts safety first and uses the recorded priority interventions; actions that are unsafe for this client do not belong in the plan.",
        context.1
    );
    Some(build::multiple_response(
        kb,
        &meta.about(context.0),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

const RESTRAINT: &str = "restraint and seclusion for violent behavior";

/// The hour limits of restraint orders: (condition prefix, hours, fact).
fn restraint_limits(kb: &KnowledgeBase) -> Vec<(&Fact, f64)> {
    kb.values(MH, RESTRAINT, "safety_rule")
        .into_iter()
        .filter(|fact| fact.condition.starts_with("maximum length of each order"))
        .filter_map(|fact| match fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } if low == high => Some((fact, low)),
            _ => None,
        })
        .collect()
}

fn restraint_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if restraint_limits(kb).len() != 3 {
        return Vec::new();
    }
    (0..40)
        .map(|variant| Case::new(RESTRAINT, MH, variant))
        .collect()
}

fn hours_text(hours: f64) -> String {
    if hours == 1.0 {
        "1 hour".to_owned()
    } else {
        format!("{} hours", number(hours))
    }
}

/// CMS limits: order length by age, or the face-to-face evaluation.
fn restraint_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let limits = restraint_limits(kb);
    let frame = case.variant % 4;
    let options: Vec<(f64, &Fact)> = limits.iter().map(|(fact, hours)| (*hours, *fact)).collect();
    let (stem, key_hours, key_fact) = if frame == 3 {
        let face = kb
            .values(MH, RESTRAINT, "safety_rule")
            .into_iter()
            .find(|fact| fact.text().starts_with("face-to-face"))?;
        let age = 18 + rng.below(60);
        (
            format!(
                "{} client is placed in restraints for violent behavior that puts staff at risk. Within what time must a physician, licensed practitioner or trained RN evaluate the client face to face?",
                sentence(&with_article(&format!("{age}-year-old")))
            ),
            1.0,
            face,
        )
    } else {
        let (fact, hours) = *limits.get(frame as usize)?;
        let age = match fact.condition.as_str() {
            condition if condition.contains("18 years") => 18 + rng.below(70),
            condition if condition.contains("9 to 17") => 9 + rng.below(9),
            _ => 5 + rng.below(4),
        };
        (
            format!(
                "{} client is placed in seclusion for violent behavior, and the provider writes the order. What is the longest time the order may remain in effect before it must be renewed?",
                sentence(&with_article(&format!("{age}-year-old")))
            ),
            hours,
            fact,
        )
    };
    let key_why = if frame == 3 {
        format!("CMS: {}.", key_fact.text())
    } else {
        format!("CMS: {}, {}.", key_fact.condition, hours_text(key_hours))
    };
    let key = Opt::new(hours_text(key_hours), key_why, &[key_fact]);
    let distractors: Vec<Opt> = options
        .iter()
        .filter(|(hours, _)| *hours != key_hours)
        .map(|(hours, fact)| {
            let why = if frame == 3 {
                format!(
                    "{} is the {}; the face-to-face evaluation is due within 1 hour of the start.",
                    hours_text(*hours),
                    fact.condition
                )
            } else {
                format!(
                    "{} is the {}; this client is in a different age group.",
                    hours_text(*hours),
                    fact.condition
                )
            };
            Opt::new(hours_text(*hours), why, &[*fact])
        })
        .collect();
    if distractors.len() < 2 {
        return None;
    }
    // A fourth option past every recorded limit: twice the longest order, wrong at any age and
    // for the face-to-face deadline alike.
    let (longest_fact, longest) = limits.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let mut distractors = distractors;
    distractors.push(Opt::new(
        hours_text(longest * 2.0),
        format!(
            "{} is longer than any CMS limit: the {} is {}, and the face-to-face evaluation is due within 1 hour.",
            hours_text(longest * 2.0),
            longest_fact.condition,
            hours_text(longest)
        ),
        &[longest_fact],
    ));
    let rationale = "CMS: each order for restraint or seclusion for violent or self-destructive behavior lasts at most 4 hours for adults, 2 hours for ages 9–17 and 1 hour under 9, and a face-to-face evaluation must occur within 1 hour of the start.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(RESTRAINT),
        seed,
        stem,
        key,
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

    /// mh-actions-sata offers an action as wrong only when a fact makes it wrong for this client:
    /// an `avoid` fact of the subject itself or of a subject its facts name, never an intervention
    /// recorded for another condition (meal supervision offered for a client in crisis).
    #[test]
    fn mental_health_action_distractors_are_positively_wrong() {
        let kb = kb();
        let catalog = Catalog::builtin(kb);
        let Some(index) = catalog.model_index("mh-actions-sata") else {
            panic!("mh-actions-sata is in the catalog");
        };
        let mut made = 0;
        for case in catalog.cases(index) {
            let subject = case.subject.as_str();
            let allowed = mh_distractors(kb, subject);
            for (_, fact) in &allowed {
                let related = MH_RELATED
                    .iter()
                    .any(|(to, _, other)| *to == subject && fact.subject == *other);
                assert!(fact.attribute == "avoid", "{subject}: {}", fact.id);
                assert!(fact.subject == subject || related, "{subject}: {}", fact.id);
            }
            for seed in 0..6 {
                let Some(item) = catalog.generate_case(kb, index, case, seed) else {
                    continue;
                };
                made += 1;
                let Answer::Choices(keys) = &item.correct_answer else {
                    panic!("multiple response");
                };
                for option in item
                    .options
                    .iter()
                    .filter(|option| !keys.contains(&option.id))
                {
                    assert!(
                        allowed.iter().any(|(text, _)| *text == option.text),
                        "{subject}: {}",
                        option.text
                    );
                }
            }
        }
        assert!(made > 0);
    }
}
