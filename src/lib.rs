//! BSN Knowledge, one appliance binary. Modules in reading order; dependencies point down this list
//! (`http` uses `health`, `cache`, `db`; `db` and `config` use nothing else of the crate).

#![forbid(unsafe_code)]

/// Passwords, tokens, brute-force and quota state.
pub mod auth;
/// The in-memory cache.
pub mod cache;
/// Command-line types.
pub mod cli;
/// Wall-clock helpers.
pub mod clock;
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
