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
