//! The composition root: the one place that knows every area. It gathers their routes and page
//! templates, declares the side menu, and hands them to the web's plumbing, which imports no area.
//!
//! A new area adds its API router, its page router, its templates and its menu entries here.

mod glance;
mod home;

use axum::routing::get;
use axum::Router;

use crate::auth::{Action, Principal};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;
use crate::web::ui::MenuItem;
use crate::web::{AppState, MenuFuture};

/// The state of a server: the database, the configuration, and this root's menu.
pub fn state(db: Db, config: Config) -> AppState {
    AppState::new(db, config, menu)
}

/// The whole application: every area's API and pages inside the web's layers.
pub fn router(state: AppState) -> Router {
    crate::web::ui::install_templates(TEMPLATES);
    crate::web::ui::compile_templates();
    let api = Router::new()
        .merge(crate::auth::api::router())
        .merge(crate::org::api::router())
        .merge(crate::ledger::api::router())
        .merge(crate::audit::api::router())
        .merge(crate::tasks::api::router())
        .merge(crate::report::api::router())
        .merge(crate::requests::api::router())
        .merge(crate::policies::api::router())
        .merge(crate::visits::api::router())
        .merge(crate::notify::api::router());
    let pages = Router::new()
        .route("/", get(home::home))
        .merge(crate::auth::pages::router())
        .merge(crate::ledger::pages::router())
        .merge(crate::org::pages::router())
        .merge(crate::auth::admin_pages::router())
        .merge(crate::auth::account_pages::router())
        .merge(crate::audit::pages::router())
        .merge(crate::ledger::kind_pages::router())
        .merge(crate::excel::pages::router())
        .merge(crate::report::pages::router())
        .merge(crate::report::scaffold_pages::router())
        .merge(crate::report::compile_pages::router())
        .merge(crate::rules::pages::router())
        .merge(crate::tasks::pages::router())
        .merge(crate::workdays::pages::router())
        .merge(crate::requests::pages::router())
        .merge(crate::policies::pages::router())
        .merge(crate::visits::pages::router())
        .merge(crate::meetings::pages::router())
        .merge(crate::notify::pages::router());
    crate::web::assemble(state, api, pages)
}

/// Every area's page templates (the web adds its layout, login and error pages).
const TEMPLATES: &[&[(&str, &str)]] = &[
    home::TEMPLATES,
    crate::ledger::pages::TEMPLATES,
    crate::ledger::kind_pages::TEMPLATES,
    crate::org::pages::TEMPLATES,
    crate::auth::admin_pages::TEMPLATES,
    crate::auth::account_pages::TEMPLATES,
    crate::audit::pages::TEMPLATES,
    crate::excel::pages::TEMPLATES,
    crate::report::pages::TEMPLATES,
    crate::report::scaffold_pages::TEMPLATES,
    crate::rules::pages::TEMPLATES,
    crate::tasks::pages::TEMPLATES,
    crate::workdays::pages::TEMPLATES,
    crate::requests::pages::TEMPLATES,
    crate::policies::pages::TEMPLATES,
    crate::visits::pages::TEMPLATES,
    crate::meetings::pages::TEMPLATES,
    crate::notify::pages::TEMPLATES,
];

/// The areas of the side menu, each shown to the roles its action allows, in this order.
const AREAS: [(Action<'static>, &str, &str, &str); 17] = [
    (Action::ReadOrg, "/org", "组织与企业", "组织"),
    (Action::ReadRequests, "/requests", "企业诉求", "工作"),
    (Action::ReadPolicies, "/policies", "惠企政策", "工作"),
    (Action::ReadPairings, "/visits/paired", "包联企业", "工作"),
    (Action::ReadPlans, "/plans", "年度计划与任务", "工作"),
    (Action::ReadChecks, "/checks", "规则检查", "工作"),
    (Action::ReadChecks, "/data-quality", "数据质量", "工作"),
    (Action::ReadReport, "/report", "述职报告", "工作"),
    (Action::ImportLedgers, "/import", "Excel 导入", "工作"),
    (Action::ManageUsers, "/admin/users", "账号管理", "系统"),
    (
        Action::AssignRoles,
        "/admin/users",
        "角色与数据范围",
        "系统",
    ),
    (
        Action::ManageSecurity,
        "/admin/security",
        "密码策略",
        "系统",
    ),
    (Action::WriteKinds, "/admin/kinds", "台账目录", "系统"),
    (Action::ManageCalendar, "/calendar", "工作日历", "系统"),
    (
        Action::ManageRobots,
        "/notices/robots",
        "通知机器人",
        "系统",
    ),
    (Action::ManageRobots, "/notices/outbox", "推送记录", "系统"),
    (Action::ReadAudit, "/audit", "审计日志", "审计"),
];

/// The side menu past 工作台: the ledger kinds the user may read (none for the duties that
/// read no ledgers), then the areas their role opens.
fn menu<'a>(st: &'a AppState, who: &'a Principal) -> MenuFuture<'a> {
    Box::pin(async move {
        let kinds = match crate::ledger::kinds::kinds(&st.db, who).await {
            Ok(k) => k,
            Err(AppError::Forbidden(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        // An account scoped to units (a 支部书记) keeps the ledgers whose records name a unit
        // (the catalogue's `unit_field`): the only ones its scope can hold rows of.
        let unit_scoped = matches!(who.scope, crate::auth::Scope::Units(_));
        // An enterprise raises and follows requests (企业诉求), which replace the old 企业难题
        // and 意见建议 ledgers (kinds the catalogue marks `closed`): those are not offered to it.
        let enterprise = who.role == crate::auth::Role::Enterprise;
        let mut items: Vec<MenuItem> = kinds
            .into_iter()
            .filter(|k| !unit_scoped || k.unit_field.is_some())
            .filter(|k| !enterprise || k.closed.is_none())
            .map(|k| MenuItem {
                href: format!("/ledger/{}", k.id),
                label: k.sheet,
                group: "台账",
                badge: None,
            })
            .collect();
        // 通知 for everyone signed in, first, with the unread count the top bar shows too.
        let unread = crate::notify::service::unread(&st.db, who).await?;
        items.insert(
            0,
            MenuItem {
                href: "/notices".into(),
                label: "通知".into(),
                group: "",
                badge: Some(unread),
            },
        );
        for (action, href, label, group) in AREAS {
            if who.role.allows(action) {
                items.push(MenuItem {
                    href: href.into(),
                    label: label.into(),
                    group,
                    badge: None,
                });
            }
        }
        Ok(items)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_template_parses_and_has_its_own_name() {
        crate::web::ui::install_templates(TEMPLATES);
        let mut env = minijinja::Environment::new();
        let mut seen = std::collections::HashSet::new();
        for (name, source) in crate::web::ui::templates() {
            assert!(seen.insert(name), "two templates are named {name}");
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(seen.contains("home.html") && seen.contains("base.html"));
    }
}
