//! The page-handler kit for forms: [`CsrfForm`] refuses a form without this session's CSRF
//! token before the handler runs, and [`FormErrors`] carries what a refused form shows beside its
//! fields and above them.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ui::{csrf_refused, csrf_token, error_page, session_cookie};
use super::{AppState, Transport};
use crate::error::{AppError, FieldError};

/// A urlencoded form whose `_csrf` field is this session's token, deserialised into `T` (which
/// may ignore `_csrf`). A forged or expired form is the 403 page; a body that is no form the
/// 400 page; either way the handler never runs.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Response> {
        let transport = req
            .extensions()
            .get::<Transport>()
            .copied()
            .unwrap_or_default();
        let expected = session_cookie(req.headers(), transport).map(csrf_token);
        let unreadable = || {
            error_page(
                StatusCode::BAD_REQUEST,
                "提交的表单内容有误，请返回刷新后重试",
            )
        };
        let bytes = axum::body::Bytes::from_request(req, st)
            .await
            .map_err(|_| unreadable())?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        let sent = pairs.iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v);
        let matches = match (sent, expected) {
            (Some(sent), Some(expected)) => constant_eq(sent.as_bytes(), expected.as_bytes()),
            _ => false,
        };
        if !matches {
            return Err(csrf_refused());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| unreadable())
    }
}

/// Compares in time independent of where the first difference lies.
pub(super) fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A form's fields by name (the last value wins), without the CSRF token: what a refused form
/// shows again as typed.
pub fn form_map(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = pairs.into_iter().collect();
    map.remove("_csrf");
    map
}

/// What a refused form shows: a message beside each field it names, and the rest above the form.
#[derive(Debug, Default, Serialize)]
pub struct FormErrors {
    pub fields: HashMap<String, String>,
    pub other: Vec<String>,
}

impl FormErrors {
    /// The messages by field key, two for one field joined by "；".
    pub fn by_field(errors: &[FieldError]) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = HashMap::new();
        for e in errors {
            out.entry(e.field.clone())
                .and_modify(|m| {
                    m.push('；');
                    m.push_str(&e.message);
                })
                .or_insert_with(|| e.message.clone());
        }
        out
    }

    /// The errors of a service's refusal, shown on the form when they are the user's to fix
    /// (invalid fields, a conflict, a bad request); any other error is handed back to be shown
    /// as an error page.
    pub fn from_error(e: AppError) -> Result<FormErrors, AppError> {
        match e {
            AppError::Invalid(fields) => Ok(FormErrors {
                fields: FormErrors::by_field(&fields),
                other: Vec::new(),
            }),
            e @ (AppError::Conflict { .. } | AppError::BadRequest(_)) => Ok(FormErrors {
                fields: HashMap::new(),
                other: vec![e.to_string()],
            }),
            e => Err(e),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.other.is_empty()
    }

    /// The status of the page that shows the form again: 422 for fields to fix, 409 for the rest.
    pub fn status(&self) -> StatusCode {
        if self.fields.is_empty() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_messages_for_one_field_are_joined() {
        let errors = vec![
            FieldError::new("name", "名称", "不能为空"),
            FieldError::new("name", "名称", "过长"),
            FieldError::new("date", "日期", "格式有误"),
        ];
        let by = FormErrors::by_field(&errors);
        assert_eq!(
            by["name"],
            format!("{}；{}", errors[0].message, errors[1].message)
        );
        assert_eq!(by["date"], errors[2].message);
    }

    #[test]
    fn only_the_users_errors_stay_on_the_form() {
        let invalid = AppError::Invalid(vec![FieldError::new("name", "名称", "不能为空")]);
        let shown = FormErrors::from_error(invalid).unwrap();
        assert_eq!(shown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let conflict = FormErrors::from_error(AppError::Conflict { current: 3 }).unwrap();
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        assert_eq!(conflict.other.len(), 1);
        assert!(FormErrors::from_error(AppError::NotFound("单位")).is_err());
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_eq(b"abc", b"abc"));
        assert!(!constant_eq(b"abc", b"abd"));
        assert!(!constant_eq(b"abc", b"ab"));
    }
}
