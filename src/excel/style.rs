//! The look shared by exported workbooks and templates: the header row, date cells and column
//! widths that fit Chinese text.

use rust_xlsxwriter::{Color, Format, FormatBorder, Worksheet};

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
}
