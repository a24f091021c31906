//! First start: when no admin exists, create `admin` so the school can log in at all. A generated
//! password is never logged: it is written once to [`PASSWORD_FILE`] (mode 0600) in the data
//! directory, whose path is printed, and that file is removed when the admin's password changes.

use std::path::{Path, PathBuf};

use crate::auth::PasswordHasher;
use crate::db::accounts::{self, AuditEntry, NewUser};
use crate::db::{Db, DbError};
use crate::domain::audit::AuditAction;

/// The environment variable naming a file with the first admin's password.
pub const PASSWORD_FILE_ENV: &str = "BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE";

/// The file in the data directory that holds a generated first-admin password until it is changed.
pub const PASSWORD_FILE: &str = "initial-admin-password";

/// The account the bootstrap creates.
pub const ADMIN_USERNAME: &str = "admin";

/// What bootstrapping did.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Admins exist; nothing to do.
    NotNeeded,
    /// Created `admin` with a generated password, to be changed at first login, written to this file.
    Generated(PathBuf),
    /// Created `admin` with the password from the file.
    FromFile,
}

/// Creates `admin` when there is no admin account at all (blocking; run off the async runtime).
pub fn bootstrap_admin(
    db: &Db,
    hasher: &PasswordHasher,
    password_file: Option<&Path>,
    data_dir: &Path,
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
            let path = data_dir.join(PASSWORD_FILE);
            write_private(&path, &password)?;
            (password, Bootstrap::Generated(path))
        }
    };
    let hash = hasher.hash(&password)?;
    let now = crate::clock::now_rfc3339();
    let must_change = matches!(outcome, Bootstrap::Generated(_));
    let created = db.write_blocking(|tx| {
        let user = NewUser {
            username: ADMIN_USERNAME,
            display_name: "Administrator",
            email: None,
            role: crate::domain::accounts::Role::Admin,
            password_hash: &hash,
            must_change_password: must_change,
            skeleton: &crate::domain::accounts::username_skeleton(ADMIN_USERNAME),
        };
        accounts::insert_user(tx, &user, &now)?;
        accounts::insert_audit(
            tx,
            &AuditEntry {
                actor_id: None,
                actor: "system",
                action: AuditAction::UserCreated,
                target: Some(ADMIN_USERNAME),
                ip: None,
                details: serde_json::json!({ "bootstrap": true }),
            },
            &now,
        )?;
        Ok::<(), DbError>(())
    });
    if let Err(error) = created {
        if let Bootstrap::Generated(path) = &outcome {
            let _ = std::fs::remove_file(path);
        }
        return Err(error.into());
    }
    Ok(outcome)
}

/// Writes `password` to a new file only the service user can read, replacing a stale one.
fn write_private(path: &Path, password: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let failed = |error: std::io::Error| {
        anyhow::anyhow!(
            "cannot write the first admin's password to {}: {error}",
            path.display()
        )
    };
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(failed(error)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    file.write_all(format!("{password}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed)
}

/// Removes the generated-password file once `username`'s password has changed, if that is the
/// first admin. Returns true when a file was removed.
pub fn forget_generated_password(data_dir: &Path, username: &str) -> bool {
    if username != ADMIN_USERNAME {
        return false;
    }
    let path = data_dir.join(PASSWORD_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            tracing::info!(
                "removed {}: the first admin's password has been changed",
                path.display()
            );
            true
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => {
            tracing::warn!(
                "cannot remove {}: {error}; delete it by hand",
                path.display()
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_file_is_private_replaced_and_forgotten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PASSWORD_FILE);
        std::fs::write(&path, "stale").unwrap();
        write_private(&path, "fresh password").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fresh password\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(!forget_generated_password(dir.path(), "someone"));
        assert!(path.exists());
        assert!(forget_generated_password(dir.path(), ADMIN_USERNAME));
        assert!(!path.exists());
        assert!(!forget_generated_password(dir.path(), ADMIN_USERNAME));
    }
}
