//! ACME against a real Pebble on loopback: TLS-ALPN-01 and HTTP-01 issuance, reuse of the stored
//! certificate after a restart, renewal inside the window, a CA that is down at first start, a
//! CA that rejects nonces, and a corrupt stored certificate.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::edge_helpers::{
    Pebble, PebblePki, free_port, handshake, install_provider, self_signed, tls_section,
    wait_for_cert,
};
use crate::helpers::Server;

const DOMAIN: &str = "school.bsn.test";
const ISSUE_TIMEOUT: Duration = Duration::from_secs(60);

fn server_config(tls: &str, https_port: u16) -> String {
    format!("[server]\nhttps_listen = \"127.0.0.1:{https_port}\"\n{tls}")
}

fn start(config: &str, http_port: u16) -> Server {
    Server::start_with(
        config,
        &[("BSN_SERVER__HTTP_LISTEN", &format!("127.0.0.1:{http_port}"))],
    )
}

fn restart(server: &mut Server, config: &str, http_port: u16) -> Server {
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    Server::start_in(
        dir,
        config,
        &[("BSN_SERVER__HTTP_LISTEN", &format!("127.0.0.1:{http_port}"))],
    )
}

fn is_pebble(seen: &crate::edge_helpers::Handshake) -> bool {
    seen.issuer.contains("Pebble") && seen.names.iter().any(|n| n == DOMAIN)
}

fn wait_issued(server: &Server, pebble: &Pebble) {
    assert!(
        server.wait_for_log("acme: certificate issued", ISSUE_TIMEOUT),
        "no certificate issued.\nserver:\n{}\npebble:\n{}",
        server.logs(),
        pebble.logs()
    );
}

fn https(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[test]
fn tls_alpn_01_issues_then_a_restart_reuses_the_stored_certificate() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    let pebble = Pebble::start(http_port, https_port, 0);
    let config = server_config(&pebble.tls_config(DOMAIN, "tls-alpn-01", 30), https_port);
    let mut server = start(&config, http_port);

    // Startup does not wait for the CA: a temporary certificate is served at once.
    assert!(server.wait_for_log("listening on https://", Duration::from_secs(5)));
    wait_issued(&server, &pebble);
    assert!(
        server
            .logs()
            .contains("answered an ACME tls-alpn-01 validation")
    );
    let issued = wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
    assert_eq!(issued.alpn.as_deref(), Some("h2"));

    // Stored with mode 0600.
    for file in ["account.json", "cert.pem", "key.pem", "cert-meta.json"] {
        let path = server.data_dir().join("acme").join(file);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }

    // Expiry in /metrics and /health.
    let client = crate::edge_helpers::https_client(https(https_port), DOMAIN);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (metrics, health) = runtime.block_on(async {
        let metrics = reqwest::get(format!("http://127.0.0.1:{http_port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let health: serde_json::Value = client
            .get(crate::edge_helpers::https_url(
                https(https_port),
                DOMAIN,
                "/health",
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (metrics, health)
    });
    let expiry: f64 = metrics
        .lines()
        .find_map(|line| line.strip_prefix("tls_certificate_expiry_timestamp_seconds "))
        .unwrap_or_else(|| panic!("expiry gauge missing:\n{metrics}"))
        .trim()
        .parse()
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
    assert!(expiry > now + 30.0 * 86_400.0, "{expiry}");
    assert_eq!(health["checks"]["tls_certificate"]["status"], "healthy");

    // A restart reuses the stored certificate: no new order.
    let server = restart(&mut server, &config, http_port);
    assert!(
        server.wait_for_log(
            "reusing the stored ACME certificate",
            Duration::from_secs(10)
        ),
        "{}",
        server.logs()
    );
    let again = handshake(https(https_port), DOMAIN).unwrap();
    assert_eq!(again.serial, issued.serial);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !server.logs().contains("acme: requesting a certificate"),
        "{}",
        server.logs()
    );
}

#[test]
fn http_01_is_answered_on_the_http_listener() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    let pebble = Pebble::start(http_port, https_port, 0);
    let config = server_config(&pebble.tls_config(DOMAIN, "http-01", 30), https_port);
    let server = start(&config, http_port);
    wait_issued(&server, &pebble);
    assert!(
        server
            .logs()
            .contains("answered an ACME http-01 validation")
    );
    wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
}

#[test]
fn a_stored_certificate_inside_the_renewal_window_is_renewed() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    let pebble = Pebble::start(http_port, https_port, 0);
    let config = server_config(&pebble.tls_config(DOMAIN, "tls-alpn-01", 30), https_port);

    // A stored certificate with 10 days left, inside the 30-day window.
    let dir = tempfile::tempdir().unwrap();
    let acme = dir.path().join("data").join("acme");
    std::fs::create_dir_all(&acme).unwrap();
    let (cert, key) = self_signed(&[DOMAIN], 10);
    std::fs::write(acme.join("cert.pem"), cert).unwrap();
    std::fs::write(acme.join("key.pem"), key).unwrap();
    let server = Server::start_in(
        dir,
        &config,
        &[("BSN_SERVER__HTTP_LISTEN", &format!("127.0.0.1:{http_port}"))],
    );
    assert!(
        server.wait_for_log(
            "reusing the stored ACME certificate",
            Duration::from_secs(10)
        ),
        "{}",
        server.logs()
    );
    // The old one is served until the new one arrives, then swapped in live.
    wait_issued(&server, &pebble);
    assert!(server.logs().contains("renewal=true"), "{}", server.logs());
    wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
}

#[test]
fn a_ca_that_is_down_at_first_start_is_retried_until_it_answers() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    let pki = PebblePki::new();
    let root_dir = tempfile::tempdir().unwrap();
    let ca_root = pki.write_root(root_dir.path());
    let config = server_config(
        &tls_section(&pki.directory(), &ca_root, DOMAIN, "tls-alpn-01", 30),
        https_port,
    );
    // Nothing listens at the directory URL yet.
    let server = start(&config, http_port);
    assert!(
        server.wait_for_log("acme: could not get a certificate", Duration::from_secs(15)),
        "{}",
        server.logs()
    );
    // Clients are served with the temporary certificate meanwhile.
    let temporary = handshake(https(https_port), DOMAIN).unwrap();
    assert!(temporary.issuer.contains("self-signed"), "{temporary:?}");

    // The CA comes up; the retry loop (backoff with jitter) reaches it without a restart.
    let pebble = Pebble::start_with(http_port, https_port, 0, &pki);
    wait_issued(&server, &pebble);
    wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
}

#[test]
fn bad_nonces_and_a_corrupt_stored_certificate_are_survived() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    // Pebble rejects 30 % of good nonces with badNonce.
    let pebble = Pebble::start(http_port, https_port, 30);
    let config = server_config(&pebble.tls_config(DOMAIN, "tls-alpn-01", 30), https_port);
    let dir = tempfile::tempdir().unwrap();
    let acme = dir.path().join("data").join("acme");
    std::fs::create_dir_all(&acme).unwrap();
    std::fs::write(
        acme.join("cert.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(acme.join("key.pem"), "garbage").unwrap();
    std::fs::write(acme.join("account.json"), "{ not json").unwrap();
    let server = Server::start_in(
        dir,
        &config,
        &[("BSN_SERVER__HTTP_LISTEN", &format!("127.0.0.1:{http_port}"))],
    );
    assert!(
        server.wait_for_log(
            "the stored ACME certificate cannot be used",
            Duration::from_secs(10)
        ),
        "{}",
        server.logs()
    );
    assert!(
        server.wait_for_log(
            "the stored account file is corrupt",
            Duration::from_secs(10)
        ),
        "{}",
        server.logs()
    );
    wait_issued(&server, &pebble);
    wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
}

/// A TLS front for Pebble's directory that answers the first `failures` requests with HTTP 500
/// (an ACME `serverInternal` problem), then the real directory, whose URLs point at Pebble.
struct FailingDirectory {
    url: String,
    served: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FailingDirectory {
    fn start(pki: &PebblePki, failures: usize) -> FailingDirectory {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;

        // The directory as Pebble serves it, fetched once with the same trust the server uses.
        let root = reqwest::Certificate::from_pem(pki.ca.as_bytes()).unwrap();
        let directory = tokio::runtime::Runtime::new().unwrap().block_on(async {
            reqwest::Client::builder()
                .add_root_certificate(root)
                .build()
                .unwrap()
                .get(pki.directory())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        });
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(pki.leaf.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_slice(pki.key.as_bytes()).unwrap();
        let config = std::sync::Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .unwrap(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "https://127.0.0.1:{}/dir",
            listener.local_addr().unwrap().port()
        );
        let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&served);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let Ok(connection) = rustls::ServerConnection::new(std::sync::Arc::clone(&config))
                else {
                    continue;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                // One request per connection: read the head, answer, close.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                let index = counter.fetch_add(1, Ordering::SeqCst);
                let (status, body) = if index < failures {
                    (
                        "500 Internal Server Error",
                        r#"{"type":"urn:ietf:params:acme:error:serverInternal","detail":"injected failure"}"#.to_owned(),
                    )
                } else {
                    ("200 OK", directory.clone())
                };
                let content_type = if index < failures {
                    "application/problem+json"
                } else {
                    "application/json"
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        FailingDirectory { url, served }
    }
}

#[test]
fn a_ca_answering_500_is_retried_with_backoff_until_it_issues() {
    install_provider();
    let (http_port, https_port) = (free_port(), free_port());
    let pki = PebblePki::new();
    let pebble = Pebble::start_with(http_port, https_port, 0, &pki);
    let front = FailingDirectory::start(&pki, 2);
    let config = server_config(
        &tls_section(&front.url, &pebble.ca_root, DOMAIN, "tls-alpn-01", 30),
        https_port,
    );
    let server = start(&config, http_port);
    assert!(
        server.wait_for_log("acme: could not get a certificate", Duration::from_secs(15)),
        "{}",
        server.logs()
    );
    // Served with the temporary certificate while the CA fails.
    let temporary = handshake(https(https_port), DOMAIN).unwrap();
    assert!(temporary.issuer.contains("self-signed"), "{temporary:?}");
    wait_issued(&server, &pebble);
    wait_for_cert(
        https(https_port),
        DOMAIN,
        Duration::from_secs(10),
        is_pebble,
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
    let requests = front.served.load(std::sync::atomic::Ordering::SeqCst);
    assert!(requests >= 3, "the directory was asked {requests} times");
    // Two failures, two log lines: each failed attempt is reported, not only the first.
    assert!(
        server
            .logs()
            .matches("acme: could not get a certificate")
            .count()
            >= 2,
        "{}",
        server.logs()
    );
}
