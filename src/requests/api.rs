//! The JSON API of enterprise requests under `/api/v1`.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::attachments::{self, RequestFile};
use super::service::{self, RequestDetail, RequestFilter, RequestInput, RequestView, StepInput};
use super::Step;
use crate::error::AppError;
use crate::ledger::service::Listing;
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list).post(create))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/messages", post(message))
        .route("/requests/{id}/steps/{step}", post(step))
        .route("/requests/{id}/attachments", get(list_files).post(upload))
        .route("/requests/{id}/attachments/{file}", get(download))
}

async fn create(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<RequestInput>,
) -> Result<(StatusCode, Json<RequestDetail>), ApiError> {
    let r = service::create(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

async fn list(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(f): Query<RequestFilter>,
) -> Result<Json<Listing<RequestView>>, ApiError> {
    Ok(Json(
        service::list(
            &st.db,
            &st.part::<service::RequestTotals>(),
            &p,
            f,
            st.now(),
        )
        .await?,
    ))
}

async fn show(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<RequestDetail>, ApiError> {
    Ok(Json(service::get(&st.db, &p, id, st.now()).await?))
}

async fn step(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path((id, step)): Path<(i64, String)>,
    Json(body): Json<StepInput>,
) -> Result<Json<RequestDetail>, ApiError> {
    let step = Step::parse(&step).ok_or_else(|| {
        AppError::BadRequest(format!(
            "没有“{step}”这个办理步骤：可用 accept、return、overrule、stage_reply、reply、close、extend、rate、visit、reopen"
        ))
    })?;
    Ok(Json(
        service::take_step(&st.db, &p, id, step, body, st.now()).await?,
    ))
}

#[derive(Deserialize)]
struct MessageBody {
    #[serde(default)]
    text: String,
}

async fn message(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<MessageBody>,
) -> Result<Json<RequestDetail>, ApiError> {
    Ok(Json(
        service::post_message(&st.db, &p, id, &body.text, st.now()).await?,
    ))
}

async fn list_files(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let items = attachments::list(&st.db, &p, id).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

/// `multipart/form-data` with one part named `file`.
async fn upload(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<(StatusCode, Json<RequestFile>), ApiError> {
    // Asked before the body is read, so that one nobody may send is not taken in.
    attachments::may_attach(&st.db, &p, id).await?;
    let (name, bytes) = crate::web::file_part(form, st.config.max_upload_bytes).await?;
    let file = attachments::add(&st.db, &st.config, &p, id, &name, &bytes, st.now()).await?;
    Ok((StatusCode::CREATED, Json(file)))
}

async fn download(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (f, bytes) = attachments::open(&st.db, &st.config, &p, id, file).await?;
    Ok(crate::ledger::api::file_response(
        &f.file_name,
        &f.content_type,
        bytes,
        false,
    ))
}
