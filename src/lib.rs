//! BSN Knowledge, one appliance binary. Modules in reading order; dependencies point down this list
//! (`http` uses `health`, `cache`, `db`; `db` and `config` use nothing else of the crate).

#![forbid(unsafe_code)]

/// Passwords, tokens, brute-force and quota state.
pub mod auth;
/// The in-memory cache.
pub mod cache;
/// Command-line types.
pub mod cli;
/// The typed config file, its layers and validation.
pub mod config;
/// The embedded knowledge base, item catalog and topic index.
pub mod content;
/// SQLite storage and migrations.
pub mod db;
/// The domain core: pure rules and values, no IO.
pub mod domain;
/// The `/health` checks.
pub mod health;
/// The HTTP edge: router, middleware, error envelope, handlers.
pub mod http;
/// Prometheus metrics.
pub mod metrics;
/// Bodies of the operator subcommands.
pub mod ops;
/// Start-up, the serve loop, signals.
pub mod server;
/// Logging setup and the live log level.
pub mod telemetry;
/// TLS termination and certificates (files, self-signed, ACME).
pub mod tls;

/// The version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Now, as RFC 3339 UTC with second precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Now, as seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
