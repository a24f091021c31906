//! The quality gate every item passes before it is stored or served: structure per type, the right
//! number of keys (multiple choice: four options), unique and homogeneous options with no two that
//! say the same thing, no "all/none of the above", no key cued by the stem, by its length or by
//! being the only option phrased as an outcome, a rationale for every option, a stem that asks
//! something, sources, and numeric keys recomputed here independently of the item model that
//! computed them.

use std::collections::BTreeSet;

use super::{Answer, Calculation, Item, ItemType, NcjmmFunction, ScoringRule};
use crate::domain::knowledge::{normalise, tokens};

/// Every problem found; empty means the item passes.
pub fn check(item: &Item) -> Vec<String> {
    check_as(item, false)
}

/// The gate for items an instructor wrote: the same rules, except that they cite references
/// rather than knowledge-base facts, and a numeric key needs no machine-readable calculation (in a
/// case study's parts as well).
pub fn check_authored(item: &Item) -> Vec<String> {
    check_as(item, true)
}

fn check_as(item: &Item, authored: bool) -> Vec<String> {
    let mut problems = Vec::new();
    common(item, &mut problems);
    if authored {
        problems.retain(|problem| problem != "no sources" || item.sources.is_empty());
    }
    match item.item_type {
        ItemType::MultipleChoice => choice(item, 1, 1, &mut problems),
        ItemType::MultipleResponse => {
            choice(item, 2, item.options.len().saturating_sub(1), &mut problems)
        }
        ItemType::OrderedResponse => ordered(item, &mut problems),
        ItemType::Numeric => numeric(item, &mut problems),
        ItemType::Matrix => matrix(item, &mut problems),
        ItemType::DropDownCloze | ItemType::DragDropRationale => slots(item, &mut problems),
        ItemType::Highlight => highlight(item, &mut problems),
        ItemType::BowTie => bow_tie(item, &mut problems),
        ItemType::CaseStudy => case_study(item, authored, &mut problems),
    }
    if authored {
        problems.retain(|problem| problem != "numeric item needs its calculation");
    }
    problems
}

pub fn passes(item: &Item) -> bool {
    check(item).is_empty()
}

fn expected_rule(item_type: ItemType) -> ScoringRule {
    match item_type {
        ItemType::MultipleResponse | ItemType::Highlight => ScoringRule::PlusMinus,
        ItemType::DragDropRationale => ScoringRule::Rationale,
        _ => ScoringRule::ZeroOne,
    }
}

const FORBIDDEN: [&str; 6] = [
    "all of the above",
    "none of the above",
    "all of these",
    "none of these",
    "both a and b",
    "all the above",
];

fn common(item: &Item, problems: &mut Vec<String>) {
    let stem = item.question.trim();
    if stem.len() < 15 {
        problems.push("stem is too short".into());
    }
    let asks = stem.ends_with('?') || stem.ends_with(':') || stem.ends_with('.');
    let instruction = [
        "select",
        "which",
        "what",
        "how",
        "drag",
        "choose",
        "complete",
        "place",
        "highlight",
        "calculate",
        "read the case",
        "arrange",
        "order",
        "for each",
    ]
    .iter()
    .any(|word| stem.to_lowercase().contains(word));
    if !asks || !instruction {
        problems.push("stem must end in a question or a clear instruction".into());
    }
    if item.scoring_rule != expected_rule(item.item_type) {
        problems.push(format!(
            "scoring rule {:?} does not fit {}",
            item.scoring_rule,
            item.item_type.as_str()
        ));
    }
    if item.rationale.trim().len() < 20 {
        problems.push("rationale missing or too short".into());
    }
    if item.sources.is_empty() || item.source_facts.is_empty() {
        problems.push("no sources".into());
    }
    if item.max_points == 0 {
        problems.push("max_points is 0".into());
    }
    for option in item
        .options
        .iter()
        .chain(&item.rows)
        .chain(item.slots.iter().flat_map(|slot| &slot.options))
    {
        let text = normalise(&option.text);
        if text.is_empty() {
            problems.push(format!("option {} is empty", option.id));
        }
        if FORBIDDEN.iter().any(|phrase| text.contains(phrase)) {
            problems.push(format!("option {} uses \"{}\"", option.id, option.text));
        }
    }
    for (id, text) in &item.option_rationales {
        if text.trim().len() < 10 {
            problems.push(format!("rationale for {id} is missing or too short"));
        }
    }
}

fn unique_options(ids: &[&str], texts: &[&str], what: &str, problems: &mut Vec<String>) {
    let distinct_ids: BTreeSet<&&str> = ids.iter().collect();
    if distinct_ids.len() != ids.len() {
        problems.push(format!("{what}: duplicate ids"));
    }
    let distinct_texts: BTreeSet<String> = texts.iter().map(|text| normalise(text)).collect();
    if distinct_texts.len() != texts.len() {
        problems.push(format!("{what}: duplicate texts"));
    }
}

/// The ids and texts of `item.options`, after checking they are unique and each has a rationale.
fn checked_options<'a>(
    item: &'a Item,
    what: &str,
    problems: &mut Vec<String>,
) -> (Vec<&'a str>, Vec<&'a str>) {
    let ids: Vec<&str> = item
        .options
        .iter()
        .map(|option| option.id.as_str())
        .collect();
    let texts: Vec<&str> = item
        .options
        .iter()
        .map(|option| option.text.as_str())
        .collect();
    unique_options(&ids, &texts, what, problems);
    let owned: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    every_option_has_a_rationale(item, &owned, problems);
    (ids, texts)
}

fn every_option_has_a_rationale(item: &Item, ids: &[String], problems: &mut Vec<String>) {
    for id in ids {
        if !item.option_rationales.contains_key(id) {
            problems.push(format!("option {id} has no rationale"));
        }
    }
}

/// Words too common in stems to count as a cue, for the cueing check.
const CUEING_STOP: [&str; 24] = [
    "which",
    "client",
    "nurse",
    "about",
    "would",
    "should",
    "following",
    "their",
    "there",
    "these",
    "those",
    "while",
    "after",
    "before",
    "under",
    "other",
    "being",
    "since",
    "with",
    "from",
    "that",
    "this",
    "into",
    "than",
];

/// Words that carry content, for the cueing check: the knowledge base's tokenizer with words of
/// five or more characters and [`CUEING_STOP`] left out.
fn cue_words(text: &str) -> BTreeSet<String> {
    tokens(text, 5, &CUEING_STOP).into_iter().collect()
}

fn choice(item: &Item, min_keys: usize, max_keys: usize, problems: &mut Vec<String>) {
    if !(3..=8).contains(&item.options.len()) {
        problems.push(format!("{} options; expected 3 to 8", item.options.len()));
    }
    let (ids, texts) = checked_options(item, "options", problems);
    let keys: Vec<String> = match &item.correct_answer {
        Answer::Choice(key) if item.item_type == ItemType::MultipleChoice => vec![key.clone()],
        Answer::Choices(keys) if item.item_type == ItemType::MultipleResponse => keys.clone(),
        _ => {
            problems.push("answer has the wrong shape".into());
            return;
        }
    };
    let distinct: BTreeSet<&String> = keys.iter().collect();
    if distinct.len() != keys.len() || keys.iter().any(|key| !ids.contains(&key.as_str())) {
        problems.push("keys must be distinct option ids".into());
    }
    if keys.len() < min_keys || keys.len() > max_keys {
        problems.push(format!(
            "{} keys; expected {min_keys} to {max_keys}",
            keys.len()
        ));
    }
    if item.item_type == ItemType::MultipleResponse && item.max_points as usize != keys.len() {
        problems.push("max_points must equal the number of keys".into());
    }
    if item.item_type == ItemType::MultipleResponse
        && !item
            .question
            .to_lowercase()
            .contains("select all that apply")
    {
        problems.push("multiple response stem must say \"Select all that apply.\"".into());
    }

    // Homogeneous form and length; the key must not stand out by length.
    let lengths: Vec<usize> = texts.iter().map(|text| text.chars().count()).collect();
    let (shortest, longest) = (
        lengths.iter().copied().min().unwrap_or(0),
        lengths.iter().copied().max().unwrap_or(0),
    );
    let spread = if item.item_type == ItemType::MultipleChoice {
        5
    } else {
        8
    };
    if shortest > 0 && longest > shortest * spread && longest > 40 {
        problems.push(format!(
            "options differ too much in length ({shortest} to {longest} characters)"
        ));
    }
    let is_number = |text: &str| {
        text.split_whitespace().next().is_some_and(|first| {
            first
                .trim_start_matches(['<', '>', '≤', '≥'])
                .replace(',', "")
                .parse::<f64>()
                .is_ok()
        })
    };
    let numeric = texts.iter().filter(|text| is_number(text)).count();
    if numeric != 0 && numeric != texts.len() {
        problems.push("options mix numbers and words".into());
    }
    if item.item_type == ItemType::MultipleChoice {
        let key_index = ids.iter().position(|id| keys.contains(&(*id).to_owned()));
        if let Some(key_index) = key_index {
            let key_length = lengths[key_index];
            let longest_other = lengths
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != key_index)
                .map(|(_, l)| *l)
                .max()
                .unwrap_or(0);
            if longest_other > 0 && key_length > longest_other * 2 && key_length > 30 {
                problems.push("the key is much longer than every distractor".into());
            }
            // The key must not repeat a content word of the stem that no distractor shares.
            let stem_words = cue_words(&item.question);
            let key_words = cue_words(texts[key_index]);
            let distractor_words: BTreeSet<String> = texts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != key_index)
                .flat_map(|(_, t)| cue_words(t))
                .collect();
            let cues: Vec<&String> = key_words
                .intersection(&stem_words)
                .filter(|word| !distractor_words.contains(*word))
                .collect();
            if !cues.is_empty() {
                problems.push(format!(
                    "the key repeats stem words no distractor has: {cues:?}"
                ));
            }
            if outcome_phrased(texts[key_index])
                && texts
                    .iter()
                    .enumerate()
                    .all(|(i, text)| i == key_index || !outcome_phrased(text))
            {
                problems.push("the key is the only option phrased as an outcome".into());
            }
        }
        if item.options.len() != 4 {
            problems.push(format!(
                "multiple choice needs 4 options, not {}",
                item.options.len()
            ));
        }
    }
    for (index, first) in texts.iter().enumerate() {
        for second in &texts[index + 1..] {
            if say_the_same(first, second) {
                problems.push(format!(
                    "options say the same thing: \"{first}\" and \"{second}\""
                ));
            }
        }
    }
}

/// Phrases that state an option as a result reached rather than a thing to do or a finding: a
/// key that alone reads this way among actions ("potassium remains within normal limits") is cued.
const OUTCOME_PHRASES: [&str; 9] = [
    "within normal",
    "remains",
    "stays",
    "unchanged",
    "improved",
    "improves",
    "resolved",
    "returns to",
    "is maintained",
];

fn outcome_phrased(text: &str) -> bool {
    let text = normalise(text);
    OUTCOME_PHRASES.iter().any(|phrase| {
        text.match_indices(phrase).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + phrase.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// Words too common to tell two options apart, for the near-duplicate check.
const DUPLICATE_STOP: [&str; 26] = [
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "as", "by", "is", "be", "do",
    "for", "with", "that", "this", "from", "into", "client", "client's", "per", "any", "it",
];

/// The option's words for the near-duplicate check: whitespace-separated, lowercased, with
/// surrounding punctuation and a plural `s` left off and [`DUPLICATE_STOP`] left out (numbers and
/// two-letter abbreviations such as "QT" and "PR" count).
fn meaning_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c.is_whitespace() || c == '/' || c == '-')
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric() && c != '%')
                .to_lowercase()
        })
        .filter(|word| !word.is_empty() && !DUPLICATE_STOP.contains(&word.as_str()))
        .map(|word| match word.strip_suffix('s') {
            Some(stem) if stem.len() >= 4 && !stem.ends_with('s') => stem.to_owned(),
            _ => word,
        })
        .collect()
}

/// Two options that say the same thing: the same words in another order or form, or one that
/// only adds a word to the other ("keep sodium intake consistent" and "keep sodium intake
/// normal and consistent").
fn say_the_same(first: &str, second: &str) -> bool {
    let (a, b) = (meaning_words(first), meaning_words(second));
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return false;
    }
    if small == large {
        return true;
    }
    // One added qualifier, unless it turns the option around ("do not ...", "avoid ...") or
    // names something else (a number or code: "0.45% sodium chloride", "D5 0.45% ...").
    let added: Vec<&String> = large.difference(&small).collect();
    small.len() >= 3
        && added.len() == 1
        && small.is_subset(&large)
        && added[0].len() >= 4
        && added[0].chars().all(char::is_alphabetic)
        && ![
            "not", "avoid", "never", "without", "withhold", "hold", "stop", "except",
        ]
        .contains(&added[0].as_str())
}

fn ordered(item: &Item, problems: &mut Vec<String>) {
    let (ids, _) = checked_options(item, "options", problems);
    if !(3..=7).contains(&ids.len()) {
        problems.push("ordered response needs 3 to 7 steps".into());
    }
    match &item.correct_answer {
        Answer::Choices(order) => {
            let mut sorted: Vec<&str> = order.iter().map(String::as_str).collect();
            sorted.sort_unstable();
            let mut expected = ids.clone();
            expected.sort_unstable();
            if sorted != expected {
                problems.push("the order must use every option exactly once".into());
            }
        }
        _ => problems.push("answer has the wrong shape".into()),
    }
}

/// Redoes a calculation its own way (not the item model's code).
pub fn recompute(calculation: &Calculation) -> f64 {
    let round = |value: f64, decimals: u32| {
        let factor = 10f64.powi(decimals as i32);
        (value * factor).round() / factor
    };
    match *calculation {
        Calculation::DesiredOverHave {
            desired,
            have,
            quantity,
            decimals,
        } => round(desired * quantity / have, decimals),
        Calculation::DripRate {
            volume_ml,
            drop_factor,
            minutes,
            decimals,
        } => round(volume_ml / minutes * drop_factor, decimals),
        Calculation::PumpRate {
            volume_ml,
            hours,
            decimals,
        } => round(volume_ml / hours, decimals),
        Calculation::WeightBasedInfusion {
            mcg_per_kg_min,
            weight_kg,
            concentration_mcg_ml,
            decimals,
        } => round(
            mcg_per_kg_min * 60.0 * weight_kg / concentration_mcg_ml,
            decimals,
        ),
        Calculation::WeightBasedDose {
            mg_per_kg,
            weight_kg,
            pounds,
            decimals,
        } => {
            let kg = pounds.map_or(weight_kg, |lb| round(lb / 2.2, 1));
            round(kg * mg_per_kg, decimals)
        }
        Calculation::MaintenanceFluids {
            weight_kg,
            decimals,
        } => {
            let first = weight_kg.min(10.0) * 100.0;
            let second = (weight_kg.min(20.0) - 10.0).max(0.0) * 50.0;
            let rest = (weight_kg - 20.0).max(0.0) * 20.0;
            round(first + second + rest, decimals)
        }
        Calculation::ParklandFirstEight {
            weight_kg,
            tbsa_percent,
            decimals,
        } => round(weight_kg * tbsa_percent * 2.0, decimals),
        Calculation::Conversion {
            value,
            factor,
            decimals,
        } => round(value * factor, decimals),
    }
}

fn numeric(item: &Item, problems: &mut Vec<String>) {
    let Answer::Number(key) = item.correct_answer else {
        problems.push("answer has the wrong shape".into());
        return;
    };
    if !key.is_finite() || key <= 0.0 {
        problems.push("numeric key must be a positive number".into());
    }
    if item.units.as_deref().is_none_or(str::is_empty) {
        problems.push("numeric item needs units".into());
    }
    let tolerance = item.tolerance.unwrap_or(-1.0);
    if !(0.0..=key.abs()).contains(&tolerance) {
        problems.push("tolerance must be between 0 and the key".into());
    }
    match &item.calculation {
        Some(calculation) => {
            let again = recompute(calculation);
            if (again - key).abs() > 1e-9 {
                problems.push(format!(
                    "numeric key {key} does not match the recomputed {again}"
                ));
            }
        }
        None => problems.push("numeric item needs its calculation".into()),
    }
}

fn matrix(item: &Item, problems: &mut Vec<String>) {
    let row_ids: Vec<&str> = item.rows.iter().map(|row| row.id.as_str()).collect();
    let row_texts: Vec<&str> = item.rows.iter().map(|row| row.text.as_str()).collect();
    unique_options(&row_ids, &row_texts, "rows", problems);
    let column_ids: Vec<&str> = item
        .columns
        .iter()
        .map(|column| column.id.as_str())
        .collect();
    let column_texts: Vec<&str> = item
        .columns
        .iter()
        .map(|column| column.text.as_str())
        .collect();
    unique_options(&column_ids, &column_texts, "columns", problems);
    every_option_has_a_rationale(
        item,
        &item.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        problems,
    );
    if !(3..=8).contains(&item.rows.len()) || !(2..=4).contains(&item.columns.len()) {
        problems.push("matrix needs 3 to 8 rows and 2 to 4 columns".into());
    }
    let Answer::Keyed(answer) = &item.correct_answer else {
        problems.push("answer has the wrong shape".into());
        return;
    };
    for row in &row_ids {
        match answer.get(*row).and_then(|value| value.as_str()) {
            Some(column) if column_ids.contains(&column) => {}
            _ => problems.push(format!("row {row} has no valid key")),
        }
    }
    let used: BTreeSet<&str> = answer.values().filter_map(|value| value.as_str()).collect();
    if used.len() < 2 {
        problems.push("every row has the same answer".into());
    }
    if item.max_points as usize != item.rows.len() {
        problems.push("max_points must equal the number of rows".into());
    }
}

fn slots(item: &Item, problems: &mut Vec<String>) {
    let template = item.template.clone().unwrap_or_default();
    let Answer::Keyed(answer) = &item.correct_answer else {
        problems.push("answer has the wrong shape".into());
        return;
    };
    if item.slots.is_empty() {
        problems.push("no slots".into());
    }
    for slot in &item.slots {
        if !template.contains(&format!("{{{{{}}}}}", slot.id)) {
            problems.push(format!("template has no placeholder for slot {}", slot.id));
        }
        let ids: Vec<&str> = slot
            .options
            .iter()
            .map(|option| option.id.as_str())
            .collect();
        let texts: Vec<&str> = slot
            .options
            .iter()
            .map(|option| option.text.as_str())
            .collect();
        unique_options(&ids, &texts, &format!("slot {}", slot.id), problems);
        if !(3..=6).contains(&ids.len()) {
            problems.push(format!("slot {} needs 3 to 6 options", slot.id));
        }
        for id in &ids {
            if !item
                .option_rationales
                .contains_key(&format!("{}.{id}", slot.id))
            {
                problems.push(format!("option {}.{id} has no rationale", slot.id));
            }
        }
        match answer.get(&slot.id).and_then(|value| value.as_str()) {
            Some(key) if ids.contains(&key) => {}
            _ => problems.push(format!("slot {} has no valid key", slot.id)),
        }
    }
    let expected_points = match item.item_type {
        ItemType::DragDropRationale if item.slots.len() >= 3 => 2,
        ItemType::DragDropRationale => 1,
        _ => item.slots.len() as u32,
    };
    if item.item_type == ItemType::DragDropRationale && !(2..=3).contains(&item.slots.len()) {
        problems.push("drag-and-drop rationale is a dyad (2 slots) or a triad (3 slots)".into());
    }
    if item.max_points != expected_points {
        problems.push(format!("max_points must be {expected_points}"));
    }
}

fn highlight(item: &Item, problems: &mut Vec<String>) {
    let (ids, _) = checked_options(item, "segments", problems);
    match &item.correct_answer {
        Answer::Choices(keys) => {
            if keys.is_empty()
                || keys.len() >= ids.len()
                || keys.iter().any(|key| !ids.contains(&key.as_str()))
            {
                problems.push(
                    "highlight needs at least one key and at least one segment that is not".into(),
                );
            }
            if item.max_points as usize != keys.len() {
                problems.push("max_points must equal the number of keys".into());
            }
        }
        _ => problems.push("answer has the wrong shape".into()),
    }
    if ids.len() < 5 {
        problems.push("highlight needs at least 5 segments".into());
    }
}

fn bow_tie(item: &Item, problems: &mut Vec<String>) {
    checked_options(item, "options", problems);
    let well = |name: &str| item.wells.get(name).cloned().unwrap_or_default();
    let (conditions, actions, parameters) =
        (well("conditions"), well("actions"), well("parameters"));
    if conditions.len() < 3 || actions.len() < 4 || parameters.len() < 4 {
        problems
            .push("bow-tie wells need at least 3 conditions, 4 actions and 4 parameters".into());
    }
    match &item.correct_answer {
        Answer::BowTie {
            condition,
            actions: chosen_actions,
            parameters: chosen_parameters,
        } => {
            let distinct =
                |list: &[String]| list.iter().collect::<BTreeSet<_>>().len() == list.len();
            if !conditions.contains(condition) {
                problems.push("condition key is not in the conditions well".into());
            }
            if chosen_actions.len() != 2
                || !distinct(chosen_actions)
                || chosen_actions.iter().any(|a| !actions.contains(a))
            {
                problems.push("bow-tie needs 2 distinct action keys from the actions well".into());
            }
            if chosen_parameters.len() != 2
                || !distinct(chosen_parameters)
                || chosen_parameters.iter().any(|p| !parameters.contains(p))
            {
                problems.push(
                    "bow-tie needs 2 distinct parameter keys from the parameters well".into(),
                );
            }
        }
        _ => problems.push("answer has the wrong shape".into()),
    }
    if item.max_points != 5 {
        problems.push("bow-tie is worth 5 points".into());
    }
}

fn case_study(item: &Item, authored: bool, problems: &mut Vec<String>) {
    if item.items.len() != 6 {
        problems.push(format!(
            "a case study has 6 items, not {}",
            item.items.len()
        ));
    }
    let functions: Vec<NcjmmFunction> = item
        .items
        .iter()
        .map(|inner| inner.ncjmm_function)
        .collect();
    if functions != NcjmmFunction::ALL {
        problems.push("case study items must follow the six NCJMM functions in order".into());
    }
    if item
        .scenario
        .as_deref()
        .is_none_or(|scenario| scenario.len() < 40)
    {
        problems.push("case study needs a scenario".into());
    }
    for (index, inner) in item.items.iter().enumerate() {
        if inner.item_type == ItemType::CaseStudy {
            problems.push("case studies do not nest".into());
        }
        if index > 0 && inner.exhibit.is_none() {
            problems.push(format!("item {} reveals no new data", index + 1));
        }
        for problem in check_as(inner, authored) {
            problems.push(format!("item {}: {problem}", index + 1));
        }
    }
    if item.max_points != item.items.iter().map(|inner| inner.max_points).sum::<u32>() {
        problems.push("max_points must be the sum of the items' points".into());
    }
}

/// One test per rule: a generated item that passes, changed to break that one rule, is rejected
/// with the rule's own message.
#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::super::catalog::Catalog;
    use super::super::{ChoiceOption, ScoringRule};
    use super::*;
    use crate::domain::knowledge::load_embedded_for_tests;

    /// A generated item of each type, each passing the gate.
    fn sample(kind: ItemType) -> Item {
        static SAMPLES: OnceLock<Vec<Item>> = OnceLock::new();
        let samples = SAMPLES.get_or_init(|| {
            let kb = load_embedded_for_tests();
            let catalog = Catalog::builtin(&kb);
            ItemType::ALL
                .into_iter()
                .filter_map(|kind| {
                    catalog
                        .models()
                        .enumerate()
                        .filter(|(_, model)| model.item_type() == kind)
                        .flat_map(|(index, _)| (0..20).map(move |seed| (index, seed)))
                        .find_map(|(index, seed)| catalog.generate(&kb, index, seed))
                })
                .collect()
        });
        samples
            .iter()
            .find(|item| item.item_type == kind)
            .unwrap_or_else(|| panic!("no generated {kind:?} item"))
            .clone()
    }

    /// `kind`'s sample passes; changed by `change`, the gate names `expected` among its problems.
    fn rejects(kind: ItemType, expected: &str, change: impl FnOnce(&mut Item)) {
        let mut item = sample(kind);
        assert_eq!(check(&item), Vec::<String>::new(), "the sample must pass");
        change(&mut item);
        let problems = check(&item);
        assert!(
            problems.iter().any(|problem| problem.contains(expected)),
            "{kind:?}: expected \"{expected}\" among {problems:?}"
        );
    }

    fn key(item: &Item) -> String {
        match &item.correct_answer {
            Answer::Choice(key) => key.clone(),
            Answer::Choices(keys) => keys[0].clone(),
            other => panic!("no single key in {other:?}"),
        }
    }

    fn distractor_index(item: &Item) -> usize {
        let key = key(item);
        item.options
            .iter()
            .position(|option| option.id != key)
            .unwrap()
    }

    fn keyed(item: &mut Item) -> &mut BTreeMap<String, serde_json::Value> {
        match &mut item.correct_answer {
            Answer::Keyed(map) => map,
            other => panic!("not keyed: {other:?}"),
        }
    }

    use std::collections::BTreeMap;

    const MC: ItemType = ItemType::MultipleChoice;
    const SATA: ItemType = ItemType::MultipleResponse;

    #[test]
    fn a_short_stem_is_rejected() {
        rejects(MC, "stem is too short", |item| {
            item.question = "Which one?".into()
        });
    }

    #[test]
    fn a_stem_that_asks_nothing_is_rejected() {
        rejects(
            MC,
            "stem must end in a question or a clear instruction",
            |item| item.question = "The client has had a fever and a cough since Monday".into(),
        );
    }

    #[test]
    fn a_scoring_rule_that_does_not_fit_the_type_is_rejected() {
        rejects(MC, "does not fit multiple_choice", |item| {
            item.scoring_rule = ScoringRule::PlusMinus
        });
        rejects(SATA, "does not fit multiple_response", |item| {
            item.scoring_rule = ScoringRule::ZeroOne
        });
    }

    #[test]
    fn a_missing_rationale_is_rejected() {
        rejects(MC, "rationale missing or too short", |item| {
            item.rationale = "Because.".into()
        });
    }

    #[test]
    fn an_item_without_sources_is_rejected_generated_or_authored() {
        rejects(MC, "no sources", |item| item.sources.clear());
        rejects(MC, "no sources", |item| item.source_facts.clear());
        let mut authored = sample(MC);
        authored.source_facts.clear();
        assert!(
            check_authored(&authored).is_empty(),
            "authored items cite references"
        );
        authored.sources.clear();
        assert!(check_authored(&authored).contains(&"no sources".to_owned()));
    }

    #[test]
    fn an_authored_case_study_cites_references_in_its_parts() {
        let mut authored = sample(ItemType::CaseStudy);
        authored.source_facts.clear();
        for part in &mut authored.items {
            part.source_facts.clear();
            part.calculation = None;
        }
        assert!(
            check(&authored)
                .iter()
                .any(|problem| problem == "item 1: no sources"),
            "a generated case study's parts rest on facts"
        );
        assert_eq!(check_authored(&authored), Vec::<String>::new());
        authored.items[2].sources.clear();
        assert!(check_authored(&authored).contains(&"item 3: no sources".to_owned()));
    }

    #[test]
    fn an_item_worth_no_points_is_rejected() {
        rejects(MC, "max_points is 0", |item| item.max_points = 0);
    }

    #[test]
    fn an_empty_option_is_rejected() {
        rejects(MC, "is empty", |item| {
            let index = distractor_index(item);
            item.options[index].text = "  ".into();
        });
    }

    #[test]
    fn all_or_none_of_the_above_is_rejected_in_every_phrasing() {
        for phrase in FORBIDDEN {
            rejects(MC, "uses \"", |item| {
                let index = distractor_index(item);
                item.options[index].text = format!("{phrase}.");
            });
        }
    }

    #[test]
    fn an_option_rationale_that_says_nothing_is_rejected() {
        rejects(MC, "is missing or too short", |item| {
            let id = item.options[0].id.clone();
            item.option_rationales.insert(id, "No.".into());
        });
    }

    #[test]
    fn too_few_or_too_many_options_are_rejected() {
        rejects(MC, "options; expected 3 to 8", |item| {
            let key = key(item);
            item.options.retain(|option| option.id == key);
            let copy = ChoiceOption {
                id: "Z".into(),
                text: "Another option entirely".into(),
            };
            item.option_rationales
                .insert("Z".into(), "A rationale long enough.".into());
            item.options.push(copy);
        });
        rejects(MC, "9 options; expected 3 to 8", |item| {
            for index in 0..9 - item.options.len() {
                let id = format!("Z{index}");
                item.option_rationales
                    .insert(id.clone(), "A rationale long enough.".into());
                item.options.push(ChoiceOption {
                    id,
                    text: format!("Distinct option number {index}"),
                });
            }
        });
    }

    #[test]
    fn multiple_choice_with_other_than_four_options_is_rejected() {
        rejects(MC, "multiple choice needs 4 options, not 3", |item| {
            let index = distractor_index(item);
            let id = item.options.remove(index).id;
            item.option_rationales.remove(&id);
        });
        rejects(MC, "multiple choice needs 4 options, not 5", |item| {
            item.option_rationales
                .insert("Z".into(), "A rationale long enough.".into());
            item.options.push(ChoiceOption {
                id: "Z".into(),
                text: "Another option entirely".into(),
            });
        });
    }

    #[test]
    fn two_options_that_say_the_same_thing_are_rejected() {
        // The lithium example: one option only adds a word to another.
        rejects(MC, "options say the same thing", |item| {
            let key = key(item);
            let mut distractors = item.options.iter_mut().filter(|option| option.id != key);
            if let (Some(first), Some(second)) = (distractors.next(), distractors.next()) {
                first.text = "Keep sodium intake consistent".into();
                second.text = "Keep sodium intake normal and consistent".into();
            }
        });
        // The same words in another order or number.
        rejects(SATA, "options say the same thing", |item| {
            item.options[0].text = "Monitor the serum potassium level".into();
            item.options[1].text = "Serum potassium levels: monitor".into();
        });
    }

    #[test]
    fn options_that_differ_by_a_negation_or_a_number_are_not_the_same() {
        assert!(!say_the_same(
            "Check the apical pulse first",
            "Do not check the apical pulse first"
        ));
        assert!(!say_the_same(
            "0.45% sodium chloride",
            "D5 0.45% sodium chloride"
        ));
        assert!(!say_the_same("12 months", "4 months"));
        assert!(!say_the_same(
            "Prolonged QT interval",
            "Prolonged PR interval"
        ));
    }

    #[test]
    fn a_key_that_alone_is_phrased_as_an_outcome_is_rejected() {
        rejects(
            MC,
            "the key is the only option phrased as an outcome",
            |item| {
                let key = key(item);
                let mut others = ["Walk", "Sing", "Read", "Knit"].into_iter();
                for option in &mut item.options {
                    option.text = if option.id == key {
                        "Serum sodium remains within normal limits".into()
                    } else {
                        format!("{} with the client", others.next().unwrap_or("Rest"))
                    };
                }
            },
        );
        // What counts as outcome phrasing: a result reached, not a word such as "normal saline".
        assert!(outcome_phrased("Potassium remains stable"));
        assert!(!outcome_phrased(
            "Instill normal saline before each suction pass"
        ));
        assert!(!outcome_phrased("Ambulate a stable client"));
    }

    #[test]
    fn duplicate_option_ids_or_texts_are_rejected() {
        rejects(MC, "options: duplicate ids", |item| {
            item.options[1].id = item.options[0].id.clone()
        });
        rejects(MC, "options: duplicate texts", |item| {
            item.options[1].text = item.options[0].text.to_uppercase()
        });
    }

    #[test]
    fn an_option_without_a_rationale_is_rejected() {
        rejects(MC, "has no rationale", |item| {
            let id = item.options[0].id.clone();
            item.option_rationales.remove(&id);
        });
    }

    #[test]
    fn an_answer_of_the_wrong_shape_is_rejected_for_every_type() {
        for kind in ItemType::ALL {
            if kind == ItemType::CaseStudy {
                continue;
            }
            rejects(kind, "answer has the wrong shape", |item| {
                item.correct_answer = match item.correct_answer {
                    Answer::Number(_) => Answer::Choice("A".into()),
                    _ => Answer::Number(1.0),
                }
            });
        }
    }

    #[test]
    fn a_key_that_is_no_option_is_rejected() {
        rejects(MC, "keys must be distinct option ids", |item| {
            item.correct_answer = Answer::Choice("Z".into())
        });
        rejects(SATA, "keys must be distinct option ids", |item| {
            let first = key(item);
            item.correct_answer = Answer::Choices(vec![first.clone(), first]);
        });
    }

    #[test]
    fn select_all_with_one_key_or_every_option_keyed_is_rejected() {
        rejects(SATA, "keys; expected 2 to", |item| {
            item.correct_answer = Answer::Choices(vec![key(item)]);
            item.max_points = 1;
        });
        rejects(SATA, "keys; expected 2 to", |item| {
            let all: Vec<String> = item
                .options
                .iter()
                .map(|option| option.id.clone())
                .collect();
            item.max_points = all.len() as u32;
            item.correct_answer = Answer::Choices(all);
        });
    }

    #[test]
    fn select_all_points_that_differ_from_the_keys_are_rejected() {
        rejects(SATA, "max_points must equal the number of keys", |item| {
            item.max_points += 1
        });
    }

    #[test]
    fn select_all_without_saying_so_is_rejected() {
        rejects(SATA, "must say \"Select all that apply.\"", |item| {
            item.question = "Which findings should the nurse expect in this client?".into()
        });
    }

    #[test]
    fn options_of_very_different_lengths_are_rejected() {
        rejects(MC, "options differ too much in length", |item| {
            let index = distractor_index(item);
            item.options[index].text = "Rest".into();
            let other = (0..item.options.len())
                .find(|&other| other != index && item.options[other].id != key(item))
                .unwrap();
            item.options[other].text =
                "Teach the client to keep a daily written record of every symptom, meal and dose taken"
                    .into();
        });
    }

    #[test]
    fn options_mixing_numbers_and_words_are_rejected() {
        rejects(MC, "options mix numbers and words", |item| {
            let index = distractor_index(item);
            item.options[index].text = "12 mg".into();
        });
    }

    #[test]
    fn a_key_much_longer_than_every_distractor_is_rejected() {
        rejects(MC, "the key is much longer than every distractor", |item| {
            let key = key(item);
            for (index, option) in item.options.iter_mut().enumerate() {
                option.text = if option.id == key {
                    "Obtain a complete set of vital signs and notify the provider".into()
                } else {
                    ["Walk", "Sing", "Read", "Sleep", "Knit"][index % 5].into()
                };
            }
        });
    }

    #[test]
    fn a_key_cued_by_a_stem_word_no_distractor_has_is_rejected() {
        rejects(MC, "the key repeats stem words no distractor has", |item| {
            let key = key(item);
            item.question = "Which xylophonic approach should the nurse take first?".into();
            for option in &mut item.options {
                if option.id == key {
                    option.text = "Xylophonic approach".into();
                }
            }
        });
    }

    #[test]
    fn an_order_of_too_few_steps_or_with_a_step_twice_is_rejected() {
        let kind = ItemType::OrderedResponse;
        rejects(kind, "ordered response needs 3 to 7 steps", |item| {
            item.options.truncate(2);
            let ids = item
                .options
                .iter()
                .map(|option| option.id.clone())
                .collect();
            item.correct_answer = Answer::Choices(ids);
        });
        rejects(
            kind,
            "the order must use every option exactly once",
            |item| {
                if let Answer::Choices(order) = &mut item.correct_answer {
                    order[1] = order[0].clone();
                }
            },
        );
    }

    #[test]
    fn a_numeric_key_that_is_not_positive_or_not_recomputed_is_rejected() {
        let kind = ItemType::Numeric;
        rejects(kind, "numeric key must be a positive number", |item| {
            item.correct_answer = Answer::Number(-1.0)
        });
        rejects(kind, "does not match the recomputed", |item| {
            if let Answer::Number(key) = &mut item.correct_answer {
                *key += 1.0;
            }
        });
        rejects(kind, "numeric item needs its calculation", |item| {
            item.calculation = None
        });
        let mut authored = sample(kind);
        authored.calculation = None;
        assert!(
            check_authored(&authored).is_empty(),
            "authored numeric items need no calculation"
        );
    }

    #[test]
    fn a_numeric_item_without_units_or_with_a_bad_tolerance_is_rejected() {
        let kind = ItemType::Numeric;
        rejects(kind, "numeric item needs units", |item| item.units = None);
        rejects(kind, "tolerance must be between 0 and the key", |item| {
            item.tolerance = Some(-0.5)
        });
        rejects(kind, "tolerance must be between 0 and the key", |item| {
            item.tolerance = None
        });
    }

    #[test]
    fn a_matrix_with_duplicate_rows_or_columns_is_rejected() {
        let kind = ItemType::Matrix;
        rejects(kind, "rows: duplicate texts", |item| {
            item.rows[1].text = item.rows[0].text.clone()
        });
        rejects(kind, "columns: duplicate ids", |item| {
            item.columns[1].id = item.columns[0].id.clone()
        });
        rejects(kind, "has no rationale", |item| {
            let id = item.rows[0].id.clone();
            item.option_rationales.remove(&id);
        });
    }

    #[test]
    fn a_matrix_of_the_wrong_size_is_rejected() {
        rejects(ItemType::Matrix, "matrix needs 3 to 8 rows", |item| {
            item.rows.truncate(2)
        });
    }

    #[test]
    fn a_matrix_row_without_a_valid_key_is_rejected() {
        rejects(ItemType::Matrix, "has no valid key", |item| {
            let row = item.rows[0].id.clone();
            keyed(item).insert(row, serde_json::json!("no such column"));
        });
    }

    #[test]
    fn a_matrix_whose_rows_all_have_the_same_answer_is_rejected() {
        rejects(ItemType::Matrix, "every row has the same answer", |item| {
            let column = serde_json::json!(item.columns[0].id);
            for value in keyed(item).values_mut() {
                *value = column.clone();
            }
        });
    }

    #[test]
    fn a_matrix_worth_other_than_one_point_a_row_is_rejected() {
        rejects(
            ItemType::Matrix,
            "max_points must equal the number of rows",
            |item| item.max_points += 1,
        );
    }

    #[test]
    fn a_slot_without_a_placeholder_options_or_key_is_rejected() {
        for kind in [ItemType::DropDownCloze, ItemType::DragDropRationale] {
            rejects(kind, "template has no placeholder for slot", |item| {
                item.template = Some("A template without any placeholder.".into())
            });
            rejects(kind, "needs 3 to 6 options", |item| {
                item.slots[0].options.truncate(2)
            });
            rejects(kind, "has no valid key", |item| {
                let slot = item.slots[0].id.clone();
                keyed(item).insert(slot, serde_json::json!("no such option"));
            });
            rejects(kind, "has no rationale", |item| {
                let id = format!("{}.{}", item.slots[0].id, item.slots[0].options[0].id);
                item.option_rationales.remove(&id);
            });
            rejects(kind, "duplicate texts", |item| {
                item.slots[0].options[1].text = item.slots[0].options[0].text.clone()
            });
            rejects(kind, "no slots", |item| item.slots.clear());
            rejects(kind, "max_points must be", |item| item.max_points += 1);
        }
    }

    #[test]
    fn a_drag_and_drop_rationale_that_is_no_dyad_or_triad_is_rejected() {
        rejects(
            ItemType::DragDropRationale,
            "is a dyad (2 slots) or a triad (3 slots)",
            |item| item.slots.truncate(1),
        );
    }

    #[test]
    fn a_highlight_with_every_or_no_segment_keyed_or_too_few_segments_is_rejected() {
        let kind = ItemType::Highlight;
        let message = "highlight needs at least one key and at least one segment that is not";
        rejects(kind, message, |item| {
            let all: Vec<String> = item
                .options
                .iter()
                .map(|option| option.id.clone())
                .collect();
            item.max_points = all.len() as u32;
            item.correct_answer = Answer::Choices(all);
        });
        rejects(kind, message, |item| {
            item.max_points = 0;
            item.correct_answer = Answer::Choices(Vec::new());
        });
        rejects(kind, "max_points must equal the number of keys", |item| {
            item.max_points += 1
        });
        rejects(kind, "highlight needs at least 5 segments", |item| {
            let key = key(item);
            let keep: Vec<ChoiceOption> = item
                .options
                .iter()
                .filter(|option| option.id == key)
                .chain(
                    item.options
                        .iter()
                        .filter(|option| option.id != key)
                        .take(3),
                )
                .cloned()
                .collect();
            item.options = keep;
            item.max_points = 1;
            item.correct_answer = Answer::Choices(vec![key]);
        });
    }

    #[test]
    fn a_bow_tie_with_thin_wells_or_keys_outside_them_is_rejected() {
        let kind = ItemType::BowTie;
        rejects(
            kind,
            "wells need at least 3 conditions, 4 actions and 4 parameters",
            |item| {
                if let Some(conditions) = item.wells.get_mut("conditions") {
                    conditions.truncate(2);
                }
            },
        );
        rejects(
            kind,
            "condition key is not in the conditions well",
            |item| {
                if let Answer::BowTie { condition, .. } = &mut item.correct_answer {
                    *condition = "no such condition".into();
                }
            },
        );
        rejects(kind, "2 distinct action keys", |item| {
            if let Answer::BowTie { actions, .. } = &mut item.correct_answer {
                actions[1] = actions[0].clone();
            }
        });
        rejects(kind, "2 distinct parameter keys", |item| {
            if let Answer::BowTie { parameters, .. } = &mut item.correct_answer {
                parameters.pop();
            }
        });
        rejects(kind, "bow-tie is worth 5 points", |item| {
            item.max_points = 4
        });
    }

    #[test]
    fn a_case_study_out_of_shape_is_rejected() {
        let kind = ItemType::CaseStudy;
        rejects(kind, "a case study has 6 items, not 5", |item| {
            item.items.pop();
        });
        rejects(
            kind,
            "must follow the six NCJMM functions in order",
            |item| item.items.swap(0, 1),
        );
        rejects(kind, "case study needs a scenario", |item| {
            item.scenario = None
        });
        rejects(kind, "case studies do not nest", |item| {
            item.items[1].item_type = ItemType::CaseStudy
        });
        rejects(kind, "item 3 reveals no new data", |item| {
            item.items[2].exhibit = None
        });
        rejects(kind, "item 1: rationale missing or too short", |item| {
            item.items[0].rationale = "Short.".into()
        });
        rejects(
            kind,
            "max_points must be the sum of the items' points",
            |item| item.max_points += 1,
        );
    }
}
