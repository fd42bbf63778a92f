//! 工作台: this year's counts per ledger kind the user can read.

use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;
use serde::Serialize;

use super::ui::{app_error_page, render, Chrome, Page};
use super::AppState;
use crate::ledger::service;

#[derive(Serialize)]
struct HomeView {
    chrome: Chrome,
    year: i32,
    counts: Vec<KindCount>,
    park_wide: bool,
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

pub async fn home(State(st): State<AppState>, page: Page) -> Response {
    let year = match service::latest_year(&st.db, &st.counts, &page.who, st.now().year()).await {
        Ok(y) => y,
        Err(e) => return app_error_page(e),
    };
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
        let today = crate::tasks::service::today(st.now());
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
            counts,
            park_wide: page.who.scope == crate::auth::Scope::Park,
            checks,
            tasks,
        },
    )
}
