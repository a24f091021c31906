//! An exclusive lock on the data directory, held by a running server, so that `restore` and a
//! second server refuse to touch the data underneath it.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

use rustix::fs::{FlockOperation, flock};

use super::DbError;

/// The lock file inside the data directory.
pub const LOCK_FILE: &str = "bsn-knowledge.lock";

/// Held for as long as the value lives; the kernel drops it when the process dies.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock or says who holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataDirLock, DbError> {
        let path = data_dir.join(LOCK_FILE);
        let not_writable = |error: std::io::Error| DbError::unwritable(data_dir, &error);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(not_writable)?;
        if flock(&file, FlockOperation::NonBlockingLockExclusive).is_err() {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                String::new()
            } else {
                format!(" (pid {holder})")
            };
            return Err(DbError::DataDirInUse {
                path: data_dir.display().to_string(),
                holder,
            });
        }
        file.set_len(0).map_err(not_writable)?;
        file.rewind().map_err(not_writable)?;
        write!(file, "{}", std::process::id()).map_err(not_writable)?;
        Ok(DataDirLock { _file: file })
    }

    /// True when a live process holds the lock (used by `restore`).
    pub fn is_held(data_dir: &Path) -> bool {
        let Ok(file) = File::open(data_dir.join(LOCK_FILE)) else {
            return false;
        };
        let held = flock(&file, FlockOperation::NonBlockingLockShared).is_err();
        if !held {
            let _ = flock(&file, FlockOperation::Unlock);
        }
        held
    }
}
