//! Connection admission and deadlines, before HTTP begins: caps on the connections open in total
//! and per client address, and an IO wrapper that closes a connection which does not start its
//! first request within the header timeout counted from accept, or that stays idle too long.
//!
//! hyper's own `header_read_timeout` starts when hyper begins reading a request head, which the
//! protocol sniffing of the auto (HTTP/1 or HTTP/2) connection only does after the first bytes have
//! arrived; a connection that never sends a byte was therefore held forever. [`Guarded`] closes it.
//! Between requests on a kept-alive HTTP/1 connection hyper's header timeout applies again, so idle
//! HTTP/1 keep-alive is bounded by it; [`Guarded`]'s idle limit bounds HTTP/2 connections, which
//! have no such timeout.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Descriptors kept back from the connection cap for the database, log files, outbound HTTP
/// (ACME, S3) and the listeners.
pub const RESERVED_DESCRIPTORS: u64 = 1_024;

/// The most connections served at once whatever the descriptor limit (each holds buffers and a
/// task; 65,536 of them is a few hundred MB at most).
pub const TOTAL_MAX: usize = 65_536;

/// Connections one client address (an IPv6 /64) may hold open at once. Browsers open up to six
/// HTTP/1 connections per host, so this leaves room for about 80 browsers behind one NAT address.
pub const PER_ADDRESS_MAX: u32 = 512;

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds as many connections as its descriptor limit allows.
    Total,
    /// This client address holds [`ConnectionLimits::per_address_max`] connections already.
    PerAddress,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Total => "the server's connection limit is reached",
            Refusal::PerAddress => "too many connections from this address",
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, u32>,
}

/// The open-connection counts of the process and their caps.
pub struct ConnectionLimits {
    total_max: usize,
    per_address_max: u32,
    /// Reverse proxies: every client arrives from their address, so they have no per-address cap.
    exempt: Vec<IpNet>,
    counts: Mutex<Counts>,
}

impl ConnectionLimits {
    pub fn new(total_max: usize, per_address_max: u32, exempt: Vec<IpNet>) -> Arc<Self> {
        Arc::new(Self {
            total_max: total_max.max(1),
            per_address_max: per_address_max.max(1),
            exempt,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// The total cap for a process whose soft open-file limit is `open_file_limit`.
    pub fn total_for(open_file_limit: u64) -> usize {
        let usable = open_file_limit
            .saturating_sub(RESERVED_DESCRIPTORS)
            .max(open_file_limit / 2);
        usize::try_from(usable).unwrap_or(usize::MAX).min(TOTAL_MAX)
    }

    pub fn total_max(&self) -> usize {
        self.total_max
    }

    pub fn per_address_max(&self) -> u32 {
        self.per_address_max
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts a new connection from `peer`, or says why it must be closed at once.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Permit, Refusal> {
        let key = (!self.exempt.iter().any(|net| net.contains(&peer))).then(|| address_key(peer));
        let mut counts = self.counts();
        if counts.total >= self.total_max {
            return Err(Refusal::Total);
        }
        if let Some(key) = key {
            let held = counts.per_address.entry(key).or_insert(0);
            if *held >= self.per_address_max {
                return Err(Refusal::PerAddress);
            }
            *held += 1;
        }
        counts.total += 1;
        Ok(Permit {
            limits: Arc::clone(self),
            key,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts().total
    }
}

/// One admitted connection; dropping it (when the connection ends) frees its place.
pub struct Permit {
    limits: Arc<ConnectionLimits>,
    key: Option<IpAddr>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self.limits.counts();
        counts.total = counts.total.saturating_sub(1);
        if let Some(key) = self.key
            && let Some(held) = counts.per_address.get_mut(&key)
        {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.per_address.remove(&key);
            }
        }
    }
}

/// The address a per-address count is kept under: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by
/// its /64, since one host is usually given a whole /64.
pub fn address_key(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

/// The first bytes of an HTTP/2 connection (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Deadlines on a connection's IO (see the module text).
pub struct Guarded<S> {
    inner: S,
    /// Armed until the protocol is known: HTTP/1 from the first byte that is not the HTTP/2
    /// preface (hyper's header timeout takes over), HTTP/2 once the whole preface has arrived.
    start: Option<Pin<Box<Sleep>>>,
    preface_matched: usize,
    idle_limit: Duration,
    last_activity: Instant,
    idle: Pin<Box<Sleep>>,
}

impl<S> Guarded<S> {
    /// `start_within`: from now (accept) until the first request must have begun. `idle_limit`:
    /// the longest time without a byte either way.
    pub fn new(inner: S, start_within: Duration, idle_limit: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            start: Some(Box::pin(tokio::time::sleep_until(now + start_within))),
            preface_matched: 0,
            idle_limit,
            last_activity: now,
            idle: Box::pin(tokio::time::sleep_until(now + idle_limit)),
        }
    }

    /// Whether the connection has run out of time; registers for a wake-up when it will.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<io::Error> {
        if let Some(start) = &mut self.start
            && start.as_mut().poll(cx).is_ready()
        {
            return Some(io::Error::new(
                io::ErrorKind::TimedOut,
                "no request started within the header timeout",
            ));
        }
        loop {
            if self.idle.as_mut().poll(cx).is_pending() {
                return None;
            }
            let due = self.last_activity + self.idle_limit;
            if due <= Instant::now() {
                return Some(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                ));
            }
            self.idle.as_mut().reset(due);
        }
    }

    fn saw_bytes(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.last_activity = Instant::now();
        if self.start.is_none() {
            return;
        }
        for &byte in bytes {
            if H2_PREFACE.get(self.preface_matched) == Some(&byte) {
                self.preface_matched += 1;
                if self.preface_matched == H2_PREFACE.len() {
                    self.start = None;
                    return;
                }
            } else {
                self.start = None;
                return;
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(error) = this.expired(cx) {
            return Poll::Ready(Err(error));
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.saw_bytes(&buf.filled()[before..]);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = result
            && written > 0
        {
            this.last_activity = Instant::now();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(written)) = result
            && written > 0
        {
            this.last_activity = Instant::now();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn caps_hold_in_total_and_per_address_and_free_on_drop() {
        let limits = ConnectionLimits::new(3, 2, vec!["10.0.0.0/8".parse().unwrap()]);
        let first = limits.admit(ip("192.0.2.1")).unwrap();
        let _second = limits.admit(ip("192.0.2.1")).unwrap();
        assert_eq!(
            limits.admit(ip("192.0.2.1")).err(),
            Some(Refusal::PerAddress)
        );
        // A proxy address has no per-address cap, only the total.
        let _proxied = limits.admit(ip("10.1.2.3")).unwrap();
        assert_eq!(limits.admit(ip("10.1.2.3")).err(), Some(Refusal::Total));
        assert_eq!(limits.open(), 3);
        drop(first);
        assert_eq!(limits.open(), 2);
        assert!(limits.admit(ip("192.0.2.1")).is_ok());
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(address_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        let limits = ConnectionLimits::new(100, 1, Vec::new());
        let _held = limits.admit(ip("2001:db8:1:2::1")).unwrap();
        assert!(limits.admit(ip("2001:db8:1:2::ffff")).is_err());
        assert!(limits.admit(ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn the_total_keeps_descriptors_back() {
        assert_eq!(ConnectionLimits::total_for(65_536), 64_512);
        assert_eq!(ConnectionLimits::total_for(1_024), 512);
        assert_eq!(ConnectionLimits::total_for(524_288), TOTAL_MAX);
    }

    const START: Duration = Duration::from_millis(200);
    const IDLE: Duration = Duration::from_millis(400);

    #[tokio::test]
    async fn a_silent_connection_times_out_from_accept() {
        let (_client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300));
        let mut buf = [0u8; 16];
        let started = Instant::now();
        let error = guarded.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        assert!(waited >= START && waited < START * 5, "{waited:?}");
    }

    #[tokio::test]
    async fn an_http1_byte_hands_over_and_an_idle_connection_closes() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, IDLE);
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        assert!(guarded.read(&mut buf).await.unwrap() > 0);
        assert!(guarded.start.is_none());
        // Past the start deadline, a write counts as activity; the idle limit runs from it.
        tokio::time::sleep(START + Duration::from_millis(100)).await;
        guarded.write_all(b"HTTP/1.1 200 OK\r\n").await.unwrap();
        let started = Instant::now();
        let error = guarded.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        assert!(
            waited >= IDLE - Duration::from_millis(20) && waited < IDLE * 3,
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn a_partial_http2_preface_does_not_disarm_the_start_deadline() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300));
        client.write_all(b"PRI * HTTP").await.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(guarded.read(&mut buf).await.unwrap(), 10);
        let error = guarded.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        // The whole preface disarms it.
        let (mut client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300));
        client.write_all(H2_PREFACE).await.unwrap();
        assert_eq!(guarded.read(&mut buf).await.unwrap(), H2_PREFACE.len());
        assert!(guarded.start.is_none());
    }
}
