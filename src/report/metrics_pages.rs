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
use crate::web::ui::{render_form, Chrome, Page};
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

/// The page over the catalogue in force: `typed` is the editor's text when a save was refused
/// (with why and where), else the saved file's text and any problem it has now.
async fn metrics_page(
    st: &AppState,
    page: &Page,
    saved: bool,
    typed: Option<(String, String, Option<usize>)>,
) -> PageResult {
    let file = park_metrics::metrics_file(&st.db, &page.who).await?;
    let refused = typed.is_some();
    let (text, error, error_line, stale) = match typed {
        Some((text, message, line)) => (text, Some(message), line, false),
        None => (
            file.text,
            file.problem.clone(),
            file.problem_line,
            file.problem.is_some(),
        ),
    };
    let view = MetricsView {
        chrome: chrome(st, page, "/report").await?,
        text,
        own: file.own,
        can_write: refused || page.who.role.allows(Action::WriteReport),
        saved,
        updated_by: file.updated_by,
        updated_at: file.updated_at.map(|t| {
            crate::calendar::local(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        metrics: file.metrics,
        disabled: file.disabled,
        error,
        error_line,
        stale,
    };
    Ok(render_form("report_metrics.html", view, refused))
}

async fn show(State(st): State<AppState>, page: Page, Query(q): Query<MetricsQuery>) -> PageResult {
    metrics_page(&st, &page, q.saved == "1", None).await
}

async fn save(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<MetricsForm>,
) -> PageResult {
    let text = match f.reset {
        Some(_) => String::new(),
        None => f.text.replace("\r\n", "\n"),
    };
    match park_metrics::save_metrics(&st.db, &page.who, &text, st.now()).await {
        Ok(_) => Ok(Redirect::to("/report/metrics?saved=1").into_response()),
        Err(ReportError::App(e)) => Err(e.into()),
        // The catalogue shown beside the refused text is the one still in force.
        Err(e) => {
            let typed = (text, e.to_string(), line_of(&e));
            metrics_page(&st, &page, false, Some(typed)).await
        }
    }
}

/// The line of the metric file a refusal names, if any.
fn line_of(e: &ReportError) -> Option<usize> {
    match e {
        ReportError::MetricsFile { line, .. } => Some(*line),
        _ => None,
    }
}
