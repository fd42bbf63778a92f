//! 工作台 at a glance: the year's charts and the to-do list, each figure computed by the very
//! service call its link's list makes (the ledger list for meetings by month, `tasks::service::list`
//! for tasks by status, `requests::service::list` for requests by status, the checks grid for
//! 三会一课), so that a bar and the list behind it never disagree. Each part is there only for
//! a role that may read what it counts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::auth::{Action, Principal, Role};
use crate::error::AppError;
use crate::ledger::service::{self as ledger, ListParams};
use crate::rules::grid::{Grid, Status};
use crate::tasks::TaskView;
use crate::web::chart::{self, Bar, Caption, Category, Cell, HeatRow, Series};
use crate::web::ui::Page;
use crate::web::AppState;

/// Rows of the small 三会一课 grid and bars of the 参与率 chart at most; the weakest first.
const MOST_ROWS: usize = 12;
/// Tasks each to-do item lists; the rest are a link away.
const TODO_TASKS: usize = 5;
/// The meeting types a branch or group holds monthly whose absence this month is a to-do.
const MONTHLY_DUTIES: [&str; 2] = ["支部委员会", "党小组会"];
const THIS_YEAR: &str = "#b3262d";
const LAST_YEAR: &str = "#9aa0a6";

/// The charts and to-do list of the 工作台.
#[derive(Serialize, Default)]
pub struct Glance {
    pub charts: Vec<ChartView>,
    pub todo: Todo,
    pub actions: Vec<QuickAction>,
}

/// One chart: its heading, a line under it, the SVG, and a link to the whole list.
#[derive(Serialize)]
pub struct ChartView {
    pub id: &'static str,
    pub title: String,
    pub note: String,
    pub svg: String,
    pub href: String,
    pub link: &'static str,
}

/// What needs doing: this month's monthly meetings not yet held, tasks due soon and overdue.
#[derive(Serialize, Default)]
pub struct Todo {
    /// `2025年6月`, when the year shown is this year (the month's meetings are a to-do).
    pub month: Option<String>,
    pub unheld: Vec<Unheld>,
    pub due_soon: Vec<TaskView>,
    pub due_soon_total: usize,
    pub due_soon_href: String,
    /// Whether the role reads tasks (the task items are shown, empty or not).
    pub tasks: bool,
}

/// A unit that has not held this month's monthly meeting of a type.
#[derive(Serialize)]
pub struct Unheld {
    pub unit: String,
    pub meeting_type: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct QuickAction {
    pub href: &'static str,
    pub label: &'static str,
}

/// The year's rule-check figures of one data scope: the open findings, the grid and 参与率 by
/// branch. They cost a statement over the year's meetings (one for all three,
/// `rules::pages::home_figures`), so they are kept per scope, year and as-of date while the
/// park's data version is unchanged (every audited write, of a record, a task, a rule file or a
/// rectification mark, bumps it), as the ledger's listing totals are.
pub struct YearChecks {
    pub open: Option<crate::rules::pages::HomeChecks>,
    pub grid: Grid,
    pub rates: Vec<crate::rules::participation::Rate>,
}

/// [`YearChecks`] kept by the server (`AppState::part`).
#[derive(Default)]
pub struct ChecksCache {
    kept: Mutex<HashMap<ChecksKey, (i64, Arc<YearChecks>)>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct ChecksKey {
    park_id: i64,
    /// The data scope, spelt out: the figures differ only by it, not by role.
    scope: String,
    year: crate::calendar::Year,
    as_of: NaiveDate,
}

/// Entries kept at most; past it the cache starts afresh.
const CHECKS_CACHE_SIZE: usize = 1_000;

/// The year's [`YearChecks`] in the principal's scope, `None` for a role that reads no checks.
pub async fn year_checks(
    st: &AppState,
    page: &Page,
    year: crate::calendar::Year,
    today: NaiveDate,
) -> Result<Option<Arc<YearChecks>>, AppError> {
    let who = &page.who;
    if !who.role.allows(Action::ReadChecks) {
        return Ok(None);
    }
    let as_of = crate::rules::default_as_of(year, today);
    let key = ChecksKey {
        park_id: who.park_id,
        scope: format!("{:?}", who.scope),
        year,
        as_of,
    };
    let cache = st.part::<ChecksCache>();
    let version = crate::db::data_version(&st.db, who.park_id).await?;
    let known = cache.kept.lock().ok().and_then(|kept| {
        kept.get(&key)
            .filter(|(v, _)| *v == version)
            .map(|(_, c)| Arc::clone(c))
    });
    if let Some(c) = known {
        return Ok(Some(c));
    }
    // The findings, the grid and the rates from one statement over the year's meetings (two
    // while the year runs: the rates count the whole year).
    let Some(figures) = crate::rules::pages::home_figures(st, page, year).await? else {
        return Ok(None);
    };
    let checks = Arc::new(YearChecks {
        open: Some(figures.checks),
        grid: figures.grid,
        rates: figures.rates,
    });
    if let Ok(mut kept) = cache.kept.lock() {
        if kept.len() >= CHECKS_CACHE_SIZE {
            kept.clear();
        }
        kept.insert(key, (version, Arc::clone(&checks)));
    }
    Ok(Some(checks))
}

/// The 工作台's charts, to-do list and quick actions for `year`, as `who` may see them; the
/// rule-check figures come from [`year_checks`].
pub async fn glance(
    st: &AppState,
    who: &Principal,
    year: i32,
    today: NaiveDate,
    checks: Option<&YearChecks>,
) -> Result<Glance, AppError> {
    let mut g = Glance {
        actions: quick_actions(who),
        ..Default::default()
    };
    // The enterprise portal and the admin duties get none of the park's figures.
    if matches!(
        who.role,
        Role::Enterprise | Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin | Role::Pending
    ) {
        return Ok(g);
    }
    // The meetings chart, the requests and the tasks only read: side by side on the pool.
    let meetings = async {
        if who.role.allows(Action::ReadRecords("meeting")) {
            meetings_chart(st, who, year).await
        } else {
            Ok(None)
        }
    };
    let requests = async {
        if matches!(who.role, Role::Office | Role::ServiceStaff) {
            let counts = crate::requests::service::by_status(
                &st.db,
                &st.part::<crate::requests::service::RequestTotals>(),
                who,
                st.now(),
            )
            .await?;
            Ok(Some(requests_chart(today, &counts)))
        } else {
            Ok(None)
        }
    };
    let tasks = async {
        if who.role.allows(Action::ReadPlans) {
            tasks_part(st, who, year, today).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (meetings, requests, tasks) = tokio::try_join!(meetings, requests, tasks)?;
    if let Some(checks) = checks {
        if year == today.year() {
            g.todo.month = Some(format!("{year}年{}月", today.month()));
            g.todo.unheld = unheld(&checks.grid, today.month());
        }
        g.charts.push(grid_chart(&checks.grid));
    }
    if let Some(c) = meetings {
        g.charts.push(c);
    }
    if let Some(checks) = checks.filter(|_| who.role.allows(Action::ReadRecords("meeting"))) {
        g.charts.push(participation_chart(year, &checks.rates));
    }
    if let Some(c) = requests {
        g.charts.push(c);
    }
    if let Some((c, due)) = tasks {
        g.charts.push(c);
        g.todo.tasks = true;
        g.todo.due_soon_total = due.len();
        g.todo.due_soon = due.into_iter().take(TODO_TASKS).collect();
        g.todo.due_soon_href = format!("/tasks?year={year}&view=all&due=soon");
    }
    Ok(g)
}

/// The quick actions the role may take: 新建会议, Excel 导入, 生成述职报告.
fn quick_actions(who: &Principal) -> Vec<QuickAction> {
    let mut out = Vec::new();
    if who.role.allows(Action::WriteRecords("meeting")) {
        out.push(QuickAction {
            href: "/ledger/meeting/new",
            label: "新建会议",
        });
    }
    if who.role.allows(Action::ImportLedgers) {
        out.push(QuickAction {
            href: "/import",
            label: "Excel 导入",
        });
    }
    if who.role.allows(Action::ReadReport) {
        out.push(QuickAction {
            href: "/report",
            label: "生成述职报告",
        });
    }
    out
}

/// The meeting ledger of one unit in one month, as the checks grid links it.
fn month_href(year: i32, unit_id: i64, month: u32) -> String {
    let from = NaiveDate::from_ymd_opt(year, month, 1);
    let to = crate::rules::Period::Month.last_day(year, month);
    match (from, to) {
        (Some(f), Some(l)) => {
            format!("/ledger/meeting?year={year}&unit={unit_id}&from={f}&to={l}")
        }
        _ => format!("/ledger/meeting?year={year}&unit={unit_id}"),
    }
}

/// Units whose cell of `month` has a 支委会 or 党小组会 mark not held.
fn unheld(grid: &Grid, month: u32) -> Vec<Unheld> {
    let mut out = Vec::new();
    for row in &grid.rows {
        let Some(cell) = usize::try_from(month)
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|m| row.months.get(m))
        else {
            continue;
        };
        for mark in cell {
            if mark.status != Status::Held && MONTHLY_DUTIES.contains(&mark.meeting_type.as_str()) {
                out.push(Unheld {
                    unit: row.unit.clone(),
                    meeting_type: mark.meeting_type.clone(),
                    href: month_href(grid.year, row.unit_id, month),
                });
            }
        }
    }
    out
}

/// Held and due (held or missed) marks of a cell or row.
fn held_due<'a>(marks: impl Iterator<Item = &'a crate::rules::grid::Mark>) -> (usize, usize) {
    marks.fold((0, 0), |(held, due), m| match m.status {
        Status::Held => (held + 1, due + 1),
        Status::Missed => (held, due + 1),
        Status::NotDue => (held, due),
    })
}

fn percent_text(held: usize, due: usize) -> String {
    (held * 100 + due / 2)
        .checked_div(due)
        .map_or_else(|| "—".to_string(), |p| format!("{p}%"))
}

/// The checks grid in small: a row per unit, the units with the most missed meetings first.
fn grid_chart(grid: &Grid) -> ChartView {
    let year = grid.year;
    let mut rows: Vec<(usize, HeatRow)> = grid
        .rows
        .iter()
        .map(|row| {
            let (held, due) = held_due(row.months.iter().flatten());
            let cells = row
                .months
                .iter()
                .enumerate()
                .map(|(m, marks)| {
                    let month = m as u32 + 1;
                    let (h, d) = held_due(marks.iter());
                    let parts: Vec<String> = marks
                        .iter()
                        .map(|k| format!("{} {}", k.meeting_type, k.status.label()))
                        .collect();
                    let detail = if parts.is_empty() {
                        "本月无按月要求的会议".to_string()
                    } else {
                        parts.join("；")
                    };
                    Cell {
                        share: (d > 0).then(|| h as f64 / d as f64),
                        href: month_href(year, row.unit_id, month),
                        title: format!("{} {year}年{month}月：{detail}", row.unit),
                    }
                })
                .collect();
            (
                due - held,
                HeatRow {
                    label: row.unit.clone(),
                    href: format!("/checks?year={year}"),
                    cells,
                    shown: percent_text(held, due),
                },
            )
        })
        .collect();
    let total = rows.len();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let rows: Vec<HeatRow> = rows.into_iter().take(MOST_ROWS).map(|(_, r)| r).collect();
    let months: Vec<String> = (1..=12).map(|m| m.to_string()).collect();
    let title = format!("{year}年三会一课按月完成情况");
    let svg = chart::heat(
        Caption {
            id: "chart-grid",
            title: &title,
            desc: "每行一个党支部或党小组，每格一个月：深绿为按要求召开，橙色为部分召开，红色为未召开，灰色为未到期；行末为已到期要求的完成率。点击格子查看该单位当月的会议记录。",
        },
        &months,
        &rows,
    );
    let note = if total > rows.len() {
        format!(
            "截至 {}，列出未召开最多的 {} 个单位（共 {total} 个）",
            grid.as_of,
            rows.len()
        )
    } else {
        format!("截至 {}，共 {total} 个单位", grid.as_of)
    };
    ChartView {
        id: "grid",
        title,
        note,
        svg,
        href: format!("/checks?year={year}"),
        link: "查看规则检查",
    }
}

/// The year's meetings by month against last year's, each bar the total of the meeting ledger
/// listed for that month. `None` when the park has no meeting ledger the principal reads.
async fn meetings_chart(
    st: &AppState,
    who: &Principal,
    year: i32,
) -> Result<Option<ChartView>, AppError> {
    let cache = st.part::<ledger::CountCache>();
    let mut categories = Vec::with_capacity(12);
    let mut totals = [0_i64; 2];
    for month in 1..=12u32 {
        let mut bars = Vec::with_capacity(2);
        for (k, y) in [year, year - 1].into_iter().enumerate() {
            let (Some(from), Some(to)) = (
                NaiveDate::from_ymd_opt(y, month, 1),
                crate::rules::Period::Month.last_day(y, month),
            ) else {
                continue;
            };
            let params = ListParams {
                kind: Some("meeting".into()),
                year: Some(y),
                from: Some(from),
                to: Some(to),
                limit: Some(1),
                ..Default::default()
            };
            let n = match ledger::list(&st.db, &cache, who, params).await {
                Ok(l) => l.total,
                Err(AppError::NotFound(_) | AppError::Forbidden(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            totals[k] += n;
            bars.push(Bar {
                value: n as f64,
                shown: n.to_string(),
                href: format!("/ledger/meeting?year={y}&from={from}&to={to}"),
                title: format!("{y}年{month}月会议：{n} 次"),
            });
        }
        categories.push(Category {
            label: format!("{month}月"),
            bars,
        });
    }
    let title = format!("{year}年会议按月统计（与{}年对比）", year - 1);
    let series = [
        Series {
            name: format!("{year}年"),
            colour: THIS_YEAR,
        },
        Series {
            name: format!("{}年", year - 1),
            colour: LAST_YEAR,
        },
    ];
    let svg = chart::bars(
        Caption {
            id: "chart-meetings",
            title: &title,
            desc: "每月两条：本年与上年会议台账的记录数。点击查看该月的会议记录。",
        },
        &series,
        &categories,
        None,
    );
    Ok(Some(ChartView {
        id: "meetings",
        title,
        note: format!("全年 {} 次，上年 {} 次", totals[0], totals[1]),
        svg,
        href: format!("/ledger/meeting?year={year}"),
        link: "查看会议台账",
    }))
}

/// 参与率 by branch, the lowest first.
fn participation_chart(year: i32, rates: &[crate::rules::participation::Rate]) -> ChartView {
    let total = rates.len();
    let mut rates: Vec<_> = rates
        .iter()
        .filter_map(|r| r.percent().map(|p| (p, r)))
        .collect();
    rates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let categories: Vec<Category> = rates
        .iter()
        .take(MOST_ROWS)
        .map(|(p, r)| Category {
            label: r.unit.clone(),
            bars: vec![Bar {
                value: *p,
                shown: format!("{p:.1}%"),
                href: format!("/ledger/meeting?year={year}&unit={}", r.unit_id),
                title: format!(
                    "{} {year}年参与率：实到 {} / 应到 {} 人次 = {p:.1}%（{} 次会议）",
                    r.unit, r.numerator, r.denominator, r.meetings
                ),
            }],
        })
        .collect();
    let title = format!("{year}年各支部会议参与率");
    let svg = chart::bars(
        Caption {
            id: "chart-participation",
            title: &title,
            desc: "各党支部本年会议的实到人数之和除以应到人数之和，最低的在前。点击查看该支部本年的会议记录。",
        },
        &[],
        &categories,
        Some(100.0),
    );
    let note = if total > categories.len() {
        format!("列出最低的 {} 个支部（共 {total} 个）", categories.len())
    } else {
        "实到人数 ÷ 应到人数，最低的在前".to_string()
    };
    ChartView {
        id: "participation",
        title,
        note,
        svg,
        href: format!("/ledger/meeting?year={year}"),
        link: "查看会议台账",
    }
}

/// Requests by status, now (requests are worked across years).
fn requests_chart(today: NaiveDate, counts: &[(crate::requests::Status, i64)]) -> ChartView {
    let categories: Vec<Category> = counts
        .iter()
        .map(|(s, n)| Category {
            label: s.label().to_string(),
            bars: vec![Bar {
                value: *n as f64,
                shown: n.to_string(),
                href: format!("/requests?status={}", s.as_str()),
                title: format!("{}：{n} 件", s.label()),
            }],
        })
        .collect();
    let title = "企业诉求按状态统计".to_string();
    let svg = chart::bars(
        Caption {
            id: "chart-requests",
            title: &title,
            desc: "各状态的企业诉求件数。点击查看该状态的诉求。",
        },
        &[],
        &categories,
        None,
    );
    ChartView {
        id: "requests",
        title,
        note: format!(
            "截至 {today}，共 {} 件",
            counts.iter().map(|(_, n)| n).sum::<i64>()
        ),
        svg,
        href: "/requests".into(),
        link: "查看企业诉求",
    }
}

/// Tasks of the year by the status shown today, and those due within two weeks.
async fn tasks_part(
    st: &AppState,
    who: &Principal,
    year: i32,
    today: NaiveDate,
) -> Result<(ChartView, Vec<TaskView>), AppError> {
    use crate::tasks::service::{list, TaskFilter};
    let all = list(
        &st.db,
        who,
        &TaskFilter {
            year: Some(year),
            ..Default::default()
        },
        today,
    )
    .await?;
    let categories: Vec<Category> = crate::tasks::SHOWN_STATUSES
        .iter()
        .map(|(id, label)| {
            let n = all.iter().filter(|t| t.shown_status == *id).count();
            Category {
                label: label.to_string(),
                bars: vec![Bar {
                    value: n as f64,
                    shown: n.to_string(),
                    href: format!("/tasks?year={year}&view=all&status={id}"),
                    title: format!("{year}年{label}的任务：{n} 项"),
                }],
            }
        })
        .collect();
    let due = list(
        &st.db,
        who,
        &TaskFilter {
            year: Some(year),
            due_by: Some(today + chrono::Duration::days(crate::tasks::DUE_SOON_DAYS)),
            ..Default::default()
        },
        today,
    )
    .await?;
    let title = format!("{year}年任务按状态统计");
    let svg = chart::bars(
        Caption {
            id: "chart-tasks",
            title: &title,
            desc: "本年年度计划中的任务（含分解任务）按今天的状态统计。点击查看该状态的任务。",
        },
        &[],
        &categories,
        None,
    );
    Ok((
        ChartView {
            id: "tasks",
            title,
            note: format!("截至 {today}，共 {} 项", all.len()),
            svg,
            href: format!("/tasks?year={year}&view=all"),
            link: "查看全部任务",
        },
        due,
    ))
}
