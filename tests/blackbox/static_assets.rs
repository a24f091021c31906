//! Embedded assets under `/static/`: MIME types, strong ETags and 304, cache policy by
//! fingerprint, precompressed variants, and path traversal.

use std::time::Duration;

use crate::edge_helpers::raw_exchange;
use crate::helpers::{Server, assert_envelope, client};

/// `/` is the web UI's page under the strict policy; the service description moved to `/api/v1`.
#[tokio::test]
async fn the_root_serves_the_web_ui_and_api_v1_describes_the_service() {
    let server = Server::start();
    let http = client();
    let page = http.get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script type="module" src="/static/app.js">"#));
    assert!(!html.contains("<script>"), "no inline script");

    let info = http.get(server.url("/api/v1")).send().await.unwrap();
    assert_eq!(
        info.status(),
        200,
        "no token needed to read what the service is"
    );
    let info: serde_json::Value = info.json().await.unwrap();
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["endpoints"]["web"], "/");
}

#[tokio::test]
async fn assets_have_types_etags_and_cache_policy() {
    let server = Server::start();
    let http = client();
    for (path, mime) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "javascript"),
        ("/static/index.html", "text/html"),
        ("/static/img/logo.svg", "image/svg+xml"),
    ] {
        let response = http
            .get(server.url(path))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.contains(mime), "{path}: {content_type}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");

        let again = http
            .get(server.url(path))
            .header("accept-encoding", "identity")
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty());
    }

    // Fingerprinted names are immutable.
    let response = http
        .get(server.url("/static/app.4fd4bfc6.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // Exempt from the per-IP limit: no rate-limit headers.
    assert!(response.headers().get("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn precompressed_variants_are_served_when_accepted() {
    let server = Server::start();
    let http = client();
    let plain = http
        .get(server.url("/static/app.js"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    let plain_etag = plain.headers()["etag"].clone();
    let plain_body = plain.bytes().await.unwrap();
    for (accept, coding) in [
        ("br", "br"),
        ("gzip", "gzip"),
        ("gzip, br", "br"),
        ("br;q=0, gzip", "gzip"),
    ] {
        let response = http
            .get(server.url("/static/app.js"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], coding, "{accept}");
        assert_eq!(response.headers()["vary"], "accept-encoding");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        assert_ne!(response.headers()["etag"], plain_etag, "per-encoding etag");
        let body = response.bytes().await.unwrap();
        assert!(body.len() < plain_body.len());
    }
}

#[tokio::test]
async fn unknown_assets_are_404_envelopes() {
    let server = Server::start();
    let response = client()
        .get(server.url("/static/missing.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "RESOURCE_NOT_FOUND", "/static/missing.css");
}

#[test]
fn path_traversal_never_leaves_the_asset_folder() {
    let server = Server::start();
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/..%2fCargo.toml",
        "/static/img/../../Cargo.toml",
        "/static/..%5cCargo.toml",
        "/static//etc/passwd",
        "/static/../assets/knowledge/README.md",
        "/static/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let answer = raw_exchange(server.addr, request.as_bytes(), Duration::from_secs(5));
        assert!(
            answer.starts_with("HTTP/1.1 404") || answer.starts_with("HTTP/1.1 400"),
            "{path}: {answer}"
        );
        assert!(!answer.contains("[package]"), "{path}");
        assert!(!answer.contains("root:"), "{path}");
    }
}

/// Plain static GETs are answered before the router (`http::fast_static`); a request with an
/// `Origin` header takes the full middleware stack. Both must look the same from outside:
/// headers, body, metrics series and access-log lines.
#[tokio::test]
async fn the_static_fast_path_answers_like_the_full_stack() {
    let server = Server::start_with("[logging]\nlevel = \"info\"\n", &[]);
    let http = client();
    let fetch = |origin: Option<&'static str>| {
        let mut request = http
            .get(server.url("/static/app.css"))
            .header("accept-encoding", "identity");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let fast = fetch(None).await.unwrap();
    let full = fetch(Some("https://not-allowed.example")).await.unwrap();
    assert_eq!(fast.status(), 200);
    assert_eq!(full.status(), 200);
    let names = |response: &reqwest::Response| {
        let mut names: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&fast), names(&full));
    for response in [&fast, &full] {
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 32, "{id}");
    }
    assert_eq!(fast.bytes().await.unwrap(), full.bytes().await.unwrap());

    // An incoming request id is echoed on the fast path too.
    let echoed = http
        .get(server.url("/static/app.css"))
        .header("x-request-id", "static-check-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "static-check-0001");

    let metrics = http.get(server.url("/metrics")).send().await.unwrap();
    let series = crate::observability::parse_metrics(&metrics.text().await.unwrap());
    assert_eq!(
        series[r#"http_requests_total{method="GET",path="/static/{*path}",status="200"}"#],
        3.0
    );
    assert!(server.wait_for_log(
        "API Request: GET /static/app.css - Status: 200",
        Duration::from_secs(5)
    ));
    // The access line is written after the response is sent: wait for all three.
    let count = || {
        server
            .logs()
            .matches("API Request: GET /static/app.css - Status: 200")
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while count() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(count(), 3, "{}", server.logs());
}

/// A host outside `allowed_hosts` is refused for static files as for everything else.
#[tokio::test]
async fn static_files_respect_the_host_allow_list() {
    let server = Server::start_with("[server]\nallowed_hosts = [\"school.example\"]\n", &[]);
    let request = "GET /static/app.css HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
    let answer = raw_exchange(server.addr, request.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("HOST_NOT_ALLOWED"), "{answer}");
    let request =
        "GET /static/app.css HTTP/1.1\r\nHost: school.example\r\nConnection: close\r\n\r\n";
    let answer = raw_exchange(server.addr, request.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
