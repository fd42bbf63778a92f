//! `/api/v1` routes of ledger kinds, records and attachments.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::catalogue::KindDef;
use super::service::{self, ListParams, Listing, RecordInput, RecordView};
use super::{attachments, kinds};
use crate::error::AppError;
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kinds", get(list_kinds).post(create_kind))
        .route("/kinds/{kind}", get(show_kind).put(update_kind))
        .route("/records", get(list).post(create))
        .route("/records/{id}", get(show).put(update).delete(delete))
        .route("/records/{id}/restore", post(restore))
        .route("/records/{id}/history", get(history))
        .route(
            "/records/{id}/attachments",
            get(list_attachments).post(upload),
        )
        .route("/attachments/{id}", get(download))
}

async fn list_kinds(State(st): State<AppState>, Auth(p): Auth) -> Result<Json<Value>, ApiError> {
    let kinds = kinds::kinds(&st.db, &p).await?;
    Ok(Json(json!({ "items": kinds, "total": kinds.len() })))
}

async fn show_kind(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(kind): Path<String>,
) -> Result<Json<KindDef>, ApiError> {
    Ok(Json(kinds::kind(&st.db, &p, &kind).await?))
}

async fn create_kind(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(def): Json<KindDef>,
) -> Result<(StatusCode, Json<KindDef>), ApiError> {
    let saved = kinds::save_kind(&st.db, &p, def, true, st.now()).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn update_kind(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(kind): Path<String>,
    Json(def): Json<KindDef>,
) -> Result<Json<KindDef>, ApiError> {
    if def.id != kind {
        return Err(AppError::invalid("id", "台账编号", "不能更改台账编号").into());
    }
    Ok(Json(
        kinds::save_kind(&st.db, &p, def, false, st.now()).await?,
    ))
}

/// Reads the listing's query string: the named filters, and `f.KEY=VALUE` for any field.
fn list_params(pairs: Vec<(String, String)>) -> Result<ListParams, AppError> {
    let mut p = ListParams::default();
    let int = |k: &str, v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid(k, k, format!("“{v}”不是整数")))
    };
    let date = |k: &str, v: &str| {
        chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid(k, k, format!("“{v}”不是日期，请按 2024-03-05 的格式")))
    };
    for (k, v) in pairs {
        if v.trim().is_empty() {
            continue;
        }
        match k.as_str() {
            "kind" => p.kind = Some(v),
            "year" => {
                p.year = Some(
                    crate::calendar::Year::parse(&v)
                        .map_err(|e| e.at("year", "年份"))?
                        .get(),
                )
            }
            "from" => p.from = Some(date("from", &v)?),
            "to" => p.to = Some(date("to", &v)?),
            "unit_id" => p.unit_id = Some(int("unit_id", &v)?),
            "enterprise_id" => p.enterprise_id = Some(int("enterprise_id", &v)?),
            "q" => p.q = Some(v),
            "deleted" => p.deleted = matches!(v.as_str(), "true" | "1"),
            "sort" => p.sort = Some(v),
            "limit" => p.limit = Some(int("limit", &v)?),
            "offset" => p.offset = Some(int("offset", &v)?),
            other => match other.strip_prefix("f.") {
                Some(key) => p.fields.push((key.to_string(), v)),
                None => return Err(AppError::invalid(other, other, "不支持的查询参数")),
            },
        }
    }
    Ok(p)
}

async fn list(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Listing<RecordView<service::RawFields>>>, ApiError> {
    let params = list_params(pairs)?;
    Ok(Json(
        service::list_raw(
            &st.db,
            &st.part::<crate::ledger::service::CountCache>(),
            &p,
            params,
        )
        .await?,
    ))
}

async fn create(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<RecordInput>,
) -> Result<(StatusCode, Json<RecordView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&st.db, &p, body, st.now()).await?),
    ))
}

async fn show(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<RecordView>, ApiError> {
    Ok(Json(service::get(&st.db, &p, id).await?))
}

async fn update(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<RecordInput>,
) -> Result<Json<RecordView>, ApiError> {
    Ok(Json(service::update(&st.db, &p, id, body, st.now()).await?))
}

async fn delete(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<RecordView>, ApiError> {
    Ok(Json(
        service::set_deleted(&st.db, &p, id, true, st.now()).await?,
    ))
}

async fn restore(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<RecordView>, ApiError> {
    Ok(Json(
        service::set_deleted(&st.db, &p, id, false, st.now()).await?,
    ))
}

async fn history(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let items = service::history(&st.db, &p, id).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

async fn list_attachments(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let items = attachments::attachments(&st.db, &p, id).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

/// `multipart/form-data` with one part named `file`.
async fn upload(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (name, bytes) = crate::web::file_part(form, st.config.max_upload_bytes).await?;
    let row =
        attachments::add_attachment(&st.db, &st.config, &p, id, &name, &bytes, st.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(row))))
}

async fn download(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (a, bytes) = attachments::open_attachment(&st.db, &st.config, &p, id).await?;
    Ok(file_response(&a.file_name, &a.content_type, bytes, false))
}

/// An attachment as a download (or shown inline: images and PDFs for preview). The stored type
/// comes from our own list, and `nosniff` keeps browsers from guessing another.
pub(crate) fn file_response(
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    inline: bool,
) -> Response {
    let disposition = crate::web::ui::attachment_disposition(file_name, inline);
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}
