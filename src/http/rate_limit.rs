//! Per-IP token buckets for requests without a valid bearer token: `per_ip_rps`/`per_ip_burst`
//! for the API, `content_per_ip_rps`/`content_per_ip_burst` for the content-generation routes.
//! `/health` and `/static/` are exempt. Owns the limiters (swapped whole when SIGHUP changes
//! `[rate_limits]`), the `X-RateLimit-*` headers and the periodic eviction of idle addresses that
//! keeps memory bounded however many addresses a scan uses.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::RateLimitConfig;
use crate::http::AppState;
use crate::http::context::{ClientIp, is_generation_path};
use crate::http::error::ApiError;
use crate::telemetry::Repetitive;

type Keyed =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// How often idle addresses are evicted.
const HOUSEKEEPING: Duration = Duration::from_secs(30);

/// One bucket family and its settings.
struct Bucket {
    limiter: Keyed,
    rps: u32,
    burst: u32,
}

impl Bucket {
    fn new(rps: u32, burst: u32) -> Self {
        let rps_nz = NonZeroU32::new(rps).unwrap_or(NonZeroU32::MIN);
        let burst_nz = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(rps_nz).allow_burst(burst_nz);
        Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            rps: rps_nz.get(),
            burst: burst_nz.get(),
        }
    }
}

struct Buckets {
    api: Bucket,
    content: Bucket,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        limit: u32,
        remaining: u32,
        reset_secs: u64,
    },
    Limited {
        limit: u32,
        retry_after_secs: u64,
    },
}

/// The per-IP limiters of the process.
pub struct IpRateLimits {
    buckets: ArcSwap<Buckets>,
    clock: DefaultClock,
}

impl IpRateLimits {
    pub fn new(config: &RateLimitConfig) -> Arc<Self> {
        Arc::new(Self {
            buckets: ArcSwap::from_pointee(Self::build(config)),
            clock: DefaultClock::default(),
        })
    }

    fn build(config: &RateLimitConfig) -> Buckets {
        Buckets {
            api: Bucket::new(config.per_ip_rps, config.per_ip_burst),
            content: Bucket::new(config.content_per_ip_rps, config.content_per_ip_burst),
        }
    }

    /// SIGHUP: new settings take effect at once (buckets start full again).
    pub fn reconfigure(&self, config: &RateLimitConfig) {
        self.buckets.store(Arc::new(Self::build(config)));
    }

    /// Takes one token from `ip`'s bucket for this kind of route.
    pub fn check(&self, ip: IpAddr, generation: bool) -> Decision {
        let buckets = self.buckets.load();
        let bucket = if generation {
            &buckets.content
        } else {
            &buckets.api
        };
        match bucket.limiter.check_key(&ip) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = u64::from(bucket.burst.saturating_sub(remaining));
                Decision::Allowed {
                    limit: bucket.burst,
                    remaining,
                    reset_secs: missing.div_ceil(u64::from(bucket.rps)),
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Decision::Limited {
                    limit: bucket.burst,
                    retry_after_secs: seconds.max(1),
                }
            }
        }
    }

    /// Addresses currently tracked (for tests and logs).
    pub fn tracked(&self) -> usize {
        let buckets = self.buckets.load();
        buckets.api.limiter.len() + buckets.content.limiter.len()
    }

    /// Drops the state of addresses whose buckets have refilled, so memory follows the number of
    /// recently active addresses rather than every address ever seen.
    pub fn evict_idle(&self) {
        let buckets = self.buckets.load();
        for bucket in [&buckets.api, &buckets.content] {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
    }

    /// Runs [`Self::evict_idle`] periodically for as long as the limiter lives.
    pub fn spawn_housekeeping(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HOUSEKEEPING);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(limits) = weak.upgrade() else { break };
                limits.evict_idle();
            }
        });
    }
}

/// Routes that are never limited per IP.
pub fn is_exempt(path: &str) -> bool {
    path == "/health" || path.starts_with("/static/")
}

/// The middleware: anonymous requests take a token from their address's bucket.
pub async fn limit(
    State((state, limits)): State<(AppState, Arc<IpRateLimits>)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_exempt(&path) || crate::http::has_valid_bearer(&state, request.headers()) {
        return next.run(request).await;
    }
    let Some(ClientIp(ip)) = request.extensions().get::<ClientIp>().copied() else {
        return next.run(request).await;
    };
    match limits.check(ip, is_generation_path(&path)) {
        Decision::Allowed {
            limit,
            remaining,
            reset_secs,
        } => {
            let mut response = next.run(request).await;
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            headers.insert("x-ratelimit-reset", HeaderValue::from(reset_secs));
            response
        }
        Decision::Limited {
            limit,
            retry_after_secs,
        } => {
            if crate::telemetry::should_log(Repetitive::RateLimited, &ip.to_string()) {
                tracing::warn!(
                    target: "rate_limit",
                    "Rate limit exceeded for {path} from {ip}"
                );
            }
            ApiError::RateLimited {
                limit,
                retry_after_secs,
            }
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rps: u32, burst: u32) -> RateLimitConfig {
        RateLimitConfig {
            per_ip_rps: rps,
            per_ip_burst: burst,
            content_per_ip_rps: 1,
            content_per_ip_burst: 1,
            ..RateLimitConfig::default()
        }
    }

    #[test]
    fn the_burst_is_allowed_then_limited() {
        let limits = IpRateLimits::new(&config(1, 3));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for expected in [2, 1, 0] {
            match limits.check(ip, false) {
                Decision::Allowed { remaining, .. } => assert_eq!(remaining, expected),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            limits.check(ip, false),
            Decision::Limited {
                retry_after_secs: 1,
                limit: 3
            }
        ));
        // Another address has its own bucket; generation routes have their own.
        assert!(matches!(
            limits.check("192.0.2.2".parse().unwrap(), false),
            Decision::Allowed { .. }
        ));
        assert!(matches!(limits.check(ip, true), Decision::Allowed { .. }));
        assert!(matches!(limits.check(ip, true), Decision::Limited { .. }));
    }

    #[test]
    fn reconfigure_applies_new_limits() {
        let limits = IpRateLimits::new(&config(1, 1));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(matches!(limits.check(ip, false), Decision::Allowed { .. }));
        assert!(matches!(limits.check(ip, false), Decision::Limited { .. }));
        limits.reconfigure(&config(100, 100));
        assert!(matches!(
            limits.check(ip, false),
            Decision::Allowed { limit: 100, .. }
        ));
    }

    #[test]
    fn idle_addresses_are_evicted() {
        let limits = IpRateLimits::new(&config(1_000_000, 1));
        for n in 0..2_000u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + n));
            let _ = limits.check(ip, false);
        }
        assert!(limits.tracked() >= 2_000);
        std::thread::sleep(Duration::from_millis(5));
        limits.evict_idle();
        assert_eq!(limits.tracked(), 0);
    }

    #[test]
    fn health_and_static_are_exempt() {
        assert!(is_exempt("/health"));
        assert!(is_exempt("/static/app.css"));
        assert!(!is_exempt("/api/v1/auth/login"));
    }
}
