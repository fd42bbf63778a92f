//! The edit and delete forms of the plan and task pages. A refused form shows the page again
//! with what was typed and the message at its field (422); an edit lost to someone else's save
//! says so (409) and keeps what was typed; a refused deletion says why (sub-tasks, tasks).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::post;
use axum::Router;

use super::edit::{self, DeleteInput, PlanEdit, TaskEdit};
use super::pages::{date, number, plan_page_with, task_page_with, value, FormState};
use crate::error::AppError;
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
    let result = if errors.is_empty() {
        edit::edit_plan(&st.db, &page.who, id, input, st.now()).await
    } else {
        Err(AppError::Invalid(errors))
    };
    let refused = |form: FormState, status| {
        plan_page_with(
            &st,
            &page,
            id,
            FormState::default(),
            FormState::default(),
            Some(form),
            status,
        )
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormState::new(&pairs).refused(errors);
            refused(form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict { current }) => {
            let mut form = FormState::new(&pairs);
            form.listed.push(CONFLICT.to_string());
            // Saving again is then a deliberate overwrite of the newer version.
            form.set("version", current.to_string());
            refused(form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_plan(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let version = number(&pairs, "version", "版本", &mut errors);
    match edit::delete_plan(&st.db, &page.who, id, DeleteInput { version }, st.now()).await {
        Ok(year) => Ok(Redirect::to(&format!("/plans?year={year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormState::default().refused(errors);
            plan_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                FormState::default(),
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { .. }) => {
            let mut form = FormState::default();
            form.listed
                .push("删除未执行：计划已被他人修改，请核对后再删除".to_string());
            plan_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                FormState::default(),
                Some(form),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let mut cooperating_unit_ids = Vec::new();
    for (_, v) in pairs
        .iter()
        .filter(|(k, v)| k == "cooperating_unit_ids" && !v.trim().is_empty())
    {
        match v.trim().parse() {
            Ok(u) => cooperating_unit_ids.push(u),
            Err(_) => errors.push(crate::error::FieldError {
                field: "cooperating_unit_ids".into(),
                label: "配合单位".into(),
                message: format!("“{v}”不是单位编号"),
            }),
        }
    }
    let input = TaskEdit {
        parent_id: number(&pairs, "parent_id", "上级任务", &mut errors),
        seq: value(&pairs, "seq").unwrap_or_default().to_string(),
        content: value(&pairs, "content").unwrap_or_default().to_string(),
        unit_id: number(&pairs, "unit_id", "责任单位", &mut errors),
        cooperating_unit_ids,
        start_on: date(&pairs, "start_on", "开始日期", &mut errors),
        deadline: date(&pairs, "deadline", "完成时限", &mut errors),
        version: number(&pairs, "version", "版本", &mut errors),
    };
    let result = if errors.is_empty() {
        edit::edit_task(&st.db, &page.who, id, input, st.now()).await
    } else {
        Err(AppError::Invalid(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormState::new(&pairs).refused(errors);
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { current }) => {
            let mut form = FormState::new(&pairs);
            form.listed.push(CONFLICT.to_string());
            form.set("version", current.to_string());
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete_task(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Pairs>,
) -> PageResult {
    let mut errors = Vec::new();
    let version = number(&pairs, "version", "版本", &mut errors);
    match edit::delete_task(&st.db, &page.who, id, DeleteInput { version }, st.now()).await {
        Ok(plan_id) => Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let form = FormState::default().refused(errors);
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { .. }) => {
            let mut form = FormState::default();
            form.listed
                .push("删除未执行：任务已被他人修改或新增了分解任务，请核对后再删除".to_string());
            task_page_with(
                &st,
                &page,
                id,
                FormState::default(),
                Some(form),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
