//! The report as PDF: the DOCX converted by LibreOffice (`soffice --headless --convert-to pdf`),
//! so that a file prints the same everywhere. The conversion runs in a temporary folder of its
//! own, with a LibreOffice profile of its own (no user profile or running instance is touched),
//! and is stopped after [`CONVERT_LIMIT`]. Without LibreOffice the report is refused with what
//! to install ([`ReportError::PdfUnavailable`]); nothing else is written.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::docx::{render_docx_with, DocxFonts};
use super::error::ReportError;
use super::render::ReportTemplate;
use super::view::ReportData;

/// How long one conversion may take. LibreOffice starts in a few seconds and converts a duty
/// report in about as many; a hung instance is stopped rather than waited for.
pub const CONVERT_LIMIT: Duration = Duration::from_secs(120);

/// The LibreOffice command, found on the `PATH`.
const SOFFICE: &str = "soffice";

/// The report as the bytes of a PDF file.
pub fn render_pdf(
    data: &ReportData,
    template: &ReportTemplate,
    fonts: &DocxFonts,
) -> Result<Vec<u8>, ReportError> {
    let docx = render_docx_with(data, template, fonts)?;
    convert(&docx, fonts)
}

/// Whether LibreOffice can be run here.
pub fn available() -> bool {
    find_soffice().is_some()
}

fn find_soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(SOFFICE))
        .find(|candidate| candidate.is_file())
}

/// Converts DOCX bytes to PDF bytes through LibreOffice. LibreOffice asks fontconfig for the
/// fonts by the names the document gives, so the conversion runs under a fontconfig file that
/// maps each 公文 font to its Linux fallbacks (`docx::fontconfig_for_conversion`): without it the
/// body falls back to a sans-serif face.
pub fn convert(docx: &[u8], fonts: &DocxFonts) -> Result<Vec<u8>, ReportError> {
    let soffice = find_soffice().ok_or(ReportError::PdfUnavailable)?;
    // One conversion at a time: LibreOffice takes a core and a few hundred MB while it runs.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let work = WorkDir::new().map_err(|e| ReportError::Pdf(e.to_string()))?;
    let input = work.0.join("report.docx");
    std::fs::write(&input, docx).map_err(|e| ReportError::Pdf(e.to_string()))?;
    let fontconfig = work.0.join("fonts.conf");
    std::fs::write(&fontconfig, super::docx::fontconfig_for_conversion(fonts))
        .map_err(|e| ReportError::Pdf(e.to_string()))?;
    let profile = format!(
        "-env:UserInstallation=file://{}",
        work.0.join("profile").display()
    );
    // Into a file, not a pipe: a pipe nobody reads while waiting could fill and stall it.
    let log_path = work.0.join("convert.log");
    let log = std::fs::File::create(&log_path).map_err(|e| ReportError::Pdf(e.to_string()))?;
    let mut child = Command::new(soffice)
        .env("FONTCONFIG_FILE", &fontconfig)
        .arg(profile)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&work.0)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| ReportError::Pdf(e.to_string()))?;
    let status = match super::worker::wait_until(&mut child, CONVERT_LIMIT) {
        Ok(Some(status)) => status,
        Ok(None) => return Err(ReportError::PdfTimedOut(CONVERT_LIMIT.as_secs())),
        Err(e) => return Err(ReportError::Pdf(e.to_string())),
    };
    let output = work.0.join("report.pdf");
    match std::fs::read(&output) {
        Ok(bytes) if status.success() && bytes.starts_with(b"%PDF") => Ok(bytes),
        _ => {
            let reason = std::fs::read_to_string(&log_path).unwrap_or_default();
            let reason = reason.trim();
            Err(ReportError::Pdf(if reason.is_empty() {
                format!("没有生成 PDF 文件（退出状态 {status}）")
            } else {
                reason.chars().take(500).collect()
            }))
        }
    }
}

/// A temporary folder, removed with everything in it when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> std::io::Result<WorkDir> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = base.join(format!("taizhang-pdf-{}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(WorkDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Nothing more can be done about a folder that will not go; it is in the temp dir.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
