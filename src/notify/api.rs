//! The JSON API of 通知 under `/api/v1`: the caller's notices (newest first, paged) and marking
//! one read.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::service::{self, NoticePage};
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/{id}/read", post(read))
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

async fn list(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(q): Query<ListQuery>,
) -> Result<Json<NoticePage>, ApiError> {
    let size = q.per_page.unwrap_or(service::PAGE_SIZE);
    Ok(Json(
        service::list(&st.db, &p, q.page.unwrap_or(1), size).await?,
    ))
}

async fn read(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    service::mark_read(&st.db, &p, id, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
