//! Limits against hostile files, checked before any parser sees the bytes.
//!
//! A workbook is a zip archive (xlsx, xlsb, ods) or an OLE file (xls). The zip check reads only the
//! central directory: the zip crate then holds every entry to its declared size when calamine
//! decompresses it, so a declared size that lies ends in an error, not in gigabytes of output. Row
//! and cell limits are enforced while cells stream in (see `read`), never after a grid is built.

use std::io::Cursor;

use super::ExcelError;

/// The largest file accepted, compressed.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// The largest total of the declared uncompressed sizes of a zip-based workbook.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 500 * 1024 * 1024;
/// The highest compression ratio of one entry; real sheets stay far below it.
pub const MAX_RATIO: u64 = 200;
/// Entries smaller than this are not ratio-checked: they cannot hurt, and tiny XML parts
/// (an empty `sharedStrings.xml`) compress to a few bytes at odd ratios.
const RATIO_FLOOR_BYTES: u64 = 1024 * 1024;
/// The most non-empty rows of all imported sheets together.
pub const MAX_ROWS: usize = 1_000_000;
/// The most non-empty cells of all imported sheets together.
pub const MAX_CELLS: usize = 30_000_000;

/// What a zip-based workbook turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZipFormat {
    Xlsx,
    Xlsb,
    Ods,
}

pub(crate) fn check_size(len: u64) -> Result<(), ExcelError> {
    if len > MAX_FILE_BYTES {
        return Err(ExcelError::TooLarge {
            size: len,
            max: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// Reads the zip central directory only: refuses a zip bomb and tells which workbook format the
/// archive holds. Time and memory are bounded by the number of entries, not their contents.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<ZipFormat, ExcelError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    let mut total: u64 = 0;
    let mut format = None;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| not_a_workbook())?;
        let size = entry.size();
        let compressed = entry.compressed_size();
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        total = total.saturating_add(size);
        if total > MAX_UNCOMPRESSED_BYTES {
            return Err(ExcelError::Uncompressed {
                declared: total,
                max: MAX_UNCOMPRESSED_BYTES,
            });
        }
        if size > RATIO_FLOOR_BYTES && size > compressed.saturating_mul(MAX_RATIO) {
            return Err(ExcelError::CompressionRatio {
                entry: name,
                ratio: size / compressed.max(1),
                max: MAX_RATIO,
            });
        }
        match name.as_str() {
            "xl/workbook.xml" => format = Some(ZipFormat::Xlsx),
            "xl/workbook.bin" => format = Some(ZipFormat::Xlsb),
            "content.xml" if format.is_none() => format = Some(ZipFormat::Ods),
            _ => {}
        }
    }
    format.ok_or_else(not_a_workbook)
}

fn not_a_workbook() -> ExcelError {
    ExcelError::NotAWorkbook { detail: None }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in entries {
                w.start_file(*name, options).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn formats_are_told_apart_by_their_parts() {
        let xlsx = zip_with(&[("xl/workbook.xml", b"<workbook/>")]);
        assert_eq!(check_zip(&xlsx).unwrap(), ZipFormat::Xlsx);
        let ods = zip_with(&[("mimetype", b"x"), ("content.xml", b"<x/>")]);
        assert_eq!(check_zip(&ods).unwrap(), ZipFormat::Ods);
        let other = zip_with(&[("readme.txt", b"hello")]);
        assert!(matches!(
            check_zip(&other),
            Err(ExcelError::NotAWorkbook { .. })
        ));
        assert!(matches!(
            check_zip(b"not a zip at all"),
            Err(ExcelError::NotAWorkbook { .. })
        ));
    }

    #[test]
    fn a_highly_compressible_entry_is_refused() {
        let zeros = vec![0u8; 8 * 1024 * 1024];
        let bomb = zip_with(&[("xl/workbook.xml", b"<workbook/>"), ("xl/big.xml", &zeros)]);
        let err = check_zip(&bomb).unwrap_err();
        assert!(matches!(err, ExcelError::CompressionRatio { .. }), "{err}");
        assert!(err.to_string().contains("压缩炸弹"));
    }

    #[test]
    fn size_limit() {
        assert!(check_size(MAX_FILE_BYTES).is_ok());
        let err = check_size(MAX_FILE_BYTES + 1).unwrap_err();
        assert!(err.to_string().starts_with("文件过大：50.0 MB"), "{err}");
    }
}
