//! Rendering a report: a pure function of [`ReportData`] and a template, with no database, no
//! clock and no file access inside.
//!
//! Templates are Markdown with Jinja syntax, run in a locked-down environment: strict undefined
//! (a misspelt name is an error, not an empty string), a fuel limit (a runaway loop stops), a
//! recursion limit, no loader (a template cannot read other files), auto-escaping off (the
//! output is Markdown). Errors carry the template's name and line. Before rendering, every
//! `m.ID` the template names is checked against the metrics; after rendering, the text is
//! scanned for `X` placeholders left from a model essay.

use std::str::FromStr;

use chrono::Datelike;

use minijinja::{context, AutoEscape, Environment, UndefinedBehavior, Value};
use serde::{Deserialize, Serialize};

use super::compute::{MetricValue, MetricValues, Relations};

use super::docx::{render_docx_with, DocxFonts};
use super::error::ReportError;
use super::view::{
    metric_map, ReportData, FIGURE_END, FIGURE_MID, FIGURE_START, HIGHLIGHT_END, HIGHLIGHT_START,
};

/// The built-in template: the model report's structure, in our own words.
pub const DEFAULT_TEMPLATE: &str = include_str!("default.md.j2");

/// The instructions a template may run. The default template needs a few thousand; this leaves
/// room for long user templates while stopping a runaway loop within a second.
const FUEL: u64 = 200_000;

/// How deep blocks, macros and calls may nest.
const RECURSION_LIMIT: usize = 64;

/// The most Markdown one report may come to: a duty report is some tens of kilobytes, so a
/// template past this is looping, and is stopped as it writes rather than after.
pub const MAX_OUTPUT_BYTES: usize = 4 << 20;

/// How many reports render at once; more wait their turn, up to [`RENDER_WAIT`].
const RENDERS_AT_ONCE: usize = 2;

/// How long a render waits for its turn before the caller is told to come back.
const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a caller waits for one render job. The fuel stops a runaway loop well within this,
/// and a render worker is killed sooner ([`super::worker::TIME_LIMIT`]).
pub const RENDER_WALL_CLOCK: std::time::Duration = std::time::Duration::from_secs(20);

/// Runs a render on a blocking thread, never on the async workers, so that however long a
/// template runs the server keeps answering (`/healthz` among the rest). At most
/// `RENDERS_AT_ONCE` (two) run side by side; a job still running past [`RENDER_WALL_CLOCK`]
/// keeps its turn until it ends but its caller is answered. Each template inside a job renders
/// in a child process under its own limits (`report::worker`).
pub async fn off_the_workers<T, F>(job: F) -> Result<T, ReportError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ReportError> + Send + 'static,
{
    static SLOTS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    let slots = SLOTS
        .get_or_init(|| std::sync::Arc::new(tokio::sync::Semaphore::new(RENDERS_AT_ONCE)))
        .clone();
    let turn = match tokio::time::timeout(RENDER_WAIT, slots.acquire_owned()).await {
        Ok(Ok(turn)) => turn,
        _ => return Err(ReportError::Busy),
    };
    let running = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        job()
    });
    match tokio::time::timeout(RENDER_WALL_CLOCK, running).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "report render failed");
            Err(ReportError::Crashed)
        }
        Err(_) => {
            tracing::warn!("report render ran past its wall-clock limit");
            Err(ReportError::TimedOut(RENDER_WALL_CLOCK.as_secs()))
        }
    }
}

/// The output of a render, refused once it passes [`MAX_OUTPUT_BYTES`].
struct Capped {
    text: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.text.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("report output limit"));
        }
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A report template: its name (for messages) and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTemplate {
    pub name: String,
    pub source: String,
}

impl ReportTemplate {
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> ReportTemplate {
        ReportTemplate {
            name: name.into(),
            source: source.into(),
        }
    }

    /// The built-in default template.
    pub fn builtin() -> ReportTemplate {
        ReportTemplate::new("default.md.j2", DEFAULT_TEMPLATE)
    }
}

/// An output format of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Docx,
    /// The DOCX converted by LibreOffice (`report::pdf`); not a pure rendering.
    Pdf,
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Format, ReportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "docx" | "word" => Ok(Format::Docx),
            "pdf" => Ok(Format::Pdf),
            other => Err(ReportError::UnknownFormat(other.to_string())),
        }
    }
}

impl Format {
    /// Whether the format is binary (DOCX, PDF) rather than text.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Docx | Format::Pdf)
    }
}

/// Renders the report in a text `format`; DOCX, being binary, comes from [`render_bytes`].
pub fn render(
    data: &ReportData,
    template: &ReportTemplate,
    format: Format,
) -> Result<String, ReportError> {
    match format {
        Format::Markdown => render_markdown(data, template),
        Format::Html => super::html::render_html(data, template),
        Format::Json => Ok(super::json::to_json_string(data)),
        Format::Docx | Format::Pdf => Err(ReportError::DocxIsBinary),
    }
}

/// Renders the report in any `format` as the bytes of its file; DOCX with `fonts`.
pub fn render_bytes(
    data: &ReportData,
    template: &ReportTemplate,
    format: Format,
    fonts: &DocxFonts,
) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Docx => render_docx_with(data, template, fonts),
        Format::Pdf => super::pdf::render_pdf(data, template, fonts),
        text => render(data, template, text).map(String::into_bytes),
    }
}

/// The report as Markdown.
pub fn render_markdown(
    data: &ReportData,
    template: &ReportTemplate,
) -> Result<String, ReportError> {
    let text = render_template(data, template, false)?;
    check_placeholders(&text)?;
    Ok(text)
}

/// Renders the template; with `mark`, every figure is wrapped in the marks the HTML writer
/// turns into links. The caller checks placeholders.
pub(crate) fn render_template(
    data: &ReportData,
    template: &ReportTemplate,
    mark: bool,
) -> Result<String, ReportError> {
    let text = render_raw(data, template, mark)?;
    // Ledger text could in theory hold the private-use marks; only ours may reach the writer.
    Ok(if mark {
        text.replace([HIGHLIGHT_START, HIGHLIGHT_END], "")
    } else {
        strip_marks(&text)
    })
}

/// The template rendered with every mark kept, figures and highlights: what the health check
/// reads.
pub(crate) fn render_marked(
    data: &ReportData,
    template: &ReportTemplate,
) -> Result<String, ReportError> {
    render_raw(data, template, true)
}

fn render_raw(
    data: &ReportData,
    template: &ReportTemplate,
    mark: bool,
) -> Result<String, ReportError> {
    check_metric_names(data, template)?;
    let input = RenderInput::new(data, template, mark);
    match super::worker::isolated() {
        Some(exe) => super::worker::render_in(exe, input),
        None => input.render(),
    }
}

/// One render's template and everything its context is built from, as plain data: what the
/// render worker receives (`report::worker`), and what an in-process render runs the same way.
#[derive(Serialize, Deserialize)]
pub(crate) struct RenderInput {
    name: String,
    source: String,
    /// Whether figures carry the marks of the HTML writer and the health check.
    mark: bool,
    park: String,
    year: i32,
    /// Each metric with its relations (which the report's JSON leaves out).
    metrics: Vec<(MetricValue, Relations)>,
    projects: serde_json::Value,
    documents: serde_json::Value,
    findings: serde_json::Value,
    problems: Vec<String>,
    causes: String,
    measures: String,
    next_plans: serde_json::Value,
    /// The 落款 date as written (2025年12月31日).
    signed_on: Option<String>,
}

impl RenderInput {
    fn new(data: &ReportData, template: &ReportTemplate, mark: bool) -> RenderInput {
        // These are plain view structs: serializing them cannot fail.
        let plain = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
        RenderInput {
            name: template.name.clone(),
            source: template.source.clone(),
            mark,
            park: data.park.clone(),
            year: data.year,
            metrics: data
                .metrics
                .metrics
                .iter()
                .map(|m| (m.clone(), m.relations.clone()))
                .collect(),
            projects: plain(serde_json::to_value(&data.projects)),
            documents: plain(serde_json::to_value(&data.documents)),
            findings: plain(serde_json::to_value(&data.findings)),
            problems: data.problems.clone(),
            causes: data.causes.clone(),
            measures: data.measures.clone(),
            next_plans: plain(serde_json::to_value(&data.next_plans)),
            signed_on: data
                .signed_on
                .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day())),
        }
    }

    /// The template's name, for messages.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Renders the template in this process, its output capped at [`MAX_OUTPUT_BYTES`].
    pub(crate) fn render(self) -> Result<String, ReportError> {
        let env = environment();
        let compiled = env
            .template_from_named_str(&self.name, &self.source)
            .map_err(|e| ReportError::template(&self.name, &e))?;
        let metrics = MetricValues {
            year: self.year,
            metrics: self
                .metrics
                .into_iter()
                .map(|(metric, relations)| MetricValue {
                    relations,
                    ..metric
                })
                .collect(),
        };
        let ctx = context! {
            park => self.park,
            year => self.year,
            m => metric_map(&metrics, self.mark),
            projects => Value::from_serialize(&self.projects),
            documents => Value::from_serialize(&self.documents),
            findings => Value::from_serialize(&self.findings),
            problems => Value::from_serialize(&self.problems),
            causes => self.causes,
            measures => self.measures,
            next_plans => Value::from_serialize(&self.next_plans),
            signed_on => self.signed_on,
        };
        let mut out = Capped {
            text: Vec::new(),
            overflowed: false,
        };
        if let Err(e) = compiled.render_captured_to(ctx, &mut out) {
            return Err(if out.overflowed {
                ReportError::TooLong {
                    name: self.name.clone(),
                    limit_mb: MAX_OUTPUT_BYTES >> 20,
                }
            } else {
                ReportError::template(&self.name, &e)
            });
        }
        // Templates are str and every value writes as UTF-8, so the bytes are valid text.
        String::from_utf8(out.text).map_err(|e| ReportError::Template {
            name: self.name.clone(),
            line: None,
            reason: e.to_string(),
        })
    }
}

/// The locked-down environment user templates run in.
fn environment<'source>() -> Environment<'source> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Block tags on lines of their own leave no blank lines behind, so Markdown stays tidy.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    super::filters::register(&mut env);
    env
}

pub(crate) fn strip_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_id = false;
    for c in text.chars() {
        match c {
            FIGURE_START => in_id = true,
            FIGURE_MID => in_id = false,
            FIGURE_END | HIGHLIGHT_START | HIGHLIGHT_END => {}
            _ if in_id => {}
            _ => out.push(c),
        }
    }
    out
}

/// Checks every `m.ID` / `m["ID"]` inside the template's tags against the metrics, so that a
/// misspelt id is reported with its line and the nearest real id rather than as "undefined".
fn check_metric_names(data: &ReportData, template: &ReportTemplate) -> Result<(), ReportError> {
    let source = &template.source;
    let mut at = 0;
    while let Some(open) = find_tag_open(&source[at..]).map(|i| at + i) {
        let close_token = if source[open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let end = source[open + 2..]
            .find(close_token)
            .map_or(source.len(), |i| open + 2 + i);
        for (offset, id) in metric_references(&source[open..end]) {
            if data.metrics.get(&id).is_none() {
                let line = source[..open + offset].matches('\n').count() + 1;
                let nearest =
                    crate::org::nearest(&id, data.metrics.metrics.iter().map(|m| m.id.as_str()));
                return Err(ReportError::UnknownMetric {
                    name: template.name.clone(),
                    line,
                    metric: id,
                    nearest,
                });
            }
        }
        at = end;
    }
    Ok(())
}

fn find_tag_open(text: &str) -> Option<usize> {
    match (text.find("{{"), text.find("{%")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `(offset, id)` of each `m.id`, `m["id"]` or `m['id']` in a tag's text.
fn metric_references(tag: &str) -> Vec<(usize, String)> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for (i, _) in tag.match_indices('m') {
        let before = tag[..i].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '.') {
            continue;
        }
        let rest = &tag[i + 1..];
        let id: String = if let Some(after) = rest.strip_prefix('.') {
            after.chars().take_while(|c| is_ident(*c)).collect()
        } else if let Some(after) = rest.strip_prefix("[\"").or(rest.strip_prefix("['")) {
            after
                .chars()
                .take_while(|c| *c != '"' && *c != '\'')
                .collect()
        } else {
            continue;
        };
        if !id.is_empty() {
            found.push((i, id));
        }
    }
    found
}

/// Fails with every `X` placeholder still in the text: a run of `X` (or `X.X`) that is not part
/// of a Latin word, e.g. between CJK characters or standing as a number ("约X平方米", "XX名").
pub fn check_placeholders(text: &str) -> Result<(), ReportError> {
    let found = find_placeholders(text);
    if found.is_empty() {
        Ok(())
    } else {
        Err(ReportError::Placeholders(found))
    }
}

/// Each placeholder as "第N行“…context…”".
pub fn find_placeholders(text: &str) -> Vec<String> {
    let is_x = |c: char| c == 'X' || c == 'Ｘ';
    let is_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if !is_x(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len()
                && (is_x(chars[i])
                    || (chars[i] == '.' && chars.get(i + 1).is_some_and(|c| is_x(*c))))
            {
                i += 1;
            }
            let before = start.checked_sub(1).and_then(|j| chars.get(j));
            if !is_word(before) && !is_word(chars.get(i)) {
                let from = start.saturating_sub(8);
                let to = (i + 8).min(chars.len());
                let context: String = chars[from..to].iter().collect();
                found.push(format!("第{}行“{}”", number + 1, context.trim()));
            }
        }
    }
    found
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
