//! The page-handler kit for forms: [`CsrfForm`] refuses a form without this session's CSRF
//! token before the handler runs; [`saved_or_again`] (and [`saved_or_refused`] for a form that
//! can lose to someone else's save) turns a service's answer into the redirect to what was
//! saved, or the form again with the user's mistakes at 422 (409 for a conflict), so no handler
//! sets those statuses itself; [`FormErrors`] carries what a refused form shows beside its fields
//! and above them; and [`form_page`] shows a form of typed [`FormField`]s (`form.html`) with what
//! was typed kept and each message at its field.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ui::{csrf_refused, csrf_token, error_page, render, session_cookie, Chrome, Page};
use super::{AppState, PageResult, Transport};
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

// ---- a form of typed fields: shown with what was typed and each field's error ----

/// One input of a form of typed fields, with what was typed and its error.
#[derive(Serialize)]
pub struct FormField {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub value: String,
    pub error: Option<String>,
    pub hint: Option<&'static str>,
    pub list: Option<&'static str>,
}

#[derive(Serialize)]
pub struct FormView {
    chrome: Chrome,
    title: String,
    action: String,
    back: String,
    message: Option<String>,
    fields: Vec<FormField>,
    lists: Vec<Datalist>,
}

/// The choices a text field suggests (`FormField::list` names it by `id`).
#[derive(Serialize)]
pub struct Datalist {
    pub id: &'static str,
    pub options: Vec<String>,
}

pub type Values = HashMap<String, String>;

pub fn field(key: &'static str, label: &'static str, kind: &'static str) -> FormField {
    FormField {
        key,
        label,
        kind,
        required: false,
        options: Vec::new(),
        value: String::new(),
        error: None,
        hint: None,
        list: None,
    }
}

impl FormField {
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn options<I: IntoIterator<Item = (String, String)>>(mut self, o: I) -> Self {
        self.options = o.into_iter().collect();
        self
    }
    pub fn words(self, words: &[&str]) -> Self {
        self.options(words.iter().map(|w| (w.to_string(), w.to_string())))
    }
    pub fn hint(mut self, h: &'static str) -> Self {
        self.hint = Some(h);
        self
    }
    pub fn list(mut self, l: &'static str) -> Self {
        self.list = Some(l);
        self
    }
}

/// Fills each field with what was typed (or stored) and its error.
pub fn filled(fields: Vec<FormField>, values: &Values, errors: &[FieldError]) -> Vec<FormField> {
    fields
        .into_iter()
        .map(|mut f| {
            f.value = values.get(f.key).cloned().unwrap_or_default();
            let msgs: Vec<&str> = errors
                .iter()
                .filter(|e| e.field == f.key)
                .map(|e| e.message.as_str())
                .collect();
            if !msgs.is_empty() {
                f.error = Some(msgs.join("；"));
            }
            f
        })
        .collect()
}

/// Errors not tied to a field of the form, as one message.
pub fn loose_errors(fields: &[FormField], errors: &[FieldError]) -> Option<String> {
    let loose: Vec<String> = errors
        .iter()
        .filter(|e| !fields.iter().any(|f| f.key == e.field))
        .map(ToString::to_string)
        .collect();
    match (errors.is_empty(), loose.is_empty()) {
        (true, _) => None,
        (false, true) => Some("请按提示修改后再保存".into()),
        (false, false) => Some(loose.join("；")),
    }
}

pub struct FormPage<'a> {
    /// The menu entry the page belongs to.
    pub active: &'a str,
    pub title: String,
    pub action: String,
    pub back: String,
    pub fields: Vec<FormField>,
    pub values: &'a Values,
    pub errors: &'a [FieldError],
    pub lists: Vec<Datalist>,
}

pub async fn form_page(st: &AppState, page: &Page, f: FormPage<'_>) -> PageResult {
    let fields = filled(f.fields, f.values, f.errors);
    let message = loose_errors(&fields, f.errors);
    Ok(render(
        "form.html",
        FormView {
            chrome: page.chrome(st, f.active).await?,
            title: f.title,
            action: f.action,
            back: f.back,
            message,
            fields,
            lists: f.lists,
        },
    ))
}

pub fn text(v: &Values, key: &str) -> String {
    v.get(key).cloned().unwrap_or_default()
}

pub fn opt_text(v: &Values, key: &str) -> Option<String> {
    Some(text(v, key).trim().to_string()).filter(|s| !s.is_empty())
}

pub fn opt_id(v: &Values, key: &str, label: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let s = opt_text(v, key)?;
    match s.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(key, label, "请从列表中选择"));
            None
        }
    }
}

pub fn flag(v: &Values, key: &str) -> bool {
    matches!(text(v, key).trim(), "1" | "on" | "是" | "true")
}

/// Runs a service once the form's own parsing found nothing wrong; its errors join the form's.
pub async fn after_parse<T, F>(errors: Vec<FieldError>, call: F) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    if errors.is_empty() {
        call.await
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// What a form handler answers once its service has run: the page `to` names for what was
/// saved; the form again, as rendered by `again` with the user's mistakes, answered 422 (the one
/// status for "fix the fields", whatever `again` set); and any other refusal as the error page.
pub async fn saved_or_again<T, Again, Fut>(
    result: Result<T, AppError>,
    to: impl FnOnce(&T) -> String,
    again: Again,
) -> PageResult
where
    Again: FnOnce(Vec<FieldError>) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    match result {
        Ok(saved) => Ok(Redirect::to(&to(&saved)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut res = again(errors).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// Why a save was refused in a way the user can mend on the form: fields to fix, or someone
/// else's save since the form was read (the version now stored).
pub struct Refusal {
    pub errors: Vec<FieldError>,
    pub conflict: Option<i64>,
}

/// [`saved_or_again`] for a form that also meets a conflicting save: `again` gets the
/// [`Refusal`], and the form is answered 409 for a conflict and 422 for fields to fix.
pub async fn saved_or_refused<T, Again, Fut>(
    result: Result<T, AppError>,
    to: impl FnOnce(&T) -> String,
    again: Again,
) -> PageResult
where
    Again: FnOnce(Refusal) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    let refusal = match result {
        Ok(saved) => return Ok(Redirect::to(&to(&saved)).into_response()),
        Err(AppError::Invalid(errors)) => Refusal {
            errors,
            conflict: None,
        },
        Err(AppError::Conflict { current }) => Refusal {
            errors: Vec::new(),
            conflict: Some(current),
        },
        Err(e) => return Err(e.into()),
    };
    let status = match refusal.conflict {
        Some(_) => StatusCode::CONFLICT,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut res = again(refusal).await?;
    *res.status_mut() = status;
    Ok(res)
}

pub fn id_options<I: IntoIterator<Item = (i64, String)>>(list: I) -> Vec<(String, String)> {
    list.into_iter().map(|(i, n)| (i.to_string(), n)).collect()
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
