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
