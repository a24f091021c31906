//! BSN Knowledge, one appliance binary. Modules in reading order, from the outside in:
//! dependencies point down this list (a module uses only modules listed below it), and the
//! `layering` test checks the rules ARCHITECTURE.md states about them. (Blank lines between the
//! declarations keep rustfmt from sorting them.)

#![forbid(unsafe_code)]

/// Start-up, the serve loop, connection caps and deadlines, signals.
pub mod server;

/// Command-line types (clap), used by the entry point only.
pub mod cli;

/// The HTTP edge: router, middleware, error envelope, handlers.
pub mod http;

/// Bodies of the operator subcommands; backups and restores.
pub mod ops;

/// TLS termination and certificates (files, self-signed, ACME).
pub mod tls;

/// Passwords, tokens, brute-force and quota state.
pub mod auth;

/// The `/health` checks.
pub mod health;

/// Prometheus metrics.
pub mod metrics;

/// The in-memory cache.
pub mod cache;

/// The embedded knowledge base, item catalog and topic index.
pub mod content;

/// Logging setup, the live log level and the bound on repetitive lines.
pub mod telemetry;

/// SQLite storage and migrations.
pub mod db;

/// The typed config file, its layers and validation.
pub mod config;

/// The domain core: pure rules and values, no IO.
pub mod domain;

/// Wall-clock helpers.
pub mod clock;

/// The layering rules, checked on the source.
#[cfg(test)]
mod layering;

/// The version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
