//! Logging: tracing to stdout (journald under systemd) and, when `[logging].dir` is set, to daily
//! rolling files that keep `keep_files` days. Text or JSON. The level can change live (SIGHUP).

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, reload};

use crate::config::{LogFormat, LoggingConfig};

/// Keeps the log writers alive and lets the level change at run time.
pub struct Telemetry {
    filter: reload::Handle<EnvFilter, Registry>,
    _guards: Vec<WorkerGuard>,
}

static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// The format chosen at start, for call sites that shape their own lines (the access log).
pub fn log_format() -> LogFormat {
    FORMAT.get().copied().unwrap_or_default()
}

/// Default level filter: our crate at the configured level, noisy dependencies at warn.
fn filter_for(level: &str) -> Result<EnvFilter, String> {
    let directive = if level.contains('=') || level.contains(',') {
        level.to_owned()
    } else {
        format!("warn,bsn_knowledge={level},access={level},audit={level}")
    };
    EnvFilter::try_new(directive).map_err(|error| error.to_string())
}

/// Installs the global subscriber. Call once, early.
pub fn init(config: &LoggingConfig) -> anyhow::Result<Telemetry> {
    let _ = FORMAT.set(config.format);
    let (filter, handle) =
        reload::Layer::new(filter_for(&config.level).map_err(anyhow::Error::msg)?);
    let mut guards = Vec::new();
    let mut layers: Vec<Box<dyn Layer<_> + Send + Sync>> = Vec::new();

    let (stdout, guard) = tracing_appender::non_blocking(std::io::stdout());
    guards.push(guard);
    let ansi = std::io::stdout().is_terminal();
    layers.push(match config.format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(stdout)
            .with_ansi(ansi)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_writer(stdout)
            .boxed(),
    });

    if let Some(dir) = &config.dir {
        std::fs::create_dir_all(dir).map_err(|error| {
            anyhow::anyhow!("cannot create log directory {}: {error}", dir.display())
        })?;
        let appender = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("bsn-knowledge")
            .filename_suffix("log")
            .max_log_files(config.keep_files)
            .build(dir)
            .map_err(|error| {
                anyhow::anyhow!("cannot open log files in {}: {error}", dir.display())
            })?;
        let (file, guard) = tracing_appender::non_blocking(appender);
        guards.push(guard);
        layers.push(match config.format {
            LogFormat::Text => tracing_subscriber::fmt::layer()
                .with_writer(file)
                .with_ansi(false)
                .boxed(),
            LogFormat::Json => tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(file)
                .boxed(),
        });
    }

    tracing_subscriber::registry()
        .with(filter)
        .with(layers)
        .try_init()?;
    Ok(Telemetry {
        filter: handle,
        _guards: guards,
    })
}

impl Telemetry {
    /// Changes the level filter live.
    pub fn set_level(&self, level: &str) -> Result<(), String> {
        let filter = filter_for(level)?;
        self.filter
            .reload(filter)
            .map_err(|error| error.to_string())
    }
}

/// Kinds of log line a client can cause at will, and so are written at a bounded rate
/// (see [`should_log`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repetitive {
    /// `Rate limit exceeded ... from IP` (per-IP buckets, login blocks, per-user quotas).
    RateLimited,
    /// A connection closed at accept because a connection cap was reached.
    ConnectionRefused,
    /// A write refused with 503 because the disk is full.
    DiskFull,
    /// A login refused unchecked by the lockout rules (`auth::lockout`).
    LoginRefused,
}

impl Repetitive {
    fn describe(self) -> &'static str {
        match self {
            Repetitive::RateLimited => "rate-limit rejections",
            Repetitive::ConnectionRefused => "refused connections",
            Repetitive::DiskFull => "disk-full refusals",
            Repetitive::LoginRefused => "refused logins",
        }
    }
}

/// Lines of one kind and client written in full per window; at 10 per minute the fail2ban jail
/// (10 matches in 10 minutes) still bans a flooding address within its first minute.
pub const REPEAT_BURST: u32 = 10;
/// The window of [`REPEAT_BURST`].
pub const REPEAT_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);
/// Keys tracked at once; beyond this, new clients share one key, so a scan from many addresses
/// cannot grow the table (or the log) without bound.
const MAX_KEYS: usize = 10_000;

type ThrottleKey = (Repetitive, String);

#[derive(Debug)]
struct Window {
    started: std::time::Instant,
    written: u32,
    suppressed: u64,
}

/// Per kind and client: the first [`REPEAT_BURST`] lines in each [`REPEAT_WINDOW`] are written,
/// the rest are counted and reported in one "suppressed N similar lines" line when the window ends.
#[derive(Debug)]
pub struct LogThrottle {
    burst: u32,
    window: std::time::Duration,
    windows: std::sync::Mutex<std::collections::HashMap<ThrottleKey, Window>>,
}

/// A finished window that suppressed lines: what to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub kind: Repetitive,
    pub client: String,
    pub lines: u64,
}

impl LogThrottle {
    pub fn new(burst: u32, window: std::time::Duration) -> Self {
        Self {
            burst,
            window,
            windows: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Whether to write this line; also returns the report of the key's previous window when it
    /// ended with lines suppressed.
    pub fn admit(
        &self,
        kind: Repetitive,
        client: &str,
        now: std::time::Instant,
    ) -> (bool, Option<Suppressed>) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut key = (kind, client.to_owned());
        if !windows.contains_key(&key) && windows.len() >= MAX_KEYS {
            key.1 = "other clients".to_owned();
        }
        let reported_client = key.1.clone();
        let window = windows.entry(key).or_insert(Window {
            started: now,
            written: 0,
            suppressed: 0,
        });
        let mut report = None;
        if now.duration_since(window.started) >= self.window {
            if window.suppressed > 0 {
                report = Some(Suppressed {
                    kind,
                    client: reported_client,
                    lines: window.suppressed,
                });
            }
            *window = Window {
                started: now,
                written: 0,
                suppressed: 0,
            };
        }
        if window.written < self.burst {
            window.written += 1;
            (true, report)
        } else {
            window.suppressed += 1;
            (false, report)
        }
    }

    /// Removes the windows that have ended and reports those that suppressed lines.
    pub fn drain_ended(&self, now: std::time::Instant) -> Vec<Suppressed> {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut reports = Vec::new();
        windows.retain(|(kind, client), window| {
            if now.duration_since(window.started) < self.window {
                return true;
            }
            if window.suppressed > 0 {
                reports.push(Suppressed {
                    kind: *kind,
                    client: client.clone(),
                    lines: window.suppressed,
                });
            }
            false
        });
        reports
    }
}

static THROTTLE: std::sync::LazyLock<LogThrottle> =
    std::sync::LazyLock::new(|| LogThrottle::new(REPEAT_BURST, REPEAT_WINDOW));

fn report_suppressed(report: &Suppressed) {
    tracing::warn!(
        target: "bsn_knowledge::telemetry",
        "suppressed {} similar lines ({} for {}) in the last {} s",
        report.lines,
        report.kind.describe(),
        report.client,
        REPEAT_WINDOW.as_secs()
    );
}

/// Whether to write a line of this kind for this client now (the process-wide [`LogThrottle`]).
pub fn should_log(kind: Repetitive, client: &str) -> bool {
    let (write, report) = THROTTLE.admit(kind, client, std::time::Instant::now());
    if let Some(report) = report {
        report_suppressed(&report);
    }
    write
}

/// Reports the windows that ended with lines suppressed; the server calls it periodically so a
/// flood that stopped is still counted. `all`: end every window now (at shutdown).
pub fn flush_suppressed(all: bool) {
    let now = std::time::Instant::now();
    let now = if all { now + REPEAT_WINDOW } else { now };
    for report in THROTTLE.drain_ended(now) {
        report_suppressed(&report);
    }
}

/// A username as it may appear in a log line: quotes and control characters cannot forge lines.
pub fn log_safe(raw: &str) -> String {
    raw.chars()
        .take(64)
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_burst_is_written_then_counted_and_reported_once_per_window() {
        let throttle = LogThrottle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        let written: Vec<bool> = (0..1_000)
            .map(|_| {
                throttle
                    .admit(Repetitive::RateLimited, "203.0.113.7", start)
                    .0
            })
            .collect();
        assert_eq!(written.iter().filter(|&&write| write).count(), 3);
        assert!(written[..3].iter().all(|&write| write));
        // Another client and another kind have windows of their own.
        assert!(
            throttle
                .admit(Repetitive::RateLimited, "203.0.113.8", start)
                .0
        );
        assert!(throttle.admit(Repetitive::DiskFull, "203.0.113.7", start).0);
        // The next line after the window reports what was suppressed.
        let later = start + Duration::from_secs(61);
        let (write, report) = throttle.admit(Repetitive::RateLimited, "203.0.113.7", later);
        assert!(write);
        assert_eq!(
            report,
            Some(Suppressed {
                kind: Repetitive::RateLimited,
                client: "203.0.113.7".into(),
                lines: 997
            })
        );
    }

    #[test]
    fn ended_windows_are_drained_and_only_floods_reported() {
        let throttle = LogThrottle::new(1, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..5 {
            throttle.admit(Repetitive::RateLimited, "a", start);
        }
        throttle.admit(Repetitive::RateLimited, "b", start);
        assert!(throttle.drain_ended(start).is_empty());
        let reports = throttle.drain_ended(start + Duration::from_secs(60));
        assert_eq!(reports.len(), 1);
        assert_eq!((reports[0].client.as_str(), reports[0].lines), ("a", 4));
        assert!(
            throttle
                .drain_ended(start + Duration::from_secs(120))
                .is_empty()
        );
    }

    #[test]
    fn many_clients_share_one_key_beyond_the_table_size() {
        let throttle = LogThrottle::new(1, Duration::from_secs(60));
        let start = Instant::now();
        let written = (0..MAX_KEYS + 500)
            .filter(|n| {
                throttle
                    .admit(Repetitive::RateLimited, &format!("client {n}"), start)
                    .0
            })
            .count();
        assert_eq!(written, MAX_KEYS + 1);
    }
}
