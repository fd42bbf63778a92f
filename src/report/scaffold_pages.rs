//! 范文转模板 page: paste or upload a model essay, see its placeholders highlighted and bound,
//! choose metrics for the unbound ones, and download the template (`.md.j2`).
//!
//! `GET /report/scaffold` shows the form; `POST /report/scaffold` (multipart: the pasted text or
//! a UTF-8/GBK file) shows the essay with each placeholder marked; `POST
//! /report/scaffold/template` (the essay again, with `bind_N` choices) answers the template as a
//! download. Nothing is stored, so there is no audit entry; the role is checked in
//! [`scaffold_essay`], which every handler goes through.

use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::scaffold::{self, Kind, Scaffold};
use super::MetricCatalogue;
use crate::auth::{Action, Principal};
use crate::error::AppError;
use crate::web::ui::{csrf_refused, error_page, render, Page};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[(
    "report_scaffold.html",
    include_str!("templates/report_scaffold.html"),
)];

/// The longest essay accepted, in bytes: a duty report is a few thousand characters.
pub const MAX_ESSAY_BYTES: usize = 200 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/report/scaffold", get(form).post(analyse))
        .route("/report/scaffold/template", post(download))
}

/// Scaffolds an essay for a user who may write report templates.
pub fn scaffold_essay(
    who: &Principal,
    essay: &str,
    metrics: &MetricCatalogue,
) -> Result<Scaffold, AppError> {
    who.require(Action::WriteReport)?;
    if essay.len() > MAX_ESSAY_BYTES {
        return Err(AppError::invalid(
            "essay",
            "范文",
            format!("范文过长（上限 {} KB）", MAX_ESSAY_BYTES / 1024),
        ));
    }
    if essay.trim().is_empty() {
        return Err(AppError::invalid(
            "essay",
            "范文",
            "请粘贴范文或选择范文文件",
        ));
    }
    Ok(scaffold::scaffold(essay, metrics))
}

#[derive(Serialize)]
struct FormView {
    chrome: crate::web::ui::Chrome,
    essay: String,
    error: Option<String>,
    result: Option<ResultView>,
}

#[derive(Serialize)]
struct ResultView {
    lines: Vec<Vec<Segment>>,
    total: usize,
    bound: usize,
    unbound: usize,
    choices: Vec<Choice>,
    metrics: Vec<MetricOption>,
}

/// A run of essay text, or a placeholder (`index` set).
#[derive(Serialize)]
struct Segment {
    text: String,
    index: Option<usize>,
    kind: &'static str,
    label: String,
}

/// A placeholder the user may bind: the select of its row.
#[derive(Serialize)]
struct Choice {
    index: usize,
    line: usize,
    text: String,
    context: String,
    kind: &'static str,
    selected: String,
}

#[derive(Serialize)]
struct MetricOption {
    id: String,
    label: String,
    unit: String,
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Metric => "指标",
        Kind::Park => "园区名称",
        Kind::Project => "项目",
        Kind::Text => "文字",
    }
}

async fn form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WriteReport)?;
    show(&st, &page, String::new(), None, StatusCode::OK).await
}

async fn show(
    st: &AppState,
    page: &Page,
    essay: String,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    // Bound to the park's own metrics: the ones its reports can compute.
    let metrics = super::park_metrics(&st.db, page.who.park_id).await?;
    let result = if error.is_none() && !essay.is_empty() {
        match scaffold_essay(&page.who, &essay, &metrics) {
            Ok(s) => Some(result_view(&s, &metrics)),
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let mut res = render(
        "report_scaffold.html",
        FormView {
            chrome: page.chrome(st, "/report").await?,
            essay,
            error,
            result,
        },
    );
    if res.status() == StatusCode::OK {
        *res.status_mut() = status;
    }
    Ok(res)
}

fn result_view(s: &Scaffold, metrics: &MetricCatalogue) -> ResultView {
    let label_of = |id: &str| {
        metrics
            .get(id)
            .map_or_else(|| id.to_string(), |m| m.label.clone())
    };
    let mut lines: Vec<Vec<Segment>> = vec![Vec::new()];
    let push_text = |lines: &mut Vec<Vec<Segment>>, text: &str| {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !part.is_empty() {
                if let Some(line) = lines.last_mut() {
                    line.push(Segment {
                        text: part.to_string(),
                        index: None,
                        kind: "",
                        label: String::new(),
                    });
                }
            }
        }
    };
    let chars: Vec<char> = s.essay.chars().collect();
    let mut at = 0;
    let mut choices = Vec::new();
    for (index, p) in s.placeholders.iter().enumerate() {
        let span = p.span();
        push_text(
            &mut lines,
            &chars[at..span.start].iter().collect::<String>(),
        );
        let (kind, label) = match (p.kind, &p.metric) {
            (Kind::Metric, Some(id)) => ("bound", label_of(id)),
            (Kind::Park, _) => ("park", "园区名称".to_string()),
            (kind, _) => ("unbound", format!("待处理：{}", kind_label(kind))),
        };
        if let Some(line) = lines.last_mut() {
            line.push(Segment {
                text: p.text.clone(),
                index: Some(index + 1),
                kind,
                label,
            });
        }
        if p.kind != Kind::Park {
            choices.push(Choice {
                index,
                line: p.line,
                text: p.text.clone(),
                context: p.context.clone(),
                kind: kind_label(p.kind),
                selected: p.metric.clone().unwrap_or_default(),
            });
        }
        at = span.end;
    }
    push_text(&mut lines, &chars[at..].iter().collect::<String>());
    let unbound = s.unbound().count();
    ResultView {
        lines,
        total: s.placeholders.len(),
        bound: s.placeholders.len() - unbound,
        unbound,
        choices,
        metrics: metrics
            .metrics
            .iter()
            .map(|m| MetricOption {
                id: m.id.clone(),
                label: m.label.clone(),
                unit: m.unit.clone(),
            })
            .collect(),
    }
}

async fn analyse(State(st): State<AppState>, page: Page, mut form: Multipart) -> PageResult {
    let mut csrf = None;
    let mut pasted = String::new();
    let mut uploaded: Option<Vec<u8>> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Ok(error_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "范文：上传失败，文件过大或上传被中断",
                ))
            }
        };
        let name = field.name().map(str::to_string);
        let Ok(bytes) = field.bytes().await else {
            return Ok(error_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "范文：上传失败，文件过大或上传被中断",
            ));
        };
        if bytes.len() > MAX_ESSAY_BYTES {
            return too_long(&st, &page).await;
        }
        match name.as_deref() {
            Some("_csrf") => csrf = Some(String::from_utf8_lossy(&bytes).into_owned()),
            Some("essay") => pasted = String::from_utf8_lossy(&bytes).replace("\r\n", "\n"),
            Some("file") if !bytes.is_empty() => uploaded = Some(bytes.to_vec()),
            _ => {}
        }
    }
    if !page.csrf_ok(csrf.as_deref()) {
        return Ok(csrf_refused());
    }
    page.who.require(Action::WriteReport)?;
    let essay = match uploaded {
        Some(bytes) => match scaffold::decode(&bytes) {
            Some(text) => text,
            None => {
                let msg = "范文文件：编码无法识别，请另存为 UTF-8 或 GBK 文本".to_string();
                return show(
                    &st,
                    &page,
                    pasted,
                    Some(msg),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        None => pasted,
    };
    if essay.trim().is_empty() {
        let msg = "范文：请粘贴范文或选择范文文件".to_string();
        return show(
            &st,
            &page,
            essay,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    show(&st, &page, essay, None, StatusCode::OK).await
}

async fn too_long(st: &AppState, page: &Page) -> PageResult {
    let msg = format!("范文：内容过长（上限 {} KB）", MAX_ESSAY_BYTES / 1024);
    show(
        st,
        page,
        String::new(),
        Some(msg),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await
}

async fn download(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let essay = essay_of(&pairs);
    if essay.len() > MAX_ESSAY_BYTES {
        return too_long(&st, &page).await;
    }
    page.who.require(Action::WriteReport)?;
    let metrics = super::park_metrics(&st.db, page.who.park_id).await?;
    let mut result = scaffold_essay(&page.who, &essay, &metrics)?;
    if let Err(message) = choose_bound(&mut result, &pairs, &metrics) {
        return Ok(error_page(StatusCode::UNPROCESSABLE_ENTITY, &message));
    }
    Ok((TEMPLATE_FILE, result.template()).into_response())
}

/// The headers of the downloaded template.
const TEMPLATE_FILE: [(header::HeaderName, &str); 2] = [
    (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
    (
        header::CONTENT_DISPOSITION,
        "attachment; filename=\"template.md.j2\"",
    ),
];

/// The essay the form sends back, with Windows line ends made plain.
fn essay_of(pairs: &[(String, String)]) -> String {
    let essay = pairs.iter().find(|(k, _)| k == "essay");
    essay.map_or("", |(_, v)| v.as_str()).replace("\r\n", "\n")
}

/// Binds each placeholder the form names (`bind_<index>` = a metric id, empty for none) to its
/// metric; an id the park has no metric of is refused, named.
fn choose_bound(
    result: &mut Scaffold,
    pairs: &[(String, String)],
    metrics: &MetricCatalogue,
) -> Result<(), String> {
    for (key, id) in pairs {
        let Some(index) = key.strip_prefix("bind_").and_then(|i| i.parse().ok()) else {
            continue;
        };
        if id.is_empty() {
            result.choose(index, None);
        } else if let Some(metric) = metrics.get(id) {
            result.choose(index, Some(metric));
        } else {
            return Err(format!("指标：本园区没有编号为“{id}”的指标"));
        }
    }
    Ok(())
}
