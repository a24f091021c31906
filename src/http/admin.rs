//! Admin-only views: the audit log.

use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::accounts::{self, AuditRecord};
use crate::domain::audit::AuditAction;
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::AdminUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Return entries older than this id (the `next_before_id` of the previous page).
    pub before_id: Option<i64>,
    /// Entries per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Only this action, e.g. `login_failed`, `role_changed`; an unknown one is refused (422).
    #[param(value_type = Option<AuditAction>, inline)]
    pub action: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// Pass as `before_id` for the next page; absent on the last page.
    pub next_before_id: Option<i64>,
}

/// The audit log, newest first (admin): logins, failed logins, user, role and cohort changes,
/// password resets, exports, backups and restores.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn list_audit(
    State(state): State<AppState>,
    _admin: AdminUser,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<AuditPage>> {
    let Query(query) =
        query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 500"));
    }
    let action = query
        .action
        .as_deref()
        .map(|text| {
            AuditAction::parse(text)
                .ok_or_else(|| ApiError::validation("action", format!("unknown action \"{text}\"")))
        })
        .transpose()?;
    let before = query.before_id;
    let entries = state
        .db
        .read(move |conn| accounts::list_audit(conn, before, limit, action))
        .await?;
    let next_before_id = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|entry| entry.id))
        .flatten();
    Ok(ApiJson(AuditPage {
        entries,
        next_before_id,
    }))
}
