//! Competency assessment over HTTP: instructors record evidence (`assessment/competency/evidence`)
//! and assessments in the original's shape (`assessment/competency`, `.../assess`,
//! `.../assess/bulk`); gap analysis (`assessment/gaps/analyze`) and learning paths
//! (`assessment/learning-path/generate`) are computed from the stored evidence. The rules live in
//! `domain::competency`; these handlers validate, call and map.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::competency::{
    self as store, NewAssessment, Provenance, RecordedEvidence, Standing, StudentCheck,
};
use crate::domain::accounts::{Principal, UserId};
use crate::domain::competency::gaps::{self, Gap, Severity, StepReason};
use crate::domain::competency::ids::{OriginalId, ResolvedCompetency};
use crate::domain::competency::performance::{self, EvidenceSource, NewEvidence};
use crate::domain::competency::{
    AssessmentId, Competency, CompetencyId, Essentials, Evidence, Proficiency, ProficiencyLevel,
    standings,
};
use crate::http::AppState;
use crate::http::assessment::essentials;
use crate::http::auth::{CurrentUser, authorize_student_access};
use crate::http::error::{ApiError, ApiResult, ErrorEnvelope, FieldError};
use crate::http::json::{ApiJson, parse_json};
use crate::http::roles::StaffUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_evidence))
        .routes(routes!(assess_competency))
        .routes(routes!(assess))
        .routes(routes!(assess_bulk))
        .routes(routes!(analyze_gaps))
        .routes(routes!(learning_path))
}

/// The level a gap or a path aims at when the request names none: competent, the minimum level
/// the original service set for every competency.
pub const DEFAULT_TARGET: ProficiencyLevel = ProficiencyLevel::Competent;

/// A student: a user id, as a number or a string holding one (the original's clients send
/// strings).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum StudentRef {
    Id(i64),
    Text(String),
}

impl StudentRef {
    fn id(&self) -> ApiResult<UserId> {
        match self {
            StudentRef::Id(id) => Ok(UserId(*id)),
            StudentRef::Text(text) => text.trim().parse().map(UserId).map_err(|_| {
                let shown: String = text.chars().take(60).collect();
                ApiError::NotFound(format!("no student with id `{shown}`"))
            }),
        }
    }
}

fn resolve(essentials: &Essentials, id: &str) -> ApiResult<ResolvedCompetency> {
    essentials
        .resolve(id)
        .map_err(|message| ApiError::validation("competency_id", message))
}

fn competency_of(essentials: &Essentials, id: &CompetencyId) -> Option<Competency> {
    essentials
        .competencies()
        .into_iter()
        .find(|competency| *id == competency.id)
}

/// The refusal for a student the caller may not assess: 403 (whether or not they exist, for
/// instructors), 404 for an admin naming nobody, 422 for a user who is not a student.
fn refusal(check: StudentCheck, student_id: UserId) -> ApiError {
    match check {
        StudentCheck::Forbidden | StudentCheck::Allowed => ApiError::Forbidden(
            "Only admins and instructors of the student's cohorts may assess them".into(),
        ),
        StudentCheck::Missing => ApiError::NotFound(format!("no student with id {student_id}")),
        StudentCheck::NotStudent(role) => ApiError::validation(
            "student_id",
            format!("user {student_id} is an {role}, not a student"),
        ),
    }
}

fn date_field(text: &str, field: &str) -> ApiResult<()> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text, format)
        .map_err(|_| ApiError::validation(field, "must be a date as YYYY-MM-DD"))?;
    if date > time::OffsetDateTime::now_utc().date() {
        return Err(ApiError::validation(field, "must not be in the future"));
    }
    Ok(())
}

fn text_field(value: Option<&str>, field: &str, max: usize) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None => Ok(None),
        Some("") => Err(ApiError::validation(field, "must not be blank")),
        Some(text) if text.chars().count() > max => Err(ApiError::validation(
            field,
            format!("must be at most {max} characters"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

// ---- Instructor-recorded evidence ----

/// Evidence an instructor records directly.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordedKind {
    ClinicalEvaluation,
    Simulation,
}

/// A clinical evaluation or simulation score for a student against one competency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    /// "2.4", a sub-competency "2.4c", or an original id "aacn_2_1".
    #[schema(min_length = 1, max_length = 100)]
    pub competency_id: String,
    pub kind: RecordedKind,
    /// 0 to 100.
    #[schema(minimum = 0, maximum = 100)]
    pub score: f64,
    /// The day it was observed, YYYY-MM-DD, not in the future.
    #[schema(format = Date)]
    pub date: String,
    /// Who assessed (default: the user recording it).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub assessor: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: Option<String>,
    /// How much it counts beside other evidence (above 0, at most 10; default 1).
    #[serde(default)]
    #[schema(exclusive_minimum = 0, maximum = 10)]
    pub weight: Option<f64>,
}

/// The stored evidence and the competency's proficiency with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub evidence: RecordedEvidence,
    #[schema(value_type = String)]
    pub competency_id: CompetencyId,
    pub proficiency: Proficiency,
    pub evidence_by_source: BTreeMap<String, u32>,
}

/// Record a clinical evaluation or simulation score (instructors of one of the student's cohorts,
/// admins). Audited; it counts toward the competency's proficiency from then on.
#[utoipa::path(post, path = "/api/v1/assessment/competency/evidence", tag = "assessment", security(("bearer" = [])),
    request_body = EvidenceRequest,
    responses((status = 201, description = "Recorded", body = EvidenceView),
              (status = 403, body = ErrorEnvelope),
              (status = 404, description = "No such student", body = ErrorEnvelope),
              (status = 422, description = "Unknown competency, score out of range, bad date, or the user is not a student", body = ErrorEnvelope)))]
async fn record_evidence(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(body): ApiJson<EvidenceRequest>,
) -> ApiResult<(StatusCode, ApiJson<EvidenceView>)> {
    let essentials = essentials()?;
    let competency = resolve(essentials, &body.competency_id)?;
    let score = performance::percent(&Value::from(body.score), "score")
        .map_err(|problem| ApiError::validation(problem.field, problem.message))?;
    date_field(&body.date, "date")?;
    let weight = body.weight.unwrap_or(1.0);
    if !(weight > 0.0 && weight <= 10.0) {
        return Err(ApiError::validation(
            "weight",
            "must be above 0 and at most 10",
        ));
    }
    let assessor = text_field(body.assessor.as_deref(), "assessor", 200)?
        .unwrap_or_else(|| staff.principal.username.clone());
    let note = text_field(body.note.as_deref(), "note", 2000)?;
    let source = match body.kind {
        RecordedKind::ClinicalEvaluation => EvidenceSource::ClinicalEvaluation,
        RecordedKind::Simulation => EvidenceSource::Simulation,
    };
    let evidence = NewEvidence {
        source,
        score: score / 100.0,
        weight,
        details: serde_json::json!({ "from": "evidence", "score": score, "requested_id": competency.requested }),
    };
    let principal = staff.principal.clone();
    let now = crate::clock::now_rfc3339();
    let student_id = body.student_id;
    let filed_under = competency.id.clone();
    let date = body.date.clone();
    let view = state
        .db
        .write(move |tx| {
            store::record_evidence(
                tx,
                &principal,
                student_id,
                &competency.id,
                &evidence,
                &Provenance {
                    recorded_by: principal.user_id,
                    observed_on: &date,
                    assessor: &assessor,
                    note: note.as_deref(),
                    assessment_id: None,
                },
                &now,
            )
        })
        .await?
        .map_err(|check| refusal(check, student_id))?;
    let (evidence, standing) = view;
    let view = EvidenceView {
        evidence,
        competency_id: filed_under,
        proficiency: standing.proficiency,
        evidence_by_source: standing.by_source,
    };
    Ok((StatusCode::CREATED, ApiJson(view)))
}

// ---- Assessments in the original's shape ----

/// The scores of an assessment; see the API guide for the scales. At least one key with a score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
#[allow(dead_code)] // the document's shape; requests are read as a map by `domain::competency::performance`
pub struct PerformanceData {
    /// Quiz scores, 0 to 100 each.
    #[schema(max_items = 100, value_type = Option<Vec<ScoreDoc>>)]
    quiz_scores: Option<Vec<f64>>,
    /// The original's name for quiz scores.
    #[schema(max_items = 100, value_type = Option<Vec<ScoreDoc>>)]
    assessment_scores: Option<Vec<f64>>,
    /// A rubric: criterion → rating from 0 to `scale_max` (default 5), e.g. `{"patient_care": 4.2}`.
    #[schema(value_type = Option<Object>)]
    clinical_evaluation: Option<Value>,
    /// Clinical evaluation scores, 0 to 100 each.
    #[schema(max_items = 100, value_type = Option<Vec<ScoreDoc>>)]
    clinical_scores: Option<Vec<f64>>,
    /// Simulation scores, 0 to 100 each.
    #[schema(max_items = 100, value_type = Option<Vec<ScoreDoc>>)]
    simulation_scores: Option<Vec<f64>>,
    /// Accepted and not counted as evidence.
    #[schema(value_type = Option<f64>)]
    self_assessment: Option<Value>,
    /// Accepted and not counted as evidence.
    #[schema(value_type = Option<Vec<Object>>)]
    artifacts: Option<Value>,
    /// Accepted and not counted as evidence.
    #[schema(value_type = Option<Vec<Object>>)]
    observations: Option<Value>,
}

/// A score from 0 to 100.
#[derive(ToSchema)]
#[schema(as = PercentScore, value_type = f64, minimum = 0, maximum = 100)]
#[allow(dead_code)]
pub struct ScoreDoc(f64);

/// The original service's assessment request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessRequest {
    pub student_id: StudentRef,
    /// "2.4", a sub-competency "2.4c", or an original id "aacn_1_1" … "aacn_8_1".
    #[schema(min_length = 1, max_length = 100)]
    pub competency_id: String,
    #[schema(value_type = PerformanceData)]
    pub performance_data: Map<String, Value>,
    /// Recorded with the assessment (default "comprehensive").
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub assessment_type: Option<String>,
    /// Who assessed (default: the user recording it).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub assessor_id: Option<String>,
}

/// An assessment's result: what it stored, and the competency's proficiency from *all* stored
/// evidence for this student (this assessment's scores, earlier ones, scored item responses).
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    #[schema(value_type = i64)]
    pub assessment_id: AssessmentId,
    #[schema(value_type = i64)]
    pub student_id: UserId,
    /// Our competency id, under which the evidence is filed.
    #[schema(value_type = String)]
    pub competency_id: CompetencyId,
    /// As the request named it.
    pub requested_competency_id: String,
    /// How an original `aacn_N_1` id was mapped, when one was used.
    pub original_mapping: Option<OriginalId>,
    pub domain: u32,
    pub title: Option<String>,
    pub assessment_type: String,
    pub assessor_id: String,
    pub assessment_date: String,
    /// Pieces of evidence this request stored.
    pub evidence_recorded: u32,
    /// Keys of `performance_data` accepted but not counted.
    pub not_counted: Vec<String>,
    pub proficiency: Proficiency,
    /// `proficiency.score` on the original's 0–100 scale; null without evidence.
    pub proficiency_score: Option<f64>,
    pub current_level: Option<ProficiencyLevel>,
    pub target_level: ProficiencyLevel,
    pub evidence_by_source: BTreeMap<String, u32>,
}

/// An assessment checked and ready to store.
struct Prepared {
    student_id: UserId,
    competency: ResolvedCompetency,
    evidence: Vec<NewEvidence>,
    not_counted: Vec<String>,
    assessment_type: String,
    assessor: Option<String>,
}

fn prepare(essentials: &Essentials, request: &AssessRequest) -> ApiResult<Prepared> {
    let competency = resolve(essentials, &request.competency_id)?;
    let performance =
        performance::evidence_from(&request.performance_data).map_err(|problems| {
            let errors: Vec<FieldError> = problems
                .into_iter()
                .map(|problem| FieldError::new(problem.field, problem.message))
                .collect();
            let message = errors
                .iter()
                .map(|error| format!("{}: {}", error.field, error.message))
                .collect::<Vec<_>>()
                .join("; ");
            ApiError::Validation { message, errors }
        })?;
    let assessment_type = text_field(request.assessment_type.as_deref(), "assessment_type", 100)?
        .unwrap_or_else(|| "comprehensive".to_owned());
    let assessor = text_field(request.assessor_id.as_deref(), "assessor_id", 200)?;
    let student_id = request.student_id.id()?;
    Ok(Prepared {
        student_id,
        competency,
        evidence: performance.evidence,
        not_counted: performance.not_counted,
        assessment_type,
        assessor,
    })
}

/// The assessor a prepared assessment names (default: the user recording it).
fn assessor_of(prepared: &Prepared, principal: &Principal) -> String {
    prepared
        .assessor
        .clone()
        .unwrap_or_else(|| principal.username.clone())
}

/// The result of a stored assessment.
fn assessment_view(
    essentials: &Essentials,
    prepared: &Prepared,
    assessor: String,
    assessment_id: AssessmentId,
    standing: Standing,
    now: &str,
) -> AssessmentView {
    let competency = &prepared.competency;
    let known = competency_of(essentials, &competency.id);
    let proficiency = standing.proficiency;
    AssessmentView {
        assessment_id,
        student_id: prepared.student_id,
        competency_id: competency.id.clone(),
        requested_competency_id: competency.requested.clone(),
        original_mapping: competency.original,
        domain: known.as_ref().map_or(0, |known| known.domain),
        title: known.and_then(|known| known.title),
        assessment_type: prepared.assessment_type.clone(),
        assessor_id: assessor,
        assessment_date: now.to_owned(),
        evidence_recorded: prepared.evidence.len() as u32,
        not_counted: prepared.not_counted.clone(),
        proficiency_score: proficiency
            .score
            .map(|score| (score * 1000.0).round() / 10.0),
        current_level: proficiency.level,
        target_level: DEFAULT_TARGET,
        proficiency,
        evidence_by_source: standing.by_source,
    }
}

fn new_assessment<'a>(
    prepared: &'a Prepared,
    assessor: &'a str,
    batch_id: Option<&'a str>,
    principal: &Principal,
) -> NewAssessment<'a> {
    NewAssessment {
        student_id: prepared.student_id,
        competency_id: &prepared.competency.id,
        requested_id: &prepared.competency.requested,
        assessment_type: &prepared.assessment_type,
        assessor,
        batch_id,
        recorded_by: principal.user_id,
    }
}

async fn assess_one(
    state: &AppState,
    staff: &StaffUser,
    request: AssessRequest,
) -> ApiResult<ApiJson<AssessmentView>> {
    let essentials = essentials()?;
    let prepared = prepare(essentials, &request)?;
    let principal = staff.principal.clone();
    let now = crate::clock::now_rfc3339();
    let assessor = assessor_of(&prepared, &principal);
    let stamp = now.clone();
    let (prepared, assessor, outcome) = state
        .db
        .write(move |tx| {
            let outcome = store::record_assessment(
                tx,
                &principal,
                &new_assessment(&prepared, &assessor, None, &principal),
                &prepared.evidence,
                &stamp,
            )?;
            Ok((prepared, assessor, outcome))
        })
        .await?;
    let (assessment_id, standing) = outcome.map_err(|check| refusal(check, prepared.student_id))?;
    Ok(ApiJson(assessment_view(
        essentials,
        &prepared,
        assessor,
        assessment_id,
        standing,
        &now,
    )))
}

/// Assess a student against one competency (the original's path; same as
/// `assessment/competency/assess`). The scores in `performance_data` are stored as evidence and
/// the result is computed from all stored evidence for the student and competency.
#[utoipa::path(post, path = "/api/v1/assessment/competency", tag = "assessment", security(("bearer" = [])),
    request_body = AssessRequest,
    responses((status = 200, body = AssessmentView),
              (status = 403, description = "A student, or an instructor outside the student's cohorts", body = ErrorEnvelope),
              (status = 404, description = "No such student", body = ErrorEnvelope),
              (status = 422, description = "Unknown competency, a score out of range, an unknown key, or no score", body = ErrorEnvelope)))]
async fn assess_competency(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(request): ApiJson<AssessRequest>,
) -> ApiResult<ApiJson<AssessmentView>> {
    assess_one(&state, &staff, request).await
}

/// Assess a student against one competency (instructors of the student's cohorts, admins).
#[utoipa::path(post, path = "/api/v1/assessment/competency/assess", tag = "assessment", security(("bearer" = [])),
    request_body = AssessRequest,
    responses((status = 200, body = AssessmentView),
              (status = 403, description = "A student, or an instructor outside the student's cohorts", body = ErrorEnvelope),
              (status = 404, description = "No such student", body = ErrorEnvelope),
              (status = 422, description = "Unknown competency, a score out of range, an unknown key, or no score", body = ErrorEnvelope)))]
async fn assess(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(request): ApiJson<AssessRequest>,
) -> ApiResult<ApiJson<AssessmentView>> {
    assess_one(&state, &staff, request).await
}

/// At most this many rows in one bulk request.
pub const MAX_BULK: usize = 500;

/// Many assessments at once; each row is an `AssessRequest`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// Each row an `AssessRequest`; a row that is not one is reported in `errors`, not refused
    /// with the batch.
    #[schema(value_type = Vec<Object>, min_items = 1, max_items = 500)]
    pub assessments: Vec<Map<String, Value>>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub batch_id: Option<String>,
}

/// A row that was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub index: usize,
    pub assessment: AssessmentView,
}

/// A row that was refused, and why; nothing of it was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkError {
    pub index: usize,
    /// As the row gave it (null when absent).
    #[schema(value_type = Value)]
    pub student_id: Value,
    #[schema(value_type = Value)]
    pub competency_id: Value,
    pub error: String,
    /// The status the row would have had alone (403, 404, 422).
    pub status: u16,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkView {
    pub batch_id: Option<String>,
    pub total_assessments: usize,
    pub successful_assessments: usize,
    pub failed_assessments: usize,
    pub results: Vec<BulkResult>,
    pub errors: Vec<BulkError>,
    pub processed_at: String,
}

fn row_error(index: usize, row: &Map<String, Value>, error: &ApiError) -> BulkError {
    let message = match error {
        ApiError::Validation { errors, .. } => errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    BulkError {
        index,
        student_id: row.get("student_id").cloned().unwrap_or(Value::Null),
        competency_id: row.get("competency_id").cloned().unwrap_or(Value::Null),
        error: message,
        status: error.status().as_u16(),
    }
}

/// Assess many students or competencies at once (instructors, admins). Each row is checked alone:
/// a refused row is reported in `errors` with its index and stores nothing, and never fails the
/// batch; every accepted row is committed in one transaction.
#[utoipa::path(post, path = "/api/v1/assessment/competency/assess/bulk", tag = "assessment", security(("bearer" = [])),
    request_body = BulkRequest,
    responses((status = 200, body = BulkView),
              (status = 403, description = "A student", body = ErrorEnvelope),
              (status = 422, description = "No rows, too many rows, or a bad batch_id", body = ErrorEnvelope)))]
async fn assess_bulk(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(request): ApiJson<BulkRequest>,
) -> ApiResult<ApiJson<BulkView>> {
    if request.assessments.is_empty() {
        return Err(ApiError::validation(
            "assessments",
            "must hold at least one assessment",
        ));
    }
    if request.assessments.len() > MAX_BULK {
        return Err(ApiError::validation(
            "assessments",
            format!(
                "holds {} rows; at most {MAX_BULK}",
                request.assessments.len()
            ),
        ));
    }
    let batch_id = text_field(request.batch_id.as_deref(), "batch_id", 100)?;
    let essentials = essentials()?;
    let mut errors = Vec::new();
    let mut prepared = Vec::new();
    for (index, row) in request.assessments.iter().enumerate() {
        let parsed = serde_json::to_vec(row)
            .map_err(ApiError::internal)
            .and_then(|bytes| parse_json::<AssessRequest>(&bytes))
            .and_then(|parsed| prepare(essentials, &parsed));
        match parsed {
            Ok(ready) => prepared.push((index, ready)),
            Err(error) => errors.push(row_error(index, row, &error)),
        }
    }
    let principal = staff.principal.clone();
    let now = crate::clock::now_rfc3339();
    let batch = batch_id.clone();
    let stamp = now.clone();
    let (prepared, outcomes) = state
        .db
        .write(move |tx| {
            let mut outcomes = Vec::with_capacity(prepared.len());
            for (_, ready) in &prepared {
                let assessor = assessor_of(ready, &principal);
                let outcome = store::record_assessment(
                    tx,
                    &principal,
                    &new_assessment(ready, &assessor, batch.as_deref(), &principal),
                    &ready.evidence,
                    &stamp,
                )?;
                outcomes.push((assessor, outcome));
            }
            Ok((prepared, outcomes))
        })
        .await?;
    let mut results = Vec::new();
    for ((index, ready), (assessor, outcome)) in prepared.iter().zip(outcomes) {
        match outcome {
            Ok((assessment_id, standing)) => results.push(BulkResult {
                index: *index,
                assessment: assessment_view(
                    essentials,
                    ready,
                    assessor,
                    assessment_id,
                    standing,
                    &now,
                ),
            }),
            Err(check) => errors.push(row_error(
                *index,
                &request.assessments[*index],
                &refusal(check, ready.student_id),
            )),
        }
    }
    errors.sort_by_key(|error| error.index);
    Ok(ApiJson(BulkView {
        batch_id,
        total_assessments: request.assessments.len(),
        successful_assessments: results.len(),
        failed_assessments: errors.len(),
        results,
        errors,
        processed_at: now,
    }))
}

// ---- Gaps and learning paths ----

/// Resolves the competencies a request targets (all 45 when none is named).
fn targets(essentials: &Essentials, requested: &[String]) -> ApiResult<Vec<CompetencyId>> {
    if requested.len() > 100 {
        return Err(ApiError::validation(
            "target_competencies",
            "at most 100 competencies",
        ));
    }
    let mut ids = Vec::new();
    for (index, id) in requested.iter().enumerate() {
        let resolved = essentials.resolve(id).map_err(|message| {
            ApiError::validation(format!("target_competencies[{index}]"), message)
        })?;
        if !ids.contains(&resolved.id) {
            ids.push(resolved.id);
        }
    }
    Ok(ids)
}

/// A student's standings for `wanted` competencies (every one when empty), from stored evidence.
async fn standings_of(
    state: &AppState,
    student_id: UserId,
    wanted: &[CompetencyId],
) -> ApiResult<Vec<gaps::Standing>> {
    let essentials = essentials()?;
    let rows = state
        .db
        .read(move |conn| crate::db::practice::evidence_of(conn, student_id))
        .await?;
    let evidence: Vec<(String, Evidence)> = rows
        .into_iter()
        .map(|(competency, score, weight, _)| (competency, Evidence { score, weight }))
        .collect();
    Ok(standings(essentials, &evidence)
        .into_iter()
        .filter(|standing| {
            wanted.is_empty() || wanted.iter().any(|id| *id == standing.competency.id)
        })
        .collect())
}

/// The original's gap-analysis request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GapsRequest {
    pub student_id: StudentRef,
    /// Competencies to consider ("2.4", "aacn_2_1"); all when empty or absent.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub target_competencies: Vec<String>,
    /// Accepted; the Essentials record no prerequisites between competencies.
    #[serde(default)]
    pub include_prerequisites: Option<bool>,
    /// Only gaps at least this severe.
    #[serde(default)]
    pub severity_filter: Option<Severity>,
    /// The level to measure against (default competent).
    #[serde(default)]
    pub target_level: Option<ProficiencyLevel>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GapsView {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub target_level: ProficiencyLevel,
    pub target_score: f64,
    /// Competencies considered.
    pub competencies_considered: usize,
    /// Pieces of evidence behind the considered competencies.
    pub evidence_count: u32,
    /// Below target, largest gap first.
    pub gaps: Vec<Gap>,
    /// Competencies with no evidence: not gaps of any size, unknown.
    pub without_evidence: Vec<String>,
    /// At or above target.
    pub met: Vec<String>,
    /// Said when there is no evidence at all.
    pub note: Option<String>,
    /// Request fields accepted but not used.
    pub not_used: Vec<String>,
}

/// Competency gaps from stored evidence (students their own; staff students they may see). A gap
/// is a competency scored below the target level, with the evidence it rests on; competencies
/// without evidence are listed apart, never given a number.
#[utoipa::path(post, path = "/api/v1/assessment/gaps/analyze", tag = "assessment", security(("bearer" = [])),
    request_body = GapsRequest,
    responses((status = 200, body = GapsView),
              (status = 403, body = ErrorEnvelope),
              (status = 404, description = "No such student", body = ErrorEnvelope),
              (status = 422, description = "Unknown competency", body = ErrorEnvelope)))]
async fn analyze_gaps(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<GapsRequest>,
) -> ApiResult<ApiJson<GapsView>> {
    let essentials = essentials()?;
    let wanted = targets(essentials, &request.target_competencies)?;
    let student_id = request.student_id.id()?;
    authorize_student_access(&state.db, &user.0.principal, student_id).await?;
    let target = request.target_level.unwrap_or(DEFAULT_TARGET);
    let standings = standings_of(&state, student_id, &wanted).await?;
    let evidence_count: u32 = standings
        .iter()
        .map(|standing| standing.proficiency.evidence_count)
        .sum();
    let report = gaps::analyze(&standings, target);
    let minimum = request.severity_filter.unwrap_or(Severity::Low);
    Ok(ApiJson(GapsView {
        student_id,
        target_level: target,
        target_score: target.lower_bound(),
        competencies_considered: standings.len(),
        evidence_count,
        gaps: report
            .gaps
            .into_iter()
            .filter(|gap| gap.severity >= minimum)
            .collect(),
        without_evidence: report
            .without_evidence
            .into_iter()
            .map(|competency| competency.id)
            .collect(),
        met: report
            .met
            .into_iter()
            .map(|(competency, _)| competency.id)
            .collect(),
        note: (evidence_count == 0).then(|| {
            "no evidence is recorded for this student in these competencies, so no gap can be measured".to_owned()
        }),
        not_used: request
            .include_prerequisites
            .map(|_| vec!["include_prerequisites".to_owned()])
            .unwrap_or_default(),
    }))
}

/// The original's learning-path request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PathRequest {
    pub student_id: StudentRef,
    /// Competencies to work on ("2.4", "aacn_2_1"); all when empty or absent.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub target_competencies: Vec<String>,
    /// Accepted and not used: proficiency comes from stored evidence.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub current_proficiency: Option<Value>,
    /// Accepted and not used.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub learning_preferences: Option<Value>,
    /// Accepted and not used.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 520)]
    pub timeline_weeks: Option<i64>,
    /// The level to reach (default competent).
    #[serde(default)]
    pub target_level: Option<ProficiencyLevel>,
    /// Items in each step's practice set, 1 to 50 (default 10).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub items_per_competency: Option<i64>,
}

/// A `POST /api/v1/practice` body for a step's items.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeBody {
    pub item_ids: Vec<String>,
    pub count: usize,
}

/// A step's practice set from the item bank.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PathPracticeSet)]
pub struct PracticeSet {
    /// Generated bank items tagged with the competency, the student's unseen ones first.
    pub item_ids: Vec<String>,
    /// How many of them the student has met before.
    pub already_seen: usize,
    /// Send this as the body of `POST /api/v1/practice` (as the student); absent when the bank
    /// holds no item for the competency.
    pub practice_request: Option<PracticeBody>,
    /// Said when there is no item.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PathStepView {
    /// 1 for the first step.
    pub position: usize,
    pub competency_id: String,
    pub domain: u32,
    pub title: Option<String>,
    pub reason: StepReason,
    /// The score from evidence; null without evidence.
    pub score: Option<f64>,
    pub level: Option<ProficiencyLevel>,
    pub evidence_count: u32,
    pub gap: Option<f64>,
    pub severity: Option<Severity>,
    pub practice: PracticeSet,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PathView {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub target_level: ProficiencyLevel,
    pub target_score: f64,
    /// Competencies below target (largest gap first), then those without evidence.
    pub steps: Vec<PathStepView>,
    /// Competencies left out because they are at or above target.
    pub met: Vec<String>,
    /// Request fields accepted but not used.
    pub not_used: Vec<String>,
    pub created_at: String,
}

/// A learning path from stored evidence (students their own; staff students they may see): the
/// competencies below target, largest gap first, then those without evidence, each with a
/// practice set of generated bank items tagged with that competency and a ready
/// `POST /api/v1/practice` body for them.
#[utoipa::path(post, path = "/api/v1/assessment/learning-path/generate", tag = "assessment", security(("bearer" = [])),
    request_body = PathRequest,
    responses((status = 200, body = PathView),
              (status = 403, body = ErrorEnvelope),
              (status = 404, description = "No such student", body = ErrorEnvelope),
              (status = 422, description = "Unknown competency or a bad count", body = ErrorEnvelope)))]
async fn learning_path(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<PathRequest>,
) -> ApiResult<ApiJson<PathView>> {
    let essentials = essentials()?;
    let wanted = targets(essentials, &request.target_competencies)?;
    let per_competency = request.items_per_competency.unwrap_or(10);
    if !(1..=50).contains(&per_competency) {
        return Err(ApiError::validation(
            "items_per_competency",
            "must be between 1 and 50",
        ));
    }
    if request
        .timeline_weeks
        .is_some_and(|weeks| !(1..=520).contains(&weeks))
    {
        return Err(ApiError::validation(
            "timeline_weeks",
            "must be between 1 and 520",
        ));
    }
    let student_id = request.student_id.id()?;
    authorize_student_access(&state.db, &user.0.principal, student_id).await?;
    let target = request.target_level.unwrap_or(DEFAULT_TARGET);
    let standings = standings_of(&state, student_id, &wanted).await?;
    let report = gaps::analyze(&standings, target);
    let steps = gaps::path(&report, &standings);
    let mut sets = state
        .db
        .read(move |conn| store::practice_items(conn, student_id, per_competency))
        .await?;
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(index, step)| {
            let items = sets.remove(&step.competency.id).unwrap_or_default();
            let already_seen = items.iter().filter(|(_, met)| *met).count();
            let item_ids: Vec<String> = items.into_iter().map(|(id, _)| id).collect();
            let standing = standings
                .iter()
                .find(|standing| standing.competency.id == step.competency.id);
            let practice = if item_ids.is_empty() {
                PracticeSet {
                    item_ids,
                    already_seen,
                    practice_request: None,
                    note: Some(format!(
                        "the item bank holds no generated item tagged with competency {} yet",
                        step.competency.id
                    )),
                }
            } else {
                PracticeSet {
                    practice_request: Some(PracticeBody {
                        count: item_ids.len(),
                        item_ids: item_ids.clone(),
                    }),
                    item_ids,
                    already_seen,
                    note: None,
                }
            };
            PathStepView {
                position: index + 1,
                competency_id: step.competency.id.clone(),
                domain: step.competency.domain,
                title: step.competency.title.clone(),
                reason: step.reason,
                score: standing.and_then(|standing| standing.proficiency.score),
                level: standing.and_then(|standing| standing.proficiency.level),
                evidence_count: standing.map_or(0, |standing| standing.proficiency.evidence_count),
                gap: step.gap.as_ref().map(|gap| gap.gap),
                severity: step.gap.as_ref().map(|gap| gap.severity),
                practice,
            }
        })
        .collect();
    let mut not_used = Vec::new();
    if request.current_proficiency.is_some() {
        not_used.push("current_proficiency".to_owned());
    }
    if request.learning_preferences.is_some() {
        not_used.push("learning_preferences".to_owned());
    }
    if request.timeline_weeks.is_some() {
        not_used.push("timeline_weeks".to_owned());
    }
    Ok(ApiJson(PathView {
        student_id,
        target_level: target,
        target_score: target.lower_bound(),
        steps,
        met: report
            .met
            .into_iter()
            .map(|(competency, _)| competency.id)
            .collect(),
        not_used,
        created_at: crate::clock::now_rfc3339(),
    }))
}
