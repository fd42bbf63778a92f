//! `taizhang [--park P] report --year Y [--template FILE | --saved NAME [--version N]]
//! --format md|html|docx|json|pdf [--out FILE]`: the annual duty report of one park and year,
//! with the built-in template, a template file, or a template the park saved on the web. The
//! health check's warnings go to standard error. The output file is written whole or not at
//! all; DOCX and PDF, being binary, are never written to a terminal. PDF is the DOCX converted
//! by LibreOffice (`report::pdf`), refused with what to install when it is missing.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::config::Config;
use crate::report::{self, Format, ReportError, ReportTemplate};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_parser = crate::calendar::Year::parse)]
    pub year: crate::calendar::Year,
    #[arg(long)]
    pub template: Option<std::path::PathBuf>,
    /// A template saved on the web (报告模板), by name: its latest version unless `--version`.
    #[arg(long)]
    pub saved: Option<String>,
    /// The version of the `--saved` template.
    #[arg(long = "version")]
    pub template_version: Option<i64>,
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
    if args.template.is_some() && args.saved.is_some() {
        anyhow::bail!("--template（模板文件）和 --saved（已保存的模板）只能选一个");
    }
    if args.template_version.is_some() && args.saved.is_none() {
        anyhow::bail!("--version 是已保存模板的版本号，须与 --saved 模板名称一起使用");
    }
    let file = match &args.template {
        Some(path) => Some(read_template(path)?),
        None => None,
    };
    let db = super::open(&config, false).await?;
    let prepared = async {
        let park = super::pick_park(&db, park).await?;
        let template = match (file, &args.saved) {
            (Some(file), _) => file,
            (None, Some(name)) => {
                report::service::saved_template_named(&db, park.id, name, args.template_version)
                    .await?
            }
            (None, None) => ReportTemplate::builtin(),
        };
        let today = crate::calendar::today(super::now());
        let data = report::report_data(&db, park.id, &park.name, args.year, today).await?;
        Ok::<_, anyhow::Error>((data, template))
    }
    .await;
    db.close().await;
    let (mut data, template) = prepared?;
    // The health check (报告体检) goes to standard error, so that the report itself can be piped.
    report::health::apply(&mut data, &template)?;
    let warnings = report::health::lines(&data.warnings);
    if !warnings.is_empty() {
        eprint!("{warnings}");
    }
    let bytes = match format {
        Format::Pdf => report::pdf::render_pdf(&data, &template, &config.report_fonts)?,
        _ => report::render_bytes(&data, &template, format, &config.report_fonts)?,
    };
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
pub(super) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
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
