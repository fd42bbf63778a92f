//! The SQL of the Excel area: what an import must know of the park (people, open posts, records
//! already there) and what export reads. Writes of rosters and records go through the `org` and
//! `ledger` query modules.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Db, DbError, Tx};
use crate::org::{Person, Position};
use crate::{on_db, on_tx};

/// The park's people, opened, each with the blind index of their ID number (what a roster row's
/// ID number is matched by).
pub(crate) async fn people(
    db: &Db,
    park_id: i64,
) -> Result<Vec<(Person, Option<String>)>, DbError> {
    let rows: Vec<PersonWithIndex> = on_db!(db, |pool| {
        sqlx::query_as(
        "SELECT id, name, gender, id_number, phone, unit_id, is_member, member_type, joined_on, \
         tags, id_number_index FROM people WHERE park_id = $1 ORDER BY id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok((
                crate::org::queries::opened_person(r.person)?,
                r.id_number_index,
            ))
        })
        .collect()
}

struct PersonWithIndex {
    person: Person,
    id_number_index: Option<String>,
}
crate::from_row!(PersonWithIndex: id_number_index; flatten person);

pub(crate) async fn open_positions(db: &Db, park_id: i64) -> Result<Vec<Position>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, person_id, unit_id, title, staff_type, start_on, end_on FROM positions \
         WHERE park_id = $1 AND end_on IS NULL ORDER BY id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?)
}

const RECORD_KEYS: &str = "SELECT occurred_on, fields FROM records WHERE park_id = $1 \
     AND kind = $2 AND deleted_at IS NULL";

/// Date and fields of the live records of one kind: what a duplicate matches.
pub(crate) async fn record_keys(
    db: &Db,
    park_id: i64,
    kind: &str,
) -> Result<Vec<(NaiveDate, String)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(RECORD_KEYS)
        .bind(park_id)
        .bind(kind)
        .fetch_all(pool)
        .await)?)
}

/// [`record_keys`] inside the import's transaction, so that two imports of one file at once
/// cannot both pass the duplicate check.
pub(crate) async fn record_keys_in(
    tx: &mut Tx,
    park_id: i64,
    kind: &str,
) -> Result<Vec<(NaiveDate, String)>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(RECORD_KEYS)
        .bind(park_id)
        .bind(kind)
        .fetch_all(c)
        .await)?)
}

/// The highest record id of the park so far (0 when it has none).
pub(crate) async fn max_record_id(tx: &mut Tx, park_id: i64) -> Result<i64, DbError> {
    let max: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(id) FROM records WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_one(c)
    .await)?;
    Ok(max.unwrap_or(0))
}

/// First and last id of the records this import wrote: above `after`, stamped `now`. Each end is
/// one index step (ours are the newest rows), however many records were written.
pub(crate) async fn written_range(
    tx: &mut Tx,
    park_id: i64,
    after: i64,
    now: DateTime<Utc>,
) -> Result<Option<[i64; 2]>, DbError> {
    let end = |order: &str| {
        format!(
            "SELECT id FROM records WHERE park_id = $1 AND id > $2 AND created_at = $3 \
             ORDER BY id {order} LIMIT 1"
        )
    };
    let (first_sql, last_sql) = (end("ASC"), end("DESC"));
    let first: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(&first_sql)
        .bind(park_id)
        .bind(after)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    let last: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(&last_sql)
        .bind(park_id)
        .bind(after)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    Ok(first.zip(last).map(|(a, b)| [a, b]))
}

pub(crate) async fn set_enterprise_leader(
    tx: &mut Tx,
    park_id: i64,
    enterprise_id: i64,
    person_id: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE enterprises SET leader_person_id = $3 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(enterprise_id)
    .bind(person_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The fields of the live records of one kind, optionally within a span of dates, in date order.
pub(crate) async fn export_fields(
    db: &Db,
    park_id: i64,
    kind: &str,
    span: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<String>, DbError> {
    // The value parser keeps ledger dates within 1900..=2100, so these bounds hold every record.
    let all = NaiveDate::from_ymd_opt(1900, 1, 1).zip(NaiveDate::from_ymd_opt(2100, 12, 31));
    let Some((from, to)) = span.or(all) else {
        return Ok(Vec::new());
    };
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT fields FROM records WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL \
         AND occurred_on >= $3 AND occurred_on <= $4 ORDER BY occurred_on, id"
    )
    .bind(park_id)
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await)?)
}
