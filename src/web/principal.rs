//! Resolves `Authorization: Bearer <token>` to the principal; every API route but sign-in and the
//! health check takes `Auth`, so a route without it cannot be written by accident.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{ApiError, AppState};
use crate::auth::{service, Principal};
use crate::error::AppError;

pub struct Auth(pub Principal);

/// What an account whose password change is due may still call.
const ALLOWED_WHILE_CHANGE_DUE: [&str; 3] =
    ["/api/v1/me/password", "/api/v1/me", "/api/v1/session"];

/// What a 三员 account without a second factor may still call.
const ALLOWED_WHILE_ENROLMENT_DUE: [&str; 2] = ["/api/v1/me", "/api/v1/session"];

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(AppError::Unauthorized)?;
        let principal = service::authenticate(&state.db, &state.config, token, state.now())
            .await?
            .ok_or(AppError::Unauthorized)?;
        tracing::Span::current().record("user_id", principal.user_id);
        if principal.second_factor_due {
            // A session of the sign-in page still waiting for its code is no token of the API.
            return Err(AppError::Unauthorized.into());
        }
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path());
        if principal.totp_enrolment_due && !ALLOWED_WHILE_ENROLMENT_DUE.contains(&path) {
            // A 三员 account enrols its second factor on the web before anything else.
            return Err(AppError::SecondFactorEnrolmentDue.into());
        }
        if principal.password_change_due {
            // Only changing the password, reading who one is, and signing out are let through.
            if !ALLOWED_WHILE_CHANGE_DUE.contains(&path) {
                return Err(AppError::PasswordChangeDue.into());
            }
        }
        Ok(Auth(principal))
    }
}

pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
