//! Adaptive exam sessions and their scored responses.

use rusqlite::{Connection, OptionalExtension, params};

use std::collections::HashSet;

use super::DbError;
use super::items as item_bank;
use crate::domain::accounts::UserId;
use crate::domain::items::catalog::signature;
use crate::domain::items::{ClientNeed, Item};
use crate::domain::psychometrics::bank::CatBank;
use crate::domain::psychometrics::cat::{
    self, CatResult, CatSessionId, CatState, PartDetail, ScoredPart, StopRule,
};
use crate::domain::psychometrics::rasch::Response;

/// A stored session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: CatSessionId,
    pub student_id: UserId,
    pub finished: bool,
    pub state: CatState,
    pub excluded: Vec<String>,
    pub result: Option<CatResult>,
    pub time_limit_secs: i64,
    pub started_unix: i64,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value)
        .map_err(|error| DbError::Task(format!("cannot serialise: {error}")))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, DbError> {
    serde_json::from_str(text)
        .map_err(|error| DbError::Task(format!("stored session is not valid JSON: {error}")))
}

/// Stores a new session and returns its id.
pub fn insert_session(
    conn: &Connection,
    student_id: UserId,
    state: &CatState,
    excluded: &[String],
    time_limit_secs: i64,
    now: &str,
    now_unix: i64,
) -> Result<CatSessionId, DbError> {
    conn.execute(
        "INSERT INTO cat_sessions (student_id, status, state, excluded, time_limit_secs, started_at, started_unix, updated_at)
         VALUES (?1, 'active', ?2, ?3, ?4, ?5, ?6, ?5)",
        params![student_id, json(state)?, json(&excluded)?, time_limit_secs, now, now_unix],
    )?;
    Ok(CatSessionId(conn.last_insert_rowid()))
}

const COLUMNS: &str =
    "id, student_id, status, state, excluded, result, time_limit_secs, started_unix";

/// A session row as stored: id, student, status, state, excluded, result, time limit, start.
type RawSession = (
    CatSessionId,
    UserId,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
);

fn record_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawSession> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

fn to_record(raw: RawSession) -> Result<SessionRecord, DbError> {
    let (id, student_id, status, state, excluded, result, time_limit_secs, started_unix) = raw;
    Ok(SessionRecord {
        id,
        student_id,
        finished: status == "finished",
        state: parse(&state)?,
        excluded: parse(&excluded)?,
        result: result.as_deref().map(parse).transpose()?,
        time_limit_secs,
        started_unix,
    })
}

pub fn find_session(conn: &Connection, id: CatSessionId) -> Result<Option<SessionRecord>, DbError> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM cat_sessions WHERE id = ?1"),
            [id],
            record_from,
        )
        .optional()?;
    raw.map(to_record).transpose()
}

/// The student's unfinished session, if any (the newest).
pub fn active_session(
    conn: &Connection,
    student_id: UserId,
) -> Result<Option<SessionRecord>, DbError> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM cat_sessions WHERE student_id = ?1 AND status = 'active' ORDER BY id DESC LIMIT 1"),
            [student_id],
            record_from,
        )
        .optional()?;
    raw.map(to_record).transpose()
}

/// Saves a session's progress, its newly scored parts (each with its detail from `details`, in
/// the same order) and, when it ended, its result.
pub fn save_progress(
    conn: &Connection,
    session: &SessionRecord,
    new_parts: &[ScoredPart],
    details: &[PartDetail],
    entry_id: &str,
    now: &str,
) -> Result<(), DbError> {
    let finished = session.result.is_some();
    conn.execute(
        "UPDATE cat_sessions SET state = ?2, status = ?3, result = ?4, updated_at = ?5,
             finished_at = CASE WHEN ?3 = 'finished' THEN ?5 ELSE finished_at END
         WHERE id = ?1",
        params![
            session.id,
            json(&session.state)?,
            if finished { "finished" } else { "active" },
            session.result.as_ref().map(json).transpose()?,
            now
        ],
    )?;
    let first_seq = session.state.items_answered() - new_parts.len();
    let mut statement = conn.prepare_cached(
        "INSERT INTO cat_responses (session_id, seq, student_id, entry_id, item_id, b, client_need, correct, answered_at,
             item_type, ncjmm_function, aacn_competency, points, max_points, answered)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    if details.len() != new_parts.len() {
        return Err(DbError::Task(format!(
            "{} scored parts came with {} details",
            new_parts.len(),
            details.len()
        )));
    }
    for (offset, (part, detail)) in new_parts.iter().zip(details).enumerate() {
        statement.execute(params![
            session.id,
            (first_seq + offset) as i64,
            session.student_id,
            entry_id,
            part.part_id,
            part.b,
            part.client_need.as_str(),
            part.correct,
            now,
            detail.item_type.as_str(),
            detail.ncjmm_function.as_str(),
            detail.aacn_competency,
            detail.points,
            detail.max_points,
            detail.answered
        ])?;
    }
    Ok(())
}

/// Entry ids the student was shown in adaptive exams since `since` (RFC 3339).
pub fn seen_since(
    conn: &Connection,
    student_id: UserId,
    since: &str,
) -> Result<Vec<String>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT entry_id FROM cat_responses WHERE student_id = ?1 AND answered_at >= ?2",
    )?;
    let rows = statement.query_map(params![student_id, since], |row| row.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every scored response of the student's adaptive exams, oldest first.
pub fn student_responses(
    conn: &Connection,
    student_id: UserId,
) -> Result<Vec<(Response, ClientNeed)>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT b, correct, client_need FROM cat_responses WHERE student_id = ?1 ORDER BY answered_at, session_id, seq",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok((
            row.get::<_, f64>(0)?,
            row.get::<_, bool>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (b, correct, need) = row?;
        let need = ClientNeed::parse(&need)
            .ok_or_else(|| DbError::Task(format!("stored client need {need} is unknown")))?;
        out.push((Response::new(b, correct), need));
    }
    Ok(out)
}

/// Stores an item in the bank so that it is addressable (`GET /api/v1/items/{id}`).
fn store_item(conn: &Connection, item: &Item, now: &str) -> Result<(), DbError> {
    item_bank::insert_generated(conn, &[(item.clone(), signature(item))], now).map(|_| ())
}

/// Ends the session with `rule`, or presents the next item (stored in the item bank so it is
/// addressable) (ending it when the bank has none).
pub fn advance(
    conn: &Connection,
    session: &mut SessionRecord,
    bank: &CatBank,
    rule: Option<StopRule>,
    now: &str,
) -> Result<(), DbError> {
    let excluded: HashSet<String> = session.excluded.iter().cloned().collect();
    let rule = match rule {
        Some(rule) => Some(rule),
        None => match cat::select_next(&session.state, &bank.bank, &excluded) {
            Some(entry) => {
                cat::present(&mut session.state, entry);
                if let Some(item) = bank.items.get(&entry.id) {
                    store_item(conn, item, now)?;
                }
                None
            }
            None => {
                Some(cat::stop_rule(&session.state, false, true).unwrap_or(StopRule::BankExhausted))
            }
        },
    };
    if let Some(rule) = rule {
        session.result = Some(cat::result(&session.state, rule));
    }
    Ok(())
}

/// A student's scored adaptive-exam responses, as the Rasch model reads them.
pub fn student_rasch_responses(
    conn: &Connection,
    student_id: UserId,
) -> Result<Vec<Response>, DbError> {
    Ok(student_responses(conn, student_id)?
        .into_iter()
        .map(|(response, _)| response)
        .collect())
}
