//! The periods a rule counts over (month, quarter, year), numbered 1.. within a year, with their
//! SQL, their labels (`2025-03`, `2025-Q3`, `2025`) and their Chinese names.

use chrono::NaiveDate;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    /// The period a rule file names.
    pub fn parse(text: &str) -> Option<Period> {
        match text {
            "month" => Some(Period::Month),
            "quarter" => Some(Period::Quarter),
            "year" => Some(Period::Year),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// How many of these periods a year has.
    pub fn per_year(self) -> u32 {
        match self {
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        }
    }

    /// The last day of period `index` (1-based) of `year`.
    pub fn last_day(self, year: i32, index: u32) -> Option<NaiveDate> {
        let last_month = match self {
            Period::Month => index,
            Period::Quarter => index * 3,
            Period::Year => 12,
        };
        let next = if last_month >= 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, last_month + 1, 1)
        };
        next?.pred_opt()
    }

    /// How many periods of `year` have ended by `as_of` (they are always the first ones): only
    /// those can be violated, since a month still running may yet see its meeting.
    pub fn ended(self, year: i32, as_of: NaiveDate) -> u32 {
        (1..=self.per_year())
            .take_while(|&i| self.last_day(year, i).is_some_and(|d| d <= as_of))
            .count() as u32
    }

    /// The label findings carry: `2025-03`, `2025-Q3` or `2025`.
    pub fn label(self, year: i32, index: u32) -> String {
        match self {
            Period::Month => format!("{year}-{index:02}"),
            Period::Quarter => format!("{year}-Q{index}"),
            Period::Year => format!("{year}"),
        }
    }

    /// The year, kind and index a label stands for; the inverse of [`Period::label`].
    pub fn parse_label(label: &str) -> Option<(i32, Period, u32)> {
        match label.split_once('-') {
            None => Some((label.parse().ok()?, Period::Year, 1)),
            Some((year, rest)) => {
                let year = year.parse().ok()?;
                match rest.strip_prefix('Q') {
                    Some(q) => Some((year, Period::Quarter, q.parse().ok()?)),
                    None => Some((year, Period::Month, rest.parse().ok()?)),
                }
            }
        }
    }

    /// The period in a sentence: 2025年3月, 2025年第3季度, 2025年.
    pub fn chinese(self, year: i32, index: u32) -> String {
        format!("{year}年{}", self.chinese_in_year(index))
    }

    /// The period within its year: 3月, 第3季度, or nothing for the year itself.
    pub fn chinese_in_year(self, index: u32) -> String {
        match self {
            Period::Month => format!("{index}月"),
            Period::Quarter => format!("第{index}季度"),
            Period::Year => String::new(),
        }
    }

    /// The counting word of "共7个月", "共2个季度", "共1年".
    pub fn measure_word(self) -> &'static str {
        match self {
            Period::Month => "个月",
            Period::Quarter => "个季度",
            Period::Year => "年",
        }
    }

    /// The other periods whose meetings are cited as evidence of a missing one: the rest of the
    /// quarter for a month, the rest of the year for a quarter, none for a year.
    pub fn neighbours(self, index: u32) -> Vec<u32> {
        let span = match self {
            Period::Month => {
                let first = (index - 1) / 3 * 3 + 1;
                first..=first + 2
            }
            Period::Quarter => 1..=4,
            Period::Year => return Vec::new(),
        };
        span.filter(|&i| i != index).collect()
    }

    /// How evidence names the neighbours: 该季度其他月份, 本年度其他季度.
    pub fn neighbours_name(self) -> &'static str {
        match self {
            Period::Month => "该季度其他月份",
            Period::Quarter => "本年度其他季度",
            Period::Year => "",
        }
    }

    /// SQL text of the period number of a date column, the same on both backends: SQLite keeps
    /// dates as `YYYY-MM-DD` text, and PostgreSQL prints a `DATE` cast to text the same way under
    /// the ISO `DateStyle` that sqlx sets on every connection. Integer division truncates on both.
    pub fn sql(self, column: &str) -> String {
        let month = format!("CAST(SUBSTR(CAST({column} AS TEXT), 6, 2) AS INTEGER)");
        match self {
            Period::Month => month,
            Period::Quarter => format!("(({month} + 2) / 3)"),
            Period::Year => "1".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn only_periods_over_by_the_date_have_ended() {
        assert_eq!(Period::Month.ended(2025, d(2025, 5, 15)), 4);
        assert_eq!(Period::Quarter.ended(2025, d(2025, 5, 15)), 1);
        assert_eq!(Period::Year.ended(2025, d(2025, 5, 15)), 0);
        assert_eq!(Period::Month.ended(2025, d(2025, 4, 30)), 4);
        assert_eq!(Period::Year.ended(2025, d(2025, 12, 31)), 1);
        assert_eq!(Period::Month.ended(2025, d(2024, 12, 31)), 0);
        assert_eq!(Period::Month.last_day(2024, 2), Some(d(2024, 2, 29)));
    }

    #[test]
    fn labels_round_trip() {
        for (p, i) in [(Period::Month, 3), (Period::Quarter, 3), (Period::Year, 1)] {
            let label = p.label(2025, i);
            assert_eq!(Period::parse_label(&label), Some((2025, p, i)));
        }
        assert_eq!(Period::Month.label(2025, 3), "2025-03");
        assert_eq!(Period::Quarter.label(2025, 3), "2025-Q3");
    }

    #[test]
    fn neighbours_are_the_rest_of_the_quarter_or_year() {
        assert_eq!(Period::Month.neighbours(5), vec![4, 6]);
        assert_eq!(Period::Quarter.neighbours(2), vec![1, 3, 4]);
        assert!(Period::Year.neighbours(1).is_empty());
    }
}
