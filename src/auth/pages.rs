//! Sign-in and sign-out pages.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};

use super::service;
use crate::error::AppError;
use crate::web::ui::{self, render, Page, SECOND_STEP};
use crate::web::{AppState, CsrfForm, PageResult, Transport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route(SECOND_STEP, get(code_form).post(code_submit))
        .route("/logout", post(logout))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// Set after a password change, which signs the account out.
    changed: Option<String>,
}

#[derive(Serialize)]
struct LoginView {
    login: String,
    next: String,
    error: Option<String>,
    /// Offered only when the deployment holds more than one park.
    parks: Vec<crate::org::queries::Park>,
    park: Option<i64>,
    /// The park's name in the heading, when the deployment holds only one.
    park_name: Option<String>,
    /// The lock-out as configured, said before anyone gets it wrong.
    hint: String,
    notice: Option<&'static str>,
}

fn lockout_hint(cfg: &crate::config::Config) -> String {
    format!(
        "连续 {} 次密码错误，账号将被锁定 {} 分钟。",
        cfg.lockout_after,
        cfg.lockout_for.as_secs().div_ceil(60)
    )
}

/// The park chosen at the last sign-in on this browser, offered again.
const PARK_COOKIE: &str = "tz_park";

fn remembered_park(headers: &HeaderMap) -> Option<i64> {
    ui::cookie(headers, PARK_COOKIE).and_then(|v| v.parse().ok())
}

/// The parks to choose from on the sign-in page (none when there is only one), and the name of
/// the only park, which the heading then names.
async fn park_choices(
    st: &AppState,
) -> Result<(Vec<crate::org::queries::Park>, Option<String>), AppError> {
    let mut parks = crate::org::queries::parks(&st.db).await?;
    Ok(if parks.len() > 1 {
        (parks, None)
    } else {
        (Vec::new(), parks.pop().map(|p| p.name))
    })
}

/// Only same-site paths are followed after sign-in, never another host.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_string())
}

async fn form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let (parks, park_name) = match park_choices(&st).await {
        Ok(p) => p,
        Err(e) => return ui::app_error_page(e),
    };
    render(
        "login.html",
        LoginView {
            login: String::new(),
            next: safe_next(q.next),
            error: None,
            parks,
            park: remembered_park(&headers),
            park_name,
            hint: lockout_hint(&st.config),
            notice: q.changed.is_some().then_some("密码已修改，请用新密码登录"),
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
    park: Option<String>,
    /// The second factor's code sent with the password (a client that knows it is asked for);
    /// without it an account that has one is asked on the second step's page.
    code: Option<String>,
}

async fn submit(
    State(st): State<AppState>,
    transport: Transport,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if ui::cross_site(&headers) {
        return ui::error_page(StatusCode::FORBIDDEN, "来源不明的登录请求已被拒绝");
    }
    let next = safe_next(f.next);
    let park = f.park.as_deref().and_then(|p| p.trim().parse::<i64>().ok());
    let signed = service::sign_in(
        &st.db,
        &st.config,
        park,
        &f.login,
        &f.password,
        f.code.as_deref(),
        service::WithoutCode::SecondStep,
        st.now(),
    )
    .await;
    match signed {
        Ok(signed) => {
            // The second step keeps where the sign-in was going.
            let next = if signed.principal.second_factor_due {
                format!("{SECOND_STEP}?next={}", ui::urlencode(&next))
            } else {
                next
            };
            let cookie = transport.cookie(
                transport.session_cookie(),
                &signed.token,
                "/",
                Some(st.config.session_lifetime.as_secs()),
            );
            let remembered = transport.cookie(
                PARK_COOKIE,
                &signed.principal.park_id.to_string(),
                "/login",
                Some(365 * 24 * 3600),
            );
            // Appended, not inserted: the second cookie must not replace the session's.
            (
                AppendHeaders([
                    (header::SET_COOKIE, cookie),
                    (header::SET_COOKIE, remembered),
                ]),
                Redirect::to(&next),
            )
                .into_response()
        }
        Err(e @ (AppError::Locked(_) | AppError::BadRequest(_) | AppError::Invalid(_))) => {
            let message = match e {
                AppError::Invalid(fields) => fields
                    .into_iter()
                    .map(|f| f.message)
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            refused_login(&st, f.login, next, park, message).await
        }
        Err(e) => ui::app_error_page(e),
    }
}

/// The sign-in page again, 401, with why the sign-in was refused.
async fn refused_login(
    st: &AppState,
    login: String,
    next: String,
    park: Option<i64>,
    message: String,
) -> Response {
    // A park list that could not be read is the error it is, not an empty choice.
    let (parks, park_name) = match park_choices(st).await {
        Ok(p) => p,
        Err(e) => return ui::app_error_page(e),
    };
    let view = LoginView {
        login,
        next,
        error: Some(message),
        parks,
        park,
        park_name,
        hint: lockout_hint(&st.config),
        notice: None,
    };
    (StatusCode::UNAUTHORIZED, render("login.html", view)).into_response()
}

/// The cookie that ends the session in the browser.
pub(super) fn session_ended(transport: Transport) -> String {
    transport.cookie(transport.session_cookie(), "", "/", Some(0))
}

#[derive(Serialize)]
struct CodeView {
    login: String,
    next: String,
    csrf: String,
    error: Option<String>,
    hint: String,
}

fn code_page(st: &AppState, page: &Page, next: String, error: Option<String>) -> Response {
    render(
        "login_code.html",
        CodeView {
            login: page.who.login.clone(),
            next,
            csrf: page.csrf.clone(),
            error,
            hint: lockout_hint(&st.config),
        },
    )
}

/// The second step of a sign-in whose password was right: the code of the account's app.
async fn code_form(State(st): State<AppState>, page: Page, Query(q): Query<NextQuery>) -> Response {
    if !page.who.second_factor_due {
        return Redirect::to(&safe_next(q.next)).into_response();
    }
    code_page(&st, &page, safe_next(q.next), None)
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

async fn code_submit(
    State(st): State<AppState>,
    page: Page,
    transport: Transport,
    headers: HeaderMap,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PageResult {
    let next = safe_next(f.next);
    if !page.who.second_factor_due {
        return Ok(Redirect::to(&next).into_response());
    }
    let Some(token) = ui::session_cookie(&headers, transport) else {
        return Ok(Redirect::to("/login").into_response());
    };
    match service::second_step(&st.db, &st.config, token, &f.code, st.now()).await {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(AppError::Locked(message)) if message == service::SIGN_IN_REFUSED => {
            // Locked: the waiting session has ended; sign in again once the lock is over.
            let (login, park) = (page.who.login.clone(), Some(page.who.park_id));
            let res = refused_login(&st, login, next, park, message).await;
            let ended = [(header::SET_COOKIE, session_ended(transport))];
            Ok((AppendHeaders(ended), res).into_response())
        }
        Err(AppError::Locked(message)) => {
            let res = code_page(&st, &page, next, Some(message));
            Ok((StatusCode::UNAUTHORIZED, res).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(st): State<AppState>,
    _signed_in: Page,
    transport: Transport,
    headers: HeaderMap,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    if let Some(token) = ui::session_cookie(&headers, transport) {
        service::sign_out(&st.db, token, st.now()).await?;
    }
    let ended = [(header::SET_COOKIE, session_ended(transport))];
    Ok((ended, Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(
            safe_next(Some("/ledger/meeting?year=2024".into())),
            "/ledger/meeting?year=2024"
        );
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
