//! 报告指标 page (`/report/metrics`): the park's metric catalogue as a table, and the editor of
//! the park's metric file (an overlay on the defaults). Whoever reads the report may look; the
//! 党建办 edits. Thin handlers over `report::park_metrics`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::error::ReportError;
use super::pages::chrome;
use super::park_metrics::{self, MetricSummary};
use crate::auth::Action;
use crate::web::ui::{render, render_form, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/report/metrics", get(show).post(save))
}

#[derive(Serialize)]
struct MetricsView {
    chrome: Chrome,
    /// The text in the editor: the saved file, the starter, or what was typed.
    text: String,
    own: bool,
    can_write: bool,
    saved: bool,
    updated_by: Option<String>,
    updated_at: Option<String>,
    metrics: Vec<MetricSummary>,
    disabled: Vec<String>,
    /// Why the typed file was refused, or why the saved one no longer fits, and where.
    error: Option<String>,
    error_line: Option<usize>,
    /// True when `error` is about the saved file rather than a refused save.
    stale: bool,
}

#[derive(Deserialize, Default)]
struct MetricsQuery {
    #[serde(default)]
    saved: String,
}

#[derive(Deserialize, Default)]
struct MetricsForm {
    #[serde(default)]
    text: String,
    /// Present when the park goes back to the defaults.
    reset: Option<String>,
}

async fn show(State(st): State<AppState>, page: Page, Query(q): Query<MetricsQuery>) -> PageResult {
    let file = park_metrics::metrics_file(&st.db, &page.who).await?;
    let chrome = chrome(&st, &page, "/report").await?;
    Ok(render(
        "report_metrics.html",
        MetricsView {
            chrome,
            stale: file.problem.is_some(),
            error: file.problem,
            error_line: file.problem_line,
            text: file.text,
            own: file.own,
            can_write: page.who.role.allows(Action::WriteReport),
            saved: q.saved == "1",
            updated_by: file.updated_by,
            updated_at: file.updated_at.map(|t| {
                crate::calendar::local(t)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            metrics: file.metrics,
            disabled: file.disabled,
        },
    ))
}

async fn save(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<MetricsForm>,
) -> PageResult {
    let text = if f.reset.is_some() {
        String::new()
    } else {
        f.text.replace("\r\n", "\n")
    };
    let (message, line) = match park_metrics::save_metrics(&st.db, &page.who, &text, st.now()).await
    {
        Ok(_) => return Ok(Redirect::to("/report/metrics?saved=1").into_response()),
        Err(ReportError::App(e)) => return Err(e.into()),
        Err(e) => {
            let line = match &e {
                ReportError::MetricsFile { line, .. } => Some(*line),
                _ => None,
            };
            (e.to_string(), line)
        }
    };
    // The catalogue shown beside the refused text is the one still in force.
    let file = park_metrics::metrics_file(&st.db, &page.who).await?;
    let chrome = chrome(&st, &page, "/report").await?;
    Ok(render_form(
        "report_metrics.html",
        MetricsView {
            chrome,
            text,
            own: file.own,
            can_write: true,
            saved: false,
            updated_by: file.updated_by,
            updated_at: file.updated_at.map(|t| {
                crate::calendar::local(t)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            }),
            metrics: file.metrics,
            disabled: file.disabled,
            error: Some(message),
            error_line: line,
            stale: false,
        },
        true,
    ))
}
