//! 年度计划与任务 pages: the plan as a tree, a unit's tasks, overdue and supervised lists.

use axum::Router;

use crate::web::AppState;

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new()
}
