//! Sign-in and sign-out pages.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};

use super::service;
use crate::error::AppError;
use crate::web::ui::{self, csrf_refused, render, Page, COOKIE};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Serialize)]
struct LoginView {
    login: String,
    next: String,
    error: Option<String>,
}

/// Only same-site paths are followed after sign-in, never another host.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".to_string())
}

async fn form(Query(q): Query<NextQuery>) -> Response {
    render(
        "login.html",
        LoginView {
            login: String::new(),
            next: safe_next(q.next),
            error: None,
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

async fn submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    if cross_site(&headers) {
        return ui::error_page(StatusCode::FORBIDDEN, "来源不明的登录请求已被拒绝");
    }
    let next = safe_next(f.next);
    match service::sign_in(&st.db, &st.config, None, &f.login, &f.password, st.now()).await {
        Ok(signed) => {
            let cookie = format!(
                "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                signed.token,
                st.config.session_idle.as_secs() * 8
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e @ (AppError::Locked(_) | AppError::BadRequest(_) | AppError::Invalid(_))) => {
            let mut res = render(
                "login.html",
                LoginView {
                    login: f.login,
                    next,
                    error: Some(e.to_string()),
                },
            );
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            res
        }
        Err(e) => ui::app_error_page(e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

async fn logout(
    State(st): State<AppState>,
    page: Page,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !page.csrf_ok(f.csrf.as_deref()) {
        return csrf_refused();
    }
    if let Some(token) = ui::session_cookie(&headers) {
        if let Err(e) = service::sign_out(&st.db, token, st.now()).await {
            return ui::app_error_page(e);
        }
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

/// True when the browser says the request came from another site.
pub fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
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
