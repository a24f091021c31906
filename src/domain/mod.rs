//! The domain core: rules and values with no IO. No axum, tokio, rusqlite or config in here; callers
//! pass in "now" and whatever data the rule needs.

/// A typed row id: a newtype over the `i64` SQLite gives it, serialised as the bare number, shown as
/// the number, converted with `From` both ways and [`get`](accounts::UserId::get). `db` binds and
/// reads each as an integer.
macro_rules! id_type {
    ($(#[$meta:meta])* $id:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $id(pub i64);

        impl $id {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $id {
            fn from(id: i64) -> Self {
                $id(id)
            }
        }

        impl From<$id> for i64 {
            fn from(id: $id) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $id {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(formatter, "{}", self.0)
            }
        }
    };
}

pub mod accounts;
pub mod audit;
pub mod competency;
pub mod items;
pub mod knowledge;
pub mod practice;
pub mod psychometrics;
pub mod quotas;

/// Whether a name or title is blank: nothing but whitespace, counting both Unicode's (what
/// `str::trim` removes, U+0085 included) and JSON Schema's (ECMA-262 `\s`, which adds U+FEFF), so
/// that the server refuses exactly what the OpenAPI document's `[^\s\u0085]` pattern does not match.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

#[cfg(test)]
mod blank_tests {
    #[test]
    fn blank_means_whitespace_in_either_sense() {
        for blank in ["", "  ", "\u{85}", "\u{feff}", "\t\u{a0}\u{3000}"] {
            assert!(super::is_blank(blank), "{blank:?}");
        }
        for text in ["a", " Cohort A ", "\u{85}x"] {
            assert!(!super::is_blank(text), "{text:?}");
        }
    }
}
