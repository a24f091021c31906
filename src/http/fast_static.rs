//! `/static/` without the API middleware stack. Every layer of the stack (request context,
//! security headers, host check, CORS, rate limit, compression, panic guard, body limit,
//! deadline) boxes a future and clones its state per request; for a small embedded file that was
//! most of the user-space cost of a response. This path answers the plain case, a `GET` of an
//! embedded file, with the same observable behaviour: request id, security headers, host
//! allow-list, metrics and access log. Anything unusual (another method, a body, an `Origin`, a
//! refused host, a text file the client wants compressed live) goes through the full stack.

use std::sync::Arc;
use std::time::Instant;

use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use hyper::Request;

use crate::http::AppState;
use crate::http::assets;
use crate::http::context::{
    PeerAddr, REQUEST_ID_HEADER, access_log, client_ip, incoming_request_id,
};
use crate::http::edge::{self, EdgeSettings};

/// The route template `/metrics` reports static requests under, as the router does.
const ROUTE: &str = "/static/{*path}";

#[derive(Clone)]
pub struct FastStatic {
    state: AppState,
    settings: Arc<EdgeSettings>,
}

impl FastStatic {
    pub fn new(state: AppState, settings: Arc<EdgeSettings>) -> Self {
        Self { state, settings }
    }

    /// The response when the request is a plain static-file `GET`; `None` sends it on to the
    /// router.
    pub fn try_serve<B>(&self, request: &Request<B>) -> Option<Response> {
        let path = request.uri().path().strip_prefix("/static/")?;
        let headers = request.headers();
        let plain = request.method() == Method::GET
            && request.uri().query().is_none()
            && !headers.contains_key(header::ORIGIN)
            && !headers.contains_key(header::CONTENT_LENGTH)
            && !headers.contains_key(header::TRANSFER_ENCODING);
        if !plain {
            return None;
        }
        let peer = request.extensions().get::<PeerAddr>()?.0.ip();
        if !self.settings.allowed_hosts.is_empty() {
            let host = edge::request_host(request)?;
            if !self.settings.host_allowed(&host, peer.is_loopback()) {
                return None;
            }
        }
        let started = Instant::now();
        // Unknown files get their 404 envelope from the router, which fills in the request id.
        let mut response = assets::respond_prepared(path, headers)?;
        let request_id = incoming_request_id(headers)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let client = client_ip(peer, headers, &self.state.config.server.trusted_proxies);
        let response_headers = response.headers_mut();
        edge::set_security_headers(
            response_headers,
            self.settings.tls,
            edge::CONTENT_SECURITY_POLICY,
        );
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response_headers.insert(REQUEST_ID_HEADER, value);
        }

        let status = response.status().as_u16();
        let elapsed = started.elapsed();
        self.state
            .metrics
            .observe_request("GET", ROUTE, status, elapsed);
        access_log("GET", request.uri().path(), status, elapsed, client);
        Some(response)
    }
}
