//! `report --format docx`: the report as a Word document in the 公文 layout of GB/T 9704-2012.
//!
//! The OOXML is written here by hand, a few small parts in a zip: `[Content_Types].xml`,
//! `_rels/.rels`, `docProps/core.xml` and `app.xml`, and under `word/` the document, its
//! relationships, styles, settings, font table and the odd and even page footers. Everything
//! the user's data reaches goes through [`escape`].
//!
//! The layout (twips are 1/20 pt; 1 mm = 56.69 twips):
//! - A4 (11906 × 16838), margins 37 mm top (2098), 28 mm left (1587), 35 mm bottom (1984),
//!   26 mm right (1474): a text block of 156 × 225 mm.
//! - Body 3号 (16 pt) 仿宋 at an exact line pitch of 579 twips (28.95 pt), 22 lines a page;
//!   the document grid snaps to those 22 lines; 3号 runs are condensed by 0.25 pt so that 28
//!   characters fill a line; first-line indent 640 twips (two characters), justified.
//! - Title (`#`) 2号 (22 pt) 小标宋, centred, one blank line below; 一级标题 (`##`) 黑体,
//!   二级标题 (`###`) 楷体, both 3号 with the body's indent; deeper headings are body text in
//!   bold. List items are body paragraphs (公文 has no bullets); `**bold**` is bold.
//! - Page numbers "— 1 —" in 4号 (14 pt) 宋体: odd pages right, even pages left, one character
//!   in from the edge of the text block, as a PAGE field with a cached "1".
//!
//! The official fonts cannot be shipped, and a DOCX only names its fonts, so every font is a
//! setting ([`DocxFonts`], from `[report.fonts]` in `taizhang.toml`): the 公文 font first, then
//! the fallbacks Windows, WPS and Linux have, in order (e.g. 仿宋_GB2312, 仿宋, FangSong, Noto
//! Serif CJK SC). Every run names its East Asian font (`w:eastAsia`), so no application falls back
//! to a Latin theme font. The font table gives each font its first fallback (`w:altName`), the
//! GB2312 character set and its family, which Word and WPS use to substitute.
//!
//! LibreOffice reads none of that: its DOCX import drops `w:altName`, `w:panose1` and `w:family`
//! and hands the run's `w:eastAsia` name to fontconfig, which answers a name it does not know
//! with its default CJK face, a sans-serif one (Noto Sans CJK SC where `fonts-noto-cjk` is
//! installed). So on Linux the fallbacks are given to fontconfig instead: [`fontconfig_aliases`]
//! writes them as `<alias>` rules (shipped for the default fonts as
//! `contrib/fontconfig/64-taizhang-gongwen.conf`), and [`fontconfig_for_conversion`] is a whole
//! `FONTCONFIG_FILE` for a LibreOffice conversion.
//!
//! Punctuation at the end of a full line: paragraphs say `w:overflowPunct` (may hang into the
//! margin) explicitly. Word and WPS read it as they read its absence; LibreOffice's import maps it
//! the other way round (`ParaIsHangingPunctuation = !overflowPunct`), and its hanging
//! punctuation, which it uses when the element is absent, is dropped from the line end of a
//! justified line (the "。" after "落地生根" in the demo's 2025 report was missing from the PDF).
//! With the element, LibreOffice moves the last character down with its punctuation instead.

use std::io::{Cursor, Write};

use super::error::ReportError;
use super::render::{render_markdown, ReportTemplate};
use super::view::ReportData;

/// A4 in twips.
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
/// Margins in twips: 37 mm, 26 mm, 35 mm and 28 mm.
pub const MARGIN_TOP: u32 = 2098;
pub const MARGIN_RIGHT: u32 = 1474;
pub const MARGIN_BOTTOM: u32 = 1984;
pub const MARGIN_LEFT: u32 = 1587;
/// The exact line pitch: (16838 − 2098 − 1984) / 22 lines, rounded down.
pub const LINE_PITCH: u32 = 579;
/// Two 3号 characters.
pub const FIRST_LINE_INDENT: u32 = 640;
/// Font sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
pub const TITLE_SIZE: u32 = 44;
pub const BODY_SIZE: u32 = 32;
pub const PAGE_NUMBER_SIZE: u32 = 28;
/// One 4号 character, the page number's distance from the text block's edge.
const PAGE_NUMBER_INDENT: u32 = 280;
/// Character spacing of 3号 text in twentieths of a point: 28 characters of 15.75 pt fill the
/// 156 mm (442.2 pt) line, where 16 pt characters would give 27. A character grid
/// (`linesAndChars` with a negative `charSpace`) does the same in Word but makes LibreOffice
/// give each character two cells, so the grid snaps lines only and the runs are condensed.
pub const CONDENSE: i32 = -5;
/// Page bottom to the footer: the page number's dash sits 7 mm below the text block (35 mm −
/// 7 mm − one 4号 line of about 5 mm = 23 mm).
pub(super) const FOOTER_DISTANCE: u32 = 1304;
/// Header distance (unused by the report, which has no header; Word's usual 15 mm).
pub(super) const HEADER_DISTANCE: u32 = 851;

/// One font setting: the name the document asks for, and what to use where it is missing, best
/// first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontChoice {
    pub name: String,
    pub fallbacks: Vec<String>,
}

impl FontChoice {
    pub fn new(name: &str, fallbacks: &[&str]) -> FontChoice {
        FontChoice {
            name: name.to_string(),
            fallbacks: fallbacks.iter().map(|f| f.to_string()).collect(),
        }
    }
}

/// The fonts of the DOCX report. The defaults are the names GB/T 9704 documents use on
/// Windows, then the fonts Chinese Windows and WPS have, then the free CJK fonts of Linux
/// (Noto and Source Han are one design under two names; AR PL UKai is a real 楷体); on 信创
/// desktops set e.g. `body = "方正仿宋_GBK"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocxFonts {
    /// The title (2号 小标宋).
    pub title: FontChoice,
    /// Body text (3号 仿宋).
    pub body: FontChoice,
    /// 一级标题 (黑体).
    pub heading1: FontChoice,
    /// 二级标题 (楷体).
    pub heading2: FontChoice,
    /// Page numbers (4号 宋体).
    pub page_number: FontChoice,
    /// Latin letters and digits in the title, headings and body.
    pub latin: String,
}

/// The serif CJK fonts a Linux desktop or server has: Debian's `fonts-noto-cjk`, Adobe's name
/// for the same design, and the older Arphic 明体.
const LINUX_SERIF: [&str; 3] = ["Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"];
/// The sans-serif ones, for 黑体.
const LINUX_SANS: [&str; 3] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
];

impl Default for DocxFonts {
    fn default() -> DocxFonts {
        let [serif, source_serif, uming] = LINUX_SERIF;
        let [sans, source_sans, zenhei] = LINUX_SANS;
        DocxFonts {
            title: FontChoice::new(
                "方正小标宋简体",
                &[
                    "方正小标宋_GBK",
                    "华文中宋",
                    "宋体",
                    serif,
                    source_serif,
                    uming,
                ],
            ),
            body: FontChoice::new(
                "仿宋_GB2312",
                &["仿宋", "FangSong", serif, source_serif, uming],
            ),
            heading1: FontChoice::new("黑体", &["SimHei", sans, source_sans, zenhei]),
            heading2: FontChoice::new(
                "楷体_GB2312",
                &["楷体", "KaiTi", "AR PL UKai CN", serif, source_serif],
            ),
            page_number: FontChoice::new("宋体", &["SimSun", serif, source_serif, uming]),
            latin: "Times New Roman".to_string(),
        }
    }
}

impl DocxFonts {
    /// Each role's font once, in the order title, body, 一级, 二级, page number, with the
    /// family the font table declares for it (Word's values for these fonts).
    fn chinese(&self) -> Vec<(&FontChoice, &'static str)> {
        let mut out: Vec<(&FontChoice, &'static str)> = Vec::new();
        for (font, family) in [
            (&self.title, "roman"),
            (&self.body, "modern"),
            (&self.heading1, "modern"),
            (&self.heading2, "modern"),
            (&self.page_number, "auto"),
        ] {
            if !out.iter().any(|(f, _)| f.name == font.name) {
                out.push((font, family));
            }
        }
        out
    }
}

/// fontconfig rules that give each font of the report its fallbacks, in order, for a
/// `conf.d` folder (`~/.config/fontconfig/conf.d/` or `/etc/fonts/conf.d/`): with them
/// LibreOffice and WPS on Linux draw 仿宋_GB2312 with the first installed fallback (Noto Serif
/// CJK SC) instead of fontconfig's default sans-serif face.
pub fn fontconfig_aliases(fonts: &DocxFonts) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n\
<!-- The fonts of taizhang's DOCX report (GB/T 9704) and their fallbacks, best first. -->\n<fontconfig>\n",
    );
    out.push_str(&alias_rules(fonts));
    out.push_str("</fontconfig>\n");
    out
}

/// A whole fontconfig file for a LibreOffice conversion (`FONTCONFIG_FILE`): the system's
/// configuration, then [`fontconfig_aliases`]' rules.
pub fn fontconfig_for_conversion(fonts: &DocxFonts) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n\
  <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n{}</fontconfig>\n",
        alias_rules(fonts)
    )
}

fn alias_rules(fonts: &DocxFonts) -> String {
    let mut out = String::new();
    for (font, _) in fonts.chinese() {
        out.push_str(&format!(
            "  <alias binding=\"same\">\n    <family>{}</family>\n    <prefer>\n",
            escape(&font.name)
        ));
        for fallback in &font.fallbacks {
            out.push_str(&format!("      <family>{}</family>\n", escape(fallback)));
        }
        out.push_str("    </prefer>\n  </alias>\n");
    }
    out
}

/// The report as a DOCX file, with the default fonts.
pub fn render_docx(data: &ReportData, template: &ReportTemplate) -> Result<Vec<u8>, ReportError> {
    render_docx_with(data, template, &DocxFonts::default())
}

/// The report as a DOCX file with the given fonts. Fails like [`render_markdown`] (template
/// errors, unbound placeholders) and then writes nothing.
pub fn render_docx_with(
    data: &ReportData,
    template: &ReportTemplate,
    fonts: &DocxFonts,
) -> Result<Vec<u8>, ReportError> {
    let markdown = render_markdown(data, template)?;
    let blocks = blocks(&markdown);
    let title = blocks
        .iter()
        .find(|b| b.style == Style::Title)
        .map(|b| plain_text(&b.text))
        .unwrap_or_else(|| format!("{}{}年度述职报告", data.park, data.year));
    package(&blocks, &title, fonts).map_err(|e| ReportError::Docx(e.to_string()))
}

/// The paragraph styles of the report, each a style of `styles.xml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Title,
    Heading1,
    Heading2,
    Heading3,
    Body,
    /// The 落款 (committee and date): a body line right-aligned, four characters in.
    Signature,
}

impl Style {
    fn id(self) -> &'static str {
        match self {
            Style::Title => "Title",
            Style::Heading1 => "Heading1",
            Style::Heading2 => "Heading2",
            Style::Heading3 => "Heading3",
            Style::Body | Style::Signature => "Normal",
        }
    }

    fn font(self, fonts: &DocxFonts) -> &FontChoice {
        match self {
            Style::Title => &fonts.title,
            Style::Heading1 => &fonts.heading1,
            Style::Heading2 => &fonts.heading2,
            Style::Heading3 | Style::Body | Style::Signature => &fonts.body,
        }
    }

    fn size(self) -> u32 {
        match self {
            Style::Title => TITLE_SIZE,
            _ => BODY_SIZE,
        }
    }
}

/// One paragraph of the document and its Markdown text (with `**bold**` still in it).
#[derive(Debug, PartialEq)]
struct Block {
    style: Style,
    text: String,
}

/// Reads the rendered Markdown the way the HTML writer does: `#` to `######` headings, blank
/// lines between paragraphs, consecutive lines joined (with a space only after Latin text),
/// `- ` or `* ` list items one paragraph each, `>> ` lines (the 落款) one right-aligned
/// paragraph each.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut paragraph = String::new();
    let flush = |out: &mut Vec<Block>, paragraph: &mut String| {
        if !paragraph.is_empty() {
            out.push(Block {
                style: Style::Body,
                text: std::mem::take(paragraph),
            });
        }
    };
    for line in markdown.lines() {
        let trimmed = line.trim();
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if trimmed.is_empty() {
            flush(&mut out, &mut paragraph);
        } else if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            flush(&mut out, &mut paragraph);
            let style = match hashes {
                1 => Style::Title,
                2 => Style::Heading1,
                3 => Style::Heading2,
                _ => Style::Heading3,
            };
            out.push(Block {
                style,
                text: trimmed[hashes..].trim().to_string(),
            });
        } else if let Some(line) = trimmed.strip_prefix(">> ") {
            flush(&mut out, &mut paragraph);
            out.push(Block {
                style: Style::Signature,
                text: line.trim().to_string(),
            });
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            flush(&mut out, &mut paragraph);
            out.push(Block {
                style: Style::Body,
                text: item.trim().to_string(),
            });
        } else {
            if paragraph.chars().next_back().is_some_and(|c| c.is_ascii()) {
                paragraph.push(' ');
            }
            paragraph.push_str(trimmed);
        }
    }
    flush(&mut out, &mut paragraph);
    out
}

/// Splits `**bold**` spans out of a paragraph's text: `(text, bold)` pieces, in order. An
/// unpaired `**` is kept as typed.
fn spans(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("**") {
        let Some(len) = rest[open + 2..].find("**") else {
            break;
        };
        if open > 0 {
            out.push((&rest[..open], false));
        }
        if len > 0 {
            out.push((&rest[open + 2..open + 2 + len], true));
        }
        rest = &rest[open + 2 + len + 2..];
    }
    if !rest.is_empty() {
        out.push((rest, false));
    }
    out
}

fn plain_text(text: &str) -> String {
    spans(text).into_iter().map(|(t, _)| t).collect()
}

/// Text for XML content or a double-quoted attribute: markup characters escaped, and the
/// characters XML 1.0 does not allow (most C0 controls, U+FFFE, U+FFFF) left out, so that no
/// ledger text can make the document unreadable.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
pub(super) const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
pub(super) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// `w:rFonts` naming `east_asian` for Chinese text and `latin` for the rest.
pub(super) fn run_fonts(latin: &str, east_asian: &str) -> String {
    let (latin, east_asian) = (escape(latin), escape(east_asian));
    format!(
        "<w:rFonts w:ascii=\"{latin}\" w:hAnsi=\"{latin}\" w:eastAsia=\"{east_asian}\" w:cs=\"{latin}\" w:hint=\"eastAsia\"/>"
    )
}

/// One run of text with its fonts, size and weight spelt out (not only inherited from the
/// style), so that every run names its East Asian font.
pub(super) fn run(out: &mut String, text: &str, fonts: &str, size: u32, bold: bool) {
    out.push_str("<w:r><w:rPr>");
    out.push_str(fonts);
    if bold {
        out.push_str("<w:b/><w:bCs/>");
    }
    if size == BODY_SIZE {
        out.push_str(&format!("<w:spacing w:val=\"{CONDENSE}\"/>"));
    }
    out.push_str(&format!(
        "<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        escape(text)
    ));
}

/// `word/document.xml`: one paragraph a line, so that a snapshot diff reads well.
fn document_xml(blocks: &[Block], fonts: &DocxFonts) -> String {
    let mut out = String::from(XML_DECL);
    out.push_str(&format!(
        "<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:body>\n"
    ));
    for block in blocks {
        let font = block.style.font(fonts);
        let run_fonts = run_fonts(&fonts.latin, &font.name);
        // The 落款 stands right, four characters (of 16 pt) in from the edge (GB/T 9704 7.3.5).
        let align = if block.style == Style::Signature {
            "<w:ind w:right=\"1280\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/>"
        } else {
            ""
        };
        out.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{}\"/>{align}</w:pPr>",
            block.style.id()
        ));
        for (text, bold) in spans(&block.text) {
            let bold = bold || block.style == Style::Heading3;
            run(&mut out, text, &run_fonts, block.style.size(), bold);
        }
        out.push_str("</w:p>\n");
    }
    out.push_str(&format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
<w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"{HEADER_DISTANCE}\" w:footer=\"{FOOTER_DISTANCE}\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{LINE_PITCH}\"/></w:sectPr>\n"
    ));
    out.push_str("</w:body></w:document>\n");
    out
}

/// A footer: "— PAGE —" in 4号, right-aligned on odd pages and left-aligned on even ones, one
/// character in from the text block's edge.
fn footer_xml(fonts: &DocxFonts, odd: bool) -> String {
    let font = run_fonts(&fonts.page_number.name, &fonts.page_number.name);
    let size = PAGE_NUMBER_SIZE;
    let props = format!("<w:rPr>{font}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>");
    let (indent, align) = if odd {
        (
            format!("<w:ind w:right=\"{PAGE_NUMBER_INDENT}\"/>"),
            "right",
        )
    } else {
        (format!("<w:ind w:left=\"{PAGE_NUMBER_INDENT}\"/>"), "left")
    };
    let text = |t: &str| format!("<w:r>{props}<w:t xml:space=\"preserve\">{t}</w:t></w:r>");
    let field = |kind: &str| format!("<w:r>{props}<w:fldChar w:fldCharType=\"{kind}\"/></w:r>");
    format!(
        "{XML_DECL}<w:ftr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{indent}<w:jc w:val=\"{align}\"/></w:pPr>\
{}{}<w:r>{props}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>{}{}{}{}</w:p></w:ftr>\n",
        text("— "),
        field("begin"),
        field("separate"),
        text("1"),
        field("end"),
        text(" —"),
    )
}

fn style_xml(
    kind: &str,
    id: &str,
    name: &str,
    default: bool,
    paragraph: &str,
    run: &str,
) -> String {
    let default = if default { " w:default=\"1\"" } else { "" };
    let based_on = if id == "Normal" {
        String::new()
    } else {
        "<w:basedOn w:val=\"Normal\"/>".to_string()
    };
    format!(
        "<w:style w:type=\"{kind}\"{default} w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based_on}<w:qFormat/><w:pPr>{paragraph}</w:pPr><w:rPr>{run}</w:rPr></w:style>\n"
    )
}

fn styles_xml(fonts: &DocxFonts) -> String {
    let latin = &fonts.latin;
    let sized = |font: &FontChoice, size: u32, extra: &str| {
        let condense = if size == BODY_SIZE {
            format!("<w:spacing w:val=\"{CONDENSE}\"/>")
        } else {
            String::new()
        };
        format!(
            "{}{extra}{condense}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>",
            run_fonts(latin, &font.name)
        )
    };
    let exact = format!(
        "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/>"
    );
    let indent = format!("<w:ind w:firstLineChars=\"0\" w:firstLine=\"{FIRST_LINE_INDENT}\"/>");
    let heading = |level: u32| {
        format!(
            "<w:keepNext/>{exact}{indent}<w:jc w:val=\"both\"/><w:outlineLvl w:val=\"{level}\"/>"
        )
    };
    let mut out = String::from(XML_DECL);
    out.push_str(&format!("<w:styles xmlns:w=\"{NS_W}\">\n"));
    out.push_str(&format!(
        "<w:docDefaults><w:rPrDefault><w:rPr>{}<w:kern w:val=\"2\"/><w:sz w:val=\"{BODY_SIZE}\"/><w:szCs w:val=\"{BODY_SIZE}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr>{exact}</w:pPr></w:pPrDefault></w:docDefaults>\n",
        run_fonts(latin, &fonts.body.name)
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Normal",
        "Normal",
        true,
        &format!(
            "<w:widowControl w:val=\"0\"/><w:overflowPunct w:val=\"1\"/>{exact}{indent}<w:jc w:val=\"both\"/>"
        ),
        &sized(&fonts.body, BODY_SIZE, ""),
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Title",
        "Title",
        false,
        &format!(
            "<w:keepNext/><w:spacing w:before=\"0\" w:after=\"{LINE_PITCH}\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/>"
        ),
        &sized(&fonts.title, TITLE_SIZE, ""),
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Heading1",
        "heading 1",
        false,
        &heading(1),
        &sized(
            &fonts.heading1,
            BODY_SIZE,
            "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>",
        ),
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Heading2",
        "heading 2",
        false,
        &heading(2),
        &sized(
            &fonts.heading2,
            BODY_SIZE,
            "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>",
        ),
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Heading3",
        "heading 3",
        false,
        &heading(3),
        &sized(&fonts.body, BODY_SIZE, "<w:b/><w:bCs/>"),
    ));
    out.push_str(&style_xml(
        "paragraph",
        "Footer",
        "footer",
        false,
        "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>",
        &sized(&fonts.page_number, PAGE_NUMBER_SIZE, ""),
    ));
    out.push_str("</w:styles>\n");
    out
}

fn settings_xml() -> String {
    format!(
        "{XML_DECL}<w:settings xmlns:w=\"{NS_W}\"><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
<w:evenAndOddHeaders/><w:drawingGridVerticalSpacing w:val=\"{}\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
<w:themeFontLang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:settings>\n",
        LINE_PITCH / 2
    )
}

/// The font table: every font named, its first fallback as `w:altName`, and the GB2312
/// character set (86) so that a machine without it substitutes a Chinese font of the same family.
fn font_table_xml(fonts: &DocxFonts) -> String {
    let mut out = format!("{XML_DECL}<w:fonts xmlns:w=\"{NS_W}\">\n");
    let chinese = fonts.chinese();
    for (font, family) in &chinese {
        let alt = font
            .fallbacks
            .first()
            .map(|f| format!("<w:altName w:val=\"{}\"/>", escape(f)))
            .unwrap_or_default();
        out.push_str(&format!(
            "<w:font w:name=\"{}\">{alt}<w:charset w:val=\"86\"/><w:family w:val=\"{family}\"/><w:pitch w:val=\"variable\"/></w:font>\n",
            escape(&font.name),
        ));
    }
    if !chinese.iter().any(|(f, _)| f.name == fonts.latin) {
        out.push_str(&format!(
            "<w:font w:name=\"{}\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>\n",
            escape(&fonts.latin)
        ));
    }
    out.push_str("</w:fonts>\n");
    out
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>\n";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>\n";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdFontTable\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
</Relationships>\n";

/// Document properties: the title only. No dates, so the same data gives the same bytes.
fn core_xml(title: &str) -> String {
    format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:language>zh-CN</dc:language></cp:coreProperties>\n",
        escape(title)
    )
}

fn app_xml() -> String {
    format!(
        "{XML_DECL}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>taizhang</Application></Properties>\n"
    )
}

/// The zip package. Entries carry the zip format's zero date, so equal input gives equal bytes.
fn package(blocks: &[Block], title: &str, fonts: &DocxFonts) -> zip::result::ZipResult<Vec<u8>> {
    package_document(document_xml(blocks, fonts), title, fonts)
}

/// A package around a `word/document.xml` written elsewhere (the 台账汇编, `report::compile`),
/// with the report's styles, settings, font table and page-number footers.
pub(super) fn package_document(
    document: String,
    title: &str,
    fonts: &DocxFonts,
) -> zip::result::ZipResult<Vec<u8>> {
    let parts: [(&str, String); 11] = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", PACKAGE_RELS.to_string()),
        ("docProps/core.xml", core_xml(title)),
        ("docProps/app.xml", app_xml()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles_xml(fonts)),
        ("word/settings.xml", settings_xml()),
        ("word/fontTable.xml", font_table_xml(fonts)),
        ("word/footer1.xml", footer_xml(fonts, true)),
        ("word/footer2.xml", footer_xml(fonts, false)),
    ];
    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in parts {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.finish()?;
    Ok(out.into_inner())
}

/// A paragraph of a document other than the report, its text taken as written (no Markdown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plain {
    /// The document's title (小标宋, 2号, centred).
    Title(String),
    /// A heading (一级标题, 黑体).
    Heading(String),
    /// A body paragraph.
    Body(String),
}

/// A document of plain paragraphs in the report's layout (GB/T 9704 page, fonts and page
/// numbers): a meeting's 会议记录. User text is kept as typed: a `**` in it stays two stars.
pub fn plain_docx(title: &str, parts: &[Plain], fonts: &DocxFonts) -> Result<Vec<u8>, ReportError> {
    // `**` would toggle bold in a block's text; a zero-width space between the stars keeps them.
    let literal = |text: &str| text.replace("**", "*\u{200B}*");
    let blocks: Vec<Block> = parts
        .iter()
        .map(|p| match p {
            Plain::Title(t) => Block {
                style: Style::Title,
                text: literal(t),
            },
            Plain::Heading(t) => Block {
                style: Style::Heading1,
                text: literal(t),
            },
            Plain::Body(t) => Block {
                style: Style::Body,
                text: literal(t),
            },
        })
        .collect();
    package(&blocks, title, fonts).map_err(|e| ReportError::Docx(e.to_string()))
}

#[cfg(test)]
#[path = "docx_tests.rs"]
mod tests;
