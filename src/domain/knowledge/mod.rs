//! The clinical knowledge base: typed, sourced facts (one per record) parsed from the TOML files in
//! `assets/knowledge/`, validated, and indexed for the item models. Parsing takes the files' text as
//! input; embedding them in the binary is the caller's business.

pub mod opposites;
mod vocabulary;

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

pub use vocabulary::{Family, attribute_allowed};

/// One published reference.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub authors: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub edition: Option<String>,
    pub publisher: String,
    pub year: u32,
    #[serde(default)]
    pub url: Option<String>,
}

impl Source {
    /// "Lehne's Pharmacology for Nursing Care, 11th ed. (Elsevier, 2022)".
    pub fn citation(&self) -> String {
        let edition = self
            .edition
            .as_deref()
            .map(|edition| format!(", {edition} ed."))
            .unwrap_or_default();
        format!(
            "{}{edition} ({}, {})",
            self.title, self.publisher, self.year
        )
    }
}

/// A fact's value: text, or a number or range with units.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Range {
        low: Option<f64>,
        high: Option<f64>,
        units: String,
    },
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            Value::Range { .. } => None,
        }
    }

    /// "3.5–5.0 mEq/L", "> 1.5 mEq/L", "120 mg".
    pub fn display(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Range {
                low: Some(low),
                high: Some(high),
                units,
            } if low == high => format!("{} {units}", number(*low)),
            Value::Range {
                low: Some(low),
                high: Some(high),
                units,
            } => format!("{}–{} {units}", number(*low), number(*high)),
            Value::Range {
                low: Some(low),
                high: None,
                units,
            } => format!("≥ {} {units}", number(*low)),
            Value::Range {
                low: None,
                high: Some(high),
                units,
            } => format!("≤ {} {units}", number(*high)),
            Value::Range {
                low: None,
                high: None,
                units,
            } => units.clone(),
        }
    }
}

/// A number as people write it: no trailing zeros, thousands separators for large whole numbers.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let whole = value as i64;
        if whole.abs() >= 10_000 {
            let digits = whole.abs().to_string();
            let mut grouped = String::new();
            for (index, digit) in digits.chars().enumerate() {
                if index > 0 && (digits.len() - index).is_multiple_of(3) {
                    grouped.push(',');
                }
                grouped.push(digit);
            }
            return if whole < 0 {
                format!("-{grouped}")
            } else {
                grouped
            };
        }
        return whole.to_string();
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Who a fact applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Population {
    Adult,
    OlderAdult,
    Pediatric,
    Infant,
    Neonate,
    Pregnant,
    All,
}

/// One fact, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub id: String,
    pub family: Family,
    pub subject: String,
    pub attribute: String,
    pub value: Value,
    pub population: Population,
    pub condition: String,
    pub source: String,
    pub disputed: bool,
    pub alternative: String,
    pub alternative_source: String,
    pub measure: Option<String>,
    pub op: Option<String>,
    pub threshold: Option<f64>,
    pub order: Option<u32>,
    pub class: Option<String>,
    pub note: String,
    /// A finding that stays when treatment works (a deformity from past damage, a diagnostic
    /// antibody): never evidence that treatment failed.
    pub lasting: bool,
    /// The text value normalised for comparisons, computed once at load.
    norm: String,
    /// [`content_words`] of the text value, computed once at load.
    words: Vec<String>,
}

impl Fact {
    /// [`normalise`]d text, precomputed.
    pub fn norm(&self) -> &str {
        &self.norm
    }

    /// [`content_words`] of the text value, precomputed.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether the two texts share a content word: item models use it to keep a distractor from
    /// saying the same thing as a key.
    pub fn shares_word(&self, other: &Fact) -> bool {
        sorted_share(&self.words, &other.words)
    }

    /// [`Self::shares_word`] with any of `others`.
    pub fn shares_word_with_any(&self, others: &[&Fact]) -> bool {
        others.iter().any(|other| self.shares_word(other))
    }

    /// The text value, for facts that have one.
    pub fn text(&self) -> &str {
        self.value.text().unwrap_or("")
    }

    /// Usable as a key or distractor: not disputed.
    pub fn usable(&self) -> bool {
        !self.disputed
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    id: String,
    subject: String,
    attribute: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    low: Option<f64>,
    #[serde(default)]
    high: Option<f64>,
    #[serde(default)]
    units: Option<String>,
    #[serde(default)]
    population: Option<Population>,
    #[serde(default)]
    condition: String,
    source: String,
    #[serde(default)]
    disputed: bool,
    #[serde(default)]
    alternative: String,
    #[serde(default)]
    alternative_source: String,
    #[serde(default)]
    measure: Option<String>,
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    order: Option<u32>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    lasting: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactFile {
    #[serde(default)]
    fact: Vec<RawFact>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    #[serde(default)]
    source: Vec<Source>,
}

/// The loaded knowledge base and its indexes.
#[derive(Debug, Default)]
pub struct KnowledgeBase {
    facts: Vec<Fact>,
    sources: BTreeMap<String, Source>,
    by_id: HashMap<String, usize>,
    // Nested by family so a look-up by `&str` needs no allocated key.
    by_subject: HashMap<Family, HashMap<String, Vec<usize>>>,
    by_attribute: HashMap<Family, HashMap<String, Vec<usize>>>,
    subjects: BTreeMap<Family, Vec<String>>,
}

/// Everything wrong with the files, one line each, naming the file and record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("knowledge base has {} problem(s):\n{}", .0.len(), .0.join("\n"))]
pub struct KnowledgeProblems(pub Vec<String>);

impl KnowledgeBase {
    /// Parses and validates `files` (path relative to `assets/knowledge`, text).
    pub fn load<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<KnowledgeBase, KnowledgeProblems> {
        let mut problems = Vec::new();
        let mut sources = BTreeMap::new();
        let mut raw_facts: Vec<(String, Family, RawFact)> = Vec::new();
        for (path, text) in files {
            if !path.ends_with(".toml") {
                continue;
            }
            let folder = path.split('/').next().unwrap_or("");
            if folder == "sources" {
                match toml::from_str::<SourceFile>(text) {
                    Ok(file) => {
                        for source in file.source {
                            if sources.contains_key(&source.id) {
                                problems.push(format!(
                                    "{path}: source id {} is defined twice",
                                    source.id
                                ));
                            }
                            sources.insert(source.id.clone(), source);
                        }
                    }
                    Err(error) => problems.push(format!("{path}: {}", error.message())),
                }
                continue;
            }
            let Some(family) = Family::from_folder(folder) else {
                problems.push(format!("{path}: unknown family folder `{folder}`"));
                continue;
            };
            match toml::from_str::<FactFile>(text) {
                Ok(file) => raw_facts.extend(
                    file.fact
                        .into_iter()
                        .map(|fact| (path.to_owned(), family, fact)),
                ),
                Err(error) => problems.push(format!("{path}: {}", error.message())),
            }
        }

        let mut facts = Vec::with_capacity(raw_facts.len());
        let mut ids = HashMap::new();
        for (path, family, raw) in raw_facts {
            let at = format!("{path}: {}", raw.id);
            if let Some(previous) = ids.insert(raw.id.clone(), path.clone()) {
                problems.push(format!("{at}: duplicate id (also in {previous})"));
            }
            match validate(family, raw, &sources) {
                Ok(fact) => facts.push(fact),
                Err(message) => problems.push(format!("{at}: {message}")),
            }
        }
        problems.extend(differential_problems(&facts, &ids));
        if !problems.is_empty() {
            return Err(KnowledgeProblems(problems));
        }
        Ok(Self::index(facts, sources))
    }

    fn index(facts: Vec<Fact>, sources: BTreeMap<String, Source>) -> KnowledgeBase {
        let mut by_subject: HashMap<Family, HashMap<String, Vec<usize>>> = HashMap::new();
        let mut by_attribute: HashMap<Family, HashMap<String, Vec<usize>>> = HashMap::new();
        let mut subjects: BTreeMap<Family, Vec<String>> = BTreeMap::new();
        let mut by_id = HashMap::new();
        for (index, fact) in facts.iter().enumerate() {
            by_id.insert(fact.id.clone(), index);
            let entry = by_subject
                .entry(fact.family)
                .or_default()
                .entry(fact.subject.clone())
                .or_default();
            if entry.is_empty() {
                subjects
                    .entry(fact.family)
                    .or_default()
                    .push(fact.subject.clone());
            }
            entry.push(index);
            by_attribute
                .entry(fact.family)
                .or_default()
                .entry(fact.attribute.clone())
                .or_default()
                .push(index);
        }
        for list in subjects.values_mut() {
            list.sort();
        }
        KnowledgeBase {
            facts,
            sources,
            by_id,
            by_subject,
            by_attribute,
            subjects,
        }
    }

    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.by_id.get(id).map(|&index| &self.facts[index])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.values()
    }

    /// Subjects of a family, sorted.
    pub fn subjects(&self, family: Family) -> &[String] {
        self.subjects.get(&family).map_or(&[], Vec::as_slice)
    }

    /// Every fact about one subject.
    pub fn about(&self, family: Family, subject: &str) -> impl Iterator<Item = &Fact> {
        self.by_subject
            .get(&family)
            .and_then(|subjects| subjects.get(subject))
            .into_iter()
            .flatten()
            .map(|&index| &self.facts[index])
    }

    /// Usable facts about `subject` with `attribute`, in file order (or `order` when given).
    pub fn values(&self, family: Family, subject: &str, attribute: &str) -> Vec<&Fact> {
        let mut found: Vec<&Fact> = self
            .about(family, subject)
            .filter(|fact| fact.attribute == attribute && fact.usable())
            .collect();
        found.sort_by_key(|fact| fact.order.unwrap_or(0));
        found
    }

    /// The first usable fact about `subject` with `attribute`.
    pub fn value(&self, family: Family, subject: &str, attribute: &str) -> Option<&Fact> {
        self.values(family, subject, attribute).into_iter().next()
    }

    /// Every usable fact of a family with `attribute`.
    pub fn with_attribute(&self, family: Family, attribute: &str) -> Vec<&Fact> {
        self.by_attribute
            .get(&family)
            .and_then(|attributes| attributes.get(attribute))
            .into_iter()
            .flatten()
            .map(|&index| &self.facts[index])
            .filter(|fact| fact.usable())
            .collect()
    }

    /// The class of a subject (drug class, body system), if recorded.
    pub fn class_of(&self, family: Family, subject: &str) -> Option<&str> {
        self.about(family, subject)
            .find_map(|fact| fact.class.as_deref())
    }

    /// True when any fact about `subject` with `attribute` has this text (disputed ones included),
    /// so a distractor can be checked never to be a true statement about the subject.
    pub fn states(&self, family: Family, subject: &str, attribute: &str, text: &str) -> bool {
        self.states_normalised(family, subject, attribute, &normalise(text))
    }

    /// [`Self::states`] for the text of another fact, using its precomputed normal form.
    pub fn states_fact(
        &self,
        family: Family,
        subject: &str,
        attribute: &str,
        other: &Fact,
    ) -> bool {
        self.states_normalised(family, subject, attribute, &other.norm)
    }

    /// The recorded differential diagnoses of a disorder, in either direction (a record on either
    /// disorder names the other), each with the record that teaches how to tell them apart.
    pub fn differentials(&self, subject: &str) -> Vec<(&str, &Fact)> {
        let mut found: Vec<(&str, &Fact)> = self
            .with_attribute(Family::Disorders, "differential")
            .into_iter()
            .filter_map(|fact| {
                if fact.subject == subject {
                    Some((fact.text(), fact))
                } else if fact.text() == subject {
                    Some((fact.subject.as_str(), fact))
                } else {
                    None
                }
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(b.0).then(a.1.id.cmp(&b.1.id)));
        found.dedup_by(|a, b| a.0 == b.0);
        found
    }

    fn states_normalised(
        &self,
        family: Family,
        subject: &str,
        attribute: &str,
        norm: &str,
    ) -> bool {
        self.about(family, subject)
            .any(|fact| fact.attribute == attribute && fact.norm == norm)
    }
}

/// A `differential` names another disorder by its subject and teaches, in its `note`, the cue that
/// tells the two apart; an `against` finding needs a `note` saying why it argues against the
/// disorder. Items offer a competing diagnosis or a "not consistent" finding only from these, so a
/// record without its teaching sentence or naming no recorded disorder would leave an item unsound.
/// `paths` maps each record id to its file, so a problem names both, as the other checks do.
fn differential_problems(facts: &[Fact], paths: &HashMap<String, String>) -> Vec<String> {
    let compares = |fact: &Fact| matches!(fact.attribute.as_str(), "differential" | "against");
    // A disorder is a subject with records of its own, not one only compared with another.
    let disorders: std::collections::BTreeSet<&str> = facts
        .iter()
        .filter(|fact| fact.family == Family::Disorders && !compares(fact))
        .map(|fact| fact.subject.as_str())
        .collect();
    let mut problems = Vec::new();
    for fact in facts
        .iter()
        .filter(|fact| fact.family == Family::Disorders && compares(fact))
    {
        let at = format!(
            "{}: {}",
            paths.get(&fact.id).map_or("", String::as_str),
            fact.id
        );
        let attribute = fact.attribute.as_str();
        if fact.note.trim().is_empty() {
            problems.push(format!(
                "{at}: `{attribute}` needs a `note` that teaches the discriminating cue"
            ));
        }
        if attribute == "differential" {
            let other = fact.text();
            if other == fact.subject {
                problems.push(format!("{at}: a disorder is not its own differential"));
            } else if !disorders.contains(other) {
                problems.push(format!(
                    "{at}: differential `{other}` is not a disorder subject"
                ));
            }
        }
    }
    problems
}

/// The embedded knowledge base loaded once and shared by every unit test that only reads it.
#[cfg(test)]
pub fn shared_for_tests() -> &'static KnowledgeBase {
    static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
    KB.get_or_init(load_embedded_for_tests)
}

/// The embedded knowledge base, for unit tests in the domain (the binary embeds the same files).
#[cfg(test)]
pub fn load_embedded_for_tests() -> KnowledgeBase {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/knowledge");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("knowledge dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "toml") {
                let relative = path
                    .strip_prefix(&root)
                    .expect("relative")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((relative, std::fs::read_to_string(&path).expect("read")));
            }
        }
    }
    files.sort();
    KnowledgeBase::load(
        files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str())),
    )
    .unwrap_or_else(|problems| panic!("{problems}"))
}

/// The generic clinical qualifiers ("acute", "disease", "risk"...) that [`content_words`] leaves
/// out: two texts that share only these are not about the same thing.
const GENERIC: [&str; 34] = [
    "prevention",
    "treatment",
    "therapy",
    "acute",
    "severe",
    "chronic",
    "disease",
    "disorder",
    "disorders",
    "with",
    "from",
    "such",
    "other",
    "including",
    "signs",
    "symptoms",
    "after",
    "before",
    "when",
    "and",
    "the",
    "for",
    "use",
    "used",
    "risk",
    "increased",
    "decreased",
    "serum",
    "level",
    "levels",
    "client",
    "clients",
    "patients",
    "long-term",
];

/// The one tokenizer for word comparisons: words of at least `min_len` characters, split at every
/// character that is not alphanumeric, lowercased, without `stop`, sorted and deduplicated.
pub fn tokens(text: &str, min_len: usize, stop: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| word.len() >= min_len && !stop.contains(&word.as_str()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Words of four or more characters, lowercased, without the generic clinical qualifiers,
/// sorted and deduplicated: what two texts must share to be "about the same thing".
pub fn content_words(text: &str) -> Vec<String> {
    tokens(text, 4, &GENERIC)
}

/// The [`content_words`] two texts share, leaving out `ignore` (words that are common to a whole
/// family of texts, such as the electrolyte names in treatments of electrolyte imbalances).
pub fn shared_words(a: &str, b: &str, ignore: &[&str]) -> Vec<String> {
    let others = content_words(b);
    content_words(a)
        .into_iter()
        .filter(|word| !ignore.contains(&word.as_str()) && others.binary_search(word).is_ok())
        .collect()
}

/// Whether two texts share a content word: the one notion of word overlap behind "a distractor
/// never says the same thing as a key" ([`Fact::shares_word`] is the same on precomputed words).
pub fn overlap(a: &str, b: &str) -> bool {
    overlap_ignoring(a, b, &[])
}

/// [`overlap`] leaving out `ignore`.
pub fn overlap_ignoring(a: &str, b: &str, ignore: &[&str]) -> bool {
    !shared_words(a, b, ignore).is_empty()
}

/// Whether two sorted, deduplicated word lists have a word in common.
pub fn sorted_share(a: &[String], b: &[String]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Lowercased, single-spaced text for comparisons.
pub fn normalise(text: &str) -> String {
    let clean = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text
            .chars()
            .any(|c| c.is_uppercase() || (c.is_whitespace() && c != ' '));
    if clean {
        return text.to_owned();
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn validate(
    family: Family,
    raw: RawFact,
    sources: &BTreeMap<String, Source>,
) -> Result<Fact, String> {
    if raw.subject.trim().is_empty() || raw.attribute.trim().is_empty() {
        return Err("subject and attribute must not be empty".into());
    }
    if !attribute_allowed(family, &raw.attribute) {
        return Err(format!(
            "attribute `{}` is not in the {} vocabulary",
            raw.attribute,
            family.folder()
        ));
    }
    if !sources.contains_key(&raw.source) {
        return Err(format!("source `{}` is not in sources/", raw.source));
    }
    if raw.lasting && !matches!(raw.attribute.as_str(), "cue" | "vital_sign_cue" | "lab_cue") {
        return Err(format!(
            "`lasting` marks findings (cue, vital_sign_cue, lab_cue), not `{}`",
            raw.attribute
        ));
    }
    let value = match (raw.value, raw.low, raw.high) {
        (Some(text), None, None) => {
            if text.trim().is_empty() {
                return Err("value is empty".into());
            }
            Value::Text(text)
        }
        (None, low, high) if low.is_some() || high.is_some() => {
            let units = raw
                .units
                .clone()
                .filter(|units| !units.trim().is_empty())
                .ok_or("a numeric record needs units")?;
            if let (Some(low), Some(high)) = (low, high)
                && low > high
            {
                return Err(format!("low {low} is above high {high}"));
            }
            if low.is_some_and(|v| !v.is_finite()) || high.is_some_and(|v| !v.is_finite()) {
                return Err("numbers must be finite".into());
            }
            Value::Range { low, high, units }
        }
        (Some(_), _, _) => return Err("give either value or low/high, not both".into()),
        (None, None, None) => return Err("no value and no low/high".into()),
        (None, _, _) => return Err("no value".into()),
    };
    let norm = normalise(value.text().unwrap_or(""));
    let words = content_words(value.text().unwrap_or(""));
    if raw.disputed
        && (raw.alternative.trim().is_empty() || raw.alternative_source.trim().is_empty())
    {
        return Err("disputed needs alternative and alternative_source".into());
    }
    if raw.disputed && !sources.contains_key(&raw.alternative_source) {
        return Err(format!(
            "alternative_source `{}` is not in sources/",
            raw.alternative_source
        ));
    }
    if let Some(op) = &raw.op
        && !matches!(op.as_str(), "<" | "<=" | ">" | ">=")
    {
        return Err(format!("op `{op}` must be <, <=, > or >="));
    }
    Ok(Fact {
        id: raw.id,
        family,
        subject: raw.subject,
        attribute: raw.attribute,
        value,
        population: raw.population.unwrap_or(Population::Adult),
        condition: raw.condition,
        source: raw.source,
        disputed: raw.disputed,
        alternative: raw.alternative,
        alternative_source: raw.alternative_source,
        measure: raw.measure,
        op: raw.op,
        threshold: raw.threshold,
        order: raw.order,
        class: raw.class,
        note: raw.note,
        lasting: raw.lasting,
        norm,
        words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &str =
        "[[source]]\nid = \"s1\"\ntitle = \"T\"\npublisher = \"P\"\nyear = 2020\n";

    fn load(facts: &str) -> Result<KnowledgeBase, KnowledgeProblems> {
        KnowledgeBase::load([("sources/core.toml", SOURCES), ("labs/x.toml", facts)])
    }

    #[test]
    fn records_are_validated_with_the_file_and_id_named() {
        let cases = [
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"reference_range\"\nlow = 5.0\nhigh = 3.5\nunits = \"mEq/L\"\nsource = \"s1\"\n",
                "low 5 is above high 3.5",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"reference_range\"\nlow = 3.5\nhigh = 5.0\nsource = \"s1\"\n",
                "needs units",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"colour\"\nvalue = \"x\"\nsource = \"s1\"\n",
                "not in the labs vocabulary",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"high_cause\"\nvalue = \"x\"\nsource = \"nope\"\n",
                "source `nope`",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"high_cause\"\nvalue = \"x\"\nsource = \"s1\"\ndisputed = true\n",
                "disputed needs",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"high_cause\"\nvalue = \"x\"\nsource = \"s1\"\n[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"low_cause\"\nvalue = \"y\"\nsource = \"s1\"\n",
                "duplicate id",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"high_cause\"\nvalue = \"x\"\nsource = \"s1\"\nbogus = 1\n",
                "unknown field",
            ),
            (
                "[[fact]]\nid = \"a\"\nsubject = \"k\"\nattribute = \"high_cause\"\nvalue = \"x\"\nsource = \"s1\"\nlasting = true\n",
                "`lasting` marks findings",
            ),
        ];
        for (text, expected) in cases {
            let problems = load(text).expect_err(expected).0.join("\n");
            assert!(problems.contains(expected), "{expected}: {problems}");
            assert!(problems.contains("labs/x.toml"), "{problems}");
        }
    }

    #[test]
    fn disputed_facts_are_kept_but_not_usable() {
        let kb = load("[[fact]]\nid = \"a\"\nsubject = \"digoxin\"\nattribute = \"therapeutic_range\"\nlow = 0.5\nhigh = 2.0\nunits = \"ng/mL\"\nsource = \"s1\"\ndisputed = true\nalternative = \"0.5-0.9\"\nalternative_source = \"s1\"\n").unwrap();
        assert_eq!(kb.facts().len(), 1);
        assert!(
            kb.value(Family::Labs, "digoxin", "therapeutic_range")
                .is_none()
        );
        assert_eq!(kb.facts()[0].value.display(), "0.5–2 ng/mL");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(3.5), "3.5");
        assert_eq!(number(150000.0), "150,000");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(7.0), "7");
    }

    #[test]
    fn one_tokenizer_and_one_overlap_with_words_to_ignore_passed_explicitly() {
        assert_eq!(
            tokens("Give IV calcium, then the calcium gluconate", 5, &["given"]),
            ["calcium", "gluconate"]
        );
        assert_eq!(
            content_words("Risk of acute bleeding with the drug"),
            ["bleeding", "drug"]
        );
        assert!(overlap("oral potassium chloride", "IV potassium"));
        assert!(!overlap("acute pain", "acute confusion"));
        assert!(!overlap_ignoring(
            "oral potassium chloride",
            "IV potassium",
            &["potassium", "chloride"]
        ));
        assert_eq!(
            shared_words(
                "ignores the client's concern",
                "dismisses the client's concern",
                &[]
            ),
            ["concern"]
        );
    }

    #[test]
    fn differentials_name_a_recorded_disorder_teach_the_cue_and_read_both_ways() {
        let load = |facts: &str| {
            KnowledgeBase::load([("sources/core.toml", SOURCES), ("disorders/x.toml", facts)])
        };
        let record = |id: &str, subject: &str, attribute: &str, value: &str, note: &str| {
            format!(
                "[[fact]]\nid = \"{id}\"\nsubject = \"{subject}\"\nattribute = \"{attribute}\"\nvalue = \"{value}\"\nnote = \"{note}\"\nsource = \"s1\"\n"
            )
        };
        let cues = record("c1", "dka", "cue", "kussmaul respirations", "")
            + &record("c2", "hhs", "cue", "profound dehydration", "");
        let kb =
            load(&(cues.clone() + &record("d1", "dka", "differential", "hhs", "ketones tell")))
                .unwrap();
        assert_eq!(kb.differentials("dka")[0].0, "hhs");
        assert_eq!(
            kb.differentials("hhs")[0].0,
            "dka",
            "read from the other side too"
        );
        assert!(kb.differentials("kussmaul").is_empty());

        for (facts, expected) in [
            (
                record("d1", "dka", "differential", "thyroid storm", "x"),
                "is not a disorder subject",
            ),
            (
                record("d1", "dka", "differential", "dka", "x"),
                "not its own differential",
            ),
            (
                record("d1", "dka", "differential", "hhs", ""),
                "needs a `note`",
            ),
            (
                record("a1", "hhs", "against", "kussmaul respirations", ""),
                "needs a `note`",
            ),
        ] {
            let problems = load(&(cues.clone() + &facts)).unwrap_err().0.join("\n");
            assert!(problems.contains(expected), "{problems}");
            assert!(
                problems.starts_with("disorders/x.toml: "),
                "names the file: {problems}"
            );
        }
    }
}
