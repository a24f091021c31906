//! QTI 2.1 and QTI 3.0 content packages: one `assessmentItem` / `qti-assessment-item` file per
//! item under `items/`, listed in `imsmanifest.xml` with LOM keywords for the tags.
//!
//! Both versions share one writer: QTI 3.0 is the 2.1 model with kebab-case, `qti-`-prefixed
//! element and attribute names (HTML content elements keep their names). Multiple choice uses the
//! `match_correct` template; SATA uses `map_response` with +1 per key and −1 per distractor,
//! floored at 0 (NCSBN +/-). The rationales go in a modal feedback shown after response processing:
//! inline feedback keyed to a default-valued outcome could show before the candidate answers in
//! some engines, and the rationales must never leak the key early. Pure: builds bytes in memory.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{ExportError, Prepared, Xml, tags, title};

/// The QTI version of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2p1,
    V3p0,
}

pub const QTI21_NAMESPACE: &str = "http://www.imsglobal.org/xsd/imsqti_v2p1";
pub const QTI30_NAMESPACE: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
/// The IMS content-packaging namespace QTI 2.1 packages use.
pub const CP21_NAMESPACE: &str = "http://www.imsglobal.org/xsd/imscp_v1p1";
/// The QTI 3.0 profile of IMS content packaging (QTI 3.0 packages must use this one).
pub const CP30_NAMESPACE: &str = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1";
pub const LOM_NAMESPACE: &str = "http://ltsc.ieee.org/xsd/LOM";
const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The outcome value that shows the rationale feedback; it is the outcome's default, so the
/// response-processing templates (which never touch it) leave it set after every attempt.
const RATIONALE: &str = "RATIONALE";

impl Version {
    pub fn item_namespace(self) -> &'static str {
        match self {
            Version::V2p1 => QTI21_NAMESPACE,
            Version::V3p0 => QTI30_NAMESPACE,
        }
    }

    pub fn manifest_namespace(self) -> &'static str {
        match self {
            Version::V2p1 => CP21_NAMESPACE,
            Version::V3p0 => CP30_NAMESPACE,
        }
    }

    /// The manifest resource type of an item.
    pub fn resource_type(self) -> &'static str {
        match self {
            Version::V2p1 => "imsqti_item_xmlv2p1",
            Version::V3p0 => "imsqti_item_xmlv3p0",
        }
    }

    fn schema_location(self) -> &'static str {
        match self {
            Version::V2p1 => {
                "http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
            }
            Version::V3p0 => {
                "http://www.imsglobal.org/xsd/imsqtiasi_v3p0 https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
            }
        }
    }

    /// The response-processing template for single answers (`match_correct`) or +/- scoring
    /// (`map_response`).
    pub fn template(self, multiple: bool) -> &'static str {
        match (self, multiple) {
            (Version::V2p1, false) => {
                "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
            }
            (Version::V2p1, true) => {
                "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"
            }
            (Version::V3p0, false) => {
                "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
            }
            (Version::V3p0, true) => {
                "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
            }
        }
    }

    fn package_schema(self) -> (&'static str, &'static str) {
        match self {
            Version::V2p1 => ("QTIv2.1 Package", "1.0.0"),
            Version::V3p0 => ("QTI Package", "3.0.0"),
        }
    }

    /// A QTI element or attribute name in this version: QTI 2.1 names as given (camelCase); QTI
    /// 3.0 kebab-case, elements with a `qti-` prefix.
    fn name(self, camel: &str, element: bool) -> String {
        match self {
            Version::V2p1 => camel.to_owned(),
            Version::V3p0 => {
                let mut out = String::from(if element { "qti-" } else { "" });
                for c in camel.chars() {
                    if c.is_ascii_uppercase() {
                        out.push('-');
                        out.push(c.to_ascii_lowercase());
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    fn el(self, camel: &str) -> String {
        self.name(camel, true)
    }

    fn at(self, camel: &str) -> String {
        self.name(camel, false)
    }
}

/// Writes the content package (zip bytes) for the prepared items.
pub(crate) fn package(items: &[Prepared<'_>], version: Version) -> Result<Vec<u8>, ExportError> {
    let mut used = BTreeSet::new();
    let entries: Vec<(String, &Prepared<'_>)> = items
        .iter()
        .map(|prepared| {
            (
                unique(identifier(&prepared.item.id, "item-"), &mut used),
                prepared,
            )
        })
        .collect();

    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default());
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("imsmanifest.xml", options)?;
    zip.write_all(manifest(&entries, version).as_bytes())?;
    for (ident, prepared) in &entries {
        zip.start_file(item_path(ident), options)?;
        zip.write_all(item_xml(prepared, ident, version).as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

fn item_path(ident: &str) -> String {
    format!("items/{ident}.xml")
}

/// A QTI identifier from free text: letters, digits, `-`, `_` and `.` kept, other characters
/// replaced by `_`, and `prefix` added when it does not start with a letter or `_`.
fn identifier(text: &str, prefix: &str) -> String {
    let body: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match body.chars().next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => body,
        _ => format!("{prefix}{body}"),
    }
}

/// `ident`, or `ident-2`, `ident-3`… if already used.
fn unique(ident: String, used: &mut BTreeSet<String>) -> String {
    let mut candidate = ident.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{ident}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// The QTI identifiers of the choices: the option ids when they are valid and stay distinct,
/// otherwise `CHOICE_1`, `CHOICE_2`…
fn choice_identifiers(prepared: &Prepared<'_>) -> Vec<String> {
    let direct: Vec<String> = prepared
        .choices
        .iter()
        .map(|choice| identifier(choice.id, "CHOICE_"))
        .collect();
    let distinct: BTreeSet<&String> = direct.iter().collect();
    let reserved = distinct.iter().any(|ident| ident.as_str() == RATIONALE);
    if distinct.len() == direct.len() && !reserved {
        direct
    } else {
        (1..=prepared.choices.len())
            .map(|n| format!("CHOICE_{n}"))
            .collect()
    }
}

fn manifest(entries: &[(String, &Prepared<'_>)], version: Version) -> String {
    let mut hasher = Sha256::new();
    for (ident, _) in entries {
        hasher.update(ident.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let manifest_id: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let (schema, schema_version) = version.package_schema();

    let mut xml = Xml::new();
    xml.open(
        "manifest",
        &[
            ("xmlns", version.manifest_namespace()),
            ("xmlns:imsmd", LOM_NAMESPACE),
            ("identifier", &format!("MANIFEST-{manifest_id}")),
        ],
    );
    xml.newline();
    xml.open("metadata", &[]);
    xml.leaf("schema", &[], schema);
    xml.leaf("schemaversion", &[], schema_version);
    xml.close("metadata");
    xml.newline();
    xml.empty("organizations", &[]);
    xml.newline();
    xml.open("resources", &[]);
    xml.newline();
    for (ident, prepared) in entries {
        let path = item_path(ident);
        xml.open(
            "resource",
            &[
                ("identifier", &format!("RES-{ident}")),
                ("type", version.resource_type()),
                ("href", &path),
            ],
        );
        xml.open("metadata", &[]);
        xml.open("imsmd:lom", &[]);
        xml.open("imsmd:general", &[]);
        xml.open("imsmd:title", &[]);
        xml.leaf("imsmd:string", &[("language", "en")], &title(prepared.item));
        xml.close("imsmd:title");
        for tag in tags(prepared.item) {
            xml.open("imsmd:keyword", &[]);
            xml.leaf("imsmd:string", &[("language", "en")], &tag);
            xml.close("imsmd:keyword");
        }
        xml.close("imsmd:general");
        xml.close("imsmd:lom");
        xml.close("metadata");
        xml.empty("file", &[("href", &path)]);
        xml.close("resource");
        xml.newline();
    }
    xml.close("resources");
    xml.newline();
    xml.close("manifest");
    xml.finish()
}

fn item_xml(prepared: &Prepared<'_>, ident: &str, v: Version) -> String {
    let item = prepared.item;
    let choice_ids = choice_identifiers(prepared);
    let cardinality = if prepared.multiple {
        "multiple"
    } else {
        "single"
    };
    let max_score = if prepared.multiple {
        prepared.key_count()
    } else {
        1
    };
    let base_type = v.at("baseType");

    let mut xml = Xml::new();
    let root = v.el("assessmentItem");
    xml.open(
        &root,
        &[
            ("xmlns", v.item_namespace()),
            ("xmlns:xsi", XSI_NAMESPACE),
            ("xsi:schemaLocation", v.schema_location()),
            ("identifier", ident),
            ("title", &title(item)),
            ("adaptive", "false"),
            (&v.at("timeDependent"), "false"),
            ("xml:lang", "en"),
        ],
    );
    xml.newline();

    // The response: keys, and for SATA the +/- mapping.
    let declaration = v.el("responseDeclaration");
    xml.open(
        &declaration,
        &[
            ("identifier", "RESPONSE"),
            ("cardinality", cardinality),
            (&base_type, "identifier"),
        ],
    );
    let correct = v.el("correctResponse");
    xml.open(&correct, &[]);
    for (choice, id) in prepared.choices.iter().zip(&choice_ids) {
        if choice.key {
            xml.leaf(&v.el("value"), &[], id);
        }
    }
    xml.close(&correct);
    if prepared.multiple {
        let mapping = v.el("mapping");
        xml.open(
            &mapping,
            &[(&v.at("lowerBound"), "0"), (&v.at("defaultValue"), "0")],
        );
        for (choice, id) in prepared.choices.iter().zip(&choice_ids) {
            xml.empty(
                &v.el("mapEntry"),
                &[
                    (&v.at("mapKey"), id),
                    (&v.at("mappedValue"), if choice.key { "1" } else { "-1" }),
                ],
            );
        }
        xml.close(&mapping);
    }
    xml.close(&declaration);
    xml.newline();

    // Outcomes: the score, its maximum, and the feedback switch.
    for (name, kind, default) in [
        ("SCORE", "float", "0".to_owned()),
        ("MAXSCORE", "float", max_score.to_string()),
        ("FEEDBACK", "identifier", RATIONALE.to_owned()),
    ] {
        let outcome = v.el("outcomeDeclaration");
        xml.open(
            &outcome,
            &[
                ("identifier", name),
                ("cardinality", "single"),
                (&base_type, kind),
            ],
        );
        let default_value = v.el("defaultValue");
        xml.open(&default_value, &[]);
        xml.leaf(&v.el("value"), &[], &default);
        xml.close(&default_value);
        xml.close(&outcome);
        xml.newline();
    }

    // The body: exhibit, stem, options.
    let body = v.el("itemBody");
    xml.open(&body, &[]);
    xml.newline();
    if let Some(exhibit) = item
        .exhibit
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    {
        xml.open("div", &[("class", "exhibit")]);
        xml.open("p", &[]);
        xml.text_with_breaks(exhibit);
        xml.close("p");
        xml.close("div");
        xml.newline();
    }
    let interaction = v.el("choiceInteraction");
    xml.open(
        &interaction,
        &[
            (&v.at("responseIdentifier"), "RESPONSE"),
            ("shuffle", "true"),
            (
                &v.at("maxChoices"),
                if prepared.multiple { "0" } else { "1" },
            ),
        ],
    );
    xml.newline();
    let prompt = v.el("prompt");
    xml.open(&prompt, &[]);
    xml.text_with_breaks(&item.question);
    xml.close(&prompt);
    xml.newline();
    let simple = v.el("simpleChoice");
    for (choice, id) in prepared.choices.iter().zip(&choice_ids) {
        xml.open(&simple, &[("identifier", id)]);
        xml.text_with_breaks(choice.text);
        xml.close(&simple);
        xml.newline();
    }
    xml.close(&interaction);
    xml.newline();
    xml.close(&body);
    xml.newline();

    xml.empty(
        &v.el("responseProcessing"),
        &[("template", v.template(prepared.multiple))],
    );
    xml.newline();

    // The rationales, shown after the attempt.
    let has_option_rationales = prepared
        .choices
        .iter()
        .any(|choice| !choice.rationale.trim().is_empty());
    if !item.rationale.trim().is_empty() || has_option_rationales {
        let modal = v.el("modalFeedback");
        xml.open(
            &modal,
            &[
                (&v.at("outcomeIdentifier"), "FEEDBACK"),
                ("identifier", RATIONALE),
                (&v.at("showHide"), "show"),
                ("title", "Rationale"),
            ],
        );
        let content = (v == Version::V3p0).then(|| v.el("contentBody"));
        if let Some(content) = &content {
            xml.open(content, &[]);
        }
        if !item.rationale.trim().is_empty() {
            xml.open("p", &[]);
            xml.text_with_breaks(&item.rationale);
            xml.close("p");
        }
        if has_option_rationales {
            xml.open("ul", &[]);
            for choice in &prepared.choices {
                xml.open("li", &[]);
                xml.open("strong", &[]);
                xml.text_with_breaks(choice.text);
                xml.close("strong");
                xml.text(if choice.key {
                    " (correct): "
                } else {
                    " (incorrect): "
                });
                xml.text_with_breaks(choice.rationale);
                xml.close("li");
            }
            xml.close("ul");
        }
        if let Some(content) = &content {
            xml.close(content);
        }
        xml.close(&modal);
        xml.newline();
    }
    xml.close(&root);
    xml.finish()
}

#[cfg(test)]
mod tests {
    //! Round trip: unzip, parse every file with roxmltree (an independent XML parser) and recover
    //! stems, options, keys, scoring and feedback.

    use std::collections::BTreeMap;
    use std::io::Read;

    use super::*;
    use crate::domain::items::export::{Format, export, fixtures};
    use crate::domain::items::{Answer, Item};

    /// Everything a reader recovers from one package item.
    #[derive(Debug, PartialEq)]
    struct ReadItem {
        identifier: String,
        title: String,
        stem: String,
        options: Vec<(String, String)>,
        keys: Vec<String>,
        cardinality: String,
        max_choices: String,
        template: String,
        /// mapKey → mappedValue, with lowerBound and defaultValue (SATA only).
        mapping: Option<(BTreeMap<String, f64>, String, String)>,
        general_feedback: String,
        option_feedback: Vec<String>,
        keywords: Vec<String>,
    }

    fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut files = BTreeMap::new();
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).expect("entry");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("utf-8");
            files.insert(file.name().expect("entry name").to_string(), text);
        }
        files
    }

    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
        node.children().find(|n| n.has_tag_name(name))
    }

    fn descendants<'a, 'i>(
        node: roxmltree::Node<'a, 'i>,
        name: &'a str,
    ) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
        node.descendants().filter(move |n| n.has_tag_name(name))
    }

    /// The text of a node with `br` elements read back as line breaks.
    fn text_of(node: roxmltree::Node<'_, '_>) -> String {
        node.descendants()
            .filter_map(|n| {
                if n.is_text() {
                    n.text().map(str::to_owned)
                } else if n.has_tag_name("br") {
                    Some("\n".to_owned())
                } else {
                    None
                }
            })
            .collect()
    }

    /// Reads a package: checks the manifest and parses every item it references.
    fn read_package(bytes: &[u8], v: Version) -> Vec<ReadItem> {
        let files = unzip(bytes);
        let manifest_text = files.get("imsmanifest.xml").expect("imsmanifest.xml");
        let manifest = roxmltree::Document::parse(manifest_text).expect("manifest well-formed");
        let root = manifest.root_element();
        assert_eq!(root.tag_name().name(), "manifest");
        assert_eq!(root.tag_name().namespace(), Some(v.manifest_namespace()));
        let resources: Vec<_> = descendants(root, "resource").collect();
        let hrefs: BTreeSet<&str> = resources
            .iter()
            .filter_map(|r| r.attribute("href"))
            .collect();
        let item_files: BTreeSet<&str> = files
            .keys()
            .map(String::as_str)
            .filter(|name| *name != "imsmanifest.xml")
            .collect();
        assert_eq!(
            hrefs, item_files,
            "the manifest references every item file and only those"
        );

        let mut read = Vec::new();
        for resource in resources {
            assert_eq!(resource.attribute("type"), Some(v.resource_type()));
            let href = resource.attribute("href").expect("href");
            let file = child(resource, "file").expect("file element");
            assert_eq!(file.attribute("href"), Some(href));
            let keywords: Vec<String> = resource
                .descendants()
                .filter(|n| n.has_tag_name((LOM_NAMESPACE, "keyword")))
                .filter_map(|n| child(n, "string").and_then(|s| s.text()).map(str::to_owned))
                .collect();
            let mut item = read_item(&files[href], v);
            item.keywords = keywords;
            read.push(item);
        }
        read
    }

    fn read_item(text: &str, v: Version) -> ReadItem {
        let doc = roxmltree::Document::parse(text).expect("item well-formed");
        let root = doc.root_element();
        let ns = v.item_namespace();
        assert_eq!(root.tag_name().namespace(), Some(ns));
        assert_eq!(root.tag_name().name(), v.el("assessmentItem"));
        // Every element of the item is in the QTI namespace and named for this version.
        for node in root.descendants().filter(|n| n.is_element()) {
            assert_eq!(
                node.tag_name().namespace(),
                Some(ns),
                "{:?}",
                node.tag_name()
            );
            let name = node.tag_name().name();
            let html = ["div", "p", "br", "ul", "li", "strong"].contains(&name);
            match v {
                Version::V2p1 => assert!(!name.starts_with("qti-"), "{name}"),
                Version::V3p0 => assert!(html || name.starts_with("qti-"), "{name}"),
            }
        }
        let el = |camel: &str| v.el(camel);
        let at = |camel: &str| v.at(camel);
        let declaration = child(root, &el("responseDeclaration")).expect("response declaration");
        let correct = child(declaration, &el("correctResponse")).expect("correct response");
        let keys: Vec<String> = correct
            .children()
            .filter(|n| n.has_tag_name(el("value").as_str()))
            .filter_map(|n| n.text().map(str::to_owned))
            .collect();
        let mapping = child(declaration, &el("mapping")).map(|mapping| {
            let entries = mapping
                .children()
                .filter(|n| n.has_tag_name(el("mapEntry").as_str()))
                .map(|entry| {
                    let key = entry
                        .attribute(at("mapKey").as_str())
                        .expect("mapKey")
                        .to_owned();
                    let value: f64 = entry
                        .attribute(at("mappedValue").as_str())
                        .expect("mappedValue")
                        .parse()
                        .expect("a number");
                    (key, value)
                })
                .collect();
            (
                entries,
                mapping
                    .attribute(at("lowerBound").as_str())
                    .unwrap_or_default()
                    .to_owned(),
                mapping
                    .attribute(at("defaultValue").as_str())
                    .unwrap_or_default()
                    .to_owned(),
            )
        });
        let body = child(root, &el("itemBody")).expect("item body");
        let interaction = child(body, &el("choiceInteraction")).expect("choice interaction");
        assert_eq!(
            interaction.attribute(at("responseIdentifier").as_str()),
            Some("RESPONSE")
        );
        let stem = text_of(child(interaction, &el("prompt")).expect("prompt"));
        let options = interaction
            .children()
            .filter(|n| n.has_tag_name(el("simpleChoice").as_str()))
            .map(|n| {
                (
                    n.attribute("identifier").expect("id").to_owned(),
                    text_of(n),
                )
            })
            .collect();
        let processing = child(root, &el("responseProcessing")).expect("response processing");
        let modal = child(root, &el("modalFeedback")).expect("modal feedback");
        assert_eq!(
            modal.attribute(at("outcomeIdentifier").as_str()),
            Some("FEEDBACK")
        );
        assert_eq!(modal.attribute(at("showHide").as_str()), Some("show"));
        let feedback_root = match v {
            Version::V2p1 => modal,
            Version::V3p0 => child(modal, "qti-content-body").expect("qti-content-body"),
        };
        // The feedback outcome defaults to the modal feedback's identifier, so it shows.
        let feedback_default = root
            .children()
            .filter(|n| n.has_tag_name(el("outcomeDeclaration").as_str()))
            .find(|n| n.attribute("identifier") == Some("FEEDBACK"))
            .and_then(|n| {
                n.descendants()
                    .find(|d| d.has_tag_name(el("value").as_str()))
            })
            .and_then(|n| n.text());
        assert_eq!(feedback_default, modal.attribute("identifier"));
        ReadItem {
            identifier: root.attribute("identifier").expect("identifier").to_owned(),
            title: root.attribute("title").expect("title").to_owned(),
            stem,
            options,
            keys,
            cardinality: declaration
                .attribute("cardinality")
                .expect("cardinality")
                .to_owned(),
            max_choices: interaction
                .attribute(at("maxChoices").as_str())
                .expect("maxChoices")
                .to_owned(),
            template: processing
                .attribute("template")
                .expect("template")
                .to_owned(),
            mapping,
            general_feedback: child(feedback_root, "p").map(text_of).unwrap_or_default(),
            option_feedback: descendants(feedback_root, "li").map(text_of).collect(),
            keywords: Vec::new(),
        }
    }

    fn keys_of(item: &Item) -> Vec<String> {
        match &item.correct_answer {
            Answer::Choice(key) => vec![key.clone()],
            Answer::Choices(keys) => keys.clone(),
            other => panic!("not exportable: {other:?}"),
        }
    }

    fn check_round_trip(v: Version) {
        let format = match v {
            Version::V2p1 => Format::Qti21,
            Version::V3p0 => Format::Qti30,
        };
        let items = fixtures::all();
        let (bytes, report) = export(&items, format).expect("export");
        assert_eq!(report.exported, 3);
        let read = read_package(&bytes, v);
        let exportable: Vec<&Item> = items
            .iter()
            .filter(|item| super::super::is_exportable(item.item_type))
            .collect();
        assert_eq!(read.len(), exportable.len());
        for (item, got) in exportable.iter().zip(&read) {
            assert_eq!(got.identifier, item.id);
            assert_eq!(got.title, title(item));
            assert_eq!(got.stem, item.question, "stem of {}", item.id);
            let want_options: Vec<(String, String)> = item
                .options
                .iter()
                .map(|o| (o.id.clone(), o.text.clone()))
                .collect();
            assert_eq!(got.options, want_options);
            let keys = keys_of(item);
            assert_eq!(got.keys, keys);
            assert_eq!(got.general_feedback, item.rationale);
            assert_eq!(got.option_feedback.len(), item.options.len());
            for (option, feedback) in item.options.iter().zip(&got.option_feedback) {
                let why = &item.option_rationales[&option.id];
                assert!(feedback.starts_with(&option.text), "{feedback}");
                assert!(feedback.ends_with(why.as_str()), "{feedback}");
                let marker = if keys.contains(&option.id) {
                    "(correct)"
                } else {
                    "(incorrect)"
                };
                assert!(feedback.contains(marker), "{feedback}");
            }
            assert!(
                got.keywords
                    .contains(&format!("client_need:{}", item.client_need.as_str()))
            );
            assert!(
                got.keywords
                    .contains(&format!("ncjmm:{}", item.ncjmm_function.as_str()))
            );
            if item.item_type == crate::domain::items::ItemType::MultipleResponse {
                assert_eq!(got.cardinality, "multiple");
                assert_eq!(got.max_choices, "0");
                assert!(
                    got.template.ends_with("map_response")
                        || got.template.ends_with("map_response.xml")
                );
                let (entries, lower, default) = got.mapping.as_ref().expect("SATA mapping");
                assert_eq!((lower.as_str(), default.as_str()), ("0", "0"));
                assert_eq!(entries.len(), item.options.len());
                for option in &item.options {
                    let want = if keys.contains(&option.id) { 1.0 } else { -1.0 };
                    assert_eq!(entries[&option.id], want, "{}", option.id);
                }
            } else {
                assert_eq!(got.cardinality, "single");
                assert_eq!(got.max_choices, "1");
                assert!(got.template.contains("match_correct"));
                assert!(got.mapping.is_none());
            }
            assert_eq!(got.template, v.template(got.cardinality == "multiple"));
        }
        // The exhibit is in the body, line breaks kept.
        let files = unzip(&bytes);
        let mc = roxmltree::Document::parse(&files["items/mc-digoxin-000000000000002a.xml"])
            .expect("xml");
        let exhibit = mc
            .descendants()
            .find(|n| n.has_tag_name("div") && n.attribute("class") == Some("exhibit"))
            .expect("exhibit");
        assert_eq!(Some(text_of(exhibit)), fixtures::multiple_choice().exhibit);
    }

    #[test]
    fn qti21_packages_round_trip_stems_options_keys_scoring_and_feedback() {
        check_round_trip(Version::V2p1);
    }

    #[test]
    fn qti30_packages_round_trip_stems_options_keys_scoring_and_feedback() {
        check_round_trip(Version::V3p0);
    }

    #[test]
    fn qti21_and_qti30_use_their_own_namespaces_element_names_and_resource_types() {
        let items = vec![fixtures::sata("s", 2)];
        let (v2, _) = export(&items, Format::Qti21).expect("2.1");
        let (v3, _) = export(&items, Format::Qti30).expect("3.0");
        let v2 = unzip(&v2);
        let v3 = unzip(&v3);
        let (v2_item, v3_item) = (&v2["items/s.xml"], &v3["items/s.xml"]);
        assert!(
            v2["imsmanifest.xml"].contains(r#"xmlns="http://www.imsglobal.org/xsd/imscp_v1p1""#)
        );
        assert!(v2["imsmanifest.xml"].contains(r#"type="imsqti_item_xmlv2p1""#));
        assert!(
            v3["imsmanifest.xml"]
                .contains(r#"xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1""#)
        );
        assert!(v3["imsmanifest.xml"].contains(r#"type="imsqti_item_xmlv3p0""#));
        assert!(
            v2_item.contains(r#"<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1""#)
        );
        assert!(v3_item.contains(
            r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0""#
        ));
        for (v2_name, v3_name) in [
            ("<responseDeclaration ", "<qti-response-declaration "),
            (
                "<mapping lowerBound=\"0\" defaultValue=\"0\">",
                "<qti-mapping lower-bound=\"0\" default-value=\"0\">",
            ),
            (
                "<mapEntry mapKey=\"A\" mappedValue=\"1\"/>",
                "<qti-map-entry map-key=\"A\" mapped-value=\"1\"/>",
            ),
            (
                "<mapEntry mapKey=\"C\" mappedValue=\"-1\"/>",
                "<qti-map-entry map-key=\"C\" mapped-value=\"-1\"/>",
            ),
            (
                "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxChoices=\"0\">",
                "<qti-choice-interaction response-identifier=\"RESPONSE\" shuffle=\"true\" max-choices=\"0\">",
            ),
            (
                "<simpleChoice identifier=\"A\">",
                "<qti-simple-choice identifier=\"A\">",
            ),
            ("<prompt>", "<qti-prompt>"),
            (
                "<modalFeedback outcomeIdentifier=\"FEEDBACK\"",
                "<qti-modal-feedback outcome-identifier=\"FEEDBACK\"",
            ),
            (
                "template=\"http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response\"",
                "template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml\"",
            ),
        ] {
            assert!(v2_item.contains(v2_name), "2.1 lacks {v2_name}");
            assert!(v3_item.contains(v3_name), "3.0 lacks {v3_name}");
            assert!(!v3_item.contains(v2_name), "3.0 has {v2_name}");
        }
    }

    #[test]
    fn identifiers_are_valid_and_unique_even_for_odd_ids() {
        let mut first = fixtures::multiple_choice();
        first.id = "7 odd/id".into();
        let mut second = first.clone();
        second.id = "7 odd?id".into();
        second.options[0].id = "1".into();
        second.options[1].id = "RATIONALE".into();
        second.correct_answer = Answer::Choice("1".into());
        let (bytes, _) = export(&[first, second], Format::Qti30).expect("export");
        let read = read_package(&bytes, Version::V3p0);
        let ids: Vec<&str> = read.iter().map(|r| r.identifier.as_str()).collect();
        assert_eq!(ids, ["item-7_odd_id", "item-7_odd_id-2"]);
        assert_eq!(read[1].options[0].0, "CHOICE_1");
        assert_eq!(read[1].keys, ["CHOICE_1"]);
    }

    #[test]
    fn packages_are_deterministic() {
        let items = fixtures::all();
        for format in [Format::Qti21, Format::Qti30] {
            let (a, _) = export(&items, format).expect("export");
            let (b, _) = export(&items, format).expect("export");
            assert_eq!(a, b);
        }
    }
}
