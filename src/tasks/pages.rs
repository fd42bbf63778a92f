//! 年度计划与任务 pages: the plans of a year with each unit's roll-up, a plan as a tree with
//! progress bars, a unit's own tasks, the overdue and supervised lists, and a task's detail with
//! its progress history. Forms keep what was typed when they are refused.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::edit::{DeleteInput, PlanEdit, TaskEdit};
use super::service::{self, PlanInput, PlanTree, PlanView, ProgressInput, TaskDetail, TaskFilter};
use super::{TaskView, UnitProgress, DUE_SOON_DAYS, PLAN_KINDS, STATUSES};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::org::queries::Unit;
use crate::web::form::{parsed, saved_or_again, saved_or_refused, Mistakes, Refusal};
use crate::web::ui::{render, Chrome, Page, Upload};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("plans.html", include_str!("templates/plans.html")),
    ("plan.html", include_str!("templates/plan.html")),
    ("tasks.html", include_str!("templates/tasks.html")),
    ("task.html", include_str!("templates/task.html")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(super::edit_pages::router())
        .route("/plans", get(plans).post(create_plan))
        .route("/plans/{id}", get(plan))
        .route("/plans/{id}/tasks", post(create_task))
        .route("/plans/{id}/import", post(import))
        .route("/plans/{id}/import/errors.xlsx", get(error_book))
        .route("/tasks", get(tasks))
        .route("/tasks/{id}", get(task))
        .route("/tasks/{id}/progress", post(add_progress))
        .route("/tasks/{id}/supervise", post(supervise))
        .route("/task-progress/{id}/attachments", post(upload))
        .route("/task-attachments/{id}", get(download))
}

/// What a refused form shows again: the values typed and a message per field.
#[derive(Default, Serialize)]
pub(super) struct FormState {
    values: std::collections::HashMap<String, String>,
    errors: std::collections::HashMap<String, String>,
    /// Errors that name no field of the form (an import's rows, a conflict).
    pub(super) listed: Vec<String>,
    /// The cooperating units chosen (a multiple choice), as typed.
    cooperating: Vec<String>,
}

impl FormState {
    /// A form filled with stored values, before anyone typed.
    fn of(values: &[(&str, String)]) -> FormState {
        FormState {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..Default::default()
        }
    }

    pub(super) fn set(&mut self, key: &str, value: String) {
        self.values.insert(key.to_string(), value);
    }

    /// This form as typed, or when nothing was typed (a refused deletion) the stored values
    /// with this form's messages.
    fn or_stored(edit: Option<FormState>, stored: impl FnOnce() -> FormState) -> FormState {
        match edit {
            Some(typed) if !typed.values.is_empty() => typed,
            other => {
                let mut form = stored();
                if let Some(messages) = other {
                    form.errors = messages.errors;
                    form.listed = messages.listed;
                }
                form
            }
        }
    }

    pub(super) fn new(pairs: &[(String, String)]) -> FormState {
        FormState {
            values: pairs
                .iter()
                .filter(|(k, _)| k != "_csrf")
                .cloned()
                .collect(),
            cooperating: pairs
                .iter()
                .filter(|(k, _)| k == "cooperating_unit_ids")
                .map(|(_, v)| v.clone())
                .collect(),
            ..Default::default()
        }
    }

    pub(super) fn refused(mut self, errors: Vec<FieldError>) -> FormState {
        for e in errors {
            if self.values.contains_key(&e.field) || !e.field.contains('!') {
                self.errors
                    .entry(e.field.clone())
                    .and_modify(|m| m.push_str(&format!("；{}", e.message)))
                    .or_insert(e.message);
            } else {
                self.listed.push(format!("{}：{}", e.label, e.message));
            }
        }
        self
    }

    /// The form after a refused progress report: its fields' messages, or for a report lost to
    /// someone else's the `conflict` message alone; the version read stays, so the report is
    /// made again on the task as it now stands.
    fn noted(mut self, refusal: Refusal, conflict: &str) -> FormState {
        match refusal.conflict {
            Some(_) => {
                self.listed.push(conflict.to_string());
                self
            }
            None => self.refused(refusal.errors),
        }
    }

    /// The form after a refused save: its fields' messages, or for a save lost to someone
    /// else's the `conflict` message, and, on a form as typed, the version now stored, so that
    /// saving again is a deliberate overwrite.
    pub(super) fn after(mut self, refusal: Refusal, conflict: &str) -> FormState {
        match refusal.conflict {
            Some(current) => {
                self.listed.push(conflict.to_string());
                if !self.values.is_empty() {
                    self.set("version", current.to_string());
                }
                self
            }
            None => self.refused(refusal.errors),
        }
    }
}

// ---- the forms, each read into its service's input or the mistakes at its fields ----

/// A form's fields as sent, in order (a multiple choice sends one pair per choice).
type Pairs = [(String, String)];

fn plan_input(pairs: &Pairs) -> Result<PlanInput, Vec<FieldError>> {
    let mut m = Mistakes::new();
    let year = number(pairs, "year", "年度", &mut m).and_then(|y| i32::try_from(y).ok());
    m.or(PlanInput {
        year,
        plan_kind: value(pairs, "plan_kind").map(str::to_string),
        title: text(pairs, "title"),
        doc_number: text(pairs, "doc_number"),
    })
}

/// The plan's edit form.
pub(super) fn plan_edit(pairs: &Pairs) -> Result<PlanEdit, Vec<FieldError>> {
    let mut m = Mistakes::new();
    let year = number(pairs, "year", "年度", &mut m).map(|y| i32::try_from(y).unwrap_or(0));
    let input = PlanEdit {
        title: text(pairs, "title"),
        doc_number: text(pairs, "doc_number"),
        document_id: number(pairs, "document_id", "文件台账记录", &mut m),
        year,
        version: number(pairs, "version", "版本", &mut m),
    };
    m.or(input)
}

/// A deletion's form: the version as read (a hidden field). One that is no number is a bad
/// request, so that a deletion never runs without the check against someone else's change.
pub(super) fn delete_input(pairs: &Pairs) -> Result<DeleteInput, crate::error::AppError> {
    let mut m = Mistakes::new();
    let version = number(pairs, "version", "版本", &mut m);
    m.or(DeleteInput { version }).map_err(|_| {
        crate::error::AppError::BadRequest(
            "表单中的版本号不是整数，删除未执行，请刷新页面后重试".into(),
        )
    })
}

/// A task form's fields, the new task's and the edit's alike: each number and date read at its
/// field, and a cooperating unit that is no unit number named.
pub(super) fn task_input(pairs: &Pairs) -> Result<TaskEdit, Vec<FieldError>> {
    let mut m = Mistakes::new();
    let mut cooperating_unit_ids = Vec::new();
    for (_, v) in pairs
        .iter()
        .filter(|(k, v)| k == "cooperating_unit_ids" && !v.trim().is_empty())
    {
        match v.trim().parse() {
            Ok(u) => cooperating_unit_ids.push(u),
            Err(_) => m.at(
                "cooperating_unit_ids",
                "配合单位",
                format!("“{v}”不是单位编号"),
            ),
        }
    }
    let input = TaskEdit {
        parent_id: number(pairs, "parent_id", "上级任务", &mut m),
        seq: text(pairs, "seq"),
        content: text(pairs, "content"),
        unit_id: number(pairs, "unit_id", "责任单位", &mut m),
        cooperating_unit_ids,
        start_on: date(pairs, "start_on", "开始日期", &mut m),
        deadline: date(pairs, "deadline", "完成时限", &mut m),
        version: number(pairs, "version", "版本", &mut m),
    };
    m.or(input)
}

fn progress_input(pairs: &Pairs) -> Result<ProgressInput, Vec<FieldError>> {
    let mut m = Mistakes::new();
    let input = ProgressInput {
        percent: number(pairs, "percent", "完成进度", &mut m),
        note: text(pairs, "note"),
        status: value(pairs, "status").map(str::to_string),
        reported_on: date(pairs, "reported_on", "填报日期", &mut m),
        version: number(pairs, "version", "版本", &mut m),
    };
    m.or(input)
}

/// The first value sent for `key`, trimmed; `None` when empty.
fn value<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn text(pairs: &Pairs, key: &str) -> String {
    value(pairs, key).unwrap_or_default().to_string()
}

fn date(pairs: &Pairs, key: &str, label: &str, m: &mut Mistakes) -> Option<NaiveDate> {
    m.read(key, label, value(pairs, key).unwrap_or(""), |t| {
        crate::rules::parse_as_of(t)
            .map_err(|_| format!("“{t}”不是日期，请按 2025-03-31 的格式填写"))
    })
}

fn number(pairs: &Pairs, key: &str, label: &str, m: &mut Mistakes) -> Option<i64> {
    m.read(key, label, value(pairs, key).unwrap_or(""), |t| {
        t.parse::<i64>().map_err(|_| format!("“{t}”不是整数"))
    })
}

fn today(st: &AppState) -> NaiveDate {
    service::today(st.now())
}

// ---- the plans of a year ----

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

#[derive(Serialize)]
struct PlansView {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    plans: Vec<PlanView>,
    units: Vec<UnitProgress>,
    kinds: Vec<(&'static str, &'static str)>,
    can_write: bool,
    form: FormState,
}

async fn plans_page(
    st: &AppState,
    page: &Page,
    year: i32,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    let loaded = async {
        let plans = service::plans(&st.db, &page.who, Some(year)).await?;
        let units = service::units_progress(&st.db, &page.who, year, today(st)).await?;
        Ok::<_, AppError>((plans, units))
    };
    match loaded.await {
        Ok((plans, units)) => {
            let this = st.now().year();
            let mut response = render(
                "plans.html",
                PlansView {
                    chrome: page.chrome(st, "/plans").await?,
                    year,
                    years: (this - 3..=this + 1).rev().collect(),
                    plans,
                    units,
                    kinds: PLAN_KINDS.to_vec(),
                    can_write: page.who.role.allows(Action::WritePlans),
                    form,
                },
            );
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn plans(State(st): State<AppState>, page: Page, Query(q): Query<YearQuery>) -> PageResult {
    let year = match q.year {
        Some(y) => y,
        None => crate::ledger::pages::working_year(&st, &page).await?,
    };
    plans_page(&st, &page, year, FormState::default(), StatusCode::OK).await
}

async fn create_plan(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let input = plan_input(&pairs);
    let year = input.as_ref().ok().and_then(|i| i.year);
    let saved = parsed(input, |i| {
        service::create_plan(&st.db, &page.who, i, st.now())
    });
    let again = |errors| {
        let form = FormState::new(&pairs).refused(errors);
        let year = year.unwrap_or_else(|| st.now().year());
        plans_page(&st, &page, year, form, StatusCode::OK)
    };
    saved_or_again(saved.await, |p| format!("/plans/{}", p.id), again).await
}

// ---- one plan ----

#[derive(Serialize)]
struct PlanPageView {
    chrome: Chrome,
    tree: PlanTree,
    units: Vec<Unit>,
    can_write: bool,
    form: FormState,
    import: FormState,
    /// The plan's own fields as edited (or as stored, before any edit).
    edit: FormState,
    /// The 文件台账 records a plan may link to: (id, 文件名称, 文号).
    documents: Vec<(i64, String, String)>,
    /// A refused upload left a marked copy to download.
    error_book: bool,
}

async fn plan_page(
    st: &AppState,
    page: &Page,
    id: i64,
    form: FormState,
    import: FormState,
    status: StatusCode,
) -> PageResult {
    plan_page_with(st, page, id, form, import, None, status).await
}

/// The plan page with the edit form as typed (`Some`) or as the plan stands (`None`).
pub(super) async fn plan_page_with(
    st: &AppState,
    page: &Page,
    id: i64,
    form: FormState,
    import: FormState,
    edit: Option<FormState>,
    status: StatusCode,
) -> PageResult {
    let can_write = page.who.role.allows(Action::WritePlans);
    let loaded = async {
        let tree = service::plan_tree(&st.db, &page.who, id, today(st)).await?;
        let units = crate::org::service::list_units(&st.db, &page.who).await?;
        let documents = if can_write {
            super::queries::documents(&st.db, page.who.park_id).await?
        } else {
            Vec::new()
        };
        let refused = !import.listed.is_empty() || !import.errors.is_empty();
        let error_book = refused
            && super::queries::error_book(&st.db, page.who.park_id, id, page.who.user_id)
                .await?
                .is_some();
        Ok::<_, AppError>((tree, units, documents, error_book))
    };
    match loaded.await {
        Ok((tree, units, documents, error_book)) => {
            let edit = FormState::or_stored(edit, || {
                let p = &tree.plan;
                FormState::of(&[
                    ("title", p.title.clone()),
                    ("doc_number", p.doc_number.clone()),
                    ("year", p.year.to_string()),
                    (
                        "document_id",
                        p.document_id.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("version", p.version.unwrap_or(1).to_string()),
                ])
            });
            let mut response = render(
                "plan.html",
                PlanPageView {
                    chrome: page.chrome(st, "/plans").await?,
                    tree,
                    units,
                    can_write,
                    form,
                    import,
                    edit,
                    documents,
                    error_book,
                },
            );
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

async fn plan(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    plan_page(
        &st,
        &page,
        id,
        FormState::default(),
        FormState::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_task(
    State(st): State<AppState>,
    page: Page,
    Path(plan_id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let input = task_input(&pairs).map(|t| t.into_new(plan_id));
    let saved = parsed(input, |i| {
        service::create_task(&st.db, &page.who, i, st.now())
    });
    let again = |errors| {
        let (form, none) = (FormState::new(&pairs).refused(errors), FormState::default());
        plan_page(&st, &page, plan_id, form, none, StatusCode::OK)
    };
    saved_or_again(saved.await, |_| format!("/plans/{plan_id}"), again).await
}

async fn import(
    State(st): State<AppState>,
    page: Page,
    Path(plan_id): Path<i64>,
    form: Multipart,
) -> PageResult {
    // Asked before the upload is read, so a body nobody may send is not taken in.
    page.who.require(Action::WritePlans)?;
    let read = Upload::read(&page, form, st.config.max_upload_bytes).await;
    let (name, bytes) = read.and_then(|mut u| u.file())?;
    let name = if name.is_empty() {
        "工作清单.xlsx".to_string()
    } else {
        name
    };
    let saved =
        super::import::import_task_list(&st.db, &page.who, plan_id, &name, &bytes, st.now());
    saved_or_again(
        saved.await,
        |_| format!("/plans/{plan_id}"),
        |errors| {
            let listed = FormState::default().refused(errors);
            plan_page(
                &st,
                &page,
                plan_id,
                FormState::default(),
                listed,
                StatusCode::OK,
            )
        },
    )
    .await
}

async fn error_book(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    let (name, bytes) = super::import::error_book(&st.db, &page.who, id).await?;
    Ok(super::import::xlsx_response(&name, bytes))
}

// ---- task lists ----

#[derive(Deserialize)]
struct ListQuery {
    year: Option<i32>,
    /// mine (the user's unit), overdue, supervised, or all.
    view: Option<String>,
    /// A status as shown today (`not_started`, `in_progress`, `done`, `overdue`).
    status: Option<String>,
    /// `soon`: not done and due within [`DUE_SOON_DAYS`] days from today.
    due: Option<String>,
}

#[derive(Serialize)]
struct TasksView {
    chrome: Chrome,
    year: i32,
    view: String,
    title: String,
    /// The narrowing by status or deadline, as a phrase (empty when none).
    narrowed: String,
    tasks: Vec<TaskView>,
}

async fn tasks(State(st): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> PageResult {
    let year = match q.year {
        Some(y) => y,
        None => crate::ledger::pages::working_year(&st, &page).await?,
    };
    let view = q.view.unwrap_or_else(|| "mine".to_string());
    let (filter, title) = match view.as_str() {
        "overdue" => (
            TaskFilter {
                overdue: true,
                ..Default::default()
            },
            "逾期任务",
        ),
        "supervised" => (
            TaskFilter {
                supervised: true,
                ..Default::default()
            },
            "督办任务",
        ),
        "all" => (TaskFilter::default(), "全部任务"),
        _ => (
            TaskFilter {
                unit_id: page.who.unit_id,
                ..Default::default()
            },
            "本单位任务",
        ),
    };
    let today = today(&st);
    let mut narrowed = Vec::new();
    let shown_status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match super::SHOWN_STATUSES.iter().find(|(id, _)| *id == s) {
            Some((id, label)) => {
                narrowed.push(format!("状态为“{label}”"));
                Some(id.to_string())
            }
            None => {
                return Err(AppError::invalid(
                    "status",
                    "状态",
                    format!("没有“{s}”这个状态：可用 not_started、in_progress、done、overdue"),
                )
                .into())
            }
        },
    };
    let due_by = match q.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some("soon") => {
            let by = today + chrono::Duration::days(DUE_SOON_DAYS);
            narrowed.push(format!(
                "{DUE_SOON_DAYS} 天内（{today} 至 {by}）到期、尚未完成"
            ));
            Some(by)
        }
        Some(d) => {
            return Err(AppError::invalid(
                "due",
                "完成时限",
                format!("没有“{d}”这个筛选：可用 soon（{DUE_SOON_DAYS} 天内到期）"),
            )
            .into())
        }
    };
    let filter = TaskFilter {
        year: Some(year),
        shown_status,
        due_by,
        ..filter
    };
    match service::list(&st.db, &page.who, &filter, today).await {
        Ok(tasks) => Ok(render(
            "tasks.html",
            TasksView {
                chrome: page.chrome(&st, "/plans").await?,
                year,
                view,
                title: title.to_string(),
                narrowed: narrowed.join("，"),
                tasks,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

// ---- one task ----

#[derive(Serialize)]
struct TaskPageView {
    chrome: Chrome,
    detail: TaskDetail,
    statuses: Vec<(&'static str, &'static str)>,
    can_update: bool,
    can_supervise: bool,
    form: FormState,
    /// The task's own fields as edited (or as stored, before any edit).
    edit: FormState,
    /// Units the task may be given to (the principal's), and all units (配合单位).
    units: Vec<Unit>,
    all_units: Vec<Unit>,
    /// Tasks of the plan it may be put under: not itself, nor one of its sub-tasks.
    parents: Vec<TaskView>,
}

async fn task_page(
    st: &AppState,
    page: &Page,
    id: i64,
    form: FormState,
    status: StatusCode,
) -> PageResult {
    task_page_with(st, page, id, form, None, status).await
}

/// The task page with the edit form as typed (`Some`) or as the task stands (`None`).
pub(super) async fn task_page_with(
    st: &AppState,
    page: &Page,
    id: i64,
    form: FormState,
    edit: Option<FormState>,
    status: StatusCode,
) -> PageResult {
    let can_update = page.who.role.allows(Action::UpdateTasks);
    let loaded = async {
        let detail = service::task(&st.db, &page.who, id, today(st)).await?;
        if !can_update {
            return Ok::<_, AppError>((detail, Vec::new(), Vec::new(), Vec::new(), Vec::new()));
        }
        let units = crate::org::service::list_units(&st.db, &page.who).await?;
        let all_units = crate::org::queries::units(&st.db, page.who.park_id).await?;
        let plan = service::plan_tree(&st.db, &page.who, detail.plan.id, today(st)).await?;
        let cooperating = super::queries::cooperator_ids(&st.db, page.who.park_id, id).await?;
        Ok((
            detail,
            units,
            all_units,
            not_below(plan.tasks, id),
            cooperating,
        ))
    };
    match loaded.await {
        Ok((detail, units, all_units, parents, cooperating)) => {
            let edit = FormState::or_stored(edit, || {
                let t = &detail.task;
                let mut edit = FormState::of(&[
                    (
                        "parent_id",
                        t.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                    ),
                    ("seq", t.seq.clone()),
                    ("content", t.content.clone()),
                    ("unit_id", t.unit_id.to_string()),
                    (
                        "start_on",
                        t.start_on.map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("deadline", t.deadline.to_string()),
                    ("version", t.version.to_string()),
                ]);
                edit.cooperating = cooperating.iter().map(i64::to_string).collect();
                edit
            });
            let mut response = render(
                "task.html",
                TaskPageView {
                    chrome: page.chrome(st, "/plans").await?,
                    detail,
                    statuses: STATUSES.to_vec(),
                    can_update,
                    can_supervise: page.who.role.allows(Action::SuperviseTasks),
                    form,
                    edit,
                    units,
                    all_units,
                    parents,
                },
            );
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// The tasks of a tree other than `id` and those below it (they follow it, deeper).
fn not_below(tasks: Vec<TaskView>, id: i64) -> Vec<TaskView> {
    let mut below: Option<usize> = None;
    tasks
        .into_iter()
        .filter(|t| {
            if let Some(depth) = below {
                if t.depth > depth {
                    return false;
                }
                below = None;
            }
            if t.id == id {
                below = Some(t.depth);
                return false;
            }
            true
        })
        .collect()
}

async fn task(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    task_page(&st, &page, id, FormState::default(), StatusCode::OK).await
}

async fn add_progress(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let saved = parsed(progress_input(&pairs), |i| {
        service::add_progress(&st.db, &page.who, id, i, st.now())
    });
    let again = |refusal| {
        let form =
            FormState::new(&pairs).noted(refusal, "任务已被他人更新，请查看最新进展后再提交");
        task_page(&st, &page, id, form, StatusCode::OK)
    };
    saved_or_refused(saved.await, |_| format!("/tasks/{id}"), again).await
}

#[derive(Deserialize)]
struct SuperviseForm {
    on: Option<String>,
}

async fn supervise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SuperviseForm>,
) -> PageResult {
    let on = f.on.as_deref() == Some("1");
    service::supervise(&st.db, &page.who, id, on, st.now()).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

async fn upload(
    State(st): State<AppState>,
    page: Page,
    Path(progress_id): Path<i64>,
    form: Multipart,
) -> PageResult {
    page.who.require(Action::UpdateTasks)?;
    let mut upload = Upload::read(&page, form, st.config.max_upload_bytes).await?;
    let (name, bytes) = upload.file()?;
    let name = if name.is_empty() {
        "附件".to_string()
    } else {
        name
    };
    let task_id = upload.field("task_id").parse::<i64>().ok();
    match service::attach(
        &st.db,
        &st.config,
        &page.who,
        progress_id,
        &name,
        &bytes,
        st.now(),
    )
    .await
    {
        Ok(_) => match task_id {
            Some(t) => Ok(Redirect::to(&format!("/tasks/{t}")).into_response()),
            None => Ok(Redirect::to("/tasks").into_response()),
        },
        Err(e) => Err(e.into()),
    }
}

async fn download(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    match service::open_file(&st.db, &st.config, &page.who, id, today(&st)).await {
        Ok((f, bytes)) => Ok(super::api::file_response(f, bytes)),
        Err(e) => Err(e.into()),
    }
}
