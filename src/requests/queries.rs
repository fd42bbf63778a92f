//! The requests' rows (`requests`) and their threads (`request_events`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Deadlines;
use crate::db::{fetch_all, fetch_one, Bind, Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A request as stored, with its enterprise's name.
#[derive(Clone, Debug, Serialize)]
pub struct RequestRow {
    pub id: i64,
    /// Empty only for a suggestion carried over from the 意见建议 ledger that named none.
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    /// problem (an enterprise's 诉求 or 难题) or suggestion (an opinion collected).
    pub nature: String,
    pub category: String,
    pub team_group: String,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub registered_on: NaiveDate,
    pub status: String,
    pub contact_by: NaiveDate,
    pub reply_by: NaiveDate,
    pub close_by: NaiveDate,
    pub estimated: bool,
    pub extended: bool,
    pub contacted_on: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub rating: Option<String>,
    pub rated: bool,
    pub reopened: i64,
    pub version: i64,
    /// The ledger record this request was carried over from (企业难题, 意见建议), or the visit
    /// it was raised on (走访, with `source_line`).
    pub source_record_id: Option<i64>,
    /// The line of the visit's 反映问题 it was raised from (1-based).
    pub source_line: Option<i32>,
    /// The day its deadlines count from, when not `registered_on` (its 重办).
    pub counted_from: Option<NaiveDate>,
    /// Who took it on (承办人): whoever accepted it.
    pub assignee_id: Option<i64>,
    pub assignee_name: String,
    /// The day the enterprise last rated it (none before it is rated, and for a rating given
    /// before the day was kept).
    pub rated_on: Option<NaiveDate>,
    /// The day its 回访 is due, after a 不满意.
    pub visit_by: Option<NaiveDate>,
}
crate::from_row!(RequestRow:
    id, enterprise_id, enterprise_name, nature, category, team_group, title, description,
    contact_name, channel, received_on, registered_on, status, contact_by, reply_by, close_by,
    estimated, extended, contacted_on, replied_on, closed_on, rating, rated, reopened, version,
    source_record_id, source_line, counted_from, assignee_id, assignee_name, rated_on, visit_by);

/// One step or message of a request's thread.
#[derive(Clone, Debug, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub login: String,
    pub step: String,
    pub status: String,
    pub text: String,
}
crate::from_row!(EventRow: id, at, login, step, status, text);

/// A request to be stored.
pub struct NewRequest<'a> {
    /// Empty only for a suggestion that names no enterprise.
    pub enterprise_id: Option<i64>,
    /// [`super::PROBLEM`] or [`super::SUGGESTION`].
    pub nature: &'a str,
    pub category: &'a str,
    pub team_group: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub contact_name: &'a str,
    pub channel: &'a str,
    pub received_on: NaiveDate,
    pub registered_on: NaiveDate,
    pub due: Deadlines,
    pub created_by: i64,
    /// The visit (走访 record) and the line of its 反映问题 the request was raised from.
    pub source: Option<(i64, i32)>,
}

/// What a step changes on a request.
pub struct StepChange<'a> {
    pub status: &'a str,
    pub assignee_id: Option<i64>,
    pub counted_from: Option<NaiveDate>,
    pub due: Deadlines,
    pub extended: bool,
    pub contacted_on: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub rating: Option<&'a str>,
    pub rated: bool,
    pub rated_on: Option<NaiveDate>,
    pub reopened: i64,
}

const SELECT: &str = "SELECT r.id, r.enterprise_id, COALESCE(e.name, '') AS enterprise_name, \
     r.nature, r.category, r.team_group, r.title, r.description, r.contact_name, r.channel, r.received_on, \
     r.registered_on, r.status, r.contact_by, r.reply_by, r.close_by, r.estimated, r.extended, \
     r.contacted_on, r.replied_on, r.closed_on, r.rating, r.rated, r.reopened, r.version, \
     r.source_record_id, r.source_line, r.counted_from, r.assignee_id, \
     COALESCE(u.display_name, '') AS assignee_name, r.rated_on, r.visit_by \
     FROM requests r LEFT JOIN enterprises e ON e.park_id = r.park_id AND e.id = r.enterprise_id \
     LEFT JOIN users u ON u.park_id = r.park_id AND u.id = r.assignee_id";

pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    r: &NewRequest<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO requests (park_id, enterprise_id, category, team_group, title, description, \
         contact_name, channel, received_on, registered_on, contact_by, reply_by, close_by, \
         estimated, created_by, created_at, updated_at, nature, source_record_id, source_line) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, \
         $18, $19) \
         RETURNING id"
    )
    .bind(park_id)
    .bind(r.enterprise_id)
    .bind(r.category)
    .bind(r.team_group)
    .bind(r.title)
    .bind(r.description)
    .bind(r.contact_name)
    .bind(r.channel)
    .bind(r.received_on)
    .bind(r.registered_on)
    .bind(r.due.contact_by)
    .bind(r.due.reply_by)
    .bind(r.due.close_by)
    .bind(r.due.estimated)
    .bind(r.created_by)
    .bind(now)
    .bind(r.nature)
    .bind(r.source.map(|(record, _)| record))
    .bind(r.source.map(|(_, line)| line))
    .fetch_one(c)
    .await)?)
}

/// The requests raised from the lines of a visit's 反映问题: (request id, line, status, title),
/// by line.
pub async fn raised_from(
    db: &Db,
    park_id: i64,
    record_id: i64,
) -> Result<Vec<(i64, i32, String, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, source_line, status, title FROM requests \
         WHERE park_id = $1 AND source_record_id = $2 AND source_line IS NOT NULL \
         ORDER BY source_line"
    )
    .bind(park_id)
    .bind(record_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn get(db: &Db, park_id: i64, id: i64) -> Result<Option<RequestRow>, DbError> {
    let sql = format!("{SELECT} WHERE r.park_id = $1 AND r.id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

pub async fn get_tx(tx: &mut Tx, park_id: i64, id: i64) -> Result<Option<RequestRow>, DbError> {
    let sql = format!("{SELECT} WHERE r.park_id = $1 AND r.id = $2");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// What a list of requests is narrowed to; every part left out narrows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Narrow<'a> {
    /// One enterprise's requests (an enterprise user's own).
    pub enterprise_id: Option<i64>,
    pub status: Option<&'a str>,
    /// Only the open ones (registered, accepted, in progress, replied).
    pub open: bool,
    pub group: Option<&'a str>,
    /// Only those due to close on this day.
    pub close_on: Option<NaiveDate>,
    /// Only those due to close before this day.
    pub close_before: Option<NaiveDate>,
    /// Only the closed ones rated 不满意, awaiting their 回访 (by the day it is due).
    pub awaiting_visit: bool,
    /// Of those awaiting their 回访, only those due by this day.
    pub visit_by: Option<NaiveDate>,
}

/// The statuses of an open request, as SQL text of ours. The partial indexes of migration 0017
/// carry the same condition, word for word, so that the planner sees they apply.
const OPEN: &str = "('registered', 'accepted', 'in_progress', 'replied')";

/// A request awaiting its 回访, as SQL text of ours: the condition of migration 0026's partial
/// index, word for word.
const AWAITING_VISIT: &str = "r.status = 'closed' AND r.rating = 'unsatisfied'";

/// A list's two parts, in the order it shows them: the open requests by closing deadline (the
/// oldest first among those due the same day), then the others newest first. Each part walks an
/// index in its order (migration 0017), so a page reads its own rows and no more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Open,
    Done,
    /// Closed and rated 不满意: awaiting the 回访, by the day it is due (migration 0026).
    Visit,
}

impl Part {
    fn condition(self) -> String {
        match self {
            Part::Open => format!(" AND r.status IN {OPEN}"),
            Part::Done => format!(" AND r.status NOT IN {OPEN}"),
            Part::Visit => format!(" AND {AWAITING_VISIT}"),
        }
    }

    fn order(self) -> &'static str {
        match self {
            Part::Open => " ORDER BY r.close_by, r.id",
            Part::Done => " ORDER BY r.id DESC",
            Part::Visit => " ORDER BY r.visit_by NULLS FIRST, r.id",
        }
    }
}

/// Totals of request lists by [`Narrow`] and part, kept per park while its data is unchanged.
pub type RequestTotals = crate::db::Totals<String>;

impl Narrow<'_> {
    /// The parts this narrowing lets through, in list order.
    fn parts(&self) -> &'static [Part] {
        if self.awaiting_visit || self.visit_by.is_some() {
            return &[Part::Visit];
        }
        if self.open || self.close_on.is_some() || self.close_before.is_some() {
            return &[Part::Open];
        }
        match self.status {
            Some(s) if super::Status::parse(s).is_some_and(super::Status::is_open) => &[Part::Open],
            Some(_) => &[Part::Done],
            None => &[Part::Open, Part::Done],
        }
    }

    /// The `WHERE` clause of one part, with its binds: only the conditions given, so that the
    /// planner can pick the index they call for.
    fn condition(&self, park_id: i64, part: Part) -> (String, Vec<Bind>) {
        let mut sql = String::from(" WHERE r.park_id = $1");
        let mut binds = vec![Bind::Int(park_id)];
        let mut and = |column: &str, op: &str, value: Bind| {
            binds.push(value);
            sql.push_str(&format!(" AND {column} {op} ${}", binds.len()));
        };
        if let Some(e) = self.enterprise_id {
            and("r.enterprise_id", "=", Bind::Int(e));
        }
        if let Some(s) = self.status {
            and("r.status", "=", Bind::Text(s.to_string()));
        }
        if let Some(g) = self.group {
            and("r.team_group", "=", Bind::Text(g.to_string()));
        }
        if let Some(d) = self.close_on {
            and("r.close_by", "=", Bind::Date(d));
        }
        if let Some(d) = self.close_before {
            and("r.close_by", "<", Bind::Date(d));
        }
        if let Some(d) = self.visit_by {
            and("r.visit_by", "<=", Bind::Date(d));
        }
        sql.push_str(&part.condition());
        (sql, binds)
    }
}

/// How many requests one part of a [`Narrow`] lets through, counted at the park's data
/// `version` or remembered from then.
async fn part_total(
    db: &Db,
    totals: &RequestTotals,
    park_id: i64,
    version: i64,
    n: &Narrow<'_>,
    part: Part,
) -> Result<i64, DbError> {
    let key = format!("{n:?} {part:?}");
    if let Some(t) = totals.get(park_id, &key, version) {
        return Ok(t);
    }
    let (condition, binds) = n.condition(park_id, part);
    let (t,): (i64,) = fetch_one(
        db,
        &format!("SELECT COUNT(*) FROM requests r{condition}"),
        &binds,
    )
    .await?;
    totals.put(park_id, key, version, t);
    Ok(t)
}

/// A page of requests, the most pressing first (open ones by closing deadline, then the rest
/// newest first), with how many there are in all.
pub async fn list(
    db: &Db,
    totals: &RequestTotals,
    park_id: i64,
    n: Narrow<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RequestRow>, i64), DbError> {
    let version = crate::db::data_version(db, park_id).await?;
    let (mut rows, mut total) = (Vec::new(), 0);
    let (mut want, mut skip) = (limit.max(0), offset.max(0));
    for &part in n.parts() {
        let in_part = part_total(db, totals, park_id, version, &n, part).await?;
        total += in_part;
        if want == 0 || skip >= in_part {
            skip -= skip.min(in_part);
            continue;
        }
        let (condition, mut binds) = n.condition(park_id, part);
        binds.push(Bind::Int(want));
        binds.push(Bind::Int(skip));
        let sql = format!(
            "{SELECT}{condition}{} LIMIT ${} OFFSET ${}",
            part.order(),
            binds.len() - 1,
            binds.len()
        );
        let page: Vec<RequestRow> = fetch_all(db, &sql, &binds).await?;
        want -= i64::try_from(page.len()).unwrap_or(want);
        skip = 0;
        rows.extend(page);
    }
    Ok((rows, total))
}

/// How many requests a [`Narrow`] lets through: the total of the same [`list`].
pub async fn count(
    db: &Db,
    totals: &RequestTotals,
    park_id: i64,
    n: Narrow<'_>,
) -> Result<i64, DbError> {
    let version = crate::db::data_version(db, park_id).await?;
    let mut total = 0;
    for &part in n.parts() {
        total += part_total(db, totals, park_id, version, &n, part).await?;
    }
    Ok(total)
}

/// Applies a step to the request at `version`; `false` when someone else changed it first.
pub async fn apply(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    version: i64,
    s: &StepChange<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n: u64 = on_tx!(tx, |c| sqlx::query(
        "UPDATE requests SET status = $4, contact_by = $5, reply_by = $6, close_by = $7, \
         estimated = $8, extended = $9, contacted_on = $10, replied_on = $11, closed_on = $12, \
         rating = $13, rated = $14, reopened = $15, updated_at = $16, assignee_id = $17, \
         counted_from = $18, rated_on = $19, visit_by = $20, version = version + 1 \
         WHERE park_id = $1 AND id = $2 AND version = $3"
    )
    .bind(park_id)
    .bind(id)
    .bind(version)
    .bind(s.status)
    .bind(s.due.contact_by)
    .bind(s.due.reply_by)
    .bind(s.due.close_by)
    .bind(s.due.estimated)
    .bind(s.extended)
    .bind(s.contacted_on)
    .bind(s.replied_on)
    .bind(s.closed_on)
    .bind(s.rating)
    .bind(s.rated)
    .bind(s.reopened)
    .bind(now)
    .bind(s.assignee_id)
    .bind(s.counted_from)
    .bind(s.rated_on)
    .bind(s.due.visit_by)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one event row, written where each step is taken"
)]
pub async fn add_event(
    tx: &mut Tx,
    park_id: i64,
    request_id: i64,
    user_id: Option<i64>,
    login: &str,
    step: &str,
    status: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO request_events (park_id, request_id, at, user_id, login, step, status, text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(park_id)
    .bind(request_id)
    .bind(now)
    .bind(user_id)
    .bind(login)
    .bind(step)
    .bind(status)
    .bind(text)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn events(db: &Db, park_id: i64, request_id: i64) -> Result<Vec<EventRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, at, login, step, status, text FROM request_events \
         WHERE park_id = $1 AND request_id = $2 ORDER BY id"
    )
    .bind(park_id)
    .bind(request_id)
    .fetch_all(pool)
    .await)?)
}

#[cfg(test)]
mod tests {
    use super::super::{Status, STATUSES};
    use super::OPEN;

    #[test]
    fn the_open_statuses_in_sql_are_those_still_being_worked() {
        for status in STATUSES {
            let quoted = format!("'{}'", status.as_str());
            assert_eq!(OPEN.contains(&quoted), status.is_open(), "{status:?}");
        }
        assert_eq!(
            OPEN.matches('\'').count(),
            2 * STATUSES.iter().filter(|s| s.is_open()).count()
        );
        let _: fn(Status) -> bool = Status::is_open;
    }
}
