//! GIFT (Moodle's plain-text question format): `$CATEGORY:` lines for the client need, a `//`
//! comment carrying the idnumber and tags (`[id:…] [tag:…]`), `::title::`, HTML question text,
//! `=`/`~` answers (SATA with `%weight%` from Moodle's grade list), `#` per-answer feedback and
//! `####` general feedback; a blank line between questions.
//!
//! Texts go in as `[html]` with `&`, `<`, `>` escaped and line breaks as `<br />`, so no text can
//! open a blank line (which would end the question early), and a backslash as `&#92;`; then the
//! GIFT specials `~ = # { } :` are escaped with a backslash (in the plain-text `::title::` a
//! backslash is doubled, as Moodle's own exporter does). Pure: returns text.

use super::moodle::fractions;
use super::{ExportError, Prepared, category, clean, html, tags, title};

/// Escapes GIFT's special characters with a backslash.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '~' | '=' | '#' | '{' | '}' | ':' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Plain text as GIFT-ready HTML: escaped, line breaks as `<br />`, and backslashes as the
/// character reference `&#92;` (its `#` then escaped), so no backslash in the text can combine
/// with a following character into a GIFT escape, whatever the importer does with `\\`.
fn html_text(text: &str) -> String {
    escape(&html(text).replace('\\', "&#92;"))
}

/// Text safe inside a `//` comment's `[…]` field: one line, no brackets.
fn comment_field(text: &str) -> String {
    clean(text)
        .chars()
        .map(|c| match c {
            '[' | ']' | '\n' | '\t' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Writes the GIFT text for the prepared items.
pub(crate) fn write(items: &[Prepared<'_>]) -> Result<String, ExportError> {
    let mut out = String::new();
    let mut current_category = None;
    for prepared in items {
        let item = prepared.item;
        let item_category = category(item);
        if current_category.as_ref() != Some(&item_category) {
            out.push_str(&format!("$CATEGORY: {item_category}\n\n"));
            current_category = Some(item_category);
        }
        let fractions = fractions(prepared)?;

        out.push_str(&format!("// [id:{}]", comment_field(&item.id)));
        for tag in tags(item) {
            out.push_str(&format!(" [tag:{}]", comment_field(&tag)));
        }
        out.push('\n');

        let name = clean(&title(item)).replace(['\n', '\t'], " ");
        let mut question = String::new();
        if let Some(exhibit) = item
            .exhibit
            .as_deref()
            .filter(|text| !text.trim().is_empty())
        {
            question.push_str(&format!(
                "<div class=\"exhibit\"><p>{}</p></div>",
                html(exhibit)
            ));
        }
        question.push_str(&format!("<p>{}</p>", html(&item.question)));
        out.push_str(&format!(
            "::{}::[html]{} {{\n",
            escape(&name),
            escape(&question.replace('\\', "&#92;"))
        ));

        for (choice, fraction) in prepared.choices.iter().zip(&fractions) {
            let marker = match (prepared.multiple, choice.key) {
                (true, _) => format!("~%{fraction}%"),
                (false, true) => "=".to_owned(),
                (false, false) => "~".to_owned(),
            };
            out.push_str(&format!("{marker}{}", html_text(choice.text)));
            if !choice.rationale.trim().is_empty() {
                out.push_str(&format!(" #{}", html_text(choice.rationale)));
            }
            out.push('\n');
        }
        if !item.rationale.trim().is_empty() {
            out.push_str(&format!("####{}\n", html_text(&item.rationale)));
        }
        out.push_str("}\n\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Round trip through a small GIFT reader written here: it splits questions on blank lines,
    //! reads `$CATEGORY:` and `//` comment lines, and tokenises answers respecting backslash
    //! escapes; HTML comes back to text with an XML parse of the (XHTML) fragment.

    use super::*;
    use crate::domain::items::export::{Format, export, fixtures};
    use crate::domain::items::{Answer, Item, ItemType};

    #[derive(Debug, Default)]
    struct ReadAnswer {
        correct_marker: bool,
        weight: Option<f64>,
        text: String,
        feedback: String,
    }

    #[derive(Debug, Default)]
    struct ReadQuestion {
        category: String,
        id: String,
        tags: Vec<String>,
        title: String,
        html: bool,
        stem: String,
        exhibit: Option<String>,
        answers: Vec<ReadAnswer>,
        general_feedback: String,
    }

    /// Removes backslash escapes.
    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The byte index of the first unescaped occurrence of `needle` at or after `from`.
    fn find_unescaped(text: &str, needle: &str, from: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut index = from;
        while index < bytes.len() {
            if bytes[index] == b'\\' {
                index += 2;
                continue;
            }
            if bytes[index..].starts_with(needle.as_bytes()) {
                return Some(index);
            }
            index += 1;
        }
        None
    }

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

    fn parse_answers(section: &str) -> (Vec<ReadAnswer>, String) {
        let mut answers: Vec<ReadAnswer> = Vec::new();
        let mut general = String::new();
        // Split into tokens at unescaped markers: `~`, `=`, `####`, `#`.
        let bytes = section.as_bytes();
        let mut index = 0;
        let mut current = String::new();
        let mut kind = ' ';
        let flush =
            |kind: char, text: &str, answers: &mut Vec<ReadAnswer>, general: &mut String| {
                let value = unescape(text.trim());
                match kind {
                    '~' | '=' => {
                        let (weight, rest) = match value.strip_prefix('%') {
                            Some(rest) => {
                                let end = rest.find('%').expect("closing %");
                                (
                                    Some(rest[..end].parse::<f64>().expect("weight")),
                                    rest[end + 1..].to_owned(),
                                )
                            }
                            None => (None, value.clone()),
                        };
                        answers.push(ReadAnswer {
                            correct_marker: kind == '=',
                            weight,
                            text: html_to_text(&rest),
                            feedback: String::new(),
                        });
                    }
                    '#' => {
                        answers
                            .last_mut()
                            .expect("feedback after an answer")
                            .feedback = html_to_text(&value)
                    }
                    'G' => *general = html_to_text(&value),
                    _ => assert!(value.is_empty(), "text before the first answer: {value}"),
                }
            };
        while index < bytes.len() {
            let c = bytes[index];
            if c == b'\\' {
                let next_len = section[index + 1..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                current.push_str(&section[index..index + 1 + next_len]);
                index += 1 + next_len;
                continue;
            }
            let marker = match c {
                b'~' | b'=' => Some((c as char, 1)),
                b'#' if section[index..].starts_with("####") => Some(('G', 4)),
                b'#' => Some(('#', 1)),
                _ => None,
            };
            if let Some((next, width)) = marker {
                flush(kind, &current, &mut answers, &mut general);
                current.clear();
                kind = next;
                index += width;
            } else {
                let ch = section[index..].chars().next().expect("char");
                current.push(ch);
                index += ch.len_utf8();
            }
        }
        flush(kind, &current, &mut answers, &mut general);
        (answers, general)
    }

    fn read(text: &str) -> Vec<ReadQuestion> {
        let mut category = String::new();
        let mut questions = Vec::new();
        for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
            let mut question = ReadQuestion::default();
            let mut body = Vec::new();
            for line in block.lines() {
                if let Some(path) = line.strip_prefix("$CATEGORY:") {
                    category = path.trim().to_owned();
                } else if let Some(comment) = line.trim_start().strip_prefix("//") {
                    for field in comment.split('[').skip(1) {
                        let field = field.split(']').next().expect("field");
                        if let Some(id) = field.strip_prefix("id:") {
                            question.id = id.to_owned();
                        } else if let Some(tag) = field.strip_prefix("tag:") {
                            question.tags.push(tag.to_owned());
                        }
                    }
                } else {
                    body.push(line);
                }
            }
            if body.is_empty() {
                continue;
            }
            let body = body.join("\n");
            let rest = body.strip_prefix("::").expect("a ::title::");
            let end = find_unescaped(rest, "::", 0).expect("title end");
            question.title = unescape(&rest[..end]);
            let mut rest = &rest[end + 2..];
            if let Some(after) = rest.strip_prefix("[html]") {
                question.html = true;
                rest = after;
            }
            let open = find_unescaped(rest, "{", 0).expect("answers open");
            let close = find_unescaped(rest, "}", open).expect("answers close");
            assert!(
                rest[close + 1..].trim().is_empty(),
                "text after the answers"
            );
            let stem_html = unescape(rest[..open].trim());
            let wrapped = format!("<r>{stem_html}</r>");
            let doc = roxmltree::Document::parse(&wrapped).expect("stem html parses");
            for node in doc.root_element().children().filter(|n| n.is_element()) {
                let inner = html_to_text(&wrapped[node.range()]);
                if node.attribute("class") == Some("exhibit") {
                    question.exhibit = Some(inner);
                } else {
                    question.stem = inner;
                }
            }
            let (answers, general) = parse_answers(&rest[open + 1..close]);
            question.answers = answers;
            question.general_feedback = general;
            question.category = category.clone();
            questions.push(question);
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
    fn gift_round_trips_stems_options_keys_weights_feedback_and_tags() {
        let items = fixtures::all();
        let (bytes, report) = export(&items, Format::Gift).expect("export");
        assert_eq!(report.exported, 3);
        let text = String::from_utf8(bytes).expect("utf-8");
        let questions = read(&text);
        let exportable: Vec<&Item> = items
            .iter()
            .filter(|item| super::super::is_exportable(item.item_type))
            .collect();
        assert_eq!(questions.len(), exportable.len());
        for (item, got) in exportable.iter().zip(&questions) {
            assert!(got.html);
            assert_eq!(got.title, title(item));
            assert_eq!(got.id, item.id);
            assert_eq!(got.category, category(item));
            assert_eq!(got.tags, tags(item));
            assert_eq!(got.stem, item.question);
            assert_eq!(got.exhibit, item.exhibit);
            assert_eq!(got.general_feedback, item.rationale);
            let keys = keys_of(item);
            assert_eq!(got.answers.len(), item.options.len());
            for (option, answer) in item.options.iter().zip(&got.answers) {
                let is_key = keys.contains(&option.id);
                assert_eq!(answer.text, option.text);
                assert_eq!(answer.feedback, item.option_rationales[&option.id]);
                if item.item_type == ItemType::MultipleResponse {
                    let weight = answer.weight.expect("SATA answers carry a weight");
                    let per_key = 100.0 / keys.len() as f64;
                    assert!((weight.abs() - per_key).abs() < 1e-4, "{weight}");
                    assert_eq!(weight > 0.0, is_key);
                    assert!(
                        !answer.correct_marker,
                        "SATA uses ~ only, so Moodle sets single=false"
                    );
                } else {
                    assert_eq!(answer.weight, None);
                    assert_eq!(answer.correct_marker, is_key);
                }
            }
            if item.item_type == ItemType::MultipleResponse {
                let sum: f64 = got
                    .answers
                    .iter()
                    .filter_map(|a| a.weight)
                    .filter(|w| *w > 0.0)
                    .sum();
                assert!((sum - 100.0).abs() < 1e-3, "{sum}");
            }
        }
    }

    #[test]
    fn special_characters_are_escaped_and_questions_are_separated_by_one_blank_line() {
        let items = fixtures::all();
        let (bytes, _) = export(&items, Format::Gift).expect("export");
        let text = String::from_utf8(bytes).expect("utf-8");
        // Each question and category is one block; none contains a blank line.
        let blocks: Vec<&str> = text
            .split("\n\n")
            .filter(|b| !b.trim().is_empty())
            .collect();
        assert_eq!(blocks.len(), 3 + 2);
        assert!(!text.contains("\n\n\n"));
        // The fixture text's specials all appear escaped.
        for escaped in [r"\~", r"\=", r"\#", r"\{", r"\}", r"\:", r"&\#92;"] {
            assert!(text.contains(escaped), "{escaped}");
        }
        assert!(text.contains("💊"));
    }

    #[test]
    fn escape_prefixes_every_special_character() {
        assert_eq!(escape("a~b=c#d{e}f:g\\h"), r"a\~b\=c\#d\{e\}f\:g\\h");
        assert_eq!(unescape(&escape(fixtures::NASTY)), fixtures::NASTY);
    }

    #[test]
    fn weights_come_from_moodle_grade_list_for_three_keys() {
        let (bytes, _) = export(&[fixtures::sata("s", 3)], Format::Gift).expect("export");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text.matches("~%33.33333%").count(), 3);
        assert_eq!(text.matches("~%-33.33333%").count(), 3);
    }
}
