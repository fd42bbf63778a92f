//! The signed-in account's own password (修改密码), and the park's password profile (密码策略,
//! 安全管理员). While a password change is due every other page sends here.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::credentials;
use super::password::Profile;
use super::Action;
use crate::error::AppError;
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult, Transport};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "account_password.html",
        include_str!("templates/account_password.html"),
    ),
    (
        "admin_security.html",
        include_str!("templates/admin_security.html"),
    ),
];

/// Where a due password change sends every page.
pub use crate::web::ui::CHANGE_PASSWORD;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CHANGE_PASSWORD, get(password_form).post(change_password))
        .route("/admin/security", get(security).post(save_security))
}

#[derive(Serialize)]
struct PasswordView {
    chrome: Chrome,
    admin_duty: bool,
    /// Why the change is asked for before anything else, when it is.
    reason: Option<&'static str>,
    rules: &'static str,
    errors: std::collections::HashMap<String, String>,
}

async fn password_page(
    st: &AppState,
    page: &Page,
    errors: Vec<crate::error::FieldError>,
) -> PageResult {
    let profile = credentials::profile(&st.db, page.who.park_id).await?;
    let mut chrome = page.chrome(st, CHANGE_PASSWORD).await?;
    if page.who.password_change_due {
        // Nothing else opens until the password is changed.
        chrome.menu.clear();
    }
    let invalid = !errors.is_empty();
    let mut res = render(
        "account_password.html",
        PasswordView {
            chrome,
            admin_duty: page.who.role.is_admin_duty(),
            reason: page.who.password_change_due.then_some(
                "您的密码由管理员设置，或已超过本园区规定的使用期限，请先修改密码再继续使用。",
            ),
            rules: profile.label(),
            errors: FormErrors::by_field(&errors),
        },
    );
    if invalid {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn password_form(State(st): State<AppState>, page: Page) -> PageResult {
    password_page(&st, &page, Vec::new()).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(st): State<AppState>,
    page: Page,
    transport: Transport,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PageResult {
    if f.password != f.confirm {
        let e = AppError::invalid("confirm", "再次输入新密码", "两次输入的新密码不一致");
        return password_page(&st, &page, invalid_fields(e)).await;
    }
    match credentials::change_own_password(
        &st.db,
        &page.who,
        &f.current_password,
        &f.password,
        st.now(),
    )
    .await
    {
        Ok(()) => {
            // Every session ended with the change, this one too.
            let clear = transport.cookie(transport.session_cookie(), "", "/", Some(0));
            Ok((
                [(header::SET_COOKIE, clear)],
                Redirect::to("/login?changed=1"),
            )
                .into_response())
        }
        Err(e @ AppError::Invalid(_)) => password_page(&st, &page, invalid_fields(e)).await,
        Err(e) => Err(e.into()),
    }
}

fn invalid_fields(e: AppError) -> Vec<crate::error::FieldError> {
    match e {
        AppError::Invalid(fields) => fields,
        _ => Vec::new(),
    }
}

#[derive(Serialize)]
struct SecurityView {
    chrome: Chrome,
    current: &'static str,
    profiles: Vec<ProfileChoice>,
    notice: Option<&'static str>,
}

#[derive(Serialize)]
struct ProfileChoice {
    id: &'static str,
    label: &'static str,
}

async fn security_page(st: &AppState, page: &Page, notice: Option<&'static str>) -> PageResult {
    page.who.require(Action::ManageSecurity)?;
    let profile = credentials::profile(&st.db, page.who.park_id).await?;
    Ok(render(
        "admin_security.html",
        SecurityView {
            chrome: page.chrome(st, "/admin/security").await?,
            current: profile.as_str(),
            profiles: Profile::ALL
                .into_iter()
                .map(|p| ProfileChoice {
                    id: p.as_str(),
                    label: p.label(),
                })
                .collect(),
            notice,
        },
    ))
}

async fn security(State(st): State<AppState>, page: Page) -> PageResult {
    security_page(&st, &page, None).await
}

#[derive(Deserialize)]
struct SecurityForm {
    #[serde(default)]
    profile: String,
}

async fn save_security(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<SecurityForm>,
) -> PageResult {
    let profile = Profile::parse(&f.profile)
        .ok_or_else(|| AppError::invalid("profile", "密码策略", "请选择一种密码策略"))?;
    credentials::set_profile_as(&st.db, &page.who, profile, st.now()).await?;
    security_page(&st, &page, Some("已保存密码策略")).await
}
