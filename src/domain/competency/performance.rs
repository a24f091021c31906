//! What an assessment request's `performance_data` becomes: pieces of evidence, each a fraction
//! earned (0–1) with a weight of 1, or the precise problems that refuse it.
//!
//! Accepted keys (every score 0–100 unless said otherwise):
//! - `quiz_scores`, `assessment_scores` (the original's name): one quiz-score piece per number;
//! - `clinical_scores`: one clinical-evaluation piece per number;
//! - `clinical_evaluation`: a rubric `{criterion: rating, ..., "scale_max"?: n}`, ratings from 0 to
//!   `scale_max` (default 5, the five-point scale of the seed's `{"patient_care": 4.2}`); one
//!   clinical-evaluation piece whose score is the mean rating over `scale_max`;
//! - `simulation_scores`: one simulation piece per number;
//! - `self_assessment`, `artifacts`, `observations`: accepted and not counted (a student's view of
//!   themselves and unscored artefacts are not evidence of proficiency here); the result lists them.
//!
//! Any other key, a score outside its range, and data holding no score at all are refused.

use serde_json::{Map, Value};

/// Where a piece of evidence came from (the `competency_evidence.source` column).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    ItemResponse,
    ClinicalEvaluation,
    Simulation,
    QuizScore,
}

impl EvidenceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceSource::ItemResponse => "item_response",
            EvidenceSource::ClinicalEvaluation => "clinical_evaluation",
            EvidenceSource::Simulation => "simulation",
            EvidenceSource::QuizScore => "quiz_score",
        }
    }
}

/// A piece of evidence to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidence {
    pub source: EvidenceSource,
    /// Fraction earned, 0–1.
    pub score: f64,
    pub weight: f64,
    /// What the score was made from (the rubric, the raw number).
    pub details: Value,
}

/// A refused field: its path in the request and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The evidence in one `performance_data`, and the keys accepted but not counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub evidence: Vec<NewEvidence>,
    pub not_counted: Vec<String>,
}

/// At most this many scores in one list.
pub const MAX_SCORES: usize = 100;
/// The rating scale of a `clinical_evaluation` rubric without `scale_max`.
pub const DEFAULT_RUBRIC_SCALE: f64 = 5.0;

const FIELD: &str = "performance_data";

/// A 0–100 score, or why not.
pub fn percent(value: &Value, field: &str) -> Result<f64, Problem> {
    match value.as_f64() {
        Some(score) if (0.0..=100.0).contains(&score) => Ok(score),
        Some(_) => Err(Problem::new(field, "must be between 0 and 100")),
        None => Err(Problem::new(field, "must be a number between 0 and 100")),
    }
}

fn score_list(
    value: &Value,
    key: &str,
    source: EvidenceSource,
    evidence: &mut Vec<NewEvidence>,
    problems: &mut Vec<Problem>,
) {
    let field = format!("{FIELD}.{key}");
    let Some(list) = value.as_array() else {
        problems.push(Problem::new(field, "must be a list of scores (0 to 100)"));
        return;
    };
    if list.len() > MAX_SCORES {
        problems.push(Problem::new(
            field,
            format!("holds {} scores; at most {MAX_SCORES}", list.len()),
        ));
        return;
    }
    for (index, entry) in list.iter().enumerate() {
        match percent(entry, &format!("{field}[{index}]")) {
            Ok(score) => evidence.push(NewEvidence {
                source,
                score: score / 100.0,
                weight: 1.0,
                details: serde_json::json!({ "from": key, "score": score }),
            }),
            Err(problem) => problems.push(problem),
        }
    }
}

fn rubric(value: &Value, evidence: &mut Vec<NewEvidence>, problems: &mut Vec<Problem>) {
    let field = format!("{FIELD}.clinical_evaluation");
    let Some(rubric) = value.as_object() else {
        problems.push(Problem::new(
            field,
            "must be an object of criterion ratings, e.g. {\"patient_care\": 4.2}",
        ));
        return;
    };
    let scale = match rubric.get("scale_max") {
        None => DEFAULT_RUBRIC_SCALE,
        Some(scale) => match scale.as_f64() {
            Some(scale) if scale > 0.0 && scale <= 100.0 => scale,
            _ => {
                problems.push(Problem::new(
                    format!("{field}.scale_max"),
                    "must be a number above 0 and at most 100",
                ));
                return;
            }
        },
    };
    let before = problems.len();
    let mut ratings = Vec::new();
    for (criterion, rating) in rubric.iter().filter(|(key, _)| *key != "scale_max") {
        let at = format!("{field}.{criterion}");
        match rating.as_f64() {
            Some(rating) if (0.0..=scale).contains(&rating) => ratings.push(rating),
            Some(_) => problems.push(Problem::new(
                at,
                format!("must be between 0 and {scale} (the rubric's scale_max)"),
            )),
            None => problems.push(Problem::new(
                at,
                format!("must be a rating between 0 and {scale}"),
            )),
        }
    }
    if rubric.keys().all(|key| key == "scale_max") {
        problems.push(Problem::new(field, "must rate at least one criterion"));
        return;
    }
    if ratings.len() > MAX_SCORES {
        problems.push(Problem::new(
            field,
            format!("at most {MAX_SCORES} criteria"),
        ));
        return;
    }
    if problems.len() > before {
        // A rating was refused above; no partial rubric is stored.
        return;
    }
    let mean = ratings.iter().sum::<f64>() / ratings.len() as f64;
    evidence.push(NewEvidence {
        source: EvidenceSource::ClinicalEvaluation,
        score: mean / scale,
        weight: 1.0,
        details: serde_json::json!({ "from": "clinical_evaluation", "ratings": rubric, "scale_max": scale }),
    });
}

/// The evidence in `data`, or every problem found in it.
pub fn evidence_from(data: &Map<String, Value>) -> Result<Performance, Vec<Problem>> {
    let mut evidence = Vec::new();
    let mut problems = Vec::new();
    let mut not_counted = Vec::new();
    for (key, value) in data {
        match key.as_str() {
            "quiz_scores" | "assessment_scores" => score_list(
                value,
                key,
                EvidenceSource::QuizScore,
                &mut evidence,
                &mut problems,
            ),
            "clinical_scores" => score_list(
                value,
                key,
                EvidenceSource::ClinicalEvaluation,
                &mut evidence,
                &mut problems,
            ),
            "simulation_scores" => score_list(
                value,
                key,
                EvidenceSource::Simulation,
                &mut evidence,
                &mut problems,
            ),
            "clinical_evaluation" => rubric(value, &mut evidence, &mut problems),
            "self_assessment" | "artifacts" | "observations" => not_counted.push(key.clone()),
            other => {
                let shown: String = other.chars().take(60).collect();
                problems.push(Problem::new(
                    format!("{FIELD}.{shown}"),
                    "unknown key; expected quiz_scores, assessment_scores, clinical_evaluation, clinical_scores or simulation_scores",
                ))
            }
        }
    }
    if problems.is_empty() && evidence.is_empty() {
        problems.push(Problem::new(
            FIELD,
            "holds no score: give quiz_scores, clinical_evaluation, clinical_scores or simulation_scores",
        ));
    }
    if problems.is_empty() {
        Ok(Performance {
            evidence,
            not_counted,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(value: Value) -> Result<Performance, Vec<Problem>> {
        evidence_from(value.as_object().unwrap())
    }

    #[test]
    fn the_seed_payload_becomes_four_pieces_of_evidence() {
        let performance = of(json!({
            "quiz_scores": [85, 90, 88],
            "clinical_evaluation": {"patient_care": 4.2}
        }))
        .unwrap();
        let scores: Vec<(EvidenceSource, f64)> = performance
            .evidence
            .iter()
            .map(|piece| (piece.source, (piece.score * 1000.0).round() / 1000.0))
            .collect();
        assert_eq!(
            scores,
            vec![
                (EvidenceSource::ClinicalEvaluation, 0.84),
                (EvidenceSource::QuizScore, 0.85),
                (EvidenceSource::QuizScore, 0.9),
                (EvidenceSource::QuizScore, 0.88),
            ]
        );
        assert!(performance.not_counted.is_empty());
    }

    #[test]
    fn the_original_keys_count_and_self_assessment_does_not() {
        let performance = of(json!({
            "assessment_scores": [85, 90, 78],
            "clinical_scores": [80, 88],
            "simulation_scores": [92],
            "self_assessment": 75,
            "clinical_evaluation": {"communication": 7, "safety": 9, "scale_max": 10}
        }))
        .unwrap();
        assert_eq!(performance.evidence.len(), 7);
        assert_eq!(performance.not_counted, vec!["self_assessment".to_owned()]);
        let rubric = performance
            .evidence
            .iter()
            .find(|piece| piece.details["from"] == "clinical_evaluation")
            .unwrap();
        assert!((rubric.score - 0.8).abs() < 1e-9);
    }

    #[test]
    fn out_of_range_unknown_and_empty_data_are_refused_precisely() {
        let fields = |value: Value| -> Vec<String> {
            of(value)
                .unwrap_err()
                .into_iter()
                .map(|problem| problem.field)
                .collect()
        };
        assert_eq!(
            fields(json!({"quiz_scores": [85, 101, -1, "x"]})),
            vec![
                "performance_data.quiz_scores[1]",
                "performance_data.quiz_scores[2]",
                "performance_data.quiz_scores[3]"
            ]
        );
        assert_eq!(
            fields(json!({"clinical_evaluation": {"patient_care": 6}})),
            vec!["performance_data.clinical_evaluation.patient_care"]
        );
        assert_eq!(
            fields(json!({"clinical_evaluation": {"scale_max": 0, "x": 0}})),
            vec!["performance_data.clinical_evaluation.scale_max"]
        );
        assert_eq!(
            fields(json!({"clinical_evaluation": {}})),
            vec!["performance_data.clinical_evaluation"]
        );
        assert_eq!(
            fields(json!({"quiz_scores": 85})),
            vec!["performance_data.quiz_scores"]
        );
        assert_eq!(
            fields(json!({"grades": [1]})),
            vec!["performance_data.grades"]
        );
        assert_eq!(fields(json!({})), vec!["performance_data"]);
        assert_eq!(
            fields(json!({"self_assessment": 80})),
            vec!["performance_data"]
        );
        assert_eq!(
            fields(json!({"simulation_scores": vec![50; MAX_SCORES + 1]})),
            vec!["performance_data.simulation_scores"]
        );
    }
}
