//! The park's calendar: which day "today" is and what a stored instant reads as on the office's
//! clock. One time zone for the whole process, Beijing time (UTC+8, `Asia/Shanghai`) unless the
//! configuration names another, so that a form's default date, the report, the checks and the
//! 工作台 never disagree between midnight and 08:00.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Utc};

/// UTC+8: China Standard Time, without daylight saving since 1991.
const BEIJING_SECONDS: i32 = 8 * 3600;

static ZONE: OnceLock<FixedOffset> = OnceLock::new();

/// The park's time zone (Beijing time until [`set_zone`] names another).
pub fn zone() -> FixedOffset {
    *ZONE.get_or_init(beijing)
}

/// Beijing time, the default zone.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(BEIJING_SECONDS).unwrap_or_else(|| Utc.fix())
}

/// Sets the park's time zone once, at start-up; a second call with another zone is refused.
pub fn set_zone(zone: FixedOffset) -> Result<(), String> {
    let set = *ZONE.get_or_init(|| zone);
    if set == zone {
        Ok(())
    } else {
        Err(format!("时区已设为 {set}，不能再改为 {zone}"))
    }
}

/// Reads a time zone as the configuration writes it: `Asia/Shanghai` (and the other names of
/// China's one zone), `UTC`, or an offset such as `+08:00`, `UTC+8`.
pub fn parse_zone(text: &str) -> Result<FixedOffset, String> {
    let t = text.trim();
    let bad = || format!("无法识别的时区“{t}”：请写 Asia/Shanghai、UTC 或 +08:00 这样的偏移");
    match t {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Hong_Kong" | "Asia/Macau"
        | "Asia/Taipei" | "PRC" | "北京时间" => return Ok(beijing()),
        "UTC" | "Etc/UTC" | "GMT" => return Ok(Utc.fix()),
        _ => {}
    }
    let offset = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    let (sign, rest) = match offset.chars().next() {
        Some('+') => (1, &offset[1..]),
        Some('-') => (-1, &offset[1..]),
        _ => return Err(bad()),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i32 = hours.parse().map_err(|_| bad())?;
    let minutes: i32 = minutes.parse().map_err(|_| bad())?;
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

/// The park's date at the instant `now`.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    local(now).date_naive()
}

/// An instant on the park's clock.
pub fn local(now: DateTime<Utc>) -> DateTime<FixedOffset> {
    now.with_timezone(&zone())
}

/// The years the product knows: the span a ledger date, a report, a check or a plan may have.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A year inside [`YEARS`]: parsed once at the edge (a form, a link, the API, the command line),
/// with one message for a wrong one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Year(i32);

/// Why a text or number is no [`Year`]; the texts are what users read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YearError {
    #[error("“{0}”不是年份，请填写如 2024 的四位年份")]
    NotAYear(String),
    #[error("年份 {0} 超出范围，应在 1900 年至 2100 年之间")]
    OutOfRange(i64),
}

impl Year {
    pub fn new(year: i32) -> Result<Year, YearError> {
        if YEARS.contains(&year) {
            Ok(Year(year))
        } else {
            Err(YearError::OutOfRange(year.into()))
        }
    }

    /// A year as people type it: `2024`, ` 2024 `, `2024年`, full-width digits.
    pub fn parse(text: &str) -> Result<Year, YearError> {
        let t = text.trim();
        let digits: String = t
            .trim_end_matches('年')
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                c => c,
            })
            .collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(YearError::NotAYear(t.to_string()));
        }
        match digits.parse::<i64>() {
            Ok(y) => i32::try_from(y)
                .ok()
                .filter(|y| YEARS.contains(y))
                .map(Year)
                .ok_or(YearError::OutOfRange(y)),
            Err(_) => Err(YearError::NotAYear(t.to_string())),
        }
    }

    /// The year of a date, when it is one the product knows.
    pub fn of(date: NaiveDate) -> Result<Year, YearError> {
        Year::new(date.year())
    }

    pub fn get(self) -> i32 {
        self.0
    }

    /// January 1st.
    pub fn first_day(self) -> NaiveDate {
        // Every year of YEARS has one; the fallback is never taken.
        NaiveDate::from_ymd_opt(self.0, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// December 31st.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 12, 31).unwrap_or(NaiveDate::MAX)
    }

    /// The first and last day.
    pub fn bounds(self) -> (NaiveDate, NaiveDate) {
        (self.first_day(), self.last_day())
    }

    /// The year before, `None` for the first year the product knows.
    pub fn previous(self) -> Option<Year> {
        Year::new(self.0 - 1).ok()
    }

    /// The first and last day of the calendar year before. For 1900 that year (1899) is no
    /// [`Year`], yet the report still reads it for last year's figures: no ledger date falls
    /// in it, but it is a calendar year all the same.
    pub fn previous_bounds(self) -> (NaiveDate, NaiveDate) {
        let first = self.first_day();
        (
            first.with_year(self.0 - 1).unwrap_or(NaiveDate::MIN),
            first.pred_opt().unwrap_or(NaiveDate::MIN),
        )
    }
}

impl std::fmt::Display for Year {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> serde::Deserialize<'de> for Year {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Year, D::Error> {
        let year = i32::deserialize(d)?;
        Year::new(year).map_err(serde::de::Error::custom)
    }
}

impl YearError {
    /// The error as a form's or a request's field error.
    pub fn at(self, field: &str, label: &str) -> crate::error::AppError {
        crate::error::AppError::invalid(field, label, self.to_string())
    }
}

/// A date's year is one the product knows; else the field's error, naming the field.
pub fn check_date(
    date: NaiveDate,
    field: &str,
    label: &str,
) -> Result<NaiveDate, crate::error::FieldError> {
    Year::of(date)
        .map(|_| date)
        .map_err(|e| crate::error::FieldError::new(field, label, format!("日期 {date}：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_park_day_starts_at_midnight_beijing_time() {
        let late = Utc.with_ymd_and_hms(2025, 6, 15, 16, 30, 0).unwrap();
        assert_eq!(today(late), NaiveDate::from_ymd_opt(2025, 6, 16).unwrap());
        let early = Utc.with_ymd_and_hms(2025, 6, 15, 15, 59, 0).unwrap();
        assert_eq!(today(early), NaiveDate::from_ymd_opt(2025, 6, 15).unwrap());
    }

    #[test]
    fn zones_are_read_by_name_or_offset() {
        assert_eq!(parse_zone("Asia/Shanghai").unwrap(), beijing());
        assert_eq!(parse_zone("UTC+8").unwrap(), beijing());
        assert_eq!(parse_zone("+05:30").unwrap().local_minus_utc(), 19800);
        assert_eq!(parse_zone("UTC").unwrap().local_minus_utc(), 0);
        assert!(parse_zone("Mars/Olympus")
            .unwrap_err()
            .contains("无法识别的时区"));
        assert!(parse_zone("+15").is_err());
    }

    #[test]
    fn a_year_is_parsed_once_with_one_range_and_one_message() {
        assert_eq!(Year::parse(" 2024 ").map(Year::get), Ok(2024));
        assert_eq!(Year::parse("2024年").map(Year::get), Ok(2024));
        assert_eq!(Year::parse("２０２４").map(Year::get), Ok(2024));
        assert_eq!(Year::parse("1900").map(Year::get), Ok(1900));
        assert_eq!(Year::parse("2100").map(Year::get), Ok(2100));
        assert_eq!(Year::parse("2101"), Err(YearError::OutOfRange(2101)));
        assert_eq!(Year::parse("9999"), Err(YearError::OutOfRange(9999)));
        assert_eq!(Year::parse("去年"), Err(YearError::NotAYear("去年".into())));
        assert_eq!(Year::parse(""), Err(YearError::NotAYear(String::new())));
        assert_eq!(Year::parse("-5"), Err(YearError::NotAYear("-5".into())));
        assert_eq!(
            Year::parse("99999999999"),
            Err(YearError::OutOfRange(99_999_999_999))
        );
        assert!(Year::new(1899).is_err());
        let d = NaiveDate::from_ymd_opt(477, 11, 5).unwrap();
        let e = check_date(d, "joined_on", "入党日期").unwrap_err();
        assert_eq!(e.field, "joined_on");
        assert!(e.message.contains("1900 年至 2100 年"), "{}", e.message);
        let y: Result<Year, _> = serde_json::from_str("3000");
        assert!(y.is_err());
        let y: Year = serde_json::from_str("2025").unwrap();
        assert_eq!(serde_json::to_string(&y).unwrap(), "2025");
    }

    #[test]
    fn a_year_knows_its_days_and_neighbours() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let y = Year::new(2024).unwrap();
        assert_eq!(y.bounds(), (day(2024, 1, 1), day(2024, 12, 31)));
        assert_eq!(y.previous_bounds(), (day(2023, 1, 1), day(2023, 12, 31)));
        assert_eq!(y.previous().map(Year::get), Some(2023));
        let first = Year::new(1900).unwrap();
        assert_eq!(first.previous(), None);
        assert_eq!(
            first.previous_bounds(),
            (day(1899, 1, 1), day(1899, 12, 31))
        );
        assert_eq!(Year::of(day(2024, 2, 29)), Ok(y));
    }
}
