//! The JSON API of 包联 and visits under `/api/v1`: a problem a visit raised becomes a request.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use crate::requests::service::{RequestDetail, RequestInput};
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new().route("/records/{id}/requests", post(raise))
}

#[derive(Deserialize)]
struct RaiseBody {
    /// The line of the visit's 反映问题 (1-based).
    line: usize,
    #[serde(default)]
    category: String,
    /// `problem` (when left out) or `suggestion`.
    nature: Option<String>,
}

async fn raise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<RaiseBody>,
) -> Result<(StatusCode, Json<RequestDetail>), ApiError> {
    let input = RequestInput {
        category: body.category,
        nature: body.nature,
        ..Default::default()
    };
    let r = crate::requests::service::raise_from_visit(&st.db, &p, id, body.line, input, st.now())
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}
