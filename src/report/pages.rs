//! 述职报告 pages: the report of a year (choose year and template, preview, download), the
//! records behind a figure, the cause analysis of a year. The template editor lives in
//! `template_pages`. Thin handlers over `report::service`; views built here, HTML from templates.
//!
//! The preview lives at `/report/view`, so the report's relative figure links
//! (`records?metric=ID&year=Y`) resolve to `/report/records`.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::error::ReportError;
use super::service::{self, TemplateChoice, VersionSummary};
use super::{Format, ReportData, ReportTemplate};
use crate::auth::Action;
use crate::calendar::Year;
use crate::error::{AppError, FieldError};
use crate::web::form::{joined, saved_or_again};
use crate::web::ui::{error_page, render, render_form, urlencode, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "report_index.html",
        include_str!("templates/report_index.html"),
    ),
    (
        "report_chooser.html",
        include_str!("templates/report_chooser.html"),
    ),
    (
        "report_view.html",
        include_str!("templates/report_view.html"),
    ),
    (
        "report_records.html",
        include_str!("templates/report_records.html"),
    ),
    (
        "report_causes.html",
        include_str!("templates/report_causes.html"),
    ),
    (
        "report_templates.html",
        include_str!("templates/report_templates.html"),
    ),
    (
        "report_template_edit.html",
        include_str!("templates/report_template_edit.html"),
    ),
    (
        "report_metrics.html",
        include_str!("templates/report_metrics.html"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report", get(index))
        .route("/report/view", get(view))
        .route("/report/download", get(download))
        .route("/report/records", get(records))
        // The editor's preview lives under /report/templates/…, where the report's relative
        // figure links resolve here.
        .route("/report/templates/records", get(records))
        .route("/report/causes", get(causes_form).post(causes_save))
        .merge(super::template_pages::router())
        .merge(super::metrics_pages::router())
}

/// How many counted records the records page lists at a time.
const RECORDS_PAGE: usize = 100;

/// The years the chooser offers: this year and the five before it.
const YEARS_OFFERED: i32 = 6;

/// The query of the report pages: a year, a template and, for downloads, a format.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    format: String,
}

/// The year and template the pages were asked for, checked.
struct Chosen {
    year: Year,
    template: TemplateChoice,
}

impl ReportQuery {
    fn chosen(&self, this_year: Year) -> Result<Chosen, AppError> {
        let year = parse_year(&self.year, this_year)?;
        let mut template = TemplateChoice::parse(&self.template)?;
        if let TemplateChoice::Saved { version, .. } = &mut template {
            *version =
                match self.version.trim() {
                    "" => None,
                    v => Some(v.parse().map_err(|_| {
                        AppError::invalid("version", "模板版本", "版本号应为正整数")
                    })?),
                };
        }
        Ok(Chosen { year, template })
    }
}

/// Reads a report year; empty means this year.
pub(crate) fn parse_year(text: &str, this_year: Year) -> Result<Year, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(this_year);
    }
    Year::parse(text).map_err(|e| e.at("year", "年份"))
}

/// The park's current year, as the year of a page that names none.
pub(crate) fn this_year(st: &AppState) -> Result<Year, AppError> {
    Year::new(st.now().year()).map_err(|e| e.at("year", "年份"))
}

/// The year a report page opens on when none is asked for: the working year
/// ([`crate::ledger::pages::working_year`]).
async fn default_year(st: &AppState, page: &Page, q: &ReportQuery) -> Result<Year, AppError> {
    if !q.year.trim().is_empty() {
        // Parsed (and refused when it is no year) by `ReportQuery::chosen`.
        return this_year(st);
    }
    let year = crate::ledger::pages::working_year(st, page).await?;
    Year::new(year).map_err(|e| e.at("year", "年份"))
}

/// The menu and layout of a report page.
pub(crate) async fn chrome(st: &AppState, page: &Page, active: &str) -> Result<Chrome, AppError> {
    page.chrome(st, active).await
}

/// The year and template choice shown above the report and on the index page.
#[derive(Serialize)]
pub(crate) struct ChooserView {
    year: Year,
    years: Vec<i32>,
    template: String,
    templates: Vec<VersionSummary>,
    /// The saved version chosen, when an older one was asked for.
    version: Option<i64>,
    /// Whether the report was rendered and its health check shown on this page: only then
    /// are the downloads offered.
    checked: bool,
}

async fn chooser(
    st: &AppState,
    page: &Page,
    year: Year,
    template: TemplateChoice,
) -> Result<ChooserView, AppError> {
    let years = crate::web::ui::years_offered(st.now().year(), YEARS_OFFERED, year.get());
    let version = match template {
        TemplateChoice::Saved { version, .. } => version,
        TemplateChoice::Builtin => None,
    };
    Ok(ChooserView {
        year,
        years,
        template: template.key(),
        templates: service::templates(&st.db, &page.who).await?,
        version,
        checked: false,
    })
}

// ---- index ----

#[derive(Serialize)]
struct IndexView {
    chrome: Chrome,
    chooser: ChooserView,
    causes: service::Causes,
    can_write: bool,
}

async fn index(State(st): State<AppState>, page: Page, Query(q): Query<ReportQuery>) -> PageResult {
    let result = async {
        page.who.require(Action::ReadReport)?;
        let chosen = q.chosen(default_year(&st, &page, &q).await?)?;
        let causes = service::causes(&st.db, &page.who, chosen.year).await?;
        Ok::<_, AppError>(IndexView {
            chrome: chrome(&st, &page, "/report").await?,
            chooser: chooser(&st, &page, chosen.year, chosen.template).await?,
            causes,
            can_write: page.who.role.allows(Action::WriteReport),
        })
    }
    .await;
    match result {
        Ok(v) => Ok(render("report_index.html", v)),
        Err(e) => Err(e.into()),
    }
}

// ---- preview ----

#[derive(Serialize)]
struct ReportView {
    chrome: Chrome,
    chooser: ChooserView,
    /// The report's `<article>`, rendered by our own auto-escaping template.
    article: Option<String>,
    /// Why the report could not be rendered (a template error with its line).
    error: Option<String>,
    /// The health check (报告体检), shown above the report and its downloads.
    warnings: Vec<super::Warning>,
}

async fn view(State(st): State<AppState>, page: Page, Query(q): Query<ReportQuery>) -> PageResult {
    let prepared = async {
        let chosen = q.chosen(default_year(&st, &page, &q).await?)?;
        let (data, template) = report_input(&st, &page, &chosen).await?;
        Ok::<_, AppError>((chosen, data, template))
    }
    .await;
    let (chosen, data, template) = match prepared {
        Ok(p) => p,
        Err(e) => return Err(e.into()),
    };
    let rendered = super::render::off_the_workers(move || {
        let mut data = data;
        super::health::apply(&mut data, &template)?;
        let html = super::html::render_article(&data, &template)?;
        Ok((html, data.warnings))
    })
    .await;
    let (article, error, warnings) = match rendered {
        Ok((html, warnings)) => (Some(html), None, warnings),
        Err(ReportError::App(e)) => return Err(e.into()),
        Err(e) => (None, Some(e.to_string()), Vec::new()),
    };
    let failed = error.is_some();
    let view = async {
        Ok::<_, AppError>(ReportView {
            chrome: chrome(&st, &page, "/report").await?,
            chooser: ChooserView {
                checked: !failed,
                ..chooser(&st, &page, chosen.year, chosen.template).await?
            },
            article,
            error,
            warnings,
        })
    }
    .await;
    match view {
        Ok(v) => Ok(render_form("report_view.html", v, failed)),
        Err(e) => Err(e.into()),
    }
}

/// The report's data and the chosen template, both checked against the caller's rights.
async fn report_input(
    st: &AppState,
    page: &Page,
    chosen: &Chosen,
) -> Result<(ReportData, ReportTemplate), AppError> {
    let template = service::template(&st.db, &page.who, chosen.template).await?;
    let today = crate::calendar::today(st.now());
    let data = service::report(&st.db, &page.who, chosen.year, today).await?;
    Ok((data, template))
}

// ---- download ----

/// A rendered download: its bytes, media type and file extension.
struct Download {
    bytes: Vec<u8>,
    content_type: &'static str,
    extension: &'static str,
}

/// Renders the report in `format` as its file: the bytes, media type and extension.
fn render_download(
    format: Format,
    data: &ReportData,
    template: &ReportTemplate,
    fonts: &super::DocxFonts,
) -> Result<Download, ReportError> {
    let (content_type, extension) = match format {
        Format::Markdown => ("text/markdown; charset=utf-8", "md"),
        Format::Html => ("text/html; charset=utf-8", "html"),
        Format::Json => ("application/json", "json"),
        Format::Docx => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        Format::Pdf => ("application/pdf", "pdf"),
    };
    Ok(Download {
        bytes: super::render_bytes(data, template, format, fonts)?,
        content_type,
        extension,
    })
}

async fn download(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    // A format we do not write is refused before anything is computed.
    let format = match q.format.parse::<Format>() {
        Ok(f) => f,
        Err(e) => return Ok(error_page(StatusCode::BAD_REQUEST, &format!("格式：{e}"))),
    };
    let prepared = async {
        let chosen = q.chosen(this_year(&st)?)?;
        report_input(&st, &page, &chosen).await
    }
    .await;
    let (data, template) = match prepared {
        Ok(p) => p,
        Err(e) => return Err(e.into()),
    };
    let name = format!("{}{}年度述职报告", data.park, data.year);
    let year = data.year;
    let fonts = st.config.report_fonts.clone();
    // The conversion to PDF runs LibreOffice for seconds: it waits on its own thread, not in
    // the render slots, which stop waiting after RENDER_WALL_CLOCK.
    let rendered = if format == Format::Pdf {
        tokio::task::spawn_blocking(move || {
            super::pdf::render_pdf(&data, &template, &fonts).map(|bytes| Download {
                bytes,
                content_type: "application/pdf",
                extension: "pdf",
            })
        })
        .await
        .unwrap_or(Err(ReportError::Crashed))
    } else {
        super::render::off_the_workers(move || {
            let mut data = data;
            super::health::apply(&mut data, &template)?;
            render_download(format, &data, &template, &fonts)
        })
        .await
    };
    let file = match rendered {
        Ok(f) => f,
        Err(ReportError::App(e)) => return Err(e.into()),
        Err(e @ (ReportError::PdfUnavailable | ReportError::PdfTimedOut(_))) => {
            return Ok(error_page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))
        }
        Err(e) => return Ok(error_page(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())),
    };
    let name = format!("{name}.{}", file.extension);
    let ascii = format!("report-{year}.{}", file.extension);
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(&name)
    );
    let mut res = file.bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A file name as RFC 5987 `ext-value` characters: UTF-8 bytes percent-encoded except the
/// `attr-char` set.
pub(super) fn rfc5987(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---- records behind a figure ----

#[derive(Debug, Deserialize)]
struct RecordsQuery {
    #[serde(default)]
    metric: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    page: String,
}

#[derive(Serialize)]
struct RecordsView {
    chrome: Chrome,
    year: Year,
    metric: MetricHead,
    definition: String,
    people: bool,
    tasks: bool,
    org: bool,
    requests: bool,
    policies: bool,
    total: usize,
    hidden: usize,
    rows: Vec<RecordRowView>,
    /// The heading of the column that says what each item adds to the figure.
    part_label: Option<String>,
    /// How the items add up to the figure, computed from all of them.
    recomputed: String,
    page: usize,
    pages: usize,
    query: String,
    /// The same figure's items last year (同比), their first page.
    previous: Option<PreviousView>,
}

/// Last year's items of a figure, below this year's.
#[derive(Serialize)]
struct PreviousView {
    year: Year,
    value: String,
    total: usize,
    hidden: usize,
    rows: Vec<RecordRowView>,
    /// More items than listed: the full list is that year's own page.
    more: bool,
    /// The query of that year's own page.
    query: String,
}

#[derive(Serialize)]
struct MetricHead {
    id: String,
    label: String,
    value: String,
    unit: String,
}

#[derive(Serialize)]
struct RecordRowView {
    id: i64,
    kind: String,
    date: String,
    unit: String,
    title: String,
    /// Which page of its own the item opens: `record`, `person`, `task`, or `org` (at `href`).
    link: &'static str,
    href: String,
    /// What the item adds to a sum or a ratio, or a task's completion.
    part: String,
}

/// Decimal places for a part or a total: whole numbers as such, others as the metric rounds.
fn metric_decimals(metric: &super::MetricValue, x: f64) -> u32 {
    if x.fract() == 0.0 {
        0
    } else {
        metric.decimals.max(1)
    }
}

async fn records(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<RecordsQuery>,
) -> PageResult {
    match records_view(&st, &page, &q).await {
        Ok(v) => Ok(render("report_records.html", v)),
        Err(e) => Err(e.into()),
    }
}

async fn records_view(
    st: &AppState,
    page: &Page,
    q: &RecordsQuery,
) -> Result<RecordsView, AppError> {
    page.who.require(Action::ReadReport)?;
    let year = parse_year(&q.year, this_year(st)?)?;
    let page_no = q.page.trim().parse::<usize>().unwrap_or(1).max(1);
    let found = service::metric_records(
        &st.db,
        &page.who,
        q.metric.trim(),
        year,
        ((page_no - 1) * RECORDS_PAGE, RECORDS_PAGE),
    )
    .await?;
    // Last year's items of the same figure, its first page, so that the change can be read
    // record by record; a year before the first the calendar knows has none.
    let previous = match year.previous() {
        Some(before) => Some((
            before,
            service::metric_records(
                &st.db,
                &page.who,
                q.metric.trim(),
                before,
                (0, RECORDS_PAGE),
            )
            .await?,
        )),
        None => None,
    };
    let units: std::collections::HashMap<i64, String> =
        crate::org::queries::units(&st.db, page.who.park_id)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let kinds = crate::ledger::queries::kinds(&st.db, page.who.park_id).await?;
    let rows = rows_of(&found, &units, &kinds);
    let total = found.metric.records.len();
    let fixed = |x: f64| super::numbers::fixed(x, metric_decimals(&found.metric, x));
    let recomputed = match found.totals {
        Some((part, Some(whole))) => {
            let decimals = found.metric.decimals;
            let rate = super::compute::percent(part, whole, decimals);
            let (a, b) = if found.tasks {
                (
                    format!("按期完成 {} 项", fixed(part)),
                    format!("应完成 {} 项", fixed(whole)),
                )
            } else if found.requests {
                (
                    format!("计入分子 {} 件", fixed(part)),
                    format!("统计 {} 件", fixed(whole)),
                )
            } else if found.policies {
                (
                    format!("已阅读 {} 次", fixed(part)),
                    format!("推送 {} 次", fixed(whole)),
                )
            } else {
                (
                    format!("分子合计 {}", fixed(part)),
                    format!("分母合计 {}", fixed(whole)),
                )
            };
            format!("{a} ÷ {b} = {}%", super::numbers::fixed(rate, decimals))
        }
        Some((sum, None)) if found.requests => format!(
            "{total} 件诉求共用 {} 个工作日，平均 {}",
            fixed(sum),
            super::numbers::fixed(
                if total == 0 { 0.0 } else { sum / total as f64 },
                found.metric.decimals
            )
        ),
        Some((sum, None)) => format!("{total} 条记录合计 {}", fixed(sum)),
        None => format!(
            "共 {total} {}",
            if found.people {
                "人"
            } else if found.tasks {
                "项"
            } else if found.org {
                "个"
            } else if found.requests {
                "件"
            } else if found.policies {
                metric_unit(&found.metric.unit)
            } else {
                "条"
            }
        ),
    };
    let part_label = if found.tasks {
        Some("完成情况".to_string())
    } else if found.requests && found.totals.is_some_and(|(_, b)| b.is_none()) {
        Some("办结用时（工作日）".to_string())
    } else if found.totals.is_some_and(|(_, b)| b.is_some()) {
        Some("分子 / 分母".to_string())
    } else if found.totals.is_some() {
        Some("计入数值".to_string())
    } else {
        None
    };
    let metric = &found.metric;
    let previous = previous.map(|(before, p)| PreviousView {
        year: before,
        value: MetricHead::of(&p.metric).value,
        total: p.metric.records.len(),
        hidden: p.hidden,
        rows: rows_of(&p, &units, &kinds),
        more: p.metric.records.len() > RECORDS_PAGE,
        query: format!("metric={}&year={before}", urlencode(&p.metric.id)),
    });
    Ok(RecordsView {
        chrome: chrome(st, page, "/report").await?,
        year,
        metric: MetricHead::of(metric),
        definition: found.definition,
        people: found.people,
        tasks: found.tasks,
        org: found.org,
        requests: found.requests,
        policies: found.policies,
        total,
        hidden: found.hidden,
        rows,
        part_label,
        recomputed,
        page: page_no,
        pages: total.div_ceil(RECORDS_PAGE).max(1),
        query: format!("metric={}&year={year}", urlencode(&metric.id)),
        previous,
    })
}

impl MetricHead {
    fn of(metric: &super::MetricValue) -> MetricHead {
        MetricHead {
            id: metric.id.clone(),
            label: metric.label.clone(),
            value: match metric.value {
                super::Number::Int(n) => n.to_string(),
                super::Number::Float(x) => super::numbers::fixed(x, metric.decimals),
            },
            unit: metric.unit.clone(),
        }
    }
}

/// The counting word of a policy figure's items: its own unit (条, 家, 次), a rate's pushes 次.
fn metric_unit(unit: &str) -> &str {
    match unit {
        "条" | "家" | "次" => unit,
        _ => "次",
    }
}

/// The rows of the items a figure counted, as the records page lists them.
fn rows_of(
    found: &service::MetricRecords,
    units: &std::collections::HashMap<i64, String>,
    kinds: &[crate::ledger::catalogue::KindDef],
) -> Vec<RecordRowView> {
    let unit_name = |id: Option<i64>| {
        id.and_then(|id| units.get(&id).cloned())
            .unwrap_or_default()
    };
    let fixed = |x: f64| super::numbers::fixed(x, metric_decimals(&found.metric, x));
    if found.people {
        found
            .persons
            .iter()
            .map(|p| RecordRowView {
                id: p.id,
                kind: "人员名册".into(),
                date: String::new(),
                unit: unit_name(p.unit_id),
                title: p.name.clone(),
                link: "person",
                href: String::new(),
                part: String::new(),
            })
            .collect()
    } else if found.org {
        found
            .org_items
            .iter()
            .map(|o| RecordRowView {
                id: o.id,
                kind: o.what.clone(),
                date: String::new(),
                unit: o.detail.clone(),
                title: o.name.clone(),
                link: "org",
                href: o.href.clone(),
                part: String::new(),
            })
            .collect()
    } else if found.requests {
        found
            .request_items
            .iter()
            .map(|r| RecordRowView {
                id: r.id,
                kind: format!("企业诉求 {}", r.status),
                date: r.received_on.to_string(),
                unit: r.enterprise_name.clone(),
                title: r.title.clone(),
                link: "org",
                href: format!("/requests/{}", r.id),
                part: match r.part {
                    Some((a, Some(b))) => format!("{} / {}", fixed(a), fixed(b)),
                    Some((a, None)) => fixed(a),
                    None => String::new(),
                },
            })
            .collect()
    } else if found.policies {
        found
            .policy_items
            .iter()
            .map(|p| RecordRowView {
                id: p.id,
                kind: p.what.clone(),
                date: p.date.map(|d| d.to_string()).unwrap_or_default(),
                unit: p.detail.clone(),
                title: p.title.clone(),
                link: "org",
                href: p.href.clone(),
                part: match p.part {
                    Some((a, Some(b))) => format!("{} / {}", fixed(a), fixed(b)),
                    Some((a, None)) => fixed(a),
                    None => String::new(),
                },
            })
            .collect()
    } else if found.tasks {
        found
            .task_items
            .iter()
            .map(|t| RecordRowView {
                id: t.id,
                kind: format!("{} {}", t.status, t.seq).trim().to_string(),
                date: t.deadline.to_string(),
                unit: t.unit_name.clone(),
                title: t.content.clone(),
                link: "task",
                href: String::new(),
                part: match t.completed_on {
                    Some(d) if t.on_time => format!("按期（{d} 完成）"),
                    Some(d) => format!("逾期（{d} 完成）"),
                    None => "未完成".to_string(),
                },
            })
            .collect()
    } else {
        found
            .records
            .iter()
            .map(|r| RecordRowView {
                id: r.id,
                kind: kinds
                    .iter()
                    .find(|k| k.id == r.kind)
                    .map_or_else(|| r.kind.clone(), |k| k.sheet.clone()),
                date: r.date.to_string(),
                unit: unit_name(r.unit_id),
                title: r.title.clone(),
                link: "record",
                href: String::new(),
                part: match found.parts.get(&r.id) {
                    Some((a, Some(b))) => format!("{} / {}", fixed(*a), fixed(*b)),
                    Some((a, None)) => fixed(*a),
                    None => String::new(),
                },
            })
            .collect()
    }
}

// ---- cause analysis ----

#[derive(Debug, Default, Deserialize)]
struct CausesForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    causes: String,
    #[serde(default)]
    measures: String,
}

#[derive(Serialize)]
struct CausesView {
    chrome: Chrome,
    year: Year,
    causes: String,
    measures: String,
    updated_at: Option<String>,
    can_write: bool,
    saved: bool,
    message: Option<String>,
    errors: Vec<FieldError>,
}

#[derive(Debug, Default, Deserialize)]
struct CausesQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    saved: String,
}

impl CausesView {
    /// The form again with everything typed and each refused field named.
    fn refused(chrome: Chrome, year: Year, typed: CausesForm, errors: Vec<FieldError>) -> Self {
        CausesView {
            chrome,
            year,
            causes: typed.causes,
            measures: typed.measures,
            updated_at: None,
            can_write: true,
            saved: false,
            message: Some(joined(&errors)),
            errors,
        }
    }
}

async fn causes_form(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<CausesQuery>,
) -> PageResult {
    let year = parse_year(&q.year, this_year(&st)?)?;
    let saved = service::causes(&st.db, &page.who, year).await?;
    let view = CausesView {
        chrome: chrome(&st, &page, "/report").await?,
        year,
        causes: saved.causes,
        measures: saved.measures,
        updated_at: saved.updated_at.map(|t| {
            crate::calendar::local(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        can_write: page.who.role.allows(Action::WriteReport),
        saved: q.saved == "1",
        message: None,
        errors: Vec::new(),
    };
    Ok(render("report_causes.html", view))
}

async fn causes_save(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<CausesForm>,
) -> PageResult {
    let year = parse_year(&f.year, this_year(&st)?)?;
    let saved = service::save_causes(&st.db, &page.who, year, &f.causes, &f.measures, st.now());
    let saved = saved.await;
    let again = |errors| async move {
        let view = CausesView::refused(chrome(&st, &page, "/report").await?, year, f, errors);
        Ok(render("report_causes.html", view))
    };
    let to = |_: &()| format!("/report/causes?year={year}&saved=1");
    saved_or_again(saved, to, again).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_encoded_as_rfc_5987_ext_values() {
        assert_eq!(rfc5987("园区2024.md"), "%E5%9B%AD%E5%8C%BA2024.md");
        assert_eq!(rfc5987("a b"), "a%20b");
    }

    #[test]
    fn years_are_read_or_refused_naming_the_field() {
        let this_year = Year::new(2025).unwrap();
        assert_eq!(parse_year("", this_year).unwrap().get(), 2025);
        assert_eq!(parse_year(" 2024年", this_year).unwrap().get(), 2024);
        let e = parse_year("二〇二四", this_year).unwrap_err().to_string();
        assert!(e.contains("年份"), "{e}");
        assert!(parse_year("3000", this_year).is_err());
    }
}
