//! TLS termination. This module owns the certificate being served (swapped live, without dropping
//! connections), the rustls policy (TLS 1.2 and 1.3, AEAD suites only, ALPN `h2` and `http/1.1`,
//! session resumption), the handshake with its timeout, and the background task that keeps the
//! certificate current for each `[tls].mode`: `files` (re-read on SIGHUP and on change),
//! `self-signed` (generated once, kept under the data dir) and `acme` (see [`acme`]).

pub mod acme;
pub mod files;
pub mod self_signed;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert, ServerSessionMemoryCache};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::config::{Config, TlsMode};
use crate::health::{Check, ExtraCheck, Status};
use crate::metrics::Metrics;

/// The ALPN protocol of ACME's TLS-ALPN-01 challenge (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// How long a client may take to finish the TLS handshake (slow-handshake defence).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why TLS could not be set up; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {key} {path}: {source}; check the path and the file's permissions")]
    Read {
        key: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{key} {path} holds no usable PEM {what}; give a PEM file (-----BEGIN ...)")]
    NoPem {
        key: &'static str,
        path: PathBuf,
        what: &'static str,
    },
    #[error("the certificate {path} cannot be used: {reason}")]
    BadCertificate { path: String, reason: String },
    #[error(
        "the private key does not belong to the certificate ({reason}); give the key that was used to request this certificate"
    )]
    KeyMismatch { reason: String },
    #[error("cannot write {path}: {source}; check that the data dir is writable")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot generate a certificate: {0}")]
    Generate(String),
    #[error("cannot build the TLS configuration: {0}")]
    Config(String),
    #[error(
        "cannot listen on {address}: {source}; stop the program using that port or change [server].https_listen"
    )]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// What is known about a loaded certificate.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// DNS names and IP addresses in the subject alternative names.
    pub names: Vec<String>,
    /// Seconds since the epoch.
    pub not_after: i64,
    pub serial: String,
    /// Where it came from: "files", "self-signed", "acme", "temporary self-signed".
    pub source: &'static str,
}

impl CertInfo {
    /// Whether the certificate names `host` (exactly or through a `*.` wildcard).
    pub fn covers(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|name| {
            let name = name.to_ascii_lowercase();
            if let Some(suffix) = name.strip_prefix("*.") {
                host.split_once('.')
                    .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
            } else {
                name == host
            }
        })
    }

    pub fn seconds_left(&self) -> i64 {
        self.not_after - unix_now()
    }
}

/// A certificate chain with its key, ready to serve.
pub struct Loaded {
    pub key: Arc<CertifiedKey>,
    pub info: CertInfo,
}

/// Parses a PEM chain and a PEM key, checks that they belong together and reads the leaf's names
/// and expiry.
pub fn load_pem(
    cert_pem: &[u8],
    key_pem: &[u8],
    origin: &str,
    source: &'static str,
) -> Result<Loaded, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|error| TlsError::BadCertificate {
            path: origin.to_owned(),
            reason: format!("not valid PEM ({error})"),
        })?;
    let Some(leaf) = chain.first() else {
        return Err(TlsError::BadCertificate {
            path: origin.to_owned(),
            reason: "it holds no CERTIFICATE block".into(),
        });
    };
    let info = parse_info(leaf.as_ref(), origin, source)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|error| TlsError::KeyMismatch {
        reason: format!("the key file is not a PEM private key: {error}"),
    })?;
    let certified =
        CertifiedKey::from_der(chain, key, &provider()).map_err(|error| TlsError::KeyMismatch {
            reason: error.to_string(),
        })?;
    Ok(Loaded {
        key: Arc::new(certified),
        info,
    })
}

fn parse_info(der: &[u8], origin: &str, source: &'static str) -> Result<CertInfo, TlsError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|error| TlsError::BadCertificate {
            path: origin.to_owned(),
            reason: format!("not an X.509 certificate ({error})"),
        })?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(dns) => names.push(dns.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(bytes) => {
                    if let Ok(octets) = <[u8; 4]>::try_from(*bytes) {
                        names.push(std::net::Ipv4Addr::from(octets).to_string());
                    } else if let Ok(octets) = <[u8; 16]>::try_from(*bytes) {
                        names.push(std::net::Ipv6Addr::from(octets).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(CertInfo {
        names,
        not_after: cert.validity().not_after.timestamp(),
        serial: cert.raw_serial_as_string(),
        source,
    })
}

/// The crypto provider with the suite list restricted to AEAD ciphers (all of aws-lc-rs's
/// defaults are; the filter keeps it that way if the defaults ever change).
pub fn provider() -> CryptoProvider {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider.cipher_suites.retain(|suite| {
        let name = format!("{:?}", suite.suite());
        name.contains("_GCM_") || name.contains("CHACHA20_POLY1305")
    });
    provider
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// The served certificate and the ACME challenge answers, shared by the handshake, the HTTP
/// listener and the renewal task.
pub struct CertStore {
    current: ArcSwap<Loaded>,
    /// Domain → TLS-ALPN-01 challenge certificate.
    alpn_challenges: RwLock<HashMap<String, Arc<CertifiedKey>>>,
    /// Token → HTTP-01 key authorization.
    http_challenges: RwLock<HashMap<String, String>>,
    /// Refuse handshakes for names the certificate does not cover.
    strict_sni: bool,
    metrics: Arc<Metrics>,
}

impl CertStore {
    pub fn new(initial: Loaded, strict_sni: bool, metrics: Arc<Metrics>) -> Arc<Self> {
        metrics.tls_certificate_expiry.set(initial.info.not_after);
        log_in_use(&initial.info);
        Arc::new(Self {
            current: ArcSwap::from_pointee(initial),
            alpn_challenges: RwLock::new(HashMap::new()),
            http_challenges: RwLock::new(HashMap::new()),
            strict_sni,
            metrics,
        })
    }

    /// Serves `next` from the next handshake on; open connections keep theirs.
    pub fn swap(&self, next: Loaded) {
        self.metrics.tls_certificate_expiry.set(next.info.not_after);
        log_in_use(&next.info);
        self.current.store(Arc::new(next));
    }

    pub fn info(&self) -> CertInfo {
        self.current.load().info.clone()
    }

    pub fn set_alpn_challenge(&self, domain: &str, key: Arc<CertifiedKey>) {
        if let Ok(mut map) = self.alpn_challenges.write() {
            map.insert(domain.to_ascii_lowercase(), key);
        }
    }

    pub fn set_http_challenge(&self, token: &str, key_authorization: &str) {
        if let Ok(mut map) = self.http_challenges.write() {
            map.insert(token.to_owned(), key_authorization.to_owned());
        }
    }

    pub fn clear_challenges(&self) {
        if let Ok(mut map) = self.alpn_challenges.write() {
            map.clear();
        }
        if let Ok(mut map) = self.http_challenges.write() {
            map.clear();
        }
    }

    /// The key authorization for an HTTP-01 token, if a challenge is pending.
    pub fn http_challenge(&self, token: &str) -> Option<String> {
        self.http_challenges.read().ok()?.get(token).cloned()
    }

    /// The `/health` check: degraded when the certificate expires within 7 days.
    pub fn health_check(self: &Arc<Self>) -> ExtraCheck {
        let store = Arc::clone(self);
        Box::new(move || {
            let info = store.info();
            let left = info.seconds_left();
            let days = left / 86_400;
            let status = if left < 7 * 86_400 {
                Status::Degraded
            } else {
                Status::Healthy
            };
            let mut detail = format!(
                "{} certificate for {} expires in {days} days",
                info.source,
                if info.names.is_empty() {
                    "(no names)".to_owned()
                } else {
                    info.names.join(", ")
                }
            );
            if status == Status::Degraded {
                detail.push_str("; renew it or check the ACME log lines");
            }
            (
                "tls_certificate".to_owned(),
                Check {
                    status,
                    detail,
                    latency_ms: 0.0,
                    critical: false,
                },
            )
        })
    }
}

fn log_in_use(info: &CertInfo) {
    let expires = time::OffsetDateTime::from_unix_timestamp(info.not_after)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    tracing::info!(
        source = info.source,
        names = info.names.join(",").as_str(),
        serial = info.serial.as_str(),
        expires = expires.as_str(),
        "tls certificate in use"
    );
}

#[derive(Debug)]
struct Resolver(Arc<CertStore>);

impl std::fmt::Debug for CertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertStore").finish_non_exhaustive()
    }
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let wants_challenge = hello
            .alpn()
            .is_some_and(|mut protocols| protocols.any(|p| p == ACME_TLS_ALPN));
        if wants_challenge {
            let name = hello.server_name()?.to_ascii_lowercase();
            let found = self.0.alpn_challenges.read().ok()?.get(&name).cloned();
            if found.is_none() {
                tracing::info!(
                    server_name = name.as_str(),
                    "tls-alpn-01 handshake refused: no challenge is pending for this name"
                );
            }
            return found;
        }
        let current = self.0.current.load();
        if let Some(name) = hello.server_name()
            && self.0.strict_sni
            && !current.info.covers(name)
        {
            tracing::info!(
                server_name = name,
                names = current.info.names.join(",").as_str(),
                "tls handshake refused: the client asked for a name this certificate does not cover; add it to [tls].domains or connect with a configured name"
            );
            return None;
        }
        Some(Arc::clone(&current.key))
    }
}

/// The rustls server configuration: TLS 1.2 and 1.3, AEAD suites, ALPN, resumption by tickets
/// and by session id.
pub fn server_config(store: &Arc<CertStore>) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| TlsError::Config(error.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Resolver(Arc::clone(store))));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
    config.session_storage = ServerSessionMemoryCache::new(20_000);
    config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
        .map_err(|error| TlsError::Config(error.to_string()))?;
    Ok(Arc::new(config))
}

/// The HTTPS listener, its acceptor and the live certificate.
pub struct TlsRuntime {
    pub listener: TcpListener,
    pub local_addr: SocketAddr,
    pub acceptor: TlsAcceptor,
    pub store: Arc<CertStore>,
    /// Wakes the `files` watcher (SIGHUP).
    reload: Arc<Notify>,
    mode: TlsMode,
}

impl TlsRuntime {
    /// Loads or creates the first certificate (never waiting for an ACME CA), starts the task
    /// that keeps it current, and serves on `listener` (bound to `https_listen` by the caller,
    /// before anything was written to the data directory).
    pub async fn start(
        config: &Config,
        metrics: Arc<Metrics>,
        listener: TcpListener,
    ) -> Result<TlsRuntime, TlsError> {
        let tls = &config.tls;
        let data_dir = config.storage.data_dir.clone();
        let reload = Arc::new(Notify::new());
        let store = match tls.mode {
            TlsMode::Off => {
                return Err(TlsError::Config("tls.mode is off".into()));
            }
            TlsMode::Files => {
                let cert = tls.cert_file.clone().unwrap_or_default();
                let key = tls.key_file.clone().unwrap_or_default();
                let (initial, stamp) = files::load(&cert, &key)?;
                let store = CertStore::new(initial, true, metrics);
                files::spawn_watcher(Arc::clone(&store), cert, key, stamp, Arc::clone(&reload));
                store
            }
            TlsMode::SelfSigned => {
                let initial = self_signed::load_or_create(&data_dir, &tls.domains)?;
                CertStore::new(initial, false, metrics)
            }
            TlsMode::Acme if tls.domains.is_empty() => {
                tracing::warn!(
                    "tls.domains is empty: serving a self-signed certificate; set [tls].domains to request one from the ACME CA"
                );
                let initial = self_signed::load_or_create(&data_dir, &tls.domains)?;
                CertStore::new(initial, false, metrics)
            }
            TlsMode::Acme => {
                let settings = acme::AcmeSettings::from_config(config);
                let initial = match acme::load_stored(&settings) {
                    Some(stored) => stored,
                    None => self_signed::temporary(&tls.domains)?,
                };
                let store = CertStore::new(initial, true, metrics);
                tokio::spawn(acme::run(settings, Arc::clone(&store)));
                store
            }
        };
        let acceptor = TlsAcceptor::from(server_config(&store)?);
        let address = config.server.https_listen;
        let local_addr = listener
            .local_addr()
            .map_err(|source| TlsError::Bind { address, source })?;
        Ok(TlsRuntime {
            listener,
            local_addr,
            acceptor,
            store,
            reload,
            mode: tls.mode,
        })
    }

    /// SIGHUP: re-read the certificate files (mode `files`).
    pub fn reload(&self) {
        if self.mode == TlsMode::Files {
            tracing::info!("SIGHUP: re-reading the tls certificate files");
            self.reload.notify_one();
        }
    }

    /// Accepts the next TCP connection on the HTTPS port.
    pub async fn accept(&self) -> Option<(TcpStream, SocketAddr)> {
        match self.listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                Some((stream, peer))
            }
            Err(error) => {
                tracing::warn!(%error, "https accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                None
            }
        }
    }
}

/// Runs the TLS handshake with a timeout. `None` when it failed, timed out, or was an ACME
/// TLS-ALPN-01 validation (which ends with the handshake).
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
) -> Option<TlsStream<TcpStream>> {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => {
            if stream.get_ref().1.alpn_protocol() == Some(ACME_TLS_ALPN) {
                tracing::info!(%peer, "answered an ACME tls-alpn-01 validation");
                return None;
            }
            Some(stream)
        }
        Ok(Err(error)) => {
            tracing::info!(%peer, reason = %error, "tls handshake failed");
            None
        }
        Err(_) => {
            tracing::info!(
                %peer,
                timeout_secs = HANDSHAKE_TIMEOUT.as_secs(),
                "tls handshake timed out; closing the connection"
            );
            None
        }
    }
}

/// Writes `contents` to `path` with mode 0600, through a temporary file and a rename so a crash
/// never leaves half a key behind.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), TlsError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let write = || -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
            std::fs::set_permissions(parent, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        }
        let temporary = path.with_extension("tmp");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|source| TlsError::Write {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        let info = CertInfo {
            names: vec!["*.school.edu".into(), "school.edu".into()],
            not_after: 0,
            serial: String::new(),
            source: "files",
        };
        assert!(info.covers("www.school.edu"));
        assert!(info.covers("SCHOOL.edu."));
        assert!(!info.covers("a.b.school.edu"));
        assert!(!info.covers("evil.edu"));
    }

    #[test]
    fn only_aead_suites_are_offered() {
        let provider = provider();
        assert!(!provider.cipher_suites.is_empty());
        for suite in &provider.cipher_suites {
            let name = format!("{:?}", suite.suite());
            assert!(!name.contains("CBC"), "{name}");
        }
    }
}
