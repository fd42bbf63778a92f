//! The HTML face's plumbing: the embedded template environment, the signed-in-user extractor that
//! sends strangers to the login page, CSRF tokens, and the Chinese error pages.
//!
//! Templates are embedded in the binary, auto-escaped (`.html`), strict about undefined values,
//! and see view structs only.

use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::auth::{service, Principal};
use crate::error::AppError;

/// The web's own templates: the layout, the login page, the error page, the typed form.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("form.html", include_str!("templates/form.html")),
];

/// The areas' page templates, as the composition root installs them before the first render.
static INSTALLED: OnceLock<Vec<&'static [(&'static str, &'static str)]>> = OnceLock::new();

/// Installs every area's page templates (names are unique across areas). Only the first call
/// counts: the set is the binary's, the same for every server a process builds.
pub fn install_templates(sets: &[&'static [(&'static str, &'static str)]]) {
    let _ = INSTALLED.set(sets.to_vec());
}

/// Every page template: the web's own and the installed ones, by name.
pub fn templates() -> impl Iterator<Item = (&'static str, &'static str)> {
    std::iter::once(TEMPLATES)
        .chain(INSTALLED.get().into_iter().flatten().copied())
        .flatten()
        .copied()
}

/// Compiles every installed template now, once for the process, so that the first page a
/// user asks for does not wait for it (the router calls this after installing them).
pub fn compile_templates() {
    env();
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in templates() {
            // The templates are ours and compiled in; a test renders every one of them.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "built-in template does not parse");
            }
        }
        env
    })
}

/// The names of every page template of the binary, leaving out the partials (a layout another
/// template extends, a piece it includes): those render as part of the pages that use them.
pub fn template_names() -> Vec<&'static str> {
    let used_by_others = |name: &str| {
        templates().any(|(_, source)| {
            source.contains(&format!("extends \"{name}\""))
                || source.contains(&format!("include \"{name}\""))
        })
    };
    templates()
        .map(|(name, _)| name)
        .filter(|name| !used_by_others(name))
        .collect()
}

/// The page templates rendered so far by this process, successfully: the product walk's test
/// holds every one of [`template_names`] to having been rendered with real data.
pub fn rendered_templates() -> std::collections::BTreeSet<String> {
    rendered().lock().map(|s| s.clone()).unwrap_or_default()
}

fn rendered() -> &'static std::sync::Mutex<std::collections::BTreeSet<String>> {
    static RENDERED: OnceLock<std::sync::Mutex<std::collections::BTreeSet<String>>> =
        OnceLock::new();
    RENDERED.get_or_init(Default::default)
}

/// Renders a page that shows a form again: at 422 when the form was `refused` (fields to fix,
/// what was typed kept), else as [`render`] does.
pub fn render_form<S: Serialize>(name: &str, ctx: S, refused: bool) -> Response {
    let mut res = render(name, ctx);
    if refused && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// Renders a page, or the opaque 500 page when a built-in template fails (logged once).
pub fn render<S: Serialize>(name: &str, ctx: S) -> Response {
    match env().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => {
            if let Ok(mut seen) = rendered().lock() {
                if !seen.contains(name) {
                    seen.insert(name.to_string());
                }
            }
            Html(html).into_response()
        }
        Err(e) => {
            tracing::error!(template = name, error = %e, "page render failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK_500)).into_response()
        }
    }
}

const FALLBACK_500: &str = "<!doctype html><meta charset=utf-8><title>出错了</title><p>服务器内部错误，请稍后重试或联系管理员。</p>";

/// The signed-in user of a page, with the CSRF token their forms carry.
pub struct Page {
    pub who: Principal,
    pub csrf: String,
    /// The working year the user last chose on a page (the `tz_year` cookie).
    pub chosen_year: Option<i32>,
}

/// The cookie that keeps the working year while the user moves between pages.
pub const YEAR_COOKIE: &str = "tz_year";

/// What a page's layout needs: the user's name and role, the menu, the CSRF token.
#[derive(Serialize)]
pub struct Chrome {
    pub user: String,
    pub role: &'static str,
    pub csrf: String,
    pub menu: Vec<MenuItem>,
    pub active: String,
}

#[derive(Serialize)]
pub struct MenuItem {
    pub href: String,
    pub label: String,
    pub group: &'static str,
    /// A count shown beside the entry (the unread notices), also linked from the top bar.
    pub badge: Option<i64>,
}

/// The page of the password change an account is sent to when its change is due.
pub const CHANGE_PASSWORD: &str = "/account/password";

/// The page of the second factor (两步验证), where a 三员 account without one is sent to enrol.
pub const TWO_STEP: &str = "/account/totp";

/// The sign-in's second step: the code of a session opened by a right password.
pub const SECOND_STEP: &str = "/login/code";

impl Page {
    /// The layout's parts for this user: the menu (工作台 and what the composition root
    /// declares for their role; a database error is an error, never a shorter menu).
    pub async fn chrome(&self, st: &AppState, active: &str) -> Result<Chrome, AppError> {
        let mut menu = vec![MenuItem {
            href: "/".into(),
            label: "工作台".into(),
            group: "",
            badge: None,
        }];
        menu.extend((st.menu)(st, &self.who).await?);
        Ok(Chrome {
            user: self.who.display_name.clone(),
            role: self.who.role.label(),
            csrf: self.csrf.clone(),
            menu,
            active: active.to_string(),
        })
    }

    /// True when a form carries this session's CSRF token.
    pub fn csrf_ok(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| super::form::constant_eq(t.as_bytes(), self.csrf.as_bytes()))
    }
}

/// The CSRF token of a session: derived from its secret, so it needs no storage and dies with it.
pub fn csrf_token(session_token: &str) -> String {
    hex::encode(Sha256::digest(format!("csrf:{session_token}").as_bytes()))
}

/// The session token the browser sent, under the name the transport gives it: behind HTTPS
/// only the `__Host-` cookie counts.
pub fn session_cookie(headers: &HeaderMap, transport: super::Transport) -> Option<&str> {
    cookie(headers, transport.session_cookie())
}

/// True when the browser says the request came from another site.
pub fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The years a year switch offers, newest first: the `count` years up to `this_year`, and the
/// `chosen` one wherever it lies.
pub fn years_offered(this_year: i32, count: i32, chosen: i32) -> Vec<i32> {
    let mut years: Vec<i32> = (0..count).map(|i| this_year - i).collect();
    if !years.contains(&chosen) {
        years.push(chosen);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    years
}

/// A year as a link or the cookie writes it, when it is one a page may show.
pub fn parse_year(text: &str) -> Option<i32> {
    crate::calendar::Year::parse(text)
        .ok()
        .map(crate::calendar::Year::get)
}

/// Remembers the year a page was asked for (`?year=2024`) in the [`YEAR_COOKIE`], so that the
/// next page opens on it too.
pub async fn remember_year(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asked = req.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "year")
            .and_then(|(_, v)| parse_year(v))
    });
    let transport = req
        .extensions()
        .get::<super::Transport>()
        .copied()
        .unwrap_or_default();
    let mut res = next.run(req).await;
    if let Some(y) = asked.filter(|_| res.status().is_success()) {
        let value = transport.cookie(YEAR_COOKIE, &y.to_string(), "/", None);
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
        };
        let transport = parts
            .extensions
            .get::<super::Transport>()
            .copied()
            .unwrap_or_default();
        let Some(token) = session_cookie(&parts.headers, transport) else {
            return Err(to_login());
        };
        match service::authenticate(&st.db, &st.config, token, st.now()).await {
            Ok(Some(who)) => {
                tracing::Span::current().record("user_id", who.user_id);
                let path = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(parts.uri.path(), |u| u.0.path());
                if who.second_factor_due && path != SECOND_STEP && path != "/logout" {
                    return Err(Redirect::to(SECOND_STEP).into_response());
                }
                if who.totp_enrolment_due && !path.starts_with(TWO_STEP) && path != "/logout" {
                    return Err(Redirect::to(TWO_STEP).into_response());
                }
                if who.password_change_due && path != CHANGE_PASSWORD && path != "/logout" {
                    return Err(Redirect::to(CHANGE_PASSWORD).into_response());
                }
                Ok(Page {
                    csrf: csrf_token(token),
                    who,
                    chosen_year: cookie(&parts.headers, YEAR_COOKIE).and_then(parse_year),
                })
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(app_error_page(e)),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `Content-Disposition` for a file with a Chinese name: RFC 5987 `filename*` carries the name,
/// the plain `filename` is an ASCII fallback. `inline` for a preview in the browser.
pub fn attachment_disposition(file_name: &str, inline: bool) -> String {
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let how = if inline { "inline" } else { "attachment" };
    let ascii = if file_name.is_ascii() && !file_name.contains(['"', '\\']) {
        file_name
    } else {
        "download"
    };
    format!("{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A multipart form as the pages send it: its text fields and its one `file` (name, bytes).
pub struct Upload {
    fields: std::collections::HashMap<String, String>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    /// A text field, trimmed; empty when the form did not carry it.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }

    /// Reads the whole form (the router's body limit bounds it) and checks its CSRF token. A form
    /// cut off or over the limit is a 413 page naming the limit; a forged one a 403; a form
    /// without a chosen file a 400 — each a page the handler answers with.
    pub async fn read(
        page: &Page,
        mut form: axum::extract::Multipart,
        limit_bytes: usize,
    ) -> Result<Upload, super::PageError> {
        let too_large = || {
            let limit = limit_bytes / 1024 / 1024;
            super::PageError::answer(error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("上传失败：文件超过大小上限 {limit} MB，或上传被中断"),
            ))
        };
        let mut upload = Upload {
            fields: std::collections::HashMap::new(),
            file: None,
        };
        loop {
            let field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(too_large()),
            };
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| too_large())?;
                if !(file_name.is_empty() && bytes.is_empty()) {
                    upload.file = Some((file_name, bytes.to_vec()));
                }
            } else {
                let text = field.text().await.map_err(|_| too_large())?;
                upload.fields.insert(name, text);
            }
        }
        if !page.csrf_ok(Some(upload.field("_csrf"))) {
            return Err(super::PageError::answer(csrf_refused()));
        }
        Ok(upload)
    }

    /// The chosen file, or the 400 page asking for one.
    pub fn file(&mut self) -> Result<(String, Vec<u8>), super::PageError> {
        self.file.take().ok_or_else(|| {
            super::PageError::answer(error_page(StatusCode::BAD_REQUEST, "请选择要上传的文件"))
        })
    }
}

#[derive(Serialize)]
struct ErrorView<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// The answer to a form without this session's CSRF token.
pub fn csrf_refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "表单已过期或来源不明，请返回刷新后重试",
    )
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => "没有权限",
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::CONFLICT => "保存冲突",
        s if s.is_client_error() => "请求有误",
        _ => "出错了",
    };
    titled_error_page(status, title, message)
}

/// An error page with its own title, for a refusal the status alone does not name.
pub fn titled_error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let mut res = render(
        "error.html",
        ErrorView {
            status: status.as_u16(),
            title,
            message,
        },
    );
    *res.status_mut() = status;
    res
}

/// A service error as a page: 4xx with the precise message and the status of the one table
/// ([`super::error::status_of`]), 500 opaque and logged.
pub fn app_error_page(e: AppError) -> Response {
    let (status, _) = super::error::status_of(&e);
    match e {
        AppError::Unauthorized => Redirect::to("/login").into_response(),
        AppError::PasswordChangeDue => Redirect::to(CHANGE_PASSWORD).into_response(),
        AppError::SecondFactorEnrolmentDue => Redirect::to(TWO_STEP).into_response(),
        AppError::NotFound(what) => error_page(status, &format!("{what}不存在或已被删除")),
        AppError::Db(crate::db::DbError::Busy) => error_page(status, "数据库正忙，请稍后重试"),
        AppError::Db(e) => {
            tracing::error!(error = %e, "page failed");
            error_page(status, "服务器内部错误，请稍后重试或联系管理员")
        }
        AppError::Forbidden(m) => error_page(status, m),
        other => error_page(status, &other.to_string()),
    }
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("static/app.css"),
    )
}

/// The site's icon, drawn by us: a ledger page on the red of the Party's documents. Served as
/// SVG at the address browsers ask for by themselves.
pub async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "max-age=86400"),
        ],
        include_str!("static/favicon.svg"),
    )
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("static/app.js"),
    )
}

pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "您要找的页面不存在")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        assert_ne!(csrf_token("1.a"), csrf_token("1.b"));
    }
}
