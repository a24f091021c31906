//! Safety and infection control: isolation precautions and hand hygiene, START triage, safety rules and sequences, transfusion reactions.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "iso-precaution-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Which transmission-based precaution a client with an organism needs. Key: the organism's single `precaution` (organisms needing two precautions, and the disputed RSV record, are left out; recorded conditions are stated in the stem). Distractors: the other precaution types. When the key is airborne, droplet or contact, the stem asks what to add to standard precautions and standard precautions are not offered (they apply to every client, so they are never wrong); the fourth option is then the protective environment (the positive-pressure room for allogeneic stem cell transplant recipients, a protective rather than transmission-based category).",
        cases: Cases::From(organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_mc,
    },
    ModelSpec {
        id: "iso-organism-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 organisms the nurse selects airborne, droplet or contact precautions, from each organism's single `precaution`. Organisms needing two precautions or only standard precautions are left out; at least two columns are used.",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: organism_matrix,
    },
    ModelSpec {
        id: "iso-precaution-ddr",
        item_type: ItemType::DragDropRationale,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::GenerateSolutions,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Drag-and-drop rationale triad: a client's organism → the precaution (cause) → the PPE and the room it requires. Options: the `ppe` and `room` facts of the airborne, droplet and contact precaution types (plus the protective-environment room); a room that also satisfies the key's precaution (a droplet room for contact precautions and the other way round) is never a distractor.",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_ddr,
    },
    ModelSpec {
        id: "iso-precaution-actions-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: which actions the nurse takes for a client with an organism. Keys: 2–3 `ppe`/`room`/`transport`/`note` facts of the organism's precaution type, plus soap-and-water hand hygiene for C. difficile and norovirus. Distractors: facts of other precaution types that do not also hold for this one (shared transport limits, cohorting and room-sharing rules are never used as distractors).",
        cases: Cases::From(transmission_organism_cases),
        seeding: Seeding::MixVariant,
        generate: precaution_actions_sata,
    },
    ModelSpec {
        id: "iso-hand-hygiene-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Matrix: for 4–6 situations the nurse selects the preferred hand-hygiene method (alcohol-based rub or soap and water), from the `hand_hygiene` facts: soap and water for visible soiling, C. difficile and norovirus; rub before/after client contact and after glove removal when hands are not soiled (only organisms for which alcohol rub is effective).",
        cases: Cases::From(hand_hygiene_cases),
        seeding: Seeding::MixVariant,
        generate: hand_hygiene_matrix,
    },
    ModelSpec {
        id: "start-triage-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::PrioritizeHypotheses,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "START triage: a mass-casualty victim is described by walking, breathing after airway repositioning, respiratory rate, capillary refill, radial pulse and ability to follow commands (numbers seeded within each recorded rule), and the nurse picks the tag. Options: the four START `level`s; rationale from the matching `rule` and `category_meaning`.",
        cases: Cases::From(start_cases),
        seeding: Seeding::MixVariant,
        generate: start_mc,
    },
    ModelSpec {
        id: "safety-sequence-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over safety sequences recorded with `order`: donning and doffing PPE, RACE, PASS, the Universal Protocol and the transfusion-reaction response. Cases are the full sequence and its ordered subsets of three or more.",
        cases: Cases::From(safety_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
    ModelSpec {
        id: "safety-action-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::EvaluateOutcomes,
        aacn: Aacn::new(5, 2),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: the charge nurse watches a new nurse care for a client in restraints, having a seizure, or receiving blood, and marks each action appropriate or requiring follow-up. Appropriate rows: the topic's `rule`, `equipment`, `priority_intervention` and `time_limit` facts; follow-up rows: its `avoid` facts, restated as actions.",
        cases: Cases::From(safety_action_cases),
        seeding: Seeding::MixVariant,
        generate: safety_action_matrix,
    },
    ModelSpec {
        id: "transfusion-first-action-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::SafetyInfectionControl,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 5),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "A client receiving packed red cells shows signs of a transfusion reaction (`complication_sign` of hemolytic, allergic or circulatory-overload reactions); which action first. Key: step 1 of the recorded transfusion-reaction response; distractors: its later steps.",
        cases: Cases::From(transfusion_cases),
        seeding: Seeding::MixVariant,
        generate: transfusion_first_mc,
    },
];

// ---------------------------------------------------------------------------------------------
// Isolation and hand hygiene

/// Organisms with a single precaution: (subject, who, stem phrase). Recorded conditions are folded
/// into the phrase (meningococcal meningitis, Hib epiglottitis, symptomatic norovirus, a young
/// child with group A streptococcal pharyngitis).
const ORGANISMS: [(&str, &str, &str); 22] = [
    (
        "pulmonary tuberculosis",
        "client",
        "suspected pulmonary tuberculosis",
    ),
    ("measles (rubeola)", "client", "measles (rubeola)"),
    ("seasonal influenza", "client", "seasonal influenza"),
    ("pertussis", "client", "pertussis"),
    (
        "neisseria meningitidis",
        "client",
        "meningococcal meningitis",
    ),
    (
        "haemophilus influenzae type b",
        "client",
        "Haemophilus influenzae type b epiglottitis",
    ),
    ("mumps", "client", "mumps"),
    ("rubella", "client", "rubella"),
    (
        "mycoplasma pneumoniae",
        "client",
        "Mycoplasma pneumoniae pneumonia",
    ),
    (
        "group a streptococcal pharyngitis",
        "young child",
        "group A streptococcal pharyngitis",
    ),
    ("mrsa", "client", "an MRSA wound infection"),
    ("vre", "client", "a VRE infection"),
    (
        "clostridioides difficile",
        "client",
        "Clostridioides difficile infection",
    ),
    ("norovirus", "client", "symptomatic norovirus infection"),
    ("rotavirus", "client", "rotavirus gastroenteritis"),
    ("scabies", "client", "scabies"),
    (
        "head lice (pediculosis)",
        "client",
        "head lice (pediculosis)",
    ),
    ("impetigo", "client", "impetigo"),
    (
        "acute viral conjunctivitis",
        "client",
        "acute viral conjunctivitis",
    ),
    ("hiv", "client", "HIV infection"),
    ("hepatitis b", "client", "hepatitis B"),
    ("hepatitis c", "client", "hepatitis C"),
];

const PRECAUTION_TYPES: [&str; 4] = [
    "airborne precautions",
    "droplet precautions",
    "contact precautions",
    "standard precautions",
];

fn organism_entry(subject: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    ORGANISMS.iter().find(|entry| entry.0 == subject)
}

/// The organism's single precaution fact (one of the four types).
fn single_precaution<'a>(kb: &'a KnowledgeBase, organism: &str) -> Option<&'a Fact> {
    let facts = kb.values(ISO, organism, "precaution");
    if facts.len() != 1 {
        return None;
    }
    let fact = facts[0];
    PRECAUTION_TYPES.contains(&fact.text()).then_some(fact)
}

/// "Measles (rubeola)" or "Group A streptococcal pharyngitis (young child)".
fn organism_row(entry: &(&str, &str, &str)) -> String {
    let phrase = entry.2.trim_start_matches("an ").trim_start_matches("a ");
    if entry.1 == "client" {
        sentence(phrase)
    } else {
        format!("{} ({})", sentence(phrase), entry.1)
    }
}

fn organism_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ORGANISMS
        .iter()
        .filter(|entry| single_precaution(kb, entry.0).is_some())
        .flat_map(|entry| cases_n(entry.0, ISO, 2))
        .collect()
}

fn transmission_organism_cases(kb: &KnowledgeBase) -> Vec<Case> {
    ORGANISMS
        .iter()
        .filter(|entry| {
            single_precaution(kb, entry.0).is_some_and(|fact| fact.text() != "standard precautions")
        })
        .flat_map(|entry| cases_n(entry.0, ISO, 6))
        .collect()
}

fn precaution_rationale(kb: &KnowledgeBase, organism: &str, precaution: &Fact) -> String {
    let duration = kb
        .value(ISO, organism, "duration")
        .map(|fact| format!(" Duration: {}.", fact.text()))
        .unwrap_or_default();
    let condition = if precaution.condition.is_empty() {
        String::new()
    } else {
        format!(" ({})", precaution.condition)
    };
    format!(
        "{} requires {}{condition}.{duration}{}",
        organism_entry(organism).map_or_else(|| sentence(organism), organism_row),
        precaution.text(),
        cite_note(precaution)
    )
}

/// "Which precautions does a client with X need?"
fn precaution_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    // Standard precautions apply to every client, so they are never a wrong answer to "which
    // precautions": when the key is transmission-based, the stem asks what to add to them and
    // standard precautions are not offered.
    let transmission_based = precaution.text() != "standard precautions";
    let others: Vec<&str> = PRECAUTION_TYPES
        .iter()
        .copied()
        .filter(|kind| *kind != precaution.text())
        .filter(|kind| !transmission_based || *kind != "standard precautions")
        .collect();
    let key = Opt::new(
        sentence(precaution.text()),
        precaution_rationale(kb, entry.0, precaution),
        &[precaution],
    );
    let mut distractors = Vec::new();
    let wanted = if transmission_based { 2 } else { 3 };
    for kind in rng.sample(&others, wanted) {
        let example = ORGANISMS
            .iter()
            .find_map(|other| single_precaution(kb, other.0).filter(|fact| fact.text() == kind));
        let example = example?;
        distractors.push(Opt::new(
            sentence(kind),
            format!(
                "{} are the precautions for organisms such as {}; the one recorded precaution for {} is {}.",
                sentence(kind),
                example.subject,
                entry.2.trim_start_matches("an ").trim_start_matches("a "),
                precaution.text()
            ),
            &[example, precaution],
        ));
    }
    if transmission_based {
        // The fourth option: a protective environment shields a profoundly immunosuppressed
        // client from organisms outside the room; it is a different category from the
        // transmission-based precautions that keep a client's organism in.
        let room = kb.value(ISO, "protective environment", "room")?;
        let purpose = kb.value(ISO, "protective environment", "note")?;
        distractors.push(Opt::new(
            "Protective environment",
            format!(
                "A protective environment ({}) is {}: it keeps organisms away from a profoundly immunosuppressed client, while this client needs {} to keep the organism from spreading.",
                room.text(),
                purpose.text(),
                precaution.text()
            ),
            &[room, purpose],
        ));
    }
    let frames = if transmission_based {
        [
            format!(
                "A {} is admitted with {}. In addition to standard precautions, which precautions should the nurse implement?",
                entry.1, entry.2
            ),
            format!(
                "The nurse is preparing a room for a {} with {}. Which transmission-based precautions are required?",
                entry.1, entry.2
            ),
        ]
    } else {
        [
            format!(
                "A {} is admitted with {}. Which type of precautions should the nurse implement?",
                entry.1, entry.2
            ),
            format!(
                "The nurse is preparing a room for a {} with {}. Which precautions are required?",
                entry.1, entry.2
            ),
        ]
    };
    let stem = frames[case.variant as usize % frames.len()].clone();
    let rationale = "Transmission-based precautions follow the route of spread: airborne for small particles that stay suspended (negative-pressure room, N95), droplet for large droplets (surgical mask), contact for direct or indirect contact (gown and gloves). Standard precautions alone apply to bloodborne pathogens.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Matrix: airborne, droplet or contact for each organism.
fn organism_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let columns = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
    ];
    let eligible: Vec<&(&str, &str, &str)> = ORGANISMS
        .iter()
        .filter(|entry| {
            single_precaution(kb, entry.0).is_some_and(|fact| columns.contains(&fact.text()))
        })
        .collect();
    let anchor = eligible.iter().find(|entry| entry.0 == case.subject)?;
    let column_of = |entry: &(&str, &str, &str)| {
        single_precaution(kb, entry.0)
            .and_then(|fact| columns.iter().position(|column| *column == fact.text()))
    };
    let anchor_column = column_of(anchor)?;
    let different: Vec<&&(&str, &str, &str)> = eligible
        .iter()
        .filter(|entry| column_of(entry).is_some_and(|column| column != anchor_column))
        .collect();
    let second = **rng.pick(&different)?;
    let mut rest: Vec<&(&str, &str, &str)> = eligible
        .iter()
        .copied()
        .filter(|entry| entry.0 != anchor.0 && entry.0 != second.0)
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let chosen: Vec<&(&str, &str, &str)> = [*anchor, second]
        .into_iter()
        .chain(rest.into_iter().take(count - 2))
        .collect();
    let mut rows = Vec::new();
    for entry in chosen {
        let fact = single_precaution(kb, entry.0)?;
        rows.push(MatrixRow {
            text: organism_row(entry),
            column: column_of(entry)?,
            rationale: precaution_rationale(kb, entry.0, fact),
            facts: vec![fact.id.clone()],
        });
    }
    let stem = "The infection preventionist reviews the unit's admissions. For each client's diagnosis, select the transmission-based precautions the nurse should implement.".to_owned();
    let rationale = "Airborne: tuberculosis, measles (negative-pressure room, N95). Droplet: influenza, pertussis, meningococcal disease, Hib, mumps, rubella, Mycoplasma (surgical mask). Contact: MRSA, VRE, C. difficile, norovirus, rotavirus, scabies, lice, impetigo, viral conjunctivitis (gown and gloves).".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["Airborne", "Droplet", "Contact"],
        rows,
        rationale,
    ))
}

/// The first `attribute` fact of a precaution type whose text starts with `prefix`.
fn precaution_fact<'a>(
    kb: &'a KnowledgeBase,
    kind: &str,
    attribute: &str,
    prefix: &str,
) -> Option<&'a Fact> {
    kb.values(ISO, kind, attribute)
        .into_iter()
        .find(|fact| fact.text().starts_with(prefix))
}

/// Triad: organism → precaution → PPE and room.
fn precaution_ddr(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    let kinds = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
    ];
    let ppe: Vec<&Fact> = kinds
        .iter()
        .map(|kind| precaution_fact(kb, kind, "ppe", ""))
        .collect::<Option<_>>()?;
    let mut rooms: Vec<&Fact> = kinds
        .iter()
        .map(|kind| precaution_fact(kb, kind, "room", ""))
        .collect::<Option<_>>()?;
    rooms.extend(precaution_fact(
        kb,
        "protective environment",
        "room",
        "positive",
    ));
    let index = kinds.iter().position(|kind| *kind == precaution.text())?;
    let kind_opt = |i: usize| -> Opt {
        let why = if i == index {
            precaution_rationale(kb, entry.0, precaution)
        } else {
            format!(
                "{} do not fit {}; it needs {}.",
                sentence(kinds[i]),
                entry.2,
                precaution.text()
            )
        };
        Opt {
            text: kinds[i].to_owned(),
            rationale: why,
            facts: vec![precaution.id.clone()],
        }
    };
    let fact_opt = |fact: &Fact, is_key: bool| -> Opt {
        let why = if is_key {
            format!(
                "{} requires {}.{}",
                sentence(&fact.subject),
                fact.text(),
                cite_note(fact)
            )
        } else {
            format!(
                "{} is the standard of {}; {} call for what fits their route of spread.",
                sentence(fact.text()),
                fact.subject,
                sentence(precaution.text())
            )
        };
        Opt::new(fact.text(), why, &[fact])
    };
    let slot1 = SlotSpec {
        key: kind_opt(index),
        distractors: (0..3).filter(|i| *i != index).map(kind_opt).collect(),
    };
    let slot2 = SlotSpec {
        key: fact_opt(ppe[index], true),
        distractors: (0..3)
            .filter(|i| *i != index)
            .map(|i| fact_opt(ppe[i], false))
            .collect(),
    };
    // A droplet room (private, door may stay open) is also right for contact precautions and
    // the other way round: such a room is never a wrong answer.
    let room_distractors: Vec<Opt> = rooms
        .iter()
        .enumerate()
        .filter(|(i, fact)| *i != index && !shared_precaution_fact(fact, precaution.text()))
        .map(|(_, fact)| fact_opt(fact, false))
        .collect();
    if room_distractors.len() < 2 {
        return None;
    }
    let slot3 = SlotSpec {
        key: fact_opt(rooms[index], true),
        distractors: room_distractors,
    };
    let frames = [
        format!(
            "A {} is admitted with {}. Drag words from the choices below to fill in each blank in the following sentence.",
            entry.1, entry.2
        ),
        format!(
            "The nurse prepares to admit a {} with {}. Drag the choices below to complete the sentence.",
            entry.1, entry.2
        ),
    ];
    let stem = frames[rng.below(frames.len())].clone();
    let template = "Because the client requires {{1}}, staff must wear a {{2}}, and the client is placed in a {{3}}.".to_owned();
    let rationale = format!(
        "{} The precaution type decides both the protective equipment and the room.",
        precaution_rationale(kb, entry.0, precaution)
    );
    Some(build::drag_drop_rationale(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        template,
        vec![slot1, slot2, slot3],
        rationale,
    ))
}

/// Facts that never serve as a distractor for `kind` because they also hold for it.
fn shared_precaution_fact(fact: &Fact, kind: &str) -> bool {
    let text = fact.text();
    text.starts_with("limit transport")
        || text.starts_with("susceptible staff")
        || text.starts_with("standard precautions")
        || text.starts_with("minimize time")
        || text.starts_with("for allogeneic")
        || (fact.subject == "droplet precautions" && text.starts_with("if sharing"))
        || (fact.subject == "contact precautions" && text.starts_with("remove gown"))
        || (kind == "contact precautions"
            && fact.subject == "droplet precautions"
            && fact.attribute == "room")
        || (kind == "droplet precautions"
            && fact.subject == "contact precautions"
            && fact.attribute == "room")
}

fn precaution_type_facts<'a>(kb: &'a KnowledgeBase, kind: &str) -> Vec<&'a Fact> {
    ["ppe", "room", "transport", "note"]
        .iter()
        .flat_map(|attribute| kb.values(ISO, kind, attribute))
        .filter(|fact| {
            !fact.text().starts_with("susceptible staff")
                && !fact.text().starts_with("limit transport")
        })
        .collect()
}

/// SATA: which actions for a client with X.
fn precaution_actions_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = organism_entry(&case.subject)?;
    let precaution = single_precaution(kb, entry.0)?;
    let kind = precaution.text();
    let mut own = precaution_type_facts(kb, kind);
    let soap = kb
        .values(ISO, "hand hygiene", "hand_hygiene")
        .into_iter()
        .find(|fact| {
            (entry.0 == "clostridioides difficile" && fact.text().contains("Clostridioides"))
                || (entry.0 == "norovirus" && fact.text().contains("norovirus"))
        });
    own.extend(soap);
    let key_count = 2 + rng.below(2).min(own.len().saturating_sub(2));
    let keys = rng.sample(&own, key_count);
    let mut seen: BTreeSet<String> = own.iter().map(|fact| fact.norm().to_owned()).collect();
    let pool: Vec<&Fact> = [
        "airborne precautions",
        "droplet precautions",
        "contact precautions",
        "protective environment",
    ]
    .iter()
    .filter(|other| **other != kind)
    .flat_map(|other| {
        ["ppe", "room", "transport", "note"]
            .iter()
            .flat_map(move |attribute| kb.values(ISO, other, attribute))
    })
    .filter(|fact| !shared_precaution_fact(fact, kind))
    .filter(|fact| {
        !["ppe", "room", "transport", "note"]
            .iter()
            .any(|attribute| kb.states_fact(ISO, kind, attribute, fact))
    })
    .filter(|fact| seen.insert(fact.norm().to_owned()))
    .collect();
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample_exactly(&pool, distractor_count)?;
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is part of {} ({}).{}",
                    sentence(fact.text()),
                    if fact.subject == "hand hygiene" {
                        "hand hygiene for this organism".to_owned()
                    } else {
                        kind.to_owned()
                    },
                    entry.2.trim_start_matches("an ").trim_start_matches("a "),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} belongs to {}, which this client does not need; the client needs {}.",
                    sentence(fact.text()),
                    fact.subject,
                    kind
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = format!(
        "A {} with {} is admitted to the medical unit. Which measures should the nurse include in the client's care? Select all that apply.",
        entry.1, entry.2
    );
    let rationale = precaution_rationale(kb, entry.0, precaution);
    Some(build::multiple_response(
        kb,
        &meta.about(entry.0),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

/// Organisms for which an alcohol-based rub is the preferred hand hygiene when hands are clean.
const RUB_ORGANISMS: [&str; 8] = [
    "an MRSA wound infection",
    "a VRE infection",
    "seasonal influenza",
    "pulmonary tuberculosis",
    "pertussis",
    "hepatitis B",
    "HIV infection",
    "mumps",
];

/// Hand-hygiene situations: (text, column 0 rub / 1 soap, hand_hygiene fact prefixes).
fn hand_hygiene_rows() -> Vec<(String, usize, Vec<&'static str>)> {
    let mut rows = vec![
        (
            "Leaving the room of a client with Clostridioides difficile infection".to_owned(),
            1,
            vec!["soap and water after caring for a client with Clostridioides"],
        ),
        (
            "Leaving the room of a client with symptomatic norovirus infection".to_owned(),
            1,
            vec!["soap and water after caring for a client with norovirus"],
        ),
        (
            "Hands are visibly soiled with a client's blood".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
        (
            "Hands are visibly soiled with wound drainage".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
        (
            "Hands are visibly soiled after helping a client with toileting".to_owned(),
            1,
            vec!["soap and water when hands are visibly soiled"],
        ),
    ];
    for organism in RUB_ORGANISMS {
        rows.push((
            format!("Before touching a client with {organism}; hands not visibly soiled"),
            0,
            vec![
                "alcohol-based hand rub",
                "before and after direct client contact",
            ],
        ));
        rows.push((
            format!("After removing gloves, client with {organism}; hands look clean"),
            0,
            vec!["alcohol-based hand rub", "after removing gloves"],
        ));
    }
    rows
}

fn hand_hygiene_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(ISO, "hand hygiene", "hand_hygiene").len() < 4 {
        return Vec::new();
    }
    (0..hand_hygiene_rows().len() as u32 * 3)
        .map(|variant| Case::new("hand hygiene", ISO, variant))
        .collect()
}

/// Matrix: alcohol rub or soap and water for each situation.
fn hand_hygiene_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let all = hand_hygiene_rows();
    let facts = kb.values(ISO, "hand hygiene", "hand_hygiene");
    let anchor = all.get(case.variant as usize % all.len())?.clone();
    let opposite: Vec<&(String, usize, Vec<&str>)> =
        all.iter().filter(|row| row.1 != anchor.1).collect();
    let second = (*rng.pick(&opposite)?).clone();
    let mut rest: Vec<(String, usize, Vec<&str>)> = all
        .iter()
        .filter(|row| row.0 != anchor.0 && row.0 != second.0)
        .cloned()
        .collect();
    rng.shuffle(&mut rest);
    let count = 4 + rng.below(3);
    let mut rows = Vec::new();
    let mut used_soiled = false;
    for (text, column, prefixes) in [anchor, second].into_iter().chain(rest) {
        if rows.len() >= count {
            break;
        }
        // One "visibly soiled" row per item is enough.
        if text.starts_with("Hands are visibly") {
            if used_soiled {
                continue;
            }
            used_soiled = true;
        }
        let row_facts: Vec<&Fact> = prefixes
            .iter()
            .filter_map(|prefix| {
                facts
                    .iter()
                    .copied()
                    .find(|fact| fact.text().starts_with(prefix))
            })
            .collect();
        if row_facts.len() != prefixes.len() {
            return None;
        }
        let why = if column == 1 {
            format!(
                "Soap and water is required: {}.",
                row_facts
                    .iter()
                    .map(|fact| fact.text())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            "An alcohol-based hand rub is preferred when hands are not visibly soiled; it is effective against this organism.".to_owned()
        };
        rows.push(MatrixRow {
            text,
            column,
            rationale: why,
            facts: ids(&row_facts),
        });
    }
    let stem =
        "For each situation, select the preferred hand hygiene method for the nurse.".to_owned();
    let rationale = "An alcohol-based hand rub is preferred whenever hands are not visibly soiled. Wash with soap and water when hands are visibly soiled or contaminated with body fluids, and after caring for a client with C. difficile or norovirus, which alcohol does not reliably inactivate.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about("hand hygiene"),
        seed,
        stem,
        &["Alcohol-based hand rub", "Soap and water"],
        rows,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// START triage

/// START scenarios: (rule prefix, level index 0 red / 1 yellow / 2 green / 3 black).
const START_SCENARIOS: [(&str, usize); 8] = [
    ("able to walk", 2),
    ("not breathing after airway repositioning", 3),
    ("breathing only after airway repositioning", 0),
    ("respiratory rate above 30", 0),
    ("capillary refill above 2", 0),
    ("absent radial pulse", 0),
    ("cannot follow simple commands", 0),
    ("breathing 30/min or less", 1),
];

fn start_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.values(PRI, "start triage", "level").len() != 4 {
        return Vec::new();
    }
    (0..START_SCENARIOS.len() as u32 * 8)
        .map(|variant| Case::new("start triage", PRI, variant))
        .collect()
}

/// START tag for a described victim.
fn start_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (prefix, level) = START_SCENARIOS[case.variant as usize % START_SCENARIOS.len()];
    let rule = kb
        .values(PRI, "start triage", "rule")
        .into_iter()
        .find(|fact| fact.text().starts_with(prefix))?;
    let levels = kb.values(PRI, "start triage", "level");
    let meanings = kb.values(PRI, "start triage", "category_meaning");
    let injuries = [
        "an open fracture of the lower leg",
        "burns to both legs",
        "a crushed foot",
        "a deep laceration of the thigh",
        "a deformed, swollen ankle",
    ];
    let injury = injuries[rng.below(injuries.len())];
    let slow_rr = 14 + rng.below(15);
    let description = match prefix {
        "able to walk" => {
            let minor = [
                "abrasions on both forearms",
                "a small laceration on one hand",
                "a swollen wrist",
                "bruises on the shoulder",
            ][rng.below(4)];
            format!("has {minor} and walks to the designated area when asked")
        }
        "not breathing after airway repositioning" => {
            "is not breathing and does not begin to breathe after the airway is repositioned"
                .to_owned()
        }
        "breathing only after airway repositioning" => {
            "is not breathing at first but begins to breathe after the airway is repositioned"
                .to_owned()
        }
        "respiratory rate above 30" => format!(
            "has {injury}, cannot walk, and is breathing at {}/min",
            32 + rng.below(12)
        ),
        "capillary refill above 2" => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, and has a capillary refill of {} seconds",
            3 + rng.below(3)
        ),
        "absent radial pulse" => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, and has no palpable radial pulse"
        ),
        "cannot follow simple commands" => format!(
            "has a head wound, cannot walk, breathes at {slow_rr}/min, has a palpable radial pulse, and does not follow simple commands"
        ),
        _ => format!(
            "has {injury}, cannot walk, breathes at {slow_rr}/min, has a palpable radial pulse and capillary refill under 2 seconds, and follows simple commands"
        ),
    };
    let colour = |index: usize| ["red", "yellow", "green", "black"][index];
    let meaning = |index: usize| {
        meanings
            .iter()
            .copied()
            .find(|fact| fact.condition.starts_with(colour(index)))
    };
    let opt = |index: usize, is_key: bool| -> Option<Opt> {
        let level_fact = levels.get(index).copied()?;
        let meaning_fact = meaning(index)?;
        let why = if is_key {
            format!(
                "START rule: {}. {}",
                rule.text(),
                sentence(meaning_fact.text())
            )
        } else {
            format!(
                "{} means {}; the rule that applies here is: {}.",
                sentence(level_fact.text()),
                meaning_fact.text(),
                rule.text()
            )
        };
        Some(Opt::new(
            sentence(level_fact.text()),
            why,
            &[level_fact, meaning_fact, rule],
        ))
    };
    let key = opt(level, true)?;
    let distractors: Vec<Opt> = (0..4)
        .filter(|index| *index != level)
        .map(|index| opt(index, false))
        .collect::<Option<_>>()?;
    let stem = format!(
        "During a mass-casualty incident, the nurse uses the START triage system. A victim {description}. Which triage tag should the nurse assign?"
    );
    let rationale = "START checks, in order: ability to walk (green), breathing (black if still apneic after airway repositioning; red if breathing starts), respiratory rate above 30/min (red), perfusion (capillary refill above 2 seconds or no radial pulse: red) and mental status (cannot follow simple commands: red); otherwise yellow.".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about("start triage"),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Safety rules and transfusion

/// Topics of the safety-action matrix: (subject, stem context, appropriate attributes, extra
/// (family, subject) whose avoid facts also count).
/// (subject, stem context, appropriate attributes, extra (family, subject) avoid sources).
type SafetyTopic = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [(Family, &'static str)],
);

const SAFETY_TOPICS: [SafetyTopic; 3] = [
    (
        "physical restraint safety",
        "a client in physical restraints",
        &["rule"],
        &[(MH, "restraint and seclusion for violent behavior")],
    ),
    (
        "seizure care",
        "a client having a tonic-clonic seizure",
        &["priority_intervention"],
        &[],
    ),
    (
        "blood transfusion",
        "a client receiving a unit of packed red blood cells",
        &["rule", "equipment", "time_limit"],
        &[],
    ),
];

/// An appropriate safety fact as an action row.
fn safety_row_text(fact: &Fact) -> Option<String> {
    match &fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } if low == high && fact.condition.starts_with("maximum time to complete") => {
            Some(format!("Complete the unit within {} {units}", number(*low)))
        }
        Value::Range { .. } => None,
        Value::Text(text) if fact.attribute == "equipment" && text.starts_with("0.9%") => {
            Some("Use 0.9% sodium chloride as the only solution with the blood".to_owned())
        }
        Value::Text(text) if fact.attribute == "equipment" => {
            Some(format!("Use a {}", text.trim_start_matches("a ")))
        }
        Value::Text(text) => Some(sentence(text)),
    }
}

fn safety_action_cases(kb: &KnowledgeBase) -> Vec<Case> {
    SAFETY_TOPICS
        .iter()
        .filter(|topic| !kb.values(PROC, topic.0, "avoid").is_empty())
        .flat_map(|topic| cases_n(topic.0, PROC, 24))
        .collect()
}

/// Matrix: appropriate or requires follow-up, for each observed action.
fn safety_action_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let topic = SAFETY_TOPICS.iter().find(|topic| topic.0 == case.subject)?;
    let mut good: Vec<(String, &Fact)> = topic
        .2
        .iter()
        .flat_map(|attribute| kb.values(PROC, topic.0, attribute))
        .filter_map(|fact| safety_row_text(fact).map(|text| (text, fact)))
        .collect();
    if topic.0 == "seizure care" {
        good.extend(
            kb.values(PROC, "seizure precautions", "equipment")
                .into_iter()
                .map(|fact| (format!("Keep {} available", fact.text()), fact)),
        );
    }
    let mut bad: Vec<(String, &Fact)> = kb
        .values(PROC, topic.0, "avoid")
        .into_iter()
        .filter_map(|fact| avoid_action(fact).map(|text| (text, fact)))
        .collect();
    for (family, subject) in topic.3 {
        bad.extend(
            kb.values(*family, subject, "avoid")
                .into_iter()
                .filter_map(|fact| avoid_action(fact).map(|text| (text, fact))),
        );
    }
    if bad.is_empty() || good.len() < 2 {
        return None;
    }
    let bad_count = 1 + rng.below(bad.len().min(2));
    let good_count = (2 + rng.below(3)).min(good.len());
    let mut rows: Vec<MatrixRow> = rng
        .sample(&bad, bad_count)
        .into_iter()
        .map(|(text, fact)| MatrixRow {
            text,
            column: 1,
            rationale: format!(
                "Requires follow-up: avoid {}.{}",
                fact.text(),
                cite_note(fact)
            ),
            facts: vec![fact.id.clone()],
        })
        .collect();
    rows.extend(
        rng.sample(&good, good_count)
            .into_iter()
            .map(|(text, fact)| MatrixRow {
                text,
                column: 0,
                rationale: format!("Appropriate: {}.{}", fact.value.display(), cite_note(fact)),
                facts: vec![fact.id.clone()],
            }),
    );
    if rows.len() < 3 {
        return None;
    }
    let stem = format!(
        "The charge nurse observes a newly hired nurse caring for {}. For each action, indicate whether it is appropriate or requires follow-up.",
        topic.1
    );
    let rationale = format!(
        "Safe care of {} follows the recorded rules; any action on the avoid list needs immediate follow-up.",
        topic.1
    );
    Some(build::matrix(
        kb,
        &meta.about(topic.0),
        seed,
        stem,
        &["Appropriate", "Requires follow-up"],
        rows,
        rationale,
    ))
}

const REACTIONS: [&str; 3] = [
    "acute hemolytic transfusion reaction",
    "allergic transfusion reaction",
    "transfusion-associated circulatory overload",
];

fn transfusion_cases(kb: &KnowledgeBase) -> Vec<Case> {
    REACTIONS
        .iter()
        .filter(|reaction| !kb.values(PROC, reaction, "complication_sign").is_empty())
        .flat_map(|reaction| cases_n(reaction, PROC, 8))
        .collect()
}

/// First action when a transfusion reaction appears.
fn transfusion_first_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let signs = kb.values(PROC, &case.subject, "complication_sign");
    let shown_count = 1 + rng.below(2);
    let shown = rng.sample(&signs, shown_count);
    let steps = sequence(kb, PROC, "transfusion reaction response", "step");
    let first = *steps.first()?;
    let later: Vec<&Fact> = steps.iter().skip(1).copied().collect();
    let key = Opt::new(
        sentence(first.text()),
        format!(
            "{}: stopping the infusion limits how much more of the product the client receives; it comes before every other step.{}",
            sentence(first.text()),
            cite_note(first)
        ),
        &[first],
    );
    let distractors: Vec<Opt> = rng
        .sample(&later, 3)
        .into_iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is step {} of the response, done after the transfusion is stopped.",
                    sentence(fact.text()),
                    fact.order.unwrap_or(0)
                ),
                &[fact],
            )
        })
        .collect();
    let sign_text: Vec<String> = shown.iter().map(|fact| fact.text().to_owned()).collect();
    let minutes = 10 + 5 * rng.below(6);
    let stem = format!(
        "A client is receiving a unit of packed red blood cells that was started {minutes} minutes ago. The client now has {}. Which action should the nurse take first?",
        sign_text.join(" along with ")
    );
    let rationale = format!(
        "These findings ({}) suggest {}. For any suspected transfusion reaction, the nurse first stops the transfusion, then keeps the vein open with 0.9% sodium chloride through new tubing, notifies the provider and blood bank, and monitors the client.",
        sign_text.join("; "),
        case.subject
    );
    let mut item = build::multiple_choice(kb, &meta, seed, stem, key, distractors, rationale);
    item.source_facts
        .extend(shown.iter().map(|fact| fact.id.clone()));
    item.source_facts.sort();
    item.source_facts.dedup();
    Some(item)
}
