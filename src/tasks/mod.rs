//! Annual plans (工作要点, 工作清单) and their tasks, decomposed to units and followed to completion.
//!
//! A plan belongs to a park and a year; its tasks form a tree (a task decomposed into sub-tasks
//! for departments and branches), each with a responsible unit, cooperating units, a start and a
//! deadline. People set the status (未开始, 进行中, 已完成); 已逾期 is derived from the deadline and
//! the day asked about, so it is never stale. Progress rolls up: a task with sub-tasks is as far
//! along as its sub-tasks on average, and a unit as its own tasks on average.

pub mod api;
pub mod edit;
mod edit_pages;
pub mod import;
pub mod marked;
pub mod pages;
pub mod queries;
pub mod service;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

pub use queries::{PlanRow, TaskRow};

/// The kinds of annual plan.
pub const PLAN_KINDS: [(&str, &str); 2] = [("work_points", "工作要点"), ("task_list", "工作清单")];

/// The statuses people set, by id and label.
pub const STATUSES: [(&str, &str); 3] = [
    ("not_started", "未开始"),
    ("in_progress", "进行中"),
    ("done", "已完成"),
];

/// The statuses a task can show on a day, by id and label: the three people set, and overdue.
pub const SHOWN_STATUSES: [(&str, &str); 4] = [
    ("not_started", "未开始"),
    ("in_progress", "进行中"),
    ("overdue", "已逾期"),
    ("done", "已完成"),
];

/// How far ahead the task list's `due=soon` looks, in days: the 工作台's "due in the next two
/// weeks".
pub const DUE_SOON_DAYS: i64 = 14;

pub const DONE: &str = "done";
pub const OVERDUE: &str = "overdue";

pub fn plan_kind_label(kind: &str) -> &'static str {
    PLAN_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("计划", |(_, l)| l)
}

/// A status id from its id or its Chinese label.
pub fn parse_status(text: &str) -> Option<&'static str> {
    let t = text.trim();
    STATUSES
        .iter()
        .find(|(id, label)| *id == t || *label == t)
        .map(|(id, _)| *id)
}

pub fn status_label(status: &str) -> &'static str {
    if status == OVERDUE {
        return "已逾期";
    }
    STATUSES
        .iter()
        .find(|(id, _)| *id == status)
        .map_or("未开始", |(_, l)| l)
}

/// The status shown on `today`: a task not done whose deadline has passed is overdue.
pub fn shown_status(status: &str, deadline: NaiveDate, today: NaiveDate) -> &'static str {
    match status {
        DONE => DONE,
        _ if deadline < today => OVERDUE,
        "in_progress" => "in_progress",
        _ => "not_started",
    }
}

/// Whether a task was done by its deadline.
pub fn on_time(status: &str, completed_on: Option<NaiveDate>, deadline: NaiveDate) -> bool {
    status == DONE && completed_on.is_some_and(|d| d <= deadline)
}

/// A task as the faces show it, with its derived status and rolled-up progress.
#[derive(Clone, Debug, Serialize)]
pub struct TaskView {
    pub id: i64,
    pub plan_id: i64,
    pub parent_id: Option<i64>,
    pub seq: String,
    pub content: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub cooperating_units: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub deadline: NaiveDate,
    /// The status people set: not_started, in_progress, done.
    pub status: String,
    /// What is shown today: the status, or overdue.
    pub shown_status: String,
    pub shown_label: String,
    pub completed_on: Option<NaiveDate>,
    /// The latest percent reported on the task itself.
    pub progress: i64,
    /// The progress rolled up from sub-tasks (the task's own when it has none).
    pub rolled_progress: i64,
    pub supervised: bool,
    pub version: i64,
    pub year: i32,
    /// Depth in the plan's tree, 0 at the top.
    pub depth: usize,
    pub children: usize,
}

impl TaskView {
    pub fn from_row(row: TaskRow, cooperating: Vec<String>, today: NaiveDate) -> TaskView {
        let shown = shown_status(&row.status, row.deadline, today);
        let own = if row.status == DONE {
            100
        } else {
            row.progress
        };
        TaskView {
            id: row.id,
            plan_id: row.plan_id,
            parent_id: row.parent_id,
            seq: row.seq,
            content: row.content,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            cooperating_units: cooperating,
            start_on: row.start_on,
            deadline: row.deadline,
            status: row.status,
            shown_status: shown.to_string(),
            shown_label: status_label(shown).to_string(),
            completed_on: row.completed_on,
            progress: row.progress,
            rolled_progress: own,
            supervised: row.supervised,
            version: row.version,
            year: row.plan_year,
            depth: 0,
            children: 0,
        }
    }

    pub fn is_overdue(&self) -> bool {
        self.shown_status == OVERDUE
    }
}

/// Orders tasks as their tree reads (each parent followed by its sub-tasks, siblings in the
/// order given), sets depth and child counts, and rolls progress up from the leaves. A task
/// whose parent is not in the list (outside the reader's scope) is shown at the top.
pub fn tree(tasks: Vec<TaskView>) -> Vec<TaskView> {
    let ids: HashMap<i64, usize> = tasks.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (i, t) in tasks.iter().enumerate() {
        let parent = t.parent_id.filter(|p| ids.contains_key(p));
        children.entry(parent).or_default().push(i);
    }
    let mut rolled = vec![0i64; tasks.len()];
    fn roll(
        i: usize,
        tasks: &[TaskView],
        children: &HashMap<Option<i64>, Vec<usize>>,
        rolled: &mut [i64],
    ) -> i64 {
        let value = match children.get(&Some(tasks[i].id)) {
            Some(kids) if !kids.is_empty() => {
                let sum: i64 = kids.iter().map(|&k| roll(k, tasks, children, rolled)).sum();
                // A parent marked done by people is done, whatever its sub-tasks say.
                if tasks[i].status == DONE {
                    100
                } else {
                    sum / kids.len() as i64
                }
            }
            _ => tasks[i].rolled_progress,
        };
        rolled[i] = value;
        value
    }
    let mut order = Vec::with_capacity(tasks.len());
    let mut stack: Vec<(usize, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    for &top in children.get(&None).map(Vec::as_slice).unwrap_or(&[]) {
        roll(top, &tasks, &children, &mut rolled);
    }
    while let Some((i, depth)) = stack.pop() {
        order.push((i, depth));
        if let Some(kids) = children.get(&Some(tasks[i].id)) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    let mut slots: Vec<Option<TaskView>> = tasks.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, depth)| {
            let mut t = slots[i].take()?;
            t.depth = depth;
            t.rolled_progress = rolled[i];
            t.children = children.get(&Some(t.id)).map_or(0, Vec::len);
            Some(t)
        })
        .collect()
}

/// A unit's tasks summed up: how many, done, overdue, and their average rolled-up progress.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub unit_name: String,
    pub tasks: usize,
    pub done: usize,
    pub overdue: usize,
    pub progress: i64,
}

/// Rolls a tree's tasks up to their responsible units, in order of first appearance.
pub fn by_unit(tasks: &[TaskView]) -> Vec<UnitProgress> {
    let mut out: Vec<UnitProgress> = Vec::new();
    let mut sums: Vec<i64> = Vec::new();
    for t in tasks {
        let i = match out.iter().position(|u| u.unit_id == t.unit_id) {
            Some(i) => i,
            None => {
                out.push(UnitProgress {
                    unit_id: t.unit_id,
                    unit_name: t.unit_name.clone(),
                    tasks: 0,
                    done: 0,
                    overdue: 0,
                    progress: 0,
                });
                sums.push(0);
                out.len() - 1
            }
        };
        out[i].tasks += 1;
        out[i].done += usize::from(t.status == DONE);
        out[i].overdue += usize::from(t.is_overdue());
        sums[i] += t.rolled_progress;
    }
    for (u, sum) in out.iter_mut().zip(sums) {
        u.progress = sum / u.tasks.max(1) as i64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn task(id: i64, parent: Option<i64>, status: &str, progress: i64, unit: i64) -> TaskView {
        TaskView::from_row(
            TaskRow {
                id,
                plan_id: 1,
                parent_id: parent,
                seq: id.to_string(),
                content: format!("任务{id}"),
                unit_id: unit,
                unit_name: format!("单位{unit}"),
                start_on: None,
                deadline: d(2025, 3, 31),
                status: status.to_string(),
                completed_on: (status == DONE).then(|| d(2025, 3, 1)),
                progress,
                supervised: false,
                version: 1,
                plan_year: 2025,
            },
            Vec::new(),
            d(2025, 6, 15),
        )
    }

    #[test]
    fn overdue_is_derived_from_the_deadline() {
        assert_eq!(
            shown_status("in_progress", d(2025, 3, 31), d(2025, 4, 1)),
            OVERDUE
        );
        assert_eq!(
            shown_status("in_progress", d(2025, 3, 31), d(2025, 3, 31)),
            "in_progress"
        );
        assert_eq!(shown_status(DONE, d(2025, 3, 31), d(2025, 9, 1)), DONE);
        assert!(on_time(DONE, Some(d(2025, 3, 31)), d(2025, 3, 31)));
        assert!(!on_time(DONE, Some(d(2025, 4, 1)), d(2025, 3, 31)));
        assert!(!on_time("in_progress", None, d(2025, 3, 31)));
    }

    #[test]
    fn progress_rolls_up_from_sub_tasks_to_units() {
        let tasks = vec![
            task(1, None, "in_progress", 10, 1),
            task(2, Some(1), DONE, 0, 2),
            task(3, Some(1), "in_progress", 50, 3),
            task(4, Some(3), "in_progress", 20, 3),
            task(5, None, "not_started", 0, 2),
        ];
        let t = tree(tasks);
        let order: Vec<(i64, usize)> = t.iter().map(|t| (t.id, t.depth)).collect();
        assert_eq!(order, vec![(1, 0), (2, 1), (3, 1), (4, 2), (5, 0)]);
        // 4: 20; 3: its one sub-task 20; 1: (100 + 20) / 2.
        let rolled: Vec<i64> = t.iter().map(|t| t.rolled_progress).collect();
        assert_eq!(rolled, vec![60, 100, 20, 20, 0]);
        let units = by_unit(&t);
        assert_eq!(units[1].unit_id, 2);
        assert_eq!(
            (units[1].tasks, units[1].done, units[1].progress),
            (2, 1, 50)
        );
        assert_eq!(units[0].overdue, 1);
    }
}
