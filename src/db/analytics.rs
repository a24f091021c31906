//! Recorded NCLEX results with the readiness estimate at the time each was recorded, and the
//! reads of scored responses that progress and readiness rest on.

use rusqlite::{Connection, OptionalExtension, params};

use super::DbError;
use crate::domain::items::Difficulty;
use crate::domain::psychometrics::calibration::item_prior;
use crate::domain::psychometrics::cohort::{Cell, StudentData};
use crate::domain::psychometrics::item_report::ScoredAnswer;
use crate::domain::psychometrics::progress::ScoredResponse;
use crate::domain::psychometrics::rasch::Response;

/// A recorded result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OutcomeRecord {
    pub student_id: i64,
    /// "pass" or "fail".
    pub result: String,
    /// The exam date, YYYY-MM-DD.
    pub date: String,
    /// Readiness P(pass) when the result was recorded; `null` when the student had no responses.
    pub predicted_pass: Option<f64>,
    /// Responses the prediction rested on.
    pub readiness_n: i64,
    pub recorded_at: String,
    pub updated_at: String,
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutcomeRecord> {
    Ok(OutcomeRecord {
        student_id: row.get(0)?,
        result: row.get(1)?,
        date: row.get(2)?,
        predicted_pass: row.get(3)?,
        readiness_n: row.get(4)?,
        recorded_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

const COLUMNS: &str =
    "student_id, result, result_date, predicted_pass, readiness_n, recorded_at, updated_at";

pub fn find_outcome(conn: &Connection, student_id: i64) -> Result<Option<OutcomeRecord>, DbError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM nclex_outcomes WHERE student_id = ?1"),
            [student_id],
            from_row,
        )
        .optional()?)
}

/// Records or replaces a student's result (one per student: recording again corrects it, never
/// counts twice). Returns true when it was new.
#[allow(clippy::too_many_arguments)]
pub fn upsert_outcome(
    conn: &Connection,
    student_id: i64,
    result: &str,
    date: &str,
    predicted_pass: Option<f64>,
    readiness_n: i64,
    recorded_by: i64,
    now: &str,
) -> Result<bool, DbError> {
    let existed = find_outcome(conn, student_id)?.is_some();
    conn.execute(
        "INSERT INTO nclex_outcomes (student_id, result, result_date, predicted_pass, readiness_n, recorded_by, recorded_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (student_id) DO UPDATE SET result = excluded.result, result_date = excluded.result_date,
             predicted_pass = excluded.predicted_pass, readiness_n = excluded.readiness_n,
             recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
        params![student_id, result, date, predicted_pass, readiness_n, recorded_by, now],
    )?;
    Ok(!existed)
}

/// Results of every student (`cohorts` = None) or of the students of those cohorts.
pub fn outcomes(conn: &Connection, cohorts: Option<&[i64]>) -> Result<Vec<OutcomeRecord>, DbError> {
    let mut out = Vec::new();
    match cohorts {
        None => {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM nclex_outcomes ORDER BY student_id"
            ))?;
            for row in statement.query_map([], from_row)? {
                out.push(row?);
            }
        }
        Some(cohorts) => {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM nclex_outcomes WHERE student_id IN
                   (SELECT user_id FROM cohort_members WHERE cohort_id = ?1 AND role = 'student')
                 ORDER BY student_id"
            ))?;
            let mut seen = std::collections::BTreeSet::new();
            for cohort in cohorts {
                for row in statement.query_map([cohort], from_row)? {
                    let row = row?;
                    if seen.insert(row.student_id) {
                        out.push(row);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A student's scored quiz and practice responses (from `item_responses`), oldest first, each
/// with the Monday of the week it was scored in.
pub fn student_scored_responses(
    conn: &Connection,
    student_id: i64,
) -> Result<Vec<ScoredResponse>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT item_type, client_need, ncjmm_function, aacn_competency, points, max_points,
                answered, time_spent_ms, date(scored_at, 'weekday 0', '-6 days')
         FROM item_responses WHERE student_id = ?1 ORDER BY scored_at, id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok(ScoredResponse {
            item_type: row.get(0)?,
            client_need: row.get(1)?,
            ncjmm_function: row.get(2)?,
            aacn_competency: row.get(3)?,
            points: row.get(4)?,
            max_points: row.get(5)?,
            answered: row.get(6)?,
            time_spent_ms: row.get::<_, i64>(7)?.max(0) as u64,
            week: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a student's stored responses are at this moment: (quiz and practice rows, their largest
/// id, adaptive-exam rows). A cached figure computed at another stamp is stale.
pub fn student_response_stamp(
    conn: &Connection,
    student_id: i64,
) -> Result<(i64, i64, i64), DbError> {
    let (count, last): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(id), 0) FROM item_responses WHERE student_id = ?1",
        )?
        .query_row([student_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let cat: i64 = conn
        .prepare_cached("SELECT count(*) FROM cat_responses WHERE student_id = ?1")?
        .query_row([student_id], |row| row.get(0))?;
    Ok((count, last, cat))
}

/// Every scored response of a student as a Rasch response: the adaptive exam's (with the
/// difficulty it was given) and the quiz and practice ones (full points = correct; difficulty the
/// prior of the item's level until calibration supplies one).
pub fn student_readiness_responses(
    conn: &Connection,
    student_id: i64,
) -> Result<Vec<Response>, DbError> {
    let mut responses = super::cat::student_rasch_responses(conn, student_id)?;
    let mut statement = conn.prepare_cached(
        "SELECT difficulty, points >= max_points FROM item_responses WHERE student_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?))
    })?;
    for row in rows {
        let (difficulty, correct) = row?;
        if let Some(level) = Difficulty::parse(&difficulty) {
            responses.push(Response::new(
                item_prior(level.logit_prior(), &[]).mean,
                correct,
            ));
        }
    }
    Ok(responses)
}

/// A quiz's items in order as frozen in its snapshot (`None` for an unknown quiz).
pub fn quiz_item_bodies(
    conn: &Connection,
    quiz_id: i64,
) -> Result<Option<Vec<serde_json::Value>>, DbError> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM quizzes WHERE id = ?1)")?
        .query_row([quiz_id], |row| row.get(0))?;
    if !exists {
        return Ok(None);
    }
    let mut statement =
        conn.prepare_cached("SELECT body FROM quiz_items WHERE quiz_id = ?1 ORDER BY position")?;
    let rows = statement.query_map([quiz_id], |row| row.get::<_, String>(0))?;
    let mut out = Vec::new();
    for body in rows {
        out.push(serde_json::from_str(&body?).map_err(|error| DbError::Task(error.to_string()))?);
    }
    Ok(Some(out))
}

const SCORED_ANSWER: &str = "SELECT r.attempt_id, r.item_id, r.points, r.max_points, a.answer
     FROM item_responses r
     LEFT JOIN attempt_answers a ON a.attempt_id = r.attempt_id AND a.item_id = r.item_id";

fn scored_answer(row: &rusqlite::Row<'_>) -> rusqlite::Result<ScoredAnswer> {
    Ok(ScoredAnswer {
        attempt_id: row.get(0)?,
        item_id: row.get(1)?,
        points: row.get(2)?,
        max_points: row.get(3)?,
        answer: row.get(4)?,
    })
}

/// Every scored response of a quiz with the answer given.
pub fn quiz_scored_answers(conn: &Connection, quiz_id: i64) -> Result<Vec<ScoredAnswer>, DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCORED_ANSWER} WHERE r.quiz_id = ?1 ORDER BY r.attempt_id, r.position"
    ))?;
    Ok(statement
        .query_map([quiz_id], scored_answer)?
        .collect::<Result<_, _>>()?)
}

/// An item's latest frozen snapshot in any quiz (`None` when no quiz holds it).
pub fn item_body(conn: &Connection, item_id: &str) -> Result<Option<serde_json::Value>, DbError> {
    let body: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM quiz_items WHERE item_id = ?1 ORDER BY quiz_id DESC LIMIT 1",
        )?
        .query_row([item_id], |row| row.get(0))
        .optional()?;
    body.map(|body| serde_json::from_str(&body).map_err(|error| DbError::Task(error.to_string())))
        .transpose()
}

/// Every scored response of every attempt that answered `item_id` (all of those attempts' items,
/// for their rest scores).
pub fn item_attempt_answers(
    conn: &Connection,
    item_id: &str,
) -> Result<Vec<ScoredAnswer>, DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCORED_ANSWER} WHERE r.attempt_id IN (SELECT attempt_id FROM item_responses WHERE item_id = ?1)
         ORDER BY r.attempt_id, r.position"
    ))?;
    Ok(statement
        .query_map([item_id], scored_answer)?
        .collect::<Result<_, _>>()?)
}

/// The data of every student of a cohort for its report, in username order: per client need and
/// week the full-credit and total counts of quiz and practice responses, every scored response
/// as a Rasch response (as [`student_readiness_responses`]), and the time of the last one. Four
/// grouped passes over the cohort's rows, not one query per student.
pub fn cohort_student_data(conn: &Connection, cohort_id: i64) -> Result<Vec<StudentData>, DbError> {
    let mut students: Vec<StudentData> = Vec::new();
    let mut index = std::collections::HashMap::new();
    {
        let mut statement = conn.prepare_cached(
            "SELECT u.id, u.username, u.display_name FROM cohort_members m JOIN users u ON u.id = m.user_id
             WHERE m.cohort_id = ?1 AND m.role = 'student' ORDER BY u.username",
        )?;
        let rows = statement.query_map([cohort_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (student_id, username, display_name) = row?;
            index.insert(student_id, students.len());
            students.push(StudentData {
                student_id,
                username,
                display_name,
                cells: Vec::new(),
                rasch: Vec::new(),
                last_activity: None,
            });
        }
    }
    const MEMBERS: &str =
        "SELECT user_id FROM cohort_members WHERE cohort_id = ?1 AND role = 'student'";
    {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT student_id, client_need, date(scored_at, 'weekday 0', '-6 days'),
                    sum(points >= max_points), count(*)
             FROM item_responses WHERE student_id IN ({MEMBERS})
             GROUP BY student_id, client_need, 3"
        ))?;
        let rows = statement.query_map([cohort_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                Cell {
                    client_need: row.get(1)?,
                    week: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    correct: row.get::<_, i64>(3)?.max(0) as u64,
                    n: row.get::<_, i64>(4)?.max(0) as u64,
                },
            ))
        })?;
        for row in rows {
            let (student_id, cell) = row?;
            if let Some(&at) = index.get(&student_id) {
                students[at].cells.push(cell);
            }
        }
    }
    {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT student_id, difficulty, points >= max_points, count(*),
                    max(CAST(strftime('%s', scored_at) AS INTEGER))
             FROM item_responses WHERE student_id IN ({MEMBERS})
             GROUP BY student_id, difficulty, 3"
        ))?;
        let rows = statement.query_map([cohort_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
            ))
        })?;
        for row in rows {
            let (student_id, difficulty, correct, count, last) = row?;
            let (Some(&at), Some(level)) = (index.get(&student_id), Difficulty::parse(&difficulty))
            else {
                continue;
            };
            let b = item_prior(level.logit_prior(), &[]).mean;
            let student = &mut students[at];
            student.rasch.extend(std::iter::repeat_n(
                Response::new(b, correct),
                count.max(0) as usize,
            ));
            student.last_activity = student.last_activity.max(last);
        }
    }
    {
        let mut statement = conn.prepare_cached(&format!(
            "SELECT student_id, b, correct, CAST(strftime('%s', answered_at) AS INTEGER)
             FROM cat_responses WHERE student_id IN ({MEMBERS})"
        ))?;
        let rows = statement.query_map([cohort_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, f64>(1)?,
                row.get::<_, bool>(2)?,
                row.get::<_, Option<i64>>(3)?,
            ))
        })?;
        for row in rows {
            let (student_id, b, correct, at_time) = row?;
            if let Some(&at) = index.get(&student_id) {
                students[at].rasch.push(Response::new(b, correct));
                students[at].last_activity = students[at].last_activity.max(at_time);
            }
        }
    }
    Ok(students)
}

/// What a cohort's stored responses are at this moment: (students, their quiz and practice rows,
/// the largest id, their adaptive-exam rows). A cached report made at another stamp is stale.
pub fn cohort_response_stamp(
    conn: &Connection,
    cohort_id: i64,
) -> Result<(i64, i64, i64, i64), DbError> {
    const MEMBERS: &str =
        "SELECT user_id FROM cohort_members WHERE cohort_id = ?1 AND role = 'student'";
    Ok(conn
        .prepare_cached(&format!(
            "SELECT (SELECT count(*) FROM ({MEMBERS})),
                    (SELECT count(*) FROM item_responses WHERE student_id IN ({MEMBERS})),
                    (SELECT coalesce(max(id), 0) FROM item_responses WHERE student_id IN ({MEMBERS})),
                    (SELECT count(*) FROM cat_responses WHERE student_id IN ({MEMBERS}))"
        ))?
        .query_row([cohort_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?)
}
