//! Reading a file's bytes into sparse grids, within the limits of [`super::limits`].
//!
//! The format is told from the bytes, never from the file name alone (a CSV renamed `.xlsx` is not a
//! workbook). calamine has been seen to panic on fuzzed files, so every parse runs inside
//! `catch_unwind` and a panic becomes a refused file; callers run this off the async runtime.
//!
//! Rows are handed to a [`Sink`] as soon as they are complete, so that checking (and writing) a
//! large sheet overlaps with reading it; the sink also receives each finished sheet's grid.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx};

use super::cells::{SheetCell, SheetCells, SheetRow};
use super::error::DAMAGED;
use super::limits::{self, ZipFormat, MAX_CELLS, MAX_ROWS};
use super::ExcelError;

/// The file formats import understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

/// What the reader feeds: the sheets to read, their rows as they complete, the finished grids.
pub(crate) trait Sink {
    /// Given every sheet name of the file, the names to read, in the order to read them.
    fn choose(&mut self, names: Vec<String>) -> Vec<String>;
    /// A sheet starts; returns whether to keep all its cells for [`Sink::end`]. Not keeping them
    /// holds one row in memory at a time, however long the sheet.
    fn begin(&mut self, sheet: &str) -> bool;
    /// A complete row of the sheet begun last; rows arrive in ascending order.
    fn row(&mut self, row: SheetRow<'_>);
    /// The sheet is read: its cells if they were kept, else an empty grid with its name.
    fn end(&mut self, grid: SheetCells);
}

/// Keeps every cell of the sheets named, for the error workbook.
pub(crate) struct KeepAll {
    pub names: Vec<String>,
    pub sheets: Vec<SheetCells>,
}

impl Sink for KeepAll {
    fn choose(&mut self, names: Vec<String>) -> Vec<String> {
        // In the order given, which is the order the checker read them in.
        self.names
            .iter()
            .filter(|n| names.contains(n))
            .cloned()
            .collect()
    }

    fn begin(&mut self, _: &str) -> bool {
        true
    }

    fn row(&mut self, _: SheetRow<'_>) {}

    fn end(&mut self, grid: SheetCells) {
        self.sheets.push(grid);
    }
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Tells the format from the bytes (and, for text, the `.csv` extension), checking the limits
/// that can be checked without parsing.
pub(crate) fn detect(bytes: &[u8], file_name: &str) -> Result<Format, ExcelError> {
    limits::check_size(bytes.len() as u64)?;
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(match limits::check_zip(bytes)? {
            ZipFormat::Xlsx => Format::Xlsx,
            ZipFormat::Xlsb => Format::Xlsb,
            ZipFormat::Ods => Format::Ods,
        });
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(Format::Xls);
    }
    let is_csv = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    if is_csv {
        return Ok(Format::Csv);
    }
    Err(ExcelError::NotAWorkbook { detail: None })
}

/// Reads the sheets the sink chooses; a CSV file is one sheet named `csv_sheet`.
pub(crate) fn read_book(
    bytes: &[u8],
    format: Format,
    csv_sheet: &str,
    sink: &mut dyn Sink,
) -> Result<(), ExcelError> {
    let mut budget = Budget::default();
    let parsed = catch_unwind(AssertUnwindSafe(|| match format {
        Format::Xlsx => read_xlsx(bytes, sink, &mut budget),
        Format::Xlsb => read_xlsb(bytes, sink, &mut budget),
        Format::Xls => {
            let wb: Xls<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(damaged)?;
            read_dense(wb, sink, &mut budget)
        }
        Format::Ods => {
            let wb: Ods<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(damaged)?;
            read_dense(wb, sink, &mut budget)
        }
        Format::Csv => read_csv(bytes, csv_sheet, sink, &mut budget),
    }));
    parsed.unwrap_or_else(|_| Err(damaged("parser panicked")))
}

/// Rows and cells read so far, across all sheets.
#[derive(Default)]
struct Budget {
    rows: usize,
    cells: usize,
}

impl Budget {
    fn row(&mut self) -> Result<(), ExcelError> {
        self.rows += 1;
        if self.rows > MAX_ROWS {
            return Err(ExcelError::TooManyRows { max: MAX_ROWS });
        }
        Ok(())
    }

    fn cell(&mut self) -> Result<(), ExcelError> {
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(ExcelError::TooManyCells { max: MAX_CELLS });
        }
        Ok(())
    }
}

/// Collects one sheet's cells as they stream in, counting rows and cells against the budget and
/// handing each completed row to the sink.
struct Collector<'b, 's> {
    budget: &'b mut Budget,
    sink: &'s mut dyn Sink,
    name: String,
    /// Every cell when kept, else the row being filled.
    cells: Vec<SheetCell>,
    keep: bool,
    /// Where the row being filled starts in `cells`.
    row_start: usize,
    last_row: Option<u32>,
}

impl<'b, 's> Collector<'b, 's> {
    fn new(name: String, budget: &'b mut Budget, sink: &'s mut dyn Sink) -> Self {
        let keep = sink.begin(&name);
        Collector {
            budget,
            sink,
            name,
            cells: Vec::new(),
            keep,
            row_start: 0,
            last_row: None,
        }
    }

    fn push(&mut self, (row, col): (u32, u32), value: Data) -> Result<(), ExcelError> {
        if matches!(value, Data::Empty) {
            return Ok(());
        }
        let current = self.last_row;
        if current != Some(row) {
            if current.is_some_and(|r| row < r) {
                // Every spreadsheet program writes rows in order; a file that does not was made
                // by hand, and a row already checked could otherwise gain cells afterwards.
                return Err(ExcelError::RowsOutOfOrder {
                    sheet: self.name.clone(),
                });
            }
            self.flush_row();
            self.budget.row()?;
            self.last_row = Some(row);
        }
        self.budget.cell()?;
        self.cells.push(SheetCell { row, col, value });
        Ok(())
    }

    fn flush_row(&mut self) {
        if let Some(first) = self.cells.get(self.row_start) {
            let index = first.row;
            self.sink.row(SheetRow {
                index,
                cells: &self.cells[self.row_start..],
            });
        }
        if !self.keep {
            // The buffer keeps its capacity: one allocation serves the whole sheet.
            self.cells.clear();
        }
        self.row_start = self.cells.len();
    }

    fn finish(mut self) {
        self.flush_row();
        let grid = SheetCells::new(
            std::mem::take(&mut self.name),
            std::mem::take(&mut self.cells),
        );
        self.sink.end(grid);
    }
}

fn damaged<E>(_cause: E) -> ExcelError {
    // The parser's own wording is English and technical; the user is told the file is damaged.
    ExcelError::NotAWorkbook {
        detail: Some(DAMAGED.to_owned()),
    }
}

fn read_xlsx(bytes: &[u8], sink: &mut dyn Sink, budget: &mut Budget) -> Result<(), ExcelError> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(damaged)?;
    for name in sink.choose(wb.sheet_names()) {
        let mut reader = match wb.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            // A chart sheet or a macro sheet carries no cells: it reads as an empty sheet.
            Err(calamine::XlsxError::NotAWorksheet(_)) => {
                Collector::new(name, budget, sink).finish();
                continue;
            }
            Err(e) => return Err(damaged(e)),
        };
        let mut sheet = Collector::new(name, budget, sink);
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            sheet.push(cell.get_position(), cell.get_value().clone().into())?;
        }
        sheet.finish();
    }
    Ok(())
}

fn read_xlsb(bytes: &[u8], sink: &mut dyn Sink, budget: &mut Budget) -> Result<(), ExcelError> {
    let mut wb: Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(damaged)?;
    for name in sink.choose(wb.sheet_names()) {
        let mut reader = wb.worksheet_cells_reader(&name).map_err(damaged)?;
        let mut sheet = Collector::new(name, budget, sink);
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            sheet.push(cell.get_position(), cell.get_value().clone().into())?;
        }
        sheet.finish();
    }
    Ok(())
}

/// The formats calamine only reads into a dense range (xls parses every sheet when it opens; ods
/// expands repeated cells): the row limit is checked on the range, then it is made sparse.
fn read_dense<RS, R>(mut wb: R, sink: &mut dyn Sink, budget: &mut Budget) -> Result<(), ExcelError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    for name in sink.choose(wb.sheet_names()) {
        let range = wb.worksheet_range(&name).map_err(damaged)?;
        if range.height() > MAX_ROWS {
            return Err(ExcelError::TooManyRows { max: MAX_ROWS });
        }
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut sheet = Collector::new(name, budget, sink);
        // Row-major, so rows complete in order.
        for (r, c, value) in range.used_cells() {
            // Positions inside a range fit in u32: the range itself was addressed by u32.
            let at = (row0 + r as u32, col0 + c as u32);
            sheet.push(at, value.clone())?;
        }
        sheet.finish();
    }
    Ok(())
}

fn read_csv(
    bytes: &[u8],
    sheet: &str,
    sink: &mut dyn Sink,
    budget: &mut Budget,
) -> Result<(), ExcelError> {
    let text = decode_text(bytes)?;
    if text.contains('\0') {
        return Err(ExcelError::NotAWorkbook {
            detail: Some("CSV 文件中含有二进制内容".to_owned()),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(&text))
        .from_reader(text.as_bytes());
    let Some(name) = sink.choose(vec![sheet.to_owned()]).into_iter().next() else {
        return Ok(());
    };
    let mut collector = Collector::new(name, budget, sink);
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(damaged("csv")),
        }
        for (col, field) in record.iter().enumerate() {
            if !field.is_empty() {
                let col = u32::try_from(col).map_err(|_| damaged("csv"))?;
                collector.push((row, col), Data::String(field.to_owned()))?;
            }
        }
        row = row.checked_add(1).ok_or_else(|| damaged("csv"))?;
    }
    collector.finish();
    Ok(())
}

/// UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), or GBK/GB 18030 as Chinese
/// Excel saves CSV by default.
fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>, ExcelError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| ExcelError::CsvEncoding);
    }
    for (bom, encoding) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .ok_or(ExcelError::CsvEncoding);
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ExcelError::CsvEncoding)
}

/// The separator of the first line: a comma unless tabs or semicolons are clearly meant.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let count = |c: char| first.matches(c).count();
    let (commas, tabs, semicolons) = (count(','), count('\t'), count(';'));
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_encodings() {
        let gbk = encoding_rs::GBK
            .encode("日期,会议类型\n2024-03-05,党课\n")
            .0;
        assert_eq!(
            decode_text(&gbk).unwrap(),
            "日期,会议类型\n2024-03-05,党课\n"
        );
        assert_eq!(decode_text("\u{FEFF}日期".as_bytes()).unwrap(), "日期");
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "日期\t名称".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        assert_eq!(decode_text(&utf16).unwrap(), "日期\t名称");
        assert_eq!(delimiter("日期\t名称\t备注"), b'\t');
        assert_eq!(delimiter("日期,名称"), b',');
    }

    #[test]
    fn unknown_bytes_are_not_a_workbook() {
        let err = detect(&[7u8; 64], "x.xlsx").unwrap_err();
        assert!(matches!(err, ExcelError::NotAWorkbook { .. }));
        assert!(err.to_string().starts_with("不是有效的 Excel 文件"));
        assert_eq!(detect(b"a,b\n", "x.CSV").unwrap(), Format::Csv);
    }

    /// Keeps every sheet and the row numbers seen while reading.
    #[derive(Default)]
    struct Keep {
        rows: Vec<u32>,
        sheets: Vec<SheetCells>,
    }

    impl Sink for Keep {
        fn choose(&mut self, names: Vec<String>) -> Vec<String> {
            names
        }
        fn begin(&mut self, _: &str) -> bool {
            true
        }
        fn row(&mut self, row: SheetRow<'_>) {
            self.rows.push(row.index);
        }
        fn end(&mut self, grid: SheetCells) {
            self.sheets.push(grid);
        }
    }

    #[test]
    fn csv_reads_into_one_sheet() {
        let mut keep = Keep::default();
        read_book(
            "日期,名称\n2024-03-05,党课\n,\n2024-03-06,\"a,b\"\n".as_bytes(),
            Format::Csv,
            "会议台账",
            &mut keep,
        )
        .unwrap();
        assert_eq!(keep.rows, vec![0, 1, 3], "the blank line holds no cell");
        assert_eq!(keep.sheets.len(), 1);
        assert_eq!(keep.sheets[0].name, "会议台账");
        assert_eq!(keep.sheets[0].height(), 3);
        assert!(matches!(keep.sheets[0].get(3, 1), Some(Data::String(s)) if s == "a,b"));
    }
}
