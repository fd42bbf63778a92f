//! 规则检查 pages: findings, the branches × months grid, rectification.

use axum::Router;

use crate::web::AppState;

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new()
}
