//! 系统 pages: accounts (系统管理员), roles and data scope (安全管理员). One account list; each duty
//! sees only its own actions, and the services check the role again.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::service::{self, Assignment, NewUser};
use super::{Action, Role, ALL_ROLES};
use crate::error::{AppError, FieldError};
use crate::web::form::form_map;
use crate::web::ui::{render_form, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[(
    "admin_users.html",
    include_str!("templates/admin_users.html"),
)];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create))
        .route("/admin/users/{id}/lock", post(lock))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/role", post(assign))
}

#[derive(Serialize)]
struct UsersView {
    chrome: Chrome,
    can_manage: bool,
    can_assign: bool,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    units: Vec<Choice>,
    enterprises: Vec<Choice>,
    /// What the create form holds (kept after an error).
    new: HashMap<String, String>,
    new_errors: HashMap<String, String>,
    /// The account whose assign or reset form failed, with what was typed and the messages.
    failed_for: Option<i64>,
    failed: HashMap<String, String>,
    failed_errors: HashMap<String, String>,
    notice: Option<String>,
    /// A password to show once, with the login it belongs to.
    issued: Option<(String, String)>,
}

#[derive(Serialize)]
struct UserRow {
    id: i64,
    login: String,
    display_name: String,
    role: &'static str,
    role_label: String,
    scope: String,
    unit_id: String,
    enterprise_id: String,
    state: String,
    disabled: bool,
    locked: bool,
}

#[derive(Serialize)]
struct Choice {
    id: String,
    label: String,
}

/// What a page answer carries besides the list.
#[derive(Default)]
struct Outcome {
    new: HashMap<String, String>,
    new_errors: Vec<FieldError>,
    failed_for: Option<i64>,
    failed: HashMap<String, String>,
    failed_errors: Vec<FieldError>,
    notice: Option<String>,
    issued: Option<(String, String)>,
}

async fn users_page(st: &AppState, page: &Page, out: Outcome) -> PageResult {
    let now = st.now();
    let users = service::list_users_detailed(&st.db, &page.who, now).await?;
    let (units, enterprises) = service::scope_choices(&st.db, &page.who).await?;
    let unit_names: HashMap<i64, &str> = units.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let ent_names: HashMap<i64, &str> = enterprises.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let rows = users
        .into_iter()
        .map(|l| {
            let u = &l.user;
            let scope = match u.role {
                _ if !u.role_granted => "待安全管理员分配".to_string(),
                Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin | Role::Pending => {
                    "不读台账".to_string()
                }
                Role::Office | Role::Leader | Role::ServiceStaff => "全园区".to_string(),
                Role::BranchSecretary => u
                    .unit_id
                    .and_then(|i| unit_names.get(&i))
                    .map_or("未指定单位".to_string(), |n| format!("{n}及下级")),
                Role::Enterprise => u
                    .enterprise_id
                    .and_then(|i| ent_names.get(&i))
                    .map_or("未指定企业".to_string(), |n| n.to_string()),
            };
            UserRow {
                id: u.id,
                login: u.login.clone(),
                display_name: u.display_name.clone(),
                role: u.role.as_str(),
                role_label: if u.role_granted {
                    u.role_label.to_string()
                } else {
                    format!("待分配（申请：{}）", u.role_label)
                },
                scope,
                unit_id: u.unit_id.map(|i| i.to_string()).unwrap_or_default(),
                enterprise_id: u.enterprise_id.map(|i| i.to_string()).unwrap_or_default(),
                state: service::lock_state(u, l.locked_until, now),
                disabled: u.disabled,
                locked: u.locked,
            }
        })
        .collect();
    let invalid = !out.new_errors.is_empty() || !out.failed_errors.is_empty();
    let choices = |list: Vec<(i64, String)>| {
        list.into_iter()
            .map(|(id, label)| Choice {
                id: id.to_string(),
                label,
            })
            .collect()
    };
    Ok(render_form(
        "admin_users.html",
        UsersView {
            chrome: page.chrome(st, "/admin/users").await?,
            can_manage: page.who.role.allows(Action::ManageUsers),
            can_assign: page.who.role.allows(Action::AssignRoles),
            users: rows,
            roles: ALL_ROLES
                .iter()
                .map(|r| Choice {
                    id: r.as_str().to_string(),
                    label: r.label().to_string(),
                })
                .collect(),
            units: choices(units),
            enterprises: choices(enterprises),
            new: out.new,
            new_errors: FormErrors::by_field(&out.new_errors),
            failed_for: out.failed_for,
            failed: out.failed,
            failed_errors: FormErrors::by_field(&out.failed_errors),
            notice: out.notice,
            issued: out.issued,
        },
        invalid,
    ))
}

async fn users(State(st): State<AppState>, page: Page) -> PageResult {
    users_page(&st, &page, Outcome::default()).await
}

/// An optional id chosen in a select; a value that is not a number is a field error.
fn chosen_id(
    form: &HashMap<String, String>,
    key: &str,
    label: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let v = form.get(key).map(|s| s.trim()).unwrap_or("");
    if v.is_empty() {
        return None;
    }
    match v.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(key, label, "请从列表中选择"));
            None
        }
    }
}

fn chosen_role(form: &HashMap<String, String>, errors: &mut Vec<FieldError>) -> Option<Role> {
    let v = form.get("role").map(|s| s.trim()).unwrap_or("");
    let role = Role::parse(v);
    if role.is_none() {
        errors.push(FieldError::new("role", "角色", "请选择角色"));
    }
    role
}

/// The scope ids that matter for a role: a unit for a 支部书记, an enterprise for an 企业用户.
fn scope_for(role: Role, unit: Option<i64>, enterprise: Option<i64>) -> (Option<i64>, Option<i64>) {
    match role {
        Role::BranchSecretary => (unit, None),
        Role::Enterprise => (None, enterprise),
        _ => (None, None),
    }
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::ManageUsers)?;
    let form = form_map(pairs);
    let mut errors = Vec::new();
    let role = chosen_role(&form, &mut errors);
    let unit = chosen_id(&form, "unit_id", "所在单位", &mut errors);
    let enterprise = chosen_id(&form, "enterprise_id", "所属企业", &mut errors);
    let result = match role {
        Some(role) if errors.is_empty() => {
            let (unit_id, enterprise_id) = scope_for(role, unit, enterprise);
            let new = NewUser {
                login: form.get("login").cloned().unwrap_or_default(),
                display_name: form.get("display_name").cloned(),
                password: form.get("password").cloned().unwrap_or_default(),
                role,
                unit_id,
                enterprise_id,
                person_id: None,
            };
            service::create_user_as(&st.db, &page.who, new, st.now()).await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    let out = match result {
        Ok((user, issued)) => Outcome {
            notice: Some(format!(
                "已添加账号 {}（申请角色：{}），安全管理员分配角色后方可使用",
                user.login, user.role_label
            )),
            issued: issued
                .generated
                .then(|| (user.login.clone(), issued.password)),
            ..Outcome::default()
        },
        Err(AppError::Invalid(errors)) => {
            let mut new = form;
            new.remove("password");
            Outcome {
                new,
                new_errors: errors,
                ..Outcome::default()
            }
        }
        Err(e) => return Err(e.into()),
    };
    users_page(&st, &page, out).await
}

async fn set_lock(st: AppState, page: Page, id: i64, locked: bool) -> PageResult {
    service::set_locked_as(&st.db, &page.who, id, locked, st.now()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn lock(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    set_lock(st, page, id, true).await
}

async fn unlock(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    set_lock(st, page, id, false).await
}

async fn reset_password(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let typed = form_map(pairs).remove("password");
    let out = match service::reset_password_as(&st.db, &page.who, id, typed, st.now()).await {
        Ok((user, issued)) => Outcome {
            notice: Some(format!(
                "已为 {} 设置新密码，原有登录已全部失效；本人下次登录时须先修改密码",
                user.login
            )),
            issued: issued.generated.then_some((user.login, issued.password)),
            ..Outcome::default()
        },
        Err(AppError::Invalid(errors)) => Outcome {
            failed_for: Some(id),
            failed_errors: errors,
            ..Outcome::default()
        },
        Err(e) => return Err(e.into()),
    };
    users_page(&st, &page, out).await
}

async fn assign(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::AssignRoles)?;
    let form = form_map(pairs);
    let mut errors = Vec::new();
    let role = chosen_role(&form, &mut errors);
    let unit = chosen_id(&form, "unit_id", "所在单位", &mut errors);
    let enterprise = chosen_id(&form, "enterprise_id", "所属企业", &mut errors);
    let result = match role {
        Some(role) if errors.is_empty() => {
            let (unit_id, enterprise_id) = scope_for(role, unit, enterprise);
            let a = Assignment {
                role,
                unit_id,
                enterprise_id,
            };
            service::assign(&st.db, &page.who, id, a, st.now()).await
        }
        _ => Err(AppError::Invalid(errors)),
    };
    let out = match result {
        Ok(user) => Outcome {
            notice: Some(format!(
                "已将 {} 的角色设为{}，其原有登录已失效",
                user.login, user.role_label
            )),
            ..Outcome::default()
        },
        Err(AppError::Invalid(errors)) => Outcome {
            failed_for: Some(id),
            failed: form,
            failed_errors: errors,
            ..Outcome::default()
        },
        Err(e) => return Err(e.into()),
    };
    users_page(&st, &page, out).await
}
