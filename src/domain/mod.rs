//! The domain core: rules and values with no IO. No axum, tokio, rusqlite or config in here; callers
//! pass in "now" and whatever data the rule needs.

pub mod accounts;
pub mod audit;
pub mod competency;
pub mod items;
pub mod knowledge;
pub mod practice;
pub mod psychometrics;
pub mod quotas;
