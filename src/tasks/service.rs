//! Plan and task services: what both faces call, each checking the role and the data scope
//! (a branch secretary sees and updates only the tasks of their unit subtree) and writing its
//! audit entry in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::queries::{self, NewTask, PlanRow, ProgressRow, TaskFileRow};
use super::{by_unit, tree, TaskView, UnitProgress, DONE, PLAN_KINDS};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::db::{Db, Tx};
use crate::error::AppError;

/// The day "today" is for deadlines: the park's calendar day.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    crate::calendar::today(now)
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanView {
    pub id: i64,
    pub year: i32,
    pub plan_kind: String,
    pub kind_label: String,
    pub title: String,
    pub doc_number: String,
    pub document_id: Option<i64>,
    /// The version an edit names; given for one plan, not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl PlanView {
    pub(super) fn from_row(r: PlanRow) -> PlanView {
        PlanView {
            version: None,
            kind_label: super::plan_kind_label(&r.plan_kind).to_string(),
            id: r.id,
            year: r.year,
            plan_kind: r.plan_kind,
            title: r.title,
            doc_number: r.doc_number,
            document_id: r.document_id,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct PlanInput {
    pub year: Option<i32>,
    pub plan_kind: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub doc_number: String,
}

/// A plan with its tasks in tree order and the roll-up per responsible unit.
#[derive(Clone, Debug, Serialize)]
pub struct PlanTree {
    pub plan: PlanView,
    pub tasks: Vec<TaskView>,
    pub units: Vec<UnitProgress>,
    /// The plan's progress: the average of its top-level tasks'.
    pub progress: i64,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TaskInput {
    pub plan_id: Option<i64>,
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub seq: String,
    #[serde(default)]
    pub content: String,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub cooperating_unit_ids: Vec<i64>,
    pub start_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ProgressInput {
    pub percent: Option<i64>,
    #[serde(default)]
    pub note: String,
    /// not_started, in_progress or done (or their labels); unchanged when absent.
    pub status: Option<String>,
    /// The day the progress was made; today when absent.
    pub reported_on: Option<NaiveDate>,
    /// The task's version as read, when the caller wants to know of a concurrent change.
    pub version: Option<i64>,
}

/// Which tasks a listing wants.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TaskFilter {
    pub year: Option<i32>,
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub supervised: bool,
    /// The status shown today (`not_started`, `in_progress`, `done` or `overdue`); the pages'
    /// filter, not the API's.
    #[serde(skip)]
    pub shown_status: Option<String>,
    /// Not done, with a deadline from today up to this day; the pages' filter, not the API's.
    #[serde(skip)]
    pub due_by: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TaskDetail {
    pub task: TaskView,
    pub plan: PlanView,
    pub sub_tasks: Vec<TaskView>,
    pub progress: Vec<ProgressView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProgressView {
    pub id: i64,
    pub reported_on: NaiveDate,
    pub percent: i64,
    pub note: String,
    pub files: Vec<TaskFileRow>,
}

// ---- plans ----

pub async fn plans(db: &Db, who: &Principal, year: Option<i32>) -> Result<Vec<PlanView>, AppError> {
    who.require(Action::ReadPlans)?;
    Ok(queries::plans(db, who.park_id, year)
        .await?
        .into_iter()
        .map(PlanView::from_row)
        .collect())
}

pub async fn create_plan(
    db: &Db,
    who: &Principal,
    input: PlanInput,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    who.require(Action::WritePlans)?;
    let mut errors = Vec::new();
    let year = match input.year.map(crate::calendar::Year::new) {
        Some(Ok(y)) => Some(y.get()),
        Some(Err(e)) => {
            errors.push(field_error("year", "年度", e.to_string()));
            None
        }
        None => {
            errors.push(field_error("year", "年度", "请填写年度，如 2025"));
            None
        }
    };
    let kind = input
        .plan_kind
        .as_deref()
        .map(str::trim)
        .and_then(|k| {
            PLAN_KINDS
                .iter()
                .find(|(id, label)| *id == k || *label == k)
        })
        .map(|(id, _)| *id);
    if kind.is_none() {
        errors.push(field_error(
            "plan_kind",
            "计划类型",
            "请选择工作要点或工作清单",
        ));
    }
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errors.push(field_error("title", "名称", "请填写计划名称"));
    }
    let (Some(year), Some(kind), true) = (year, kind, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if queries::plan_of(db, who.park_id, year, kind)
        .await?
        .is_some()
    {
        return Err(AppError::invalid(
            "plan_kind",
            "计划类型",
            format!("{year}年已有{}", super::plan_kind_label(kind)),
        ));
    }
    let doc_number = input.doc_number.trim().to_string();
    let document_id = if doc_number.is_empty() {
        None
    } else {
        queries::document_by_number(db, who.park_id, &doc_number).await?
    };
    let mut row = PlanRow {
        id: 0,
        year,
        plan_kind: kind.to_string(),
        title,
        doc_number,
        document_id,
    };
    let mut tx = db.begin().await?;
    row.id = queries::insert_plan(&mut tx, who.park_id, &row, now).await?;
    log(
        &mut tx,
        who,
        now,
        "create",
        "plan",
        row.id,
        None,
        Some(json!(row)),
    )
    .await?;
    tx.commit().await?;
    Ok(PlanView::from_row(row))
}

pub async fn plan(db: &Db, who: &Principal, id: i64) -> Result<PlanView, AppError> {
    who.require(Action::ReadPlans)?;
    let mut plan = queries::plan(db, who.park_id, id)
        .await?
        .map(PlanView::from_row)
        .ok_or(AppError::NotFound("年度计划"))?;
    plan.version = queries::plan_version(db, who.park_id, id).await?;
    Ok(plan)
}

/// A plan's tasks the principal may see, as a tree with roll-ups as of `today`.
pub async fn plan_tree(
    db: &Db,
    who: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<PlanTree, AppError> {
    let plan = plan(db, who, id).await?;
    let tasks = visible(db, who, Some(id), None, today).await?;
    let tasks = tree(tasks);
    let tops: Vec<i64> = tasks
        .iter()
        .filter(|t| t.depth == 0)
        .map(|t| t.rolled_progress)
        .collect();
    let progress = tops.iter().sum::<i64>() / tops.len().max(1) as i64;
    Ok(PlanTree {
        units: by_unit(&tasks),
        plan,
        tasks,
        progress,
    })
}

// ---- tasks ----

/// The tasks of a plan or year inside the principal's scope, in the order stored.
async fn visible(
    db: &Db,
    who: &Principal,
    plan_id: Option<i64>,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<Vec<TaskView>, AppError> {
    who.require(Action::ReadPlans)?;
    let rows = queries::tasks(db, who.park_id, plan_id, year).await?;
    let mut cooperating: HashMap<i64, Vec<String>> = HashMap::new();
    for (task, name) in queries::cooperators(db, who.park_id, plan_id, year).await? {
        cooperating.entry(task).or_default().push(name);
    }
    Ok(rows
        .into_iter()
        .filter(|r| who.covers(Some(r.unit_id), None))
        .map(|r| {
            let co = cooperating.remove(&r.id).unwrap_or_default();
            TaskView::from_row(r, co, today)
        })
        .collect())
}

/// Tasks by year, plan, unit, overdue or supervised, within the principal's scope, in tree
/// order with rolled-up progress.
pub async fn list(
    db: &Db,
    who: &Principal,
    f: &TaskFilter,
    today: NaiveDate,
) -> Result<Vec<TaskView>, AppError> {
    if let Some(unit) = f.unit_id {
        if !who.covers(Some(unit), None) {
            return Err(AppError::NotFound("单位"));
        }
    }
    let tasks = tree(visible(db, who, f.plan_id, f.year, today).await?);
    Ok(tasks
        .into_iter()
        .filter(|t| f.unit_id.is_none_or(|u| t.unit_id == u))
        .filter(|t| !f.overdue || t.is_overdue())
        .filter(|t| !f.supervised || t.supervised)
        .filter(|t| {
            f.shown_status
                .as_deref()
                .is_none_or(|s| t.shown_status == s)
        })
        .filter(|t| {
            f.due_by
                .is_none_or(|by| t.status != DONE && t.deadline >= today && t.deadline <= by)
        })
        .collect())
}

/// Every unit's roll-up for one year, over the tasks the principal may see.
pub async fn units_progress(
    db: &Db,
    who: &Principal,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<UnitProgress>, AppError> {
    let tasks = tree(visible(db, who, None, Some(year), today).await?);
    Ok(by_unit(&tasks))
}

/// Loads a task the principal may read.
pub(super) async fn readable(
    db: &Db,
    who: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<TaskView, AppError> {
    who.require(Action::ReadPlans)?;
    let row = queries::task(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("任务"))?;
    if !who.covers(Some(row.unit_id), None) {
        return Err(AppError::NotFound("任务"));
    }
    // The cooperators of the one task: those of its plan, filtered.
    let co = queries::cooperators(db, who.park_id, Some(row.plan_id), None)
        .await?
        .into_iter()
        .filter(|(t, _)| *t == row.id)
        .map(|(_, n)| n)
        .collect();
    Ok(TaskView::from_row(row, co, today))
}

pub async fn task(
    db: &Db,
    who: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<TaskDetail, AppError> {
    let task = readable(db, who, id, today).await?;
    let plan = plan(db, who, task.plan_id).await?;
    let all = tree(visible(db, who, Some(task.plan_id), None, today).await?);
    // The task's own roll-up and its direct sub-tasks come from the plan's tree.
    let task = all.iter().find(|t| t.id == id).cloned().unwrap_or(task);
    let sub_tasks = all
        .into_iter()
        .filter(|t| t.parent_id == Some(id))
        .collect();
    let mut files: HashMap<i64, Vec<TaskFileRow>> = HashMap::new();
    for f in queries::files_of_task(db, who.park_id, id).await? {
        files.entry(f.progress_id).or_default().push(f);
    }
    let progress = queries::progress_of(db, who.park_id, id)
        .await?
        .into_iter()
        .map(|p| ProgressView {
            files: files.remove(&p.id).unwrap_or_default(),
            id: p.id,
            reported_on: p.reported_on,
            percent: p.percent,
            note: p.note,
        })
        .collect();
    Ok(TaskDetail {
        task,
        plan,
        sub_tasks,
        progress,
    })
}

/// A task checked against its plan, parent and units, ready to insert. Shared with the import,
/// which resolves names to ids first.
pub(crate) fn check_task(
    input: &TaskInput,
    plan: &PlanRow,
    parent: Option<&queries::TaskRow>,
    known_unit: impl Fn(i64) -> bool,
) -> Result<NewTask, Vec<crate::error::FieldError>> {
    let mut errors = Vec::new();
    let seq = input.seq.trim().to_string();
    if seq.is_empty() {
        errors.push(field_error("seq", "序号", "请填写序号"));
    }
    let content = input.content.trim().to_string();
    if content.is_empty() {
        errors.push(field_error("content", "任务内容", "请填写任务内容"));
    }
    match input.unit_id {
        Some(u) if known_unit(u) => {}
        Some(_) => errors.push(field_error("unit_id", "责任单位", "没有这个单位")),
        None => errors.push(field_error("unit_id", "责任单位", "请选择责任单位")),
    }
    for u in &input.cooperating_unit_ids {
        if !known_unit(*u) {
            errors.push(field_error(
                "cooperating_unit_ids",
                "配合单位",
                "没有这个单位",
            ));
        }
    }
    if input.deadline.is_none() {
        errors.push(field_error("deadline", "完成时限", "请填写完成时限"));
    }
    if let (Some(start), Some(deadline)) = (input.start_on, input.deadline) {
        if deadline < start {
            errors.push(field_error("deadline", "完成时限", "完成时限早于开始日期"));
        }
    }
    if let Some(p) = parent {
        if p.plan_id != plan.id {
            errors.push(field_error(
                "parent_id",
                "上级任务",
                "上级任务不属于这个计划",
            ));
        }
        let parent_start = p.start_on;
        if let (Some(ps), Some(deadline)) = (parent_start, input.deadline) {
            if deadline < ps {
                errors.push(field_error(
                    "deadline",
                    "完成时限",
                    format!("完成时限早于上级任务（序号 {}）的开始日期 {ps}", p.seq),
                ));
            }
        }
    }
    match (errors.is_empty(), input.unit_id, input.deadline) {
        (true, Some(unit_id), Some(deadline)) => Ok(NewTask {
            plan_id: plan.id,
            parent_id: parent.map(|p| p.id),
            seq,
            content,
            unit_id,
            start_on: input.start_on,
            deadline,
        }),
        _ => Err(errors),
    }
}

pub async fn create_task(
    db: &Db,
    who: &Principal,
    input: TaskInput,
    now: DateTime<Utc>,
) -> Result<TaskView, AppError> {
    who.require(Action::WritePlans)?;
    let plan_id = input
        .plan_id
        .ok_or_else(|| AppError::invalid("plan_id", "年度计划", "请指定任务所属的计划"))?;
    let plan = queries::plan(db, who.park_id, plan_id)
        .await?
        .ok_or_else(|| AppError::invalid("plan_id", "年度计划", "没有这个计划"))?;
    let parent = match input.parent_id {
        Some(p) => Some(
            queries::task(db, who.park_id, p)
                .await?
                .ok_or_else(|| AppError::invalid("parent_id", "上级任务", "没有这个任务"))?,
        ),
        None => None,
    };
    let units: Vec<i64> = crate::org::queries::units(db, who.park_id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let new = check_task(&input, &plan, parent.as_ref(), |u| units.contains(&u))
        .map_err(AppError::Invalid)?;
    let existing = queries::tasks(db, who.park_id, Some(plan.id), None).await?;
    if existing.iter().any(|t| t.seq == new.seq) {
        return Err(AppError::invalid(
            "seq",
            "序号",
            format!("计划中已有序号 {} 的任务", new.seq),
        ));
    }
    let mut tx = db.begin().await?;
    let id = insert_task(&mut tx, who.park_id, &new, &input.cooperating_unit_ids, now).await?;
    let after = json!({
        "plan_id": new.plan_id, "parent_id": new.parent_id, "seq": new.seq,
        "content": new.content, "unit_id": new.unit_id,
        "cooperating_unit_ids": input.cooperating_unit_ids,
        "start_on": new.start_on, "deadline": new.deadline,
    });
    log(&mut tx, who, now, "create", "task", id, None, Some(after)).await?;
    tx.commit().await?;
    readable(db, who, id, today(now)).await
}

/// Inserts a task and its cooperating units (each once) in the caller's transaction.
pub(crate) async fn insert_task(
    tx: &mut Tx,
    park_id: i64,
    new: &NewTask,
    cooperating: &[i64],
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let id = queries::insert_task(tx, park_id, new, now).await?;
    let mut seen = Vec::new();
    for &u in cooperating {
        if u != new.unit_id && !seen.contains(&u) {
            queries::insert_cooperator(tx, park_id, id, u).await?;
            seen.push(u);
        }
    }
    Ok(id)
}

/// Reports progress on a task of the principal's units: a note, a percent, optionally a new
/// status. Done sets the completion day (the report's day); leaving done clears it.
pub async fn add_progress(
    db: &Db,
    who: &Principal,
    task_id: i64,
    input: ProgressInput,
    now: DateTime<Utc>,
) -> Result<ProgressView, AppError> {
    who.require(Action::UpdateTasks)?;
    let day = today(now);
    let before = readable(db, who, task_id, day).await?;
    let mut errors = Vec::new();
    let status = match input.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match super::parse_status(s) {
            Some(id) => Some(id),
            None => {
                errors.push(field_error(
                    "status",
                    "状态",
                    "请选择未开始、进行中或已完成",
                ));
                None
            }
        },
    };
    let percent = match input.percent {
        Some(p) if (0..=100).contains(&p) => p,
        Some(_) => {
            errors.push(field_error(
                "percent",
                "完成进度",
                "请填写 0—100 之间的百分比",
            ));
            0
        }
        None if status == Some(DONE) => 100,
        None => {
            errors.push(field_error("percent", "完成进度", "请填写完成进度"));
            0
        }
    };
    let note = input.note.trim().to_string();
    if note.is_empty() {
        errors.push(field_error("note", "进展情况", "请填写进展情况"));
    }
    let reported_on = input.reported_on.unwrap_or(day);
    if reported_on > day {
        errors.push(field_error(
            "reported_on",
            "填报日期",
            "填报日期不能晚于今天",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if input.version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict {
            current: before.version,
        });
    }
    // A percent reported without a status moves a task not started into progress.
    let status = status.unwrap_or(match before.status.as_str() {
        "not_started" if percent > 0 => "in_progress",
        other => super::parse_status(other).unwrap_or("not_started"),
    });
    let percent = if status == DONE { 100 } else { percent };
    let completed_on = match (status == DONE, before.status == DONE) {
        (true, true) => before.completed_on,
        (true, false) => Some(reported_on),
        (false, _) => None,
    };
    let mut row = ProgressRow {
        id: 0,
        task_id,
        reported_on,
        percent,
        note,
        created_by: Some(who.user_id),
        created_at: now,
    };
    let mut tx = db.begin().await?;
    let saved = queries::update_progress(
        &mut tx,
        who.park_id,
        task_id,
        before.version,
        status,
        percent,
        completed_on,
        now,
    )
    .await?;
    if !saved {
        drop(tx);
        return Err(AppError::Conflict {
            current: before.version + 1,
        });
    }
    row.id = queries::insert_progress(&mut tx, who.park_id, &row).await?;
    log(
        &mut tx,
        who,
        now,
        "progress",
        "task",
        task_id,
        Some(json!({"status": before.status, "progress": before.progress})),
        Some(
            json!({"status": status, "progress": percent, "completed_on": completed_on,
                    "progress_id": row.id, "reported_on": reported_on, "note": row.note}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(ProgressView {
        id: row.id,
        reported_on,
        percent,
        note: row.note,
        files: Vec::new(),
    })
}

/// Marks (督办) or unmarks a task for supervision.
pub async fn supervise(
    db: &Db,
    who: &Principal,
    task_id: i64,
    on: bool,
    now: DateTime<Utc>,
) -> Result<TaskView, AppError> {
    who.require(Action::SuperviseTasks)?;
    let before = readable(db, who, task_id, today(now)).await?;
    if before.supervised == on {
        return Ok(before);
    }
    let mut tx = db.begin().await?;
    queries::set_supervised(&mut tx, who.park_id, task_id, on, now).await?;
    log(
        &mut tx,
        who,
        now,
        if on { "supervise" } else { "unsupervise" },
        "task",
        task_id,
        Some(json!({"supervised": before.supervised})),
        Some(json!({"supervised": on})),
    )
    .await?;
    tx.commit().await?;
    Ok(TaskView {
        supervised: on,
        version: before.version + 1,
        ..before
    })
}

/// Attaches a file to a progress update of a task the principal may update.
pub async fn attach(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    progress_id: i64,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<TaskFileRow, AppError> {
    who.require(Action::UpdateTasks)?;
    let progress = queries::progress(db, who.park_id, progress_id)
        .await?
        .ok_or(AppError::NotFound("任务进展"))?;
    readable(db, who, progress.task_id, today(now))
        .await
        .map_err(|e| e.missing_as("任务进展"))?;
    let stored = crate::ledger::attachments::store_file(cfg, file_name, bytes).await?;
    let mut row = TaskFileRow {
        id: 0,
        progress_id,
        file_name: stored.file_name,
        content_type: stored.content_type.to_string(),
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        created_at: now,
    };
    let mut tx = db.begin().await?;
    row.id = queries::insert_file(&mut tx, who.park_id, &row, who.user_id).await?;
    log(
        &mut tx,
        who,
        now,
        "attach",
        "task",
        progress.task_id,
        None,
        Some(json!({"progress_id": progress_id, "attachment_id": row.id,
                    "file_name": row.file_name, "sha256": row.sha256})),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A progress file the principal may read, with its bytes.
pub async fn open_file(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<(TaskFileRow, Vec<u8>), AppError> {
    who.require(Action::ReadPlans)?;
    let (file, task_id) = queries::file(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("附件"))?;
    readable(db, who, task_id, today)
        .await
        .map_err(|e| e.missing_as("附件"))?;
    let path = crate::ledger::attachments::attachment_path(&cfg.data_dir, &file.sha256);
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|_| AppError::NotFound("附件文件"))?;
    Ok((file, bytes))
}

/// The principal's own overdue and supervised tasks of a year, for the 工作台.
pub async fn attention(
    db: &Db,
    who: &Principal,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<TaskView>, AppError> {
    let filter = TaskFilter {
        year: Some(year),
        ..Default::default()
    };
    Ok(list(db, who, &filter, today)
        .await?
        .into_iter()
        .filter(|t| t.is_overdue() || (t.supervised && t.status != DONE))
        .collect())
}

pub(super) fn field_error(
    field: &str,
    label: &str,
    message: impl Into<String>,
) -> crate::error::FieldError {
    crate::error::FieldError {
        field: field.to_string(),
        label: label.to_string(),
        message: message.into(),
    }
}

#[expect(clippy::too_many_arguments, reason = "an audit entry's parts")]
pub(super) async fn log(
    tx: &mut Tx,
    who: &Principal,
    now: DateTime<Utc>,
    action: &str,
    entity: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let change = Change {
        action,
        entity,
        entity_id: Some(id),
        before,
        after,
    };
    audit::record(tx, who.park_id, &who.actor(), now, change).await?;
    Ok(())
}
