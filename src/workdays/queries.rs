//! The park's own year tables (`park_workdays`).

use chrono::{DateTime, Utc};

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug)]
pub(super) struct StoredYear {
    pub year: i32,
    pub text: String,
    /// Who saved it last, while the account exists.
    pub author: Option<String>,
    pub updated_at: DateTime<Utc>,
}
crate::from_row!(StoredYear: year, text, author, updated_at);

pub(super) async fn stored(db: &Db, park_id: i64) -> Result<Vec<StoredYear>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT w.year, w.text, u.display_name AS author, w.updated_at FROM park_workdays w \
         LEFT JOIN users u ON u.park_id = w.park_id AND u.id = w.updated_by \
         WHERE w.park_id = $1 ORDER BY w.year"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?)
}

pub(super) async fn stored_text(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT text FROM park_workdays WHERE park_id = $1 AND year = $2"
    )
    .bind(park_id)
    .bind(year)
    .fetch_optional(c)
    .await)?)
}

pub(super) async fn save(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
    text: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO park_workdays (park_id, year, text, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (park_id, year) DO UPDATE SET text = excluded.text, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at"
    )
    .bind(park_id)
    .bind(year)
    .bind(text)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn delete(tx: &mut Tx, park_id: i64, year: i32) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "DELETE FROM park_workdays WHERE park_id = $1 AND year = $2"
    )
    .bind(park_id)
    .bind(year)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
