//! The errors of the web face: one status table for both faces, [`ApiError`] for the API (a
//! precise Chinese message in JSON for a 4xx, an opaque answer for a 500 whose cause is logged
//! once) and [`PageError`] for the pages (the same, as a Chinese error page).

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

/// The status of a service error, and the code the API names it by: the one table both faces use.
pub fn status_of(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::ForbiddenField(_) => (StatusCode::FORBIDDEN, "forbidden_field"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        AppError::Locked(_) => (StatusCode::UNAUTHORIZED, "login_refused"),
        AppError::PasswordChangeDue => (StatusCode::FORBIDDEN, "password_change_required"),
        AppError::SecondFactorRequired => (StatusCode::UNAUTHORIZED, "second_factor_required"),
        AppError::SecondFactorEnrolmentDue => {
            (StatusCode::FORBIDDEN, "second_factor_enrolment_required")
        }
        AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        AppError::Db(DbError::Busy) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        AppError::Db(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (status, code) = status_of(&e);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "request failed");
            let body = json!({"error": {"code": code, "message": "服务器内部错误，请稍后重试或联系管理员"}});
            return (status, Json(body)).into_response();
        }
        let mut body = json!({"error": {"code": code, "message": e.to_string()}});
        match &e {
            AppError::Invalid(fields) => body["error"]["fields"] = json!(fields),
            AppError::ForbiddenField(field) => body["error"]["fields"] = json!([field]),
            AppError::Conflict { current } => body["error"]["current_version"] = json!(current),
            _ => {}
        }
        (status, Json(body)).into_response()
    }
}

/// What a page handler returns: `Result<Response, PageError>`, so that it can use `?`. A service
/// error becomes the error page of its status (see [`status_of`]); a page the handler already
/// made (a refused upload, say) is answered as it is.
pub enum PageError {
    App(AppError),
    Answer(Box<Response>),
}

pub type PageResult = Result<Response, PageError>;

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError::App(e.into())
    }
}

impl PageError {
    /// A page made by the handler, answered as it is.
    pub fn answer(res: Response) -> PageError {
        PageError::Answer(Box::new(res))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::App(e) => super::ui::app_error_page(e),
            PageError::Answer(res) => *res,
        }
    }
}

/// The name and bytes of the `multipart/form-data` part named `file`, as the upload APIs take
/// it: a body over the limit is a 413 naming the limit, a broken one a 422 at `file`.
pub(crate) async fn file_part(
    mut form: axum::extract::Multipart,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), AppError> {
    let bad = |m: &str| AppError::invalid("file", "文件", m.to_string());
    let failed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!("文件超过大小上限 {} MB", max_bytes / 1024 / 1024))
        } else {
            bad("上传内容格式有误或上传中断，请重新上传")
        }
    };
    while let Some(field) = form.next_field().await.map_err(failed)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("附件").to_string();
        let bytes = field.bytes().await.map_err(failed)?;
        return Ok((name, bytes.to_vec()));
    }
    Err(bad("请选择要上传的文件（表单字段名 file）"))
}
