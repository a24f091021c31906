//! Password login as a service: look the account up, ask the lockout rules (`auth::lockout`)
//! whether its password may be checked from this address, check it, count the outcome and audit
//! it. The HTTP edge only extracts the request, calls [`check_login`] and maps the answer.

use std::net::IpAddr;

use crate::auth::Auth;
use crate::auth::lockout::{AddressKey, KNOWN_ADDRESS_DAYS, Verdict};
use crate::db::accounts::{self, AuditEntry, UserRecord};
use crate::db::{Db, DbError};
use crate::domain::accounts::canonical_username;
use crate::domain::audit::AuditAction;
use crate::telemetry::log_safe;

/// Why a login did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The name or the password is wrong (the same answer for both).
    #[error("Incorrect username or password")]
    Incorrect,
    /// A wrong password that locked the account at this address.
    #[error(
        "Incorrect username or password. Account temporarily locked after repeated failed logins from this address: try again within {minutes} minutes or ask an administrator to reset the password"
    )]
    IncorrectNowLocked { minutes: u64 },
    /// Too many failures for this account from this address; `minutes` is `lockout_minutes`.
    #[error(
        "Account temporarily locked after repeated failed logins from this address: try again within {minutes} minutes or ask an administrator to reset the password"
    )]
    LockedHere { minutes: u64 },
    /// Too many failures for this account from everywhere; this address is not known for it.
    #[error("too many failed logins for this account")]
    AccountLimited { limit: u32, retry_after_secs: u64 },
    /// Too many failures from this address; this account is not known here.
    #[error("too many failed logins from this address")]
    AddressLimited { limit: u32, retry_after_secs: u64 },
    /// The password is right but the account is disabled.
    #[error("User account is disabled")]
    Disabled,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Seconds since the Unix epoch before which a sign-in no longer makes its address known.
pub fn known_since(now: u64) -> u64 {
    now.saturating_sub(KNOWN_ADDRESS_DAYS * 86_400)
}

/// Checks `username`/`password` from `client` under the lockout rules; the user on success. The
/// caller issues tokens and, in the same write, makes the address known
/// (`db::accounts::remember_login_address` with [`known_since`]).
pub async fn check_login(
    db: &Db,
    auth: &Auth,
    client: IpAddr,
    username: &str,
    password: &str,
) -> Result<UserRecord, LoginError> {
    let canonical = canonical_username(username);
    let lookup = canonical.clone();
    let address = AddressKey::of(client).to_string();
    let since = known_since(crate::clock::unix_now());
    let (user, known) = db
        .read(move |conn| {
            let user = accounts::find_user_by_username(conn, &lookup)?;
            let known = match &user {
                Some(user) => accounts::is_known_login_address(conn, user.id, &address, since)?,
                None => false,
            };
            Ok((user, known))
        })
        .await?;

    if let Some(user) = &user {
        auth.observe_password_epoch(&canonical, user.session_epoch);
    }
    let verdict = auth.login_verdict(&canonical, client, known);
    if verdict != Verdict::Check {
        refusal_log(username, client, verdict);
        return Err(match verdict {
            Verdict::LockedHere { .. } | Verdict::Check => LoginError::LockedHere {
                minutes: auth.lockout.as_secs() / 60,
            },
            Verdict::AccountLimited { retry_after } => LoginError::AccountLimited {
                limit: crate::auth::lockout::ACCOUNT_FAILURES_PER_HOUR,
                retry_after_secs: retry_after.as_secs().max(1),
            },
            Verdict::AddressLimited { retry_after } => LoginError::AddressLimited {
                limit: crate::auth::lockout::ADDRESS_FAILURE_LIMIT,
                retry_after_secs: retry_after.as_secs().max(1),
            },
        });
    }

    let candidate = password.to_owned();
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let verified = auth
        .passwords
        .run(move |hasher| hasher.verify(&candidate, stored.as_deref()))
        .await
        .map_err(LoginError::Internal)?;

    let user = match user {
        Some(user) if verified => user,
        user => {
            failure_log(username, client);
            let epoch = user.as_ref().map(|user| user.session_epoch);
            let locked = auth.record_login_failure(&canonical, client, epoch);
            if let Some(user) = user {
                audit_failure(db, &user, client, locked).await?;
            }
            return Err(if locked {
                LoginError::IncorrectNowLocked {
                    minutes: auth.lockout.as_secs() / 60,
                }
            } else {
                LoginError::Incorrect
            });
        }
    };
    if !user.is_active {
        return Err(LoginError::Disabled);
    }
    auth.record_login_success(&canonical, client);
    Ok(user)
}

async fn audit_failure(
    db: &Db,
    user: &UserRecord,
    client: IpAddr,
    locked: bool,
) -> Result<(), DbError> {
    let (user_id, username, ip) = (user.id, user.username.clone(), client.to_string());
    let now = crate::clock::now_rfc3339();
    db.write(move |tx| {
        let action = if locked {
            AuditAction::AccountLocked
        } else {
            AuditAction::LoginFailed
        };
        accounts::insert_audit(
            tx,
            &AuditEntry {
                actor_id: Some(user_id),
                actor: &username,
                action,
                target: Some(&username),
                ip: Some(&ip),
                details: serde_json::json!({ "from_address_only": locked }),
            },
            &now,
        )
    })
    .await
}

/// The line fail2ban matches (contract §4), written for every checked wrong password. A refused
/// attempt checks nothing and writes [`refusal_log`] instead, so that one mistyping student behind
/// a classroom's address does not get the whole room banned.
fn failure_log(username: &str, client: IpAddr) {
    tracing::error!(target: "bsn_knowledge::auth", "[ERROR] Authentication failed for user \"{}\" from {client}", log_safe(username));
}

fn refusal_log(username: &str, client: IpAddr, verdict: Verdict) {
    let key = client.to_string();
    match verdict {
        Verdict::AddressLimited { .. } => {
            if crate::telemetry::should_log(crate::telemetry::Repetitive::RateLimited, &key) {
                tracing::warn!(target: "bsn_knowledge::rate_limit", "Rate limit exceeded for logins from {client}");
            }
        }
        Verdict::LockedHere { .. } | Verdict::AccountLimited { .. } => {
            if crate::telemetry::should_log(crate::telemetry::Repetitive::LoginRefused, &key) {
                let why = if matches!(verdict, Verdict::LockedHere { .. }) {
                    "locked at this address"
                } else {
                    "the account's hourly failed logins are used up and this address is not known for it"
                };
                tracing::warn!(target: "bsn_knowledge::auth", "login refused for user \"{}\" from {client}: {why}", log_safe(username));
            }
        }
        Verdict::Check => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_stay_known_for_thirty_days() {
        assert_eq!(known_since(30 * 86_400 + 5), 5);
        assert_eq!(known_since(10), 0);
    }
}
