//! Item and quiz analysis over stored quiz responses: each attempt is one examinee; an item's
//! observations carry the attempt's rest score (its other items) and the options chosen, and a
//! quiz's complete attempts give KR-20 / alpha and the SEM ([`super::classical`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::classical::{self, ItemAnalysis, Observation, Reliability};
use crate::domain::items::ItemId;
use crate::domain::practice::AttemptId;

/// An item's options and keyed options, read from its frozen quiz snapshot. Items whose answers
/// are not option ids (numeric, matrix, bow-tie, case study...) have no options: their
/// distractor analysis is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemKey {
    pub item_id: String,
    pub options: Vec<String>,
    pub keys: Vec<String>,
}

fn option_ids(answer: &Value) -> Vec<String> {
    match answer {
        Value::String(id) => vec![id.clone()],
        Value::Array(ids) => ids
            .iter()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

impl ItemKey {
    /// From an item's JSON (`id`, `options: [{id}]`, `correct_answer`).
    pub fn from_item(item: &Value) -> ItemKey {
        let options: Vec<String> = item["options"]
            .as_array()
            .map(|options| {
                options
                    .iter()
                    .filter_map(|option| option["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let keys = if options.is_empty() {
            Vec::new()
        } else {
            option_ids(&item["correct_answer"])
        };
        ItemKey {
            item_id: item["id"].as_str().unwrap_or_default().to_owned(),
            options,
            keys,
        }
    }
}

/// One scored response: its attempt, points and the stored answer (JSON text, if any).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredAnswer {
    pub attempt_id: AttemptId,
    pub item_id: ItemId,
    pub points: f64,
    pub max_points: f64,
    pub answer: Option<String>,
}

fn chosen(answer: Option<&str>) -> Vec<String> {
    answer
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .map(|value| option_ids(&value))
        .unwrap_or_default()
}

/// The analysis of one item from the responses to it and each attempt's (points, max points)
/// over all of its items.
pub fn analyse(
    key: &ItemKey,
    responses: &[&ScoredAnswer],
    attempt_totals: &HashMap<AttemptId, (f64, f64)>,
) -> ItemAnalysis {
    let observations: Vec<Observation> = responses
        .iter()
        .map(|response| {
            let (total, max) = attempt_totals
                .get(&response.attempt_id)
                .copied()
                .unwrap_or((response.points, response.max_points));
            let rest_max = max - response.max_points;
            Observation {
                score: if response.max_points > 0.0 {
                    response.points / response.max_points
                } else {
                    0.0
                },
                rest: if rest_max > 0.0 {
                    (total - response.points) / rest_max
                } else {
                    0.0
                },
                chosen: chosen(response.answer.as_deref()),
            }
        })
        .collect();
    classical::analyse_item(&observations, &key.options, &key.keys)
}

/// Each attempt's (points, max points).
pub fn attempt_totals(responses: &[ScoredAnswer]) -> HashMap<AttemptId, (f64, f64)> {
    let mut totals: HashMap<AttemptId, (f64, f64)> = HashMap::new();
    for response in responses {
        let entry = totals.entry(response.attempt_id).or_default();
        entry.0 += response.points;
        entry.1 += response.max_points;
    }
    totals
}

/// One item of a quiz report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuizItem {
    pub item_id: String,
    #[serde(flatten)]
    pub analysis: ItemAnalysis,
}

/// A quiz's analysis.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuizReport {
    /// Scored attempts.
    pub attempts: usize,
    /// KR-20 / alpha and SEM over the attempts with a response to every item.
    pub reliability: Reliability,
    pub items: Vec<QuizItem>,
}

/// The analysis of a quiz with `keys` (in quiz order) from all of its scored responses.
pub fn quiz_report(keys: &[ItemKey], responses: &[ScoredAnswer]) -> QuizReport {
    let totals = attempt_totals(responses);
    let mut by_item: HashMap<&str, Vec<&ScoredAnswer>> = HashMap::new();
    let mut by_attempt: BTreeMap<AttemptId, HashMap<&str, f64>> = BTreeMap::new();
    for response in responses {
        by_item
            .entry(response.item_id.as_str())
            .or_default()
            .push(response);
        by_attempt
            .entry(response.attempt_id)
            .or_default()
            .insert(response.item_id.as_str(), response.points);
    }
    let matrix: Vec<Vec<f64>> = by_attempt
        .values()
        .filter_map(|points| {
            keys.iter()
                .map(|key| points.get(key.item_id.as_str()).copied())
                .collect::<Option<Vec<f64>>>()
        })
        .collect();
    let items = keys
        .iter()
        .map(|key| QuizItem {
            item_id: key.item_id.clone(),
            analysis: analyse(
                key,
                by_item
                    .get(key.item_id.as_str())
                    .map_or(&[][..], Vec::as_slice),
                &totals,
            ),
        })
        .collect();
    QuizReport {
        attempts: by_attempt.len(),
        reliability: classical::reliability(&matrix),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(attempt: i64, item: &str, points: f64, chosen: &str) -> ScoredAnswer {
        ScoredAnswer {
            attempt_id: AttemptId(attempt),
            item_id: ItemId::from(item),
            points,
            max_points: 1.0,
            answer: Some(format!("\"{chosen}\"")),
        }
    }

    #[test]
    fn keys_come_from_the_snapshot() {
        let key = ItemKey::from_item(&json!({"id": "i1", "options": [{"id": "A"}, {"id": "B"}],
                                             "correct_answer": "B"}));
        assert_eq!(key.options, vec!["A", "B"]);
        assert_eq!(key.keys, vec!["B"]);
        let numeric = ItemKey::from_item(&json!({"id": "n", "correct_answer": 2.5}));
        assert!(numeric.options.is_empty() && numeric.keys.is_empty());
    }

    #[test]
    fn a_miskeyed_item_shows_a_negative_point_biserial_with_its_n() {
        // 30 attempts at four items: the stronger half answers "good", "third" and "fourth"
        // right; "miskeyed" is answered right (by its key) only by the weaker half.
        let keys: Vec<ItemKey> = ["good", "miskeyed", "third", "fourth"]
            .iter()
            .map(|id| ItemKey {
                item_id: (*id).to_owned(),
                options: vec!["A".into(), "B".into(), "C".into(), "D".into()],
                keys: vec!["A".into()],
            })
            .collect();
        let mut responses = Vec::new();
        for attempt in 0..30 {
            let strong = attempt < 15;
            let (right, wrong) = if strong { (1.0, 0.0) } else { (0.0, 1.0) };
            let choice = if strong { "A" } else { "B" };
            responses.push(answer(attempt, "good", right, choice));
            responses.push(answer(
                attempt,
                "third",
                right,
                if strong { "A" } else { "C" },
            ));
            responses.push(answer(attempt, "fourth", right, choice));
            responses.push(answer(
                attempt,
                "miskeyed",
                wrong,
                if strong { "B" } else { "A" },
            ));
        }
        let report = quiz_report(&keys, &responses);
        assert_eq!(report.attempts, 30);
        assert_eq!(report.reliability.n, 30);
        assert_eq!(report.reliability.k, 4);
        let miskeyed = &report.items[1].analysis;
        assert_eq!(miskeyed.n, 30);
        assert!(miskeyed.point_biserial.unwrap() < 0.0);
        assert!(
            miskeyed
                .flags
                .contains(&classical::Flag::NegativePointBiserial)
        );
        let good = &report.items[0].analysis;
        assert!(good.point_biserial.unwrap() > 0.9);
        assert!((good.discrimination.unwrap() - 1.0).abs() < 1e-12);
        // D never chosen: a non-functioning distractor.
        assert!(
            good.flags
                .contains(&classical::Flag::NonFunctioningDistractor { option: "D".into() })
        );
        let upper_a = good.options.iter().find(|o| o.option == "A").unwrap();
        assert_eq!((upper_a.upper_share, upper_a.lower_share), (1.0, 0.0));
    }

    #[test]
    fn incomplete_attempts_are_left_out_of_reliability() {
        let keys = vec![
            ItemKey {
                item_id: "a".into(),
                options: vec![],
                keys: vec![],
            },
            ItemKey {
                item_id: "b".into(),
                options: vec![],
                keys: vec![],
            },
        ];
        let responses = vec![
            answer(1, "a", 1.0, "A"),
            answer(1, "b", 1.0, "A"),
            answer(2, "a", 0.0, "A"),
        ];
        let report = quiz_report(&keys, &responses);
        assert_eq!(report.attempts, 2);
        assert_eq!(report.reliability.n, 1);
        assert_eq!(report.items[0].analysis.n, 2);
        assert_eq!(report.items[1].analysis.n, 1);
    }
}
