//! Practice and quizzes: the rules of an attempt, with no IO. Callers pass in "now".
//!
//! - An attempt's deadline is its start plus the quiz's time limit, but never later than the quiz's
//!   close time ([`deadline`]).
//! - Time on an item is measured by the server: the interval from the attempt's previous save (or
//!   its start or resume) to this save, capped at [`IDLE_CAP_MS`] so a device left open overnight
//!   does not count as study time ([`time_on_item`]).
//! - Options are shuffled per attempt ([`option_orders`]); only the display order changes, answers
//!   and keys keep the item's own option ids.
//! - Scoring an attempt scores every item of the quiz, answered or not ([`score_attempt`]), and
//!   review subtotals group the points by client need and NCJMM function ([`subtotals`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::items::rng::{Rng, mix};
use crate::domain::items::scoring::{self, AnswerShape};
use crate::domain::items::{ClientNeed, Item, ItemId, NcjmmFunction};

id_type!(
    /// A quiz id.
    QuizId
);

id_type!(
    /// An attempt id.
    AttemptId
);

/// A quiz set by staff, or a student's self-practice set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuizKind {
    Quiz,
    Practice,
}

impl QuizKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuizKind::Quiz => "quiz",
            QuizKind::Practice => "practice",
        }
    }

    pub fn parse(text: &str) -> Option<QuizKind> {
        match text {
            "quiz" => Some(QuizKind::Quiz),
            "practice" => Some(QuizKind::Practice),
            _ => None,
        }
    }
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    InProgress,
    /// The student submitted it.
    Submitted,
    /// Its deadline passed before a submission; it was closed and scored as it stood.
    Expired,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptStatus> {
        match text {
            "in_progress" => Some(AttemptStatus::InProgress),
            "submitted" => Some(AttemptStatus::Submitted),
            "expired" => Some(AttemptStatus::Expired),
            _ => None,
        }
    }

    pub fn is_closed(self) -> bool {
        self != AttemptStatus::InProgress
    }
}

/// The longest stretch between two saves counted as time on an item: 10 minutes.
pub const IDLE_CAP_MS: u64 = 10 * 60 * 1000;

/// Time spent on an item: from the previous activity to now, capped at [`IDLE_CAP_MS`].
pub fn time_on_item(last_activity_ms: u64, now_ms: u64) -> u64 {
    now_ms.saturating_sub(last_activity_ms).min(IDLE_CAP_MS)
}

/// The deadline (Unix seconds) of an attempt started at `started`: the time limit, cut at the
/// quiz's close time; `None` when neither applies.
pub fn deadline(
    started: u64,
    time_limit_minutes: Option<u32>,
    closes_at: Option<u64>,
) -> Option<u64> {
    let by_limit = time_limit_minutes.map(|minutes| started + u64::from(minutes) * 60);
    match (by_limit, closes_at) {
        (Some(limit), Some(close)) => Some(limit.min(close)),
        (limit, close) => limit.or(close),
    }
}

/// Why a student may not start an attempt now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRefusal {
    #[error("this quiz opens at {0}")]
    NotOpenYet(String),
    #[error("this quiz closed at {0}")]
    Closed(String),
    #[error("the attempt limit of {0} is used up")]
    AttemptsUsedUp(u32),
}

/// May a new attempt start at `now` (Unix seconds), given the window and the attempts used?
pub fn may_start(
    now: u64,
    opens_at: Option<(u64, &str)>,
    closes_at: Option<(u64, &str)>,
    attempt_limit: Option<u32>,
    attempts_used: u32,
) -> Result<(), StartRefusal> {
    if let Some((opens, text)) = opens_at
        && now < opens
    {
        return Err(StartRefusal::NotOpenYet(text.to_owned()));
    }
    if let Some((closes, text)) = closes_at
        && now >= closes
    {
        return Err(StartRefusal::Closed(text.to_owned()));
    }
    if let Some(limit) = attempt_limit
        && attempts_used >= limit
    {
        return Err(StartRefusal::AttemptsUsedUp(limit));
    }
    Ok(())
}

/// Per-attempt display order of each item's options: `{item_id: [option ids]}`. Deterministic in
/// `seed` (the attempt), so a resumed attempt shows the same order.
pub fn option_orders(items: &[Item], seed: u64) -> BTreeMap<String, Vec<String>> {
    let mut orders = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        // Ordered-response and bow-tie options keep their item's order: the first is the student's
        // task to arrange; the second's wells already hold shuffled ids.
        if item.options.len() < 2
            || matches!(
                item.item_type,
                crate::domain::items::ItemType::BowTie | crate::domain::items::ItemType::Highlight
            )
        {
            continue;
        }
        let mut ids: Vec<String> = item
            .options
            .iter()
            .map(|option| option.id.clone())
            .collect();
        Rng::new(mix(seed, index as u64)).shuffle(&mut ids);
        orders.insert(item.id.clone(), ids);
    }
    orders
}

/// The item as a student sees it during an attempt: no key, no rationales, and its options in the
/// attempt's order (ids unchanged).
pub fn present(item: &Item, order: Option<&Vec<String>>) -> Value {
    let mut shown = item.clone();
    if let Some(order) = order {
        shown.options.sort_by_key(|option| {
            order
                .iter()
                .position(|id| id == &option.id)
                .unwrap_or(usize::MAX)
        });
    }
    let mut value = shown.without_key();
    hide_provenance(&mut value);
    value
}

/// An item as a student sees it, serialised once per frozen quiz: each field's JSON, and each
/// option's on its own, so that showing it in an attempt's option order copies text instead of
/// converting the item again (150 items per start, for every student of a class starting at
/// once). Serialises exactly as [`present`] with the same order.
#[derive(Debug)]
pub struct PresentedItem {
    /// The fields of [`present`]'s object in its key order, options as a placeholder.
    fields: Vec<(String, PresentedField)>,
}

#[derive(Debug)]
enum PresentedField {
    Raw(Box<serde_json::value::RawValue>),
    /// The options, each with its id, in the item's own order.
    Options(Vec<(String, Box<serde_json::value::RawValue>)>),
}

impl PresentedItem {
    pub fn new(item: &Item) -> PresentedItem {
        let raw = |value: &Value| {
            serde_json::value::to_raw_value(value).unwrap_or_else(|_| {
                serde_json::value::to_raw_value(&Value::Null).expect("null serialises")
            })
        };
        let fields = match present(item, None) {
            Value::Object(object) => object
                .into_iter()
                .map(|(key, value)| {
                    let field = match (key.as_str(), &value) {
                        ("options", Value::Array(options)) => PresentedField::Options(
                            options
                                .iter()
                                .map(|option| {
                                    let id = option
                                        .get("id")
                                        .and_then(Value::as_str)
                                        .unwrap_or_default()
                                        .to_owned();
                                    (id, raw(option))
                                })
                                .collect(),
                        ),
                        _ => PresentedField::Raw(raw(&value)),
                    };
                    (key, field)
                })
                .collect(),
            _ => Vec::new(),
        };
        PresentedItem { fields }
    }

    /// The item with its options in `order` (option ids; any not named keep their place after
    /// the named ones, as in [`present`]).
    pub fn in_order<'a>(&'a self, order: Option<&'a Vec<String>>) -> PresentedInOrder<'a> {
        PresentedInOrder { item: self, order }
    }
}

/// A [`PresentedItem`] in one attempt's option order, ready to serialise.
#[derive(Debug, Clone, Copy)]
pub struct PresentedInOrder<'a> {
    item: &'a PresentedItem,
    order: Option<&'a Vec<String>>,
}

impl Serialize for PresentedInOrder<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.item.fields.len()))?;
        for (key, field) in &self.item.fields {
            match field {
                PresentedField::Raw(raw) => map.serialize_entry(key, raw)?,
                PresentedField::Options(options) => {
                    let mut shown: Vec<&(String, Box<serde_json::value::RawValue>)> =
                        options.iter().collect();
                    if let Some(order) = self.order {
                        shown.sort_by_key(|(id, _)| {
                            order
                                .iter()
                                .position(|named| named == id)
                                .unwrap_or(usize::MAX)
                        });
                    }
                    let raws: Vec<&serde_json::value::RawValue> =
                        shown.into_iter().map(|(_, raw)| raw.as_ref()).collect();
                    map.serialize_entry(key, &raws)?;
                }
            }
        }
        map.end()
    }
}

/// Removes what would let a student regenerate the item and read its key (its model and
/// seed) or narrow it down (its sources), from the item and from a case study's parts.
fn hide_provenance(value: &mut Value) {
    if let Some(object) = value.as_object_mut() {
        object.remove("seed");
        object.remove("item_model");
        object.remove("sources");
        if let Some(Value::Array(parts)) = object.get_mut("items") {
            parts.iter_mut().for_each(hide_provenance);
        }
    }
}

/// Checks an answer's shape for an item: the error says what the item expects.
pub fn check_answer(item: &Item, answer: &Value) -> Result<(), AnswerShape> {
    scoring::score(item, answer).map(|_| ())
}

/// One item's result in a scored attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredItem {
    pub item_id: ItemId,
    pub position: usize,
    pub answered: bool,
    pub points: u32,
    pub max_points: u32,
}

/// Scores every item of an attempt. `answers` holds the saved answers by item id; a missing or
/// empty answer scores 0, and so does a saved answer that no longer fits its item (answers are
/// checked when saved and items are frozen in the quiz, so this cannot happen in practice).
pub fn score_attempt(items: &[Item], answers: &BTreeMap<String, Value>) -> Vec<ScoredItem> {
    items
        .iter()
        .enumerate()
        .map(|(position, item)| {
            let answer = answers.get(&item.id).unwrap_or(&Value::Null);
            let points = scoring::score(item, answer).map_or(0, |score| score.points);
            ScoredItem {
                item_id: ItemId::from(item.id.as_str()),
                position,
                answered: !answer.is_null(),
                points,
                max_points: item.max_points.max(1),
            }
        })
        .collect()
}

/// Points and maximum within one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Subtotal {
    pub points: u32,
    pub max_points: u32,
    pub items: u32,
}

/// Review subtotals by client need and by NCJMM function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Subtotals {
    pub client_need: BTreeMap<ClientNeed, Subtotal>,
    pub ncjmm_function: BTreeMap<NcjmmFunction, Subtotal>,
}

/// Groups scored items by their item's client need and NCJMM function.
pub fn subtotals(items: &[Item], scored: &[ScoredItem]) -> Subtotals {
    let mut totals = Subtotals::default();
    for (item, result) in items.iter().zip(scored) {
        let add = |entry: &mut Subtotal| {
            entry.points += result.points;
            entry.max_points += result.max_points;
            entry.items += 1;
        };
        add(totals.client_need.entry(item.client_need).or_default());
        add(totals
            .ncjmm_function
            .entry(item.ncjmm_function)
            .or_default());
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_the_limit_cut_at_the_close() {
        assert_eq!(deadline(1000, Some(10), None), Some(1600));
        assert_eq!(deadline(1000, Some(10), Some(1200)), Some(1200));
        assert_eq!(deadline(1000, None, Some(5000)), Some(5000));
        assert_eq!(deadline(1000, None, None), None);
    }

    #[test]
    fn idle_time_is_capped() {
        assert_eq!(time_on_item(1_000, 4_000), 3_000);
        assert_eq!(time_on_item(0, 3_600_000), IDLE_CAP_MS);
        assert_eq!(time_on_item(5_000, 1_000), 0);
    }

    #[test]
    fn starting_respects_window_and_limit() {
        assert_eq!(
            may_start(5, Some((10, "t10")), None, None, 0),
            Err(StartRefusal::NotOpenYet("t10".into()))
        );
        assert_eq!(
            may_start(20, None, Some((20, "t20")), None, 0),
            Err(StartRefusal::Closed("t20".into()))
        );
        assert_eq!(
            may_start(15, Some((10, "a")), Some((20, "b")), Some(2), 2),
            Err(StartRefusal::AttemptsUsedUp(2))
        );
        assert_eq!(
            may_start(15, Some((10, "a")), Some((20, "b")), Some(2), 1),
            Ok(())
        );
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            AttemptStatus::InProgress,
            AttemptStatus::Submitted,
            AttemptStatus::Expired,
        ] {
            assert_eq!(AttemptStatus::parse(status.as_str()), Some(status));
        }
        assert!(AttemptStatus::Expired.is_closed());
        assert!(!AttemptStatus::InProgress.is_closed());
    }

    #[test]
    fn shuffles_keep_ids_and_are_stable_per_attempt() {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let items: Vec<Item> = (0..catalog.models().count())
            .filter_map(|index| catalog.generate(&kb, index, 3))
            .collect();
        let first = option_orders(&items, 42);
        assert_eq!(first, option_orders(&items, 42));
        assert_ne!(first, option_orders(&items, 43));
        for item in &items {
            if let Some(order) = first.get(&item.id) {
                let mut sorted = order.clone();
                sorted.sort();
                let mut own: Vec<String> = item.options.iter().map(|o| o.id.clone()).collect();
                own.sort();
                assert_eq!(sorted, own);
                let shown = present(item, Some(order));
                assert!(shown.get("correct_answer").is_none());
                assert!(shown.get("rationale").is_none());
                assert!(shown.get("option_rationales").is_none());
                let shown_ids: Vec<&str> = shown["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o["id"].as_str().unwrap())
                    .collect();
                assert_eq!(
                    shown_ids,
                    order.iter().map(String::as_str).collect::<Vec<_>>()
                );
            }
        }
    }

    /// The pre-serialised form writes the same JSON as converting the item each time, for every
    /// model's item, in its own order and in a shuffled one (an id the order does not name last).
    #[test]
    fn a_pre_serialised_item_writes_what_present_writes() {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let items: Vec<Item> = (0..catalog.models().count())
            .filter_map(|index| catalog.generate(&kb, index, 5))
            .collect();
        let orders = option_orders(&items, 7);
        assert!(orders.len() > 20, "shuffled items to compare");
        for item in &items {
            let presented = PresentedItem::new(item);
            let own = serde_json::to_string(&presented.in_order(None)).unwrap();
            assert_eq!(own, serde_json::to_string(&present(item, None)).unwrap());
            if let Some(order) = orders.get(&item.id) {
                let mut partial = order.clone();
                partial.remove(0);
                for order in [order, &partial] {
                    let shown = serde_json::to_string(&presented.in_order(Some(order))).unwrap();
                    let expected = serde_json::to_string(&present(item, Some(order))).unwrap();
                    assert_eq!(shown, expected, "{}", item.id);
                }
            }
        }
    }

    /// Keys, rationales, the model, the seed and the sources are absent at every depth, case
    /// study parts included (with the model and seed anyone could regenerate the key).
    #[test]
    fn a_presented_item_reveals_nothing_that_leads_to_its_key() {
        fn hidden_fields(value: &Value, found: &mut Vec<String>) {
            if let Some(object) = value.as_object() {
                for key in [
                    "correct_answer",
                    "rationale",
                    "option_rationales",
                    "source_facts",
                    "seed",
                    "item_model",
                    "sources",
                ] {
                    if object.contains_key(key) {
                        found.push(key.to_owned());
                    }
                }
                if let Some(Value::Array(parts)) = object.get("items") {
                    parts.iter().for_each(|part| hidden_fields(part, found));
                }
            }
        }
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let mut case_studies = 0;
        for index in 0..catalog.models().count() {
            let Some(item) = catalog.generate(&kb, index, 5) else {
                continue;
            };
            case_studies += usize::from(!item.items.is_empty());
            let mut found = Vec::new();
            hidden_fields(&present(&item, None), &mut found);
            assert!(found.is_empty(), "{} shows {found:?}", item.id);
        }
        assert!(case_studies > 0, "no case study was checked");
    }

    #[test]
    fn an_attempt_scores_every_item_and_subtotals_add_up() {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        let items: Vec<Item> = (0..6)
            .filter_map(|index| catalog.generate(&kb, index, 1))
            .collect();
        let mut answers = BTreeMap::new();
        // The first item answered with its key, the rest unanswered.
        answers.insert(
            items[0].id.clone(),
            serde_json::to_value(&items[0].correct_answer).unwrap(),
        );
        let scored = score_attempt(&items, &answers);
        assert_eq!(scored.len(), items.len());
        assert_eq!(scored[0].points, items[0].max_points);
        assert!(scored[0].answered);
        assert!(scored[1..].iter().all(|s| s.points == 0 && !s.answered));
        let totals = subtotals(&items, &scored);
        let sum: u32 = totals.client_need.values().map(|s| s.points).sum();
        let max: u32 = totals.ncjmm_function.values().map(|s| s.max_points).sum();
        assert_eq!(sum, items[0].max_points);
        assert_eq!(max, scored.iter().map(|s| s.max_points).sum::<u32>());
    }
}
