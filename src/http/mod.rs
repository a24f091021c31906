//! The HTTP edge: the router, the shared state and the middleware order. Handlers live in one file per
//! resource; each returns `ApiResult<T>` so every failure becomes the one error envelope.

pub mod context;
pub mod error;
pub mod json;
mod system;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::cache::AppCache;
use crate::config::Config;
use crate::db::Db;
use crate::health::HealthMonitor;
use crate::http::error::ApiError;
use crate::metrics::Metrics;

/// What every handler can reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub cache: AppCache,
    pub metrics: Arc<Metrics>,
    pub health: Arc<HealthMonitor>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BSN Knowledge",
        description = "NCLEX-RN practice items, study guides, analytics and adaptive exams for nursing schools.",
        license(name = "MIT")
    ),
    components(schemas(error::ErrorEnvelope, error::FieldError)),
    tags(
        (name = "system", description = "Health, metrics and service information"),
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(system::routes())
}

/// The OpenAPI document of every route, as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().into_openapi()
}

/// The whole application: routes, docs, fallbacks and the middleware stack.
pub fn router(state: AppState) -> Router {
    let (routes, api) = api_routes().split_for_parts();
    let body_limit = usize::try_from(state.config.server.max_body_bytes).unwrap_or(usize::MAX);
    routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", api))
        .route_layer(middleware::from_fn(context::record_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::request_context,
                ))
                .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                    panic_response,
                ))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::body_limit,
                ))
                .layer(DefaultBodyLimit::max(body_limit))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::deadline,
                )),
        )
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see /docs for the API".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}
