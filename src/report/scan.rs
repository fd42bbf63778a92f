//! One pass over a ledger kind for all of its metrics and years.
//!
//! Reading a field of a record means parsing its JSON, and on a large park that parsing is what
//! the report costs: one query per metric and year reads the 会议台账 fourteen times. A scan reads
//! the records of one kind (and date field) once, over the whole span its metrics and years
//! need, in one statement of three steps:
//!
//! - a `MATERIALIZED` common table expression extracts each field the metrics name, once per
//!   record, next to the record's id and date;
//! - over those columns the database decides, for every (metric, year) pair, which records
//!   count (the metric's filters, its period, its summed fields filled in);
//! - one aggregate row per pair, over the extracted rows that meet its conditions, gives the
//!   count, the sums and the list of the ids counted (`string_agg`, in SQLite since 3.44 as in
//!   PostgreSQL); the rows are stacked with `UNION ALL`.
//!
//! So the database computes every value, and the ids cross to us as one text per pair rather
//! than one row per record. The text is one SQL for both backends, every value bound, as in
//! [`super::sql`]. On SQLite the meetings' fields come from their copies in the index
//! `records_meeting_fields` ([`crate::db::COPIED_FIELDS`]), so the `MATERIALIZED` step reads the
//! index, not the JSON.

use chrono::NaiveDate;

use super::metrics::{Aggregate, Metric, Period, PEOPLE_KIND};
use super::sql::{Conditions, FLOAT};
use crate::db::{Backend, Bind, Db, DbError};

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
    /// Per row number: (index into the statement's metrics, index into years).
    pub pairs: Vec<(usize, usize)>,
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
    // Where every metric counts within its year by the kind's own date, each year is a scan of
    // its own (the years' records do not overlap, so nothing is read twice, and the scans can
    // run side by side); otherwise one scan covers all the years.
    let by_year = group.date_field.is_none()
        && group.metrics.iter().all(|m| m.period == Period::Year)
        && years.len() > 1;
    let spans: Vec<(usize, &[(NaiveDate, NaiveDate)])> = if by_year {
        years
            .iter()
            .enumerate()
            .map(|(y, span)| (y, std::slice::from_ref(span)))
            .collect()
    } else {
        vec![(0, years)]
    };
    let per_statement = (MAX_PAIRS / years.len().max(1)).max(1);
    let indices: Vec<usize> = (0..group.metrics.len()).collect();
    let mut out = Vec::new();
    for (offset, span) in spans {
        for chunk in indices.chunks(per_statement) {
            let metrics: Vec<&Metric> = chunk.iter().map(|&i| group.metrics[i]).collect();
            let mut query = scan_query(db, park_id, group, &metrics, span);
            for pair in &mut query.pairs {
                pair.1 += offset;
            }
            out.push((chunk.to_vec(), query));
        }
    }
    out
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
        Some(key) => db.json_field_of("fields", key, &mut b.binds),
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

    // One aggregate row per (metric, year): its number, count, sums and ids, each over the
    // extracted rows that meet its conditions.
    let none = format!("CAST(NULL AS {FLOAT})");
    let mut pairs = Vec::new();
    let mut branches = Vec::new();
    for (m, metric) in metrics.iter().enumerate() {
        let mut common: Vec<String> = summed[m]
            .iter()
            .map(|v| format!("{v} IS NOT NULL"))
            .collect();
        for filter in &metric.filters {
            let condition = b.filter(&filter.field, &filter.op);
            common.push(condition);
        }
        let sums: Vec<String> = (0..2)
            .map(|i| {
                summed[m]
                    .get(i)
                    .map_or_else(|| none.clone(), |v| format!("CAST(SUM({v}) AS {FLOAT})"))
            })
            .collect();
        for (y, &(first, last)) in years.iter().enumerate() {
            let mut conditions = common.clone();
            if metric.period == Period::Year {
                conditions.push(format!("d >= {}", b.bind(date_bind(first))));
            }
            conditions.push(format!("d <= {}", b.bind(date_bind(last))));
            branches.push(format!(
                "SELECT CAST({} AS BIGINT), COUNT(*), {}, {}, \
                   string_agg(CAST(id AS TEXT), ',') FROM x WHERE {}",
                pairs.len(),
                sums[0],
                sums[1],
                conditions.join(" AND ")
            ));
            pairs.push((m, y));
        }
    }
    let extracted: String = b
        .columns
        .iter()
        .map(|(_, column, expression)| format!(", {expression} AS {column}"))
        .collect();
    let sql = format!(
        "WITH x AS MATERIALIZED ( \
           SELECT id, {date_source} AS d{extracted} FROM records \
           WHERE park_id = $1 AND kind = {kind} AND deleted_at IS NULL{span} \
         ) {}",
        branches.join(" UNION ALL "),
    );
    ScanQuery {
        sql,
        binds: b.binds,
        pairs,
    }
}

/// One row of a scan: the pair's number, its count, its sums and its ids (`string_agg`).
type ScanRow = (i64, i64, Option<f64>, Option<f64>, Option<String>);

/// Runs a scan: one [`Tally`] per pair of `query.pairs`, in that order.
pub(crate) async fn run(db: &Db, query: &ScanQuery) -> Result<Vec<Tally>, DbError> {
    let rows: Vec<ScanRow> = crate::db::fetch_all(db, &query.sql, &query.binds).await?;
    let mut tallies = vec![Tally::default(); query.pairs.len()];
    for (k, count, sum_a, sum_b, ids) in rows {
        if let Some(tally) = usize::try_from(k).ok().and_then(|k| tallies.get_mut(k)) {
            *tally = Tally {
                count,
                sum_a,
                sum_b,
                records: parse_ids(ids.as_deref().unwrap_or("")),
            };
        }
    }
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

impl Conditions for Builder<'_> {
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The column holding field `key`'s text, extracting it on first use.
    fn field(&mut self, key: &str) -> String {
        if let Some((_, column, _)) = self.columns.iter().find(|(k, _, _)| k == key) {
            return column.clone();
        }
        let column = format!("f{}", self.columns.len());
        let expression = self.db.json_field_of("fields", key, &mut self.binds);
        self.columns
            .push((key.to_string(), column.clone(), expression));
        column
    }

    fn backend(&self) -> Backend {
        self.db.backend()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::metrics::MetricCatalogue;

    /// On SQLite the meetings' fields are read from their copies (`records.field_<key>`,
    /// `db::COPIED_FIELDS`): every scan over the meetings is a search of the covering index
    /// `records_meeting_fields`, and the copies equal the JSON in every record, after the demo's
    /// bulk insert and after each kind of change to a record.
    #[tokio::test]
    async fn meeting_fields_are_read_from_their_copies_in_one_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let (db, park) = crate::demo::tests::demo_park(&dir).await;
        let year = |y: i32| {
            (
                NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(y, 12, 31).unwrap(),
            )
        };

        let catalogue = MetricCatalogue::default_metrics();
        let meetings = groups(&catalogue.metrics)
            .into_iter()
            .find(|g| g.kind == "meeting" && g.date_field.is_none())
            .expect("the default metrics count meetings");
        let scans = scan_queries(&db, park, &meetings, &[year(2024), year(2023)]);
        assert!(!scans.is_empty());
        for (_, query) in &scans {
            let plan: Vec<(i64, i64, i64, String)> = crate::db::fetch_all(
                &db,
                &format!("EXPLAIN QUERY PLAN {}", query.sql),
                &query.binds,
            )
            .await
            .unwrap();
            assert!(
                plan.iter()
                    .any(|(_, _, _, d)| d.contains("COVERING INDEX records_meeting_fields")),
                "{plan:?}\n{}",
                query.sql
            );
        }

        let values = crate::report::compute::compute(
            &db,
            park,
            crate::calendar::Year::new(2024).unwrap(),
            &catalogue,
        )
        .await
        .unwrap();
        let participation = values.get("participation_rate").unwrap();
        assert!(participation.records.len() > 100, "{participation:?}");

        // Each copy is what `json_extract` gives, for every record of every kind.
        let stale = || async {
            let mut stale = Vec::new();
            for key in crate::db::COPIED_FIELDS {
                let (n,): (i64,) = crate::db::fetch_one(
                    &db,
                    &format!(
                        "SELECT COUNT(*) FROM records \
                         WHERE field_{key} IS NOT json_extract(fields, '$.{key}')"
                    ),
                    &[],
                )
                .await
                .unwrap();
                if n > 0 {
                    stale.push((key, n));
                }
            }
            stale
        };
        assert_eq!(stale().await, Vec::new());
        let (total, copied): (i64, i64) = crate::db::fetch_one(
            &db,
            "SELECT COUNT(*), COUNT(field_meeting_type) FROM records WHERE kind = 'meeting'",
            &[],
        )
        .await
        .unwrap();
        assert!(total > 1000 && copied == total, "{copied} of {total}");

        let Db::Sqlite(pool) = &db else {
            unreachable!("the test database is SQLite")
        };
        let one: (i64,) = sqlx::query_as("SELECT MIN(id) FROM records WHERE kind = 'meeting'")
            .fetch_one(pool)
            .await
            .unwrap();
        // A row inserted without its copies (no INSERT of ours does that) gets them from the
        // trigger.
        sqlx::query(
            "INSERT INTO records (park_id, kind, occurred_on, unit_id, enterprise_id, title, \
             fields, search_text, created_at, updated_at) \
             SELECT park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, \
             search_text, created_at, updated_at FROM records WHERE id = $1",
        )
        .bind(one.0)
        .execute(pool)
        .await
        .unwrap();
        assert_eq!(stale().await, Vec::new(), "after an unmarked insert");
        let (unmarked,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM records WHERE fields_copied IS NOT 1")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(unmarked, 0);
        for change in [
            "UPDATE records SET fields = json_set(fields, '$.attended', 99, \
             '$.meeting_type', '党课', '$.is_party_topic', json('true')) WHERE id = $1",
            "UPDATE records SET title = title || '（改）', deleted_at = '2025-06-15' WHERE id = $1",
            "UPDATE records SET fields = json_remove(fields, '$.expected'), deleted_at = NULL \
             WHERE id = $1",
        ] {
            sqlx::query(change).bind(one.0).execute(pool).await.unwrap();
            assert_eq!(stale().await, Vec::new(), "after {change}");
        }
        let copies: (i64, String, i64, Option<i64>) = sqlx::query_as(
            "SELECT field_attended, field_meeting_type, field_is_party_topic, field_expected \
             FROM records WHERE id = $1",
        )
        .bind(one.0)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(copies, (99, "党课".to_string(), 1, None));
    }
}
