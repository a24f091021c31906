//! `bsn-knowledge restore FILE`: puts a backup archive back into the data directory.
//!
//! Order of work, so that a failure at any step leaves the data directory as it was: refuse while a
//! server holds the data directory; take its lock ourselves so none can start meanwhile; extract and
//! verify the whole archive (checksums, `integrity_check`, a schema this binary understands) into a
//! working directory on the same filesystem; then keep the replaced database beside the new one as
//! `bsn-knowledge.sqlite3.before-restore-TIMESTAMP` and swap the new one in with one `rename`. The
//! signing secret and ACME/TLS files follow (replaced ones are kept the same way); the backed-up
//! config file is written as `config.toml.from-backup` for the operator to compare, never over
//! `/etc`. The restore is recorded in the restored database's audit log.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::archive::{self, ArchiveError, Manifest};
use super::backup::{give_to_dir_owner, integrity_problems, timestamp_for_names};
use crate::config::Config;
use crate::db::{DATABASE_FILE, DataDirLock, DbError};

/// Working directories of a restore in progress inside the data directory.
pub const WORK_PREFIX: &str = ".restore-";
/// The config file of the backup, written into the data directory for comparison.
pub const CONFIG_FROM_BACKUP: &str = "config.toml.from-backup";

/// Why a restore did not happen; each says what to do. Nothing was changed unless the text says so.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(
        "the backup file {path} does not exist; list backups with `ls {hint}` or the admin API"
    )]
    NotFound { path: String, hint: String },
    #[error(
        "a bsn-knowledge server is running on the data directory {data_dir}: stop the service first (sudo systemctl stop bsn-knowledge), run the restore again, then start it (sudo systemctl start bsn-knowledge); nothing was changed"
    )]
    ServerRunning { data_dir: String },
    #[error("{0}; nothing was changed")]
    Archive(#[from] ArchiveError),
    #[error(
        "the database in the backup failed its integrity check ({detail}); nothing was changed; restore an older backup"
    )]
    Integrity { detail: String },
    #[error(
        "the backup's database has schema version {backup}, newer than this binary supports ({binary}): install the bsn-knowledge release that made the backup ({app_version}) or a newer one and restore with it; nothing was changed"
    )]
    NewerSchema {
        backup: i64,
        binary: i64,
        app_version: String,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for RestoreError {
    fn from(error: rusqlite::Error) -> Self {
        RestoreError::Db(DbError::Sqlite(error))
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> RestoreError {
    let what = what.into();
    move |source| RestoreError::Io { what, source }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub database: PathBuf,
    /// The database that was replaced, kept under its new name.
    pub previous_database: Option<PathBuf>,
    /// Other files written into the data directory.
    pub restored_files: Vec<PathBuf>,
    /// Files that were replaced, kept under their new names.
    pub kept_files: Vec<PathBuf>,
    /// Where the config file of the backup was written.
    pub config_copy: Option<PathBuf>,
}

/// Restores `file` into `[storage].data_dir`.
pub fn restore(config: &Config, file: &Path) -> Result<RestoreReport, RestoreError> {
    let data_dir = &config.storage.data_dir;
    if !file.is_file() {
        return Err(RestoreError::NotFound {
            path: file.display().to_string(),
            hint: config.backup_dir().display().to_string(),
        });
    }
    let running = || RestoreError::ServerRunning {
        data_dir: data_dir.display().to_string(),
    };
    if DataDirLock::is_held(data_dir) {
        return Err(running());
    }
    std::fs::create_dir_all(data_dir).map_err(io(format!(
        "cannot create the data directory {}",
        data_dir.display()
    )))?;
    let _lock = DataDirLock::acquire(data_dir).map_err(|error| match error {
        DbError::DataDirInUse { .. } => running(),
        other => RestoreError::Db(other),
    })?;
    remove_stale_work(data_dir);
    let work = data_dir.join(format!(
        "{WORK_PREFIX}{}-{}",
        std::process::id(),
        crate::clock::unix_now()
    ));
    std::fs::create_dir(&work).map_err(io(format!("cannot create {}", work.display())))?;
    let result = restore_from(data_dir, file, &work);
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    let details = serde_json::json!({
        "file": file.display().to_string(),
        "backup_created_at": report.manifest.created_at,
        "backup_app_version": report.manifest.app_version,
        "previous_database": report.previous_database.as_ref().map(|path| path.display().to_string()),
    });
    super::backup::audit_offline(
        config,
        crate::domain::audit::AuditAction::Restore,
        Some(&file.display().to_string()),
        details,
    );
    // Run as root, hand everything written (and the directories created for it) to the owner of
    // the data directory, so that the service can use it.
    let lock_file = data_dir.join("bsn-knowledge.lock");
    let written = std::iter::once(&report.database)
        .chain(&report.restored_files)
        .chain(&report.config_copy)
        .chain(std::iter::once(&lock_file));
    for path in written {
        give_to_dir_owner(data_dir, path);
        let mut parent = path.parent();
        while let Some(dir) = parent.filter(|dir| dir.starts_with(data_dir) && *dir != data_dir) {
            give_to_dir_owner(data_dir, dir);
            parent = dir.parent();
        }
    }
    Ok(report)
}

fn restore_from(data_dir: &Path, file: &Path, work: &Path) -> Result<RestoreReport, RestoreError> {
    let manifest = archive::verify(file, Some(work))?;
    let new_database = work.join(archive::DATABASE_ENTRY);
    {
        let conn = Connection::open(&new_database)?;
        if let Some(detail) = integrity_problems(&conn)? {
            return Err(RestoreError::Integrity { detail });
        }
        let version = crate::db::migrations::current_version(&conn)?;
        let binary = crate::db::migrations::latest_version();
        if version > binary {
            return Err(RestoreError::NewerSchema {
                backup: version,
                binary,
                app_version: manifest.app_version.clone(),
            });
        }
    }
    let stamp = timestamp_for_names();
    let live = data_dir.join(DATABASE_FILE);
    let previous_database = if live.exists() {
        Some(keep_previous_database(&live, &stamp)?)
    } else {
        None
    };
    std::fs::rename(&new_database, &live).map_err(io(format!(
        "cannot move the restored database to {}",
        live.display()
    )))?;

    let mut restored_files = Vec::new();
    let mut kept_files = Vec::new();
    let mut config_copy = None;
    for entry in &manifest.files {
        let source = work.join(&entry.path);
        if entry.path == archive::DATABASE_ENTRY {
            continue;
        }
        if entry.path == archive::CONFIG_ENTRY {
            let target = data_dir.join(CONFIG_FROM_BACKUP);
            std::fs::rename(&source, &target)
                .map_err(io(format!("cannot write {}", target.display())))?;
            config_copy = Some(target);
            continue;
        }
        let Some(relative) = entry.path.strip_prefix("data/") else {
            continue;
        };
        let target = data_dir.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io(format!("cannot create {}", parent.display())))?;
        }
        if target.exists() {
            if same_contents(&target, &entry.sha256) {
                restored_files.push(target);
                continue;
            }
            let kept = suffixed(&target, &format!(".before-restore-{stamp}"));
            std::fs::rename(&target, &kept)
                .map_err(io(format!("cannot keep {}", target.display())))?;
            kept_files.push(kept);
        }
        set_mode(&source, entry.mode);
        std::fs::rename(&source, &target)
            .map_err(io(format!("cannot write {}", target.display())))?;
        restored_files.push(target);
    }
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(RestoreReport {
        manifest,
        database: live,
        previous_database,
        restored_files,
        kept_files,
        config_copy,
    })
}

/// Gives the live database a second name (`...before-restore-STAMP`) with its WAL folded in, so
/// the replaced data stays complete and openable; the live name is then free for an atomic rename.
fn keep_previous_database(live: &Path, stamp: &str) -> Result<PathBuf, RestoreError> {
    // Fold the write-ahead log into the file; a damaged file keeps its WAL beside it instead.
    if let Ok(conn) = Connection::open(live) {
        let _ = conn.query_row("PRAGMA journal_mode = DELETE", [], |row| {
            row.get::<_, String>(0)
        });
    }
    let kept = suffixed(live, &format!(".before-restore-{stamp}"));
    if std::fs::hard_link(live, &kept).is_err() {
        std::fs::copy(live, &kept).map_err(io(format!(
            "cannot keep the current database as {}",
            kept.display()
        )))?;
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let side = suffixed(live, suffix);
        if side.exists() {
            std::fs::rename(&side, suffixed(&kept, suffix))
                .map_err(io(format!("cannot move {}", side.display())))?;
        }
    }
    Ok(kept)
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn same_contents(path: &Path, sha256: &str) -> bool {
    use sha2::Digest;
    std::fs::read(path).is_ok_and(|bytes| archive::hex(&sha2::Sha256::digest(&bytes)) == sha256)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o777));
}

fn remove_stale_work(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(WORK_PREFIX) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `bsn-knowledge restore FILE`: prints what it did.
pub fn command(config: &Config, file: &Path) -> Result<(), super::CommandError> {
    match restore(config, file) {
        Ok(report) => {
            let manifest = &report.manifest;
            println!(
                "restored {} (made {} by bsn-knowledge {}, schema version {})",
                file.display(),
                manifest.created_at,
                manifest.app_version,
                manifest.schema_version
            );
            println!("  database: {}", report.database.display());
            match &report.previous_database {
                Some(previous) => {
                    println!("  the replaced database is kept as {}", previous.display())
                }
                None => println!("  (there was no database before)"),
            }
            for path in &report.restored_files {
                println!("  restored {}", path.display());
            }
            for path in &report.kept_files {
                println!("  the replaced file is kept as {}", path.display());
            }
            if let Some(copy) = &report.config_copy {
                println!(
                    "  the backup's config file is at {}; compare it with your config file (e.g. /etc/bsn-knowledge/config.toml) and copy over what you need",
                    copy.display()
                );
            }
            println!(
                "next: start the server (sudo systemctl start bsn-knowledge) and check it with `bsn-knowledge healthcheck`"
            );
            Ok(())
        }
        Err(error) => Err(anyhow::anyhow!("restore failed: {error}").into()),
    }
}
