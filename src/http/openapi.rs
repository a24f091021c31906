//! The error responses every operation shares, added to the built OpenAPI document in one place
//! instead of being repeated in each handler's annotation. Each is added only where the route can
//! really give it:
//!
//! - 401 and 403 to operations that need a bearer token ([`authenticate`](super::auth::authenticate)
//!   refuses a missing or bad token; a signed-in user who must change their password gets 403 on all
//!   but the few routes that let them do so);
//! - 429 to everything but `/health` (per-IP buckets for requests without a valid token, per-user
//!   hourly quotas for the rest; see [`rate_limit`](super::rate_limit));
//! - 400, 413, 415 and 422 to operations with a request body ([`ApiJson`](super::json::ApiJson) and
//!   the form extractor), 422 to operations with parameters (a value that does not parse);
//! - 503 to every operation (the request deadline in [`context::deadline`](super::context::deadline);
//!   a full disk on writes).
//!
//! Responses without a description get the status's reason phrase: OpenAPI requires one.

use axum::http::StatusCode;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds the shared error responses to every operation of `openapi`.
pub fn add_standard_responses(openapi: &mut OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            add_to_operation(path, operation);
        }
    }
}

fn add_to_operation(path: &str, operation: &mut Operation) {
    let secured = operation.security.as_ref().is_some_and(|requirements| {
        requirements.iter().any(|requirement| {
            serde_json::to_value(requirement)
                .is_ok_and(|value| value.as_object().is_some_and(|map| !map.is_empty()))
        })
    });
    let has_body = operation.request_body.is_some();
    let has_parameters = operation
        .parameters
        .as_ref()
        .is_some_and(|parameters| !parameters.is_empty());

    let mut added: Vec<(StatusCode, &str)> = Vec::new();
    if secured {
        added.push((
            StatusCode::UNAUTHORIZED,
            "No bearer token, or one that is invalid, expired or revoked",
        ));
        if !super::auth::middleware::allowed_before_password_change(path) {
            added.push((
                StatusCode::FORBIDDEN,
                "The caller's role may not do this, or they must change their password first",
            ));
        }
    }
    if !crate::http::rate_limit::is_exempt(path) {
        added.push((
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit or hourly quota used up; see Retry-After",
        ));
    }
    if has_body {
        added.push((
            StatusCode::BAD_REQUEST,
            "The request body could not be read",
        ));
        added.push((
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is larger than [server].max_body_bytes",
        ));
        added.push((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body is not of the declared content type",
        ));
    }
    if has_body || has_parameters {
        added.push((
            StatusCode::UNPROCESSABLE_ENTITY,
            "A field or parameter is missing or invalid; details.validation_errors names it",
        ));
    }
    added.push((
        StatusCode::SERVICE_UNAVAILABLE,
        "The request took longer than allowed, or the server cannot do it now (the message says why)",
    ));

    let responses = &mut operation.responses.responses;
    for (status, description) in added {
        responses
            .entry(status.as_str().to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
    for (status, response) in responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = status
                .parse::<u16>()
                .ok()
                .and_then(|code| StatusCode::from_u16(code).ok())
                .and_then(|code| code.canonical_reason())
                .unwrap_or("Response")
                .to_owned();
        }
    }
}
