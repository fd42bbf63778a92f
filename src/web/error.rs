//! The one error type of the web face: a precise Chinese message for a 4xx, an opaque page for a
//! 500 whose cause is logged once.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::db::DbError;
use crate::error::AppError;

pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, code) = match &e {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            AppError::Locked(_) => (StatusCode::UNAUTHORIZED, "login_refused"),
            AppError::Db(DbError::Busy) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            AppError::Db(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "request failed");
            let body = json!({"error": {"code": code, "message": "服务器内部错误，请稍后重试或联系管理员"}});
            return (status, Json(body)).into_response();
        }
        let mut body = json!({"error": {"code": code, "message": e.to_string()}});
        match &e {
            AppError::Invalid(fields) => body["error"]["fields"] = json!(fields),
            AppError::Conflict { current } => body["error"]["current_version"] = json!(current),
            _ => {}
        }
        (status, Json(body)).into_response()
    }
}
