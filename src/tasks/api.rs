//! The JSON API of plans and tasks under `/api/v1`.

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
