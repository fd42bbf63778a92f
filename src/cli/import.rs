//! `taizhang import FILE [--kind KIND] [--dry-run] [--task-list YEAR]`: a thin face over
//! [`crate::excel::import::run`], or with `--task-list` over [`crate::tasks::import::import`].

use std::path::{Path, PathBuf};

use crate::audit::Actor;
use crate::config::Config;
use crate::excel::import::{self, ImportOptions};
use crate::excel::{limits, ExcelError, ImportReport};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The workbook (.xlsx, .xls, .xlsb, .ods) or .csv file.
    pub file: std::path::PathBuf,
    /// Import only this kind's sheet (or the CSV file as this kind).
    #[arg(long)]
    pub kind: Option<String>,
    /// Check everything and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the file's 工作清单 sheet as the tasks of this year's 工作清单 (年度计划), created
    /// when the park has none; the file's ledger sheets are then left alone.
    #[arg(long, value_name = "YEAR", conflicts_with_all = ["kind", "dry_run"])]
    pub task_list: Option<i32>,
}

/// Error lines printed before the rest are left to the error workbook.
const MAX_PRINTED_ERRORS: usize = 500;

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    // Refuse an oversized file before reading it into memory.
    let size = tokio::fs::metadata(&args.file)
        .await
        .map_err(|e| anyhow::anyhow!("无法读取文件 {}：{e}", args.file.display()))?
        .len();
    if size > limits::MAX_FILE_BYTES {
        return Err(ExcelError::TooLarge {
            size,
            max: limits::MAX_FILE_BYTES,
        }
        .into());
    }
    let bytes = tokio::fs::read(&args.file)
        .await
        .map_err(|e| anyhow::anyhow!("无法读取文件 {}：{e}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(year) = args.task_list {
        let target = crate::tasks::import::Target::YearList(year);
        let result = crate::tasks::import::import(
            &db,
            park.id,
            &Actor::system(),
            target,
            &file_name,
            &bytes,
            super::now(),
        )
        .await;
        db.close().await;
        return match result {
            Ok(n) => {
                println!("导入完成：{year}年工作清单共导入 {n} 项任务");
                Ok(())
            }
            Err(crate::error::AppError::Invalid(errors)) => {
                for e in &errors {
                    eprintln!("{}：{}", e.field, e.message);
                }
                // The marked copy goes where the ledger import's does: `<stem>.errors.xlsx`.
                let saved =
                    match crate::tasks::import::marked_copy(&file_name, &bytes, &errors).await {
                        Some(book) => save_error_workbook(&args.file, &book).await,
                        None => None,
                    };
                let hint = saved
                    .map(|p| format!("。已把错误标在工作簿 {} 中，改正后请重新导入", p.display()))
                    .unwrap_or_default();
                anyhow::bail!(
                    "导入失败：共 {} 处错误，没有导入任何任务{hint}",
                    errors.len()
                )
            }
            Err(e) => Err(e.into()),
        };
    }
    let options = ImportOptions {
        kind: args.kind.clone(),
        dry_run: args.dry_run,
        progress: None,
    };
    let result = import::run(
        &db,
        park.id,
        &Actor::system(),
        &file_name,
        bytes,
        &options,
        super::now(),
    )
    .await;
    db.close().await;
    match result {
        Ok(report) => {
            print_summary(&report);
            Ok(())
        }
        Err(ExcelError::Invalid(report)) => {
            for w in &report.warnings {
                eprintln!("提示：{w}");
            }
            for e in report.errors.iter().take(MAX_PRINTED_ERRORS) {
                eprintln!("{e}");
            }
            if report.errors.len() > MAX_PRINTED_ERRORS {
                eprintln!(
                    "……另有 {} 处错误，见标出错误的工作簿",
                    report.errors.len() - MAX_PRINTED_ERRORS
                );
            }
            let saved = match &report.error_workbook {
                Some(bytes) => save_error_workbook(&args.file, bytes).await,
                None => None,
            };
            let hint = saved
                .map(|p| format!("。已把错误标在工作簿 {} 中，改正后请重新导入", p.display()))
                .unwrap_or_default();
            anyhow::bail!(
                "导入失败：共 {} 处错误，没有导入任何数据{hint}",
                report.errors.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn print_summary(report: &ImportReport) {
    for w in &report.warnings {
        println!("提示：{w}");
    }
    for s in &report.sheets {
        println!("{s}");
    }
    let imported: usize = report.sheets.iter().map(|s| s.imported).sum();
    let skipped: usize = report.sheets.iter().map(|s| s.skipped).sum();
    if report.dry_run {
        println!("检查通过（试导入，未写入任何数据）：可导入 {imported} 条，跳过重复 {skipped} 条");
    } else {
        println!("导入完成：共导入 {imported} 条，跳过重复 {skipped} 条");
    }
}

/// Writes `<stem>.errors.xlsx` next to the input, or in the working folder when the input's
/// folder cannot be written (a read-only share). Returns where it went.
async fn save_error_workbook(input: &Path, bytes: &[u8]) -> Option<PathBuf> {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".to_owned());
    let name = format!("{stem}.errors.xlsx");
    let beside = input.with_file_name(&name);
    let folder = beside.parent().filter(|p| !p.as_os_str().is_empty());
    // A folder marked read-only is respected even when the user could override it (root).
    let read_only = match folder {
        Some(dir) => tokio::fs::metadata(dir)
            .await
            .map_or(true, |m| m.permissions().readonly()),
        None => false,
    };
    let candidates = if read_only {
        vec![PathBuf::from(&name)]
    } else {
        vec![beside, PathBuf::from(&name)]
    };
    for path in candidates {
        if tokio::fs::write(&path, bytes).await.is_ok() {
            return Some(std::path::absolute(&path).unwrap_or(path));
        }
    }
    None
}
