//! The SQL of the rules: the same text on SQLite and PostgreSQL, every value bound (`$n`) and
//! only our own text spliced in (column names, the JSON accessor of [`Db::json_field_of`],
//! placeholder numbers).
//!
//! The meeting rules of a check run as one statement ([`grids`]) that parses the year's meetings
//! once. The units a rule applies to are selected in SQL by their type (and, where asked, a
//! count of their full members); a count rule also lays the grid of (unit × period of the year),
//! its periods from a recursive CTE. The database counts or sums per (unit, period) and lists the
//! meetings behind each figure, which the evidence cites.

use chrono::NaiveDate;

use super::definition::{AppliesTo, NumberField, MEETING_KIND, MEETING_TYPE_FIELD};
use super::period::Period;
use crate::db::{Bind, Db, DbError};
use crate::on_db;

/// The member type that counts towards a committee, and the unit type whose members count for
/// the unit above it: a 党小组's members belong to its 党支部.
const FULL_MEMBER: &str = "正式党员";
const PARTY_GROUP: &str = "党小组";

/// Where and when a rule is evaluated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub park_id: i64,
    pub year: i32,
    /// The first day of the year.
    pub first: NaiveDate,
    /// The year's last day, or the as-of date when sooner: later records are not yet known.
    pub last: NaiveDate,
}

/// One cell of the count grid and one meeting in it (none when the cell is empty): unit id, unit
/// name, period number, the meeting's id and date, how many meetings the cell holds, and whether
/// the cell violates the rule (its period has ended and it holds too few).
pub(crate) type CountRow = (i64, String, i64, Option<i64>, Option<NaiveDate>, i64, i64);

/// One measured meeting of a ratio rule: unit id, unit name, period number, the meeting's id and
/// date, and the sums of numerator and denominator over the unit's meetings in that period.
pub(crate) type RatioRow = (i64, String, i64, i64, NaiveDate, f64, f64);

/// A rule's requirement on meetings, as [`grids`] evaluates it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Spec<'a> {
    /// At least `min` meetings of `meeting_type` per unit and period.
    Count {
        applies_to: &'a AppliesTo,
        period: Period,
        meeting_type: &'a str,
        min: u32,
    },
    /// Σ`numerator` / Σ`denominator` per unit and period, over meetings of `meeting_types`
    /// (all, when empty) that fill in both.
    Ratio {
        applies_to: &'a AppliesTo,
        period: Period,
        meeting_types: &'a [String],
        numerator: &'a NumberField,
        denominator: &'a NumberField,
    },
}

/// What [`grids`] gives for one [`Spec`], in its shape.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tally {
    Count(Vec<CountRow>),
    Ratio(Vec<RatioRow>),
}

/// The grids of several rules from one statement that reads the year's meetings once: a
/// materialized `held` table with each meeting's type and the fields the ratio rules name
/// (JSON parsed once per meeting), then per rule its periods, its units and its cells, stacked
/// with `UNION ALL` under the rule's number. One row per cell, its meetings counted or summed
/// and listed (`id@date`, comma-separated) by the database, so that a year of meetings crosses
/// as a few hundred rows.
///
/// A count rule has every cell of its grid, an empty one with a count of 0, and lists meetings
/// in periods not yet ended too (evidence, never violations). A ratio rule has the cells of
/// ended periods that measured something; a meeting that leaves either field empty measures
/// nothing.
///
/// Specs that are alike (the 工作台's grid asks for the very count rules its findings check)
/// are computed once and answered each.
pub(crate) async fn grids(
    db: &Db,
    scope: Window,
    specs: &[Spec<'_>],
) -> Result<Vec<Tally>, DbError> {
    // Each spec's position among the distinct ones, by its full description.
    let mut distinct: Vec<Spec<'_>> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut slot = Vec::with_capacity(specs.len());
    for spec in specs {
        let key = format!("{spec:?}");
        match keys.iter().position(|k| *k == key) {
            Some(i) => slot.push(i),
            None => {
                slot.push(distinct.len());
                keys.push(key);
                distinct.push(*spec);
            }
        }
    }
    let tallies = distinct_grids(db, scope, &distinct).await?;
    Ok(slot.into_iter().map(|i| tallies[i].clone()).collect())
}

/// [`grids`] of specs that are all different.
async fn distinct_grids(db: &Db, scope: Window, specs: &[Spec<'_>]) -> Result<Vec<Tally>, DbError> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(db, scope.park_id);
    let kind = q.bind(Bind::Text(MEETING_KIND.to_string()));
    let first = q.bind(Bind::Date(scope.first));
    let last = q.bind(Bind::Date(scope.last));
    let type_field = q.field(MEETING_TYPE_FIELD);
    // The number fields of the ratio rules, one column each, kept as text until a rule casts
    // the meetings it measures.
    let mut numbers: Vec<&str> = Vec::new();
    for spec in specs {
        if let Spec::Ratio {
            numerator,
            denominator,
            ..
        } = spec
        {
            for key in [numerator.key.as_str(), denominator.key.as_str()] {
                if !numbers.contains(&key) {
                    numbers.push(key);
                }
            }
        }
    }
    let extracted: String = numbers
        .iter()
        .enumerate()
        .map(|(i, key)| format!(", {} AS n{i}", q.field(key)))
        .collect();
    let column = |key: &str| {
        let i = numbers.iter().position(|k| *k == key).unwrap_or(0);
        format!("n{i}")
    };
    // Where the meetings' fields are JSON (PostgreSQL, or a field SQLite keeps no copy of), each
    // meeting is parsed once into a materialized table that every rule then reads. Where they
    // are copied columns (SQLite, `db::COPIED_FIELDS`), `held` is read where it is used instead:
    // each rule reads the year's meetings from the covering index `records_meeting_fields`,
    // which costs less than writing them all into a temporary table first.
    let copied = q.db.reads_copy(MEETING_TYPE_FIELD) && numbers.iter().all(|k| q.db.reads_copy(k));
    let held = if copied {
        "NOT MATERIALIZED"
    } else {
        "MATERIALIZED"
    };
    let mut ctes = vec![format!(
        "held AS {held} ( \
           SELECT r.id, r.unit_id, r.occurred_on, {type_field} AS mt{extracted} FROM records r \
           WHERE r.park_id = $1 AND r.kind = {kind} AND r.deleted_at IS NULL \
           AND r.occurred_on >= {first} AND r.occurred_on <= {last} \
         )"
    )];
    let listed = "string_agg(CAST(id AS TEXT) || '@' || CAST(occurred_on AS TEXT), ',')";
    let mut selects = Vec::with_capacity(specs.len());
    for (k, spec) in specs.iter().enumerate() {
        match *spec {
            Spec::Count {
                applies_to,
                period,
                meeting_type,
                min,
            } => {
                ctes.push(q.periods(&format!("periods{k}"), period));
                ctes.push(q.applicable(&format!("applicable{k}"), applies_to));
                let wanted = q.bind(Bind::Text(meeting_type.to_string()));
                let ended = q.bind(Bind::Int(i64::from(period.ended(scope.year, scope.last))));
                let min = q.bind(Bind::Int(i64::from(min)));
                let p = period.sql("occurred_on");
                // The counts are grouped first, then joined to the grid.
                ctes.push(format!(
                    "counted{k} AS MATERIALIZED ( \
                       SELECT unit_id, {p} AS p, COUNT(*) AS n, {listed} AS list \
                       FROM held WHERE mt = {wanted} GROUP BY unit_id, {p} \
                     )"
                ));
                selects.push(format!(
                    "SELECT CAST({k} AS BIGINT), a.id, a.name, ps.p, COALESCE(c.n, 0), \
                       CAST(CASE WHEN ps.p <= {ended} AND COALESCE(c.n, 0) < {min} \
                         THEN 1 ELSE 0 END AS BIGINT), \
                       CAST(NULL AS {FLOAT}), CAST(NULL AS {FLOAT}), c.list \
                     FROM applicable{k} a CROSS JOIN periods{k} ps \
                     LEFT JOIN counted{k} c ON c.unit_id = a.id AND c.p = ps.p"
                ));
            }
            Spec::Ratio {
                applies_to,
                period,
                meeting_types,
                numerator,
                denominator,
            } => {
                ctes.push(q.applicable(&format!("applicable{k}"), applies_to));
                let (top, bottom) = (column(&numerator.key), column(&denominator.key));
                let of_types = if meeting_types.is_empty() {
                    String::new()
                } else {
                    let wanted: Vec<String> = meeting_types
                        .iter()
                        .map(|t| q.bind(Bind::Text(t.clone())))
                        .collect();
                    format!(" AND mt IN ({})", wanted.join(", "))
                };
                let ended = q.bind(Bind::Int(i64::from(period.ended(scope.year, scope.last))));
                let p = period.sql("occurred_on");
                ctes.push(format!(
                    "measured{k} AS ( \
                       SELECT id, unit_id, occurred_on, {p} AS p, \
                         CAST({top} AS {FLOAT}) AS num, CAST({bottom} AS {FLOAT}) AS den \
                       FROM held WHERE {top} IS NOT NULL AND {bottom} IS NOT NULL{of_types} \
                     )"
                ));
                selects.push(format!(
                    "SELECT CAST({k} AS BIGINT), a.id, a.name, CAST(m.p AS BIGINT), COUNT(*), \
                       CAST(0 AS BIGINT), CAST(SUM(m.num) AS {FLOAT}), \
                       CAST(SUM(m.den) AS {FLOAT}), \
                       string_agg(CAST(m.id AS TEXT) || '@' || CAST(m.occurred_on AS TEXT), ',') \
                     FROM measured{k} m JOIN applicable{k} a ON a.id = m.unit_id \
                     WHERE m.p <= {ended} GROUP BY a.id, a.name, m.p"
                ));
            }
        }
    }
    let sql = format!(
        "WITH RECURSIVE {} {} ORDER BY 1, 2, 4",
        ctes.join(", "),
        selects.join(" UNION ALL ")
    );
    let cells: Vec<Cell> = crate::db::fetch_all(db, &sql, &q.binds).await?;
    let mut grids: Vec<Tally> = specs
        .iter()
        .map(|spec| match spec {
            Spec::Count { .. } => Tally::Count(Vec::new()),
            Spec::Ratio { .. } => Tally::Ratio(Vec::new()),
        })
        .collect();
    for (k, unit_id, name, p, held, violated, top, bottom, list) in cells {
        let meetings = meetings_of(list.as_deref())?;
        match usize::try_from(k).ok().and_then(|k| grids.get_mut(k)) {
            Some(Tally::Count(rows)) => {
                if meetings.is_empty() {
                    rows.push((unit_id, name.clone(), p, None, None, held, violated));
                }
                for (id, on) in meetings {
                    rows.push((unit_id, name.clone(), p, Some(id), Some(on), held, violated));
                }
            }
            Some(Tally::Ratio(rows)) => {
                let (top, bottom) = (top.unwrap_or(0.0), bottom.unwrap_or(0.0));
                for (id, on) in meetings {
                    rows.push((unit_id, name.clone(), p, id, on, top, bottom));
                }
            }
            None => {}
        }
    }
    Ok(grids)
}

/// One cell as the statement of [`grids`] gives it: the rule's number in the batch, unit id and
/// name, period number, the count, whether it violates a count rule, a ratio rule's two sums,
/// and its meetings as `id@date` (none when empty).
type Cell = (
    i64,
    i64,
    String,
    i64,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<String>,
);

/// The meetings of a cell's `id@date` list, by date and then id.
fn meetings_of(list: Option<&str>) -> Result<Vec<(i64, NaiveDate)>, DbError> {
    let mut meetings = crate::db::lists::id_dates(list.unwrap_or(""))?;
    meetings.sort_by_key(|&(id, on)| (on, id));
    Ok(meetings)
}

/// A task overdue as of the check date: its responsible unit's id and name, the task's id, 序号,
/// content and deadline.
pub(crate) type TaskRow = (i64, String, i64, String, String, NaiveDate);

/// Tasks of the year's plans whose deadline has passed by `scope.last` (the as-of date) and that
/// were not done by then, by responsible unit (in roster order), deadline and id.
pub(crate) async fn overdue_tasks(db: &Db, scope: Window) -> Result<Vec<TaskRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT t.unit_id, u.name, t.id, t.seq, t.content, t.deadline FROM tasks t \
         JOIN plans p ON p.park_id = t.park_id AND p.id = t.plan_id \
         JOIN units u ON u.park_id = t.park_id AND u.id = t.unit_id \
         WHERE t.park_id = $1 AND p.year = $2 AND t.deadline < $3 \
           AND NOT (t.status = $4 AND t.completed_on IS NOT NULL AND t.completed_on <= $3) \
         ORDER BY t.unit_id, t.deadline, t.id"
    )
    .bind(scope.park_id)
    .bind(scope.year)
    .bind(scope.last)
    .bind("done")
    .fetch_all(pool)
    .await)?)
}

/// The SQL type both backends accept for a float: SQLite reads any type name holding "DOUB" as
/// REAL, PostgreSQL has it as `float8`.
const FLOAT: &str = "DOUBLE PRECISION";

/// A query being written: its binds, `binds[0]` being `$1`.
struct Sql<'a> {
    db: &'a Db,
    binds: Vec<Bind>,
}

impl<'a> Sql<'a> {
    /// `$1` is always the park.
    fn new(db: &'a Db, park_id: i64) -> Sql<'a> {
        Sql {
            db,
            binds: vec![Bind::Int(park_id)],
        }
    }

    /// Binds a value and returns its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// The text of a meeting field of record `r` ([`Db::json_field_of`]).
    fn field(&mut self, key: &str) -> String {
        self.db.json_field_of("r.fields", key, &mut self.binds)
    }

    /// `name (p) AS (..)`: the periods of the year, 1 to 12, 4 or 1, for a `WITH RECURSIVE`.
    fn periods(&mut self, name: &str, period: Period) -> String {
        let count = self.bind(Bind::Int(i64::from(period.per_year())));
        format!(
            "{name} (p) AS ( \
               SELECT CAST(1 AS BIGINT) UNION ALL SELECT p + 1 FROM {name} WHERE p < {count} \
             )"
        )
    }

    /// `name AS (..)`: the id and name of every unit the rule applies to.
    fn applicable(&mut self, name: &str, applies_to: &AppliesTo) -> String {
        let unit_type = self.bind(Bind::Text(applies_to.unit_type.clone()));
        let members = match applies_to.min_full_members {
            None => String::new(),
            Some(min) => {
                let yes = self.bind(Bind::Bool(true));
                let full = self.bind(Bind::Text(FULL_MEMBER.to_string()));
                let group = self.bind(Bind::Text(PARTY_GROUP.to_string()));
                let min = self.bind(Bind::Int(i64::from(min)));
                // One row per full member for their own unit and one more for the unit above
                // their 党小组; counted once for all units (uncorrelated), since a subquery per
                // unit is evaluated again for every meeting joined to it.
                format!(
                    " AND u.id IN ( \
                       SELECT unit_id FROM ( \
                         SELECT m.unit_id AS unit_id FROM people m \
                         WHERE m.park_id = $1 AND m.is_member = {yes} AND m.member_type = {full} \
                         UNION ALL \
                         SELECT g.parent_id FROM people m \
                         JOIN units g ON g.park_id = m.park_id AND g.id = m.unit_id \
                         WHERE m.park_id = $1 AND m.is_member = {yes} AND m.member_type = {full} \
                         AND g.unit_type = {group} \
                       ) members GROUP BY unit_id HAVING COUNT(*) >= {min} \
                     )"
                )
            }
        };
        format!(
            "{name} AS ( \
               SELECT u.id, u.name FROM units u \
               WHERE u.park_id = $1 AND u.unit_type = {unit_type}{members} \
             )"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cells_meetings_are_listed_by_date_then_id() {
        assert_eq!(
            meetings_of(Some("7@2024-03-02,5@2024-01-09,6@2024-03-02")).unwrap(),
            vec![
                (5, NaiveDate::from_ymd_opt(2024, 1, 9).unwrap()),
                (6, NaiveDate::from_ymd_opt(2024, 3, 2).unwrap()),
                (7, NaiveDate::from_ymd_opt(2024, 3, 2).unwrap()),
            ]
        );
        assert_eq!(meetings_of(None).unwrap(), Vec::new());
        assert!(meetings_of(Some("7@2024-02-30")).is_err());
    }
}
