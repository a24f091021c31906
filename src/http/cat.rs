//! The adaptive practice exam over HTTP: `POST /api/v1/cat/sessions` starts one (or resumes the
//! student's unfinished one) and presents the first item; `POST /api/v1/cat/sessions/{id}/answers`
//! scores the pending item and presents the next, or ends the exam with its result. The exam's rules
//! are `domain::psychometrics::cat`; sessions are stored after every answer, so they survive a
//! restart. Presented items are stored in the item bank, so they are addressable.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::DbError;
use crate::db::cat::{self as store, SessionRecord};
use crate::db::items as item_bank;
use crate::domain::items::rng::mix;
use crate::domain::items::scoring::score;
use crate::domain::items::{Item, ItemId, ItemType};
use crate::domain::psychometrics::bank::{self, BANK_SEED, CatBank};
use crate::domain::psychometrics::calibration::CalibrationRunId;
use crate::domain::psychometrics::cat::{
    self, CatConfig, CatResult, CatSessionId, CatState, PartDetail, ScoredPart, StopRule,
};
use crate::http::AppState;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::StudentUser;

/// Items generated per client need for the built-in bank.
pub const BANK_ITEMS_PER_NEED: usize = 400;
/// Items seen in an adaptive exam within this many days are not presented again.
pub const RECENT_DAYS: i64 = 30;
/// The NCLEX-RN time limit, and the default.
pub const MAX_TIME_LIMIT_MINUTES: u32 = 300;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_session))
        .routes(routes!(answer))
}

static BANK: tokio::sync::OnceCell<Result<Arc<CatBank>, String>> =
    tokio::sync::OnceCell::const_new();

/// How long a request waits for the bank to be built before answering 503 (the build goes on).
const BANK_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// The bank with the newest calibration applied, and the run it came from.
static CALIBRATED: std::sync::Mutex<Option<(CalibrationRunId, Arc<CatBank>)>> =
    std::sync::Mutex::new(None);

/// The adaptive exam's bank: the built-in bank with the difficulties of the newest calibration
/// run for the items it calibrated on enough responses
/// ([`crate::domain::psychometrics::calibration::usable_by_exam`]); the priors for the rest.
/// Rebuilt once per new run.
pub async fn cat_bank(state: &AppState) -> ApiResult<Arc<CatBank>> {
    let base = base_bank(state).await?;
    let Some(run) = crate::ops::calibration::current_run(&state.db).await? else {
        return Ok(base);
    };
    if let Some((built_from, bank)) = CALIBRATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ref()
        && *built_from == run
    {
        return Ok(Arc::clone(bank));
    }
    let stored = state.db.read(crate::db::calibration::calibrations).await?;
    let calibrated: std::collections::HashMap<String, f64> = stored
        .into_iter()
        .filter(|item| crate::domain::psychometrics::calibration::usable_by_exam(&item.estimate))
        .map(|item| (item.item_id, item.estimate.b))
        .collect();
    let bank = if calibrated.is_empty() {
        base
    } else {
        tokio::task::spawn_blocking(move || Arc::new(bank::with_calibration(&base, &calibrated)))
            .await
            .map_err(ApiError::internal)?
    };
    *CALIBRATED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((run, Arc::clone(&bank)));
    Ok(bank)
}

/// The built-in bank with prior difficulties, built from the catalog on first use (a few
/// seconds). The build runs in its own task, so a request that gives up waiting does not cancel it.
async fn base_bank(state: &AppState) -> ApiResult<Arc<CatBank>> {
    let content = state.content.clone();
    let build = tokio::spawn(async move {
        BANK.get_or_init(|| async move {
            let content = content.get().await?;
            tokio::task::spawn_blocking(move || {
                Arc::new(bank::generate(
                    &content.catalog,
                    &content.kb,
                    BANK_ITEMS_PER_NEED,
                    BANK_SEED,
                ))
            })
            .await
            .map_err(|error| error.to_string())
        })
        .await
        .clone()
    });
    match tokio::time::timeout(BANK_WAIT, build).await {
        Ok(Ok(Ok(bank))) => Ok(bank),
        Ok(Ok(Err(error))) => Err(ApiError::Unavailable(format!(
            "the adaptive exam is unavailable: {error}"
        ))),
        Ok(Err(error)) => Err(ApiError::internal(error)),
        Err(_) => Err(ApiError::Unavailable(
            "the adaptive exam's item bank is still being prepared; try again in a few seconds"
                .into(),
        )),
    }
}

/// Exam settings; every field is optional (`{}` is the NCLEX-RN length: 85–150 items, 5 hours).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// 10–150; default 85 (or `max_items` when that is smaller).
    #[schema(minimum = 10, maximum = 150)]
    pub min_items: Option<usize>,
    /// `min_items`–150; default 150.
    #[schema(minimum = 10, maximum = 150)]
    pub max_items: Option<usize>,
    /// 1–300; default 300.
    #[schema(minimum = 1, maximum = 300)]
    pub time_limit_minutes: Option<u32>,
}

/// A session's state as the student sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    #[schema(value_type = i64)]
    pub session_id: CatSessionId,
    /// True when this is the student's unfinished exam, resumed.
    pub resumed: bool,
    pub items_answered: usize,
    pub min_items: usize,
    pub max_items: usize,
    /// The item waiting for an answer, without its key; absent once the exam has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub item: Option<Value>,
    /// The result, once the exam has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<CatResult>,
}

fn view(session: &SessionRecord, resumed: bool, bank: &CatBank) -> SessionView {
    let item = if session.result.is_some() {
        None
    } else {
        session
            .state
            .pending()
            .and_then(|id| bank.items.get(id))
            .map(|item| crate::domain::practice::present(item, None))
    };
    SessionView {
        session_id: session.id,
        resumed,
        items_answered: session.state.items_answered(),
        min_items: session.state.config.min_items,
        max_items: session.state.config.max_items,
        item,
        result: session.result.clone(),
    }
}

fn config_of(body: &StartSession) -> ApiResult<(CatConfig, i64)> {
    let max_items = body.max_items.unwrap_or(cat::MAX_ITEMS);
    let min_items = body
        .min_items
        .unwrap_or(CatConfig::default().min_items.min(max_items));
    let config = CatConfig::practice(min_items, max_items)
        .map_err(|error| ApiError::validation(error.field, error.message))?;
    let minutes = body.time_limit_minutes.unwrap_or(MAX_TIME_LIMIT_MINUTES);
    if !(1..=MAX_TIME_LIMIT_MINUTES).contains(&minutes) {
        return Err(ApiError::validation(
            "time_limit_minutes",
            format!("must be between 1 and {MAX_TIME_LIMIT_MINUTES}"),
        ));
    }
    Ok((config, i64::from(minutes) * 60))
}

/// Start an adaptive practice exam, or resume the student's unfinished one (students). Returns the
/// first (or pending) item without its key.
#[utoipa::path(post, path = "/api/v1/cat/sessions", tag = "adaptive exam", security(("bearer" = [])),
    request_body = StartSession,
    responses((status = 201, description = "A new exam", body = SessionView),
              (status = 200, description = "The student's unfinished exam, resumed (or ended by its time limit)", body = SessionView),
              (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 422, body = crate::http::error::ErrorEnvelope),
              (status = 503, body = crate::http::error::ErrorEnvelope)))]
async fn start_session(
    State(state): State<AppState>,
    student: StudentUser,
    ApiJson(body): ApiJson<StartSession>,
) -> ApiResult<(StatusCode, ApiJson<SessionView>)> {
    let (config, time_limit_secs) = config_of(&body)?;
    let bank = cat_bank(&state).await?;
    let student_id = student.principal.user_id;
    let now = crate::clock::now_rfc3339();
    let now_unix = crate::clock::unix_now() as i64;
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(RECENT_DAYS);
    let since = since
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(ApiError::internal)?;
    let seed = mix(
        student_id.get() as u64,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64),
    );
    let bank_tx = Arc::clone(&bank);
    let (session, resumed) = state
        .db
        .write(move |tx| {
            if let Some(mut session) = store::active_session(tx, student_id)? {
                // An abandoned exam resumes where it stopped, unless its time ran out meanwhile.
                if now_unix - session.started_unix > session.time_limit_secs {
                    session.result = Some(cat::result(&session.state, StopRule::RunOutOfTime));
                    store::save_progress(tx, &session, &[], &[], "", &now)?;
                }
                return Ok((session, true));
            }
            let excluded = store::seen_since(tx, student_id, &since)?;
            let mut session = SessionRecord {
                id: CatSessionId(0),
                student_id,
                finished: false,
                state: CatState::new(config, seed),
                excluded,
                result: None,
                time_limit_secs,
                started_unix: now_unix,
            };
            store::advance(tx, &mut session, &bank_tx, None, &now)?;
            session.id = store::insert_session(
                tx,
                student_id,
                &session.state,
                &session.excluded,
                time_limit_secs,
                &now,
                now_unix,
            )?;
            if session.result.is_some() {
                store::save_progress(tx, &session, &[], &[], "", &now)?;
            }
            Ok((session, false))
        })
        .await?;
    let status = if resumed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, ApiJson(view(&session, resumed, &bank))))
}

/// An answer to the pending item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub item_id: String,
    /// In the item type's answer shape; a case study's is `{item_id: answer}` for its six items
    /// (an item left out scores 0).
    #[schema(value_type = Object)]
    pub answer: Value,
}

/// Scores `answer` to `item` part by part: full points make a part correct (the partial-credit
/// points of polytomous items count as not correct for the Rasch estimate, and are kept for the
/// student's progress).
fn score_parts(item: &Item, answer: &Value) -> ApiResult<Vec<PartDetail>> {
    let scored = |item: &Item, answer: &Value, field: String| {
        score(item, answer)
            .map(|scored| PartDetail::of(item, scored.points, scored.max_points, !answer.is_null()))
            .map_err(|shape| ApiError::validation(field, shape.0))
    };
    if item.item_type == ItemType::CaseStudy {
        let given = answer.as_object().ok_or_else(|| {
            ApiError::validation(
                "answer",
                "a case study's answer maps each of its item ids to an answer",
            )
        })?;
        if let Some(unknown) = given
            .keys()
            .find(|key| !item.items.iter().any(|inner| &inner.id == *key))
        {
            return Err(ApiError::validation(
                format!("answer.{unknown}"),
                "not an item of this case study",
            ));
        }
        item.items
            .iter()
            .map(|inner| match given.get(&inner.id) {
                Some(part) => scored(inner, part, format!("answer.{}", inner.id)),
                None => Ok(PartDetail::of(inner, 0, inner.max_points, false)),
            })
            .collect()
    } else {
        scored(item, answer, "answer".to_owned()).map(|detail| vec![detail])
    }
}

/// Answer the pending item of an adaptive exam (the student who took it). Returns the next item,
/// or the result when a stop rule ends the exam. An answer for another item than the one waiting,
/// or for an ended exam, changes nothing.
#[utoipa::path(post, path = "/api/v1/cat/sessions/{session_id}/answers", tag = "adaptive exam", security(("bearer" = [])),
    params(("session_id" = i64, Path, description = "Session id")),
    request_body = AnswerRequest,
    responses((status = 200, body = SessionView),
              (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, description = "No such session of this student", body = crate::http::error::ErrorEnvelope),
              (status = 409, description = "The exam has ended, or the item was already answered", body = crate::http::error::ErrorEnvelope),
              (status = 422, description = "An item that was not presented, or an answer that does not fit the item", body = crate::http::error::ErrorEnvelope)))]
async fn answer(
    State(state): State<AppState>,
    student: StudentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> ApiResult<ApiJson<SessionView>> {
    let session_id: CatSessionId = crate::http::auth::path_id(path, "session_id")?;
    let bank = cat_bank(&state).await?;
    let student_id = student.principal.user_id;
    let now = crate::clock::now_rfc3339();
    let now_unix = crate::clock::unix_now() as i64;
    let bank_tx = Arc::clone(&bank);
    let outcome = state
        .db
        .write(move |tx| -> Result<ApiResult<SessionRecord>, DbError> {
            let bank = bank_tx;
            let Some(mut session) = store::find_session(tx, session_id)?
                .filter(|session| session.student_id == student_id)
            else {
                return Ok(Err(ApiError::NotFound(format!(
                    "you have no adaptive exam session {session_id}"
                ))));
            };
            if session.finished {
                return Ok(Err(ApiError::Conflict(
                    "this exam has ended; start a new one with POST /api/v1/cat/sessions".into(),
                )));
            }
            let Some(pending) = session.state.pending().map(str::to_owned) else {
                return Ok(Err(ApiError::Conflict("no item is waiting for an answer".into())));
            };
            if body.item_id != pending {
                let answered_before = session
                    .state
                    .presented
                    .iter()
                    .any(|presented| presented.entry_id == body.item_id);
                return Ok(Err(if answered_before {
                    ApiError::Conflict(format!(
                        "item {} was already answered; the item waiting for an answer is {pending}",
                        body.item_id
                    ))
                } else {
                    ApiError::validation(
                        "item_id",
                        format!(
                            "item {} was not presented in this exam; the item waiting for an answer is {pending}",
                            body.item_id
                        ),
                    )
                }));
            }
            let item = match bank.items.get(&pending) {
                Some(item) => item.clone(),
                None => match item_bank::find_item(tx, &ItemId::from(pending.as_str()))? {
                    Some(stored) => stored.item,
                    None => {
                        return Err(DbError::Task(format!("presented item {pending} is missing")));
                    }
                },
            };
            let details = match score_parts(&item, &body.answer) {
                Ok(details) => details,
                Err(error) => return Ok(Err(error)),
            };
            let correct: Vec<bool> = details.iter().map(PartDetail::correct).collect();
            if let Err(error) = cat::record(&mut session.state, &bank.bank, &pending, &correct) {
                return Err(DbError::Task(error.to_string()));
            }
            let new_parts: Vec<ScoredPart> = session
                .state
                .presented
                .last()
                .map(|presented| presented.scored.clone())
                .unwrap_or_default();
            let timed_out = now_unix - session.started_unix > session.time_limit_secs;
            let rule = cat::stop_rule(&session.state, timed_out, false);
            store::advance(tx, &mut session, &bank, rule, &now)?;
            store::save_progress(tx, &session, &new_parts, &details, &pending, &now)?;
            Ok(Ok(session))
        })
        .await??;
    Ok(ApiJson(view(&outcome, false, &bank)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::psychometrics::rasch;
    use std::collections::HashSet;

    /// The validation harness on the real bank: simulated examinees with known θ, evenly spread
    /// over [−2.5, 2.5], take the full-length exam (`CAT_EXAMINEES`, default 200). Also times the
    /// choice of the next item (estimate + selection) along one exam per examinee band.
    #[test]
    fn simulated_examinees_on_the_generated_bank() {
        let started = std::time::Instant::now();
        let content = crate::content::Content::load().unwrap();
        let bank = bank::generate(
            &content.catalog,
            &content.kb,
            BANK_ITEMS_PER_NEED,
            BANK_SEED,
        );
        let testlets = bank
            .bank
            .entries()
            .iter()
            .filter(|e| e.is_testlet())
            .count();
        println!(
            "bank: {} entries ({} case studies) built in {:.1} s",
            bank.bank.len(),
            testlets,
            started.elapsed().as_secs_f64()
        );
        assert!(testlets >= 3, "the bank has case studies");
        let examinees = std::env::var("CAT_EXAMINEES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200);
        let started = std::time::Instant::now();
        let report = cat::validate(&bank.bank, CatConfig::default(), examinees, 2026);
        println!(
            "validation: {examinees} examinees in {:.1} s: bias {:+.3}, RMSE {:.3}, accuracy {:.3} overall, {:.3} for |θ−cut| ≥ 0.5 (n = {}), mean length {:.1}, undetermined {}",
            started.elapsed().as_secs_f64(),
            report.bias,
            report.rmse,
            report.accuracy,
            report.accuracy_far,
            report.far,
            report.mean_length,
            report.undetermined
        );
        assert!(report.accuracy_far >= 0.95, "{report:?}");
        assert!(report.rmse <= 0.35, "{report:?}");

        // Time each next-item step along exams at θ = −1, 0, 1.
        let mut timings = Vec::new();
        for (n, theta) in [-1.0, 0.0, 1.0].into_iter().enumerate() {
            let mut rng = crate::domain::items::rng::Rng::new(n as u64);
            let mut state = CatState::new(CatConfig::default(), n as u64);
            loop {
                let step = std::time::Instant::now();
                let next = cat::select_next(&state, &bank.bank, &HashSet::new());
                timings.push(step.elapsed());
                let Some(entry) = next else { break };
                cat::present(&mut state, entry);
                let correct: Vec<bool> = entry
                    .parts
                    .iter()
                    .map(|part| {
                        ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                            < rasch::probability(theta, part.b)
                    })
                    .collect();
                let id = entry.id.clone();
                cat::record(&mut state, &bank.bank, &id, &correct).unwrap();
                if cat::stop_rule(&state, false, false).is_some() {
                    break;
                }
            }
        }
        timings.sort();
        let p = |q: f64| timings[((timings.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
        println!(
            "next item: {} steps, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (this build's profile)",
            timings.len(),
            p(0.5),
            p(0.99),
            p(1.0)
        );
    }
}
