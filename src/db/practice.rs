//! Quizzes, attempts, saved answers, scored item responses and competency evidence.
//!
//! Answer saves go through [`AnswerWriter`], which commits the saves that arrive while the previous
//! commit is on its way to disk together in one transaction (group commit) and acknowledges each
//! one only after that COMMIT returned. With `synchronous = FULL` every acknowledged save is durable
//! and the number of saves per second is no longer bounded by the disk's fsyncs per second.
//!
//! Scoring an attempt ([`finish_attempt`]) is one transaction: the attempt moves out of
//! `in_progress` with `UPDATE ... WHERE status = 'in_progress'`, and `item_responses` has
//! `UNIQUE (attempt_id, item_id)`, so two submits, or a submit racing the deadline sweep, score once.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::{Db, DbError};
use crate::domain::accounts::{CohortId, UserId};
use crate::domain::items::{Item, ItemId};
use crate::domain::practice::{self, AttemptId, AttemptStatus, QuizId, QuizKind};

fn json_error(error: serde_json::Error) -> DbError {
    DbError::Task(format!("stored practice data is not valid JSON: {error}"))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(json_error)
}

/// A quiz's settings, as created or edited.
#[derive(Debug, Clone)]
pub struct QuizSettings {
    pub kind: QuizKind,
    pub title: String,
    pub instructions: String,
    pub time_limit_minutes: Option<u32>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub attempt_limit: Option<u32>,
    pub show_review: bool,
    pub shuffle_options: bool,
    pub cohort_ids: Vec<CohortId>,
}

/// A stored quiz (without its items).
#[derive(Debug, Clone)]
pub struct QuizRecord {
    pub id: QuizId,
    pub settings: QuizSettings,
    pub created_by: Option<UserId>,
    pub max_score: u32,
    pub item_count: u32,
    pub attempt_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

const QUIZ_COLUMNS: &str = "q.id, q.kind, q.title, q.instructions, q.created_by, q.time_limit_minutes, q.opens_at,
    q.closes_at, q.attempt_limit, q.show_review, q.shuffle_options, q.max_score, q.created_at, q.updated_at,
    (SELECT count(*) FROM quiz_items qi WHERE qi.quiz_id = q.id),
    (SELECT count(*) FROM attempts a WHERE a.quiz_id = q.id),
    (SELECT group_concat(cohort_id) FROM quiz_cohorts qc WHERE qc.quiz_id = q.id)";

fn quiz_from_row(row: &Row<'_>) -> rusqlite::Result<QuizRecord> {
    let kind: String = row.get(1)?;
    let cohorts: Option<String> = row.get(16)?;
    Ok(QuizRecord {
        id: QuizId(row.get(0)?),
        settings: QuizSettings {
            kind: QuizKind::parse(&kind).unwrap_or(QuizKind::Quiz),
            title: row.get(2)?,
            instructions: row.get(3)?,
            time_limit_minutes: row.get(5)?,
            opens_at: row.get(6)?,
            closes_at: row.get(7)?,
            attempt_limit: row.get(8)?,
            show_review: row.get(9)?,
            shuffle_options: row.get(10)?,
            cohort_ids: cohorts
                .unwrap_or_default()
                .split(',')
                .filter_map(|id| id.parse().ok().map(CohortId))
                .collect(),
        },
        created_by: row.get(4)?,
        max_score: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        item_count: row.get(14)?,
        attempt_count: row.get(15)?,
    })
}

fn write_items_and_cohorts(
    conn: &Connection,
    quiz: QuizId,
    settings: &QuizSettings,
    items: &[Item],
) -> Result<(), DbError> {
    conn.execute("DELETE FROM quiz_items WHERE quiz_id = ?1", [quiz.0])?;
    conn.execute("DELETE FROM quiz_cohorts WHERE quiz_id = ?1", [quiz.0])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO quiz_items (quiz_id, position, item_id, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, item) in items.iter().enumerate() {
        insert
            .execute(params![quiz.0, position as i64, item.id, to_json(item)?])
            .map_err(|error| {
                super::on_unique(error, || format!("item {} is listed twice", item.id))
            })?;
    }
    let mut assign = conn.prepare_cached(
        "INSERT OR IGNORE INTO quiz_cohorts (quiz_id, cohort_id) VALUES (?1, ?2)",
    )?;
    for cohort in &settings.cohort_ids {
        assign.execute(params![quiz.0, cohort])?;
    }
    Ok(())
}

fn max_score(items: &[Item]) -> u32 {
    items.iter().map(|item| item.max_points.max(1)).sum()
}

/// Stores a new quiz with a frozen copy of each item.
pub fn insert_quiz(
    conn: &Connection,
    settings: &QuizSettings,
    items: &[Item],
    created_by: UserId,
    now: &str,
) -> Result<QuizId, DbError> {
    conn.execute(
        "INSERT INTO quizzes (kind, title, instructions, created_by, time_limit_minutes, opens_at, closes_at,
             attempt_limit, show_review, shuffle_options, max_score, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            settings.kind.as_str(),
            settings.title,
            settings.instructions,
            created_by,
            settings.time_limit_minutes,
            settings.opens_at,
            settings.closes_at,
            settings.attempt_limit,
            settings.show_review,
            settings.shuffle_options,
            max_score(items),
            now
        ],
    )?;
    let quiz = QuizId(conn.last_insert_rowid());
    write_items_and_cohorts(conn, quiz, settings, items)?;
    Ok(quiz)
}

/// Replaces a quiz's settings and (when given) items; refused once an attempt exists.
pub fn update_quiz(
    conn: &Connection,
    quiz: QuizId,
    settings: &QuizSettings,
    items: Option<&[Item]>,
    now: &str,
) -> Result<(), DbError> {
    let attempts: i64 = conn.query_row(
        "SELECT count(*) FROM attempts WHERE quiz_id = ?1",
        [quiz.0],
        |row| row.get(0),
    )?;
    if attempts > 0 {
        return Err(DbError::Conflict(format!(
            "quiz {} has {attempts} attempt(s); its items and settings are frozen",
            quiz.0
        )));
    }
    let items = match items {
        Some(items) => items.to_vec(),
        None => quiz_items(conn, quiz)?,
    };
    conn.execute(
        "UPDATE quizzes SET title = ?2, instructions = ?3, time_limit_minutes = ?4, opens_at = ?5, closes_at = ?6,
             attempt_limit = ?7, show_review = ?8, shuffle_options = ?9, max_score = ?10, updated_at = ?11
         WHERE id = ?1",
        params![
            quiz.0,
            settings.title,
            settings.instructions,
            settings.time_limit_minutes,
            settings.opens_at,
            settings.closes_at,
            settings.attempt_limit,
            settings.show_review,
            settings.shuffle_options,
            max_score(&items),
            now
        ],
    )?;
    write_items_and_cohorts(conn, quiz, settings, &items)
}

pub fn find_quiz(conn: &Connection, quiz: QuizId) -> Result<Option<QuizRecord>, DbError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {QUIZ_COLUMNS} FROM quizzes q WHERE q.id = ?1"
        ))?
        .query_row([quiz.0], quiz_from_row)
        .optional()?)
}

/// Which quizzes a list shows.
#[derive(Debug, Clone, Copy)]
pub enum QuizScope {
    /// Every staff quiz (admins).
    All,
    /// Staff quizzes this instructor created or that are assigned to a cohort they instruct.
    Instructor(UserId),
    /// Quizzes assigned to a cohort the student belongs to, and the student's own practice sets.
    Student(UserId),
}

pub fn list_quizzes(conn: &Connection, scope: QuizScope) -> Result<Vec<QuizRecord>, DbError> {
    let (filter, user) = match scope {
        QuizScope::All => ("q.kind = 'quiz'", UserId(0)),
        QuizScope::Instructor(user) => (
            "q.kind = 'quiz' AND (q.created_by = ?1 OR q.id IN (SELECT qc.quiz_id FROM quiz_cohorts qc
                 JOIN cohort_members m ON m.cohort_id = qc.cohort_id WHERE m.user_id = ?1 AND m.role = 'instructor'))",
            user,
        ),
        QuizScope::Student(user) => (
            "(q.kind = 'quiz' AND q.id IN (SELECT qc.quiz_id FROM quiz_cohorts qc
                 JOIN cohort_members m ON m.cohort_id = qc.cohort_id WHERE m.user_id = ?1 AND m.role = 'student'))
             OR (q.kind = 'practice' AND q.created_by = ?1)",
            user,
        ),
    };
    let sql = format!(
        "SELECT {QUIZ_COLUMNS} FROM quizzes q WHERE ({filter}) AND ?1 = ?1 ORDER BY q.id DESC LIMIT 500"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map([user], quiz_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Is the quiz assigned to a cohort in which `student` is a student?
pub fn assigned_to_student(
    conn: &Connection,
    quiz: QuizId,
    student: UserId,
) -> Result<bool, DbError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM quiz_cohorts qc JOIN cohort_members m ON m.cohort_id = qc.cohort_id
             WHERE qc.quiz_id = ?1 AND m.user_id = ?2 AND m.role = 'student' LIMIT 1",
        )?
        .query_row(params![quiz.0, student], |_| Ok(()))
        .optional()?
        .is_some())
}

fn parse_item(body: &str) -> Result<Item, DbError> {
    serde_json::from_str(body).map_err(json_error)
}

/// The quiz's frozen items, in order.
pub fn quiz_items(conn: &Connection, quiz: QuizId) -> Result<Vec<Item>, DbError> {
    let mut statement =
        conn.prepare_cached("SELECT body FROM quiz_items WHERE quiz_id = ?1 ORDER BY position")?;
    let rows = statement.query_map([quiz.0], |row| row.get::<_, String>(0))?;
    let mut items = Vec::new();
    for body in rows {
        items.push(parse_item(&body?)?);
    }
    Ok(items)
}

/// An attempt.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub id: AttemptId,
    pub quiz_id: QuizId,
    pub student_id: UserId,
    pub attempt_number: u32,
    pub status: AttemptStatus,
    pub started_at: String,
    pub deadline_at: Option<i64>,
    pub last_activity_ms: i64,
    pub option_orders: BTreeMap<String, Vec<String>>,
    pub submitted_at: Option<String>,
    pub score: Option<u32>,
    pub max_score: u32,
}

const ATTEMPT_COLUMNS: &str =
    "id, quiz_id, student_id, attempt_number, status, started_at, deadline_at,
    last_activity_ms, option_orders, submitted_at, score, max_score";

fn attempt_from_row(row: &Row<'_>) -> rusqlite::Result<(AttemptRecord, String)> {
    let status: String = row.get(4)?;
    Ok((
        AttemptRecord {
            id: AttemptId(row.get(0)?),
            quiz_id: QuizId(row.get(1)?),
            student_id: row.get(2)?,
            attempt_number: row.get(3)?,
            status: AttemptStatus::parse(&status).unwrap_or(AttemptStatus::InProgress),
            started_at: row.get(5)?,
            deadline_at: row.get(6)?,
            last_activity_ms: row.get(7)?,
            option_orders: BTreeMap::new(),
            submitted_at: row.get(9)?,
            score: row.get(10)?,
            max_score: row.get(11)?,
        },
        row.get(8)?,
    ))
}

fn with_orders(raw: Option<(AttemptRecord, String)>) -> Result<Option<AttemptRecord>, DbError> {
    raw.map(|(mut attempt, orders)| {
        attempt.option_orders = serde_json::from_str(&orders).map_err(json_error)?;
        Ok(attempt)
    })
    .transpose()
}

pub fn find_attempt(
    conn: &Connection,
    attempt: AttemptId,
) -> Result<Option<AttemptRecord>, DbError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = ?1"
        ))?
        .query_row([attempt.0], attempt_from_row)
        .optional()?;
    with_orders(raw)
}

/// The student's open attempt at a quiz, if any.
pub fn open_attempt(
    conn: &Connection,
    quiz: QuizId,
    student: UserId,
) -> Result<Option<AttemptRecord>, DbError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE quiz_id = ?1 AND student_id = ?2 AND status = 'in_progress'"
        ))?
        .query_row(params![quiz.0, student], attempt_from_row)
        .optional()?;
    with_orders(raw)
}

pub fn attempts_used(conn: &Connection, quiz: QuizId, student: UserId) -> Result<u32, DbError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM attempts WHERE quiz_id = ?1 AND student_id = ?2")?
        .query_row(params![quiz.0, student], |row| row.get(0))?)
}

/// What a new attempt starts with.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub quiz_id: QuizId,
    pub student_id: UserId,
    pub started_at: String,
    pub deadline_at: Option<i64>,
    pub now_ms: i64,
    pub option_orders: BTreeMap<String, Vec<String>>,
    pub max_score: u32,
}

/// Inserts the next attempt of a student at a quiz.
pub fn insert_attempt(conn: &Connection, attempt: &NewAttempt) -> Result<AttemptId, DbError> {
    let number = attempts_used(conn, attempt.quiz_id, attempt.student_id)? + 1;
    conn.execute(
        "INSERT INTO attempts (quiz_id, student_id, attempt_number, started_at, deadline_at, last_activity_ms, option_orders, max_score)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            attempt.quiz_id.0,
            attempt.student_id,
            number,
            attempt.started_at,
            attempt.deadline_at,
            attempt.now_ms,
            to_json(&attempt.option_orders)?,
            attempt.max_score
        ],
    )
    .map_err(|error| super::on_unique(error, || "an attempt is already open for this quiz".into()))?;
    Ok(AttemptId(conn.last_insert_rowid()))
}

/// Marks the start of a resumed session, so the pause before it does not count as time on an item.
pub fn touch_attempt(conn: &Connection, attempt: AttemptId, now_ms: i64) -> Result<(), DbError> {
    conn.execute(
        "UPDATE attempts SET last_activity_ms = ?2 WHERE id = ?1 AND status = 'in_progress'",
        params![attempt.0, now_ms],
    )?;
    Ok(())
}

/// A saved answer.
#[derive(Debug, Clone)]
pub struct SavedAnswer {
    pub item_id: ItemId,
    pub answer: Value,
    pub flagged: bool,
    pub time_spent_ms: i64,
    pub saves: u32,
    pub updated_at: String,
}

pub fn saved_answers(conn: &Connection, attempt: AttemptId) -> Result<Vec<SavedAnswer>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT item_id, answer, flagged, time_spent_ms, saves, updated_at FROM attempt_answers WHERE attempt_id = ?1",
    )?;
    let rows = statement.query_map([attempt.0], |row| {
        Ok((
            row.get::<_, ItemId>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, bool>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, u32>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;
    let mut answers = Vec::new();
    for row in rows {
        let (item_id, answer, flagged, time_spent_ms, saves, updated_at) = row?;
        answers.push(SavedAnswer {
            item_id,
            answer: match answer {
                Some(text) => serde_json::from_str(&text).map_err(json_error)?,
                None => Value::Null,
            },
            flagged,
            time_spent_ms,
            saves,
            updated_at,
        });
    }
    Ok(answers)
}

/// Earlier saves of one item's answer, oldest first.
pub fn answer_history(
    conn: &Connection,
    attempt: AttemptId,
    item_id: &ItemId,
) -> Result<Vec<(Value, bool, String)>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT answer, flagged, saved_at FROM answer_history WHERE attempt_id = ?1 AND item_id = ?2 ORDER BY id",
    )?;
    let rows = statement.query_map(params![attempt.0, item_id], |row| {
        Ok((
            row.get::<_, Option<String>>(0)?,
            row.get::<_, bool>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut history = Vec::new();
    for row in rows {
        let (answer, flagged, at) = row?;
        let answer = match answer {
            Some(text) => serde_json::from_str(&text).map_err(json_error)?,
            None => Value::Null,
        };
        history.push((answer, flagged, at));
    }
    Ok(history)
}

/// One answer to save. `answer` has been checked against the item by the caller.
#[derive(Debug, Clone)]
pub struct AnswerSave {
    pub attempt_id: AttemptId,
    pub item_id: ItemId,
    /// `None` keeps the current answer (a flag-only change).
    pub answer: Option<Value>,
    pub flagged: Option<bool>,
    pub now_ms: i64,
    pub now_unix: i64,
    pub now: String,
}

/// A committed save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveReceipt {
    pub flagged: bool,
    pub time_spent_ms: i64,
    pub saves: u32,
}

/// Why a save was refused (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveRefusal {
    #[error("attempt {0} does not exist")]
    NoAttempt(AttemptId),
    #[error("attempt {0} was already {1}; answers can no longer change")]
    Closed(AttemptId, &'static str),
    #[error("the time limit of attempt {0} ended at {1}; the answer was not saved")]
    PastDeadline(AttemptId, String),
}

/// A save's outcome: committed, refused, or the storage failed.
pub type SaveResult = Result<Result<SaveReceipt, SaveRefusal>, DbError>;

fn unix_to_rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| seconds.to_string())
}

/// Applies one save inside the caller's transaction.
pub fn apply_save(conn: &Connection, save: &AnswerSave) -> SaveResult {
    let row: Option<(String, Option<i64>, i64)> = conn
        .prepare_cached("SELECT status, deadline_at, last_activity_ms FROM attempts WHERE id = ?1")?
        .query_row([save.attempt_id.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    let Some((status, deadline, last_activity_ms)) = row else {
        return Ok(Err(SaveRefusal::NoAttempt(save.attempt_id)));
    };
    match AttemptStatus::parse(&status) {
        Some(AttemptStatus::InProgress) => {}
        Some(closed) => return Ok(Err(SaveRefusal::Closed(save.attempt_id, closed.as_str()))),
        None => return Err(DbError::Task(format!("unknown attempt status {status}"))),
    }
    if let Some(deadline) = deadline
        && save.now_unix >= deadline
    {
        return Ok(Err(SaveRefusal::PastDeadline(
            save.attempt_id,
            unix_to_rfc3339(deadline),
        )));
    }
    let spent =
        practice::time_on_item(last_activity_ms.max(0) as u64, save.now_ms.max(0) as u64) as i64;
    let answer_text = save.answer.as_ref().map(to_json).transpose()?;
    let (flagged, time_spent_ms, saves): (bool, i64, u32) = conn
        .prepare_cached(
            "INSERT INTO attempt_answers (attempt_id, item_id, answer, flagged, time_spent_ms, saves, updated_at)
             VALUES (?1, ?2, ?3, COALESCE(?4, 0), ?5, 1, ?6)
             ON CONFLICT (attempt_id, item_id) DO UPDATE SET
                 answer = CASE WHEN ?7 THEN excluded.answer ELSE answer END,
                 flagged = COALESCE(?4, flagged),
                 time_spent_ms = time_spent_ms + excluded.time_spent_ms,
                 saves = saves + 1,
                 updated_at = excluded.updated_at
             RETURNING flagged, time_spent_ms, saves",
        )?
        .query_row(
            params![
                save.attempt_id.0,
                save.item_id,
                answer_text,
                save.flagged,
                spent,
                save.now,
                save.answer.is_some()
            ],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
    conn.prepare_cached(
        "INSERT INTO answer_history (attempt_id, item_id, answer, flagged, time_spent_ms, saved_at)
         SELECT attempt_id, item_id, answer, flagged, ?3, ?4 FROM attempt_answers WHERE attempt_id = ?1 AND item_id = ?2",
    )?
    .execute(params![save.attempt_id.0, save.item_id, spent, save.now])?;
    conn.prepare_cached("UPDATE attempts SET last_activity_ms = ?2 WHERE id = ?1")?
        .execute(params![save.attempt_id.0, save.now_ms])?;
    Ok(Ok(SaveReceipt {
        flagged,
        time_spent_ms,
        saves,
    }))
}

type Job = Box<dyn FnOnce(&Connection) -> Result<Box<dyn Any + Send>, DbError> + Send>;
type JobReply = oneshot::Sender<Result<Box<dyn Any + Send>, DbError>>;

/// Group commit for the attempt path (answer saves, starts, submits): one task owns the queue;
/// each batch is one transaction on the writer, each job inside it a savepoint (a failing job
/// rolls back alone), and every caller hears back only after the batch's COMMIT. It also keeps
/// the frozen items of quizzes that have attempts ([`FrozenItemsCache`]).
pub struct AnswerWriter {
    queue: mpsc::Sender<(Job, JobReply)>,
    items: Arc<FrozenItemsCache>,
}

/// The most jobs one transaction carries.
const MAX_BATCH: usize = 1024;

fn batch_error(error: &DbError) -> DbError {
    let message = error.to_string();
    if error.is_disk_full() {
        DbError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some(message),
        ))
    } else {
        DbError::Task(message)
    }
}

impl AnswerWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: Db) -> AnswerWriter {
        let (queue, mut incoming) = mpsc::channel::<(Job, JobReply)>(MAX_BATCH * 4);
        let items = Arc::new(FrozenItemsCache::default());
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match incoming.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (jobs, replies): (Vec<Job>, Vec<JobReply>) = batch.into_iter().unzip();
                let outcome = db
                    .write(move |tx| {
                        let mut results = Vec::with_capacity(jobs.len());
                        for job in jobs {
                            tx.execute_batch("SAVEPOINT practice_job")?;
                            let result = job(tx);
                            if result.is_err() {
                                tx.execute_batch("ROLLBACK TO practice_job")?;
                            }
                            tx.execute_batch("RELEASE practice_job")?;
                            results.push(result);
                        }
                        Ok(results)
                    })
                    .await;
                match outcome {
                    Ok(results) => {
                        for (reply, result) in replies.into_iter().zip(results) {
                            let _ = reply.send(result);
                        }
                    }
                    Err(error) => {
                        for reply in replies {
                            let _ = reply.send(Err(batch_error(&error)));
                        }
                    }
                }
            }
        });
        AnswerWriter { queue, items }
    }

    /// Runs `work` in the next group-committed transaction (inside its own savepoint: an `Err`
    /// undoes only this job's writes); returns after that transaction committed.
    pub async fn run<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job =
            Box::new(move |conn| work(conn).map(|value| Box::new(value) as Box<dyn Any + Send>));
        self.queue
            .send((job, reply))
            .await
            .map_err(|_| DbError::Task("the answer writer stopped".into()))?;
        let value = answer
            .await
            .map_err(|_| DbError::Task("the answer writer stopped".into()))??;
        value
            .downcast::<T>()
            .map(|value| *value)
            .map_err(|_| DbError::Task("the answer writer returned the wrong type".into()))
    }

    /// Saves one answer; returns after the transaction that holds it committed.
    pub async fn save(&self, save: AnswerSave) -> SaveResult {
        self.run(move |tx| apply_save(tx, &save)).await
    }

    /// The cache of frozen quiz items.
    pub fn items(&self) -> &Arc<FrozenItemsCache> {
        &self.items
    }
}

/// A quiz's frozen items, in order, with an index by item id.
#[derive(Debug)]
pub struct FrozenItems {
    pub items: Vec<Item>,
    by_id: HashMap<String, usize>,
    /// The items as students see them, serialised on the first view (saves never need them).
    presented: std::sync::OnceLock<Vec<crate::domain::practice::PresentedItem>>,
}

impl FrozenItems {
    fn new(items: Vec<Item>) -> FrozenItems {
        let by_id = items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.id.clone(), index))
            .collect();
        FrozenItems {
            items,
            by_id,
            presented: std::sync::OnceLock::new(),
        }
    }

    /// The items as a student sees them, in quiz order (see `domain::practice::PresentedItem`).
    pub fn presented(&self) -> &[crate::domain::practice::PresentedItem] {
        self.presented.get_or_init(|| {
            self.items
                .iter()
                .map(crate::domain::practice::PresentedItem::new)
                .collect()
        })
    }

    pub fn get(&self, item_id: &ItemId) -> Option<&Item> {
        self.by_id
            .get(item_id.as_str())
            .map(|index| &self.items[*index])
    }
}

/// The items of quizzes that have an attempt, parsed once. A quiz's items cannot change once an
/// attempt exists ([`update_quiz`] refuses), so an entry is only made for such a quiz and stays
/// true; [`FrozenItemsCache::forget`] drops one after an edit all the same (an attempt whose
/// transaction failed to commit may have filled it).
#[derive(Debug, Default)]
pub struct FrozenItemsCache {
    quizzes: Mutex<HashMap<QuizId, Arc<FrozenItems>>>,
}

/// Quizzes kept; when full, the cache starts over (a class takes a few quizzes at a time).
const FROZEN_QUIZZES: usize = 256;

impl FrozenItemsCache {
    /// The quiz's items, from memory when the quiz has an attempt and was read before.
    pub fn get(&self, conn: &Connection, quiz: QuizId) -> Result<Arc<FrozenItems>, DbError> {
        if let Some(found) = self.lock().get(&quiz) {
            return Ok(Arc::clone(found));
        }
        let frozen = Arc::new(FrozenItems::new(quiz_items(conn, quiz)?));
        let has_attempt: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM attempts WHERE quiz_id = ?1)")?
            .query_row([quiz.0], |row| row.get(0))?;
        if has_attempt {
            let mut quizzes = self.lock();
            if quizzes.len() >= FROZEN_QUIZZES {
                quizzes.clear();
            }
            quizzes.insert(quiz, Arc::clone(&frozen));
        }
        Ok(frozen)
    }

    /// Drops a quiz's entry (after its items were edited).
    pub fn forget(&self, quiz: QuizId) {
        self.lock().remove(&quiz);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<QuizId, Arc<FrozenItems>>> {
        self.quizzes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Who owns an attempt and where it stands, without its option orders (the save path's check).
#[derive(Debug, Clone, Copy)]
pub struct AttemptOwner {
    pub quiz_id: QuizId,
    pub student_id: UserId,
    pub status: AttemptStatus,
    pub deadline_at: Option<i64>,
}

pub fn attempt_owner(
    conn: &Connection,
    attempt: AttemptId,
) -> Result<Option<AttemptOwner>, DbError> {
    let row: Option<(QuizId, UserId, String, Option<i64>)> = conn
        .prepare_cached(
            "SELECT quiz_id, student_id, status, deadline_at FROM attempts WHERE id = ?1",
        )?
        .query_row([attempt.0], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    Ok(
        row.map(|(quiz, student, status, deadline_at)| AttemptOwner {
            quiz_id: quiz,
            student_id: student,
            status: AttemptStatus::parse(&status).unwrap_or(AttemptStatus::InProgress),
            deadline_at,
        }),
    )
}

/// One scored item response.
#[derive(Debug, Clone)]
pub struct ResponseRecord {
    pub item_id: ItemId,
    pub position: u32,
    pub answered: bool,
    pub points: u32,
    pub max_points: u32,
    pub time_spent_ms: i64,
}

pub fn responses(conn: &Connection, attempt: AttemptId) -> Result<Vec<ResponseRecord>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT item_id, position, answered, points, max_points, time_spent_ms FROM item_responses
         WHERE attempt_id = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([attempt.0], |row| {
        Ok(ResponseRecord {
            item_id: row.get(0)?,
            position: row.get(1)?,
            answered: row.get(2)?,
            points: row.get(3)?,
            max_points: row.get(4)?,
            time_spent_ms: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Closes an open attempt and scores it, in the caller's transaction. Returns `false` (and writes
/// nothing) when the attempt was already closed, so a second submit is harmless.
pub fn finish_attempt(
    conn: &Connection,
    attempt: AttemptId,
    status: AttemptStatus,
    now: &str,
    cache: &FrozenItemsCache,
) -> Result<bool, DbError> {
    let Some(record) = attempt_owner(conn, attempt)? else {
        return Ok(false);
    };
    if record.status.is_closed() {
        return Ok(false);
    }
    let frozen = cache.get(conn, record.quiz_id)?;
    let items = &frozen.items;
    let saved = saved_answers(conn, attempt)?;
    let answers: BTreeMap<String, Value> = saved
        .iter()
        .map(|saved| (saved.item_id.to_string(), saved.answer.clone()))
        .collect();
    let scored = practice::score_attempt(items, &answers);
    let total: u32 = scored.iter().map(|result| result.points).sum();
    let changed = conn.execute(
        "UPDATE attempts SET status = ?2, submitted_at = ?3, score = ?4 WHERE id = ?1 AND status = 'in_progress'",
        params![attempt.0, status.as_str(), now, total],
    )?;
    if changed == 0 {
        return Ok(false);
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO item_responses (attempt_id, quiz_id, student_id, item_id, position, answered, points, max_points,
             time_spent_ms, answered_at, scored_at, item_type, client_need, ncjmm_function, aacn_competency, difficulty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    let mut evidence = conn.prepare_cached(
        "INSERT INTO competency_evidence (student_id, competency_id, source, score, weight, response_id, recorded_at, details)
         VALUES (?1, ?2, 'item_response', ?3, ?4, ?5, ?6, ?7)",
    )?;
    let saved_by_id: HashMap<&str, &SavedAnswer> = saved
        .iter()
        .map(|saved| (saved.item_id.as_str(), saved))
        .collect();
    for (item, result) in items.iter().zip(&scored) {
        let saved = saved_by_id.get(item.id.as_str());
        insert.execute(params![
            attempt.0,
            record.quiz_id.0,
            record.student_id,
            item.id,
            result.position as i64,
            result.answered,
            result.points,
            result.max_points,
            saved.map_or(0, |saved| saved.time_spent_ms),
            saved.map(|saved| saved.updated_at.clone()),
            now,
            item.item_type.as_str(),
            item.client_need.as_str(),
            item.ncjmm_function.as_str(),
            item.aacn_competency,
            difficulty_name(item),
        ])?;
        let response_id = conn.last_insert_rowid();
        if !item.aacn_competency.is_empty() {
            evidence.execute(params![
                record.student_id,
                item.aacn_competency,
                f64::from(result.points) / f64::from(result.max_points.max(1)),
                f64::from(result.max_points.max(1)),
                response_id,
                now,
                to_json(&serde_json::json!({"attempt_id": attempt.0, "item_id": item.id}))?,
            ])?;
        }
    }
    Ok(true)
}

fn difficulty_name(item: &Item) -> &'static str {
    match item.difficulty {
        crate::domain::items::Difficulty::Beginner => "beginner",
        crate::domain::items::Difficulty::Intermediate => "intermediate",
        crate::domain::items::Difficulty::Advanced => "advanced",
    }
}

/// Open attempts whose deadline passed by `now_unix`.
pub fn expired_attempts(conn: &Connection, now_unix: i64) -> Result<Vec<AttemptId>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM attempts WHERE status = 'in_progress' AND deadline_at IS NOT NULL AND deadline_at <= ?1 LIMIT 500",
    )?;
    let rows = statement.query_map([now_unix], |row| row.get(0).map(AttemptId))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Item ids this student has met in any attempt (for self-practice to prefer new items).
pub fn seen_items(
    conn: &Connection,
    student: UserId,
) -> Result<std::collections::HashSet<String>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT qi.item_id FROM attempts a JOIN quiz_items qi ON qi.quiz_id = a.quiz_id WHERE a.student_id = ?1",
    )?;
    let rows = statement.query_map([student], |row| row.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A student's competency evidence: (competency id, score, weight, source), oldest first.
pub fn evidence_of(
    conn: &Connection,
    student: UserId,
) -> Result<Vec<(String, f64, f64, String)>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT competency_id, score, weight, source FROM competency_evidence WHERE student_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([student], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbOptions;
    use std::time::Duration;

    fn open(dir: &std::path::Path) -> Db {
        let (db, _) = Db::open(
            &DbOptions {
                data_dir: dir.to_owned(),
                busy_timeout: Duration::from_secs(5),
                pool_size: 4,
            },
            "t",
        )
        .unwrap();
        db
    }

    fn items() -> Vec<Item> {
        let kb = crate::domain::knowledge::load_embedded_for_tests();
        let catalog = crate::domain::items::catalog::Catalog::builtin(&kb);
        (0..4)
            .filter_map(|index| catalog.generate(&kb, index, 9))
            .collect()
    }

    fn settings() -> QuizSettings {
        QuizSettings {
            kind: QuizKind::Quiz,
            title: "Quiz".into(),
            instructions: String::new(),
            time_limit_minutes: None,
            opens_at: None,
            closes_at: None,
            attempt_limit: None,
            show_review: true,
            shuffle_options: false,
            cohort_ids: Vec::new(),
        }
    }

    async fn setup(db: &Db) -> (QuizId, AttemptId, Vec<Item>) {
        let items = items();
        let for_insert = items.clone();
        let ids = db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                     VALUES (7, 's', 'S', 'student', 'x', 't', 't')",
                    [],
                )?;
                let quiz = insert_quiz(tx, &settings(), &for_insert, UserId(7), "t")?;
                let attempt = insert_attempt(
                    tx,
                    &NewAttempt {
                        quiz_id: quiz,
                        student_id: UserId(7),
                        started_at: "t".into(),
                        deadline_at: None,
                        now_ms: 1_000,
                        option_orders: BTreeMap::new(),
                        max_score: max_score(&for_insert),
                    },
                )?;
                Ok((quiz, attempt))
            })
            .await
            .unwrap();
        (ids.0, ids.1, items)
    }

    #[tokio::test]
    async fn saves_commit_in_groups_and_a_second_finish_scores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        let (_, attempt, items) = setup(&db).await;
        let writer = std::sync::Arc::new(AnswerWriter::start(db.clone()));
        let mut tasks = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let writer = writer.clone();
            let key = serde_json::to_value(&item.correct_answer).unwrap();
            let id = item.id.clone();
            tasks.push(tokio::spawn(async move {
                writer
                    .save(AnswerSave {
                        attempt_id: attempt,
                        item_id: ItemId::from(id),
                        answer: Some(key),
                        flagged: Some(index == 0),
                        now_ms: 2_000,
                        now_unix: 2,
                        now: "t2".into(),
                    })
                    .await
            }));
        }
        for task in tasks {
            assert!(task.await.unwrap().unwrap().is_ok());
        }
        let finished = db
            .write(move |tx| {
                finish_attempt(
                    tx,
                    attempt,
                    AttemptStatus::Submitted,
                    "t3",
                    &FrozenItemsCache::default(),
                )
            })
            .await
            .unwrap();
        assert!(finished);
        let again = db
            .write(move |tx| {
                finish_attempt(
                    tx,
                    attempt,
                    AttemptStatus::Submitted,
                    "t4",
                    &FrozenItemsCache::default(),
                )
            })
            .await
            .unwrap();
        assert!(!again);
        let (record, rows) = db
            .read(move |conn| {
                Ok((
                    find_attempt(conn, attempt)?.unwrap(),
                    responses(conn, attempt)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(record.status, AttemptStatus::Submitted);
        assert_eq!(record.score, Some(record.max_score));
        assert_eq!(rows.len(), items.len());
        // A save after submission is refused and writes nothing.
        let refused = writer
            .save(AnswerSave {
                attempt_id: attempt,
                item_id: ItemId::from(items[0].id.as_str()),
                answer: Some(Value::Null),
                flagged: None,
                now_ms: 3_000,
                now_unix: 3,
                now: "t5".into(),
            })
            .await
            .unwrap();
        assert_eq!(refused, Err(SaveRefusal::Closed(attempt, "submitted")));
        let evidence: i64 = db
            .read(|conn| {
                Ok(conn.query_row("SELECT count(*) FROM competency_evidence", [], |r| r.get(0))?)
            })
            .await
            .unwrap();
        assert_eq!(evidence, items.len() as i64);
    }

    #[tokio::test]
    async fn items_are_kept_only_for_quizzes_with_an_attempt_and_a_failing_job_rolls_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        let (quiz, _, items) = setup(&db).await;
        let count = items.len();
        assert!(count > 0);
        let open_quiz = db
            .write(move |tx| insert_quiz(tx, &settings(), &items, UserId(7), "t"))
            .await
            .unwrap();
        let writer = AnswerWriter::start(db.clone());
        let cache = Arc::clone(writer.items());
        let reader = Arc::clone(&cache);
        let counts = db
            .read(move |conn| {
                Ok((
                    reader.get(conn, quiz)?.items.len(),
                    reader.get(conn, open_quiz)?.items.len(),
                ))
            })
            .await
            .unwrap();
        assert_eq!(counts, (count, count));
        assert!(cache.lock().contains_key(&quiz));
        // Without an attempt the quiz may still be edited: not kept.
        assert!(!cache.lock().contains_key(&open_quiz));
        cache.forget(quiz);
        assert!(cache.lock().is_empty());

        // Two jobs in flight together: the failing one undoes only its own write.
        let failing = writer.run(move |tx| {
            tx.execute(
                "UPDATE quizzes SET title = 'changed' WHERE id = ?1",
                [quiz.0],
            )?;
            Err::<(), _>(DbError::Task("refused".into()))
        });
        let passing = writer.run(move |tx| {
            tx.execute(
                "UPDATE quizzes SET instructions = 'kept' WHERE id = ?1",
                [open_quiz.0],
            )?;
            Ok(7u32)
        });
        let (failed, passed) = tokio::join!(failing, passing);
        assert!(failed.is_err());
        assert_eq!(passed.unwrap(), 7);
        let (title, instructions) = db
            .read(move |conn| {
                Ok((
                    find_quiz(conn, quiz)?.unwrap().settings.title,
                    find_quiz(conn, open_quiz)?.unwrap().settings.instructions,
                ))
            })
            .await
            .unwrap();
        assert_eq!(title, "Quiz");
        assert_eq!(instructions, "kept");
    }

    #[tokio::test]
    async fn history_keeps_every_save_and_time_accumulates() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        let (_, attempt, items) = setup(&db).await;
        let writer = AnswerWriter::start(db.clone());
        let id = ItemId::from(items[0].id.as_str());
        for (now_ms, answer) in [(4_000, Value::Null), (9_000, serde_json::json!("A"))] {
            writer
                .save(AnswerSave {
                    attempt_id: attempt,
                    item_id: id.clone(),
                    answer: Some(answer),
                    flagged: None,
                    now_ms,
                    now_unix: now_ms / 1000,
                    now: "t".into(),
                })
                .await
                .unwrap()
                .unwrap();
        }
        let (history, saved) = db
            .read(move |conn| {
                Ok((
                    answer_history(conn, attempt, &id)?,
                    saved_answers(conn, attempt)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1].0, serde_json::json!("A"));
        assert_eq!(saved[0].time_spent_ms, 3_000 + 5_000);
        assert_eq!(saved[0].saves, 2);
    }
}
