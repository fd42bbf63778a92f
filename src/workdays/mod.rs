//! 工作日历: which days China works. A year's statutory holidays and its make-up working days
//! (调休上班: a Saturday or Sunday worked) come from the State Council's notice for that year;
//! the years whose notices are published ship in `official.txt`, and a park's 党建办 can enter a
//! year that is not there yet, or correct one, on the 工作日历 page (`service::save_year`).
//! Deadlines counted in working days ([`Workdays::add`]) use these tables; a year without one
//! falls back to Monday–Friday, and every deadline counted through such a year says it is an
//! estimate ([`Due::estimated`]).
//!
//! The tables are written as lines a person can type (the page's text box and `official.txt`
//! alike), read by one parser ([`parse_year`]) with a line-numbered Chinese message for each
//! mistake.

pub mod pages;
mod queries;
pub mod service;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

/// The tables of the years whose notices are published, as shipped.
pub const OFFICIAL: &str = include_str!("official.txt");

/// The longest text a park may save for one year.
pub const MAX_TEXT: usize = 4000;

/// One holiday of a year's notice: its name and the days off, weekends inside included.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's notice: its reference, the holidays and the make-up working days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct YearTable {
    pub year: i32,
    /// The notice the table follows (its title, number and date).
    pub notice: String,
    pub holidays: Vec<Holiday>,
    /// Saturdays and Sundays that are working days (调休上班).
    pub workdays: Vec<NaiveDate>,
}

/// A mistake in a table's text, at its line (counted from 1 within the text given).
#[derive(Clone, Debug, PartialEq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "第 {} 行：{}", self.line, self.message)
    }
}

/// A deadline counted in working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Due {
    pub date: NaiveDate,
    /// A year counted through has no table: Monday–Friday were taken as the working days, and
    /// the date may move once the year's notice is entered.
    pub estimated: bool,
}

/// The working-day calendar: the tables known, by year.
#[derive(Clone, Debug, Default)]
pub struct Workdays {
    tables: BTreeMap<i32, YearTable>,
}

impl Workdays {
    /// The shipped tables. `official.txt` is checked by a test, so a failure to read it here
    /// cannot happen in a released binary; should it, no year has a table and every deadline
    /// says it is estimated.
    pub fn official() -> Workdays {
        // Read once: every list of requests asks for the calendar, to count escalations.
        static TABLES: std::sync::OnceLock<Workdays> = std::sync::OnceLock::new();
        TABLES
            .get_or_init(|| {
                let tables = parse_file(OFFICIAL).unwrap_or_default();
                Workdays {
                    tables: tables.into_iter().map(|t| (t.year, t)).collect(),
                }
            })
            .clone()
    }

    /// This calendar with `table` in place of whatever it had for that year.
    pub fn with(mut self, table: YearTable) -> Workdays {
        self.tables.insert(table.year, table);
        self
    }

    pub fn table(&self, year: i32) -> Option<&YearTable> {
        self.tables.get(&year)
    }

    /// The years that have a table, in order.
    pub fn years(&self) -> Vec<i32> {
        self.tables.keys().copied().collect()
    }

    /// Whether `day` is a working day; in a year without a table, whether it is Monday–Friday.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        match self.tables.get(&day.year()) {
            None => weekday,
            Some(t) if t.workdays.contains(&day) => true,
            Some(t) if t.holidays.iter().any(|h| h.from <= day && day <= h.to) => false,
            Some(_) => weekday,
        }
    }

    /// The `n`-th working day after `from` (`from` itself not counted; `n = 0` is `from`).
    pub fn add(&self, from: NaiveDate, n: u32) -> Due {
        let mut day = from;
        let mut estimated = false;
        let mut left = n;
        while left > 0 {
            let Some(next) = day.succ_opt() else {
                break;
            };
            day = next;
            estimated |= !self.tables.contains_key(&day.year());
            if self.is_workday(day) {
                left -= 1;
            }
        }
        Due {
            date: day,
            estimated,
        }
    }
}

impl YearTable {
    /// The table as the lines [`parse_year`] reads: what the page's text box shows.
    pub fn to_text(&self) -> String {
        let mut out = format!("通知 {}\n", self.notice);
        for h in &self.holidays {
            if h.from == h.to {
                out.push_str(&format!("{} {}\n", h.name, h.from));
            } else {
                out.push_str(&format!("{} {} 至 {}\n", h.name, h.from, h.to));
            }
        }
        if !self.workdays.is_empty() {
            let days: Vec<String> = self.workdays.iter().map(ToString::to_string).collect();
            out.push_str(&format!("上班 {}\n", days.join("、")));
        }
        out
    }

    /// The days off of the year, one by one, weekends inside the holidays included.
    pub fn days_off(&self) -> usize {
        self.holidays
            .iter()
            .map(|h| (h.to - h.from).num_days() as usize + 1)
            .sum()
    }
}

/// Reads a file of several years, each beginning with a `年度 YYYY` line (`official.txt`).
pub fn parse_file(text: &str) -> Result<Vec<YearTable>, Vec<LineError>> {
    let mut blocks: Vec<(i32, usize, Vec<&str>)> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("年度") {
            match rest.trim().trim_end_matches('年').parse::<i32>() {
                Ok(y) if blocks.iter().any(|b| b.0 == y) => errors.push(LineError {
                    line: i + 1,
                    message: format!("{y} 年已经写过一次"),
                }),
                Ok(y) => blocks.push((y, i + 1, Vec::new())),
                Err(_) => errors.push(LineError {
                    line: i + 1,
                    message: format!("“{trimmed}”不是年度：请写“年度 2026”"),
                }),
            }
        } else if let Some(block) = blocks.last_mut() {
            block.2.push(line);
        } else if !is_blank(trimmed) {
            errors.push(LineError {
                line: i + 1,
                message: "第一个年度之前只能写说明（以 # 开头）".into(),
            });
        }
    }
    let mut tables = Vec::new();
    for (year, first, lines) in blocks {
        match parse_year(year, &lines.join("\n")) {
            Ok(t) => tables.push(t),
            Err(errs) => errors.extend(errs.into_iter().map(|e| LineError {
                line: e.line + first,
                message: e.message,
            })),
        }
    }
    if errors.is_empty() {
        Ok(tables)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Reads one year's table: a `通知` line naming the notice, a line per holiday (`名称 日期` or
/// `名称 日期 至 日期`), and `上班` lines listing the make-up working days. Blank lines and
/// lines starting with `#` are notes. Every date must lie in `year`; a make-up day must be a
/// Saturday or Sunday and not inside a holiday. All mistakes are listed, each at its line.
pub fn parse_year(year: i32, text: &str) -> Result<YearTable, Vec<LineError>> {
    let mut table = YearTable {
        year,
        notice: String::new(),
        holidays: Vec::new(),
        workdays: Vec::new(),
    };
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if is_blank(line) {
            continue;
        }
        let mut fail = |message: String| {
            errors.push(LineError {
                line: i + 1,
                message,
            })
        };
        let (head, rest) = match line.split_once(char::is_whitespace) {
            Some((h, r)) => (h, r.trim()),
            None => (line, ""),
        };
        match head {
            "年度" => match rest.trim_end_matches('年').parse::<i32>() {
                Ok(y) if y == year => {}
                _ => fail(format!("此处只能填写 {year} 年的安排")),
            },
            "通知" | "依据" if rest.is_empty() => {
                fail("请在“通知”后写明通知的名称和日期".into())
            }
            "通知" | "依据" => table.notice = rest.to_string(),
            "上班" | "调休上班" => {
                for part in rest
                    .split(['、', ',', '，', ';', '；', ' ', '\u{3000}'])
                    .filter(|p| !p.trim().is_empty())
                {
                    match day_in(year, part) {
                        Ok(d) if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) => fail(
                            format!("{d} 是{}，调休上班日应为周六或周日", weekday_name(d)),
                        ),
                        Ok(d) if table.workdays.contains(&d) => fail(format!("{d} 已列为上班日")),
                        Ok(d) => table.workdays.push(d),
                        Err(m) => fail(m),
                    }
                }
                if rest.is_empty() {
                    fail("“上班”后请写调休上班的日期".into());
                }
            }
            name => match holiday(year, name, rest) {
                Ok(h) => table.holidays.push(h),
                Err(m) => fail(m),
            },
        }
    }
    if table.notice.is_empty() {
        errors.push(LineError {
            line: 1,
            message: "缺少“通知”行：请写明依据的国务院办公厅通知（名称和日期）".into(),
        });
    }
    for d in &table.workdays {
        if let Some(h) = table.holidays.iter().find(|h| h.from <= *d && *d <= h.to) {
            errors.push(LineError {
                line: line_of(text, &d.to_string()),
                message: format!("{d} 既在{}假期内，又列为上班日", h.name),
            });
        }
    }
    table.holidays.sort_by_key(|h| h.from);
    table.workdays.sort();
    if errors.is_empty() {
        Ok(table)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn holiday(year: i32, name: &str, rest: &str) -> Result<Holiday, String> {
    if rest.is_empty() {
        return Err(format!(
            "无法识别“{name}”：节日行请写“名称 日期”或“名称 起始日期 至 结束日期”，调休上班写“上班 日期”"
        ));
    }
    let (from, to) = match rest.split_once(['至', '到', '~', '～']) {
        Some((a, b)) => (day_in(year, a)?, day_in(year, b)?),
        None => {
            let d = day_in(year, rest)?;
            (d, d)
        }
    };
    if to < from {
        return Err(format!("{name}的结束日期 {to} 早于起始日期 {from}"));
    }
    if (to - from).num_days() > 30 {
        return Err(format!("{name}从 {from} 到 {to} 超过一个月，请核对日期"));
    }
    Ok(Holiday {
        name: name.to_string(),
        from,
        to,
    })
}

fn day_in(year: i32, text: &str) -> Result<NaiveDate, String> {
    let d = crate::ledger::value::parse_date_text(text.trim()).map_err(|e| e.to_string())?;
    if d.year() == year {
        Ok(d)
    } else {
        Err(format!("{d} 不在 {year} 年内"))
    }
}

fn is_blank(line: &str) -> bool {
    line.is_empty() || line.starts_with('#')
}

/// The line (from 1) of the first that mentions `needle`, for a mistake found across lines.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

pub fn weekday_name(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a real day")
    }

    #[test]
    fn the_shipped_tables_read_and_cover_the_published_years() {
        let tables = parse_file(OFFICIAL).expect("official.txt reads");
        let years: Vec<i32> = tables.iter().map(|t| t.year).collect();
        assert_eq!(years, vec![2024, 2025, 2026]);
        let t2026 = &tables[2];
        assert_eq!(t2026.holidays.len(), 7);
        assert_eq!(t2026.days_off(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert!(t2026.notice.contains("2026年部分节假日安排"));
    }

    #[test]
    fn national_day_2026_and_its_make_up_days() {
        let w = Workdays::official();
        // Registered on the Wednesday before the holiday: the next working day is 8 October.
        assert_eq!(
            w.add(d(2026, 9, 30), 1),
            Due {
                date: d(2026, 10, 8),
                estimated: false
            }
        );
        // 20 September (a Sunday) and 10 October (a Saturday) are worked.
        assert!(w.is_workday(d(2026, 9, 20)));
        assert!(w.is_workday(d(2026, 10, 10)));
        assert!(!w.is_workday(d(2026, 10, 5)));
        // Friday 9 October + 1 working day is the make-up Saturday.
        assert_eq!(w.add(d(2026, 10, 9), 1).date, d(2026, 10, 10));
        // 15 working days from Thursday 24 September skip both holidays.
        assert_eq!(w.add(d(2026, 9, 24), 15).date, d(2026, 10, 22));
    }

    #[test]
    fn spring_festival_2026() {
        let w = Workdays::official();
        assert!(
            w.is_workday(d(2026, 2, 14)),
            "the Saturday before is worked"
        );
        assert!(
            !w.is_workday(d(2026, 2, 23)),
            "Monday 23 February is still off"
        );
        assert_eq!(w.add(d(2026, 2, 13), 1).date, d(2026, 2, 14));
        assert_eq!(w.add(d(2026, 2, 14), 1).date, d(2026, 2, 24));
        assert_eq!(w.add(d(2026, 2, 14), 3).date, d(2026, 2, 26));
        // 27 Feb is a Friday, 28 a make-up Saturday, 1 March a Sunday off.
        assert_eq!(w.add(d(2026, 2, 26), 2).date, d(2026, 2, 28));
        assert_eq!(w.add(d(2026, 2, 26), 3).date, d(2026, 3, 2));
    }

    #[test]
    fn a_year_without_a_table_counts_monday_to_friday_and_says_so() {
        let w = Workdays::official();
        let due = w.add(d(2026, 12, 30), 3);
        // Thu 31 Dec 2026, then Fri 1 Jan 2027 (no 2027 table: a weekday), Mon 4 Jan.
        assert_eq!(
            due,
            Due {
                date: d(2027, 1, 4),
                estimated: true
            }
        );
        assert!(!w.add(d(2026, 12, 1), 3).estimated);
    }

    #[test]
    fn a_park_can_enter_a_year_and_the_mistakes_are_named_at_their_lines() {
        let text = "通知 国务院办公厅关于2027年部分节假日安排的通知\n元旦 2027-01-01\n上班 2027-01-04\n春节 2027-02-10 至 2027-02-03\n国庆节 2026-10-01 至 2026-10-07\n放假吧\n";
        let errors = parse_year(2027, text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6], "{errors:?}");
        assert!(errors[0].message.contains("周一"));
        assert!(errors[1].message.contains("早于"));
        assert!(errors[2].message.contains("不在 2027 年内"));
        assert!(errors[3].message.contains("无法识别"));

        let ok = "通知 某通知\n元旦 2027年1月1日 至 2027年1月3日\n上班 2027/1/9、2027-1-10\n";
        let t = parse_year(2027, ok).expect("reads");
        assert_eq!(t.days_off(), 3);
        let w = Workdays::official().with(t.clone());
        assert!(!w.add(d(2026, 12, 31), 1).estimated);
        assert_eq!(w.add(d(2026, 12, 31), 1).date, d(2027, 1, 4));
        assert!(w.is_workday(d(2027, 1, 9)));
        // The text the page shows reads back to the same table.
        assert_eq!(parse_year(2027, &t.to_text()), Ok(t));
    }

    #[test]
    fn a_make_up_day_inside_a_holiday_or_a_missing_notice_is_refused() {
        let errors =
            parse_year(2027, "春节 2027-02-06 至 2027-02-13\n上班 2027-02-07").unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("缺少“通知”行")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("既在春节假期内")),
            "{messages:?}"
        );
    }
}
