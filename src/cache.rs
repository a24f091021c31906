//! The in-memory cache for generated content and analytics, with TTLs from `[cache]` and hit/miss
//! counters that `/metrics` reports.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

use crate::config::CacheConfig;

/// One named cache segment with its own TTL.
#[derive(Clone)]
pub struct Segment {
    name: &'static str,
    entries: moka::sync::Cache<String, Bytes>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
}

impl Segment {
    fn new(name: &'static str, max_entries: u64, ttl: Duration) -> Self {
        Self {
            name,
            entries: moka::sync::Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(ttl)
                .build(),
            hits: Arc::default(),
            misses: Arc::default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let found = self.entries.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn insert(&self, key: String, value: Bytes) {
        self.entries.insert(key, value);
    }

    pub fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }

    pub fn stats(&self) -> SegmentStats {
        SegmentStats {
            name: self.name,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
        }
    }
}

/// Counters of one segment at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentStats {
    pub name: &'static str,
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
}

/// All cache segments of the process.
#[derive(Clone)]
pub struct AppCache {
    pub nclex: Segment,
    pub analytics: Segment,
    /// Short-lived internal entries (health probe round trips).
    pub internal: Segment,
}

impl AppCache {
    pub fn new(config: &CacheConfig) -> Self {
        Self {
            nclex: Segment::new(
                "nclex",
                config.max_entries,
                Duration::from_secs(config.nclex_ttl_secs),
            ),
            analytics: Segment::new(
                "analytics",
                config.max_entries,
                Duration::from_secs(config.analytics_ttl_secs),
            ),
            internal: Segment::new("internal", 64, Duration::from_secs(60)),
        }
    }

    pub fn stats(&self) -> [SegmentStats; 3] {
        [
            self.nclex.stats(),
            self.analytics.stats(),
            self.internal.stats(),
        ]
    }

    /// Round-trips a value through the internal segment.
    pub fn probe(&self, token: &str) -> bool {
        self.internal.insert(
            "health-probe".to_owned(),
            Bytes::copy_from_slice(token.as_bytes()),
        );
        self.internal
            .entries
            .get("health-probe")
            .is_some_and(|value| value.as_ref() == token.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_and_misses_are_counted() {
        let cache = AppCache::new(&CacheConfig::default());
        assert!(cache.nclex.get("a").is_none());
        cache.nclex.insert("a".into(), Bytes::from_static(b"1"));
        assert_eq!(cache.nclex.get("a").as_deref(), Some(&b"1"[..]));
        let stats = cache.nclex.stats();
        assert_eq!((stats.hits, stats.misses), (1, 1));
        assert!(cache.probe("x"));
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let config = CacheConfig {
            nclex_ttl_secs: 1,
            ..CacheConfig::default()
        };
        let cache = AppCache::new(&config);
        cache.nclex.insert("a".into(), Bytes::from_static(b"1"));
        std::thread::sleep(Duration::from_millis(1_100));
        assert!(cache.nclex.get("a").is_none());
    }
}
