//! `/api/v1` routes of sign-in, sign-out and accounts.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::service::{self, Assignment, NewUser, User};
use super::{Action, ALL_ROLES};
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/me", get(me))
        .route("/me/password", put(change_password))
        .route(
            "/security/password-profile",
            get(password_profile).put(set_password_profile),
        )
        .route("/roles", get(roles))
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(show))
        .route("/users/{id}/role", put(assign))
        .route("/users/{id}/lock", post(lock))
        .route("/users/{id}/unlock", post(unlock))
}

#[derive(Deserialize)]
struct SignIn {
    login: String,
    password: String,
    park_id: Option<i64>,
    /// The second factor's code (or a recovery code), for an account that has one.
    code: Option<String>,
}

async fn sign_in(
    State(st): State<AppState>,
    Json(body): Json<SignIn>,
) -> Result<Json<Value>, ApiError> {
    let signed = service::sign_in(
        &st.db,
        &st.config,
        body.park_id,
        &body.login,
        &body.password,
        body.code.as_deref(),
        service::WithoutCode::Refuse,
        st.now(),
    )
    .await?;
    Ok(Json(json!({
        "token": signed.token,
        "user": {
            "login": signed.principal.login,
            "display_name": signed.principal.display_name,
            "role": signed.principal.role,
        },
        "password_change_due": signed.principal.password_change_due,
        "totp_enrolment_due": signed.principal.totp_enrolment_due,
    })))
}

async fn sign_out(
    State(st): State<AppState>,
    _: Auth,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = crate::web::principal_bearer(&headers) {
        service::sign_out(&st.db, token, st.now()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// The caller changes its own password; every session of the account ends, this token too.
async fn change_password(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    super::credentials::change_own_password(
        &st.db,
        &p,
        &body.current_password,
        &body.new_password,
        st.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn profile_json(profile: super::password::Profile) -> Value {
    json!({"profile": profile.as_str(), "label": profile.label()})
}

async fn password_profile(
    State(st): State<AppState>,
    Auth(p): Auth,
) -> Result<Json<Value>, ApiError> {
    p.require(Action::ManageSecurity)?;
    let profile = super::credentials::profile(&st.db, p.park_id).await?;
    Ok(Json(profile_json(profile)))
}

#[derive(Deserialize)]
struct ProfileChoice {
    profile: String,
}

async fn set_password_profile(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<ProfileChoice>,
) -> Result<Json<Value>, ApiError> {
    p.require(Action::ManageSecurity)?;
    let profile = super::password::Profile::parse(&body.profile).ok_or_else(|| {
        crate::error::AppError::invalid(
            "profile",
            "密码策略",
            "密码策略应为 dengbao（等保）或 length_first（长度优先）",
        )
    })?;
    let saved = super::credentials::set_profile_as(&st.db, &p, profile, st.now()).await?;
    Ok(Json(profile_json(saved)))
}

async fn me(Auth(p): Auth) -> Json<Value> {
    Json(json!({
        "id": p.user_id,
        "login": p.login,
        "display_name": p.display_name,
        "role": p.role,
        "role_label": p.role.label(),
        "unit_id": p.unit_id,
        "enterprise_id": p.enterprise_id,
        "password_change_due": p.password_change_due,
        "totp_enrolment_due": p.totp_enrolment_due,
    }))
}

async fn roles(_: Auth) -> Json<Value> {
    let roles: Vec<Value> = ALL_ROLES
        .iter()
        .map(|r| json!({"id": r, "label": r.label()}))
        .collect();
    Json(json!({ "roles": roles }))
}

async fn list(State(st): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    let users = service::list_users(&st.db, &p, st.now()).await?;
    Ok(Json(json!({ "items": users, "total": users.len() })))
}

async fn create(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let (user, _) = service::create_user_as(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn show(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(service::get_user_as(&st.db, &p, id, st.now()).await?))
}

async fn assign(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<Assignment>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(service::assign(&st.db, &p, id, body, st.now()).await?))
}

async fn lock(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        service::set_locked_as(&st.db, &p, id, true, st.now()).await?,
    ))
}

async fn unlock(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        service::set_locked_as(&st.db, &p, id, false, st.now()).await?,
    ))
}
