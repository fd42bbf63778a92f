//! Property tests of the three readers of untrusted input: the value parser, the workbook
//! reader (random bytes, a real small workbook with bytes mutated, zip files with random
//! entries) and template rendering in the locked-down environment. Whatever they are given,
//! they answer `Ok` or `Err`, never a panic. A fixed number of cases each (`PROPTEST_CASES`
//! overrides it), so they run inside `cargo test` in seconds.

use proptest::prelude::*;

use crate::ledger::catalogue::{FieldDef, FieldType};
use crate::ledger::value::{parse, Raw};

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const TYPES: [FieldType; 12] = [
    FieldType::Text,
    FieldType::Longtext,
    FieldType::Integer,
    FieldType::Decimal,
    FieldType::Date,
    FieldType::Bool,
    FieldType::Choice,
    FieldType::Unit,
    FieldType::Enterprise,
    FieldType::Person,
    FieldType::People,
    FieldType::Absences,
];

fn field(field_type: FieldType, required: bool, scale: Option<u32>) -> FieldDef {
    FieldDef {
        key: "f".to_owned(),
        label: "金额（万元）".to_owned(),
        field_type,
        required,
        choices: vec!["支部党员大会".to_owned(), "党课".to_owned()],
        default: None,
        scale,
        aliases: Vec::new(),
        set_by: Vec::new(),
    }
}

/// Text as people type it into forms and cells: digits, separators, Chinese units and dates,
/// full-width forms, control characters, anything.
fn typed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9０-９.,，．、 万亿元年月日号/\\-+eE%％]{0,24}",
        "\\PC{0,40}",
        any::<String>(),
    ]
}

fn raw_value() -> impl Strategy<Value = (Option<String>, f64, bool, i64)> {
    (
        proptest::option::of(typed_text()),
        any::<f64>(),
        any::<bool>(),
        any::<i64>(),
    )
}

/// A small real workbook, as rust_xlsxwriter writes it.
fn small_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let _ = sheet.set_name("会议");
    for (col, head) in ["日期", "会议类型", "名称", "人数"].iter().enumerate() {
        let _ = sheet.write_string(0, col as u16, *head);
    }
    for row in 1..6u32 {
        let _ = sheet.write_string(row, 0, "2024-03-01");
        let _ = sheet.write_string(row, 1, "党课");
        let _ = sheet.write_string(row, 2, format!("第{row}次"));
        let _ = sheet.write_number(row, 3, f64::from(row) * 3.0);
    }
    book.save_to_buffer().unwrap_or_default()
}

/// A zip file of the given entries (stored, no compression), as a hostile upload might be.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, body) in entries {
            if zip.start_file(name.as_str(), options).is_ok() {
                let _ = zip.write_all(body);
            }
        }
        let _ = zip.finish();
    }
    out.into_inner()
}

fn read_any(bytes: &[u8], name: &str) {
    // Ok or Err; a panic fails the property (the reader's own guard is not relied upon).
    let _ = crate::excel::read_sheet(bytes, name, "会议");
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_value_parser_answers_every_input_without_panicking(
        type_index in 0..TYPES.len(),
        required in any::<bool>(),
        scale in proptest::option::of(0u32..6),
        (text, number, flag, seconds) in raw_value(),
        which in 0..5u8,
    ) {
        let field = field(TYPES[type_index], required, scale);
        let datetime = chrono::DateTime::from_timestamp(seconds % 10_000_000_000, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        let raw = match (which, text.as_deref()) {
            (0, _) => Raw::Empty,
            (1, Some(t)) => Raw::Text(t),
            (1, None) | (2, _) => Raw::Number(number),
            (3, _) => Raw::Bool(flag),
            _ => Raw::DateTime(datetime),
        };
        let _ = parse(&field, raw);
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn the_workbook_reader_refuses_random_bytes_cleanly(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        name_index in 0..5usize,
    ) {
        let name = ["a.xlsx", "a.xlsb", "a.xls", "a.ods", "a.csv"][name_index];
        read_any(&bytes, name);
    }

    #[test]
    fn the_workbook_reader_survives_a_real_workbook_with_bytes_mutated(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = small_xlsx();
        prop_assume!(!bytes.is_empty());
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            let keep = cut.index(bytes.len());
            bytes.truncate(keep);
        }
        read_any(&bytes, "a.xlsx");
    }

    #[test]
    fn the_workbook_reader_survives_zip_entries_with_random_content(
        bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..512), 1..4),
        text in "\\PC{0,200}",
    ) {
        // The entries a reader looks for, holding noise or almost-XML.
        let names = ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "content.xml"];
        let mut entries: Vec<(String, Vec<u8>)> = names
            .iter()
            .zip(bodies.iter().cycle())
            .map(|(n, b)| ((*n).to_string(), b.clone()))
            .collect();
        entries.push((
            "xl/worksheets/sheet2.xml".into(),
            format!("<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>{text}</v></c></row></sheetData></worksheet>").into_bytes(),
        ));
        let bytes = zip_of(&entries);
        read_any(&bytes, "a.xlsx");
        read_any(&bytes, "a.ods");
    }
}

/// A year's report data: every default metric, valued 7.
fn report_data() -> crate::report::ReportData {
    crate::report::sample_data("示例园区", 7, None)
}

/// Template text: Jinja's own pieces mixed with anything.
fn template_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{{ ".to_string()),
        Just(" }}".to_string()),
        Just("{% ".to_string()),
        Just(" %}".to_string()),
        Just("{# ".to_string()),
        Just("for x in range(3)".to_string()),
        Just("endfor".to_string()),
        Just("if year > 2000".to_string()),
        Just("endif".to_string()),
        Just("m.".to_string()),
        Just("park".to_string()),
        Just("|join(',')".to_string()),
        Just(" ~ ".to_string()),
        Just("set ns = namespace(s='x')".to_string()),
        Just("macro f(a)".to_string()),
        Just("endmacro".to_string()),
        Just("\n".to_string()),
        "\\PC{0,12}",
    ];
    proptest::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn template_rendering_answers_any_text_without_panicking(source in template_text()) {
        let data = report_data();
        let template = crate::report::render::ReportTemplate::new("随机.md.j2", source);
        let _ = crate::report::render::render_template(&data, &template, false);
    }
}
