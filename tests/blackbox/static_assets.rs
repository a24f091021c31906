//! Embedded assets under `/static/`: MIME types, strong ETags and 304, cache policy by
//! fingerprint, precompressed variants, and path traversal.

use std::time::Duration;

use crate::edge_helpers::raw_exchange;
use crate::helpers::{Server, assert_envelope, client};

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
