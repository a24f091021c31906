//! The backup job and the in-server backup service.
//!
//! A backup copies the live database with SQLite's online backup API from a separate read-only
//! connection in one step: in WAL mode that is one read transaction, so the copy is a consistent
//! snapshot and writers carry on while it runs. The copy is integrity-checked, packed with the
//! signing secret, the ACME/TLS state and the config file into an [`archive`](super::archive), written
//! as `NAME.partial`, read back and verified, then renamed into place. Retention (`keep_days`,
//! `keep_count`) prunes older archives; an S3 upload follows when `[backup].s3_bucket` is set.
//!
//! [`BackupService`] is the server's side: the schedule, one backup at a time, the outcome in
//! `/metrics` and `/health`, and an audit entry for every backup. The job itself runs on its own
//! thread at a lower CPU priority so that a backup does not take the CPU away from requests.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::archive::{self, ArchiveError, ArchiveWriter, Manifest};
use super::s3;
use crate::config::{Config, ConfigSource, Schedule};
use crate::db::{DATABASE_FILE, Db};
use crate::domain::audit::AuditAction;
use crate::health::{Check, ExtraCheck, Status};
use crate::metrics::Metrics;

/// Lock file inside the backup directory: one backup at a time, across processes.
const LOCK_FILE: &str = ".bsn-knowledge-backup.lock";
/// Working directories of a backup in progress (removed when done; stale ones at the next run).
const WORK_PREFIX: &str = ".bsn-backup-work-";
/// Files in the data directory a backup never copies (the live database is copied as a snapshot).
const SKIPPED_DATA_FILES: &[&str] = &[
    DATABASE_FILE,
    "bsn-knowledge.sqlite3-wal",
    "bsn-knowledge.sqlite3-shm",
    "bsn-knowledge.sqlite3-journal",
    "bsn-knowledge.lock",
    ".write-probe",
];
/// The nice value of the backup thread: it yields a little CPU to requests (password hashing runs
/// on up to two threads per core at nice 0) but still finishes quickly on a busy machine.
const BACKUP_NICE: i32 = 1;

/// Why a backup failed; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "there is no database at {path}: nothing to back up; check [storage].data_dir (the server creates the database at its first start)"
    )]
    NoDatabase { path: String },
    #[error(
        "cannot use the backup directory {path} ({source}): give the service user write access (for example `chown bsn-knowledge: {path}`) or set [backup].dir"
    )]
    BackupDir {
        path: String,
        source: std::io::Error,
    },
    #[error("another backup is running (lock {path}); wait for it to finish and try again")]
    Busy { path: String },
    #[error(
        "cannot copy the database: {0}; check that the data directory is readable and the disk is not full"
    )]
    Snapshot(#[from] rusqlite::Error),
    #[error(
        "the copy of the database failed its integrity check ({detail}): the live database may be damaged; stop the server and restore the last good backup with `bsn-knowledge restore FILE`"
    )]
    Integrity { detail: String },
    #[error("{0}; free disk space or fix the permissions of [backup].dir and try again")]
    Archive(#[from] ArchiveError),
    #[error(
        "the archive {path} did not verify after writing ({detail}); check the disk that holds [backup].dir"
    )]
    Verify { path: String, detail: String },
    #[error(
        "backup {path} was written, but the upload to S3 failed: {message}; check [backup].s3_endpoint, s3_bucket, s3_region and the keys"
    )]
    Upload { path: String, message: String },
    #[error("the backup task stopped unexpectedly: {0}")]
    Task(String),
}

/// Everything one backup needs to know, independent of a running server.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    pub data_dir: PathBuf,
    pub backup_dir: PathBuf,
    /// An exact file to write (from `backup --output FILE`); `None` writes a dated name.
    pub output: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub busy_timeout: Duration,
    pub keep_days: u32,
    pub keep_count: Option<u32>,
    /// Directories under the data directory that are not part of a backup (backups, logs).
    pub exclude: Vec<PathBuf>,
}

impl BackupPlan {
    /// A plan from the config; `output` may name a file or an existing directory.
    pub fn new(
        config: &Config,
        config_file: Option<PathBuf>,
        output: Option<PathBuf>,
    ) -> BackupPlan {
        let backup_dir = config.backup_dir();
        let (backup_dir, output) = match output {
            Some(path) if path.is_dir() => (path, None),
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|parent| !parent.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_owned);
                (dir, Some(path))
            }
            None => (backup_dir, None),
        };
        let mut exclude = vec![backup_dir.clone(), config.backup_dir()];
        if let Some(logs) = &config.logging.dir {
            exclude.push(logs.clone());
        }
        BackupPlan {
            data_dir: config.storage.data_dir.clone(),
            backup_dir,
            output,
            config_file,
            busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
            keep_days: config.backup.keep_days,
            keep_count: config.backup.keep_count,
            exclude,
        }
    }

    /// True when this plan writes dated archives into the configured backup directory, which is
    /// where retention applies.
    fn prunes(&self, config_backup_dir: &Path) -> bool {
        self.output.is_none() && same_path(&self.backup_dir, config_backup_dir)
    }
}

/// What a finished backup wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupReport {
    #[schema(value_type = String)]
    pub path: PathBuf,
    pub file: String,
    pub size_bytes: u64,
    pub duration_ms: u64,
    pub schema_version: i64,
    /// Files in the archive besides the database and the manifest.
    pub files: Vec<String>,
    /// Older archives removed by retention.
    pub pruned: Vec<String>,
    /// The object URL (without signature) when the archive was uploaded to S3.
    pub uploaded_to: Option<String>,
}

/// Runs one backup (blocking). Prunes old archives when writing into the configured backup directory.
pub fn run_backup(
    plan: &BackupPlan,
    config_backup_dir: &Path,
) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let database = plan.data_dir.join(DATABASE_FILE);
    if !database.is_file() {
        return Err(BackupError::NoDatabase {
            path: database.display().to_string(),
        });
    }
    let dir = &plan.backup_dir;
    let dir_error = |source: std::io::Error| BackupError::BackupDir {
        path: dir.display().to_string(),
        source,
    };
    create_private_dir(dir).map_err(dir_error)?;
    let _lock = lock_backup_dir(dir)?;
    remove_stale_work(dir);

    let target = match &plan.output {
        Some(path) => path.clone(),
        None => free_name(dir),
    };
    let partial = partial_path(&target);
    let _ = std::fs::remove_file(&partial);
    let work = dir.join(format!(
        "{WORK_PREFIX}{}-{}",
        std::process::id(),
        crate::clock::unix_now()
    ));
    create_private_dir(&work).map_err(dir_error)?;
    let result = (|| {
        let snapshot = work.join(DATABASE_FILE);
        let schema_version = snapshot_database(&database, &snapshot, plan.busy_timeout)?;
        let mut writer = ArchiveWriter::create(&partial)?;
        writer.add_file(archive::DATABASE_ENTRY, &snapshot)?;
        let mut files = Vec::new();
        for (name, path) in data_files(&plan.data_dir, &plan.exclude) {
            let entry = format!("data/{name}");
            writer.add_file(&entry, &path)?;
            files.push(entry);
        }
        let config_source = match &plan.config_file {
            Some(path) if path.is_file() => {
                writer.add_file(archive::CONFIG_ENTRY, path)?;
                files.push(archive::CONFIG_ENTRY.to_owned());
                Some(path.display().to_string())
            }
            _ => None,
        };
        let manifest = Manifest {
            format: archive::FORMAT_VERSION,
            created_at: crate::clock::now_rfc3339(),
            app_version: crate::VERSION.to_owned(),
            schema_version,
            config_source,
            files: Vec::new(),
        };
        let size = writer.finish(manifest)?;
        archive::verify(&partial, None).map_err(|error| BackupError::Verify {
            path: partial.display().to_string(),
            detail: error.to_string(),
        })?;
        std::fs::rename(&partial, &target).map_err(dir_error)?;
        sync_dir(dir);
        Ok((schema_version, files, size))
    })();
    let _ = std::fs::remove_dir_all(&work);
    let (schema_version, files, size) = match result {
        Ok(done) => done,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    give_to_dir_owner(dir, &target);
    let pruned = if plan.prunes(config_backup_dir) {
        prune(dir, plan.keep_days, plan.keep_count, &target)
    } else {
        Vec::new()
    };
    Ok(BackupReport {
        file: file_name(&target),
        path: target,
        size_bytes: size,
        duration_ms: started.elapsed().as_millis() as u64,
        schema_version,
        files,
        pruned: pruned.iter().map(|path| file_name(path)).collect(),
        uploaded_to: None,
    })
}

/// Copies the live database into `dest` as one consistent snapshot, leaves it as a standalone
/// rollback-journal file, checks its integrity and returns its schema version.
fn snapshot_database(
    source: &Path,
    dest: &Path,
    busy_timeout: Duration,
) -> Result<i64, BackupError> {
    use rusqlite::backup::{Backup, StepResult};
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(busy_timeout)?;
    {
        let mut dst = Connection::open(dest)?;
        dst.pragma_update(None, "synchronous", "OFF")?;
        let backup = Backup::new(&src, &mut dst)?;
        let deadline = Instant::now() + busy_timeout.max(Duration::from_secs(5));
        // All pages in one step: one read transaction on the source, so the copy is a snapshot of
        // one moment; in WAL mode writers are not blocked by it.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                StepResult::Busy | StepResult::Locked => {
                    return Err(BackupError::Snapshot(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some("the database stayed locked".into()),
                    )));
                }
                _ => {}
            }
        }
    }
    drop(src);
    let copy = Connection::open(dest)?;
    let _mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0))?;
    let detail = integrity_problems(&copy)?;
    if let Some(detail) = detail {
        return Err(BackupError::Integrity { detail });
    }
    let version =
        crate::db::migrations::current_version(&copy).map_err(|error| BackupError::Integrity {
            detail: error.to_string(),
        })?;
    drop(copy);
    std::fs::File::open(dest)
        .and_then(|file| file.sync_all())
        .map_err(|source| ArchiveError::Io {
            what: format!("cannot sync {}", dest.display()),
            source,
        })?;
    Ok(version)
}

/// `PRAGMA integrity_check`: `None` when it says "ok", else its first complaints.
pub fn integrity_problems(conn: &Connection) -> Result<Option<String>, rusqlite::Error> {
    let mut statement = conn.prepare("PRAGMA integrity_check(5)")?;
    let rows: Vec<String> = statement
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(None)
    } else {
        Ok(Some(rows.join("; ")))
    }
}

/// Regular files of the data directory to archive, as (relative name, path), sorted.
fn data_files(data_dir: &Path, exclude: &[PathBuf]) -> Vec<(String, PathBuf)> {
    let excluded: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|path| path.canonicalize().ok())
        .collect();
    let mut out = Vec::new();
    let mut pending = vec![(data_dir.to_owned(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if (prefix.is_empty() && is_skipped_top_level(&name))
                || name.contains(".before-restore-")
            {
                continue;
            }
            if kind.is_dir() {
                if path
                    .canonicalize()
                    .is_ok_and(|real| excluded.contains(&real))
                {
                    continue;
                }
                pending.push((path, format!("{prefix}{name}/")));
            } else if kind.is_file() {
                out.push((format!("{prefix}{name}"), path));
            }
        }
    }
    out.sort();
    out
}

fn is_skipped_top_level(name: &str) -> bool {
    SKIPPED_DATA_FILES.contains(&name)
        || name.contains(".before-restore-")
        || name.starts_with(super::restore::WORK_PREFIX)
        || name.starts_with(WORK_PREFIX)
        || name == super::restore::CONFIG_FROM_BACKUP
}

/// A dated archive name in `dir` that does not exist yet.
fn free_name(dir: &Path) -> PathBuf {
    let stamp = timestamp_for_names();
    let mut candidate = dir.join(format!(
        "{}{stamp}{}",
        archive::ARCHIVE_PREFIX,
        archive::ARCHIVE_SUFFIX
    ));
    let mut counter = 1;
    while candidate.exists() {
        candidate = dir.join(format!(
            "{}{stamp}-{counter}{}",
            archive::ARCHIVE_PREFIX,
            archive::ARCHIVE_SUFFIX
        ));
        counter += 1;
    }
    candidate
}

/// `20261114T023000Z`: UTC, sortable, safe in file names.
pub fn timestamp_for_names() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| crate::clock::unix_now().to_string())
}

fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Creates `dir` (and parents) and makes a directory we created owner-only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Holds the backup directory's lock while alive.
struct BackupLock {
    _file: std::fs::File,
}

fn lock_backup_dir(dir: &Path) -> Result<BackupLock, BackupError> {
    use rustix::fs::{FlockOperation, flock};
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| BackupError::BackupDir {
            path: dir.display().to_string(),
            source,
        })?;
    if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
        return Err(BackupError::Busy {
            path: path.display().to_string(),
        });
    }
    Ok(BackupLock { _file: file })
}

/// Removes working directories and partial archives a killed backup left behind (we hold the lock).
fn remove_stale_work(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(WORK_PREFIX) {
            let _ = std::fs::remove_dir_all(entry.path());
        } else if name.ends_with(".partial")
            && archive::is_archive_name(name.trim_end_matches(".partial"))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// When run as root (an operator's `sudo bsn-knowledge backup`), hands the archive to the owner of
/// the directory it lies in, so the service can still prune it later.
pub fn give_to_dir_owner(dir: &Path, path: &Path) {
    use std::os::unix::fs::MetadataExt;
    if !rustix::process::geteuid().is_root() {
        return;
    }
    let Ok(metadata) = std::fs::metadata(dir) else {
        return;
    };
    if metadata.uid() == 0 {
        return;
    }
    let owner = rustix::fs::Uid::from_raw(metadata.uid());
    let group = rustix::fs::Gid::from_raw(metadata.gid());
    let _ = rustix::fs::chown(path, Some(owner), Some(group));
}

/// One archive in the backup directory.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupFile {
    pub file: String,
    pub size_bytes: u64,
    /// Modification time, RFC 3339 UTC.
    pub created_at: String,
    #[serde(skip)]
    pub modified: u64,
}

/// The `*.tar.gz` files of `dir`, newest first.
pub fn list_archives(dir: &Path) -> std::io::Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(archive::ARCHIVE_SUFFIX) {
            continue;
        }
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |elapsed| elapsed.as_secs());
        files.push(BackupFile {
            file: name,
            size_bytes: metadata.len(),
            created_at: rfc3339(modified),
            modified,
        });
    }
    files.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| b.file.cmp(&a.file))
    });
    Ok(files)
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(seconds: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds as i64)
        .ok()
        .and_then(|time| {
            time.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Applies retention to the dated archives of `dir`: removes those older than `keep_days` (0 = no
/// age limit) and those beyond the newest `keep_count`; never removes `keep`, the archive just made.
pub fn prune(dir: &Path, keep_days: u32, keep_count: Option<u32>, keep: &Path) -> Vec<PathBuf> {
    let Ok(files) = list_archives(dir) else {
        return Vec::new();
    };
    let now = crate::clock::unix_now();
    let keep_name = file_name(keep);
    let mut removed = Vec::new();
    let dated = files
        .into_iter()
        .filter(|file| archive::is_archive_name(&file.file));
    for (index, file) in dated.enumerate() {
        if file.file == keep_name {
            continue;
        }
        let too_old =
            keep_days > 0 && now.saturating_sub(file.modified) > u64::from(keep_days) * 86_400;
        let too_many = keep_count.is_some_and(|count| index >= count as usize);
        if too_old || too_many {
            let path = dir.join(&file.file);
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(path),
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "could not remove an old backup")
                }
            }
        }
    }
    removed
}

/// Who or what started a backup (written to the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    Schedule,
    Api,
    Cli,
}

/// Who to name in the audit log.
#[derive(Debug, Clone)]
pub struct BackupActor {
    pub id: Option<crate::domain::accounts::UserId>,
    pub name: String,
    pub ip: Option<String>,
}

/// The outcome of the last backups of this process, for `/health` and the admin API.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BackupStatus {
    /// The schedule, as configured; absent when backups are not scheduled.
    pub schedule: Option<String>,
    pub running: bool,
    pub last_success_at: Option<String>,
    pub last_success_file: Option<String>,
    pub last_failure_at: Option<String>,
    pub last_error: Option<String>,
    pub next_run_at: Option<String>,
    #[serde(skip)]
    last_success: Option<u64>,
    #[serde(skip)]
    last_failure: Option<u64>,
}

/// The server's backup service: scheduled and on-demand backups, one at a time.
pub struct BackupService {
    config: Arc<Config>,
    db: Db,
    metrics: Arc<Metrics>,
    schedule: Option<Schedule>,
    config_file: Mutex<Option<PathBuf>>,
    status: Mutex<BackupStatus>,
    running: tokio::sync::Mutex<()>,
    started_at: u64,
}

impl BackupService {
    /// Builds the service; the last success is taken from the newest archive already on disk.
    pub fn new(config: Arc<Config>, db: Db, metrics: Arc<Metrics>) -> Arc<BackupService> {
        let schedule = config
            .backup
            .schedule
            .as_deref()
            .and_then(|text| Schedule::parse(text).ok());
        let mut status = BackupStatus {
            schedule: config.backup.schedule.clone(),
            ..BackupStatus::default()
        };
        if let Ok(files) = list_archives(&config.backup_dir())
            && let Some(newest) = files.first()
        {
            status.last_success = Some(newest.modified);
            status.last_success_at = Some(rfc3339(newest.modified));
            status.last_success_file = Some(newest.file.clone());
            metrics.backup.last_success.set(newest.modified as i64);
        }
        Arc::new(BackupService {
            config,
            db,
            metrics,
            schedule,
            config_file: Mutex::new(None),
            status: Mutex::new(status),
            running: tokio::sync::Mutex::new(()),
            started_at: crate::clock::unix_now(),
        })
    }

    /// The config file the server was started with; it goes into every archive.
    pub fn set_config_source(&self, source: &ConfigSource) {
        if let (ConfigSource::File(path), Ok(mut slot)) = (source, self.config_file.lock()) {
            *slot = Some(path.canonicalize().unwrap_or_else(|_| path.clone()));
        }
    }

    pub fn status(&self) -> BackupStatus {
        let mut status = self
            .status
            .lock()
            .map(|status| status.clone())
            .unwrap_or_default();
        status.running = self.running.try_lock().is_err();
        status
    }

    /// The archives in the backup directory, newest first.
    pub fn list(&self) -> std::io::Result<Vec<BackupFile>> {
        list_archives(&self.config.backup_dir())
    }

    /// Runs one backup now; `Busy` when one is already running.
    pub async fn run(
        self: &Arc<Self>,
        trigger: Trigger,
        actor: BackupActor,
    ) -> Result<BackupReport, BackupError> {
        let Ok(_guard) = self.running.try_lock() else {
            return Err(BackupError::Busy {
                path: self
                    .config
                    .backup_dir()
                    .join(LOCK_FILE)
                    .display()
                    .to_string(),
            });
        };
        let config_file = self.config_file.lock().ok().and_then(|slot| slot.clone());
        let plan = BackupPlan::new(&self.config, config_file, None);
        let config_backup_dir = self.config.backup_dir();
        let started = Instant::now();
        let result = run_on_backup_thread(move || run_backup(&plan, &config_backup_dir)).await;
        let result = match result {
            Ok(report) => upload_if_configured(&self.config, report).await,
            Err(error) => Err(error),
        };
        self.record(&result, trigger, &actor, started.elapsed())
            .await;
        result
    }

    async fn record(
        &self,
        result: &Result<BackupReport, BackupError>,
        trigger: Trigger,
        actor: &BackupActor,
        elapsed: Duration,
    ) {
        let now = crate::clock::unix_now();
        let backup = &self.metrics.backup;
        backup.duration.set(elapsed.as_secs_f64());
        let (action, target, details) = match result {
            Ok(report) => {
                tracing::info!(
                    file = %report.path.display(),
                    size_bytes = report.size_bytes,
                    duration_ms = report.duration_ms,
                    trigger = ?trigger,
                    uploaded_to = report.uploaded_to.as_deref().unwrap_or("-"),
                    pruned = report.pruned.len(),
                    "backup written and verified"
                );
                backup.successes.inc();
                backup.last_success.set(now as i64);
                backup.size.set(report.size_bytes as i64);
                if let Ok(mut status) = self.status.lock() {
                    status.last_success = Some(now);
                    status.last_success_at = Some(rfc3339(now));
                    status.last_success_file = Some(report.file.clone());
                }
                let details = serde_json::json!({
                    "trigger": trigger, "file": report.file, "size_bytes": report.size_bytes,
                    "duration_ms": report.duration_ms, "uploaded_to": report.uploaded_to, "pruned": report.pruned,
                });
                (
                    AuditAction::BackupCreated,
                    Some(report.file.clone()),
                    details,
                )
            }
            Err(error) => {
                tracing::error!(trigger = ?trigger, "backup failed: {error}");
                backup.failures.inc();
                backup.last_failure.set(now as i64);
                if let Ok(mut status) = self.status.lock() {
                    status.last_failure = Some(now);
                    status.last_failure_at = Some(rfc3339(now));
                    status.last_error = Some(error.to_string());
                }
                (
                    AuditAction::BackupFailed,
                    None,
                    serde_json::json!({ "trigger": trigger, "error": error.to_string() }),
                )
            }
        };
        let actor = actor.clone();
        let written = self
            .db
            .write(move |tx| {
                crate::db::accounts::insert_audit(
                    tx,
                    &crate::db::accounts::AuditEntry {
                        actor_id: actor.id,
                        actor: &actor.name,
                        action,
                        target: target.as_deref(),
                        ip: actor.ip.as_deref(),
                        details,
                    },
                    &crate::clock::now_rfc3339(),
                )
            })
            .await;
        if let Err(error) = written {
            tracing::warn!(%error, "could not record the backup in the audit log");
        }
    }

    /// The scheduler task, when `[backup].schedule` is set.
    pub fn spawn_scheduler(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let schedule = self.schedule?;
        let service = Arc::clone(self);
        Some(tokio::spawn(async move {
            let mut previous = crate::clock::unix_now();
            loop {
                let now = crate::clock::unix_now();
                let next = schedule.next_after(now, previous);
                if let Ok(mut status) = service.status.lock() {
                    status.next_run_at = Some(rfc3339(next));
                }
                tokio::time::sleep(Duration::from_secs(next.saturating_sub(now))).await;
                previous = crate::clock::unix_now();
                let actor = BackupActor {
                    id: None,
                    name: "scheduler".into(),
                    ip: None,
                };
                // The outcome is logged, counted and audited inside `run`.
                let _ = service.run(Trigger::Schedule, actor).await;
            }
        }))
    }

    /// The non-critical `/health` check "backup", when backups are scheduled: degraded when the
    /// last backup failed or the last success is older than two schedule periods.
    pub fn health_check(self: &Arc<Self>) -> Option<ExtraCheck> {
        let schedule = self.schedule?;
        let service = Arc::clone(self);
        Some(Box::new(move || {
            ("backup".to_owned(), service.check(schedule))
        }))
    }

    fn check(&self, schedule: Schedule) -> Check {
        let started = Instant::now();
        let status = self.status();
        let now = crate::clock::unix_now();
        let allowed = schedule.period().as_secs().saturating_mul(2);
        let (state, detail) = match (status.last_success, status.last_failure) {
            (success, Some(failure)) if success.is_none_or(|success| failure >= success) => (
                Status::Degraded,
                format!(
                    "the last backup failed at {}: {}",
                    rfc3339(failure),
                    status.last_error.as_deref().unwrap_or("unknown error")
                ),
            ),
            (Some(success), _) if now.saturating_sub(success) > allowed => (
                Status::Degraded,
                format!(
                    "the last backup is from {}, older than two schedule periods",
                    rfc3339(success)
                ),
            ),
            (None, _) if now.saturating_sub(self.started_at) > allowed => (
                Status::Degraded,
                "no backup has been made for two schedule periods".to_owned(),
            ),
            (Some(success), _) => (
                Status::Healthy,
                format!(
                    "last backup {} at {}",
                    status.last_success_file.as_deref().unwrap_or("?"),
                    rfc3339(success)
                ),
            ),
            (None, _) => (
                Status::Healthy,
                "no backup yet; the first one is scheduled".to_owned(),
            ),
        };
        Check {
            status: state,
            detail,
            latency_ms: started.elapsed().as_secs_f64() * 1_000.0,
            critical: false,
        }
    }
}

/// Runs `job` on a dedicated thread at a lower CPU priority and waits for it without blocking the
/// async runtime (a pooled blocking thread must not keep the lowered priority).
pub async fn run_on_backup_thread<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, BackupError> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("backup".into())
        .spawn(move || {
            // On Linux the nice value of PRIO_PROCESS 0 is the calling thread's.
            let _ = rustix::process::setpriority_process(None, BACKUP_NICE);
            let _ = sender.send(job());
        })
        .map_err(|error| BackupError::Task(error.to_string()))?;
    receiver
        .await
        .map_err(|_| BackupError::Task("the backup thread ended without an answer".into()))?
}

/// Uploads the archive when `[backup].s3_bucket` is set.
async fn upload_if_configured(
    config: &Config,
    mut report: BackupReport,
) -> Result<BackupReport, BackupError> {
    let target = match s3::S3Target::from_config(&config.backup) {
        Ok(Some(target)) => target,
        Ok(None) => return Ok(report),
        Err(message) => {
            return Err(BackupError::Upload {
                path: report.path.display().to_string(),
                message,
            });
        }
    };
    match target.upload(&report.path, &report.file).await {
        Ok(url) => {
            report.uploaded_to = Some(url);
            Ok(report)
        }
        Err(message) => Err(BackupError::Upload {
            path: report.path.display().to_string(),
            message,
        }),
    }
}

/// `bsn-knowledge backup [--output PATH]`: prints the file written.
pub fn command(
    config: &Config,
    source: &ConfigSource,
    output: Option<PathBuf>,
) -> Result<(), super::CommandError> {
    let config_file = match source {
        ConfigSource::File(path) => Some(path.canonicalize().unwrap_or_else(|_| path.clone())),
        ConfigSource::Embedded => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Err(anyhow::anyhow!("cannot start the runtime: {error}").into());
        }
    };
    let plan = BackupPlan::new(config, config_file, output);
    let config_backup_dir = config.backup_dir();
    let started = SystemTime::now();
    let result = runtime.block_on(async {
        let report = run_on_backup_thread(move || run_backup(&plan, &config_backup_dir)).await?;
        upload_if_configured(config, report).await
    });
    let audit = match &result {
        Ok(report) => (
            AuditAction::BackupCreated,
            Some(report.file.clone()),
            serde_json::json!({"trigger": Trigger::Cli, "file": report.file, "size_bytes": report.size_bytes,
                "duration_ms": report.duration_ms, "uploaded_to": report.uploaded_to, "pruned": report.pruned}),
        ),
        Err(error) => (
            AuditAction::BackupFailed,
            None,
            serde_json::json!({"trigger": Trigger::Cli, "error": error.to_string()}),
        ),
    };
    audit_offline(config, audit.0, audit.1.as_deref(), audit.2);
    match result {
        Ok(report) => {
            eprintln!(
                "backup written and verified: {} bytes, schema version {}, {} ms{}",
                report.size_bytes,
                report.schema_version,
                started.elapsed().map_or(0, |elapsed| elapsed.as_millis()),
                report
                    .uploaded_to
                    .as_deref()
                    .map(|url| format!(", uploaded to {url}"))
                    .unwrap_or_default()
            );
            for pruned in &report.pruned {
                eprintln!("removed old backup {pruned} (retention)");
            }
            println!("{}", report.path.display());
            Ok(())
        }
        Err(error) => Err(anyhow::anyhow!("backup failed: {error}").into()),
    }
}

/// Writes an audit entry straight into the database file (for subcommands that run beside or
/// without the server); a failure is only reported.
pub fn audit_offline(
    config: &Config,
    action: AuditAction,
    target: Option<&str>,
    details: serde_json::Value,
) {
    let path = config.storage.data_dir.join(DATABASE_FILE);
    let result = (|| -> Result<(), crate::db::DbError> {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_millis(config.database.busy_timeout_ms))?;
        let entry = crate::db::accounts::AuditEntry {
            actor_id: None,
            actor: "cli",
            action,
            target,
            ip: None,
            details,
        };
        crate::db::accounts::insert_audit(&conn, &entry, &crate::clock::now_rfc3339())
    })();
    if let Err(error) = result {
        eprintln!("warning: could not record `{action}` in the audit log: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        let mut config = Config::default();
        config.storage.data_dir = dir.join("data");
        config
    }

    fn open(config: &Config) -> Db {
        let options = crate::db::DbOptions {
            data_dir: config.storage.data_dir.clone(),
            busy_timeout: Duration::from_secs(1),
            pool_size: 1,
        };
        Db::open(&options, "t").unwrap().0
    }

    #[test]
    fn a_backup_holds_the_database_the_secret_and_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let db = open(&config);
        db.write_blocking(|tx| {
            tx.execute("INSERT INTO settings VALUES ('k', 'v', 't')", [])?;
            Ok(())
        })
        .unwrap();
        std::fs::write(config.storage.data_dir.join("secret_key"), b"secret").unwrap();
        std::fs::create_dir_all(config.storage.data_dir.join("acme")).unwrap();
        std::fs::write(config.storage.data_dir.join("acme/account.json"), b"{}").unwrap();
        let config_file = dir.path().join("config.toml");
        std::fs::write(&config_file, b"").unwrap();
        let plan = BackupPlan::new(&config, Some(config_file), None);
        let report = run_backup(&plan, &config.backup_dir()).unwrap();
        assert_eq!(
            report.files,
            vec![
                "data/acme/account.json",
                "data/secret_key",
                archive::CONFIG_ENTRY
            ]
        );
        assert!(report.path.starts_with(config.backup_dir()));
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        archive::verify(&report.path, Some(&out)).unwrap();
        let copy = Connection::open(out.join(archive::DATABASE_ENTRY)).unwrap();
        let value: String = copy
            .query_row("SELECT value FROM settings WHERE key = 'k'", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(value, "v");
        // A second backup does not archive the first one (the backup dir is inside the data dir).
        let second = run_backup(&plan, &config.backup_dir()).unwrap();
        assert_eq!(second.files.len(), 3, "{:?}", second.files);
        drop(db);
    }

    #[test]
    fn retention_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        for second in 0..5 {
            let path = dir
                .path()
                .join(format!("bsn-knowledge-2026010{second}T000000Z.tar.gz"));
            std::fs::write(&path, b"x").unwrap();
            let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + second);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        }
        std::fs::write(dir.path().join("pre-upgrade-0.1.0.tar.gz"), b"x").unwrap();
        let keep = dir.path().join("bsn-knowledge-20260104T000000Z.tar.gz");
        let removed = prune(dir.path(), 0, Some(2), &keep);
        assert_eq!(removed.len(), 3);
        let left: Vec<String> = list_archives(dir.path())
            .unwrap()
            .into_iter()
            .map(|file| file.file)
            .collect();
        assert_eq!(left.len(), 3, "{left:?}");
        assert!(left.contains(&"pre-upgrade-0.1.0.tar.gz".to_owned()));
        // keep_days: everything older than a day goes, except the one just made.
        let removed = prune(dir.path(), 1, None, &keep);
        assert_eq!(removed.len(), 1);
    }

    #[test]
    fn no_database_is_an_error_that_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let error =
            run_backup(&BackupPlan::new(&config, None, None), &config.backup_dir()).unwrap_err();
        assert!(error.to_string().contains("no database"), "{error}");
    }
}
