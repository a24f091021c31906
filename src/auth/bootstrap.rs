//! First start: when no admin exists, create `admin` so the school can log in at all.

use std::path::Path;

use crate::auth::PasswordHasher;
use crate::db::accounts::{self, AuditEntry, NewUser};
use crate::db::{Db, DbError};

/// The environment variable naming a file with the first admin's password.
pub const PASSWORD_FILE_ENV: &str = "BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE";

/// What bootstrapping did.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Admins exist; nothing to do.
    NotNeeded,
    /// Created `admin` with this generated password, to be changed at first login.
    Generated(String),
    /// Created `admin` with the password from the file.
    FromFile,
}

/// Creates `admin` when there is no admin account at all (blocking; run off the async runtime).
pub fn bootstrap_admin(
    db: &Db,
    hasher: &PasswordHasher,
    password_file: Option<&Path>,
) -> anyhow::Result<Bootstrap> {
    let admins: i64 = db.write_blocking(|tx| {
        Ok(
            tx.query_row("SELECT count(*) FROM users WHERE role = 'admin'", [], |r| {
                r.get(0)
            })?,
        )
    })?;
    if admins > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let (password, outcome) = match password_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                anyhow::anyhow!(
                    "cannot read {PASSWORD_FILE_ENV} file {}: {error}",
                    path.display()
                )
            })?;
            let password = text.trim_end_matches(['\r', '\n']).to_owned();
            if password.chars().count() < crate::domain::accounts::PASSWORD_MIN {
                anyhow::bail!(
                    "the password in {} is shorter than {} characters",
                    path.display(),
                    crate::domain::accounts::PASSWORD_MIN
                );
            }
            (password, Bootstrap::FromFile)
        }
        None => {
            let password = crate::auth::generated_password();
            (password.clone(), Bootstrap::Generated(password))
        }
    };
    let hash = hasher.hash(&password)?;
    let now = crate::clock::now_rfc3339();
    let must_change = matches!(outcome, Bootstrap::Generated(_));
    db.write_blocking(|tx| {
        let user = NewUser {
            username: "admin",
            display_name: "Administrator",
            email: None,
            role: "admin",
            password_hash: &hash,
            must_change_password: must_change,
        };
        accounts::insert_user(tx, &user, &now)?;
        accounts::insert_audit(
            tx,
            &AuditEntry {
                actor_id: None,
                actor: "system",
                action: "user_created",
                target: Some("admin"),
                ip: None,
                details: serde_json::json!({ "bootstrap": true }),
            },
            &now,
        )?;
        Ok::<(), DbError>(())
    })?;
    Ok(outcome)
}
