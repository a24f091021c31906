//! Role requirements as extractors: a handler states the role it needs in its signature
//! (`admin: AdminUser`, `staff: StaffUser`, `student: StudentUser`), so a route cannot forget the
//! check and the refusal reads the same everywhere. Who may see *which* student or cohort is a
//! domain rule (`domain::accounts`), checked after extraction.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::domain::accounts::Role;
use crate::http::auth::{Caller, CurrentUser};
use crate::http::error::ApiError;

/// Roles a requirement accepts, and how a refusal names them.
trait Requirement {
    const ACCEPTS: &'static [Role];
    const REFUSAL: &'static str;
}

/// Extracts the caller when their role meets `R`; 401 without a caller, 403 for another role.
async fn caller_meeting<R: Requirement, S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<Arc<Caller>, ApiError> {
    let CurrentUser(caller) = CurrentUser::from_request_parts(parts, state).await?;
    if R::ACCEPTS.contains(&caller.principal.role) {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden(R::REFUSAL.into()))
    }
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, [$($role:expr),+], $refusal:literal) => {
        $(#[$doc])*
        pub struct $name(pub Arc<Caller>);

        impl Requirement for $name {
            const ACCEPTS: &'static [Role] = &[$($role),+];
            const REFUSAL: &'static str = $refusal;
        }

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                caller_meeting::<$name, S>(parts, state).await.map($name)
            }
        }

        impl std::ops::Deref for $name {
            type Target = Caller;

            fn deref(&self) -> &Caller {
                &self.0
            }
        }
    };
}

role_extractor!(
    /// An administrator.
    AdminUser,
    [Role::Admin],
    "Administrator access required"
);
role_extractor!(
    /// An instructor or an administrator.
    StaffUser,
    [Role::Instructor, Role::Admin],
    "Instructor or administrator access required"
);
role_extractor!(
    /// A student (self-practice, attempts and adaptive exams are taken as a student).
    StudentUser,
    [Role::Student],
    "Student access required"
);
