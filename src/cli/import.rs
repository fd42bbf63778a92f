//! `taizhang import FILE [--kind KIND] [--dry-run]`.

use crate::config::Config;

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
}

pub async fn run(_config: Config, _park: Option<&str>, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("导入功能正在建设中")
}
