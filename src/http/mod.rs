//! The HTTP edge: the router, the shared state and the middleware order. Handlers live in one file per
//! resource; each returns `ApiResult<T>` so every failure becomes the one error envelope.

mod admin;
mod analytics;
mod assessment;
pub mod assets;
pub mod attempts;
pub mod auth;
mod backups;
mod cat;
mod cohorts;
mod competency;
pub mod context;
pub mod edge;
pub mod error;
pub mod fast_static;
mod items;
pub mod json;
pub mod openapi;
mod practice;
mod quizzes;
pub mod rate_limit;
pub mod roles;
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

/// What every handler can reach. One `Arc`, because the middleware stack clones the state for
/// every request: cloning eight shared handles (and the caches' channel senders) per layer cost
/// a fifth of the CPU of serving a static file.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The shared services behind [`AppState`].
pub struct Services {
    pub config: Arc<Config>,
    pub db: Db,
    pub cache: AppCache,
    pub metrics: Arc<Metrics>,
    pub health: Arc<HealthMonitor>,
    pub auth: Arc<crate::auth::Auth>,
    pub content: Arc<crate::content::LazyContent>,
    pub backups: Arc<crate::ops::backup::BackupService>,
    /// Group commit for answer saves.
    pub practice: Arc<crate::db::practice::AnswerWriter>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BSN Knowledge",
        description = "NCLEX-RN practice items, study guides, analytics and adaptive exams for nursing schools.",
        license(name = "MIT")
    ),
    components(schemas(error::ErrorEnvelope, error::FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "system", description = "Health, metrics and service information"),
        (name = "auth", description = "Login, tokens, accounts"),
        (name = "cohorts", description = "Groups of students and their instructors"),
        (name = "admin", description = "Administration: audit log"),
        (name = "items", description = "NCLEX item generation and the item bank"),
        (name = "practice", description = "Quizzes, self-practice, attempts, answers and reviews"),
        (name = "assessment", description = "AACN Essentials competencies and proficiency from evidence"),
    )
)]
struct ApiDoc;

/// Declares the bearer-token scheme the `/api/v1` routes use.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The API routes with their OpenAPI description. Everything under `/api/v1` passes
/// [`auth::authenticate`], which refuses protected routes without a valid token.
fn api_routes(state: &AppState) -> OpenApiRouter<AppState> {
    let v1 = auth::routes()
        .merge(cohorts::routes())
        .merge(admin::routes())
        .merge(items::routes())
        .merge(backups::routes())
        .merge(cat::routes())
        .merge(analytics::routes())
        .merge(quizzes::routes())
        .merge(attempts::routes())
        .merge(practice::routes())
        .merge(assessment::routes())
        .merge(competency::routes())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(system::routes())
        .merge(v1)
}

/// Whether the request carries a valid bearer token (such requests skip the per-IP buckets).
pub fn has_valid_bearer(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    auth::bearer_token(headers).is_some_and(|token| state.auth.keys.verify(token).is_ok())
}

/// The edge pieces that live beside the router: settings fixed at start and the per-IP limiters,
/// which SIGHUP can swap.
#[derive(Clone)]
pub struct Edge {
    pub settings: Arc<edge::EdgeSettings>,
    pub limits: Arc<rate_limit::IpRateLimits>,
}

impl Edge {
    pub fn new(config: &Config, https: Option<std::net::SocketAddr>) -> Self {
        let limits = rate_limit::IpRateLimits::new(&config.rate_limits);
        limits.spawn_housekeeping();
        Self {
            settings: edge::EdgeSettings::from_config(config, https),
            limits,
        }
    }
}

/// The whole application with edge settings taken from the config.
pub fn router(state: AppState) -> Router {
    let edge = Edge::new(&state.config, None);
    router_with_edge(state, &edge)
}

/// The whole application: routes, docs, fallbacks and the middleware stack.
pub fn router_with_edge(state: AppState, edge: &Edge) -> Router {
    let (routes, mut api) = api_routes(&state).split_for_parts();
    openapi::add_standard_responses(&mut api);
    let body_limit = usize::try_from(state.config.server.max_body_bytes).unwrap_or(usize::MAX);
    routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", api))
        .merge(assets::routes())
        .route_layer(middleware::from_fn(context::record_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::request_context,
                ))
                .layer(middleware::from_fn_with_state(
                    Arc::clone(&edge.settings),
                    edge::security_headers,
                ))
                .layer(middleware::from_fn_with_state(
                    Arc::clone(&edge.settings),
                    edge::allowed_host,
                ))
                .layer(middleware::from_fn_with_state(
                    Arc::clone(&edge.settings),
                    edge::cors,
                ))
                .layer(middleware::from_fn_with_state(
                    (state.clone(), Arc::clone(&edge.limits)),
                    rate_limit::limit,
                ))
                .layer(edge::compression())
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
