//! Management of care: delegation (tasks for the UAP, LPN and RN, the five rights) and priority frameworks (first client, ESI triage, priority sequences).

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "deleg-uap-task-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Beginner,
        description: "Asks which task the RN may delegate to the UAP. Key: a task whose `delegable_to` is uap. Distractors: tasks recorded as delegable only to the LPN (licensed-nurse tasks) or only to the RN, with the RN task's `not_delegable_because` as the rationale. Disputed tasks (IV push, initiating a transfusion) are never used.",
        cases: Cases::From(uap_task_cases),
        seeding: Seeding::MixVariant,
        generate: uap_task_mc,
    },
    ModelSpec {
        id: "deleg-rn-only-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Intermediate,
        description: "Asks which task the RN must keep rather than delegate to the LPN or UAP. Key: a task whose `delegable_to` is rn, rationale from its `not_delegable_because`. Distractors: tasks recorded as delegable to the UAP or the LPN. Disputed tasks are never used.",
        cases: Cases::From(rn_task_cases),
        seeding: Seeding::MixVariant,
        generate: rn_only_mc,
    },
    ModelSpec {
        id: "deleg-team-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(6, 2),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 tasks the nurse selects the least-licensed team member who may do each (UAP, LPN, RN only), from each task's `delegable_to`; RN-only rows cite `not_delegable_because`. Every item uses at least two columns; disputed tasks are never used.",
        cases: Cases::From(all_task_cases),
        seeding: Seeding::MixVariant,
        generate: team_matrix,
    },
    ModelSpec {
        id: "deleg-five-rights-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::TeamworkCollaboration,
        difficulty: Difficulty::Beginner,
        description: "SATA: which principles are among the five rights of delegation. Keys: 2–4 `five_rights` facts. Distractors: rights of medication administration (procedures_safety `rule`), leaving out \"right client\", which could be read as \"right person\".",
        cases: Cases::From(five_rights_cases),
        seeding: Seeding::MixVariant,
        generate: five_rights_sata,
    },
    ModelSpec {
        id: "deleg-note-highlight",
        item_type: ItemType::Highlight,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(2, 6),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Highlight: the charge nurse reviews the list of tasks an RN delegated to a UAP and highlights the ones that should not have been delegated. Keys: 1–2 tasks recorded as delegable only to the LPN or RN; the other 4–5 lines are tasks whose `delegable_to` is uap.",
        cases: Cases::From(non_uap_task_cases),
        seeding: Seeding::MixVariant,
        generate: delegation_highlight,
    },
    ModelSpec {
        id: "priority-first-client-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Which client to see first. Clients are the priority family's `example` facts (ABC airway/breathing/circulation examples, the unexpected-finding example, the expected-finding example, Maslow love-and-belonging and esteem examples), ranked by the recorded `rule`s (ABC order; unexpected before expected; lower Maslow levels first). The key always outranks every distractor under those rules.",
        cases: Cases::From(priority_cases),
        seeding: Seeding::MixVariant,
        generate: priority_first_mc,
    },
    ModelSpec {
        id: "esi-level-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Emergency Severity Index: a stable adult's anticipated needs are listed and the nurse picks the ESI level. Resources come from the recorded `category_meaning` lists (counted vs not counted; ECG and imaging never paired, since ESI may count them as one); ESI 2 from the recorded \"new confusion or lethargy\" criterion. Options: ESI levels (`level`).",
        cases: Cases::From(esi_cases),
        seeding: Seeding::MixVariant,
        generate: esi_mc,
    },
    ModelSpec {
        id: "priority-sequence-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::ManagementOfCare,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over sequences recorded with `order`: Maslow's levels, the ABC order, and the parts of an SBAR report (labels removed). Cases are the full sequence and its ordered subsets of three or more.",
        cases: Cases::From(priority_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
];

// ---------------------------------------------------------------------------------------------
// Delegation

/// Tasks recorded as delegable to `role` (for the RN: with a reason it must not be delegated).
fn tasks(kb: &KnowledgeBase, role: &str) -> Vec<String> {
    kb.subjects(DEL)
        .iter()
        .filter(|task| {
            kb.value(DEL, task, "delegable_to")
                .is_some_and(|fact| fact.text() == role)
        })
        .filter(|task| role != "rn" || kb.value(DEL, task, "not_delegable_because").is_some())
        .cloned()
        .collect()
}

/// Why a task goes to the role it does, and the facts behind that.
fn task_reason<'a>(kb: &'a KnowledgeBase, task: &str) -> Option<(String, Vec<&'a Fact>)> {
    let role = kb.value(DEL, task, "delegable_to")?;
    let name = sentence(task);
    match role.text() {
        "uap" => {
            let scope = kb
                .values(DEL, "uap", "role_scope")
                .into_iter()
                .find(|fact| fact.text().contains("routine"));
            let mut facts = vec![role];
            facts.extend(scope);
            Some((
                format!(
                    "{name} is a routine task for a stable client with a predictable outcome, within the UAP's scope, so the RN may delegate it to the UAP."
                ),
                facts,
            ))
        }
        "lpn" => {
            let scope = kb
                .values(DEL, "lpn", "role_scope")
                .into_iter()
                .find(|fact| fact.text().contains("stable"));
            let mut facts = vec![role];
            facts.extend(scope);
            Some((
                format!(
                    "{name} needs a licensed nurse: the RN may assign it to the LPN (stable client, predictable outcome) but not to the UAP."
                ),
                facts,
            ))
        }
        "rn" => {
            let because = kb.value(DEL, task, "not_delegable_because")?;
            Some((
                format!("{name} stays with the RN: {}.", because.text()),
                vec![role, because],
            ))
        }
        _ => None,
    }
}

fn task_opt(kb: &KnowledgeBase, task: &str) -> Option<Opt> {
    let (why, facts) = task_reason(kb, task)?;
    Some(Opt::new(sentence(task), why, &facts))
}

fn uap_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "uap")
        .iter()
        .flat_map(|task| cases_n(task, DEL, 3))
        .collect()
}

/// "Which task may the RN delegate to the UAP?"
fn uap_task_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key = task_opt(kb, &case.subject)?;
    let pool: Vec<String> = tasks(kb, "rn")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .collect();
    let chosen = rng.sample(&pool, 3);
    let distractors: Vec<Opt> = chosen
        .iter()
        .filter_map(|task| task_opt(kb, task))
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The RN is organizing care for clients on a medical-surgical unit. Which task may the RN delegate to the unlicensed assistive personnel (UAP)?",
        "An RN is working with unlicensed assistive personnel (UAP) today. Which task is appropriate for the RN to delegate to the UAP?",
        "Which task can the charge nurse safely delegate to the unlicensed assistive personnel (UAP)?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "The RN may delegate to the UAP routine tasks for stable clients with predictable outcomes (activities of daily living, vital signs, intake and output). Assessment, planning, evaluation, initial teaching and care of unstable clients stay with the RN; medication administration and sterile procedures need a licensed nurse.".to_owned();
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

fn rn_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "rn")
        .iter()
        .flat_map(|task| cases_n(task, DEL, 3))
        .collect()
}

/// "Which task must the RN keep rather than delegate?"
fn rn_only_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key = task_opt(kb, &case.subject)?;
    let pool: Vec<String> = tasks(kb, "uap")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .collect();
    // Re-draw until no option stands out by length.
    let chosen = (0..20).map(|_| rng.sample(&pool, 3)).find(|set| {
        let texts: Vec<&str> = set
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(case.subject.as_str()))
            .collect();
        balanced(&texts, &case.subject)
    })?;
    let distractors: Vec<Opt> = chosen
        .iter()
        .filter_map(|task| task_opt(kb, task))
        .collect();
    if distractors.len() < 3 {
        return None;
    }
    let frames = [
        "The RN is working with an LPN and a UAP. Which task must the RN keep rather than delegate?",
        "Which task should the RN not delegate to another member of the care team?",
        "The charge nurse reviews the RN's delegation plan. Which task must remain with the RN?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "The RN cannot delegate the nursing process itself: assessment, nursing judgment, care planning, evaluation and initial teaching, or the care of clients who are unstable or whose outcomes are unpredictable. The RN remains accountable for every delegation decision.".to_owned();
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

fn all_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ["uap", "lpn", "rn"]
        .iter()
        .flat_map(|role| tasks(kb, role))
        .flat_map(|task| cases_n(&task, DEL, 4))
        .collect()
}

/// Matrix: for each task, the least-licensed team member who may do it.
fn team_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let roles = ["uap", "lpn", "rn"];
    let role_of = |task: &str| {
        kb.value(DEL, task, "delegable_to")
            .and_then(|fact| roles.iter().position(|role| *role == fact.text()))
    };
    let anchor_role = role_of(&case.subject)?;
    let other_roles: Vec<&str> = roles
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != anchor_role)
        .map(|(_, role)| *role)
        .collect();
    let second_pool = tasks(kb, rng.pick(&other_roles)?);
    let second = rng.pick(&second_pool)?.clone();
    let mut rest: Vec<String> = roles
        .iter()
        .flat_map(|role| tasks(kb, role))
        .filter(|task| *task != case.subject && *task != second)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let chosen: Vec<String> = [case.subject.clone(), second]
        .into_iter()
        .chain(rest.into_iter().take(count - 2))
        .collect();
    let mut rows = Vec::new();
    for task in &chosen {
        let (why, facts) = task_reason(kb, task)?;
        rows.push(MatrixRow {
            text: sentence(task),
            column: role_of(task)?,
            rationale: why,
            facts: ids(&facts),
        });
    }
    let stem = "The RN is planning care with a team that includes a licensed practical nurse (LPN) and unlicensed assistive personnel (UAP). For each task, select the least-licensed team member to whom the RN may delegate it, or RN only if the RN must do it.".to_owned();
    let rationale = "Delegate to the least-licensed member whose scope fits: routine care of stable clients to the UAP; medications and sterile procedures for stable clients to the LPN; assessment, planning, evaluation, initial teaching and unstable clients remain with the RN.".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["UAP", "LPN", "RN only"],
        rows,
        rationale,
    ))
}

fn five_rights_cases(kb: &KnowledgeBase) -> Vec<Case> {
    kb.values(DEL, "five rights of delegation", "five_rights")
        .iter()
        .flat_map(|fact| cases_n(fact.text(), DEL, 4))
        .collect()
}

/// SATA: which are among the five rights of delegation.
fn five_rights_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let rights = kb.values(DEL, "five rights of delegation", "five_rights");
    let anchor = rights.iter().find(|fact| fact.text() == case.subject)?;
    let others: Vec<&Fact> = rights
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = 2 + rng.below(3);
    let mut keys = vec![*anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let med_rights: Vec<&Fact> = kb
        .values(PROC, "rights of medication administration", "rule")
        .into_iter()
        .filter(|fact| fact.text() != "right client")
        .filter(|fact| !rights.iter().any(|right| right.norm() == fact.norm()))
        .collect();
    let distractor_count = if key_count == 4 {
        2
    } else {
        6 - key_count - rng.below(2)
    };
    let distractors = rng.sample(&med_rights, distractor_count);
    if distractors.len() < distractor_count || distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is right {} of the five rights of delegation.{}",
                    sentence(fact.text()),
                    fact.order.unwrap_or(0),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| Opt::new(sentence(fact.text()), format!("{} is a right of medication administration; the five rights of delegation are a closed list of five: {}.", sentence(fact.text()), serial_list(&rights.iter().map(|right| right.text().to_owned()).collect::<Vec<_>>())), &[*fact]))
        .collect();
    let stem = "Before delegating a task to unlicensed assistive personnel, the RN reviews the five rights of delegation. Which principles are among them? Select all that apply.".to_owned();
    let list: Vec<String> = rights.iter().map(|fact| fact.text().to_owned()).collect();
    let rationale = format!("The five rights of delegation are {}.", serial_list(&list));
    Some(build::multiple_response(
        kb,
        &meta.about("five rights of delegation"),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

fn non_uap_task_cases(kb: &KnowledgeBase) -> Vec<Case> {
    tasks(kb, "rn")
        .into_iter()
        .chain(tasks(kb, "lpn"))
        .flat_map(|task| cases_n(&task, DEL, 4))
        .collect()
}

/// Highlight the tasks in a delegation list that should not have gone to the UAP.
fn delegation_highlight(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let mut keys = vec![case.subject.clone()];
    if rng.below(2) == 1 {
        let others: Vec<String> = tasks(kb, "rn")
            .into_iter()
            .chain(tasks(kb, "lpn"))
            .filter(|task| *task != case.subject)
            .collect();
        keys.push(rng.pick(&others)?.clone());
    }
    let filler_count = 4 + rng.below(2);
    let fillers = rng.sample(&tasks(kb, "uap"), filler_count);
    let mut lines: Vec<(bool, String)> = keys
        .into_iter()
        .map(|task| (true, task))
        .chain(fillers.into_iter().map(|task| (false, task)))
        .collect();
    rng.shuffle(&mut lines);
    let mut segments = Vec::new();
    for (is_key, task) in &lines {
        segments.push((*is_key, task_opt(kb, task)?));
    }
    let stem = "The charge nurse reviews the list of tasks an RN delegated to the unlicensed assistive personnel (UAP) for the shift. Highlight the tasks that should not have been delegated to the UAP.".to_owned();
    let rationale = "Only routine tasks for stable clients with predictable outcomes belong on a UAP's list. Tasks that need a licensed nurse (medications, sterile procedures) or RN judgment (assessment, planning, evaluation, initial teaching, unstable clients) should not have been delegated to the UAP.".to_owned();
    Some(build::highlight(kb, &meta, seed, stem, segments, rationale))
}

// ---------------------------------------------------------------------------------------------
// Priority frameworks

/// Priority examples as client descriptions: (fact subject, fact text, option text, tier, why it
/// ranks where it does). Lower tiers come first under the recorded rules.
const PRIORITY_CLIENTS: [(&str, &str, &str, u32, &str); 7] = [
    (
        "abc",
        "airway obstruction from secretions in a client with a decreased level of consciousness",
        "A client with decreased consciousness and secretions in the airway",
        1,
        "An obstructed airway comes first in the ABC order",
    ),
    (
        "abc",
        "respiratory depression after an opioid",
        "A client with respiratory depression after an opioid dose",
        2,
        "Breathing comes right after airway in the ABC order",
    ),
    (
        "abc",
        "active hemorrhage with hypotension",
        "A client with active hemorrhage and hypotension",
        3,
        "Circulation comes after airway and breathing in the ABC order",
    ),
    (
        "unexpected versus expected",
        "new confusion in a postoperative client",
        "A postoperative client with new confusion",
        4,
        "New confusion is an unexpected finding that needs prompt assessment, but it ranks after threats to airway, breathing or circulation",
    ),
    (
        "unexpected versus expected",
        "incisional pain on the first postoperative day",
        "A client with incisional pain on postoperative day 1",
        5,
        "Incisional pain on the first postoperative day is an expected finding; unexpected findings come first",
    ),
    (
        "maslow",
        "contact with family and support groups",
        "A client who wants contact with family and support groups",
        5,
        "Contact with family is a love-and-belonging need, met after physiological and safety needs",
    ),
    (
        "maslow",
        "body image and self-worth concerns",
        "A client expressing body image and self-worth concerns",
        5,
        "Body-image concerns are an esteem need, met after physiological and safety needs",
    ),
];

fn priority_client<'a>(
    kb: &'a KnowledgeBase,
    entry: &(&str, &str, &str, u32, &str),
) -> Option<(&'a Fact, Option<&'a Fact>)> {
    let example = kb
        .values(PRI, entry.0, "example")
        .into_iter()
        .find(|fact| fact.norm() == normalise(entry.1))?;
    let rule = kb.value(PRI, entry.0, "rule");
    Some((example, rule))
}

fn priority_cases(kb: &KnowledgeBase) -> Vec<Case> {
    PRIORITY_CLIENTS
        .iter()
        .filter(|entry| entry.3 <= 4 && priority_client(kb, entry).is_some())
        .flat_map(|entry| cases_n(entry.1, PRI, 3))
        .collect()
}

/// "Which client should the nurse see first?"
fn priority_first_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_entry = PRIORITY_CLIENTS
        .iter()
        .find(|entry| entry.1 == case.subject)?;
    let (key_fact, key_rule) = priority_client(kb, key_entry)?;
    let lower: Vec<&(&str, &str, &str, u32, &str)> = PRIORITY_CLIENTS
        .iter()
        .filter(|entry| entry.3 > key_entry.3 && priority_client(kb, entry).is_some())
        .collect();
    let chosen = rng.sample_exactly(&lower, 3)?;
    let facts_of = |fact: &'_ Fact, rule: Option<&'_ Fact>| -> Vec<String> {
        std::iter::once(fact.id.clone())
            .chain(rule.map(|rule| rule.id.clone()))
            .collect()
    };
    let key = Opt {
        text: key_entry.2.to_owned(),
        rationale: format!(
            "{}. This client outranks the others.{}",
            key_entry.4,
            key_rule
                .map(|rule| format!(" Rule: {}.", rule.text()))
                .unwrap_or_default()
        ),
        facts: facts_of(key_fact, key_rule),
    };
    let mut distractors = Vec::new();
    for entry in chosen {
        let (fact, rule) = priority_client(kb, entry)?;
        distractors.push(Opt {
            text: entry.2.to_owned(),
            rationale: format!("{}.", entry.4),
            facts: facts_of(fact, rule),
        });
    }
    let frames = [
        "The nurse receives report on four clients. Which client should the nurse see first?",
        "After shift report, which client should the nurse assess first?",
        "The nurse is setting priorities for four assigned clients. Which client has the highest priority?",
    ];
    let stem = frames[case.variant as usize % frames.len()].to_owned();
    let rationale = "Threats to airway, breathing and circulation come first, in that order; then unexpected findings before expected ones; physiological and safety needs come before love-and-belonging and esteem needs (Maslow).".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(key_entry.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

fn esi_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(PRI, "esi", "level").len() < 5 {
        return Vec::new();
    }
    (0..32)
        .map(|variant| Case::new("esi", PRI, variant))
        .collect()
}

/// The listed items of a `category_meaning` fact whose condition matches.
fn esi_list<'a>(kb: &'a KnowledgeBase, condition: &str) -> Option<(&'a Fact, Vec<String>)> {
    let fact = kb
        .values(PRI, "esi", "category_meaning")
        .into_iter()
        .find(|fact| fact.condition == condition)?;
    let items = fact.text().split(", ").map(str::to_owned).collect();
    Some((fact, items))
}

/// ESI level from a stable adult's anticipated needs (or new confusion for ESI 2).
fn esi_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let levels = kb.values(PRI, "esi", "level");
    let level = 2 + (case.variant % 4) as usize;
    let (counted_fact, counted) = esi_list(kb, "counted as resources")?;
    let (free_fact, free) = esi_list(kb, "not counted as resources")?;
    let (stem, mut facts) = if level == 2 {
        let who = [
            "An adult client",
            "An older adult client",
            "A middle-aged client",
        ][rng.below(3)];
        let sign = ["new confusion", "new lethargy"][rng.below(2)];
        let when = ["this morning", "2 hours ago", "during the night"][rng.below(3)];
        (
            format!(
                "{who} is brought to the emergency department by family because of {sign} that began {when}. The client does not need an immediate life-saving intervention. Which Emergency Severity Index (ESI) level should the triage nurse assign?"
            ),
            vec![],
        )
    } else {
        let resources: Vec<String> = match level {
            3 => loop {
                let pair = rng.sample(&counted, 2);
                let joined = pair.join(" ");
                if !(joined.contains("ECG") && joined.contains("imaging")) {
                    break pair;
                }
            },
            4 => rng.sample(&counted, 1),
            _ => Vec::new(),
        };
        let extra = if level == 5 {
            1 + rng.below(2)
        } else {
            rng.below(2)
        };
        let mut needs = resources.clone();
        needs.extend(rng.sample(&free, extra));
        rng.shuffle(&mut needs);
        (
            format!(
                "An adult client with stable vital signs comes to the emergency department. The triage nurse anticipates that the client will need {}. Which Emergency Severity Index (ESI) level should the nurse assign?",
                serial_list(&needs)
            ),
            vec![counted_fact, free_fact],
        )
    };
    let key_fact = *levels.get(level - 1)?;
    facts.push(key_fact);
    let label = |fact: &Fact| {
        fact.text()
            .split(':')
            .next()
            .unwrap_or_default()
            .replace("ESI ", "ESI level ")
    };
    let meaning = |fact: &Fact| {
        fact.text()
            .split_once(": ")
            .map_or(String::new(), |(_, rest)| rest.to_owned())
    };
    let key = Opt::new(
        label(key_fact),
        format!("{}: {}.", label(key_fact), meaning(key_fact)),
        &facts,
    );
    let others: Vec<&Fact> = levels
        .iter()
        .copied()
        .filter(|fact| fact.id != key_fact.id)
        .collect();
    let distractors = rng
        .sample(&others, 3)
        .into_iter()
        .map(|fact| {
            Opt::new(
                label(fact),
                format!(
                    "{} is assigned for: {}. This client does not fit it.",
                    label(fact),
                    meaning(fact)
                ),
                &[fact],
            )
        })
        .collect();
    let rationale = format!(
        "ESI sorts by acuity, then by the number of resources expected. Counted resources: {}. Not counted: {}.",
        counted.join(", "),
        free.join(", ")
    );
    Some(build::multiple_choice(
        kb,
        &meta.about("esi"),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}
