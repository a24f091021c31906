//! Admin API for backups: list the archives and the last outcome, trigger a backup now.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::AdminUser;
use crate::ops::backup::{
    BackupActor, BackupError, BackupFile, BackupReport, BackupStatus, Trigger,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_backups, create_backup))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupList {
    /// The directory backups are written to.
    pub dir: String,
    /// Archives in that directory, newest first.
    pub backups: Vec<BackupFile>,
    /// Schedule, running flag and the last outcome of this server's backups.
    pub status: BackupStatus,
}

/// The backup archives and the last backup outcome (admin).
#[utoipa::path(get, path = "/api/v1/admin/backups", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = BackupList), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn list_backups(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<ApiJson<BackupList>> {
    let service = state.backups.clone();
    let backups = tokio::task::spawn_blocking(move || service.list())
        .await
        .map_err(ApiError::internal)?
        .map_err(|error| {
            ApiError::Unavailable(format!("cannot read the backup directory: {error}"))
        })?;
    Ok(ApiJson(BackupList {
        dir: state.config.backup_dir().display().to_string(),
        backups,
        status: state.backups.status(),
    }))
}

/// Makes a backup now and waits for it (admin): a consistent snapshot of the database with the
/// signing secret, TLS/ACME state and config, verified, pruned and uploaded as configured.
#[utoipa::path(post, path = "/api/v1/admin/backups", tag = "admin", security(("bearer" = [])),
    responses((status = 201, body = BackupReport), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 409, description = "A backup is already running", body = crate::http::error::ErrorEnvelope),
              (status = 503, description = "The backup failed; the message says why", body = crate::http::error::ErrorEnvelope)))]
async fn create_backup(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
) -> ApiResult<(StatusCode, ApiJson<BackupReport>)> {
    let actor = BackupActor {
        id: Some(user.0.principal.id()),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    // On its own task: a client that gives up does not cancel a backup half-way.
    let service = state.backups.clone();
    let outcome = tokio::spawn(async move { service.run(Trigger::Api, actor).await })
        .await
        .map_err(ApiError::internal)?;
    match outcome {
        Ok(report) => Ok((StatusCode::CREATED, ApiJson(report))),
        Err(error @ BackupError::Busy { .. }) => Err(ApiError::Conflict(error.to_string())),
        Err(error) => Err(ApiError::Unavailable(format!("backup failed: {error}"))),
    }
}
