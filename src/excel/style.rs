//! The look shared by exported workbooks and templates: the header row, date cells and column
//! widths that fit Chinese text.

use rust_xlsxwriter::{Color, Format, FormatBorder, Worksheet, XlsxError};

use super::ExcelError;

/// How dates are shown: the spelling import reads back first.
pub(crate) const DATE_FORMAT: &str = "yyyy-mm-dd";

/// Narrowest and widest column, in Excel's character units.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

pub(crate) fn header() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border_bottom(FormatBorder::Thin)
}

/// True when a spreadsheet would turn `text` into a formula once someone edits its cell: the
/// leading characters OWASP lists for CSV injection.
pub(crate) fn reads_as_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Writes text that stays text: a value an edit would turn into a formula gets the cell's quote
/// prefix (the leading apostrophe of Excel and WPS), which shows the value as it is and reads
/// back unchanged on import.
pub(crate) fn write_text<'a>(
    ws: &'a mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: Option<&Format>,
) -> Result<&'a mut Worksheet, XlsxError> {
    match (reads_as_formula(text), format) {
        (false, None) => ws.write_string(row, col, text),
        (false, Some(f)) => ws.write_string_with_format(row, col, text, f),
        (true, f) => {
            let quoted = f.cloned().unwrap_or_default().set_quote_prefix();
            ws.write_string_with_format(row, col, text, &quoted)
        }
    }
}

pub(crate) fn date() -> Format {
    Format::new().set_num_format(DATE_FORMAT)
}

/// How many character cells `text` takes: a CJK or full-width character takes two.
pub(crate) fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// Tracks the widest value of each column and sets the widths at the end.
pub(crate) struct Widths(Vec<usize>);

impl Widths {
    pub fn new(columns: usize) -> Widths {
        Widths(vec![MIN_WIDTH; columns])
    }

    pub fn fit(&mut self, col: usize, text: &str) {
        if let Some(w) = self.0.get_mut(col) {
            // Two cells of padding, so that a value does not touch the border.
            *w = (*w).max(display_width(text) + 2).min(MAX_WIDTH);
        }
    }

    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), ExcelError> {
        for (col, w) in self.0.iter().enumerate() {
            // Column counts come from a kind's fields, far below u16::MAX; widths below 60.
            ws.set_column_width(col as u16, *w as f64)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_cells() {
        assert_eq!(display_width("会议台账"), 8);
        assert_eq!(display_width("2024-03-05"), 10);
        assert_eq!(display_width("ａ１"), 4);
        assert_eq!(display_width("第一行\n长一些的第二行"), 14);
        let mut w = Widths::new(2);
        w.fit(0, &"字".repeat(100));
        w.fit(1, "a");
        assert_eq!(w.0, vec![MAX_WIDTH, MIN_WIDTH]);
    }

    /// What an office types that a spreadsheet would run once the cell is edited keeps the
    /// quote prefix, shows and imports back as typed; plain text gets no prefix.
    #[test]
    fn formula_like_text_is_written_with_the_quote_prefix() {
        use std::io::Read;
        let typed = [
            "=HYPERLINK(\"http://x\",\"点此\")",
            "+86 13812345678",
            "-",
            "@SUM(A1)",
            "普通文字",
        ];
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (row, text) in typed.iter().enumerate() {
            write_text(ws, row as u32, 0, text, None).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut part = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        let styles = part("xl/styles.xml");
        let sheet = part("xl/worksheets/sheet1.xml");
        // The cell styles in order; a cell's s="N" picks the N-th.
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let quoted: Vec<bool> = xfs
            .split("<xf ")
            .skip(1)
            .map(|xf| xf.split('>').next().unwrap().contains("quotePrefix=\"1\""))
            .collect();
        for (row, text) in typed.iter().enumerate() {
            let cell = format!("<c r=\"A{}\"", row + 1);
            let at = sheet.find(&cell).unwrap();
            let tag = sheet[at..].split('>').next().unwrap();
            let style = tag.split(" s=\"").nth(1).map_or(0, |s| {
                s.split('"').next().unwrap().parse::<usize>().unwrap()
            });
            assert_eq!(quoted[style], reads_as_formula(text), "{text}: {tag}");
        }
        assert!(quoted.iter().any(|q| *q), "{styles}");
        // Read back as the import reads it: the same text.
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        for (row, text) in typed.iter().enumerate() {
            assert_eq!(range.get((row, 0)).unwrap().to_string(), *text);
        }
    }
}
