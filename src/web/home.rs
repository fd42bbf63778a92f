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
}

#[derive(Serialize)]
struct KindCount {
    id: String,
    sheet: String,
    count: i64,
}

pub async fn home(State(st): State<AppState>, page: Page) -> Response {
    let year = st.now().year();
    let kinds = match service::kinds(&st.db, &page.who).await {
        Ok(k) => k,
        Err(crate::error::AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return app_error_page(e),
    };
    let counts = if kinds.is_empty() {
        Vec::new()
    } else {
        match service::year_counts(&st.db, &page.who, year).await {
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
    render(
        "home.html",
        HomeView {
            chrome: page.chrome(&kinds, "/"),
            year,
            counts,
            park_wide: page.who.scope == crate::auth::Scope::Park,
        },
    )
}
