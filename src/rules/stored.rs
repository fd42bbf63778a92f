//! What the rule checks keep per park: the park's own copy of the rule file (`park_rules`) and
//! the findings marked as rectified (`rectifications`). Plain queries over `&Db` or a
//! transaction; the services check rights and write the audit entries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A finding marked 已整改: which rule, unit and period, with the note and the date it was put
/// right.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rectification {
    pub rule: String,
    pub unit_id: i64,
    /// The unit's name, as findings carry it.
    pub unit: String,
    pub period: String,
    pub note: String,
    pub rectified_on: NaiveDate,
    pub marked_by: Option<i64>,
    pub marked_at: DateTime<Utc>,
}
crate::from_row!(Rectification:
    rule, unit_id, unit, period, note, rectified_on, marked_by, marked_at);

/// The park's rule file, or `None` while it uses the embedded default.
pub(crate) async fn rules_text(db: &Db, park_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT text FROM park_rules WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_optional(pool)
    .await)?)
}

pub(crate) async fn save_rules_text(
    tx: &mut Tx,
    park_id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO park_rules (park_id, text, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (park_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at"
    )
    .bind(park_id)
    .bind(text)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every mark of the park whose period lies in `year` (labels start with the year).
pub(crate) async fn rectifications(
    db: &Db,
    park_id: i64,
    year: i32,
) -> Result<Vec<Rectification>, DbError> {
    // The year and the labels after it (`2025`, `2025-03`, `2025-Q3`) as a text range: binding
    // the bounds keeps one query text for both backends and uses the key's order.
    let from = format!("{year}");
    let to = format!("{year}~");
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT r.rule, r.unit_id, u.name AS unit, r.period, r.note, r.rectified_on, \
         r.marked_by, r.marked_at FROM rectifications r \
         JOIN units u ON u.park_id = r.park_id AND u.id = r.unit_id \
         WHERE r.park_id = $1 AND r.period >= $2 AND r.period < $3 \
         ORDER BY r.rule, r.unit_id, r.period"
    )
    .bind(park_id)
    .bind(&from)
    .bind(&to)
    .fetch_all(pool)
    .await)?)
}

/// The mark of one finding, if any.
pub(crate) async fn rectification(
    tx: &mut Tx,
    park_id: i64,
    (rule, unit_id, period): (&str, i64, &str),
) -> Result<Option<Rectification>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT r.rule, r.unit_id, u.name AS unit, r.period, r.note, r.rectified_on, \
         r.marked_by, r.marked_at FROM rectifications r \
         JOIN units u ON u.park_id = r.park_id AND u.id = r.unit_id \
         WHERE r.park_id = $1 AND r.rule = $2 AND r.unit_id = $3 AND r.period = $4"
    )
    .bind(park_id)
    .bind(rule)
    .bind(unit_id)
    .bind(period)
    .fetch_optional(c)
    .await)?)
}

/// Marks a finding, or changes the note and date of its mark.
pub(crate) async fn put_rectification(
    tx: &mut Tx,
    park_id: i64,
    mark: &Rectification,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO rectifications \
         (park_id, rule, unit_id, period, note, rectified_on, marked_by, marked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (park_id, rule, unit_id, period) DO UPDATE SET note = excluded.note, \
         rectified_on = excluded.rectified_on, marked_by = excluded.marked_by, \
         marked_at = excluded.marked_at"
    )
    .bind(park_id)
    .bind(&mark.rule)
    .bind(mark.unit_id)
    .bind(&mark.period)
    .bind(&mark.note)
    .bind(mark.rectified_on)
    .bind(mark.marked_by)
    .bind(mark.marked_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(crate) async fn delete_rectification(
    tx: &mut Tx,
    park_id: i64,
    (rule, unit_id, period): (&str, i64, &str),
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "DELETE FROM rectifications \
         WHERE park_id = $1 AND rule = $2 AND unit_id = $3 AND period = $4"
    )
    .bind(park_id)
    .bind(rule)
    .bind(unit_id)
    .bind(period)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
