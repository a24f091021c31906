//! Scoring by the NCSBN rules: 0/1, +/- (floored at 0, capped at the keys) and rationale pairs.
//!
//! [`score`] checks the answer's shape against the item before scoring it, so an answer that names
//! an option the item does not have, or has the wrong JSON type for the item type, is refused with
//! an [`AnswerShape`] that says what was expected. An empty answer (`null`, `[]`, `{}`, `""`) is
//! valid and scores 0: it is how a student clears a response.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Answer, Item, ItemType, ScoringRule};

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

fn shape(message: impl Into<String>) -> AnswerShape {
    AnswerShape(message.into())
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        Value::Array(list) => list.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// One option id from `value`, which must be one of `known`.
fn one_id<'a>(value: &'a Value, known: &[&str], what: &str) -> Result<&'a str, AnswerShape> {
    let id = value.as_str().ok_or_else(|| {
        shape(format!(
            "{what} must be one option id (a string such as \"{}\"), not {}",
            known.first().copied().unwrap_or("A"),
            type_name(value)
        ))
    })?;
    if known.contains(&id) {
        Ok(id)
    } else {
        let shown: String = id.chars().take(40).collect();
        Err(shape(format!(
            "{what}: \"{shown}\" is not an option of this item; options are {}",
            known.join(", ")
        )))
    }
}

/// A list of distinct option ids from `value`, each one of `known`.
fn id_list(value: &Value, known: &[&str], what: &str) -> Result<Vec<String>, AnswerShape> {
    let list = value.as_array().ok_or_else(|| {
        shape(format!(
            "{what} must be a list of option ids such as [\"{}\"], not {}",
            known.first().copied().unwrap_or("A"),
            type_name(value)
        ))
    })?;
    let mut seen = BTreeSet::new();
    let mut ids = Vec::with_capacity(list.len());
    for entry in list {
        let id = one_id(entry, known, what)?;
        if !seen.insert(id) {
            return Err(shape(format!("{what}: \"{id}\" is listed twice")));
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

fn option_ids(item: &Item) -> Vec<&str> {
    item.options
        .iter()
        .map(|option| option.id.as_str())
        .collect()
}

/// +/-: +1 per key chosen, −1 per distractor chosen, floored at 0 and capped at the keys.
fn plus_minus(chosen: &[String], keys: &[String]) -> u32 {
    let right = chosen.iter().filter(|id| keys.contains(id)).count() as i64;
    let wrong = chosen.len() as i64 - right;
    (right - wrong).clamp(0, keys.len() as i64) as u32
}

/// A number from a numeric answer: a JSON number, or a string holding a number optionally
/// followed by the item's units ("2.5 mL").
fn number(item: &Item, answer: &Value) -> Result<f64, AnswerShape> {
    if let Some(value) = answer.as_f64() {
        return Ok(value);
    }
    let text = answer.as_str().ok_or_else(|| {
        shape(format!(
            "answer must be a number{}, not {}",
            item.units
                .as_deref()
                .map(|units| format!(" (in {units})"))
                .unwrap_or_default(),
            type_name(answer)
        ))
    })?;
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (digits, rest) = text.split_at(split);
    let value: f64 = digits
        .trim()
        .parse()
        .map_err(|_| shape(format!("answer \"{text}\" is not a number")))?;
    let rest = rest.trim();
    if !rest.is_empty() {
        let units = item.units.as_deref().unwrap_or("");
        if !rest.eq_ignore_ascii_case(units.trim()) {
            return Err(shape(if units.is_empty() {
                format!("answer \"{text}\": this item takes a plain number without units")
            } else {
                format!("answer \"{text}\": the units of this item are {units}")
            }));
        }
    }
    if !value.is_finite() {
        return Err(shape("answer must be a finite number"));
    }
    Ok(value)
}

/// Scores `answer` (JSON in the contract's shape for the item type) against `item`.
pub fn score(item: &Item, answer: &Value) -> Result<Score, AnswerShape> {
    let max_points = item.max_points;
    if is_empty(answer) {
        return Ok(Score {
            points: 0,
            max_points,
        });
    }
    let points = match (&item.item_type, &item.correct_answer) {
        (ItemType::MultipleChoice, Answer::Choice(key)) => {
            u32::from(one_id(answer, &option_ids(item), "answer")? == key)
        }
        (ItemType::MultipleResponse | ItemType::Highlight, Answer::Choices(keys)) => {
            let chosen = id_list(answer, &option_ids(item), "answer")?;
            if item.scoring_rule == ScoringRule::ZeroOne {
                // Select N: the screen caps the choices at N; each key chosen earns a point.
                if chosen.len() > keys.len() {
                    return Err(shape(format!("choose at most {} options", keys.len())));
                }
                chosen.iter().filter(|id| keys.contains(id)).count() as u32
            } else {
                plus_minus(&chosen, keys)
            }
        }
        (ItemType::OrderedResponse, Answer::Choices(order)) => {
            let given = id_list(answer, &option_ids(item), "answer")?;
            if given.len() != order.len() {
                return Err(shape(format!(
                    "answer must put all {} options in order",
                    order.len()
                )));
            }
            u32::from(&given == order)
        }
        (ItemType::Numeric, Answer::Number(key)) => {
            let given = number(item, answer)?;
            u32::from((given - key).abs() <= item.tolerance.unwrap_or(0.0) + 1e-9)
        }
        (ItemType::Matrix, Answer::Keyed(keys)) => matrix(item, keys, answer)?,
        (ItemType::DropDownCloze, Answer::Keyed(keys)) => {
            let given = slot_answers(item, answer)?;
            keys.iter()
                .filter(|(slot, key)| given.get(slot.as_str()).copied() == key.as_str())
                .count() as u32
        }
        (ItemType::DragDropRationale, Answer::Keyed(keys)) => {
            let given = slot_answers(item, answer)?;
            let right = |slot: &str| {
                keys.get(slot)
                    .and_then(Value::as_str)
                    .is_some_and(|key| given.get(slot) == Some(&key))
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
        ) => bow_tie(item, answer, condition, actions, parameters)?,
        (ItemType::CaseStudy, Answer::Keyed(_)) => {
            let given = answer.as_object().ok_or_else(|| {
                shape(format!(
                    "answer must map each of the case's item ids to its answer, not {}",
                    type_name(answer)
                ))
            })?;
            for id in given.keys() {
                if !item.items.iter().any(|inner| &inner.id == id) {
                    return Err(shape(format!("\"{id}\" is not an item of this case study")));
                }
            }
            let mut total = 0;
            for inner in &item.items {
                if let Some(part) = given.get(&inner.id) {
                    total += score(inner, part)
                        .map_err(|problem| shape(format!("{}: {problem}", inner.id)))?
                        .points;
                }
            }
            total
        }
        _ => return Err(shape("this item's key has an unexpected shape")),
    };
    Ok(Score {
        points: points.min(max_points),
        max_points,
    })
}

/// Matrix: one column per row (0/1 per row), or several per row (+/- over the whole item).
fn matrix(item: &Item, keys: &BTreeMap<String, Value>, answer: &Value) -> Result<u32, AnswerShape> {
    let given = answer.as_object().ok_or_else(|| {
        shape(format!(
            "answer must map each row id to a column id, e.g. {{\"R1\": \"C1\"}}, not {}",
            type_name(answer)
        ))
    })?;
    let columns: Vec<&str> = item
        .columns
        .iter()
        .map(|column| column.id.as_str())
        .collect();
    let rows: Vec<&str> = item.rows.iter().map(|row| row.id.as_str()).collect();
    let mut right = 0i64;
    let mut wrong = 0i64;
    let mut keys_total = 0i64;
    for (row, value) in given {
        if !rows.contains(&row.as_str()) {
            return Err(shape(format!(
                "\"{row}\" is not a row of this matrix; rows are {}",
                rows.join(", ")
            )));
        }
        match keys.get(row) {
            Some(Value::Array(row_keys)) => {
                let chosen = id_list(value, &columns, &format!("row {row}"))?;
                let row_keys: Vec<&str> = row_keys.iter().filter_map(Value::as_str).collect();
                let hits = chosen
                    .iter()
                    .filter(|id| row_keys.contains(&id.as_str()))
                    .count();
                right += hits as i64;
                wrong += (chosen.len() - hits) as i64;
            }
            Some(key) if !is_empty(value) => {
                right += i64::from(one_id(value, &columns, &format!("row {row}"))? == key);
            }
            _ => {}
        }
    }
    for key in keys.values() {
        keys_total += key.as_array().map_or(1, |list| list.len() as i64);
    }
    Ok((right - wrong).clamp(0, keys_total) as u32)
}

/// Cloze and drag-and-drop: `{slot_id: option_id}` with every slot and option checked.
fn slot_answers<'a>(
    item: &Item,
    answer: &'a Value,
) -> Result<BTreeMap<&'a str, &'a str>, AnswerShape> {
    let given = answer.as_object().ok_or_else(|| {
        shape(format!(
            "answer must map each blank's id to an option id, e.g. {{\"1\": \"A\"}}, not {}",
            type_name(answer)
        ))
    })?;
    let mut chosen = BTreeMap::new();
    for (slot_id, value) in given {
        let slot = item
            .slots
            .iter()
            .find(|slot| &slot.id == slot_id)
            .ok_or_else(|| {
                shape(format!(
                    "\"{slot_id}\" is not a blank of this item; blanks are {}",
                    item.slots
                        .iter()
                        .map(|slot| slot.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if is_empty(value) {
            continue;
        }
        let known: Vec<&str> = slot
            .options
            .iter()
            .map(|option| option.id.as_str())
            .collect();
        chosen.insert(
            slot_id.as_str(),
            one_id(value, &known, &format!("blank {slot_id}"))?,
        );
    }
    Ok(chosen)
}

fn bow_tie(
    item: &Item,
    answer: &Value,
    condition: &str,
    actions: &[String],
    parameters: &[String],
) -> Result<u32, AnswerShape> {
    let given = answer.as_object().ok_or_else(|| {
        shape(format!(
            "answer must be {{\"condition\": id, \"actions\": [id, id], \"parameters\": [id, id]}}, not {}",
            type_name(answer)
        ))
    })?;
    for key in given.keys() {
        if !matches!(key.as_str(), "condition" | "actions" | "parameters") {
            return Err(shape(format!(
                "\"{key}\" is not part of a bow-tie answer; use condition, actions, parameters"
            )));
        }
    }
    let well = |name: &str| -> Vec<&str> {
        item.wells
            .get(name)
            .map(|ids| ids.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let chosen_condition = match given.get("condition") {
        Some(value) if !is_empty(value) => Some(one_id(value, &well("conditions"), "condition")?),
        _ => None,
    };
    let list = |name: &str, well_name: &str| -> Result<Vec<String>, AnswerShape> {
        match given.get(name) {
            Some(value) if !is_empty(value) => {
                let ids = id_list(value, &well(well_name), name)?;
                if ids.len() > 2 {
                    return Err(shape(format!("choose at most 2 {name}")));
                }
                Ok(ids)
            }
            _ => Ok(Vec::new()),
        }
    };
    let chosen_actions = list("actions", "actions")?;
    let chosen_parameters = list("parameters", "parameters")?;
    Ok(u32::from(chosen_condition == Some(condition))
        + chosen_actions
            .iter()
            .filter(|a| actions.contains(a))
            .count() as u32
        + chosen_parameters
            .iter()
            .filter(|p| parameters.contains(p))
            .count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::items::{ChoiceOption, ClientNeed, Difficulty, NcjmmFunction, Qsen, Slot};
    use serde_json::json;

    fn options(ids: &[&str]) -> Vec<ChoiceOption> {
        ids.iter()
            .map(|id| ChoiceOption {
                id: (*id).to_owned(),
                text: format!("option {id}"),
            })
            .collect()
    }

    fn item(item_type: ItemType, rule: ScoringRule, key: Answer, max_points: u32) -> Item {
        Item {
            id: "t".into(),
            item_type,
            question: "q".into(),
            options: options(&["A", "B", "C", "D", "E", "F"]),
            correct_answer: key,
            scoring_rule: rule,
            max_points,
            rationale: String::new(),
            option_rationales: BTreeMap::new(),
            client_need: ClientNeed::ManagementOfCare,
            ncjmm_function: NcjmmFunction::TakeAction,
            aacn_competency: "2.4".into(),
            qsen_competency: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            topic: "t".into(),
            sources: Vec::new(),
            source_facts: Vec::new(),
            item_model: String::new(),
            seed: 0,
            exhibit: None,
            units: None,
            tolerance: None,
            rows: Vec::new(),
            columns: Vec::new(),
            template: None,
            slots: Vec::new(),
            wells: BTreeMap::new(),
            scenario: None,
            items: Vec::new(),
            calculation: None,
        }
    }

    fn keyed(pairs: &[(&str, Value)]) -> Answer {
        Answer::Keyed(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn mc() -> Item {
        item(
            ItemType::MultipleChoice,
            ScoringRule::ZeroOne,
            Answer::Choice("B".into()),
            1,
        )
    }

    fn sata() -> Item {
        // Three keys among six options.
        item(
            ItemType::MultipleResponse,
            ScoringRule::PlusMinus,
            Answer::Choices(vec!["A".into(), "C".into(), "E".into()]),
            3,
        )
    }

    fn matrix_item() -> Item {
        let mut it = item(
            ItemType::Matrix,
            ScoringRule::ZeroOne,
            keyed(&[
                ("R1", json!("C1")),
                ("R2", json!("C2")),
                ("R3", json!("C1")),
            ]),
            3,
        );
        it.rows = options(&["R1", "R2", "R3"]);
        it.columns = options(&["C1", "C2"]);
        it
    }

    fn rationale_item(slots: usize) -> Item {
        let pairs: Vec<(&str, Value)> =
            [("1", json!("A")), ("2", json!("B")), ("3", json!("C"))][..slots].to_vec();
        let mut it = item(
            ItemType::DragDropRationale,
            ScoringRule::Rationale,
            keyed(&pairs),
            if slots >= 3 { 2 } else { 1 },
        );
        it.slots = (1..=slots)
            .map(|index| Slot {
                id: index.to_string(),
                options: options(&["A", "B", "C", "D"]),
            })
            .collect();
        it
    }

    fn cloze() -> Item {
        let mut it = rationale_item(3);
        it.item_type = ItemType::DropDownCloze;
        it.scoring_rule = ScoringRule::ZeroOne;
        it.max_points = 3;
        it
    }

    fn bow_tie_item() -> Item {
        let mut it = item(
            ItemType::BowTie,
            ScoringRule::ZeroOne,
            Answer::BowTie {
                condition: "C1".into(),
                actions: vec!["A1".into(), "A3".into()],
                parameters: vec!["P2".into(), "P4".into()],
            },
            5,
        );
        it.options = options(&[
            "C1", "C2", "C3", "A1", "A2", "A3", "A4", "P1", "P2", "P3", "P4",
        ]);
        it.wells.insert(
            "conditions".into(),
            vec!["C1".into(), "C2".into(), "C3".into()],
        );
        it.wells.insert(
            "actions".into(),
            vec!["A1".into(), "A2".into(), "A3".into(), "A4".into()],
        );
        it.wells.insert(
            "parameters".into(),
            vec!["P1".into(), "P2".into(), "P3".into(), "P4".into()],
        );
        it
    }

    fn numeric() -> Item {
        let mut it = item(
            ItemType::Numeric,
            ScoringRule::ZeroOne,
            Answer::Number(2.5),
            1,
        );
        it.options.clear();
        it.units = Some("mL".into());
        it.tolerance = Some(0.05);
        it
    }

    fn highlight() -> Item {
        let mut it = sata();
        it.item_type = ItemType::Highlight;
        it
    }

    /// Worked examples of the NCSBN rules (domain facts §1.3): item, answer, expected points.
    #[test]
    fn worked_examples_of_each_rule() {
        let cases: Vec<(&str, Item, Value, u32)> = vec![
            ("0/1 MC right", mc(), json!("B"), 1),
            ("0/1 MC wrong", mc(), json!("A"), 0),
            ("+/- all keys", sata(), json!(["A", "C", "E"]), 3),
            ("+/- two keys", sata(), json!(["A", "C"]), 2),
            (
                "+/- two keys one distractor",
                sata(),
                json!(["A", "C", "B"]),
                1,
            ),
            (
                "+/- one key two distractors floors at 0",
                sata(),
                json!(["A", "B", "D"]),
                0,
            ),
            (
                "+/- every option: 3 - 3",
                sata(),
                json!(["A", "B", "C", "D", "E", "F"]),
                0,
            ),
            ("+/- highlight", highlight(), json!(["A", "E", "F"]), 1),
            (
                "matrix per row all",
                matrix_item(),
                json!({"R1": "C1", "R2": "C2", "R3": "C1"}),
                3,
            ),
            (
                "matrix per row two",
                matrix_item(),
                json!({"R1": "C1", "R2": "C1", "R3": "C1"}),
                2,
            ),
            ("matrix partial rows", matrix_item(), json!({"R2": "C2"}), 1),
            (
                "dyad both right",
                rationale_item(2),
                json!({"1": "A", "2": "B"}),
                1,
            ),
            (
                "dyad effect wrong",
                rationale_item(2),
                json!({"1": "A", "2": "C"}),
                0,
            ),
            (
                "dyad cause wrong",
                rationale_item(2),
                json!({"1": "D", "2": "B"}),
                0,
            ),
            (
                "triad all right",
                rationale_item(3),
                json!({"1": "A", "2": "B", "3": "C"}),
                2,
            ),
            (
                "triad one effect wrong",
                rationale_item(3),
                json!({"1": "A", "2": "B", "3": "D"}),
                1,
            ),
            (
                "triad cause wrong gives 0",
                rationale_item(3),
                json!({"1": "D", "2": "B", "3": "C"}),
                0,
            ),
            (
                "cloze per blank",
                cloze(),
                json!({"1": "A", "2": "D", "3": "C"}),
                2,
            ),
            (
                "bow-tie all five",
                bow_tie_item(),
                json!({"condition": "C1", "actions": ["A1", "A3"], "parameters": ["P2", "P4"]}),
                5,
            ),
            (
                "bow-tie wrong condition, one action, both parameters",
                bow_tie_item(),
                json!({"condition": "C2", "actions": ["A1", "A2"], "parameters": ["P4", "P2"]}),
                3,
            ),
            ("numeric exact", numeric(), json!(2.5), 1),
            ("numeric within tolerance", numeric(), json!(2.54), 1),
            ("numeric outside tolerance", numeric(), json!(2.6), 0),
            ("numeric with its units", numeric(), json!("2.5 mL"), 1),
            ("numeric units any case", numeric(), json!("2.5 ml"), 1),
            ("empty answer", sata(), json!([]), 0),
            ("null answer", bow_tie_item(), Value::Null, 0),
        ];
        for (name, it, answer, expected) in cases {
            let got = score(&it, &answer).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.points, expected, "{name}");
            assert_eq!(got.max_points, it.max_points, "{name}");
        }
    }

    #[test]
    fn ordered_response_is_all_or_nothing() {
        let mut it = item(
            ItemType::OrderedResponse,
            ScoringRule::ZeroOne,
            Answer::Choices(vec!["C".into(), "A".into(), "B".into(), "D".into()]),
            1,
        );
        it.options = options(&["A", "B", "C", "D"]);
        assert_eq!(score(&it, &json!(["C", "A", "B", "D"])).unwrap().points, 1);
        assert_eq!(score(&it, &json!(["A", "C", "B", "D"])).unwrap().points, 0);
        assert!(score(&it, &json!(["C", "A"])).is_err());
    }

    #[test]
    fn select_n_counts_keys_and_caps_choices() {
        let mut it = sata();
        it.scoring_rule = ScoringRule::ZeroOne;
        assert_eq!(score(&it, &json!(["A", "B", "C"])).unwrap().points, 2);
        assert!(score(&it, &json!(["A", "B", "C", "D"])).is_err());
    }

    #[test]
    fn matrix_multiple_response_is_plus_minus() {
        let mut it = matrix_item();
        it.correct_answer = keyed(&[("R1", json!(["C1", "C2"])), ("R2", json!(["C2"]))]);
        it.max_points = 3;
        assert_eq!(
            score(&it, &json!({"R1": ["C1", "C2"], "R2": ["C2"]}))
                .unwrap()
                .points,
            3
        );
        assert_eq!(
            score(&it, &json!({"R1": ["C1"], "R2": ["C1"]}))
                .unwrap()
                .points,
            0
        );
    }

    /// Wrong shapes are refused with a message that says what was expected.
    #[test]
    fn wrong_shapes_are_refused_precisely() {
        let cases: Vec<(&str, Item, Value, &str)> = vec![
            (
                "a letter for a matrix",
                matrix_item(),
                json!("A"),
                "map each row id",
            ),
            (
                "unknown matrix row",
                matrix_item(),
                json!({"R9": "C1"}),
                "not a row",
            ),
            (
                "unknown matrix column",
                matrix_item(),
                json!({"R1": "C7"}),
                "not an option",
            ),
            ("unknown option id", mc(), json!("Z"), "not an option"),
            ("a number for SATA", sata(), json!(3), "list of option ids"),
            ("a list for MC", mc(), json!(["B"]), "one option id"),
            (
                "duplicate choice",
                sata(),
                json!(["A", "A"]),
                "listed twice",
            ),
            (
                "a number inside a SATA list",
                sata(),
                json!([1]),
                "one option id",
            ),
            ("text for numeric", numeric(), json!("two"), "not a number"),
            (
                "other units",
                numeric(),
                json!("2.5 mg"),
                "units of this item are mL",
            ),
            ("unknown blank", cloze(), json!({"9": "A"}), "not a blank"),
            (
                "unknown blank option",
                cloze(),
                json!({"1": "Q"}),
                "not an option",
            ),
            ("bow-tie list", bow_tie_item(), json!(["C1"]), "condition"),
            (
                "bow-tie unknown part",
                bow_tie_item(),
                json!({"cause": "C1"}),
                "not part",
            ),
            (
                "bow-tie action from the wrong well",
                bow_tie_item(),
                json!({"actions": ["P1"]}),
                "not an option",
            ),
            (
                "bow-tie three actions",
                bow_tie_item(),
                json!({"actions": ["A1", "A2", "A3"]}),
                "at most 2",
            ),
        ];
        for (name, it, answer, needle) in cases {
            let error = score(&it, &answer).expect_err(name);
            assert!(error.0.contains(needle), "{name}: {}", error.0);
        }
    }

    #[test]
    fn case_study_sums_its_items_and_checks_their_ids() {
        let mut first = mc();
        first.id = "cs-1".into();
        let mut second = sata();
        second.id = "cs-2".into();
        let mut case = item(
            ItemType::CaseStudy,
            ScoringRule::ZeroOne,
            keyed(&[("cs-1", json!("B")), ("cs-2", json!(["A", "C", "E"]))]),
            4,
        );
        case.items = vec![first, second];
        assert_eq!(
            score(&case, &json!({"cs-1": "B", "cs-2": ["A", "C", "E"]}))
                .unwrap()
                .points,
            4
        );
        assert_eq!(
            score(&case, &json!({"cs-2": ["A", "B"]})).unwrap().points,
            0
        );
        assert!(
            score(&case, &json!({"cs-9": "B"}))
                .unwrap_err()
                .0
                .contains("not an item")
        );
        assert!(
            score(&case, &json!({"cs-1": 5}))
                .unwrap_err()
                .0
                .starts_with("cs-1:")
        );
    }

    /// A wrong answer of the right shape: every option or slot the key does not use.
    fn wrong_answer(item: &Item) -> Value {
        let other = |ids: &[&str], key: &Value| -> Value {
            ids.iter()
                .find(|id| Some(**id) != key.as_str())
                .map_or(Value::Null, |id| json!(id))
        };
        match &item.correct_answer {
            Answer::Choice(key) => other(&option_ids(item), &json!(key)),
            Answer::Choices(keys) if item.item_type == ItemType::OrderedResponse => {
                let mut order = keys.clone();
                order.rotate_left(1);
                json!(order)
            }
            Answer::Choices(keys) => json!(
                option_ids(item)
                    .into_iter()
                    .filter(|id| !keys.iter().any(|key| key == id))
                    .collect::<Vec<_>>()
            ),
            Answer::Number(key) => json!(key + 1000.0),
            Answer::BowTie {
                condition,
                actions,
                parameters,
            } => {
                let others = |well: &str, keys: &[String]| -> Vec<String> {
                    item.wells[well]
                        .iter()
                        .filter(|id| !keys.contains(id))
                        .take(2)
                        .cloned()
                        .collect()
                };
                json!({
                    "condition": others("conditions", std::slice::from_ref(condition)).first(),
                    "actions": others("actions", actions),
                    "parameters": others("parameters", parameters),
                })
            }
            Answer::Keyed(keys) => match item.item_type {
                ItemType::CaseStudy => Value::Object(
                    item.items
                        .iter()
                        .map(|inner| (inner.id.clone(), wrong_answer(inner)))
                        .collect(),
                ),
                ItemType::Matrix => Value::Object(
                    keys.iter()
                        .map(|(row, key)| {
                            let columns: Vec<&str> =
                                item.columns.iter().map(|c| c.id.as_str()).collect();
                            (row.clone(), other(&columns, key))
                        })
                        .collect(),
                ),
                _ => Value::Object(
                    item.slots
                        .iter()
                        .map(|slot| {
                            let ids: Vec<&str> =
                                slot.options.iter().map(|o| o.id.as_str()).collect();
                            (slot.id.clone(), other(&ids, &keys[&slot.id]))
                        })
                        .collect(),
                ),
            },
        }
    }

    /// Every item model's items: full marks for their own key, zero for empty and wrong answers.
    #[test]
    fn every_model_scores_its_own_key_full_and_wrong_or_empty_zero() {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let mut checked = 0;
        for index in 0..catalog.models().count() {
            for seed in 0..5u64 {
                let Some(it) = catalog.generate(&kb, index, seed) else {
                    continue;
                };
                let key = serde_json::to_value(&it.correct_answer).unwrap();
                let name = format!("{} seed {seed}", it.item_model);
                let full = score(&it, &key).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(full.points, it.max_points, "{name}: own key");
                assert!(it.max_points >= 1, "{name}");
                assert_eq!(score(&it, &Value::Null).unwrap().points, 0, "{name}: empty");
                let empty_shape = match key {
                    Value::Array(_) => json!([]),
                    Value::Object(_) => json!({}),
                    _ => Value::Null,
                };
                assert_eq!(score(&it, &empty_shape).unwrap().points, 0, "{name}: empty");
                let wrong = wrong_answer(&it);
                let got = score(&it, &wrong).unwrap_or_else(|e| panic!("{name}: {wrong}: {e}"));
                assert_eq!(got.points, 0, "{name}: wrong answer {wrong}");
                checked += 1;
            }
        }
        assert!(
            checked >= catalog.models().count(),
            "only {checked} items checked"
        );
    }
}
