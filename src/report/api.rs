//! `/api/v1` routes of the report: the park's metric catalogue and its metric file.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::park_metrics::{self, MetricsFile};
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new().route("/report/metrics", get(show_metrics).put(put_metrics))
}

/// The body of `PUT /report/metrics`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsInput {
    /// The park's metric file (TOML); blank goes back to the defaults.
    text: String,
}

async fn show_metrics(
    State(st): State<AppState>,
    Auth(p): Auth,
) -> Result<Json<MetricsFile>, ApiError> {
    Ok(Json(park_metrics::metrics_file(&st.db, &p).await?))
}

async fn put_metrics(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(input): Json<MetricsInput>,
) -> Result<Json<MetricsFile>, ApiError> {
    park_metrics::save_metrics(&st.db, &p, &input.text, st.now())
        .await
        .map(Json)
        .map_err(|e| park_metrics::refused(e).into())
}
