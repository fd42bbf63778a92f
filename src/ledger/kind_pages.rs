//! 台账目录 pages: a park's ledger kinds and their fields, edited without code.

use axum::Router;

use crate::web::AppState;

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new()
}
