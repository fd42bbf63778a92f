//! 包联 pages: 我的包联企业 (`/visits/paired`: a leader's paired enterprises, the office's for
//! every leader, each with its last visit and this quarter's, a link to its visits and a 记走访
//! that opens the visit form filled in), and raising a request from a problem a visit raised
//! (`POST /records/{id}/problems/{line}/request`, from the record's page). Thin handlers over
//! `visits::service` and `requests::service::raise_from_visit`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{self, Pairings};
use super::{VISITOR_FIELD, VISIT_KIND};
use crate::error::AppError;
use crate::ledger::pages::{detail_page, DetailQuery, Refused};
use crate::requests::service::{raise_from_visit, RequestInput};
use crate::web::form::{one_line, saved_or_shown};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates.
pub const TEMPLATES: &[(&str, &str)] = &[("paired.html", include_str!("templates/paired.html"))];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits/paired", get(paired))
        .route("/records/{id}/problems/{line}/request", post(raise))
}

#[derive(Serialize)]
struct PairedView {
    chrome: Chrome,
    #[serde(flatten)]
    pairings: Pairings,
    /// The signed-in principal is a 领导 (their own pairs) rather than the office (everyone's).
    own: bool,
    can_visit: bool,
    visit_kind: &'static str,
    visitor_field: &'static str,
}

async fn paired(State(st): State<AppState>, page: Page) -> PageResult {
    let today = crate::calendar::today(st.now());
    let pairings = service::paired(&st.db, &page.who, today).await?;
    let view = PairedView {
        chrome: page.chrome(&st, "/visits/paired").await?,
        pairings,
        own: page.who.role == crate::auth::Role::Leader,
        can_visit: page
            .who
            .role
            .allows(crate::auth::Action::WriteRecords(VISIT_KIND)),
        visit_kind: VISIT_KIND,
        visitor_field: VISITOR_FIELD,
    };
    Ok(render("paired.html", view))
}

#[derive(Deserialize)]
struct RaiseForm {
    #[serde(default)]
    category: String,
}

/// Raises the request of one problem line; refused, the record's page again with the message
/// at the line (422 for a category left out, 400 for a line already raised).
async fn raise(
    State(st): State<AppState>,
    page: Page,
    Path((id, line)): Path<(i64, usize)>,
    CsrfForm(form): CsrfForm<RaiseForm>,
) -> PageResult {
    let input = RequestInput {
        category: form.category.clone(),
        ..Default::default()
    };
    let raised = raise_from_visit(&st.db, &page.who, id, line, input, st.now());
    let again = |e| line_refused(&st, &page, id, line, form.category, e);
    let to = |_: &_| format!("/records/{id}#problem-{line}");
    saved_or_shown(raised.await, to, again).await
}

/// The record's page with why the line was not raised, and the category chosen, at the line.
async fn line_refused(
    st: &AppState,
    page: &Page,
    id: i64,
    line: usize,
    category: String,
    e: AppError,
) -> PageResult {
    let message = one_line(&e);
    let refused = Refused {
        line,
        category,
        message,
    };
    detail_page(st, page, id, DetailQuery::default(), Some(refused)).await
}
