//! The edge guards every response passes through: security headers (HSTS only with TLS), the
//! `allowed_hosts` allow-list, the `[cors]` allow-list with preflight, and response compression
//! (gzip and brotli for text bodies over 1 KB). Also owns the plain-HTTP listener's router when
//! TLS is on: ACME HTTP-01 answers and a 301 to HTTPS for everything else.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

use crate::config::{Config, TlsMode};
use crate::http::AppState;
use crate::http::context::PeerAddr;
use crate::http::error::ApiError;
use crate::tls::CertStore;

/// The Content-Security-Policy: everything from the server itself only. Images may also be
/// `data:` URIs (Swagger UI's icons); no inline scripts, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/// The API documentation's policy: the same, except that Swagger UI sets inline `style`
/// attributes from its script (seen blocked in Chromium under the strict policy). Inline styles,
/// unlike inline scripts, cannot run code; scripts stay `'self'` only.
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
pub const HSTS: &str = "max-age=31536000; includeSubDomains";
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
pub const REFERRER_POLICY: &str = "strict-origin-when-cross-origin";

/// Compression: text bodies over 1 KB, never images, event streams or already-encoded bodies.
pub fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(1024)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new("application/octet-stream"));
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .compress_when(predicate)
}

/// What the edge checks, fixed at start.
#[derive(Debug, Clone)]
pub struct EdgeSettings {
    pub tls: bool,
    pub allowed_hosts: Vec<String>,
    pub allowed_origins: Vec<String>,
    /// The port HTTPS is reached on (for redirects); 443 is left out of URLs.
    pub https_port: u16,
}

impl EdgeSettings {
    pub fn from_config(config: &Config, https: Option<SocketAddr>) -> Arc<Self> {
        Arc::new(Self {
            tls: config.tls.mode != TlsMode::Off,
            allowed_hosts: config
                .server
                .allowed_hosts
                .iter()
                .map(|host| host.to_ascii_lowercase())
                .collect(),
            allowed_origins: config.cors.allowed_origins.clone(),
            https_port: public_https_port(config.server.public_url.as_deref())
                .unwrap_or_else(|| https.map_or(config.server.https_listen.port(), |a| a.port())),
        })
    }

    /// Whether `host` (no port) may be served. Loopback names are always allowed to loopback
    /// peers, so local health checks keep working with an allow-list.
    pub fn host_allowed(&self, host: &str, peer_is_loopback: bool) -> bool {
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if peer_is_loopback && matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
            return true;
        }
        self.allowed_hosts.iter().any(|allowed| {
            if let Some(suffix) = allowed.strip_prefix("*.") {
                host.ends_with(&format!(".{suffix}"))
            } else if let Some(suffix) = allowed.strip_prefix('.') {
                host == suffix || host.ends_with(allowed.as_str())
            } else {
                *allowed == host
            }
        })
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(origin))
    }
}

/// The port of an `https://` `public_url` (443 when it names none): behind port forwarding the
/// public port differs from the one the server binds.
fn public_https_port(public_url: Option<&str>) -> Option<u16> {
    let rest = public_url?.strip_prefix("https://")?;
    let authority = rest.split('/').next()?;
    let port = authority
        .rsplit_once(':')
        .filter(|(host, _)| !host.ends_with(']') || authority.starts_with('['))
        .and_then(|(host, port)| (!host.is_empty()).then_some(port));
    match port {
        Some(port) if !authority.ends_with(']') => port.parse().ok(),
        _ => Some(443),
    }
}

/// The request's host without the port: `Host`, or the URI authority (HTTP/2).
pub fn request_host<B>(request: &axum::http::Request<B>) -> Option<String> {
    let raw = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()))?;
    let host = if raw.starts_with('[') {
        // [v6]:port
        raw.split_once(']').map(|(v6, _)| format!("{v6}]"))?
    } else {
        raw.split(':').next()?.to_owned()
    };
    (!host.is_empty()).then_some(host)
}

fn peer_is_loopback(request: &Request) -> bool {
    request
        .extensions()
        .get::<PeerAddr>()
        .is_some_and(|peer| peer.0.ip().is_loopback())
}

/// Adds the security headers to every response.
pub async fn security_headers(
    State(settings): State<Arc<EdgeSettings>>,
    request: Request,
    next: Next,
) -> Response {
    let policy = if request.uri().path().starts_with("/docs") {
        DOCS_CONTENT_SECURITY_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    let mut response = next.run(request).await;
    set_security_headers(response.headers_mut(), settings.tls, policy);
    response
}

pub fn set_security_headers(
    headers: &mut HeaderMap,
    tls: bool,
    content_security_policy: &'static str,
) {
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(content_security_policy),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(REFERRER_POLICY),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
}

/// Refuses hosts outside `allowed_hosts` with the envelope.
pub async fn allowed_host(
    State(settings): State<Arc<EdgeSettings>>,
    request: Request,
    next: Next,
) -> Response {
    if settings.allowed_hosts.is_empty() {
        return next.run(request).await;
    }
    let host = request_host(&request).unwrap_or_default();
    if !settings.host_allowed(&host, peer_is_loopback(&request)) {
        tracing::info!(host = host.as_str(), "request refused: host not allowed");
        return ApiError::HostNotAllowed(host).into_response();
    }
    next.run(request).await
}

const CORS_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const CORS_HEADERS: &str = "authorization, content-type, x-request-id";
const CORS_EXPOSE: &str =
    "x-request-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after";

/// CORS: allowed origins get the `Access-Control-*` headers; preflights are answered here.
pub async fn cors(
    State(settings): State<Arc<EdgeSettings>>,
    request: Request,
    next: Next,
) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        return next.run(request).await;
    };
    let allowed = settings.origin_allowed(&origin);
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        if !allowed {
            tracing::info!(
                origin = origin.as_str(),
                "CORS preflight refused: origin not in [cors].allowed_origins"
            );
            return ApiError::OriginNotAllowed(origin).into_response();
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        allow_origin(headers, &origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(CORS_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(CORS_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    if allowed {
        let headers = response.headers_mut();
        allow_origin(headers, &origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(CORS_EXPOSE),
        );
    }
    response
}

fn allow_origin(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.append(header::VARY, HeaderValue::from_static("origin"));
}

/// State of the plain-HTTP listener when TLS is on.
#[derive(Clone)]
struct RedirectState {
    settings: Arc<EdgeSettings>,
    store: Arc<CertStore>,
    app: Router,
}

/// The router of the plain-HTTP listener when TLS is on: ACME HTTP-01 answers, `/health` and
/// `/metrics` for loopback clients (local health checks and scrapers), a 301 to HTTPS for the
/// rest.
pub fn redirect_router(
    state: AppState,
    settings: Arc<EdgeSettings>,
    store: Arc<CertStore>,
    app: Router,
) -> Router {
    let redirect = RedirectState {
        settings: Arc::clone(&settings),
        store,
        app,
    };
    Router::new()
        .fallback(redirect_or_challenge)
        .with_state(redirect)
        .layer(middleware::from_fn_with_state(
            Arc::new(EdgeSettings {
                tls: false,
                ..(*settings).clone()
            }),
            security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state,
            crate::http::context::request_context,
        ))
}

const CHALLENGE_PREFIX: &str = "/.well-known/acme-challenge/";

async fn redirect_or_challenge(State(state): State<RedirectState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(token) = path.strip_prefix(CHALLENGE_PREFIX) {
        return match state.store.http_challenge(token) {
            Some(answer) => {
                tracing::info!("answered an ACME http-01 validation");
                ([(header::CONTENT_TYPE, "application/octet-stream")], answer).into_response()
            }
            None => ApiError::NotFound("no ACME challenge is pending for this token".into())
                .into_response(),
        };
    }
    if peer_is_loopback(&request) && (path == "/health" || path == "/metrics") {
        return match tower::ServiceExt::oneshot(state.app.clone(), request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
    }
    let Some(host) = request_host(&request) else {
        return ApiError::BadRequest(
            "the request has no Host header; use https:// and the server's name".into(),
        )
        .into_response();
    };
    if !state
        .settings
        .host_allowed(&host, peer_is_loopback(&request))
    {
        return ApiError::HostNotAllowed(host).into_response();
    }
    let port = match state.settings.https_port {
        443 => String::new(),
        port => format!(":{port}"),
    };
    let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let location = format!("https://{host}{port}{path_and_query}");
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)]).into_response(),
        Err(_) => ApiError::BadRequest("the request's host is not valid".into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hosts: &[&str]) -> EdgeSettings {
        EdgeSettings {
            tls: true,
            allowed_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            allowed_origins: vec!["https://lms.example.edu".into()],
            https_port: 443,
        }
    }

    #[test]
    fn hosts_match_exactly_or_by_wildcard() {
        let s = settings(&["school.edu", "*.campus.edu"]);
        assert!(s.host_allowed("School.EDU", false));
        assert!(s.host_allowed("a.campus.edu", false));
        assert!(!s.host_allowed("campus.edu", false));
        assert!(!s.host_allowed("evil.com", false));
        assert!(s.host_allowed("localhost", true));
        assert!(!s.host_allowed("localhost", false));
        assert!(settings(&[]).host_allowed("anything", false));
    }

    #[test]
    fn the_public_url_sets_the_redirect_port() {
        assert_eq!(
            public_https_port(Some("https://quiz.school.edu")),
            Some(443)
        );
        assert_eq!(
            public_https_port(Some("https://quiz.school.edu:8443/x")),
            Some(8443)
        );
        assert_eq!(public_https_port(Some("https://[2001:db8::1]/")), Some(443));
        assert_eq!(
            public_https_port(Some("https://[2001:db8::1]:9443/")),
            Some(9443)
        );
        assert_eq!(public_https_port(Some("http://quiz.school.edu")), None);
        assert_eq!(public_https_port(None), None);
    }

    #[test]
    fn origins_match_exactly() {
        let s = settings(&[]);
        assert!(s.origin_allowed("https://lms.example.edu"));
        assert!(!s.origin_allowed("https://lms.example.edu.evil.com"));
    }
}
