//! Analytics over HTTP: a student's progress and readiness, recorded NCLEX results, and how well
//! readiness predicted them. The figures are `domain::psychometrics`; this edge checks who may see whom.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::accounts;
use crate::db::analytics::{self as store, OutcomeRecord};
use crate::db::calibration::{
    self as calibration_store, CalibrationPage, RunRecord, StoredCalibration, Trigger,
};
use crate::domain::accounts::{CohortId, Role, UserId};
use crate::domain::items::ItemId;
use crate::domain::practice::QuizId;
use crate::domain::psychometrics::calibration::{
    self as rasch_calibration, FIT_RANGE, ItemCalibration, MIN_CALIBRATED_N, MIN_FIT_N,
};
use crate::domain::psychometrics::classical::ItemAnalysis;
use crate::domain::psychometrics::cohort::{self, CohortReport};
use crate::domain::psychometrics::item_report::{self, ItemKey, QuizReport};
use crate::domain::psychometrics::progress::{self, Progress};
use crate::domain::psychometrics::readiness::{self, Accuracy, Outcome, Readiness};
use crate::http::AppState;
use crate::http::auth::{CurrentUser, authorize_student_access};
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::StaffUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(student_progress))
        .routes(routes!(student_readiness))
        .routes(routes!(cohort_analytics))
        .routes(routes!(item_analysis))
        .routes(routes!(quiz_analysis))
        .routes(routes!(list_outcomes, record_outcome))
        .routes(routes!(readiness_accuracy))
        .routes(routes!(calibration_report, run_calibration))
}

/// A student's progress, or "no data yet".
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    /// Scored responses it rests on: quizzes, self-practice and adaptive exams (one per scored
    /// part of an exam: a case study's six items count one by one).
    pub n: usize,
    /// `estimated`, or `no_data_yet` when the student has no scored responses.
    pub status: &'static str,
    /// Absent without data: never an invented figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
}

/// The student a path names, when the caller may see them: 403 for others, 404 for an unknown
/// user or one who is not a student.
async fn visible_student(
    state: &AppState,
    user: &CurrentUser,
    student_id: UserId,
) -> ApiResult<()> {
    let record = authorize_student_access(&state.db, &user.0.principal, student_id).await?;
    if record.role != Role::Student {
        return Err(ApiError::NotFound(format!(
            "no student with id {student_id}"
        )));
    }
    Ok(())
}

/// A student's progress from their scored quiz, practice and adaptive-exam responses (the
/// student, their cohorts' instructors, admins): accuracy with its Wilson 95% interval, share of
/// points, time per item and volume by client need, NCJMM function, item type, AACN domain and
/// competency and by week; strengths and weaknesses only on at least `min_evidence` answers;
/// knowledge gaps; and recommendations, each a `POST /api/v1/practice` body. Each summary counts
/// its adaptive-exam responses (`adaptive_exam`); adaptive exams measure no time per item, so
/// `mean_time_ms` rests on the `timed` responses, and points on the `with_points` ones. Cached
/// for `analytics_ttl_secs`; a new scored response (a submitted attempt or an exam answer) makes a
/// fresh figure at once.
#[utoipa::path(get, path = "/api/v1/analytics/student/{student_id}/progress", tag = "analytics", security(("bearer" = [])),
    params(("student_id" = i64, Path, description = "Student's user id")),
    responses((status = 200, body = ProgressView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn student_progress(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<Response> {
    let student_id: UserId = crate::http::auth::path_id(path, "student_id")?;
    visible_student(&state, &user, student_id).await?;
    let generation = state
        .db
        .read(move |conn| store::student_generation(conn, student_id))
        .await?;
    let key = format!("progress:{student_id}:{generation}");
    if let Some(cached) = state.cache.analytics.get(&key) {
        return Ok(json_bytes(cached));
    }
    let responses = state
        .db
        .read(move |conn| store::student_scored_responses(conn, student_id))
        .await?;
    let progress = progress::progress(&responses);
    let view = ProgressView {
        student_id,
        n: responses.len(),
        status: if progress.is_some() {
            "estimated"
        } else {
            "no_data_yet"
        },
        progress,
    };
    let body = Bytes::from(serde_json::to_vec(&view).map_err(ApiError::internal)?);
    state.cache.analytics.insert(key, body.clone());
    Ok(json_bytes(body))
}

fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A student's readiness, or "no data yet".
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessView {
    #[schema(value_type = i64)]
    pub student_id: UserId,
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
    let student_id: UserId = crate::http::auth::path_id(path, "student_id")?;
    visible_student(&state, &user, student_id).await?;
    let responses = state
        .db
        .read(move |conn| store::student_readiness_responses(conn, student_id))
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
    #[schema(value_type = i64)]
    pub student_id: UserId,
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
            let cohorts = accounts::cohort_ids_of(tx, student_id, Some(Role::Student))?;
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
            if user.role != Role::Student {
                return Ok(Err(ApiError::validation(
                    "student_id",
                    format!("user {student_id} is an {}, not a student", user.role),
                )));
            }
            let responses = store::student_readiness_responses(tx, student_id)?;
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

/// A recorded result with the student's name, for lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeListEntry {
    #[serde(flatten)]
    pub outcome: OutcomeRecord,
    pub username: String,
    pub display_name: String,
}

/// The recorded NCLEX results the caller may see (admins: every student's; instructors: the
/// students of their cohorts), by student id.
#[utoipa::path(get, path = "/api/v1/analytics/outcomes", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, body = Vec<OutcomeListEntry>), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn list_outcomes(
    State(state): State<AppState>,
    staff: StaffUser,
) -> ApiResult<ApiJson<Vec<OutcomeListEntry>>> {
    let scope =
        (staff.principal.role == Role::Instructor).then(|| staff.principal.instructs.clone());
    let entries = state
        .db
        .read(move |conn| {
            let mut entries = Vec::new();
            for outcome in store::outcomes(conn, scope.as_deref())? {
                let user = accounts::find_user(conn, outcome.student_id)?;
                let (username, display_name) = user
                    .map(|user| (user.username, user.display_name))
                    .unwrap_or_default();
                entries.push(OutcomeListEntry {
                    outcome,
                    username,
                    display_name,
                });
            }
            Ok(entries)
        })
        .await?;
    Ok(ApiJson(entries))
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

/// An item's analysis over the scored quiz and practice responses the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemAnalysisView {
    #[schema(value_type = String)]
    pub item_id: ItemId,
    /// Attempts that answered it (each one examinee).
    pub attempts: usize,
    /// `all` (admins: every attempt) or `own_cohorts` (instructors: attempts of their cohorts'
    /// students only).
    pub scope: &'static str,
    /// Adaptive-exam responses to the item (for a case study, to its items) in the same scope.
    /// They are not in the classical figures: an adaptive exam gives each student items near
    /// their own ability, so its p, D and point-biserial would not mean what they mean on a
    /// fixed quiz, and it keeps no chosen option for the distractor analysis. They do enter the
    /// item's Rasch `calibration`.
    pub adaptive_exam_responses: i64,
    #[serde(flatten)]
    pub analysis: ItemAnalysis,
    /// The item's Rasch calibration from the newest run (over every stored response), with its
    /// fit; absent before a run included it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<ItemCalibration>,
}

/// Classical analysis of one item (staff): difficulty p, upper–lower D (27% groups by the rest of
/// each attempt), corrected point-biserial, the share choosing each option in the upper and lower
/// groups, non-functioning distractors, and flags (only on at least 20 responses), each with its
/// n; and its Rasch calibration with infit, outfit and the misfit flag. The classical figures rest
/// on quiz and practice attempts only; the item's adaptive-exam responses are counted
/// (`adaptive_exam_responses`) and enter its calibration. Admins see every attempt;
/// an instructor sees the attempts of their cohorts' students only (`scope`), since the item is
/// in the shared bank but the answers are students' data.
#[utoipa::path(get, path = "/api/v1/analytics/items/{item_id}", tag = "analytics", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "Item id")),
    responses((status = 200, body = ItemAnalysisView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, description = "No quiz or practice set holds the item", body = crate::http::error::ErrorEnvelope)))]
async fn item_analysis(
    State(state): State<AppState>,
    staff: StaffUser,
    Path(item_id): Path<ItemId>,
) -> ApiResult<ApiJson<ItemAnalysisView>> {
    let id = item_id.clone();
    let scope = crate::domain::accounts::response_scope(&staff.principal);
    let scope_name = if scope.is_none() {
        "all"
    } else {
        "own_cohorts"
    };
    let (body, answers, adaptive_exam_responses, calibration) = state
        .db
        .read(move |conn| {
            Ok((
                store::item_body(conn, &id)?,
                store::item_attempt_answers(conn, &id, scope.as_deref())?,
                store::item_adaptive_exam_responses(conn, &id, scope.as_deref())?,
                calibration_store::calibration_of(conn, &id)?,
            ))
        })
        .await?;
    let Some(body) = body else {
        return Err(ApiError::NotFound(format!(
            "no quiz or practice set holds item {item_id} (adaptive-exam responses enter its \
             calibration: GET /api/v1/analytics/calibration)"
        )));
    };
    let key = ItemKey::from_item(&body);
    let totals = item_report::attempt_totals(&answers);
    let responses: Vec<_> = answers
        .iter()
        .filter(|answer| answer.item_id == item_id)
        .collect();
    Ok(ApiJson(ItemAnalysisView {
        attempts: responses.len(),
        scope: scope_name,
        adaptive_exam_responses,
        analysis: item_report::analyse(&key, &responses, &totals),
        calibration: calibration.map(|stored| stored.estimate),
        item_id,
    }))
}

/// A quiz's analysis.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizAnalysisView {
    #[schema(value_type = i64)]
    pub quiz_id: QuizId,
    #[serde(flatten)]
    pub report: QuizReport,
}

/// Classical analysis of a quiz over its scored attempts: per item difficulty p, D, corrected
/// point-biserial, distractors and flags; KR-20 (0/1 items) or Cronbach's alpha and the SEM over
/// the attempts that have every item, each with its n. For admins, the quiz's author and the
/// instructors of a cohort it is assigned to; other staff get 403.
#[utoipa::path(get, path = "/api/v1/analytics/quizzes/{quiz_id}", tag = "analytics", security(("bearer" = [])),
    params(("quiz_id" = i64, Path, description = "Quiz id")),
    responses((status = 200, body = QuizAnalysisView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn quiz_analysis(
    State(state): State<AppState>,
    staff: StaffUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<QuizAnalysisView>> {
    let quiz_id: QuizId = crate::http::auth::path_id(path, "quiz_id")?;
    let audience = state
        .db
        .read(move |conn| store::quiz_audience(conn, quiz_id))
        .await?;
    let Some((author, cohorts)) = audience else {
        return Err(ApiError::NotFound(format!("no quiz with id {quiz_id}")));
    };
    if !crate::domain::accounts::can_analyse_quiz(&staff.principal, author, &cohorts) {
        return Err(ApiError::Forbidden(
            "Only admins, the quiz's author and instructors of a cohort it is assigned to may see its analysis"
                .into(),
        ));
    }
    let (bodies, answers) = state
        .db
        .read(move |conn| {
            Ok((
                store::quiz_item_bodies(conn, quiz_id)?,
                store::quiz_scored_answers(conn, quiz_id)?,
            ))
        })
        .await?;
    let Some(bodies) = bodies else {
        return Err(ApiError::NotFound(format!("no quiz with id {quiz_id}")));
    };
    let keys: Vec<ItemKey> = bodies.iter().map(ItemKey::from_item).collect();
    Ok(ApiJson(QuizAnalysisView {
        quiz_id,
        report: item_report::quiz_report(&keys, &answers),
    }))
}

/// The cohort report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CohortQuery {
    /// `csv` for one row per student (also chosen by `Accept: text/csv`); default `json`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// A cohort's analytics.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortView {
    #[schema(value_type = i64)]
    pub cohort_id: CohortId,
    pub cohort_name: String,
    #[serde(flatten)]
    pub report: CohortReport,
}

/// A cohort's analytics (its instructors, admins): the distribution of readiness (P(pass) bands and
/// quartiles) and of accuracy by client need (over students with at least 20 answers in it), each
/// student against the cohort (accuracy percentile, P(pass) against the median), and the students
/// at risk with each reason: low readiness (P(pass) < 0.5), a falling trend (the last two weeks
/// with responses below the weeks before, one-sided z-test at 5%, 20 answers each side), inactivity
/// (no scored response for 14 days). `?format=csv` or `Accept: text/csv` gives one row per
/// student. Cached for `analytics_ttl_secs`; new responses of its students show at once.
#[utoipa::path(get, path = "/api/v1/analytics/cohorts/{cohort_id}", tag = "analytics", security(("bearer" = [])),
    params(("cohort_id" = i64, Path, description = "Cohort id"), CohortQuery),
    responses((status = 200, description = "The report", content(
                  (CohortView = "application/json"),
                  (String = "text/csv"))),
              (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn cohort_analytics(
    State(state): State<AppState>,
    staff: StaffUser,
    headers: axum::http::HeaderMap,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    query: Result<Query<CohortQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let cohort_id: CohortId = crate::http::auth::path_id(path, "cohort_id")?;
    let Query(query) =
        query.map_err(|rejection| ApiError::validation("format", rejection.body_text()))?;
    let wants_csv = match query.format {
        Some(format) => format == ReportFormat::Csv,
        None => headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")),
    };
    if !crate::domain::accounts::can_manage_cohort(&staff.principal, cohort_id) {
        return Err(ApiError::Forbidden(
            "Only admins and the cohort's instructors may see its analytics".into(),
        ));
    }
    let (cohort, stamp) = state
        .db
        .read(move |conn| {
            Ok((
                accounts::find_cohort(conn, cohort_id)?,
                store::cohort_generation(conn, cohort_id)?,
            ))
        })
        .await?;
    let Some(cohort) = cohort else {
        return Err(ApiError::NotFound(format!("no cohort with id {cohort_id}")));
    };
    let key = format!(
        "cohort:{cohort_id}:{stamp:016x}:{}:{}",
        cohort.name,
        if wants_csv { "csv" } else { "json" }
    );
    let content_type = if wants_csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    if let Some(cached) = state.cache.analytics.get(&key) {
        return Ok(([(header::CONTENT_TYPE, content_type)], cached).into_response());
    }
    let students = state
        .db
        .read(move |conn| store::cohort_student_data(conn, cohort_id))
        .await?;
    let now = crate::clock::unix_now() as i64;
    let report = tokio::task::spawn_blocking(move || cohort::report(&students, now))
        .await
        .map_err(ApiError::internal)?;
    let body = if wants_csv {
        Bytes::from(cohort::to_csv(&report))
    } else {
        Bytes::from(
            serde_json::to_vec(&CohortView {
                cohort_id,
                cohort_name: cohort.name,
                report,
            })
            .map_err(ApiError::internal)?,
        )
    };
    state.cache.analytics.insert(key, body.clone());
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// One item's calibration.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibratedItemView {
    #[serde(flatten)]
    pub calibration: StoredCalibration,
    /// True when the adaptive exam uses this difficulty instead of the item's prior (at least
    /// `min_n_for_adaptive_exam` responses).
    pub used_by_adaptive_exam: bool,
}

/// Which calibrated items to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CalibrationQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Only the items flagged as misfitting (default false).
    pub misfit_only: Option<bool>,
}

impl CalibrationQuery {
    /// The page asked for, or the 422 naming the parameter out of bounds.
    fn page(
        query: Result<Query<CalibrationQuery>, axum::extract::rejection::QueryRejection>,
    ) -> ApiResult<CalibrationPage> {
        let Query(query) =
            query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
        let (limit, offset) = crate::http::auth::page_window(query.limit, query.offset)?;
        Ok(CalibrationPage {
            misfit_only: query.misfit_only.unwrap_or(false),
            limit,
            offset,
        })
    }
}

/// The newest calibration of the items, one page of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationView {
    /// The newest run; absent before the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<RunRecord>,
    /// Items whose infit or outfit mean-square is outside `fit_range` on at least
    /// `min_n_for_fit` responses (all of them, not only this page's).
    pub misfitting: i64,
    pub fit_range: [f64; 2],
    pub min_n_for_fit: usize,
    pub min_n_for_adaptive_exam: usize,
    /// Items the filter matches (every calibrated item, or with `misfit_only` the misfitting
    /// ones), across all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub misfit_only: bool,
    /// This page: misfitting items first, then by id.
    pub items: Vec<CalibratedItemView>,
}

async fn calibration_view(state: &AppState, page: CalibrationPage) -> ApiResult<CalibrationView> {
    let (run, (items, total, misfitting)) = state
        .db
        .read(move |conn| {
            Ok((
                calibration_store::latest_run(conn)?,
                calibration_store::calibration_page(conn, page)?,
            ))
        })
        .await?;
    Ok(CalibrationView {
        run,
        misfitting,
        fit_range: [FIT_RANGE.0, FIT_RANGE.1],
        min_n_for_fit: MIN_FIT_N,
        min_n_for_adaptive_exam: MIN_CALIBRATED_N,
        total,
        limit: page.limit,
        offset: page.offset,
        misfit_only: page.misfit_only,
        items: items
            .into_iter()
            .map(|calibration| CalibratedItemView {
                used_by_adaptive_exam: rasch_calibration::usable_by_exam(&calibration.estimate),
                calibration,
            })
            .collect(),
    })
}

/// The newest Rasch calibration of the items (staff): the run (when, by what, on how many
/// persons, items and responses, iterations, convergence, duration) and, a page at a time
/// (`limit`, `offset`, `total`; misfitting items first, then by id; `misfit_only` for the
/// flagged ones alone), each item's difficulty in logits with its SE, n, prior, infit and outfit
/// mean-squares and the misfit flag (outside 0.7–1.3 on at least 30 responses), and whether the
/// adaptive exam uses it.
#[utoipa::path(get, path = "/api/v1/analytics/calibration", tag = "analytics", security(("bearer" = [])),
    params(CalibrationQuery),
    responses((status = 200, body = CalibrationView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 422, description = "A paging parameter out of bounds, or an unknown one", body = crate::http::error::ErrorEnvelope)))]
async fn calibration_report(
    State(state): State<AppState>,
    _staff: StaffUser,
    query: Result<Query<CalibrationQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<CalibrationView>> {
    let page = CalibrationQuery::page(query)?;
    Ok(ApiJson(calibration_view(&state, page).await?))
}

/// Calibrates every item now from all stored quiz, practice and adaptive-exam responses (staff;
/// the background job does the same every 15 minutes when responses arrived). Priors are the
/// items' difficulty levels, so an item with few responses stays near its prior. The adaptive
/// exam uses the new difficulties of items with at least 30 responses from its next item on.
/// One run at a time: a second request waits for the first, then runs. Answers with the report's
/// page that the same query parameters select in `GET` (checked before the run).
#[utoipa::path(post, path = "/api/v1/analytics/calibration", tag = "analytics", security(("bearer" = [])),
    params(CalibrationQuery),
    responses((status = 200, description = "Calibrated and stored", body = CalibrationView),
              (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 422, description = "A paging parameter out of bounds, or an unknown one", body = crate::http::error::ErrorEnvelope)))]
async fn run_calibration(
    State(state): State<AppState>,
    staff: StaffUser,
    query: Result<Query<CalibrationQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<CalibrationView>> {
    let page = CalibrationQuery::page(query)?;
    crate::ops::calibration::run(&state.db, Trigger::OnDemand, Some(staff.principal.user_id))
        .await?;
    Ok(ApiJson(calibration_view(&state, page).await?))
}
