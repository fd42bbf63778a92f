//! The demo's annual plans: for each of the three years a 工作要点 and a 工作清单 (linked to the
//! 文件台账 records of their document numbers), the 工作清单's tasks decomposed to departments,
//! branches and the service groups. Most are done on time; a pattern of indices makes some late
//! and some never done (overdue), so the rule `task_overdue` and the on-time rate have something
//! to find. Nothing here is random: the same organisation gives the same plans.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::org::{date, Ids, Org};
use crate::db::Tx;
use crate::error::AppError;
use crate::tasks::queries::{self, NewTask, PlanRow, ProgressRow};
use crate::tasks::service::insert_task;

/// What the 工作清单 decomposes: a top task, who is responsible, who the sub-tasks go to, and
/// its deadline month.
struct Item {
    content: &'static str,
    to: Audience,
    month: u32,
}

#[derive(Clone, Copy)]
enum Audience {
    Departments,
    Branches,
    ServiceGroups,
    All,
}

const LIST: [Item; 6] = [
    Item {
        content: "深入学习贯彻党的创新理论，落实“第一议题”制度",
        to: Audience::All,
        month: 6,
    },
    Item {
        content: "规范落实“三会一课”、主题党日等组织生活制度",
        to: Audience::Branches,
        month: 12,
    },
    Item {
        content: "推进非公企业党建示范点创建",
        to: Audience::Branches,
        month: 10,
    },
    Item {
        content: "开展“暖企行动”，帮助企业解决发展难题",
        to: Audience::ServiceGroups,
        month: 11,
    },
    Item {
        content: "加强意识形态工作和网络舆情管理",
        to: Audience::Departments,
        month: 9,
    },
    Item {
        content: "落实全面从严治党主体责任，开展廉政教育",
        to: Audience::All,
        month: 12,
    },
];

const POINTS: [(&str, u32); 5] = [
    ("召开党工委会议专题研究部署全年党建工作", 3),
    ("组织开展党员冬训和集中轮训", 4),
    ("开展“两优一先”评选表彰", 7),
    ("召开年度组织生活会和民主评议党员", 12),
    ("推进党群服务中心阵地建设", 11),
];

/// How many branches a decomposed task reaches, so the demo stays readable.
const BRANCHES: usize = 6;

/// Writes the three years' plans ending in `year`; returns how many tasks were written.
pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    org: &Org,
    ids: &Ids,
    year: i32,
    until: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let until = until.unwrap_or(NaiveDate::MAX);
    let mut written = 0;
    let mut index = 0usize;
    for y in year - 2..=year {
        let points = plan(tx, park_id, y, "work_points", "党建工作要点", 1, now).await?;
        for (n, (content, month)) in POINTS.iter().enumerate() {
            let unit = if n == 0 {
                org.committee
            } else {
                org.departments[n % org.departments.len()]
            };
            let new = task(
                points,
                None,
                format!("{}", n + 1),
                content.to_string(),
                ids.units[unit],
                Some(date(y, 1, 15)),
                month_end(y, *month),
            );
            let id = insert_task(tx, park_id, &new, &[], now).await?;
            finish(
                tx,
                park_id,
                id,
                &new,
                index,
                Lived {
                    last_year: y == year,
                    until,
                },
                now,
            )
            .await?;
            index += 1;
            written += 1;
        }
        let list = plan(tx, park_id, y, "task_list", "党建工作清单", 2, now).await?;
        for (n, item) in LIST.iter().enumerate() {
            let seq = format!("{}", n + 1);
            let deadline = month_end(y, item.month);
            let top = task(
                list,
                None,
                seq.clone(),
                item.content.to_string(),
                ids.units[org.committee],
                Some(date(y, 3, 1)),
                deadline,
            );
            let cooperating: Vec<i64> = org
                .departments
                .iter()
                .take(1)
                .map(|&u| ids.units[u])
                .collect();
            let top_id = insert_task(tx, park_id, &top, &cooperating, now).await?;
            written += 1;
            let subs = audience(org, item.to);
            let mut completions = Vec::new();
            for (k, unit) in subs.iter().enumerate() {
                // Sub-tasks fall due one to three months before their parent, never before March.
                let month = item.month.saturating_sub(1 + (k as u32 % 3)).max(3);
                let sub = task(
                    list,
                    Some(top_id),
                    format!("{seq}.{}", k + 1),
                    format!("{}（{}）", item.content, org.unit_name(*unit)),
                    ids.units[*unit],
                    None,
                    month_end(y, month),
                );
                let id = insert_task(tx, park_id, &sub, &[], now).await?;
                completions.push(
                    finish(
                        tx,
                        park_id,
                        id,
                        &sub,
                        index,
                        Lived {
                            last_year: y == year,
                            until,
                        },
                        now,
                    )
                    .await?,
                );
                index += 1;
                written += 1;
            }
            // The top task is done when every sub-task is, on the last one's day.
            let done: Option<Vec<NaiveDate>> = completions.into_iter().collect();
            let (status, percent, completed, note) = match done.and_then(|d| d.into_iter().max()) {
                Some(day) => ("done", 100, Some(day), "各分解任务均已完成，汇总上报"),
                None => ("in_progress", 80, None, "部分分解任务尚未完成"),
            };
            let reported_on = completed.unwrap_or(deadline - Duration::days(10));
            if reported_on > until {
                // Not reported on yet: the year has not come that far.
                continue;
            }
            let row = ProgressRow {
                id: 0,
                task_id: top_id,
                reported_on,
                percent,
                note: note.to_string(),
                created_by: None,
                created_at: now,
            };
            queries::insert_progress(tx, park_id, &row).await?;
            queries::set_state(
                tx,
                park_id,
                top_id,
                (status, percent, completed, false),
                now,
            )
            .await?;
        }
    }
    Ok(written)
}

async fn plan(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
    kind: &str,
    title: &str,
    serial: u32,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    // The same numbers the demo's 文件台账 gives these documents (see `affairs`).
    let doc_number = format!("青开党工〔{year}〕{serial}号");
    let document_id = queries::document_by_number_in(tx, park_id, &doc_number).await?;
    let row = PlanRow {
        id: 0,
        year,
        plan_kind: kind.to_string(),
        title: format!("{}{year}年{title}", super::PARK_NAME),
        doc_number,
        document_id,
    };
    Ok(queries::insert_plan(tx, park_id, &row, now).await?)
}

fn task(
    plan_id: i64,
    parent_id: Option<i64>,
    seq: String,
    content: String,
    unit_id: i64,
    start_on: Option<NaiveDate>,
    deadline: NaiveDate,
) -> NewTask {
    NewTask {
        plan_id,
        parent_id,
        seq,
        content,
        unit_id,
        start_on,
        deadline,
    }
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let next = if month >= 12 {
        date(year + 1, 1, 1)
    } else {
        date(year, month + 1, 1)
    };
    next - Duration::days(1)
}

fn audience(org: &Org, to: Audience) -> Vec<usize> {
    let branches = org.branches.iter().take(BRANCHES).map(|b| b.unit);
    match to {
        Audience::Departments => org.departments.clone(),
        Audience::Branches => branches.collect(),
        Audience::ServiceGroups => org.service_groups.clone(),
        Audience::All => org
            .departments
            .iter()
            .copied()
            .take(2)
            .chain(branches.take(3))
            .collect(),
    }
}

/// Where in the park's life a task is: in the demo's last year or not, and the last day lived.
#[derive(Clone, Copy)]
struct Lived {
    last_year: bool,
    until: NaiveDate,
}

/// The task's history by its index: every 7th is done late, every 11th never done (in the demo
/// year those are supervised); the rest are done on time. Returns the day it was done.
async fn finish(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    t: &NewTask,
    index: usize,
    lived: Lived,
    now: DateTime<Utc>,
) -> Result<Option<NaiveDate>, AppError> {
    let Lived { last_year, until } = lived;
    let (status, percent, completed, note, supervised) =
        if t.start_on.is_some_and(|s| s > until) || t.deadline - Duration::days(20) > until {
            // Later in the year than the park has lived: nothing reported yet.
            return Ok(None);
        } else if t.deadline > until {
            ("in_progress", 50, None, "正在推进", false)
        } else if index % 11 == 5 {
            (
                "in_progress",
                60,
                None,
                "已部署推进，部分工作尚未完成",
                last_year,
            )
        } else if index % 7 == 3 {
            (
                "done",
                100,
                Some(t.deadline + Duration::days(12)),
                "已完成（延期）",
                false,
            )
        } else {
            let early = i64::try_from(index % 10).unwrap_or(0);
            (
                "done",
                100,
                Some(t.deadline - Duration::days(early)),
                "已按期完成",
                false,
            )
        };
    let reported_on = completed
        .unwrap_or(t.deadline - Duration::days(20))
        .min(until);
    let completed = completed.filter(|d| *d <= until);
    let (status, percent) = if completed.is_none() && status == "done" {
        ("in_progress", 90)
    } else {
        (status, percent)
    };
    let row = ProgressRow {
        id: 0,
        task_id: id,
        reported_on,
        percent,
        note: note.to_string(),
        created_by: None,
        created_at: now,
    };
    queries::insert_progress(tx, park_id, &row).await?;
    queries::set_state(
        tx,
        park_id,
        id,
        (status, percent, completed, supervised),
        now,
    )
    .await?;
    Ok(completed)
}
