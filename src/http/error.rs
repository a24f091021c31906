//! The one JSON error envelope. Every error the HTTP edge returns, from unknown routes to rate limits,
//! is an [`ApiError`]; its response body is the contract's envelope and never carries internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::context;

/// One field-level validation problem.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything that can go wrong in a request, by what the client should do about it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is understood but not acceptable as a whole.
    #[error("{0}")]
    BadRequest(String),
    /// 422: one or more fields are wrong.
    #[error("{message}")]
    Validation {
        message: String,
        errors: Vec<FieldError>,
    },
    /// 401: no, bad or expired credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 413.
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: u64 },
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 503 when the work took longer than allowed.
    #[error("the request took longer than {seconds} s and was stopped")]
    Timeout { seconds: u64 },
    /// 503: a dependency is down or the disk is full.
    #[error("{0}")]
    Unavailable(String),
    /// 429: the client's per-IP bucket is empty.
    #[error("too many requests from this address; retry after {retry_after_secs} s")]
    RateLimited { limit: u32, retry_after_secs: u64 },
    /// 429: strangers used up this account's hourly failed logins (`auth::lockout`); addresses the
    /// account signed in from recently are still let through.
    #[error(
        "too many failed logins for this account; sign in from a device you have signed in from before, or retry after {retry_after_secs} s"
    )]
    LoginLimited { limit: u32, retry_after_secs: u64 },
    /// 400: the Host header names a host outside `[server].allowed_hosts`.
    #[error("the host `{0}` is not served here; use the server's configured name")]
    HostNotAllowed(String),
    /// 403: a CORS preflight from an origin outside `[cors].allowed_origins`.
    #[error(
        "the origin `{0}` may not call this API; ask the administrator to add it to [cors].allowed_origins"
    )]
    OriginNotAllowed(String),
    /// 429: the user's hourly quota for this class of request is used up.
    #[error("Rate limit exceeded for {class} requests ({limit} per hour). Please try again later.")]
    QuotaExceeded {
        class: &'static str,
        limit: u32,
        reset_at: u64,
        retry_after: u64,
    },
    /// 500: logged with its cause, shown to the client as a generic message.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        Self::Validation {
            message: format!("{}: {}", error.field, error.message),
            errors: vec![error],
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Timeout { .. } | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::RateLimited { .. } | Self::LoginLimited { .. } | Self::QuotaExceeded { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::HostNotAllowed(_) => StatusCode::BAD_REQUEST,
            Self::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::Validation { .. } => "VALIDATION_ERROR",
            Self::Unauthorized(_) => "AUTHENTICATION_ERROR",
            Self::Forbidden(_) => "AUTHORIZATION_ERROR",
            Self::NotFound(_) => "RESOURCE_NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Conflict(_) => "RESOURCE_CONFLICT",
            Self::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            Self::Timeout { .. } => "REQUEST_TIMEOUT",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::RateLimited { .. } | Self::LoginLimited { .. } | Self::QuotaExceeded { .. } => {
                "RATE_LIMIT_EXCEEDED"
            }
            Self::HostNotAllowed(_) => "HOST_NOT_ALLOWED",
            Self::OriginNotAllowed(_) => "CORS_ORIGIN_NOT_ALLOWED",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    fn client_message(&self) -> String {
        match self {
            Self::Internal(_) => "An unexpected error occurred. Please try again later.".to_owned(),
            other => other.to_string(),
        }
    }

    fn details(&self) -> Option<serde_json::Value> {
        match self {
            Self::Validation { errors, .. } => {
                Some(serde_json::json!({ "validation_errors": errors }))
            }
            Self::PayloadTooLarge { limit } => Some(serde_json::json!({ "max_body_bytes": limit })),
            Self::QuotaExceeded {
                class,
                limit,
                retry_after,
                ..
            } => Some(serde_json::json!({
                "endpoint_type": class,
                "current_limit": limit,
                "window_seconds": 3600,
                "retry_after_seconds": retry_after,
            })),
            Self::RateLimited {
                limit,
                retry_after_secs,
            }
            | Self::LoginLimited {
                limit,
                retry_after_secs,
            } => Some(serde_json::json!({ "limit": limit, "retry_after_secs": retry_after_secs })),
            _ => None,
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        if error.is_disk_full() {
            // The operator must act; bounded so a full disk under load does not fill the journal.
            if crate::telemetry::should_log(crate::telemetry::Repetitive::DiskFull, "all clients") {
                tracing::error!(
                    target: "bsn_knowledge::storage",
                    "the disk holding the database is full: writes are refused with 503 until space is freed"
                );
            }
            return Self::Unavailable(
                "the server's disk is full; nothing was saved, please try again later".into(),
            );
        }
        Self::Internal(error.into())
    }
}

/// The envelope as it goes on the wire.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    /// Always `true`.
    pub error: bool,
    pub error_code: String,
    pub message: String,
    /// RFC 3339.
    pub timestamp: String,
    pub request_id: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let (request_id, path) = context::current_ids();
        let envelope = ErrorEnvelope {
            error: true,
            error_code: self.code().to_owned(),
            message: self.client_message(),
            timestamp: crate::clock::now_rfc3339(),
            request_id,
            path,
            details: self.details(),
        };
        let mut response = (status, axum::Json(envelope)).into_response();
        if matches!(self, Self::Timeout { .. }) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if let Self::QuotaExceeded {
            limit,
            reset_at,
            retry_after,
            ..
        } = self
        {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
            headers.insert("x-ratelimit-reset", HeaderValue::from(reset_at));
            return response;
        }
        if let Self::RateLimited {
            limit,
            retry_after_secs,
        }
        | Self::LoginLimited {
            limit,
            retry_after_secs,
        } = self
        {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0u32));
            headers.insert("x-ratelimit-reset", HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;
