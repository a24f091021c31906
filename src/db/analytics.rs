//! Recorded NCLEX results with the readiness estimate at the time each was recorded, and the
//! reads of scored responses that progress and readiness rest on.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::DbError;
use crate::domain::accounts::{CohortId, UserId};
use crate::domain::items::{Difficulty, ItemId};
use crate::domain::practice::QuizId;
use crate::domain::psychometrics::calibration::{item_prior, usable_difficulty};
use crate::domain::psychometrics::cohort::{Cell, StudentData};
use crate::domain::psychometrics::item_report::ScoredAnswer;
use crate::domain::psychometrics::progress::{ScoredResponse, Source};
use crate::domain::psychometrics::rasch::{Counted, Response};

/// A recorded result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct OutcomeRecord {
    #[schema(value_type = i64)]
    pub student_id: UserId,
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

pub fn find_outcome(
    conn: &Connection,
    student_id: UserId,
) -> Result<Option<OutcomeRecord>, DbError> {
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
    student_id: UserId,
    result: &str,
    date: &str,
    predicted_pass: Option<f64>,
    readiness_n: i64,
    recorded_by: UserId,
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
pub fn outcomes(
    conn: &Connection,
    cohorts: Option<&[CohortId]>,
) -> Result<Vec<OutcomeRecord>, DbError> {
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

/// A student's scored responses, oldest first, each with the Monday of the week it was scored
/// in: quiz and practice ones (`item_responses`) and adaptive-exam ones (`cat_responses`, one per
/// scored part; no time per item, and points, categories and `answered` where they were
/// recorded). Each stored response is read once.
pub fn student_scored_responses(
    conn: &Connection,
    student_id: UserId,
) -> Result<Vec<ScoredResponse>, DbError> {
    let mut statement = conn.prepare_cached(
        "SELECT 0, item_type, client_need, ncjmm_function, aacn_competency, points >= max_points,
                points, max_points, answered, time_spent_ms,
                date(scored_at, 'weekday 0', '-6 days') AS week, scored_at AS at, id AS seq
         FROM item_responses WHERE student_id = ?1
         UNION ALL
         SELECT 1, item_type, client_need, ncjmm_function, aacn_competency, correct,
                points, max_points, answered, NULL,
                date(answered_at, 'weekday 0', '-6 days'), answered_at, seq
         FROM cat_responses WHERE student_id = ?1
         ORDER BY at, seq",
    )?;
    let rows = statement.query_map([student_id], |row| {
        let points = row
            .get::<_, Option<u32>>(6)?
            .zip(row.get::<_, Option<u32>>(7)?);
        Ok(ScoredResponse {
            source: if row.get::<_, bool>(0)? {
                Source::AdaptiveExam
            } else {
                Source::Attempt
            },
            item_type: row.get(1)?,
            client_need: row.get(2)?,
            ncjmm_function: row.get(3)?,
            aacn_competency: row.get(4)?,
            correct: row.get(5)?,
            points,
            answered: row.get(8)?,
            time_spent_ms: row
                .get::<_, Option<i64>>(9)?
                .map(|spent| spent.max(0) as u64),
            week: row.get::<_, Option<String>>(10)?.unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every scored response of a student as a Rasch response: the adaptive exam's (with the
/// difficulty it was given) and the quiz and practice ones (full points = correct; difficulty the
/// item's calibrated one when the latest calibration rests on enough responses
/// ([`usable_difficulty`]), otherwise the prior of the item's level).
pub fn student_readiness_responses(
    conn: &Connection,
    student_id: UserId,
) -> Result<Vec<Response>, DbError> {
    let mut responses = super::cat::student_rasch_responses(conn, student_id)?;
    let mut statement = conn.prepare_cached(
        "SELECT r.difficulty, r.points >= r.max_points, c.b, c.n
         FROM item_responses r LEFT JOIN item_calibrations c ON c.item_id = r.item_id
         WHERE r.student_id = ?1 ORDER BY r.id",
    )?;
    let rows = statement.query_map([student_id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, bool>(1)?,
            row.get::<_, Option<f64>>(2)?,
            row.get::<_, Option<i64>>(3)?,
        ))
    })?;
    for row in rows {
        let (difficulty, correct, calibrated, n) = row?;
        let calibrated = calibrated
            .zip(n)
            .and_then(|(b, n)| usable_difficulty(b, usize::try_from(n).unwrap_or(0)).then_some(b));
        let b = match (calibrated, Difficulty::parse(&difficulty)) {
            (Some(b), _) => b,
            (None, Some(level)) => item_prior(level.logit_prior(), &[]).mean,
            (None, None) => continue,
        };
        responses.push(Response::new(b, correct));
    }
    Ok(responses)
}

/// A quiz's items in order as frozen in its snapshot (`None` for an unknown quiz).
pub fn quiz_item_bodies(
    conn: &Connection,
    quiz_id: QuizId,
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
pub fn quiz_scored_answers(
    conn: &Connection,
    quiz_id: QuizId,
) -> Result<Vec<ScoredAnswer>, DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCORED_ANSWER} WHERE r.quiz_id = ?1 ORDER BY r.attempt_id, r.position"
    ))?;
    Ok(statement
        .query_map([quiz_id], scored_answer)?
        .collect::<Result<_, _>>()?)
}

/// An item's latest frozen snapshot in any quiz (`None` when no quiz holds it).
pub fn item_body(
    conn: &Connection,
    item_id: &ItemId,
) -> Result<Option<serde_json::Value>, DbError> {
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
/// for their rest scores); with `cohorts`, only the attempts of those cohorts' students.
pub fn item_attempt_answers(
    conn: &Connection,
    item_id: &ItemId,
    cohorts: Option<&[CohortId]>,
) -> Result<Vec<ScoredAnswer>, DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SCORED_ANSWER} WHERE r.attempt_id IN (
             SELECT attempt_id FROM item_responses WHERE item_id = ?1
               AND (?2 IS NULL OR student_id IN (
                   SELECT user_id FROM cohort_members WHERE role = 'student'
                     AND cohort_id IN (SELECT value FROM json_each(?2)))))
         ORDER BY r.attempt_id, r.position"
    ))?;
    let scope = cohorts
        .map(|cohorts| {
            serde_json::to_string(cohorts).map_err(|error| DbError::Task(error.to_string()))
        })
        .transpose()?;
    Ok(statement
        .query_map(params![item_id, scope], scored_answer)?
        .collect::<Result<_, _>>()?)
}

/// How many adaptive-exam responses answered `item_id` (for a case study, its items); with
/// `cohorts`, only those of the cohorts' students.
pub fn item_adaptive_exam_responses(
    conn: &Connection,
    item_id: &ItemId,
    cohorts: Option<&[CohortId]>,
) -> Result<i64, DbError> {
    let scope = cohorts
        .map(|cohorts| {
            serde_json::to_string(cohorts).map_err(|error| DbError::Task(error.to_string()))
        })
        .transpose()?;
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM cat_responses WHERE (item_id = ?1 OR entry_id = ?1)
               AND (?2 IS NULL OR student_id IN (
                   SELECT user_id FROM cohort_members WHERE role = 'student'
                     AND cohort_id IN (SELECT value FROM json_each(?2))))",
        )?
        .query_row(params![item_id, scope], |row| row.get(0))?)
}

/// Who set a quiz (`None` once their account is gone) and the cohorts it is assigned to.
pub type QuizAudience = (Option<UserId>, Vec<CohortId>);

/// A quiz's [`QuizAudience`]; `None` for an unknown quiz.
pub fn quiz_audience(conn: &Connection, quiz_id: QuizId) -> Result<Option<QuizAudience>, DbError> {
    let Some(author) = conn
        .prepare_cached("SELECT created_by FROM quizzes WHERE id = ?1")?
        .query_row([quiz_id], |row| row.get::<_, Option<UserId>>(0))
        .optional()?
    else {
        return Ok(None);
    };
    let mut statement =
        conn.prepare_cached("SELECT cohort_id FROM quiz_cohorts WHERE quiz_id = ?1")?;
    let cohorts = statement
        .query_map([quiz_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some((author, cohorts)))
}

const MEMBERS: &str =
    "SELECT user_id FROM cohort_members WHERE cohort_id = ?1 AND role = 'student'";

/// The students of a cohort in username order, with nothing yet read about their responses.
fn cohort_students(
    conn: &Connection,
    cohort_id: CohortId,
) -> Result<(Vec<StudentData>, HashMap<UserId, usize>), DbError> {
    let mut students: Vec<StudentData> = Vec::new();
    let mut index = HashMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT u.id, u.username, u.display_name FROM cohort_members m JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = ?1 AND m.role = 'student' ORDER BY u.username",
    )?;
    let rows = statement.query_map([cohort_id], |row| {
        Ok((
            row.get::<_, UserId>(0)?,
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
    Ok((students, index))
}

/// Adds the per-client-need-and-week counts that `sql` yields as (student, need, week, correct,
/// n), in (need, week) order per student.
fn add_cells(
    conn: &Connection,
    sql: &str,
    cohort_id: CohortId,
    students: &mut [StudentData],
    index: &HashMap<UserId, usize>,
) -> Result<(), DbError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map([cohort_id], |row| {
        Ok((
            row.get::<_, UserId>(0)?,
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
    Ok(())
}

/// Adds the Rasch responses counted per difficulty level and full credit that `sql` yields as
/// (student, difficulty, correct, count, latest Unix time), in (difficulty, correct) order.
fn add_levels(
    conn: &Connection,
    sql: &str,
    cohort_id: CohortId,
    students: &mut [StudentData],
    index: &HashMap<UserId, usize>,
) -> Result<(), DbError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map([cohort_id], |row| {
        Ok((
            row.get::<_, UserId>(0)?,
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
        student.rasch.push(Counted {
            response: Response::new(b, correct),
            count: count.max(0) as u64,
        });
        student.last_activity = student.last_activity.max(last);
    }
    Ok(())
}

/// Adds every adaptive-exam response of the cohort's students, one by one, in exam order.
fn add_cat_responses(
    conn: &Connection,
    cohort_id: CohortId,
    students: &mut [StudentData],
    index: &HashMap<UserId, usize>,
) -> Result<(), DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT student_id, b, correct, CAST(strftime('%s', answered_at) AS INTEGER)
         FROM cat_responses WHERE student_id IN ({MEMBERS}) ORDER BY student_id, session_id, seq"
    ))?;
    let rows = statement.query_map([cohort_id], |row| {
        Ok((
            row.get::<_, UserId>(0)?,
            row.get::<_, f64>(1)?,
            row.get::<_, bool>(2)?,
            row.get::<_, Option<i64>>(3)?,
        ))
    })?;
    for row in rows {
        let (student_id, b, correct, at_time) = row?;
        if let Some(&at) = index.get(&student_id) {
            students[at].rasch.push(Counted {
                response: Response::new(b, correct),
                count: 1,
            });
            students[at].last_activity = students[at].last_activity.max(at_time);
        }
    }
    Ok(())
}

/// The data of every student of a cohort for its report, in username order: per client need and
/// week the full-credit and total counts of quiz and practice responses, their Rasch responses
/// counted per difficulty level (each level's prior difficulty), the adaptive-exam responses one
/// by one, and the time of the last response. Read from the per-student counts that the
/// triggers of migration 0009 keep with every stored response, so the cost grows with the
/// cohort's students and weeks, not with its responses.
pub fn cohort_student_data(
    conn: &Connection,
    cohort_id: CohortId,
) -> Result<Vec<StudentData>, DbError> {
    let (mut students, index) = cohort_students(conn, cohort_id)?;
    add_cells(
        conn,
        &format!(
            "SELECT student_id, client_need, week, correct, n FROM response_rollup_cells
             WHERE student_id IN ({MEMBERS}) ORDER BY student_id, client_need, week"
        ),
        cohort_id,
        &mut students,
        &index,
    )?;
    add_levels(
        conn,
        &format!(
            "SELECT student_id, difficulty, correct, n, last_unix FROM response_rollup_levels
             WHERE student_id IN ({MEMBERS}) ORDER BY student_id, difficulty, correct"
        ),
        cohort_id,
        &mut students,
        &index,
    )?;
    add_cat_responses(conn, cohort_id, &mut students, &index)?;
    Ok(students)
}

/// [`cohort_student_data`] computed from scratch by grouping every stored response: what the
/// counts must always equal (the tests compare the two).
pub fn cohort_student_data_from_responses(
    conn: &Connection,
    cohort_id: CohortId,
) -> Result<Vec<StudentData>, DbError> {
    let (mut students, index) = cohort_students(conn, cohort_id)?;
    add_cells(
        conn,
        &format!(
            "SELECT student_id, client_need, coalesce(date(scored_at, 'weekday 0', '-6 days'), ''),
                    sum(points >= max_points), count(*)
             FROM item_responses WHERE student_id IN ({MEMBERS})
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        cohort_id,
        &mut students,
        &index,
    )?;
    add_levels(
        conn,
        &format!(
            "SELECT student_id, difficulty, points >= max_points, count(*),
                    max(CAST(strftime('%s', scored_at) AS INTEGER))
             FROM item_responses WHERE student_id IN ({MEMBERS})
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        ),
        cohort_id,
        &mut students,
        &index,
    )?;
    add_cat_responses(conn, cohort_id, &mut students, &index)?;
    Ok(students)
}

/// A student's analytics generation: raised in the same transaction as every scored response of
/// theirs that is stored or removed (migration 0009's triggers), so a figure cached under one
/// generation is stale under another. 0 before their first response.
pub fn student_generation(conn: &Connection, student_id: UserId) -> Result<i64, DbError> {
    Ok(conn
        .prepare_cached("SELECT generation FROM analytics_generations WHERE student_id = ?1")?
        .query_row([student_id], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// A fingerprint of what a cohort's report rests on: its students (ids, names) and each one's
/// analytics generation. One indexed read per member, no response is counted.
pub fn cohort_generation(conn: &Connection, cohort_id: CohortId) -> Result<u64, DbError> {
    use std::hash::{Hash, Hasher};
    let mut statement = conn.prepare_cached(
        "SELECT m.user_id, u.username, u.display_name, coalesce(g.generation, 0)
         FROM cohort_members m JOIN users u ON u.id = m.user_id
         LEFT JOIN analytics_generations g ON g.student_id = m.user_id
         WHERE m.cohort_id = ?1 AND m.role = 'student' ORDER BY m.user_id",
    )?;
    let mut rows = statement.query([cohort_id])?;
    let mut hasher = std::hash::DefaultHasher::new();
    while let Some(row) = rows.next()? {
        row.get::<_, i64>(0)?.hash(&mut hasher);
        row.get_ref(1)?
            .as_str()
            .unwrap_or_default()
            .hash(&mut hasher);
        row.get_ref(2)?
            .as_str()
            .unwrap_or_default()
            .hash(&mut hasher);
        row.get::<_, i64>(3)?.hash(&mut hasher);
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrations::MIGRATIONS;
    use crate::domain::psychometrics::cohort;

    const NEEDS: [&str; 3] = [
        "management_of_care",
        "pharmacological_parenteral",
        "reduction_of_risk",
    ];
    const LEVELS: [&str; 4] = ["beginner", "intermediate", "advanced", "unknown"];

    fn schema_before_rollups() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        for migration in MIGRATIONS.iter().filter(|m| m.version < 9) {
            conn.execute_batch(migration.sql).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO cohorts (id, name, created_at) VALUES (1, 'A', 'now'), (2, 'B', 'now');
             INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
             VALUES (1, 'admin', 'Admin', 'admin', 'x', 'now', 'now');
             INSERT INTO quizzes (id, kind, title, created_by, max_score, created_at, updated_at)
             VALUES (1, 'quiz', 'Q', 1, 10, 'now', 'now');",
        )
        .unwrap();
        for student in 10..16 {
            conn.execute(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                 VALUES (?1, 's' || ?1, 'Student ' || ?1, 'student', 'x', 'now', 'now')",
                [student],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO cohort_members VALUES (?1, ?2, 'student', 'now')",
                [1 + student % 2, student],
            )
            .unwrap();
        }
        conn
    }

    /// An attempt of `student` with `items` scored responses spread over needs, levels, weeks
    /// and credit (a deterministic pattern from `seed`); returns the attempt id.
    fn scored_attempt(conn: &Connection, student: i64, items: i64, seed: i64) -> i64 {
        conn.execute(
            "INSERT INTO attempts (quiz_id, student_id, attempt_number, status, started_at, last_activity_ms, submitted_at, score, max_score)
             VALUES (1, ?1, (SELECT count(*) + 1 FROM attempts WHERE student_id = ?1), 'submitted', 'now', 0, 'now', 0, 10)",
            [student],
        )
        .unwrap();
        let attempt = conn.last_insert_rowid();
        for item in 0..items {
            let k = (seed * 31 + item * 17 + student * 7) as usize;
            let scored_at = if k.is_multiple_of(29) {
                "not a time".to_owned()
            } else {
                format!("2026-0{}-{:02}T10:00:00Z", 1 + k % 3, 1 + k % 28)
            };
            let max_points = 1 + (k % 3) as i64;
            let points = (k % 5) as i64 % (max_points + 1);
            conn.execute(
                "INSERT INTO item_responses (attempt_id, quiz_id, student_id, item_id, position, answered, points, max_points,
                     time_spent_ms, answered_at, scored_at, item_type, client_need, ncjmm_function, aacn_competency, difficulty)
                 VALUES (?1, 1, ?2, ?3, ?4, 1, ?5, ?6, 1000, ?7, ?7, 'multiple_choice', ?8, 'take_action', '2.4', ?9)",
                params![
                    attempt,
                    student,
                    format!("item-{item}"),
                    item,
                    points,
                    max_points,
                    scored_at,
                    NEEDS[k % 3],
                    LEVELS[(k / 3) % 4],
                ],
            )
            .unwrap();
        }
        attempt
    }

    fn cat_answers(conn: &Connection, student: i64, session: i64, answers: i64) {
        conn.execute(
            "INSERT INTO cat_sessions (id, student_id, status, state, time_limit_secs, started_at, started_unix, updated_at)
             VALUES (?1, ?2, 'active', '{}', 60, 'now', 0, 'now')",
            [session, student],
        )
        .unwrap();
        for seq in 0..answers {
            conn.execute(
                "INSERT INTO cat_responses (session_id, seq, student_id, entry_id, item_id, b, client_need, correct, answered_at)
                 VALUES (?1, ?2, ?3, 'e', 'i' || ?2, ?4, 'management_of_care', ?5, '2026-04-01T09:00:00Z')",
                params![session, seq, student, seq as f64 / 7.0 - 1.0, seq % 3 == 0],
            )
            .unwrap();
        }
    }

    #[test]
    fn readiness_reads_an_item_s_calibrated_difficulty_once_it_rests_on_enough_responses() {
        let conn = schema_before_rollups();
        for migration in MIGRATIONS.iter().filter(|m| m.version >= 9) {
            conn.execute_batch(migration.sql).unwrap();
        }
        scored_attempt(&conn, 10, 3, 1);
        let prior =
            |level: &str| item_prior(Difficulty::parse(level).unwrap().logit_prior(), &[]).mean;
        let before: Vec<f64> = student_readiness_responses(&conn, UserId(10))
            .unwrap()
            .iter()
            .map(|r| r.b)
            .collect();
        let levels: Vec<String> = conn
            .prepare("SELECT difficulty FROM item_responses WHERE student_id = 10 ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let expected: Vec<f64> = levels
            .iter()
            .filter(|level| Difficulty::parse(level).is_some())
            .map(|level| prior(level))
            .collect();
        assert_eq!(before, expected);
        // item-0 calibrated on 30 responses, item-1 on 29 (too few: its prior stays).
        conn.execute_batch(
            "INSERT INTO calibration_runs VALUES (1, 'on_demand', NULL, 'now', 1, 40, 2, 59, 5, 1, 0, 0);
             INSERT INTO item_calibrations VALUES ('item-0', 1, 1.75, 0.4, 30, 0.0, 1.0, 1.0, 0);
             INSERT INTO item_calibrations VALUES ('item-1', 1, -1.25, 0.4, 29, 0.0, 1.0, 1.0, 0);",
        )
        .unwrap();
        let after = student_readiness_responses(&conn, UserId(10)).unwrap();
        let by_level = |item: usize| {
            Difficulty::parse(&levels[item]).map(|level| item_prior(level.logit_prior(), &[]).mean)
        };
        let mut expected_after = Vec::new();
        for (item, level_b) in (0..3).map(|item| (item, by_level(item))) {
            match (item, level_b) {
                (0, _) => expected_after.push(1.75),
                (_, Some(b)) => expected_after.push(b),
                (_, None) => {}
            }
        }
        assert_eq!(
            after.iter().map(|r| r.b).collect::<Vec<_>>(),
            expected_after
        );
    }

    #[test]
    fn progress_reads_each_adaptive_exam_response_once_with_what_it_recorded() {
        let conn = schema_before_rollups();
        for migration in MIGRATIONS.iter().filter(|m| m.version == 9) {
            conn.execute_batch(migration.sql).unwrap();
        }
        // Stored before the exam recorded categories and points: a stand-alone item, a case
        // study's item, and an item no longer in the bank.
        conn.execute_batch(
            r#"INSERT INTO items (id, item_type, client_need, ncjmm_function, topic, difficulty, origin, signature, body, created_at, updated_at)
               VALUES ('solo', 'numeric', 'pharmacological_parenteral', 'take_action', 't', 'beginner', 'generated', 's1',
                       '{"aacn_competency": "2.9"}', 'now', 'now'),
                      ('case', 'case_study', 'physiological_adaptation', 'recognize_cues', 't', 'advanced', 'generated', 's2',
                       '{"aacn_competency": "2.1", "items": [{"id": "case-1", "item_type": "matrix", "ncjmm_function": "analyze_cues", "aacn_competency": "2.5"}]}', 'now', 'now');
               INSERT INTO cat_sessions (id, student_id, status, state, time_limit_secs, started_at, started_unix, updated_at)
               VALUES (1, 10, 'active', '{}', 60, 'now', 0, 'now');
               INSERT INTO cat_responses (session_id, seq, student_id, entry_id, item_id, b, client_need, correct, answered_at)
               VALUES (1, 0, 10, 'solo', 'solo', 0.0, 'pharmacological_parenteral', 1, '2026-04-01T09:00:00Z'),
                      (1, 1, 10, 'case', 'case-1', 0.5, 'physiological_adaptation', 0, '2026-04-01T09:01:00Z'),
                      (1, 2, 10, 'gone', 'gone', 0.5, 'basic_care_comfort', 1, '2026-04-01T09:02:00Z');"#,
        )
        .unwrap();
        let details = MIGRATIONS.iter().find(|m| m.version == 10).unwrap();
        conn.execute_batch(details.sql).unwrap();
        // Stored since, with everything the exam knows.
        conn.execute(
            "INSERT INTO cat_responses (session_id, seq, student_id, entry_id, item_id, b, client_need, correct, answered_at,
                 item_type, ncjmm_function, aacn_competency, points, max_points, answered)
             VALUES (1, 3, 10, 'new', 'new', 0.0, 'management_of_care', 0, '2026-04-08T09:00:00Z',
                 'multiple_response', 'generate_solutions', '1.3', 2, 3, 1)",
            [],
        )
        .unwrap();
        scored_attempt(&conn, 10, 3, 1);
        scored_attempt(&conn, 11, 4, 1);

        let responses = student_scored_responses(&conn, UserId(10)).unwrap();
        assert_eq!(
            responses.len(),
            3 + 4,
            "three quiz responses and four exam ones"
        );
        let exam: Vec<&ScoredResponse> = responses
            .iter()
            .filter(|r| r.source == Source::AdaptiveExam)
            .collect();
        let summary: Vec<_> = exam
            .iter()
            .map(|r| {
                (
                    r.client_need.as_str(),
                    r.item_type.as_deref(),
                    r.ncjmm_function.as_deref(),
                    r.aacn_competency.as_deref(),
                    r.correct,
                    r.points,
                    r.answered,
                    r.time_spent_ms,
                    r.week.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "pharmacological_parenteral",
                    Some("numeric"),
                    Some("take_action"),
                    Some("2.9"),
                    true,
                    None,
                    Some(true),
                    None,
                    "2026-03-30"
                ),
                (
                    "physiological_adaptation",
                    Some("matrix"),
                    Some("analyze_cues"),
                    Some("2.5"),
                    false,
                    None,
                    None,
                    None,
                    "2026-03-30"
                ),
                (
                    "basic_care_comfort",
                    None,
                    None,
                    None,
                    true,
                    None,
                    Some(true),
                    None,
                    "2026-03-30"
                ),
                (
                    "management_of_care",
                    Some("multiple_response"),
                    Some("generate_solutions"),
                    Some("1.3"),
                    false,
                    Some((2, 3)),
                    Some(true),
                    None,
                    "2026-04-06"
                ),
            ]
        );
        // The quiz responses keep their points and times.
        assert!(
            responses
                .iter()
                .filter(|r| r.source == Source::Attempt)
                .all(|r| r.points.is_some() && r.time_spent_ms == Some(1000))
        );
        // Readiness counts the same exam responses (and the quiz ones of a known level).
        let known_levels: i64 = conn
            .query_row(
                "SELECT count(*) FROM item_responses WHERE student_id = 10
                   AND difficulty IN ('beginner', 'intermediate', 'advanced')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        let rasch = student_readiness_responses(&conn, UserId(10)).unwrap();
        assert_eq!(rasch.len(), exam.len() + known_levels as usize);
    }

    fn assert_rollups_match(conn: &Connection) {
        for cohort_id in [CohortId(1), CohortId(2)] {
            let rolled = cohort_student_data(conn, cohort_id).unwrap();
            let scratch = cohort_student_data_from_responses(conn, cohort_id).unwrap();
            assert_eq!(rolled, scratch, "cohort {cohort_id}");
            assert!(rolled.iter().any(|s| !s.cells.is_empty()));
            assert_eq!(
                cohort::report(&rolled, 1_780_000_000),
                cohort::report(&scratch, 1_780_000_000)
            );
        }
    }

    #[test]
    fn the_rollups_equal_the_from_scratch_computation_after_backfill_inserts_and_deletes() {
        let conn = schema_before_rollups();
        for student in 10..16 {
            scored_attempt(&conn, student, 40, student);
        }
        cat_answers(&conn, 11, 1, 12);
        // The migration backfills what was stored before it.
        let rollups = MIGRATIONS.iter().find(|m| m.version == 9).unwrap();
        conn.execute_batch(rollups.sql).unwrap();
        assert_rollups_match(&conn);
        assert_eq!(student_generation(&conn, UserId(10)).unwrap(), 1);
        assert_eq!(student_generation(&conn, UserId(99)).unwrap(), 0);

        // New responses through the triggers.
        let before = (
            student_generation(&conn, UserId(12)).unwrap(),
            cohort_generation(&conn, CohortId(1)).unwrap(),
            cohort_generation(&conn, CohortId(2)).unwrap(),
        );
        let attempt = scored_attempt(&conn, 12, 25, 3);
        scored_attempt(&conn, 13, 7, 4);
        cat_answers(&conn, 14, 2, 5);
        assert_rollups_match(&conn);
        assert_eq!(
            student_generation(&conn, UserId(12)).unwrap(),
            before.0 + 25
        );
        assert_ne!(cohort_generation(&conn, CohortId(1)).unwrap(), before.1);
        assert_ne!(cohort_generation(&conn, CohortId(2)).unwrap(), before.2);

        // Removing an attempt (a cascade) takes its counts with it.
        let generation = student_generation(&conn, UserId(12)).unwrap();
        conn.execute("DELETE FROM attempts WHERE id = ?1", [attempt])
            .unwrap();
        assert_rollups_match(&conn);
        assert!(student_generation(&conn, UserId(12)).unwrap() > generation);
        conn.execute("DELETE FROM cat_sessions WHERE id = 2", [])
            .unwrap();
        assert_rollups_match(&conn);
    }

    #[test]
    fn a_cohort_fingerprint_follows_membership_and_names_not_other_cohorts() {
        let conn = schema_before_rollups();
        let rollups = MIGRATIONS.iter().find(|m| m.version == 9).unwrap();
        conn.execute_batch(rollups.sql).unwrap();
        let (a, b) = (
            cohort_generation(&conn, CohortId(1)).unwrap(),
            cohort_generation(&conn, CohortId(2)).unwrap(),
        );
        // Cohort 1 holds the even ids, cohort 2 the odd ones.
        scored_attempt(&conn, 11, 3, 1);
        assert_eq!(cohort_generation(&conn, CohortId(1)).unwrap(), a);
        assert_ne!(cohort_generation(&conn, CohortId(2)).unwrap(), b);
        let b = cohort_generation(&conn, CohortId(2)).unwrap();
        conn.execute("DELETE FROM cohort_members WHERE user_id = 13", [])
            .unwrap();
        assert_ne!(cohort_generation(&conn, CohortId(2)).unwrap(), b);
        let a = cohort_generation(&conn, CohortId(1)).unwrap();
        conn.execute(
            "UPDATE users SET display_name = 'Renamed' WHERE id = 10",
            [],
        )
        .unwrap();
        assert_ne!(cohort_generation(&conn, CohortId(1)).unwrap(), a);
    }
}
