//! The edit and delete forms of the plan and task pages. A refused form shows the page again
//! with what was typed and the message at its field (422); an edit lost to someone else's save
//! says so (409) and keeps what was typed; a refused deletion says why (sub-tasks, tasks).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use super::edit::{self, DeleteInput, PlanEdit};
use super::pages::{number, plan_page_with, task_fields, task_page_with, value, FormState};
use crate::web::form::{after_parse, saved_or_refused};
use crate::web::ui::Page;
use crate::web::{AppState, CsrfForm, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/edit", post(edit_plan))
        .route("/plans/{id}/delete", post(delete_plan))
        .route("/tasks/{id}/edit", post(edit_task))
        .route("/tasks/{id}/delete", post(delete_task))
}

type Pairs = Vec<(String, String)>;

const CONFLICT: &str =
    "保存冲突：在您编辑期间，已有他人修改并保存；您填写的内容仍保留在表单中，请核对后再次保存";

async fn edit_plan(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let year = number(&pairs, "year", "年度", &mut errors).map(|y| i32::try_from(y).unwrap_or(0));
    let input = PlanEdit {
        title: value(&pairs, "title").unwrap_or_default().to_string(),
        doc_number: value(&pairs, "doc_number").unwrap_or_default().to_string(),
        document_id: number(&pairs, "document_id", "文件台账记录", &mut errors),
        year,
        version: number(&pairs, "version", "版本", &mut errors),
    };
    let saved = after_parse(
        errors,
        edit::edit_plan(&st.db, &page.who, id, input, st.now()),
    );
    saved_or_refused(
        saved.await,
        |_| format!("/plans/{id}"),
        |refusal| {
            let form = FormState::new(&pairs).after(refusal, CONFLICT);
            let none = FormState::default;
            plan_page_with(&st, &page, id, none(), none(), Some(form), StatusCode::OK)
        },
    )
    .await
}

async fn delete_plan(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let version = number(&pairs, "version", "版本", &mut errors);
    let deleted = edit::delete_plan(&st.db, &page.who, id, DeleteInput { version }, st.now());
    saved_or_refused(
        deleted.await,
        |year| format!("/plans?year={year}"),
        |refusal| {
            let form =
                FormState::default().after(refusal, "删除未执行：计划已被他人修改，请核对后再删除");
            let none = FormState::default;
            plan_page_with(&st, &page, id, none(), none(), Some(form), StatusCode::OK)
        },
    )
    .await
}

async fn edit_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let input = task_fields(&pairs, &mut errors);
    let saved = after_parse(
        errors,
        edit::edit_task(&st.db, &page.who, id, input, st.now()),
    );
    saved_or_refused(
        saved.await,
        |_| format!("/tasks/{id}"),
        |refusal| {
            let form = FormState::new(&pairs).after(refusal, CONFLICT);
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::OK,
            )
        },
    )
    .await
}

async fn delete_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let version = number(&pairs, "version", "版本", &mut errors);
    let deleted = edit::delete_task(&st.db, &page.who, id, DeleteInput { version }, st.now());
    saved_or_refused(
        deleted.await,
        |plan_id| format!("/plans/{plan_id}"),
        |refusal| {
            let why = "删除未执行：任务已被他人修改或新增了分解任务，请核对后再删除";
            let form = FormState::default().after(refusal, why);
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::OK,
            )
        },
    )
    .await
}
