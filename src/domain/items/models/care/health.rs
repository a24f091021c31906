//! Health promotion and maintenance: growth and development (milestones, Erikson, Piaget, play, safety teaching), maternal–newborn care and vital-sign norms by age.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "dev-milestone-age-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "At what age an infant milestone typically occurs (`typical_age`). Distractors: the ages of other milestones that do not overlap the key's range, filled up to three with ages at least 3 months outside the key's range (2, 6, 9, 18, 24 or 36 months: wrong because they fall outside the recorded range); disputed milestones are left out, as are neighbouring ages that some references give for the same milestone.",
        cases: Cases::From(milestone_cases),
        seeding: Seeding::MixVariant,
        generate: milestone_mc,
    },
    ModelSpec {
        id: "dev-erikson-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Erikson: (a) the stage of a client of a given age (`typical_age`, ages inside the range only), (b) the stage whose `task` is described, or (c) the nursing action (`example`, nursing application) that best supports a child's stage, with distractor actions only from stages two or more steps away and never the universally sound trust-stage action.",
        cases: Cases::From(erikson_cases),
        seeding: Seeding::MixVariant,
        generate: erikson_mc,
    },
    ModelSpec {
        id: "dev-piaget-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–5 children of seeded ages (never at a stage boundary) the nurse selects the Piaget stage, from each stage's `typical_age`; rationale cites the stage's `task`.",
        cases: Cases::From(piaget_cases),
        seeding: Seeding::MixVariant,
        generate: piaget_matrix,
    },
    ModelSpec {
        id: "dev-play-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Play: the type of play typical of a child of a given age (`play_type`: solitary, parallel, associative, cooperative), or for an infant or school-age child the most suitable toys (`example`), with toy distractors only from age groups two or more steps away.",
        cases: Cases::From(play_cases),
        seeding: Seeding::MixVariant,
        generate: play_mc,
    },
    ModelSpec {
        id: "dev-safety-teaching-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::TakeAction,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Age-specific safety teaching for parents. Key: a `safety_teaching` fact of the child's age group. Distractors: teaching specific to an age group two or more steps away (infant sleep and honey rules for older children; street and bicycle safety for infants); teaching that stays valid at older ages is never a distractor. Items have four options; age groups with fewer than three such distractors make no item.",
        cases: Cases::From(safety_teaching_cases),
        seeding: Seeding::MixVariant,
        generate: safety_teaching_mc,
    },
    ModelSpec {
        id: "fhr-deceleration-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 4),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Advanced,
        description: "Drop-down cloze: an FHR deceleration (`cue`) → its name, its cause (`rule`) and a priority nursing response (`priority_intervention`). Response distractors: interventions of other patterns never indicated for this one (position changes, fluids and oxygen are not used as distractors for variable decelerations) and clearly unrelated postpartum/magnesium actions.",
        cases: Cases::From(deceleration_cases),
        seeding: Seeding::MixVariant,
        generate: deceleration_cloze,
    },
    ModelSpec {
        id: "pph-cues-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "SATA: which postpartum findings indicate hemorrhage. Keys: 2–3 `complication_sign` facts of postpartum hemorrhage. Distractors: expected involution findings, foul-smelling lochia (infection) and magnesium-toxicity cues.",
        cases: Cases::From(pph_cases),
        seeding: Seeding::MixVariant,
        generate: pph_sata,
    },
    ModelSpec {
        id: "newborn-findings-matrix",
        item_type: ItemType::Matrix,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Matrix: for 4–6 newborn findings with seeded values (respiratory rate, axillary temperature, 5-minute Apgar, age at onset of jaundice, apnea length, jitteriness) the nurse marks expected or requires follow-up, from the recorded `reference_range`, physiologic/pathologic jaundice rules, apnea `critical_sign` and hypoglycemia `cue`. The disputed newborn heart-rate range is not used.",
        cases: Cases::From(newborn_cases),
        seeding: Seeding::MixVariant,
        generate: newborn_matrix,
    },
    ModelSpec {
        id: "naegele-edd-mc",
        item_type: ItemType::MultipleChoice,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Intermediate,
        description: "Naegele's rule (`rule`): the estimated date of birth from the first day of the last menstrual period. LMP days are 8–21 so that adding 7 days never crosses a month end. Distractors: forgetting the 7 days, subtracting them, and adding 3 months instead of subtracting.",
        cases: Cases::From(naegele_cases),
        seeding: Seeding::MixVariant,
        generate: naegele_mc,
    },
    ModelSpec {
        id: "apgar-components-sata",
        item_type: ItemType::MultipleResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Beginner,
        description: "SATA: which findings are scored in the Apgar score. Keys: 2–4 of the five components in the Apgar `rule`. Distractors: routine newborn measures recorded elsewhere (axillary temperature, blood glucose) that are not Apgar components.",
        cases: Cases::From(apgar_cases),
        seeding: Seeding::MixVariant,
        generate: apgar_sata,
    },
    ModelSpec {
        id: "vitals-range-cloze",
        item_type: ItemType::DropDownCloze,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::AnalyzeCues,
        aacn: Aacn::new(2, 3),
        qsen: Qsen::Safety,
        difficulty: Difficulty::Intermediate,
        description: "Drop-down cloze: a client of a given age has a seeded heart or respiratory rate; the nurse picks the expected range for that age (`reference_range`, undisputed, distractors are other ages' ranges) and whether the value is within, above or below it.",
        cases: Cases::From(vitals_cases),
        seeding: Seeding::MixVariant,
        generate: vitals_cloze,
    },
    ModelSpec {
        id: "dev-stage-order-or",
        item_type: ItemType::OrderedResponse,
        client_need: ClientNeed::HealthPromotionMaintenance,
        ncjmm: NcjmmFunction::RecognizeCues,
        aacn: Aacn::new(2, 8),
        qsen: Qsen::PatientCenteredCare,
        difficulty: Difficulty::Beginner,
        description: "Ordered response over developmental and postpartum sequences recorded with `order`: Erikson's stages, Piaget's stages and the lochia sequence. Cases are the full sequence and its ordered subsets (four or more for Erikson).",
        cases: Cases::From(stage_sequence_cases),
        seeding: Seeding::MixVariant,
        generate: sequence_or,
    },
];

// ---------------------------------------------------------------------------------------------
// Growth and development

/// Milestones with a question, and the ages other references also give for them (never used as
/// distractors).
const MILESTONES: [(&str, &str, &[&str]); 5] = [
    (
        "birth weight triples",
        "At about what age does a healthy infant's birth weight triple?",
        &[],
    ),
    (
        "birth length increases by 50 percent",
        "By about what age has a healthy infant's birth length increased by 50 percent?",
        &[],
    ),
    (
        "anterior fontanel closes",
        "At what age does the anterior fontanel usually close?",
        &[],
    ),
    (
        "holds head steady without support when held",
        "By what age do at least 75 percent of infants hold the head steady without support when held?",
        &["5 to 6 months"],
    ),
    (
        "rolls from abdomen to back",
        "At about what age does an infant typically roll from abdomen to back?",
        &["4 months"],
    ),
];

/// Age range of a `typical_age` fact as (low, high, "12–18 months").
fn age_range(fact: &Fact) -> Option<(f64, f64, String)> {
    match &fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            units,
        } => {
            let text = if low == high {
                format!("{} {units}", number(*low))
            } else {
                format!("{} to {} {units}", number(*low), number(*high))
            };
            Some((*low, *high, text))
        }
        Value::Range {
            low: Some(low),
            high: None,
            units,
        } => Some((
            *low,
            f64::INFINITY,
            format!("{} {units} and older", number(*low)),
        )),
        _ => None,
    }
}

fn milestone_cases(kb: &KnowledgeBase) -> Vec<Case> {
    MILESTONES
        .iter()
        .filter(|entry| kb.value(DEV, entry.0, "typical_age").is_some())
        .flat_map(|entry| cases_n(entry.0, DEV, 2))
        .collect()
}

/// Typical age of an infant milestone.
fn milestone_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let entry = MILESTONES.iter().find(|entry| entry.0 == case.subject)?;
    let fact = kb.value(DEV, entry.0, "typical_age")?;
    let (low, high, key_text) = age_range(fact)?;
    let mut seen = BTreeSet::from([key_text.clone()]);
    let mut pool = Vec::new();
    for other in MILESTONES.iter().filter(|other| other.0 != entry.0) {
        let Some(other_fact) = kb.value(DEV, other.0, "typical_age") else {
            continue;
        };
        let Some((other_low, other_high, text)) = age_range(other_fact) else {
            continue;
        };
        let overlaps = other_low <= high && low <= other_high;
        if overlaps || entry.2.contains(&text.as_str()) || !seen.insert(text.clone()) {
            continue;
        }
        pool.push((text, other_fact));
    }
    let chosen = rng.sample(&pool, 3);
    // Too few other milestones: ages well outside the key's range (three months or more, never
    // one a reference gives for this milestone) fill up; a value outside the recorded range is
    // wrong on the record itself.
    let ladder: Vec<String> = [2.0, 6.0, 9.0, 18.0, 24.0, 36.0]
        .into_iter()
        .filter(|age: &f64| *age + 3.0 <= low || *age >= high + 3.0)
        .map(|age| format!("{} months", number(age)))
        .filter(|text| !entry.2.contains(&text.as_str()) && !seen.contains(text))
        .collect();
    let filler = rng.sample(&ladder, 3 - chosen.len().min(3));
    let condition = if fact.condition.is_empty() {
        String::new()
    } else {
        format!(" ({})", fact.condition)
    };
    let key = Opt::new(
        key_text.clone(),
        format!(
            "{} at {key_text}{condition}.{}",
            sentence(entry.0),
            cite_note(fact)
        ),
        &[fact],
    );
    let mut distractors: Vec<Opt> = chosen
        .into_iter()
        .map(|(text, other)| {
            Opt::new(
                text.clone(),
                format!(
                    "{text} is the typical age for another milestone ({}); {} at {key_text}.",
                    other.subject, entry.0
                ),
                &[other],
            )
        })
        .collect();
    distractors.extend(filler.into_iter().map(|text| {
        Opt::new(
            text.clone(),
            format!(
                "{text} is outside the typical range: {} at {key_text}.",
                entry.0
            ),
            &[fact],
        )
    }));
    if distractors.len() < 3 {
        return None;
    }
    let lead = [
        "A parent asks the nurse about expected growth and development. ",
        "The nurse is teaching a parenting class about infant development. ",
    ][case.variant as usize % 2];
    let stem = format!("{lead}{}", entry.1);
    let rationale = format!("{}: typically {key_text}.", sentence(entry.0));
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

/// Erikson's stages as (order, stage) from the recorded `stage` facts.
fn erikson_stages(kb: &KnowledgeBase) -> Vec<&Fact> {
    sequence(kb, DEV, "erikson", "stage")
}

/// Ages strictly inside each childhood stage, as stem phrases; adult stages by their condition.
fn erikson_ages(stage: &str) -> &'static [&'static str] {
    match stage {
        "trust vs mistrust" => &[
            "a 4-month-old infant",
            "a 6-month-old infant",
            "a 9-month-old infant",
        ],
        "autonomy vs shame and doubt" => &[
            "an 18-month-old toddler",
            "a 2-year-old toddler",
            "a 30-month-old toddler",
        ],
        "initiative vs guilt" => &["a 4-year-old", "a 5-year-old"],
        "industry vs inferiority" => &[
            "a 7-year-old",
            "an 8-year-old",
            "a 9-year-old",
            "a 10-year-old",
            "an 11-year-old",
        ],
        "identity vs role confusion" => &[
            "a 13-year-old adolescent",
            "a 14-year-old adolescent",
            "a 15-year-old adolescent",
            "a 16-year-old adolescent",
        ],
        "intimacy vs isolation" => &["a young adult client"],
        "generativity vs stagnation" => &["a middle-aged adult client"],
        "integrity vs despair" => &["an older adult client"],
        _ => &[],
    }
}

fn erikson_cases(kb: &KnowledgeBase) -> Vec<Case> {
    erikson_stages(kb)
        .iter()
        .flat_map(|stage| cases_n(stage.text(), DEV, 9))
        .collect()
}

fn stage_name(text: &str) -> String {
    sentence(&text.replace(" vs ", " vs. "))
}

/// Erikson: stage by age, stage by task, or best nursing action for a child's stage.
fn erikson_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let stages = erikson_stages(kb);
    let position = stages.iter().position(|fact| fact.text() == case.subject)?;
    let stage = stages[position];
    let ages = erikson_ages(stage.text());
    let who = *rng.pick(ages)?;
    let age_fact = kb.value(DEV, stage.text(), "typical_age");
    let task = kb.value(DEV, stage.text(), "task")?;
    let mut frame = case.variant % 3;
    // Adult stages have no nursing-application example; a task that names the stage would cue it.
    let stage_words: Vec<String> = stage
        .text()
        .split_whitespace()
        .filter(|word| word.len() >= 5)
        .map(str::to_owned)
        .collect();
    if (frame == 2 && position > 4)
        || (frame == 1
            && stage_words
                .iter()
                .any(|word| task.text().contains(word.as_str())))
    {
        frame = 0;
    }
    let (stem, key, distractors) = if frame == 2 {
        // Best nursing action for a child's stage; only childhood stages with an example.
        let example = kb.values(DEV, stage.text(), "example").into_iter().next()?;
        if position > 4 {
            return None;
        }
        let pool: Vec<(usize, &Fact)> = stages
            .iter()
            .enumerate()
            .filter(|(index, other)| {
                index.abs_diff(position) >= 2 && *index != 0 && other.text() != stage.text()
            })
            .filter_map(|(index, other)| {
                kb.values(DEV, other.text(), "example")
                    .into_iter()
                    .next()
                    .map(|fact| (index, fact))
            })
            .collect();
        let chosen = rng.sample(&pool, 3);
        if chosen.len() < 3 {
            return None;
        }
        let key = Opt::new(
            sentence(example.text()),
            format!(
                "{} supports {} ({}): the task is to {}.",
                sentence(example.text()),
                stage_name(stage.text()),
                who,
                task.text()
            ),
            &[example, task],
        );
        let distractors: Vec<Opt> = chosen
            .into_iter()
            .map(|(_, fact)| {
                Opt::new(
                    sentence(fact.text()),
                    format!(
                        "{} supports {}, two or more stages away; {who} is in {}, where the task is to {}.",
                        sentence(fact.text()),
                        stage_name(&fact.subject),
                        stage_name(stage.text()),
                        task.text()
                    ),
                    &[fact],
                )
            })
            .collect();
        (
            format!(
                "The nurse is planning care for {who} who is hospitalized. Which nursing action best supports the client's psychosocial development?"
            ),
            key,
            distractors,
        )
    } else {
        let others: Vec<&Fact> = stages
            .iter()
            .copied()
            .filter(|other| other.id != stage.id)
            .collect();
        let near: Vec<&Fact> = others
            .iter()
            .copied()
            .filter(|other| other.order.unwrap_or(0).abs_diff(stage.order.unwrap_or(0)) <= 2)
            .collect();
        let mut chosen = rng.sample(&near, 2);
        let far: Vec<&Fact> = others
            .iter()
            .copied()
            .filter(|other| !chosen.iter().any(|chosen| chosen.id == other.id))
            .collect();
        chosen.extend(rng.sample(&far, 3 - chosen.len()));
        let mut key_facts = vec![stage, task];
        key_facts.extend(age_fact);
        let key = Opt::new(
            stage_name(stage.text()),
            format!(
                "{} is Erikson's stage for {who}; its task is to {}.",
                stage_name(stage.text()),
                task.text()
            ),
            &key_facts,
        );
        let distractors: Vec<Opt> = chosen
            .into_iter()
            .map(|other| {
                let other_task = kb
                    .value(DEV, other.text(), "task")
                    .map(|fact| format!(": {}", fact.text()))
                    .unwrap_or_default();
                Opt::new(
                    stage_name(other.text()),
                    format!(
                        "{} is stage {} of Erikson's theory{other_task}.",
                        stage_name(other.text()),
                        other.order.unwrap_or(0)
                    ),
                    &[other],
                )
            })
            .collect();
        let stem = if frame == 0 {
            format!("According to Erikson, which psychosocial stage is {who} in?")
        } else {
            format!(
                "The nurse notes that a client is working to {}. Which of Erikson's stages does this describe?",
                task.text()
            )
        };
        (stem, key, distractors)
    };
    let rationale = format!(
        "Erikson's stage {}: {} — {}.",
        stage.order.unwrap_or(0),
        stage_name(stage.text()),
        task.text()
    );
    Some(build::multiple_choice(
        kb,
        &meta.about(stage.text()),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Ages inside each Piaget stage (never at a boundary).
fn piaget_ages(stage: &str) -> &'static [&'static str] {
    match stage {
        "sensorimotor" => &[
            "A 4-month-old infant",
            "A 9-month-old infant",
            "A 12-month-old infant",
            "A 15-month-old toddler",
            "A 20-month-old toddler",
        ],
        "preoperational" => &[
            "A 3-year-old child",
            "A 4-year-old child",
            "A 5-year-old child",
            "A 6-year-old child",
        ],
        "concrete operational" => &[
            "An 8-year-old child",
            "A 9-year-old child",
            "A 10-year-old child",
        ],
        "formal operational" => &[
            "A 13-year-old adolescent",
            "A 14-year-old adolescent",
            "A 15-year-old adolescent",
            "A 16-year-old adolescent",
        ],
        _ => &[],
    }
}

fn piaget_cases(kb: &KnowledgeBase) -> Vec<Case> {
    sequence(kb, DEV, "piaget", "stage")
        .iter()
        .flat_map(|stage| cases_n(stage.text(), DEV, 12))
        .collect()
}

/// Matrix: the Piaget stage of each child.
fn piaget_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let stages = sequence(kb, DEV, "piaget", "stage");
    if stages.len() != 4 {
        return None;
    }
    let anchor = stages.iter().position(|fact| fact.text() == case.subject)?;
    let mut candidates: Vec<(usize, &str)> = stages
        .iter()
        .enumerate()
        .flat_map(|(index, stage)| {
            piaget_ages(stage.text())
                .iter()
                .map(move |age| (index, *age))
        })
        .collect();
    rng.shuffle(&mut candidates);
    let first = candidates
        .iter()
        .copied()
        .find(|(index, _)| *index == anchor)?;
    let second = candidates
        .iter()
        .copied()
        .find(|(index, _)| *index != anchor)?;
    let count = 4 + rng.below(2);
    let chosen: Vec<(usize, &str)> = [first, second]
        .into_iter()
        .chain(
            candidates
                .iter()
                .copied()
                .filter(|row| *row != first && *row != second),
        )
        .take(count)
        .collect();
    let mut rows = Vec::new();
    for (index, age) in chosen {
        let stage = stages[index];
        let range = kb
            .value(DEV, stage.text(), "typical_age")
            .and_then(age_range)
            .map(|(_, _, text)| text)
            .unwrap_or_default();
        let task = kb.value(DEV, stage.text(), "task");
        let mut facts = vec![stage.id.clone()];
        facts.extend(task.map(|fact| fact.id.clone()));
        rows.push(MatrixRow {
            text: age.to_owned(),
            column: index,
            rationale: format!(
                "{age} is in the {} stage ({range}): {}.",
                stage.text(),
                task.map_or("", |fact| fact.text())
            ),
            facts,
        });
    }
    let columns: Vec<String> = stages.iter().map(|stage| sentence(stage.text())).collect();
    let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
    let stem = "The nurse plans age-appropriate explanations for children on the pediatric unit. For each child, select the stage of cognitive development according to Piaget.".to_owned();
    let rationale = "Piaget: sensorimotor (0–2 years, object permanence), preoperational (2–7 years, symbolic and magical thinking), concrete operational (7–11 years, conservation and logic about concrete events), formal operational (11 years on, abstract reasoning).".to_owned();
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &column_refs,
        rows,
        rationale,
    ))
}

/// Play subjects in age order with stem ages.
const PLAY_GROUPS: [(&str, &[&str]); 4] = [
    (
        "infant play",
        &[
            "a 6-month-old infant",
            "a 9-month-old infant",
            "a 4-month-old infant",
        ],
    ),
    (
        "toddler play",
        &[
            "an 18-month-old toddler",
            "a 2-year-old toddler",
            "a 30-month-old toddler",
        ],
    ),
    (
        "preschooler play",
        &[
            "a 4-year-old child",
            "a 5-year-old child",
            "a 4-year-old preschooler",
        ],
    ),
    (
        "school-age play",
        &[
            "an 8-year-old child",
            "a 10-year-old child",
            "a 9-year-old child",
        ],
    ),
];

fn play_cases(kb: &KnowledgeBase) -> Vec<Case> {
    // Toy variants (odd) only where two or more age groups lie two steps away.
    PLAY_GROUPS
        .iter()
        .enumerate()
        .filter(|(_, group)| kb.value(DEV, group.0, "play_type").is_some())
        .flat_map(|(index, group)| {
            (0..6)
                .filter(move |variant| variant % 2 == 0 || index == 0 || index == 3)
                .map(|variant| Case::new(group.0, DEV, variant))
        })
        .collect()
}

/// Typical play type, or suitable toys, for a child's age.
fn play_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let position = PLAY_GROUPS
        .iter()
        .position(|group| group.0 == case.subject)?;
    let group = PLAY_GROUPS[position];
    let who = *rng.pick(group.1)?;
    let toys = case.variant % 2 == 1;
    let attribute = if toys { "example" } else { "play_type" };
    let key_fact = kb.value(DEV, group.0, attribute)?;
    let others: Vec<&Fact> = PLAY_GROUPS
        .iter()
        .enumerate()
        .filter(|(index, _)| {
            if toys {
                index.abs_diff(position) >= 2
            } else {
                *index != position
            }
        })
        .filter_map(|(_, other)| kb.value(DEV, other.0, attribute))
        .collect();
    if others.len() < 3 {
        return None;
    }
    let key = Opt::new(
        sentence(key_fact.text()),
        format!(
            "{} is typical of {} ({who}).{}",
            sentence(key_fact.text()),
            group.0,
            cite_note(key_fact)
        ),
        &[key_fact],
    );
    let distractors = others
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is typical of {}; for {who} expect {}.",
                    sentence(fact.text()),
                    fact.subject,
                    key_fact.text()
                ),
                &[*fact],
            )
        })
        .collect();
    let stem = if toys {
        format!(
            "A parent asks the nurse which toys to bring for {who} who will be hospitalized for several days. Which choice is most appropriate for the child's age?"
        )
    } else {
        format!(
            "The nurse observes {who} in the playroom. Which type of play does the nurse expect at this age?"
        )
    };
    let rationale = "Play develops from solitary (infant) to parallel (toddler), associative (preschooler) and cooperative, rule-based play (school-age).".to_owned();
    Some(build::multiple_choice(
        kb,
        &meta.about(group.0),
        seed,
        stem,
        key,
        distractors,
        rationale,
    ))
}

/// Safety-teaching groups in age order: (subject, rank, stem phrase).
const SAFETY_GROUPS: [(&str, usize, &str); 5] = [
    ("infant safety", 0, "a 3-month-old"),
    ("toddler safety", 1, "a 2-year-old"),
    ("preschooler safety", 2, "a 4-year-old"),
    ("school-age safety", 3, "an 8-year-old"),
    ("adolescent safety", 4, "a 15-year-old"),
];

/// Whether `fact` (teaching for `group`) is wrong for a child of `rank`: it must be specific to
/// an age group two or more steps away and not stay valid at older ages.
fn teaching_wrong_for(fact: &Fact, group_rank: usize, rank: usize) -> bool {
    if group_rank == rank {
        return false;
    }
    let text = fact.text();
    if group_rank == 0 {
        // Infant sleep and honey rules no longer apply to children past infancy; the
        // water-heater and raised-surface rules stay sound at any age.
        return text.contains("back for every sleep")
            || text.contains("sleep surface")
            || text.contains("room but not the bed")
            || text.contains("honey");
    }
    // Teaching for preschool and older children (street safety, helmets) is wrong only for an
    // infant; driving advice is never used (a parent could read it as advice for themselves).
    rank == 0 && group_rank >= 2 && !text.contains("drive")
}

/// The teaching a parent of a child in `group` could be offered as wrong.
fn safety_teaching_pool(kb: &KnowledgeBase, rank: usize) -> Vec<&Fact> {
    SAFETY_GROUPS
        .iter()
        .flat_map(|other| {
            kb.values(DEV, other.0, "safety_teaching")
                .into_iter()
                .filter(move |fact| teaching_wrong_for(fact, other.1, rank))
        })
        .collect()
}

fn safety_teaching_cases(kb: &KnowledgeBase) -> Vec<Case> {
    SAFETY_GROUPS
        .iter()
        .filter(|group| safety_teaching_pool(kb, group.1).len() >= 3)
        .flat_map(|group| {
            kb.values(DEV, group.0, "safety_teaching")
                .into_iter()
                .map(|fact| fact.id.clone())
                .collect::<Vec<_>>()
        })
        .flat_map(|id| cases_n(&id, DEV, 3))
        .collect()
}

/// The teaching that fits the child's age.
fn safety_teaching_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let key_fact = kb.fact(&case.subject)?;
    let group = SAFETY_GROUPS
        .iter()
        .find(|group| group.0 == key_fact.subject)?;
    let pool = safety_teaching_pool(kb, group.1);
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 3 {
        return None;
    }
    let key = Opt::new(
        sentence(key_fact.text()),
        format!(
            "{} is recommended safety teaching for the parents of {}.{}",
            sentence(key_fact.text()),
            group.2,
            cite_note(key_fact)
        ),
        &[key_fact],
    );
    let distractors = chosen
        .into_iter()
        .map(|fact| {
            Opt::new(
                sentence(fact.text()),
                format!(
                    "{} is teaching for {}, which does not fit {}.",
                    sentence(fact.text()),
                    age_group_label(&fact.subject),
                    group.2
                ),
                &[fact],
            )
        })
        .collect();
    let frames = [
        format!(
            "The nurse is providing anticipatory guidance to the parents of {}. Which teaching is most appropriate for this age?",
            group.2
        ),
        format!(
            "At a routine health visit for {}, which injury-prevention instruction should the nurse emphasize?",
            group.2
        ),
        format!(
            "The parents of {} ask how to prevent injuries. Which teaching fits this age?",
            group.2
        ),
    ];
    let stem = frames[case.variant as usize % frames.len()].clone();
    let rationale = format!(
        "Injury prevention follows development: teaching for {} addresses the risks typical of that age.",
        group.2
    );
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

// ---------------------------------------------------------------------------------------------
// Maternal–newborn

const DECELERATIONS: [&str; 3] = [
    "early deceleration",
    "late deceleration",
    "variable deceleration",
];

/// Whether an intervention is never indicated for `pattern` (and so a sound distractor).
fn deceleration_distractor(pattern: &str, fact: &Fact) -> bool {
    if fact.subject == pattern {
        return false;
    }
    let text = fact.text();
    let unrelated = fact.subject == "boggy fundus" || fact.subject == "magnesium sulfate toxicity";
    match pattern {
        "late deceleration" => {
            unrelated
                || text.contains("vaginal examination")
                || text.contains("amnioinfusion")
                || text.starts_with("no intervention")
        }
        // Position changes, fluids, oxygen and oxytocin stop are also used for variable decelerations.
        "variable deceleration" => unrelated || text.starts_with("no intervention"),
        "early deceleration" => {
            unrelated
                || text.contains("oxytocin")
                || text.contains("oxygen")
                || text.contains("amnioinfusion")
                || text.contains("vaginal examination")
        }
        _ => false,
    }
}

fn deceleration_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for pattern in DECELERATIONS {
        let count = kb.values(MAT, pattern, "priority_intervention").len() as u32;
        cases.extend((0..count * 2).map(|variant| Case::new(pattern, MAT, variant)));
    }
    cases
}

/// Cloze: deceleration → name, cause, nursing response.
fn deceleration_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let pattern = case.subject.as_str();
    let cue = kb.value(MAT, pattern, "cue")?;
    let interventions = kb.values(MAT, pattern, "priority_intervention");
    let key_action =
        *interventions.get((case.variant / 2) as usize % interventions.len().max(1))?;
    let cause_of = |name: &str| {
        kb.values(MAT, name, "rule")
            .into_iter()
            .find(|fact| fact.text().starts_with("caused by"))
    };
    let key_cause = cause_of(pattern)?;
    let strip = |fact: &Fact| fact.text().trim_start_matches("caused by ").to_owned();
    let name_opt = |name: &str| -> Opt {
        let why = if name == pattern {
            format!("A {} is {}.", cue.text(), with_article(pattern))
        } else {
            format!(
                "{} looks different: {}.",
                sentence(&with_article(name)),
                kb.value(MAT, name, "cue").map_or("", |fact| fact.text())
            )
        };
        Opt {
            text: name.to_owned(),
            rationale: why,
            facts: kb
                .value(MAT, name, "cue")
                .map(|fact| vec![fact.id.clone()])
                .unwrap_or_default(),
        }
    };
    let slot1 = SlotSpec {
        key: name_opt(pattern),
        distractors: DECELERATIONS
            .iter()
            .filter(|name| **name != pattern)
            .map(|name| name_opt(name))
            .collect(),
    };
    let mut cause_distractors = Vec::new();
    for name in DECELERATIONS.iter().filter(|name| **name != pattern) {
        let fact = cause_of(name)?;
        cause_distractors.push(Opt::new(
            strip(fact),
            format!(
                "{} causes {name}s; {pattern}s are {}.",
                sentence(&strip(fact)),
                key_cause.text()
            ),
            &[fact],
        ));
    }
    let slot2 = SlotSpec {
        key: Opt::new(
            strip(key_cause),
            format!(
                "{}s are {}.{}",
                sentence(pattern),
                key_cause.text(),
                cite_note(key_cause)
            ),
            &[key_cause],
        ),
        distractors: cause_distractors,
    };
    let mut pool: Vec<&Fact> = DECELERATIONS
        .iter()
        .flat_map(|name| kb.values(MAT, name, "priority_intervention"))
        .filter(|fact| deceleration_distractor(pattern, fact))
        .collect();
    pool.extend(kb.values(MAT, "boggy fundus", "priority_intervention"));
    pool.extend(
        kb.values(MAT, "magnesium sulfate toxicity", "priority_intervention")
            .into_iter()
            .filter(|fact| fact.text().contains("calcium")),
    );
    let mut seen = BTreeSet::from([key_action.norm()]);
    let pool: Vec<&Fact> = pool
        .into_iter()
        .filter(|fact| !kb.states_fact(MAT, pattern, "priority_intervention", fact))
        .filter(|fact| seen.insert(fact.norm()))
        .collect();
    let chosen = rng.sample(&pool, 3);
    if chosen.len() < 2 {
        return None;
    }
    let action_distractors = chosen
        .into_iter()
        .map(|fact| {
            let why = if DECELERATIONS.contains(&fact.subject.as_str()) {
                format!(
                    "{} is a response to {} ({}); {} is {}.",
                    sentence(fact.text()),
                    with_article(&fact.subject),
                    cause_of(&fact.subject).map_or("", |cause| cause.text()),
                    with_article(pattern),
                    key_cause.text()
                )
            } else {
                format!(
                    "{} is the response to {}, which this client does not have.",
                    sentence(fact.text()),
                    fact.subject
                )
            };
            Opt::new(sentence(fact.text()), why, &[fact])
        })
        .collect();
    let slot3 = SlotSpec {
        key: Opt::new(
            sentence(key_action.text()),
            format!(
                "{} is an appropriate response to {}.{}",
                sentence(key_action.text()),
                with_article(pattern),
                cite_note(key_action)
            ),
            &[key_action],
        ),
        distractors: action_distractors,
    };
    let lead = [
        "During labor, the electronic fetal monitor",
        "The nurse reviewing a laboring client's fetal monitor strip notes that the tracing",
    ][case.variant as usize % 2];
    let stem = format!(
        "{lead} shows a {}. Complete the sentences by choosing from the lists of options.",
        cue.text()
    );
    let template = "The nurse interprets this pattern as {{1}}, which is caused by {{2}}. An appropriate nursing response is: {{3}}".to_owned();
    let rationale = "Early decelerations mirror contractions (head compression) and need no intervention; late decelerations follow the contraction peak (uteroplacental insufficiency) and call for intrauterine resuscitation; variable decelerations are abrupt (cord compression) and call for position change and evaluation for cord prolapse.".to_owned();
    Some(build::drop_down_cloze(
        kb,
        &meta.about(pattern),
        seed,
        stem,
        template,
        vec![slot1, slot2, slot3],
        rationale,
    ))
}

fn pph_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let count = kb
        .values(MAT, "postpartum hemorrhage", "complication_sign")
        .len() as u32;
    (0..count * 8)
        .map(|variant| Case::new("postpartum hemorrhage", MAT, variant))
        .collect()
}

/// SATA: which findings indicate postpartum hemorrhage.
fn pph_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let signs = kb.values(MAT, "postpartum hemorrhage", "complication_sign");
    let anchor = *signs.get(case.variant as usize % signs.len().max(1))?;
    let others: Vec<&Fact> = signs
        .iter()
        .copied()
        .filter(|fact| fact.id != anchor.id)
        .collect();
    let key_count = 2 + rng.below(2);
    let mut keys = vec![anchor];
    keys.extend(rng.sample(&others, key_count - 1));
    let mut pool: Vec<&Fact> = Vec::new();
    pool.extend(kb.values(MAT, "uterine involution", "cue"));
    pool.extend(
        kb.values(MAT, "uterine involution", "rule")
            .into_iter()
            .filter(|fact| fact.text().contains("within 12 hours")),
    );
    pool.extend(
        kb.values(MAT, "lochia", "complication_sign")
            .into_iter()
            .filter(|fact| fact.text().contains("foul")),
    );
    pool.extend(
        kb.values(MAT, "magnesium sulfate toxicity", "cue")
            .into_iter()
            .filter(|fact| fact.text().contains("reflexes") || fact.text().contains("respiratory")),
    );
    let pool: Vec<&Fact> = pool
        .into_iter()
        .filter(|fact| {
            !kb.states(
                MAT,
                "postpartum hemorrhage",
                "complication_sign",
                fact.text(),
            )
        })
        .collect();
    let distractor_count = 5 + rng.below(2) - key_count;
    let distractors = rng.sample(&pool, distractor_count);
    if distractors.len() < 2 {
        return None;
    }
    let key_opts = keys
        .iter()
        .map(|fact| {
            Opt::new(
                sentence(before_parenthetical(fact.text())),
                format!(
                    "{} is a sign of postpartum hemorrhage.{}",
                    sentence(fact.text()),
                    cite_note(fact)
                ),
                &[*fact],
            )
        })
        .collect();
    let distractor_opts = distractors
        .iter()
        .map(|fact| {
            let why = match fact.subject.as_str() {
                "uterine involution" => format!(
                    "{} is an expected finding of normal involution.",
                    sentence(fact.text())
                ),
                "lochia" => format!("{} suggests infection.", sentence(fact.text())),
                _ => format!("{} is a sign of {}.", sentence(fact.text()), fact.subject),
            };
            Opt::new(sentence(before_parenthetical(fact.text())), why, &[*fact])
        })
        .collect();
    let hours = 2 + rng.below(9);
    let stem = format!(
        "The nurse assesses a client who gave birth vaginally {hours} hours ago. Which findings indicate postpartum hemorrhage? Select all that apply."
    );
    let rationale = "Postpartum hemorrhage shows as a boggy uterus, heavy lochia or clots, or a steady trickle of bright red blood with a firm fundus (laceration); tachycardia appears early and hypotension late. A firm, midline fundus at or near the umbilicus is expected.".to_owned();
    Some(build::multiple_response(
        kb,
        &meta.about("postpartum hemorrhage"),
        seed,
        stem,
        key_opts,
        distractor_opts,
        rationale,
    ))
}

/// One seeded newborn finding of `category`; `expected` picks a normal or abnormal value where the
/// category has both. Returns the row or None when the facts are missing.
fn newborn_row(
    kb: &KnowledgeBase,
    category: usize,
    expected: bool,
    rng: &mut Rng,
) -> Option<MatrixRow> {
    let range = |subject: &str| -> Option<(&Fact, f64, f64)> {
        let fact = kb
            .values(MAT, subject, "reference_range")
            .into_iter()
            .find(|fact| fact.condition.is_empty())?;
        match fact.value {
            Value::Range {
                low: Some(low),
                high: Some(high),
                ..
            } => Some((fact, low, high)),
            _ => None,
        }
    };
    let row = |text: String, ok: bool, why: String, facts: &[&Fact]| MatrixRow {
        text,
        column: usize::from(!ok),
        rationale: why,
        facts: ids(facts),
    };
    match category {
        0 => {
            let (fact, low, high) = range("newborn respiratory rate")?;
            let value = if expected {
                low + 4.0 + rng.below((high - low - 8.0).max(1.0) as usize) as f64
            } else if rng.below(2) == 0 {
                high + 6.0 + rng.below(15) as f64
            } else {
                low - 6.0 - rng.below(8) as f64
            };
            let ok = value >= low && value <= high;
            Some(row(
                format!("Respiratory rate {}/min", number(value)),
                ok,
                format!(
                    "{}/min is {} the expected newborn respiratory rate of {}–{}/min.",
                    number(value),
                    if ok { "within" } else { "outside" },
                    number(low),
                    number(high)
                ),
                &[fact],
            ))
        }
        1 => {
            let (fact, low, high) = range("newborn axillary temperature")?;
            let tenths = if expected {
                (low * 10.0).round() as i64
                    + 1
                    + rng.below(((high - low) * 10.0).round() as usize - 1) as i64
            } else if rng.below(2) == 0 {
                (high * 10.0).round() as i64 + 4 + rng.below(5) as i64
            } else {
                (low * 10.0).round() as i64 - 4 - rng.below(6) as i64
            };
            let value = tenths as f64 / 10.0;
            let ok = value >= low && value <= high;
            Some(row(
                format!("Axillary temperature {value:.1} °C"),
                ok,
                format!(
                    "{value:.1} °C is {} the expected newborn axillary temperature of {}–{} °C.",
                    if ok { "within" } else { "outside" },
                    number(low),
                    number(high)
                ),
                &[fact],
            ))
        }
        2 => {
            let reassuring = kb
                .values(MAT, "apgar score", "reference_range")
                .into_iter()
                .find(|fact| fact.condition == "reassuring")?;
            let moderate = kb
                .values(MAT, "apgar score", "reference_range")
                .into_iter()
                .find(|fact| fact.condition == "moderately abnormal")?;
            let repeat = kb
                .values(MAT, "apgar score", "rule")
                .into_iter()
                .find(|fact| fact.text().contains("below 7"));
            let score = if expected {
                8 + rng.below(2)
            } else {
                4 + rng.below(3)
            };
            let mut facts = vec![reassuring, moderate];
            facts.extend(repeat);
            let why = if expected {
                format!(
                    "A 5-minute Apgar score of {score} is reassuring ({}).",
                    reassuring.value.display()
                )
            } else {
                format!(
                    "A 5-minute Apgar score of {score} is moderately abnormal ({}); {}.",
                    moderate.value.display(),
                    repeat.map_or("the score is repeated", |fact| fact.text())
                )
            };
            Some(row(
                format!("5-minute Apgar score of {score}"),
                expected,
                why,
                &facts,
            ))
        }
        3 => {
            let physiologic = kb.value(MAT, "physiologic jaundice", "rule")?;
            let pathologic = kb.value(MAT, "pathologic jaundice", "complication_sign")?;
            let hours = if expected {
                48 + 12 * rng.below(4)
            } else {
                6 + 2 * rng.below(7)
            };
            let why = if expected {
                format!(
                    "Jaundice first seen at {hours} hours is consistent with physiologic jaundice, which {}.",
                    physiologic.text()
                )
            } else {
                format!(
                    "Jaundice at {hours} hours of age is pathologic: {}.",
                    pathologic.text()
                )
            };
            Some(row(
                format!("Jaundice first noted at {hours} hours of age"),
                expected,
                why,
                &[physiologic, pathologic],
            ))
        }
        4 => {
            let apnea = kb
                .values(VS, "respiratory rate", "critical_sign")
                .into_iter()
                .find(|fact| fact.text().contains("apnea"))?;
            let seconds = 22 + rng.below(9);
            Some(row(
                format!("Apnea lasting {seconds} seconds"),
                false,
                format!("Critical: {}.", apnea.text()),
                &[apnea],
            ))
        }
        _ => {
            let cues = kb.values(MAT, "newborn hypoglycemia", "cue");
            let cue = *rng.pick(
                &cues
                    .into_iter()
                    .filter(|fact| {
                        fact.text() == "jitteriness" || fact.text() == "high-pitched cry"
                    })
                    .collect::<Vec<_>>(),
            )?;
            Some(row(
                sentence(cue.text()),
                false,
                format!(
                    "{} is a cue of newborn hypoglycemia; check the blood glucose.",
                    sentence(cue.text())
                ),
                &[cue],
            ))
        }
    }
}

fn newborn_cases(_kb: &KnowledgeBase) -> Vec<Case> {
    (0..48)
        .map(|variant| Case::new("newborn assessment", MAT, variant))
        .collect()
}

/// Matrix: expected or requires follow-up, for each newborn finding.
fn newborn_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        seed,
        mut rng,
        meta,
        ..
    } = g;
    let mut categories: Vec<usize> = (0..6).collect();
    rng.shuffle(&mut categories);
    // The first row is a category that can be expected, so both columns are used.
    let first = categories
        .iter()
        .position(|category| *category <= 3)
        .unwrap_or(0);
    categories.swap(0, first);
    let count = 4 + rng.below(3);
    let mut rows = Vec::new();
    for (position, category) in categories.into_iter().take(count).enumerate() {
        // The first two rows are one expected and one abnormal finding (when the category allows).
        let expected = match position {
            0 => category <= 3,
            1 => false,
            _ => category <= 3 && rng.below(2) == 0,
        };
        rows.push(newborn_row(kb, category, expected, &mut rng)?);
    }
    let stem = "The nurse reviews findings recorded for term newborns in the nursery. For each finding, indicate whether it is expected or requires follow-up.".to_owned();
    let rationale = "Newborn norms: respiratory rate 30–60/min, axillary temperature 36.5–37.5 °C, 5-minute Apgar 7–10. Jaundice in the first 24 hours, apnea longer than 20 seconds and jitteriness or a high-pitched cry (possible hypoglycemia) need follow-up.".to_owned();
    Some(build::matrix(
        kb,
        &meta.about("newborn assessment"),
        seed,
        stem,
        &["Expected", "Requires follow-up"],
        rows,
        rationale,
    ))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as (year, month 1–12, day).
fn date_text(year: i32, month: i32, day: i32) -> String {
    format!(
        "{} {day}, {year}",
        MONTHS[(month - 1).rem_euclid(12) as usize]
    )
}

/// Adds `months` to a month, carrying into the year.
fn shift_month(year: i32, month: i32, months: i32) -> (i32, i32) {
    let total = year * 12 + (month - 1) + months;
    (total.div_euclid(12), total.rem_euclid(12) + 1)
}

fn naegele_cases(kb: &KnowledgeBase) -> Vec<Case> {
    if kb.value(MAT, "naegele's rule", "rule").is_none() {
        return Vec::new();
    }
    (0..12 * 14)
        .map(|variant| Case::new("naegele's rule", MAT, variant))
        .collect()
}

/// Estimated date of birth by Naegele's rule.
fn naegele_mc(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let rule = kb.value(MAT, "naegele's rule", "rule")?;
    let month = (case.variant % 12) as i32 + 1;
    // Days 8–21: adding 7 never crosses a month end, subtracting 7 never crosses a month start.
    let day = (case.variant / 12) as i32 + 8;
    let year = 2024 + rng.below(3) as i32;
    // LMP − 3 months + 7 days + 1 year.
    let (key_year, key_month) = shift_month(year + 1, month, -3);
    let key = date_text(key_year, key_month, day + 7);
    let forgot_days = date_text(key_year, key_month, day);
    let minus_days = date_text(key_year, key_month, day - 7);
    let (plus_year, plus_month) = shift_month(year + 1, month, 3);
    let plus_months = date_text(plus_year, plus_month, day + 7);
    let errors = [
        (forgot_days, "The 7 days were not added."),
        (minus_days, "7 days were subtracted instead of added."),
        (plus_months, "3 months were added instead of subtracted."),
    ];
    let distractors: Vec<Opt> = errors
        .iter()
        .map(|(text, why)| {
            Opt::new(
                text.clone(),
                format!("{why} Naegele's rule: {}.", rule.text()),
                &[rule],
            )
        })
        .collect();
    let key_opt = Opt::new(
        key.clone(),
        format!(
            "{} − 3 months + 7 days + 1 year = {key}.",
            date_text(year, month, day)
        ),
        &[rule],
    );
    let stem = format!(
        "A client with regular 28-day menstrual cycles reports that the first day of her last menstrual period was {}. Using Naegele's rule, which date should the nurse record as the estimated date of birth?",
        date_text(year, month, day)
    );
    let rationale = format!(
        "Naegele's rule: {}. Here: {} → {key}.",
        rule.text(),
        date_text(year, month, day)
    );
    Some(build::multiple_choice(
        kb,
        &meta.about("naegele's rule"),
        seed,
        stem,
        key_opt,
        distractors,
        rationale,
    ))
}

/// The five Apgar components, from the rule that lists them.
fn apgar_components(kb: &KnowledgeBase) -> Option<(&Fact, Vec<String>)> {
    let fact = kb
        .values(MAT, "apgar score", "rule")
        .into_iter()
        .find(|fact| fact.text().contains("heart rate"))?;
    let parts: Vec<String> = fact
        .text()
        .replace(" and ", ", ")
        .split(", ")
        .map(|part| part.trim().to_owned())
        .filter(|part| !part.is_empty())
        .collect();
    (parts.len() == 5).then_some((fact, parts))
}

fn apgar_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let Some((_, parts)) = apgar_components(kb) else {
        return Vec::new();
    };
    parts
        .iter()
        .flat_map(|part| cases_n(part, MAT, 4))
        .collect()
}

/// SATA: which findings are scored in the Apgar score.
fn apgar_sata(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (fact, parts) = apgar_components(kb)?;
    let others: Vec<String> = parts
        .iter()
        .filter(|part| **part != case.subject)
        .cloned()
        .collect();
    let key_count = 2 + rng.below(3);
    let mut keys = vec![case.subject.clone()];
    keys.extend(rng.sample(&others, key_count - 1));
    let temperature = kb.value(MAT, "newborn axillary temperature", "reference_range")?;
    let glucose = kb.value(MAT, "newborn hypoglycemia", "rule")?;
    let distractors = vec![
        Opt::new(
            "Axillary temperature",
            format!(
                "Temperature is measured routinely (expected {}) but is not scored in the Apgar score.",
                temperature.value.display()
            ),
            &[temperature],
        ),
        Opt::new(
            "Blood glucose level",
            format!(
                "Blood glucose is screened only in at-risk newborns ({}); it is not an Apgar component.",
                glucose
                    .text()
                    .split_once(": ")
                    .map_or(glucose.text(), |(_, rest)| rest)
            ),
            &[glucose],
        ),
    ];
    let key_opts = keys
        .iter()
        .map(|part| {
            Opt::new(
                sentence(part),
                format!(
                    "{} is one of the five Apgar components ({}).",
                    sentence(part),
                    fact.text()
                ),
                &[fact],
            )
        })
        .collect();
    let stem = ["The nurse assigns the 1-minute Apgar score to a newborn. Which findings does the nurse score? Select all that apply.", "Which assessments are included in a newborn's Apgar score? Select all that apply."][case.variant as usize % 2].to_owned();
    let rationale = format!(
        "The Apgar score rates {} at 1 and 5 minutes after birth, each 0–2 points.",
        fact.text()
    );
    Some(build::multiple_response(
        kb,
        &meta.about("apgar score"),
        seed,
        stem,
        key_opts,
        distractors,
        rationale,
    ))
}

// ---------------------------------------------------------------------------------------------
// Vital-sign norms by age

/// Who a range applies to, for the stem, or None when the record is too vague to name an age.
fn vital_who(fact: &Fact) -> Option<&'static str> {
    use crate::domain::knowledge::Population;
    let condition = fact.condition.as_str();
    Some(match (fact.population, condition) {
        (Population::Adult, "resting") => "A resting adult",
        (Population::Adult, "") => "An adult",
        (Population::Neonate, "") => "A newborn",
        (Population::Infant, "") => "An infant",
        (Population::Infant, "about 6 months") => "A 6-month-old infant",
        (Population::Pediatric, "toddler") => "A toddler",
        (Population::Pediatric, "toddler (about 2 years)") => "A 2-year-old toddler",
        (Population::Pediatric, "preschooler") => "A preschooler",
        (Population::Pediatric, "school-age child") => "A school-age child",
        (Population::Pediatric, "adolescent") => "An adolescent",
        _ => return None,
    })
}

fn range_of(fact: &Fact) -> Option<(f64, f64)> {
    match fact.value {
        Value::Range {
            low: Some(low),
            high: Some(high),
            ..
        } if high > low => Some((low, high)),
        _ => None,
    }
}

fn vital_ranges<'a>(kb: &'a KnowledgeBase, measure: &str) -> Vec<&'a Fact> {
    kb.values(VS, measure, "reference_range")
        .into_iter()
        .filter(|fact| range_of(fact).is_some())
        .collect()
}

fn vitals_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let mut cases = Vec::new();
    for measure in ["heart rate", "respiratory rate"] {
        for (index, fact) in vital_ranges(kb, measure).iter().enumerate() {
            if vital_who(fact).is_some() {
                cases.extend(
                    (0..12).map(|variant| Case::new(measure, VS, index as u32 * 100 + variant)),
                );
            }
        }
    }
    cases
}

/// Cloze: the expected range for the client's age and where a value falls.
fn vitals_cloze(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let measure = case.subject.as_str();
    let ranges = vital_ranges(kb, measure);
    let fact = *ranges.get((case.variant / 100) as usize)?;
    let who = vital_who(fact)?;
    let (low, high) = range_of(fact)?;
    let span = high - low;
    let margin = (span / 3.0).max(3.0).round() as usize;
    let direction = (case.variant % 100) % 3;
    let value = match direction {
        0 => low + 1.0 + rng.below((span - 1.0).max(1.0) as usize) as f64,
        1 => high + (margin + rng.below(margin + 1)) as f64,
        _ => low - (margin + rng.below(margin.min(low as usize / 3) + 1)) as f64,
    };
    if value <= 0.0 {
        return None;
    }
    let text_of = |fact: &Fact| {
        range_of(fact).map(|(low, high)| format!("{}–{}/min", number(low), number(high)))
    };
    let key_text = text_of(fact)?;
    let mut seen = BTreeSet::from([key_text.clone()]);
    let others: Vec<(String, &Fact)> = ranges
        .iter()
        .copied()
        .filter(|other| other.id != fact.id)
        .filter_map(|other| text_of(other).map(|text| (text, other)))
        .filter(|(text, _)| seen.insert(text.clone()))
        .collect();
    let chosen = rng.sample(&others, 3);
    if chosen.len() < 2 {
        return None;
    }
    let label = |other: &Fact| {
        if other.condition.is_empty() {
            format!("{:?}", other.population)
                .to_lowercase()
                .replace("olderadult", "older adult")
        } else {
            other.condition.clone()
        }
    };
    let slot2 = SlotSpec {
        key: Opt::new(
            key_text.clone(),
            format!(
                "The expected {measure} for this client is {key_text}.{}",
                cite_note(fact)
            ),
            &[fact],
        ),
        distractors: chosen
            .iter()
            .map(|(text, other)| {
                Opt::new(
                    text.clone(),
                    format!(
                        "{text} is the expected {measure} for a different age group ({}).",
                        label(other)
                    ),
                    &[*other],
                )
            })
            .collect(),
    };
    let words = ["within", "above", "below"];
    let where_opt = |index: usize| {
        Opt::new(
            words[index],
            if index == direction as usize {
                format!(
                    "Correct: {} is {} the expected range of {key_text}.",
                    number(value),
                    words[index]
                )
            } else {
                format!(
                    "Not {}: {} is {} the expected range of {key_text}.",
                    words[index],
                    number(value),
                    words[direction as usize]
                )
            },
            &[fact],
        )
    };
    let slot1 = SlotSpec {
        key: where_opt(direction as usize),
        distractors: (0..3)
            .filter(|index| *index != direction as usize)
            .map(where_opt)
            .collect(),
    };
    let stem = "The nurse measures vital signs during a routine health assessment. Complete the sentence by choosing from the lists of options.".to_owned();
    let template = format!(
        "{who} has a {measure} of {}/min. This rate is {{{{1}}}} the expected range for the client's age, which is {{{{2}}}}.",
        number(value)
    );
    let rationale = format!(
        "For this age the expected {measure} is {key_text}; {} lies {} it.",
        number(value),
        words[direction as usize]
    );
    Some(build::drop_down_cloze(
        kb,
        &meta.about(measure),
        seed,
        stem,
        template,
        vec![slot1, slot2],
        rationale,
    ))
}
