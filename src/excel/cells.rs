//! The sheets as read: a sparse grid of the non-empty cells of each sheet, and the conversion of a
//! calamine cell into the parser's [`Raw`].
//!
//! The grid is sparse on purpose: calamine's own dense `Range` allocates rows × columns, so a
//! two-cell file with one cell in A1 and one in XFD1048576 would ask for billions of cells.

use calamine::Data;
use chrono::{NaiveDate, NaiveDateTime};

use crate::ledger::value::Raw;

/// One non-empty cell at an absolute, zero-based position.
#[derive(Clone, Debug)]
pub(crate) struct SheetCell {
    pub row: u32,
    pub col: u32,
    pub value: Data,
}

/// A sheet's non-empty cells in row-major order, with an index of where each row starts.
#[derive(Debug, Default)]
pub(crate) struct SheetCells {
    pub name: String,
    cells: Vec<SheetCell>,
    /// `(row, first cell, end)` for every row that holds a cell, in row order.
    rows: Vec<(u32, usize, usize)>,
}

/// One row of a [`SheetCells`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct SheetRow<'a> {
    /// Zero-based sheet row; Excel shows `index + 1`.
    pub index: u32,
    pub cells: &'a [SheetCell],
}

impl SheetCells {
    /// Builds the grid from cells in any order; empty cells are dropped.
    pub fn new(name: String, mut cells: Vec<SheetCell>) -> SheetCells {
        cells.retain(|c| !matches!(c.value, Data::Empty));
        // Cells nearly always arrive in order; sorting only when they do not keeps reading linear.
        if !cells
            .windows(2)
            .all(|w| (w[0].row, w[0].col) <= (w[1].row, w[1].col))
        {
            cells.sort_by_key(|c| (c.row, c.col));
        }
        let mut rows = Vec::new();
        let mut start = 0;
        for i in 1..=cells.len() {
            if i == cells.len() || cells[i].row != cells[start].row {
                rows.push((cells[start].row, start, i));
                start = i;
            }
        }
        SheetCells { name, cells, rows }
    }

    pub fn rows(&self) -> impl Iterator<Item = SheetRow<'_>> {
        self.rows.iter().map(|&(index, from, to)| SheetRow {
            index,
            cells: &self.cells[from..to],
        })
    }

    /// How many rows hold at least one cell.
    #[cfg(test)]
    pub fn height(&self) -> usize {
        self.rows.len()
    }

    pub fn cells(&self) -> &[SheetCell] {
        &self.cells
    }

    /// The cell at an absolute position, if it is not empty.
    pub fn get(&self, row: u32, col: u32) -> Option<&Data> {
        let at = self.rows.binary_search_by_key(&row, |r| r.0).ok()?;
        let (index, from, to) = self.rows[at];
        SheetRow {
            index,
            cells: &self.cells[from..to],
        }
        .get(col)
    }
}

impl<'a> SheetRow<'a> {
    /// The cell in column `col`, if it is not empty. Rows are short, so a scan beats a search.
    pub fn get(&self, col: u32) -> Option<&'a Data> {
        self.cells.iter().find(|c| c.col == col).map(|c| &c.value)
    }
}

/// What a cell gives the field parser, or why it cannot give anything.
pub(crate) enum CellValue<'a> {
    Raw(Raw<'a>),
    /// `#N/A`, `#DIV/0!`: the code as Excel shows it.
    Error(String),
}

/// Reads a cell for the parser. Dates keep their time of day, which the date parser drops.
pub(crate) fn cell_value(data: Option<&Data>) -> CellValue<'_> {
    let Some(data) = data else {
        return CellValue::Raw(Raw::Empty);
    };
    CellValue::Raw(match data {
        Data::Empty => Raw::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s),
        // The parser refuses anything it cannot hold exactly; no rounding happens here.
        Data::Int(n) => Raw::Number(*n as f64),
        Data::Float(x) => Raw::Number(*x),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) => match excel_datetime(dt) {
            Some(dt) => Raw::DateTime(dt),
            None => Raw::Number(dt.as_f64()),
        },
        Data::Error(e) => return CellValue::Error(e.to_string()),
    })
}

/// A date-formatted cell as a date and time. calamine's own `as_datetime` needs its `chrono`
/// feature; its component split handles both the 1900 and the 1904 date systems.
pub(crate) fn excel_datetime(dt: &calamine::ExcelDateTime) -> Option<NaiveDateTime> {
    let (y, m, d, hh, mm, ss, ms) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))?.and_hms_milli_opt(
        u32::from(hh),
        u32::from(mm),
        u32::from(ss),
        u32::from(ms),
    )
}

/// Whether a cell holds a number (the way an ID number loses its last digits).
pub(crate) fn is_numeric(data: Option<&Data>) -> bool {
    matches!(data, Some(Data::Int(_) | Data::Float(_)))
}

/// A cell as its user would read it, for error messages and the error workbook.
pub(crate) fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        Data::Float(x) => x.to_string(),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(dt) => match excel_datetime(dt) {
            Some(v) if v.time() == chrono::NaiveTime::MIN => v.format("%Y-%m-%d").to_string(),
            Some(v) => v.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::Error(e) => e.to_string(),
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letters(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(row: u32, col: u32, s: &str) -> SheetCell {
        SheetCell {
            row,
            col,
            value: Data::String(s.to_owned()),
        }
    }

    #[test]
    fn grid_orders_and_indexes_rows() {
        let g = SheetCells::new(
            "s".into(),
            vec![
                cell(3, 1, "d"),
                cell(0, 0, "a"),
                SheetCell {
                    row: 1,
                    col: 0,
                    value: Data::Empty,
                },
                cell(0, 2, "b"),
                cell(3, 0, "c"),
            ],
        );
        assert_eq!(g.height(), 2);
        let rows: Vec<_> = g.rows().collect();
        assert_eq!(rows[0].index, 0);
        assert_eq!(rows[1].index, 3);
        assert!(matches!(rows[1].get(1), Some(Data::String(s)) if s == "d"));
        assert!(rows[0].get(1).is_none());
        assert!(matches!(g.get(0, 2), Some(Data::String(s)) if s == "b"));
        assert!(g.get(1, 0).is_none());
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16383), "XFD");
    }
}
