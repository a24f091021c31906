//! Users, cohorts, refresh tokens, revoked access tokens and the audit log.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::{DbError, on_unique};
use crate::domain::accounts::{CohortId, Role, UserId};
use crate::domain::audit::AuditAction;

/// A stored user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub password_hash: String,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
    /// Raised by every password change or reset (see `auth::sessions`).
    pub session_epoch: i64,
}

const USER_COLUMNS: &str = "id, username, display_name, email, role, password_hash, is_active, must_change_password, \
     created_at, updated_at, last_login_at, session_epoch";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        email: row.get(3)?,
        role: row.get(4)?,
        password_hash: row.get(5)?,
        is_active: row.get(6)?,
        must_change_password: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        last_login_at: row.get(10)?,
        session_epoch: row.get(11)?,
    })
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    /// The TR39 skeleton of the username (`domain::accounts::username_skeleton`).
    pub skeleton: &'a str,
}

pub fn insert_user(conn: &Connection, user: &NewUser<'_>, now: &str) -> Result<UserId, DbError> {
    conn.execute(
        "INSERT INTO users (username, display_name, email, role, password_hash, must_change_password, created_at, updated_at, username_skeleton)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
        params![user.username, user.display_name, user.email, user.role, user.password_hash, user.must_change_password, now, user.skeleton],
    )
    .map_err(|error| on_unique(error, || format!("the username \"{}\" is already taken", user.username)))?;
    Ok(UserId(conn.last_insert_rowid()))
}

pub fn find_user_by_username(
    conn: &Connection,
    username: &str,
) -> Result<Option<UserRecord>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([username], user_from_row)
        .optional()?)
}

/// Whether a user whose username has this skeleton exists (one indexed look-up). Rows from before
/// skeletons were stored are filled in first.
pub fn skeleton_taken(conn: &Connection, skeleton: &str) -> Result<bool, DbError> {
    let missing: Vec<(i64, String)> = conn
        .prepare_cached("SELECT id, username FROM users WHERE username_skeleton IS NULL")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, username) in missing {
        conn.execute(
            "UPDATE users SET username_skeleton = ?2 WHERE id = ?1",
            params![id, crate::domain::accounts::username_skeleton(&username)],
        )?;
    }
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE username_skeleton = ?1)")?
        .query_row([skeleton], |row| row.get(0))?)
}

/// Takes a [`UserId`] or, from modules not yet converted, a bare `i64`.
pub fn find_user(conn: &Connection, id: impl Into<UserId>) -> Result<Option<UserRecord>, DbError> {
    let id = id.into();
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], user_from_row)
        .optional()?)
}

pub fn list_users(conn: &Connection, skip: i64, limit: i64) -> Result<Vec<UserRecord>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT ?1 OFFSET ?2");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([limit, skip], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn count_active_admins(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'admin' AND is_active = 1",
        [],
        |row| row.get(0),
    )?)
}

/// What a request needs about its user, read fresh for every request: role, active flag, whether
/// the token was revoked, and the cohorts the user teaches.
#[derive(Debug, Clone)]
pub struct RequestUser {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub is_active: bool,
    pub must_change_password: bool,
    pub token_revoked: bool,
    pub session_epoch: i64,
    pub kept_session: Option<String>,
    pub instructs: Vec<CohortId>,
}

pub fn load_request_user(
    conn: &Connection,
    user_id: UserId,
    jti: &str,
) -> Result<Option<RequestUser>, DbError> {
    let found = conn
        .prepare_cached(
            "SELECT id, username, role, is_active, must_change_password,
                    EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = ?2),
                    session_epoch, kept_session
             FROM users WHERE id = ?1",
        )?
        .query_row(params![user_id, jti], |row| {
            Ok(RequestUser {
                id: row.get(0)?,
                username: row.get(1)?,
                role: row.get(2)?,
                is_active: row.get(3)?,
                must_change_password: row.get(4)?,
                token_revoked: row.get(5)?,
                session_epoch: row.get(6)?,
                kept_session: row.get(7)?,
                instructs: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut user) = found else {
        return Ok(None);
    };
    if user.role == Role::Instructor {
        user.instructs = cohort_ids_of(conn, user.id, Some(Role::Instructor))?;
    }
    Ok(Some(user))
}

/// Cohort ids of a user, optionally only those where they have `role`.
pub fn cohort_ids_of(
    conn: &Connection,
    user_id: UserId,
    role: Option<Role>,
) -> Result<Vec<CohortId>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT cohort_id FROM cohort_members WHERE user_id = ?1 AND (?2 IS NULL OR role = ?2) ORDER BY cohort_id",
    )?;
    let rows = statement.query_map(params![user_id, role], |row| row.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges<'a> {
    pub display_name: Option<&'a str>,
    pub email: Option<Option<&'a str>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub password_hash: Option<&'a str>,
    pub must_change_password: Option<bool>,
}

pub fn update_user(
    conn: &Connection,
    id: UserId,
    changes: &UserChanges<'_>,
    now: &str,
) -> Result<bool, DbError> {
    let updated = conn.execute(
        "UPDATE users SET
            display_name = COALESCE(?2, display_name),
            email = CASE WHEN ?3 THEN ?4 ELSE email END,
            role = COALESCE(?5, role),
            is_active = COALESCE(?6, is_active),
            password_hash = COALESCE(?7, password_hash),
            must_change_password = COALESCE(?8, must_change_password),
            updated_at = ?9
         WHERE id = ?1",
        params![
            id,
            changes.display_name,
            changes.email.is_some(),
            changes.email.flatten(),
            changes.role,
            changes.is_active,
            changes.password_hash,
            changes.must_change_password,
            now
        ],
    )?;
    Ok(updated == 1)
}

pub fn record_successful_login(conn: &Connection, id: UserId, now: &str) -> Result<(), DbError> {
    conn.execute(
        "UPDATE users SET last_login_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Whether `user_id` signed in successfully from `address` (an `auth::lockout::AddressKey` in
/// text) at or after `since` (Unix seconds).
pub fn is_known_login_address(
    conn: &Connection,
    user_id: UserId,
    address: &str,
    since: u64,
) -> Result<bool, DbError> {
    let found = conn
        .query_row(
            "SELECT 1 FROM known_login_addresses
              WHERE user_id = ?1 AND address = ?2 AND last_login_at >= ?3",
            params![user_id, address, since as i64],
            |_| Ok(()),
        )
        .optional()?;
    Ok(found.is_some())
}

/// Records a successful sign-in of `user_id` from `address` at `now` (Unix seconds) and forgets
/// that user's addresses not used since `forget_before`.
pub fn remember_login_address(
    conn: &Connection,
    user_id: UserId,
    address: &str,
    now: u64,
    forget_before: u64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO known_login_addresses (user_id, address, last_login_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, address) DO UPDATE SET last_login_at = excluded.last_login_at",
        params![user_id, address, now as i64],
    )?;
    conn.execute(
        "DELETE FROM known_login_addresses WHERE user_id = ?1 AND last_login_at < ?2",
        params![user_id, forget_before as i64],
    )?;
    Ok(())
}

// Refresh tokens.

pub fn insert_refresh_token(
    conn: &Connection,
    hash: &str,
    user_id: UserId,
    family_id: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, user_id, family_id, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, user_id, family_id, now, expires_at],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct RefreshRecord {
    pub user_id: UserId,
    pub family_id: String,
    pub expires_at: String,
    pub used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub fn find_refresh_token(conn: &Connection, hash: &str) -> Result<Option<RefreshRecord>, DbError> {
    Ok(conn
        .query_row(
            "SELECT user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?1",
            [hash],
            |row| {
                Ok(RefreshRecord {
                    user_id: row.get(0)?,
                    family_id: row.get(1)?,
                    expires_at: row.get(2)?,
                    used_at: row.get(3)?,
                    revoked_at: row.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn mark_refresh_used(conn: &Connection, hash: &str, now: &str) -> Result<(), DbError> {
    conn.execute(
        "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1",
        params![hash, now],
    )?;
    Ok(())
}

pub fn revoke_refresh_family(
    conn: &Connection,
    family_id: &str,
    now: &str,
) -> Result<usize, DbError> {
    Ok(conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
        params![family_id, now],
    )?)
}

pub fn revoke_user_refresh_tokens(
    conn: &Connection,
    user_id: UserId,
    now: &str,
) -> Result<usize, DbError> {
    Ok(conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
        params![user_id, now],
    )?)
}

/// Ends every session of a user but `keep` (a refresh-token family): raises the session epoch,
/// which ends their access tokens, and revokes their refresh tokens. Returns the new epoch.
pub fn end_sessions(
    conn: &Connection,
    user_id: UserId,
    keep: Option<&str>,
    now: &str,
) -> Result<i64, DbError> {
    let epoch = conn.query_row(
        "UPDATE users SET session_epoch = session_epoch + 1, kept_session = ?2 WHERE id = ?1
         RETURNING session_epoch",
        params![user_id, keep],
        |row| row.get(0),
    )?;
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ?3
         WHERE user_id = ?1 AND revoked_at IS NULL AND (?2 IS NULL OR family_id <> ?2)",
        params![user_id, keep, now],
    )?;
    Ok(epoch)
}

pub fn revoke_access_token(conn: &Connection, jti: &str, expires_at: u64) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO revoked_access_tokens (jti, expires_at) VALUES (?1, ?2) ON CONFLICT (jti) DO NOTHING",
        params![jti, expires_at as i64],
    )?;
    Ok(())
}

/// Forgets revocations and refresh tokens that have expired anyway.
pub fn prune_expired_tokens(
    conn: &Connection,
    now_epoch: u64,
    now: &str,
) -> Result<usize, DbError> {
    let revoked = conn.execute(
        "DELETE FROM revoked_access_tokens WHERE expires_at < ?1",
        [now_epoch as i64],
    )?;
    let refresh = conn.execute("DELETE FROM refresh_tokens WHERE expires_at < ?1", [now])?;
    Ok(revoked + refresh)
}

// Cohorts.

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortRecord {
    #[schema(value_type = i64)]
    pub id: CohortId,
    pub name: String,
    pub description: String,
    pub created_at: String,
    pub students: i64,
    pub instructors: i64,
}

const COHORT_SELECT: &str = "SELECT c.id, c.name, c.description, c.created_at,
        (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id AND m.role = 'student'),
        (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id AND m.role = 'instructor')
     FROM cohorts c";

fn cohort_from_row(row: &Row<'_>) -> rusqlite::Result<CohortRecord> {
    Ok(CohortRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        created_at: row.get(3)?,
        students: row.get(4)?,
        instructors: row.get(5)?,
    })
}

pub fn insert_cohort(
    conn: &Connection,
    name: &str,
    description: &str,
    enrolment_code: &str,
    now: &str,
) -> Result<CohortId, DbError> {
    conn.execute(
        "INSERT INTO cohorts (name, description, created_at, enrolment_code) VALUES (?1, ?2, ?3, ?4)",
        params![name, description, now, enrolment_code],
    )
    .map_err(|error| {
        on_unique(error, || {
            format!("a cohort named \"{name}\" already exists")
        })
    })?;
    Ok(CohortId(conn.last_insert_rowid()))
}

/// Takes a [`CohortId`] or, from modules not yet converted, a bare `i64`.
pub fn find_cohort(
    conn: &Connection,
    id: impl Into<CohortId>,
) -> Result<Option<CohortRecord>, DbError> {
    let id = id.into();
    let sql = format!("{COHORT_SELECT} WHERE c.id = ?1");
    Ok(conn.query_row(&sql, [id], cohort_from_row).optional()?)
}

/// All cohorts, or only those in `only` when given.
pub fn list_cohorts(
    conn: &Connection,
    only: Option<&[CohortId]>,
) -> Result<Vec<CohortRecord>, DbError> {
    let sql = format!("{COHORT_SELECT} ORDER BY c.name");
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map([], cohort_from_row)?;
    let all: Vec<CohortRecord> = rows.collect::<Result<_, _>>()?;
    Ok(match only {
        Some(ids) => all
            .into_iter()
            .filter(|cohort| ids.contains(&cohort.id))
            .collect(),
        None => all,
    })
}

/// The enrolment code of a cohort: `None` when there is no such cohort, `Some(None)` when it has
/// no code yet.
pub fn enrolment_code(
    conn: &Connection,
    cohort_id: CohortId,
) -> Result<Option<Option<String>>, DbError> {
    Ok(conn
        .query_row(
            "SELECT enrolment_code FROM cohorts WHERE id = ?1",
            [cohort_id],
            |row| row.get(0),
        )
        .optional()?)
}

/// Replaces a cohort's enrolment code; false when there is no such cohort.
pub fn set_enrolment_code(
    conn: &Connection,
    cohort_id: CohortId,
    code: &str,
) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE cohorts SET enrolment_code = ?2 WHERE id = ?1",
        params![cohort_id, code],
    )? == 1)
}

/// The cohort whose enrolment code is `code` (one indexed look-up).
pub fn cohort_by_enrolment_code(
    conn: &Connection,
    code: &str,
) -> Result<Option<CohortId>, DbError> {
    Ok(conn
        .query_row(
            "SELECT id FROM cohorts WHERE enrolment_code = ?1",
            [code],
            |row| row.get(0),
        )
        .optional()?)
}

/// The role `user_id` has in `cohort_id`, if they are a member.
pub fn member_role(
    conn: &Connection,
    cohort_id: CohortId,
    user_id: UserId,
) -> Result<Option<Role>, DbError> {
    Ok(conn
        .query_row(
            "SELECT role FROM cohort_members WHERE cohort_id = ?1 AND user_id = ?2",
            params![cohort_id, user_id],
            |row| row.get(0),
        )
        .optional()?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberRecord {
    #[schema(value_type = i64)]
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub added_at: String,
}

pub fn cohort_members(
    conn: &Connection,
    cohort_id: CohortId,
) -> Result<Vec<MemberRecord>, DbError> {
    let mut statement = conn.prepare(
        "SELECT u.id, u.username, u.display_name, m.role, m.added_at
         FROM cohort_members m JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = ?1 ORDER BY m.role, u.username",
    )?;
    let rows = statement.query_map([cohort_id], |row| {
        Ok(MemberRecord {
            user_id: row.get(0)?,
            username: row.get(1)?,
            display_name: row.get(2)?,
            role: row.get(3)?,
            added_at: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn upsert_member(
    conn: &Connection,
    cohort_id: CohortId,
    user_id: UserId,
    role: Role,
    now: &str,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO cohort_members (cohort_id, user_id, role, added_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (cohort_id, user_id) DO UPDATE SET role = excluded.role",
        params![cohort_id, user_id, role, now],
    )?;
    Ok(())
}

pub fn remove_member(
    conn: &Connection,
    cohort_id: CohortId,
    user_id: UserId,
) -> Result<bool, DbError> {
    Ok(conn.execute(
        "DELETE FROM cohort_members WHERE cohort_id = ?1 AND user_id = ?2",
        params![cohort_id, user_id],
    )? == 1)
}

// Audit log.

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor_id: Option<UserId>,
    pub actor: &'a str,
    pub action: AuditAction,
    pub target: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: serde_json::Value,
}

pub fn insert_audit(conn: &Connection, entry: &AuditEntry<'_>, now: &str) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, target, ip, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now, entry.actor_id, entry.actor, entry.action, entry.target, entry.ip, entry.details.to_string()],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    #[schema(value_type = Option<i64>)]
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Newest first; `before_id` pages backwards; `action` filters.
pub fn list_audit(
    conn: &Connection,
    before_id: Option<i64>,
    limit: i64,
    action: Option<AuditAction>,
) -> Result<Vec<AuditRecord>, DbError> {
    let mut statement = conn.prepare(
        "SELECT id, at, actor_id, actor, action, target, ip, details FROM audit_log
         WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR action = ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(params![before_id, action, limit], |row| {
        let details: String = row.get(7)?;
        Ok(AuditRecord {
            id: row.get(0)?,
            at: row.get(1)?,
            actor_id: row.get(2)?,
            actor: row.get(3)?,
            action: row.get(4)?,
            target: row.get(5)?,
            ip: row.get(6)?,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
