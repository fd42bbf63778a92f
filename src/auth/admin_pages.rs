//! 系统 pages: accounts (系统管理员), roles and data scope (安全管理员). One account list; each duty
//! sees only its own actions, and the services check the role again.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{self, Assignment, IssuedPassword, NewUser, User};
use super::{Action, Role, ALL_ROLES};
use crate::error::{AppError, FieldError};
use crate::web::form::{parsed, values_of, Mistakes};
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
    /// The paired leaders (包联领导) a new account may act for.
    people: Vec<Choice>,
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
    let people = if page.who.role.allows(crate::auth::Action::ManageUsers) {
        service::person_choices(&st.db, &page.who).await?
    } else {
        Vec::new()
    };
    let person_names: HashMap<i64, &str> = people.iter().map(|(i, n)| (*i, n.as_str())).collect();
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
                Role::Leader => match u.person_id.and_then(|p| person_names.get(&p)) {
                    Some(name) => format!("全园区；包联：{name}"),
                    None => "全园区".to_string(),
                },
                Role::Office | Role::ServiceStaff => "全园区".to_string(),
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
            people: choices(people),
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

/// A role and its data scope as chosen in the create and assign forms.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct RoleForm {
    role: String,
    unit_id: String,
    enterprise_id: String,
}

impl RoleForm {
    /// The role, with the scope id that matters for it: a unit for a 支部书记, an enterprise
    /// for an 企业用户.
    fn parse(&self) -> Result<Assignment, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let role = Role::parse(self.role.trim());
        if role.is_none() {
            m.at("role", "角色", "请选择角色");
        }
        let unit = m.id("unit_id", "所在单位", &self.unit_id);
        let enterprise = m.id("enterprise_id", "所属企业", &self.enterprise_id);
        let Some(role) = role else {
            return m.refused();
        };
        let (unit_id, enterprise_id) = match role {
            Role::BranchSecretary => (unit, None),
            Role::Enterprise => (None, enterprise),
            _ => (None, None),
        };
        m.or(Assignment {
            role,
            unit_id,
            enterprise_id,
        })
    }
}

/// The new account form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct AccountForm {
    login: String,
    display_name: Option<String>,
    password: String,
    role: String,
    unit_id: String,
    enterprise_id: String,
    /// The roster person (a paired leader) the account acts for, if any.
    person_id: String,
}

impl AccountForm {
    fn parse(&self) -> Result<NewUser, Vec<FieldError>> {
        let chosen = RoleForm {
            role: self.role.clone(),
            unit_id: self.unit_id.clone(),
            enterprise_id: self.enterprise_id.clone(),
        };
        let mut m = Mistakes::new();
        let person_id = m.id("person_id", "花名册人员", &self.person_id);
        let a = match (chosen.parse(), m.or(())) {
            (Ok(a), Ok(())) => a,
            (a, person) => {
                let mut errors = a.err().unwrap_or_default();
                errors.extend(person.err().unwrap_or_default());
                return Err(errors);
            }
        };
        Ok(NewUser {
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
            role: a.role,
            unit_id: a.unit_id,
            enterprise_id: a.enterprise_id,
            person_id,
        })
    }

    /// What the form shows again: all but the password.
    fn shown(&self) -> HashMap<String, String> {
        let mut shown = values_of(self);
        shown.remove("password");
        shown
    }
}

/// The list after a form: `done` says what the service did, a refusal shows the form again
/// with its mistakes (`refused`), and any other error is the error page.
fn outcome<T>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> Outcome,
    refused: impl FnOnce(Vec<FieldError>) -> Outcome,
) -> Result<Outcome, AppError> {
    match result {
        Ok(v) => Ok(done(v)),
        Err(AppError::Invalid(errors)) => Ok(refused(errors)),
        Err(e) => Err(e),
    }
}

impl Outcome {
    fn created((user, issued): (User, IssuedPassword)) -> Outcome {
        Outcome {
            notice: Some(format!(
                "已添加账号 {}（申请角色：{}），安全管理员分配角色后方可使用",
                user.login, user.role_label
            )),
            issued: issued.generated.then_some((user.login, issued.password)),
            ..Outcome::default()
        }
    }

    fn password_reset((user, issued): (User, IssuedPassword)) -> Outcome {
        Outcome {
            notice: Some(format!(
                "已为 {} 设置新密码，原有登录已全部失效；本人下次登录时须先修改密码",
                user.login
            )),
            issued: issued.generated.then_some((user.login, issued.password)),
            ..Outcome::default()
        }
    }

    fn assigned(user: User) -> Outcome {
        Outcome {
            notice: Some(format!(
                "已将 {} 的角色设为{}，其原有登录已失效",
                user.login, user.role_label
            )),
            ..Outcome::default()
        }
    }

    /// The account `id`'s form refused, with what was typed.
    fn failed(id: i64, typed: HashMap<String, String>, errors: Vec<FieldError>) -> Outcome {
        Outcome {
            failed_for: Some(id),
            failed: typed,
            failed_errors: errors,
            ..Outcome::default()
        }
    }
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> PageResult {
    page.who.require(Action::ManageUsers)?;
    let saved = parsed(form.parse(), |new| {
        service::create_user_as(&st.db, &page.who, new, st.now())
    });
    let out = outcome(saved.await, Outcome::created, |new_errors| Outcome {
        new: form.shown(),
        new_errors,
        ..Outcome::default()
    })?;
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

/// The password reset form: a password typed, or none to have one made.
#[derive(Deserialize)]
struct ResetForm {
    password: Option<String>,
}

async fn reset_password(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> PageResult {
    let reset = service::reset_password_as(&st.db, &page.who, id, form.password, st.now());
    let out = outcome(reset.await, Outcome::password_reset, |errors| {
        Outcome::failed(id, HashMap::new(), errors)
    })?;
    users_page(&st, &page, out).await
}

async fn assign(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> PageResult {
    page.who.require(Action::AssignRoles)?;
    let saved = parsed(form.parse(), |a| {
        service::assign(&st.db, &page.who, id, a, st.now())
    });
    let refused = |errors| Outcome::failed(id, values_of(&form), errors);
    let out = outcome(saved.await, Outcome::assigned, refused)?;
    users_page(&st, &page, out).await
}
