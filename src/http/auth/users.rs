//! User administration (admin) and password changes.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::accounts::{
    Actor, CreateUser, CreatedUser, UpdateUser, UserView, apply_user_update, create_account,
    reset_account_password,
};
use crate::auth::sessions::{PasswordChangeError, PasswordChanger, change_own_password};
use crate::db::Db;
use crate::db::accounts::{self, UserRecord};
use crate::domain::accounts::{PASSWORD_MAX, Principal, UserId, can_view_student};
use crate::http::AppState;
use crate::http::auth::middleware::CurrentUser;
use crate::http::auth::path_id;
use crate::http::context::ClientIp;
use crate::http::error::{ApiError, ApiResult};
use crate::http::json::ApiJson;
use crate::http::roles::AdminUser;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password (also clears "password change required").
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204), (status = 401, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    if body.current_password.chars().count() > PASSWORD_MAX {
        return Err(ApiError::validation(
            "current_password",
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    let caller = PasswordChanger {
        user_id: user.0.principal.id(),
        username: &user.0.principal.username,
        session: user.0.session.clone(),
        client,
    };
    change_own_password(
        &state.db,
        &state.auth.passwords,
        &caller,
        body.current_password,
        body.new_password,
        crate::clock::unix_now(),
    )
    .await
    .map_err(|error| match error {
        PasswordChangeError::Policy(problem) => {
            ApiError::validation("new_password", problem.to_string())
        }
        PasswordChangeError::NoAccount | PasswordChangeError::WrongCurrentPassword => {
            ApiError::Unauthorized(error.to_string())
        }
        PasswordChangeError::Db(error) => error.into(),
        PasswordChangeError::Internal(error) => ApiError::Internal(error),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Users to skip (default 0).
    #[serde(default)]
    #[param(required = false, minimum = 0)]
    pub skip: i64,
    /// Users to return, 1 to 1000 (default 100).
    #[serde(default = "default_limit")]
    #[param(required = false, minimum = 1, maximum = 1000)]
    pub limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// All users (admin).
#[utoipa::path(get, path = "/api/v1/auth/users", tag = "auth", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::http::error::ErrorEnvelope)))]
async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    query: Result<Query<Paging>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ApiJson<Vec<UserView>>> {
    let Query(paging) =
        query.map_err(|rejection| ApiError::validation("query", rejection.body_text()))?;
    if paging.skip < 0 {
        return Err(ApiError::validation("skip", "must be 0 or more"));
    }
    if !(1..=1_000).contains(&paging.limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 1000"));
    }
    let users = state
        .db
        .read(move |conn| accounts::list_users(conn, paging.skip, paging.limit))
        .await?;
    Ok(ApiJson(users.iter().map(UserView::from).collect()))
}

/// Create a user (admin).
#[utoipa::path(post, path = "/api/v1/auth/users", tag = "auth", security(("bearer" = [])), request_body = CreateUser,
    responses((status = 201, body = CreatedUser), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 409, body = crate::http::error::ErrorEnvelope), (status = 422, body = crate::http::error::ErrorEnvelope)))]
async fn create_user(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, ApiJson<CreatedUser>)> {
    let actor = Actor {
        id: Some(user.0.principal.id()),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let created = create_account(&state.db, &state.auth.passwords, &body, &actor).await?;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// One user: admins any, instructors students of their cohorts, students themselves.
#[utoipa::path(get, path = "/api/v1/auth/users/{user_id}", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<UserView>> {
    let user_id = UserId(path_id(path, "user_id")?);
    let record = authorize_student_access(&state.db, &user.0.principal, user_id).await?;
    Ok(ApiJson(UserView::from(&record)))
}

/// Loads user `target` if `viewer` may see their data: the one access check for every route that
/// takes a student id. Someone you may not see gets 403 whether or not they exist.
pub async fn authorize_student_access(
    db: &Db,
    viewer: &Principal,
    target: UserId,
) -> ApiResult<UserRecord> {
    let (record, cohorts) = db
        .read(move |conn| {
            Ok((
                accounts::find_user(conn, target)?,
                accounts::cohort_ids_of(
                    conn,
                    target,
                    Some(crate::domain::accounts::Role::Student),
                )?,
            ))
        })
        .await?;
    if !can_view_student(viewer, target, &cohorts) {
        return Err(ApiError::Forbidden(
            "You may not see this user's data".into(),
        ));
    }
    record.ok_or_else(|| ApiError::NotFound(format!("no user with id {target}")))
}

/// Change a user's role, active flag, name or e-mail (admin). The last active admin cannot be
/// demoted or disabled.
#[utoipa::path(patch, path = "/api/v1/auth/users/{user_id}", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")), request_body = UpdateUser,
    responses((status = 200, body = UserView), (status = 403, body = crate::http::error::ErrorEnvelope),
              (status = 404, body = crate::http::error::ErrorEnvelope), (status = 409, body = crate::http::error::ErrorEnvelope)))]
async fn update_user(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<ApiJson<UserView>> {
    let user_id = UserId(path_id(path, "user_id")?);
    if let Some(name) = &body.display_name
        && (crate::domain::is_blank(name) || name.chars().count() > 200)
    {
        return Err(ApiError::validation(
            "display_name",
            "must be 1 to 200 characters",
        ));
    }
    let actor = Actor {
        id: Some(user.0.principal.id()),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let record = apply_user_update(&state.db, user_id, body, &actor).await?;
    Ok(ApiJson(UserView::from(&record)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetPasswordResponse {
    pub username: String,
    /// Give this to the user; they must change it at their next login.
    pub generated_password: String,
}

/// Reset a user's password to a generated one (admin); their sessions end.
#[utoipa::path(post, path = "/api/v1/auth/users/{user_id}/reset-password", tag = "auth", security(("bearer" = [])),
    params(("user_id" = i64, Path, description = "User id")),
    responses((status = 200, body = ResetPasswordResponse), (status = 403, body = crate::http::error::ErrorEnvelope), (status = 404, body = crate::http::error::ErrorEnvelope)))]
async fn reset_password(
    State(state): State<AppState>,
    user: AdminUser,
    Extension(ClientIp(client)): Extension<ClientIp>,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
) -> ApiResult<ApiJson<ResetPasswordResponse>> {
    let user_id = UserId(path_id(path, "user_id")?);
    let actor = Actor {
        id: Some(user.0.principal.id()),
        name: user.0.principal.username.clone(),
        ip: Some(client.to_string()),
    };
    let (username, password) =
        reset_account_password(&state.db, &state.auth.passwords, user_id, &actor).await?;
    // The new password ends every lock on the account, wherever it was set.
    state
        .auth
        .forget_login_failures(&crate::domain::accounts::canonical_username(&username));
    Ok(ApiJson(ResetPasswordResponse {
        username,
        generated_password: password,
    }))
}
