//! Recorded NCLEX results with the readiness estimate at the time each was recorded.

use rusqlite::{Connection, OptionalExtension, params};

use super::DbError;

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
