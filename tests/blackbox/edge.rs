//! The edge over real connections: HTTP→HTTPS redirect, security headers on every response,
//! the host allow-list, CORS with preflight, the body limit and compression.

use std::time::Duration;

use crate::edge_helpers::{https_addr, https_client, https_url, install_provider, raw_exchange};
use crate::helpers::{Server, assert_envelope, client};

const TLS: &str = "[server]\nhttps_listen = \"127.0.0.1:0\"\nallowed_hosts = [\"school.test\"]\n[tls]\nmode = \"self-signed\"\ndomains = [\"school.test\"]\n";

fn assert_security_headers(response: &reqwest::Response, hsts: bool) {
    let docs = response.url().path().starts_with("/docs");
    let headers = response.headers();
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = get("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(directive("script-src"), "script-src 'self'", "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    // Only the API documentation may use inline styles (Swagger UI sets style attributes).
    let style = if docs {
        "style-src 'self' 'unsafe-inline'"
    } else {
        "style-src 'self'"
    };
    assert_eq!(directive("style-src"), style, "{csp}");
    assert_eq!(get("x-frame-options"), "DENY");
    assert_eq!(get("x-content-type-options"), "nosniff");
    assert_eq!(get("referrer-policy"), "strict-origin-when-cross-origin");
    assert!(get("permissions-policy").contains("camera=()"));
    assert!(!get("x-request-id").is_empty());
    if hsts {
        assert!(get("strict-transport-security").starts_with("max-age=31536000"));
    } else {
        assert!(headers.get("strict-transport-security").is_none());
    }
}

#[tokio::test]
async fn http_redirects_to_https_keeping_path_and_query() {
    install_provider();
    let server = Server::start_with(TLS, &[]);
    let https = https_addr(&server);
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = plain
        .get(format!(
            "http://{}/api/v1/items?topic=cardiac&page=2",
            server.addr
        ))
        .header("host", "school.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(
        response.headers()["location"],
        format!(
            "https://school.test:{}/api/v1/items?topic=cardiac&page=2",
            https.port()
        )
    );
    assert_security_headers(&response, false);

    // A host outside the allow-list is not redirected anywhere.
    let response = plain
        .get(format!("http://{}/x", server.addr))
        .header("host", "evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // Local health checks still work over plain HTTP.
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);

    // And the HTTPS side serves the app with HSTS.
    let tls = https_client(https, "school.test");
    let response = tls
        .get(https_url(https, "school.test", "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_security_headers(&response, true);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    install_provider();
    let server = Server::start_with(TLS, &[]);
    let https = https_addr(&server);
    let tls = https_client(https, "school.test");
    for path in [
        "/health",
        "/nope",
        "/static/app.css",
        "/docs/",
        "/openapi.json",
    ] {
        let response = tls
            .get(https_url(https, "school.test", path))
            .send()
            .await
            .unwrap();
        assert_security_headers(&response, true);
    }
    let response = tls
        .delete(https_url(https, "school.test", "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_security_headers(&response, true);

    // Without TLS: the same headers, no HSTS.
    let plain = Server::start();
    let response = client().get(plain.url("/nope")).send().await.unwrap();
    assert_security_headers(&response, false);
}

/// Swagger UI in a real headless Chromium: the page must render every API tag's operations,
/// and the browser must report no Content-Security-Policy violation.
#[test]
fn swagger_ui_renders_in_chromium_without_csp_violations() {
    let server = Server::start();
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(server.url("/docs/"))
        .output()
        .expect("chromium runs (apt-get install chromium)");
    let dom = String::from_utf8_lossy(&output.stdout);
    let console = String::from_utf8_lossy(&output.stderr);
    assert!(
        !console.contains("Content Security Policy"),
        "CSP violation in /docs:\n{console}"
    );
    for tag in ["system", "auth", "items"] {
        assert!(
            dom.contains(&format!("data-tag=\"{tag}\"")),
            "tag {tag} not rendered:\n{dom}"
        );
    }
    assert!(
        dom.contains("/api/v1/auth/login"),
        "operations not rendered"
    );
}

#[tokio::test]
async fn hosts_outside_the_allow_list_get_the_envelope() {
    install_provider();
    let server = Server::start_with(TLS, &[]);
    let https = https_addr(&server);
    let tls = https_client(https, "school.test");
    let response = tls
        .get(https_url(https, "school.test", "/health"))
        .header("host", "evil.test")
        .version(reqwest::Version::HTTP_11)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "HOST_NOT_ALLOWED", "/health");
    let response = tls
        .get(https_url(https, "school.test", "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn cors_allows_only_the_listed_origins_and_answers_preflight() {
    let server = Server::start_with(
        "[cors]\nallowed_origins = [\"https://lms.school.test\"]\n",
        &[],
    );
    let http = client();
    let preflight = http
        .request(reqwest::Method::OPTIONS, server.url("/api/v1/auth/login"))
        .header("origin", "https://lms.school.test")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, authorization",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let headers = preflight.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://lms.school.test"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(
        headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );

    let refused = http
        .request(reqwest::Method::OPTIONS, server.url("/api/v1/auth/login"))
        .header("origin", "https://evil.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_envelope(&body, "CORS_ORIGIN_NOT_ALLOWED", "/api/v1/auth/login");

    let simple = http
        .get(server.url("/health"))
        .header("origin", "https://lms.school.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        simple.headers()["access-control-allow-origin"],
        "https://lms.school.test"
    );
    let other = http
        .get(server.url("/health"))
        .header("origin", "https://evil.test")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn oversized_bodies_get_413_over_tls_too() {
    install_provider();
    let server = Server::start_with(
        "[server]\nhttps_listen = \"127.0.0.1:0\"\nmax_body_bytes = 2048\n[tls]\nmode = \"self-signed\"\ndomains = [\"school.test\"]\n",
        &[],
    );
    let https = https_addr(&server);
    let tls = https_client(https, "school.test");
    let response = tls
        .post(https_url(https, "school.test", "/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(vec![b'x'; 10_000])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "PAYLOAD_TOO_LARGE", "/api/v1/auth/login");
    // The server keeps serving.
    let response = tls
        .get(https_url(https, "school.test", "/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn text_over_1_kb_is_compressed_with_gzip_or_brotli() {
    let server = Server::start();
    let http = client();
    for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, br", "br")] {
        let response = http
            .get(server.url("/openapi.json"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], expected, "{accept}");
    }
    // Small bodies and clients that do not ask stay uncompressed.
    let small = http
        .get(server.url("/health"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert!(small.headers().get("content-encoding").is_none());
    let identity = http.get(server.url("/openapi.json")).send().await.unwrap();
    assert!(identity.headers().get("content-encoding").is_none());
}

#[test]
fn a_bare_tcp_client_on_the_http_port_gets_a_redirect_not_a_hang() {
    install_provider();
    let server = Server::start_with(TLS, &[]);
    let answer = raw_exchange(
        server.addr,
        b"GET /a?b=1 HTTP/1.1\r\nHost: school.test\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    );
    assert!(answer.starts_with("HTTP/1.1 301"), "{answer}");
}
