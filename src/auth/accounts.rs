//! Account operations shared by the HTTP API and the `user` subcommands: create, update, disable,
//! reset a password. Each validates its input, writes in one transaction and records an audit entry.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::PasswordHasher;
use crate::db::accounts::{self, AuditEntry, NewUser, UserChanges, UserRecord};
use crate::db::{Db, DbError};
use crate::domain::accounts::UserId;
use crate::domain::accounts::{
    CredentialProblem, Role, Username, check_new_password, check_new_username, username_skeleton,
};
use crate::domain::audit::AuditAction;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// Storage refused (a full disk answers 503 like every other write).
    #[error(transparent)]
    Storage(DbError),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl AccountError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<DbError> for AccountError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Conflict(message) => Self::Conflict(message),
            other => Self::Storage(other),
        }
    }
}

pub type AccountResult<T> = Result<T, AccountError>;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(value_type = i64)]
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub must_change_password: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl From<&UserRecord> for UserView {
    fn from(user: &UserRecord) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: user.role,
            is_active: user.is_active,
            must_change_password: user.must_change_password,
            created_at: user.created_at.clone(),
            last_login_at: user.last_login_at.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUser {
    pub username: String,
    pub role: Role,
    /// 1 to 200 characters, not blank; defaults to the username.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub display_name: Option<String>,
    /// At most 254 characters, with an "@" and no spaces.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// Omit to have a password generated. Either way the password is temporary: the user must
    /// choose their own at first login before any other request is answered.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: UserView,
    /// Present when the password was generated: give it to the user once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

/// Who performed an account change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<UserId>,
    pub name: String,
    pub ip: Option<String>,
}

/// Validates and stores a new account; shared by the API and the `user create` subcommand. The
/// account starts with "password change required" set, whether the password was given or
/// generated: someone else chose it, so it is only good for the first sign-in.
pub async fn create_account(
    db: &Db,
    passwords: &Arc<PasswordHasher>,
    body: &CreateUser,
    actor: &Actor,
) -> AccountResult<CreatedUser> {
    let username = Username::parse(&body.username)
        .and_then(|username| check_new_username(&username).map(|()| username))
        .map_err(|problem| AccountError::validation("username", problem.to_string()))?;
    let skeleton = username_skeleton(username.as_str());
    let display_name = body
        .display_name
        .clone()
        .unwrap_or_else(|| body.username.trim().to_owned());
    if display_name.chars().count() > 200 || crate::domain::is_blank(&display_name) {
        return Err(AccountError::validation(
            "display_name",
            "must be 1 to 200 characters",
        ));
    }
    if let Some(email) = &body.email
        && !email_is_plausible(email)
    {
        return Err(AccountError::validation(
            "email",
            "is not an e-mail address",
        ));
    }
    let (password, generated) = match &body.password {
        Some(password) => {
            check_new_password(password, &username)
                .map_err(|problem| AccountError::validation("password", problem.to_string()))?;
            (password.clone(), None)
        }
        None => {
            let password = crate::auth::generated_password();
            (password.clone(), Some(password))
        }
    };
    let hasher = Arc::clone(passwords);
    let hash = hasher
        .run(move |hasher| hasher.hash(&password))
        .await
        .map_err(AccountError::Internal)?
        .map_err(AccountError::Internal)?;
    let stamp = crate::clock::now_rfc3339();
    let (name, email, role, actor) = (
        username.as_str().to_owned(),
        body.email.clone(),
        body.role,
        actor.clone(),
    );
    let record = db
        .write(move |tx| {
            if accounts::find_user_by_username(tx, &name)?.is_none()
                && accounts::skeleton_taken(tx, &skeleton)?
            {
                return Ok(None);
            }
            let new_user = NewUser {
                username: &name,
                display_name: &display_name,
                email: email.as_deref(),
                role,
                password_hash: &hash,
                must_change_password: true,
                skeleton: &skeleton,
            };
            let id = accounts::insert_user(tx, &new_user, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: actor.id,
                    actor: &actor.name,
                    action: AuditAction::UserCreated,
                    target: Some(&name),
                    ip: actor.ip.as_deref(),
                    details: serde_json::json!({ "role": role.as_str() }),
                },
                &stamp,
            )?;
            accounts::find_user(tx, id)?
                .ok_or_else(|| DbError::Task("created user vanished".into()))
                .map(Some)
        })
        .await
        .map_err(AccountError::from)?;
    let record = record.ok_or_else(|| {
        AccountError::Conflict(format!("username {}", CredentialProblem::Confusable))
    })?;
    Ok(CreatedUser {
        user: UserView::from(&record),
        generated_password: generated,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub is_active: Option<bool>,
    /// 1 to 200 characters, not blank.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub display_name: Option<String>,
    /// At most 254 characters, with an "@" and no spaces.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// At most 254 characters (as the document states them), with an "@" and no whitespace.
fn email_is_plausible(email: &str) -> bool {
    email.chars().count() <= 254 && email.contains('@') && !email.contains(char::is_whitespace)
}

/// Applies an update with its audit entries; shared by the API and the `user disable` subcommand.
pub async fn apply_user_update(
    db: &Db,
    user_id: UserId,
    body: UpdateUser,
    actor: &Actor,
) -> AccountResult<UserRecord> {
    if let Some(email) = &body.email
        && !email_is_plausible(email)
    {
        return Err(AccountError::validation(
            "email",
            "must be an e-mail address of at most 254 characters",
        ));
    }
    let stamp = crate::clock::now_rfc3339();
    let actor = actor.clone();
    let outcome = db
        .write(move |tx| {
            let Some(before) = accounts::find_user(tx, user_id)? else {
                return Ok(None);
            };
            let demotes_admin = before.role == Role::Admin
                && before.is_active
                && (body.role.is_some_and(|role| role != Role::Admin)
                    || body.is_active == Some(false));
            if demotes_admin && accounts::count_active_admins(tx)? <= 1 {
                return Err(DbError::Conflict(
                    "this is the last active admin: make another admin first".into(),
                ));
            }
            let changes = UserChanges {
                display_name: body.display_name.as_deref(),
                email: body.email.as_deref().map(Some),
                role: body.role,
                is_active: body.is_active,
                ..UserChanges::default()
            };
            accounts::update_user(tx, user_id, &changes, &stamp)?;
            if body.is_active == Some(false) {
                accounts::revoke_user_refresh_tokens(tx, user_id, &stamp)?;
            }
            let audit = |action: AuditAction, details: serde_json::Value| {
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: actor.id,
                        actor: &actor.name,
                        action,
                        target: Some(&before.username),
                        ip: actor.ip.as_deref(),
                        details,
                    },
                    &stamp,
                )
            };
            if let Some(role) = body.role.filter(|role| *role != before.role) {
                audit(
                    AuditAction::RoleChanged,
                    serde_json::json!({ "from": before.role, "to": role.as_str() }),
                )?;
            }
            match body.is_active {
                Some(false) if before.is_active => {
                    audit(AuditAction::UserDisabled, serde_json::json!({}))?
                }
                Some(true) if !before.is_active => {
                    audit(AuditAction::UserEnabled, serde_json::json!({}))?
                }
                _ => {}
            }
            if body.display_name.is_some() || body.email.is_some() {
                audit(AuditAction::UserUpdated, serde_json::json!({}))?;
            }
            accounts::find_user(tx, user_id)
        })
        .await
        .map_err(AccountError::from)?;
    outcome.ok_or_else(|| AccountError::NotFound(format!("no user with id {user_id}")))
}

/// Sets a generated password, requires a change at next login, ends sessions; shared with the CLI.
pub async fn reset_account_password(
    db: &Db,
    passwords: &Arc<PasswordHasher>,
    user_id: UserId,
    actor: &Actor,
) -> AccountResult<(String, String)> {
    let password = crate::auth::generated_password();
    let to_hash = password.clone();
    let hash = Arc::clone(passwords)
        .run(move |hasher| hasher.hash(&to_hash))
        .await
        .map_err(AccountError::Internal)?
        .map_err(AccountError::Internal)?;
    let stamp = crate::clock::now_rfc3339();
    let actor = actor.clone();
    let username = db
        .write(move |tx| {
            let Some(user) = accounts::find_user(tx, user_id)? else {
                return Ok(None);
            };
            let changes = UserChanges {
                password_hash: Some(&hash),
                must_change_password: Some(true),
                ..UserChanges::default()
            };
            accounts::update_user(tx, user_id, &changes, &stamp)?;
            accounts::end_sessions(tx, user_id, None, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: actor.id,
                    actor: &actor.name,
                    action: AuditAction::PasswordReset,
                    target: Some(&user.username),
                    ip: actor.ip.as_deref(),
                    details: serde_json::json!({}),
                },
                &stamp,
            )?;
            Ok(Some(user.username))
        })
        .await?;
    let username =
        username.ok_or_else(|| AccountError::NotFound(format!("no user with id {user_id}")))?;
    if let Some(data_dir) = db.path().parent() {
        crate::auth::bootstrap::forget_generated_password(data_dir, &username);
    }
    Ok((username, password))
}
