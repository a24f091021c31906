//! AACN Essentials over HTTP: the framework (`assessment/domains`, `assessment/competencies/available`,
//! `assessment/proficiency-levels`) and a student's competency profile computed from stored evidence
//! (`assessment/competency/profile/{student_id}`). Recording assessments and evidence, gaps and
//! learning paths are in `competency.rs`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::competency::RecordedEvidence;
use crate::db::practice as store;
use crate::domain::accounts::UserId;
use crate::domain::competency::{
    Competency, Essentials, Evidence, MIN_EVIDENCE, Proficiency, ProficiencyLevel, QsenRecord,
    Source, standings,
};
use crate::http::AppState;
use crate::http::auth::{CurrentUser, authorize_student_access, path_id};
use crate::http::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::http::json::ApiJson;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(domains))
        .routes(routes!(competencies))
        .routes(routes!(proficiency_levels))
        .routes(routes!(profile))
}

pub fn essentials() -> ApiResult<&'static Essentials> {
    static ESSENTIALS: OnceLock<Result<Essentials, String>> = OnceLock::new();
    ESSENTIALS
        .get_or_init(Essentials::embedded)
        .as_ref()
        .map_err(|error| {
            ApiError::Unavailable(format!("the AACN framework data is damaged: {error}"))
        })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainView {
    pub id: u32,
    pub title: String,
    pub competency_count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainsView {
    pub source: Source,
    pub domains: Vec<DomainView>,
    pub concepts: Vec<String>,
    pub spheres_of_care: Vec<String>,
    pub qsen: QsenRecord,
}

/// The 10 AACN Essentials (2021) domains, the 8 concepts, the 4 spheres of care and QSEN's six
/// competencies, with the source edition.
#[utoipa::path(get, path = "/api/v1/assessment/domains", tag = "assessment", security(("bearer" = [])),
    responses((status = 200, body = DomainsView), (status = 401, body = ErrorEnvelope)))]
async fn domains(_user: CurrentUser) -> ApiResult<ApiJson<DomainsView>> {
    let essentials = essentials()?;
    Ok(ApiJson(DomainsView {
        source: essentials.source.clone(),
        domains: essentials
            .domains
            .iter()
            .map(|domain| DomainView {
                id: domain.id,
                title: domain.title.clone(),
                competency_count: domain.competencies,
            })
            .collect(),
        concepts: essentials.concepts.clone(),
        spheres_of_care: essentials.spheres_of_care.clone(),
        qsen: essentials.qsen.clone(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyList {
    pub source: Source,
    /// Titles are given only where their wording was checked against AACN; the others are null.
    pub competencies: Vec<Competency>,
}

/// The 45 entry-level competencies by id ("2.4"), with their titles where verified.
#[utoipa::path(get, path = "/api/v1/assessment/competencies/available", tag = "assessment", security(("bearer" = [])),
    responses((status = 200, body = CompetencyList), (status = 401, body = ErrorEnvelope)))]
async fn competencies(_user: CurrentUser) -> ApiResult<ApiJson<CompetencyList>> {
    let essentials = essentials()?;
    Ok(ApiJson(CompetencyList {
        source: essentials.source.clone(),
        competencies: essentials.competencies(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelView {
    pub level: ProficiencyLevel,
    pub min_score: f64,
    pub description: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelsView {
    pub levels: Vec<LevelView>,
    pub formula: &'static str,
    pub min_evidence_for_level: u32,
}

/// The proficiency scale and how a level is computed from evidence.
#[utoipa::path(get, path = "/api/v1/assessment/proficiency-levels", tag = "assessment", security(("bearer" = [])),
    responses((status = 200, body = LevelsView), (status = 401, body = ErrorEnvelope)))]
async fn proficiency_levels(_user: CurrentUser) -> ApiResult<ApiJson<LevelsView>> {
    Ok(ApiJson(LevelsView {
        levels: ProficiencyLevel::ALL
            .into_iter()
            .map(|level| LevelView {
                level,
                min_score: level.lower_bound(),
                description: level.description(),
            })
            .collect(),
        formula: "score = sum(weight x fraction earned) / sum(weight) over the student's evidence for the competency; a scored item response weighs its item's maximum points, a recorded clinical evaluation or simulation the weight given (default 1), each score supplied in an assessment 1; the cut points are this appliance's convention (Benner's levels), not AACN's",
        min_evidence_for_level: MIN_EVIDENCE,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyProficiency {
    pub competency: Competency,
    pub proficiency: Proficiency,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub competencies: Vec<CompetencyProficiency>,
    /// Pieces of evidence by source (item responses, clinical evaluations, simulations, quiz
    /// scores supplied with an assessment).
    pub evidence_by_source: BTreeMap<String, u32>,
    /// The clinical evaluations, simulation scores and supplied scores recorded for the student,
    /// oldest first (`recorded_evidence_count` of them); item responses are only counted.
    pub recorded_evidence: Vec<RecordedEvidence>,
    pub recorded_evidence_count: usize,
}

/// A student's proficiency per competency from the stored evidence (students their own; staff
/// students they may see). Competencies without evidence say so and carry no score.
#[utoipa::path(get, path = "/api/v1/assessment/competency/profile/{student_id}", tag = "assessment", security(("bearer" = [])),
    params(("student_id" = i64, Path, description = "Student id")),
    responses((status = 200, body = ProfileView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn profile(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<ProfileView>> {
    let student: UserId = path_id(path, "student_id")?;
    authorize_student_access(&state.db, &user.0.principal, student).await?;
    let essentials = essentials()?;
    let (rows, recorded) = state
        .db
        .read(move |conn| {
            Ok((
                store::evidence_of(conn, student)?,
                crate::db::competency::recorded_evidence(conn, student)?,
            ))
        })
        .await?;
    let mut by_source: BTreeMap<String, u32> = BTreeMap::new();
    let mut evidence = Vec::with_capacity(rows.len());
    for (competency, score, weight, source) in rows {
        *by_source.entry(source).or_default() += 1;
        evidence.push((competency, Evidence { score, weight }));
    }
    let competencies = standings(essentials, &evidence)
        .into_iter()
        .map(|standing| CompetencyProficiency {
            competency: standing.competency,
            proficiency: standing.proficiency,
        })
        .collect();
    Ok(ApiJson(ProfileView {
        student_id: student,
        competencies,
        evidence_by_source: by_source,
        recorded_evidence_count: recorded.len(),
        recorded_evidence: recorded,
    }))
}
