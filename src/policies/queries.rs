//! The policy library (`policies`) and its pushes (`policy_pushes`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A policy as stored, with how many enterprises it reached and how many of them read it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyRow {
    pub id: i64,
    /// Raised by each save (migration 0024).
    pub version: i64,
    pub title: String,
    pub level: String,
    pub issuer: String,
    pub doc_number: String,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub summary: String,
    pub full_text: String,
    /// Comma-separated, empty for "every enterprise", as the three conditions.
    pub industries: String,
    pub scales: String,
    pub tags: String,
    pub pushed_count: i64,
    pub read_count: i64,
}
crate::from_row!(PolicyRow:
    id, version, title, level, issuer, doc_number, issued_on, valid_until, summary, full_text,
    industries, scales, tags, pushed_count, read_count);

/// A policy to be stored.
pub struct NewPolicy<'a> {
    pub title: &'a str,
    pub level: &'a str,
    pub issuer: &'a str,
    pub doc_number: &'a str,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub summary: &'a str,
    pub full_text: &'a str,
    pub industries: String,
    pub scales: String,
    pub tags: String,
}

/// An enterprise's profile as matching reads it.
#[derive(Clone, Debug)]
pub struct ProfileRow {
    pub id: i64,
    pub industry: Option<String>,
    pub scale: Option<String>,
    pub tags: String,
}
crate::from_row!(ProfileRow: id, industry, scale, tags);

/// One push of a policy to an enterprise, with the enterprise's name.
#[derive(Clone, Debug, Serialize)]
pub struct PushRow {
    pub id: i64,
    pub policy_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub mode: String,
    pub reason: String,
    pub pushed_on: NaiveDate,
    pub pushed_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub read_login: Option<String>,
}
crate::from_row!(PushRow:
    id, policy_id, enterprise_id, enterprise_name, mode, reason, pushed_on, pushed_at, read_at,
    read_login);

/// What a push writes besides the enterprise and its reason.
pub struct PushBatch<'a> {
    pub policy_id: i64,
    pub mode: &'a str,
    pub pushed_on: NaiveDate,
    pub pushed_at: DateTime<Utc>,
    pub pushed_by: Option<i64>,
}

const POLICY_COLUMNS: &str =
    "p.id, p.version, p.title, p.level, p.issuer, p.doc_number, p.issued_on, \
     p.valid_until, p.summary, p.full_text, p.industries, p.scales, p.tags, \
     (SELECT COUNT(*) FROM policy_pushes u WHERE u.park_id = p.park_id AND u.policy_id = p.id) \
       AS pushed_count, \
     (SELECT COUNT(*) FROM policy_pushes u WHERE u.park_id = p.park_id AND u.policy_id = p.id \
       AND u.read_at IS NOT NULL) AS read_count";

const PUSH_COLUMNS: &str = "u.id, u.policy_id, u.enterprise_id, e.name AS enterprise_name, \
     u.mode, u.reason, u.pushed_on, u.pushed_at, u.read_at, u.read_login";

pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    p: &NewPolicy<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO policies (park_id, title, level, issuer, doc_number, issued_on, valid_until, \
         summary, full_text, industries, scales, tags, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id"
    )
    .bind(park_id)
    .bind(p.title)
    .bind(p.level)
    .bind(p.issuer)
    .bind(p.doc_number)
    .bind(p.issued_on)
    .bind(p.valid_until)
    .bind(p.summary)
    .bind(p.full_text)
    .bind(&p.industries)
    .bind(&p.scales)
    .bind(&p.tags)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

/// Writes policy `id` when its stored version is still `version` (raising it); the rows
/// written, 0 when someone saved it since.
pub async fn update(
    tx: &mut Tx,
    park_id: i64,
    (id, version): (i64, i64),
    p: &NewPolicy<'_>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query(
        "UPDATE policies SET title = $3, level = $4, issuer = $5, doc_number = $6, \
         issued_on = $7, valid_until = $8, summary = $9, full_text = $10, industries = $11, \
         scales = $12, tags = $13, updated_at = $14, version = version + 1 \
         WHERE park_id = $1 AND id = $2 AND version = $15"
    )
    .bind(park_id)
    .bind(id)
    .bind(p.title)
    .bind(p.level)
    .bind(p.issuer)
    .bind(p.doc_number)
    .bind(p.issued_on)
    .bind(p.valid_until)
    .bind(p.summary)
    .bind(p.full_text)
    .bind(&p.industries)
    .bind(&p.scales)
    .bind(&p.tags)
    .bind(now)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

pub async fn get(db: &Db, park_id: i64, id: i64) -> Result<Option<PolicyRow>, DbError> {
    let sql = format!("SELECT {POLICY_COLUMNS} FROM policies p WHERE p.park_id = $1 AND p.id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// A page of the library, the newest first, and the library's size.
pub async fn list(
    db: &Db,
    park_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PolicyRow>, i64), DbError> {
    let sql = format!(
        "SELECT {POLICY_COLUMNS} FROM policies p WHERE p.park_id = $1 \
         ORDER BY p.issued_on DESC, p.id DESC LIMIT $2 OFFSET $3"
    );
    let rows = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?;
    let total = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM policies WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_one(pool)
    .await)?;
    Ok((rows, total))
}

/// Every enterprise's profile, read in the push's transaction.
pub async fn profiles(tx: &mut Tx, park_id: i64) -> Result<Vec<ProfileRow>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, industry, scale, tags FROM enterprises WHERE park_id = $1 ORDER BY id"
    )
    .bind(park_id)
    .fetch_all(c)
    .await)?)
}

/// The enterprises a policy has reached already, by id.
pub async fn reached(tx: &mut Tx, park_id: i64, policy_id: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT enterprise_id FROM policy_pushes WHERE park_id = $1 AND policy_id = $2 \
         ORDER BY enterprise_id"
    )
    .bind(park_id)
    .bind(policy_id)
    .fetch_all(c)
    .await)?)
}

/// Rows per multi-row insert: few enough placeholders for SQLite's name lookup to stay cheap.
const PUSH_CHUNK: usize = 200;

/// Writes one push per `(enterprise, reason)`; an enterprise the policy reached already is left
/// as it was. Returns how many rows were written.
pub async fn insert_pushes(
    tx: &mut Tx,
    park_id: i64,
    batch: &PushBatch<'_>,
    rows: &[(i64, String)],
) -> Result<u64, DbError> {
    let mut written = 0;
    for chunk in rows.chunks(PUSH_CHUNK) {
        // $1–$6 are the batch's, then two per row: our own text, only placeholders spliced in.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let e = 7 + 2 * i;
                format!("($1, $2, ${e}, $3, ${}, $4, $5, $6)", e + 1)
            })
            .collect();
        let sql = format!(
            "INSERT INTO policy_pushes (park_id, policy_id, enterprise_id, mode, reason, \
             pushed_on, pushed_at, pushed_by) VALUES {} \
             ON CONFLICT (park_id, policy_id, enterprise_id) DO NOTHING",
            values.join(", ")
        );
        written += on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql)
                .bind(park_id)
                .bind(batch.policy_id)
                .bind(batch.mode)
                .bind(batch.pushed_on)
                .bind(batch.pushed_at)
                .bind(batch.pushed_by);
            for (enterprise, reason) in chunk {
                q = q.bind(*enterprise).bind(reason);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(written)
}

/// A policy's pushes, by enterprise name.
pub async fn pushes_of_policy(
    db: &Db,
    park_id: i64,
    policy_id: i64,
) -> Result<Vec<PushRow>, DbError> {
    let sql = format!(
        "SELECT {PUSH_COLUMNS} FROM policy_pushes u \
         JOIN enterprises e ON e.park_id = u.park_id AND e.id = u.enterprise_id \
         WHERE u.park_id = $1 AND u.policy_id = $2 ORDER BY e.name, u.id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(policy_id)
        .fetch_all(pool)
        .await)?)
}

/// The push of a policy to one enterprise, if it was pushed there.
pub async fn push_of(
    db: &Db,
    park_id: i64,
    policy_id: i64,
    enterprise_id: i64,
) -> Result<Option<PushRow>, DbError> {
    let sql = format!(
        "SELECT {PUSH_COLUMNS} FROM policy_pushes u \
         JOIN enterprises e ON e.park_id = u.park_id AND e.id = u.enterprise_id \
         WHERE u.park_id = $1 AND u.policy_id = $2 AND u.enterprise_id = $3"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(policy_id)
        .bind(enterprise_id)
        .fetch_optional(pool)
        .await)?)
}

/// The pushes with these ids, by id (the items behind a report figure).
pub async fn pushes_by_id(db: &Db, park_id: i64, ids: &[i64]) -> Result<Vec<PushRow>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    let sql = format!(
        "SELECT {PUSH_COLUMNS} FROM policy_pushes u \
         JOIN enterprises e ON e.park_id = u.park_id AND e.id = u.enterprise_id \
         WHERE u.park_id = $1 AND u.id = $2"
    );
    for id in ids {
        let row: Option<PushRow> = on_db!(db, |pool| sqlx::query_as(&sql)
            .bind(park_id)
            .bind(*id)
            .fetch_optional(pool)
            .await)?;
        out.extend(row);
    }
    Ok(out)
}

/// The policies pushed to one enterprise, the latest push first, with its push; and how many.
pub async fn of_enterprise(
    db: &Db,
    park_id: i64,
    enterprise_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(PolicyRow, PushRow)>, i64), DbError> {
    let sql = format!(
        "SELECT {PUSH_COLUMNS} FROM policy_pushes u \
         JOIN enterprises e ON e.park_id = u.park_id AND e.id = u.enterprise_id \
         WHERE u.park_id = $1 AND u.enterprise_id = $2 \
         ORDER BY u.pushed_at DESC, u.id DESC LIMIT $3 OFFSET $4"
    );
    let pushes: Vec<PushRow> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(enterprise_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?;
    let total = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM policy_pushes WHERE park_id = $1 AND enterprise_id = $2"
    )
    .bind(park_id)
    .bind(enterprise_id)
    .fetch_one(pool)
    .await)?;
    let mut out = Vec::with_capacity(pushes.len());
    for push in pushes {
        if let Some(policy) = get(db, park_id, push.policy_id).await? {
            out.push((policy, push));
        }
    }
    Ok((out, total))
}

/// Records the first reading of a push; a push read before keeps its first receipt. Returns
/// whether this was the first.
pub async fn mark_read(
    tx: &mut Tx,
    park_id: i64,
    push_id: i64,
    user_id: i64,
    login: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE policy_pushes SET read_at = $3, read_by = $4, read_login = $5 \
         WHERE park_id = $1 AND id = $2 AND read_at IS NULL"
    )
    .bind(park_id)
    .bind(push_id)
    .bind(now)
    .bind(user_id)
    .bind(login)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// How many enterprises and policies carry each of these tags, for refusing to drop a tag in
/// use: the first tag in use, and where.
pub async fn tag_in_use(
    tx: &mut Tx,
    park_id: i64,
    tag: &str,
) -> Result<Option<&'static str>, DbError> {
    let pattern = format!("%,{},%", crate::org::queries::escape_like(tag));
    let enterprises: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM enterprises WHERE park_id = $1 \
         AND (',' || tags || ',') LIKE $2 ESCAPE '\\'"
    )
    .bind(park_id)
    .bind(&pattern)
    .fetch_one(c)
    .await)?;
    if enterprises > 0 {
        return Ok(Some("企业"));
    }
    let policies: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM policies WHERE park_id = $1 \
         AND (',' || tags || ',') LIKE $2 ESCAPE '\\'"
    )
    .bind(park_id)
    .bind(&pattern)
    .fetch_one(c)
    .await)?;
    Ok((policies > 0).then_some("政策"))
}

/// Records the reading of the push of `policy_id` to `enterprise_id` at `at` (the demo's
/// history, written as it would have been).
pub async fn mark_read_of(
    tx: &mut Tx,
    park_id: i64,
    policy_id: i64,
    enterprise_id: i64,
    reader: (Option<i64>, &str),
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE policy_pushes SET read_at = $4, read_by = $5, read_login = $6 \
         WHERE park_id = $1 AND policy_id = $2 AND enterprise_id = $3 AND read_at IS NULL"
    )
    .bind(park_id)
    .bind(policy_id)
    .bind(enterprise_id)
    .bind(at)
    .bind(reader.0)
    .bind(reader.1)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
