//! The outermost middleware: request id, client address, access log and request metrics, plus the
//! body-size and deadline guards. It runs every handler inside a task-local scope that holds the
//! request id and path, so any [`ApiError`] can fill in its envelope without being handed the request.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use crate::config::LogFormat;
use crate::http::AppState;
use crate::http::error::ApiError;

tokio::task_local! {
    static REQUEST: RequestIds;
}

struct RequestIds {
    request_id: String,
    path: String,
}

/// The request id and path of the request being handled, or empty strings outside a request.
pub fn current_ids() -> (String, String) {
    REQUEST
        .try_with(|ids| (ids.request_id.clone(), ids.path.clone()))
        .unwrap_or_else(|_| (String::new(), String::new()))
}

/// The socket peer, inserted per connection by the server.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The client address after applying `trusted_proxies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The route template that handled a request, carried back to the outer middleware.
#[derive(Debug, Clone)]
struct RouteTemplate(String);

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Outermost layer: ids, client address, metrics and the access log.
pub async fn request_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = incoming_request_id(request.headers())
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let peer = request
        .extensions()
        .get::<PeerAddr>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| peer.0.ip());
    let client = client_ip(
        peer,
        request.headers(),
        &state.config.server.trusted_proxies,
    );
    request.extensions_mut().insert(ClientIp(client));

    let ids = RequestIds {
        request_id: request_id.clone(),
        path: path.clone(),
    };
    let mut response = REQUEST.scope(ids, next.run(request)).await;

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let route = response
        .extensions()
        .get::<RouteTemplate>()
        .map_or("unmatched", |route| route.0.as_str());
    state
        .metrics
        .observe_request(method.as_str(), route, status, elapsed);
    access_log(method.as_str(), &path, status, elapsed, client);
    response
}

/// Route-level layer: remembers which route template matched.
pub async fn record_route(request: Request, next: Next) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}

/// Refuses bodies whose declared length is over the limit before reading them; bodies without a
/// length are cut off by axum's `DefaultBodyLimit` while they are read.
pub async fn body_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config.server.max_body_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return ApiError::PayloadTooLarge { limit }.into_response();
    }
    next.run(request).await
}

/// Stops handlers that run longer than `request_timeout_secs` (`generation_timeout_secs` for the
/// content-generation routes).
pub async fn deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let server = &state.config.server;
    let seconds = if is_generation_path(request.uri().path()) {
        server.generation_timeout_secs
    } else {
        server.request_timeout_secs
    };
    match tokio::time::timeout(Duration::from_secs(seconds), next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout { seconds }.into_response(),
    }
}

/// The routes that generate content and may take longer.
pub fn is_generation_path(path: &str) -> bool {
    [
        "/api/v1/nclex/",
        "/api/v1/study-guide/",
        "/api/v1/study-guides/",
        "/api/v1/clinical-support/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

pub(crate) fn incoming_request_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(REQUEST_ID_HEADER)?.to_str().ok()?;
    let valid = !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    valid.then(|| value.to_owned())
}

/// The client address: the socket peer, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let mut forwarded: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for entry in text.split(',') {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) => forwarded.push(ip),
                Err(_) => return peer,
            }
        }
    }
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted(ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

pub(crate) fn access_log(method: &str, path: &str, status: u16, elapsed: Duration, client: IpAddr) {
    let duration_ms = elapsed.as_millis();
    match crate::telemetry::log_format() {
        LogFormat::Text => tracing::info!(
            target: "access",
            "API Request: {method} {path} - Status: {status} - Duration: {duration_ms}ms - Client: {client}"
        ),
        LogFormat::Json => tracing::info!(
            target: "access",
            method,
            path,
            status,
            duration_ms = duration_ms as u64,
            client = %client,
            "API Request: {method} {path} - Status: {status} - Duration: {duration_ms}ms - Client: {client}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in xff {
            map.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_right_most_untrusted_entry_is_the_client() {
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let cases = [
            (vec!["198.51.100.7"], "198.51.100.7"),
            (vec!["6.6.6.6, 198.51.100.7, 10.0.0.3"], "198.51.100.7"),
            (vec!["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
            (vec!["10.0.0.4, 10.0.0.3"], "10.0.0.4"),
            (vec![], "10.0.0.1"),
            (vec!["not-an-ip"], "10.0.0.1"),
        ];
        for (xff, expected) in cases {
            assert_eq!(
                client_ip(ip("10.0.0.1"), &headers(&xff), &trusted),
                ip(expected),
                "{xff:?}"
            );
        }
    }

    #[test]
    fn incoming_request_ids_are_kept_only_when_sane() {
        let mut map = HeaderMap::new();
        map.insert(REQUEST_ID_HEADER, HeaderValue::from_static("abc-123"));
        assert_eq!(incoming_request_id(&map).as_deref(), Some("abc-123"));
        map.insert(REQUEST_ID_HEADER, HeaderValue::from_static("<script>"));
        assert_eq!(incoming_request_id(&map), None);
    }

    #[test]
    fn generation_routes_get_the_longer_deadline() {
        assert!(is_generation_path("/api/v1/nclex/generate"));
        assert!(is_generation_path("/api/v1/study-guides/"));
        assert!(!is_generation_path("/api/v1/auth/login"));
    }
}
