//! Accepting plain-HTTP connections so that a flood of silent ones cannot hold a real request
//! back.
//!
//! Setting a connection up (registering it with the reactor, arming its deadlines, spawning its
//! task) costs several times what accepting it and peeking at its first byte does. Under a flood
//! of connections that send nothing, a FIFO accept loop leaves a client that has already sent its
//! request (a browser, the `/health` probe) in the kernel's queue behind every silent one. The
//! [`Intake`] accepts ahead of the setup work: a connection whose bytes have arrived is set up at
//! once, a silent one waits in a queue of its own, admitted and counted against the caps, and is
//! set up in accept order when nothing that has spoken is waiting. Its header deadline still
//! counts from accept, so waiting here does not lengthen it.

use std::collections::VecDeque;
use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::connections::{Arrival, ConnectionLimits, Permit};

/// Connections accepted per call before the oldest silent one is set up: how far accepting runs
/// ahead of setting up while the kernel's queue never empties.
const ACCEPT_AHEAD: usize = 128;

/// An admitted connection ready to be set up.
pub struct Admitted {
    pub stream: TcpStream,
    pub peer: SocketAddr,
    pub permit: Permit,
    /// When it was accepted: its header deadline counts from here.
    pub accepted: Instant,
}

/// The plain-HTTP listener and the silent connections accepted but not yet set up.
pub struct Intake {
    listener: TcpListener,
    silent: VecDeque<Admitted>,
    limits: Arc<ConnectionLimits>,
    /// Silent connections waiting longer than this are closed without being set up.
    start_within: std::time::Duration,
}

impl Intake {
    pub fn new(
        listener: TcpListener,
        limits: Arc<ConnectionLimits>,
        start_within: std::time::Duration,
    ) -> Self {
        Self {
            listener,
            silent: VecDeque::new(),
            limits,
            start_within,
        }
    }

    /// Silent connections accepted and waiting to be set up.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.silent.len()
    }

    /// The next connection to set up: one that has sent bytes if the kernel's queue holds one
    /// within [`ACCEPT_AHEAD`], else the longest-waiting silent one. Cancel-safe: whatever was
    /// accepted is kept in `self`, and the one await is tokio's cancel-safe `accept`.
    pub async fn next(&mut self) -> io::Result<Admitted> {
        loop {
            let mut cx = Context::from_waker(Waker::noop());
            for _ in 0..ACCEPT_AHEAD {
                match self.listener.poll_accept(&mut cx) {
                    Poll::Pending => break,
                    Poll::Ready(accepted) => {
                        if let Some(spoke) = self.sort(accepted)? {
                            return Ok(spoke);
                        }
                    }
                }
            }
            if let Some(admitted) = self.oldest_silent() {
                return Ok(admitted);
            }
            // Nothing accepted is waiting: sleep until the kernel queues a connection.
            let accepted = self.listener.accept().await;
            if let Some(spoke) = self.sort(accepted)? {
                return Ok(spoke);
            }
        }
    }

    /// Admits one accepted connection: returns it if it has spoken (or closed), queues it if it
    /// is silent, drops it if the caps refuse it.
    fn sort(
        &mut self,
        accepted: io::Result<(TcpStream, SocketAddr)>,
    ) -> io::Result<Option<Admitted>> {
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // A connection reset before it was accepted, and the like: the next one may be fine.
            Err(error) if is_per_connection(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        let accepted = Instant::now();
        // Straight to the socket: tokio's readiness for a just-registered stream is not known yet.
        // Bytes, an orderly close or an error all count as spoken: HTTP will see which.
        let mut first = [MaybeUninit::<u8>::uninit(); 1];
        let arrival = match socket2::SockRef::from(&stream).peek(&mut first) {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => Arrival::Silent,
            _ => Arrival::Spoken,
        };
        let Some(permit) = super::admit(&self.limits, peer, arrival) else {
            return Ok(None);
        };
        if permit.made_room {
            // The connection told to make room is the longest waiting, which may be queued here
            // (not yet set up, so nothing else would close it): close it now, so that it does not
            // keep its place against the cap.
            self.close_evicted_front();
        }
        let admitted = Admitted {
            stream,
            peer,
            permit,
            accepted,
        };
        match arrival {
            Arrival::Spoken => Ok(Some(admitted)),
            Arrival::Silent => {
                self.silent.push_back(admitted);
                Ok(None)
            }
        }
    }

    fn close_evicted_front(&mut self) {
        while self
            .silent
            .front_mut()
            .is_some_and(|waiting| waiting.permit.is_evicted())
        {
            self.silent.pop_front();
        }
    }

    /// The longest-waiting silent connection still worth setting up; those that were told to
    /// make room, or whose header deadline has passed while they waited, are closed here.
    fn oldest_silent(&mut self) -> Option<Admitted> {
        while let Some(mut waiting) = self.silent.pop_front() {
            if waiting.accepted.elapsed() < self.start_within && !waiting.permit.is_evicted() {
                return Some(waiting);
            }
        }
        None
    }
}

/// Accept errors about one connection, not the listener.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::NotConnected
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Duration;

    async fn intake() -> (Intake, SocketAddr) {
        let listener = super::super::bind_listener("127.0.0.1:0".parse().unwrap()).unwrap();
        let address = listener.local_addr().unwrap();
        let limits = ConnectionLimits::new(1_000, 1_000, Vec::new());
        (
            Intake::new(listener, limits, Duration::from_secs(10)),
            address,
        )
    }

    #[tokio::test]
    async fn a_connection_that_has_spoken_is_set_up_before_older_silent_ones() {
        let (mut intake, address) = intake().await;
        let silent: Vec<_> = (0..50)
            .map(|_| std::net::TcpStream::connect(address).unwrap())
            .collect();
        let mut talking = std::net::TcpStream::connect(address).unwrap();
        talking.write_all(b"GET /health HTTP/1.1\r\n\r\n").unwrap();
        // Let the bytes reach the server's socket.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let talking_port = talking.local_addr().unwrap().port();

        let first = intake.next().await.unwrap();
        assert_eq!(first.peer.port(), talking_port);
        assert_eq!(intake.waiting(), silent.len());

        // Then the silent ones, oldest first.
        let next = intake.next().await.unwrap();
        assert_eq!(next.peer.port(), silent[0].local_addr().unwrap().port());
        assert_eq!(intake.waiting(), silent.len() - 1);
    }

    #[tokio::test]
    async fn a_silent_connection_past_its_header_deadline_is_closed_not_set_up() {
        let listener = super::super::bind_listener("127.0.0.1:0".parse().unwrap()).unwrap();
        let address = listener.local_addr().unwrap();
        let limits = ConnectionLimits::new(1_000, 1_000, Vec::new());
        let mut intake = Intake::new(listener, limits, Duration::from_millis(100));
        let stale = std::net::TcpStream::connect(address).unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Accept it (it is silent, so it waits), then let its deadline pass.
        let accepted = intake.listener.accept().await;
        assert!(intake.sort(accepted).unwrap().is_none());
        assert_eq!(intake.waiting(), 1);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let fresh = std::net::TcpStream::connect(address).unwrap();
        let admitted = tokio::time::timeout(Duration::from_secs(2), intake.next())
            .await
            .expect("the fresh connection is set up")
            .unwrap();
        assert_eq!(admitted.peer.port(), fresh.local_addr().unwrap().port());
        // The stale one was closed: its client reads end of stream.
        stale
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut buffer = [0u8; 1];
        assert_eq!(std::io::Read::read(&mut &stale, &mut buffer).unwrap(), 0);
    }
}
