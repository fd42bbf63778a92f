//! Import: the library function behind `taizhang import` and the web import page (`uploads`).
//!
//! All or nothing: every row is checked and every error collected; records are written, in one
//! transaction with one audit entry, as they pass the checks, and the transaction is committed
//! only when the whole file turned out free of errors. Reading and checking run on a blocking
//! thread, off the async runtime, and overlap with the writing.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use super::error::cell_messages;
use super::plan::{Existing, Targets};
use super::read::{self, Format, KeepAll};
pub use super::report::ImportReport;
use super::report::Issue;
use super::stream::Checker;
use super::write::{FileFacts, Writer};
use super::{marked, queries, ExcelError};
use crate::audit::Actor;
use crate::db::Db;
use crate::org::queries as org;

/// The error of [`run`]: the Excel area's one error type.
pub type ImportError = ExcelError;

/// What the caller asks of an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Import only this kind's (or roster's) sheet; a CSV file is read as this kind. A kind id
    /// (`meeting`), a sheet name (`会议台账`) or a roster (`members`, `党员花名册`).
    pub kind: Option<String>,
    /// Check and report, write nothing.
    pub dry_run: bool,
    /// Counts the rows read, for a caller showing progress.
    pub progress: Option<Arc<AtomicU64>>,
}

/// Imports `bytes` (the file named `file_name`) into the park.
///
/// Returns the report of what was written, or of what would be with `dry_run`. A file with any
/// error writes nothing and comes back as [`ExcelError::Invalid`] holding the report with every
/// error and the marked error workbook.
pub async fn run(
    db: &Db,
    park_id: i64,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    // The format check reads only magic bytes and the zip directory: cheap enough to run here.
    let format = read::detect(&bytes, file_name)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let kinds = crate::ledger::queries::kinds(db, park_id).await?;
    let targets = Arc::new(Targets::new(kinds, options.kind.as_deref())?);
    let csv_sheet = match format {
        Format::Csv => targets.csv_sheet(file_name)?,
        _ => String::new(),
    };
    let existing = load_existing(db, park_id).await?;
    let mut writer = Writer::begin(db, park_id, actor.user_id, now, options.dry_run).await?;

    // Reading and checking on a blocking thread, writing here, overlapped through the channel.
    let (sender, mut batches) = mpsc::channel(4);
    let today = crate::calendar::today(now);
    let bytes = Arc::new(bytes);
    let (input, sheet) = (Arc::clone(&bytes), csv_sheet.clone());
    let progress = options.progress.clone();
    let work = tokio::task::spawn_blocking(move || {
        let mut checker = Checker::new(targets, existing, today, sender, progress);
        read::read_book(&input, format, &sheet, &mut checker)?;
        Ok::<_, ExcelError>(checker.finish())
    });
    let mut failure = None;
    while let Some(batch) = batches.recv().await {
        if failure.is_none() {
            if let Err(e) = writer.accept(batch).await {
                failure = Some(e);
                batches.close();
            }
        }
    }
    let mut outcome = work
        .await
        .map_err(|e| ExcelError::Internal(e.to_string()))??;
    if let Some(e) = failure {
        return Err(e);
    }

    let mut report = ImportReport {
        file_name: file_name.to_owned(),
        sha256: sha256.clone(),
        dry_run: options.dry_run,
        ignored_sheets: outcome.ignored.clone(),
        previews: std::mem::take(&mut outcome.previews),
        ..ImportReport::default()
    };
    if outcome.read.is_empty() {
        return Err(ExcelError::NothingToImport {
            ignored: outcome.ignored,
        });
    }
    let why = match options.kind {
        Some(_) => cell_messages::NOT_THE_KIND,
        None => cell_messages::IGNORED_SHEET,
    };
    for sheet in &outcome.ignored {
        report.warnings.push(Issue::sheet(sheet, why));
    }
    report.warnings.append(&mut outcome.issues.warnings);
    if !outcome.issues.errors.is_empty() {
        // Nothing is kept: the transaction is rolled back.
        writer.abandon().await;
        report.errors = std::mem::take(&mut outcome.issues.errors);
        report.sheets = outcome.summaries;
        let errors = report.errors.clone();
        let source = Source {
            bytes,
            format,
            csv_sheet,
        };
        // A failure to build the marked copy must not hide the errors themselves.
        report.error_workbook = marked_copy(source, outcome.read, errors).await.ok();
        return Err(ExcelError::Invalid(Box::new(report)));
    }
    let file = FileFacts {
        name: file_name,
        sha256: &sha256,
    };
    report.record_ids = writer.finish(&mut outcome.summaries, actor, file).await?;
    report.committed = !options.dry_run;
    report.sheets = outcome.summaries;
    Ok(report)
}

/// The file being imported, as the reader needs it.
struct Source {
    bytes: Arc<Vec<u8>>,
    format: Format,
    csv_sheet: String,
}

/// The error workbook. The sheets are read again, whole this time: only a file with errors pays
/// for keeping every cell in memory.
async fn marked_copy(
    source: Source,
    names: Vec<String>,
    errors: Vec<Issue>,
) -> Result<Vec<u8>, ExcelError> {
    tokio::task::spawn_blocking(move || {
        let mut keep = KeepAll {
            names,
            sheets: Vec::new(),
        };
        read::read_book(&source.bytes, source.format, &source.csv_sheet, &mut keep)?;
        marked::error_workbook(&keep.sheets, &errors)
    })
    .await
    .map_err(|e| ExcelError::Internal(e.to_string()))?
}

/// The park's organisation as it stands.
async fn load_existing(db: &Db, park_id: i64) -> Result<Existing, ExcelError> {
    let (people, people_index) = queries::people(db, park_id).await?.into_iter().unzip();
    Ok(Existing {
        units: org::units(db, park_id).await?,
        enterprises: org::enterprises(db, park_id).await?,
        people,
        people_index,
        id_index: crate::crypto::sealer_for(db).await?.park_index(park_id),
        positions: queries::open_positions(db, park_id).await?,
    })
}
