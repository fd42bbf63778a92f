//! The query text of one metric: one SQL text per metric that runs unchanged on SQLite and
//! PostgreSQL, with every value bound (`$n`) and only our own text spliced in (column names, the
//! JSON accessor of [`Db::json_field_of`], placeholder numbers).
//!
//! Every query returns one row per counted record (or person), ordered by id, with four
//! columns: the id, the number of rows, and up to two sums. The aggregates are window functions
//! (`COUNT(*) OVER ()`, `SUM(..) OVER ()`), so the database computes the value and the same
//! query lists the records it counted; an empty result means zero.

use chrono::NaiveDate;

use super::metrics::{
    Aggregate, FilterOp, Metric, Period, PolicyMeasure, RequestMeasure, Scalar, TaskMeasure,
    PEOPLE_KIND,
};
use crate::db::{Backend, Bind, Db};
use crate::org::queries::escape_like;

/// A query text and its binds; `binds[0]` is `$1`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MetricQuery {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// The SQL type both backends accept for a float: SQLite reads any type name holding "DOUB" as
/// REAL, PostgreSQL has it as `float8`.
pub(crate) const FLOAT: &str = "DOUBLE PRECISION";

/// Builds the query of `metric` for one park and year (its first and last day,
/// `calendar::Year::bounds`).
pub(crate) fn metric_query(
    db: &Db,
    metric: &Metric,
    park_id: i64,
    (first, last): (NaiveDate, NaiveDate),
) -> MetricQuery {
    let mut q = Builder {
        db,
        binds: vec![Bind::Int(park_id)],
    };
    match &metric.aggregate {
        Aggregate::PeopleTagged { tag } => q.people_tagged(tag),
        Aggregate::ServiceStaff { staff_type, team } => q.service_staff(staff_type, team, last),
        Aggregate::Tasks(measure) => q.tasks(*measure, first),
        Aggregate::Requests(measure) => q.requests(*measure, first, last),
        Aggregate::Policies(measure) => q.policies(*measure, first, last),
        Aggregate::Members => q.members(None, last),
        Aggregate::MembersJoined => q.members(Some(first), last),
        Aggregate::Units {
            unit_types,
            in_enterprise,
            name_contains,
        } => q.units(unit_types, *in_enterprise, name_contains.as_deref()),
        Aggregate::EnterprisesWith { unit_types } => q.enterprises_with(unit_types),
        _ if metric.kind == PEOPLE_KIND => unreachable_people(&mut q),
        _ => q.ledger(metric, first, last),
    }
}

/// Metric checks pair `people` with roster aggregates only; should that ever fail, the query
/// counts nothing rather than something wrong.
fn unreachable_people(q: &mut Builder<'_>) -> MetricQuery {
    q.finish(format!(
        "SELECT id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
         FROM people WHERE park_id = $1 AND 1 = 0 ORDER BY id"
    ))
}

struct Builder<'a> {
    db: &'a Db,
    binds: Vec<Bind>,
}

impl Conditions for Builder<'_> {
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The text of a record field ([`Db::json_field_of`]).
    fn field(&mut self, key: &str) -> String {
        self.db.json_field_of("fields", key, &mut self.binds)
    }

    fn backend(&self) -> Backend {
        self.db.backend()
    }
}

/// The SQL of a metric's filters, for a query writer that knows how to bind a value and where a
/// record's field is: the JSON accessor in one query per metric ([`metric_query`]), a column
/// extracted once per record in a scan (`scan.rs`).
pub(crate) trait Conditions {
    /// Binds a value and returns its placeholder.
    fn bind(&mut self, value: Bind) -> String;

    /// The SQL giving the text of field `key` of the record at hand.
    fn field(&mut self, key: &str) -> String;

    fn backend(&self) -> Backend;

    fn number(&mut self, key: &str) -> String {
        format!("CAST({} AS {FLOAT})", self.field(key))
    }

    fn filter(&mut self, key: &str, op: &FilterOp) -> String {
        match op {
            FilterOp::Eq(value) => self.equals(key, value),
            FilterOp::Not(value) => {
                let field = self.field(key);
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
                let field = self.field(key);
                format!("{field} = {}", self.bind(Bind::Text(text.clone())))
            }
            Scalar::Number(n) => self.compare(key, "=", *n),
            Scalar::Bool(b) => {
                let field = self.field(key);
                crate::db::json_bool(self.backend(), &field, *b)
            }
        }
    }

    fn compare(&mut self, key: &str, op: &str, n: f64) -> String {
        let value = self.number(key);
        format!("{value} {op} {}", self.bind(Bind::Number(n)))
    }
}

impl Builder<'_> {
    fn finish(&mut self, sql: String) -> MetricQuery {
        MetricQuery {
            sql,
            binds: std::mem::take(&mut self.binds),
        }
    }

    fn ledger(&mut self, metric: &Metric, first: NaiveDate, last: NaiveDate) -> MetricQuery {
        let kind = self.bind(Bind::Text(metric.kind.clone()));
        // The sums come first so that their placeholders are numbered in text order.
        let (sum_a, sum_b, present) = match &metric.aggregate {
            Aggregate::Sum { field } => {
                let value = self.number(field);
                (sum(&value), format!("CAST(NULL AS {FLOAT})"), vec![value])
            }
            Aggregate::Ratio {
                numerator,
                denominator,
            } => {
                let top = self.number(numerator);
                let bottom = self.number(denominator);
                (sum(&top), sum(&bottom), vec![top, bottom])
            }
            _ => (
                format!("CAST(NULL AS {FLOAT})"),
                format!("CAST(NULL AS {FLOAT})"),
                vec![],
            ),
        };
        let mut conditions = vec![
            "park_id = $1".to_string(),
            format!("kind = {kind}"),
            "deleted_at IS NULL".to_string(),
        ];
        // A record that leaves a summed field empty adds nothing, so it is not listed either.
        conditions.extend(present.iter().map(|v| format!("{v} IS NOT NULL")));
        // The kind's own date field is the indexed `occurred_on` column; another date field is
        // ISO text inside the JSON, which compares in date order as text.
        let (date, first, last) = match &metric.date_field {
            None => (
                "occurred_on".to_string(),
                Bind::Date(first),
                Bind::Date(last),
            ),
            Some(key) => (
                self.field(key),
                Bind::Text(first.format("%Y-%m-%d").to_string()),
                Bind::Text(last.format("%Y-%m-%d").to_string()),
            ),
        };
        if metric.period == Period::Year {
            conditions.push(format!("{date} >= {}", self.bind(first)));
        }
        conditions.push(format!("{date} <= {}", self.bind(last)));
        for filter in &metric.filters {
            let condition = self.filter(&filter.field, &filter.op);
            conditions.push(condition);
        }
        self.finish(format!(
            "SELECT id, COUNT(*) OVER (), {sum_a}, {sum_b} FROM records WHERE {} ORDER BY id",
            conditions.join(" AND ")
        ))
    }

    /// The tasks of the report year's plans. Decomposed: the sub-tasks. Due: those whose
    /// deadline falls within the year. On time: those due and done on or before their deadline,
    /// so that on time ≤ due and the rate is on time / due. The rate lists the tasks due within the year, with the on-time
    /// ones summed in the first sum and all of them in the second.
    fn tasks(&mut self, measure: TaskMeasure, first: NaiveDate) -> MetricQuery {
        let year = self.bind(Bind::Int(i64::from(chrono::Datelike::year(&first))));
        let mut on_time = || {
            let done = self.bind(Bind::Text("done".to_string()));
            format!(
                "t.status = {done} AND t.completed_on IS NOT NULL \
                 AND t.completed_on <= t.deadline"
            )
        };
        let from = "FROM tasks t JOIN plans p ON p.park_id = t.park_id AND p.id = t.plan_id \
                    WHERE t.park_id = $1";
        let none = format!("CAST(NULL AS {FLOAT})");
        let sql = match measure {
            TaskMeasure::Decomposed => format!(
                "SELECT t.id, COUNT(*) OVER (), {none}, {none} {from} AND p.year = {year} \
                 AND t.parent_id IS NOT NULL ORDER BY t.id"
            ),
            TaskMeasure::Due | TaskMeasure::OnTime => {
                let done = if measure == TaskMeasure::OnTime {
                    format!("AND {}", on_time())
                } else {
                    String::new()
                };
                let last = self.bind(Bind::Date(
                    NaiveDate::from_ymd_opt(chrono::Datelike::year(&first), 12, 31)
                        .unwrap_or(first),
                ));
                format!(
                    "SELECT t.id, COUNT(*) OVER (), {none}, {none} {from} AND p.year = {year} \
                     AND t.deadline <= {last} {done} ORDER BY t.id"
                )
            }
            TaskMeasure::OnTimeRate => {
                let on_time = on_time();
                let last = self.bind(Bind::Date(
                    NaiveDate::from_ymd_opt(chrono::Datelike::year(&first), 12, 31)
                        .unwrap_or(first),
                ));
                format!(
                    "SELECT t.id, COUNT(*) OVER (), \
                       SUM(CAST(CASE WHEN {on_time} THEN 1 ELSE 0 END AS {FLOAT})) OVER (), \
                       CAST(COUNT(*) OVER () AS {FLOAT}) \
                     {from} AND p.year = {year} AND t.deadline <= {last} ORDER BY t.id"
                )
            }
        };
        self.finish(sql)
    }

    /// The enterprise requests of a request metric (`RequestMeasure`). A count lists what it
    /// counts; a rate lists its denominator's requests, with its numerator's in the first sum
    /// and all of them in the second; the average lists the closed requests (its value is
    /// counted in working days afterwards, `compute::workdays_to_close`).
    fn requests(
        &mut self,
        measure: RequestMeasure,
        first: NaiveDate,
        last: NaiveDate,
    ) -> MetricQuery {
        use RequestMeasure::*;
        let none = format!("CAST(NULL AS {FLOAT})");
        let first = self.bind(Bind::Date(first));
        let last = self.bind(Bind::Date(last));
        let nature = match measure {
            Suggestions => crate::requests::SUGGESTION,
            _ => crate::requests::PROBLEM,
        };
        let nature = self.bind(Bind::Text(nature.to_string()));
        // The year's cohort: received within the year; the problems solved are those closed
        // within it instead.
        let year = match measure {
            Solved => format!("r.closed_on >= {first} AND r.closed_on <= {last}"),
            _ => format!("r.received_on >= {first} AND r.received_on <= {last}"),
        };
        let contacted = "r.contacted_on IS NOT NULL AND r.contacted_on <= r.contact_by".to_string();
        let closed = "r.closed_on IS NOT NULL".to_string();
        let on_time = "r.closed_on IS NOT NULL AND r.closed_on <= r.close_by".to_string();
        let rated = "r.rating IS NOT NULL".to_string();
        let reopened = "r.reopened > 0".to_string();
        // (the condition of what is listed, the numerator's condition for a rate)
        let (listed, part) = match measure {
            Received | Suggestions | Solved => (None, None),
            ContactedInTime => (Some(contacted), None),
            ResponseRate => (None, Some(contacted)),
            Closed | AvgWorkdaysToClose => (Some(closed), None),
            CloseRate => (None, Some(closed)),
            ClosedOnTime => (Some(on_time), None),
            OnTimeCloseRate => (Some(closed), Some(on_time)),
            Rated => (Some(rated), None),
            Satisfied => (Some(self.satisfied()), None),
            SatisfactionRate => (Some(rated), Some(self.satisfied())),
            Returned => (Some(self.returned()), None),
            ReturnRate => (None, Some(self.returned())),
            Reopened => (Some(reopened), None),
            ReopenRate => (None, Some(reopened)),
        };
        let listed = listed.map(|c| format!(" AND {c}")).unwrap_or_default();
        let (sum_a, sum_b) = match part {
            Some(c) => (
                format!("SUM(CAST(CASE WHEN {c} THEN 1 ELSE 0 END AS {FLOAT})) OVER ()"),
                format!("CAST(COUNT(*) OVER () AS {FLOAT})"),
            ),
            None => (none.clone(), none),
        };
        self.finish(format!(
            "SELECT r.id, COUNT(*) OVER (), {sum_a}, {sum_b} FROM requests r \
             WHERE r.park_id = $1 AND r.nature = {nature} AND {year}{listed} ORDER BY r.id"
        ))
    }

    /// The policy pushes of a policy metric (`PolicyMeasure`), those made within the year. The
    /// policies and the enterprises are listed once each (grouped), the pushes one by one; the
    /// read rate lists every push, the read ones in its first sum.
    fn policies(
        &mut self,
        measure: PolicyMeasure,
        first: NaiveDate,
        last: NaiveDate,
    ) -> MetricQuery {
        let none = format!("CAST(NULL AS {FLOAT})");
        let first = self.bind(Bind::Date(first));
        let last = self.bind(Bind::Date(last));
        let year = format!("u.park_id = $1 AND u.pushed_on >= {first} AND u.pushed_on <= {last}");
        let sql = match measure {
            PolicyMeasure::Policies => format!(
                "SELECT u.policy_id, COUNT(*) OVER (), {none}, {none} FROM policy_pushes u \
                 WHERE {year} GROUP BY u.policy_id ORDER BY u.policy_id"
            ),
            PolicyMeasure::Enterprises => format!(
                "SELECT u.enterprise_id, COUNT(*) OVER (), {none}, {none} FROM policy_pushes u \
                 WHERE {year} GROUP BY u.enterprise_id ORDER BY u.enterprise_id"
            ),
            PolicyMeasure::Pushes => format!(
                "SELECT u.id, COUNT(*) OVER (), {none}, {none} FROM policy_pushes u \
                 WHERE {year} ORDER BY u.id"
            ),
            PolicyMeasure::PushesRead => format!(
                "SELECT u.id, COUNT(*) OVER (), {none}, {none} FROM policy_pushes u \
                 WHERE {year} AND u.read_at IS NOT NULL ORDER BY u.id"
            ),
            PolicyMeasure::ReadRate => format!(
                "SELECT u.id, COUNT(*) OVER (), \
                 SUM(CAST(CASE WHEN u.read_at IS NOT NULL THEN 1 ELSE 0 END AS {FLOAT})) OVER (), \
                 CAST(COUNT(*) OVER () AS {FLOAT}) FROM policy_pushes u \
                 WHERE {year} ORDER BY u.id"
            ),
        };
        self.finish(sql)
    }

    /// A request rated 满意 or 基本满意.
    fn satisfied(&mut self) -> String {
        let a = self.bind(Bind::Text(
            crate::requests::Rating::Satisfied.as_str().into(),
        ));
        let b = self.bind(Bind::Text(crate::requests::Rating::Fair.as_str().into()));
        format!("r.rating IN ({a}, {b})")
    }

    /// A request ever returned (退回): its thread holds the step, even when overruled since.
    fn returned(&mut self) -> String {
        let step = self.bind(Bind::Text(crate::requests::Step::Return.as_str().into()));
        format!(
            "EXISTS (SELECT 1 FROM request_events v WHERE v.park_id = r.park_id \
             AND v.request_id = r.id AND v.step = {step})"
        )
    }

    /// Roster people whose comma-separated tags hold `tag` (spaces and full-width commas that
    /// an import may leave are ignored). People carry no business date, so a roster count is
    /// the roster as it stands.
    fn people_tagged(&mut self, tag: &str) -> MetricQuery {
        let pattern = self.bind(Bind::Text(format!("%,{},%", escape_like(tag))));
        self.finish(format!(
            "SELECT id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
             FROM people WHERE park_id = $1 \
             AND (',' || REPLACE(REPLACE(tags, ' ', ''), '，', ',') || ',') LIKE {pattern} ESCAPE '\\' \
             ORDER BY id"
        ))
    }

    /// Party members of the roster: those who had joined by `last` (or whose 入党日期 is not
    /// recorded), or with `first`, those who joined between `first` and `last` (发展党员).
    fn members(&mut self, first: Option<NaiveDate>, last: NaiveDate) -> MetricQuery {
        let last = self.bind(Bind::Date(last));
        let joined = match first {
            Some(first) => {
                let first = self.bind(Bind::Date(first));
                format!("joined_on >= {first} AND joined_on <= {last}")
            }
            None => format!("(joined_on IS NULL OR joined_on <= {last})"),
        };
        self.finish(format!(
            "SELECT id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
             FROM people WHERE park_id = $1 AND is_member = TRUE AND {joined} ORDER BY id"
        ))
    }

    /// `IN (..)` of the unit types, each bound.
    fn unit_types(&mut self, column: &str, unit_types: &[String]) -> String {
        let list: Vec<String> = unit_types
            .iter()
            .map(|t| self.bind(Bind::Text(t.clone())))
            .collect();
        format!("{column} IN ({})", list.join(", "))
    }

    /// Units of the org tree of the given types; units carry no business date, so the count is
    /// the tree as it stands.
    fn units(
        &mut self,
        unit_types: &[String],
        in_enterprise: bool,
        name_contains: Option<&str>,
    ) -> MetricQuery {
        let mut conditions = vec![
            "park_id = $1".to_string(),
            self.unit_types("unit_type", unit_types),
        ];
        if in_enterprise {
            conditions.push("enterprise_id IS NOT NULL".to_string());
        }
        if let Some(word) = name_contains {
            let pattern = self.bind(Bind::Text(format!("%{}%", escape_like(word))));
            conditions.push(format!("name LIKE {pattern} ESCAPE '\\'"));
        }
        self.finish(format!(
            "SELECT id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
             FROM units WHERE {} ORDER BY id",
            conditions.join(" AND ")
        ))
    }

    /// Enterprises in which a unit of the given types is set up (组织覆盖).
    fn enterprises_with(&mut self, unit_types: &[String]) -> MetricQuery {
        let types = self.unit_types("u.unit_type", unit_types);
        self.finish(format!(
            "SELECT id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
             FROM enterprises WHERE park_id = $1 AND EXISTS (SELECT 1 FROM units u \
             WHERE u.park_id = enterprises.park_id AND u.enterprise_id = enterprises.id \
             AND {types}) ORDER BY id"
        ))
    }

    /// Distinct people holding a post of `staff_type`, open at `last`, in the service team and
    /// every unit below it. The team is each unit marked `is_service_team`; while none is marked,
    /// the 工作组 whose name contains `team`.
    fn service_staff(&mut self, staff_type: &str, team: &str, last: NaiveDate) -> MetricQuery {
        let staff_type = self.bind(Bind::Text(staff_type.to_string()));
        let name = self.bind(Bind::Text(format!("%{}%", escape_like(team))));
        let day = self.bind(Bind::Date(last));
        self.finish(format!(
            "WITH RECURSIVE team(id) AS ( \
               SELECT id FROM units WHERE park_id = $1 AND (is_service_team = TRUE OR ( \
                 unit_type = '工作组' AND name LIKE {name} ESCAPE '\\' AND NOT EXISTS ( \
                   SELECT 1 FROM units marked WHERE marked.park_id = $1 \
                   AND marked.is_service_team = TRUE))) \
               UNION \
               SELECT u.id FROM units u JOIN team ON u.parent_id = team.id WHERE u.park_id = $1 \
             ) \
             SELECT p.person_id, COUNT(*) OVER (), CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}) \
             FROM positions p \
             WHERE p.park_id = $1 AND p.unit_id IN (SELECT id FROM team) \
             AND p.staff_type = {staff_type} \
             AND (p.start_on IS NULL OR p.start_on <= {day}) \
             AND (p.end_on IS NULL OR p.end_on > {day}) \
             GROUP BY p.person_id ORDER BY p.person_id"
        ))
    }
}

/// The bare aggregate of a metric's query, for measuring what listing the ids costs: the same
/// conditions, one row of plain `COUNT` and `SUM`s, no window, no ids, no order.
pub(crate) fn bare_aggregate(query: &MetricQuery) -> MetricQuery {
    let sql = query
        .sql
        .replacen("SELECT id, COUNT(*) OVER ()", "SELECT COUNT(*)", 1)
        .replacen("SELECT t.id, COUNT(*) OVER ()", "SELECT COUNT(*)", 1)
        .replacen("SELECT r.id, COUNT(*) OVER ()", "SELECT COUNT(*)", 1)
        .replacen("SELECT u.id, COUNT(*) OVER ()", "SELECT COUNT(*)", 1)
        .replacen(
            "SELECT p.person_id, COUNT(*) OVER ()",
            "SELECT COUNT(DISTINCT p.person_id)",
            1,
        )
        .replacen(
            "SELECT u.policy_id, COUNT(*) OVER ()",
            "SELECT COUNT(DISTINCT u.policy_id)",
            1,
        )
        .replacen(
            "SELECT u.enterprise_id, COUNT(*) OVER ()",
            "SELECT COUNT(DISTINCT u.enterprise_id)",
            1,
        )
        .replace(" OVER ()", "")
        .replace(" GROUP BY p.person_id ORDER BY p.person_id", "")
        .replace(" GROUP BY u.policy_id ORDER BY u.policy_id", "")
        .replace(" GROUP BY u.enterprise_id ORDER BY u.enterprise_id", "")
        .replace(" ORDER BY u.id", "")
        .replace(" ORDER BY t.id", "")
        .replace(" ORDER BY r.id", "")
        .replace(" ORDER BY id", "");
    MetricQuery {
        sql,
        binds: query.binds.clone(),
    }
}

fn sum(value: &str) -> String {
    format!("CAST(SUM({value}) OVER () AS {FLOAT})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::metrics::MetricCatalogue;

    fn sqlite() -> Db {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .connect_lazy("sqlite::memory:")
            .unwrap();
        Db::Sqlite(pool)
    }

    #[tokio::test]
    async fn every_bind_has_its_placeholder_and_every_value_is_bound() {
        let db = sqlite();
        let metrics = MetricCatalogue::default_metrics();
        for metric in &metrics.metrics {
            let q = metric_query(
                &db,
                metric,
                7,
                crate::calendar::Year::new(2024).unwrap().bounds(),
            );
            let mut highest = 0;
            for n in 1..=q.binds.len() {
                assert!(
                    q.sql.contains(&format!("${n}")),
                    "{}: ${n} unused",
                    metric.id
                );
                highest = n;
            }
            assert!(
                !q.sql.contains(&format!("${}", highest + 1)),
                "{}",
                metric.id
            );
            assert_eq!(q.binds[0], Bind::Int(7));
            assert!(
                !q.sql.contains("志愿者") && !q.sql.contains("已撤销"),
                "values are bound"
            );
        }
    }

    #[tokio::test]
    async fn bare_aggregates_keep_the_conditions_and_drop_the_listing() {
        let db = sqlite();
        for metric in &MetricCatalogue::default_metrics().metrics {
            let q = metric_query(
                &db,
                metric,
                7,
                crate::calendar::Year::new(2024).unwrap().bounds(),
            );
            let bare = bare_aggregate(&q);
            assert_eq!(bare.binds, q.binds, "{}", metric.id);
            for gone in ["OVER", "ORDER BY", "GROUP BY", "SELECT id,"] {
                assert!(!bare.sql.contains(gone), "{}: {}", metric.id, bare.sql);
            }
            let conditions = |sql: &str| {
                sql[sql.rfind(" WHERE ").unwrap()..]
                    .replace(" ORDER BY t.id", "")
                    .replace(" ORDER BY r.id", "")
                    .replace(" ORDER BY id", "")
                    .replace(" GROUP BY p.person_id ORDER BY p.person_id", "")
                    .replace(" GROUP BY u.policy_id ORDER BY u.policy_id", "")
                    .replace(" GROUP BY u.enterprise_id ORDER BY u.enterprise_id", "")
                    .replace(" ORDER BY u.id", "")
            };
            assert_eq!(conditions(&bare.sql), conditions(&q.sql), "{}", metric.id);
        }
    }

    #[tokio::test]
    async fn period_rules_shape_the_date_conditions() {
        let db = sqlite();
        let metrics = MetricCatalogue::default_metrics();
        let bounds = crate::calendar::Year::new(2024).unwrap().bounds();
        let year = metric_query(&db, metrics.get("honors").unwrap(), 1, bounds);
        assert!(year.sql.contains("occurred_on >= $3 AND occurred_on <= $4"));
        let to_date = metric_query(&db, metrics.get("pioneer_posts").unwrap(), 1, bounds);
        assert!(!to_date.sql.contains("occurred_on >="));
        assert!(to_date.sql.contains("occurred_on <= $3"));
        let solved = metric_query(&db, metrics.get("problems_solved").unwrap(), 1, bounds);
        assert!(solved
            .sql
            .contains("r.closed_on >= $2 AND r.closed_on <= $3"));
        assert!(solved.binds.contains(&Bind::Text("problem".into())));
        let received = metric_query(&db, metrics.get("close_rate").unwrap(), 1, bounds);
        assert!(received
            .sql
            .contains("r.received_on >= $2 AND r.received_on <= $3"));
    }

    #[test]
    fn booleans_compare_per_dialect() {
        assert_eq!(crate::db::json_bool(Backend::Sqlite, "f", true), "f = 1");
        assert_eq!(
            crate::db::json_bool(Backend::Postgres, "f", true),
            "f = 'true'"
        );
        assert_eq!(
            crate::db::json_bool(Backend::Postgres, "f", false),
            "f = 'false'"
        );
    }
}
