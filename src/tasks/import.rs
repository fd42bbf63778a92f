//! Import of a 工作清单 sheet into a plan: columns matched by header (序号, 任务内容, 责任单位,
//! 配合单位, 开始日期, 完成时限, 上级序号), every row checked, and either every task written in one
//! transaction or none, with every error named by sheet, row and column.
//!
//! The file is read by `excel`'s reader (the same limits and cell conversion as a ledger import)
//! and dates by the one value parser. A task's parent is its 上级序号, or else the part of its 序号
//! before the last dot ("1.2" is under "1"); the parent may be a row of the sheet or a task the
//! plan already has.

use std::collections::HashMap;

use calamine::Data;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::queries::{self, NewTask};
use super::service::insert_task;
use crate::audit::{self, Actor, Change};
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::excel::{cell_text, cell_value, column_letters, CellValue};
use crate::ledger::catalogue::{FieldDef, FieldType};
use crate::ledger::value::{self, Raw};

/// The sheet a 工作清单 lives in.
pub const SHEET: &str = "工作清单";

/// The columns, by header; the first four are required.
const SEQ: &str = "序号";
const CONTENT: &str = "任务内容";
const UNIT: &str = "责任单位";
const DEADLINE: &str = "完成时限";
const COOPERATING: &str = "配合单位";
const START: &str = "开始日期";
const PARENT: &str = "上级序号";
const REQUIRED: [&str; 4] = [SEQ, CONTENT, UNIT, DEADLINE];
const OPTIONAL: [&str; 3] = [COOPERATING, START, PARENT];

/// One checked row, before its parent is resolved.
struct Row {
    line: u32,
    seq: String,
    parent_seq: Option<String>,
    content: String,
    unit_id: i64,
    cooperating: Vec<i64>,
    start_on: Option<NaiveDate>,
    deadline: NaiveDate,
}

/// Which plan an import fills.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// A plan that exists.
    Plan(i64),
    /// The year's 工作清单, created (in the import's transaction) when the park has none yet.
    YearList(i32),
}

/// Imports the 工作清单 sheet of a file into plan `plan_id` for a signed-in user; returns how
/// many tasks were added.
pub async fn import_task_list(
    db: &Db,
    who: &Principal,
    plan_id: i64,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    who.require(Action::WritePlans)?;
    let result = import(
        db,
        who.park_id,
        &who.actor(),
        Target::Plan(plan_id),
        file_name,
        bytes,
        now,
    )
    .await;
    match &result {
        // Kept for the plan page and the API to offer after the refusal.
        Err(AppError::Invalid(errors)) => {
            if let Some(book) = marked_copy(file_name, bytes, errors).await {
                queries::save_error_book(
                    db,
                    who.park_id,
                    plan_id,
                    who.user_id,
                    file_name,
                    &book,
                    now,
                )
                .await?;
            }
        }
        Ok(_) => {
            let mut tx = db.begin().await?;
            queries::drop_error_books(&mut tx, who.park_id, plan_id, Some(who.user_id)).await?;
            tx.commit().await?;
        }
        Err(_) => {}
    }
    result
}

/// The marked copy of the principal's last refused upload to a plan, as a download: its name
/// (`清单.errors.xlsx`) and bytes.
pub async fn error_book(
    db: &Db,
    who: &Principal,
    plan_id: i64,
) -> Result<(String, Vec<u8>), AppError> {
    who.require(Action::WritePlans)?;
    let (name, bytes) = queries::error_book(db, who.park_id, plan_id, who.user_id)
        .await?
        .ok_or(AppError::NotFound("标出错误的工作簿"))?;
    let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
    Ok((format!("{stem}.errors.xlsx"), bytes))
}

/// A workbook as a download.
pub(crate) fn xlsx_response(file_name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::web::ui::attachment_disposition(file_name, false),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The marked copy of a refused upload ([`super::marked`]): the 工作清单 sheet read again, each
/// bad cell filled and noted. `None` when no error names a place in the sheet, or the copy
/// cannot be written (the errors are then still listed).
pub async fn marked_copy(file_name: &str, bytes: &[u8], errors: &[FieldError]) -> Option<Vec<u8>> {
    let (owned, name, errors) = (bytes.to_vec(), file_name.to_string(), errors.to_vec());
    tokio::task::spawn_blocking(move || {
        let rows = crate::excel::read_sheet(&owned, &name, SHEET).ok()??;
        match super::marked::workbook(&rows, &errors) {
            Ok(book) => book,
            Err(e) => {
                tracing::warn!(error = %e, "the marked 工作清单 could not be written");
                None
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Imports the 工作清单 sheet of a file as `actor` (the command line imports as the system).
pub async fn import(
    db: &Db,
    park_id: i64,
    actor: &Actor,
    target: Target,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let plan = match target {
        Target::Plan(id) => Some(
            queries::plan(db, park_id, id)
                .await?
                .ok_or(AppError::NotFound("年度计划"))?,
        ),
        Target::YearList(year) => {
            crate::calendar::Year::new(year).map_err(|e| e.at("year", "年度"))?;
            queries::plan_of(db, park_id, year, "task_list").await?
        }
    };
    let (owned, name) = (bytes.to_vec(), file_name.to_string());
    let read = tokio::task::spawn_blocking(move || crate::excel::read_sheet(&owned, &name, SHEET))
        .await
        .map_err(|_| AppError::BadRequest("文件读取失败".into()))?;
    let rows = read
        .map_err(|e| AppError::invalid("file", "文件", e.to_string()))?
        .ok_or_else(|| {
            AppError::invalid("file", "文件", format!("工作簿中没有名为“{SHEET}”的工作表"))
        })?;
    let units: Vec<(i64, String)> = crate::org::queries::units(db, park_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let existing = match &plan {
        Some(p) => queries::tasks(db, park_id, Some(p.id), None).await?,
        None => Vec::new(),
    };
    let checked = check_rows(&rows, &units, &existing)?;
    let mut tx = db.begin().await?;
    let plan_id = match (plan, target) {
        (Some(p), _) => p.id,
        (None, Target::Plan(_)) => return Err(AppError::NotFound("年度计划")),
        (None, Target::YearList(year)) => {
            let mut row = queries::PlanRow {
                id: 0,
                year,
                plan_kind: "task_list".to_string(),
                title: format!("{year}年工作清单"),
                doc_number: String::new(),
                document_id: None,
            };
            row.id = queries::insert_plan(&mut tx, park_id, &row, now).await?;
            let change = Change {
                action: "create",
                entity: "plan",
                entity_id: Some(row.id),
                before: None,
                after: Some(json!(row)),
            };
            audit::record(&mut tx, park_id, actor, now, change).await?;
            row.id
        }
    };
    let mut ids: HashMap<String, i64> = existing.iter().map(|t| (t.seq.clone(), t.id)).collect();
    for row in &checked {
        let parent_id = row.parent_seq.as_ref().and_then(|p| ids.get(p).copied());
        let new = NewTask {
            plan_id,
            parent_id,
            seq: row.seq.clone(),
            content: row.content.clone(),
            unit_id: row.unit_id,
            start_on: row.start_on,
            deadline: row.deadline,
        };
        let id = insert_task(&mut tx, park_id, &new, &row.cooperating, now).await?;
        ids.insert(row.seq.clone(), id);
    }
    // One entry for the batch, as every bulk operation does.
    let change = Change {
        action: "import",
        entity: "plan",
        entity_id: Some(plan_id),
        before: None,
        after: Some(
            json!({"file_name": file_name, "sheet": SHEET, "tasks": checked.len(),
                           "seqs": checked.iter().map(|r| r.seq.as_str()).collect::<Vec<_>>()}),
        ),
    };
    audit::record(&mut tx, park_id, actor, now, change).await?;
    tx.commit().await?;
    Ok(checked.len())
}

/// Checks every row, returning them in an order where each parent precedes its sub-tasks, or
/// every error found.
fn check_rows(
    rows: &[(u32, Vec<(u32, Data)>)],
    units: &[(i64, String)],
    existing: &[queries::TaskRow],
) -> Result<Vec<Row>, AppError> {
    let mut errors = Vec::new();
    let Some((header_line, header)) = rows.first() else {
        return Err(AppError::invalid("file", SHEET, "工作表是空的"));
    };
    let mut columns: HashMap<&str, u32> = HashMap::new();
    for (col, data) in header {
        let text = cell_text(data);
        let text = text.trim().trim_end_matches('*');
        if let Some(h) = REQUIRED.iter().chain(OPTIONAL.iter()).find(|h| **h == text) {
            columns.insert(h, *col);
        }
    }
    for h in REQUIRED {
        if !columns.contains_key(h) {
            errors.push(err(*header_line, None, h, "缺少这一列"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut checked: Vec<Row> = Vec::new();
    for (line, cells) in &rows[1..] {
        let line = *line;
        let get = |h: &str| {
            columns
                .get(h)
                .and_then(|c| cells.iter().find(|(col, _)| col == c).map(|(_, d)| d))
        };
        let text = |h: &str| {
            get(h)
                .map(|d| cell_text(d).trim().to_string())
                .unwrap_or_default()
        };
        let seq = text(SEQ);
        let content = text(CONTENT);
        if seq.is_empty() && content.is_empty() && text(UNIT).is_empty() {
            continue; // A blank line between groups of tasks.
        }
        let before = errors.len();
        if seq.is_empty() {
            errors.push(err(line, columns.get(SEQ), SEQ, "请填写序号"));
        } else if checked.iter().any(|r| r.seq == seq) || existing.iter().any(|t| t.seq == seq) {
            errors.push(err(line, columns.get(SEQ), SEQ, format!("序号 {seq} 重复")));
        }
        if content.is_empty() {
            errors.push(err(line, columns.get(CONTENT), CONTENT, "请填写任务内容"));
        }
        let unit_id = match resolve(&text(UNIT), units) {
            Ok(Some(id)) => id,
            Ok(None) => {
                errors.push(err(line, columns.get(UNIT), UNIT, "请填写责任单位"));
                0
            }
            Err(m) => {
                errors.push(err(line, columns.get(UNIT), UNIT, m));
                0
            }
        };
        let mut cooperating = Vec::new();
        for name in text(COOPERATING)
            .split(['、', ',', '，', ';', '；', '\n'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match resolve(name, units) {
                Ok(Some(id)) => cooperating.push(id),
                Ok(None) => {}
                Err(m) => errors.push(err(line, columns.get(COOPERATING), COOPERATING, m)),
            }
        }
        let mut date = |h: &str, required: bool| match parse_date(get(h), h, required) {
            Ok(d) => d,
            Err(m) => {
                errors.push(err(line, columns.get(h), h, m));
                None
            }
        };
        let start_on = date(START, false);
        let deadline = date(DEADLINE, true);
        if let (Some(s), Some(d)) = (start_on, deadline) {
            if d < s {
                errors.push(err(
                    line,
                    columns.get(DEADLINE),
                    DEADLINE,
                    "完成时限早于开始日期",
                ));
            }
        }
        let parent_seq = match text(PARENT) {
            p if !p.is_empty() => Some(p),
            _ => seq.rsplit_once('.').map(|(p, _)| p.to_string()),
        };
        if let (Some(deadline), true) = (deadline, errors.len() == before) {
            checked.push(Row {
                line,
                seq,
                parent_seq,
                content,
                unit_id,
                cooperating,
                start_on,
                deadline,
            });
        }
    }
    // Parents: a row of the sheet (any line) or a task of the plan; a deadline must not come
    // before the parent's start.
    let parent_col = columns.get(PARENT).or(columns.get(SEQ));
    for row in &checked {
        let Some(p) = &row.parent_seq else { continue };
        let start = match checked.iter().find(|r| &r.seq == p) {
            Some(r) => r.start_on,
            None => match existing.iter().find(|t| &t.seq == p) {
                Some(t) => t.start_on,
                None => {
                    errors.push(err(
                        row.line,
                        parent_col,
                        PARENT,
                        format!("上级序号 {p} 不存在"),
                    ));
                    continue;
                }
            },
        };
        if let Some(start) = start.filter(|s| row.deadline < *s) {
            errors.push(err(
                row.line,
                columns.get(DEADLINE),
                DEADLINE,
                format!(
                    "完成时限 {} 早于上级任务（序号 {p}）的开始日期 {start}",
                    row.deadline
                ),
            ));
        }
    }
    if checked.is_empty() && errors.is_empty() {
        return Err(AppError::invalid("file", SHEET, "工作表中没有任务"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(parents_first(checked))
}

/// Rows ordered so that every parent of the sheet comes before its sub-tasks (a sheet may list
/// "1.1" above "1"); otherwise in sheet order.
fn parents_first(rows: Vec<Row>) -> Vec<Row> {
    let mut done: Vec<String> = Vec::new();
    let mut pending = rows;
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let seqs: Vec<String> = pending.iter().map(|r| r.seq.clone()).collect();
        let (ready, wait): (Vec<Row>, Vec<Row>) = pending.into_iter().partition(|r| {
            r.parent_seq
                .as_ref()
                .is_none_or(|p| done.contains(p) || !seqs.contains(p))
        });
        if ready.is_empty() {
            // A cycle (1.1 under 1, 1 under 1.1) cannot be ordered: keep the sheet's order and
            // let the unresolved parent stay empty rather than loop.
            out.extend(wait);
            break;
        }
        done.extend(ready.iter().map(|r| r.seq.clone()));
        out.extend(ready);
        pending = wait;
    }
    out
}

fn resolve(name: &str, units: &[(i64, String)]) -> Result<Option<i64>, String> {
    if name.is_empty() {
        return Ok(None);
    }
    match units.iter().find(|(_, n)| n == name) {
        Some((id, _)) => Ok(Some(*id)),
        None => Err(
            match crate::org::nearest(name, units.iter().map(|(_, n)| n.as_str())) {
                Some(near) => format!("没有名为“{name}”的单位，是否为“{near}”？"),
                None => format!("没有名为“{name}”的单位"),
            },
        ),
    }
}

fn parse_date(
    data: Option<&Data>,
    label: &str,
    required: bool,
) -> Result<Option<NaiveDate>, String> {
    let field = FieldDef {
        key: "date".to_string(),
        label: label.to_string(),
        field_type: FieldType::Date,
        required,
        choices: Vec::new(),
        default: None,
        scale: None,
        aliases: Vec::new(),
        set_by: Vec::new(),
    };
    let raw = match cell_value(data) {
        CellValue::Raw(raw) => raw,
        CellValue::Error(code) => return Err(format!("单元格是错误值 {code}")),
    };
    if matches!(raw, Raw::Empty) && !required {
        return Ok(None);
    }
    value::parse(&field, raw)
        .map(|v| v.and_then(|v| v.as_date()))
        .map_err(|e| e.to_string())
}

/// An error at a sheet cell: `工作清单!E5`, labelled 第5行 and the column's header.
fn err(line: u32, col: Option<&u32>, header: &str, message: impl Into<String>) -> FieldError {
    let place = match col {
        Some(c) => format!("{SHEET}!{}{}", column_letters(*c), line + 1),
        None => format!("{SHEET}!{}", line + 1),
    };
    FieldError {
        field: place,
        label: format!("{SHEET} 第{}行 {header}", line + 1),
        message: message.into(),
    }
}
