//! The park's calendar: which day "today" is and what a stored instant reads as on the office's
//! clock. One time zone for the whole process, Beijing time (UTC+8, `Asia/Shanghai`) unless the
//! configuration names another, so that a form's default date, the report, the checks and the
//! 工作台 never disagree between midnight and 08:00.

use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

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
}
