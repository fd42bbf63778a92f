//! Excel 导入 pages: upload → progress → a preview of the first rows and every error → confirm →
//! the result with counts per sheet. The work is done by [`super::uploads`]; these handlers only
//! read forms and show jobs.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::uploads::{Job, Refusal, Stage};
use super::{ImportReport, Issue, SheetPreview, SheetSummary};
use crate::auth::Action;
use crate::error::AppError;
use crate::ledger::catalogue::KindDef;
use crate::web::ui::{error_page, render, Chrome, Page, Upload};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[("import.html", include_str!("templates/import.html"))];

/// Errors listed on the page; the marked workbook holds all of them.
const SHOWN_ERRORS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/import", get(form).post(upload))
        .route("/import/{token}", get(show))
        .route("/import/{token}/confirm", post(confirm))
        .route("/import/{token}/errors.xlsx", get(error_workbook))
        .route("/ledger/{kind}/export", get(export))
        .route("/ledger/{kind}/template", get(template))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx_download(file_name: &str, bytes: Vec<u8>) -> PageResult {
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                crate::web::ui::attachment_disposition(file_name, false),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The ledger page's records as a workbook: the same filters as the page (every page of them).
async fn export(
    State(st): State<AppState>,
    page: Page,
    Path(kind): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let def = crate::ledger::kinds::kind(&st.db, &page.who, &kind).await?;
    // The same default year as the list page, so that the export holds what the page listed.
    let working_year = crate::ledger::pages::working_year(&st, &page).await?;
    let filters = crate::ledger::pages::list_filters(&def, &pairs, working_year);
    if !filters.errors.is_empty() {
        return Ok(error_page(
            StatusCode::BAD_REQUEST,
            &filters.errors.join("；"),
        ));
    }
    match super::export::listed(&st.db, &page.who, filters.params).await {
        Ok(done) => {
            let year = pairs
                .iter()
                .find(|(k, _)| k == "year")
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
                .map(|y| format!("{y}年"))
                .unwrap_or_default();
            xlsx_download(&format!("{}{year}.xlsx", done.sheet), done.bytes)
        }
        Err(e) => Err(e.into()),
    }
}

/// A blank import template of the kind, with drop-down lists and a guide.
async fn template(State(st): State<AppState>, page: Page, Path(kind): Path<String>) -> PageResult {
    let def = crate::ledger::kinds::kind(&st.db, &page.who, &kind).await?;
    page.who.require(Action::WriteRecords(&def.id))?;
    crate::ledger::pages::refuse_if_closed(&def)?;
    match super::template::workbook(&st.db, page.who.park_id, &def.id).await {
        Ok(t) => xlsx_download(&format!("{}导入模板.xlsx", def.sheet), t.bytes),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            Ok(error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
            ))
        }
    }
}

#[derive(Serialize)]
struct ImportView {
    chrome: Chrome,
    max_mb: u64,
    kinds: Vec<KindDef>,
    kind: String,
    error: Option<String>,
    recent: Vec<RecentView>,
    job: Option<JobView>,
    refresh: bool,
}

#[derive(Serialize)]
struct RecentView {
    token: String,
    file_name: String,
    stage: &'static str,
}

#[derive(Serialize)]
struct JobView {
    token: String,
    file_name: String,
    stage: &'static str,
    rows: u64,
    seconds: u64,
    message: Option<String>,
    sheets: Vec<SheetSummary>,
    warnings: Vec<String>,
    errors: Vec<Issue>,
    error_count: usize,
    previews: Vec<SheetPreview>,
    can_confirm: bool,
    imported: bool,
    total: usize,
    skipped: usize,
}

fn stage_label(stage: &Stage) -> &'static str {
    match stage {
        Stage::Queued { import: false } => "排队等待检查",
        Stage::Queued { import: true } => "排队等待导入",
        Stage::Running { import: false } => "正在检查",
        Stage::Running { import: true } => "正在导入",
        Stage::Checked(Ok(_)) => "检查通过，待确认导入",
        Stage::Checked(Err(_)) => "检查未通过",
        Stage::Imported(Ok(_)) => "已导入",
        Stage::Imported(Err(_)) => "导入未成功",
    }
}

impl JobView {
    fn new(job: &Job) -> JobView {
        let stage = job.stage();
        let mut view = JobView {
            token: job.token.clone(),
            file_name: job.file_name.clone(),
            stage: stage_label(&stage),
            rows: job.rows_read(),
            seconds: job.seconds(),
            message: None,
            sheets: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            error_count: 0,
            previews: Vec::new(),
            can_confirm: false,
            imported: false,
            total: 0,
            skipped: 0,
        };
        let (result, imported) = match stage {
            Stage::Queued { .. } | Stage::Running { .. } => return view,
            Stage::Checked(r) => (r, false),
            Stage::Imported(r) => (r, true),
        };
        match result {
            Ok(report) => {
                view.can_confirm = !imported;
                view.imported = imported;
                view.fill(report);
            }
            Err(Refusal::Invalid(report)) => {
                view.message = Some(format!(
                    "文件中有 {} 处错误，没有导入任何数据。请按下表改正后重新上传。",
                    report.errors.len()
                ));
                view.fill(*report);
            }
            Err(Refusal::Failed(message)) => view.message = Some(message),
        }
        view
    }

    fn fill(&mut self, report: ImportReport) {
        self.total = report.sheets.iter().map(|s| s.imported).sum();
        self.skipped = report.sheets.iter().map(|s| s.skipped).sum();
        self.sheets = report.sheets;
        self.warnings = report.warnings.iter().map(ToString::to_string).collect();
        self.error_count = report.errors.len();
        self.errors = report.errors.into_iter().take(SHOWN_ERRORS).collect();
        self.previews = report.previews;
    }
}

async fn readable_kinds(st: &AppState, page: &Page) -> Result<Vec<KindDef>, AppError> {
    crate::ledger::kinds::kinds(&st.db, &page.who).await
}

/// The upload form, with `error` and the kind chosen kept after a refused upload.
async fn form_page(
    st: &AppState,
    page: &Page,
    kind: String,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    page.who.require(Action::ImportLedgers)?;
    let kinds = readable_kinds(st, page).await?;
    let recent = st
        .part::<super::uploads::Uploads>()
        .mine(&page.who)
        .iter()
        .map(|j| RecentView {
            token: j.token.clone(),
            file_name: j.file_name.clone(),
            stage: stage_label(&j.stage()),
        })
        .collect();
    let mut res = render(
        "import.html",
        ImportView {
            chrome: page.chrome(st, "/import").await?,
            max_mb: super::limits::MAX_FILE_BYTES
                .min(st.config.max_upload_bytes as u64)
                .div_ceil(1024 * 1024),
            kinds,
            kind,
            error,
            recent,
            job: None,
            refresh: false,
        },
    );
    *res.status_mut() = status;
    Ok(res)
}

async fn form(State(st): State<AppState>, page: Page) -> PageResult {
    form_page(&st, &page, String::new(), None, StatusCode::OK).await
}

async fn upload(State(st): State<AppState>, page: Page, form: Multipart) -> PageResult {
    let mut upload = Upload::read(&page, form, st.config.max_upload_bytes).await?;
    let kind = upload.field("kind").to_string();
    let Some((name, bytes)) = upload.file.take() else {
        let message = "请选择要导入的工作簿文件".to_string();
        return form_page(&st, &page, kind, Some(message), StatusCode::BAD_REQUEST).await;
    };
    let chosen = Some(kind.clone()).filter(|k| !k.is_empty());
    match st.part::<super::uploads::Uploads>().start(
        &st.db,
        &page.who,
        name,
        chosen,
        bytes,
        st.now(),
    ) {
        Ok(job) => Ok(Redirect::to(&format!("/import/{}", job.token)).into_response()),
        Err(AppError::BadRequest(message)) => {
            form_page(&st, &page, kind, Some(message), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn show(State(st): State<AppState>, page: Page, Path(token): Path<String>) -> PageResult {
    let job = match st.part::<super::uploads::Uploads>().get(&page.who, &token) {
        Ok(j) => j,
        Err(e) => return Err(e.into()),
    };
    let view = JobView::new(&job);
    let refresh = matches!(job.stage(), Stage::Queued { .. } | Stage::Running { .. });
    Ok(render(
        "import.html",
        ImportView {
            chrome: page.chrome(&st, "/import").await?,
            max_mb: 0,
            kinds: Vec::new(),
            kind: String::new(),
            error: None,
            recent: Vec::new(),
            job: Some(view),
            refresh,
        },
    ))
}

async fn confirm(
    State(st): State<AppState>,
    page: Page,
    Path(token): Path<String>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    match st
        .part::<super::uploads::Uploads>()
        .confirm(&st.db, &page.who, &token, st.now())
    {
        Ok(job) => Ok(Redirect::to(&format!("/import/{}", job.token)).into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn error_workbook(
    State(st): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> PageResult {
    let job = match st.part::<super::uploads::Uploads>().get(&page.who, &token) {
        Ok(j) => j,
        Err(e) => return Err(e.into()),
    };
    let bytes = match job.stage() {
        Stage::Checked(Err(Refusal::Invalid(report)))
        | Stage::Imported(Err(Refusal::Invalid(report))) => report.error_workbook,
        _ => None,
    };
    let Some(bytes) = bytes else {
        return Ok(error_page(
            StatusCode::NOT_FOUND,
            "这个文件没有标出错误的工作簿",
        ));
    };
    let stem = job
        .file_name
        .rsplit_once('.')
        .map_or(job.file_name.as_str(), |(s, _)| s);
    let name = format!("{stem}.errors.xlsx");
    xlsx_download(&name, bytes)
}
