//! Moodle XML: a `<quiz>` of `multichoice` questions, each preceded by a `category` question when
//! the client-need category changes, with general and per-answer feedback, an idnumber and tags.
//!
//! Also owns the answer weights Moodle accepts (shared with GIFT): every fraction must be on
//! Moodle's grade list, or the importer rejects or snaps it. SATA keys get +100/k and distractors
//! −100/k (Moodle floors a question's total at 0: the NCSBN +/- rule). Pure: returns text.

use super::{ExportError, Prepared, Xml, category, html, tags, title};

/// Moodle's grade list (percent), as written in its own exports; negatives are allowed for
/// answers of multiple-response questions.
pub const GRADES: [(&str, f64); 20] = [
    ("100", 100.0),
    ("90", 90.0),
    ("83.33333", 83.33333),
    ("80", 80.0),
    ("75", 75.0),
    ("70", 70.0),
    ("66.66667", 66.66667),
    ("60", 60.0),
    ("50", 50.0),
    ("40", 40.0),
    ("33.33333", 33.33333),
    ("30", 30.0),
    ("25", 25.0),
    ("20", 20.0),
    ("16.66667", 16.66667),
    ("14.28571", 14.28571),
    ("12.5", 12.5),
    ("11.11111", 11.11111),
    ("10", 10.0),
    ("5", 5.0),
];

/// How close a grade must be to 100/k to count as exact (Moodle's own values have 7 significant
/// digits).
const EXACT: f64 = 1e-4;

/// Per-key and per-distractor SATA weights, indexes into [`GRADES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SataWeights {
    /// One grade per key, in key order; they sum to 100 (to Moodle's 7 digits).
    pub keys: Vec<usize>,
    /// The grade every distractor takes, negated.
    pub distractor: usize,
}

/// The +/- weights for a SATA item with `keys` keys, all on Moodle's grade list.
///
/// 100/k is on the list for k = 1–10 and 20: every key +100/k, every distractor −100/k. For
/// k = 11–19 it is not: the keys mix the two list values either side of 100/k (10 and 5) so that
/// they still sum to exactly 100 (`20 − k` keys at 10, `2k − 20` at 5; the first keys in option
/// order get the larger value), and each distractor takes the negative of whichever of the two is
/// nearer 100/k. Above 20 keys nothing on the list is small enough: `None`.
pub(crate) fn sata_weights(keys: usize) -> Option<SataWeights> {
    if keys == 0 {
        return None;
    }
    let ideal = 100.0 / keys as f64;
    if let Some(exact) = GRADES
        .iter()
        .position(|(_, value)| (value - ideal).abs() < EXACT)
    {
        return Some(SataWeights {
            keys: vec![exact; keys],
            distractor: exact,
        });
    }
    // GRADES is descending: `hi` is the smallest value above the ideal, `lo` the next one down.
    let lo = GRADES.iter().position(|(_, value)| *value < ideal)?;
    let hi = lo.checked_sub(1)?;
    let (lo_value, hi_value) = (GRADES[lo].1, GRADES[hi].1);
    let at_hi = (100.0 - keys as f64 * lo_value) / (hi_value - lo_value);
    let rounded = at_hi.round();
    if (at_hi - rounded).abs() > 1e-6 || rounded < 1.0 || rounded >= keys as f64 {
        return None;
    }
    let at_hi = rounded as usize;
    let mut weights = vec![hi; at_hi];
    weights.resize(keys, lo);
    let distractor = if (hi_value - ideal) < (ideal - lo_value) {
        hi
    } else {
        lo
    };
    Some(SataWeights {
        keys: weights,
        distractor,
    })
}

/// The Moodle fraction (percent, as text) of each choice of `prepared`, in option order: 100 for
/// the key and 0 for the others in a single-answer item; the +/- weights in a SATA item.
pub(crate) fn fractions(prepared: &Prepared<'_>) -> Result<Vec<String>, ExportError> {
    if !prepared.multiple {
        return Ok(prepared
            .choices
            .iter()
            .map(|choice| if choice.key { "100" } else { "0" }.to_owned())
            .collect());
    }
    let keys = prepared.key_count();
    let weights = sata_weights(keys).ok_or_else(|| ExportError::TooManyKeys {
        item: prepared.item.id.clone(),
        keys,
    })?;
    let mut key_weights = weights.keys.iter();
    prepared
        .choices
        .iter()
        .map(|choice| {
            if choice.key {
                key_weights
                    .next()
                    .map(|grade| GRADES[*grade].0.to_owned())
                    .ok_or_else(|| ExportError::Malformed {
                        item: prepared.item.id.clone(),
                        reason: "key count changed while weighting".into(),
                    })
            } else {
                Ok(format!("-{}", GRADES[weights.distractor].0))
            }
        })
        .collect()
}

/// Moodle's limit on a question idnumber, in characters.
const IDNUMBER_MAX_CHARS: usize = 100;

/// Writes the Moodle XML document for the prepared items.
pub(crate) fn write(items: &[Prepared<'_>]) -> Result<String, ExportError> {
    let mut xml = Xml::new();
    xml.open("quiz", &[]);
    xml.newline();
    let mut current_category = None;
    for prepared in items {
        let item = prepared.item;
        let item_category = category(item);
        if current_category.as_ref() != Some(&item_category) {
            xml.open("question", &[("type", "category")]);
            xml.open("category", &[]);
            xml.leaf("text", &[], &item_category);
            xml.close("category");
            xml.close("question");
            xml.newline();
            current_category = Some(item_category);
        }
        let fractions = fractions(prepared)?;

        xml.open("question", &[("type", "multichoice")]);
        xml.newline();
        xml.open("name", &[]);
        xml.leaf("text", &[], &title(item));
        xml.close("name");
        xml.newline();
        let mut question_html = String::new();
        if let Some(exhibit) = item
            .exhibit
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            question_html.push_str(&format!(
                "<div class=\"exhibit\"><p>{}</p></div>",
                html(exhibit)
            ));
        }
        question_html.push_str(&format!("<p>{}</p>", html(&item.question)));
        html_field(&mut xml, "questiontext", &question_html);
        let general = if item.rationale.trim().is_empty() {
            String::new()
        } else {
            format!("<p>{}</p>", html(&item.rationale))
        };
        html_field(&mut xml, "generalfeedback", &general);
        let default_grade = if prepared.multiple {
            prepared.key_count()
        } else {
            1
        };
        xml.leaf("defaultgrade", &[], &default_grade.to_string());
        xml.leaf("penalty", &[], "0");
        xml.leaf("hidden", &[], "0");
        let idnumber: String = item.id.chars().take(IDNUMBER_MAX_CHARS).collect();
        xml.leaf("idnumber", &[], &idnumber);
        xml.newline();
        xml.leaf(
            "single",
            &[],
            if prepared.multiple { "false" } else { "true" },
        );
        xml.leaf("shuffleanswers", &[], "true");
        xml.leaf("answernumbering", &[], "ABCD");
        xml.newline();
        for (choice, fraction) in prepared.choices.iter().zip(&fractions) {
            xml.open("answer", &[("fraction", fraction), ("format", "html")]);
            xml.open("text", &[]);
            xml.cdata(&html(choice.text));
            xml.close("text");
            if !choice.rationale.trim().is_empty() {
                xml.open("feedback", &[("format", "html")]);
                xml.open("text", &[]);
                xml.cdata(&format!("<p>{}</p>", html(choice.rationale)));
                xml.close("text");
                xml.close("feedback");
            }
            xml.close("answer");
            xml.newline();
        }
        xml.open("tags", &[]);
        for tag in tags(item) {
            xml.open("tag", &[]);
            xml.leaf("text", &[], &tag);
            xml.close("tag");
        }
        xml.close("tags");
        xml.newline();
        xml.close("question");
        xml.newline();
    }
    xml.close("quiz");
    Ok(xml.finish())
}

/// `<name format="html"><text><![CDATA[…]]></text></name>`.
fn html_field(xml: &mut Xml, name: &str, content: &str) {
    xml.open(name, &[("format", "html")]);
    xml.open("text", &[]);
    xml.cdata(content);
    xml.close("text");
    xml.close(name);
    xml.newline();
}

#[cfg(test)]
mod tests {
    //! Round trip through roxmltree: the document is well-formed, and stems, options, keys,
    //! fractions, feedback, categories and tags come back.

    use super::*;
    use crate::domain::items::export::{Format, export, fixtures};
    use crate::domain::items::{Answer, Item, ItemType};

    fn on_list(fraction: f64) -> bool {
        GRADES
            .iter()
            .any(|(_, value)| (value - fraction.abs()).abs() < 1e-9)
            || fraction == 0.0
    }

    #[test]
    fn sata_weights_are_on_the_grade_list_and_keys_sum_to_100_for_1_to_20_keys() {
        for keys in 1..=20 {
            let weights = sata_weights(keys).expect("weights");
            assert_eq!(weights.keys.len(), keys);
            let sum: f64 = weights.keys.iter().map(|g| GRADES[*g].1).sum();
            assert!((sum - 100.0).abs() < 1e-4, "{keys} keys sum to {sum}");
            let ideal = 100.0 / keys as f64;
            // Every weight is one of the two list values either side of the ideal.
            let below = GRADES
                .iter()
                .map(|g| g.1)
                .filter(|v| *v <= ideal + 1e-4)
                .fold(0.0, f64::max);
            let above = GRADES
                .iter()
                .map(|g| g.1)
                .filter(|v| *v >= ideal - 1e-4)
                .fold(f64::MAX, f64::min);
            for grade in weights.keys.iter().chain([&weights.distractor]) {
                let value = GRADES[*grade].1;
                assert!(
                    value == below || value == above,
                    "{keys} keys: {value} is not next to {ideal}"
                );
            }
        }
    }

    #[test]
    fn exact_weights_are_used_where_moodle_has_them() {
        let expected = [
            (1, "100"),
            (2, "50"),
            (3, "33.33333"),
            (4, "25"),
            (5, "20"),
            (6, "16.66667"),
            (7, "14.28571"),
            (8, "12.5"),
            (9, "11.11111"),
            (10, "10"),
            (20, "5"),
        ];
        for (keys, grade) in expected {
            let weights = sata_weights(keys).expect("weights");
            assert!(weights.keys.iter().all(|g| GRADES[*g].0 == grade), "{keys}");
            assert_eq!(GRADES[weights.distractor].0, grade, "{keys}");
        }
    }

    #[test]
    fn eleven_keys_mix_tens_and_fives_and_distractors_take_the_nearer_value() {
        let weights = sata_weights(11).expect("weights");
        let values: Vec<&str> = weights.keys.iter().map(|g| GRADES[*g].0).collect();
        assert_eq!(values.iter().filter(|v| **v == "10").count(), 9);
        assert_eq!(values.iter().filter(|v| **v == "5").count(), 2);
        // 100/11 = 9.09 is nearer 10; 100/15 = 6.67 is nearer 5.
        assert_eq!(GRADES[weights.distractor].0, "10");
        assert_eq!(GRADES[sata_weights(15).expect("weights").distractor].0, "5");
    }

    #[test]
    fn more_than_twenty_keys_is_a_typed_error() {
        assert_eq!(sata_weights(21), None);
        assert_eq!(sata_weights(0), None);
        let mut item = fixtures::base("many", ItemType::MultipleResponse);
        item.options = (0..22)
            .map(|n| crate::domain::items::ChoiceOption {
                id: format!("O{n}"),
                text: format!("option {n}"),
            })
            .collect();
        item.correct_answer = Answer::Choices((0..21).map(|n| format!("O{n}")).collect());
        let error = export(&[item], Format::Moodle).expect_err("must fail");
        assert!(matches!(error, ExportError::TooManyKeys { keys: 21, .. }));
    }

    /// What a reader recovers from one `multichoice` question.
    #[derive(Debug)]
    struct ReadQuestion {
        category: String,
        name: String,
        idnumber: String,
        stem: String,
        exhibit: Option<String>,
        general_feedback: String,
        single: bool,
        /// (text, fraction, feedback)
        answers: Vec<(String, f64, String)>,
        tags: Vec<String>,
    }

    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        node.children()
            .find(|n| n.has_tag_name(name))
            .unwrap_or_else(|| panic!("no <{name}>"))
    }

    fn text(node: roxmltree::Node<'_, '_>) -> String {
        node.text().unwrap_or_default().to_owned()
    }

    /// An HTML fragment back to plain text, with its own XML parse (the fragment is XHTML).
    fn html_to_text(fragment: &str) -> String {
        let wrapped = format!("<r>{fragment}</r>");
        let doc = roxmltree::Document::parse(&wrapped).expect("html fragment parses");
        doc.root_element()
            .descendants()
            .filter_map(|n| {
                if n.is_text() {
                    n.text().map(str::to_owned)
                } else if n.has_tag_name("br") {
                    Some("\n".into())
                } else {
                    None
                }
            })
            .collect()
    }

    fn paragraphs(fragment: &str) -> (Option<String>, String) {
        let wrapped = format!("<r>{fragment}</r>");
        let doc = roxmltree::Document::parse(&wrapped).expect("html fragment parses");
        let mut exhibit = None;
        let mut stem = String::new();
        for node in doc.root_element().children().filter(|n| n.is_element()) {
            let inner = &wrapped[node.range()];
            if node.attribute("class") == Some("exhibit") {
                exhibit = Some(html_to_text(inner));
            } else {
                stem = html_to_text(inner);
            }
        }
        (exhibit, stem)
    }

    fn read(document: &str) -> Vec<ReadQuestion> {
        let doc = roxmltree::Document::parse(document).expect("well-formed");
        let quiz = doc.root_element();
        assert_eq!(quiz.tag_name().name(), "quiz");
        let mut category = String::new();
        let mut questions = Vec::new();
        for question in quiz.children().filter(|n| n.has_tag_name("question")) {
            match question.attribute("type") {
                Some("category") => category = text(child(child(question, "category"), "text")),
                Some("multichoice") => {
                    let (exhibit, stem) =
                        paragraphs(&text(child(child(question, "questiontext"), "text")));
                    let answers = question
                        .children()
                        .filter(|n| n.has_tag_name("answer"))
                        .map(|answer| {
                            let fraction: f64 = answer
                                .attribute("fraction")
                                .expect("fraction")
                                .parse()
                                .expect("number");
                            let feedback = answer
                                .children()
                                .find(|n| n.has_tag_name("feedback"))
                                .map(|f| html_to_text(&text(child(f, "text"))))
                                .unwrap_or_default();
                            (
                                html_to_text(&text(child(answer, "text"))),
                                fraction,
                                feedback,
                            )
                        })
                        .collect();
                    questions.push(ReadQuestion {
                        category: category.clone(),
                        name: text(child(child(question, "name"), "text")),
                        idnumber: text(child(question, "idnumber")),
                        stem,
                        exhibit,
                        general_feedback: html_to_text(&text(child(
                            child(question, "generalfeedback"),
                            "text",
                        ))),
                        single: text(child(question, "single")) == "true",
                        answers,
                        tags: child(question, "tags")
                            .children()
                            .filter(|n| n.has_tag_name("tag"))
                            .map(|tag| text(child(tag, "text")))
                            .collect(),
                    });
                }
                other => panic!("unexpected question type {other:?}"),
            }
        }
        questions
    }

    fn keys_of(item: &Item) -> Vec<String> {
        match &item.correct_answer {
            Answer::Choice(key) => vec![key.clone()],
            Answer::Choices(keys) => keys.clone(),
            other => panic!("not exportable: {other:?}"),
        }
    }

    #[test]
    fn moodle_xml_round_trips_stems_options_keys_fractions_feedback_and_tags() {
        let items = fixtures::all();
        let (bytes, report) = export(&items, Format::Moodle).expect("export");
        assert_eq!(report.exported, 3);
        let document = String::from_utf8(bytes).expect("utf-8");
        let questions = read(&document);
        let exportable: Vec<&Item> = items
            .iter()
            .filter(|item| super::super::is_exportable(item.item_type))
            .collect();
        assert_eq!(questions.len(), exportable.len());
        for (item, got) in exportable.iter().zip(&questions) {
            assert_eq!(got.name, title(item));
            assert_eq!(got.idnumber, item.id);
            assert_eq!(got.category, category(item));
            assert!(
                got.category
                    .ends_with(super::super::client_need_label(item.client_need))
            );
            assert_eq!(got.stem, item.question);
            assert_eq!(got.exhibit, item.exhibit);
            assert_eq!(got.general_feedback, item.rationale);
            assert_eq!(got.tags, tags(item));
            assert!(
                got.tags
                    .contains(&format!("ncjmm:{}", item.ncjmm_function.as_str()))
            );
            assert!(
                got.tags
                    .contains(&format!("client_need:{}", item.client_need.as_str()))
            );
            let keys = keys_of(item);
            assert_eq!(got.answers.len(), item.options.len());
            for (option, (answer, fraction, feedback)) in item.options.iter().zip(&got.answers) {
                assert_eq!(answer, &option.text);
                assert_eq!(feedback, &item.option_rationales[&option.id]);
                assert!(
                    on_list(*fraction),
                    "{fraction} is not on Moodle's grade list"
                );
                assert_eq!(*fraction > 0.0, keys.contains(&option.id), "{}", option.id);
            }
            let key_sum: f64 = got.answers.iter().map(|a| a.1).filter(|f| *f > 0.0).sum();
            assert!((key_sum - 100.0).abs() < 1e-3, "keys sum to {key_sum}");
            if item.item_type == ItemType::MultipleResponse {
                assert!(!got.single);
                let per_key = 100.0 / keys.len() as f64;
                for (_, fraction, _) in &got.answers {
                    assert!((fraction.abs() - per_key).abs() < 1e-4, "{fraction}");
                }
            } else {
                assert!(got.single);
                assert!(got.answers.iter().all(|a| a.1 == 100.0 || a.1 == 0.0));
            }
        }
        // A category question opens each change of client need, and only then.
        assert_eq!(document.matches("type=\"category\"").count(), 2);
    }

    #[test]
    fn text_with_cdata_terminators_survives() {
        let mut item = fixtures::multiple_choice();
        item.question = "Is ]]> safe & <sound>?".into();
        let (bytes, _) = export(&[item.clone()], Format::Moodle).expect("export");
        let questions = read(&String::from_utf8(bytes).expect("utf-8"));
        assert_eq!(questions[0].stem, item.question);
    }
}
