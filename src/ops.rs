//! Bodies of the operator subcommands that are more than a call: `migrate`, `healthcheck`.

use std::time::Duration;

use crate::config::Config;
use crate::db::{Db, DbOptions, MigrationReport};

/// Applies pending migrations (works while a server runs: SQLite serialises the writers).
pub fn migrate(config: &Config) -> anyhow::Result<MigrationReport> {
    let options = DbOptions {
        data_dir: config.storage.data_dir.clone(),
        busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
        pool_size: 1,
    };
    let (_db, report) = Db::open(&options, &crate::now_rfc3339())?;
    Ok(report)
}

/// Exit codes of `healthcheck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthExit {
    Healthy = 0,
    Degraded = 1,
    Unhealthy = 2,
}

/// The health URL of a server listening on `http_listen` (a wildcard address is asked on loopback).
pub fn default_health_url(config: &Config) -> String {
    let mut address = config.server.http_listen;
    if address.ip().is_unspecified() {
        address.set_ip(if address.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{address}/health")
}

/// Asks `/health` and maps the answer to an exit code; prints the body or the reason.
pub async fn healthcheck(url: &str) -> HealthExit {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("cannot build an HTTP client: {error}");
            return HealthExit::Unhealthy;
        }
    };
    let response = match client.get(url).send().await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("unhealthy: cannot reach {url}: {error}");
            return HealthExit::Unhealthy;
        }
    };
    let body: serde_json::Value = match response.json().await {
        Ok(body) => body,
        Err(error) => {
            eprintln!("unhealthy: {url} did not answer with health JSON: {error}");
            return HealthExit::Unhealthy;
        }
    };
    println!("{body}");
    match body.get("status").and_then(|status| status.as_str()) {
        Some("healthy") => HealthExit::Healthy,
        Some("degraded") => HealthExit::Degraded,
        _ => HealthExit::Unhealthy,
    }
}
