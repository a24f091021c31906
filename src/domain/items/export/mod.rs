//! Item export to the formats learning-management systems import: QTI 2.1 and QTI 3.0 content
//! packages (zip with `imsmanifest.xml`), Moodle XML and GIFT.
//!
//! Only multiple-choice and multiple-response (SATA) items are exported: no LMS quiz engine renders
//! the Next Generation types faithfully, so those are skipped and counted in the [`ExportReport`].
//! SATA items keep the NCSBN +/- rule (+1 per key chosen, −1 per distractor chosen, floored at 0).
//! Pure: bytes in memory, no IO; the CLI and the HTTP route decide where the bytes go.

pub mod gift;
pub mod moodle;
pub mod qti;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Answer, ClientNeed, Item, ItemType};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// IMS QTI 2.1 content package (zip).
    Qti21,
    /// 1EdTech QTI 3.0 content package (zip).
    Qti30,
    /// Moodle XML (UTF-8 text).
    Moodle,
    /// Moodle GIFT (UTF-8 text).
    Gift,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Qti21, Format::Qti30, Format::Moodle, Format::Gift];

    /// The name used on the command line and in the API: `qti21`, `qti30`, `moodle`, `gift`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Qti21 => "qti21",
            Format::Qti30 => "qti30",
            Format::Moodle => "moodle",
            Format::Gift => "gift",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
    }

    /// The usual file extension of an export in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Qti21 | Format::Qti30 => "zip",
            Format::Moodle => "xml",
            Format::Gift => "txt",
        }
    }

    /// The media type to serve an export in this format with.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Qti21 | Format::Qti30 => "application/zip",
            Format::Moodle => "application/xml",
            Format::Gift => "text/plain; charset=utf-8",
        }
    }
}

/// What an export wrote and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Items written (multiple choice and multiple response).
    pub exported: usize,
    /// Items left out because LMS quiz engines cannot render their type, per type.
    pub skipped_by_type: BTreeMap<ItemType, usize>,
}

impl ExportReport {
    /// All items left out.
    pub fn skipped(&self) -> usize {
        self.skipped_by_type.values().sum()
    }
}

/// Why an export failed. Items that merely have an unexportable type are skipped, not errors.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// An exportable item whose structure does not hold together (the quality gate should have
    /// caught it).
    #[error("item {item} cannot be exported: {reason}; fix or retire the item and export again")]
    Malformed { item: String, reason: String },
    /// A SATA item whose key count has no +/- weights on Moodle's grade list.
    #[error(
        "item {item} has {keys} keys; Moodle's grade list has no weights for more than 20 keys, so split the item"
    )]
    TooManyKeys { item: String, keys: usize },
    /// Writing the zip package failed.
    #[error("writing the content package failed: {0}")]
    Package(#[from] zip::result::ZipError),
    /// Writing into memory failed.
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Exports `items` in `format`: zip bytes for the QTI formats, UTF-8 text for Moodle XML and GIFT.
/// Items of other types than multiple choice and multiple response are skipped and counted.
pub fn export(items: &[Item], format: Format) -> Result<(Vec<u8>, ExportReport), ExportError> {
    let (prepared, report) = prepare(items)?;
    let bytes = match format {
        Format::Qti21 => qti::package(&prepared, qti::Version::V2p1)?,
        Format::Qti30 => qti::package(&prepared, qti::Version::V3p0)?,
        Format::Moodle => moodle::write(&prepared)?.into_bytes(),
        Format::Gift => gift::write(&prepared)?.into_bytes(),
    };
    Ok((bytes, report))
}

/// Whether the item type can go into an LMS quiz.
pub fn is_exportable(item_type: ItemType) -> bool {
    matches!(
        item_type,
        ItemType::MultipleChoice | ItemType::MultipleResponse
    )
}

/// One option of an exportable item, with whether it is a key and its rationale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Choice<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub key: bool,
    /// Empty when the item has no rationale for this option.
    pub rationale: &'a str,
}

/// A multiple-choice or multiple-response item checked for export.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'a> {
    pub item: &'a Item,
    /// Multiple response (SATA) rather than single answer.
    pub multiple: bool,
    pub choices: Vec<Choice<'a>>,
}

impl Prepared<'_> {
    pub fn key_count(&self) -> usize {
        self.choices.iter().filter(|choice| choice.key).count()
    }
}

/// Checks the exportable items and counts the others.
pub(crate) fn prepare(items: &[Item]) -> Result<(Vec<Prepared<'_>>, ExportReport), ExportError> {
    let mut report = ExportReport::default();
    let mut prepared = Vec::new();
    for item in items {
        if !is_exportable(item.item_type) {
            *report.skipped_by_type.entry(item.item_type).or_insert(0) += 1;
            continue;
        }
        prepared.push(prepare_one(item)?);
        report.exported += 1;
    }
    Ok((prepared, report))
}

fn prepare_one(item: &Item) -> Result<Prepared<'_>, ExportError> {
    let malformed = |reason: String| ExportError::Malformed {
        item: item.id.clone(),
        reason,
    };
    let (multiple, keys): (bool, Vec<&str>) = match (item.item_type, &item.correct_answer) {
        (ItemType::MultipleChoice, Answer::Choice(key)) => (false, vec![key.as_str()]),
        (ItemType::MultipleResponse, Answer::Choices(keys)) => {
            (true, keys.iter().map(String::as_str).collect())
        }
        (kind, _) => {
            return Err(malformed(format!(
                "a {} item needs {} as its correct answer",
                kind.as_str(),
                if kind == ItemType::MultipleChoice {
                    "one option id"
                } else {
                    "a list of option ids"
                }
            )));
        }
    };
    if item.question.trim().is_empty() {
        return Err(malformed("the stem is empty".into()));
    }
    if item.options.len() < 2 {
        return Err(malformed("it needs at least two options".into()));
    }
    let mut seen = BTreeSet::new();
    for option in &item.options {
        if !seen.insert(option.id.as_str()) {
            return Err(malformed(format!("option id {} appears twice", option.id)));
        }
        if option.text.trim().is_empty() {
            return Err(malformed(format!("option {} has no text", option.id)));
        }
    }
    let mut key_set = BTreeSet::new();
    for key in &keys {
        if !seen.contains(key) {
            return Err(malformed(format!("key {key} is not one of the options")));
        }
        if !key_set.insert(*key) {
            return Err(malformed(format!("key {key} is listed twice")));
        }
    }
    if key_set.is_empty() {
        return Err(malformed("it has no key".into()));
    }
    let choices = item
        .options
        .iter()
        .map(|option| Choice {
            id: &option.id,
            text: &option.text,
            key: key_set.contains(option.id.as_str()),
            rationale: item
                .option_rationales
                .get(&option.id)
                .map_or("", String::as_str),
        })
        .collect();
    Ok(Prepared {
        item,
        multiple,
        choices,
    })
}

/// The question name shown in an LMS question bank: topic and item id.
pub(crate) fn title(item: &Item) -> String {
    let topic = item.topic.trim();
    if topic.is_empty() {
        item.id.clone()
    } else {
        format!("{topic} ({})", item.id)
    }
}

/// The test-plan name of a client-need subcategory, used as the LMS category.
pub(crate) fn client_need_label(need: ClientNeed) -> &'static str {
    match need {
        ClientNeed::ManagementOfCare => "Management of Care",
        ClientNeed::SafetyInfectionControl => "Safety and Infection Control",
        ClientNeed::HealthPromotionMaintenance => "Health Promotion and Maintenance",
        ClientNeed::PsychosocialIntegrity => "Psychosocial Integrity",
        ClientNeed::BasicCareComfort => "Basic Care and Comfort",
        ClientNeed::PharmacologicalParenteral => "Pharmacological and Parenteral Therapies",
        ClientNeed::ReductionOfRisk => "Reduction of Risk Potential",
        ClientNeed::PhysiologicalAdaptation => "Physiological Adaptation",
    }
}

/// The Moodle category path of an item: `$course$/top/NCLEX-RN/<client need>`.
pub(crate) fn category(item: &Item) -> String {
    format!(
        "$course$/top/NCLEX-RN/{}",
        client_need_label(item.client_need)
    )
}

/// Moodle's limit on a tag's length, in characters.
const TAG_MAX_CHARS: usize = 50;

/// The tags of an item: client need, NCJMM function, item type and topic. Characters that tag
/// syntaxes use as delimiters (`,` `[` `]`) and line breaks are replaced; each tag fits Moodle's
/// 50-character limit.
pub(crate) fn tags(item: &Item) -> Vec<String> {
    let mut tags = vec![
        format!("client_need:{}", item.client_need.as_str()),
        format!("ncjmm:{}", item.ncjmm_function.as_str()),
        format!("item_type:{}", item.item_type.as_str()),
    ];
    let topic: String = item
        .topic
        .chars()
        .map(|c| match c {
            ',' | '[' | ']' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let topic = topic.split_whitespace().collect::<Vec<_>>().join(" ");
    if !topic.is_empty() {
        tags.push(
            format!("topic:{topic}")
                .chars()
                .take(TAG_MAX_CHARS)
                .collect::<String>()
                .trim_end()
                .to_owned(),
        );
    }
    tags
}

/// Text with line breaks normalised to `\n` and the characters XML 1.0 forbids removed (C0
/// controls other than tab and line feed, U+FFFE, U+FFFF).
pub(crate) fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect()
}

/// Plain text as an HTML fragment: `&`, `<` and `>` escaped, line breaks as `<br />`.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br />"),
            c => out.push(c),
        }
    }
    out
}

/// A minimal XML writer: escapes every text and attribute value it is given.
pub(crate) struct Xml {
    out: String,
}

impl Xml {
    /// A document starting with the XML declaration.
    pub fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push('>');
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>");
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text, false);
    }

    /// An element holding only text.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        self.text(text);
        self.close(name);
    }

    /// A CDATA section; a `]]>` inside is split across two sections.
    pub fn cdata(&mut self, text: &str) {
        self.out.push_str("<![CDATA[");
        self.out
            .push_str(&clean(text).replace("]]>", "]]]]><![CDATA[>"));
        self.out.push_str("]]>");
    }

    /// Plain text as XHTML inline content: line breaks become `br` elements.
    pub fn text_with_breaks(&mut self, text: &str) {
        let text = clean(text);
        for (index, line) in text.split('\n').enumerate() {
            if index > 0 {
                self.empty("br", &[]);
            }
            self.text(line);
        }
    }

    pub fn newline(&mut self) {
        self.out.push('\n');
    }

    pub fn finish(mut self) -> String {
        self.newline();
        self.out
    }
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Items built by hand for the exporters' tests: texts full of XML and GIFT special characters.

    use std::collections::BTreeMap;

    use crate::domain::items::{
        Answer, ChoiceOption, ClientNeed, Difficulty, Item, ItemType, NcjmmFunction, Qsen,
        ScoringRule,
    };

    pub const NASTY: &str = "a<b & c>d \"q\" 'a' ~ = # { } : \\ // ü—µg 💊";

    fn option(id: &str, text: &str) -> ChoiceOption {
        ChoiceOption {
            id: id.into(),
            text: text.into(),
        }
    }

    pub fn base(id: &str, item_type: ItemType) -> Item {
        Item {
            id: id.into(),
            item_type,
            question: format!("Stem of {id}?"),
            options: Vec::new(),
            correct_answer: Answer::Choices(Vec::new()),
            scoring_rule: ScoringRule::ZeroOne,
            max_points: 1,
            rationale: String::new(),
            option_rationales: BTreeMap::new(),
            client_need: ClientNeed::PhysiologicalAdaptation,
            ncjmm_function: NcjmmFunction::AnalyzeCues,
            aacn_competency: "2.4".into(),
            qsen_competency: Qsen::Safety,
            difficulty: Difficulty::Intermediate,
            topic: "test".into(),
            sources: Vec::new(),
            source_facts: Vec::new(),
            item_model: "test-model".into(),
            seed: 1,
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

    fn with_options(mut item: Item, texts: &[(&str, &str, &str)]) -> Item {
        item.options = texts.iter().map(|(id, text, _)| option(id, text)).collect();
        item.option_rationales = texts
            .iter()
            .map(|(id, _, why)| ((*id).to_owned(), (*why).to_owned()))
            .collect();
        item
    }

    /// A multiple-choice item with special characters everywhere and an exhibit.
    pub fn multiple_choice() -> Item {
        let mut item = with_options(
            base("mc-digoxin-000000000000002a", ItemType::MultipleChoice),
            &[
                (
                    "A",
                    "Apical pulse 52/min & irregular",
                    "Bradycardia < 60/min: hold digoxin.",
                ),
                (
                    "B",
                    "Serum K+ 4.1 mEq/L",
                    "Within 3.5–5.0 mEq/L: no action needed.",
                ),
                ("C", NASTY, "Distractor with \"quotes\" & <tags>."),
                (
                    "D",
                    "Blood pressure 128/76 mm Hg",
                    "Normal {finding}: no hold.",
                ),
            ],
        );
        item.question = "Which finding should the nurse act on before giving digoxin 0.125 mg? (K+ > 5.0 = high; use {judgement}: #1 priority ~ now)".into();
        item.exhibit = Some("Vital signs:\nHR 52/min\nBP 128/76 mm Hg".into());
        item.correct_answer = Answer::Choice("A".into());
        item.rationale =
            format!("Digoxin slows AV conduction; a pulse < 60/min means hold & report. {NASTY}");
        item.client_need = ClientNeed::PharmacologicalParenteral;
        item.ncjmm_function = NcjmmFunction::TakeAction;
        item.topic = "digoxin [toxicity], cardiac: {K+}".into();
        item
    }

    /// A SATA item with `keys` keys among six options.
    pub fn sata(id: &str, keys: usize) -> Item {
        let ids = ["A", "B", "C", "D", "E", "F"];
        let texts = [
            "Monitor for hypokalemia (K+ < 3.5)",
            "Weigh daily: same scale & time",
            "Rise slowly: \"orthostatic\" risk",
            "Take at bedtime {to sleep}",
            "Limit all fluids to 500 mL/day",
            "Stop if ankles swell ~ 1 day",
        ];
        let mut item = base(id, ItemType::MultipleResponse);
        item.options = ids
            .iter()
            .zip(texts)
            .map(|(id, text)| option(id, text))
            .collect();
        item.option_rationales = ids
            .iter()
            .enumerate()
            .map(|(index, id)| {
                (
                    (*id).to_owned(),
                    format!("Why #{index}: K+ ≥ 3.5 & < 5.0 = {{normal}}."),
                )
            })
            .collect();
        item.question =
            "Which instructions about furosemide should the nurse include? Select all that apply."
                .into();
        item.correct_answer =
            Answer::Choices(ids[..keys].iter().map(|id| (*id).to_owned()).collect());
        item.scoring_rule = ScoringRule::PlusMinus;
        item.max_points = keys as u32;
        item.rationale = "Loop diuretics waste potassium: teach K+ & weight monitoring.".into();
        item.client_need = ClientNeed::ReductionOfRisk;
        item.ncjmm_function = NcjmmFunction::GenerateSolutions;
        item.topic = "furosemide".into();
        item
    }

    /// One item of each type LMS quiz engines cannot render.
    pub fn ngn() -> Vec<Item> {
        ItemType::ALL
            .into_iter()
            .filter(|kind| !super::is_exportable(*kind))
            .map(|kind| base(&format!("ngn-{}", kind.as_str()), kind))
            .collect()
    }

    /// Everything: MC, SATA with 2 and 3 keys, and every NGN type.
    pub fn all() -> Vec<Item> {
        let mut items = vec![
            multiple_choice(),
            sata("sata-two-keys", 2),
            sata("sata-three-keys", 3),
        ];
        items.extend(ngn());
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(items: &[Item], expected_exported: usize, expected_skipped: &[(ItemType, usize)]) {
        for format in Format::ALL {
            let (_, report) = export(items, format).expect("export");
            assert_eq!(report.exported, expected_exported, "{}", format.as_str());
            let expected: BTreeMap<ItemType, usize> = expected_skipped.iter().copied().collect();
            assert_eq!(report.skipped_by_type, expected, "{}", format.as_str());
        }
    }

    #[test]
    fn every_ngn_type_is_skipped_and_counted_once() {
        let skipped: Vec<(ItemType, usize)> = ItemType::ALL
            .into_iter()
            .filter(|kind| !is_exportable(*kind))
            .map(|kind| (kind, 1))
            .collect();
        assert_eq!(skipped.len(), 8);
        check(&fixtures::all(), 3, &skipped);
    }

    #[test]
    fn skip_counts_add_up_per_type() {
        let mut items = fixtures::ngn();
        items.extend(fixtures::ngn());
        items.push(fixtures::multiple_choice());
        let (_, report) = export(&items, Format::Gift).expect("export");
        assert_eq!(report.exported, 1);
        assert_eq!(report.skipped(), 16);
        assert!(report.skipped_by_type.values().all(|count| *count == 2));
    }

    #[test]
    fn an_empty_export_is_valid_in_every_format() {
        check(&[], 0, &[]);
    }

    #[test]
    fn the_report_serialises_with_type_names() {
        let (_, report) = export(&fixtures::all(), Format::Moodle).expect("export");
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["exported"], 3);
        assert_eq!(json["skipped_by_type"]["bow_tie"], 1);
        assert_eq!(json["skipped_by_type"]["case_study"], 1);
    }

    #[test]
    fn a_key_that_is_not_an_option_is_a_typed_error() {
        let mut item = fixtures::multiple_choice();
        item.correct_answer = Answer::Choice("Z".into());
        let error = export(&[item], Format::Qti21).expect_err("must fail");
        assert!(matches!(error, ExportError::Malformed { .. }), "{error}");
        assert!(error.to_string().contains("key Z"));
    }

    #[test]
    fn a_mismatched_answer_shape_is_a_typed_error() {
        let mut item = fixtures::sata("s", 2);
        item.correct_answer = Answer::Choice("A".into());
        assert!(matches!(
            export(&[item], Format::Moodle),
            Err(ExportError::Malformed { .. })
        ));
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::parse(format.as_str()), Some(format));
        }
        assert_eq!(Format::parse("qti12"), None);
    }

    #[test]
    fn xml_escaping_removes_forbidden_characters_and_escapes_the_rest() {
        let mut xml = Xml::new();
        xml.leaf("t", &[("a", "x\"<&>\n\ty")], "a\u{1}b<&>]]>\r\nc");
        let text = xml.finish();
        let doc = roxmltree::Document::parse(&text).expect("well-formed");
        let root = doc.root_element();
        assert_eq!(root.attribute("a"), Some("x\"<&>\n\ty"));
        assert_eq!(root.text(), Some("ab<&>]]>\nc"));
    }

    #[test]
    fn tags_fit_moodle_limits_and_avoid_delimiters() {
        let mut item = fixtures::multiple_choice();
        item.topic = "a, [very] long topic ".repeat(10);
        for tag in tags(&item) {
            assert!(tag.chars().count() <= TAG_MAX_CHARS, "{tag}");
            assert!(!tag.contains([',', '[', ']', '\n']), "{tag}");
        }
    }
}
