//! 工作台: the quick actions the role may take; the to-do list (this month's 支委会 and 党小组会
//! not yet held, tasks due within two weeks, overdue and supervised tasks, open rule-check
//! findings); the year's charts (`glance`); this year's counts per ledger kind the user can read;
//! and 企业诉求: for 党建办 and 园小二 the open, due-today and overdue requests, each a link to
//! the queue so filtered; for an enterprise its own open requests with their deadlines. It draws
//! on several areas, so it lives in the root.

use axum::extract::{Query, State};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::ledger::service::{self, Listing};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, PageResult};

/// This page's template.
pub const TEMPLATES: &[(&str, &str)] = &[("home.html", include_str!("templates/home.html"))];

/// An enterprise's open requests the 工作台 lists; the rest are a link away.
const OWN_REQUESTS: i64 = 10;

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
    /// The team's open, due-today and overdue requests (党建办, 园小二).
    pressing: Option<crate::requests::service::Pressing>,
    /// An enterprise's own open requests, the most pressing first, and how many there are.
    own_requests: Option<Listing<crate::requests::service::RequestView>>,
    /// The charts, the rest of the to-do list and the quick actions.
    glance: super::glance::Glance,
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

pub async fn home(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<HomeQuery>,
) -> PageResult {
    let year = match crate::web::ui::parse_year(&q.year) {
        Some(y) => y,
        None => crate::ledger::pages::working_year(&st, &page).await?,
    };
    let today = crate::calendar::today(st.now());
    let years = crate::web::ui::years_offered(today.year(), 5, year);
    let kinds = match crate::ledger::kinds::kinds(&st.db, &page.who).await {
        Ok(k) => k,
        Err(crate::error::AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    // The parts below only read and need nothing of each other: they run side by side on the
    // pool's connections, the rule checks (statements over the year's meetings) the longest.
    let counts = async {
        if kinds.is_empty() {
            return Ok::<_, crate::error::AppError>(Vec::new());
        }
        let cache = st.part::<service::CountCache>();
        Ok(service::year_counts(&st.db, &cache, &page.who, year)
            .await?
            .into_iter()
            .map(|(k, count)| KindCount {
                id: k.id,
                sheet: k.sheet,
                count,
            })
            .collect())
    };
    let checks_and_glance = async {
        let checked = crate::calendar::Year::new(year).map_err(|e| e.at("year", "年份"))?;
        let year_checks = super::glance::year_checks(&st, &page, checked, today).await?;
        let glance =
            super::glance::glance(&st, &page.who, year, today, year_checks.as_deref()).await?;
        Ok::<_, crate::error::AppError>((year_checks, glance))
    };
    let tasks = async {
        if page.who.role.allows(crate::auth::Action::ReadPlans) {
            crate::tasks::service::attention(&st.db, &page.who, year, today).await
        } else {
            Ok(Vec::new())
        }
    };
    let requests = async {
        Ok::<_, crate::error::AppError>(match page.who.role {
            Role::Office | Role::ServiceStaff => (
                Some(
                    crate::requests::service::pressing(
                        &st.db,
                        &st.part::<crate::requests::service::RequestTotals>(),
                        &page.who,
                        st.now(),
                    )
                    .await?,
                ),
                None,
            ),
            Role::Enterprise => {
                let open = crate::requests::service::RequestFilter {
                    status: Some(crate::requests::service::OPEN.into()),
                    limit: Some(OWN_REQUESTS),
                    ..Default::default()
                };
                let listing = crate::requests::service::list(
                    &st.db,
                    &st.part::<crate::requests::service::RequestTotals>(),
                    &page.who,
                    open,
                    st.now(),
                )
                .await?;
                (None, Some(listing))
            }
            _ => (None, None),
        })
    };
    let (counts, (year_checks, glance), tasks, (pressing, own_requests)) =
        tokio::try_join!(counts, checks_and_glance, tasks, requests)?;
    let checks = year_checks.as_ref().and_then(|c| c.open.clone());
    Ok(render(
        "home.html",
        HomeView {
            chrome: page.chrome(&st, "/").await?,
            year,
            years,
            today: today.to_string(),
            counts,
            park_wide: page.who.scope == crate::auth::Scope::Park,
            pending: page.who.role == crate::auth::Role::Pending,
            checks,
            tasks,
            pressing,
            own_requests,
            glance,
        },
    ))
}
