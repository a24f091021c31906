//! Cohorts: named groups of students with their instructors. Admins manage all cohorts; instructors
//! add and remove students in the cohorts they teach; everyone sees the cohorts they belong to.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::accounts::{self, AuditEntry, CohortRecord, MemberRecord};
use crate::domain::accounts::{Role, can_manage_cohort, can_view_cohort};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::AdminUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cohorts, create_cohort))
        .routes(routes!(get_cohort))
        .routes(routes!(put_member, delete_member))
}

/// Cohorts the caller may see: all for admins, their own for everyone else.
#[utoipa::path(get, path = "/api/v1/cohorts", tag = "cohorts", security(("bearer" = [])),
    responses((status = 200, body = Vec<CohortRecord>)))]
async fn list_cohorts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<ApiJson<Vec<CohortRecord>>> {
    let principal = user.0.principal.clone();
    let cohorts = state
        .db
        .read(move |conn| {
            if principal.role == Role::Admin {
                accounts::list_cohorts(conn, None)
            } else {
                let mine = accounts::cohorts_of(conn, principal.user_id, None)?;
                accounts::list_cohorts(conn, Some(&mine))
            }
        })
        .await?;
    Ok(ApiJson(cohorts))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCohort {
    /// Unique; not blank.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
}

/// Create a cohort (admin).
#[utoipa::path(post, path = "/api/v1/cohorts", tag = "cohorts", security(("bearer" = [])), request_body = CreateCohort,
    responses((status = 201, body = CohortRecord), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 409, body = crate::http::error::ErrorEnvelope)))]
async fn create_cohort(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<CreateCohort>,
) -> ApiResult<(StatusCode, ApiJson<CohortRecord>)> {
    let name = body.name.trim().to_owned();
    if name.is_empty() || body.name.chars().count() > 120 {
        return Err(ApiError::validation("name", "must be 1 to 120 characters"));
    }
    if body.description.chars().count() > 2_000 {
        return Err(ApiError::validation(
            "description",
            "must be at most 2000 characters",
        ));
    }
    let stamp = crate::clock::now_rfc3339();
    let (actor_id, actor, ip) = (
        user.0.principal.user_id,
        user.0.principal.username.clone(),
        client.to_string(),
    );
    let cohort = state
        .db
        .write(move |tx| {
            let id = accounts::insert_cohort(tx, &name, &body.description, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: "cohort_created",
                    target: Some(&name),
                    ip: Some(&ip),
                    details: serde_json::json!({ "cohort_id": id }),
                },
                &stamp,
            )?;
            accounts::find_cohort(tx, id)?
                .ok_or_else(|| DbError::Task("created cohort vanished".into()))
        })
        .await
        .map_err(|error| match error {
            DbError::Conflict(message) => ApiError::Conflict(message),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, ApiJson(cohort)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDetail {
    #[serde(flatten)]
    pub cohort: CohortRecord,
    /// Shown to admins and the cohort's instructors; students see only the cohort itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberRecord>>,
}

/// One cohort with its members.
#[utoipa::path(get, path = "/api/v1/cohorts/{cohort_id}", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id")),
    responses((status = 200, body = CohortDetail), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn get_cohort(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<CohortDetail>> {
    let cohort_id = crate::http::auth::path_id(path, "cohort_id")?;
    let principal = user.0.principal.clone();
    let (cohort, mine, members) = state
        .db
        .read(move |conn| {
            Ok((
                accounts::find_cohort(conn, cohort_id)?,
                accounts::cohorts_of(conn, principal.user_id, None)?,
                accounts::cohort_members(conn, cohort_id)?,
            ))
        })
        .await?;
    let principal = &user.0.principal;
    if !can_view_cohort(principal, cohort_id, &mine) {
        return Err(ApiError::Forbidden(
            "You are not a member of this cohort".into(),
        ));
    }
    let cohort =
        cohort.ok_or_else(|| ApiError::NotFound(format!("no cohort with id {cohort_id}")))?;
    let members = can_manage_cohort(principal, cohort_id).then_some(members);
    Ok(ApiJson(CohortDetail { cohort, members }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    /// "student" or "instructor"; must match the user's account role.
    #[schema(value_type = CohortRole)]
    pub role: Role,
}

/// The roles a cohort member can have.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum CohortRole {
    Student,
    Instructor,
}

/// Add a user to a cohort or change their cohort role. Admins may add anyone; instructors of the
/// cohort may add students.
#[utoipa::path(put, path = "/api/v1/cohorts/{cohort_id}/members/{user_id}", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id"), ("user_id" = i64, Path, description = "User id")),
    request_body = Membership,
    responses((status = 204), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn put_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<(i64, i64)>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<Membership>,
) -> ApiResult<StatusCode> {
    let Path((cohort_id, user_id)) = path
        .map_err(|_| ApiError::validation("path", "cohort_id and user_id must be whole numbers"))?;
    let principal = &user.0.principal;
    if !can_manage_cohort(principal, cohort_id) {
        return Err(ApiError::Forbidden(
            "Only admins and this cohort's instructors may change its members".into(),
        ));
    }
    if principal.role == Role::Instructor && body.role != Role::Student {
        return Err(ApiError::Forbidden(
            "Instructors may add students only".into(),
        ));
    }
    if body.role == Role::Admin {
        return Err(ApiError::validation(
            "role",
            "cohort members are students or instructors",
        ));
    }
    let stamp = crate::clock::now_rfc3339();
    let (actor_id, actor, ip) = (
        principal.user_id,
        principal.username.clone(),
        client.to_string(),
    );
    state
        .db
        .write(move |tx| {
            let cohort = accounts::find_cohort(tx, cohort_id)?.ok_or_else(|| DbError::Conflict(format!("no cohort with id {cohort_id}")))?;
            let member = accounts::find_user(tx, user_id)?.ok_or_else(|| DbError::Conflict(format!("no user with id {user_id}")))?;
            if member.role != body.role.as_str() {
                return Err(DbError::Task(format!("role mismatch: {} is a {}", member.username, member.role)));
            }
            accounts::upsert_member(tx, cohort_id, user_id, body.role.as_str(), &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: "cohort_member_added",
                    target: Some(&member.username),
                    ip: Some(&ip),
                    details: serde_json::json!({ "cohort_id": cohort_id, "cohort": cohort.name, "role": body.role.as_str() }),
                },
                &stamp,
            )?;
            Ok(())
        })
        .await
        .map_err(|error| match error {
            DbError::Conflict(message) => ApiError::NotFound(message),
            DbError::Task(message) if message.starts_with("role mismatch") => ApiError::validation("role", message),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a user from a cohort.
#[utoipa::path(delete, path = "/api/v1/cohorts/{cohort_id}/members/{user_id}", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id"), ("user_id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn delete_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<(i64, i64)>, axum::extract::rejection::PathRejection>,
) -> ApiResult<StatusCode> {
    let Path((cohort_id, user_id)) = path
        .map_err(|_| ApiError::validation("path", "cohort_id and user_id must be whole numbers"))?;
    let principal = user.0.principal.clone();
    if !can_manage_cohort(&principal, cohort_id) {
        return Err(ApiError::Forbidden(
            "Only admins and this cohort's instructors may change its members".into(),
        ));
    }
    let stamp = crate::clock::now_rfc3339();
    let ip = client.to_string();
    let removed = state
        .db
        .write(move |tx| {
            let member = accounts::find_user(tx, user_id)?;
            if principal.role == Role::Instructor
                && member.as_ref().is_some_and(|m| m.role != "student")
            {
                return Ok(None);
            }
            let removed = accounts::remove_member(tx, cohort_id, user_id)?;
            if removed {
                let target = member.map(|m| m.username).unwrap_or_default();
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(principal.user_id),
                        actor: &principal.username,
                        action: "cohort_member_removed",
                        target: Some(&target),
                        ip: Some(&ip),
                        details: serde_json::json!({ "cohort_id": cohort_id }),
                    },
                    &stamp,
                )?;
            }
            Ok(Some(removed))
        })
        .await?;
    match removed {
        None => Err(ApiError::Forbidden(
            "Instructors may remove students only".into(),
        )),
        Some(false) => Err(ApiError::NotFound(format!(
            "user {user_id} is not in cohort {cohort_id}"
        ))),
        Some(true) => Ok(StatusCode::NO_CONTENT),
    }
}
