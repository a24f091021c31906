//! Bodies of the operator subcommands that are more than a call (`migrate`, `healthcheck`, `user`),
//! and the operations machinery behind `backup` and `restore`: the archive format, the backup job and
//! its scheduler, S3 uploads, and the systemd notifications of the server.

pub mod archive;
pub mod backup;
pub mod calibration;
pub mod restore;
pub mod s3;
pub mod systemd;

use std::time::Duration;

use crate::config::{Config, ConfigError};
use crate::db::{Db, DbOptions, MigrationReport};
use crate::domain::audit::AuditAction;

/// Why an operator command failed; [`CommandError::exit_code`] is the one mapping to the exit codes
/// the contract fixes (2 config or usage error, 1 any other failure).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The config file or its environment overrides are invalid; the message names key and line.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A refused argument.
    #[error("error: {0:#}")]
    Usage(anyhow::Error),
    /// Anything else.
    #[error("error: {0:#}")]
    Failed(anyhow::Error),
}

impl CommandError {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Config(_) | CommandError::Usage(_) => 2,
            CommandError::Failed(_) => 1,
        }
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        CommandError::Failed(error)
    }
}

/// Raises the soft open-file limit to the hard one (systemd's `LimitNOFILE` sets both, a login
/// shell often leaves the soft limit at 1024) and returns the soft limit now in force. The
/// server's connection cap follows it.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some() && limit.current != limit.maximum {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            },
        )
        .map_err(std::io::Error::from)?;
    }
    Ok(getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX))
}

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

/// What `user` is asked to do, in plain types (the command line maps onto this).
#[derive(Debug, Clone)]
pub enum UserAction {
    Create {
        username: String,
        role: crate::domain::accounts::Role,
        password_file: Option<std::path::PathBuf>,
        display_name: Option<String>,
        email: Option<String>,
    },
    List,
    ResetPassword {
        username: String,
    },
    Disable {
        username: String,
    },
}

/// `user create|list|reset-password|disable`: account management without the server, recorded in
/// the audit log with the actor "cli". A refused argument (bad username, weak password) is a
/// [`CommandError::Usage`].
pub async fn user(config: &Config, action: UserAction) -> Result<(), CommandError> {
    user_action(config, action).await.map_err(|error| {
        let bad_argument = matches!(
            error.downcast_ref::<crate::auth::accounts::AccountError>(),
            Some(crate::auth::accounts::AccountError::Invalid { .. })
        );
        if bad_argument {
            CommandError::Usage(error)
        } else {
            CommandError::Failed(error)
        }
    })
}

async fn user_action(config: &Config, action: UserAction) -> anyhow::Result<()> {
    use std::sync::Arc;

    use crate::auth::PasswordHasher;
    use crate::auth::accounts::{self, Actor, CreateUser, UpdateUser};
    use crate::db::accounts as store;
    use crate::domain::accounts::canonical_username;

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
    match action {
        UserAction::Create {
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
        UserAction::List => {
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
        UserAction::ResetPassword { username } => {
            let user = find(username).await?;
            let passwords = Arc::new(PasswordHasher::new()?);
            let (name, password) =
                accounts::reset_account_password(&db, &passwords, user.id, &actor).await?;
            println!("new password for \"{name}\": {password}");
            println!(
                "(shown once; the user must change it at next login; their sessions have ended)"
            );
        }
        UserAction::Disable { username } => {
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
                action: AuditAction::Export,
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
#[repr(u8)]
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

/// The `/health` URL for what the operator gave: a base URL (`http://host:port` or with a trailing
/// slash) means its `/health`; any other path is taken as given.
pub fn health_url(given: &str) -> String {
    match reqwest::Url::parse(given) {
        Ok(mut url) if url.path() == "/" && url.query().is_none() => {
            url.set_path("/health");
            url.to_string()
        }
        _ => given.to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_means_its_health_path() {
        for base in ["http://127.0.0.1:8000", "http://127.0.0.1:8000/"] {
            assert_eq!(health_url(base), "http://127.0.0.1:8000/health");
        }
        assert_eq!(
            health_url("https://school.example/health"),
            "https://school.example/health"
        );
        assert_eq!(
            health_url("http://127.0.0.1:8000/prefix/health"),
            "http://127.0.0.1:8000/prefix/health"
        );
        // Not a URL: left for the client to refuse with its own message.
        assert_eq!(health_url("not a url"), "not a url");
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let usage = CommandError::Usage(anyhow::anyhow!("bad"));
        let failed = CommandError::Failed(anyhow::anyhow!("broken"));
        assert_eq!(usage.exit_code(), 2);
        assert_eq!(failed.exit_code(), 1);
        assert_eq!(failed.to_string(), "error: broken");
    }
}
