//! `taizhang [--park P] report --year Y [--template FILE] --format md|html|docx|json [--out FILE]`:
//! the annual duty report of one park and year. The output file is written whole or not at all;
//! DOCX, being binary, is never written to a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::config::Config;
use crate::report::{self, Format, ReportError, ReportTemplate};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub year: i32,
    #[arg(long)]
    pub template: Option<std::path::PathBuf>,
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Output file; standard output when left out.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    // Everything that can be refused without the database is refused first.
    let format: Format = args.format.parse()?;
    if format.is_binary() && args.out.is_none() && std::io::stdout().is_terminal() {
        return Err(ReportError::DocxToTerminal.into());
    }
    let template = match &args.template {
        Some(path) => read_template(path)?,
        None => ReportTemplate::builtin(),
    };
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    let today = super::now().date_naive();
    let data = report::report_data(&db, park.id, &park.name, args.year, today).await;
    db.close().await;
    let bytes = report::render_bytes(&data?, &template, format, &config.report_fonts)?;
    match &args.out {
        Some(path) => write_whole(path, &bytes)?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

fn read_template(path: &Path) -> Result<ReportTemplate, ReportError> {
    let source = std::fs::read_to_string(path).map_err(|e| ReportError::ReadTemplate {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(ReportTemplate::new(name, source))
}

/// Writes to a temporary file beside `path` and renames it into place, so that a failure never
/// leaves half a report behind.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let failed = |e: std::io::Error| ReportError::WriteOutput {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        // The temporary file may not exist; there is nothing more to report if removal fails.
        let _ = std::fs::remove_file(&temp);
        return Err(failed(e));
    }
    Ok(())
}
