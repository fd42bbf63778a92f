//! Lists the database folds into one text with `string_agg`, so that thousands of records
//! cross from the database as a few rows: `id@YYYY-MM-DD` items separated by commas.

use chrono::NaiveDate;

use super::DbError;

/// The `(id, date)` items of an `id@date,id@date` list, in the list's order; an empty list is
/// none. An item that is not one is a database error naming it, never a silently shorter list.
pub fn id_dates(list: &str) -> Result<Vec<(i64, NaiveDate)>, DbError> {
    let mut items = Vec::new();
    for item in list.split(',').filter(|i| !i.is_empty()) {
        let parsed = item
            .split_once('@')
            .and_then(|(id, on)| Some((id.trim().parse().ok()?, iso_date(on.trim())?)));
        match parsed {
            Some(pair) => items.push(pair),
            None => {
                return Err(DbError::Other(sqlx::Error::Decode(
                    format!("记录列表无法读取：{item}").into(),
                )))
            }
        }
    }
    Ok(items)
}

/// A `YYYY-MM-DD` date as the database lists it. Read digit by digit rather than through
/// chrono's format parser: a year of meetings is tens of thousands of dates, and the general
/// parser was a tenth of what the 工作台 cost.
pub fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        for text in ["2024-01-05", "2024-02-29", "1900-12-31", "2100-06-30"] {
            assert_eq!(
                iso_date(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text}"
            );
        }
        for wrong in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-05",
            "2024/01/05",
            "２０２４-01-05",
            "2024-01-0x",
            "",
            "2024-01-05T",
            "+024-01-05",
        ] {
            assert_eq!(iso_date(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn a_list_reads_in_its_order_and_a_broken_item_is_an_error() {
        let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
        assert_eq!(
            id_dates("7@2024-03-02,5@2024-01-09").unwrap(),
            vec![(7, day(3, 2)), (5, day(1, 9))]
        );
        assert_eq!(id_dates("").unwrap(), Vec::new());
        assert!(id_dates("7@2024-02-30").is_err());
        assert!(id_dates("7-2024-02-03").is_err());
    }
}
