//! The JSON API of 惠企政策 under `/api/v1`: the library, one policy (an enterprise's first
//! reading of its own is its read receipt), a new policy, and a push.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::service::{
    self, PolicyDetail, PolicyFilter, PolicyInput, PolicyView, PushInput, PushOutcome,
};
use crate::ledger::service::Listing;
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list).post(create))
        .route("/policies/{id}", get(show))
        .route("/policies/{id}/push", post(push))
}

async fn list(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(f): Query<PolicyFilter>,
) -> Result<Json<Listing<PolicyView>>, ApiError> {
    Ok(Json(service::list(&st.db, &p, f).await?))
}

async fn create(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<PolicyInput>,
) -> Result<(StatusCode, Json<PolicyDetail>), ApiError> {
    let created = service::create(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn show(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PolicyDetail>, ApiError> {
    Ok(Json(service::get(&st.db, &p, id, st.now()).await?))
}

async fn push(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<PushInput>,
) -> Result<Json<PushOutcome>, ApiError> {
    Ok(Json(service::push(&st.db, &p, id, body, st.now()).await?))
}
