//! Attempts over HTTP: start or resume, save one answer (acknowledged = committed), submit
//! (idempotent), and read an attempt (items without keys until it is closed, then the review).
//!
//! An attempt whose deadline passed is closed and scored as it stands: lazily here whenever it is
//! touched, and by the background sweep ([`spawn_deadline_sweep`]) even if nobody comes back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::practice::{
    self as store, AnswerSave, AnswerWriter, AttemptRecord, NewAttempt, SaveRefusal,
};
use crate::db::{Db, DbError};
use crate::domain::accounts::{Role, UserId, can_view_student};
use crate::domain::items::{Item, ItemId};
use crate::domain::practice::{self, AttemptId, AttemptStatus, QuizId, StartRefusal, Subtotals};
use crate::http::AppState;
use crate::http::auth::{CurrentUser, parse_time, path_id};
use crate::http::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::http::json::ApiJson;
use crate::http::quizzes::{db_error, student_quiz};
use crate::http::roles::StudentUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_attempt))
        .routes(routes!(get_attempt))
        .routes(routes!(save_response))
        .routes(routes!(submit_attempt))
        .routes(routes!(review_attempt))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}

fn now_unix() -> i64 {
    crate::clock::unix_now() as i64
}

fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A saved answer as the attempt shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedAnswerView {
    #[schema(value_type = Value, nullable)]
    pub answer: Value,
    pub flagged: bool,
    pub time_spent_ms: i64,
    pub saves: u32,
    pub saved_at: String,
}

/// One item's result in a review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    #[schema(value_type = String)]
    pub item_id: ItemId,
    pub position: u32,
    pub points: u32,
    pub max_points: u32,
    pub answered: bool,
    /// The student's answer (null when unanswered).
    #[schema(value_type = Option<Object>)]
    pub answer: Value,
    pub flagged: bool,
    pub time_spent_ms: i64,
    /// The item with `correct_answer`, `rationale` and `option_rationales`; absent when the quiz
    /// does not show its review to students.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
}

/// A closed attempt's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Review {
    #[schema(value_type = i64)]
    pub attempt_id: AttemptId,
    #[schema(value_type = i64)]
    pub quiz_id: QuizId,
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub status: AttemptStatus,
    pub score: u32,
    pub max_score: u32,
    pub percent: f64,
    pub submitted_at: Option<String>,
    /// Whether keys and rationales are included.
    pub keys_shown: bool,
    pub items: Vec<ReviewItem>,
    #[schema(value_type = Object)]
    pub subtotals: Subtotals,
}

/// An open attempt's items in its option order, written from the quiz's items serialised once
/// (`FrozenItems::presented`), so a start or resume copies text instead of converting 150 items.
#[derive(Debug, Default)]
pub struct ShownItems(Option<(Arc<store::FrozenItems>, OptionOrders)>);

/// An attempt's option order per item id.
type OptionOrders = BTreeMap<String, Vec<String>>;

impl Serialize for ShownItems {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let Some((frozen, orders)) = &self.0 else {
            return serializer.serialize_seq(Some(0))?.end();
        };
        let mut seq = serializer.serialize_seq(Some(frozen.items.len()))?;
        for (item, presented) in frozen.items.iter().zip(frozen.presented()) {
            seq.serialize_element(&presented.in_order(orders.get(&item.id)))?;
        }
        seq.end()
    }
}

/// An attempt as the API shows it: open ones with their items (no keys) and saved answers, closed
/// ones with their review.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    #[schema(value_type = i64)]
    pub attempt_id: AttemptId,
    #[schema(value_type = i64)]
    pub quiz_id: QuizId,
    #[schema(value_type = i64)]
    pub student_id: UserId,
    pub attempt_number: u32,
    pub status: AttemptStatus,
    pub started_at: String,
    /// RFC 3339; null when untimed.
    pub deadline_at: Option<String>,
    /// Seconds left before the deadline (open, timed attempts).
    pub seconds_remaining: Option<i64>,
    pub max_score: u32,
    /// Open attempts: the items in order, options in this attempt's order, without keys.
    #[schema(value_type = Vec<Object>)]
    pub items: ShownItems,
    /// Open attempts: saved answers by item id.
    pub responses: BTreeMap<String, SavedAnswerView>,
    /// Closed attempts: the result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// Closes an attempt as expired if its deadline passed; true when it did.
async fn expire_if_due(
    state: &AppState,
    id: AttemptId,
    status: AttemptStatus,
    deadline_at: Option<i64>,
) -> ApiResult<bool> {
    let due = status == AttemptStatus::InProgress
        && deadline_at.is_some_and(|deadline| now_unix() >= deadline);
    if !due {
        return Ok(false);
    }
    let now = crate::clock::now_rfc3339();
    let cache = Arc::clone(state.practice.items());
    state
        .practice
        .run(move |tx| store::finish_attempt(tx, id, AttemptStatus::Expired, &now, &cache))
        .await?;
    Ok(true)
}

/// Loads an attempt the caller may see: their own, or (staff) a student they may view.
async fn visible_attempt(
    state: &AppState,
    user: &CurrentUser,
    id: AttemptId,
) -> ApiResult<AttemptRecord> {
    let mut attempt = state
        .db
        .read(move |conn| store::find_attempt(conn, id))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no attempt with id {}", id.0)))?;
    let principal = &user.0.principal;
    if principal.user_id != attempt.student_id {
        let student = attempt.student_id;
        let cohorts = state
            .db
            .read(move |conn| {
                crate::db::accounts::cohort_ids_of(
                    conn,
                    student,
                    Some(crate::domain::accounts::Role::Student),
                )
            })
            .await?;
        if principal.role == Role::Student || !can_view_student(principal, student, &cohorts) {
            return Err(ApiError::Forbidden(
                "this attempt belongs to another student".into(),
            ));
        }
    }
    if expire_if_due(state, attempt.id, attempt.status, attempt.deadline_at).await? {
        attempt = state
            .db
            .read(move |conn| store::find_attempt(conn, id))
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no attempt with id {}", id.0)))?;
    }
    Ok(attempt)
}

/// Builds the review of a closed attempt. Keys are shown to staff always, to the student when the
/// quiz allows it.
async fn review(state: &AppState, attempt: &AttemptRecord, staff: bool) -> ApiResult<Review> {
    let (id, quiz) = (attempt.id, attempt.quiz_id);
    let cache = Arc::clone(state.practice.items());
    let (frozen, rows, saved, record) = state
        .db
        .read(move |conn| {
            Ok((
                cache.get(conn, quiz)?,
                store::responses(conn, id)?,
                store::saved_answers(conn, id)?,
                store::find_quiz(conn, quiz)?,
            ))
        })
        .await?;
    let keys_shown = staff || record.is_some_and(|record| record.settings.show_review);
    let scored: Vec<practice::ScoredItem> = rows
        .iter()
        .map(|row| practice::ScoredItem {
            item_id: row.item_id.clone(),
            position: row.position as usize,
            answered: row.answered,
            points: row.points,
            max_points: row.max_points,
        })
        .collect();
    let ordered: Vec<Item> = rows
        .iter()
        .filter_map(|row| frozen.get(&row.item_id).cloned())
        .collect();
    let subtotals = practice::subtotals(&ordered, &scored);
    let saved: BTreeMap<&str, &store::SavedAnswer> = saved
        .iter()
        .map(|saved| (saved.item_id.as_str(), saved))
        .collect();
    let review_items = rows
        .iter()
        .map(|row| {
            let saved = saved.get(row.item_id.as_str());
            ReviewItem {
                item_id: row.item_id.clone(),
                position: row.position,
                points: row.points,
                max_points: row.max_points,
                answered: row.answered,
                answer: saved.map_or(Value::Null, |saved| saved.answer.clone()),
                flagged: saved.is_some_and(|saved| saved.flagged),
                time_spent_ms: row.time_spent_ms,
                item: keys_shown
                    .then(|| frozen.get(&row.item_id).cloned())
                    .flatten(),
            }
        })
        .collect();
    let score = attempt.score.unwrap_or(0);
    Ok(Review {
        attempt_id: attempt.id,
        quiz_id: attempt.quiz_id,
        student_id: attempt.student_id,
        status: attempt.status,
        score,
        max_score: attempt.max_score,
        percent: if attempt.max_score == 0 {
            0.0
        } else {
            (f64::from(score) * 1000.0 / f64::from(attempt.max_score)).round() / 10.0
        },
        submitted_at: attempt.submitted_at.clone(),
        keys_shown,
        items: review_items,
        subtotals,
    })
}

/// The view of an attempt for its student or staff.
pub async fn attempt_view(
    state: &AppState,
    attempt: &AttemptRecord,
    staff: bool,
) -> ApiResult<AttemptView> {
    let mut view = AttemptView {
        attempt_id: attempt.id,
        quiz_id: attempt.quiz_id,
        student_id: attempt.student_id,
        attempt_number: attempt.attempt_number,
        status: attempt.status,
        started_at: attempt.started_at.clone(),
        deadline_at: attempt.deadline_at.map(rfc3339),
        seconds_remaining: None,
        max_score: attempt.max_score,
        items: ShownItems::default(),
        responses: BTreeMap::new(),
        review: None,
    };
    if attempt.status.is_closed() {
        view.review = Some(review(state, attempt, staff).await?);
        return Ok(view);
    }
    view.seconds_remaining = attempt
        .deadline_at
        .map(|deadline| (deadline - now_unix()).max(0));
    let (id, quiz) = (attempt.id, attempt.quiz_id);
    let cache = Arc::clone(state.practice.items());
    let (frozen, saved) = state
        .db
        .read(move |conn| Ok((cache.get(conn, quiz)?, store::saved_answers(conn, id)?)))
        .await?;
    view.items = ShownItems(Some((frozen, attempt.option_orders.clone())));
    view.responses = saved
        .into_iter()
        .map(|saved| {
            (
                saved.item_id.into_string(),
                SavedAnswerView {
                    answer: saved.answer,
                    flagged: saved.flagged,
                    time_spent_ms: saved.time_spent_ms,
                    saves: saved.saves,
                    saved_at: saved.updated_at,
                },
            )
        })
        .collect();
    Ok(view)
}

/// Starts an attempt at `quiz` for `student`, or resumes the open one.
pub async fn start_or_resume(
    state: &AppState,
    student: UserId,
    quiz: QuizId,
) -> ApiResult<(bool, AttemptRecord)> {
    let record = student_quiz(state, student, quiz).await?;
    if let Some(open) = state
        .db
        .read(move |conn| store::open_attempt(conn, quiz, student))
        .await?
        && !expire_if_due(state, open.id, open.status, open.deadline_at).await?
    {
        let id = open.id;
        let now = now_ms();
        state
            .practice
            .run(move |tx| store::touch_attempt(tx, id, now))
            .await?;
        return Ok((false, open));
    }
    let now = now_unix();
    let opens_text = record.settings.opens_at.clone();
    let closes_text = record.settings.closes_at.clone();
    let settings = record.settings.clone();
    let max_score = record.max_score;
    let started = now as u64;
    let cache = Arc::clone(state.practice.items());
    let attempt = state
        .practice
        .run(move |tx| {
            let opens = opens_text
                .as_deref()
                .and_then(|text| parse_time(text).map(|t| (t, text)));
            let closes = closes_text
                .as_deref()
                .and_then(|text| parse_time(text).map(|t| (t, text)));
            // Another device may have started it a moment ago: resume that one.
            if let Some(open) = store::open_attempt(tx, quiz, student)? {
                return Ok(Ok((false, open)));
            }
            let used = store::attempts_used(tx, quiz, student)?;
            if let Err(refusal) =
                practice::may_start(started, opens, closes, settings.attempt_limit, used)
            {
                return Ok(Err(refusal));
            }
            let frozen = cache.get(tx, quiz)?;
            let items = &frozen.items;
            let seed = crate::domain::items::rng::mix(
                quiz.0 as u64,
                (student.get() as u64) << 20 | u64::from(used),
            );
            let option_orders = if settings.shuffle_options {
                practice::option_orders(items, seed)
            } else {
                BTreeMap::new()
            };
            let deadline = practice::deadline(
                started,
                settings.time_limit_minutes,
                closes.map(|(close, _)| close),
            );
            let id = store::insert_attempt(
                tx,
                &NewAttempt {
                    quiz_id: quiz,
                    student_id: student,
                    started_at: crate::clock::now_rfc3339(),
                    deadline_at: deadline.map(|d| d as i64),
                    now_ms: now_ms(),
                    option_orders,
                    max_score,
                },
            )?;
            let attempt = store::find_attempt(tx, id)?
                .ok_or_else(|| DbError::Task("the new attempt vanished".into()))?;
            Ok(Ok((true, attempt)))
        })
        .await
        .map_err(db_error)?;
    attempt.map_err(|refusal| match refusal {
        StartRefusal::AttemptsUsedUp(_) => ApiError::Conflict(refusal.to_string()),
        StartRefusal::NotOpenYet(_) | StartRefusal::Closed(_) => {
            ApiError::Forbidden(refusal.to_string())
        }
    })
}

/// Start an attempt at a quiz assigned to one of your cohorts, or resume your open one (students).
/// 201 for a new attempt, 200 for a resumed one; items come without keys or rationales.
#[utoipa::path(post, path = "/api/v1/quizzes/{quiz_id}/attempts", tag = "practice", security(("bearer" = [])),
    params(("quiz_id" = i64, Path, description = "Quiz id")),
    responses((status = 201, body = AttemptView), (status = 200, description = "The open attempt, resumed", body = AttemptView),
              (status = 403, description = "Not assigned to you, or outside its open window", body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 409, description = "Attempt limit used up", body = ErrorEnvelope)))]
async fn start_attempt(
    State(state): State<AppState>,
    student: StudentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<(StatusCode, ApiJson<AttemptView>)> {
    let quiz = QuizId(path_id(path, "quiz_id")?);
    let (created, attempt) = start_or_resume(&state, student.principal.user_id, quiz).await?;
    let view = attempt_view(&state, &attempt, false).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(view)))
}

/// Your attempt (or, for staff, a student's attempt they may see): open attempts show their items
/// without keys; closed ones their review.
#[utoipa::path(get, path = "/api/v1/attempts/{attempt_id}", tag = "practice", security(("bearer" = [])),
    params(("attempt_id" = i64, Path, description = "Attempt id")),
    responses((status = 200, body = AttemptView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn get_attempt(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<AttemptView>> {
    let id = AttemptId(path_id(path, "attempt_id")?);
    let attempt = visible_attempt(&state, &user, id).await?;
    let staff = user.0.principal.role != Role::Student;
    Ok(ApiJson(attempt_view(&state, &attempt, staff).await?))
}

/// `PUT /api/v1/attempts/{attempt_id}/responses/{item_id}` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// In the item type's answer shape; null clears the answer. Omit to change only the flag.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Value, nullable)]
    pub answer: Option<Value>,
    /// Flag the item for review.
    #[serde(default)]
    pub flagged: Option<bool>,
}

/// Distinguishes `"answer": null` (clear it) from no `answer` at all (keep it).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The acknowledgement of a committed save.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaveReceiptView {
    #[schema(value_type = i64)]
    pub attempt_id: AttemptId,
    #[schema(value_type = String)]
    pub item_id: ItemId,
    /// Always true: the answer is on disk when this reply is sent.
    pub saved: bool,
    pub flagged: bool,
    /// Server-measured time on this item so far.
    pub time_spent_ms: i64,
    pub saves: u32,
    pub saved_at: String,
}

/// Save one answer. The reply comes after the answer is committed to disk; an earlier answer to
/// the item stays in its history.
#[utoipa::path(put, path = "/api/v1/attempts/{attempt_id}/responses/{item_id}", tag = "practice", security(("bearer" = [])),
    params(("attempt_id" = i64, Path, description = "Attempt id"), ("item_id" = String, Path, description = "Item id")),
    request_body = SaveRequest,
    responses((status = 200, body = SaveReceiptView),
              (status = 403, description = "Another student's attempt", body = ErrorEnvelope),
              (status = 404, description = "No such attempt, or the item is not in it", body = ErrorEnvelope),
              (status = 409, description = "The attempt was submitted or its time ran out", body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope),
              (status = 422, description = "The answer's shape does not fit the item", body = ErrorEnvelope)))]
async fn save_response(
    State(state): State<AppState>,
    student: StudentUser,
    path: Result<Path<(i64, ItemId)>, axum::extract::rejection::PathRejection>,
    ApiJson(request): ApiJson<SaveRequest>,
) -> ApiResult<ApiJson<SaveReceiptView>> {
    let Path((attempt_id, item_id)) =
        path.map_err(|_| ApiError::validation("attempt_id", "must be a whole number"))?;
    let id = AttemptId(attempt_id);
    if request.answer.is_none() && request.flagged.is_none() {
        return Err(ApiError::validation(
            "answer",
            "give an answer, a flag, or both",
        ));
    }
    // One primary-key read on this thread; the quiz's items come from memory after the first save.
    let cache = state.practice.items();
    let (attempt, frozen) = state.db.read_now(|conn| {
        let attempt = store::attempt_owner(conn, id)?;
        let frozen = match &attempt {
            Some(attempt) => Some(cache.get(conn, attempt.quiz_id)?),
            None => None,
        };
        Ok((attempt, frozen))
    })?;
    let attempt =
        attempt.ok_or_else(|| ApiError::NotFound(format!("no attempt with id {attempt_id}")))?;
    if attempt.student_id != student.principal.user_id {
        return Err(ApiError::Forbidden(
            "this attempt belongs to another student".into(),
        ));
    }
    if attempt.status.is_closed() {
        return Err(closed(id, attempt.status));
    }
    let item = frozen.as_deref().and_then(|frozen| frozen.get(&item_id));
    let item = item.ok_or_else(|| {
        ApiError::NotFound(format!(
            "item \"{item_id}\" is not part of attempt {attempt_id}"
        ))
    })?;
    if let Some(answer) = &request.answer {
        let size = serde_json::to_vec(answer).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_ANSWER_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_ANSWER_BYTES as u64,
            });
        }
        practice::check_answer(item, answer)
            .map_err(|problem| ApiError::validation("answer", problem.0))?;
    }
    let now = crate::clock::now_rfc3339();
    let outcome = state
        .practice
        .save(AnswerSave {
            attempt_id: id,
            item_id: item_id.clone(),
            answer: request.answer,
            flagged: request.flagged,
            now_ms: now_ms(),
            now_unix: now_unix(),
            now: now.clone(),
        })
        .await?;
    match outcome {
        Ok(receipt) => Ok(ApiJson(SaveReceiptView {
            attempt_id: id,
            item_id,
            saved: true,
            flagged: receipt.flagged,
            time_spent_ms: receipt.time_spent_ms,
            saves: receipt.saves,
            saved_at: now,
        })),
        Err(SaveRefusal::PastDeadline(_, at)) => {
            expire_if_due(&state, id, attempt.status, attempt.deadline_at).await?;
            Err(ApiError::Conflict(format!(
                "the time limit of this attempt ended at {at}; the answer was not saved and the attempt was scored as it stood"
            )))
        }
        Err(SaveRefusal::Closed(_, status)) => Err(closed(
            id,
            AttemptStatus::parse(status).unwrap_or(AttemptStatus::Submitted),
        )),
        Err(SaveRefusal::NoAttempt(_)) => Err(ApiError::NotFound(format!(
            "no attempt with id {attempt_id}"
        ))),
    }
}

/// The largest answer accepted: a case study's six answers fit in a few kilobytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

fn closed(id: AttemptId, status: AttemptStatus) -> ApiError {
    ApiError::Conflict(match status {
        AttemptStatus::Expired => format!(
            "the time limit of attempt {} ran out and it was scored as it stood; answers can no longer change",
            id.0
        ),
        _ => format!(
            "attempt {} was already {}; answers can no longer change",
            id.0,
            status.as_str()
        ),
    })
}

/// Submit an attempt and get its result. Idempotent: submitting again, or from two devices at
/// once, returns the same result and scores once. An attempt whose time ran out was already
/// scored; submitting it returns that result.
#[utoipa::path(post, path = "/api/v1/attempts/{attempt_id}/submit", tag = "practice", security(("bearer" = [])),
    params(("attempt_id" = i64, Path, description = "Attempt id")),
    responses((status = 200, body = Review), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
async fn submit_attempt(
    State(state): State<AppState>,
    student: StudentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<Review>> {
    let id = AttemptId(path_id(path, "attempt_id")?);
    let user = CurrentUser(student.0.clone());
    let attempt = visible_attempt(&state, &user, id).await?;
    let attempt = if attempt.status.is_closed() {
        attempt
    } else {
        let now = crate::clock::now_rfc3339();
        let cache = Arc::clone(state.practice.items());
        state
            .practice
            .run(move |tx| {
                store::finish_attempt(tx, id, AttemptStatus::Submitted, &now, &cache)?;
                store::find_attempt(tx, id)?
                    .ok_or_else(|| DbError::Task("the attempt vanished".into()))
            })
            .await?
    };
    Ok(ApiJson(review(&state, &attempt, false).await?))
}

/// The review of a closed attempt: score, per-item points, your answers, keys, rationales and
/// subtotals by client need and NCJMM function. Before submission: 403.
#[utoipa::path(get, path = "/api/v1/attempts/{attempt_id}/review", tag = "practice", security(("bearer" = [])),
    params(("attempt_id" = i64, Path, description = "Attempt id")),
    responses((status = 200, body = Review),
              (status = 403, description = "Not yours, or not submitted yet (keys come after submission)", body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope)))]
async fn review_attempt(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<Review>> {
    let id = AttemptId(path_id(path, "attempt_id")?);
    let attempt = visible_attempt(&state, &user, id).await?;
    if !attempt.status.is_closed() {
        return Err(ApiError::Forbidden(
            "keys and rationales are shown only after the attempt is submitted".into(),
        ));
    }
    let staff = user.0.principal.role != Role::Student;
    Ok(ApiJson(review(&state, &attempt, staff).await?))
}

/// Closes and scores attempts whose deadline passed, every few seconds, so a student who never
/// comes back still gets a score.
pub fn spawn_deadline_sweep(db: Db, writer: Arc<AnswerWriter>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticker.tick().await;
            let now = now_unix();
            let due = match db
                .read(move |conn| store::expired_attempts(conn, now))
                .await
            {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "deadline sweep could not list expired attempts");
                    continue;
                }
            };
            for id in due {
                let stamp = crate::clock::now_rfc3339();
                let cache = Arc::clone(writer.items());
                match writer
                    .run(move |tx| {
                        store::finish_attempt(tx, id, AttemptStatus::Expired, &stamp, &cache)
                    })
                    .await
                {
                    Ok(true) => tracing::info!(
                        attempt_id = id.0,
                        "attempt closed at its deadline and scored"
                    ),
                    Ok(false) => {}
                    Err(error) => {
                        tracing::warn!(%error, attempt_id = id.0, "deadline sweep could not close an attempt")
                    }
                }
            }
        }
    })
}
