//! Computing metric values in the database, each with the ids of what it counted (record ids for
//! ledger metrics, person ids for roster metrics): the ledger counts, sums and ratios of a kind
//! in one scan for all the years asked (`scan.rs`), the roster and task metrics one query
//! each (`sql.rs`).

use serde::{Deserialize, Serialize};

use super::metrics::{
    Aggregate, Metric, MetricCatalogue, PolicyMeasure, RequestMeasure, TaskMeasure,
};
use super::numbers::round_to;
use super::queries::{self, MetricRow};
use super::scan;
use super::sql::{bare_aggregate, metric_query};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;

/// A metric's value: whole for counts and sums of whole numbers, a float for areas, lengths and
/// rates. Serialized as a bare JSON number of the same shape.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            // Report counts stay far below 2^53, so the conversion is exact.
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }
}

/// One metric of one year, with what it counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub decimals: u32,
    pub value: Number,
    /// Ids of the records (or, for roster metrics, the people) counted, ascending.
    pub records: Vec<i64>,
    /// Last year's value, when it was asked for ([`compute_with_previous`]).
    pub prev: Option<Number>,
    /// What `metrics.toml` says this figure is to the others (part of, rate of, an incident).
    #[serde(skip)]
    pub relations: Relations,
}

/// A metric's declared relations, carried with its value so that templates and the health
/// check see them (`Metric::part_of`, `rate_of`, `adverse`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Relations {
    pub part_of: Option<String>,
    pub rate_of: Option<(String, String)>,
    pub adverse: bool,
}

impl Relations {
    fn of(metric: &Metric) -> Relations {
        Relations {
            part_of: metric.part_of.clone(),
            rate_of: metric.rate_of.clone(),
            adverse: metric.adverse,
        }
    }
}

/// Every metric of a catalogue for one park and year, in catalogue order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricValues {
    pub year: i32,
    pub metrics: Vec<MetricValue>,
}

impl MetricValues {
    pub fn get(&self, id: &str) -> Option<&MetricValue> {
        self.metrics.iter().find(|m| m.id == id)
    }

    /// Sets each metric's `prev` from last year's values.
    pub fn set_previous(&mut self, previous: &MetricValues) {
        for metric in &mut self.metrics {
            metric.prev = previous.get(&metric.id).map(|p| p.value);
        }
    }
}

/// The default metrics of one park and year.
pub async fn compute_all(db: &Db, park_id: i64, year: Year) -> Result<MetricValues, AppError> {
    compute(db, park_id, year, &MetricCatalogue::default_metrics()).await
}

/// The metrics of `catalogue` for one park and year.
pub async fn compute(
    db: &Db,
    park_id: i64,
    year: Year,
    catalogue: &MetricCatalogue,
) -> Result<MetricValues, AppError> {
    compute_year(db, park_id, year.bounds(), catalogue).await
}

/// The metrics of `catalogue` for one park and the year `bounds` delimit.
async fn compute_year(
    db: &Db,
    park_id: i64,
    bounds: (chrono::NaiveDate, chrono::NaiveDate),
    catalogue: &MetricCatalogue,
) -> Result<MetricValues, AppError> {
    let mut years = compute_years(db, park_id, &[bounds], catalogue).await?;
    Ok(years.remove(0))
}

/// The metrics of `catalogue` for one park and each of `years` (first and last days), in the
/// order given. Ledger counts, sums and ratios come from one scan per kind covering every year
/// ([`scan`]); roster and task metrics from their own query per year.
async fn compute_years(
    db: &Db,
    park_id: i64,
    years: &[(chrono::NaiveDate, chrono::NaiveDate)],
    catalogue: &MetricCatalogue,
) -> Result<Vec<MetricValues>, AppError> {
    let mut slots: Vec<Vec<Option<MetricValue>>> =
        vec![vec![None; catalogue.metrics.len()]; years.len()];
    let position = |metric: &Metric| {
        catalogue
            .metrics
            .iter()
            .position(|m| std::ptr::eq(m, metric))
            .unwrap_or(0)
    };
    // Each scan's statement, with the (year, metric position) of each of its rows.
    let mut scans = Vec::new();
    for group in scan::groups(&catalogue.metrics) {
        for (chunk, query) in scan::scan_queries(db, park_id, &group, years) {
            let targets: Vec<(usize, usize)> = query
                .pairs
                .iter()
                .map(|&(m, y)| (y, position(group.metrics[chunk[m]])))
                .collect();
            scans.push((targets, query));
        }
    }
    // Everything here only reads: the scans and the metrics with a query of their own (the
    // roster, org-tree, task, request and policy metrics, one per metric and year) run side by
    // side on the pool's connections, so that the largest kind (the meetings) takes about as
    // long as all the others together.
    let mut running = tokio::task::JoinSet::new();
    for (i, (_, query)) in scans.iter().enumerate() {
        let (db, query) = (db.clone(), query.clone());
        running.spawn(async move { Done::Scan(i, scan::run(&db, &query).await) });
    }
    let scanned: Vec<bool> = catalogue.metrics.iter().map(scan::scannable).collect();
    for (y, &bounds) in years.iter().enumerate() {
        for (p, metric) in catalogue.metrics.iter().enumerate() {
            if scanned[p] {
                continue;
            }
            let (db, metric) = (db.clone(), metric.clone());
            running.spawn(async move {
                Done::Own(y, p, one_metric(&db, &metric, park_id, bounds).await)
            });
        }
    }
    while let Some(joined) = running.join_next().await {
        let done = match joined {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only an aborted task is cancelled, and none is aborted while the set is held.
            Err(_) => continue,
        };
        match done {
            Done::Scan(i, tallies) => {
                for (tally, &(y, p)) in tallies?.into_iter().zip(&scans[i].0) {
                    slots[y][p] = Some(value_from_tally(&catalogue.metrics[p], tally));
                }
            }
            Done::Own(y, p, value) => slots[y][p] = Some(value?),
        }
    }
    // A scannable metric no scan covered (none is left out today) gets its own query.
    for (y, &bounds) in years.iter().enumerate() {
        for (i, metric) in catalogue.metrics.iter().enumerate() {
            if slots[y][i].is_none() {
                slots[y][i] = Some(one_metric(db, metric, park_id, bounds).await?);
            }
        }
    }
    Ok(years
        .iter()
        .zip(slots)
        .map(|(bounds, slots)| MetricValues {
            year: chrono::Datelike::year(&bounds.0),
            metrics: slots.into_iter().flatten().collect(),
        })
        .collect())
}

/// What a task of [`compute_years`] computed: a scan's tallies (by its number), or one metric's
/// value (by year and catalogue position).
enum Done {
    Scan(usize, Result<Vec<scan::Tally>, crate::db::DbError>),
    Own(usize, usize, Result<MetricValue, AppError>),
}

/// One metric of one year by its own query: the roster, org-tree, task and request metrics
/// (the ledger ones are scanned); the average time to close counted in working days.
async fn one_metric(
    db: &Db,
    metric: &Metric,
    park_id: i64,
    bounds: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<MetricValue, AppError> {
    let query = metric_query(db, metric, park_id, bounds);
    let rows = queries::run_metric(db, &query).await?;
    let mut value = value_of(metric, &rows);
    if metric.aggregate == Aggregate::Requests(RequestMeasure::AvgWorkdaysToClose) {
        let days = workdays_to_close(db, park_id, bounds).await?;
        let total: i64 = days
            .iter()
            .filter(|(id, _)| value.records.binary_search(id).is_ok())
            .map(|(_, n)| *n)
            .sum();
        value.value = average(total, value.records.len(), metric.decimals);
    }
    Ok(value)
}

/// The working days from registration to closure of each request of nature `problem` received
/// within `bounds` and closed, by request id (ascending), on the park's working-day calendar:
/// the days after the day registered up to the day closed that are working days.
pub(crate) async fn workdays_to_close(
    db: &Db,
    park_id: i64,
    (first, last): (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<(i64, i64)>, AppError> {
    let calendar = crate::workdays::service::workdays(db, park_id).await?;
    let rows = queries::closed_requests(db, park_id, first, last).await?;
    Ok(rows
        .into_iter()
        .map(|(id, registered, closed)| {
            let mut n = 0;
            let mut day = registered;
            while day < closed {
                let Some(next) = day.succ_opt() else { break };
                day = next;
                if calendar.is_workday(day) {
                    n += 1;
                }
            }
            (id, n)
        })
        .collect())
}

/// `total / count` rounded to `decimals`; 0 when nothing was counted.
fn average(total: i64, count: usize, decimals: u32) -> Number {
    if count == 0 {
        return Number::Float(0.0);
    }
    // Working days and request counts stay far below 2^53: the conversions are exact.
    Number::Float(round_to(total as f64 / count as f64, decimals))
}

/// The bare aggregates of every metric of `catalogue` for this year and last, as `(count, sum,
/// sum)` in catalogue order: the same conditions as [`compute_with_previous`] without listing
/// the ids. The report benchmark runs these as its baseline.
pub async fn bare_aggregates(
    db: &Db,
    park_id: i64,
    year: Year,
    catalogue: &MetricCatalogue,
) -> Result<Vec<(i64, Option<f64>, Option<f64>)>, AppError> {
    let mut out = Vec::with_capacity(catalogue.metrics.len() * 2);
    for bounds in [year.bounds(), year.previous_bounds()] {
        for metric in &catalogue.metrics {
            let query = bare_aggregate(&metric_query(db, metric, park_id, bounds));
            out.push(queries::run_bare(db, &query).await?);
        }
    }
    Ok(out)
}

/// The metrics of `year` with last year's values in `prev`, for year-over-year sentences.
pub async fn compute_with_previous(
    db: &Db,
    park_id: i64,
    year: Year,
    catalogue: &MetricCatalogue,
) -> Result<MetricValues, AppError> {
    // Last year of the earliest report year (1900) lies outside the product's years but is a
    // calendar year all the same, so it is computed (`Year::previous_bounds`).
    // One scan per kind reads both years.
    let bounds = [year.bounds(), year.previous_bounds()];
    let mut both = compute_years(db, park_id, &bounds, catalogue).await?;
    let (previous, current) = (both.pop(), both.pop());
    match (current, previous) {
        (Some(mut current), Some(previous)) => {
            current.set_previous(&previous);
            Ok(current)
        }
        // compute_years gives one set per year asked for.
        _ => compute(db, park_id, year, catalogue).await,
    }
}

/// Turns what a scan counted for a metric into its value.
fn value_from_tally(metric: &Metric, tally: scan::Tally) -> MetricValue {
    let (sum_a, sum_b) = (tally.sum_a.unwrap_or(0.0), tally.sum_b.unwrap_or(0.0));
    MetricValue {
        value: value_number(metric, tally.count, sum_a, sum_b),
        id: metric.id.clone(),
        label: metric.label.clone(),
        unit: metric.unit.clone(),
        decimals: metric.decimals,
        records: tally.records,
        prev: None,
        relations: Relations::of(metric),
    }
}

/// Turns a metric's rows into its value: the database computed the count and sums, repeated on
/// every row, so the first row holds them; no rows is zero.
fn value_of(metric: &Metric, rows: &[MetricRow]) -> MetricValue {
    let first = rows.first();
    let count = first.map_or(0, |r| r.1);
    let sum_a = first.and_then(|r| r.2).unwrap_or(0.0);
    let sum_b = first.and_then(|r| r.3).unwrap_or(0.0);
    MetricValue {
        id: metric.id.clone(),
        label: metric.label.clone(),
        unit: metric.unit.clone(),
        decimals: metric.decimals,
        value: value_number(metric, count, sum_a, sum_b),
        records: rows.iter().map(|r| r.0).collect(),
        prev: None,
        relations: Relations::of(metric),
    }
}

/// A metric's value from its count and sums.
fn value_number(metric: &Metric, count: i64, sum_a: f64, sum_b: f64) -> Number {
    match &metric.aggregate {
        Aggregate::Count
        | Aggregate::PeopleTagged { .. }
        | Aggregate::ServiceStaff { .. }
        | Aggregate::Members
        | Aggregate::MembersJoined
        | Aggregate::Units { .. }
        | Aggregate::EnterprisesWith { .. } => Number::Int(count),
        Aggregate::Sum { .. } if metric.integral => Number::Int(round_to(sum_a, 0) as i64),
        Aggregate::Sum { .. } => Number::Float(round_to(sum_a, metric.decimals)),
        Aggregate::Ratio { .. } | Aggregate::Tasks(TaskMeasure::OnTimeRate) => {
            Number::Float(percent(sum_a, sum_b, metric.decimals))
        }
        Aggregate::Tasks(_) => Number::Int(count),
        Aggregate::Requests(m) if m.is_rate() => {
            Number::Float(percent(sum_a, sum_b, metric.decimals))
        }
        // Counted in working days once the query listed the closed requests (`compute_years`).
        Aggregate::Requests(RequestMeasure::AvgWorkdaysToClose) => Number::Float(0.0),
        Aggregate::Requests(_) => Number::Int(count),
        Aggregate::Policies(PolicyMeasure::ReadRate) => {
            Number::Float(percent(sum_a, sum_b, metric.decimals))
        }
        Aggregate::Policies(_) => Number::Int(count),
    }
}

/// 100 × part / whole rounded half up to `decimals`; 0 when there is no whole to divide by.
/// Whole numbers (head counts) are divided exactly in integers, so 1877/2000 is 93.9 and
/// not the 93.8 a binary 93.85 would round to.
pub(crate) fn percent(part: f64, whole: f64, decimals: u32) -> f64 {
    if whole <= 0.0 {
        return 0.0;
    }
    let exact = |x: f64| x.fract() == 0.0 && x.abs() < 9.0e15;
    if exact(part) && exact(whole) && part >= 0.0 {
        let scale = 10i128.pow(decimals);
        let (part, whole) = (part as i128, whole as i128);
        let scaled = (part * 100 * scale * 2 + whole) / (2 * whole);
        return scaled as f64 / scale as f64;
    }
    round_to(part / whole * 100.0, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_exactly() {
        assert_eq!(percent(1877.0, 2000.0, 1), 93.9);
        assert_eq!(percent(1876.0, 2000.0, 1), 93.8);
        assert_eq!(percent(2.0, 3.0, 1), 66.7);
        assert_eq!(percent(1.0, 3.0, 1), 33.3);
        assert_eq!(percent(5.0, 5.0, 1), 100.0);
        assert_eq!(percent(3.0, 0.0, 1), 0.0);
        assert_eq!(percent(1.5, 2.0, 1), 75.0);
    }

    #[test]
    fn rows_become_values() {
        let catalogue = MetricCatalogue::default_metrics();
        let rows = vec![(4, 2, Some(3.25), None), (9, 2, Some(3.25), None)];
        let km = value_of(catalogue.get("red_cycling_km").unwrap(), &rows);
        assert_eq!(km.value, Number::Float(3.3));
        assert_eq!(km.records, vec![4, 9]);
        let talks = value_of(catalogue.get("heart_talks").unwrap(), &rows);
        assert_eq!(talks.value, Number::Int(3));
        let honors = value_of(catalogue.get("honors").unwrap(), &rows);
        assert_eq!(honors.value, Number::Int(2));
        let none = value_of(catalogue.get("participation_rate").unwrap(), &[]);
        assert_eq!(none.value, Number::Float(0.0));
        assert!(none.records.is_empty());
        assert_eq!(
            serde_json::to_string(&[Number::Int(3), Number::Float(3.0)]).unwrap(),
            "[3,3.0]"
        );
    }

    /// The scans (one per kind and year, side by side) give exactly what one query per metric
    /// gives — value and ids — for every default metric in each year of the demo park.
    #[tokio::test]
    async fn scans_agree_with_one_query_per_metric_on_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let (db, park) = crate::demo::tests::demo_park(&dir).await;
        let catalogue = MetricCatalogue::default_metrics();
        let years: Vec<_> = [2024, 2023, 2022]
            .into_iter()
            .map(|y| Year::new(y).unwrap().bounds())
            .collect();
        let scanned = compute_years(&db, park, &years, &catalogue).await.unwrap();
        assert_eq!(scanned.len(), 3);
        for (values, &bounds) in scanned.iter().zip(&years) {
            for metric in &catalogue.metrics {
                let one = one_metric(&db, metric, park, bounds).await.unwrap();
                assert_eq!(
                    values.get(&metric.id),
                    Some(&one),
                    "{} in {}",
                    metric.id,
                    values.year
                );
            }
        }
        let counted = scanned[0]
            .metrics
            .iter()
            .filter(|m| !m.records.is_empty())
            .count();
        assert!(
            counted > 20,
            "the demo's 2024 fills most metrics: {counted}"
        );
    }
}
