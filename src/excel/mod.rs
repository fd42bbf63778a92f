//! Excel in and out: import of ledger and roster workbooks, export, blank templates.
//!
//! Import reads a workbook (or a CSV file) within hard limits ([`limits`]), matches each sheet to a
//! ledger kind of the park's catalogue or to a roster ([`rosters`]), checks every cell with the same
//! parser as the web forms (`ledger::value::parse`, `org::ids`), and either writes everything in one
//! transaction or nothing, reporting every error at once with its sheet, row and column. Export and
//! templates write the same sheet names and headers that import reads, so a file goes round trip.
//!
//! The faces (command line, later the web) call [`import::run`], [`export::workbook`] and
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
mod style;
pub mod template;
pub mod uploads;
mod write;

pub use error::ExcelError;
pub use import::{ImportError, ImportOptions};
pub use report::{ImportReport, Issue, SheetPreview, SheetSummary};
