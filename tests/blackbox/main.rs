//! Black-box tests: each starts the real `bsn-knowledge` binary against a real SQLite file in a
//! temporary directory and talks to it over loopback HTTP.

/// Spawning the binary, reading its logs, HTTP helpers.
mod helpers;

/// A server with a known admin, and API helpers.
mod api;

/// Accounts: login, tokens, roles, cohorts, lockout, quotas, attacks.
mod accounts;
/// Readiness, NCLEX outcomes and the accuracy report.
mod analytics;
/// The adaptive exam: sessions, answers, stop rules, resume after a restart.
mod cat;
/// Subcommands and exit codes.
mod cli;
/// Competency assessment: recorded evidence, assessments, bulk, gaps and learning paths.
mod competency;
/// Config layering and config errors through the binary.
mod config;
/// Connection exhaustion: silent connections, per-address caps, idle keep-alive.
mod connections;
/// Helpers for the TLS/edge tests: certificates, TLS clients, openssl, Pebble.
mod edge_helpers;
/// Hardening: sessions, cohort access, look-alike usernames, lockout, file modes.
mod hardening;
/// Item generation and the item bank.
mod items;
/// Lockout that cannot be used against the owner: per account and address, known addresses.
mod lockout;
/// /health, /metrics and the error envelope.
mod observability;
/// The OpenAPI document: valid, and true to the server.
mod openapi;
/// Quizzes, attempts, answers, scoring, reviews and self-practice.
mod practice;
/// Signals: graceful shutdown with a request in flight, SIGHUP reload.
mod signals;
/// Storage faults: unwritable data dir, corrupt file, durability after kill -9.
mod storage;

/// ACME against a real Pebble: issuance, reuse, renewal, CA faults.
mod acme;
/// Backups and restores: under load, refused while serving, admin API, schedule, S3 (moto).
mod backup;
/// Redirect, security headers, host allow-list, CORS, body limit, compression.
mod edge;
/// Per-IP rate limits, trusted proxies, SIGHUP.
mod rate_limits;
/// Embedded assets: MIME, ETag/304, caching, precompressed variants, traversal.
mod static_assets;
/// TLS handshakes: version/cipher policy, ALPN, resumption, SNI, slow clients, file reloads.
mod tls;
