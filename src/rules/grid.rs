//! The branches × months grid of the checks page: for every 党支部 (and 党小组) a principal may
//! see, and every month of the year, which of the required monthly and quarterly meetings were
//! held, missed, or are not yet due; computed from the same per-rule SQL as the findings, and
//! drawn as SVG on the server.
//!
//! A monthly rule puts one mark in every month. A quarterly rule puts a "held" mark in each month
//! that had such a meeting, and, when the quarter has too few, one mark in the quarter's last
//! month: missed once the quarter is over, not yet due before.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::definition::Requirement;
use super::queries::{self, Spec, Tally, Window};
use super::svg::Svg;
use super::{Period, Rules};
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;

/// The unit types that get a row.
const ROW_TYPES: [&str; 2] = ["党支部", "党小组"];

/// The state of one required meeting in one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Held,
    Missed,
    NotDue,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Held => "已召开",
            Status::Missed => "未召开",
            Status::NotDue => "未到期",
        }
    }
}

/// One required meeting in one cell: its one-character mark, the meeting type, how many were
/// held in the month, and its state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mark {
    pub rule: String,
    pub short: String,
    pub meeting_type: String,
    pub held: i64,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub unit_id: i64,
    pub unit: String,
    pub unit_type: String,
    /// Twelve cells, January first.
    pub months: Vec<Vec<Mark>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grid {
    pub year: i32,
    pub as_of: NaiveDate,
    pub rows: Vec<Row>,
    /// (mark, meeting type) of every rule drawn, for the legend.
    pub key: Vec<(String, String)>,
}

/// The grid of `year` as of `as_of`, for the units the principal may see.
pub async fn grid(
    db: &Db,
    who: &Principal,
    year: Year,
    as_of: NaiveDate,
) -> Result<Grid, AppError> {
    who.require(Action::ReadChecks)?;
    let rules = super::service::park_rules(db, who.park_id).await?;
    let scope = window(who.park_id, year, as_of);
    let units = crate::org::queries::units(db, who.park_id).await?;
    // Every rule's cells from one statement that reads the year's meetings once.
    let drawn = grid_rules(&rules);
    let tallies = queries::grids(db, scope, &specs(&drawn)).await?;
    Ok(assemble(who, scope, as_of, &units, drawn, tallies))
}

/// The window a grid (and a check) of `year` as of `as_of` counts: the year up to `as_of`.
pub(crate) fn window(park_id: i64, year: Year, as_of: NaiveDate) -> Window {
    Window {
        park_id,
        year: year.get(),
        first: year.first_day(),
        last: as_of.min(year.last_day()),
    }
}

/// The count specs of the rules a grid draws ([`grid_rules`]), in their order.
pub(crate) fn specs<'a>(drawn: &[(&'a super::Rule, &'a str, u32)]) -> Vec<Spec<'a>> {
    drawn
        .iter()
        .map(|&(rule, meeting_type, min)| Spec::Count {
            applies_to: &rule.applies_to,
            period: rule.period,
            meeting_type,
            min,
        })
        .collect()
}

/// The grid drawn from the tallies of [`specs`] over `scope`, for the units the principal may
/// see.
pub(crate) fn assemble(
    who: &Principal,
    scope: Window,
    as_of: NaiveDate,
    units: &[crate::org::queries::Unit],
    drawn: Vec<(&super::Rule, &str, u32)>,
    tallies: Vec<Tally>,
) -> Grid {
    let year = scope.year;
    let mut rows: BTreeMap<i64, Row> = BTreeMap::new();
    let mut key = Vec::new();
    for ((rule, meeting_type, min), tally) in drawn.into_iter().zip(tallies) {
        let Tally::Count(found) = tally else {
            continue;
        };
        let short = short_mark(meeting_type);
        if !key.iter().any(|(s, t)| *s == short && t == meeting_type) {
            key.push((short.clone(), meeting_type.to_string()));
        }
        let ended = rule.period.ended(year, scope.last);
        // (unit, period) -> (held in the period, held per month)
        let mut cells: BTreeMap<(i64, u32), (i64, BTreeMap<u32, i64>)> = BTreeMap::new();
        for (unit_id, name, p, record, on, held, _violated) in found {
            if !who.covers(Some(unit_id), None) {
                continue;
            }
            rows.entry(unit_id).or_insert_with(|| Row {
                unit_id,
                unit: name,
                unit_type: rule.applies_to.unit_type.clone(),
                months: vec![Vec::new(); 12],
            });
            let cell = cells
                .entry((unit_id, u32::try_from(p).unwrap_or(0)))
                .or_default();
            cell.0 = held;
            if let (Some(_), Some(on)) = (record, on) {
                *cell.1.entry(on.month()).or_default() += 1;
            }
        }
        for ((unit_id, p), (held, per_month)) in cells {
            let Some(row) = rows.get_mut(&unit_id) else {
                continue;
            };
            let mark = |held: i64, status: Status| Mark {
                rule: rule.id.clone(),
                short: short.clone(),
                meeting_type: meeting_type.to_string(),
                held,
                status,
            };
            let enough = held >= i64::from(min);
            let short_status = if p <= ended {
                Status::Missed
            } else {
                Status::NotDue
            };
            match rule.period {
                Period::Month => {
                    let status = if enough { Status::Held } else { short_status };
                    if let Some(cell) = month_cell(row, p) {
                        cell.push(mark(held, status));
                    }
                }
                Period::Quarter => {
                    for (&month, &n) in &per_month {
                        if let Some(cell) = month_cell(row, month) {
                            cell.push(mark(n, Status::Held));
                        }
                    }
                    if !enough {
                        let last = p * 3;
                        let held_then = per_month.get(&last).copied().unwrap_or(0);
                        if let Some(cell) = month_cell(row, last) {
                            cell.push(mark(held_then, short_status));
                        }
                    }
                }
                Period::Year => {}
            }
        }
    }
    Grid {
        year,
        as_of,
        rows: roster_order(rows, units),
        key,
    }
}

/// The cell of month `month` (1..=12) of a row.
fn month_cell(row: &mut Row, month: u32) -> Option<&mut Vec<Mark>> {
    let index = usize::try_from(month).ok()?.checked_sub(1)?;
    row.months.get_mut(index)
}

/// The count rules a grid draws: monthly or quarterly, of branches or groups.
pub(crate) fn grid_rules(rules: &Rules) -> Vec<(&super::Rule, &str, u32)> {
    rules
        .rules
        .iter()
        .filter(|r| matches!(r.period, Period::Month | Period::Quarter))
        .filter(|r| ROW_TYPES.contains(&r.applies_to.unit_type.as_str()))
        .filter_map(|r| match &r.requirement {
            Requirement::Count { meeting_type, min } => Some((r, meeting_type.as_str(), *min)),
            Requirement::Ratio { .. } | Requirement::TasksDone | Requirement::PairedVisits => None,
        })
        .collect()
}

/// Branches in roster order, each followed by its own groups; other groups last.
fn roster_order(mut rows: BTreeMap<i64, Row>, units: &[crate::org::queries::Unit]) -> Vec<Row> {
    let mut ordered = Vec::with_capacity(rows.len());
    for branch in units.iter().filter(|u| u.unit_type == ROW_TYPES[0]) {
        if let Some(row) = rows.remove(&branch.id) {
            ordered.push(row);
        }
        for group in units.iter().filter(|u| u.parent_id == Some(branch.id)) {
            if let Some(row) = rows.remove(&group.id) {
                ordered.push(row);
            }
        }
    }
    ordered.extend(rows.into_values());
    ordered
}

/// The one character a meeting type is drawn as.
fn short_mark(meeting_type: &str) -> String {
    match meeting_type {
        "支部党员大会" => "大".to_string(),
        "支部委员会" => "委".to_string(),
        "党小组会" => "组".to_string(),
        "党课" => "课".to_string(),
        "主题党日" => "日".to_string(),
        other => other.chars().next().map(String::from).unwrap_or_default(),
    }
}

// ---- drawing ----

const NAME_W: u32 = 200;
const BOX: u32 = 14;
const GAP: u32 = 2;
const PER_LINE: u32 = 4;
/// Room between a cell's border and its marks, on every side.
const PAD: u32 = 5;
/// Wide enough for a full line of marks and the heavier border of a missed one, so that a cell
/// with four marks never reaches into the next month.
const CELL_W: u32 = 2 * PAD + PER_LINE * BOX + (PER_LINE - 1) * GAP;
/// The least height of a row: two lines of marks; a row grows by a line for every further line
/// its fullest cell needs.
const CELL_H: u32 = 2 * PAD + 2 * BOX + GAP;
const HEAD_H: u32 = 28;
const LEGEND_H: u32 = 64;

/// Fill, stroke, text colour and dash of a state's mark: solid dark green for held, solid red with
/// a heavy dark border for missed, light grey with a dashed border for not yet due, so that a
/// missed meeting stands out as plainly as a held one and the three stay apart on a greyscale
/// print (dark, middle, light).
fn look(status: Status) -> (&'static str, &'static str, &'static str, &'static str) {
    match status {
        Status::Held => ("#174a2c", "#174a2c", "#ffffff", "none"),
        Status::Missed => ("#d32f2f", "#7f0000", "#ffffff", "none"),
        Status::NotDue => ("#eeeeee", "#888888", "#666666", "2 2"),
    }
}

/// The height of a row: enough lines for the fullest of its cells.
fn row_height(row: &Row) -> u32 {
    let most = row.months.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let lines = most.div_ceil(PER_LINE).max(1);
    (2 * PAD + lines * BOX + (lines - 1) * GAP).max(CELL_H)
}

/// The grid as an SVG document as wide as the page; each cell links to the meeting ledger of
/// that unit and month.
pub fn draw(grid: &Grid) -> String {
    let width = NAME_W + 12 * CELL_W + 1;
    let heights: Vec<u32> = grid.rows.iter().map(row_height).collect();
    let rows_h: u32 = heights.iter().sum();
    let height = HEAD_H + rows_h + LEGEND_H;
    let mut svg = Svg::fluid(
        width,
        height,
        &format!("{}年各支部三会一课按月执行情况", grid.year),
    );
    let font = [("font-size", "12"), ("font-family", "sans-serif")];
    let t = |n: u32| n.to_string();
    svg.text(
        "text",
        &[
            ("x", "4"),
            ("y", "18"),
            font[0],
            font[1],
            ("fill", "#333333"),
        ],
        "单位 \\ 月份",
    );
    for m in 1..=12u32 {
        let x = NAME_W + (m - 1) * CELL_W + CELL_W / 2;
        svg.text(
            "text",
            &[
                ("x", &*t(x)),
                ("y", "18"),
                ("text-anchor", "middle"),
                font[0],
                font[1],
                ("fill", "#333333"),
            ],
            &format!("{m}月"),
        );
    }
    let mut y = HEAD_H;
    for (row, &row_h) in grid.rows.iter().zip(&heights) {
        let indent = if row.unit_type == ROW_TYPES[1] { 16 } else { 4 };
        svg.text(
            "text",
            &[
                ("x", &*t(indent)),
                ("y", &*t(y + row_h / 2 + 4)),
                font[0],
                font[1],
                ("fill", "#222222"),
            ],
            &row.unit,
        );
        for (m, marks) in row.months.iter().enumerate() {
            let month = m as u32 + 1;
            let x = NAME_W + m as u32 * CELL_W;
            let from = NaiveDate::from_ymd_opt(grid.year, month, 1);
            let to = Period::Month.last_day(grid.year, month);
            let href = match (from, to) {
                (Some(f), Some(l)) => format!(
                    "/ledger/meeting?year={}&unit={}&from={f}&to={l}",
                    grid.year, row.unit_id
                ),
                _ => format!("/ledger/meeting?year={}&unit={}", grid.year, row.unit_id),
            };
            svg.open("a", &[("href", href.as_str())]);
            svg.text("title", &[], &tooltip(grid.year, row, month, marks));
            svg.empty(
                "rect",
                &[
                    ("x", &*t(x)),
                    ("y", &*t(y)),
                    ("width", &*t(CELL_W)),
                    ("height", &*t(row_h)),
                    ("fill", "#ffffff"),
                    ("stroke", "#cccccc"),
                ],
            );
            for (k, mark) in marks.iter().enumerate() {
                let k = k as u32;
                let bx = x + PAD + (k % PER_LINE) * (BOX + GAP);
                let by = y + PAD + (k / PER_LINE) * (BOX + GAP);
                draw_mark(&mut svg, bx, by, &mark.short, mark.status);
            }
            svg.close();
        }
        y += row_h;
    }
    // The legend: the three states, then what each character stands for.
    let ly = HEAD_H + rows_h + 12;
    let mut lx = 4;
    for status in [Status::Held, Status::Missed, Status::NotDue] {
        draw_mark(&mut svg, lx, ly, "", status);
        svg.text(
            "text",
            &[
                ("x", &*t(lx + BOX + 4)),
                ("y", &*t(ly + 11)),
                font[0],
                font[1],
                ("fill", "#222222"),
            ],
            status.label(),
        );
        lx += 110;
    }
    let key: Vec<String> = grid.key.iter().map(|(s, t)| format!("{s} = {t}")).collect();
    svg.text(
        "text",
        &[
            ("x", "4"),
            ("y", &*t(ly + 38)),
            font[0],
            font[1],
            ("fill", "#222222"),
        ],
        &format!(
            "{}；季度要求的会议在季度末月显示是否缺失。点击单元格查看该单位当月的会议记录。",
            key.join("，")
        ),
    );
    svg.finish()
}

fn draw_mark(svg: &mut Svg, x: u32, y: u32, short: &str, status: Status) {
    let (fill, stroke, ink, dash) = look(status);
    let t = |n: u32| n.to_string();
    let width = if status == Status::Missed { "2" } else { "1" };
    svg.empty(
        "rect",
        &[
            ("x", &*t(x)),
            ("y", &*t(y)),
            ("width", &*t(BOX)),
            ("height", &*t(BOX)),
            ("rx", "2"),
            ("fill", fill),
            ("stroke", stroke),
            ("stroke-width", width),
            ("stroke-dasharray", dash),
        ],
    );
    if !short.is_empty() {
        svg.text(
            "text",
            &[
                ("x", &*t(x + BOX / 2)),
                ("y", &*t(y + BOX - 3)),
                ("text-anchor", "middle"),
                ("font-size", "10"),
                ("font-family", "sans-serif"),
                ("fill", ink),
            ],
            short,
        );
    }
}

/// `甲科技党支部 2025年3月：支部委员会 未召开；主题党日 已召开（2次）`.
fn tooltip(year: i32, row: &Row, month: u32, marks: &[Mark]) -> String {
    let mut text = format!("{} {year}年{month}月", row.unit);
    if marks.is_empty() {
        text.push_str("：本月无按月要求的会议");
        return text;
    }
    let parts: Vec<String> = marks
        .iter()
        .map(|m| match m.status {
            Status::Held => format!("{} 已召开（{}次）", m.meeting_type, m.held),
            other => format!("{} {}", m.meeting_type, other.label()),
        })
        .collect();
    text.push('：');
    text.push_str(&parts.join("；"));
    text
}
