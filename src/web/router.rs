//! The router's frame: around the areas' routes (which the composition root gathers), the health
//! check, the OpenAPI document, the static files, the fallbacks, and the layers every request
//! goes through (one tracing span, a body limit, security headers, panics turned into a 500).

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use super::AppState;

/// The application around the areas' API routes (under `/api/v1`) and pages.
pub fn assemble(state: AppState, api: Router<AppState>, pages: Router<AppState>) -> Router {
    let limit = state.config.max_upload_bytes + 64 * 1024;
    let api = api
        .route("/openapi.json", get(super::openapi::document))
        .fallback(api_not_found)
        .layer(axum::middleware::map_response(rejections_in_chinese));
    let pages = pages
        .route("/static/app.css", get(super::ui::stylesheet))
        .route("/static/app.js", get(super::ui::script))
        .route("/favicon.ico", get(super::ui::favicon))
        .fallback(super::ui::not_found)
        .layer(axum::middleware::from_fn(super::ui::remember_year))
        .layer(axum::middleware::from_fn(refuse_cross_site_writes))
        .layer(axum::middleware::map_response(page_rejections_in_chinese));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .merge(pages)
        .with_state(state.clone())
        // One limit for every body: the stated upload size plus room for the form's other fields.
        // Axum's own 2 MB default for extractors would otherwise refuse what the page promises.
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::from_fn(move |req, next| {
            too_large_in_chinese(req, next, limit)
        }))
        .layer(axum::middleware::from_fn_with_state(
            state,
            super::transport::detect,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        // Pages and API answers hold what the user may see (people, records, the audit log): no
        // browser or proxy keeps them. The stylesheet and script say otherwise for themselves.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The path only, never the query string: it may carry names.
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    path = %req.uri().path(),
                    user_id = tracing::field::Empty,
                )
            }),
        )
        .layer(CatchPanicLayer::custom(|_| {
            let body =
                serde_json::json!({"error": {"code": "internal", "message": "服务器内部错误"}});
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }))
}

/// The body limit answers in English plain text; the API says it in its JSON shape and a page
/// in a Chinese page, both naming the limit.
async fn too_large_in_chinese(
    req: axum::extract::Request,
    next: axum::middleware::Next,
    limit: usize,
) -> axum::response::Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let plain = !res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE || !plain {
        return res;
    }
    let message = format!("上传内容超过大小上限 {} MB", limit / 1024 / 1024);
    if api {
        let body = serde_json::json!({"error": {"code": "too_large", "message": message}});
        (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
    } else {
        super::ui::error_page(StatusCode::PAYLOAD_TOO_LARGE, &message)
    }
}

async fn api_not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Axum's own rejections (bad JSON, a path id that is not a number, an unknown route or method)
/// answer in English plain text; API clients get our JSON error shape in Chinese instead, with
/// the original detail kept for developers.
async fn rejections_in_chinese(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error()) || is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "接口不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "该接口不支持此请求方法"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "请求内容须为 JSON（Content-Type: application/json）",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "请求内容过大"),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", "请求内容的字段缺失或类型不对"),
        _ => ("bad_request", "请求格式有误"),
    };
    let detail = match axum::body::to_bytes(res.into_body(), 4096).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => String::new(),
    };
    let body = serde_json::json!({"error": {"code": code, "message": message, "detail": detail}});
    (status, Json(body)).into_response()
}

/// The same rejections met on a page (a year that is not a number in the address, an id that is
/// not one) answer as our Chinese error page rather than axum's English plain text.
async fn page_rejections_in_chinese(res: axum::response::Response) -> axum::response::Response {
    let status = res.status();
    let plain_text = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if !status.is_client_error() || !plain_text {
        return res;
    }
    let message = match status {
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::METHOD_NOT_ALLOWED => "该页面不支持此操作",
        StatusCode::PAYLOAD_TOO_LARGE => "提交的内容过大",
        _ => "地址或提交的内容有误（例如年份、编号应为数字），请返回后重试",
    };
    super::ui::error_page(status, message)
}

/// A state-changing page request from another site is refused outright (403), whatever cookies
/// it carries: the browser's `Sec-Fetch-Site`, or an `Origin` that is not this host, tells.
async fn refuse_cross_site_writes(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let headers = req.headers();
        let cross_site = super::ui::cross_site(headers);
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let foreign_origin = headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .filter(|o| *o != "null")
            .is_some_and(|o| {
                let origin_host = o.split_once("://").map_or(o, |(_, rest)| rest);
                host != Some(origin_host)
            });
        if cross_site || foreign_origin {
            return super::ui::error_page(
                StatusCode::FORBIDDEN,
                "来自其他网站的提交已被拒绝（CSRF 防护）",
            );
        }
    }
    next.run(req).await
}
