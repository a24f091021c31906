//! Prometheus metrics. Request series are labelled with the route template (`/api/v1/items/{id}`),
//! never the raw URL, so the number of series stays bounded whatever clients send.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::cache::SegmentStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub path: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub cache: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn request_histogram() -> Histogram {
    Histogram::new([
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

/// Every series the process exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily,
    pub nclex_generation_failures: Counter,
    resident_memory: Gauge,
    cache_hits: Family<CacheLabels, Counter>,
    cache_misses: Family<CacheLabels, Counter>,
    cache_entries: Family<CacheLabels, Gauge>,
    /// Seconds since the epoch at which the served certificate expires; 0 = no TLS.
    pub tls_certificate_expiry: Gauge<i64, AtomicI64>,
    /// Backup outcomes (scheduled and admin-triggered backups of this process).
    pub backup: BackupMetrics,
}

/// The backup series: when the last backup succeeded or failed, how long it took, how big it was.
pub struct BackupMetrics {
    pub last_success: Gauge<i64, AtomicI64>,
    pub last_failure: Gauge<i64, AtomicI64>,
    pub successes: Counter,
    pub failures: Counter,
    pub duration: Gauge<f64, AtomicU64>,
    pub size: Gauge<i64, AtomicI64>,
}

impl BackupMetrics {
    fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            last_success: Gauge::default(),
            last_failure: Gauge::default(),
            successes: Counter::default(),
            failures: Counter::default(),
            duration: Gauge::default(),
            size: Gauge::default(),
        };
        registry.register(
            "backup_last_success_timestamp_seconds",
            "When the last backup succeeded, seconds since the epoch (0 = none since start and none on disk)",
            metrics.last_success.clone(),
        );
        registry.register(
            "backup_last_failure_timestamp_seconds",
            "When the last backup failed, seconds since the epoch (0 = none since start)",
            metrics.last_failure.clone(),
        );
        registry.register(
            "backup_success",
            "Backups written and verified",
            metrics.successes.clone(),
        );
        registry.register(
            "backup_failures",
            "Backups that failed (including failed uploads)",
            metrics.failures.clone(),
        );
        registry.register(
            "backup_duration_seconds",
            "Duration of the last backup",
            metrics.duration.clone(),
        );
        registry.register(
            "backup_size_bytes",
            "Size of the last backup archive",
            metrics.size.clone(),
        );
        metrics
    }
}

impl Metrics {
    /// `tls` registers the certificate-expiry gauge, which only makes sense when TLS is on.
    pub fn new(version: &str, tls: bool) -> Arc<Self> {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route template and status",
            requests.clone(),
        );
        let durations: HistogramFamily = Family::new_with_constructor(request_histogram);
        registry.register(
            "http_request_duration_seconds",
            "HTTP request duration by method and route template",
            durations.clone(),
        );
        let nclex_generation_failures = Counter::default();
        registry.register(
            "nclex_generation_failures",
            "NCLEX item generation requests that failed",
            nclex_generation_failures.clone(),
        );
        let resident_memory = Gauge::default();
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            resident_memory.clone(),
        );
        let start_time = Gauge::<i64, AtomicI64>::default();
        start_time.set(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs() as i64,
        );
        registry.register(
            "process_start_time_seconds",
            "Start time of the process since the epoch",
            start_time,
        );
        let build_info = Family::<Vec<(String, String)>, Gauge>::default();
        build_info
            .get_or_create(&vec![("version".to_owned(), version.to_owned())])
            .set(1);
        registry.register(
            "bsn_build_info",
            "Version of the running binary",
            build_info,
        );
        let cache_hits = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_hits",
            "Cache lookups that found an entry",
            cache_hits.clone(),
        );
        let cache_misses = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_misses",
            "Cache lookups that found nothing",
            cache_misses.clone(),
        );
        let cache_entries = Family::<CacheLabels, Gauge>::default();
        registry.register(
            "cache_entries",
            "Entries currently cached",
            cache_entries.clone(),
        );
        let tls_certificate_expiry = Gauge::<i64, AtomicI64>::default();
        if tls {
            registry.register(
                "tls_certificate_expiry_timestamp_seconds",
                "Expiry time of the served TLS certificate, seconds since the epoch",
                tls_certificate_expiry.clone(),
            );
        }
        let backup = BackupMetrics::register(&mut registry);
        Arc::new(Self {
            registry,
            requests,
            durations,
            nclex_generation_failures,
            resident_memory,
            cache_hits,
            cache_misses,
            cache_entries,
            tls_certificate_expiry,
            backup,
        })
    }

    /// Records one finished request.
    pub fn observe_request(&self, method: &str, path: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                path: path.to_owned(),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                path: path.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Renders the text exposition format, refreshing the gauges read at scrape time.
    pub fn render(&self, caches: &[SegmentStats]) -> String {
        if let Some(bytes) = resident_memory_bytes() {
            self.resident_memory.set(bytes as i64);
        }
        for stats in caches {
            let labels = CacheLabels {
                cache: stats.name.to_owned(),
            };
            store_counter(&self.cache_hits.get_or_create(&labels), stats.hits);
            store_counter(&self.cache_misses.get_or_create(&labels), stats.misses);
            self.cache_entries
                .get_or_create(&labels)
                .set(stats.entries as i64);
        }
        let mut out = String::with_capacity(16 * 1024);
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Cache counters live in the cache; the exported counter mirrors them at scrape time.
fn store_counter(counter: &Counter, value: u64) {
    let inner: &AtomicU64 = counter.inner();
    inner.store(value, std::sync::atomic::Ordering::Relaxed);
}

/// Resident set size from `/proc/self/statm`.
pub fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * rustix::param::page_size() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_template() {
        let metrics = Metrics::new("0.0.0", false);
        metrics.observe_request("GET", "/api/v1/items/{id}", 200, Duration::from_millis(3));
        metrics.observe_request("GET", "/api/v1/items/{id}", 200, Duration::from_millis(4));
        let text = metrics.render(&[]);
        assert!(
            text.contains(
                "http_requests_total{method=\"GET\",path=\"/api/v1/items/{id}\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains("http_request_duration_seconds_bucket{le=\"0.005\",method=\"GET\",path=\"/api/v1/items/{id}\"} 2"), "{text}");
        assert!(text.contains("nclex_generation_failures_total 0"), "{text}");
        assert!(text.contains("process_resident_memory_bytes "), "{text}");
        assert!(!text.contains("tls_certificate_expiry"), "{text}");
    }
}
