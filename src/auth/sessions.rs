//! Sessions as a service, with the time passed in: issuing an access and refresh token pair
//! ([`issue_tokens`]), rotating a refresh token ([`rotate_refresh`]) with reuse detection, logging
//! out ([`log_out`]) and changing one's own password ([`change_own_password`]), which ends every
//! other session. The HTTP edge validates the request, calls one of these and maps the answer.
//!
//! The rules:
//! - A refresh token works once. Presenting a used one again is taken as theft: every token of its
//!   family (one sign-in's chain of rotations) is revoked and the reuse is audited.
//! - Which access tokens still belong to a live session ([`token_is_current`]): a password change
//!   or reset raises the user's session epoch, so every token issued before it stops working at
//!   once; the session that changed its own password is kept (its refresh-token family is recorded
//!   as the kept session). The epoch is re-read inside the write that stores a new refresh token,
//!   so a refresh racing a password change cannot outlive it.

use std::net::IpAddr;
use std::sync::Arc;

use crate::auth::lockout::AddressKey;
use crate::auth::login::known_since;
use crate::auth::{Auth, PasswordHasher, SessionRef};
use crate::clock::{format_time, parse_time};
use crate::db::accounts::{self, AuditEntry, RefreshRecord, UserChanges, UserRecord};
use crate::db::{Db, DbError};
use crate::domain::accounts::{CredentialProblem, UserId, Username, check_new_password};
use crate::domain::audit::AuditAction;
use crate::telemetry::log_safe;

/// The session facts of one user, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserSessions<'a> {
    pub epoch: i64,
    /// The session that made the last password change, if one is kept.
    pub kept: Option<&'a str>,
}

/// The session facts an access token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSession<'a> {
    pub epoch: i64,
    pub id: Option<&'a str>,
}

/// Whether a token is still current: issued under the user's present epoch, or by the session
/// that changed the password.
pub fn token_is_current(token: TokenSession<'_>, user: UserSessions<'_>) -> bool {
    token.epoch == user.epoch || (token.id.is_some() && token.id == user.kept)
}

/// A new token pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// The user must set a new password before using the API.
    pub password_change_required: bool,
}

/// Why a pair is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// A password login from this address: recorded as the last login, the address becomes
    /// known for the account, and the login is audited.
    Login(IpAddr),
    /// The rotation of a refresh token of the same family.
    Refresh,
}

/// Why a refresh token (or a new pair) was refused. The client is told only "Invalid refresh
/// token" whichever it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such token.
    Unknown,
    /// Revoked: logged out, reused, or ended by a password change or a disabled account.
    Revoked,
    /// Presented again after it was used; its whole family is now revoked.
    Reused,
    Expired,
    /// The account is disabled or gone.
    Inactive,
    /// A password change or reset ended the session while the pair was being issued.
    SessionEnded,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("Invalid refresh token")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Whether a presented refresh token, by its stored record, may be rotated at `now` (Unix
/// seconds). Revocation is checked before reuse, and reuse before expiry, so a stolen token
/// presented again is treated as reuse even once it has expired.
pub fn refresh_verdict(record: &RefreshRecord, now: u64) -> Result<(), Refusal> {
    if record.revoked_at.is_some() {
        return Err(Refusal::Revoked);
    }
    if record.used_at.is_some() {
        return Err(Refusal::Reused);
    }
    if parse_time(&record.expires_at).is_none_or(|expires| expires <= now) {
        return Err(Refusal::Expired);
    }
    Ok(())
}

/// Issues an access token and a refresh token to `user` at `now` (Unix seconds): a new family
/// (session) unless `family` continues one. Refused with [`Refusal::SessionEnded`] when the
/// user's session epoch changed since `user` was read.
pub async fn issue_tokens(
    db: &Db,
    auth: &Auth,
    user: &UserRecord,
    family: Option<String>,
    issue: Issue,
    now: u64,
) -> Result<Tokens, SessionError> {
    let ttl = auth.access_ttl.as_secs();
    let (refresh_token, refresh_hash) = crate::auth::tokens::new_refresh_token();
    let family = family.unwrap_or_else(|| crate::auth::random_token(16));
    let session = SessionRef {
        id: &family,
        epoch: user.session_epoch,
    };
    let (access_token, _) = auth
        .keys
        .issue(user.id, user.role, now, ttl, session)
        .map_err(SessionError::Internal)?;
    let expires_at = format_time(now + auth.refresh_ttl.as_secs());
    let (user_id, username, epoch) = (user.id, user.username.clone(), user.session_epoch);
    let stamp = format_time(now);
    let issued = db
        .write(move |tx| {
            // A password change between reading the user and this write ended the session.
            let current = accounts::find_user(tx, user_id)?.map(|user| user.session_epoch);
            if current != Some(epoch) {
                return Ok(false);
            }
            accounts::insert_refresh_token(
                tx,
                &refresh_hash,
                user_id,
                &family,
                &stamp,
                &expires_at,
            )?;
            if let Issue::Login(client) = issue {
                accounts::record_successful_login(tx, user_id, &stamp)?;
                accounts::remember_login_address(
                    tx,
                    user_id,
                    &AddressKey::of(client).to_string(),
                    now,
                    known_since(now),
                )?;
                let ip = client.to_string();
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(user_id),
                        actor: &username,
                        action: AuditAction::Login,
                        target: Some(&username),
                        ip: Some(&ip),
                        details: serde_json::json!({}),
                    },
                    &stamp,
                )?;
            }
            Ok(true)
        })
        .await?;
    if !issued {
        return Err(SessionError::Refused(Refusal::SessionEnded));
    }
    Ok(Tokens {
        access_token,
        refresh_token,
        expires_in: ttl,
        password_change_required: user.must_change_password,
    })
}

/// Exchanges the refresh token `token`, presented from `client` at `now`, for a new pair of the
/// same family; the presented token is used up. A used token presented again revokes its family,
/// is audited (`refresh_token_reuse`) and logged.
pub async fn rotate_refresh(
    db: &Db,
    auth: &Auth,
    token: &str,
    client: IpAddr,
    now: u64,
) -> Result<Tokens, SessionError> {
    let hash = crate::auth::tokens::hash_refresh_token(token);
    let stamp = format_time(now);
    let ip = client.to_string();
    let outcome = db
        .write(move |tx| {
            let Some(record) = accounts::find_refresh_token(tx, &hash)? else {
                return Ok(Err((Refusal::Unknown, None)));
            };
            match refresh_verdict(&record, now) {
                Ok(()) => {}
                Err(Refusal::Reused) => {
                    accounts::revoke_refresh_family(tx, &record.family_id, &stamp)?;
                    let user = accounts::find_user(tx, record.user_id)?;
                    let username = user.map(|user| user.username).unwrap_or_default();
                    accounts::insert_audit(
                        tx,
                        &AuditEntry {
                            actor_id: Some(record.user_id),
                            actor: &username,
                            action: AuditAction::RefreshTokenReuse,
                            target: Some(&username),
                            ip: Some(&ip),
                            details: serde_json::json!({ "family_revoked": true }),
                        },
                        &stamp,
                    )?;
                    return Ok(Err((Refusal::Reused, Some(username))));
                }
                Err(refusal) => return Ok(Err((refusal, None))),
            }
            let Some(user) = accounts::find_user(tx, record.user_id)?.filter(|user| user.is_active)
            else {
                return Ok(Err((Refusal::Inactive, None)));
            };
            accounts::mark_refresh_used(tx, &hash, &stamp)?;
            Ok(Ok((Box::new(user), record.family_id)))
        })
        .await?;
    let (user, family) = match outcome {
        Ok(rotate) => rotate,
        Err((refusal, reused_by)) => {
            if let Some(username) = reused_by {
                tracing::warn!(target: "bsn_knowledge::auth", "refresh token reused for user \"{}\" from {client}: its family was revoked", log_safe(&username));
            }
            return Err(SessionError::Refused(refusal));
        }
    };
    issue_tokens(db, auth, &user, Some(family), Issue::Refresh, now).await
}

/// Logs out at `now`: the access token `jti` (valid until `token_expires_at`) and every refresh
/// token of the user stop working; expired revocations and refresh tokens are pruned.
pub async fn log_out(
    db: &Db,
    user_id: UserId,
    jti: &str,
    token_expires_at: u64,
    now: u64,
) -> Result<(), DbError> {
    let (jti, stamp) = (jti.to_owned(), format_time(now));
    db.write(move |tx| {
        accounts::revoke_access_token(tx, &jti, token_expires_at)?;
        accounts::revoke_user_refresh_tokens(tx, user_id, &stamp)?;
        accounts::prune_expired_tokens(tx, now, &stamp)?;
        Ok(())
    })
    .await
}

/// The caller of a password change.
#[derive(Debug, Clone)]
pub struct PasswordChanger<'a> {
    pub user_id: UserId,
    pub username: &'a str,
    /// The session (refresh-token family) that makes the change; it stays signed in.
    pub session: Option<String>,
    pub client: IpAddr,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The new password breaks the policy.
    #[error("{0}")]
    Policy(CredentialProblem),
    /// The account is gone.
    #[error("Could not validate credentials")]
    NoAccount,
    #[error("The current password is not correct")]
    WrongCurrentPassword,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Changes the caller's own password at `now` after checking the current one: clears "password
/// change required", ends every session but the caller's ([`accounts::end_sessions`]), audits
/// `password_changed` and deletes the first-admin password file if it held this account's.
pub async fn change_own_password(
    db: &Db,
    passwords: &Arc<PasswordHasher>,
    caller: &PasswordChanger<'_>,
    current_password: String,
    new_password: String,
    now: u64,
) -> Result<(), PasswordChangeError> {
    let username = Username::parse(caller.username)
        .map_err(|_| PasswordChangeError::Internal(anyhow::anyhow!("stored username invalid")))?;
    check_new_password(&new_password, &username).map_err(PasswordChangeError::Policy)?;
    let user_id = caller.user_id;
    let record = db
        .read(move |conn| accounts::find_user(conn, user_id))
        .await?
        .ok_or(PasswordChangeError::NoAccount)?;
    let stored = record.password_hash;
    let outcome = Arc::clone(passwords)
        .run(move |hasher| {
            hasher
                .verify(&current_password, Some(&stored))
                .then(|| hasher.hash(&new_password))
        })
        .await
        .map_err(PasswordChangeError::Internal)?;
    let hash = outcome
        .ok_or(PasswordChangeError::WrongCurrentPassword)?
        .map_err(PasswordChangeError::Internal)?;
    let stamp = format_time(now);
    let (name, ip, session) = (
        record.username,
        caller.client.to_string(),
        caller.session.clone(),
    );
    let forget = name.clone();
    db.write(move |tx| {
        let changes = UserChanges {
            password_hash: Some(&hash),
            must_change_password: Some(false),
            ..UserChanges::default()
        };
        accounts::update_user(tx, user_id, &changes, &stamp)?;
        accounts::end_sessions(tx, user_id, session.as_deref(), &stamp)?;
        accounts::insert_audit(
            tx,
            &AuditEntry {
                actor_id: Some(user_id),
                actor: &name,
                action: AuditAction::PasswordChanged,
                target: Some(&name),
                ip: Some(&ip),
                details: serde_json::json!({}),
            },
            &stamp,
        )?;
        Ok(())
    })
    .await?;
    if let Some(data_dir) = db.path().parent() {
        crate::auth::bootstrap::forget_generated_password(data_dir, &forget);
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_the_present_epoch_are_current() {
        let user = UserSessions {
            epoch: 0,
            kept: None,
        };
        assert!(token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("a")
            },
            user
        ));
        assert!(token_is_current(TokenSession { epoch: 0, id: None }, user));
    }

    #[test]
    fn a_password_change_ends_every_other_session() {
        let user = UserSessions {
            epoch: 1,
            kept: Some("mine"),
        };
        assert!(!token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("other")
            },
            user
        ));
        assert!(!token_is_current(TokenSession { epoch: 0, id: None }, user));
        assert!(token_is_current(
            TokenSession {
                epoch: 0,
                id: Some("mine")
            },
            user
        ));
    }

    #[test]
    fn a_reset_keeps_no_session() {
        let user = UserSessions {
            epoch: 2,
            kept: None,
        };
        assert!(!token_is_current(TokenSession { epoch: 1, id: None }, user));
        assert!(!token_is_current(
            TokenSession {
                epoch: 1,
                id: Some("mine")
            },
            user
        ));
    }

    mod service {
        use std::time::Duration;

        use super::super::*;
        use crate::config::{AuthConfig, RateLimitConfig};
        use crate::db::DbOptions;
        use crate::db::accounts::NewUser;

        const NOW: u64 = 1_800_000_000;

        struct Fixture {
            _dir: tempfile::TempDir,
            db: Db,
            auth: Auth,
        }

        fn fixture() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let options = DbOptions {
                data_dir: dir.path().join("data"),
                busy_timeout: Duration::from_secs(1),
                pool_size: 2,
            };
            let (db, _) = Db::open(&options, "t").unwrap();
            let auth = Auth::new(
                &AuthConfig::default(),
                &RateLimitConfig::default(),
                dir.path(),
            )
            .unwrap();
            Fixture {
                _dir: dir,
                db,
                auth,
            }
        }

        async fn user(db: &Db, name: &'static str, password_hash: String) -> UserRecord {
            db.write(move |tx| {
                let id = accounts::insert_user(
                    tx,
                    &NewUser {
                        username: name,
                        display_name: name,
                        email: None,
                        role: crate::domain::accounts::Role::Student,
                        password_hash: &password_hash,
                        must_change_password: false,
                        skeleton: name,
                    },
                    "t",
                )?;
                Ok(accounts::find_user(tx, id)?.unwrap())
            })
            .await
            .unwrap()
        }

        async fn audit_actions(db: &Db) -> Vec<String> {
            db.read(|conn| accounts::list_audit(conn, None, 100, None))
                .await
                .unwrap()
                .into_iter()
                .map(|entry| entry.action)
                .collect()
        }

        fn client() -> IpAddr {
            "192.0.2.7".parse().unwrap()
        }

        fn refused(result: Result<Tokens, SessionError>) -> Refusal {
            match result {
                Err(SessionError::Refused(refusal)) => refusal,
                other => panic!("expected a refusal, got {other:?}"),
            }
        }

        #[tokio::test]
        async fn a_login_pair_records_the_login_and_its_address() {
            let f = fixture();
            let alice = user(&f.db, "alice", "x".into()).await;
            let tokens = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Login(client()), NOW)
                .await
                .unwrap();
            assert_eq!(tokens.expires_in, f.auth.access_ttl.as_secs());
            let claims = f.auth.keys.verify(&tokens.access_token).unwrap();
            assert_eq!((claims.iat, claims.sep), (NOW, alice.session_epoch));
            assert!(claims.sid.is_some());
            let (stored, known) =
                f.db.read(move |conn| {
                    Ok((
                        accounts::find_user(conn, alice.id)?.unwrap(),
                        accounts::is_known_login_address(
                            conn,
                            alice.id,
                            &AddressKey::of(client()).to_string(),
                            NOW - 1,
                        )?,
                    ))
                })
                .await
                .unwrap();
            assert_eq!(
                stored.last_login_at.as_deref(),
                Some("2027-01-15T08:00:00Z")
            );
            assert!(known);
            assert_eq!(audit_actions(&f.db).await, ["login"]);
        }

        #[tokio::test]
        async fn a_refresh_token_works_once_and_its_reuse_ends_the_family() {
            let f = fixture();
            let alice = user(&f.db, "alice", "x".into()).await;
            let first = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Login(client()), NOW)
                .await
                .unwrap();
            let second = rotate_refresh(&f.db, &f.auth, &first.refresh_token, client(), NOW + 1)
                .await
                .unwrap();
            assert_ne!(second.refresh_token, first.refresh_token);
            // The rotation is not a login: nothing more is audited.
            assert_eq!(audit_actions(&f.db).await, ["login"]);

            let reused = rotate_refresh(&f.db, &f.auth, &first.refresh_token, client(), NOW + 2);
            assert_eq!(refused(reused.await), Refusal::Reused);
            assert_eq!(audit_actions(&f.db).await, ["refresh_token_reuse", "login"]);
            // The thief's presentation revoked the rightful holder's newer token too.
            let newer = rotate_refresh(&f.db, &f.auth, &second.refresh_token, client(), NOW + 3);
            assert_eq!(refused(newer.await), Refusal::Revoked);
            let unknown = rotate_refresh(&f.db, &f.auth, "no such token", client(), NOW + 3);
            assert_eq!(refused(unknown.await), Refusal::Unknown);
        }

        #[tokio::test]
        async fn expired_and_disabled_refreshes_are_refused() {
            let f = fixture();
            let alice = user(&f.db, "alice", "x".into()).await;
            let tokens = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Refresh, NOW)
                .await
                .unwrap();
            let later = NOW + f.auth.refresh_ttl.as_secs();
            let expired = rotate_refresh(&f.db, &f.auth, &tokens.refresh_token, client(), later);
            assert_eq!(refused(expired.await), Refusal::Expired);

            let id = alice.id;
            f.db.write(move |tx| {
                let changes = UserChanges {
                    is_active: Some(false),
                    ..UserChanges::default()
                };
                accounts::update_user(tx, id, &changes, "t")?;
                Ok(())
            })
            .await
            .unwrap();
            let disabled = rotate_refresh(&f.db, &f.auth, &tokens.refresh_token, client(), NOW + 1);
            assert_eq!(refused(disabled.await), Refusal::Inactive);
        }

        #[tokio::test]
        async fn a_pair_is_not_issued_across_a_password_change() {
            let f = fixture();
            let alice = user(&f.db, "alice", "x".into()).await;
            let id = alice.id;
            f.db.write(move |tx| accounts::end_sessions(tx, id, None, "t"))
                .await
                .unwrap();
            // `alice` was read before the change: its epoch is stale.
            let late = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Login(client()), NOW);
            assert_eq!(refused(late.await), Refusal::SessionEnded);
            assert!(audit_actions(&f.db).await.is_empty());
        }

        #[tokio::test]
        async fn logging_out_ends_every_refresh_token() {
            let f = fixture();
            let alice = user(&f.db, "alice", "x".into()).await;
            let one = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Refresh, NOW)
                .await
                .unwrap();
            let two = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Refresh, NOW)
                .await
                .unwrap();
            log_out(&f.db, alice.id, "jti", NOW + 3_600, NOW + 1)
                .await
                .unwrap();
            for token in [one.refresh_token, two.refresh_token] {
                let result = rotate_refresh(&f.db, &f.auth, &token, client(), NOW + 2);
                assert_eq!(refused(result.await), Refusal::Revoked);
            }
        }

        #[tokio::test]
        async fn a_password_change_keeps_only_the_changing_session() {
            let f = fixture();
            let old = "the old password 1".to_owned();
            let hash = Arc::clone(&f.auth.passwords)
                .run(move |hasher| hasher.hash(&old))
                .await
                .unwrap()
                .unwrap();
            let alice = user(&f.db, "alice", hash).await;
            let mine = issue_tokens(
                &f.db,
                &f.auth,
                &alice,
                Some("mine".into()),
                Issue::Refresh,
                NOW,
            )
            .await
            .unwrap();
            let other = issue_tokens(&f.db, &f.auth, &alice, None, Issue::Refresh, NOW)
                .await
                .unwrap();
            let caller = PasswordChanger {
                user_id: alice.id,
                username: "alice",
                session: Some("mine".into()),
                client: client(),
            };
            let change = |current: &str, new: &str| {
                change_own_password(
                    &f.db,
                    &f.auth.passwords,
                    &caller,
                    current.to_owned(),
                    new.to_owned(),
                    NOW + 1,
                )
            };
            assert!(matches!(
                change("wrong password here", "a brand new password 2").await,
                Err(PasswordChangeError::WrongCurrentPassword)
            ));
            assert!(matches!(
                change("the old password 1", "short").await,
                Err(PasswordChangeError::Policy(_))
            ));
            change("the old password 1", "a brand new password 2")
                .await
                .unwrap();
            assert_eq!(audit_actions(&f.db).await, ["password_changed"]);

            let ended = rotate_refresh(&f.db, &f.auth, &other.refresh_token, client(), NOW + 2);
            assert_eq!(refused(ended.await), Refusal::Revoked);
            // The changing session goes on, under the new epoch.
            let kept = rotate_refresh(&f.db, &f.auth, &mine.refresh_token, client(), NOW + 2)
                .await
                .unwrap();
            assert!(!kept.password_change_required);
            let stored =
                f.db.read(move |conn| accounts::find_user(conn, alice.id))
                    .await
                    .unwrap()
                    .unwrap();
            assert_eq!(stored.session_epoch, alice.session_epoch + 1);
            assert!(token_is_current(
                TokenSession {
                    epoch: alice.session_epoch,
                    id: Some("mine"),
                },
                UserSessions {
                    epoch: stored.session_epoch,
                    kept: Some("mine"),
                },
            ));
        }
    }

    #[test]
    fn refresh_verdicts_in_order() {
        let record = |used: bool, revoked: bool, expires: &str| RefreshRecord {
            user_id: UserId(1),
            family_id: "f".into(),
            expires_at: expires.into(),
            used_at: used.then(|| "t".into()),
            revoked_at: revoked.then(|| "t".into()),
        };
        let live = "2027-01-15T08:00:00Z";
        let now = 1_800_000_000 - 1;
        assert_eq!(refresh_verdict(&record(false, false, live), now), Ok(()));
        assert_eq!(
            refresh_verdict(&record(false, false, live), now + 1),
            Err(Refusal::Expired)
        );
        assert_eq!(
            refresh_verdict(&record(false, false, "garbage"), now),
            Err(Refusal::Expired)
        );
        assert_eq!(
            refresh_verdict(&record(true, false, live), now + 10),
            Err(Refusal::Reused),
            "reuse is told even after expiry"
        );
        assert_eq!(
            refresh_verdict(&record(true, true, live), now),
            Err(Refusal::Revoked)
        );
    }
}
