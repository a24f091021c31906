//! IV solutions: tonicity and the choice of solution for a client.

use super::*;

/// The models of this area, in catalog order.
pub static MODELS: &[ModelSpec] = &[TONICITY_MATRIX, IV_SOLUTION_CHOICE];

fn solution_label(subject: &str) -> String {
    match subject {
        "lactated ringer's" => "Lactated Ringer's".to_owned(),
        "d5w" => "D5W".to_owned(),
        "d5 0.45% sodium chloride" => "D5 0.45% sodium chloride".to_owned(),
        other => other.to_owned(),
    }
}

/// Solutions with an undisputed tonicity (D5W's is disputed and is left out).
fn tonicities(kb: &KnowledgeBase) -> Vec<(&str, &Fact)> {
    kb.subjects(FE)
        .iter()
        .filter_map(|subject| Some((subject.as_str(), kb.value(FE, subject, "tonicity")?)))
        .collect()
}

const TONICITY: [&str; 3] = ["isotonic", "hypotonic", "hypertonic"];

/// Matrix: classify IV solutions as isotonic, hypotonic or hypertonic.
const TONICITY_MATRIX: ModelSpec = ModelSpec {
    id: "iv-tonicity-matrix",
    item_type: ItemType::Matrix,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::AnalyzeCues,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Matrix: classify 3–6 IV solutions as isotonic, hypotonic or hypertonic as supplied in the bag. Rows: solutions with an undisputed `tonicity` fact (D5W, whose in-body tonicity is disputed, is excluded). Cases are every subset of solutions whose keys use at least two columns.",
    cases: Cases::From(tonicity_matrix_cases),
    seeding: Seeding::Seed,
    generate: tonicity_matrix,
};

fn tonicity_matrix_cases(kb: &KnowledgeBase) -> Vec<Case> {
    let solutions = tonicities(kb);
    let n = solutions.len().min(10);
    ordered_subsets(n, 3, |mask| {
        let columns: BTreeSet<&str> = (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| solutions[i].1.text())
            .collect();
        mask.count_ones() <= 6 && columns.len() >= 2
    })
    .into_iter()
    .flat_map(|mask| (0..2).map(move |frame| Case::new("iv solutions", FE, mask * 2 + frame)))
    .collect()
}

fn tonicity_matrix(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        meta,
        ..
    } = g;
    let solutions = tonicities(kb);
    let mask = case.variant / 2;
    let rows: Vec<MatrixRow> = solutions
        .iter()
        .enumerate()
        .filter(|(index, _)| mask & (1 << index) != 0)
        .filter_map(|(_, (subject, fact))| {
            let column = TONICITY
                .iter()
                .position(|tonicity| *tonicity == fact.text())?;
            let use_ = kb
                .value(FE, subject, "use")
                .map(|u| format!(" It is used for {}.", u.text()))
                .unwrap_or_default();
            Some(MatrixRow {
                text: solution_label(subject),
                column,
                rationale: format!(
                    "{} is {}.{}{use_}",
                    solution_label(subject),
                    fact.text(),
                    cite_note(fact)
                ),
                facts: vec![fact.id.clone()],
            })
        })
        .collect();
    let stem = if case.variant.is_multiple_of(2) {
        "For each IV solution, indicate its tonicity as supplied in the bag.".to_owned()
    } else {
        "The nurse reviews the IV solutions stocked on the unit. For each solution, select whether it is isotonic, hypotonic or hypertonic as supplied.".to_owned()
    };
    let rationale = "Tonicity determines where the infused water goes: isotonic solutions stay in the vascular space, hypotonic ones shift water into cells and hypertonic ones pull water out of cells.".to_owned();
    let meta = meta.about("iv solutions");
    Some(build::matrix(
        kb,
        &meta,
        seed,
        stem,
        &["Isotonic", "Hypotonic", "Hypertonic"],
        rows,
        rationale,
    ))
}

/// Curated IV-solution cases: (key solution, attribute, fact text, solutions that are clearly wrong).
const IV_CASES: [(&str, &str, &str, &[&str]); 10] = [
    (
        "0.9% sodium chloride",
        "use",
        "blood transfusion",
        &[
            "lactated ringer's",
            "d5w",
            "0.45% sodium chloride",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "0.9% sodium chloride",
        "use",
        "hypovolemic hyponatremia",
        &["0.45% sodium chloride", "d5w", "d5 0.45% sodium chloride"],
    ),
    (
        "0.9% sodium chloride",
        "use",
        "hypovolemia and fluid resuscitation",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "3% sodium chloride",
        "use",
        "severe symptomatic hyponatremia",
        &[
            "0.45% sodium chloride",
            "d5w",
            "d5 0.45% sodium chloride",
            "lactated ringer's",
        ],
    ),
    (
        "lactated ringer's",
        "use",
        "fluid resuscitation in burns",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "lactated ringer's",
        "use",
        "surgical and trauma fluid losses",
        &[
            "0.45% sodium chloride",
            "d5w",
            "3% sodium chloride",
            "d5 0.45% sodium chloride",
        ],
    ),
    (
        "0.45% sodium chloride",
        "caution",
        "increased intracranial pressure",
        &["0.9% sodium chloride", "3% sodium chloride", "5% albumin"],
    ),
    (
        "0.45% sodium chloride",
        "caution",
        "hypovolemia or burns",
        &["0.9% sodium chloride", "lactated ringer's", "5% albumin"],
    ),
    (
        "lactated ringer's",
        "caution",
        "severe liver disease or lactic acidosis (lactate must be metabolized)",
        &[
            "0.9% sodium chloride",
            "5% albumin",
            "0.45% sodium chloride",
        ],
    ),
    (
        "d5w",
        "caution",
        "increased intracranial pressure",
        &["0.9% sodium chloride", "3% sodium chloride", "5% albumin"],
    ),
];

/// "Which IV solution should the nurse anticipate / question for a client with X?"
const IV_SOLUTION_CHOICE: ModelSpec = ModelSpec {
    id: "iv-solution-choice-mc",
    item_type: ItemType::MultipleChoice,
    client_need: ClientNeed::PharmacologicalParenteral,
    ncjmm: NcjmmFunction::GenerateSolutions,
    aacn: Aacn::new(2, 5),
    qsen: Qsen::Safety,
    difficulty: Difficulty::Intermediate,
    description: "Asks which IV solution the nurse should anticipate for a client need (`use` facts: blood transfusion, hypovolemic hyponatremia, resuscitation, burns, severe hyponatremia) or should question for a client condition (`caution` facts: increased intracranial pressure, hypovolemia or burns, liver disease). Curated cases list, for each key, only solutions that are clearly wrong for that situation; all options are solutions of the fluids family.",
    cases: Cases::From(iv_solution_choice_cases),
    seeding: Seeding::XorVariant(1),
    generate: iv_solution_choice,
};

fn iv_solution_choice_cases(kb: &KnowledgeBase) -> Vec<Case> {
    IV_CASES
        .iter()
        .enumerate()
        .filter(|(_, (subject, attribute, text, _))| kb.states(FE, subject, attribute, text))
        .flat_map(|(index, (subject, ..))| {
            (0..4).map(move |frame| Case::new(subject, FE, index as u32 * 4 + frame))
        })
        .collect()
}

fn iv_solution_choice(g: Gen) -> Option<Item> {
    let Gen {
        kb,
        case,
        seed,
        mut rng,
        meta,
    } = g;
    let (subject, attribute, text, wrong) = IV_CASES.get(case.variant as usize / 4)?;
    let fact = kb
        .values(FE, subject, attribute)
        .into_iter()
        .find(|fact| fact.norm() == normalise(text))?;
    let chosen = rng.sample_exactly(wrong, 3)?;
    let situation = short(text);
    let questioning = *attribute == "caution";
    let describe = |solution: &str| -> (String, Vec<&Fact>) {
        let tonicity = kb
            .value(FE, solution, "tonicity")
            .map(|t| format!(" is {}", t.text()))
            .unwrap_or_default();
        let uses = kb.values(FE, solution, "use");
        let use_text = uses
            .first()
            .map(|u| {
                format!(
                    "{} used for {}",
                    if tonicity.is_empty() {
                        " is"
                    } else {
                        " and is"
                    },
                    u.text()
                )
            })
            .unwrap_or_default();
        (
            format!("{}{tonicity}{use_text}.", solution_label(solution)),
            uses.into_iter().take(1).collect(),
        )
    };
    let key = Opt::new(
        solution_label(subject),
        if questioning {
            format!(
                "{} calls for caution in {}.{}",
                solution_label(subject),
                situation,
                cite_note(fact)
            )
        } else {
            format!(
                "{} is used for {}.{}",
                solution_label(subject),
                situation,
                cite_note(fact)
            )
        },
        &[fact],
    );
    let distractors: Vec<Opt> = chosen
        .iter()
        .map(|solution| {
            let (about, facts) = describe(solution);
            let why = if questioning {
                format!("{about} It is not the solution to question in {situation}.")
            } else {
                format!("{about} It is not the solution for {situation}.")
            };
            let facts = if facts.is_empty() { vec![fact] } else { facts };
            Opt::new(solution_label(solution), why, &facts)
        })
        .collect();
    let stem = match (questioning, case.variant % 2) {
        (false, 0) => format!(
            "Which IV solution should the nurse anticipate for a client who needs {situation}?"
        ),
        (false, _) => format!(
            "The nurse prepares IV therapy for a client requiring {situation}. Which solution is appropriate?"
        ),
        (true, 0) => format!(
            "A client has {situation}. Which IV solution prescription should the nurse question?"
        ),
        (true, _) => format!(
            "Which IV solution would the nurse recognize as potentially harmful for a client with {situation}?"
        ),
    };
    let rationale = if questioning {
        format!(
            "{} is used cautiously in {situation}; the nurse clarifies it with the prescriber.",
            solution_label(subject)
        )
    } else {
        format!(
            "{} is the solution indicated for {situation}.",
            solution_label(subject)
        )
    };
    let meta = meta.about(subject);
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
