//! The JSON API of plans and tasks under `/api/v1`.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::edit::{self, DeleteInput, PlanEdit, TaskEdit};
use super::service::{self, PlanInput, PlanTree, PlanView, ProgressInput, TaskFilter, TaskInput};
use super::TaskView;
use crate::error::AppError;
use crate::web::{ApiError, AppState, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list_plans).post(create_plan))
        .route(
            "/plans/{id}",
            get(show_plan).put(edit_plan).delete(delete_plan),
        )
        .route("/plans/{id}/import", post(import))
        .route("/plans/{id}/import/errors.xlsx", get(error_book))
        .route("/tasks", get(list_tasks).post(create_task))
        .route("/tasks/by-unit", get(by_unit))
        .route(
            "/tasks/{id}",
            get(show_task).put(edit_task).delete(delete_task),
        )
        .route("/tasks/{id}/progress", post(add_progress))
        .route("/tasks/{id}/supervise", post(supervise).delete(unsupervise))
        .route("/task-progress/{id}/attachments", post(upload))
        .route("/task-attachments/{id}", get(download))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

async fn list_plans(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let items = service::plans(&st.db, &p, q.year).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

async fn create_plan(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<PlanInput>,
) -> Result<(StatusCode, Json<PlanView>), ApiError> {
    let plan = service::create_plan(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

async fn show_plan(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<PlanTree>, ApiError> {
    let today = service::today(st.now());
    Ok(Json(service::plan_tree(&st.db, &p, id, today).await?))
}

async fn edit_plan(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<PlanEdit>,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(edit::edit_plan(&st.db, &p, id, body, st.now()).await?))
}

/// `?version=N` refuses the deletion when the plan was saved since version N was read.
async fn delete_plan(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DeleteInput>,
) -> Result<StatusCode, ApiError> {
    edit::delete_plan(&st.db, &p, id, q, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tasks(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(f): Query<TaskFilter>,
) -> Result<Json<Value>, ApiError> {
    let today = service::today(st.now());
    let items = service::list(&st.db, &p, &f, today).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

async fn by_unit(
    State(st): State<AppState>,
    Auth(p): Auth,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, ApiError> {
    let today = service::today(st.now());
    let year = q
        .year
        .ok_or_else(|| AppError::invalid("year", "年度", "请指定年度 year"))?;
    let items = service::units_progress(&st.db, &p, year, today).await?;
    Ok(Json(json!({ "items": items, "total": items.len() })))
}

async fn create_task(
    State(st): State<AppState>,
    Auth(p): Auth,
    Json(body): Json<TaskInput>,
) -> Result<(StatusCode, Json<TaskView>), ApiError> {
    let task = service::create_task(&st.db, &p, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

async fn show_task(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<service::TaskDetail>, ApiError> {
    let today = service::today(st.now());
    Ok(Json(service::task(&st.db, &p, id, today).await?))
}

async fn edit_task(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<TaskEdit>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(edit::edit_task(&st.db, &p, id, body, st.now()).await?))
}

/// `?version=N` refuses the deletion when the task was saved since version N was read.
async fn delete_task(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Query(q): Query<DeleteInput>,
) -> Result<StatusCode, ApiError> {
    edit::delete_task(&st.db, &p, id, q, st.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_progress(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    Json(body): Json<ProgressInput>,
) -> Result<(StatusCode, Json<service::ProgressView>), ApiError> {
    let saved = service::add_progress(&st.db, &p, id, body, st.now()).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn supervise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        service::supervise(&st.db, &p, id, true, st.now()).await?,
    ))
}

async fn unsupervise(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        service::supervise(&st.db, &p, id, false, st.now()).await?,
    ))
}

async fn upload(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (name, bytes) = crate::web::file_part(form, st.config.max_upload_bytes).await?;
    let row = service::attach(&st.db, &st.config, &p, id, &name, &bytes, st.now()).await?;
    Ok((StatusCode::CREATED, Json(json!(row))))
}

async fn download(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let today = service::today(st.now());
    let (f, bytes) = service::open_file(&st.db, &st.config, &p, id, today).await?;
    Ok(file_response(f, bytes))
}

pub(crate) fn file_response(f: super::queries::TaskFileRow, bytes: Vec<u8>) -> Response {
    crate::ledger::api::file_response(&f.file_name, &f.content_type, bytes, false)
}

/// `multipart/form-data` with a workbook in the part named `file`: its 工作清单 sheet becomes the
/// plan's tasks, all or nothing.
async fn import(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (name, bytes) = crate::web::file_part(form, st.config.max_upload_bytes).await?;
    let n = super::import::import_task_list(&st.db, &p, id, &name, &bytes, st.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "imported": n }))))
}

/// The marked copy of the caller's last refused 工作清单 upload to the plan.
async fn error_book(
    State(st): State<AppState>,
    Auth(p): Auth,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = super::import::error_book(&st.db, &p, id).await?;
    Ok(super::import::xlsx_response(&name, bytes))
}
