//! Per-IP rate limits through the binary: buckets and headers, the 429 envelope, exempt routes,
//! the separate content-generation bucket, trusted and untrusted `X-Forwarded-For`, and SIGHUP.

use std::time::Duration;

use rustix::process::Signal;

use crate::helpers::{Server, assert_envelope, client};

const TIGHT: &str = "[rate_limits]\nper_ip_rps = 1\nper_ip_burst = 3\ncontent_per_ip_rps = 1\ncontent_per_ip_burst = 1\n";

async fn get(server: &Server, path: &str, xff: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(xff) = xff {
        request = request.header("x-forwarded-for", xff);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn anonymous_clients_get_a_bucket_per_address_and_a_429_envelope() {
    let server = Server::start_with(TIGHT, &[]);
    for remaining in ["2", "1", "0"] {
        let response = get(&server, "/openapi.json", None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), "3");
        assert_eq!(header(&response, "x-ratelimit-remaining"), remaining);
        assert!(!header(&response, "x-ratelimit-reset").is_empty());
    }
    // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
    let response = get(&server, "/openapi.json", Some("203.0.113.77")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), "1");
    assert_eq!(header(&response, "x-ratelimit-limit"), "3");
    assert_eq!(header(&response, "x-ratelimit-remaining"), "0");
    assert!(!header(&response, "x-ratelimit-reset").is_empty());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_envelope(&body, "RATE_LIMIT_EXCEEDED", "/openapi.json");
    assert!(
        server.wait_for_log(
            "Rate limit exceeded for /openapi.json from 127.0.0.1",
            Duration::from_secs(2)
        ),
        "{}",
        server.logs()
    );

    // Exempt: /health and /static/.
    for _ in 0..10 {
        assert_eq!(get(&server, "/health", None).await.status(), 200);
        assert_eq!(get(&server, "/static/app.css", None).await.status(), 200);
    }

    // The bucket refills at per_ip_rps.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&server, "/openapi.json", None).await.status(), 200);
}

#[tokio::test]
async fn content_generation_routes_have_their_own_smaller_bucket() {
    let server = Server::start_with(TIGHT, &[]);
    let http = client();
    let first = http
        .post(server.url("/api/v1/nclex/generate"))
        .json(&serde_json::json!({"topic": "cardiac"}))
        .send()
        .await
        .unwrap();
    assert_ne!(first.status(), 429);
    assert_eq!(header(&first, "x-ratelimit-limit"), "1");
    let second = http
        .post(server.url("/api/v1/nclex/generate"))
        .json(&serde_json::json!({"topic": "cardiac"}))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 429);
    // The general bucket is untouched.
    let other = get(&server, "/openapi.json", None).await;
    assert_eq!(other.status(), 200);
    assert_eq!(header(&other, "x-ratelimit-remaining"), "2");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let server = Server::start_with(
        &format!("[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n{TIGHT}"),
        &[],
    );
    for _ in 0..3 {
        assert_eq!(
            get(&server, "/openapi.json", Some("198.51.100.1"))
                .await
                .status(),
            200
        );
    }
    let limited = get(&server, "/openapi.json", Some("198.51.100.1")).await;
    assert_eq!(limited.status(), 429);
    // The right-most untrusted entry is the client: a forged left part does not help.
    assert_eq!(
        get(&server, "/openapi.json", Some("6.6.6.6, 198.51.100.1"))
            .await
            .status(),
        429
    );
    assert_eq!(
        get(&server, "/openapi.json", Some("198.51.100.2"))
            .await
            .status(),
        200
    );
    assert!(server.logs().contains("from 198.51.100.1"));
}

#[tokio::test]
async fn sighup_applies_new_limits_and_logs_them() {
    let mut config = "[rate_limits]\nper_ip_rps = 1\nper_ip_burst = 1\n".to_owned();
    let server = Server::start_with(&config, &[]);
    assert_eq!(get(&server, "/openapi.json", None).await.status(), 200);
    assert_eq!(get(&server, "/openapi.json", None).await.status(), 429);

    config = "[rate_limits]\nper_ip_rps = 100\nper_ip_burst = 100\n".to_owned();
    std::fs::write(server.dir.path().join("config.toml"), &config).unwrap();
    server.signal(Signal::HUP);
    assert!(
        server.wait_for_log("SIGHUP: applied", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    assert!(server.logs().contains("rate_limits.per_ip_burst"));
    let response = get(&server, "/openapi.json", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-ratelimit-limit"), "100");
}

/// A flood of 429s writes the first few lines per client and window, then one line counting the
/// rest; the lines written still match the fail2ban filter's shape.
#[tokio::test]
async fn a_flood_of_429s_writes_a_bounded_number_of_lines_and_counts_the_rest() {
    let mut server = Server::start_with("[rate_limits]\nper_ip_rps = 1\nper_ip_burst = 1\n", &[]);
    let http = client();
    let mut limited = 0;
    for _ in 0..400 {
        let response = http.get(server.url("/openapi.json")).send().await.unwrap();
        if response.status() == 429 {
            limited += 1;
        }
    }
    assert!(limited >= 300, "only {limited} of 400 were limited");
    // At shutdown the open window's count is written.
    server.signal(Signal::TERM);
    server.wait_exit(Duration::from_secs(15));
    assert!(
        server.wait_for_log("suppressed", Duration::from_secs(5)),
        "{}",
        server.logs()
    );
    let logs = server.logs();
    let written = logs
        .lines()
        .filter(|line| line.contains("Rate limit exceeded for /openapi.json from 127.0.0.1"))
        .count();
    assert_eq!(written, 10, "{logs}");
    let summary = logs
        .lines()
        .find(|line| line.contains("suppressed"))
        .unwrap_or_else(|| panic!("no summary line: {logs}"));
    assert!(
        summary.contains(&format!(
            "suppressed {} similar lines (rate-limit rejections for 127.0.0.1)",
            limited - 10
        )),
        "{summary}"
    );
    assert!(summary.contains("WARN"), "{summary}");
    // The summary is not itself a rate-limit line (fail2ban counts lines, not numbers).
    assert!(!summary.contains("Rate limit exceeded"), "{summary}");
}
