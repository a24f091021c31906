//! Storage: one SQLite file under the data directory.
//!
//! One writer connection behind a mutex (SQLite allows one writer at a time anyway, and a single
//! writer with `BEGIN IMMEDIATE` never deadlocks on lock upgrades) and a pool of read-only
//! connections. WAL journal with `synchronous = FULL`: a commit that returned is on disk and survives
//! `kill -9` and power loss. All calls run on tokio's blocking pool. This module takes plain options,
//! not the config, and knows nothing of HTTP.

/// Binds and reads a typed id as the integer it is stored as.
macro_rules! sql_id {
    ($($id:ty),* $(,)?) => {$(
        impl rusqlite::ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.0.into())
            }
        }

        impl rusqlite::types::FromSql for $id {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map(<$id>::from)
            }
        }
    )*};
}

sql_id!(
    crate::domain::accounts::UserId,
    crate::domain::accounts::CohortId,
    crate::domain::practice::QuizId,
    crate::domain::practice::AttemptId,
    crate::domain::psychometrics::cat::CatSessionId,
    crate::domain::competency::AssessmentId,
    crate::domain::competency::EvidenceId,
    crate::domain::psychometrics::calibration::CalibrationRunId,
);

/// Binds and reads a typed text id as the text it is stored as.
macro_rules! sql_text_id {
    ($($id:ty),* $(,)?) => {$(
        impl rusqlite::ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $id {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                String::column_result(value).map(<$id>::from)
            }
        }
    )*};
}

sql_text_id!(
    crate::domain::items::ItemId,
    crate::domain::competency::CompetencyId,
);

/// Roles are stored as their lowercase names; a name the code does not know reads as an error,
/// not as some default role.
impl rusqlite::ToSql for crate::domain::accounts::Role {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::types::FromSql for crate::domain::accounts::Role {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        crate::domain::accounts::Role::parse(text).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown role {text:?}").into())
        })
    }
}

/// Audit actions are stored as their snake_case names (`AuditAction::as_str`). Entries are read
/// back as the stored text, so this binds only.
impl rusqlite::ToSql for crate::domain::audit::AuditAction {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

pub mod accounts;
pub mod analytics;
pub mod calibration;
pub mod cat;
pub mod competency;
pub mod items;
mod lock;
pub mod migrations;
pub mod practice;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use lock::DataDirLock;
pub use migrations::MigrationReport;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "bsn-knowledge.sqlite3";

/// What [`Db::open`] needs to know.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub data_dir: PathBuf,
    pub busy_timeout: Duration,
    pub pool_size: u32,
}

/// Storage failures. The operator-facing variants say what to do.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "data directory {path} is not writable ({reason}): give the service user write access (for example `chown -R bsn-knowledge: {path}`) or set [storage].data_dir to a writable directory"
    )]
    DataDirNotWritable { path: String, reason: String },
    #[error(
        "the disk holding data directory {path} is full ({reason}): free space on it (old backups, logs) or set [storage].data_dir to a disk with room, then start again"
    )]
    DiskFull { path: String, reason: String },
    #[error(
        "data directory {path} is on a network filesystem ({kind}); SQLite needs a local disk: set [storage].data_dir to a local path"
    )]
    NetworkFilesystem { path: String, kind: &'static str },
    #[error(
        "another bsn-knowledge server is using the data directory {path}{holder}: stop it first (systemctl stop bsn-knowledge) or use another [storage].data_dir"
    )]
    DataDirInUse { path: String, holder: String },
    #[error(
        "database {path} failed its integrity check ({detail}): stop the server and restore the last backup with `bsn-knowledge restore FILE`; the damaged file has been left untouched for inspection"
    )]
    Corrupt { path: String, detail: String },
    #[error(
        "database schema version {database_version} is newer than this binary supports ({binary_version}): install the newer bsn-knowledge release again, or restore a backup made by this version"
    )]
    NewerThanBinary {
        database_version: i64,
        binary_version: i64,
    },
    #[error(
        "applied migration {name} differs from the one built into this binary: this binary does not belong to this database; install the release that created it"
    )]
    ChangedMigration { name: String },
    #[error("migration {name} failed: {message}; the database was left at the previous version")]
    MigrationFailed { name: &'static str, message: String },
    /// A unique or foreign-key rule refused the write; the text says which.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database task failed: {0}")]
    Task(String),
    #[error("database writer lock poisoned by an earlier panic")]
    Poisoned,
}

impl DbError {
    /// The data directory `path` could not be written: a full disk (or quota) says so, anything
    /// else is a permission or path problem.
    pub fn unwritable(path: &Path, error: &std::io::Error) -> DbError {
        let full = matches!(
            error.raw_os_error(),
            Some(code) if code == rustix::io::Errno::NOSPC.raw_os_error()
                || code == rustix::io::Errno::DQUOT.raw_os_error()
        );
        let (path, reason) = (path.display().to_string(), error.to_string());
        if full {
            DbError::DiskFull { path, reason }
        } else {
            DbError::DataDirNotWritable { path, reason }
        }
    }

    /// True for SQLite's "database or disk is full".
    pub fn is_disk_full(&self) -> bool {
        matches!(self, DbError::Sqlite(rusqlite::Error::SqliteFailure(error, _)) if error.code == rusqlite::ErrorCode::DiskFull)
    }
}

/// Maps a unique-constraint failure to [`DbError::Conflict`] with `message`; other errors pass through.
pub fn on_unique(error: rusqlite::Error, message: impl FnOnce() -> String) -> DbError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            DbError::Conflict(message())
        }
        _ => DbError::Sqlite(error),
    }
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: r2d2::Pool<SqliteConnectionManager>,
    file_identity: FileIdentity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

fn file_identity(path: &Path) -> std::io::Result<FileIdentity> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path)?;
    Ok(FileIdentity {
        device: metadata.dev(),
        inode: metadata.ino(),
    })
}

/// Outcome of the health probes.
#[derive(Debug, Clone)]
pub struct ProbeOutcome {
    pub ok: bool,
    pub detail: String,
    pub latency: Duration,
}

impl Db {
    /// Opens (creating if needed), checks and migrates the database. Refuses unwritable or network
    /// data directories, a damaged file, a newer schema and changed migrations.
    pub fn open(options: &DbOptions, now: &str) -> Result<(Db, MigrationReport), DbError> {
        prepare_data_dir(&options.data_dir)?;
        let path = options.data_dir.join(DATABASE_FILE);
        let corrupt = |detail: String| DbError::Corrupt {
            path: path.display().to_string(),
            detail,
        };

        let mut writer = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure_writer(&writer, options.busy_timeout).map_err(|error| match error {
            DbError::Sqlite(source) if is_not_a_database(&source) => corrupt(source.to_string()),
            other => other,
        })?;
        let check: String = writer
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|error| {
                if is_not_a_database(&error) {
                    corrupt(error.to_string())
                } else {
                    error.into()
                }
            })?;
        if check != "ok" {
            return Err(corrupt(check));
        }
        let report = migrations::apply(&mut writer, now)?;

        let busy_timeout_ms = options.busy_timeout.as_millis();
        let manager = SqliteConnectionManager::file(&path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(move |conn| {
                conn.execute_batch(&format!(
                    "PRAGMA busy_timeout = {busy_timeout_ms}; PRAGMA foreign_keys = ON;"
                ))
            });
        let readers = r2d2::Pool::builder()
            .max_size(options.pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager)?;
        let file_identity = file_identity(&path).map_err(|error| DbError::DataDirNotWritable {
            path: path.display().to_string(),
            reason: error.to_string(),
        })?;
        let db = Db {
            inner: Arc::new(Inner {
                path,
                writer: Mutex::new(writer),
                readers,
                file_identity,
            }),
        };
        Ok((db, report))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` on a pooled read-only connection.
    pub async fn read<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        run_blocking(move || {
            let conn = inner.readers.get()?;
            work(&conn)
        })
        .await
    }

    /// Runs a short read on the calling thread. For the per-request look-ups on the hot path (a
    /// primary-key read takes microseconds), where handing off to the blocking pool would cost more
    /// than the query; everything longer goes through [`Db::read`].
    pub fn read_now<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let conn = self.inner.readers.get()?;
        work(&conn)
    }

    /// Runs `work` in a `BEGIN IMMEDIATE` transaction on the writer; commits when it returns `Ok`.
    pub async fn write<T, F>(&self, work: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, DbError> + Send + 'static,
    {
        let db = self.clone();
        run_blocking(move || db.write_blocking(work)).await
    }

    /// The same as [`Db::write`] for callers already off the async runtime (CLI subcommands).
    pub fn write_blocking<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.inner.writer.lock().map_err(|_| DbError::Poisoned)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Reads through a fresh connection and checks the file is still the one we opened, so a deleted,
    /// replaced or unreadable database shows up even while pooled connections hold it open.
    pub fn probe_read(&self) -> ProbeOutcome {
        let started = Instant::now();
        let result = (|| -> Result<String, String> {
            let identity = file_identity(&self.inner.path)
                .map_err(|error| format!("database file: {error}"))?;
            if identity != self.inner.file_identity {
                return Err("the database file was replaced while the server runs".into());
            }
            let conn = Connection::open_with_flags(
                &self.inner.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|error| error.to_string())?;
            let version: i64 = conn
                .query_row(
                    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                    [],
                    |row| row.get(0),
                )
                .map_err(|error| error.to_string())?;
            Ok(format!("schema version {version}"))
        })();
        outcome(started, result)
    }

    /// Commits a tiny write through the writer connection.
    pub fn probe_write(&self, now: &str) -> ProbeOutcome {
        let started = Instant::now();
        let now = now.to_owned();
        let result = self
            .write_blocking(move |tx| {
                tx.execute(
                    "INSERT INTO health_probe (id, checked_at) VALUES (1, ?1)
                     ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                    [&now],
                )?;
                Ok(())
            })
            .map(|()| "write committed".to_owned())
            .map_err(|error| error.to_string());
        outcome(started, result)
    }
}

fn outcome(started: Instant, result: Result<String, String>) -> ProbeOutcome {
    let latency = started.elapsed();
    match result {
        Ok(detail) => ProbeOutcome {
            ok: true,
            detail,
            latency,
        },
        Err(detail) => ProbeOutcome {
            ok: false,
            detail,
            latency,
        },
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, DbError> + Send + 'static,
) -> Result<T, DbError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| DbError::Task(error.to_string()))?
}

fn configure_writer(conn: &Connection, busy_timeout: Duration) -> Result<(), DbError> {
    conn.busy_timeout(busy_timeout)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::Task(format!(
            "could not switch the database to WAL mode (got {mode})"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA journal_size_limit = 67108864;",
    )?;
    Ok(())
}

fn is_not_a_database(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(failure, _)
        if matches!(failure.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt))
}

/// Makes the data directory private to the service user: sets the process umask to 077 (so the
/// database, its -wal and -shm, the lock, secrets and everything created later are 0600 and
/// directories 0700), creates the directory, and tightens what already exists under it (files 0600,
/// directories 0700; symbolic links are not followed).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::create_dir_all(dir)?;
    make_private(dir)
}

fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::symlink_metadata(path)?;
    if metadata.file_type().is_symlink() {
        return Ok(());
    }
    let wanted = if metadata.is_dir() { 0o700 } else { 0o600 };
    if metadata.permissions().mode() & 0o777 != wanted {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(wanted))?;
    }
    if metadata.is_dir() {
        for entry in std::fs::read_dir(path)? {
            make_private(&entry?.path())?;
        }
    }
    Ok(())
}

/// Creates the data directory and proves we can write and sync a file in it.
fn prepare_data_dir(dir: &Path) -> Result<(), DbError> {
    let not_writable = |error: std::io::Error| DbError::unwritable(dir, &error);
    create_private_dir(dir).map_err(not_writable)?;
    let probe = dir.join(".write-probe");
    std::fs::write(&probe, b"probe")
        .and_then(|()| std::fs::File::open(&probe)?.sync_all())
        .map_err(not_writable)?;
    let _ = std::fs::remove_file(&probe);
    if let Some(kind) = network_filesystem(dir) {
        return Err(DbError::NetworkFilesystem {
            path: dir.display().to_string(),
            kind,
        });
    }
    Ok(())
}

/// Names the network filesystem `dir` is on, if it is on one.
fn network_filesystem(dir: &Path) -> Option<&'static str> {
    let stats = rustix::fs::statfs(dir).ok()?;
    // Magic numbers from linux/magic.h.
    match stats.f_type as u64 {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF53_4D42 => Some("CIFS"),
        0xFE53_4D42 => Some("SMB2"),
        0x0102_1997 => Some("9P"),
        _ => None,
    }
}

/// Free bytes and total bytes of the filesystem holding `dir`.
pub fn disk_space(dir: &Path) -> std::io::Result<(u64, u64)> {
    let stats = rustix::fs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok((
        stats.f_bavail.saturating_mul(stats.f_frsize),
        stats.f_blocks.saturating_mul(stats.f_frsize),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dir: &Path) -> DbOptions {
        DbOptions {
            data_dir: dir.to_owned(),
            busy_timeout: Duration::from_secs(1),
            pool_size: 2,
        }
    }

    #[tokio::test]
    async fn writes_are_visible_to_readers() {
        let dir = tempfile::tempdir().unwrap();
        let (db, report) = Db::open(&options(dir.path()), "t").unwrap();
        assert_eq!(report.current_version, migrations::latest_version());
        db.write(|tx| {
            tx.execute("INSERT INTO settings VALUES ('k', 'v', 't')", [])?;
            Ok(())
        })
        .await
        .unwrap();
        let value: String = db
            .read(|conn| {
                Ok(
                    conn.query_row("SELECT value FROM settings WHERE key = 'k'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(value, "v");
    }

    #[tokio::test]
    async fn a_failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(&options(dir.path()), "t").unwrap();
        let result = db
            .write(|tx| {
                tx.execute("INSERT INTO settings VALUES ('k', 'v', 't')", [])?;
                tx.execute("INSERT INTO settings VALUES ('k', 'again', 't')", [])?;
                Ok(())
            })
            .await;
        assert!(result.is_err());
        let count: i64 = db
            .read(|conn| Ok(conn.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(count, 0);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = vec![0x5au8; 8192];
        std::fs::write(dir.path().join(DATABASE_FILE), &garbage).unwrap();
        let error = Db::open(&options(dir.path()), "t")
            .err()
            .expect("must refuse");
        assert!(matches!(error, DbError::Corrupt { .. }), "{error}");
        assert!(error.to_string().contains("restore"), "{error}");
        assert_eq!(
            std::fs::read(dir.path().join(DATABASE_FILE)).unwrap(),
            garbage
        );
    }

    #[test]
    fn a_full_disk_is_named_as_such_not_as_a_permission_problem() {
        let path = Path::new("/var/lib/bsn-knowledge");
        let full = std::io::Error::from_raw_os_error(rustix::io::Errno::NOSPC.raw_os_error());
        let message = DbError::unwritable(path, &full).to_string();
        assert!(
            message.contains("disk holding data directory /var/lib/bsn-knowledge is full"),
            "{message}"
        );
        assert!(!message.contains("chown"), "{message}");
        let denied = std::io::Error::from_raw_os_error(rustix::io::Errno::ACCESS.raw_os_error());
        assert!(
            DbError::unwritable(path, &denied)
                .to_string()
                .contains("chown")
        );
    }

    #[test]
    fn a_data_dir_below_a_file_is_not_writable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        let error = Db::open(&options(&dir.path().join("file/data")), "t")
            .err()
            .expect("must refuse");
        assert!(
            matches!(error, DbError::DataDirNotWritable { .. }),
            "{error}"
        );
    }

    #[test]
    fn probes_see_a_deleted_database() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(&options(dir.path()), "t").unwrap();
        assert!(db.probe_read().ok);
        assert!(db.probe_write("t").ok);
        std::fs::remove_file(dir.path().join(DATABASE_FILE)).unwrap();
        let probe = db.probe_read();
        assert!(!probe.ok);
        assert!(probe.detail.contains("database file"), "{}", probe.detail);
    }
}
