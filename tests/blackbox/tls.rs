//! Real TLS handshakes against the binary: the version and cipher policy (with `openssl
//! s_client`), ALPN, session resumption, a wrong SNI, a plain-HTTP client on the HTTPS port, a
//! client that never finishes its handshake, and `files` mode reloading on change and on SIGHUP.

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use rustix::process::Signal;

use crate::edge_helpers::{
    handshake, https_addr, install_provider, raw_exchange, run_bounded, s_client, self_signed,
    wait_for_cert,
};
use crate::helpers::Server;

const SELF_SIGNED: &str = "[server]\nhttps_listen = \"127.0.0.1:0\"\n[tls]\nmode = \"self-signed\"\ndomains = [\"school.test\"]\n";

fn start_self_signed() -> (Server, SocketAddr) {
    install_provider();
    let server = Server::start_with(SELF_SIGNED, &[]);
    let addr = https_addr(&server);
    (server, addr)
}

#[test]
fn only_tls_1_2_and_1_3_with_aead_suites_are_accepted() {
    let (server, addr) = start_self_signed();
    let sni = ["-servername", "school.test"];

    let (_, out) = s_client(addr, &[&sni[..], &["-tls1_3"]].concat());
    assert!(out.contains("TLSv1.3"), "{out}");
    let (_, out) = s_client(addr, &[&sni[..], &["-tls1_2"]].concat());
    assert!(
        out.contains("Protocol  : TLSv1.2") || out.contains("New, TLSv1.2"),
        "{out}"
    );
    assert!(out.contains("GCM") || out.contains("CHACHA20"), "{out}");

    // TLS 1.1 (the client allowed to offer it at all) is refused.
    let (ok, out) = s_client(
        addr,
        &[&sni[..], &["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]].concat(),
    );
    assert!(!ok, "{out}");
    assert!(out.contains("Cipher is (NONE)"), "{out}");
    assert!(out.contains("alert"), "{out}");

    // A client that offers only CBC suites gets no handshake.
    let (ok, out) = s_client(
        addr,
        &[
            &sni[..],
            &[
                "-tls1_2",
                "-cipher",
                "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:AES128-SHA256",
            ],
        ]
        .concat(),
    );
    assert!(!ok, "{out}");
    assert!(out.contains("Cipher is (NONE)"), "{out}");
    assert!(out.contains("handshake failure"), "{out}");

    // ALPN: h2 preferred, http/1.1 available.
    let (_, out) = s_client(addr, &[&sni[..], &["-alpn", "h2,http/1.1"]].concat());
    assert!(out.contains("ALPN protocol: h2"), "{out}");
    let (_, out) = s_client(addr, &[&sni[..], &["-alpn", "http/1.1"]].concat());
    assert!(out.contains("ALPN protocol: http/1.1"), "{out}");

    // Session resumption (TLS 1.2 by session id/ticket, TLS 1.3 by ticket).
    let (_, out) = s_client(addr, &[&sni[..], &["-tls1_2", "-reconnect"]].concat());
    assert!(out.contains("Reused, TLSv1.2"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.pem");
    let session = session.to_str().unwrap();
    // Send a request so the ticket (sent after the handshake) is read before the close.
    let script = format!(
        "printf 'GET /health HTTP/1.1\\r\\nHost: school.test\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client -connect {addr} -servername school.test -tls1_3 -ign_eof -sess_out {session}"
    );
    let (_, out) = run_bounded("bash", &["-c", &script], Duration::from_secs(15));
    assert!(out.contains("200 OK"), "{out}");
    let (_, out) = s_client(
        addr,
        &[&sni[..], &["-tls1_3", "-sess_in", session]].concat(),
    );
    assert!(out.contains("Reused, TLSv1.3"), "{out}");

    // Still serving normally.
    assert!(handshake(addr, "school.test").is_ok(), "{}", server.logs());
}

#[test]
fn the_self_signed_certificate_is_persisted_and_reused() {
    let (mut server, addr) = start_self_signed();
    let first = handshake(addr, "school.test").unwrap();
    assert!(first.names.contains(&"school.test".to_owned()));
    let cert = server.data_dir().join("tls").join("self-signed-cert.pem");
    let key = server.data_dir().join("tls").join("self-signed-key.pem");
    use std::os::unix::fs::PermissionsExt;
    for path in [&cert, &key] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let server = Server::start_in(dir, SELF_SIGNED, &[]);
    let again = handshake(https_addr(&server), "school.test").unwrap();
    assert_eq!(again.serial, first.serial);
}

fn files_config(dir: &std::path::Path) -> String {
    format!(
        "[server]\nhttps_listen = \"127.0.0.1:0\"\n[tls]\nmode = \"files\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    )
}

fn write_pair(dir: &std::path::Path, names: &[&str]) {
    let (cert, key) = self_signed(names, 90);
    // Key first, then the certificate: the watcher sees a mismatched pair for a moment, which it
    // must survive.
    std::fs::write(dir.join("key.pem"), key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
}

#[test]
fn a_wrong_sni_and_a_plain_http_client_are_refused_and_logged() {
    install_provider();
    let certs = tempfile::tempdir().unwrap();
    write_pair(certs.path(), &["school.test"]);
    let server = Server::start_with(&files_config(certs.path()), &[]);
    let addr = https_addr(&server);

    assert!(handshake(addr, "school.test").is_ok());
    let refused = handshake(addr, "other.test");
    assert!(refused.is_err(), "{refused:?}");
    assert!(
        server.wait_for_log("does not cover", Duration::from_secs(5)),
        "{}",
        server.logs()
    );

    // Plain HTTP on the HTTPS port: no HTTP answer, a clear log line.
    let answer = raw_exchange(
        addr,
        b"GET /health HTTP/1.1\r\nHost: school.test\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(!answer.contains("HTTP/1.1 200"), "{answer}");
    assert!(
        server.wait_for_log("tls handshake failed", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    // Normal clients are still served.
    assert!(handshake(addr, "school.test").is_ok());
}

#[test]
fn files_are_reloaded_on_change_and_on_sighup_and_a_bad_file_keeps_the_old_one() {
    install_provider();
    let certs = tempfile::tempdir().unwrap();
    write_pair(certs.path(), &["school.test"]);
    let server = Server::start_with(&files_config(certs.path()), &[]);
    let addr = https_addr(&server);
    let first = handshake(addr, "school.test").unwrap();

    // Changed on disk: picked up by the watcher.
    std::thread::sleep(Duration::from_millis(1100));
    write_pair(certs.path(), &["school.test"]);
    let second = wait_for_cert(addr, "school.test", Duration::from_secs(10), |seen| {
        seen.serial != first.serial
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));

    // A broken file: logged, the previous certificate stays.
    std::fs::write(certs.path().join("cert.pem"), "not a certificate").unwrap();
    assert!(
        server.wait_for_log("keeping the previous certificate", Duration::from_secs(10)),
        "{}",
        server.logs()
    );
    assert_eq!(
        handshake(addr, "school.test").unwrap().serial,
        second.serial
    );

    // SIGHUP re-reads at once.
    write_pair(certs.path(), &["school.test"]);
    server.signal(Signal::HUP);
    let third = wait_for_cert(addr, "school.test", Duration::from_secs(5), |seen| {
        seen.serial != second.serial
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
    assert_ne!(third.serial, first.serial);
    assert!(
        server
            .logs()
            .contains("SIGHUP: re-reading the tls certificate files")
    );
}

#[test]
fn a_missing_certificate_file_stops_startup_with_a_clear_error() {
    let certs = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    match Server::try_start_in(dir, &files_config(certs.path()), &[]) {
        Ok(_) => panic!("started without certificate files"),
        Err((logs, status)) => {
            assert_eq!(status.and_then(|s| s.code()), Some(1), "{logs}");
            assert!(logs.contains("cannot read tls.cert_file"), "{logs}");
        }
    }
}

/// Slow clients: one opens the HTTPS port and never sends a ClientHello, one sends HTTP headers
/// byte by byte on the HTTP port. Both are cut off after the 10 s timeouts; others are served.
#[test]
fn slow_handshakes_and_slow_headers_are_cut_off() {
    let (server, addr) = start_self_signed();
    let started = Instant::now();
    let mut silent = TcpStream::connect(addr).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut slow_headers = TcpStream::connect(server.addr).unwrap();
    slow_headers
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let writer = {
        let mut stream = slow_headers.try_clone().unwrap();
        std::thread::spawn(move || {
            use std::io::Write;
            for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
                .iter()
                .cycle()
                .take(40)
            {
                if stream.write_all(&[*byte]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    // Meanwhile normal clients are served.
    assert!(handshake(addr, "school.test").is_ok());

    let mut buffer = [0u8; 256];
    let silent_result = silent.read(&mut buffer);
    let silent_elapsed = started.elapsed();
    assert!(
        matches!(silent_result, Ok(0) | Err(_)),
        "the silent client was closed"
    );
    assert!(
        silent_elapsed >= Duration::from_secs(9) && silent_elapsed < Duration::from_secs(16),
        "{silent_elapsed:?}"
    );
    let mut response = Vec::new();
    let _ = slow_headers.read_to_end(&mut response);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(18), "{elapsed:?}");
    let text = String::from_utf8_lossy(&response);
    assert!(!text.contains("200 OK"), "{text}");
    let _ = writer.join();
    assert!(server.logs().contains("tls handshake timed out"));
}
