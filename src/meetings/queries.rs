//! The sign-in tables (`meeting_signins`, `meeting_signin_tries`, migration 0015).

use chrono::{DateTime, Utc};

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// One person's sign-in to a meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct SignIn {
    pub person_id: i64,
    pub signed_at: DateTime<Utc>,
    /// `qr` or `secretary`.
    pub via: String,
}
crate::from_row!(SignIn: person_id, signed_at, via);

pub async fn signins(db: &Db, park_id: i64, record_id: i64) -> Result<Vec<SignIn>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT person_id, signed_at, via FROM meeting_signins \
         WHERE park_id = $1 AND record_id = $2 ORDER BY signed_at, person_id"
    )
    .bind(park_id)
    .bind(record_id)
    .fetch_all(pool)
    .await)?)
}

/// Records a sign-in; one already there keeps its first time.
pub async fn insert_signin(
    tx: &mut Tx,
    park_id: i64,
    record_id: i64,
    person_id: i64,
    at: DateTime<Utc>,
    via: &str,
    user_id: Option<i64>,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO meeting_signins (park_id, record_id, person_id, signed_at, via, user_id) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .bind(at)
    .bind(via)
    .bind(user_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets the sign-in of someone no longer listed as present.
pub async fn delete_signin(
    tx: &mut Tx,
    park_id: i64,
    record_id: i64,
    person_id: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM meeting_signins WHERE park_id = $1 AND record_id = $2 AND person_id = $3"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims one phone check for (meeting, person) before it is made, as the sign-in of accounts
/// does: false once `limit` wrong checks are counted, so checks sent side by side get no more
/// tries than the limit. A right answer gives the claim back ([`clear_tries`]).
pub async fn claim_try(
    db: &Db,
    park_id: i64,
    record_id: i64,
    person_id: i64,
    limit: i64,
) -> Result<bool, DbError> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO meeting_signin_tries (park_id, record_id, person_id, failures) \
         VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    let claimed = on_tx!(&mut tx, |conn| sqlx::query(
        "UPDATE meeting_signin_tries SET failures = failures + 1 \
         WHERE park_id = $1 AND record_id = $2 AND person_id = $3 AND failures < $4"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .bind(limit)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(claimed == 1)
}

/// The wrong checks counted for (meeting, person).
pub async fn failures(
    db: &Db,
    park_id: i64,
    record_id: i64,
    person_id: i64,
) -> Result<i64, DbError> {
    let n: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT failures FROM meeting_signin_tries \
         WHERE park_id = $1 AND record_id = $2 AND person_id = $3"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .fetch_optional(pool)
    .await)?;
    Ok(n.unwrap_or(0))
}

/// Gives back the claim of a right check, in the sign-in's transaction.
pub async fn clear_tries(
    tx: &mut Tx,
    park_id: i64,
    record_id: i64,
    person_id: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |conn| sqlx::query(
        "UPDATE meeting_signin_tries SET failures = failures - 1 \
         WHERE park_id = $1 AND record_id = $2 AND person_id = $3 AND failures > 0"
    )
    .bind(park_id)
    .bind(record_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
