//! A minimal BIFF12 (.xlsb) writer for tests: no free program writes the format, and a binary
//! workbook may not be kept in the repository, so the test builds one.
//!
//! It writes only what calamine's reader needs (`calamine::xlsb`): a workbook part naming the
//! sheets through its relationships, the shared strings, the cell formats (one for dates), and
//! each sheet's dimension and data records. `[Content_Types].xml` and `_rels/.rels` make it a
//! package Excel recognises; calamine does not read them.
//!
//! A record is its type and its length, each as a little-endian base-128 number (7 bits a byte,
//! the high bit set on every byte but the last), then the body (MS-XLSB 2.1.4).

use std::io::{Cursor, Write};

/// A cell of a sheet.
pub enum Cell {
    /// Text, stored in the shared strings (`BrtCellIsst`), as Excel stores it.
    Text(&'static str),
    /// Text stored in the cell itself (`BrtCellSt`), as some writers do.
    Inline(&'static str),
    /// A number (`BrtCellReal`).
    Number(f64),
    /// A date: its Excel serial in a cell with the built-in date format 14 (`m/d/yyyy`).
    Date(u16, u8, u8),
}

/// A workbook of the named sheets, each a list of rows.
pub fn workbook(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Vec<u8> {
    let mut strings: Vec<&str> = Vec::new();
    let mut parts = vec![
        (
            "[Content_Types].xml",
            content_types(sheets.len()).into_bytes(),
        ),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        ("xl/workbook.bin", workbook_bin(sheets)),
        (
            "xl/_rels/workbook.bin.rels",
            workbook_rels(sheets.len()).into_bytes(),
        ),
        ("xl/styles.bin", styles_bin()),
    ];
    let sheet_parts: Vec<(String, Vec<u8>)> = sheets
        .iter()
        .enumerate()
        .map(|(i, (_, rows))| {
            (
                format!("xl/worksheets/sheet{}.bin", i + 1),
                sheet_bin(rows, &mut strings),
            )
        })
        .collect();
    parts.push(("xl/sharedStrings.bin", shared_strings_bin(&strings)));

    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    let all = parts
        .iter()
        .map(|(n, b)| (*n, b))
        .chain(sheet_parts.iter().map(|(n, b)| (n.as_str(), b)));
    for (name, bytes) in all {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip finish");
    out.into_inner()
}

// Record types (MS-XLSB 2.3.2).
const ROW_HDR: u16 = 0x0000;
const CELL_REAL: u16 = 0x0005;
const CELL_ST: u16 = 0x0006;
const CELL_ISST: u16 = 0x0007;
const SST_ITEM: u16 = 0x0013;
const XF: u16 = 0x002F;
const BEGIN_SHEET: u16 = 0x0081;
const BEGIN_BOOK: u16 = 0x0083;
const END_BOOK: u16 = 0x0084;
const END_BUNDLE_SHS: u16 = 0x0090;
const BEGIN_SHEET_DATA: u16 = 0x0091;
const END_SHEET_DATA: u16 = 0x0092;
const WS_DIM: u16 = 0x0094;
const BUNDLE_SH: u16 = 0x009C;
const CALC_PROP: u16 = 0x009D;
const BEGIN_SST: u16 = 0x009F;
const BEGIN_CELL_XFS: u16 = 0x0269;

/// The style index of date cells: the second cell format.
const DATE_STYLE: u32 = 1;

fn record(out: &mut Vec<u8>, typ: u16, body: &[u8]) {
    let mut typ = u32::from(typ);
    loop {
        let low = (typ & 0x7F) as u8;
        typ >>= 7;
        out.push(if typ > 0 { low | 0x80 } else { low });
        if typ == 0 {
            break;
        }
    }
    let mut len = body.len();
    loop {
        let low = (len & 0x7F) as u8;
        len >>= 7;
        out.push(if len > 0 { low | 0x80 } else { low });
        if len == 0 {
            break;
        }
    }
    out.extend_from_slice(body);
}

/// `XLWideString`: a character count, then UTF-16LE.
fn wide(out: &mut Vec<u8>, s: &str) {
    let units: Vec<u16> = s.encode_utf16().collect();
    out.extend_from_slice(&(units.len() as u32).to_le_bytes());
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

fn workbook_bin(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, BEGIN_BOOK, &[]);
    for (i, (name, _)) in sheets.iter().enumerate() {
        // hsState (visible), iTabID, strRelID, strName.
        let mut body = Vec::new();
        body.extend_from_slice(&0u32.to_le_bytes());
        body.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        wide(&mut body, &format!("rId{}", i + 1));
        wide(&mut body, name);
        record(&mut out, BUNDLE_SH, &body);
    }
    record(&mut out, END_BUNDLE_SHS, &[]);
    // calamine reads defined names until a record that follows them, such as this one.
    record(&mut out, CALC_PROP, &[0; 26]);
    record(&mut out, END_BOOK, &[]);
    out
}

fn styles_bin() -> Vec<u8> {
    let mut out = Vec::new();
    // Two cell formats: General (0) and the built-in date format 14.
    record(&mut out, BEGIN_CELL_XFS, &2u32.to_le_bytes());
    for number_format in [0u16, 14] {
        // ixfeParent, iFmt, then font, fill, border, alignment and flags left zero.
        let mut body = vec![0u8; 16];
        body[0..2].copy_from_slice(&0xFFFFu16.to_le_bytes());
        body[2..4].copy_from_slice(&number_format.to_le_bytes());
        record(&mut out, XF, &body);
    }
    out
}

fn shared_strings_bin(strings: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    let count = (strings.len() as u32).to_le_bytes();
    // cstTotal, cstUnique.
    record(&mut out, BEGIN_SST, &[count, count].concat());
    for s in strings {
        // A plain rich string: no formatting runs, no phonetic text.
        let mut body = vec![0u8];
        wide(&mut body, s);
        record(&mut out, SST_ITEM, &body);
    }
    out
}

fn sheet_bin(rows: &[Vec<Cell>], strings: &mut Vec<&'static str>) -> Vec<u8> {
    let mut out = Vec::new();
    record(&mut out, BEGIN_SHEET, &[]);
    let last_row = rows.len().saturating_sub(1) as u32;
    let last_col = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(1)
        .saturating_sub(1) as u32;
    // rwFirst, rwLast, colFirst, colLast.
    let dim = [0u32, last_row, 0, last_col];
    record(&mut out, WS_DIM, &dim.map(u32::to_le_bytes).concat());
    record(&mut out, BEGIN_SHEET_DATA, &[]);
    for (r, row) in rows.iter().enumerate() {
        // The row number; height and the rest left zero.
        let mut header = (r as u32).to_le_bytes().to_vec();
        header.resize(17, 0);
        record(&mut out, ROW_HDR, &header);
        for (c, cell) in row.iter().enumerate() {
            // Cell: the column, then a 24-bit style index and a byte of flags.
            let style = match cell {
                Cell::Date(..) => DATE_STYLE,
                _ => 0,
            };
            let mut body = (c as u32).to_le_bytes().to_vec();
            body.extend_from_slice(&style.to_le_bytes());
            let typ = match cell {
                Cell::Text(s) => {
                    let index = strings.iter().position(|t| t == s).unwrap_or_else(|| {
                        strings.push(s);
                        strings.len() - 1
                    });
                    body.extend_from_slice(&(index as u32).to_le_bytes());
                    CELL_ISST
                }
                Cell::Inline(s) => {
                    wide(&mut body, s);
                    CELL_ST
                }
                Cell::Number(x) => {
                    body.extend_from_slice(&x.to_le_bytes());
                    CELL_REAL
                }
                Cell::Date(y, m, d) => {
                    body.extend_from_slice(&excel_serial(*y, *m, *d).to_le_bytes());
                    CELL_REAL
                }
            };
            record(&mut out, typ, &body);
        }
    }
    record(&mut out, END_SHEET_DATA, &[]);
    out
}

/// Days since 1899-12-30, the serial of the 1900 date system for any date after February 1900.
fn excel_serial(y: u16, m: u8, d: u8) -> f64 {
    let day = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
        .expect("a valid date");
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("epoch");
    (day - epoch).num_days() as f64
}

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;

fn content_types(sheets: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    );
    for i in 1..=sheets {
        xml.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>"#
        ));
    }
    xml.push_str(r#"<Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/><Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/></Types>"#);
    xml
}

fn workbook_rels(sheets: usize) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=sheets {
        xml.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.bin"/>"#
        ));
    }
    xml.push_str("</Relationships>");
    xml
}
