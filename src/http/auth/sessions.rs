//! Sessions: login (JSON and OAuth2 form), refresh-token rotation, logout, and who-am-I.

use std::net::IpAddr;

use axum::extract::{Query, State};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::accounts::UserView;
use crate::auth::login::{LoginError, check_login};
use crate::auth::sessions::{Issue, SessionError, Tokens, issue_tokens, log_out, rotate_refresh};
use crate::db::accounts;
use crate::domain::accounts::{CohortId, PASSWORD_MAX, Role, UserId};
use crate::http::AppState;
use crate::http::auth::middleware::CurrentUser;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::{ApiJson, parse_json};

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
    /// "password", the only grant supported.
    #[serde(default)]
    #[schema(pattern = "^password$", nullable = false)]
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
    let user = check_login(&state.db, &state.auth, client, username, password)
        .await
        .map_err(login_error)?;
    let now = crate::clock::unix_now();
    issue_tokens(
        &state.db,
        &state.auth,
        &user,
        None,
        Issue::Login(client),
        now,
    )
    .await
    .map(TokenPair::from)
    .map_err(session_error)
}

fn login_error(error: LoginError) -> ApiError {
    match error {
        LoginError::Incorrect
        | LoginError::IncorrectNowLocked { .. }
        | LoginError::LockedHere { .. } => ApiError::Unauthorized(error.to_string()),
        LoginError::AccountLimited {
            limit,
            retry_after_secs,
        } => ApiError::LoginLimited {
            limit,
            retry_after_secs,
        },
        LoginError::AddressLimited {
            limit,
            retry_after_secs,
        } => ApiError::RateLimited {
            limit,
            retry_after_secs,
        },
        LoginError::Disabled => ApiError::BadRequest(error.to_string()),
        LoginError::Db(error) => error.into(),
        LoginError::Internal(error) => ApiError::Internal(error),
    }
}

fn session_error(error: SessionError) -> ApiError {
    match error {
        SessionError::Refused(_) => ApiError::Unauthorized(error.to_string()),
        SessionError::Db(error) => error.into(),
        SessionError::Internal(error) => ApiError::Internal(error),
    }
}

impl From<Tokens> for TokenPair {
    fn from(tokens: Tokens) -> Self {
        TokenPair {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            token_type: "bearer",
            expires_in: tokens.expires_in,
            password_change_required: tokens.password_change_required,
        }
    }
}

/// The refresh body as the server reads it: the token may instead come as the query parameter.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

/// The refresh body as documented: a JSON body must carry the token (the query parameter is the
/// alternative for clients that send no body).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshBody {
    #[schema(min_length = 1)]
    pub refresh_token: String,
}

/// Exchange a refresh token for a new pair. The old refresh token stops working; presenting it
/// again revokes every token of its family.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", params(RefreshRequest),
    request_body(content = RefreshBody, description = "or no body and the query parameter refresh_token"),
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
    rotate_refresh(
        &state.db,
        &state.auth,
        &token,
        client,
        crate::clock::unix_now(),
    )
    .await
    .map(|tokens| ApiJson(tokens.into()))
    .map_err(session_error)
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
    let caller = &user.0;
    log_out(
        &state.db,
        caller.principal.id(),
        &caller.jti,
        caller.token_expires_at,
        crate::clock::unix_now(),
    )
    .await?;
    let username = caller.principal.username.clone();
    Ok(ApiJson(LogoutResponse {
        message: format!("User {username} logged out successfully"),
        username,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    #[schema(value_type = Vec<i64>)]
    pub cohorts: Vec<CohortId>,
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = crate::http::error::ErrorEnvelope)))]
async fn me(State(state): State<AppState>, user: CurrentUser) -> ApiResult<ApiJson<MeView>> {
    let user_id = user.0.principal.user_id;
    let (record, cohorts) = state.db.read_now(|conn| {
        Ok((
            accounts::find_user(conn, user_id)?,
            accounts::cohort_ids_of(conn, user_id, None)?,
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
    #[schema(value_type = i64)]
    pub id: UserId,
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
