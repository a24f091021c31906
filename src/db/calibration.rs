//! The stored Rasch calibration: the responses it is estimated from (quiz, practice and adaptive
//! exam), each run with what it rested on, and the latest difficulty and fit of every item.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::DbError;
use crate::domain::accounts::UserId;
use crate::domain::items::{Difficulty, ItemId};
use crate::domain::psychometrics::calibration::{
    CalibrationRunId, ItemCalibration, Observation, item_prior,
};

/// The newest stored responses: (largest `item_responses` id, largest `cat_responses` rowid).
/// A calibration made at the same marks would see exactly the same data (responses are only ever
/// added; a removal without an addition is left to the next on-demand run).
pub fn response_marks(conn: &Connection) -> Result<(i64, i64), DbError> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT coalesce(max(id), 0) FROM item_responses),
                    (SELECT coalesce(max(rowid), 0) FROM cat_responses)",
        )?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?)
}

/// Everything a calibration reads: persons (student ids), items (ids with their prior means) and
/// the observations as indexes into both.
#[derive(Debug, Clone, Default)]
pub struct CalibrationData {
    pub persons: Vec<i64>,
    pub items: Vec<String>,
    pub prior_means: Vec<f64>,
    pub observations: Vec<Observation>,
    pub marks: (i64, i64),
}

/// Interned persons and items while the responses are read.
#[derive(Default)]
struct Index {
    persons: HashMap<i64, u32>,
    items: HashMap<String, u32>,
    /// The level prior of each item, once a response names its level.
    level: Vec<Option<f64>>,
    /// The difficulty the adaptive exam gave each item in its first stored response.
    first_cat_b: Vec<Option<f64>>,
}

impl Index {
    fn item(&mut self, data: &mut CalibrationData, id: &str) -> u32 {
        if let Some(&at) = self.items.get(id) {
            return at;
        }
        let at = data.items.len() as u32;
        self.items.insert(id.to_owned(), at);
        data.items.push(id.to_owned());
        self.level.push(None);
        self.first_cat_b.push(None);
        at
    }

    fn person(&mut self, data: &mut CalibrationData, id: i64) -> u32 {
        *self.persons.entry(id).or_insert_with(|| {
            data.persons.push(id);
            (data.persons.len() - 1) as u32
        })
    }
}

/// Reads every scored response. Full points count as correct. An item's prior mean is its
/// difficulty level's prior when a quiz or practice response names the level; otherwise the prior
/// stored with its earlier calibration; otherwise the difficulty the adaptive exam gave it when it
/// was first answered (before any calibration, that is the bank's prior).
pub fn load(conn: &Connection) -> Result<CalibrationData, DbError> {
    let marks = response_marks(conn)?;
    let mut data = CalibrationData {
        marks,
        ..CalibrationData::default()
    };
    let mut index = Index::default();
    {
        let mut statement = conn.prepare_cached(
            "SELECT student_id, item_id, points >= max_points, difficulty FROM item_responses
             WHERE id <= ?1 ORDER BY id",
        )?;
        let mut rows = statement.query([marks.0])?;
        while let Some(row) = rows.next()? {
            let student: i64 = row.get(0)?;
            let item = index.item(&mut data, row.get_ref(1)?.as_str().unwrap_or_default());
            let correct: bool = row.get(2)?;
            if index.level[item as usize].is_none()
                && let Some(difficulty) = Difficulty::parse(row.get_ref(3)?.as_str().unwrap_or(""))
            {
                index.level[item as usize] = Some(item_prior(difficulty.logit_prior(), &[]).mean);
            }
            let person = index.person(&mut data, student);
            data.observations.push(Observation {
                person,
                item,
                correct,
            });
        }
    }
    {
        let mut statement = conn.prepare_cached(
            "SELECT student_id, item_id, correct, b FROM cat_responses WHERE rowid <= ?1 ORDER BY rowid",
        )?;
        let mut rows = statement.query([marks.1])?;
        while let Some(row) = rows.next()? {
            let student: i64 = row.get(0)?;
            let item = index.item(&mut data, row.get_ref(1)?.as_str().unwrap_or_default());
            let correct: bool = row.get(2)?;
            let b: f64 = row.get(3)?;
            index.first_cat_b[item as usize].get_or_insert(b);
            let person = index.person(&mut data, student);
            data.observations.push(Observation {
                person,
                item,
                correct,
            });
        }
    }
    let stored: HashMap<String, f64> = {
        let mut statement =
            conn.prepare_cached("SELECT item_id, prior_mean FROM item_calibrations")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    data.prior_means = data
        .items
        .iter()
        .enumerate()
        .map(|(at, id)| {
            index.level[at]
                .or_else(|| stored.get(id).copied())
                .or(index.first_cat_b[at])
                .unwrap_or(0.0)
        })
        .collect();
    Ok(data)
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    OnDemand,
    Background,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::OnDemand => "on_demand",
            Trigger::Background => "background",
        }
    }

    fn parse(text: &str) -> Trigger {
        if text == "background" {
            Trigger::Background
        } else {
            Trigger::OnDemand
        }
    }
}

/// One stored run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RunRecord {
    #[schema(value_type = i64)]
    pub run_id: CalibrationRunId,
    pub trigger: Trigger,
    pub started_at: String,
    /// Wall time of the estimation, reading the responses included.
    pub duration_ms: i64,
    pub persons: i64,
    pub items: i64,
    pub responses: i64,
    pub iterations: i64,
    pub converged: bool,
    #[serde(skip)]
    pub marks: (i64, i64),
}

/// The newest run, if any.
pub fn latest_run(conn: &Connection) -> Result<Option<RunRecord>, DbError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, trigger, started_at, duration_ms, persons, items, responses, iterations,
                    converged, item_response_mark, cat_response_mark
             FROM calibration_runs ORDER BY id DESC LIMIT 1",
        )?
        .query_row([], |row| {
            Ok(RunRecord {
                run_id: row.get(0)?,
                trigger: Trigger::parse(&row.get::<_, String>(1)?),
                started_at: row.get(2)?,
                duration_ms: row.get(3)?,
                persons: row.get(4)?,
                items: row.get(5)?,
                responses: row.get(6)?,
                iterations: row.get(7)?,
                converged: row.get(8)?,
                marks: (row.get(9)?, row.get(10)?),
            })
        })
        .optional()?)
}

/// Stores a run and makes its estimates the items' current calibration (replacing the earlier
/// run's). Returns the run id.
pub fn store_run(
    conn: &Connection,
    run: &RunRecord,
    requested_by: Option<UserId>,
    items: &[(String, ItemCalibration)],
) -> Result<CalibrationRunId, DbError> {
    conn.execute(
        "INSERT INTO calibration_runs (trigger, requested_by, started_at, duration_ms, persons, items,
             responses, iterations, converged, item_response_mark, cat_response_mark)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            run.trigger.as_str(),
            requested_by,
            run.started_at,
            run.duration_ms,
            run.persons,
            run.items,
            run.responses,
            run.iterations,
            run.converged,
            run.marks.0,
            run.marks.1
        ],
    )?;
    let run_id = CalibrationRunId::from(conn.last_insert_rowid());
    conn.execute("DELETE FROM item_calibrations", [])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO item_calibrations (item_id, run_id, b, se, n, prior_mean, infit, outfit, misfit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (item_id, estimate) in items {
        insert.execute(params![
            item_id,
            run_id,
            estimate.b,
            estimate.se,
            estimate.n as i64,
            estimate.prior_mean,
            estimate.infit,
            estimate.outfit,
            estimate.misfit
        ])?;
    }
    Ok(run_id)
}

/// An item's stored calibration.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct StoredCalibration {
    pub item_id: String,
    #[serde(flatten)]
    pub estimate: ItemCalibration,
}

fn stored_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCalibration> {
    Ok(StoredCalibration {
        item_id: row.get(0)?,
        estimate: ItemCalibration {
            b: row.get(1)?,
            se: row.get(2)?,
            n: row.get::<_, i64>(3)?.max(0) as usize,
            prior_mean: row.get(4)?,
            infit: row.get(5)?,
            outfit: row.get(6)?,
            misfit: row.get(7)?,
        },
    })
}

const STORED: &str =
    "SELECT item_id, b, se, n, prior_mean, infit, outfit, misfit FROM item_calibrations";

/// Which calibrations a page holds and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalibrationPage {
    /// Only the items flagged as misfitting.
    pub misfit_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Every item's current calibration, misfitting items first, then by item id.
pub fn calibrations(conn: &Connection) -> Result<Vec<StoredCalibration>, DbError> {
    let mut statement = conn.prepare_cached(&format!("{STORED} ORDER BY misfit DESC, item_id"))?;
    Ok(statement
        .query_map([], stored_from)?
        .collect::<Result<_, _>>()?)
}

/// One page of the items' current calibrations in the same order as [`calibrations`], the number
/// of items the filter matches, and the number of misfitting items in all.
pub fn calibration_page(
    conn: &Connection,
    page: CalibrationPage,
) -> Result<(Vec<StoredCalibration>, i64, i64), DbError> {
    let mut statement = conn.prepare_cached(&format!(
        "{STORED} WHERE misfit = 1 OR ?1 = 0 ORDER BY misfit DESC, item_id LIMIT ?2 OFFSET ?3"
    ))?;
    let items = statement
        .query_map(
            params![page.misfit_only, page.limit, page.offset],
            stored_from,
        )?
        .collect::<Result<_, _>>()?;
    let (all, misfitting): (i64, i64) = conn
        .prepare_cached("SELECT count(*), coalesce(sum(misfit), 0) FROM item_calibrations")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let total = if page.misfit_only { misfitting } else { all };
    Ok((items, total, misfitting))
}

/// One item's current calibration.
pub fn calibration_of(
    conn: &Connection,
    item_id: &ItemId,
) -> Result<Option<StoredCalibration>, DbError> {
    Ok(conn
        .prepare_cached(&format!("{STORED} WHERE item_id = ?1"))?
        .query_row([item_id], stored_from)
        .optional()?)
}
