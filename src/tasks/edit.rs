//! Editing and deleting plans and tasks. 党建办 edits and deletes every plan and task; a branch
//! secretary edits and deletes only the tasks of their unit subtree, never a plan. An edit names
//! the version it read and is refused when someone saved since; a task keeps the checks of
//! creation and import (its parent in the same plan, no cycle, no deadline before the parent's
//! start, and no sub-task due before its new start). A task with sub-tasks or a plan with tasks is
//! not deleted: the refusal says why. Deletion is for real, since the report's task metrics and
//! `task_overdue` read every task; its audit entry keeps what went (the task, its cooperating
//! units, its progress updates and their files' names and SHA-256, the files staying on disk).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::queries::{self, PlanRow, TaskRow};
use super::service::{check_task, field_error, log, readable, today, PlanView, TaskInput};
use super::TaskView;
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::AppError;

/// A plan as edited: every field is sent; `document_id` absent links the 文件台账 record of the
/// document number, as on creation.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct PlanEdit {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub doc_number: String,
    pub document_id: Option<i64>,
    /// The plan's year; unchanged when absent.
    pub year: Option<i32>,
    /// The version as read; the edit is refused when someone saved since.
    pub version: Option<i64>,
}

/// A task as edited: every field is sent (an absent parent makes it a top-level task).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct TaskEdit {
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
    /// The version as read; the edit is refused when someone saved since.
    pub version: Option<i64>,
}

impl TaskEdit {
    /// The same fields as a new task of plan `plan_id` (a new task has no version to name).
    pub fn into_new(self, plan_id: i64) -> TaskInput {
        TaskInput {
            plan_id: Some(plan_id),
            parent_id: self.parent_id,
            seq: self.seq,
            content: self.content,
            unit_id: self.unit_id,
            cooperating_unit_ids: self.cooperating_unit_ids,
            start_on: self.start_on,
            deadline: self.deadline,
        }
    }
}

/// Which version a deletion read, if the caller wants to know of a concurrent change.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct DeleteInput {
    pub version: Option<i64>,
}

// ---- plans ----

pub async fn edit_plan(
    db: &Db,
    who: &Principal,
    id: i64,
    input: PlanEdit,
    now: DateTime<Utc>,
) -> Result<PlanView, AppError> {
    who.require(Action::WritePlans)?;
    let before = queries::plan(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("年度计划"))?;
    let version = queries::plan_version(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("年度计划"))?;
    let mut errors = Vec::new();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errors.push(field_error("title", "名称", "请填写计划名称"));
    }
    let year = input.year.unwrap_or(before.year);
    if let Err(e) = crate::calendar::Year::new(year) {
        errors.push(field_error("year", "年度", e.to_string()));
    } else if year != before.year
        && queries::plan_of(db, who.park_id, year, &before.plan_kind)
            .await?
            .is_some()
    {
        errors.push(field_error(
            "year",
            "年度",
            format!(
                "{year}年已有{}，不能把本计划改到这一年",
                super::plan_kind_label(&before.plan_kind)
            ),
        ));
    }
    let doc_number = input.doc_number.trim().to_string();
    let document_id = match input.document_id {
        Some(d) if queries::is_document(db, who.park_id, d).await? => Some(d),
        Some(_) => {
            errors.push(field_error(
                "document_id",
                "文件台账记录",
                "没有这条文件台账记录",
            ));
            None
        }
        None if doc_number.is_empty() => None,
        None => queries::document_by_number(db, who.park_id, &doc_number).await?,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if input.version.is_some_and(|v| v != version) {
        return Err(AppError::Conflict { current: version });
    }
    let after = PlanRow {
        id,
        year,
        plan_kind: before.plan_kind.clone(),
        title,
        doc_number,
        document_id,
    };
    let mut tx = db.begin().await?;
    if !queries::update_plan(&mut tx, who.park_id, &after, version, now).await? {
        return Err(AppError::Conflict {
            current: version + 1,
        });
    }
    log(
        &mut tx,
        who,
        now,
        "update",
        "plan",
        id,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    let mut view = PlanView::from_row(after);
    view.version = Some(version + 1);
    Ok(view)
}

/// Deletes a plan that has no tasks (党建办); one with tasks is refused, saying how many.
/// Returns the year the plan was of.
pub async fn delete_plan(
    db: &Db,
    who: &Principal,
    id: i64,
    input: DeleteInput,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    who.require(Action::WritePlans)?;
    let before = queries::plan(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("年度计划"))?;
    let version = queries::plan_version(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("年度计划"))?;
    if input.version.is_some_and(|v| v != version) {
        return Err(AppError::Conflict { current: version });
    }
    let tasks = queries::task_count(db, who.park_id, id).await?;
    if tasks > 0 {
        return Err(plan_has_tasks(tasks));
    }
    let mut tx = db.begin().await?;
    queries::drop_error_books(&mut tx, who.park_id, id, None).await?;
    if !queries::delete_plan(&mut tx, who.park_id, id).await? {
        // A task was added between the count and the deletion.
        return Err(plan_has_tasks(1));
    }
    log(
        &mut tx,
        who,
        now,
        "delete",
        "plan",
        id,
        Some(json!({"plan": before, "version": version})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(before.year)
}

fn plan_has_tasks(n: i64) -> AppError {
    AppError::invalid(
        "delete",
        "删除计划",
        format!("该计划下还有 {n} 项任务，不能删除；请先删除这些任务，再删除计划"),
    )
}

// ---- tasks ----

/// Loads a task the principal may edit or delete: 党建办 any, a branch secretary those whose
/// responsible unit is in their subtree.
async fn editable(db: &Db, who: &Principal, id: i64) -> Result<TaskRow, AppError> {
    who.require(Action::UpdateTasks)?;
    let row = queries::task(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("任务"))?;
    if !who.covers(Some(row.unit_id), None) {
        return Err(AppError::NotFound("任务"));
    }
    Ok(row)
}

pub async fn edit_task(
    db: &Db,
    who: &Principal,
    id: i64,
    input: TaskEdit,
    now: DateTime<Utc>,
) -> Result<TaskView, AppError> {
    let before = editable(db, who, id).await?;
    let plan = queries::plan(db, who.park_id, before.plan_id)
        .await?
        .ok_or(AppError::NotFound("年度计划"))?;
    let siblings = queries::tasks(db, who.park_id, Some(plan.id), None).await?;
    let mut errors = Vec::new();
    let parent = match input.parent_id {
        None => None,
        Some(p) if p == id => {
            errors.push(field_error(
                "parent_id",
                "上级任务",
                "不能把任务设为自己的上级任务",
            ));
            None
        }
        Some(p) => match queries::task(db, who.park_id, p).await? {
            None => {
                errors.push(field_error("parent_id", "上级任务", "没有这个任务"));
                None
            }
            Some(parent) => {
                if is_below(&siblings, parent.id, id) {
                    errors.push(field_error(
                        "parent_id",
                        "上级任务",
                        format!(
                            "上级任务（序号 {}）是本任务的下级任务，会形成循环",
                            parent.seq
                        ),
                    ));
                }
                if Some(parent.id) != before.parent_id && !who.covers(Some(parent.unit_id), None) {
                    errors.push(field_error(
                        "parent_id",
                        "上级任务",
                        "只能归到本单位及下级单位的任务之下",
                    ));
                }
                Some(parent)
            }
        },
    };
    if let Some(u) = input.unit_id {
        if u != before.unit_id && !who.covers(Some(u), None) {
            errors.push(field_error(
                "unit_id",
                "责任单位",
                "只能交给本单位及下级单位",
            ));
        }
    }
    let units: Vec<i64> = crate::org::queries::units(db, who.park_id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let checked = TaskInput {
        plan_id: Some(plan.id),
        parent_id: input.parent_id,
        seq: input.seq.clone(),
        content: input.content.clone(),
        unit_id: input.unit_id,
        cooperating_unit_ids: input.cooperating_unit_ids.clone(),
        start_on: input.start_on,
        deadline: input.deadline,
    };
    let new = match check_task(&checked, &plan, parent.as_ref(), |u| units.contains(&u)) {
        Ok(new) => Some(new),
        Err(mut more) => {
            errors.append(&mut more);
            None
        }
    };
    let seq = input.seq.trim();
    if siblings.iter().any(|t| t.id != id && t.seq == seq) {
        errors.push(field_error(
            "seq",
            "序号",
            format!("计划中已有序号 {seq} 的任务"),
        ));
    }
    // A sub-task's deadline must not come before its parent's start, from either side.
    if let Some(start) = input.start_on {
        for child in siblings.iter().filter(|t| t.parent_id == Some(id)) {
            if child.deadline < start {
                errors.push(field_error(
                    "start_on",
                    "开始日期",
                    format!(
                        "开始日期 {start} 晚于分解任务（序号 {}）的完成时限 {}",
                        child.seq, child.deadline
                    ),
                ));
            }
        }
    }
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Err(AppError::Invalid(dedup(errors)));
    };
    if input.version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict {
            current: before.version,
        });
    }
    let cooperating_before = queries::cooperator_ids(db, who.park_id, id).await?;
    let mut tx = db.begin().await?;
    if !queries::update_task(&mut tx, who.park_id, id, before.version, &new, now).await? {
        return Err(AppError::Conflict {
            current: before.version + 1,
        });
    }
    queries::delete_cooperators(&mut tx, who.park_id, id).await?;
    let mut cooperating = Vec::new();
    for &u in &input.cooperating_unit_ids {
        if u != new.unit_id && !cooperating.contains(&u) {
            queries::insert_cooperator(&mut tx, who.park_id, id, u).await?;
            cooperating.push(u);
        }
    }
    let after = json!({
        "plan_id": new.plan_id, "parent_id": new.parent_id, "seq": new.seq,
        "content": new.content, "unit_id": new.unit_id, "cooperating_unit_ids": cooperating,
        "start_on": new.start_on, "deadline": new.deadline, "version": before.version + 1,
    });
    log(
        &mut tx,
        who,
        now,
        "update",
        "task",
        id,
        Some(task_json(&before, &cooperating_before)),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    readable(db, who, id, today(now)).await
}

/// Deletes a task that has no sub-tasks, with its progress updates; one with sub-tasks is
/// refused, naming them. The audit entry keeps everything that went.
pub async fn delete_task(
    db: &Db,
    who: &Principal,
    id: i64,
    input: DeleteInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let before = editable(db, who, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict {
            current: before.version,
        });
    }
    let children: Vec<String> = queries::tasks(db, who.park_id, Some(before.plan_id), None)
        .await?
        .into_iter()
        .filter(|t| t.parent_id == Some(id))
        .map(|t| t.seq)
        .collect();
    if !children.is_empty() {
        return Err(task_has_children(&children));
    }
    let cooperating = queries::cooperator_ids(db, who.park_id, id).await?;
    let mut files: HashMap<i64, Vec<serde_json::Value>> = HashMap::new();
    for f in queries::files_of_task(db, who.park_id, id).await? {
        files.entry(f.progress_id).or_default().push(json!({
            "attachment_id": f.id, "file_name": f.file_name, "content_type": f.content_type,
            "size_bytes": f.size_bytes, "sha256": f.sha256,
        }));
    }
    let progress: Vec<serde_json::Value> = queries::progress_of(db, who.park_id, id)
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "progress_id": p.id, "reported_on": p.reported_on, "percent": p.percent,
                "note": p.note, "created_by": p.created_by, "created_at": p.created_at,
                "files": files.remove(&p.id).unwrap_or_default(),
            })
        })
        .collect();
    let mut kept = task_json(&before, &cooperating);
    kept["status"] = json!(before.status);
    kept["progress"] = json!(before.progress);
    kept["completed_on"] = json!(before.completed_on);
    kept["supervised"] = json!(before.supervised);
    kept["progress_updates"] = json!(progress);
    let mut tx = db.begin().await?;
    log(&mut tx, who, now, "delete", "task", id, Some(kept), None).await?;
    queries::delete_task_parts(&mut tx, who.park_id, id).await?;
    if !queries::delete_task(&mut tx, who.park_id, id, before.version).await? {
        // Saved or given a sub-task since it was read: nothing is deleted.
        return Err(AppError::Conflict {
            current: before.version + 1,
        });
    }
    tx.commit().await?;
    Ok(before.plan_id)
}

fn task_has_children(seqs: &[String]) -> AppError {
    AppError::invalid(
        "delete",
        "删除任务",
        format!(
            "该任务下有 {} 项分解任务（序号 {}），不能删除；请先删除这些分解任务或把它们归到其他任务之下",
            seqs.len(),
            seqs.join("、")
        ),
    )
}

/// Whether `task` is `ancestor` or lies below it in the plan's tree.
fn is_below(tasks: &[TaskRow], task: i64, ancestor: i64) -> bool {
    let parents: HashMap<i64, Option<i64>> = tasks.iter().map(|t| (t.id, t.parent_id)).collect();
    let mut at = Some(task);
    // The tree is acyclic, but a bound keeps a damaged one from looping.
    for _ in 0..=tasks.len() {
        match at {
            Some(t) if t == ancestor => return true,
            Some(t) => at = parents.get(&t).copied().flatten(),
            None => return false,
        }
    }
    false
}

fn task_json(t: &TaskRow, cooperating: &[i64]) -> serde_json::Value {
    json!({
        "plan_id": t.plan_id, "parent_id": t.parent_id, "seq": t.seq, "content": t.content,
        "unit_id": t.unit_id, "cooperating_unit_ids": cooperating, "start_on": t.start_on,
        "deadline": t.deadline, "version": t.version,
    })
}

/// The same message for the same field once (creation's checks and the edit's overlap).
fn dedup(errors: Vec<crate::error::FieldError>) -> Vec<crate::error::FieldError> {
    let mut out: Vec<crate::error::FieldError> = Vec::new();
    for e in errors {
        if !out
            .iter()
            .any(|o| o.field == e.field && o.message == e.message)
        {
            out.push(e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, parent: Option<i64>) -> TaskRow {
        TaskRow {
            id,
            plan_id: 1,
            parent_id: parent,
            seq: id.to_string(),
            content: String::new(),
            unit_id: 1,
            unit_name: String::new(),
            start_on: None,
            deadline: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            status: "not_started".into(),
            completed_on: None,
            progress: 0,
            supervised: false,
            version: 1,
            plan_year: 2025,
        }
    }

    #[test]
    fn a_parent_below_the_task_is_a_cycle() {
        let tasks = vec![row(1, None), row(2, Some(1)), row(3, Some(2)), row(4, None)];
        assert!(is_below(&tasks, 3, 1));
        assert!(is_below(&tasks, 1, 1));
        assert!(!is_below(&tasks, 4, 1));
        assert!(!is_below(&tasks, 1, 3));
    }
}
