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
    opt(&text(v, key))
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
    yes(&text(v, key))
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

/// Runs the service on a form's parsed input, or refuses with the parse's mistakes without
/// calling it (so that a field the form could not read is not also refused by the service).
pub async fn parsed<I, T, F, Fut>(input: Result<I, Vec<FieldError>>, call: F) -> Result<T, AppError>
where
    F: FnOnce(I) -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    match input {
        Ok(input) => call(input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    }
}

/// The mistakes a form's parse finds, each at its field, collected so that the form shows them
/// all at once; [`Mistakes::or`] hands back the parsed value when there were none.
#[derive(Debug, Default)]
pub struct Mistakes(Vec<FieldError>);

impl Mistakes {
    pub fn new() -> Mistakes {
        Mistakes::default()
    }

    /// Records a mistake at the field `key`.
    pub fn at(&mut self, key: &str, label: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(key, label, message));
    }

    /// An optional field read by `parse` (trimmed; empty is `None`); its refusal, recorded at
    /// the field, is `None` as well.
    pub fn read<T, E: std::fmt::Display>(
        &mut self,
        key: &str,
        label: &str,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.at(key, label, e.to_string());
                None
            }
        }
    }

    /// An optional choice of a select listing ids.
    pub fn id(&mut self, key: &str, label: &str, text: &str) -> Option<i64> {
        self.read(key, label, text, |t| {
            t.parse().map_err(|_| "请从列表中选择")
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The mistakes found, when the value cannot be made at all.
    pub fn refused<T>(self) -> Result<T, Vec<FieldError>> {
        Err(self.0)
    }

    /// `value` if nothing was wrong, else the mistakes.
    pub fn or<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// A typed form's fields as typed (each field serialised as its text), to show the form again.
pub fn values_of<T: Serialize>(form: &T) -> Values {
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(form) else {
        return Values::new();
    };
    map.into_iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, text)
        })
        .collect()
}

/// An optional text as typed: trimmed, and `None` when empty.
pub fn opt(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|s| !s.is_empty())
}

/// A "是/否" field: checked when it says so.
pub fn yes(text: &str) -> bool {
    matches!(text.trim(), "1" | "on" | "是" | "true")
}

/// A form shown again after a refusal, answered with `status` (422, 409, 400), unless the page
/// itself failed with a 5xx, which it keeps.
fn answered(mut res: Response, status: StatusCode) -> Response {
    if !res.status().is_server_error() {
        *res.status_mut() = status;
    }
    res
}

/// What a form handler answers once its service has run: the page `to` names for what was
/// saved; the form again, as rendered by `again` with the user's mistakes, answered 422 (the one
/// status for "fix the fields", whatever `again` set, unless the page itself failed with a 5xx);
/// and any other refusal as the error page.
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
        Err(AppError::Invalid(errors)) => Ok(answered(
            again(errors).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

/// [`saved_or_again`] for a form whose success is a page of its own rather than a redirect:
/// `done` shows what was done; `again` the form with the user's mistakes, answered 422 (a page
/// that failed with a 5xx keeps its status); any other refusal is the error page.
pub async fn done_or_again<T, Done, DoneFut, Again, AgainFut>(
    result: Result<T, AppError>,
    done: Done,
    again: Again,
) -> PageResult
where
    Done: FnOnce(T) -> DoneFut,
    DoneFut: std::future::Future<Output = PageResult>,
    Again: FnOnce(Vec<FieldError>) -> AgainFut,
    AgainFut: std::future::Future<Output = PageResult>,
{
    match result {
        Ok(v) => done(v).await,
        Err(AppError::Invalid(errors)) => Ok(answered(
            again(errors).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A refusal as one line, for a form that shows its message above the fields: each field's
/// mistake ("标签：说明") joined by "；", or the error's own message.
pub fn one_line(e: &AppError) -> String {
    match e {
        AppError::Invalid(errors) => joined(errors),
        other => other.to_string(),
    }
}

/// Field mistakes as one line ("标签：说明；标签：说明").
pub fn joined(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("；")
}

/// [`saved_or_again`] for a form whose page also shows a bad request (a choice no longer
/// offered, an action already taken): `again` gets the refusal, and the page is answered with
/// its status (422 for fields to fix, 400 for a bad request).
pub async fn saved_or_shown<T, Again, Fut>(
    result: Result<T, AppError>,
    to: impl FnOnce(&T) -> String,
    again: Again,
) -> PageResult
where
    Again: FnOnce(AppError) -> Fut,
    Fut: std::future::Future<Output = PageResult>,
{
    match result {
        Ok(saved) => Ok(Redirect::to(&to(&saved)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::BadRequest(_))) => {
            let (status, _) = super::status_of(&e);
            Ok(answered(again(e).await?, status))
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
    Ok(answered(again(refusal).await?, status))
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
    fn a_parse_collects_every_mistake_or_gives_the_value() {
        let mut m = Mistakes::new();
        assert_eq!(m.id("unit_id", "单位", " 7 "), Some(7));
        assert_eq!(m.id("unit_id", "单位", "  "), None);
        assert!(m.is_empty());
        assert_eq!(m.id("unit_id", "单位", "七"), None);
        let date = m.read("on", "日期", "昨天", |t| t.parse::<chrono::NaiveDate>());
        assert_eq!(date, None);
        let errors = m.or(()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["unit_id", "on"]);
        assert_eq!(errors[0].message, "请从列表中选择");
        assert_eq!(Mistakes::new().or(3), Ok(3));
    }

    #[test]
    fn a_typed_form_is_shown_again_as_typed() {
        #[derive(Serialize)]
        struct Typed {
            name: String,
            note: Option<String>,
        }
        let typed = Typed {
            name: "第一支部".into(),
            note: None,
        };
        let values = values_of(&typed);
        assert_eq!(values["name"], "第一支部");
        assert_eq!(values["note"], "");
        assert_eq!(values.len(), 2);
    }

    #[tokio::test]
    async fn a_form_the_parse_refused_never_reaches_the_service() {
        let refused: Result<i64, _> = Err(vec![FieldError::new("year", "年度", "不是整数")]);
        let result = parsed(refused, |_| async { Ok::<_, AppError>(1) }).await;
        assert!(matches!(result, Err(AppError::Invalid(e)) if e[0].field == "year"));
        let result = parsed(Ok(2), |v| async move { Ok::<_, AppError>(v * 2) }).await;
        assert_eq!(result.unwrap(), 4);
    }

    async fn shown() -> PageResult {
        Ok(StatusCode::OK.into_response())
    }

    #[tokio::test]
    async fn each_refusal_is_answered_with_its_own_status() {
        let invalid = || Err::<(), _>(AppError::invalid("name", "名称", "不能为空"));
        let to = |_: &()| "/saved".to_string();
        let res = saved_or_again(invalid(), to, |_| shown()).await;
        assert_eq!(res.ok().unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = saved_or_shown(invalid(), to, |_| shown()).await;
        assert_eq!(res.ok().unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = Err::<(), _>(AppError::BadRequest("已转为诉求".into()));
        let res = saved_or_shown(bad, to, |e| {
            assert_eq!(one_line(&e), "已转为诉求");
            shown()
        });
        assert_eq!(res.await.ok().unwrap().status(), StatusCode::BAD_REQUEST);
        let conflict = Err::<(), _>(AppError::Conflict { current: 4 });
        let res = saved_or_refused(conflict, to, |r| {
            assert_eq!(r.conflict, Some(4));
            shown()
        });
        assert_eq!(res.await.ok().unwrap().status(), StatusCode::CONFLICT);
        let done = done_or_again(invalid(), |()| shown(), |_| shown()).await;
        assert_eq!(
            done.ok().unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let missing = Err::<(), _>(AppError::NotFound("单位"));
        assert!(saved_or_shown(missing, to, |_| shown()).await.is_err());
        let saved = saved_or_again(Ok(()), to, |_| shown()).await.ok().unwrap();
        assert_eq!(saved.headers()["location"], "/saved");
    }

    #[tokio::test]
    async fn a_form_page_that_failed_keeps_its_500() {
        let failed = || async { Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response()) };
        let invalid = Err::<(), _>(AppError::invalid("name", "名称", "不能为空"));
        let res = saved_or_again(invalid, |_| String::new(), |_| failed()).await;
        assert_eq!(
            res.ok().unwrap().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_eq(b"abc", b"abc"));
        assert!(!constant_eq(b"abc", b"abd"));
        assert!(!constant_eq(b"abc", b"ab"));
    }
}
