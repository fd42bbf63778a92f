//! The report template editor: the park's templates, one template's versions (older ones
//! viewable), editing with a preview against a chosen year's data, and saving as a new version.
//! A template that does not render is shown with its line and reason and is not saved.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::error::ReportError;
use super::pages::{chrome, parse_year, this_year};
use super::park_metrics::{self, MetricSummary};
use super::service::{self, TemplateInput, VersionSummary};
use super::ReportTemplate;
use crate::auth::Action;
use crate::calendar::Year;
use crate::error::{AppError, FieldError};
use crate::web::ui::{render, render_form, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report/templates", get(list))
        .route("/report/templates/new", get(new_form).post(new_submit))
        .route("/report/templates/{id}", get(edit_form).post(edit_submit))
}

// ---- list ----

#[derive(Serialize)]
struct ListView {
    chrome: Chrome,
    templates: Vec<VersionSummaryView>,
    can_write: bool,
}

#[derive(Serialize)]
struct VersionSummaryView {
    id: i64,
    name: String,
    version: i64,
    author: String,
    saved_at: String,
}

fn summary_view(v: &VersionSummary) -> VersionSummaryView {
    VersionSummaryView {
        id: v.id,
        name: v.name.clone(),
        version: v.version,
        author: v.author.clone(),
        saved_at: crate::calendar::local(v.created_at)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    }
}

async fn list(State(st): State<AppState>, page: Page) -> PageResult {
    let result = async {
        let templates = service::templates(&st.db, &page.who).await?;
        Ok::<_, AppError>(ListView {
            chrome: chrome(&st, &page, "/report").await?,
            templates: templates.iter().map(summary_view).collect(),
            can_write: page.who.role.allows(Action::WriteReport),
        })
    }
    .await;
    match result {
        Ok(v) => Ok(render("report_templates.html", v)),
        Err(e) => Err(e.into()),
    }
}

// ---- editor ----

#[derive(Serialize)]
struct EditView {
    chrome: Chrome,
    /// The saved template's id; none for a new one.
    id: Option<i64>,
    name: String,
    source: String,
    /// The version shown (an older one when asked for), and the latest saved.
    version: Option<i64>,
    latest: Option<i64>,
    versions: Vec<VersionSummaryView>,
    year: Year,
    years: Vec<i32>,
    can_write: bool,
    saved: bool,
    /// A form mistake (name, source) or a refused save.
    message: Option<String>,
    errors: Vec<FieldError>,
    /// Why the template does not render, with its line.
    problem: Option<Problem>,
    /// The report rendered with this source, when a preview was asked for.
    preview: Option<String>,
    /// The park's metrics a template may name, in the order the report computes them.
    metrics: Vec<MetricSummary>,
}

#[derive(Serialize)]
struct Problem {
    message: String,
    line: Option<usize>,
    /// The template's text on that line.
    excerpt: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct EditQuery {
    #[serde(default)]
    version: String,
    #[serde(default)]
    saved: String,
    #[serde(default)]
    year: String,
}

#[derive(Debug, Default, Deserialize)]
struct EditForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    base_version: String,
    /// `preview` or `save`.
    #[serde(default)]
    action: String,
}

const YEARS_OFFERED: i32 = 6;

fn years(this_year: i32, year: i32) -> Vec<i32> {
    let mut years: Vec<i32> = (0..YEARS_OFFERED).map(|i| this_year - i).collect();
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    years
}

impl EditView {
    async fn new(
        st: &AppState,
        page: &Page,
        id: Option<i64>,
        year: Year,
    ) -> Result<EditView, AppError> {
        let versions = match id {
            Some(id) => service::template_history(&st.db, &page.who, id).await?,
            None => Vec::new(),
        };
        let metrics = park_metrics::metrics_file(&st.db, &page.who).await?.metrics;
        Ok(EditView {
            chrome: chrome(st, page, "/report").await?,
            id,
            name: versions.first().map(|v| v.name.clone()).unwrap_or_default(),
            source: String::new(),
            version: None,
            latest: versions.first().map(|v| v.version),
            versions: versions.iter().map(summary_view).collect(),
            year,
            years: years(st.now().year(), year.get()),
            can_write: page.who.role.allows(Action::WriteReport),
            saved: false,
            message: None,
            errors: Vec::new(),
            problem: None,
            preview: None,
            metrics,
        })
    }
}

async fn new_form(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let result = async {
        page.who.require(Action::WriteReport)?;
        let year = parse_year(&q.year, this_year(&st)?)?;
        let mut view = EditView::new(&st, &page, None, year).await?;
        view.source = ReportTemplate::builtin().source;
        Ok::<_, AppError>(view)
    }
    .await;
    match result {
        Ok(v) => Ok(render("report_template_edit.html", v)),
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    let result = async {
        let year = parse_year(&q.year, this_year(&st)?)?;
        let version = match q.version.trim() {
            "" => None,
            v => Some(
                v.parse::<i64>()
                    .map_err(|_| AppError::invalid("version", "模板版本", "版本号应为正整数"))?,
            ),
        };
        let shown = service::template_version(&st.db, &page.who, id, version).await?;
        let mut view = EditView::new(&st, &page, Some(id), year).await?;
        view.source = shown.source;
        view.version = Some(shown.version);
        view.saved = q.saved == "1";
        Ok::<_, AppError>(view)
    }
    .await;
    match result {
        Ok(v) => Ok(render("report_template_edit.html", v)),
        Err(e) => Err(e.into()),
    }
}

async fn new_submit(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<EditForm>,
) -> PageResult {
    submit(st, page, None, f).await
}

async fn edit_submit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EditForm>,
) -> PageResult {
    submit(st, page, Some(id), f).await
}

/// Preview or save: both render the typed source against the chosen year's data first, so a
/// template that fails is shown with its line and never saved.
async fn submit(st: AppState, page: Page, id: Option<i64>, f: EditForm) -> PageResult {
    page.who.require(Action::WriteReport)?;
    let result = async {
        let year = parse_year(&f.year, this_year(&st)?)?;
        let mut view = EditView::new(&st, &page, id, year).await?;
        if id.is_none() {
            view.name = f.name.trim().to_string();
        }
        view.source = f.source.clone();
        view.version = view.latest;
        let data =
            service::report(&st.db, &page.who, year, crate::calendar::today(st.now())).await?;
        let name = if view.name.is_empty() {
            "新模板".to_string()
        } else {
            view.name.clone()
        };
        let template = ReportTemplate::new(name, f.source.clone());
        let rendered =
            super::render::off_the_workers(move || super::html::render_article(&data, &template))
                .await;
        match rendered {
            Ok(html) => view.preview = Some(html),
            Err(ReportError::App(e)) => return Err(e),
            Err(e) => view.problem = Some(problem(&e, &f.source)),
        }
        if f.action != "save" || view.problem.is_some() {
            return Ok(Err(view));
        }
        let input = TemplateInput {
            id,
            base_version: f.base_version.trim().parse().ok(),
            name: view.name.clone(),
            source: f.source.clone(),
        };
        match service::save_template(&st.db, &page.who, input, st.now()).await {
            Ok(saved) => Ok(Ok(saved.id)),
            Err(AppError::Invalid(errors)) => {
                view.message = Some(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("；"),
                );
                view.errors = errors;
                Ok(Err(view))
            }
            Err(AppError::BadRequest(message)) => {
                view.message = Some(message);
                Ok(Err(view))
            }
            Err(e) => Err(e),
        }
    }
    .await;
    match result {
        Ok(Ok(saved_id)) => {
            Ok(Redirect::to(&format!("/report/templates/{saved_id}?saved=1")).into_response())
        }
        Ok(Err(view)) => {
            let refused = view.problem.is_some() || view.message.is_some();
            Ok(render_form("report_template_edit.html", view, refused))
        }
        Err(e) => Err(e.into()),
    }
}

/// The reason a template failed, with its line and the text on that line when known.
fn problem(error: &ReportError, source: &str) -> Problem {
    let line = match error {
        ReportError::Template { line, .. } => *line,
        ReportError::UnknownMetric { line, .. } => Some(*line),
        _ => None,
    };
    let excerpt = line
        .and_then(|n| source.lines().nth(n.saturating_sub(1)))
        .map(|text| text.chars().take(200).collect());
    Problem {
        message: error.to_string(),
        line,
        excerpt,
    }
}
