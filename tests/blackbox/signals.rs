use std::io::{Read, Write};
use std::time::Duration;

use rustix::process::Signal;

use crate::helpers::{Server, client};

/// Sends a GET over a socket with a small receive buffer and returns the stream after reading
/// the response head and the first bytes, so the rest of the body is still in flight.
fn start_slow_download(server: &Server, path: &str) -> (std::net::TcpStream, usize, Vec<u8>) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&server.addr.into()).unwrap();
    let mut stream: std::net::TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n"
    )
    .unwrap();
    let mut received = vec![0u8; 2048];
    let count = stream.read(&mut received).unwrap();
    received.truncate(count);
    let head = String::from_utf8_lossy(&received).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("content-length");
    let body_start = head.find("\r\n\r\n").unwrap() + 4;
    (stream, length, received[body_start..].to_vec())
}

#[test]
fn sigterm_closes_the_listener_and_a_large_response_still_arrives_whole() {
    let mut server = Server::start();
    let (mut stream, length, mut body) = start_slow_download(&server, "/docs/swagger-ui-bundle.js");
    assert!(
        length > 500_000,
        "the download is large enough to be in flight: {length}"
    );

    server.signal(Signal::TERM);
    assert!(
        server.wait_for_log("shutting down", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    // New connections are refused once shutdown starts.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        std::net::TcpStream::connect(server.addr).is_err(),
        "listener closed"
    );

    // Read slowly: the server must keep sending until the whole body is out.
    let mut chunk = vec![0u8; 64 * 1024];
    while body.len() < length {
        let count = stream
            .read(&mut chunk)
            .expect("the response continues after SIGTERM");
        assert!(
            count > 0,
            "connection cut after {} of {length} bytes",
            body.len()
        );
        body.extend_from_slice(&chunk[..count]);
    }
    assert_eq!(body.len(), length);
    drop(stream);
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(
        server.logs().contains("all connections finished"),
        "{}",
        server.logs()
    );
}

#[tokio::test]
async fn sighup_applies_the_log_level_and_keeps_running_on_a_bad_file() {
    let server = Server::start_with("[logging]\nlevel = \"info\"\n", &[]);
    let config = server.dir.path().join("config.toml");

    std::fs::write(
        &config,
        "[logging]\nlevel = \"debug\"\n[server]\nrequest_timeout_secs = 30\n",
    )
    .unwrap();
    server.signal(Signal::HUP);
    assert!(
        server.wait_for_log("SIGHUP: applied", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    assert!(
        server.wait_for_log("server.request_timeout_secs", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    assert!(server.logs().contains("takes effect after a restart"));

    std::fs::write(&config, "[logging\nlevel = ").unwrap();
    server.signal(Signal::HUP);
    assert!(
        server.wait_for_log("keeping the running config", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    assert_eq!(
        client()
            .get(server.url("/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// Sends a login request whose body arrives in two parts, returning the socket after the first.
fn start_slow_login(server: &Server) -> (std::net::TcpStream, Vec<u8>) {
    let body = br#"{"username": "admin", "password": "not the password"}"#.to_vec();
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..10]).unwrap();
    (stream, body[10..].to_vec())
}

#[test]
fn sigterm_lets_a_request_still_arriving_finish() {
    let mut server = Server::start();
    let (mut stream, rest) = start_slow_login(&server);
    std::thread::sleep(Duration::from_millis(200));
    server.signal(Signal::TERM);
    assert!(
        server.wait_for_log("shutting down", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(&rest).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the in-flight login got its answer: {answer}"
    );
    assert!(answer.contains("AUTHENTICATION_ERROR"), "{answer}");
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    assert!(
        server.logs().contains("all connections finished"),
        "{}",
        server.logs()
    );
}

#[test]
fn the_grace_period_bounds_shutdown() {
    let mut server = Server::start_with("[server]\nshutdown_grace_secs = 1\n", &[]);
    // A client that never sends the rest of its body keeps its request in flight forever.
    let (_stalled, _) = start_slow_login(&server);
    std::thread::sleep(Duration::from_millis(200));
    let started = std::time::Instant::now();
    server.signal(Signal::TERM);
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        server.logs().contains("grace period over"),
        "{}",
        server.logs()
    );
}

#[tokio::test]
async fn sighup_applies_a_changed_hourly_quota() {
    let api = crate::api::Api::start_with("general_per_hour = 3\n", "");
    let token = api.admin().await;
    for _ in 0..3 {
        assert_eq!(api.get("/api/v1/auth/me", &token).await.status(), 200);
    }
    let limited = api.get("/api/v1/auth/me", &token).await;
    assert_eq!(limited.status(), 429);

    let path = api.server.dir.path().join("config.toml");
    let config = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        config.replace("general_per_hour = 3", "general_per_hour = 100"),
    )
    .unwrap();
    api.server.signal(Signal::HUP);
    assert!(
        api.server
            .wait_for_log("rate_limits.general_per_hour", Duration::from_secs(5)),
        "{}",
        api.server.logs()
    );
    let logs = api.server.logs();
    let line = logs
        .lines()
        .find(|line| line.contains("rate_limits.general_per_hour"))
        .unwrap();
    assert!(line.contains("SIGHUP: applied"), "{line}");
    let response = api.get("/api/v1/auth/me", &token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-ratelimit-limit"], "100");

    // The same file again: nothing changed, because the change was applied.
    api.server.signal(Signal::HUP);
    assert!(
        api.server
            .wait_for_log("nothing changed", Duration::from_secs(5)),
        "{}",
        api.server.logs()
    );
}
