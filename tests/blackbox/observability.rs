use std::collections::HashMap;
use std::time::Duration;

use crate::helpers::{Server, assert_envelope, client, run};

#[tokio::test]
async fn health_reports_each_check_and_a_request_id() {
    let server = Server::start();
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "healthy", "{body}");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    for check in ["database_read", "database_write", "disk", "cache"] {
        assert_eq!(
            body["checks"][check]["status"], "healthy",
            "{check}: {body}"
        );
        assert!(
            body["checks"][check]["latency_ms"].is_number(),
            "{check}: {body}"
        );
        assert!(
            body["checks"][check]["detail"].is_string(),
            "{check}: {body}"
        );
    }
}

#[tokio::test]
async fn a_deleted_database_makes_health_unhealthy() {
    let server = Server::start();
    assert_eq!(
        client()
            .get(server.url("/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for file in [
        "bsn-knowledge.sqlite3",
        "bsn-knowledge.sqlite3-wal",
        "bsn-knowledge.sqlite3-shm",
    ] {
        let _ = std::fs::remove_file(server.data_dir().join(file));
    }
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unhealthy", "{body}");
    assert_eq!(
        body["checks"]["database_read"]["status"], "unhealthy",
        "{body}"
    );
    let outcome = run(
        server.dir.path(),
        &["healthcheck", "--url", &server.url("/health")],
        &[],
    );
    assert_eq!(outcome.code, 2);
}

/// Parses the Prometheus text format into `series -> value`, failing on any malformed line.
pub(crate) fn parse_metrics(text: &str) -> HashMap<String, f64> {
    let mut series = HashMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            assert!(
                line.is_empty()
                    || line.starts_with("# HELP ")
                    || line.starts_with("# TYPE ")
                    || line == "# EOF",
                "{line}"
            );
            continue;
        }
        let (name, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("malformed line {line}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line}"));
        let metric = name.split('{').next().unwrap();
        assert!(
            metric
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        series.insert(name.to_owned(), value);
    }
    series
}

#[tokio::test]
async fn metrics_use_route_templates_and_parse() {
    // 40 anonymous requests from one address: lift the per-IP limit so none is throttled.
    let server = Server::start_with(
        "[rate_limits]\nper_ip_rps = 1000\nper_ip_burst = 1000\n",
        &[],
    );
    let http = client();
    for _ in 0..3 {
        http.get(server.url("/health")).send().await.unwrap();
    }
    for index in 0..40 {
        http.get(server.url(&format!("/no/such/route/random-{index}")))
            .send()
            .await
            .unwrap();
    }
    let response = http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let series = parse_metrics(&response.text().await.unwrap());
    assert_eq!(
        series[r#"http_requests_total{method="GET",path="/health",status="200"}"#],
        3.0
    );
    assert_eq!(
        series[r#"http_requests_total{method="GET",path="unmatched",status="404"}"#],
        40.0
    );
    assert!(
        !series.keys().any(|name| name.contains("random-")),
        "raw URLs must not become labels"
    );
    assert!(
        series
            .keys()
            .any(|name| name.starts_with("http_request_duration_seconds_bucket"))
    );
    assert!(series["process_resident_memory_bytes"] > 1_000_000.0);
    assert_eq!(series["nclex_generation_failures_total"], 0.0);
    assert!(series.contains_key(r#"cache_hits_total{cache="nclex"}"#));
    assert!(
        !series
            .keys()
            .any(|name| name.starts_with("tls_certificate_expiry")),
        "TLS is off"
    );
}

#[tokio::test]
async fn metrics_refuse_addresses_outside_the_allow_list() {
    let server = Server::start_with("[metrics]\nallow = [\"10.0.0.0/8\"]\n", &[]);
    let response = client().get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "AUTHORIZATION_ERROR", "/metrics");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let server = Server::start();
    let http = client();
    let response = http
        .get(server.url("/no/such/route?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "RESOURCE_NOT_FOUND", "/no/such/route");
    assert_eq!(body["request_id"], request_id.as_str());

    let response = http.delete(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "METHOD_NOT_ALLOWED", "/health");
}

#[tokio::test]
async fn a_client_request_id_is_echoed() {
    let server = Server::start();
    let response = client()
        .get(server.url("/health"))
        .header("x-request-id", "lms-trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "lms-trace-42");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let server = Server::start_with("[server]\nmax_body_bytes = 2048\n", &[]);
    let response = client()
        .post(server.url("/health"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "PAYLOAD_TOO_LARGE", "/health");
    assert_eq!(body["details"]["max_body_bytes"], 2048);
    // The server keeps serving.
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

#[tokio::test]
async fn a_malformed_request_line_does_not_disturb_other_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = Server::start();
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"\x16\x03\x01 garbage that is not HTTP\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
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

#[tokio::test]
async fn openapi_and_swagger_ui_are_served_from_the_binary() {
    let server = Server::start();
    let http = client();
    let spec: serde_json::Value = http
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/", "/health", "/metrics"] {
        assert!(
            spec["paths"][path]["get"].is_object(),
            "{path} missing from the spec"
        );
    }
    let page = http.get(server.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap().contains("swagger"),
        "Swagger UI page"
    );
    let bundle = http
        .get(server.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
    assert!(
        bundle.bytes().await.unwrap().len() > 100_000,
        "vendored bundle, not a CDN link"
    );
}
