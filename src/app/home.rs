//! 工作台: this year's counts per ledger kind the user can read.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::ui::{app_error_page, render, Chrome, Page};
use super::AppState;
use crate::ledger::service;

#[derive(Serialize)]
struct HomeView {
    chrome: Chrome,
    year: i32,
    /// The years the switch offers, newest first.
    years: Vec<i32>,
    /// The day overdue tasks are counted on.
    today: String,
    counts: Vec<KindCount>,
    park_wide: bool,
    /// The account's role waits for the 安全管理员.
    pending: bool,
    /// This year's open rule-check findings, when the role reads them.
    checks: Option<crate::rules::pages::HomeChecks>,
    /// The user's overdue and supervised tasks (年度计划与任务), when their role reads plans.
    tasks: Vec<crate::tasks::TaskView>,
}

#[derive(Serialize)]
struct KindCount {
    id: String,
    sheet: String,
    count: i64,
}

#[derive(Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    year: String,
}

pub async fn home(State(st): State<AppState>, page: Page, Query(q): Query<HomeQuery>) -> Response {
    let year = match super::ui::parse_year(&q.year) {
        Some(y) => y,
        None => match page.working_year(&st).await {
            Ok(y) => y,
            Err(e) => return app_error_page(e),
        },
    };
    let today = crate::calendar::today(st.now());
    let years = super::ui::years_offered(today.year(), 5, year);
    let kinds = match service::kinds(&st.db, &page.who).await {
        Ok(k) => k,
        Err(crate::error::AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return app_error_page(e),
    };
    let counts = if kinds.is_empty() {
        Vec::new()
    } else {
        match service::year_counts(&st.db, &st.counts, &page.who, year).await {
            Ok(c) => c
                .into_iter()
                .map(|(k, count)| KindCount {
                    id: k.id,
                    sheet: k.sheet,
                    count,
                })
                .collect(),
            Err(e) => return app_error_page(e),
        }
    };
    let checks = match crate::rules::pages::home_checks(&st, &page, year).await {
        Ok(c) => c,
        Err(e) => return app_error_page(e),
    };
    let tasks = if page.who.role.allows(crate::auth::Action::ReadPlans) {
        match crate::tasks::service::attention(&st.db, &page.who, year, today).await {
            Ok(t) => t,
            Err(e) => return app_error_page(e),
        }
    } else {
        Vec::new()
    };
    render(
        "home.html",
        HomeView {
            chrome: page.chrome(&kinds, "/"),
            year,
            years,
            today: today.to_string(),
            counts,
            park_wide: page.who.scope == crate::auth::Scope::Park,
            pending: page.who.role == crate::auth::Role::Pending,
            checks,
            tasks,
        },
    )
}
