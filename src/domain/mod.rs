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

/// A typed text id: a newtype over the `String` an item or competency is named by, serialised as
/// the bare string, shown as the string, read with [`as_str`](items::ItemId::as_str) and made with
/// `From<String>`/`From<&str>`. `db` binds and reads each as text.
macro_rules! text_id_type {
    ($(#[$meta:meta])* $id:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $id(String);

        impl $id {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $id {
            fn from(id: String) -> Self {
                $id(id)
            }
        }

        impl From<&str> for $id {
            fn from(id: &str) -> Self {
                $id(id.to_owned())
            }
        }

        impl From<$id> for String {
            fn from(id: $id) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $id {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $id {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $id {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $id {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $id {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl std::fmt::Display for $id {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(&self.0)
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
mod text_id_tests {
    use std::collections::HashMap;

    use super::competency::CompetencyId;
    use super::items::ItemId;

    #[test]
    fn a_text_id_is_the_bare_string_in_json_and_text() {
        let id = ItemId::from("pharm-digoxin-0042");
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            serde_json::json!("pharm-digoxin-0042")
        );
        assert_eq!(
            serde_json::from_value::<ItemId>(serde_json::json!("pharm-digoxin-0042")).unwrap(),
            id
        );
        assert!(serde_json::from_value::<ItemId>(serde_json::json!(42)).is_err());
        assert_eq!(id.to_string(), "pharm-digoxin-0042");
        assert_eq!(id.as_str(), "pharm-digoxin-0042");
        assert_eq!(String::from(id.clone()), "pharm-digoxin-0042");
        // Maps keyed by the id are looked up with a plain &str.
        let by_id: HashMap<ItemId, u32> = HashMap::from([(id.clone(), 7)]);
        assert_eq!(by_id.get("pharm-digoxin-0042"), Some(&7));
        assert_eq!(by_id.get("pharm-digoxin-0043"), None);
        let competency = CompetencyId::from(String::from("2.4"));
        assert!(competency == "2.4" && competency != "2.4c");
        assert_eq!(competency, String::from("2.4"));
    }
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
