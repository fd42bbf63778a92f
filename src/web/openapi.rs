//! The OpenAPI document of `/api/v1`, kept as data beside the code and served as is. A test sends
//! every documented operation to the router and checks that it exists and asks for a token.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
