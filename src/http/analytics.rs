//! Analytics over HTTP: a student's readiness, recorded NCLEX results, and how well readiness
//! predicted them. The figures are `domain::psychometrics`; this edge checks who may see whom.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::accounts;
use crate::db::analytics::{self as store, OutcomeRecord};
use crate::db::cat as cat_store;
use crate::domain::accounts::Role;
use crate::domain::psychometrics::readiness::{self, Accuracy, Outcome, Readiness};
use crate::http::AppState;
use crate::http::auth::{CurrentUser, authorize_student_access};
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::StaffUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(student_readiness))
        .routes(routes!(record_outcome))
        .routes(routes!(readiness_accuracy))
}

/// A student's readiness, or "no data yet".
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessView {
    pub student_id: i64,
    /// Scored responses the estimate rests on.
    pub n: usize,
    /// `estimated`, or `no_data_yet` when the student has no scored responses.
    pub status: &'static str,
    /// Absent without data: never an invented figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Readiness>,
}

/// A student's readiness: P(θ > cut) with its interval, from all of their scored responses, and the
/// number it rests on (the student, their cohorts' instructors, admins).
#[utoipa::path(get, path = "/api/v1/analytics/student/{student_id}/readiness", tag = "analytics", security(("bearer" = [])),
    params(("student_id" = i64, Path, description = "Student's user id")),
    responses((status = 200, body = ReadinessView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn student_readiness(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<ReadinessView>> {
    let student_id = crate::http::auth::path_id(path, "student_id")?;
    let record = authorize_student_access(&state.db, &user.0.principal, student_id).await?;
    if record.role != Role::Student.as_str() {
        return Err(ApiError::NotFound(format!(
            "no student with id {student_id}"
        )));
    }
    let responses = state
        .db
        .read(move |conn| cat_store::student_rasch_responses(conn, student_id))
        .await?;
    let estimate = readiness::readiness(&responses);
    Ok(ApiJson(ReadinessView {
        student_id,
        n: responses.len(),
        status: if estimate.is_some() {
            "estimated"
        } else {
            "no_data_yet"
        },
        readiness: estimate,
    }))
}

/// An NCLEX pass or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NclexResult {
    Pass,
    Fail,
}

impl NclexResult {
    fn as_str(self) -> &'static str {
        match self {
            NclexResult::Pass => "pass",
            NclexResult::Fail => "fail",
        }
    }
}

/// A graduate's NCLEX result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    pub student_id: i64,
    pub result: NclexResult,
    /// The exam date, YYYY-MM-DD, not in the future.
    #[schema(format = Date)]
    pub date: String,
}

/// The recorded result; `created` is false when it replaced an earlier record.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeView {
    pub created: bool,
    pub outcome: OutcomeRecord,
}

fn parse_date(text: &str) -> ApiResult<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text, format)
        .map_err(|_| ApiError::validation("date", "must be a date as YYYY-MM-DD"))?;
    if date > time::OffsetDateTime::now_utc().date() {
        return Err(ApiError::validation("date", "must not be in the future"));
    }
    Ok(date)
}

/// Record a graduate's NCLEX result (instructors of one of the student's cohorts, admins). One
/// result per student: recording again replaces it (200), never counts twice. The student's
/// readiness at this moment is stored with it, for the accuracy report.
#[utoipa::path(post, path = "/api/v1/analytics/outcomes", tag = "analytics", security(("bearer" = [])),
    request_body = OutcomeRequest,
    responses((status = 201, description = "Recorded", body = OutcomeView),
              (status = 200, description = "Replaced the student's earlier record", body = OutcomeView),
              (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope),
              (status = 422, description = "Bad date, or the user is not a student", body = crate::http::error::ErrorEnvelope)))]
async fn record_outcome(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> ApiResult<(StatusCode, ApiJson<OutcomeView>)> {
    parse_date(&body.date)?;
    let principal = staff.principal.clone();
    let now = crate::clock::now_rfc3339();
    let student_id = body.student_id;
    let view = state
        .db
        .write(move |tx| -> Result<ApiResult<OutcomeView>, DbError> {
            let Some(user) = accounts::find_user(tx, student_id)? else {
                return Ok(Err(ApiError::NotFound(format!(
                    "no user with id {student_id}"
                ))));
            };
            let cohorts = accounts::cohorts_of(tx, student_id, Some("student"))?;
            if principal.role == Role::Instructor
                && !cohorts
                    .iter()
                    .any(|cohort| principal.instructs.contains(cohort))
            {
                return Ok(Err(ApiError::Forbidden(
                    "Only admins and instructors of the student's cohorts may record their result"
                        .into(),
                )));
            }
            if user.role != Role::Student.as_str() {
                return Ok(Err(ApiError::validation(
                    "student_id",
                    format!("user {student_id} is an {}, not a student", user.role),
                )));
            }
            let responses = cat_store::student_rasch_responses(tx, student_id)?;
            let predicted = readiness::readiness(&responses).map(|r| r.p_pass);
            let created = store::upsert_outcome(
                tx,
                student_id,
                body.result.as_str(),
                &body.date,
                predicted,
                responses.len() as i64,
                principal.user_id,
                &now,
            )?;
            let outcome = store::find_outcome(tx, student_id)?
                .ok_or_else(|| DbError::Task("the outcome just written is missing".into()))?;
            Ok(Ok(OutcomeView { created, outcome }))
        })
        .await??;
    let status = if view.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(view)))
}

/// The accuracy report with the outcomes it could not use.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccuracyView {
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// Recorded results whose student had no scored responses when it was recorded (left out).
    pub without_prediction: usize,
}

/// How well readiness predicted the recorded NCLEX results of this school's students (admins: every
/// student; instructors: the students of their cohorts): Brier score, sensitivity and specificity for
/// failure, a reliability table by predicted band, n, and a caveat when n is small.
#[utoipa::path(get, path = "/api/v1/analytics/readiness/accuracy", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = AccuracyView), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn readiness_accuracy(
    State(state): State<AppState>,
    staff: StaffUser,
) -> ApiResult<ApiJson<AccuracyView>> {
    let scope =
        (staff.principal.role == Role::Instructor).then(|| staff.principal.instructs.clone());
    let records = state
        .db
        .read(move |conn| store::outcomes(conn, scope.as_deref()))
        .await?;
    let outcomes: Vec<Outcome> = records
        .iter()
        .filter_map(|record| {
            record.predicted_pass.map(|predicted_pass| Outcome {
                predicted_pass,
                passed: record.result == "pass",
            })
        })
        .collect();
    Ok(ApiJson(AccuracyView {
        accuracy: readiness::accuracy(&outcomes),
        without_prediction: records.len() - outcomes.len(),
    }))
}
