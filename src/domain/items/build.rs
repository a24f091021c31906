//! Builders that assemble items of each type from an item model's parts (key, distractors, their
//! rationales and source facts), assign option ids, shuffle with the seed, and fill in the sources.
//! Item models describe content; these functions own the shapes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use super::rng::Rng;
use super::spec::Aacn;
use super::{
    Answer, Calculation, ChoiceOption, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen,
    ScoringRule, Slot, SourceRef,
};
use crate::domain::knowledge::{Fact, KnowledgeBase};

/// What an item model says about every item it makes.
#[derive(Debug, Clone)]
pub struct Meta {
    pub model: &'static str,
    pub client_need: ClientNeed,
    pub ncjmm: NcjmmFunction,
    /// AACN Essentials competency, e.g. "2.4".
    pub aacn: Aacn,
    pub qsen: Qsen,
    pub difficulty: Difficulty,
    /// The case's subject, e.g. "warfarin", "heart failure".
    pub topic: String,
}

/// One answer option with its rationale and the facts behind it.
#[derive(Debug, Clone)]
pub struct Opt {
    pub text: String,
    pub rationale: String,
    pub facts: Vec<String>,
}

impl Opt {
    pub fn new(text: impl Into<String>, rationale: impl Into<String>, facts: &[&Fact]) -> Opt {
        Opt {
            text: text.into(),
            rationale: rationale.into(),
            facts: facts.iter().map(|fact| fact.id.clone()).collect(),
        }
    }
}

const LETTERS: [&str; 12] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"];

fn letter(index: usize) -> String {
    LETTERS
        .get(index)
        .map_or_else(|| format!("O{index}"), |letter| (*letter).to_owned())
}

/// An item with the common fields filled and the type-specific ones empty.
fn base(
    meta: &Meta,
    seed: u64,
    item_type: ItemType,
    scoring_rule: ScoringRule,
    question: String,
) -> Item {
    Item {
        id: format!("{}-{seed:016x}", meta.model),
        item_type,
        question,
        options: Vec::new(),
        correct_answer: Answer::Choices(Vec::new()),
        scoring_rule,
        max_points: 1,
        rationale: String::new(),
        option_rationales: BTreeMap::new(),
        client_need: meta.client_need,
        ncjmm_function: meta.ncjmm,
        aacn_competency: meta.aacn.to_string(),
        qsen_competency: meta.qsen,
        difficulty: meta.difficulty,
        topic: meta.topic.clone(),
        sources: Vec::new(),
        source_facts: Vec::new(),
        item_model: meta.model.to_owned(),
        seed,
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

/// Records the facts and resolves their references.
fn finish(
    mut item: Item,
    kb: &KnowledgeBase,
    rationale: String,
    facts: impl IntoIterator<Item = String>,
) -> Item {
    let facts: BTreeSet<String> = facts.into_iter().collect();
    let mut source_ids = BTreeSet::new();
    for id in &facts {
        if let Some(fact) = kb.fact(id) {
            source_ids.insert(fact.source.clone());
        }
    }
    item.sources = source_ids
        .into_iter()
        .filter_map(|id| {
            kb.source(&id).map(|source| SourceRef {
                citation: source.citation(),
                id,
            })
        })
        .collect();
    item.source_facts = facts.into_iter().collect();
    item.rationale = rationale;
    polish_item(&mut item);
    item
}

/// Spellings the knowledge base stores in lowercase (its canonical form) but a reader expects
/// capitalised: acronyms and eponyms.
const DISPLAY: &[(&str, &str)] = &[
    ("hellp", "HELLP"),
    ("hiv", "HIV"),
    ("rsv", "RSV"),
    ("nph", "NPH"),
    ("inr", "INR"),
    ("hdl", "HDL"),
    ("ldl", "LDL"),
    ("paco2", "PaCO2"),
    ("pao2", "PaO2"),
    ("sao2", "SaO2"),
    ("spo2", "SpO2"),
    ("tsh", "TSH"),
    ("bnp", "BNP"),
    ("ecg", "ECG"),
    ("ekg", "EKG"),
    ("dvt", "DVT"),
    ("copd", "COPD"),
    ("ards", "ARDS"),
    ("uap", "UAP"),
    ("lpn", "LPN"),
    ("mrsa", "MRSA"),
    ("vre", "VRE"),
    ("icu", "ICU"),
    ("iv", "IV"),
    ("aptt", "aPTT"),
    ("parkinson", "Parkinson"),
    ("addison", "Addison"),
    ("cushing", "Cushing"),
    ("crohn", "Crohn"),
    ("guillain-barre", "Guillain-Barré"),
    ("kawasaki", "Kawasaki"),
    ("hirschsprung", "Hirschsprung"),
    ("wilms", "Wilms"),
    ("fallot", "Fallot"),
    ("trousseau", "Trousseau"),
    ("chvostek", "Chvostek"),
    ("kussmaul", "Kussmaul"),
    ("naegele", "Naegele"),
    ("apgar", "Apgar"),
    ("erikson", "Erikson"),
    ("piaget", "Piaget"),
    ("maslow", "Maslow"),
    ("clostridioides", "Clostridioides"),
    ("c. difficile", "C. difficile"),
    ("n. meningitidis", "N. meningitidis"),
];

/// Applies [`DISPLAY`] at word boundaries, matching each spelling as stored or with its first
/// letter capitalised (sentence start).
///
/// One pass over the text: every item runs every text through this, so it must not rescan the
/// text once per spelling. All `DISPLAY` spellings are ASCII and lowercase.
pub fn polish(text: &str) -> String {
    let bytes = text.as_bytes();
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut position = 0;
    while position < bytes.len() {
        let byte = bytes[position];
        let at_word_start =
            byte.is_ascii_alphabetic() && boundary(text[..position].chars().next_back());
        if at_word_start
            && let Some((from, to)) = display_match(&bytes[position..])
            && boundary(text[position + from.len()..].chars().next())
        {
            let end = position + from.len();
            let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 8));
            out.push_str(&text[copied..position]);
            out.push_str(to);
            copied = end;
            position = end;
            continue;
        }
        position += 1;
    }
    match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            out
        }
        None => text.to_owned(),
    }
}

/// [`DISPLAY`] by first letter, longest spelling first.
static DISPLAY_BY_LETTER: LazyLock<[Vec<(&'static str, &'static str)>; 26]> = LazyLock::new(|| {
    let mut table: [Vec<(&'static str, &'static str)>; 26] = Default::default();
    for &(from, to) in DISPLAY {
        if let Some(slot) = from
            .bytes()
            .next()
            .and_then(|first| table.get_mut(usize::from(first.wrapping_sub(b'a'))))
        {
            slot.push((from, to));
        }
    }
    for slot in &mut table {
        slot.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    }
    table
});

/// The longest [`DISPLAY`] spelling that `rest` starts with (first letter in either case).
fn display_match(rest: &[u8]) -> Option<(&'static str, &'static str)> {
    let first = rest.first()?.to_ascii_lowercase();
    DISPLAY_BY_LETTER
        .get(usize::from(first.wrapping_sub(b'a')))?
        .iter()
        .find(|(from, _)| {
            let from = from.as_bytes();
            rest.len() >= from.len() && rest[1..from.len()] == from[1..]
        })
        .copied()
}

fn polish_item(item: &mut Item) {
    let fix = |text: &mut String| *text = polish(text);
    fix(&mut item.question);
    fix(&mut item.rationale);
    for option in item
        .options
        .iter_mut()
        .chain(item.rows.iter_mut())
        .chain(item.columns.iter_mut())
    {
        fix(&mut option.text);
    }
    for slot in &mut item.slots {
        for option in &mut slot.options {
            fix(&mut option.text);
        }
    }
    for text in item.option_rationales.values_mut() {
        fix(text);
    }
    for text in [&mut item.template, &mut item.exhibit, &mut item.scenario]
        .into_iter()
        .flatten()
    {
        fix(text);
    }
}

fn all_facts<'a>(options: impl IntoIterator<Item = &'a Opt>) -> Vec<String> {
    options
        .into_iter()
        .flat_map(|option| option.facts.iter().cloned())
        .collect()
}

/// Shuffles key and distractors into lettered options; returns the options, rationales, and the
/// letters of the keys in option order.
fn lettered(
    keys: &[Opt],
    distractors: &[Opt],
    rng: &mut Rng,
) -> (Vec<ChoiceOption>, BTreeMap<String, String>, Vec<String>) {
    let mut all: Vec<(bool, &Opt)> = keys
        .iter()
        .map(|opt| (true, opt))
        .chain(distractors.iter().map(|opt| (false, opt)))
        .collect();
    rng.shuffle(&mut all);
    let mut options = Vec::new();
    let mut rationales = BTreeMap::new();
    let mut key_ids = Vec::new();
    for (index, (is_key, opt)) in all.into_iter().enumerate() {
        let id = letter(index);
        if is_key {
            key_ids.push(id.clone());
        }
        rationales.insert(id.clone(), opt.rationale.clone());
        options.push(ChoiceOption {
            id,
            text: opt.text.clone(),
        });
    }
    (options, rationales, key_ids)
}

/// Single best answer, 0/1.
pub fn multiple_choice(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    key: Opt,
    distractors: Vec<Opt>,
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(1);
    let (options, option_rationales, keys) =
        lettered(std::slice::from_ref(&key), &distractors, &mut rng);
    let mut item = base(
        meta,
        seed,
        ItemType::MultipleChoice,
        ScoringRule::ZeroOne,
        stem,
    );
    item.correct_answer = Answer::Choice(keys.into_iter().next().unwrap_or_default());
    item.options = options;
    item.option_rationales = option_rationales;
    let facts = all_facts(std::iter::once(&key).chain(&distractors));
    finish(item, kb, rationale, facts)
}

/// Select all that apply, +/- scoring, max points = number of keys.
pub fn multiple_response(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    keys: Vec<Opt>,
    distractors: Vec<Opt>,
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(2);
    let (options, option_rationales, key_ids) = lettered(&keys, &distractors, &mut rng);
    let mut item = base(
        meta,
        seed,
        ItemType::MultipleResponse,
        ScoringRule::PlusMinus,
        stem,
    );
    item.max_points = key_ids.len() as u32;
    item.correct_answer = Answer::Choices(key_ids);
    item.options = options;
    item.option_rationales = option_rationales;
    let facts = all_facts(keys.iter().chain(&distractors));
    finish(item, kb, rationale, facts)
}

/// Put the steps in order; `steps` are given in the correct order. 0/1 for the whole sequence.
pub fn ordered_response(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    steps: Vec<Opt>,
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(3);
    let mut order: Vec<usize> = (0..steps.len()).collect();
    // Never present the steps already in the right order.
    for _ in 0..8 {
        rng.shuffle(&mut order);
        if order.windows(2).any(|pair| pair[0] > pair[1]) {
            break;
        }
    }
    let mut options = Vec::new();
    let mut option_rationales = BTreeMap::new();
    let mut position_of = vec![String::new(); steps.len()];
    for (shown, &original) in order.iter().enumerate() {
        let id = letter(shown);
        option_rationales.insert(id.clone(), steps[original].rationale.clone());
        options.push(ChoiceOption {
            id: id.clone(),
            text: steps[original].text.clone(),
        });
        position_of[original] = id;
    }
    let mut item = base(
        meta,
        seed,
        ItemType::OrderedResponse,
        ScoringRule::ZeroOne,
        stem,
    );
    item.correct_answer = Answer::Choices(position_of);
    item.options = options;
    item.option_rationales = option_rationales;
    let facts = all_facts(&steps);
    finish(item, kb, rationale, facts)
}

/// A calculated answer with units and an accepted tolerance.
#[allow(clippy::too_many_arguments)]
pub fn numeric(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    answer: f64,
    units: &str,
    tolerance: f64,
    calculation: Calculation,
    rationale: String,
    facts: &[&Fact],
) -> Item {
    let mut item = base(meta, seed, ItemType::Numeric, ScoringRule::ZeroOne, stem);
    item.correct_answer = Answer::Number(answer);
    item.units = Some(units.to_owned());
    item.tolerance = Some(tolerance);
    item.calculation = Some(calculation);
    finish(
        item,
        kb,
        rationale,
        facts.iter().map(|fact| fact.id.clone()),
    )
}

/// One matrix row: its text, the correct column's index, why, and its facts.
#[derive(Debug, Clone)]
pub struct MatrixRow {
    pub text: String,
    pub column: usize,
    pub rationale: String,
    pub facts: Vec<String>,
}

/// Matrix multiple choice: one column per row, 0/1 per row.
pub fn matrix(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    columns: &[&str],
    rows: Vec<MatrixRow>,
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(4);
    let mut rows = rows;
    rng.shuffle(&mut rows);
    let mut item = base(meta, seed, ItemType::Matrix, ScoringRule::ZeroOne, stem);
    item.columns = columns
        .iter()
        .enumerate()
        .map(|(index, text)| ChoiceOption {
            id: format!("C{}", index + 1),
            text: (*text).to_owned(),
        })
        .collect();
    let mut answer = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        let id = format!("R{}", index + 1);
        answer.insert(
            id.clone(),
            serde_json::Value::String(format!("C{}", row.column + 1)),
        );
        item.option_rationales
            .insert(id.clone(), row.rationale.clone());
        item.rows.push(ChoiceOption {
            id,
            text: row.text.clone(),
        });
    }
    item.max_points = rows.len() as u32;
    item.correct_answer = Answer::Keyed(answer);
    let facts: Vec<String> = rows.iter().flat_map(|row| row.facts.clone()).collect();
    finish(item, kb, rationale, facts)
}

/// A slot of a cloze or drag-and-drop item: the key and the other choices.
#[derive(Debug, Clone)]
pub struct SlotSpec {
    pub key: Opt,
    pub distractors: Vec<Opt>,
}

fn slotted(
    kb: &KnowledgeBase,
    mut item: Item,
    seed: u64,
    template: String,
    specs: Vec<SlotSpec>,
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(5);
    let mut answer = BTreeMap::new();
    for (index, spec) in specs.iter().enumerate() {
        let slot_id = (index + 1).to_string();
        let (options, rationales, keys) =
            lettered(std::slice::from_ref(&spec.key), &spec.distractors, &mut rng);
        for (option_id, text) in rationales {
            item.option_rationales
                .insert(format!("{slot_id}.{option_id}"), text);
        }
        answer.insert(
            slot_id.clone(),
            serde_json::Value::String(keys.into_iter().next().unwrap_or_default()),
        );
        item.slots.push(Slot {
            id: slot_id,
            options,
        });
    }
    item.template = Some(template);
    item.correct_answer = Answer::Keyed(answer);
    let facts: Vec<String> = specs
        .iter()
        .flat_map(|spec| all_facts(std::iter::once(&spec.key).chain(&spec.distractors)))
        .collect();
    finish(item, kb, rationale, facts)
}

/// Drop-down cloze: `template` holds `{{1}}`, `{{2}}`, ...; 0/1 per drop-down.
pub fn drop_down_cloze(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    template: String,
    specs: Vec<SlotSpec>,
    rationale: String,
) -> Item {
    let mut item = base(
        meta,
        seed,
        ItemType::DropDownCloze,
        ScoringRule::ZeroOne,
        stem,
    );
    item.max_points = specs.len() as u32;
    slotted(kb, item, seed, template, specs, rationale)
}

/// Drag-and-drop rationale: a dyad (cause, effect: 1 point when both are right) or a triad (cause
/// and two effects: 1 point per correct cause–effect pair). Slot 1 is the cause.
pub fn drag_drop_rationale(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    template: String,
    specs: Vec<SlotSpec>,
    rationale: String,
) -> Item {
    let mut item = base(
        meta,
        seed,
        ItemType::DragDropRationale,
        ScoringRule::Rationale,
        stem,
    );
    item.max_points = if specs.len() >= 3 { 2 } else { 1 };
    slotted(kb, item, seed, template, specs, rationale)
}

/// Highlight: `segments` in passage order, each with whether it is a key; +/- scoring.
pub fn highlight(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    segments: Vec<(bool, Opt)>,
    rationale: String,
) -> Item {
    let mut item = base(
        meta,
        seed,
        ItemType::Highlight,
        ScoringRule::PlusMinus,
        stem,
    );
    let mut keys = Vec::new();
    for (index, (is_key, opt)) in segments.iter().enumerate() {
        let id = format!("S{}", index + 1);
        if *is_key {
            keys.push(id.clone());
        }
        item.option_rationales
            .insert(id.clone(), opt.rationale.clone());
        item.options.push(ChoiceOption {
            id,
            text: opt.text.clone(),
        });
    }
    item.max_points = keys.len() as u32;
    item.correct_answer = Answer::Choices(keys);
    let facts = all_facts(segments.iter().map(|(_, opt)| opt));
    finish(item, kb, rationale, facts)
}

/// Bow-tie: one condition, two actions to take, two parameters to monitor, each chosen from its
/// well; 0/1 per slot, 5 points.
#[allow(clippy::too_many_arguments)]
pub fn bow_tie(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    stem: String,
    condition: SlotSpec,
    actions: (Vec<Opt>, Vec<Opt>),
    parameters: (Vec<Opt>, Vec<Opt>),
    rationale: String,
) -> Item {
    let mut rng = Rng::new(seed).fork(6);
    let mut item = base(meta, seed, ItemType::BowTie, ScoringRule::ZeroOne, stem);
    let mut well =
        |prefix: &str, name: &str, keys: &[Opt], others: &[Opt], item: &mut Item| -> Vec<String> {
            let mut all: Vec<(bool, &Opt)> = keys
                .iter()
                .map(|opt| (true, opt))
                .chain(others.iter().map(|opt| (false, opt)))
                .collect();
            rng.shuffle(&mut all);
            let mut ids = Vec::new();
            let mut key_ids = Vec::new();
            for (index, (is_key, opt)) in all.into_iter().enumerate() {
                let id = format!("{prefix}{}", index + 1);
                if is_key {
                    key_ids.push(id.clone());
                }
                item.option_rationales
                    .insert(id.clone(), opt.rationale.clone());
                item.options.push(ChoiceOption {
                    id: id.clone(),
                    text: opt.text.clone(),
                });
                ids.push(id);
            }
            item.wells.insert(name.to_owned(), ids);
            key_ids
        };
    let condition_key = well(
        "C",
        "conditions",
        std::slice::from_ref(&condition.key),
        &condition.distractors,
        &mut item,
    );
    let action_keys = well("A", "actions", &actions.0, &actions.1, &mut item);
    let parameter_keys = well("P", "parameters", &parameters.0, &parameters.1, &mut item);
    item.max_points = 5;
    item.correct_answer = Answer::BowTie {
        condition: condition_key.into_iter().next().unwrap_or_default(),
        actions: action_keys,
        parameters: parameter_keys,
    };
    let facts = all_facts(
        std::iter::once(&condition.key)
            .chain(&condition.distractors)
            .chain(&actions.0)
            .chain(&actions.1)
            .chain(&parameters.0)
            .chain(&parameters.1),
    );
    finish(item, kb, rationale, facts)
}

/// An unfolding case study: six items, one per NCJMM function in order; each item's `exhibit`
/// holds the data revealed before it.
pub fn case_study(
    kb: &KnowledgeBase,
    meta: &Meta,
    seed: u64,
    scenario: String,
    items: Vec<Item>,
    rationale: String,
) -> Item {
    let mut item = base(
        meta,
        seed,
        ItemType::CaseStudy,
        ScoringRule::ZeroOne,
        "Read the case and answer the six questions that follow as the situation unfolds."
            .to_owned(),
    );
    let mut answer = BTreeMap::new();
    let mut facts = Vec::new();
    let mut items = items;
    for (index, inner) in items.iter_mut().enumerate() {
        inner.id = format!("{}-{}", item.id, index + 1);
        answer.insert(
            inner.id.clone(),
            serde_json::to_value(&inner.correct_answer).unwrap_or(serde_json::Value::Null),
        );
        item.option_rationales
            .insert(inner.id.clone(), inner.rationale.clone());
        facts.extend(inner.source_facts.iter().cloned());
    }
    item.max_points = items.iter().map(|inner| inner.max_points).sum();
    item.correct_answer = Answer::Keyed(answer);
    item.scenario = Some(scenario);
    item.items = items;
    finish(item, kb, rationale, facts)
}

/// Capitalises the first letter (option texts come from lowercase facts).
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{DISPLAY, polish, sentence};
    use crate::domain::knowledge::load_embedded_for_tests;

    /// The first, obviously correct version: one full rescan per spelling. Kept as the oracle
    /// for the single-pass version.
    fn polish_by_rescanning(text: &str) -> String {
        let mut out = text.to_owned();
        let capitalised: Vec<(String, &str)> = DISPLAY
            .iter()
            .map(|(from, to)| (sentence(from), *to))
            .collect();
        let pairs = DISPLAY
            .iter()
            .map(|(from, to)| (*from, *to))
            .chain(capitalised.iter().map(|(from, to)| (from.as_str(), *to)));
        for (from, to) in pairs {
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(position) = rest.find(from) {
                let before = rest[..position].chars().next_back();
                let after = rest[position + from.len()..].chars().next();
                let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-');
                result.push_str(&rest[..position]);
                result.push_str(if boundary(before) && boundary(after) {
                    to
                } else {
                    from
                });
                rest = &rest[position + from.len()..];
            }
            result.push_str(rest);
            out = result;
        }
        out
    }

    #[test]
    fn single_pass_polish_agrees_with_rescanning_on_every_knowledge_base_text() {
        let kb = load_embedded_for_tests();
        let mut checked = 0;
        for fact in kb.facts() {
            for text in [fact.text(), fact.subject.as_str(), &sentence(fact.text())] {
                assert_eq!(polish(text), polish_by_rescanning(text), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn acronyms_and_eponyms_are_spelled_as_readers_expect() {
        assert_eq!(
            polish("Hellp syndrome and hiv infection"),
            "HELLP syndrome and HIV infection"
        );
        assert_eq!(polish("hellp syndrome"), "HELLP syndrome");
        assert_eq!(
            polish("guillain-barre syndrome; parkinson disease"),
            "Guillain-Barré syndrome; Parkinson disease"
        );
        assert_eq!(
            polish("give the ivermectin"),
            "give the ivermectin",
            "no match inside words"
        );
        assert_eq!(polish("start an iv line"), "start an IV line");
        assert_eq!(polish("Iv access first"), "IV access first");
        assert_eq!(polish("IV access"), "IV access", "already spelled right");
        assert_eq!(
            polish("hiv-positive"),
            "hiv-positive",
            "hyphen is part of the word"
        );
        assert_eq!(polish("(copd)."), "(COPD).");
        assert_eq!(
            polish("C. difficile and c. difficile"),
            "C. difficile and C. difficile"
        );
        assert_eq!(
            polish("naïve hiv"),
            "naïve HIV",
            "multi-byte text before a match"
        );
    }
}
