//! The signed-in account's own password (修改密码), and the park's password profile (密码策略,
//! 安全管理员). While a password change is due every other page sends here.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::credentials;
use super::pages::session_ended;
use super::password::Profile;
use super::Action;
use crate::error::{AppError, FieldError};
use crate::web::form::{done_or_again, parsed};
use crate::web::ui::{render, render_form, Chrome, Page, TWO_STEP};
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
    (
        "account_totp.html",
        include_str!("templates/account_totp.html"),
    ),
    ("login_code.html", include_str!("templates/login_code.html")),
];

/// Where a due password change sends every page.
pub use crate::web::ui::CHANGE_PASSWORD;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(CHANGE_PASSWORD, get(password_form).post(change_password))
        .route("/admin/security", get(security).post(save_security))
        .route(TWO_STEP, get(totp_page))
        .route("/account/totp/begin", post(totp_begin))
        .route("/account/totp/confirm", post(totp_confirm))
        .route("/account/totp/off", post(totp_off))
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
    Ok(render_form(
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
        invalid,
    ))
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

impl PasswordForm {
    /// The new password, typed twice alike.
    fn new_password(&self) -> Result<&str, Vec<FieldError>> {
        if self.password != self.confirm {
            let message = "两次输入的新密码不一致";
            return Err(vec![FieldError::new("confirm", "再次输入新密码", message)]);
        }
        Ok(&self.password)
    }
}

async fn change_password(
    State(st): State<AppState>,
    page: Page,
    transport: Transport,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PageResult {
    let changed = parsed(f.new_password(), |new| {
        credentials::change_own_password(&st.db, &page.who, &f.current_password, new, st.now())
    });
    // Every session ended with the change, this one too.
    let done = |()| async move {
        let ended = [(header::SET_COOKIE, session_ended(transport))];
        Ok((ended, Redirect::to("/login?changed=1")).into_response())
    };
    done_or_again(changed.await, done, |e| password_page(&st, &page, e)).await
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

// ---- 两步验证: the account's second factor ----

#[derive(Serialize, Default)]
struct TotpView {
    chrome: Option<Chrome>,
    status: Option<super::second_factor::Status>,
    /// Why enrolment comes before anything else, when it does.
    reason: Option<&'static str>,
    /// A new secret, shown while enrolling (again after a wrong confirmation code).
    offer: Option<super::second_factor::Offer>,
    /// The recovery codes, shown once after the confirmation.
    recovery_codes: Vec<String>,
    notice: Option<&'static str>,
    errors: std::collections::HashMap<String, String>,
    /// Enrolled by this very form: the page no longer holds the account back.
    #[serde(skip)]
    enrolled: bool,
}

impl TotpView {
    fn notice(notice: &'static str) -> TotpView {
        TotpView {
            notice: Some(notice),
            ..TotpView::default()
        }
    }

    /// The enrolment's secret (if any is pending) and the code's mistakes.
    fn offering(offer: Option<super::second_factor::Offer>, errors: Vec<FieldError>) -> TotpView {
        TotpView {
            offer,
            errors: FormErrors::by_field(&errors),
            ..TotpView::default()
        }
    }

    fn enrolled(recovery_codes: Vec<String>) -> TotpView {
        TotpView {
            recovery_codes,
            enrolled: true,
            ..TotpView::notice("已启用两步验证")
        }
    }
}

async fn totp_view(st: &AppState, page: &Page, view: TotpView) -> PageResult {
    let mut chrome = page.chrome(st, TWO_STEP).await?;
    let due = page.who.totp_enrolment_due && !view.enrolled;
    if due {
        // Nothing else opens until a second factor is enrolled.
        chrome.menu.clear();
    }
    let invalid = !view.errors.is_empty();
    Ok(render_form(
        "account_totp.html",
        TotpView {
            chrome: Some(chrome),
            status: Some(super::second_factor::status(&st.db, &page.who).await?),
            reason: due.then_some(
                "三员账号必须使用两步验证：请先用手机上的验证器应用绑定本账号，再继续使用。",
            ),
            ..view
        },
        invalid,
    ))
}

async fn totp_page(State(st): State<AppState>, page: Page) -> PageResult {
    totp_view(&st, &page, TotpView::default()).await
}

async fn totp_begin(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let offer = super::second_factor::begin_enrolment(&st.db, &page.who).await?;
    totp_view(&st, &page, TotpView::offering(Some(offer), Vec::new())).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn totp_confirm(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PageResult {
    let confirmed = super::second_factor::confirm_enrolment(&st.db, &page.who, &f.code, st.now());
    let done = |codes| totp_view(&st, &page, TotpView::enrolled(codes));
    // The same secret again, the message at the code field: the app keeps what it scanned.
    let again = |errors| async {
        let offer = super::second_factor::pending_offer(&st.db, &page.who).await?;
        totp_view(&st, &page, TotpView::offering(offer, errors)).await
    };
    done_or_again(confirmed.await, done, again).await
}

async fn totp_off(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<CodeForm>,
) -> PageResult {
    let off = super::second_factor::turn_off(&st.db, &page.who, &f.code, st.now());
    let done = |()| totp_view(&st, &page, TotpView::notice("已关闭两步验证"));
    let again = |errors| totp_view(&st, &page, TotpView::offering(None, errors));
    done_or_again(off.await, done, again).await
}
