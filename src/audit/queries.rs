//! Audit log storage.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Deserialize;

use super::key::{self, AuditKey};
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
    // ID numbers and phones inside the entry are sealed like the columns they come from: the
    // chain then hashes the sealed text, and the entry keeps the key it was sealed under.
    let (mut before, mut after) = (change.before, change.after);
    if before
        .iter()
        .chain(after.iter())
        .any(crate::crypto::has_personal_values)
    {
        let sealer = crate::crypto::sealer(tx).await?;
        for v in before.iter_mut().chain(after.iter_mut()) {
            crate::crypto::seal_json(&sealer, v);
        }
    }
    let before = before.map(|v| v.to_string());
    let after = after.map(|v| v.to_string());
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
    let key = registered_key(tx, at).await?;
    let key_id = key.fingerprint();
    let hash = entry_digest(&prev, &fields, Some(key));
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO audit_log (park_id, seq, at, user_id, login, action, entity, entity_id, \
         before_json, after_json, prev_hash, hash, key_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
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
    .bind(&key_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    // The signed head, outside the log: cutting the log's end no longer goes unseen.
    let mac = head_mac(key, park_id, seq, &hash);
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO audit_heads (park_id, seq, hash, key_id, mac) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (park_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, \
         key_id = excluded.key_id, mac = excluded.mac"
    )
    .bind(park_id)
    .bind(seq)
    .bind(&hash)
    .bind(&key_id)
    .bind(&mac)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

fn head_mac(key: &AuditKey, park_id: i64, seq: i64, hash: &str) -> String {
    key.mac(&[
        b"head",
        park_id.to_string().as_bytes(),
        seq.to_string().as_bytes(),
        hash.as_bytes(),
    ])
}

/// The parks whose chain has entries but no signed head: chains from before keys.
pub(super) async fn parks_without_head(db: &Db) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT DISTINCT l.park_id FROM audit_log l \
         WHERE NOT EXISTS (SELECT 1 FROM audit_heads h WHERE h.park_id = l.park_id)"
    )
    .fetch_all(pool)
    .await)?)
}

/// The fingerprints of the keys the database's chains are written under (none before keys).
pub(super) async fn registered_key_ids(db: &Db) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT key_id FROM audit_key"
    )
    .fetch_all(pool)
    .await)?)
}

/// The process's audit key, checked against the one the database's chain is written under (the
/// first keyed write records it).
async fn registered_key(tx: &mut Tx, now: DateTime<Utc>) -> Result<&'static AuditKey, DbError> {
    let key = key::installed().ok_or_else(|| {
        DbError::AuditKey(
            "未加载审计密钥，不能写审计日志：请把写入本数据库时的审计密钥文件放回 audit_key_file 所指的位置（默认是数据目录下的 audit.key）".to_string(),
        )
    })?;
    let ours = key.fingerprint();
    let known: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar("SELECT key_id FROM audit_key")
        .fetch_all(c)
        .await)?;
    if known.is_empty() {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO audit_key (key_id, registered_at) VALUES ($1, $2)"
        )
        .bind(&ours)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    } else if let Some(other) = known.iter().find(|k| **k != ours) {
        return Err(DbError::AuditKey(format!(
            "本数据库的审计日志由密钥 {other} 签名，本进程加载的是 {ours}：请使用写入本数据库时的审计密钥文件（audit_key_file）"
        )));
    }
    Ok(key)
}

/// Walks the park's chain from the start and reports the first broken link; then holds its end
/// to the signed head, so that entries cut from the end are found too.
pub async fn verify(db: &Db, park_id: i64) -> Result<Verdict, DbError> {
    let key = key::installed();
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut after_seq = 0i64;
    let mut keyed = false;
    loop {
        let page: Vec<Entry> = on_db!(db, |pool| sqlx::query_as(
            "SELECT id, seq, at, user_id, login, action, entity, entity_id, before_json, \
             after_json, prev_hash, hash, key_id FROM audit_log WHERE park_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT 1000"
        )
        .bind(park_id)
        .bind(after_seq)
        .fetch_all(pool)
        .await)?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let broken = |reason: String| Verdict::Broken { seq: e.seq, reason };
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("第 {expected_seq} 条记录缺失（下一条为第 {} 条）", e.seq),
                });
            }
            if e.prev_hash != expected_prev {
                return Ok(broken(format!("第 {} 条记录的前序哈希与上一条不符", e.seq)));
            }
            let with = match (&e.key_id, key) {
                (None, _) if keyed => {
                    return Ok(broken(format!(
                        "第 {} 条记录没有密钥签名，而此前的记录已签名",
                        e.seq
                    )))
                }
                (None, _) => None,
                (Some(_), None) => {
                    return Err(DbError::AuditKey(
                        "未加载审计密钥，无法校验已签名的审计日志".to_string(),
                    ))
                }
                (Some(id), Some(k)) if *id != k.fingerprint() => {
                    return Ok(broken(format!(
                        "第 {} 条记录由密钥 {id} 签名，与本机的审计密钥 {} 不符",
                        e.seq,
                        k.fingerprint()
                    )))
                }
                (Some(_), Some(k)) => Some(k),
            };
            keyed |= with.is_some();
            if entry_digest(&e.prev_hash, &EntryFields::from(e), with) != e.hash {
                return Ok(broken(format!(
                    "第 {} 条记录的内容与其哈希不符（被修改过）",
                    e.seq
                )));
            }
            expected_prev = e.hash.clone();
            expected_seq += 1;
        }
        after_seq = expected_seq - 1;
    }
    let entries = expected_seq - 1;
    let head: Option<(i64, String, String, String)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT seq, hash, key_id, mac FROM audit_heads WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_optional(pool)
    .await)?;
    let cut = |reason: String| Verdict::Broken {
        seq: entries + 1,
        reason,
    };
    match (head, key) {
        (None, _) if entries == 0 => Ok(Verdict::Intact { entries }),
        // Without the key only a chain from before keys can be checked.
        (None, None) if !keyed => Ok(Verdict::Intact { entries }),
        // With it, every park's chain has a head: the first keyed write (or the seal written
        // when the key was installed) made it, and nothing in the database can make another.
        (None, _) => Ok(cut("缺少签名的日志头：日志可能被删改".to_string())),
        (Some(_), None) => Err(DbError::AuditKey(
            "未加载审计密钥，无法校验日志头".to_string(),
        )),
        (Some((seq, hash, key_id, mac)), Some(k)) => {
            if key_id != k.fingerprint() || head_mac(k, park_id, seq, &hash) != mac {
                Ok(cut("日志头的签名不符（被修改过）".to_string()))
            } else if seq > entries {
                Ok(cut(format!(
                    "日志头记录共 {seq} 条，现只有 {entries} 条：末尾的记录被删除"
                )))
            } else if seq < entries || hash != expected_prev {
                Ok(cut(format!(
                    "日志头记录共 {seq} 条，与日志中的 {entries} 条不符"
                )))
            } else {
                Ok(Verdict::Intact { entries })
            }
        }
    }
}

/// Every entry of the park in order, as stored (for `audit export`): written one JSON line each
/// to `out`; returns how many and the last hash.
pub async fn export(
    db: &Db,
    park_id: i64,
    out: &mut impl std::io::Write,
) -> Result<(i64, String), anyhow::Error> {
    let mut after_seq = 0i64;
    let mut last = GENESIS.to_string();
    let mut count = 0;
    loop {
        let page: Vec<Entry> = on_db!(db, |pool| sqlx::query_as(
            "SELECT id, seq, at, user_id, login, action, entity, entity_id, before_json, \
             after_json, prev_hash, hash, key_id FROM audit_log WHERE park_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT 1000"
        )
        .bind(park_id)
        .bind(after_seq)
        .fetch_all(pool)
        .await)
        .map_err(DbError::from)?;
        let Some(end) = page.last() else {
            return Ok((count, last));
        };
        after_seq = end.seq;
        last = end.hash.clone();
        for e in &page {
            serde_json::to_writer(&mut *out, e)?;
            out.write_all(b"\n")?;
            count += 1;
        }
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
         prev_hash, hash, key_id FROM audit_log WHERE {filter} ORDER BY seq DESC LIMIT $9 OFFSET $10"
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
