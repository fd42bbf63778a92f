//! One pass over a ledger kind for all of its metrics and years.
//!
//! Reading a field of a record means parsing its JSON, and on a large park that parsing is what
//! the report costs: one query per metric and year reads the 会议台账 fourteen times. A scan reads
//! the records of one kind (and date field) once, over the whole span its metrics and years
//! need, in one statement of three steps:
//!
//! - a `MATERIALIZED` common table expression extracts each field the metrics name, once per
//!   record, next to the record's id and date;
//! - over those columns the database decides, for every (metric, year) pair, whether the record
//!   counts (the metric's filters, its period, its summed fields filled in), and casts the
//!   summed fields to numbers;
//! - one aggregate row gives, for every pair, the count, the sums and the list of the ids counted
//!   (`string_agg`, in SQLite since 3.44 as in PostgreSQL).
//!
//! So the database computes every value, and the ids cross to us as one text per pair rather
//! than one row per record. The text is one SQL for both backends, every value bound, as in
//! [`super::sql`].

use chrono::NaiveDate;
use sqlx::Row;

use super::metrics::{Aggregate, FilterOp, Metric, Period, Scalar, PEOPLE_KIND};
use super::sql::{json_bool, Bind, FLOAT};
use crate::db::{Db, DbError};
use crate::on_db;

/// The most (metric, year) pairs one statement decides, to keep its column count modest.
const MAX_PAIRS: usize = 48;

/// True for the metrics a scan computes: counts, sums and ratios over a ledger kind.
pub(crate) fn scannable(metric: &Metric) -> bool {
    metric.kind != PEOPLE_KIND
        && matches!(
            metric.aggregate,
            Aggregate::Count | Aggregate::Sum { .. } | Aggregate::Ratio { .. }
        )
}

/// What the database computed for one (metric, year): the count, the sums (when the metric
/// has them) and the ids counted, ascending.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tally {
    pub count: i64,
    pub sum_a: Option<f64>,
    pub sum_b: Option<f64>,
    pub records: Vec<i64>,
}

/// The metrics sharing a kind and a date field.
pub(crate) struct Group<'a> {
    pub kind: &'a str,
    pub date_field: Option<&'a str>,
    pub metrics: Vec<&'a Metric>,
}

/// Groups the scannable metrics of `metrics` by kind and date field, in first-seen order.
pub(crate) fn groups<'a>(metrics: impl IntoIterator<Item = &'a Metric>) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    for metric in metrics.into_iter().filter(|m| scannable(m)) {
        let date_field = metric.date_field.as_deref();
        match out
            .iter_mut()
            .find(|g| g.kind == metric.kind && g.date_field == date_field)
        {
            Some(group) => group.metrics.push(metric),
            None => out.push(Group {
                kind: &metric.kind,
                date_field,
                metrics: vec![metric],
            }),
        }
    }
    out
}

/// A scan's statement: its text, its binds, and what its one row holds.
#[derive(Clone, Debug)]
pub(crate) struct ScanQuery {
    pub sql: String,
    pub binds: Vec<Bind>,
    /// Per pair (index into the statement's metrics, index into years), in column order: each
    /// pair's columns are the count, one sum per summed field of its metric, then the ids.
    pub pairs: Vec<(usize, usize)>,
    /// How many sums each pair's metric has (0, 1 or 2), by the pair's metric index.
    pub sums: Vec<usize>,
}

/// The scans of one group for `years` (each a year's first and last day), at most
/// [`MAX_PAIRS`] (metric, year) pairs a statement, each with the group's metric indices it
/// covers.
pub(crate) fn scan_queries(
    db: &Db,
    park_id: i64,
    group: &Group<'_>,
    years: &[(NaiveDate, NaiveDate)],
) -> Vec<(Vec<usize>, ScanQuery)> {
    let per_statement = (MAX_PAIRS / years.len().max(1)).max(1);
    let indices: Vec<usize> = (0..group.metrics.len()).collect();
    indices
        .chunks(per_statement)
        .map(|chunk| {
            let metrics: Vec<&Metric> = chunk.iter().map(|&i| group.metrics[i]).collect();
            (
                chunk.to_vec(),
                scan_query(db, park_id, group, &metrics, years),
            )
        })
        .collect()
}

fn scan_query(
    db: &Db,
    park_id: i64,
    group: &Group<'_>,
    metrics: &[&Metric],
    years: &[(NaiveDate, NaiveDate)],
) -> ScanQuery {
    let mut b = Builder {
        db,
        binds: vec![Bind::Int(park_id)],
        columns: Vec::new(),
    };
    let kind = b.bind(Bind::Text(group.kind.to_string()));

    // The span the statement reads: from the earliest first day (or the beginning, when a
    // metric counts to date) to the latest last day. A date field other than the kind's own is
    // ISO text inside the JSON, compared as text (in date order); it has no index to narrow by.
    let date_bind = |d: NaiveDate| match group.date_field {
        None => Bind::Date(d),
        Some(_) => Bind::Text(d.format("%Y-%m-%d").to_string()),
    };
    let date_source = match group.date_field {
        None => "occurred_on".to_string(),
        Some(key) => {
            b.binds.push(Bind::Text(key.to_string()));
            db.json_field("fields", b.binds.len())
        }
    };
    let mut span = String::new();
    if group.date_field.is_none() {
        let to_date = metrics.iter().any(|m| m.period == Period::ToDate);
        if let (Some(first), false) = (years.iter().map(|y| y.0).min(), to_date) {
            span.push_str(&format!(
                " AND occurred_on >= {}",
                b.bind(Bind::Date(first))
            ));
        }
        if let Some(last) = years.iter().map(|y| y.1).max() {
            span.push_str(&format!(" AND occurred_on <= {}", b.bind(Bind::Date(last))));
        }
    }

    // The summed fields of each metric, as numbers.
    let summed: Vec<Vec<String>> = metrics
        .iter()
        .map(|metric| match &metric.aggregate {
            Aggregate::Sum { field } => vec![b.number(field)],
            Aggregate::Ratio {
                numerator,
                denominator,
            } => vec![b.number(numerator), b.number(denominator)],
            _ => vec![],
        })
        .collect();

    // One flag column per (metric, year), and that pair's aggregates.
    let mut pairs = Vec::new();
    let mut flags = Vec::new();
    let mut aggregates = Vec::new();
    for (m, metric) in metrics.iter().enumerate() {
        let mut common: Vec<String> = summed[m]
            .iter()
            .map(|v| format!("{v} IS NOT NULL"))
            .collect();
        for filter in &metric.filters {
            let condition = b.filter(&filter.field, &filter.op);
            common.push(condition);
        }
        for (y, &(first, last)) in years.iter().enumerate() {
            let mut conditions = common.clone();
            if metric.period == Period::Year {
                conditions.push(format!("d >= {}", b.bind(date_bind(first))));
            }
            conditions.push(format!("d <= {}", b.bind(date_bind(last))));
            let flag = format!("c{}", pairs.len());
            flags.push(format!(
                ", CASE WHEN {} THEN 1 ELSE 0 END AS {flag}",
                conditions.join(" AND ")
            ));
            aggregates.push(format!("COUNT(CASE WHEN {flag} = 1 THEN 1 END)"));
            for (i, _) in summed[m].iter().enumerate() {
                aggregates.push(format!(
                    "CAST(SUM(CASE WHEN {flag} = 1 THEN s{m}_{i} END) AS {FLOAT})"
                ));
            }
            aggregates.push(format!(
                "string_agg(CASE WHEN {flag} = 1 THEN CAST(id AS TEXT) END, ',')"
            ));
            pairs.push((m, y));
        }
    }
    let values: String = summed
        .iter()
        .enumerate()
        .flat_map(|(m, vs)| {
            vs.iter()
                .enumerate()
                .map(move |(i, v)| format!(", {v} AS s{m}_{i}"))
        })
        .collect();
    let extracted: String = b
        .columns
        .iter()
        .map(|(_, column, expression)| format!(", {expression} AS {column}"))
        .collect();
    let sql = format!(
        "WITH x AS MATERIALIZED ( \
           SELECT id, {date_source} AS d{extracted} FROM records \
           WHERE park_id = $1 AND kind = {kind} AND deleted_at IS NULL{span} \
         ), decided AS ( \
           SELECT id{values}{flags} FROM x \
         ) \
         SELECT {} FROM decided",
        aggregates.join(", "),
        flags = flags.concat(),
    );
    ScanQuery {
        sql,
        binds: b.binds,
        pairs,
        sums: summed.iter().map(Vec::len).collect(),
    }
}

/// Runs a scan: one [`Tally`] per pair of `query.pairs`.
pub(crate) async fn run(db: &Db, query: &ScanQuery) -> Result<Vec<Tally>, DbError> {
    let mut tallies = Vec::with_capacity(query.pairs.len());
    on_db!(db, |pool| {
        let mut q = sqlx::query(&query.sql);
        for bind in &query.binds {
            q = match bind {
                Bind::Int(n) => q.bind(*n),
                Bind::Text(t) => q.bind(t.as_str()),
                Bind::Number(x) => q.bind(*x),
                Bind::Date(d) => q.bind(*d),
            };
        }
        let row = q.fetch_one(pool).await?;
        let mut column = 0;
        for &(m, _) in &query.pairs {
            let count: i64 = row.try_get(column)?;
            let mut sums = [None, None];
            for sum in sums.iter_mut().take(query.sums[m]) {
                column += 1;
                *sum = row.try_get::<Option<f64>, _>(column)?;
            }
            column += 1;
            let ids: Option<String> = row.try_get(column)?;
            column += 1;
            tallies.push(Tally {
                count,
                sum_a: sums[0],
                sum_b: sums[1],
                records: parse_ids(ids.as_deref().unwrap_or("")),
            });
        }
        Ok::<(), DbError>(())
    })?;
    Ok(tallies)
}

/// The ids of a `string_agg` list, ascending.
fn parse_ids(list: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids
}

/// Builds the conditions over the extracted columns: each field a metric names becomes one
/// column `f{n}` of the common table expression, extracted once per record.
struct Builder<'a> {
    db: &'a Db,
    binds: Vec<Bind>,
    /// Each extracted field: its key, its column and the expression extracting it.
    columns: Vec<(String, String, String)>,
}

impl Builder<'_> {
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The column holding field `key`'s text, extracting it on first use.
    fn extract(&mut self, key: &str) -> String {
        if let Some((_, column, _)) = self.columns.iter().find(|(k, _, _)| k == key) {
            return column.clone();
        }
        self.binds.push(Bind::Text(key.to_string()));
        let column = format!("f{}", self.columns.len());
        let expression = self.db.json_field("fields", self.binds.len());
        self.columns
            .push((key.to_string(), column.clone(), expression));
        column
    }

    fn number(&mut self, key: &str) -> String {
        format!("CAST({} AS {FLOAT})", self.extract(key))
    }

    fn filter(&mut self, key: &str, op: &FilterOp) -> String {
        match op {
            FilterOp::Eq(value) => self.equals(key, value),
            FilterOp::Not(value) => {
                let field = self.extract(key);
                let equal = self.equals(key, value);
                format!("({field} IS NULL OR NOT ({equal}))")
            }
            FilterOp::In(values) => {
                let alternatives: Vec<String> =
                    values.iter().map(|v| self.equals(key, v)).collect();
                format!("({})", alternatives.join(" OR "))
            }
            FilterOp::Gt(n) => self.compare(key, ">", *n),
            FilterOp::Gte(n) => self.compare(key, ">=", *n),
            FilterOp::Lt(n) => self.compare(key, "<", *n),
            FilterOp::Lte(n) => self.compare(key, "<=", *n),
        }
    }

    fn equals(&mut self, key: &str, value: &Scalar) -> String {
        match value {
            Scalar::Text(text) => {
                let field = self.extract(key);
                format!("{field} = {}", self.bind(Bind::Text(text.clone())))
            }
            Scalar::Number(n) => self.compare(key, "=", *n),
            Scalar::Bool(b) => {
                let field = self.extract(key);
                json_bool(self.db.backend(), &field, *b)
            }
        }
    }

    fn compare(&mut self, key: &str, op: &str, n: f64) -> String {
        let value = self.number(key);
        format!("{value} {op} {}", self.bind(Bind::Number(n)))
    }
}
