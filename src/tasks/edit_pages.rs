//! The edit and delete forms of the plan and task pages. A refused form shows the page again
//! with what was typed and the message at its field (422); an edit lost to someone else's save
//! says so (409) and keeps what was typed; a refused deletion says why (sub-tasks, tasks).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use super::edit;
use super::pages::{
    delete_input, plan_edit, plan_page_with, task_input, task_page_with, FormState,
};
use crate::web::form::{parsed, saved_or_refused};
use crate::web::ui::Page;
use crate::web::{AppState, CsrfForm, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/edit", post(edit_plan))
        .route("/plans/{id}/delete", post(delete_plan))
        .route("/tasks/{id}/edit", post(edit_task))
        .route("/tasks/{id}/delete", post(delete_task))
}

const CONFLICT: &str =
    "保存冲突：在您编辑期间，已有他人修改并保存；您填写的内容仍保留在表单中，请核对后再次保存";

/// The plan page showing its edit form after a refusal.
async fn plan_again(st: &AppState, page: &Page, id: i64, edit: FormState) -> PageResult {
    let none = FormState::default;
    plan_page_with(st, page, id, none(), none(), Some(edit), StatusCode::OK).await
}

/// The task page showing its edit form after a refusal.
async fn task_again(st: &AppState, page: &Page, id: i64, edit: FormState) -> PageResult {
    task_page_with(
        st,
        page,
        id,
        FormState::default(),
        Some(edit),
        StatusCode::OK,
    )
    .await
}

async fn edit_plan(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = parsed(plan_edit(&pairs), |input| {
        edit::edit_plan(&st.db, &page.who, id, input, st.now())
    });
    let again = |r| plan_again(&st, &page, id, FormState::new(&pairs).after(r, CONFLICT));
    saved_or_refused(saved.await, |_| format!("/plans/{id}"), again).await
}

async fn delete_plan(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let input = delete_input(&pairs)?;
    let deleted = edit::delete_plan(&st.db, &page.who, id, input, st.now());
    let why = "删除未执行：计划已被他人修改，请核对后再删除";
    let again = |r| plan_again(&st, &page, id, FormState::default().after(r, why));
    saved_or_refused(deleted.await, |year| format!("/plans?year={year}"), again).await
}

async fn edit_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = parsed(task_input(&pairs), |input| {
        edit::edit_task(&st.db, &page.who, id, input, st.now())
    });
    let again = |r| task_again(&st, &page, id, FormState::new(&pairs).after(r, CONFLICT));
    saved_or_refused(saved.await, |_| format!("/tasks/{id}"), again).await
}

async fn delete_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let input = delete_input(&pairs)?;
    let deleted = edit::delete_task(&st.db, &page.who, id, input, st.now());
    let why = "删除未执行：任务已被他人修改或新增了分解任务，请核对后再删除";
    let again = |r| task_again(&st, &page, id, FormState::default().after(r, why));
    saved_or_refused(deleted.await, |plan_id| format!("/plans/{plan_id}"), again).await
}
