//! Export: one ledger kind to a workbook that import reads back unchanged — the kind's sheet name
//! and headers, dates as real Excel dates, numbers as numbers, 是/否 for flags.

use rust_xlsxwriter::{ExcelDateTime, Workbook, Worksheet};

use chrono::{Datelike, NaiveDate};

use super::style::{self, Widths};
use super::{queries, ExcelError};
use crate::db::Db;
use crate::ledger::catalogue::{header_key, KindDef};
use crate::ledger::value::Value;

/// A written workbook.
#[derive(Debug)]
pub struct Exported {
    pub bytes: Vec<u8>,
    /// The kind's sheet name.
    pub sheet: String,
    /// Records written.
    pub rows: usize,
}

/// Exports the live records of `kind` (an id like `meeting` or a sheet name), all of them or
/// those dated in `year`.
pub async fn workbook(
    db: &Db,
    park_id: i64,
    kind: &str,
    year: Option<i32>,
) -> Result<Exported, ExcelError> {
    let kinds = crate::ledger::queries::kinds(db, park_id).await?;
    let kind = find_kind(kinds, kind)?;
    let span = match year {
        Some(y) => Some(
            NaiveDate::from_ymd_opt(y, 1, 1)
                .zip(NaiveDate::from_ymd_opt(y, 12, 31))
                .filter(|_| (1900..=2100).contains(&y))
                .ok_or(ExcelError::BadYear(y))?,
        ),
        None => None,
    };
    let fields = queries::export_fields(db, park_id, &kind.id, span).await?;
    tokio::task::spawn_blocking(move || write(&kind, &fields))
        .await
        .map_err(|e| ExcelError::Internal(e.to_string()))?
}

/// The park's kind named by id or by sheet name.
pub(crate) fn find_kind(kinds: Vec<KindDef>, name: &str) -> Result<KindDef, ExcelError> {
    let wanted = header_key(name);
    let known = kinds
        .iter()
        .map(|k| format!("{}（{}）", k.id, k.sheet))
        .collect::<Vec<_>>()
        .join("、");
    kinds
        .into_iter()
        .find(|k| k.id == name.trim() || header_key(&k.sheet) == wanted)
        .ok_or(ExcelError::UnknownKind {
            name: name.to_owned(),
            known,
        })
}

/// Rows a sheet can hold below its header.
const MAX_SHEET_ROWS: i64 = 1_048_575;

/// Exports the records a ledger page lists — its filters, its order, the user's role and data
/// scope — every page of them, not only the one shown.
pub async fn listed(
    db: &Db,
    who: &crate::auth::Principal,
    params: crate::ledger::service::ListParams,
) -> Result<Exported, crate::error::AppError> {
    use crate::error::AppError;
    let kind_id = params.kind.clone().unwrap_or_default();
    let kind = crate::ledger::kinds::kind(db, who, &kind_id).await?;
    let mut query = crate::ledger::service::record_query(db, who, params).await?;
    query.limit = MAX_SHEET_ROWS + 1;
    query.offset = 0;
    let (rows, _) = crate::ledger::queries::list_records(db, who.park_id, &query, false).await?;
    if rows.len() as i64 > MAX_SHEET_ROWS {
        return Err(AppError::BadRequest(format!(
            "筛选出的记录超过一张工作表的上限 {MAX_SHEET_ROWS} 行，请缩小年份或条件后分批导出"
        )));
    }
    let fields: Vec<String> = rows.into_iter().map(|r| r.fields).collect();
    let written = tokio::task::spawn_blocking(move || write(&kind, &fields))
        .await
        .map_err(|e| ExcelError::Internal(e.to_string()));
    match written.and_then(|w| w) {
        Ok(w) => Ok(w),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            Err(AppError::BadRequest(e.to_string()))
        }
    }
}

fn write(kind: &KindDef, records: &[String]) -> Result<Exported, ExcelError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(&kind.sheet)?;
    let header = style::header();
    let date = style::date();
    let mut widths = Widths::new(kind.fields.len());
    for (col, field) in kind.fields.iter().enumerate() {
        let text = field.header();
        widths.fit(col, &text);
        ws.write_string_with_format(0, col_u16(col), &text, &header)?;
    }
    let mut row: u32 = 0;
    for fields in records {
        row += 1;
        // A stored record always holds a JSON object; anything else exports as an empty row.
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(fields).unwrap_or_default();
        for (col, field) in kind.fields.iter().enumerate() {
            let Some(json) = object.get(&field.key) else {
                continue;
            };
            match Value::from_json(field, json) {
                Ok(Some(value)) => {
                    widths.fit(col, &value.display());
                    write_value(ws, row, col_u16(col), &value, &date)?;
                }
                Ok(None) => {}
                // A value the kind no longer accepts (the kind was edited) is kept as it was.
                Err(_) => {
                    let text = json
                        .as_str()
                        .map_or_else(|| json.to_string(), str::to_owned);
                    style::write_text(ws, row, col_u16(col), &text, None)?;
                }
            }
        }
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(1, 0)?;
    if !kind.fields.is_empty() {
        ws.autofilter(0, 0, row, col_u16(kind.fields.len() - 1))?;
    }
    Ok(Exported {
        bytes: wb.save_to_buffer()?,
        sheet: kind.sheet.clone(),
        rows: records.len(),
    })
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    date: &rust_xlsxwriter::Format,
) -> Result<(), ExcelError> {
    match value {
        Value::Text(text) => style::write_text(ws, row, col, text, None)?,
        // Parsed integers stay below 10^15, exact as f64.
        Value::Integer(n) => ws.write_number(row, col, *n as f64)?,
        Value::Decimal(x) => ws.write_number(row, col, *x)?,
        Value::Bool(_) => ws.write_string(row, col, value.display())?,
        Value::Date(d) => {
            // Ledger dates lie within 1900..=2100, so the narrowing conversions are exact.
            let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            ws.write_datetime_with_format(row, col, &dt, date)?
        }
    };
    Ok(())
}

/// A kind has a handful of fields; its column index always fits Excel's 16-bit columns.
pub(crate) fn col_u16(col: usize) -> u16 {
    u16::try_from(col).unwrap_or(u16::MAX)
}
