//! Accounts over HTTP, split by concern:
//! - [`middleware`]: the authentication middleware every `/api/v1` request passes and the
//!   `CurrentUser` extractor;
//! - [`sessions`]: login, refresh, logout, me, verify-token, roles;
//! - [`users`]: user administration and password changes.
//!
//! The middleware decides who the caller is (role and active flag re-read from storage on every
//! request), refuses protected routes without a valid token, and counts the request against the
//! user's hourly quota. Handlers then take `CurrentUser` or a role extractor from `http::roles`.

pub mod middleware;
pub mod sessions;
pub mod users;

use axum::extract::Path;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::accounts::AccountError;
use crate::domain::accounts::CredentialProblem;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};

pub use middleware::{AuthState, Caller, CurrentUser, authenticate, bearer_token, log_safe};
pub use users::authorize_student_access;

/// Time formats, re-exported for the handlers that parse and print stored times.
pub use crate::clock::{format_time, parse_time};

/// The `auth/*` routes with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    sessions::routes().merge(users::routes())
}

/// Parses a numeric path id into a 422 naming the parameter when it is not one.
pub fn path_id<Id: From<i64>>(
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    name: &str,
) -> ApiResult<Id> {
    path.map(|Path(id)| Id::from(id))
        .map_err(|_| ApiError::validation(name, "must be a whole number"))
}

/// The page a list asks for: `limit` 1–200 (default 50) and `offset` ≥ 0, or the 422 naming the
/// parameter out of bounds. The item bank and the calibration report page alike.
pub fn page_window(limit: Option<i64>, offset: Option<i64>) -> ApiResult<(i64, i64)> {
    let (limit, offset) = (limit.unwrap_or(50), offset.unwrap_or(0));
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 200"));
    }
    if offset < 0 {
        return Err(ApiError::validation("offset", "must be 0 or more"));
    }
    Ok((limit, offset))
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid { field, message } => ApiError::validation(field, message),
            AccountError::Conflict(message) => ApiError::Conflict(message),
            AccountError::NotFound(message) => ApiError::NotFound(message),
            AccountError::Storage(error) => error.into(),
            AccountError::Internal(error) => ApiError::Internal(error),
        }
    }
}

impl From<CredentialProblem> for ApiError {
    fn from(problem: CredentialProblem) -> Self {
        ApiError::validation("password", problem.to_string())
    }
}
