//! Excel in and out: import of ledger and roster workbooks, export, blank templates.
//!
//! Import reads a workbook (or a CSV file) within hard limits ([`limits`]), matches each sheet to a
//! ledger kind of the park's catalogue or to a roster ([`rosters`]), checks every cell with the same
//! parser as the web forms (`ledger::value::parse`, `org::ids`), and either writes everything in one
//! transaction or nothing, reporting every error at once with its sheet, row and column. Export and
//! templates write the same sheet names and headers that import reads, so a file goes round trip.
//!
//! The faces (command line, the web through [`uploads`]) call [`import::run`], [`export::workbook`] and
//! [`template::workbook`]; every Chinese message of this area is in [`ExcelError`].

mod cells;
mod columns;
mod error;
pub mod export;
pub mod import;
pub mod limits;
mod marked;
mod org_plan;
pub mod pages;
mod people_plan;
mod plan;
mod queries;
mod read;
mod report;
mod roster_sheet;
pub mod rosters;
mod stream;
pub(crate) mod style;
pub mod template;
pub mod uploads;
mod write;

pub use error::ExcelError;
pub use import::{ImportError, ImportOptions};
pub use report::{ImportReport, Issue, SheetPreview, SheetSummary};

pub(crate) use cells::{cell_text, cell_value, column_letters, CellValue};

/// A sheet's rows: `(zero-based row, cells as (zero-based column, value))`.
pub(crate) type SheetRows = Vec<(u32, Vec<(u32, calamine::Data)>)>;

/// The rows of one sheet of a file, read within the import limits: `(zero-based row, cells as
/// (zero-based column, value))`, empty cells left out; `None` when the file has no such sheet.
/// For other areas' imports (the 工作清单 of `tasks`), which have their own columns but the same
/// reader, limits and cell conversion. Blocking: call it off the async runtime.
pub(crate) fn read_sheet(
    bytes: &[u8],
    file_name: &str,
    sheet: &str,
) -> Result<Option<SheetRows>, ExcelError> {
    let format = read::detect(bytes, file_name)?;
    let mut keep = read::KeepAll {
        names: vec![sheet.to_string()],
        sheets: Vec::new(),
    };
    read::read_book(bytes, format, sheet, &mut keep)?;
    Ok(keep.sheets.into_iter().next().map(|grid| {
        grid.rows()
            .map(|r| {
                let cells = r.cells.iter().map(|c| (c.col, c.value.clone())).collect();
                (r.index, cells)
            })
            .collect()
    }))
}
