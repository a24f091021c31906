//! Bodies of the operator subcommands that are more than a call (`migrate`, `healthcheck`, `user`),
//! and the operations machinery behind `backup` and `restore`: the archive format, the backup job and
//! its scheduler, S3 uploads, and the systemd notifications of the server.

pub mod archive;
pub mod backup;
pub mod restore;
pub mod s3;
pub mod systemd;

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
    let (_db, report) = Db::open(&options, &crate::clock::now_rfc3339())?;
    Ok(report)
}

/// `user create|list|reset-password|disable`: account management without the server, recorded in
/// the audit log with the actor "cli".
pub async fn user(config: &Config, command: crate::cli::UserCommand) -> anyhow::Result<()> {
    use std::sync::Arc;

    use crate::auth::PasswordHasher;
    use crate::auth::accounts::{self, Actor, CreateUser, UpdateUser};
    use crate::cli::UserCommand;
    use crate::db::accounts as store;
    use crate::domain::accounts::{Role, canonical_username};

    let options = DbOptions {
        data_dir: config.storage.data_dir.clone(),
        busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
        pool_size: 1,
    };
    let (db, _) = Db::open(&options, &crate::clock::now_rfc3339())?;
    let actor = Actor {
        id: None,
        name: "cli".into(),
        ip: None,
    };
    let find = |username: String| {
        let db = db.clone();
        async move {
            let canonical = canonical_username(&username);
            db.read(move |conn| store::find_user_by_username(conn, &canonical))
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user named \"{username}\""))
        }
    };
    match command {
        UserCommand::Create {
            username,
            role,
            password_file,
            display_name,
            email,
        } => {
            let password = match password_file {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|error| {
                            anyhow::anyhow!("cannot read {}: {error}", path.display())
                        })?
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                ),
                None => None,
            };
            let role = Role::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role}"))?;
            let passwords = Arc::new(PasswordHasher::new()?);
            let body = CreateUser {
                username,
                role,
                display_name,
                email,
                password,
            };
            let created = accounts::create_account(&db, &passwords, &body, &actor).await?;
            println!(
                "created {} \"{}\" (id {})",
                created.user.role, created.user.username, created.user.id
            );
            if let Some(password) = created.generated_password {
                println!("password: {password}");
                println!("(shown once; the user must change it at first login)");
            }
        }
        UserCommand::List => {
            let users = db.read(|conn| store::list_users(conn, 0, i64::MAX)).await?;
            println!(
                "{:>6}  {:<24} {:<11} {:<8} last login",
                "id", "username", "role", "active"
            );
            for user in users {
                println!(
                    "{:>6}  {:<24} {:<11} {:<8} {}",
                    user.id,
                    user.username,
                    user.role,
                    if user.is_active { "yes" } else { "no" },
                    user.last_login_at.as_deref().unwrap_or("never")
                );
            }
        }
        UserCommand::ResetPassword { username } => {
            let user = find(username).await?;
            let passwords = Arc::new(PasswordHasher::new()?);
            let (name, password) =
                accounts::reset_account_password(&db, &passwords, user.id, &actor).await?;
            println!("new password for \"{name}\": {password}");
            println!(
                "(shown once; the user must change it at next login; their sessions have ended)"
            );
        }
        UserCommand::Disable { username } => {
            let user = find(username).await?;
            let update = UpdateUser {
                role: None,
                is_active: Some(false),
                display_name: None,
                email: None,
            };
            let user = accounts::apply_user_update(&db, user.id, update, &actor).await?;
            println!("disabled \"{}\"; their sessions have ended", user.username);
        }
    }
    Ok(())
}

/// `export`: which items and where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub format: String,
    pub output: Option<std::path::PathBuf>,
    pub topic: Option<String>,
    pub client_need: Option<String>,
    pub item_type: Option<String>,
    pub include_retired: bool,
    pub limit: i64,
}

/// Writes an export of item-bank items and says what it wrote and skipped.
pub fn export(config: &Config, request: ExportRequest) -> anyhow::Result<String> {
    use crate::db::items::{ItemQuery, list_items};
    use crate::domain::items::export::{Format, export};

    let format = Format::parse(&request.format)
        .ok_or_else(|| anyhow::anyhow!("unknown format {}", request.format))?;
    let options = DbOptions {
        data_dir: config.storage.data_dir.clone(),
        busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
        pool_size: 1,
    };
    let (db, _) = Db::open(&options, &crate::clock::now_rfc3339())?;
    let query = ItemQuery {
        topic: request.topic,
        item_type: request.item_type,
        client_need: request.client_need,
        status: (!request.include_retired).then(|| "active".to_owned()),
        limit: request.limit.clamp(1, 100_000),
        ..ItemQuery::default()
    };
    let (stored, _) = db.read_now(|conn| list_items(conn, &query))?;
    let items: Vec<_> = stored.into_iter().map(|stored| stored.item).collect();
    let (bytes, report) = export(&items, format)?;
    let path = request
        .output
        .unwrap_or_else(|| format!("bsn-items-{}.{}", format.as_str(), format.extension()).into());
    let partial = path.with_extension("partial");
    std::fs::write(&partial, &bytes)
        .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", partial.display()))?;
    std::fs::rename(&partial, &path)
        .map_err(|error| anyhow::anyhow!("cannot write {}: {error}", path.display()))?;
    let now = crate::clock::now_rfc3339();
    let details = serde_json::json!({ "format": format.as_str(), "exported": report.exported, "skipped": report.skipped_by_type });
    db.write_blocking(|tx| {
        crate::db::accounts::insert_audit(
            tx,
            &crate::db::accounts::AuditEntry {
                actor_id: None,
                actor: "cli",
                action: "export",
                target: None,
                ip: None,
                details,
            },
            &now,
        )
    })?;
    let skipped: Vec<String> = report
        .skipped_by_type
        .iter()
        .map(|(kind, count)| format!("{count} {}", kind.as_str()))
        .collect();
    Ok(format!(
        "wrote {} ({} items exported; skipped: {})",
        path.display(),
        report.exported,
        if skipped.is_empty() {
            "none".to_owned()
        } else {
            skipped.join(", ")
        }
    ))
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
