//! The error workbook: a copy of the imported sheets with every bad cell filled red and a note
//! saying what is wrong, plus a last sheet listing every error, so that the person who typed the
//! file can fix it where they typed it and import it again.

use std::collections::BTreeMap;

use calamine::Data;
use rust_xlsxwriter::{Color, Format, Note, Workbook, Worksheet};

use super::cells::{cell_text, SheetCells};
use super::report::Issue;
use super::style;
use super::ExcelError;

/// Excel's own limits; a cell outside them (a hostile file's) is left out of the copy.
const MAX_ROW: u32 = 1_048_575;
const MAX_COL: u32 = 16_383;

/// Name of the sheet that lists every error.
const LIST_SHEET: &str = "错误清单";

/// Cells that get a note; past this every bad cell is still filled red and listed, but a
/// hundred thousand notes would take gigabytes to write and make the file unusable.
const MAX_NOTES: usize = 5_000;

/// Builds the error workbook for `errors` over the sheets read.
pub(crate) fn error_workbook(
    sheets: &[SheetCells],
    errors: &[Issue],
) -> Result<Vec<u8>, ExcelError> {
    let mut wb = Workbook::new();
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let date = Format::new().set_num_format(style::DATE_FORMAT);
    let bad_date = bad.clone().set_num_format(style::DATE_FORMAT);
    let plain = Format::new();
    let mut notes_left = MAX_NOTES;
    for grid in sheets {
        // Notes per cell; a row or sheet problem is noted at the end of its row.
        let mut notes: BTreeMap<(u32, u32), Vec<&str>> = BTreeMap::new();
        let width = grid
            .cells()
            .iter()
            .map(|c| c.col)
            .max()
            .map_or(0, |c| c + 1);
        for e in errors.iter().filter(|e| e.sheet == grid.name) {
            let at = match e.at {
                Some((row, Some(col))) => (row, col),
                Some((row, None)) => (row, width),
                None => (0, width),
            };
            notes.entry(at).or_default().push(&e.message);
        }
        let ws = wb.add_worksheet();
        ws.set_name(&grid.name)?;
        for c in grid.cells() {
            if c.row > MAX_ROW || c.col > MAX_COL {
                continue;
            }
            let marked = notes.contains_key(&(c.row, c.col));
            let (look, dated) = if marked {
                (&bad, &bad_date)
            } else {
                (&plain, &date)
            };
            write_cell(ws, c.row, c.col, &c.value, look, dated)?;
        }
        for (&(row, col), messages) in &notes {
            if row > MAX_ROW || col > MAX_COL {
                continue;
            }
            if grid.get(row, col).is_none() {
                let text = if col == width { "← 此行有误" } else { "" };
                ws.write_string_with_format(row, col as u16, text, &bad)?;
            }
            if notes_left == 0 {
                continue;
            }
            notes_left -= 1;
            let note = Note::new(messages.join("\n"))
                .add_author_prefix(false)
                .set_width(320)
                .set_height(120);
            ws.insert_note(row, col as u16, &note)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    list_sheet(wb.add_worksheet(), errors)?;
    Ok(wb.save_to_buffer()?)
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u32,
    value: &Data,
    plain: &Format,
    dated: &Format,
) -> Result<(), ExcelError> {
    // Columns past Excel's last were skipped by the caller, so this fits.
    let col = col as u16;
    match value {
        Data::Int(n) => ws.write_number_with_format(row, col, *n as f64, plain)?,
        Data::Float(x) => ws.write_number_with_format(row, col, *x, plain)?,
        Data::Bool(b) => ws.write_boolean_with_format(row, col, *b, plain)?,
        Data::DateTime(dt) => ws.write_number_with_format(row, col, dt.as_f64(), dated)?,
        other => style::write_text(ws, row, col, &cell_text(other), Some(plain))?,
    };
    Ok(())
}

fn list_sheet(ws: &mut Worksheet, errors: &[Issue]) -> Result<(), ExcelError> {
    ws.set_name(LIST_SHEET)?;
    let header = Format::new().set_bold();
    let titles = ["工作表", "行", "列", "列名", "填写的内容", "问题"];
    for (i, t) in titles.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *t, &header)?;
    }
    for (n, e) in errors.iter().enumerate().take(MAX_ROW as usize) {
        let row = n as u32 + 1;
        style::write_text(ws, row, 0, &e.sheet, None)?;
        if let Some(r) = e.row {
            ws.write_number(row, 1, f64::from(r))?;
        }
        ws.write_string(row, 2, e.column.as_deref().unwrap_or_default())?;
        style::write_text(ws, row, 3, e.header.as_deref().unwrap_or_default(), None)?;
        style::write_text(ws, row, 4, e.value.as_deref().unwrap_or_default(), None)?;
        style::write_text(ws, row, 5, &e.message, None)?;
    }
    for (i, w) in [14.0, 6.0, 5.0, 14.0, 24.0, 70.0].into_iter().enumerate() {
        ws.set_column_width(i as u16, w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}
