//! NCLEX item generation and the item bank over HTTP: `POST /api/v1/nclex/generate`, the blueprint
//! exam, the yield report, and listing, reading, writing, editing and retiring bank items.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::content::TopicMatch;
use crate::db::DbError;
use crate::db::items::{self as bank, ItemQuery, StoredItem};
use crate::domain::items::catalog::{YieldRow, signature};
use crate::domain::items::generate::{
    self as generation, GenerationRequest, Seed, matching_difficulty,
};
use crate::domain::items::{
    ClientNeed, Difficulty, Item, ItemId, ItemType, NcjmmFunction, blueprint, gate,
};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult, FieldError};
use crate::http::json::ApiJson;
use crate::http::roles::StaffUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate))
        .routes(routes!(blueprint_exam))
        .routes(routes!(item_yield))
        .routes(routes!(export_items))
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, replace_item, set_item_status))
}

/// `POST /api/v1/nclex/generate` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GenerateRequest {
    /// What the questions are about: a condition, drug, lab, area ("pharmacology", "CHF", "delegation").
    /// It must match a knowledge-base subject (422 with suggestions otherwise).
    #[schema(min_length = 1, max_length = 200)]
    pub topic: String,
    /// 1 to 50 (default 5).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub question_count: Option<i64>,
    /// "beginner", "intermediate" or "advanced": preferred; other levels fill up when too few match.
    #[serde(default)]
    #[schema(value_type = Option<Difficulty>)]
    pub difficulty: Option<String>,
    /// Item types to include (default: multiple_choice).
    #[serde(default)]
    #[schema(value_type = Option<Vec<ItemType>>, min_items = 1)]
    pub item_types: Option<Vec<String>>,
    /// Only this client-need subcategory.
    #[serde(default)]
    #[schema(value_type = Option<ClientNeed>)]
    pub client_need: Option<String>,
    /// 0 to 2^53 − 1: the same parameters and seed give the same items; default: derived from the
    /// parameters.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_u64)]
    pub seed: Option<u64>,
    /// Alias of `question_count` used by some integrations.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub count: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GenerateMetadata {
    pub topic: String,
    pub difficulty: Option<Difficulty>,
    pub item_types: Vec<ItemType>,
    pub client_need: Option<ClientNeed>,
    pub requested: usize,
    pub returned: usize,
    /// How many returned items have the requested difficulty.
    pub matching_difficulty: usize,
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_u64)]
    pub seed: u64,
    /// Knowledge-base subjects the topic matched.
    pub subjects_matched: usize,
    /// Seconds spent generating (0 when served from cache).
    pub generation_time: f64,
    pub cached: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GenerateResponse {
    #[schema(value_type = Vec<Object>)]
    pub questions: serde_json::Value,
    pub metadata: GenerateMetadata,
}

struct ValidGenerate {
    topic: String,
    count: usize,
    difficulty: Option<Difficulty>,
    item_types: BTreeSet<ItemType>,
    client_need: Option<ClientNeed>,
    seed: Option<Seed>,
}

fn validate_generate(request: GenerateRequest) -> ApiResult<ValidGenerate> {
    let mut errors = Vec::new();
    let topic = request.topic.trim().to_owned();
    if topic.is_empty() || request.topic.chars().count() > 200 {
        errors.push(FieldError::new("topic", "must be 1 to 200 characters"));
    }
    let count = request.question_count.or(request.count).unwrap_or(5);
    if !(1..=50).contains(&count) {
        errors.push(FieldError::new(
            "question_count",
            "must be between 1 and 50",
        ));
    }
    let difficulty = match request.difficulty.as_deref() {
        None => None,
        Some(text) => match Difficulty::parse(text) {
            Some(difficulty) => Some(difficulty),
            None => {
                errors.push(FieldError::new(
                    "difficulty",
                    "must be one of beginner, intermediate, advanced",
                ));
                None
            }
        },
    };
    let mut item_types = BTreeSet::new();
    for name in request
        .item_types
        .unwrap_or_else(|| vec!["multiple_choice".to_owned()])
    {
        match ItemType::parse(&name) {
            Some(kind) => {
                item_types.insert(kind);
            }
            None => errors.push(FieldError::new(
                "item_types",
                format!(
                    "unknown item type \"{name}\"; known: {}",
                    ItemType::ALL.map(ItemType::as_str).join(", ")
                ),
            )),
        }
    }
    if item_types.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "item_types",
            "must name at least one item type",
        ));
    }
    let client_need = match request.client_need.as_deref() {
        None => None,
        Some(text) => match ClientNeed::parse(text) {
            Some(need) => Some(need),
            None => {
                errors.push(FieldError::new(
                    "client_need",
                    format!("unknown client need \"{text}\""),
                ));
                None
            }
        },
    };
    let seed = match request.seed.map(Seed::new).transpose() {
        Ok(seed) => seed,
        Err(error) => {
            errors.push(FieldError::new("seed", error.to_string()));
            None
        }
    };
    if !errors.is_empty() {
        let message = errors
            .iter()
            .map(|error| format!("{}: {}", error.field, error.message))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::Validation { message, errors });
    }
    Ok(ValidGenerate {
        topic,
        count: count as usize,
        difficulty,
        item_types,
        client_need,
        seed,
    })
}

/// Generate NCLEX-style items offline from the knowledge base.
#[utoipa::path(post, path = "/api/v1/nclex/generate", tag = "items", security(("bearer" = [])), request_body = GenerateRequest,
    responses((status = 200, body = GenerateResponse), (status = 401, body = crate::http::error::ErrorEnvelope),
              (status = 422, description = "Bad parameters or unknown topic (with suggestions)", body = crate::http::error::ErrorEnvelope),
              (status = 429, body = crate::http::error::ErrorEnvelope)))]
async fn generate(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiJson(request): ApiJson<GenerateRequest>,
) -> ApiResult<ApiJson<GenerateResponse>> {
    let started = Instant::now();
    let request = validate_generate(request)?;
    let content = loaded(&state).await?;
    let subjects = match content.topics.resolve(&request.topic) {
        TopicMatch::Subjects(subjects) => subjects,
        TopicMatch::Unknown { suggestions } => {
            let message = format!(
                "no topic matches \"{}\"; try: {}",
                request.topic,
                suggestions.join(", ")
            );
            return Err(ApiError::Validation {
                message: message.clone(),
                errors: vec![FieldError::new("topic", message)],
            });
        }
    };
    let types: Vec<ItemType> = request.item_types.iter().copied().collect();
    let subjects_matched = subjects.len();
    let generation = GenerationRequest {
        topic: request.topic.clone(),
        subjects,
        item_types: request.item_types.clone(),
        client_need: request.client_need,
        difficulty: request.difficulty,
        count: request.count,
        seed: request.seed,
    };
    let seed = generation.seed();
    let cache_key = generation.cache_key(seed);
    let metadata = |returned: usize, matching: usize, time: f64, cached: bool| GenerateMetadata {
        topic: request.topic.clone(),
        difficulty: request.difficulty,
        item_types: types.clone(),
        client_need: request.client_need,
        requested: request.count,
        returned,
        matching_difficulty: matching,
        seed: seed.get(),
        subjects_matched,
        generation_time: time,
        cached,
    };
    if let Some(cached) = state.cache.nclex.get(&cache_key)
        && let Ok(questions) = serde_json::from_slice::<Vec<Item>>(&cached)
    {
        let matching = matching_difficulty(&questions, request.difficulty);
        let count = questions.len();
        return Ok(ApiJson(GenerateResponse {
            questions: serde_json::to_value(&questions).map_err(ApiError::internal)?,
            metadata: metadata(count, matching, 0.0, true),
        }));
    }

    let generated = tokio::task::spawn_blocking(move || {
        generation::generate(&content.catalog, &content.kb, &generation)
    })
    .await
    .map_err(ApiError::internal)?;
    let items = generated.items;
    if items.is_empty() {
        state.metrics.nclex_generation_failures.inc();
        let message = format!(
            "\"{}\" is known, but no item of the requested types{} can be made for it yet; try other item_types or a broader topic",
            request.topic,
            request
                .client_need
                .map(|need| format!(" and client need {}", need.as_str()))
                .unwrap_or_default()
        );
        return Err(ApiError::Validation {
            message: message.clone(),
            errors: vec![FieldError::new("topic", message)],
        });
    }
    let stamp = crate::clock::now_rfc3339();
    let rows: Vec<(Item, String)> = items
        .iter()
        .map(|item| (item.clone(), signature(item)))
        .collect();
    state
        .db
        .write(move |tx| bank::insert_generated(tx, &rows, &stamp))
        .await?;
    let body = serde_json::to_vec(&items).map_err(ApiError::internal)?;
    state.cache.nclex.insert(cache_key, Bytes::from(body));
    let matching = matching_difficulty(&items, request.difficulty);
    let returned = items.len();
    Ok(ApiJson(GenerateResponse {
        questions: serde_json::to_value(&items).map_err(ApiError::internal)?,
        metadata: metadata(returned, matching, started.elapsed().as_secs_f64(), false),
    }))
}

/// The generation content, once loaded (the first requests after start wait for it).
async fn loaded(state: &AppState) -> ApiResult<Arc<crate::content::Content>> {
    state
        .content
        .get()
        .await
        .map_err(|error| ApiError::Unavailable(format!("item generation is unavailable: {error}")))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BlueprintRequest {
    /// Items in the exam, 75 to 150 (shorter exams cannot keep every share inside its range).
    #[schema(minimum = 75, maximum = 150)]
    pub count: i64,
    /// The same count and seed give the same exam; default: the current time.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_u64)]
    pub seed: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlueprintShare {
    pub client_need: ClientNeed,
    pub items: usize,
    pub percent: f64,
    pub test_plan_low: f64,
    pub test_plan_high: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlueprintResponse {
    pub questions: Vec<Item>,
    pub shares: Vec<BlueprintShare>,
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_u64)]
    pub seed: u64,
}

/// Assemble a practice exam whose client-need shares fall inside the NCLEX-RN test-plan ranges,
/// with NCJMM functions and item types spread and no near-duplicates (instructors and admins).
#[utoipa::path(post, path = "/api/v1/nclex/blueprint", tag = "items", security(("bearer" = [])), request_body = BlueprintRequest,
    responses((status = 200, body = BlueprintResponse), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn blueprint_exam(
    State(state): State<AppState>,
    _staff: StaffUser,
    ApiJson(request): ApiJson<BlueprintRequest>,
) -> ApiResult<ApiJson<BlueprintResponse>> {
    if !(75..=150).contains(&request.count) {
        return Err(ApiError::validation("count", "must be between 75 and 150"));
    }
    let seed = match request.seed {
        Some(seed) => Seed::new(seed)
            .map_err(|error| ApiError::validation("seed", error.to_string()))?
            .get(),
        None => Seed::fold(crate::clock::unix_now()).get(),
    };
    let total = request.count as usize;
    let content = loaded(&state).await?;
    let questions = tokio::task::spawn_blocking(move || {
        blueprint::assemble(&content.catalog, &content.kb, total, seed)
    })
    .await
    .map_err(ApiError::internal)?;
    if questions.len() < total {
        state.metrics.nclex_generation_failures.inc();
        return Err(ApiError::Unavailable(format!(
            "only {} of {total} items could be assembled to the blueprint",
            questions.len()
        )));
    }
    let shares = ClientNeed::ALL
        .into_iter()
        .map(|need| {
            let items = questions
                .iter()
                .filter(|item| item.client_need == need)
                .count();
            let (low, high) = need.test_plan_percent();
            BlueprintShare {
                client_need: need,
                items,
                percent: items as f64 * 100.0 / total as f64,
                test_plan_low: low,
                test_plan_high: high,
            }
        })
        .collect();
    Ok(ApiJson(BlueprintResponse {
        questions,
        shares,
        seed,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YieldReport {
    pub models: Vec<YieldRow>,
    pub total_models: usize,
    pub total_valid_cases: usize,
    pub total_distinct_items: usize,
    pub seeds_per_case: u64,
}

/// How many distinct valid items each item model can make (instructors and admins). Computed once
/// per process and kept.
#[utoipa::path(get, path = "/api/v1/items/yield", tag = "items", security(("bearer" = [])),
    responses((status = 200, body = YieldReport), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn item_yield(
    State(state): State<AppState>,
    _staff: StaffUser,
) -> ApiResult<ApiJson<Arc<YieldReport>>> {
    static REPORT: OnceLock<Arc<YieldReport>> = OnceLock::new();
    if let Some(report) = REPORT.get() {
        return Ok(ApiJson(Arc::clone(report)));
    }
    let content = loaded(&state).await?;
    let report = tokio::task::spawn_blocking(move || yield_report(&content))
        .await
        .map_err(ApiError::internal)?;
    Ok(ApiJson(Arc::clone(REPORT.get_or_init(|| Arc::new(report)))))
}

/// The yield of every model, for the API and the yield test.
pub fn yield_report(content: &crate::content::Content) -> YieldReport {
    const SEEDS: u64 = 8;
    let models = content.catalog.yield_report(&content.kb, SEEDS);
    YieldReport {
        total_models: models.len(),
        total_valid_cases: models.iter().map(|row| row.valid).sum(),
        total_distinct_items: models.iter().map(|row| row.distinct).sum(),
        seeds_per_case: SEEDS,
        models,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// qti21, qti30, moodle or gift.
    #[param(value_type = ExportFormat, inline)]
    pub format: String,
    /// Exactly this topic.
    pub topic: Option<String>,
    /// Text the stem or the topic contains (case-insensitive), as in the bank list.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(value_type = Option<ItemType>)]
    pub item_type: Option<String>,
    #[param(value_type = Option<ClientNeed>)]
    pub client_need: Option<String>,
    /// At most this many items, newest first (default 1000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<i64>,
}

/// Export active bank items for an LMS (instructors and admins): a QTI 2.1 or 3.0 content package,
/// Moodle XML or GIFT. Only multiple-choice and SATA items export; the others are counted in the
/// `X-Items-Skipped` header.
#[utoipa::path(get, path = "/api/v1/items/export", tag = "items", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "The export file: a zip content package (QTI), Moodle XML or GIFT text",
               content((Vec<u8> = "application/zip"), (String = "application/xml"), (String = "text/plain"))),
              (status = 403, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn export_items(
    State(state): State<AppState>,
    user: StaffUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;

    use crate::domain::items::export::{Format, export};

    let Query(query) =
        query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
    let format = Format::parse(&query.format).ok_or_else(|| {
        ApiError::validation("format", "must be one of qti21, qti30, moodle, gift")
    })?;
    let limit = query.limit.unwrap_or(1_000);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 10000"));
    }
    // The document states the values; an unknown one is an error, not an empty export.
    if let Some(text) = &query.item_type
        && crate::domain::items::ItemType::parse(text).is_none()
    {
        return Err(ApiError::validation(
            "item_type",
            "is not a known item type",
        ));
    }
    if let Some(text) = &query.client_need
        && crate::domain::items::ClientNeed::parse(text).is_none()
    {
        return Err(ApiError::validation(
            "client_need",
            "is not a known client need category",
        ));
    }
    let search = search_text(query.q)?;
    let filter = ItemQuery {
        topic: query.topic,
        item_type: query.item_type,
        client_need: query.client_need,
        status: Some("active".to_owned()),
        search,
        limit,
        ..ItemQuery::default()
    };
    let (stored, _) = state
        .db
        .read(move |conn| bank::list_items(conn, &filter))
        .await?;
    let items: Vec<Item> = stored.into_iter().map(|stored| stored.item).collect();
    let (bytes, report) = tokio::task::spawn_blocking(move || export(&items, format))
        .await
        .map_err(ApiError::internal)?
        .map_err(|error| ApiError::Validation {
            message: error.to_string(),
            errors: vec![FieldError::new("items", error.to_string())],
        })?;
    let (actor_id, actor, ip) = (
        user.0.principal.user_id,
        user.0.principal.username.clone(),
        client.to_string(),
    );
    let stamp = crate::clock::now_rfc3339();
    let details = serde_json::json!({ "format": format.as_str(), "exported": report.exported, "skipped": report.skipped() });
    state
        .db
        .write(move |tx| {
            crate::db::accounts::insert_audit(
                tx,
                &crate::db::accounts::AuditEntry {
                    actor_id: Some(actor_id),
                    actor: &actor,
                    action: crate::domain::audit::AuditAction::Export,
                    target: None,
                    ip: Some(&ip),
                    details,
                },
                &stamp,
            )
        })
        .await?;
    let disposition = format!(
        "attachment; filename=\"bsn-items-{}.{}\"",
        format.as_str(),
        format.extension()
    );
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let header = |value: &str| {
        axum::http::HeaderValue::from_str(value).unwrap_or(axum::http::HeaderValue::from_static(""))
    };
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        header(format.media_type()),
    );
    headers.insert(
        axum::http::header::CONTENT_DISPOSITION,
        header(&disposition),
    );
    headers.insert("x-items-exported", header(&report.exported.to_string()));
    headers.insert("x-items-skipped", header(&report.skipped().to_string()));
    Ok(response)
}

/// The `q` search text: trimmed, none when blank, at most 200 characters.
fn search_text(q: Option<String>) -> ApiResult<Option<String>> {
    let text = q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::validation("q", "must be at most 200 characters"));
    }
    Ok(text)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Exactly this topic.
    pub topic: Option<String>,
    /// Text the stem or the topic contains (case-insensitive ASCII), e.g. "digoxin"; at most 200
    /// characters.
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(value_type = Option<ItemType>)]
    pub item_type: Option<String>,
    #[param(value_type = Option<ClientNeed>)]
    pub client_need: Option<String>,
    #[param(value_type = Option<NcjmmFunction>)]
    pub ncjmm_function: Option<String>,
    #[param(value_type = Option<Difficulty>)]
    pub difficulty: Option<String>,
    /// "active" (default) or "retired".
    #[param(value_type = Option<ItemStatus>, inline)]
    pub status: Option<String>,
    /// "generated" or "authored".
    #[param(value_type = Option<ItemOrigin>, inline)]
    pub origin: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// The export formats, as the `format` parameter names them.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum ExportFormat {
    Qti21,
    Qti30,
    Moodle,
    Gift,
}

/// A bank item's status: `active` items are served, `retired` ones never again.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum ItemStatus {
    Active,
    Retired,
}

/// Where a bank item comes from.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum ItemOrigin {
    Generated,
    Authored,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankItem {
    #[serde(flatten)]
    pub item: Item,
    #[schema(value_type = ItemOrigin)]
    pub origin: String,
    #[schema(value_type = ItemStatus)]
    pub status: String,
    pub author_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<StoredItem> for BankItem {
    fn from(stored: StoredItem) -> Self {
        BankItem {
            item: stored.item,
            origin: stored.origin,
            status: stored.status,
            author_id: stored.author_id,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    pub items: Vec<BankItem>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Items in the bank, newest first (instructors and admins: items carry their keys).
#[utoipa::path(get, path = "/api/v1/items", tag = "items", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = ItemPage), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn list_items(
    State(state): State<AppState>,
    _staff: StaffUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<ItemPage>> {
    let Query(query) =
        query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
    let (limit, offset) = crate::http::auth::page_window(query.limit, query.offset)?;
    if let Some(kind) = &query.item_type
        && ItemType::parse(kind).is_none()
    {
        return Err(ApiError::validation(
            "item_type",
            format!("unknown item type \"{kind}\""),
        ));
    }
    if let Some(need) = &query.client_need
        && ClientNeed::parse(need).is_none()
    {
        return Err(ApiError::validation(
            "client_need",
            format!("unknown client need \"{need}\""),
        ));
    }
    if let Some(function) = &query.ncjmm_function
        && !NcjmmFunction::ALL
            .iter()
            .any(|known| known.as_str() == function)
    {
        return Err(ApiError::validation(
            "ncjmm_function",
            format!("unknown NCJMM function \"{function}\""),
        ));
    }
    if let Some(level) = &query.difficulty
        && Difficulty::parse(level).is_none()
    {
        return Err(ApiError::validation(
            "difficulty",
            "must be one of beginner, intermediate, advanced",
        ));
    }
    if let Some(origin) = &query.origin
        && !matches!(origin.as_str(), "generated" | "authored")
    {
        return Err(ApiError::validation(
            "origin",
            "must be generated or authored",
        ));
    }
    let search = search_text(query.q)?;
    let status = query.status.clone().unwrap_or_else(|| "active".to_owned());
    if !matches!(status.as_str(), "active" | "retired") {
        return Err(ApiError::validation("status", "must be active or retired"));
    }
    let filter = ItemQuery {
        topic: query.topic,
        item_type: query.item_type,
        client_need: query.client_need,
        ncjmm_function: query.ncjmm_function,
        difficulty: query.difficulty,
        status: Some(status),
        origin: query.origin,
        search,
        limit,
        offset,
    };
    let (items, total) = state
        .db
        .read(move |conn| bank::list_items(conn, &filter))
        .await?;
    Ok(ApiJson(ItemPage {
        items: items.into_iter().map(BankItem::from).collect(),
        total,
        limit,
        offset,
    }))
}

/// One bank item with its key and rationales (instructors and admins).
#[utoipa::path(get, path = "/api/v1/items/{item_id}", tag = "items", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "Item id")),
    responses((status = 200, body = BankItem), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn get_item(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(item_id): Path<ItemId>,
) -> ApiResult<ApiJson<BankItem>> {
    let id = item_id.clone();
    let stored = state
        .db
        .read(move |conn| bank::find_item(conn, &id))
        .await?;
    let stored = stored.ok_or_else(|| ApiError::NotFound(format!("no item with id {item_id}")))?;
    Ok(ApiJson(BankItem::from(stored)))
}

/// Checks an instructor's item with the authored-item gate and names every problem.
fn gate_authored(item: &Item) -> ApiResult<()> {
    let problems = gate::check_authored(item);
    if problems.is_empty() {
        return Ok(());
    }
    let errors: Vec<FieldError> = problems
        .iter()
        .map(|problem| FieldError::new("item", problem.clone()))
        .collect();
    Err(ApiError::Validation {
        message: format!(
            "the item does not pass the quality gate: {}",
            problems.join("; ")
        ),
        errors,
    })
}

/// Add an item you wrote (instructors and admins). It must pass the same quality gate as generated
/// items, citing its references in `sources`.
#[utoipa::path(post, path = "/api/v1/items", tag = "items", security(("bearer" = [])), request_body = Object,
    responses((status = 201, body = BankItem), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn create_item(
    State(state): State<AppState>,
    user: StaffUser,
    body: Result<ApiJson<Item>, ApiError>,
) -> ApiResult<(StatusCode, ApiJson<BankItem>)> {
    let ApiJson(mut item) = body?;
    item.id = format!("authored-{}", uuid::Uuid::new_v4().simple());
    item.item_model = "authored".to_owned();
    item.seed = 0;
    gate_authored(&item)?;
    let stamp = crate::clock::now_rfc3339();
    let author = user.0.principal.user_id;
    let id = item.id.clone();
    let stored = state
        .db
        .write(move |tx| {
            bank::insert_authored(tx, &item, &signature(&item), author, &stamp)?;
            bank::find_item(tx, &ItemId::from(item.id.as_str()))?
                .ok_or_else(|| DbError::Task("stored item vanished".into()))
        })
        .await?;
    tracing::info!(item = id.as_str(), author = author.get(), "item authored");
    Ok((StatusCode::CREATED, ApiJson(BankItem::from(stored))))
}

/// Replace an item's content (instructors and admins); the edited item must pass the gate and
/// becomes instructor-authored.
#[utoipa::path(put, path = "/api/v1/items/{item_id}", tag = "items", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "Item id")), request_body = Object,
    responses((status = 200, body = BankItem), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn replace_item(
    State(state): State<AppState>,
    user: StaffUser,
    Path(item_id): Path<String>,
    body: Result<ApiJson<Item>, ApiError>,
) -> ApiResult<ApiJson<BankItem>> {
    let ApiJson(mut item) = body?;
    item.id = item_id.clone();
    gate_authored(&item)?;
    let stamp = crate::clock::now_rfc3339();
    let author = user.0.principal.user_id;
    let stored = state
        .db
        .write(move |tx| {
            if !bank::update_item(tx, &item, &signature(&item), author, &stamp)? {
                return Ok(None);
            }
            bank::find_item(tx, &ItemId::from(item.id.as_str()))
        })
        .await?;
    stored
        .map(|stored| ApiJson(BankItem::from(stored)))
        .ok_or_else(|| ApiError::NotFound(format!("no item with id {item_id}")))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// "retired" (never served again) or "active".
    #[schema(value_type = ItemStatus)]
    pub status: String,
}

/// Retire an item or bring it back (instructors and admins).
#[utoipa::path(patch, path = "/api/v1/items/{item_id}", tag = "items", security(("bearer" = [])),
    params(("item_id" = String, Path, description = "Item id")), request_body = StatusChange,
    responses((status = 200, body = BankItem), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn set_item_status(
    State(state): State<AppState>,
    _staff: StaffUser,
    Path(item_id): Path<ItemId>,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<ApiJson<BankItem>> {
    if !matches!(change.status.as_str(), "active" | "retired") {
        return Err(ApiError::validation("status", "must be active or retired"));
    }
    let stamp = crate::clock::now_rfc3339();
    let id = item_id.clone();
    let stored = state
        .db
        .write(move |tx| {
            if !bank::set_status(tx, &id, &change.status, &stamp)? {
                return Ok(None);
            }
            bank::find_item(tx, &id)
        })
        .await?;
    stored
        .map(|stored| ApiJson(BankItem::from(stored)))
        .ok_or_else(|| ApiError::NotFound(format!("no item with id {item_id}")))
}
