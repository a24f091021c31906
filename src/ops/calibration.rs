//! Rasch calibration as a service: estimate every item's difficulty from the stored responses
//! (`domain::psychometrics::calibration`, JMAP with priors by difficulty level), store the run and
//! its estimates, and tell the adaptive exam which run is current. Runs on demand (the analytics
//! API) and in the background every [`BACKGROUND_EVERY`], where it costs two indexed reads when no
//! response arrived since the last run.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use crate::db::calibration::{self as store, RunRecord, Trigger};
use crate::db::{Db, DbError};
use crate::domain::accounts::UserId;
use crate::domain::psychometrics::calibration::{
    self, CalibrationRunId, ITEM_PRIOR_SD, ItemPrior, Settings,
};

/// How often the background job looks for new responses.
pub const BACKGROUND_EVERY: Duration = Duration::from_secs(15 * 60);

/// One run at a time: a second caller waits for the first and then runs on what is new.
static RUNNING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The id of the newest stored run this process knows (−1 before it has looked).
static CURRENT_RUN: AtomicI64 = AtomicI64::new(-1);

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Estimated and stored.
    Ran(RunRecord),
    /// A background run found no response newer than the last run's.
    Unchanged,
}

/// Calibrates the items from every stored response and stores the run. A background run is
/// skipped when no response arrived since the newest run; an on-demand run always estimates.
pub async fn run(
    db: &Db,
    trigger: Trigger,
    requested_by: Option<UserId>,
) -> Result<RunOutcome, DbError> {
    let _running = RUNNING.lock().await;
    let (marks, latest) = db
        .read(|conn| Ok((store::response_marks(conn)?, store::latest_run(conn)?)))
        .await?;
    if trigger == Trigger::Background && latest.as_ref().map(|run| run.marks) == Some(marks) {
        return Ok(RunOutcome::Unchanged);
    }
    if trigger == Trigger::Background && latest.is_none() && marks == (0, 0) {
        return Ok(RunOutcome::Unchanged);
    }
    let started = Instant::now();
    let started_at = crate::clock::now_rfc3339();
    let data = db.read(store::load).await?;
    let (data, estimates) = tokio::task::spawn_blocking(move || {
        let priors: Vec<ItemPrior> = data
            .prior_means
            .iter()
            .map(|&mean| ItemPrior {
                mean,
                sd: ITEM_PRIOR_SD,
            })
            .collect();
        let estimates = calibration::calibrate(
            data.persons.len(),
            &priors,
            &data.observations,
            Settings::default(),
        );
        (data, estimates)
    })
    .await
    .map_err(|error| DbError::Task(error.to_string()))?;
    let record = RunRecord {
        // Storage gives the id; `store_run` does not read this one.
        run_id: CalibrationRunId::from(0),
        trigger,
        started_at,
        duration_ms: started.elapsed().as_millis() as i64,
        persons: data.persons.len() as i64,
        items: data.items.len() as i64,
        responses: data.observations.len() as i64,
        iterations: estimates.iterations as i64,
        converged: estimates.converged,
        marks: data.marks,
    };
    let items: Vec<(String, calibration::ItemCalibration)> =
        data.items.into_iter().zip(estimates.items).collect();
    let stored = record.clone();
    let run_id = db
        .write(move |tx| store::store_run(tx, &stored, requested_by, &items))
        .await?;
    CURRENT_RUN.store(run_id.get(), Ordering::Release);
    tracing::info!(
        run_id = run_id.get(),
        items = record.items,
        responses = record.responses,
        duration_ms = record.duration_ms,
        converged = record.converged,
        "item calibration stored"
    );
    Ok(RunOutcome::Ran(RunRecord { run_id, ..record }))
}

/// The id of the newest stored run (`None`: no run yet), read from storage once per process.
pub async fn current_run(db: &Db) -> Result<Option<CalibrationRunId>, DbError> {
    let known = CURRENT_RUN.load(Ordering::Acquire);
    if known >= 0 {
        return Ok(stored_run(known));
    }
    let latest = db.read(store::latest_run).await?;
    let id = latest.map_or(0, |run| run.run_id.get());
    // A run stored meanwhile has set a newer id; keep that one.
    let _ = CURRENT_RUN.compare_exchange(-1, id, Ordering::AcqRel, Ordering::Acquire);
    Ok(stored_run(CURRENT_RUN.load(Ordering::Acquire)))
}

/// [`CURRENT_RUN`]'s value as a run: SQLite row ids start at 1, so 0 (and −1) is none.
fn stored_run(known: i64) -> Option<CalibrationRunId> {
    (known > 0).then_some(CalibrationRunId::from(known))
}

/// The background job: every [`BACKGROUND_EVERY`], a run when responses arrived since the last.
pub fn spawn_background(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(BACKGROUND_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is immediate; the first look comes one period after the start.
        ticker.tick().await;
        loop {
            ticker.tick().await;
            if let Err(error) = run(&db, Trigger::Background, None).await {
                tracing::warn!(%error, "background item calibration failed");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbOptions;

    fn open(dir: &std::path::Path) -> Db {
        let options = DbOptions {
            data_dir: dir.join("data"),
            busy_timeout: Duration::from_secs(1),
            pool_size: 2,
        };
        Db::open(&options, "t").unwrap().0
    }

    /// `students` students each answer items 0..5 of one quiz; item 0 always right.
    fn answers(db: &Db, students: std::ops::Range<i64>) {
        db.write_blocking(|tx| {
            tx.execute_batch(
                "INSERT OR IGNORE INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                 VALUES (1, 'admin', 'A', 'admin', 'x', 't', 't');
                 INSERT OR IGNORE INTO quizzes (id, kind, title, created_by, max_score, created_at, updated_at)
                 VALUES (1, 'quiz', 'Q', 1, 5, 't', 't');",
            )?;
            for student in students {
                tx.execute(
                    "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at)
                     VALUES (?1, 's' || ?1, 'S', 'student', 'x', 't', 't')",
                    [student],
                )?;
                tx.execute(
                    "INSERT INTO attempts (quiz_id, student_id, attempt_number, status, started_at, last_activity_ms, submitted_at, score, max_score)
                     VALUES (1, ?1, 1, 'submitted', 't', 0, 't', 0, 5)",
                    [student],
                )?;
                let attempt = tx.last_insert_rowid();
                for item in 0..5i64 {
                    let right = item == 0 || (student + item) % 3 == 0;
                    tx.execute(
                        "INSERT INTO item_responses (attempt_id, quiz_id, student_id, item_id, position, answered, points, max_points,
                             scored_at, item_type, client_need, ncjmm_function, aacn_competency, difficulty)
                         VALUES (?1, 1, ?2, 'item-' || ?3, ?3, 1, ?4, 1, '2026-03-02T10:00:00Z', 'multiple_choice',
                                 'management_of_care', 'take_action', '2.4', 'intermediate')",
                        rusqlite::params![attempt, student, item, i64::from(right)],
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
    }

    #[tokio::test]
    async fn background_runs_only_when_responses_arrived_and_the_run_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        // Nothing stored: the background has nothing to do.
        assert_eq!(
            run(&db, Trigger::Background, None).await.unwrap(),
            RunOutcome::Unchanged
        );
        answers(&db, 10..50);
        let RunOutcome::Ran(first) = run(&db, Trigger::Background, None).await.unwrap() else {
            panic!("new responses: the background calibrates");
        };
        assert_eq!((first.persons, first.items, first.responses), (40, 5, 200));
        assert_eq!(first.trigger, Trigger::Background);
        assert_eq!(current_run(&db).await.unwrap(), Some(first.run_id));
        // Nothing new: skipped, and nothing stored.
        assert_eq!(
            run(&db, Trigger::Background, None).await.unwrap(),
            RunOutcome::Unchanged
        );
        let stored = db.read(store::calibrations).await.unwrap();
        assert_eq!(stored.len(), 5);
        let always_right = stored.iter().find(|c| c.item_id == "item-0").unwrap();
        assert_eq!(always_right.estimate.n, 40);
        assert!(always_right.estimate.b < always_right.estimate.prior_mean - 0.5);
        assert!(calibration::usable_by_exam(&always_right.estimate));
        // On demand it always runs; new responses make the background run again.
        let RunOutcome::Ran(second) = run(&db, Trigger::OnDemand, Some(UserId(1))).await.unwrap()
        else {
            panic!("on demand always runs");
        };
        assert!(second.run_id > first.run_id);
        answers(&db, 50..51);
        let RunOutcome::Ran(third) = run(&db, Trigger::Background, None).await.unwrap() else {
            panic!("a new response: the background calibrates");
        };
        assert_eq!(third.responses, 205);
        assert_eq!(
            db.read(store::latest_run).await.unwrap().map(|r| r.run_id),
            Some(third.run_id)
        );
    }
}
