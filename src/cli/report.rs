//! `taizhang [--park P] report --year Y [--template FILE] --format md|html|json [--out FILE]`:
//! the annual duty report of one park and year. The output file is written whole or not at all.

use std::io::Write;
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
    let template = match &args.template {
        Some(path) => read_template(path)?,
        None => ReportTemplate::builtin(),
    };
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    let today = super::now().date_naive();
    let data = report::report_data(&db, park.id, &park.name, args.year, today).await;
    db.close().await;
    let text = report::render(&data?, &template, format)?;
    match &args.out {
        Some(path) => write_whole(path, &text)?,
        None => std::io::stdout().write_all(text.as_bytes())?,
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
fn write_whole(path: &Path, text: &str) -> Result<(), ReportError> {
    let failed = |e: std::io::Error| ReportError::WriteOutput {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        // The temporary file may not exist; there is nothing more to report if removal fails.
        let _ = std::fs::remove_file(&temp);
        return Err(failed(e));
    }
    Ok(())
}
