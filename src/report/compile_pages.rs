//! `/compile`: the 台账汇编 download (DOCX, or PDF where LibreOffice is installed) of a unit and
//! the units below it, or of the park; linked from each unit of the 组织 page. A thin handler over
//! `report::compile`.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::web::ui::{error_page, Page};
use crate::web::{AppState, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/compile", get(compile))
}

#[derive(Deserialize)]
struct CompileQuery {
    #[serde(default)]
    year: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    format: String,
}

async fn compile(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<CompileQuery>,
) -> PageResult {
    let pdf = match q.format.trim() {
        "" | "docx" => false,
        "pdf" => true,
        other => {
            return Ok(error_page(
                StatusCode::BAD_REQUEST,
                &format!("格式：不支持“{other}”，可用 docx 或 pdf"),
            ))
        }
    };
    let year = match q.year.trim() {
        "" => crate::calendar::Year::new(crate::ledger::pages::working_year(&st, &page).await?),
        text => crate::calendar::Year::parse(text),
    }
    .map_err(|e| e.at("year", "年份"))?;
    let unit = match q.unit.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return Err(crate::error::AppError::NotFound("单位").into()),
        },
    };
    let park = crate::org::queries::parks(&st.db)
        .await?
        .into_iter()
        .find(|p| p.id == page.who.park_id)
        .map(|p| p.name)
        .unwrap_or_default();
    let today = crate::calendar::today(st.now());
    let compiled = super::compile::compile(
        &st.db,
        &page.who,
        &park,
        year,
        unit,
        today,
        &st.config.report_fonts,
    )
    .await?;
    let (bytes, content_type, extension) = if pdf {
        let fonts = st.config.report_fonts.clone();
        let docx = compiled.bytes;
        let converted = tokio::task::spawn_blocking(move || super::pdf::convert(&docx, &fonts))
            .await
            .unwrap_or(Err(super::ReportError::Crashed));
        match converted {
            Ok(b) => (b, "application/pdf", "pdf"),
            Err(e @ (super::ReportError::PdfUnavailable | super::ReportError::PdfTimedOut(_))) => {
                return Ok(error_page(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()))
            }
            Err(e) => return Ok(error_page(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())),
        }
    } else {
        (
            compiled.bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    };
    let name = compiled.file_name.trim_end_matches(".docx").to_string();
    let disposition = format!(
        "attachment; filename=\"ledgers-{year}.{extension}\"; filename*=UTF-8''{}",
        super::pages::rfc5987(&format!("{name}.{extension}"))
    );
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
