//! 范文转模板 page: paste or upload a model essay, see its placeholders highlighted and bound.

use axum::Router;

use crate::web::AppState;

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new()
}
