//! Audit log storage.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;

use super::{entry_digest, Actor, Change, Entry, EntryFields, Verdict, GENESIS};
use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

pub(super) async fn append(
    tx: &mut Tx,
    park_id: i64,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<(), DbError> {
    // Bumping the park's data version first also takes its row lock on PostgreSQL, so two
    // writers never read the same chain head (SQLite's BEGIN IMMEDIATE already serialises them).
    on_tx!(tx, |c| sqlx::query(
        "UPDATE parks SET data_version = data_version + 1 WHERE id = $1"
    )
    .bind(park_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let head: Option<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT seq, hash FROM audit_log WHERE park_id = $1 ORDER BY seq DESC LIMIT 1"
    )
    .bind(park_id)
    .fetch_optional(c)
    .await)?;
    let (seq, prev) = match head {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    // Microseconds are what both backends store, so the hash is computed over what comes back.
    let at = at.trunc_subsecs(6);
    let before = change.before.map(|v| v.to_string());
    let after = change.after.map(|v| v.to_string());
    let fields = EntryFields {
        seq,
        at,
        user_id: actor.user_id,
        login: &actor.login,
        action: change.action,
        entity: change.entity,
        entity_id: change.entity_id,
        before_json: before.as_deref(),
        after_json: after.as_deref(),
    };
    let hash = entry_digest(&prev, &fields);
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO audit_log (park_id, seq, at, user_id, login, action, entity, entity_id, \
         before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(park_id)
    .bind(seq)
    .bind(at)
    .bind(actor.user_id)
    .bind(&actor.login)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(&before)
    .bind(&after)
    .bind(&prev)
    .bind(&hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Walks the park's chain from the start and reports the first broken link.
pub async fn verify(db: &Db, park_id: i64) -> Result<Verdict, DbError> {
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut after_seq = 0i64;
    loop {
        let page: Vec<Entry> = on_db!(db, |pool| sqlx::query_as(
            "SELECT id, seq, at, user_id, login, action, entity, entity_id, before_json, \
             after_json, prev_hash, hash FROM audit_log WHERE park_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT 1000"
        )
        .bind(park_id)
        .bind(after_seq)
        .fetch_all(pool)
        .await)?;
        if page.is_empty() {
            return Ok(Verdict::Intact {
                entries: expected_seq - 1,
            });
        }
        for e in &page {
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("第 {expected_seq} 条记录缺失（下一条为第 {} 条）", e.seq),
                });
            }
            if e.prev_hash != expected_prev {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: format!("第 {} 条记录的前序哈希与上一条不符", e.seq),
                });
            }
            if entry_digest(&e.prev_hash, &EntryFields::from(e)) != e.hash {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: format!("第 {} 条记录的内容与其哈希不符（被修改过）", e.seq),
                });
            }
            expected_prev = e.hash.clone();
            expected_seq += 1;
        }
        after_seq = expected_seq - 1;
    }
}

/// Filters of the audit log listing.
#[derive(Debug, Default, Deserialize)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub login: Option<String>,
    /// The action (`create`, `update`, `delete`, `lock` ...).
    pub action: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Text found in the login or in the before or after values.
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A LIKE pattern that finds `text` literally (`%`, `_` and `\` escaped).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub async fn list(db: &Db, park_id: i64, f: &AuditFilter) -> Result<(Vec<Entry>, i64), DbError> {
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let offset = f.offset.unwrap_or(0).max(0);
    let q =
        f.q.as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(contains_pattern);
    let filter = "park_id = $1 AND ($2 IS NULL OR entity = $2) AND ($3 IS NULL OR entity_id = $3) \
                  AND ($4 IS NULL OR login = $4) AND ($5 IS NULL OR action = $5) \
                  AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7) \
                  AND ($8 IS NULL OR login LIKE $8 ESCAPE '\\' OR before_json LIKE $8 ESCAPE '\\' \
                  OR after_json LIKE $8 ESCAPE '\\')";
    let rows_sql = format!(
        "SELECT id, seq, at, user_id, login, action, entity, entity_id, before_json, after_json, \
         prev_hash, hash FROM audit_log WHERE {filter} ORDER BY seq DESC LIMIT $9 OFFSET $10"
    );
    let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {filter}");
    let rows: Vec<Entry> = on_db!(db, |pool| sqlx::query_as(&rows_sql)
        .bind(park_id)
        .bind(&f.entity)
        .bind(f.entity_id)
        .bind(&f.login)
        .bind(&f.action)
        .bind(f.from)
        .bind(f.to)
        .bind(&q)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)?;
    let total: i64 = on_db!(db, |pool| sqlx::query_scalar(&count_sql)
        .bind(park_id)
        .bind(&f.entity)
        .bind(f.entity_id)
        .bind(&f.login)
        .bind(&f.action)
        .bind(f.from)
        .bind(f.to)
        .bind(&q)
        .fetch_one(pool)
        .await)?;
    Ok((rows, total))
}
