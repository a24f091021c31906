//! `/health`: real checks of the database (a read through a fresh connection and a committed write),
//! the free disk space in the data directory and the cache. Results are cached for one second and
//! refreshed by one request at a time, so a busy load balancer cannot turn health probes into load.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Serialize;

use crate::cache::AppCache;
use crate::db::{self, Db, ProbeOutcome};

/// Health of one check or of the whole service (the contract's three words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Healthy,
    Degraded,
    Unhealthy,
}

/// One named check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Check {
    pub status: Status,
    pub detail: String,
    pub latency_ms: f64,
    /// A failed critical check makes the service unhealthy; others only degrade it.
    #[serde(skip)]
    pub critical: bool,
}

/// The `/health` body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthReport {
    pub status: Status,
    pub version: String,
    pub timestamp: String,
    pub checks: BTreeMap<String, Check>,
}

/// The overall status: the worst check, where a non-critical failure counts only as degraded.
pub fn overall(checks: &BTreeMap<String, Check>) -> Status {
    checks
        .values()
        .map(|check| match (check.status, check.critical) {
            (Status::Unhealthy, false) => Status::Degraded,
            (status, _) => status,
        })
        .max()
        .unwrap_or(Status::Healthy)
}

/// Disk-space thresholds: below `UNHEALTHY` writes are about to fail.
const DISK_UNHEALTHY_BYTES: u64 = 64 * 1024 * 1024;
const DISK_DEGRADED_BYTES: u64 = 1024 * 1024 * 1024;

/// Classifies free space on the data directory's filesystem.
pub fn disk_status(free: u64, total: u64) -> (Status, String) {
    let percent = if total == 0 {
        0.0
    } else {
        free as f64 * 100.0 / total as f64
    };
    let detail = format!("{} MiB free ({percent:.1}%)", free / (1024 * 1024));
    let status = if free < DISK_UNHEALTHY_BYTES {
        Status::Unhealthy
    } else if free < DISK_DEGRADED_BYTES || percent < 5.0 {
        Status::Degraded
    } else {
        Status::Healthy
    };
    (status, detail)
}

/// Extra checks that later parts of the server register (TLS certificate, LLM, RAGnostic, backups).
pub type ExtraCheck = Box<dyn Fn() -> (String, Check) + Send + Sync>;

/// Runs the checks and keeps the latest report.
pub struct HealthMonitor {
    db: Db,
    cache: AppCache,
    data_dir: PathBuf,
    version: String,
    extra: Vec<ExtraCheck>,
    latest: Mutex<Option<(Instant, Arc<Rendered>)>>,
    refreshing: tokio::sync::Mutex<()>,
}

/// A report and its JSON, serialized once per refresh.
pub struct Rendered {
    pub report: HealthReport,
    pub json: Bytes,
}

const MAX_AGE: Duration = Duration::from_secs(1);

impl HealthMonitor {
    pub fn new(db: Db, cache: AppCache, data_dir: PathBuf, version: &str) -> Self {
        Self {
            db,
            cache,
            data_dir,
            version: version.to_owned(),
            extra: Vec::new(),
            latest: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    pub fn add_check(&mut self, check: ExtraCheck) {
        self.extra.push(check);
    }

    fn cached(&self, max_age: Duration) -> Option<Arc<Rendered>> {
        let latest = self.latest.lock().ok()?;
        latest
            .as_ref()
            .filter(|(at, _)| at.elapsed() < max_age)
            .map(|(_, rendered)| Arc::clone(rendered))
    }

    /// The current report, at most one second old.
    pub async fn current(self: &Arc<Self>) -> Arc<Rendered> {
        if let Some(fresh) = self.cached(MAX_AGE) {
            return fresh;
        }
        // One refresh at a time; others take the previous report if there is one.
        let guard = match self.refreshing.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                if let Some(previous) = self.cached(Duration::MAX) {
                    return previous;
                }
                self.refreshing.lock().await
            }
        };
        if let Some(fresh) = self.cached(MAX_AGE) {
            return fresh;
        }
        let monitor = Arc::clone(self);
        let rendered = tokio::task::spawn_blocking(move || monitor.run_checks())
            .await
            .unwrap_or_else(|error| {
                Arc::new(render(failed_report(&self.version, &error.to_string())))
            });
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some((Instant::now(), Arc::clone(&rendered)));
        }
        drop(guard);
        rendered
    }

    fn run_checks(&self) -> Arc<Rendered> {
        let now = crate::clock::now_rfc3339();
        let mut checks = BTreeMap::new();
        checks.insert(
            "database_read".to_owned(),
            from_probe(self.db.probe_read(), true),
        );
        checks.insert(
            "database_write".to_owned(),
            from_probe(self.db.probe_write(&now), true),
        );

        let started = Instant::now();
        let disk = match db::disk_space(&self.data_dir) {
            Ok((free, total)) => {
                let (status, detail) = disk_status(free, total);
                Check {
                    status,
                    detail,
                    latency_ms: millis(started.elapsed()),
                    critical: true,
                }
            }
            Err(error) => Check {
                status: Status::Unhealthy,
                detail: format!(
                    "cannot read free space of {}: {error}",
                    self.data_dir.display()
                ),
                latency_ms: millis(started.elapsed()),
                critical: true,
            },
        };
        checks.insert("disk".to_owned(), disk);

        let started = Instant::now();
        let cache_ok = self.cache.probe(&now);
        checks.insert(
            "cache".to_owned(),
            Check {
                status: if cache_ok {
                    Status::Healthy
                } else {
                    Status::Unhealthy
                },
                detail: if cache_ok {
                    "round trip ok".into()
                } else {
                    "cache round trip failed".into()
                },
                latency_ms: millis(started.elapsed()),
                critical: false,
            },
        );
        for extra in &self.extra {
            let (name, check) = extra();
            checks.insert(name, check);
        }
        let report = HealthReport {
            status: overall(&checks),
            version: self.version.clone(),
            timestamp: now,
            checks,
        };
        Arc::new(render(report))
    }
}

fn failed_report(version: &str, detail: &str) -> HealthReport {
    let mut checks = BTreeMap::new();
    checks.insert(
        "health_checks".to_owned(),
        Check {
            status: Status::Unhealthy,
            detail: format!("checks did not run: {detail}"),
            latency_ms: 0.0,
            critical: true,
        },
    );
    HealthReport {
        status: Status::Unhealthy,
        version: version.to_owned(),
        timestamp: crate::clock::now_rfc3339(),
        checks,
    }
}

fn render(report: HealthReport) -> Rendered {
    let json = serde_json::to_vec(&report)
        .map(Bytes::from)
        .unwrap_or_else(|_| Bytes::from_static(b"{}"));
    Rendered { report, json }
}

fn from_probe(probe: ProbeOutcome, critical: bool) -> Check {
    Check {
        status: if probe.ok {
            Status::Healthy
        } else {
            Status::Unhealthy
        },
        detail: probe.detail,
        latency_ms: millis(probe.latency),
        critical,
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: Status, critical: bool) -> Check {
        Check {
            status,
            detail: String::new(),
            latency_ms: 0.0,
            critical,
        }
    }

    #[test]
    fn the_worst_check_decides_and_optional_failures_only_degrade() {
        let cases = [
            (vec![], Status::Healthy),
            (vec![check(Status::Healthy, true)], Status::Healthy),
            (
                vec![
                    check(Status::Healthy, true),
                    check(Status::Unhealthy, false),
                ],
                Status::Degraded,
            ),
            (
                vec![check(Status::Degraded, true), check(Status::Healthy, false)],
                Status::Degraded,
            ),
            (
                vec![
                    check(Status::Unhealthy, true),
                    check(Status::Degraded, false),
                ],
                Status::Unhealthy,
            ),
        ];
        for (checks, expected) in cases {
            let map: BTreeMap<String, Check> = checks
                .into_iter()
                .enumerate()
                .map(|(i, c)| (format!("c{i}"), c))
                .collect();
            assert_eq!(overall(&map), expected, "{map:?}");
        }
    }

    #[test]
    fn disk_space_thresholds() {
        let gib = 1024 * 1024 * 1024;
        assert_eq!(disk_status(50 * gib, 100 * gib).0, Status::Healthy);
        assert_eq!(disk_status(gib / 2, 100 * gib).0, Status::Degraded);
        assert_eq!(
            disk_status(4 * gib, 100 * gib).0,
            Status::Degraded,
            "under 5% free"
        );
        assert_eq!(
            disk_status(10 * 1024 * 1024, 100 * gib).0,
            Status::Unhealthy
        );
    }
}
