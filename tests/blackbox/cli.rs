use crate::helpers::{Server, run};

#[test]
fn version_prints_the_crate_version_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--version"][..], &["version"][..]] {
        let outcome = run(dir.path(), args, &[]);
        assert_eq!(outcome.code, 0, "{args:?}");
        assert!(
            outcome.stdout.contains(env!("CARGO_PKG_VERSION")),
            "{}",
            outcome.stdout
        );
    }
}

#[test]
fn unknown_subcommands_and_flags_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["frobnicate"], &[]).code, 2);
    assert_eq!(run(dir.path(), &["serve", "--no-such-flag"], &[]).code, 2);
}

#[test]
fn migrate_applies_once_and_records_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(dir.path(), &["migrate"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.contains("applied 0001_core"),
        "{}",
        first.stdout
    );
    let second = run(dir.path(), &["migrate"], &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);

    let conn = rusqlite::Connection::open(dir.path().join("data/bsn-knowledge.sqlite3")).unwrap();
    let rows: Vec<(i64, String, String)> = conn
        .prepare("SELECT version, name, checksum FROM schema_migrations")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let versions: Vec<i64> = rows.iter().map(|row| row.0).collect();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|entry| entry.path().extension().is_some_and(|ext| ext == "sql"))
        })
        .count() as i64;
    assert!(files >= 6, "{files} migration files");
    assert_eq!(versions, (1..=files).collect::<Vec<i64>>());
    assert_eq!(rows[0].2.len(), 64, "sha-256 hex");
}

#[test]
fn migrate_refuses_a_database_newer_than_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["migrate"], &[]).code, 0);
    let conn = rusqlite::Connection::open(dir.path().join("data/bsn-knowledge.sqlite3")).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations VALUES (99, '0099_future', 'x', 't')",
        [],
    )
    .unwrap();
    drop(conn);
    let outcome = run(dir.path(), &["migrate"], &[]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stderr.contains("newer than this binary"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn healthcheck_exit_codes_follow_the_status() {
    let server = Server::start();
    let healthy = run(
        server.dir.path(),
        &["healthcheck", "--url", &server.url("/health")],
        &[],
    );
    assert_eq!(healthy.code, 0, "{}{}", healthy.stdout, healthy.stderr);
    assert!(healthy.stdout.contains("\"healthy\""));

    // Derived from the config when no --url is given.
    let derived = run(
        server.dir.path(),
        &["healthcheck"],
        &[("BSN_SERVER__HTTP_LISTEN", &server.addr.to_string())],
    );
    assert_eq!(derived.code, 0, "{}", derived.stderr);

    let degraded = tiny_server(r#"{"status":"degraded","checks":{}}"#);
    let outcome = run(server.dir.path(), &["healthcheck", "--url", &degraded], &[]);
    assert_eq!(outcome.code, 1);

    let unhealthy = tiny_server(r#"{"status":"unhealthy","checks":{}}"#);
    assert_eq!(
        run(
            server.dir.path(),
            &["healthcheck", "--url", &unhealthy],
            &[]
        )
        .code,
        2
    );

    let nothing = run(
        server.dir.path(),
        &["healthcheck", "--url", "http://127.0.0.1:1/health"],
        &[],
    );
    assert_eq!(nothing.code, 2);
    assert!(
        nothing.stderr.contains("cannot reach"),
        "{}",
        nothing.stderr
    );
}

/// A one-answer HTTP server on loopback standing in for a server in a given state.
fn tiny_server(body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer);
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://{addr}/health")
}

#[tokio::test]
async fn healthcheck_accepts_the_base_url() {
    let server = Server::start();
    let base = format!("http://{}", server.addr);
    for url in [base.clone(), format!("{base}/")] {
        let outcome = run(server.dir.path(), &["healthcheck", "--url", &url], &[]);
        assert_eq!(
            outcome.code, 0,
            "{url}: {}{}",
            outcome.stdout, outcome.stderr
        );
        assert!(outcome.stdout.contains("\"healthy\""), "{}", outcome.stdout);
    }
}

/// A port that is taken fails the start before the data directory, the database or the first
/// admin exist.
#[test]
fn a_taken_port_fails_before_anything_is_written() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(
        dir.path(),
        &["serve"],
        &[
            ("BSN_SERVER__HTTP_LISTEN", port.as_str()),
            (
                "BSN_AUTH__SECRET_KEY",
                "test-signing-secret-0123456789-abcdefghijklmnop",
            ),
        ],
    );
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.stderr.contains(&format!("cannot listen on {port}")),
        "{}",
        outcome.stderr
    );
    assert!(
        !outcome.stdout.contains("created the first admin"),
        "{}",
        outcome.stdout
    );
    assert!(
        !dir.path().join("data").exists(),
        "the data directory was created: {:?}",
        std::fs::read_dir(dir.path().join("data")).map(|entries| entries.count())
    );

    // The same with TLS on and its port taken (the plain port free): nothing written either,
    // not even the self-signed certificate.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let free_port = free.local_addr().unwrap().to_string();
    drop(free);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[server]\nhttp_listen = \"{free_port}\"\nhttps_listen = \"{port}\"\n[tls]\nmode = \"self-signed\"\ndomains = [\"school.test\"]\n"),
    )
    .unwrap();
    let outcome = run(
        dir.path(),
        &["serve", "--config", config.to_str().unwrap()],
        &[],
    );
    assert_eq!(outcome.code, 1, "{}{}", outcome.stdout, outcome.stderr);
    assert!(outcome.stderr.contains(&port), "{}", outcome.stderr);
    assert!(!dir.path().join("data").exists());
    drop(taken);
}
