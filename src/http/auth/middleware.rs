//! The authentication middleware for `/api/v1` and the `CurrentUser` extractor.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::TokenProblem;
use crate::auth::sessions::{TokenSession, UserSessions, token_is_current};
use crate::db::accounts;
use crate::db::{Db, DbError};
use crate::domain::accounts::Principal;
use crate::domain::quotas::QuotaClass;
use crate::http::AppState;
use crate::http::context::ClientIp;
use crate::http::error::ApiError;

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
    /// The session (refresh-token family) of the token, when it names one.
    pub session: Option<String>,
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
pub(crate) fn allowed_before_password_change(path: &str) -> bool {
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
    let role = user.role;
    let current = token_is_current(
        TokenSession {
            epoch: claims.sep,
            id: claims.sid.as_deref(),
        },
        UserSessions {
            epoch: user.session_epoch,
            kept: user.kept_session.as_deref(),
        },
    );
    if !user.is_active || user.token_revoked || !current {
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
        session: claims.sid.clone(),
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

pub use crate::telemetry::log_safe;

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
}
