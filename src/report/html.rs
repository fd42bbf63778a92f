//! `report --format html`: a standalone printable page in which every figure links to the
//! records it counts (`records?metric=ID&year=Y`, the ids also in `data-records`).
//!
//! The report template is rendered with its figures marked; the marked Markdown is read into
//! blocks (headings, paragraphs, bullet lists: the Markdown report templates use) and the page
//! comes from our own embedded HTML template with auto-escaping, so no ledger text is ever
//! written into HTML unescaped. Other Markdown syntax is shown as typed.

use minijinja::{context, Environment};
use serde::Serialize;

use super::compute::{MetricValue, Number};
use super::error::ReportError;
use super::numbers;
use super::render::{check_placeholders, render_template, strip_marks, ReportTemplate};
use super::view::{ReportData, FIGURE_END, FIGURE_MID, FIGURE_START};

const PAGE_NAME: &str = "report.html";
const PAGE: &str = include_str!("page.html.j2");
const ARTICLE_NAME: &str = "article.html";
const ARTICLE: &str = include_str!("article.html.j2");

/// The report as a standalone HTML page.
pub fn render_html(data: &ReportData, template: &ReportTemplate) -> Result<String, ReportError> {
    render_page(data, template, PAGE_NAME)
}

/// The report's `<article>` alone, for a page of our own that shows the report inside its
/// layout (the web preview); the figures link exactly as in [`render_html`].
pub fn render_article(data: &ReportData, template: &ReportTemplate) -> Result<String, ReportError> {
    render_page(data, template, ARTICLE_NAME)
}

fn render_page(
    data: &ReportData,
    template: &ReportTemplate,
    page_name: &str,
) -> Result<String, ReportError> {
    let marked = render_template(data, template, true)?;
    check_placeholders(&strip_marks(&marked))?;
    let blocks = blocks(&marked, data);
    let title = blocks
        .iter()
        .find(|b| b.tag == "h1")
        .and_then(|b| b.lines.first())
        .map(|line| line.iter().map(|s| s.text.as_str()).collect::<String>())
        .unwrap_or_else(|| format!("{}{}年度述职报告", data.park, data.year));
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Our own page: a failure here is a defect, reported like any template error.
    env.add_template(PAGE_NAME, PAGE)
        .and_then(|()| env.add_template(ARTICLE_NAME, ARTICLE))
        .and_then(|()| env.get_template(page_name))
        .and_then(|page| page.render(context! { title, blocks }))
        .map_err(|e| ReportError::template(page_name, &e))
}

/// A heading (`h1`…`h6`), a paragraph (`p`) or a bullet list (`ul`, one line per item).
#[derive(Debug, PartialEq, Serialize)]
struct Block {
    tag: &'static str,
    lines: Vec<Vec<Segment>>,
}

/// Plain text, or a figure with its link.
#[derive(Debug, PartialEq, Serialize)]
struct Segment {
    text: String,
    metric: Option<String>,
    href: Option<String>,
    records: Option<String>,
    title: Option<String>,
}

impl Segment {
    fn plain(text: String) -> Segment {
        Segment {
            text,
            metric: None,
            href: None,
            records: None,
            title: None,
        }
    }
}

const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];

fn blocks(marked: &str, data: &ReportData) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph = String::new();
    let mut list: Vec<Vec<Segment>> = Vec::new();
    let flush = |out: &mut Vec<Block>, paragraph: &mut String, list: &mut Vec<Vec<Segment>>| {
        if !paragraph.is_empty() {
            out.push(Block {
                tag: "p",
                lines: vec![segments(paragraph, data)],
            });
            paragraph.clear();
        }
        if !list.is_empty() {
            out.push(Block {
                tag: "ul",
                lines: std::mem::take(list),
            });
        }
    };
    for line in marked.lines() {
        let trimmed = line.trim();
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph, &mut list);
        } else if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            flush(&mut out, &mut paragraph, &mut list);
            out.push(Block {
                tag: HEADINGS[hashes - 1],
                lines: vec![segments(trimmed[hashes..].trim(), data)],
            });
        } else if let Some(line) = trimmed.strip_prefix(">> ") {
            flush(&mut out, &mut paragraph, &mut list);
            out.push(Block {
                tag: "signature",
                lines: vec![segments(line.trim(), data)],
            });
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            if !paragraph.is_empty() {
                let mut none = Vec::new();
                flush(&mut out, &mut paragraph, &mut none);
            }
            list.push(segments(item.trim(), data));
        } else {
            if !list.is_empty() {
                flush(&mut out, &mut paragraph, &mut list);
            }
            // Chinese text joins lines without a space; Latin text needs one.
            if paragraph.chars().next_back().is_some_and(|c| c.is_ascii()) {
                paragraph.push(' ');
            }
            paragraph.push_str(trimmed);
        }
    }
    flush(&mut out, &mut paragraph, &mut list);
    out
}

/// Splits marked text into plain text and figures of known metrics; stray marks are dropped.
fn segments(marked: &str, data: &ReportData) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = marked;
    while let Some(start) = rest.find(FIGURE_START) {
        push_plain(&mut out, &rest[..start]);
        let after = &rest[start + FIGURE_START.len_utf8()..];
        let figure = after.find(FIGURE_MID).and_then(|mid| {
            let end = after[mid..].find(FIGURE_END)? + mid;
            Some((&after[..mid], &after[mid + FIGURE_MID.len_utf8()..end], end))
        });
        let Some((id, text, end)) = figure else {
            rest = after;
            continue;
        };
        match data.metrics.get(id) {
            Some(metric) => out.push(Segment {
                text: strip_marks(text),
                metric: Some(metric.id.clone()),
                href: Some(format!("records?metric={}&year={}", metric.id, data.year)),
                records: Some(
                    metric
                        .records
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                title: Some(format!(
                    "{}：{}{}，依据 {} 条记录",
                    metric.label,
                    exact(metric),
                    metric.unit,
                    metric.records.len()
                )),
            }),
            None => push_plain(&mut out, text),
        }
        rest = &after[end + FIGURE_END.len_utf8()..];
    }
    push_plain(&mut out, rest);
    out
}

/// The exact value behind a figure that may be shown rounded ("100余"), for its tooltip.
fn exact(metric: &MetricValue) -> String {
    match metric.value {
        Number::Int(n) => n.to_string(),
        Number::Float(x) => numbers::fixed(x, metric.decimals),
    }
}

/// Appends plain text, joining it to plain text before it.
fn push_plain(out: &mut Vec<Segment>, text: &str) {
    let text = strip_marks(text);
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.href.is_none() => last.text.push_str(&text),
        _ => out.push(Segment::plain(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compute::MetricValues;

    fn data() -> ReportData {
        ReportData {
            park: "测试园区".into(),
            year: 2024,
            metrics: MetricValues {
                year: 2024,
                metrics: vec![MetricValue {
                    id: "honors".into(),
                    label: "荣誉".into(),
                    unit: "项".into(),
                    decimals: 0,
                    value: Number::Int(2),
                    records: vec![4, 9],
                    prev: None,
                    relations: Default::default(),
                }],
            },
            projects: vec![],
            documents: vec![],
            findings: vec![],
            problems: Vec::new(),
            causes: String::new(),
            measures: String::new(),
            ..Default::default()
        }
    }

    #[test]
    fn markdown_becomes_blocks_with_linked_figures() {
        let marked = "# 标题\n\n第一行\n第二行获得\u{E000}honors\u{E001}2\u{E002}项\u{E000}bad\n\n- 甲\n- 乙\n";
        let b = blocks(marked, &data());
        assert_eq!(
            b.iter().map(|b| b.tag).collect::<Vec<_>>(),
            ["h1", "p", "ul"]
        );
        let p = &b[1].lines[0];
        assert_eq!(p[0].text, "第一行第二行获得");
        assert_eq!(
            p[1].href.as_deref(),
            Some("records?metric=honors&year=2024")
        );
        assert_eq!(p[1].records.as_deref(), Some("4,9"));
        assert_eq!(p[2].text, "项bad");
        assert_eq!(b[2].lines.len(), 2);
    }

    #[test]
    fn the_article_is_the_page_without_its_wrapping() {
        let t = ReportTemplate::new("t.md", "# 标题\n\n共获得荣誉{{ m.honors }}项。\n");
        let article = render_article(&data(), &t).unwrap();
        let page = render_html(&data(), &t).unwrap();
        assert!(article.starts_with("<article>"), "{article}");
        assert!(!article.contains("<style>"));
        assert!(page.contains(article.trim_end()), "{page}");
        assert!(page.contains("</article>\n</body>"), "{page}");
    }

    #[test]
    fn the_page_escapes_ledger_text() {
        let mut d = data();
        d.park = "<script>园区</script>".into();
        let t = ReportTemplate::new("t.md", "# {{ park }}\n\n共获得荣誉{{ m.honors }}项。\n");
        let html = render_html(&d, &t).unwrap();
        assert!(
            html.contains("&lt;script&gt;园区&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains(
            "<a class=\"figure\" href=\"records?metric=honors&amp;year=2024\" data-metric=\"honors\" data-records=\"4,9\""
        ), "{html}");
        assert!(html.contains("<title>&lt;script&gt;"));
    }
}
