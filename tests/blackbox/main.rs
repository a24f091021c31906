//! Black-box tests: each starts the real `bsn-knowledge` binary against a real SQLite file in a
//! temporary directory and talks to it over loopback HTTP.

/// Spawning the binary, reading its logs, HTTP helpers.
mod helpers;

/// Subcommands and exit codes.
mod cli;
/// Config layering and config errors through the binary.
mod config;
/// /health, /metrics and the error envelope.
mod observability;
/// Signals: graceful shutdown with a request in flight, SIGHUP reload.
mod signals;
/// Storage faults: unwritable data dir, corrupt file, durability after kill -9.
mod storage;
