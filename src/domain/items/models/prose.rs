//! The prose helpers the item models share: articles, a fact's note in a rationale, parenthetical
//! qualifiers and lists. Sentence case is `build::sentence`.

use crate::domain::knowledge::Fact;

/// "an early deceleration", "a late deceleration".
pub fn with_article(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c))
        || noun.starts_with("8")
        || noun.starts_with("11")
        || noun.starts_with("18");
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// A fact's note for the end of a rationale sentence: " Note text." or nothing.
pub fn cite_note(fact: &Fact) -> String {
    if fact.note.trim().is_empty() {
        String::new()
    } else {
        format!(" {}", fact.note.trim())
    }
}

/// The text before its first parenthetical qualifier, trimmed: "vitamin K (phytonadione)" →
/// "vitamin K". Qualifiers go to the rationale, not the option, where they would mark the key.
pub fn before_parenthetical(text: &str) -> &str {
    text.split(" (").next().unwrap_or(text).trim()
}

/// [`before_parenthetical`] only when the parenthetical closes the text: "grating sensation
/// (crepitus) at the fracture site" stays whole, since cutting it would lose the site.
pub fn without_closing_parenthetical(text: &str) -> &str {
    if text.trim_end().ends_with(')') {
        before_parenthetical(text)
    } else {
        text
    }
}

/// A class code as prose: "renal_urinary" → "renal and urinary", "integumentary_burns" →
/// "integumentary and burn". A code never reaches item text as it is stored.
pub fn class_label(code: &str) -> String {
    match code {
        "integumentary_burns" => "integumentary and burn".to_owned(),
        _ => code.replace('_', " and "),
    }
}

/// "a, b, and c": the one list style of item text (the serial comma; two items take no comma).
pub fn serial_list(texts: &[String]) -> String {
    match texts.len() {
        0 => String::new(),
        1 => texts[0].clone(),
        2 => format!("{} and {}", texts[0], texts[1]),
        _ => format!(
            "{}, and {}",
            texts[..texts.len() - 1].join(", "),
            texts[texts.len() - 1]
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_the_sound_of_the_first_letter_or_number() {
        assert_eq!(with_article("early deceleration"), "an early deceleration");
        assert_eq!(with_article("late deceleration"), "a late deceleration");
        assert_eq!(with_article("18-month-old"), "an 18-month-old");
        assert_eq!(with_article("2-year-old"), "a 2-year-old");
    }

    #[test]
    fn parentheticals_are_cut_at_the_first_one_and_only_closing_ones_when_asked() {
        assert_eq!(
            before_parenthetical("vitamin K (phytonadione)"),
            "vitamin K"
        );
        assert_eq!(
            before_parenthetical("grating sensation (crepitus) at the fracture site"),
            "grating sensation"
        );
        assert_eq!(before_parenthetical(" no qualifier "), "no qualifier");
        assert_eq!(
            without_closing_parenthetical("grating sensation (crepitus) at the fracture site"),
            "grating sensation (crepitus) at the fracture site"
        );
        assert_eq!(
            without_closing_parenthetical("naloxone (partial reversal) "),
            "naloxone"
        );
    }

    #[test]
    fn lists_join_with_and_and_the_serial_comma() {
        let words = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(serial_list(&words(&["a", "b", "c"])), "a, b, and c");
        assert_eq!(serial_list(&words(&["a", "b"])), "a and b");
        assert_eq!(serial_list(&words(&["a"])), "a");
        assert_eq!(serial_list(&[]), "");
    }
}
