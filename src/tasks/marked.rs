//! The marked copy of a refused 工作清单: the sheet as uploaded, every bad cell filled red with a
//! note saying what is wrong (a row's problem noted at the end of the row), and a last sheet
//! listing every error, so the person who typed the list fixes it where they typed it.
//!
//! It looks like the ledger import's error workbook (`excel::marked`), whose builder works on the
//! ledger reader's own grid; the 工作清单 has its own columns and its errors name their cell as
//! `工作清单!F3`, so this small builder reads those places instead.

use calamine::Data;
use rust_xlsxwriter::{Color, Format, Note, Workbook, XlsxError};

use super::import::SHEET;
use crate::error::FieldError;
use crate::excel::{cell_text, SheetRows};

/// Name of the sheet that lists every error.
const LIST_SHEET: &str = "错误清单";

/// Notes written at most; past this, bad cells are still filled red and listed.
const MAX_NOTES: usize = 5_000;

/// Excel's last row and column; a place beyond them (a hostile file's) is listed, not marked.
const MAX_ROW: u32 = 1_048_575;
const MAX_COL: u32 = 16_383;

/// The marked copy of `rows` (the 工作清单 sheet as read) for `errors`; `None` when no error
/// names a place in the sheet (the file could not be read, or had no such sheet).
pub fn workbook(rows: &SheetRows, errors: &[FieldError]) -> Result<Option<Vec<u8>>, XlsxError> {
    let width = rows
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|(c, _)| *c))
        .max()
        .map_or(0, |c| c + 1);
    // (row, column) → messages; a row's own problem goes after its last cell.
    let mut notes: std::collections::BTreeMap<(u32, u32), Vec<&str>> = Default::default();
    for e in errors {
        if let Some((row, col)) = place(&e.field) {
            let at = (row, col.unwrap_or(width));
            if at.0 <= MAX_ROW && at.1 <= MAX_COL {
                notes.entry(at).or_default().push(&e.message);
            }
        }
    }
    if notes.is_empty() {
        return Ok(None);
    }
    let bad = Format::new()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let bad_date = bad.clone().set_num_format("yyyy-mm-dd");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    for (row, cells) in rows {
        for (col, value) in cells {
            if *row > MAX_ROW || *col > MAX_COL {
                continue;
            }
            let marked = notes.contains_key(&(*row, *col));
            let (look, dated) = if marked {
                (&bad, &bad_date)
            } else {
                (&plain, &date)
            };
            let c = *col as u16;
            match value {
                Data::Int(n) => ws.write_number_with_format(*row, c, *n as f64, look)?,
                Data::Float(x) => ws.write_number_with_format(*row, c, *x, look)?,
                Data::Bool(b) => ws.write_boolean_with_format(*row, c, *b, look)?,
                Data::DateTime(dt) => ws.write_number_with_format(*row, c, dt.as_f64(), dated)?,
                other => {
                    crate::excel::style::write_text(ws, *row, c, &cell_text(other), Some(look))?
                }
            };
        }
    }
    let filled = |row: u32, col: u32| {
        rows.iter()
            .find(|(r, _)| *r == row)
            .is_some_and(|(_, cells)| cells.iter().any(|(c, _)| *c == col))
    };
    for (n, (&(row, col), messages)) in notes.iter().enumerate() {
        if !filled(row, col) {
            let text = if col == width { "← 此行有误" } else { "" };
            ws.write_string_with_format(row, col as u16, text, &bad)?;
        }
        if n < MAX_NOTES {
            let note = Note::new(messages.join("\n"))
                .add_author_prefix(false)
                .set_width(320)
                .set_height(120);
            ws.insert_note(row, col as u16, &note)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let list = wb.add_worksheet();
    list.set_name(LIST_SHEET)?;
    let header = Format::new().set_bold();
    for (i, t) in ["位置", "行与列", "问题"].iter().enumerate() {
        list.write_string_with_format(0, i as u16, *t, &header)?;
    }
    for (n, e) in errors.iter().enumerate().take(MAX_ROW as usize) {
        let row = n as u32 + 1;
        list.write_string(row, 0, &e.field)?;
        list.write_string(row, 1, &e.label)?;
        list.write_string(row, 2, &e.message)?;
    }
    for (i, w) in [14.0, 28.0, 70.0].into_iter().enumerate() {
        list.set_column_width(i as u16, w)?;
    }
    Ok(Some(wb.save_to_buffer()?))
}

/// The zero-based (row, column) an import error names: `工作清单!F3` is (2, Some(5)),
/// `工作清单!4` (a row, or a column the sheet lacks) is (3, None); other fields name no place.
fn place(field: &str) -> Option<(u32, Option<u32>)> {
    let at = field.strip_prefix(SHEET)?.strip_prefix('!')?;
    let digits = at.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = at.split_at(digits);
    let row = number.parse::<u32>().ok()?.checked_sub(1)?;
    if letters.is_empty() {
        return Some((row, None));
    }
    let mut col: u32 = 0;
    for ch in letters.chars() {
        if !ch.is_ascii_uppercase() {
            return None;
        }
        col = col
            .checked_mul(26)?
            .checked_add(ch as u32 - 'A' as u32 + 1)?;
    }
    Some((row, Some(col - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_read_back_from_the_error_fields() {
        assert_eq!(place("工作清单!F3"), Some((2, Some(5))));
        assert_eq!(place("工作清单!AA10"), Some((9, Some(26))));
        assert_eq!(place("工作清单!4"), Some((3, None)));
        assert_eq!(place("file"), None);
        assert_eq!(place("工作清单!"), None);
        assert_eq!(place("工作清单!F0"), None);
    }

    #[test]
    fn no_place_no_workbook() {
        let rows: SheetRows = vec![(0, vec![(0, Data::String("序号".into()))])];
        let errors = vec![FieldError {
            field: "file".into(),
            label: "文件".into(),
            message: "工作簿中没有名为“工作清单”的工作表".into(),
        }];
        assert!(workbook(&rows, &errors).unwrap().is_none());
        let errors = vec![FieldError {
            field: "工作清单!A2".into(),
            label: "工作清单 第2行 序号".into(),
            message: "请填写序号".into(),
        }];
        let bytes = workbook(&rows, &errors).unwrap().unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}
