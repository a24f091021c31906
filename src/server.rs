//! Start-up and the serve loop: bind the listeners (first, so a taken port fails before anything is
//! written), open storage, build the router, accept connections within the caps of
//! [`connections`], and stop gracefully. Signals: SIGTERM/SIGINT stop accepting and let in-flight requests finish within
//! `shutdown_grace_secs`; SIGHUP re-reads the config and applies what can change live.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::signal::unix::{SignalKind, signal};

use crate::auth::Auth;
use crate::auth::bootstrap::{self, Bootstrap};
use crate::cache::AppCache;
use crate::config::{self, Config, ConfigSource, Overrides};
use crate::db::{DataDirLock, Db, DbError, DbOptions};
use crate::health::HealthMonitor;
use crate::http::context::PeerAddr;
use crate::http::fast_static::FastStatic;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::telemetry::Telemetry;
use crate::tls::TlsRuntime;

pub mod connections;
mod intake;

use connections::{Arrival, ConnectionLimits, Guarded, Permit};
use intake::{Admitted, Intake};

/// Why the server could not start; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] DbError),
    #[error(
        "cannot listen on {address}: {source}; stop the program using that port or change [server].http_listen"
    )]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("{0:#}")]
    Accounts(anyhow::Error),
}

/// Creates the first admin when there is none and tells the operator its password once.
async fn bootstrap(
    db: &Db,
    auth: &Arc<Auth>,
    data_dir: &std::path::Path,
) -> Result<(), StartError> {
    let password_file =
        std::env::var_os(bootstrap::PASSWORD_FILE_ENV).map(std::path::PathBuf::from);
    let (db, hasher) = (db.clone(), Arc::clone(&auth.passwords));
    let data_dir = data_dir.to_owned();
    let outcome = tokio::task::spawn_blocking(move || {
        bootstrap::bootstrap_admin(&db, &hasher, password_file.as_deref(), &data_dir)
    })
    .await
    .map_err(|error| StartError::Accounts(anyhow::anyhow!("bootstrap task failed: {error}")))?
    .map_err(StartError::Accounts)?;
    match outcome {
        Bootstrap::NotNeeded => {}
        Bootstrap::FromFile => tracing::warn!(
            "created the first admin account \"admin\" with the password from {}",
            bootstrap::PASSWORD_FILE_ENV
        ),
        Bootstrap::Generated(path) => {
            let message = format!(
                "created the first admin account: username \"admin\"; its password is in {} (readable only by this service's user; you must change it at first login, which deletes the file; if it is lost, run `bsn-knowledge user reset-password --username admin`)",
                path.display()
            );
            println!("{message}");
            tracing::warn!("{message}");
        }
    }
    Ok(())
}

/// How the config was loaded, so SIGHUP can load it again the same way.
#[derive(Debug, Clone)]
pub struct ConfigOrigin {
    pub source: ConfigSource,
    pub overrides: Overrides,
}

/// A server that is bound and ready to accept.
pub struct Application {
    state: AppState,
    router: Router,
    /// `/static/` GETs answered before the router (see [`FastStatic`]).
    fast_static: FastStatic,
    /// The plain-HTTP listener, which sets up connections that have spoken first.
    intake: Intake,
    local_addr: SocketAddr,
    /// What the plain-HTTP listener serves: the app, or redirects and ACME answers with TLS on.
    plain_router: Router,
    tls: Option<TlsRuntime>,
    edge: http::Edge,
    connections: Arc<ConnectionLimits>,
    /// The longest a connection may go without a byte either way (see [`Guarded`]).
    idle_limit: Duration,
    _lock: DataDirLock,
}

/// Header-read timeout against clients that open connections and send headers slowly; a new
/// connection must also have begun its first request within it, counted from accept.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Pending connections the kernel queues for accept. The kernel caps it at `net.core.somaxconn`
/// (4,096 by default), so a deeper queue takes effect where the administrator raises that.
const LISTEN_BACKLOG: u32 = 65_535;

/// Binds a listening socket with a deep accept queue.
pub fn bind_listener(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The connection cap for the process's open-file limit (see [`ConnectionLimits::total_for`]).
fn connection_limits(config: &Config) -> Arc<ConnectionLimits> {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX);
    ConnectionLimits::new(
        ConnectionLimits::total_for(limit),
        connections::PER_ADDRESS_MAX,
        config.server.trusted_proxies.clone(),
    )
}

impl Application {
    /// Binds the listeners, then opens and migrates storage and builds the router.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        let config = Arc::new(config);
        // Bind first: a taken port must fail before the data directory, the database or the
        // first admin exist.
        let address = config.server.http_listen;
        let listener =
            bind_listener(address).map_err(|source| StartError::Bind { address, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { address, source })?;
        let tls_listener = match config.tls.mode {
            config::TlsMode::Off => None,
            _ => {
                let address = config.server.https_listen;
                Some(
                    bind_listener(address)
                        .map_err(|source| crate::tls::TlsError::Bind { address, source })?,
                )
            }
        };
        let data_dir = config.storage.data_dir.clone();
        let options = DbOptions {
            data_dir: data_dir.clone(),
            busy_timeout: Duration::from_millis(config.database.busy_timeout_ms),
            pool_size: config.database.pool_size,
        };
        let (lock, db, report) = tokio::task::spawn_blocking(move || -> Result<_, DbError> {
            crate::db::create_private_dir(&options.data_dir)
                .map_err(|error| DbError::unwritable(&options.data_dir, &error))?;
            let lock = DataDirLock::acquire(&options.data_dir)?;
            let (db, report) =
                Db::open(&options, &crate::clock::now_rfc3339()).map_err(|error| {
                    if error.is_disk_full() {
                        DbError::DiskFull {
                            path: options.data_dir.display().to_string(),
                            reason: error.to_string(),
                        }
                    } else {
                        error
                    }
                })?;
            Ok((lock, db, report))
        })
        .await
        .map_err(|error| DbError::Task(error.to_string()))??;
        for name in &report.applied {
            tracing::info!(migration = name, "applied migration");
        }
        tracing::info!(path = %db.path().display(), schema_version = report.current_version, "database ready");

        let auth = Arc::new(
            Auth::new(&config.auth, &config.rate_limits, &data_dir)
                .map_err(StartError::Accounts)?,
        );
        bootstrap(&db, &auth, &data_dir).await?;
        // The knowledge base and item catalog load on the first generation request (about 20 MB
        // and a second or two), so a server nobody generates items on stays small.
        let content = Arc::new(crate::content::LazyContent::default());
        let cache = AppCache::new(&config.cache);
        let metrics = Metrics::new(crate::VERSION, config.tls.mode != config::TlsMode::Off);
        let tls = match tls_listener {
            None => None,
            Some(listener) => {
                Some(TlsRuntime::start(&config, Arc::clone(&metrics), listener).await?)
            }
        };
        let mut health = HealthMonitor::new(db.clone(), cache.clone(), data_dir, crate::VERSION);
        let content_for_health = Arc::clone(&content);
        health.add_check(Box::new(move || {
            let (ok, detail) = content_for_health.status();
            let status = if ok {
                crate::health::Status::Healthy
            } else {
                crate::health::Status::Unhealthy
            };
            (
                "content".to_owned(),
                crate::health::Check {
                    status,
                    detail,
                    latency_ms: 0.0,
                    critical: false,
                },
            )
        }));
        if let Some(tls) = &tls {
            health.add_check(tls.store.health_check());
        }
        let backups = crate::ops::backup::BackupService::new(
            Arc::clone(&config),
            db.clone(),
            Arc::clone(&metrics),
        );
        if let Some(check) = backups.health_check() {
            health.add_check(check);
        }
        let health = Arc::new(health);
        let practice = Arc::new(crate::db::practice::AnswerWriter::start(db.clone()));
        http::attempts::spawn_deadline_sweep(db.clone(), Arc::clone(&practice));
        crate::ops::calibration::spawn_background(db.clone());
        let state = AppState::new(http::Services {
            config: Arc::clone(&config),
            practice,
            db,
            cache,
            metrics,
            health,
            auth,
            backups,
            content,
        });
        let edge = http::Edge::new(&config, tls.as_ref().map(|tls| tls.local_addr));
        let router = http::router_with_edge(state.clone(), &edge);
        let fast_static = FastStatic::new(state.clone(), Arc::clone(&edge.settings));
        let plain_router = match &tls {
            Some(tls) => http::edge::redirect_router(
                state.clone(),
                Arc::clone(&edge.settings),
                Arc::clone(&tls.store),
                router.clone(),
            ),
            None => router.clone(),
        };
        let connections = connection_limits(&config);
        // Longer than any handler may run, so only a connection that is really idle is closed.
        let idle_limit = Duration::from_secs(
            config
                .server
                .request_timeout_secs
                .max(config.server.generation_timeout_secs)
                + 30,
        );
        let intake = Intake::new(listener, Arc::clone(&connections), HEADER_READ_TIMEOUT);
        Ok(Application {
            state,
            router,
            fast_static,
            intake,
            local_addr,
            plain_router,
            tls,
            edge,
            connections,
            idle_limit,
            _lock: lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or SIGINT, then drains in-flight requests.
    pub async fn run_until_stopped(
        mut self,
        telemetry: &Telemetry,
        origin: ConfigOrigin,
    ) -> anyhow::Result<()> {
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut hangup = signal(SignalKind::hangup())?;
        let grace = Duration::from_secs(self.state.config.server.shutdown_grace_secs);
        let graceful = GracefulShutdown::new();
        let builder = connection_builder();
        // TLS: one buffer per response, so headers and body leave in one TLS record.
        let mut tls_builder = connection_builder();
        tls_builder.http1().writev(false);
        let mut current_config = (*self.state.config).clone();

        tracing::info!("listening on http://{}", self.local_addr);
        if let Some(tls) = &self.tls {
            tracing::info!("listening on https://{}", tls.local_addr);
        }
        self.state.backups.set_config_source(&origin.source);
        let backup_scheduler = self.state.backups.spawn_scheduler();
        crate::ops::systemd::notify_ready(&format!("serving on {}", self.local_addr));
        let watchdog = crate::ops::systemd::spawn_watchdog();
        tracing::info!(
            max_connections = self.connections.total_max(),
            max_per_address = self.connections.per_address_max(),
            "connection limits"
        );
        let mut flush_logs = tokio::time::interval(Duration::from_secs(10));
        loop {
            tokio::select! {
                accepted = self.intake.next() => match accepted {
                    Ok(Admitted { stream, peer, mut permit, accepted }) => {
                        let _ = stream.set_nodelay(true);
                        let io = Guarded::accepted_at(stream, accepted, HEADER_READ_TIMEOUT, self.idle_limit, permit.eviction());
                        // With TLS on, the plain port only redirects, so static files are not served there.
                        let fast = self.tls.is_none().then(|| self.fast_static.clone());
                        serve_connection(&builder, &graceful, TokioIo::new(io), peer, self.plain_router.clone(), fast, permit);
                    }
                    Err(error) => {
                        // Out of file descriptors and similar: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                _ = terminate.recv() => { tracing::info!(signal = "SIGTERM", "shutting down"); break; }
                _ = interrupt.recv() => { tracing::info!(signal = "SIGINT", "shutting down"); break; }
                accepted = accept_tls(self.tls.as_ref()) => {
                    if let (Some((stream, peer)), Some(tls)) = (accepted, self.tls.as_ref()) {
                        let Some(mut permit) = admit(&self.connections, peer, Arrival::Silent) else { continue };
                        let acceptor = tls.acceptor.clone();
                        let (builder, watcher, router) = (tls_builder.clone(), graceful.watcher(), self.router.clone());
                        let fast = Some(self.fast_static.clone());
                        let idle_limit = self.idle_limit;
                        tokio::spawn(async move {
                            let mut eviction = permit.eviction();
                            let handshake = crate::tls::handshake(&acceptor, stream, peer);
                            // At the connection cap, a handshake that has not finished is the
                            // longest-waiting connection's to lose, as a silent plain one is.
                            let stream = match eviction.as_mut() {
                                Some(notice) => tokio::select! {
                                    biased;
                                    stream = handshake => stream,
                                    () = notice.evicted() => None,
                                },
                                None => handshake.await,
                            };
                            if let Some(stream) = stream {
                                let io = Guarded::new(stream, HEADER_READ_TIMEOUT, idle_limit, eviction);
                                serve_watched(&builder, watcher, TokioIo::new(io), peer, router, fast, permit);
                            }
                        });
                    }
                }
                _ = flush_logs.tick() => crate::telemetry::flush_suppressed(false),
                _ = hangup.recv() => {
                    reload(telemetry, &origin, &mut current_config, &self.edge, &self.state.auth);
                    if let Some(tls) = &self.tls {
                        tls.reload();
                    }
                }
            }
        }
        crate::ops::systemd::notify_stopping();
        crate::telemetry::flush_suppressed(true);
        for task in [backup_scheduler, watchdog].into_iter().flatten() {
            task.abort();
        }
        drop(self.intake);
        drop(self.tls);
        let started = Instant::now();
        tokio::select! {
            () = graceful.shutdown() => {
                tracing::info!(waited_ms = started.elapsed().as_millis() as u64, "all connections finished; stopped");
            }
            () = tokio::time::sleep(grace) => {
                tracing::warn!(grace_secs = grace.as_secs(), "shutdown grace period over; closing the remaining connections");
            }
        }
        Ok(())
    }
}

fn connection_builder() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(250);
    builder
}

/// Counts a new connection against the caps; a refused one is closed at once (dropping the stream)
/// and logged at a bounded rate, as is the eviction of a silent one to make room.
fn admit(limits: &Arc<ConnectionLimits>, peer: SocketAddr, arrival: Arrival) -> Option<Permit> {
    match limits.admit_as(peer.ip(), arrival) {
        Ok(permit) => {
            if permit.made_room {
                let client = connections::address_key(peer.ip()).to_string();
                if crate::telemetry::should_log(
                    crate::telemetry::Repetitive::ConnectionRefused,
                    &client,
                ) {
                    tracing::warn!(
                        open = limits.open(),
                        evicted = limits.evicted(),
                        "the server's connection limit is reached: closed the longest-waiting silent connection to make room (for {client})"
                    );
                }
            }
            Some(permit)
        }
        Err(refusal) => {
            let client = connections::address_key(peer.ip()).to_string();
            if crate::telemetry::should_log(
                crate::telemetry::Repetitive::ConnectionRefused,
                &client,
            ) {
                tracing::warn!(
                    open = limits.open(),
                    "connection refused: {} (from {client})",
                    refusal.as_str()
                );
            }
            None
        }
    }
}

/// The next connection on the HTTPS port; never resolves when TLS is off.
async fn accept_tls(tls: Option<&TlsRuntime>) -> Option<(TcpStream, SocketAddr)> {
    match tls {
        Some(tls) => tls.accept().await,
        None => std::future::pending().await,
    }
}

/// Serves one connection (plain or TLS) on its own task, watched by the graceful-shutdown tracker.
pub fn serve_connection<I>(
    builder: &auto::Builder<TokioExecutor>,
    graceful: &GracefulShutdown,
    io: I,
    peer: SocketAddr,
    router: Router,
    fast_static: Option<FastStatic>,
    permit: Permit,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    serve_watched(
        builder,
        graceful.watcher(),
        io,
        peer,
        router,
        fast_static,
        permit,
    );
}

/// [`serve_connection`] with a graceful-shutdown watcher, for connections that start on another
/// task (after a TLS handshake).
pub fn serve_watched<I>(
    builder: &auto::Builder<TokioExecutor>,
    watcher: Watcher,
    io: I,
    peer: SocketAddr,
    router: Router,
    fast_static: Option<FastStatic>,
    permit: Permit,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = tower::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(PeerAddr(peer));
        let fast = fast_static
            .as_ref()
            .and_then(|fast| fast.try_serve(&request));
        let router = router.clone();
        async move {
            match fast {
                Some(response) => Ok(response),
                None => tower::ServiceExt::oneshot(router, request).await,
            }
        }
    });
    let connection = builder
        .serve_connection(io, TowerToHyperService::new(service))
        .into_owned();
    let connection = watcher.watch(connection);
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%peer, error = %error, "connection ended with an error");
        }
        drop(permit);
    });
}

/// SIGHUP: load the config again; apply the parts that can change live, name the ones that need a
/// restart, and keep everything as it was when the new file is invalid.
fn reload(
    telemetry: &Telemetry,
    origin: &ConfigOrigin,
    current: &mut Config,
    edge: &http::Edge,
    auth: &Auth,
) {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let next = match config::load(&origin.source, &env, &origin.overrides) {
        Ok(next) => next,
        Err(error) => {
            tracing::error!(%error, "SIGHUP: the new config is invalid; keeping the running config");
            return;
        }
    };
    let changed = changed_keys(current, &next);
    if changed.is_empty() {
        tracing::info!("SIGHUP: config re-read; nothing changed");
        return;
    }
    for key in &changed {
        match key.as_str() {
            "logging.level" => match telemetry.set_level(&next.logging.level) {
                Ok(()) => tracing::info!(
                    key = key.as_str(),
                    value = next.logging.level.as_str(),
                    "SIGHUP: applied"
                ),
                Err(error) => {
                    tracing::error!(key = key.as_str(), %error, "SIGHUP: could not apply")
                }
            },
            key if key.starts_with("rate_limits.per_ip_")
                || key.starts_with("rate_limits.content_per_ip_")
                || (key.starts_with("rate_limits.") && key.ends_with("_per_hour")) =>
            {
                tracing::info!(key, "SIGHUP: applied");
            }
            _ => tracing::warn!(
                key = key.as_str(),
                "SIGHUP: changed, takes effect after a restart"
            ),
        }
    }
    if current.rate_limits != next.rate_limits {
        edge.limits.reconfigure(&next.rate_limits);
        auth.set_quota_limits(crate::auth::quota_limits(&next.rate_limits));
    }
    current.logging.level = next.logging.level;
    current.rate_limits = next.rate_limits;
}

/// Dotted keys whose values differ between two configs (secrets compare by their masked form).
pub fn changed_keys(old: &Config, new: &Config) -> Vec<String> {
    let flatten = |config: &Config| -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Ok(toml::Value::Table(sections)) = toml::Value::try_from(config) {
            for (section, value) in sections {
                if let toml::Value::Table(keys) = value {
                    for (key, value) in keys {
                        out.insert(format!("{section}.{key}"), value.to_string());
                    }
                }
            }
        }
        out
    };
    let (old, new) = (flatten(old), flatten(new));
    let mut keys: Vec<String> = old.keys().chain(new.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| old.get(key) != new.get(key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_keys_lists_only_what_differs() {
        let old = Config::default();
        let mut new = Config::default();
        new.logging.level = "debug".into();
        new.rate_limits.per_ip_rps = 3;
        assert_eq!(
            changed_keys(&old, &new),
            vec!["logging.level", "rate_limits.per_ip_rps"]
        );
        assert!(changed_keys(&old, &old.clone()).is_empty());
    }
}
