//! Accounts over HTTP: the authentication middleware every `/api/v1` request passes, the
//! `CurrentUser` extractor, and the `auth/*` routes (login, refresh, logout, me, users, password).
//!
//! The middleware decides who the caller is (role and active flag re-read from storage on every
//! request), refuses protected routes without a valid token, and counts the request against the
//! user's hourly quota. Handlers then take `CurrentUser`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::accounts::{
    AccountError, Actor, CreateUser, CreatedUser, UpdateUser, UserView, apply_user_update,
    create_account, reset_account_password,
};
use crate::auth::{Auth, TokenProblem};
use crate::db::accounts::{self, AuditEntry, UserChanges, UserRecord};
use crate::db::{Db, DbError};
use crate::domain::accounts::{
    CredentialProblem, PASSWORD_MAX, Principal, Role, Username, can_view_student,
    canonical_username, check_new_password,
};
use crate::domain::quotas::QuotaClass;
use crate::http::AppState;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::{ApiJson, parse_json};

/// Who is calling, decided by [`authenticate`].
#[derive(Debug, Clone)]
pub enum AuthState {
    Missing,
    Refused(TokenProblem),
    Authenticated(Arc<Caller>),
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub jti: String,
    pub token_expires_at: u64,
    pub must_change_password: bool,
}

/// Routes anyone may call without a token.
fn is_public(method: &Method, path: &str) -> bool {
    matches!(
        (method, path),
        (&Method::POST, "/api/v1/auth/login")
            | (&Method::POST, "/api/v1/auth/login/oauth2")
            | (&Method::POST, "/api/v1/auth/refresh")
            | (&Method::GET, "/api/v1/auth/roles")
    )
}

/// Routes a user who must change their password may still call.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/auth/me"
            | "/api/v1/auth/password"
            | "/api/v1/auth/logout"
            | "/api/v1/auth/verify-token"
    )
}

/// The bearer token of a request, if it sends one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// Middleware for `/api/v1`: identify the caller, enforce "token required", count the quota.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let auth_state = match bearer_token(request.headers()) {
        None => AuthState::Missing,
        Some(token) => match state.auth.keys.verify(token) {
            Err(problem) => AuthState::Refused(problem),
            Ok(claims) => match load_caller(&state.db, &claims).await {
                Ok(Some(caller)) => AuthState::Authenticated(Arc::new(caller)),
                Ok(None) => AuthState::Refused(TokenProblem::Invalid),
                Err(error) => return ApiError::from(error).into_response(),
            },
        },
    };
    let path = request.uri().path().to_owned();
    let caller = match &auth_state {
        AuthState::Authenticated(caller) => Some(Arc::clone(caller)),
        AuthState::Missing if is_public(request.method(), &path) => None,
        AuthState::Refused(_) if is_public(request.method(), &path) => None,
        AuthState::Missing => {
            return ApiError::Unauthorized(
                "Not authenticated: send the header Authorization: Bearer <access token>".into(),
            )
            .into_response();
        }
        AuthState::Refused(TokenProblem::Expired) => {
            return ApiError::Unauthorized(
                "Token has expired: get a new one from /api/v1/auth/refresh".into(),
            )
            .into_response();
        }
        AuthState::Refused(TokenProblem::Invalid) => {
            return ApiError::Unauthorized("Could not validate credentials".into()).into_response();
        }
    };

    let Some(caller) = caller else {
        request.extensions_mut().insert(auth_state);
        return next.run(request).await;
    };
    if caller.must_change_password && !allowed_before_password_change(&path) {
        return ApiError::Forbidden(
            "Password change required: set a new password with POST /api/v1/auth/password".into(),
        )
        .into_response();
    }
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let class = QuotaClass::of(is_read, &path);
    let decision = state.auth.check_quota(caller.principal.user_id, class);
    if !decision.allowed {
        let client = request
            .extensions()
            .get::<ClientIp>()
            .map(|ip| ip.0.to_string())
            .unwrap_or_default();
        if crate::telemetry::should_log(crate::telemetry::Repetitive::RateLimited, &client) {
            tracing::warn!(
                target: "bsn_knowledge::rate_limit",
                "Rate limit exceeded for {} requests by user \"{}\" from {client}",
                class.as_str(),
                log_safe(&caller.principal.username)
            );
        }
        return ApiError::QuotaExceeded {
            class: class.as_str(),
            limit: decision.limit,
            reset_at: decision.reset_at,
            retry_after: decision.retry_after,
        }
        .into_response();
    }
    request.extensions_mut().insert(auth_state);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(decision.reset_at));
    response
}

async fn load_caller(
    db: &Db,
    claims: &crate::auth::AccessClaims,
) -> Result<Option<Caller>, DbError> {
    let Some(user_id) = claims.user_id() else {
        return Ok(None);
    };
    let user = db.read_now(|conn| accounts::load_request_user(conn, user_id, &claims.jti))?;
    let Some(user) = user else { return Ok(None) };
    let Some(role) = Role::parse(&user.role) else {
        return Ok(None);
    };
    if !user.is_active || user.token_revoked {
        return Ok(None);
    }
    Ok(Some(Caller {
        principal: Principal {
            user_id: user.id,
            username: user.username,
            role,
            instructs: user.instructs,
        },
        jti: claims.jti.clone(),
        token_expires_at: claims.exp,
        must_change_password: user.must_change_password,
    }))
}

/// The authenticated caller; rejects with 401 when there is none.
pub struct CurrentUser(pub Arc<Caller>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<AuthState>() {
            Some(AuthState::Authenticated(caller)) => Ok(CurrentUser(Arc::clone(caller))),
            _ => Err(ApiError::Unauthorized("Not authenticated".into())),
        }
    }
}

impl CurrentUser {
    pub fn require_role(&self, role: Role) -> ApiResult<()> {
        if self.0.principal.role == role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "{} access required",
                capitalise(role.as_str())
            )))
        }
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A username as it may appear in a log line: quotes and control characters cannot forge lines.
pub fn log_safe(raw: &str) -> String {
    raw.chars()
        .take(64)
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(login_oauth2))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(verify_token))
        .routes(routes!(roles))
        .routes(routes!(auth_health))
        .routes(routes!(change_password))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OAuth2Form {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub grant_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always "bearer".
    pub token_type: &'static str,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// True when the user must set a new password before using the API.
    pub password_change_required: bool,
}

/// Log in with JSON credentials.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::http::error::ErrorEnvelope),
              (status = 400, description = "Account disabled", body = crate::http::error::ErrorEnvelope),
              (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn login(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<ApiJson<TokenPair>> {
    authenticate_password(&state, client, &body.username, &body.password)
        .await
        .map(ApiJson)
}

/// Log in with an OAuth2 password-grant form (`application/x-www-form-urlencoded`).
#[utoipa::path(post, path = "/api/v1/auth/login/oauth2", tag = "auth",
    request_body(content = OAuth2Form, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenPair), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn login_oauth2(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    form: Result<Form<OAuth2Form>, axum::extract::rejection::FormRejection>,
) -> ApiResult<ApiJson<TokenPair>> {
    let Form(form) = form.map_err(|rejection| match rejection {
        axum::extract::rejection::FormRejection::InvalidFormContentType(_) => {
            ApiError::UnsupportedMediaType(
                "expected a form body with Content-Type: application/x-www-form-urlencoded".into(),
            )
        }
        other => ApiError::validation("body", other.body_text()),
    })?;
    if form
        .grant_type
        .as_deref()
        .is_some_and(|grant| grant != "password")
    {
        return Err(ApiError::validation(
            "grant_type",
            "only the \"password\" grant is supported",
        ));
    }
    authenticate_password(&state, client, &form.username, &form.password)
        .await
        .map(ApiJson)
}

const LOGIN_FAILED: &str = "Incorrect username or password";

async fn authenticate_password(
    state: &AppState,
    client: IpAddr,
    username: &str,
    password: &str,
) -> ApiResult<TokenPair> {
    if username.chars().count() > 256 {
        return Err(ApiError::validation(
            "username",
            "must be at most 256 characters",
        ));
    }
    if password.chars().count() > PASSWORD_MAX {
        return Err(ApiError::validation(
            "password",
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    if let Some(wait) = state.auth.address_blocked(client) {
        if crate::telemetry::should_log(
            crate::telemetry::Repetitive::RateLimited,
            &client.to_string(),
        ) {
            tracing::warn!(target: "bsn_knowledge::rate_limit", "Rate limit exceeded for logins from {client}");
        }
        return Err(ApiError::RateLimited {
            limit: crate::auth::ADDRESS_FAILURE_LIMIT,
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let canonical = canonical_username(username);
    let lookup = canonical.clone();
    let user = state
        .db
        .read(move |conn| accounts::find_user_by_username(conn, &lookup))
        .await?;
    let now = crate::clock::unix_now();
    let locked = match &user {
        Some(user) => user
            .locked_until
            .as_deref()
            .and_then(parse_time)
            .is_some_and(|until| until > now),
        None => state.auth.unknown_user_locked(&canonical),
    };
    if locked {
        login_failure_log(username, client);
        return Err(locked_error(&state.auth));
    }

    let candidate = password.to_owned();
    let stored = user.as_ref().map(|user| user.password_hash.clone());
    let verified = state
        .auth
        .passwords
        .run(move |hasher| hasher.verify(&candidate, stored.as_deref()))
        .await
        .map_err(ApiError::Internal)?;

    let Some(user) = user.filter(|_| verified) else {
        login_failure_log(username, client);
        state.auth.record_address_failure(client);
        let now_locked = match user_id_of(state, &canonical).await? {
            Some(user_id) => record_failure(state, user_id, client).await?,
            None => state.auth.record_unknown_user_failure(&canonical),
        };
        return Err(if now_locked {
            locked_error(&state.auth)
        } else {
            ApiError::Unauthorized(LOGIN_FAILED.into())
        });
    };
    if !user.is_active {
        return Err(ApiError::BadRequest("User account is disabled".into()));
    }
    let pair = issue_tokens(state, &user, None, Some(client), "login").await?;
    Ok(pair)
}

async fn user_id_of(state: &AppState, canonical: &str) -> ApiResult<Option<i64>> {
    let lookup = canonical.to_owned();
    Ok(state
        .db
        .read(move |conn| Ok(accounts::find_user_by_username(conn, &lookup)?.map(|user| user.id)))
        .await?)
}

fn locked_error(auth: &Auth) -> ApiError {
    ApiError::Unauthorized(format!(
        "Account temporarily locked after repeated failed logins: try again in {} minutes or ask an administrator to reset the password",
        auth.lockout.as_secs() / 60
    ))
}

/// The line fail2ban matches (contract §4).
fn login_failure_log(username: &str, client: IpAddr) {
    tracing::error!(target: "bsn_knowledge::auth", "[ERROR] Authentication failed for user \"{}\" from {client}", log_safe(username));
}

async fn record_failure(state: &AppState, user_id: i64, client: IpAddr) -> ApiResult<bool> {
    let threshold = state.auth.lockout_threshold;
    let lock_until = format_time(crate::clock::unix_now() + state.auth.lockout.as_secs());
    let now = crate::clock::now_rfc3339();
    let ip = client.to_string();
    Ok(state
        .db
        .write(move |tx| {
            let locked = accounts::record_failed_login(tx, user_id, threshold, &lock_until)?;
            let username = accounts::find_user(tx, user_id)?
                .map(|user| user.username)
                .unwrap_or_default();
            let action = if locked {
                "account_locked"
            } else {
                "login_failed"
            };
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(user_id),
                    actor: &username,
                    action,
                    target: Some(&username),
                    ip: Some(&ip),
                    details: serde_json::json!({}),
                },
                &now,
            )?;
            Ok(locked)
        })
        .await?)
}

/// Issues an access token and a refresh token (a new family unless `family` continues one).
async fn issue_tokens(
    state: &AppState,
    user: &UserRecord,
    family: Option<String>,
    client: Option<IpAddr>,
    action: &'static str,
) -> ApiResult<TokenPair> {
    let now = crate::clock::unix_now();
    let ttl = state.auth.access_ttl.as_secs();
    let (access_token, _) = state
        .auth
        .keys
        .issue(user.id, &user.role, now, ttl)
        .map_err(ApiError::Internal)?;
    let (refresh_token, refresh_hash) = crate::auth::tokens::new_refresh_token();
    let family = family.unwrap_or_else(|| crate::auth::random_token(16));
    let expires_at = format_time(now + state.auth.refresh_ttl.as_secs());
    let (user_id, username) = (user.id, user.username.clone());
    let ip = client.map(|ip| ip.to_string());
    let stamp = crate::clock::now_rfc3339();
    state
        .db
        .write(move |tx| {
            accounts::insert_refresh_token(
                tx,
                &refresh_hash,
                user_id,
                &family,
                &stamp,
                &expires_at,
            )?;
            if action == "login" {
                accounts::record_successful_login(tx, user_id, &stamp)?;
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(user_id),
                        actor: &username,
                        action,
                        target: Some(&username),
                        ip: ip.as_deref(),
                        details: serde_json::json!({}),
                    },
                    &stamp,
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "bearer",
        expires_in: ttl,
        password_change_required: user.must_change_password,
    })
}

#[derive(Debug, Deserialize, ToSchema, IntoParams)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

/// Exchange a refresh token for a new pair. The old refresh token stops working; presenting it
/// again revokes every token of its family.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", params(RefreshRequest),
    request_body(content = RefreshRequest, description = "or the query parameter refresh_token"),
    responses((status = 200, body = TokenPair), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn refresh(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    Query(query): Query<RefreshRequest>,
    body: axum::body::Bytes,
) -> ApiResult<ApiJson<TokenPair>> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_json::<RefreshRequest>(&body)?.refresh_token
    };
    let Some(token) = from_body.or(query.refresh_token) else {
        return Err(ApiError::validation(
            "refresh_token",
            "a refresh token is required",
        ));
    };
    let hash = crate::auth::tokens::hash_refresh_token(&token);
    let now_epoch = crate::clock::unix_now();
    let stamp = crate::clock::now_rfc3339();
    let ip = client.to_string();
    let outcome = state
        .db
        .write(move |tx| {
            let Some(record) = accounts::find_refresh_token(tx, &hash)? else {
                return Ok(RefreshOutcome::Unknown);
            };
            if record.revoked_at.is_some() {
                return Ok(RefreshOutcome::Revoked);
            }
            if record.used_at.is_some() {
                accounts::revoke_refresh_family(tx, &record.family_id, &stamp)?;
                let user = accounts::find_user(tx, record.user_id)?;
                let username = user.map(|user| user.username).unwrap_or_default();
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(record.user_id),
                        actor: &username,
                        action: "refresh_token_reuse",
                        target: Some(&username),
                        ip: Some(&ip),
                        details: serde_json::json!({ "family_revoked": true }),
                    },
                    &stamp,
                )?;
                return Ok(RefreshOutcome::Reused(username));
            }
            if parse_time(&record.expires_at).is_none_or(|expires| expires <= now_epoch) {
                return Ok(RefreshOutcome::Expired);
            }
            let Some(user) = accounts::find_user(tx, record.user_id)?.filter(|user| user.is_active)
            else {
                return Ok(RefreshOutcome::Revoked);
            };
            accounts::mark_refresh_used(tx, &hash, &stamp)?;
            Ok(RefreshOutcome::Rotate(Box::new(user), record.family_id))
        })
        .await?;
    match outcome {
        RefreshOutcome::Rotate(user, family) => Ok(ApiJson(
            issue_tokens(&state, &user, Some(family), None, "refresh").await?,
        )),
        RefreshOutcome::Reused(username) => {
            tracing::warn!(target: "bsn_knowledge::auth", "refresh token reused for user \"{}\" from {client}: its family was revoked", log_safe(&username));
            Err(ApiError::Unauthorized("Invalid refresh token".into()))
        }
        RefreshOutcome::Unknown | RefreshOutcome::Revoked | RefreshOutcome::Expired => {
            Err(ApiError::Unauthorized("Invalid refresh token".into()))
        }
    }
}

enum RefreshOutcome {
    Unknown,
    Revoked,
    Expired,
    Reused(String),
    Rotate(Box<UserRecord>, String),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogoutResponse {
    pub message: String,
    pub username: String,
}

/// Log out: this access token and every refresh token of the user stop working.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = LogoutResponse), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<ApiJson<LogoutResponse>> {
    let caller = Arc::clone(&user.0);
    let stamp = crate::clock::now_rfc3339();
    let (jti, expires, user_id, username) = (
        caller.jti.clone(),
        caller.token_expires_at,
        caller.principal.user_id,
        caller.principal.username.clone(),
    );
    state
        .db
        .write(move |tx| {
            accounts::revoke_access_token(tx, &jti, expires)?;
            accounts::revoke_user_refresh_tokens(tx, user_id, &stamp)?;
            accounts::prune_expired_tokens(tx, crate::clock::unix_now(), &stamp)?;
            Ok(())
        })
        .await?;
    Ok(ApiJson(LogoutResponse {
        message: format!("User {username} logged out successfully"),
        username,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    pub cohorts: Vec<i64>,
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn me(State(state): State<AppState>, user: CurrentUser) -> ApiResult<ApiJson<MeView>> {
    let user_id = user.0.principal.user_id;
    let (record, cohorts) = state.db.read_now(|conn| {
        Ok((
            accounts::find_user(conn, user_id)?,
            accounts::cohorts_of(conn, user_id, None)?,
        ))
    })?;
    let record =
        record.ok_or_else(|| ApiError::Unauthorized("Could not validate credentials".into()))?;
    Ok(ApiJson(MeView {
        user: UserView::from(&record),
        cohorts,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyTokenResponse {
    pub valid: bool,
    pub user: TokenUser,
    pub message: String,
}

/// Check that the token is valid and say whose it is.
#[utoipa::path(get, path = "/api/v1/auth/verify-token", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = VerifyTokenResponse), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn verify_token(user: CurrentUser) -> ApiJson<VerifyTokenResponse> {
    let principal = &user.0.principal;
    ApiJson(VerifyTokenResponse {
        valid: true,
        user: TokenUser {
            id: principal.user_id,
            username: principal.username.clone(),
            role: principal.role,
        },
        message: "Token is valid".into(),
    })
}

/// The roles a user can have.
#[utoipa::path(get, path = "/api/v1/auth/roles", tag = "auth", responses((status = 200, body = Vec<Role>)))]
async fn roles() -> ApiJson<[Role; 3]> {
    ApiJson(Role::ALL)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceStatus {
    pub service: &'static str,
    pub status: &'static str,
}

/// Status of the authentication service.
#[utoipa::path(get, path = "/api/v1/auth/health", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = ServiceStatus)))]
async fn auth_health(_user: CurrentUser) -> ApiJson<ServiceStatus> {
    ApiJson(ServiceStatus {
        service: "authentication",
        status: "healthy",
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password (also clears "password change required").
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204), (status = 401, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let user_id = user.0.principal.user_id;
    if body.current_password.chars().count() > PASSWORD_MAX {
        return Err(ApiError::validation(
            "current_password",
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    let username = Username::parse(&user.0.principal.username)
        .map_err(|_| ApiError::internal(anyhow::anyhow!("stored username invalid")))?;
    check_new_password(&body.new_password, &username)
        .map_err(|problem| ApiError::validation("new_password", problem.to_string()))?;
    let record = state
        .db
        .read(move |conn| accounts::find_user(conn, user_id))
        .await?;
    let record =
        record.ok_or_else(|| ApiError::Unauthorized("Could not validate credentials".into()))?;
    let (current, new, stored) = (
        body.current_password,
        body.new_password,
        record.password_hash,
    );
    let outcome = state
        .auth
        .passwords
        .run(move |hasher| {
            hasher
                .verify(&current, Some(&stored))
                .then(|| hasher.hash(&new))
        })
        .await
        .map_err(ApiError::Internal)?;
    let Some(hash) = outcome else {
        return Err(ApiError::Unauthorized(
            "The current password is not correct".into(),
        ));
    };
    let hash = hash.map_err(ApiError::Internal)?;
    let stamp = crate::clock::now_rfc3339();
    let (name, ip) = (record.username, client.to_string());
    state
        .db
        .write(move |tx| {
            let changes = UserChanges {
                password_hash: Some(&hash),
                must_change_password: Some(false),
                ..UserChanges::default()
            };
            accounts::update_user(tx, user_id, &changes, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(user_id),
                    actor: &name,
                    action: "password_changed",
                    target: Some(&name),
                    ip: Some(&ip),
                    details: serde_json::json!({}),
                },
                &stamp,
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    /// Users to skip (default 0).
    #[serde(default)]
    pub skip: i64,
    /// Users to return, 1 to 1000 (default 100).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// All users (admin).
#[utoipa::path(get, path = "/api/v1/auth/users", tag = "auth", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<Paging>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<Vec<UserView>>> {
    user.require_role(Role::Admin)
        .map_err(|_| ApiError::Forbidden("Administrator access required".into()))?;
    let Query(paging) =
        query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
    if paging.skip < 0 {
        return Err(ApiError::validation("skip", "must be 0 or more"));
    }
    if !(1..=1_000).contains(&paging.limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 1000"));
    }
    let users = state
        .db
        .read(move |conn| accounts::list_users(conn, paging.skip, paging.limit))
        .await?;
    Ok(ApiJson(users.iter().map(UserView::from).collect()))
}

/// Create a user (admin).
#[utoipa::path(post, path = "/api/v1/auth/users", tag = "auth", security(("bearer" = [])), request_body = CreateUser,
    responses((status = 201, body = CreatedUser), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 409, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, ApiJson<CreatedUser>)> {
    user.require_role(Role::Admin)
        .map_err(|_| ApiError::Forbidden("Administrator access required".into()))?;
    let actor = Actor {
        id: Some(user.0.principal.user_id),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let created = create_account(&state.db, &state.auth.passwords, &body, &actor).await?;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// One user: admins any, instructors students of their cohorts, students themselves.
#[utoipa::path(get, path = "/api/v1/auth/users/{user_id}", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<UserView>> {
    let user_id = path_id(path, "user_id")?;
    let record = authorize_student_access(&state.db, &user.0.principal, user_id).await?;
    Ok(ApiJson(UserView::from(&record)))
}

/// Parses a numeric path id into a 422 naming the parameter when it is not one.
pub fn path_id(
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    name: &str,
) -> ApiResult<i64> {
    path.map(|Path(id)| id)
        .map_err(|_| ApiError::validation(name, "must be a whole number"))
}

/// Loads user `target` if `viewer` may see their data: the one access check for every route that
/// takes a student id. Someone you may not see gets 403 whether or not they exist.
pub async fn authorize_student_access(
    db: &Db,
    viewer: &Principal,
    target: i64,
) -> ApiResult<UserRecord> {
    let (record, cohorts) = db
        .read(move |conn| {
            Ok((
                accounts::find_user(conn, target)?,
                accounts::cohorts_of(conn, target, Some("student"))?,
            ))
        })
        .await?;
    if !can_view_student(viewer, target, &cohorts) {
        return Err(ApiError::Forbidden(
            "You may not see this user's data".into(),
        ));
    }
    record.ok_or_else(|| ApiError::NotFound(format!("no user with id {target}")))
}

/// Change a user's role, active flag, name or e-mail (admin). The last active admin cannot be
/// demoted or disabled.
#[utoipa::path(patch, path = "/api/v1/auth/users/{user_id}", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope), (status = 409, body = crate::http::error::ErrorEnvelope)))]
async fn update_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<ApiJson<UserView>> {
    user.require_role(Role::Admin)
        .map_err(|_| ApiError::Forbidden("Administrator access required".into()))?;
    let user_id = path_id(path, "user_id")?;
    if let Some(name) = &body.display_name
        && (name.trim().is_empty() || name.chars().count() > 200)
    {
        return Err(ApiError::validation(
            "display_name",
            "must be 1 to 200 characters",
        ));
    }
    let actor = Actor {
        id: Some(user.0.principal.user_id),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let record = apply_user_update(&state.db, user_id, body, &actor).await?;
    Ok(ApiJson(UserView::from(&record)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetPasswordResponse {
    pub username: String,
    /// Give this to the user; they must change it at their next login.
    pub generated_password: String,
}

/// Reset a user's password to a generated one (admin); their sessions end.
#[utoipa::path(post, path = "/api/v1/auth/users/{user_id}/reset-password", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses((status = 200, body = ResetPasswordResponse), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<ResetPasswordResponse>> {
    user.require_role(Role::Admin)
        .map_err(|_| ApiError::Forbidden("Administrator access required".into()))?;
    let user_id = path_id(path, "user_id")?;
    let actor = Actor {
        id: Some(user.0.principal.user_id),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let (username, password) =
        reset_account_password(&state.db, &state.auth.passwords, user_id, &actor).await?;
    Ok(ApiJson(ResetPasswordResponse {
        username,
        generated_password: password,
    }))
}

/// Epoch seconds as RFC 3339 (UTC, seconds).
pub fn format_time(epoch: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// RFC 3339 to epoch seconds.
pub fn parse_time(text: &str) -> Option<u64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid { field, message } => ApiError::validation(field, message),
            AccountError::Conflict(message) => ApiError::Conflict(message),
            AccountError::NotFound(message) => ApiError::NotFound(message),
            AccountError::Internal(error) => ApiError::Internal(error),
        }
    }
}

impl From<CredentialProblem> for ApiError {
    fn from(problem: CredentialProblem) -> Self {
        ApiError::validation("password", problem.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc.def"),
        );
        assert_eq!(bearer_token(&headers), Some("abc.def"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn log_lines_cannot_be_forged_through_usernames() {
        assert_eq!(
            log_safe("eve\" from 1.2.3.4\n[ERROR] x"),
            "eve? from 1.2.3.4?[ERROR] x"
        );
    }

    #[test]
    fn only_login_refresh_and_roles_are_public() {
        assert!(is_public(&Method::POST, "/api/v1/auth/login"));
        assert!(is_public(&Method::GET, "/api/v1/auth/roles"));
        assert!(!is_public(&Method::GET, "/api/v1/auth/login"));
        assert!(!is_public(&Method::GET, "/api/v1/auth/me"));
        assert!(!is_public(&Method::POST, "/api/v1/nclex/generate"));
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(parse_time(&format_time(1_800_000_000)), Some(1_800_000_000));
        assert_eq!(parse_time("garbage"), None);
    }
}
