//! What an import tells its caller: per-sheet counts, warnings and errors, each error placed by
//! sheet, row and column the way Excel shows them. Serializable for the web's JSON.

use serde::Serialize;

use super::cells::column_letters;
use crate::ledger::value::ValueError;

/// The outcome of an import (or of a dry run, or of an import refused for its errors).
#[derive(Clone, Default, Serialize)]
pub struct ImportReport {
    pub file_name: String,
    /// SHA-256 of the file, hex: ties the audit entry to the exact bytes imported.
    pub sha256: String,
    pub dry_run: bool,
    /// Whether anything was written; false for a dry run and for a refused import.
    pub committed: bool,
    pub sheets: Vec<SheetSummary>,
    /// Sheets whose names are neither a ledger kind's nor a roster's.
    pub ignored_sheets: Vec<String>,
    pub warnings: Vec<Issue>,
    pub errors: Vec<Issue>,
    /// First and last id of the records written.
    pub record_ids: Option<[i64; 2]>,
    /// The first rows of every sheet read, as the user typed them, for the web's preview.
    pub previews: Vec<SheetPreview>,
    /// The input's sheets with every bad cell marked, when there are errors (`.xlsx` bytes).
    #[serde(skip)]
    pub error_workbook: Option<Vec<u8>>,
}

/// Counts of one imported sheet.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SheetSummary {
    pub sheet: String,
    /// The ledger kind's id, or the roster's (`members`).
    pub kind: String,
    pub is_roster: bool,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// Rows written: new records, or roster entries created or changed.
    pub imported: usize,
    /// Rows left alone: records already there, roster entries already up to date.
    pub skipped: usize,
    /// Of `imported`, for rosters: entries created and entries updated.
    pub created: usize,
    pub updated: usize,
}

/// The first rows of one sheet as read (header rows included), cells as the user would read them.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SheetPreview {
    pub sheet: String,
    /// `(row number as Excel shows it, cells from column A)`.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Rows kept per sheet for the preview.
pub(crate) const PREVIEW_ROWS: usize = 8;
/// Columns kept per row for the preview.
pub(crate) const PREVIEW_COLUMNS: u32 = 30;

impl SheetPreview {
    /// Keeps `row` while the preview has room.
    pub(crate) fn take(&mut self, row: &super::cells::SheetRow<'_>) {
        if self.rows.len() >= PREVIEW_ROWS {
            return;
        }
        let width = row
            .cells
            .iter()
            .map(|c| c.col + 1)
            .max()
            .unwrap_or(0)
            .min(PREVIEW_COLUMNS);
        let mut cells = vec![String::new(); width as usize];
        for c in row.cells.iter().filter(|c| c.col < width) {
            cells[c.col as usize] = super::cells::cell_text(&c.value);
        }
        self.rows.push((row.index + 1, cells));
    }

    /// Shows the cell of `row` at column `col` as the importer read it (a date typed
    /// "2024年3月5日" as 2024-03-05), when that row is in the preview.
    pub(crate) fn read_as(&mut self, row: u32, col: u32, text: String) {
        if let Some((_, cells)) = self.rows.iter_mut().find(|(n, _)| *n == row + 1) {
            if let Some(cell) = cells.get_mut(col as usize) {
                *cell = text;
            }
        }
    }
}

/// One error or warning, placed as precisely as it can be.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Issue {
    pub sheet: String,
    /// The row number Excel shows (1-based).
    pub row: Option<u32>,
    /// The column letters Excel shows (`C`).
    pub column: Option<String>,
    /// The column's header as the file has it, or the field's label.
    pub header: Option<String>,
    /// What the cell holds, as typed.
    pub value: Option<String>,
    pub message: String,
    /// The allowed value or known name closest to what was typed.
    pub nearest: Option<String>,
    /// Zero-based position of the cell, for marking the error workbook.
    #[serde(skip)]
    pub(crate) at: Option<(u32, Option<u32>)>,
}

impl std::fmt::Debug for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportReport")
            .field("file_name", &self.file_name)
            .field("committed", &self.committed)
            .field("sheets", &self.sheets)
            .field("warnings", &self.warnings.len())
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for Issue {
    /// `会议台账 第5行 C列（会议类型）：“党工委会”不是可选值，最接近的是“党工委会议”`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.sheet)?;
        if let Some(row) = self.row {
            write!(f, " 第{row}行")?;
        }
        match (&self.column, &self.header) {
            (Some(col), Some(header)) => write!(f, " {col}列（{header}）")?,
            (Some(col), None) => write!(f, " {col}列")?,
            (None, Some(header)) => write!(f, "（{header}）")?,
            (None, None) => {}
        }
        write!(f, "：{}", self.message)
    }
}

impl std::fmt::Display for SheetSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}：导入 {} 条，跳过重复 {} 条",
            self.sheet, self.imported, self.skipped
        )?;
        if self.is_roster {
            write!(f, "（新增 {}，更新 {}）", self.created, self.updated)?;
        }
        Ok(())
    }
}

impl Issue {
    /// A problem with the sheet as a whole (a missing column, no header).
    pub(crate) fn sheet(sheet: &str, message: impl Into<String>) -> Issue {
        Issue {
            sheet: sheet.to_owned(),
            row: None,
            column: None,
            header: None,
            value: None,
            message: message.into(),
            nearest: None,
            at: None,
        }
    }

    /// A problem with one cell; `row` and `col` are zero-based.
    pub(crate) fn cell(sheet: &str, row: u32, col: u32, header: &str) -> Issue {
        Issue {
            sheet: sheet.to_owned(),
            row: Some(row + 1),
            column: Some(column_letters(col)),
            header: Some(header.to_owned()),
            value: None,
            message: String::new(),
            nearest: None,
            at: Some((row, Some(col))),
        }
    }

    /// A problem with a row, or with a column the sheet lacks (no cell to point at).
    pub(crate) fn row(sheet: &str, row: u32, header: Option<&str>) -> Issue {
        Issue {
            sheet: sheet.to_owned(),
            row: Some(row + 1),
            column: None,
            header: header.map(str::to_owned),
            value: None,
            message: String::new(),
            nearest: None,
            at: Some((row, None)),
        }
    }

    pub(crate) fn with(mut self, message: impl Into<String>) -> Issue {
        self.message = message.into();
        self
    }

    pub(crate) fn value(mut self, value: Option<String>) -> Issue {
        self.value = value.filter(|v| !v.is_empty());
        self
    }

    /// The message and nearest value of a parser error. For a mistyped choice the line names
    /// the nearest allowed value rather than the whole list; with no near value, the list stays.
    pub(crate) fn because(self, e: &ValueError) -> Issue {
        match e {
            ValueError::NotAChoice {
                input,
                nearest: Some(n),
                ..
            } => {
                let mut issue = self.with(format!("“{input}”不是可选值，最接近的是“{n}”"));
                issue.nearest = Some(n.clone());
                issue
            }
            other => self.with(other.to_string()),
        }
    }

    /// "not found" for a name, with the nearest known one.
    pub(crate) fn unknown_name(mut self, what: &str, name: &str, nearest: Option<String>) -> Issue {
        let hint = nearest
            .as_ref()
            .map(|n| format!("，最接近的是“{n}”"))
            .unwrap_or_default();
        self.message = format!("找不到{what}“{name}”{hint}");
        self.nearest = nearest;
        self
    }
}

/// Errors and warnings gathered while a file is checked.
#[derive(Debug, Default)]
pub(crate) struct Issues {
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Issues {
    pub fn error(&mut self, issue: Issue) {
        self.errors.push(issue);
    }

    pub fn warn(&mut self, issue: Issue) {
        self.warnings.push(issue);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_lines_read_like_excel() {
        let e = ValueError::NotAChoice {
            input: "党工委会".into(),
            nearest: Some("党工委会议".into()),
            choices: vec!["党工委会议".into()],
        };
        let issue = Issue::cell("会议台账", 4, 2, "会议类型").because(&e);
        assert_eq!(
            issue.to_string(),
            "会议台账 第5行 C列（会议类型）：“党工委会”不是可选值，最接近的是“党工委会议”"
        );
        assert_eq!(issue.nearest.as_deref(), Some("党工委会议"));
        assert_eq!(
            Issue::sheet("会议台账", "缺少必填列“日期”").to_string(),
            "会议台账：缺少必填列“日期”"
        );
    }
}
