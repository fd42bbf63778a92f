//! The keys a database names (`data_keys`): ids only, never keys.

use chrono::{DateTime, Utc};

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A key the database names: `purpose` is `data` (SM4) or `index` (the blind index).
#[derive(Clone, Debug)]
pub struct RegisteredKey {
    pub key_id: String,
    pub purpose: String,
    pub is_current: bool,
}
crate::from_row!(RegisteredKey: key_id, purpose, is_current);

const SELECT: &str =
    "SELECT key_id, purpose, is_current FROM data_keys ORDER BY registered_at, key_id";

pub(super) async fn registered(db: &Db) -> Result<Vec<RegisteredKey>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(SELECT)
        .fetch_all(pool)
        .await)?)
}

pub(super) async fn registered_in(tx: &mut Tx) -> Result<Vec<RegisteredKey>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(SELECT).fetch_all(c).await)?)
}

/// Records a key as the current one of its purpose.
pub(super) async fn insert(
    tx: &mut Tx,
    key_id: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO data_keys (key_id, purpose, is_current, registered_at) \
         VALUES ($1, $2, TRUE, $3)"
    )
    .bind(key_id)
    .bind(purpose)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn demote_data_keys(tx: &mut Tx) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE data_keys SET is_current = FALSE WHERE purpose = 'data'"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
