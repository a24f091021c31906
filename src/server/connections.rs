//! Connection admission and deadlines, before HTTP begins: caps on the connections open in total
//! and per client address, and an IO wrapper that closes a connection which does not start its
//! first request within the header timeout counted from accept, or that stays idle too long.
//!
//! At the total cap a new connection is not refused while some open connection has not yet begun
//! a request: the one that has waited longest is closed in its place ([`Eviction`]). Silent
//! connections therefore cannot keep a real client (or the `/health` probe) out; only when every
//! open connection is serving requests is a new one refused.
//!
//! hyper's own `header_read_timeout` starts when hyper begins reading a request head, which the
//! protocol sniffing of the auto (HTTP/1 or HTTP/2) connection only does after the first bytes have
//! arrived; a connection that never sends a byte was therefore held forever. [`Guarded`] closes it.
//! Between requests on a kept-alive HTTP/1 connection hyper's header timeout applies again, so idle
//! HTTP/1 keep-alive is bounded by it; [`Guarded`]'s idle limit bounds HTTP/2 connections, which
//! have no such timeout.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use ipnet::IpNet;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;
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

/// How far over the total cap admissions may run while evicted connections are still closing:
/// each eviction frees its descriptor within a scheduler tick, and the reserve
/// ([`RESERVED_DESCRIPTORS`]) covers the overlap.
pub const EVICTION_SLACK: usize = 256;

/// How far over the total cap a connection whose request has already arrived may still be admitted:
/// a client that has spoken is refused later than a silent one, so that evictions still closing
/// do not shut a real request out. Also within [`RESERVED_DESCRIPTORS`].
pub const SPOKEN_EVICTION_SLACK: usize = 2 * EVICTION_SLACK;

/// What a connection had done by the time it was admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Nothing received yet, or not known (a TLS handshake not yet read).
    Silent,
    /// Its first bytes are waiting to be read.
    Spoken,
}

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
    /// Connections that have not begun a request yet, oldest first, each with the sender that
    /// tells it to close.
    waiting: BTreeMap<u64, oneshot::Sender<()>>,
    next_serial: u64,
    evicted: u64,
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

    /// Counts a new connection from `peer`, or says why it must be closed at once. At the total
    /// cap, the connection that has waited longest without beginning a request is told to close
    /// and the new one takes its place.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Permit, Refusal> {
        self.admit_as(peer, Arrival::Silent)
    }

    /// As [`ConnectionLimits::admit`], for a connection known to have spoken or not: past the
    /// cap, a silent one is refused at [`EVICTION_SLACK`], one that has spoken at
    /// [`SPOKEN_EVICTION_SLACK`].
    pub fn admit_as(self: &Arc<Self>, peer: IpAddr, arrival: Arrival) -> Result<Permit, Refusal> {
        let slack = match arrival {
            Arrival::Silent => EVICTION_SLACK,
            Arrival::Spoken => SPOKEN_EVICTION_SLACK,
        };
        let key = (!self.exempt.iter().any(|net| net.contains(&peer))).then(|| address_key(peer));
        let mut counts = self.counts();
        let mut made_room = false;
        if let Some(key) = key
            && counts.per_address.get(&key).copied().unwrap_or(0) >= self.per_address_max
        {
            return Err(Refusal::PerAddress);
        }
        if counts.total >= self.total_max {
            if counts.total >= self.total_max + slack {
                return Err(Refusal::Total);
            }
            // A connection that already closed has dropped its sender; skip those.
            made_room = true;
            loop {
                let Some((_, close)) = counts.waiting.pop_first() else {
                    return Err(Refusal::Total);
                };
                if close.send(()).is_ok() {
                    counts.evicted += 1;
                    break;
                }
            }
        }
        if let Some(key) = key {
            *counts.per_address.entry(key).or_insert(0) += 1;
        }
        counts.total += 1;
        let serial = counts.next_serial;
        counts.next_serial += 1;
        let (close, closing) = oneshot::channel();
        counts.waiting.insert(serial, close);
        Ok(Permit {
            limits: Arc::clone(self),
            key,
            serial,
            made_room,
            eviction: Some(Eviction {
                limits: Arc::clone(self),
                serial,
                closing: Some(closing),
            }),
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts().total
    }

    /// Connections closed so far to make room at the total cap.
    pub fn evicted(&self) -> u64 {
        self.counts().evicted
    }
}

/// One admitted connection; dropping it (when the connection ends) frees its place.
pub struct Permit {
    limits: Arc<ConnectionLimits>,
    key: Option<IpAddr>,
    serial: u64,
    /// Whether another connection was told to close to admit this one.
    pub made_room: bool,
    eviction: Option<Eviction>,
}

impl Permit {
    /// Whether this connection has been told to close to make room, checked before it is set up.
    pub fn is_evicted(&mut self) -> bool {
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        self.eviction
            .as_mut()
            .is_some_and(|eviction| eviction.poll_evicted(&mut cx))
    }

    /// The notice that this connection is to make room, for the IO wrapper ([`Guarded`]) that
    /// watches it until the first request begins.
    pub fn eviction(&mut self) -> Option<Eviction> {
        self.eviction.take()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = self.limits.counts();
        counts.waiting.remove(&self.serial);
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

/// A connection's notice to close to make room at the total cap; it stops applying once the
/// connection begins a request ([`Eviction::request_began`]).
pub struct Eviction {
    limits: Arc<ConnectionLimits>,
    serial: u64,
    closing: Option<oneshot::Receiver<()>>,
}

impl Eviction {
    /// Whether the connection has been told to close; registers for a wake-up when it is.
    fn poll_evicted(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(closing) = &mut self.closing else {
            return false;
        };
        match Pin::new(closing).poll(cx) {
            Poll::Ready(Ok(())) => true,
            Poll::Ready(Err(_)) => {
                // The sender is gone without a word: the connection is no longer waiting.
                self.closing = None;
                false
            }
            Poll::Pending => false,
        }
    }

    /// Resolves when the connection is told to close (for a TLS handshake still under way).
    pub async fn evicted(&mut self) {
        std::future::poll_fn(|cx| {
            if self.poll_evicted(cx) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }

    /// The connection began a request: it is no longer a candidate to make room.
    fn request_began(&mut self) {
        self.closing = None;
        self.limits.counts().waiting.remove(&self.serial);
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
    /// Until the first request begins: the notice to close to make room at the total cap.
    eviction: Option<Eviction>,
}

impl<S> Guarded<S> {
    /// `start_within`: from now (accept) until the first request must have begun. `idle_limit`:
    /// the longest time without a byte either way. `eviction`: the connection's notice to make
    /// room ([`Permit::eviction`]), watched until the first request begins.
    pub fn new(
        inner: S,
        start_within: Duration,
        idle_limit: Duration,
        eviction: Option<Eviction>,
    ) -> Self {
        Self::accepted_at(inner, Instant::now(), start_within, idle_limit, eviction)
    }

    /// As [`Guarded::new`] for a connection accepted at `accepted`, which may be a little while
    /// ago (it waited in the [`Intake`](super::intake::Intake)): the start deadline counts from then.
    pub fn accepted_at(
        inner: S,
        accepted: Instant,
        start_within: Duration,
        idle_limit: Duration,
        eviction: Option<Eviction>,
    ) -> Self {
        let now = Instant::now();
        Self {
            inner,
            start: Some(Box::pin(tokio::time::sleep_until(accepted + start_within))),
            preface_matched: 0,
            idle_limit,
            last_activity: now,
            idle: Box::pin(tokio::time::sleep_until(now + idle_limit)),
            eviction,
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
        if let Some(mut eviction) = self.eviction.take() {
            // Any byte means a client that talks: it keeps its place even at the cap.
            eviction.request_began();
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
        match result {
            Poll::Ready(Ok(())) => this.saw_bytes(&buf.filled()[before..]),
            // Told to make room: only when nothing has arrived, so a client whose request is
            // already waiting to be read (its task not yet run) keeps its place.
            Poll::Pending => {
                if let Some(eviction) = &mut this.eviction
                    && eviction.poll_evicted(cx)
                {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "closed without a request to make room at the connection limit",
                    )));
                }
            }
            Poll::Ready(Err(_)) => {}
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

    /// What a connection's wrapper does once its first request begins.
    fn begin_request(permit: &mut Permit) {
        if let Some(mut eviction) = permit.eviction() {
            eviction.request_began();
        }
    }

    #[test]
    fn caps_hold_in_total_and_per_address_and_free_on_drop() {
        let limits = ConnectionLimits::new(3, 2, vec!["10.0.0.0/8".parse().unwrap()]);
        let mut first = limits.admit(ip("192.0.2.1")).unwrap();
        let mut second = limits.admit(ip("192.0.2.1")).unwrap();
        begin_request(&mut first);
        begin_request(&mut second);
        assert_eq!(
            limits.admit(ip("192.0.2.1")).err(),
            Some(Refusal::PerAddress)
        );
        // A proxy address has no per-address cap, only the total.
        let mut proxied = limits.admit(ip("10.1.2.3")).unwrap();
        begin_request(&mut proxied);
        // Every open connection is serving requests: nothing to make room with.
        assert_eq!(limits.admit(ip("10.1.2.3")).err(), Some(Refusal::Total));
        assert_eq!(limits.open(), 3);
        drop(first);
        assert_eq!(limits.open(), 2);
        assert!(limits.admit(ip("192.0.2.1")).is_ok());
        assert_eq!(limits.evicted(), 0);
    }

    #[tokio::test]
    async fn at_the_total_cap_the_longest_waiting_silent_connection_makes_room() {
        let limits = ConnectionLimits::new(3, 100, Vec::new());
        let mut oldest = limits.admit(ip("192.0.2.1")).unwrap();
        let mut talking = limits.admit(ip("192.0.2.2")).unwrap();
        begin_request(&mut talking);
        let mut younger = limits.admit(ip("192.0.2.3")).unwrap();
        let mut oldest_notice = oldest.eviction().unwrap();
        let mut younger_notice = younger.eviction().unwrap();

        let newcomer = limits.admit(ip("198.51.100.9")).unwrap();
        assert!(newcomer.made_room);
        assert_eq!(limits.evicted(), 1);
        // The oldest silent one is told to close; the younger one and the talking one are not.
        tokio::time::timeout(Duration::from_secs(1), oldest_notice.evicted())
            .await
            .expect("the oldest waiting connection is evicted");
        assert!(
            tokio::time::timeout(Duration::from_millis(50), younger_notice.evicted())
                .await
                .is_err()
        );
        // Until the evicted one has closed, admissions may run over the cap by the slack only.
        assert_eq!(limits.open(), 4);
        drop(oldest);
        assert_eq!(limits.open(), 3);
        // The next newcomer takes the younger silent one's place.
        let _next = limits.admit(ip("198.51.100.10")).unwrap();
        tokio::time::timeout(Duration::from_secs(1), younger_notice.evicted())
            .await
            .expect("the next waiting connection is evicted");
    }

    #[test]
    fn admissions_over_the_cap_stop_at_the_slack() {
        let limits = ConnectionLimits::new(1, 10_000, Vec::new());
        let mut held = Vec::new();
        // Nobody closes: the evicted connections keep their descriptors for now.
        for n in 0..=EVICTION_SLACK {
            held.push(
                limits
                    .admit(ip("192.0.2.1"))
                    .unwrap_or_else(|refusal| panic!("admission {n} refused: {refusal:?}")),
            );
        }
        assert_eq!(limits.open(), 1 + EVICTION_SLACK);
        assert_eq!(limits.admit(ip("192.0.2.1")).err(), Some(Refusal::Total));
    }

    #[test]
    fn a_connection_that_has_spoken_is_refused_later_than_a_silent_one() {
        let limits = ConnectionLimits::new(1, 10_000, Vec::new());
        let mut held = Vec::new();
        for _ in 0..=EVICTION_SLACK {
            held.push(limits.admit(ip("192.0.2.1")).unwrap());
        }
        assert_eq!(limits.admit(ip("192.0.2.1")).err(), Some(Refusal::Total));
        // Between the two slacks a request that has already arrived still gets in.
        while limits.open() < 1 + SPOKEN_EVICTION_SLACK {
            held.push(limits.admit_as(ip("192.0.2.1"), Arrival::Spoken).unwrap());
        }
        assert_eq!(
            limits.admit_as(ip("192.0.2.1"), Arrival::Spoken).err(),
            Some(Refusal::Total)
        );
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
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300), None);
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
        let mut guarded = Guarded::new(server, START, IDLE, None);
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
    async fn an_evicted_silent_connection_closes_at_once_and_one_that_talked_is_not_evicted() {
        let limits = ConnectionLimits::new(2, 100, Vec::new());
        let mut silent = limits.admit(ip("192.0.2.1")).unwrap();
        let mut talking = limits.admit(ip("192.0.2.2")).unwrap();
        let (_silent_client, silent_server) = tokio::io::duplex(64);
        let mut silent_io = Guarded::new(
            silent_server,
            START * 50,
            Duration::from_secs(300),
            silent.eviction(),
        );
        let (mut client, talking_server) = tokio::io::duplex(64);
        let mut talking_io = Guarded::new(
            talking_server,
            START * 50,
            Duration::from_secs(300),
            talking.eviction(),
        );
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        assert!(talking_io.read(&mut buf).await.unwrap() > 0);

        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 16];
            let started = Instant::now();
            let error = silent_io.read(&mut buf).await.unwrap_err();
            (error.kind(), started.elapsed())
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut newcomer = limits.admit(ip("198.51.100.9")).unwrap();
        let (kind, waited) = reader.await.unwrap();
        assert_eq!(kind, io::ErrorKind::ConnectionAborted);
        assert!(waited < START * 5, "{waited:?}");
        drop(silent);
        // Both open connections have talked: there is nothing to make room with.
        begin_request(&mut newcomer);
        assert_eq!(
            limits.admit(ip("198.51.100.10")).err(),
            Some(Refusal::Total)
        );
    }

    #[tokio::test]
    async fn a_request_already_waiting_to_be_read_outlives_its_eviction_notice() {
        let limits = ConnectionLimits::new(1, 100, Vec::new());
        let mut first = limits.admit(ip("192.0.2.1")).unwrap();
        let (mut client, server) = tokio::io::duplex(64);
        let mut io = Guarded::new(
            server,
            START * 50,
            Duration::from_secs(300),
            first.eviction(),
        );
        // The request arrives, but the connection's task has not read it yet when a newcomer
        // at the cap picks it to make room.
        client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let _newcomer = limits.admit(ip("198.51.100.9")).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(io.read(&mut buf).await.unwrap(), 16);
        assert!(io.eviction.is_none());
    }

    #[tokio::test]
    async fn a_partial_http2_preface_does_not_disarm_the_start_deadline() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300), None);
        client.write_all(b"PRI * HTTP").await.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(guarded.read(&mut buf).await.unwrap(), 10);
        let error = guarded.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        // The whole preface disarms it.
        let (mut client, server) = tokio::io::duplex(64);
        let mut guarded = Guarded::new(server, START, Duration::from_secs(300), None);
        client.write_all(H2_PREFACE).await.unwrap();
        assert_eq!(guarded.read(&mut buf).await.unwrap(), H2_PREFACE.len());
        assert!(guarded.start.is_none());
    }
}
