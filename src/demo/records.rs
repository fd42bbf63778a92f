//! The demo park's ledger records: drafted as the cells a user would type, then passed through the
//! one record validator, so that demo data is exactly what the forms and imports accept.
//!
//! Three years are drafted, each from the same yearly patterns (meetings in [`super::meetings`],
//! talks and discipline in [`super::affairs`], honours and facilities in [`super::recognition`],
//! the service work in [`super::work`]); a scale of K repeats the patterns K times with other
//! dates and names. The irregularities that the rule checks should find are decided once, in
//! [`Quirks`], and kept by every repetition.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::org::{date, Org};
use super::{affairs, meetings, recognition, work};
use crate::error::{AppError, FieldError};
use crate::ledger::catalogue::Catalogue;
use crate::ledger::queries::RecordData;
use crate::ledger::record::{self, Names};
use crate::ledger::value::Raw;

/// One record as typed: its kind and the cells by field key.
pub struct Draft {
    pub kind: &'static str,
    /// The record's date, for ordering; the validator reads it from the cells.
    pub date: NaiveDate,
    pub cells: Vec<(&'static str, Cell)>,
}

/// What a user puts in a cell: text (dates written as 2024-03-05, booleans as 是/否) or a number.
pub enum Cell {
    Text(String),
    Number(f64),
}

/// Where one year stands among the demo's three, and which repetition is being drafted.
#[derive(Clone, Copy)]
pub struct Year {
    pub year: i32,
    /// 0, 1 or 2 for the first, middle and last year.
    pub index: usize,
    /// 0 for the park's own history; from 1 on, a scale repetition. Facts that happen once
    /// (the annual work points, the plaza, the one collective petition) are drafted in pass 0 only.
    pub pass: u32,
    /// The last day the park has lived (`Options::until`): nothing is done after it.
    pub until: NaiveDate,
}

/// The irregularities the rule checks should find, decided once so that every scale repetition
/// keeps them.
pub struct Quirks {
    /// (branch, year, months) in which the branch held no 支委会.
    pub skipped_committee: Vec<(usize, i32, Vec<u32>)>,
    /// (branch, year, quarter) in which the branch gave no 党课.
    pub missed_lecture: (usize, i32, u32),
    /// The branch whose meetings are poorly attended.
    pub low_participation: usize,
}

impl Draft {
    /// A record of `kind` dated `on` in its date field `date_key`.
    pub fn new(kind: &'static str, date_key: &'static str, on: NaiveDate) -> Draft {
        Draft {
            kind,
            date: on,
            cells: vec![(date_key, Cell::Text(on.format("%Y-%m-%d").to_string()))],
        }
    }

    pub fn text(mut self, key: &'static str, value: impl Into<String>) -> Draft {
        self.cells.push((key, Cell::Text(value.into())));
        self
    }

    pub fn number(mut self, key: &'static str, value: impl Into<f64>) -> Draft {
        self.cells.push((key, Cell::Number(value.into())));
        self
    }

    fn raw(&self, key: &str) -> Raw<'_> {
        match self.cells.iter().find(|(k, _)| *k == key) {
            Some((_, Cell::Text(text))) => Raw::Text(text),
            Some((_, Cell::Number(x))) => Raw::Number(*x),
            None => Raw::Empty,
        }
    }
}

impl Year {
    pub fn is_last(&self) -> bool {
        self.index == 2
    }

    pub fn first_pass(&self) -> bool {
        self.pass == 0
    }
}

impl Quirks {
    pub fn plan(org: &Org, rng: &mut StdRng, year: i32) -> Quirks {
        // Only branches that must hold a 支委会 can skip one; the administration's branch and the
        // park's model branch (the first) keep every rule.
        let mut with_committee: Vec<usize> = (1..org.branches.len() - 1)
            .filter(|&b| org.branches[b].committee_size > 0)
            .collect();
        with_committee.shuffle(rng);
        let months = |rng: &mut StdRng, n: usize| {
            let mut m: Vec<u32> = (1..=12)
                .collect::<Vec<_>>()
                .choose_multiple(rng, n)
                .copied()
                .collect();
            m.sort_unstable();
            m
        };
        let skipped_committee = vec![
            (with_committee[0], year, months(rng, 3)),
            (with_committee[1], year, months(rng, 2)),
            (with_committee[2], year - 1, months(rng, 1)),
        ];
        let missed_lecture = (with_committee[3], year, rng.gen_range(2..=4));
        Quirks {
            skipped_committee,
            missed_lecture,
            low_participation: with_committee[4],
        }
    }

    pub fn skips_committee(&self, branch: usize, year: i32, month: u32) -> bool {
        self.skipped_committee
            .iter()
            .any(|(b, y, months)| *b == branch && *y == year && months.contains(&month))
    }
}

/// Drafts every record of the three years ending in `year`, `scale` times over, ordered by date.
pub fn draft(
    org: &Org,
    rng: &mut StdRng,
    year: i32,
    scale: u32,
    until: Option<NaiveDate>,
) -> Vec<Draft> {
    let quirks = Quirks::plan(org, rng, year);
    let mut out = Vec::with_capacity(3_500 * scale as usize);
    for pass in 0..scale {
        for index in 0..3 {
            let y = Year {
                year: year - 2 + index as i32,
                index,
                pass,
                until: until.unwrap_or(NaiveDate::MAX),
            };
            meetings::draft(org, &quirks, rng, y, &mut out);
            affairs::draft(org, rng, y, &mut out);
            recognition::draft(org, rng, y, &mut out);
            work::draft(org, rng, y, &mut out);
        }
        work::draft_projects(rng, year, pass, &mut out);
    }
    // Ledgers are kept as things happen, so ids follow the dates; the sort is stable, keeping
    // same-day records in the order drafted.
    out.sort_by_key(|d| d.date);
    out
}

/// Validates every draft against the catalogue, resolving unit and enterprise names through
/// `names`. A refusal is a defect of the generator; it is reported with the record it concerns.
pub fn validate(
    drafts: &[Draft],
    catalogue: &Catalogue,
    names: &Names,
) -> Result<Vec<RecordData>, AppError> {
    let mut rows = Vec::with_capacity(drafts.len());
    for d in drafts {
        let kind = catalogue.kind(d.kind).ok_or_else(|| {
            AppError::BadRequest(format!("演示数据有误：台账目录中没有“{}”", d.kind))
        })?;
        if let Some((key, _)) = d.cells.iter().find(|(key, _)| kind.field(key).is_none()) {
            return Err(AppError::BadRequest(format!(
                "演示数据有误：“{}”没有字段“{key}”",
                kind.sheet
            )));
        }
        let row = record::validate(kind, |f| d.raw(&f.key), names).map_err(|errors| {
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|e| FieldError {
                    message: format!("{}（{}，{}）", e.message, kind.sheet, d.date),
                    ..e
                })
                .collect();
            AppError::Invalid(errors)
        })?;
        rows.push(row);
    }
    Ok(rows)
}

/// Records per kind, for the summary and the audit entry.
pub fn count_by_kind(rows: &[RecordData]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for r in rows {
        *counts.entry(r.kind.clone()).or_insert(0) += 1;
    }
    counts
}

/// A working day in the given month, between `from` and `to` (both at most 28): weekends move to
/// the Friday before or the Monday after, as meetings are not held on them.
pub fn workday(rng: &mut StdRng, year: i32, month: u32, from: u32, to: u32) -> NaiveDate {
    let day = date(
        year,
        month,
        rng.gen_range(from.max(2)..=to.clamp(from.max(2), 27)),
    );
    match day.weekday() {
        Weekday::Sat => day.pred_opt().unwrap_or(day),
        Weekday::Sun => day.succ_opt().unwrap_or(day),
        _ => day,
    }
}

/// Any working day of the year.
pub fn any_workday(rng: &mut StdRng, year: i32) -> NaiveDate {
    let month = rng.gen_range(1..=12);
    workday(rng, year, month, 1, 28)
}

/// How many of `expected` came: usually everyone or all but a few (85–100%), in a poorly
/// attended branch 60–80%.
pub fn attended(rng: &mut StdRng, expected: usize, low: bool) -> usize {
    if low {
        let rate = rng.gen_range(0.60..0.80);
        return ((expected as f64 * rate).round() as usize).clamp(1, expected);
    }
    let most_absent = (expected as f64 * 0.15).floor() as usize;
    // The smaller of two draws: absences are usually few.
    let absent = rng
        .gen_range(0..=most_absent)
        .min(rng.gen_range(0..=most_absent));
    expected - absent
}

/// 一, 二, … for the quarter and ordinal numbers in meeting names.
pub fn chinese_ordinal(n: u32) -> &'static str {
    [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ]
    .get(n as usize)
    .copied()
    .unwrap_or("")
}

/// One element of a non-empty pool of phrases.
pub fn one<'a>(rng: &mut StdRng, pool: &[&'a str]) -> &'a str {
    super::names::pick(rng, pool)
}
