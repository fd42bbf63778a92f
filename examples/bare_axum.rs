//! The baseline of `bench/api.sh`: a bare axum handler returning fixed JSON, served the same way
//! as taizhang (same runtime, same loopback), so the benchmark can give the ratio between the
//! real listing and the cost of HTTP alone.

use axum::routing::get;
use axum::{Json, Router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18081".to_string());
    let body = serde_json::json!({"items": [], "total": 0, "limit": 50, "offset": 0});
    let app = Router::new().route("/", get(move || async move { Json(body.clone()) }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
