//! 系统 pages: accounts (系统管理员), roles and data scope (安全管理员).

use axum::Router;

use crate::web::AppState;

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new()
}
