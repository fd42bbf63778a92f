//! 台账汇编: the year's ledgers of a branch (the unit and every unit below it) or of the whole
//! park, bound as one DOCX for an inspection: a cover, a table of contents, each ledger kind as a
//! table in date order, each meeting's record (every field it has), and the 三会一课 grid of the
//! year. Read through the principal's rights and scope (`ledger::service::list`,
//! `rules::grid::grid`), written with the report's package, styles and page numbers
//! (`report::docx`); `taizhang compile` and the `/compile` download call it.

use chrono::NaiveDate;

use super::docx::{self, run, run_fonts, DocxFonts, PAGE_WIDTH};
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::catalogue::KindDef;
use crate::ledger::service::{self as ledger, CountCache, ListParams, RecordView, MAX_PAGE};
use crate::ledger::value::Value;

/// Table text: 五号 (10.5 pt), in half-points.
const TABLE_SIZE: u32 = 21;
/// The width of the text block in twips (A4 less the report's margins).
const TEXT_WIDTH: u32 = PAGE_WIDTH - docx::MARGIN_LEFT - docx::MARGIN_RIGHT;

/// A bound year: the document, its file name, and what it holds (for the caller to report).
#[derive(Debug)]
pub struct Compiled {
    pub title: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Each ledger's sheet name and how many records its table has.
    pub sheets: Vec<(String, usize)>,
}

/// The year's ledgers of `unit_id` and the units below it (or of the park, `None`), as far as
/// `who` may read them. A unit outside the principal's scope answers as a missing one.
pub async fn compile(
    db: &Db,
    who: &Principal,
    park: &str,
    year: Year,
    unit_id: Option<i64>,
    today: NaiveDate,
    fonts: &DocxFonts,
) -> Result<Compiled, AppError> {
    who.require(Action::ReadChecks)?;
    let units = crate::org::queries::units(db, who.park_id).await?;
    // An account scoped to units (a 支部书记) binds its own unit when it names none.
    let unit_id = match (&who.scope, unit_id) {
        (crate::auth::Scope::Units(_), None) => who.unit_id,
        (_, asked) => asked,
    };
    let unit = match unit_id {
        None => None,
        Some(id) => Some(
            units
                .iter()
                .find(|u| u.id == id && who.covers(Some(u.id), None))
                .ok_or(AppError::NotFound("单位"))?,
        ),
    };
    // A branch keeps the ledgers whose records name a unit; the park keeps them all.
    let kinds: Vec<KindDef> = crate::ledger::kinds::kinds(db, who)
        .await?
        .into_iter()
        .filter(|k| unit.is_none() || k.unit_field.is_some())
        .filter(|k| who.role.allows(Action::ReadRecords(&k.id)))
        .collect();
    let cache = CountCache::default();
    let mut ledgers = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let records = year_records(db, &cache, who, &kind.id, year, unit_id).await?;
        ledgers.push((kind, records));
    }
    let as_of = crate::rules::default_as_of(year, today);
    let mut grid = crate::rules::grid::grid(db, who, year, as_of).await?;
    if let Some(u) = unit {
        let below = subtree(&units, u.id);
        grid.rows.retain(|r| below.contains(&r.unit_id));
    }
    let scope_name = unit.map_or_else(|| "全园区".to_string(), |u| u.name.clone());
    let title = format!(
        "{}{year}年度台账汇编",
        unit.map_or(park, |u| u.name.as_str())
    );
    let document = document_xml(&Book {
        park,
        year,
        scope_name: &scope_name,
        today,
        ledgers: &ledgers,
        grid: &grid,
        fonts,
    });
    let bytes = docx::package_document(document, &title, fonts)
        .map_err(|e| AppError::BadRequest(format!("台账汇编写入失败：{e}")))?;
    Ok(Compiled {
        file_name: format!("{scope_name}{year}年度台账汇编.docx"),
        title,
        bytes,
        sheets: ledgers
            .iter()
            .map(|(k, r)| (k.sheet.clone(), r.len()))
            .collect(),
    })
}

/// Every live record of one kind in the year, in date order, page by page.
async fn year_records(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    kind: &str,
    year: Year,
    unit_id: Option<i64>,
) -> Result<Vec<RecordView>, AppError> {
    let mut out = Vec::new();
    loop {
        let params = ListParams {
            kind: Some(kind.to_string()),
            year: Some(year.get()),
            unit_id,
            sub_units: unit_id.is_some(),
            sort: Some("date".into()),
            limit: Some(MAX_PAGE),
            offset: Some(out.len() as i64),
            ..Default::default()
        };
        let page = ledger::list(db, cache, who, params).await?;
        let n = page.items.len();
        out.extend(page.items);
        if n < MAX_PAGE as usize || out.len() as i64 >= page.total {
            break;
        }
    }
    Ok(out)
}

/// A unit and every unit below it.
fn subtree(units: &[crate::org::queries::Unit], root: i64) -> Vec<i64> {
    let mut found = vec![root];
    let mut i = 0;
    while let Some(&parent) = found.get(i) {
        for u in units.iter().filter(|u| u.parent_id == Some(parent)) {
            if !found.contains(&u.id) {
                found.push(u.id);
            }
        }
        i += 1;
    }
    found
}

/// What the document is written from.
struct Book<'a> {
    park: &'a str,
    year: Year,
    scope_name: &'a str,
    today: NaiveDate,
    ledgers: &'a [(KindDef, Vec<RecordView>)],
    grid: &'a crate::rules::grid::Grid,
    fonts: &'a DocxFonts,
}

/// A field's value as people read it; a list (of attendees, say) joined with 、.
fn shown(kind: &KindDef, key: &str, fields: &serde_json::Map<String, serde_json::Value>) -> String {
    let Some(json) = fields.get(key) else {
        return String::new();
    };
    if let serde_json::Value::Array(items) = json {
        return items
            .iter()
            .map(|i| match i {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => o
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map_or_else(|| i.to_string(), str::to_string),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、");
    }
    match kind.field(key).map(|f| Value::from_json(f, json)) {
        Some(Ok(Some(v))) => v.display(),
        Some(Ok(None)) => String::new(),
        _ => json
            .as_str()
            .map_or_else(|| json.to_string(), str::to_string),
    }
}

/// 一, 二, … 九十九: the numbers of the sections.
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n > 10 { DIGITS[n - 10] } else { "" }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n % 10 > 0 { DIGITS[n % 10] } else { "" }
        ),
        _ => n.to_string(),
    }
}

/// The document's writer: paragraphs and tables into `word/document.xml`.
struct Writer<'a> {
    out: String,
    fonts: &'a DocxFonts,
}

impl Writer<'_> {
    fn paragraph(&mut self, style: &str, text: &str, centred: bool) {
        let (font, size) = match style {
            "Title" => (&self.fonts.title, docx::TITLE_SIZE),
            "Heading1" => (&self.fonts.heading1, docx::BODY_SIZE),
            "Heading2" => (&self.fonts.heading2, docx::BODY_SIZE),
            _ => (&self.fonts.body, docx::BODY_SIZE),
        };
        let align = if centred {
            "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/>"
        } else {
            ""
        };
        self.out.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{align}</w:pPr>"
        ));
        run(
            &mut self.out,
            text,
            &run_fonts(&self.fonts.latin, &font.name),
            size,
            false,
        );
        self.out.push_str("</w:p>\n");
    }

    fn page_break(&mut self) {
        self.out
            .push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>\n");
    }

    /// A table with a header row repeated on every page; cells in 五号 body font, single
    /// lines; each column as wide as its longest text asks, within bounds.
    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let weights: Vec<u32> = (0..header.len())
            .map(|c| {
                std::iter::once(header)
                    .chain(rows.iter().map(Vec::as_slice))
                    .filter_map(|r| r.get(c))
                    .map(|t| t.chars().count() as u32)
                    .max()
                    .unwrap_or(1)
                    .clamp(3, 16)
            })
            .collect();
        let total: u32 = weights.iter().sum::<u32>().max(1);
        let widths: Vec<u32> = weights.iter().map(|w| TEXT_WIDTH * w / total).collect();
        let border = "w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"";
        self.out.push_str(&format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>"
        ));
        for w in &widths {
            self.out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
        }
        self.out.push_str("</w:tblGrid>\n");
        self.row(header, &widths, true);
        for r in rows {
            self.row(r, &widths, false);
        }
        self.out.push_str("</w:tbl>\n");
        // Word needs a paragraph between two tables and after the last one.
        self.out.push_str("<w:p/>\n");
    }

    fn row(&mut self, cells: &[String], widths: &[u32], header: bool) {
        self.out.push_str("<w:tr>");
        if header {
            self.out
                .push_str("<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
        } else {
            self.out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
        }
        let fonts = run_fonts(&self.fonts.latin, &self.fonts.body.name);
        for (text, width) in cells.iter().zip(widths) {
            self.out.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr><w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"300\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/></w:pPr>"
            ));
            run(&mut self.out, text, &fonts, TABLE_SIZE, header);
            self.out.push_str("</w:p></w:tc>");
        }
        self.out.push_str("</w:tr>\n");
    }
}

/// The body: cover, contents, one section per ledger, the meetings' records, the grid.
fn document_xml(book: &Book<'_>) -> String {
    let mut w = Writer {
        out: String::new(),
        fonts: book.fonts,
    };
    // Sections, numbered as the contents lists them.
    let meetings: Vec<&RecordView> = book
        .ledgers
        .iter()
        .filter(|(k, _)| k.id == "meeting")
        .flat_map(|(_, r)| r.iter())
        .collect();
    let mut sections: Vec<String> = book
        .ledgers
        .iter()
        .map(|(k, r)| format!("{}（{} 条）", k.sheet, r.len()))
        .collect();
    sections.push(format!("会议记录（{} 次）", meetings.len()));
    sections.push("三会一课检查表".to_string());
    let numbered: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}、{s}", chinese_number(i + 1)))
        .collect();

    // The cover.
    for _ in 0..4 {
        w.out.push_str("<w:p/>\n");
    }
    w.paragraph("Title", book.park, true);
    w.paragraph("Title", &format!("{}年度台账汇编", book.year), true);
    w.out.push_str("<w:p/>\n");
    w.paragraph("Normal", book.scope_name, true);
    w.paragraph("Normal", &format!("编制日期：{}", book.today), true);
    w.page_break();

    // The contents.
    w.paragraph("Title", "目  录", true);
    for s in &numbered {
        w.paragraph("Normal", s, false);
    }
    w.page_break();

    // Each ledger as a table in date order.
    for (i, (kind, records)) in book.ledgers.iter().enumerate() {
        w.paragraph("Heading1", &numbered[i], false);
        if records.is_empty() {
            w.paragraph("Normal", "本年度无记录。", false);
            continue;
        }
        let mut header = vec!["序号".to_string()];
        header.extend(kind.fields.iter().map(|f| f.label.clone()));
        let rows: Vec<Vec<String>> = records
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let mut row = vec![(n + 1).to_string()];
                row.extend(kind.fields.iter().map(|f| shown(kind, &f.key, &r.fields)));
                row
            })
            .collect();
        w.table(&header, &rows);
    }

    // Each meeting's record: every field it has.
    let at = book.ledgers.len();
    w.page_break();
    w.paragraph("Heading1", &numbered[at], false);
    if meetings.is_empty() {
        w.paragraph("Normal", "本年度无会议记录。", false);
    }
    if let Some((kind, _)) = book.ledgers.iter().find(|(k, _)| k.id == "meeting") {
        for (n, m) in meetings.iter().enumerate() {
            w.paragraph(
                "Heading2",
                &format!("（{}）{} {}", chinese_number(n + 1), m.date, m.title),
                false,
            );
            let rows: Vec<Vec<String>> = kind
                .fields
                .iter()
                .map(|f| (f.label.clone(), shown(kind, &f.key, &m.fields)))
                .filter(|(_, v)| !v.is_empty())
                .map(|(l, v)| vec![l, v])
                .collect();
            w.table(&["项目".to_string(), "内容".to_string()], &rows);
        }
    }

    // The 三会一课 grid of the year.
    w.page_break();
    w.paragraph("Heading1", &numbered[at + 1], false);
    w.paragraph(
        "Normal",
        &format!(
            "截至 {}。{}；√ 已召开，× 未召开，－ 未到期；季度要求的会议在季度末月显示是否缺失。",
            book.grid.as_of,
            book.grid
                .key
                .iter()
                .map(|(s, t)| format!("{s} = {t}"))
                .collect::<Vec<_>>()
                .join("，")
        ),
        false,
    );
    let mut header = vec!["单位".to_string()];
    header.extend((1..=12).map(|m| format!("{m}月")));
    let rows: Vec<Vec<String>> = book
        .grid
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.unit.clone()];
            row.extend(r.months.iter().map(|marks| {
                marks
                    .iter()
                    .map(|m| {
                        let sign = match m.status {
                            crate::rules::grid::Status::Held => "√",
                            crate::rules::grid::Status::Missed => "×",
                            crate::rules::grid::Status::NotDue => "－",
                        };
                        format!("{}{sign}", m.short)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }));
            row
        })
        .collect();
    if rows.is_empty() {
        w.paragraph("Normal", "没有须按月、按季度召开会议的单位。", false);
    } else {
        w.table(&header, &rows);
    }

    let mut doc = String::from(docx::XML_DECL);
    doc.push_str(&format!(
        "<w:document xmlns:w=\"{}\" xmlns:r=\"{}\"><w:body>\n",
        docx::NS_W,
        docx::NS_R
    ));
    doc.push_str(&w.out);
    doc.push_str(&format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
<w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
<w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"{}\" w:footer=\"{}\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/><w:docGrid w:type=\"lines\" w:linePitch=\"{}\"/></w:sectPr>\n",
        docx::PAGE_WIDTH,
        docx::PAGE_HEIGHT,
        docx::MARGIN_TOP,
        docx::MARGIN_RIGHT,
        docx::MARGIN_BOTTOM,
        docx::MARGIN_LEFT,
        docx::HEADER_DISTANCE,
        docx::FOOTER_DISTANCE,
        docx::LINE_PITCH,
    ));
    doc.push_str("</w:body></w:document>\n");
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_numbered_in_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(16), "十六");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(23), "二十三");
    }
}
