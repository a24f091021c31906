//! Self-practice over HTTP: `POST /api/v1/practice` makes a practice set of freshly generated items
//! (preferring items this student has not met), or of the generated bank items a learning path
//! named (`item_ids`), and starts an attempt on it.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::content::TopicMatch;
use crate::db::items as bank;
use crate::db::practice::{self as store, QuizSettings};
use crate::domain::accounts::UserId;
use crate::domain::items::catalog::{Filter, signature};
use crate::domain::items::generate::generate_preferring_unseen;
use crate::domain::items::rng::mix;
use crate::domain::items::{ClientNeed, Difficulty, Item, ItemId, ItemType};
use crate::domain::practice::QuizKind;
use crate::http::AppState;
use crate::http::attempts::{AttemptView, attempt_view, start_or_resume};
use crate::http::error::{ApiError, ApiResult, ErrorEnvelope, FieldError};
use crate::http::json::ApiJson;
use crate::http::quizzes::db_error;
use crate::http::roles::StudentUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(start_practice))
}

/// `POST /api/v1/practice` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeRequest {
    /// A condition, drug, lab or area; none = any.
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub client_need: Option<ClientNeed>,
    /// Default: every type.
    #[serde(default)]
    pub item_types: Option<Vec<ItemType>>,
    /// 1 to 50.
    #[schema(minimum = 1, maximum = 50)]
    pub count: i64,
    /// Preferred; other levels fill up when too few match.
    #[serde(default)]
    pub difficulty: Option<Difficulty>,
    /// Practise exactly these generated bank items (as a learning path names them), instead of
    /// freshly generated ones; `count` must equal their number and the filters must be absent.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub item_ids: Option<Vec<String>>,
}

/// The generated, active bank items `ids` names, in its order, or the precise refusal.
async fn listed_items(
    state: &AppState,
    request: &PracticeRequest,
    ids: &[String],
) -> ApiResult<Vec<Item>> {
    if request.topic.is_some()
        || request.client_need.is_some()
        || request.item_types.is_some()
        || request.difficulty.is_some()
    {
        return Err(ApiError::validation(
            "item_ids",
            "give either item_ids or the filters (topic, client_need, item_types, difficulty), not both",
        ));
    }
    if ids.len() as i64 != request.count {
        return Err(ApiError::validation(
            "count",
            format!("must equal the number of item_ids ({})", ids.len()),
        ));
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    if unique.len() != ids.len() {
        return Err(ApiError::validation("item_ids", "must not repeat an item"));
    }
    let wanted = ids.to_vec();
    let found = state
        .db
        .read(move |conn| {
            wanted
                .iter()
                .map(|id| bank::find_item(conn, &ItemId::from(id.as_str())))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let mut items = Vec::with_capacity(ids.len());
    for (id, stored) in ids.iter().zip(found) {
        // Authored items may be kept for an exam; only generated ones are open to practice.
        match stored {
            Some(stored) if stored.origin == "generated" && stored.status == "active" => {
                items.push(stored.item)
            }
            _ => {
                let shown: String = id.chars().take(80).collect();
                return Err(ApiError::validation(
                    "item_ids",
                    format!("`{shown}` is not an active generated item of the bank"),
                ));
            }
        }
    }
    Ok(items)
}

/// Start a self-practice attempt on freshly generated items (students). Items this student has
/// met before are used only when too few new ones can be made.
#[utoipa::path(post, path = "/api/v1/practice", tag = "practice", security(("bearer" = [])), request_body = PracticeRequest,
    responses((status = 201, body = AttemptView), (status = 403, body = ErrorEnvelope),
              (status = 422, description = "Bad parameters, unknown topic, or nothing can be generated", body = ErrorEnvelope)))]
async fn start_practice(
    State(state): State<AppState>,
    student: StudentUser,
    ApiJson(request): ApiJson<PracticeRequest>,
) -> ApiResult<(StatusCode, ApiJson<AttemptView>)> {
    if !(1..=50).contains(&request.count) {
        return Err(ApiError::validation("count", "must be between 1 and 50"));
    }
    if let Some(ids) = &request.item_ids {
        let items = listed_items(&state, &request, ids).await?;
        let title = "Practice: learning path".to_owned();
        return start_on(&state, student.principal.user_id, title, items).await;
    }
    let topic = request
        .topic
        .as_deref()
        .map(str::trim)
        .filter(|topic| !topic.is_empty())
        .map(str::to_owned);
    if topic
        .as_ref()
        .is_some_and(|topic| topic.chars().count() > 200)
    {
        return Err(ApiError::validation(
            "topic",
            "must be at most 200 characters",
        ));
    }
    if request.item_types.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::validation(
            "item_types",
            "must name at least one item type",
        ));
    }
    let content = state.content.get().await.map_err(|error| {
        ApiError::Unavailable(format!("item generation is unavailable: {error}"))
    })?;
    let subjects = match &topic {
        None => None,
        Some(topic) => match content.topics.resolve(topic) {
            TopicMatch::Subjects(subjects) => Some(subjects),
            TopicMatch::Unknown { suggestions } => {
                let message = format!(
                    "no topic matches \"{topic}\"; try: {}",
                    suggestions.join(", ")
                );
                return Err(ApiError::Validation {
                    message: message.clone(),
                    errors: vec![FieldError::new("topic", message)],
                });
            }
        },
    };
    let student_id = student.principal.user_id;
    let seen = state
        .db
        .read(move |conn| store::seen_items(conn, student_id))
        .await?;
    let filter = Filter {
        subjects,
        item_types: request
            .item_types
            .map(|types| types.into_iter().collect::<BTreeSet<_>>()),
        client_need: request.client_need,
        difficulty: request.difficulty,
    };
    let count = request.count as usize;
    let seed = mix(crate::clock::unix_now(), student_id.get() as u64);
    let items = tokio::task::spawn_blocking(move || {
        generate_preferring_unseen(&content.catalog, &content.kb, &filter, count, seed, &seen)
    })
    .await
    .map_err(ApiError::internal)?;
    if items.is_empty() {
        state.metrics.nclex_generation_failures.inc();
        return Err(ApiError::validation(
            "item_types",
            "no item of the requested kind can be made for this topic yet; try other item types or a broader topic",
        ));
    }
    let title = match &topic {
        Some(topic) => format!("Practice: {topic}"),
        None => "Practice".to_owned(),
    };
    start_on(&state, student_id, title, items).await
}

/// Stores `items` (new ones into the bank) as the student's practice set and starts the attempt.
async fn start_on(
    state: &AppState,
    student_id: UserId,
    title: String,
    items: Vec<Item>,
) -> ApiResult<(StatusCode, ApiJson<AttemptView>)> {
    let settings = QuizSettings {
        kind: QuizKind::Practice,
        title,
        instructions: String::new(),
        time_limit_minutes: None,
        opens_at: None,
        closes_at: None,
        attempt_limit: Some(1),
        show_review: true,
        shuffle_options: false,
        cohort_ids: Vec::new(),
    };
    let now = crate::clock::now_rfc3339();
    let rows: Vec<(Item, String)> = items
        .iter()
        .map(|item| (item.clone(), signature(item)))
        .collect();
    let quiz = state
        .db
        .write(move |tx| {
            bank::insert_generated(tx, &rows, &now)?;
            store::insert_quiz(tx, &settings, &items, student_id, &now)
        })
        .await
        .map_err(db_error)?;
    let (_, attempt) = start_or_resume(state, student_id, quiz).await?;
    let view = attempt_view(state, &attempt, false).await?;
    Ok((StatusCode::CREATED, ApiJson(view)))
}
