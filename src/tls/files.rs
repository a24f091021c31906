//! `[tls].mode = "files"`: a PEM certificate chain and key given by the operator. Owns reading and
//! checking them, and the watcher that re-reads them when they change or on SIGHUP; a bad new file
//! keeps the old certificate in service and logs why.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::{CertStore, Loaded, TlsError};

/// How often the files are checked for changes.
const POLL: Duration = Duration::from_secs(2);

/// What identifies a version of the two files: modification time and size of each.
pub type Stamp = [(Option<SystemTime>, u64); 2];

fn stamp(cert: &Path, key: &Path) -> Stamp {
    let one = |path: &Path| {
        std::fs::metadata(path).map_or((None, 0), |meta| (meta.modified().ok(), meta.len()))
    };
    [one(cert), one(key)]
}

/// Reads and checks the pair.
pub fn load(cert: &Path, key: &Path) -> Result<(Loaded, Stamp), TlsError> {
    let before = stamp(cert, key);
    let cert_pem = std::fs::read(cert).map_err(|source| TlsError::Read {
        key: "tls.cert_file",
        path: cert.to_owned(),
        source,
    })?;
    let key_pem = std::fs::read(key).map_err(|source| TlsError::Read {
        key: "tls.key_file",
        path: key.to_owned(),
        source,
    })?;
    if !String::from_utf8_lossy(&cert_pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(TlsError::NoPem {
            key: "tls.cert_file",
            path: cert.to_owned(),
            what: "certificate",
        });
    }
    if !String::from_utf8_lossy(&key_pem).contains("PRIVATE KEY-----") {
        return Err(TlsError::NoPem {
            key: "tls.key_file",
            path: key.to_owned(),
            what: "private key",
        });
    }
    let loaded = super::load_pem(&cert_pem, &key_pem, &cert.display().to_string(), "files")?;
    if loaded.info.seconds_left() <= 0 {
        tracing::error!(
            path = %cert.display(),
            "tls.cert_file has expired; clients will refuse it until it is replaced"
        );
    }
    Ok((loaded, before))
}

/// Watches the files: reloads when their stamp changes or when `reload` is notified.
pub fn spawn_watcher(
    store: Arc<CertStore>,
    cert: PathBuf,
    key: PathBuf,
    mut last: Stamp,
    reload: Arc<Notify>,
) {
    tokio::spawn(async move {
        loop {
            let forced = tokio::select! {
                () = tokio::time::sleep(POLL) => false,
                () = reload.notified() => true,
            };
            let now = stamp(&cert, &key);
            if !forced && now == last {
                continue;
            }
            let (cert, key) = (cert.clone(), key.clone());
            let result = tokio::task::spawn_blocking(move || load(&cert, &key)).await;
            match result {
                Ok(Ok((loaded, stamp))) => {
                    tracing::info!(
                        serial = loaded.info.serial.as_str(),
                        "tls certificate files re-read; new handshakes use them"
                    );
                    store.swap(loaded);
                    last = stamp;
                }
                Ok(Err(error)) => {
                    // Remember the broken version so it is reported once, not every poll.
                    last = now;
                    tracing::error!(
                        %error,
                        "the changed tls certificate files cannot be used; keeping the previous certificate"
                    );
                }
                Err(error) => tracing::error!(%error, "tls reload task failed"),
            }
        }
    });
}
