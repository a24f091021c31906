//! Quizzes over HTTP: staff create them from picked bank items, a bank filter or the test-plan
//! blueprint, assign them to cohorts and edit them until the first attempt; students list and read
//! the quizzes assigned to their cohorts. Items are frozen into the quiz when it is set.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::accounts;
use crate::db::items::{self as bank, ItemQuery};
use crate::db::practice::{self as store, QuizRecord, QuizScope, QuizSettings};
use crate::domain::accounts::{CohortId, Role, UserId, can_manage_cohort};
use crate::domain::items::{
    ClientNeed, Difficulty, Item, ItemId, ItemType, NcjmmFunction, blueprint,
};
use crate::domain::practice::{QuizId, QuizKind};
use crate::http::AppState;
use crate::http::auth::{CurrentUser, parse_time, path_id};
use crate::http::error::{ApiError, ApiResult, ErrorEnvelope, FieldError};
use crate::http::json::ApiJson;
use crate::http::roles::StaffUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_quizzes, create_quiz))
        .routes(routes!(get_quiz, replace_quiz))
}

/// Storage conflicts become 409; everything else keeps the usual mapping.
pub fn db_error(error: DbError) -> ApiError {
    match error {
        DbError::Conflict(message) => ApiError::Conflict(message),
        other => other.into(),
    }
}

/// Items from the bank matching a filter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankFilter {
    pub topic: Option<String>,
    pub item_type: Option<ItemType>,
    pub client_need: Option<ClientNeed>,
    pub ncjmm_function: Option<NcjmmFunction>,
    pub difficulty: Option<Difficulty>,
    /// How many items (1 to 300); the newest matching active items are taken.
    #[schema(minimum = 1, maximum = 300)]
    pub count: i64,
}

/// An exam assembled to the NCLEX-RN test plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueprintSource {
    /// 75 to 150 items.
    pub count: i64,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// `POST /api/v1/quizzes` and `PUT /api/v1/quizzes/{quiz_id}` body. Exactly one of `item_ids`,
/// `filter` and `blueprint` names the items (on PUT none keeps the current items).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuizRequest {
    /// 1 to 200 characters, not blank.
    #[schema(min_length = 1, max_length = 200, pattern = r"[^\s\u0085]")]
    pub title: String,
    #[serde(default)]
    pub instructions: Option<String>,
    /// Bank item ids, in the order the quiz shows them (1 to 300).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 300)]
    pub item_ids: Option<Vec<String>>,
    #[serde(default)]
    pub filter: Option<BankFilter>,
    #[serde(default)]
    pub blueprint: Option<BlueprintSource>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub cohort_ids: Option<Vec<CohortId>>,
    /// 1 to 1440 minutes; none = untimed.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1440)]
    pub time_limit_minutes: Option<i64>,
    /// RFC 3339.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    /// RFC 3339; an attempt open at this time is closed and scored.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    /// 1 to 100; none = unlimited.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub attempt_limit: Option<i64>,
    /// Whether students see keys and rationales after submitting (default true).
    #[serde(default)]
    pub show_review: Option<bool>,
    /// Shuffle each item's options per attempt (default false).
    #[serde(default)]
    pub shuffle_options: Option<bool>,
}

/// A quiz as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuizView {
    #[schema(value_type = i64)]
    pub id: QuizId,
    pub kind: QuizKind,
    pub title: String,
    pub instructions: String,
    pub time_limit_minutes: Option<u32>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub attempt_limit: Option<u32>,
    pub show_review: bool,
    pub shuffle_options: bool,
    #[schema(value_type = Vec<i64>)]
    pub cohort_ids: Vec<CohortId>,
    pub max_score: u32,
    pub item_count: u32,
    pub attempt_count: u32,
    #[schema(value_type = Option<i64>)]
    pub created_by: Option<UserId>,
    pub created_at: String,
    pub updated_at: String,
    /// Staff only: the frozen items with keys and rationales.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
}

impl QuizView {
    pub fn new(record: &QuizRecord, items: Option<Vec<Item>>) -> QuizView {
        QuizView {
            id: record.id,
            kind: record.settings.kind,
            title: record.settings.title.clone(),
            instructions: record.settings.instructions.clone(),
            time_limit_minutes: record.settings.time_limit_minutes,
            opens_at: record.settings.opens_at.clone(),
            closes_at: record.settings.closes_at.clone(),
            attempt_limit: record.settings.attempt_limit,
            show_review: record.settings.show_review,
            shuffle_options: record.settings.shuffle_options,
            cohort_ids: record.settings.cohort_ids.clone(),
            max_score: record.max_score,
            item_count: record.item_count,
            attempt_count: record.attempt_count,
            created_by: record.created_by,
            created_at: record.created_at.clone(),
            updated_at: record.updated_at.clone(),
            items,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuizList {
    pub quizzes: Vec<QuizView>,
}

/// Where a quiz's items come from, once validated.
enum ItemSource {
    Ids(Vec<String>),
    Filter(ItemQuery),
    Blueprint { count: usize, seed: u64 },
    Keep,
}

fn validation(errors: Vec<FieldError>) -> ApiError {
    let message = errors
        .iter()
        .map(|error| format!("{}: {}", error.field, error.message))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::Validation { message, errors }
}

fn validate(request: QuizRequest, creating: bool) -> ApiResult<(QuizSettings, ItemSource)> {
    let mut errors = Vec::new();
    let title = request.title.trim().to_owned();
    if crate::domain::is_blank(&title) || title.chars().count() > 200 {
        errors.push(FieldError::new("title", "must be 1 to 200 characters"));
    }
    let instructions = request.instructions.unwrap_or_default();
    if instructions.chars().count() > 10_000 {
        errors.push(FieldError::new(
            "instructions",
            "must be at most 10,000 characters",
        ));
    }
    let sources = [
        request.item_ids.is_some(),
        request.filter.is_some(),
        request.blueprint.is_some(),
    ]
    .iter()
    .filter(|given| **given)
    .count();
    if sources > 1 || (creating && sources == 0) {
        errors.push(FieldError::new(
            "item_ids",
            "give exactly one of item_ids, filter or blueprint",
        ));
    }
    let source = if let Some(ids) = request.item_ids {
        if ids.is_empty() || ids.len() > 300 {
            errors.push(FieldError::new("item_ids", "must list 1 to 300 item ids"));
        }
        let mut seen = BTreeSet::new();
        for id in &ids {
            if !seen.insert(id.as_str()) {
                errors.push(FieldError::new(
                    "item_ids",
                    format!("\"{id}\" is listed twice"),
                ));
            }
        }
        ItemSource::Ids(ids)
    } else if let Some(filter) = request.filter {
        if !(1..=300).contains(&filter.count) {
            errors.push(FieldError::new("filter.count", "must be between 1 and 300"));
        }
        ItemSource::Filter(ItemQuery {
            topic: filter.topic,
            item_type: filter.item_type.map(|kind| kind.as_str().to_owned()),
            client_need: filter.client_need.map(|need| need.as_str().to_owned()),
            ncjmm_function: filter
                .ncjmm_function
                .map(|function| function.as_str().to_owned()),
            difficulty: filter.difficulty.map(|difficulty| {
                serde_json::to_value(difficulty)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            status: Some("active".into()),
            origin: None,
            search: None,
            limit: filter.count,
            offset: 0,
        })
    } else if let Some(plan) = request.blueprint {
        if !(75..=150).contains(&plan.count) {
            errors.push(FieldError::new(
                "blueprint.count",
                "must be between 75 and 150",
            ));
        }
        ItemSource::Blueprint {
            count: plan.count.clamp(0, 150) as usize,
            seed: plan.seed.unwrap_or_else(crate::clock::unix_now),
        }
    } else {
        ItemSource::Keep
    };
    let time_limit_minutes = match request.time_limit_minutes {
        Some(minutes) if !(1..=1440).contains(&minutes) => {
            errors.push(FieldError::new(
                "time_limit_minutes",
                "must be between 1 and 1440",
            ));
            None
        }
        other => other.map(|minutes| minutes as u32),
    };
    let attempt_limit = match request.attempt_limit {
        Some(limit) if !(1..=100).contains(&limit) => {
            errors.push(FieldError::new(
                "attempt_limit",
                "must be between 1 and 100",
            ));
            None
        }
        other => other.map(|limit| limit as u32),
    };
    let mut time = |field: &str, text: Option<String>| -> Option<(u64, String)> {
        let text = text?;
        match parse_time(&text) {
            Some(seconds) => Some((seconds, text)),
            None => {
                errors.push(FieldError::new(
                    field,
                    "must be an RFC 3339 time such as 2026-05-01T09:00:00Z",
                ));
                None
            }
        }
    };
    let opens = time("opens_at", request.opens_at);
    let closes = time("closes_at", request.closes_at);
    if let (Some((open, _)), Some((close, _))) = (&opens, &closes)
        && close <= open
    {
        errors.push(FieldError::new("closes_at", "must be after opens_at"));
    }
    let cohort_ids = request.cohort_ids.unwrap_or_default();
    if cohort_ids.len() > 100 {
        errors.push(FieldError::new("cohort_ids", "at most 100 cohorts"));
    }
    if !errors.is_empty() {
        return Err(validation(errors));
    }
    Ok((
        QuizSettings {
            kind: QuizKind::Quiz,
            title,
            instructions,
            time_limit_minutes,
            opens_at: opens.map(|(_, text)| text),
            closes_at: closes.map(|(_, text)| text),
            attempt_limit,
            show_review: request.show_review.unwrap_or(true),
            shuffle_options: request.shuffle_options.unwrap_or(false),
            cohort_ids,
        },
        source,
    ))
}

/// Resolves the items of a quiz from its source.
async fn resolve_items(state: &AppState, source: ItemSource) -> ApiResult<Option<Vec<Item>>> {
    match source {
        ItemSource::Keep => Ok(None),
        ItemSource::Ids(ids) => {
            let found = state
                .db
                .read(move |conn| {
                    ids.iter()
                        .map(|id| {
                            Ok((
                                id.clone(),
                                bank::find_item(conn, &ItemId::from(id.as_str()))?,
                            ))
                        })
                        .collect::<Result<Vec<_>, DbError>>()
                })
                .await?;
            let mut items = Vec::new();
            let mut errors = Vec::new();
            for (id, stored) in found {
                match stored {
                    Some(stored) if stored.status == "active" => items.push(stored.item),
                    Some(_) => errors.push(FieldError::new(
                        "item_ids",
                        format!("item \"{id}\" is retired"),
                    )),
                    None => errors.push(FieldError::new(
                        "item_ids",
                        format!("no item \"{id}\" in the bank"),
                    )),
                }
            }
            if !errors.is_empty() {
                return Err(validation(errors));
            }
            Ok(Some(items))
        }
        ItemSource::Filter(query) => {
            let (items, _) = state
                .db
                .read(move |conn| bank::list_items(conn, &query))
                .await?;
            if items.is_empty() {
                return Err(ApiError::validation(
                    "filter",
                    "no active bank item matches this filter",
                ));
            }
            Ok(Some(items.into_iter().map(|stored| stored.item).collect()))
        }
        ItemSource::Blueprint { count, seed } => {
            let content = state.content.get().await.map_err(|error| {
                ApiError::Unavailable(format!("item generation is unavailable: {error}"))
            })?;
            let items = tokio::task::spawn_blocking(move || {
                blueprint::assemble(&content.catalog, &content.kb, count, seed)
            })
            .await
            .map_err(ApiError::internal)?;
            if items.len() < count {
                return Err(ApiError::Unavailable(format!(
                    "only {} of {count} items could be assembled to the blueprint",
                    items.len()
                )));
            }
            // Blueprint items enter the bank too, so reports can name them.
            let rows: Vec<(Item, String)> = items
                .iter()
                .map(|item| (item.clone(), crate::domain::items::catalog::signature(item)))
                .collect();
            let now = crate::clock::now_rfc3339();
            state
                .db
                .write(move |tx| bank::insert_generated(tx, &rows, &now))
                .await?;
            Ok(Some(items))
        }
    }
}

/// Staff may assign only cohorts that exist and that they manage.
async fn check_cohorts(
    state: &AppState,
    caller: &CurrentUser,
    cohorts: &[CohortId],
) -> ApiResult<()> {
    let ids = cohorts.to_vec();
    let existing = state
        .db
        .read(move |conn| {
            ids.iter()
                .map(|id| Ok((*id, accounts::find_cohort(conn, *id)?.is_some())))
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?;
    let mut errors = Vec::new();
    for (id, exists) in existing {
        if !exists {
            errors.push(FieldError::new(
                "cohort_ids",
                format!("no cohort with id {id}"),
            ));
        } else if !can_manage_cohort(&caller.0.principal, id) {
            return Err(ApiError::Forbidden(format!(
                "you do not instruct cohort {id}, so you may not assign quizzes to it"
            )));
        }
    }
    if !errors.is_empty() {
        return Err(validation(errors));
    }
    Ok(())
}

/// Set a quiz (instructors and admins) from bank item ids, a bank filter or the blueprint.
#[utoipa::path(post, path = "/api/v1/quizzes", tag = "practice", security(("bearer" = [])), request_body = QuizRequest,
    responses((status = 201, body = QuizView), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn create_quiz(
    State(state): State<AppState>,
    staff: StaffUser,
    ApiJson(request): ApiJson<QuizRequest>,
) -> ApiResult<(StatusCode, ApiJson<QuizView>)> {
    let caller = CurrentUser(staff.0.clone());
    let (settings, source) = validate(request, true)?;
    check_cohorts(&state, &caller, &settings.cohort_ids).await?;
    let items = resolve_items(&state, source)
        .await?
        .ok_or_else(|| ApiError::validation("item_ids", "name the quiz's items"))?;
    let author = staff.principal.user_id;
    let now = crate::clock::now_rfc3339();
    let record = state
        .db
        .write(move |tx| {
            let id = store::insert_quiz(tx, &settings, &items, author, &now)?;
            store::find_quiz(tx, id)?
                .ok_or_else(|| DbError::Task("the new quiz vanished".into()))
                .map(|record| (record, items))
        })
        .await
        .map_err(db_error)?;
    Ok((
        StatusCode::CREATED,
        ApiJson(QuizView::new(&record.0, Some(record.1))),
    ))
}

/// Edit a quiz (its creator or an admin) while nobody has started it; afterwards it is frozen (409).
#[utoipa::path(put, path = "/api/v1/quizzes/{quiz_id}", tag = "practice", security(("bearer" = [])),
    params(("quiz_id" = i64, Path, description = "Quiz id")), request_body = QuizRequest,
    responses((status = 200, body = QuizView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, description = "An attempt exists; the quiz is frozen", body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
async fn replace_quiz(
    State(state): State<AppState>,
    staff: StaffUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    ApiJson(request): ApiJson<QuizRequest>,
) -> ApiResult<ApiJson<QuizView>> {
    let quiz = QuizId(path_id(path, "quiz_id")?);
    let caller = CurrentUser(staff.0.clone());
    let existing = find_staff_quiz(&state, &caller, quiz).await?;
    if staff.principal.role != Role::Admin && existing.created_by != Some(staff.principal.user_id) {
        return Err(ApiError::Forbidden(
            "only the quiz's author or an administrator may edit it".into(),
        ));
    }
    let (settings, source) = validate(request, false)?;
    check_cohorts(&state, &caller, &settings.cohort_ids).await?;
    let items = resolve_items(&state, source).await?;
    let now = crate::clock::now_rfc3339();
    let cache = Arc::clone(state.practice.items());
    let (record, items) = state
        .db
        .write(move |tx| {
            store::update_quiz(tx, quiz, &settings, items.as_deref(), &now)?;
            cache.forget(quiz);
            let record = store::find_quiz(tx, quiz)?
                .ok_or_else(|| DbError::Task("the quiz vanished".into()))?;
            Ok((record, store::quiz_items(tx, quiz)?))
        })
        .await
        .map_err(db_error)?;
    state.practice.items().forget(quiz);
    Ok(ApiJson(QuizView::new(&record, Some(items))))
}

async fn find_staff_quiz(
    state: &AppState,
    caller: &CurrentUser,
    quiz: QuizId,
) -> ApiResult<QuizRecord> {
    let record = state
        .db
        .read(move |conn| store::find_quiz(conn, quiz))
        .await?
        .filter(|record| record.settings.kind == QuizKind::Quiz)
        .ok_or_else(|| ApiError::NotFound(format!("no quiz with id {}", quiz.0)))?;
    if !staff_may_see(caller, &record) {
        return Err(ApiError::Forbidden(
            "this quiz belongs to cohorts you do not instruct".into(),
        ));
    }
    Ok(record)
}

fn staff_may_see(caller: &CurrentUser, record: &QuizRecord) -> bool {
    let principal = &caller.0.principal;
    principal.role == Role::Admin
        || record.created_by == Some(principal.user_id)
        || record
            .settings
            .cohort_ids
            .iter()
            .any(|cohort| principal.instructs.contains(cohort))
}

/// Quizzes the caller may see: students those assigned to their cohorts and their own practice
/// sets; instructors those they set or that are assigned to their cohorts; admins every quiz.
#[utoipa::path(get, path = "/api/v1/quizzes", tag = "practice", security(("bearer" = [])),
    responses((status = 200, body = QuizList), (status = 401, body = ErrorEnvelope)))]
async fn list_quizzes(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<ApiJson<QuizList>> {
    let principal = &user.0.principal;
    let scope = match principal.role {
        Role::Admin => QuizScope::All,
        Role::Instructor => QuizScope::Instructor(principal.user_id),
        Role::Student => QuizScope::Student(principal.user_id),
    };
    let records = state
        .db
        .read(move |conn| store::list_quizzes(conn, scope))
        .await?;
    Ok(ApiJson(QuizList {
        quizzes: records
            .iter()
            .map(|record| QuizView::new(record, None))
            .collect(),
    }))
}

/// One quiz. Staff get its items with keys; a student gets its settings when it is assigned to
/// one of their cohorts (items come with an attempt, without keys).
#[utoipa::path(get, path = "/api/v1/quizzes/{quiz_id}", tag = "practice", security(("bearer" = [])),
    params(("quiz_id" = i64, Path, description = "Quiz id")),
    responses((status = 200, body = QuizView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn get_quiz(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<QuizView>> {
    let quiz = QuizId(path_id(path, "quiz_id")?);
    if user.0.principal.role == Role::Student {
        let record = student_quiz(&state, user.0.principal.user_id, quiz).await?;
        return Ok(ApiJson(QuizView::new(&record, None)));
    }
    let record = find_staff_quiz(&state, &user, quiz).await?;
    let items = state
        .db
        .read(move |conn| store::quiz_items(conn, quiz))
        .await?;
    Ok(ApiJson(QuizView::new(&record, Some(items))))
}

/// The quiz if this student may take it: assigned to one of their cohorts, or their own practice set.
pub async fn student_quiz(
    state: &AppState,
    student: UserId,
    quiz: QuizId,
) -> ApiResult<QuizRecord> {
    let (record, assigned) = state
        .db
        .read(move |conn| {
            Ok((
                store::find_quiz(conn, quiz)?,
                store::assigned_to_student(conn, quiz, student)?,
            ))
        })
        .await?;
    let record = record.ok_or_else(|| ApiError::NotFound(format!("no quiz with id {}", quiz.0)))?;
    let allowed = match record.settings.kind {
        QuizKind::Quiz => assigned,
        QuizKind::Practice => record.created_by == Some(student),
    };
    if !allowed {
        return Err(ApiError::Forbidden(
            "this quiz is not assigned to any cohort you belong to".into(),
        ));
    }
    Ok(record)
}
