//! Cohorts: named groups of students with their instructors. Admins manage all cohorts and their
//! membership; a student joins a cohort with its enrolment code, which admins and the cohort's
//! instructors can see and rotate; instructors may remove students from their cohorts but never add
//! anyone, so no instructor can obtain access to a student by their own action alone. Everyone sees
//! the cohorts they belong to.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::accounts::{self, AuditEntry, CohortRecord, MemberRecord};
use crate::domain::accounts::{
    CohortId, Role, UserId, can_enrol_members, can_manage_cohort, can_remove_member,
    can_view_cohort, display_enrolment_code, normalise_enrolment_code,
};
use crate::domain::audit::AuditAction;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::{AdminUser, StaffUser, StudentUser};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cohorts, create_cohort))
        .routes(routes!(get_cohort))
        .routes(routes!(put_member, delete_member))
        .routes(routes!(get_enrolment_code, rotate_enrolment_code))
        .routes(routes!(join_cohort))
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
                let mine = accounts::cohort_ids_of(conn, principal.id(), None)?;
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
    #[schema(min_length = 1, max_length = 120, pattern = r"[^\s\u0085]")]
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
    if crate::domain::is_blank(&name) || body.name.chars().count() > 120 {
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
        user.0.principal.id(),
        user.0.principal.username.clone(),
        client.to_string(),
    );
    let cohort = state
        .db
        .write(move |tx| {
            let code = crate::auth::enrolment_code();
            let id = accounts::insert_cohort(tx, &name, &body.description, &code, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: AuditAction::CohortCreated,
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
    let cohort_id = CohortId(crate::http::auth::path_id(path, "cohort_id")?);
    let principal = user.0.principal.clone();
    let (cohort, mine, members) = state
        .db
        .read(move |conn| {
            Ok((
                accounts::find_cohort(conn, cohort_id)?,
                accounts::cohort_ids_of(conn, principal.id(), None)?,
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

/// Add a user to a cohort or change their cohort role (admin). Instructors cannot add members:
/// students join with the cohort's enrolment code (`POST /api/v1/cohorts/join`).
#[utoipa::path(put, path = "/api/v1/cohorts/{cohort_id}/members/{user_id}", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id"), ("user_id" = i64, Path, description = "User id")),
    request_body = Membership,
    responses((status = 204), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn put_member(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<(i64, i64)>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<Membership>,
) -> ApiResult<StatusCode> {
    let Path((cohort_id, user_id)) = path
        .map_err(|_| ApiError::validation("path", "cohort_id and user_id must be whole numbers"))?;
    let (cohort_id, user_id) = (CohortId(cohort_id), UserId(user_id));
    let principal = &user.0.principal;
    if !can_enrol_members(principal) {
        return Err(ApiError::Forbidden("Administrator access required".into()));
    }
    if body.role == Role::Admin {
        return Err(ApiError::validation(
            "role",
            "cohort members are students or instructors",
        ));
    }
    let stamp = crate::clock::now_rfc3339();
    let (actor_id, actor, ip) = (
        principal.id(),
        principal.username.clone(),
        client.to_string(),
    );
    state
        .db
        .write(move |tx| {
            let cohort = accounts::find_cohort(tx, cohort_id)?.ok_or_else(|| DbError::Conflict(format!("no cohort with id {cohort_id}")))?;
            let member = accounts::find_user(tx, user_id)?.ok_or_else(|| DbError::Conflict(format!("no user with id {user_id}")))?;
            if member.role != body.role {
                return Err(DbError::Task(ROLE_MISMATCH.into()));
            }
            accounts::upsert_member(tx, cohort_id, user_id, body.role, &stamp)?;
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: AuditAction::CohortMemberAdded,
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
            DbError::Task(message) if message == ROLE_MISMATCH => ApiError::validation("role", message),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a membership was refused when its role is not the user's account role. Names no one.
const ROLE_MISMATCH: &str = "must be the user's account role (student or instructor)";

/// Remove a user from a cohort: admins anyone, the cohort's instructors its students.
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
    let (cohort_id, user_id) = (CohortId(cohort_id), UserId(user_id));
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
            // Only a member's own cohort role is consulted, which the manager can see anyway.
            let Some(role) = accounts::member_role(tx, cohort_id, user_id)? else {
                return Ok(Some(false));
            };
            if !can_remove_member(&principal, cohort_id, role) {
                return Ok(None);
            }
            let member = accounts::find_user(tx, user_id)?;
            let removed = accounts::remove_member(tx, cohort_id, user_id)?;
            if removed {
                let target = member.map(|m| m.username).unwrap_or_default();
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(principal.id()),
                        actor: &principal.username,
                        action: AuditAction::CohortMemberRemoved,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentCode {
    #[schema(value_type = i64)]
    pub cohort_id: CohortId,
    /// Give this to the cohort's students: they join with `POST /api/v1/cohorts/join`. `null` for a
    /// cohort made before enrolment codes existed, until one is rotated in.
    #[schema(example = "ABCD-EFGH-JK23")]
    pub code: Option<String>,
}

/// The cohort's enrolment code (admins and the cohort's instructors).
#[utoipa::path(get, path = "/api/v1/cohorts/{cohort_id}/enrolment-code", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id")),
    responses((status = 200, body = EnrolmentCode), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn get_enrolment_code(
    State(state): State<AppState>,
    user: StaffUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<EnrolmentCode>> {
    let cohort_id = CohortId(crate::http::auth::path_id(path, "cohort_id")?);
    require_manager(&user, cohort_id)?;
    let code = state
        .db
        .read(move |conn| accounts::enrolment_code(conn, cohort_id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no cohort with id {cohort_id}")))?;
    Ok(ApiJson(EnrolmentCode {
        cohort_id,
        code: code.as_deref().map(display_enrolment_code),
    }))
}

/// Replace the cohort's enrolment code with a new one; the old one stops working (admins and the
/// cohort's instructors). Members stay members.
#[utoipa::path(post, path = "/api/v1/cohorts/{cohort_id}/enrolment-code", tag = "cohorts", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id")),
    responses((status = 200, body = EnrolmentCode), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn rotate_enrolment_code(
    State(state): State<AppState>,
    user: StaffUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<EnrolmentCode>> {
    let cohort_id = CohortId(crate::http::auth::path_id(path, "cohort_id")?);
    require_manager(&user, cohort_id)?;
    let code = crate::auth::enrolment_code();
    let stamp = crate::clock::now_rfc3339();
    let (actor_id, actor, ip, stored) = (
        user.principal.id(),
        user.principal.username.clone(),
        client.to_string(),
        code.clone(),
    );
    let rotated = state
        .db
        .write(move |tx| {
            if !accounts::set_enrolment_code(tx, cohort_id, &stored)? {
                return Ok(false);
            }
            accounts::insert_audit(
                tx,
                &AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: AuditAction::EnrolmentCodeRotated,
                    target: None,
                    ip: Some(&ip),
                    details: serde_json::json!({ "cohort_id": cohort_id }),
                },
                &stamp,
            )?;
            Ok(true)
        })
        .await?;
    if !rotated {
        return Err(ApiError::NotFound(format!("no cohort with id {cohort_id}")));
    }
    Ok(ApiJson(EnrolmentCode {
        cohort_id,
        code: Some(display_enrolment_code(&code)),
    }))
}

fn require_manager(user: &StaffUser, cohort_id: CohortId) -> ApiResult<()> {
    if can_manage_cohort(&user.principal, cohort_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and this cohort's instructors may see its enrolment code".into(),
        ))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinCohort {
    /// The cohort's enrolment code, as given by its instructor (case, spaces and dashes ignored).
    #[schema(example = "ABCD-EFGH-JK23", max_length = 64)]
    pub code: String,
}

/// Join a cohort with its enrolment code (students). Joining twice is harmless.
#[utoipa::path(post, path = "/api/v1/cohorts/join", tag = "cohorts", security(("bearer" = [])), request_body = JoinCohort,
    responses((status = 200, body = CohortRecord), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, description = "No cohort has this code", body = crate::http::error::ErrorEnvelope),
              (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn join_cohort(
    State(state): State<AppState>,
    user: StudentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<JoinCohort>,
) -> ApiResult<ApiJson<CohortRecord>> {
    let code = (body.code.chars().count() <= 64)
        .then(|| normalise_enrolment_code(&body.code))
        .flatten()
        .ok_or_else(|| {
            ApiError::validation(
                "code",
                "must be a 12-character enrolment code such as ABCD-EFGH-JK23",
            )
        })?;
    let stamp = crate::clock::now_rfc3339();
    let (user_id, actor, ip) = (
        user.principal.id(),
        user.principal.username.clone(),
        client.to_string(),
    );
    let joined = state
        .db
        .write(move |tx| {
            let Some(cohort_id) = accounts::cohort_by_enrolment_code(tx, &code)? else {
                return Ok(None);
            };
            if accounts::member_role(tx, cohort_id, user_id)?.is_none() {
                accounts::upsert_member(tx, cohort_id, user_id, Role::Student, &stamp)?;
                accounts::insert_audit(
                    tx,
                    &AuditEntry {
                        actor_id: Some(user_id),
                        actor: &actor,
                        action: AuditAction::CohortJoined,
                        target: Some(&actor),
                        ip: Some(&ip),
                        details: serde_json::json!({ "cohort_id": cohort_id }),
                    },
                    &stamp,
                )?;
            }
            accounts::find_cohort(tx, cohort_id)
        })
        .await?;
    joined
        .map(ApiJson)
        .ok_or_else(|| ApiError::NotFound("no cohort has this enrolment code".into()))
}
