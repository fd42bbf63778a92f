//! `/api/v1` routes of units, people and enterprises.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::queries::{Enterprise, Position, Unit};
use super::service::{self, EnterpriseInput, PersonInput, PersonView, PositionInput, UnitInput};
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_units).post(create_unit))
        .route("/units/{id}", get(show_unit).put(update_unit))
        .route(
            "/enterprises",
            get(list_enterprises).post(create_enterprise),
        )
        .route(
            "/enterprises/{id}",
            get(show_enterprise).put(update_enterprise),
        )
        .route("/people", get(list_people).post(create_person))
        .route("/people/{id}", get(show_person).put(update_person))
        .route("/people/{id}/positions", post(appoint))
        .route("/people/{id}/reveal", post(reveal_person))
}

async fn list_units(State(st): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    let units = service::list_units(&st.db, &p).await?;
    Ok(Json(json!({ "items": units, "total": units.len() })))
}

async fn create_unit(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<UnitInput>,
) -> Result<(StatusCode, Json<Unit>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_unit(&st.db, &p, body, st.now()).await?),
    ))
}

async fn show_unit(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Unit>, ApiError> {
    Ok(Json(service::get_unit(&st.db, &p, id).await?))
}

async fn update_unit(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<UnitInput>,
) -> Result<Json<Unit>, ApiError> {
    Ok(Json(
        service::update_unit(&st.db, &p, id, body, st.now()).await?,
    ))
}

async fn list_enterprises(
    State(st): State<AppState>,
    Auth(p): Auth,
) -> Result<Json<Value>, ApiError> {
    let items = service::list_enterprises(&st.db, &p).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

async fn create_enterprise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<EnterpriseInput>,
) -> Result<(StatusCode, Json<Enterprise>), ApiError> {
    let e = service::create_enterprise(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(service::mask_enterprise(e))))
}

async fn show_enterprise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Enterprise>, ApiError> {
    Ok(Json(service::get_enterprise(&st.db, &p, id).await?))
}

async fn update_enterprise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<EnterpriseInput>,
) -> Result<Json<Enterprise>, ApiError> {
    let e = service::update_enterprise(&st.db, &p, id, body, st.now()).await?;
    Ok(Json(service::mask_enterprise(e)))
}

#[derive(Deserialize)]
struct PeopleQuery {
    name: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list_people(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(q): Query<PeopleQuery>,
) -> Result<Json<Value>, ApiError> {
    let (items, total) = service::list_people(
        &st.db,
        &p,
        q.name.as_deref().filter(|n| !n.trim().is_empty()),
        q.limit.unwrap_or(50),
        q.offset.unwrap_or(0),
    )
    .await?;
    Ok(Json(json!({ "items": items, "total": total })))
}

async fn create_person(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<PersonInput>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_person(&st.db, &p, body, st.now()).await?),
    ))
}

async fn show_person(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(service::get_person(&st.db, &p, id).await?))
}

async fn update_person(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<PersonInput>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(
        service::update_person(&st.db, &p, id, body, st.now()).await?,
    ))
}

async fn appoint(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<PositionInput>,
) -> Result<(StatusCode, Json<Position>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::appoint(&st.db, &p, id, body, st.now()).await?),
    ))
}

/// 显示完整号码: the whole ID number and phone of one person, audited.
async fn reveal_person(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<service::Revealed>, ApiError> {
    Ok(Json(
        service::reveal_person(&st.db, &p, id, st.now()).await?,
    ))
}
