//! Scoring by the NCSBN rules: 0/1, +/- (floored at 0, capped at the keys) and rationale pairs.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Answer, Item, ItemType};

/// Points earned out of the item's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub points: u32,
    pub max_points: u32,
}

/// Why an answer could not be scored: its shape does not fit the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AnswerShape(pub String);

fn strings(value: &Value, what: &str) -> Result<Vec<String>, AnswerShape> {
    value
        .as_array()
        .ok_or_else(|| AnswerShape(format!("{what} must be a list of option ids")))?
        .iter()
        .map(|entry| {
            entry
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| AnswerShape(format!("{what} must be a list of option ids")))
        })
        .collect()
}

/// Scores `answer` (JSON in the contract's shape for the item type) against `item`.
pub fn score(item: &Item, answer: &Value) -> Result<Score, AnswerShape> {
    let max_points = item.max_points;
    let points = match (&item.item_type, &item.correct_answer) {
        (ItemType::MultipleChoice, Answer::Choice(key)) => {
            let chosen = answer
                .as_str()
                .ok_or_else(|| AnswerShape("answer must be one option id, e.g. \"B\"".into()))?;
            u32::from(chosen == key)
        }
        (ItemType::MultipleResponse | ItemType::Highlight, Answer::Choices(keys)) => {
            let chosen: BTreeSet<String> = strings(answer, "answer")?.into_iter().collect();
            let right = chosen.iter().filter(|id| keys.contains(id)).count() as i64;
            let wrong = chosen.len() as i64 - right;
            (right - wrong).clamp(0, keys.len() as i64) as u32
        }
        (ItemType::OrderedResponse, Answer::Choices(order)) => {
            u32::from(&strings(answer, "answer")? == order)
        }
        (ItemType::Numeric, Answer::Number(key)) => {
            let given = answer
                .as_f64()
                .ok_or_else(|| AnswerShape("answer must be a number".into()))?;
            u32::from((given - key).abs() <= item.tolerance.unwrap_or(0.0) + 1e-9)
        }
        (ItemType::Matrix | ItemType::DropDownCloze, Answer::Keyed(keys)) => {
            let given = answer.as_object().ok_or_else(|| {
                AnswerShape("answer must map each row or slot to an option id".into())
            })?;
            keys.iter()
                .filter(|(slot, key)| given.get(*slot) == Some(key))
                .count() as u32
        }
        (ItemType::DragDropRationale, Answer::Keyed(keys)) => {
            let given = answer
                .as_object()
                .ok_or_else(|| AnswerShape("answer must map each slot to an option id".into()))?;
            let right = |slot: &str| {
                keys.get(slot)
                    .is_some_and(|key| given.get(slot) == Some(key))
            };
            if keys.len() >= 3 {
                // Triad: each cause–effect pair earns a point only with the cause right.
                u32::from(right("1") && right("2")) + u32::from(right("1") && right("3"))
            } else {
                u32::from(right("1") && right("2"))
            }
        }
        (
            ItemType::BowTie,
            Answer::BowTie {
                condition,
                actions,
                parameters,
            },
        ) => {
            let given = answer.as_object().ok_or_else(|| {
                AnswerShape("answer must be {condition, actions, parameters}".into())
            })?;
            let chosen_condition = given
                .get("condition")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let chosen_actions = given
                .get("actions")
                .map(|v| strings(v, "actions"))
                .transpose()?
                .unwrap_or_default();
            let chosen_parameters = given
                .get("parameters")
                .map(|v| strings(v, "parameters"))
                .transpose()?
                .unwrap_or_default();
            if chosen_actions.len() > 2 || chosen_parameters.len() > 2 {
                return Err(AnswerShape(
                    "choose at most 2 actions and 2 parameters".into(),
                ));
            }
            let distinct = |list: &[String]| {
                list.iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            };
            u32::from(chosen_condition == condition)
                + distinct(&chosen_actions)
                    .iter()
                    .filter(|a| actions.contains(a))
                    .count() as u32
                + distinct(&chosen_parameters)
                    .iter()
                    .filter(|p| parameters.contains(p))
                    .count() as u32
        }
        (ItemType::CaseStudy, Answer::Keyed(_)) => {
            let given = answer
                .as_object()
                .ok_or_else(|| AnswerShape("answer must map each item id to its answer".into()))?;
            let mut total = 0;
            for inner in &item.items {
                if let Some(part) = given.get(&inner.id) {
                    total += score(inner, part)?.points;
                }
            }
            total
        }
        _ => {
            return Err(AnswerShape(
                "this item's key has an unexpected shape".into(),
            ));
        }
    };
    Ok(Score {
        points: points.min(max_points),
        max_points,
    })
}
