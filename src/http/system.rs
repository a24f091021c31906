//! Service-level routes: `/` (the web UI's page), `/api/v1` (what the service is), `/health`, `/metrics`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::health::{HealthReport, Status};
use crate::http::AppState;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_root))
        .routes(routes!(get_service_info))
        .routes(routes!(get_health))
        .routes(routes!(get_metrics))
}

/// What `GET /api/v1` answers: the service and what it offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceInfo {
    pub message: String,
    pub version: String,
    pub features: Vec<String>,
    pub endpoints: std::collections::BTreeMap<String, String>,
}

/// The web UI: its single page (sign-in first); the page's script speaks the JSON API.
#[utoipa::path(
    get,
    path = "/",
    tag = "system",
    responses((status = 200, description = "The web UI's page", content_type = "text/html"))
)]
async fn get_root(headers: HeaderMap) -> Response {
    crate::http::assets::respond("index.html", &headers)
}

/// Service information: what is built, and where the API and its documentation are.
#[utoipa::path(get, path = "/api/v1", tag = "system", responses((status = 200, body = ServiceInfo)))]
async fn get_service_info() -> Json<ServiceInfo> {
    let features = [
        "NCLEX-RN practice items (classic and Next Generation)",
        "Teaching rationales for every option",
        "Clinical-judgment case studies",
        "Quizzes, self-practice and NCSBN scoring of every item type",
        "AACN Essentials competency evidence and profiles",
        "Adaptive practice exams with readiness estimate",
        "Item bank with QTI, Moodle XML and GIFT export",
        "Web UI for students: sign-in, self-practice on every item type, quizzes, review",
        "Runs offline on embedded defaults",
    ];
    let endpoints = [
        ("web", "/"),
        ("health", "/health"),
        ("metrics", "/metrics"),
        ("docs", "/docs"),
        ("openapi", "/openapi.json"),
        ("api", "/api/v1"),
    ];
    Json(ServiceInfo {
        message: "BSN Knowledge API".into(),
        version: crate::VERSION.into(),
        features: features.into_iter().map(String::from).collect(),
        endpoints: endpoints
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    })
}

/// Health of the service and each of its checks: 200 when healthy or degraded, 503 when unhealthy.
#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    responses(
        (status = 200, description = "Healthy or degraded", body = HealthReport),
        (status = 503, description = "Unhealthy", body = HealthReport)
    )
)]
async fn get_health(State(state): State<AppState>) -> Response {
    let rendered = state.health.current().await;
    let status = match rendered.report.status {
        Status::Unhealthy => StatusCode::SERVICE_UNAVAILABLE,
        Status::Healthy | Status::Degraded => StatusCode::OK,
    };
    let mut response = (status, rendered.json.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Prometheus metrics, only for addresses in `[metrics].allow`.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "system",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 403, description = "Address not in [metrics].allow", body = crate::http::error::ErrorEnvelope)
    )
)]
async fn get_metrics(
    State(state): State<AppState>,
    Extension(ClientIp(client)): Extension<ClientIp>,
) -> ApiResult<Response> {
    let config = &state.config.metrics;
    if !config.enabled {
        return Err(ApiError::NotFound(
            "metrics are disabled ([metrics].enabled = false)".into(),
        ));
    }
    let client = canonical(client);
    if !config.allow.iter().any(|net| net.contains(&client)) {
        return Err(ApiError::Forbidden(format!(
            "{client} is not in [metrics].allow"
        )));
    }
    let body = state.metrics.render(&state.cache.stats());
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}

/// IPv4-mapped IPv6 peers (dual-stack sockets) compare as IPv4.
fn canonical(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, std::net::IpAddr::V4),
        v4 => v4,
    }
}
