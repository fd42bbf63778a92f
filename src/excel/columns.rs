//! Matching a sheet's header row to a kind's fields, and reading one field of one row.
//!
//! Headers are matched with `KindDef::field_by_header` (trimmed, full/half-width brackets, a
//! trailing `*`, aliases). The header row is the first of the sheet's first rows that names the
//! most fields, so a title row above the headers (`2025年会议台账`) does no harm.

use calamine::Data;

use super::cells::{self, cell_text, CellValue, SheetCells, SheetRow};
use super::error::cell_messages;
use super::report::{Issue, Issues};
use crate::ledger::catalogue::{header_key, FieldDef, KindDef};
use crate::ledger::value::{self, Raw, Value};

/// How many leading rows may hold titles before the header row.
pub(crate) const HEADER_ROWS: usize = 10;

/// Where a sheet's fields are: the header row and, per field of the kind, its column.
#[derive(Debug)]
pub(crate) struct Layout {
    pub header_row: u32,
    /// Indexed like `KindDef::fields`.
    pub columns: Vec<Option<u32>>,
    /// The header text of each matched column, as the file spells it.
    pub headers: Vec<String>,
}

/// Matches the header row, reporting extra columns as warnings and missing required columns as
/// errors. Returns `None` when the sheet cannot be read at all.
pub(crate) fn layout(grid: &SheetCells, kind: &KindDef, issues: &mut Issues) -> Option<Layout> {
    let first: Vec<SheetRow<'_>> = grid.rows().take(HEADER_ROWS).collect();
    layout_of(&grid.name, &first, kind, issues)
}

/// [`layout`] over the first rows of a sheet (at most [`HEADER_ROWS`] are looked at).
pub(crate) fn layout_of(
    sheet: &str,
    first: &[SheetRow<'_>],
    kind: &KindDef,
    issues: &mut Issues,
) -> Option<Layout> {
    let matches = |row: &SheetRow<'_>| {
        row.cells
            .iter()
            .filter(|c| kind.field_by_header(&cell_text(&c.value)).is_some())
            .count()
    };
    let header = first
        .iter()
        .take(HEADER_ROWS)
        .map(|row| (matches(row), *row))
        .filter(|(n, _)| *n > 0)
        // The first of the best rows: `max_by_key` would keep the last.
        .fold(None::<(usize, SheetRow<'_>)>, |best, (n, row)| match best {
            Some((m, _)) if m >= n => best,
            _ => Some((n, row)),
        })
        .map(|(_, row)| row);
    let Some(header) = header else {
        if !first.is_empty() {
            issues.error(Issue::sheet(sheet, cell_messages::NO_HEADER));
        }
        return None;
    };
    let mut columns = vec![None; kind.fields.len()];
    let mut headers = vec![String::new(); kind.fields.len()];
    for cell in header.cells {
        let text = cell_text(&cell.value);
        if header_key(&text).is_empty() {
            continue;
        }
        let place = Issue::cell(sheet, header.index, cell.col, &text).value(Some(text.clone()));
        let Some(field) = kind.field_by_header(&text) else {
            issues.warn(place.with(format!("“{text}”{}", cell_messages::UNKNOWN_COLUMN)));
            continue;
        };
        let i = field_index(kind, field);
        if columns[i].is_some() {
            issues.error(place.with(cell_messages::DUPLICATE_COLUMN));
            continue;
        }
        columns[i] = Some(cell.col);
        headers[i] = text;
    }
    let mut complete = true;
    for (i, field) in kind.fields.iter().enumerate() {
        if columns[i].is_none() {
            headers[i] = field.label.clone();
            if field.required {
                complete = false;
                let mut issue = Issue::sheet(
                    sheet,
                    format!("{}“{}”", cell_messages::MISSING_COLUMN, field.label),
                );
                // Marked on the header row of the error workbook.
                issue.at = Some((header.index, None));
                issues.error(issue);
            }
        }
    }
    complete.then_some(Layout {
        header_row: header.index,
        columns,
        headers,
    })
}

/// The position of `field` within `kind.fields`; `field` always comes from that list.
pub(crate) fn field_index(kind: &KindDef, field: &FieldDef) -> usize {
    kind.fields
        .iter()
        .position(|f| std::ptr::eq(f, field))
        .or_else(|| kind.fields.iter().position(|f| f.key == field.key))
        .unwrap_or(0)
}

impl Layout {
    /// The data rows: below the header, and not blank in every matched column.
    pub fn data_rows<'s, 'g: 's>(
        &'s self,
        grid: &'g SheetCells,
    ) -> impl Iterator<Item = SheetRow<'g>> + 's {
        grid.rows().filter(move |row| self.is_data(row))
    }

    pub fn is_data(&self, row: &SheetRow<'_>) -> bool {
        row.index > self.header_row
            && self
                .columns
                .iter()
                .flatten()
                .any(|&col| row.get(col).is_some_and(|d| !is_blank(d)))
    }

    /// The cell of field `i` in `row`.
    pub fn cell<'a>(&self, row: &SheetRow<'a>, i: usize) -> Option<&'a Data> {
        self.columns[i].and_then(|col| row.get(col))
    }

    /// An issue placed at field `i` of `row`: its cell, or the row when the column is absent.
    pub fn issue(&self, sheet: &str, row: &SheetRow<'_>, i: usize) -> Issue {
        let header = &self.headers[i];
        let issue = match self.columns[i] {
            Some(col) => Issue::cell(sheet, row.index, col, header),
            None => Issue::row(sheet, row.index, Some(header)),
        };
        issue.value(self.cell(row, i).map(cell_text))
    }

    /// Reads field `i` of `row` through the one value parser, or says why it cannot.
    pub fn parse(
        &self,
        sheet: &str,
        row: &SheetRow<'_>,
        i: usize,
        field: &FieldDef,
    ) -> Result<Option<Value>, Box<Issue>> {
        match cells::cell_value(self.cell(row, i)) {
            CellValue::Error(code) => Err(Box::new(
                self.issue(sheet, row, i)
                    .with(format!("{}“{code}”", cell_messages::ERROR_VALUE)),
            )),
            CellValue::Raw(raw) => value::parse(field, raw)
                .map_err(|e| Box::new(self.issue(sheet, row, i).because(&e))),
        }
    }

    /// The raw value of field `i`, for `record::validate`; an error cell reads as empty, having
    /// been reported already by [`Layout::error_cells`].
    pub fn raw<'a>(&self, row: &SheetRow<'a>, i: usize) -> Raw<'a> {
        match cells::cell_value(self.cell(row, i)) {
            CellValue::Raw(raw) => raw,
            CellValue::Error(_) => Raw::Empty,
        }
    }

    /// Reports the error values (`#N/A`) among the matched cells of `row`; returns the fields hit.
    pub fn error_cells(&self, sheet: &str, row: &SheetRow<'_>, issues: &mut Issues) -> Vec<usize> {
        let mut hit = Vec::new();
        for i in 0..self.columns.len() {
            if let CellValue::Error(code) = cells::cell_value(self.cell(row, i)) {
                issues.error(
                    self.issue(sheet, row, i)
                        .with(format!("{}“{code}”", cell_messages::ERROR_VALUE)),
                );
                hit.push(i);
            }
        }
        hit
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
            .is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::SheetCell;
    use super::*;
    use crate::ledger::catalogue::Catalogue;

    fn text(row: u32, col: u32, s: &str) -> SheetCell {
        SheetCell {
            row,
            col,
            value: Data::String(s.to_owned()),
        }
    }

    #[test]
    fn header_row_below_a_title_and_messy_headers() {
        let catalogue = Catalogue::default_catalogue();
        let kind = catalogue.kind("facility").unwrap();
        let grid = SheetCells::new(
            "阵地台账".into(),
            vec![
                text(0, 0, "2025年阵地台账"),
                text(1, 0, " 建成日期* "),
                text(1, 1, "名称＊"),
                text(1, 2, "类型"),
                text(1, 3, "面积（平方米）"),
                text(1, 4, "负责人"),
                text(2, 0, "2024-06-01"),
                text(3, 4, "只有多余列"),
            ],
        );
        let mut issues = Issues::default();
        let layout = layout(&grid, kind, &mut issues).unwrap();
        assert_eq!(layout.header_row, 1);
        assert_eq!(layout.columns[3], Some(3));
        assert!(issues.errors.is_empty(), "{:?}", issues.errors);
        assert_eq!(issues.warnings.len(), 1);
        assert!(issues.warnings[0].message.contains("负责人"));
        assert_eq!(layout.data_rows(&grid).count(), 1);
    }

    #[test]
    fn missing_required_column_is_named() {
        let catalogue = Catalogue::default_catalogue();
        let kind = catalogue.kind("meeting").unwrap();
        let grid = SheetCells::new(
            "会议台账".into(),
            vec![
                text(0, 0, "日期"),
                text(0, 1, "会议类型"),
                text(0, 2, "组织单位"),
            ],
        );
        let mut issues = Issues::default();
        assert!(layout(&grid, kind, &mut issues).is_none());
        let lines: Vec<String> = issues.errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines, vec!["会议台账：缺少必填列“会议名称”"]);
    }
}
