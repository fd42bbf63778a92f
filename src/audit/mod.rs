//! The audit log: every create, update and delete writes who, when, what, before and after, each
//! entry chained to the previous one of its park by SHA-256, so that an entry edited or removed
//! behind the application's back breaks the chain at that point.

pub mod api;
pub mod key;
pub mod pages;
mod queries;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{DbError, Tx};

pub use key::AuditKey;
pub use queries::{export, list, verify, AuditFilter};

/// Hash that stands before a park's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it, for the audit entry.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub login: String,
}

impl Actor {
    /// The command line acting outside any account (init, demo, import by the operator).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            login: "system".to_string(),
        }
    }
}

/// One change to write.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An entry as stored.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub login: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The fingerprint of the key the entry's hash was made with; None before keys were used.
    pub key_id: Option<String>,
}
crate::from_row!(Entry:
    id, seq, at, user_id, login, action, entity, entity_id, before_json, after_json, prev_hash,
    hash, key_id);

impl Entry {
    /// The entry as it leaves the server (the API): its values with personal data opened and
    /// masked, as the audit pages show them. The stored entry, which the chain hashes, is
    /// untouched.
    pub fn masked(mut self) -> Entry {
        let mask = |json: Option<String>| {
            json.map(|j| match serde_json::from_str::<serde_json::Value>(&j) {
                Ok(mut v) => {
                    crate::crypto::open_json(&mut v);
                    masked_json("", v).to_string()
                }
                Err(_) => mask_all_but_ends(&j),
            })
        };
        self.before_json = mask(self.before_json.take());
        self.after_json = mask(self.after_json.take());
        self
    }
}

/// A JSON value with every ID number, phone number and password-like field masked.
fn masked_json(key: &str, v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = masked_json(&k, v);
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| masked_json(key, v)).collect())
        }
        Value::String(s) => Value::String(mask_text(key, &s)),
        Value::Number(n) if key_is_personal(key) => Value::String(mask_text(key, &n.to_string())),
        other => other,
    }
}

fn key_is_personal(key: &str) -> bool {
    crate::crypto::is_personal_field(key)
}

/// A stored value's text as it may be shown: ID numbers and phone numbers masked wherever they
/// appear, password hashes hidden.
pub fn mask_text(key: &str, text: &str) -> String {
    use crate::org::ids::{IdNumber, Phone};
    let lower = key.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("hash") {
        return "（已隐藏）".into();
    }
    if text == crate::crypto::UNOPENED {
        return text.to_string();
    }
    if let Ok(n) = IdNumber::parse(text) {
        return n.masked();
    }
    if let Ok(p) = Phone::parse(text) {
        return p.masked();
    }
    if key_is_personal(key) {
        return mask_all_but_ends(text);
    }
    text.to_string()
}

/// Free text with every run of six or more digits (an ID number's trailing X included) masked
/// but its first three and last two characters: a phone or ID number typed into a search box.
pub fn mask_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len()
            && (chars[i].is_ascii_digit() || (i > start && matches!(chars[i], 'X' | 'x')))
        {
            i += 1;
        }
        let run = &chars[start..i];
        if run.len() >= 6 {
            for (k, c) in run.iter().enumerate() {
                out.push(if k < 3 || k + 2 >= run.len() { *c } else { '*' });
            }
        } else {
            out.extend(run);
        }
        if i == start {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Keeps the first and last two characters of a value that should be personal but did not parse.
fn mask_all_but_ends(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..2].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 4));
    out.extend(&chars[chars.len() - 2..]);
    out
}

/// Result of walking a park's chain.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Intact {
        entries: i64,
    },
    /// The first entry whose link does not hold, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Appends one entry to the park's chain, inside the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    park_id: i64,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<(), DbError> {
    queries::append(tx, park_id, actor, at, change).await
}

/// The text hashed for an entry: every stored field but the hashes, in a fixed order.
/// An entry's hash: the HMAC under the audit key, or (entries written before keys) the plain
/// SHA-256 of the previous hash and the entry.
fn entry_digest(prev_hash: &str, e: &EntryFields<'_>, key: Option<&AuditKey>) -> String {
    let canonical = serde_json::json!([
        e.seq,
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        e.user_id,
        e.login,
        e.action,
        e.entity,
        e.entity_id,
        e.before_json,
        e.after_json,
    ]);
    let canonical = canonical.to_string();
    if let Some(key) = key {
        return key.mac(&[b"entry", prev_hash.as_bytes(), canonical.as_bytes()]);
    }
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

struct EntryFields<'a> {
    seq: i64,
    at: DateTime<Utc>,
    user_id: Option<i64>,
    login: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: Option<i64>,
    before_json: Option<&'a str>,
    after_json: Option<&'a str>,
}

impl<'a> From<&'a Entry> for EntryFields<'a> {
    fn from(e: &'a Entry) -> Self {
        EntryFields {
            seq: e.seq,
            at: e.at,
            user_id: e.user_id,
            login: &e.login,
            action: &e.action,
            entity: &e.entity,
            entity_id: e.entity_id,
            before_json: e.before_json.as_deref(),
            after_json: e.after_json.as_deref(),
        }
    }
}

/// The audit log as the 审计管理员 searches it.
pub async fn search(
    db: &crate::db::Db,
    who: &crate::auth::Principal,
    f: &AuditFilter,
    now: DateTime<Utc>,
) -> Result<(Vec<Entry>, i64), crate::error::AppError> {
    who.require(crate::auth::Action::ReadAudit)?;
    let found = list(db, who.park_id, f).await?;
    // Reading the log is itself in the log.
    let mut tx = db.begin().await?;
    record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "read",
            entity: "audit_log",
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({
                "entity": f.entity, "entity_id": f.entity_id, "login": f.login,
                // What the auditor searched for may be a phone or an ID number: kept masked.
                "action": f.action, "q": f.q.as_deref().map(mask_digit_runs), "shown": found.0.len(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

/// Walks the chain for the 审计管理员.
pub async fn verify_as(
    db: &crate::db::Db,
    who: &crate::auth::Principal,
) -> Result<Verdict, crate::error::AppError> {
    who.require(crate::auth::Action::ReadAudit)?;
    Ok(verify(db, who.park_id).await?)
}

#[cfg(test)]
mod tests {
    use super::mask_digit_runs;

    #[test]
    fn a_searched_phone_or_id_number_is_kept_masked() {
        assert_eq!(mask_digit_runs("13800138000"), "138******00");
        assert_eq!(mask_digit_runs("11010519491231002X"), "110*************2X");
        assert_eq!(mask_digit_runs("张三 1380013"), "张三 138**13");
        assert_eq!(mask_digit_runs("2024年 会议 12345"), "2024年 会议 12345");
        assert_eq!(mask_digit_runs(""), "");
    }
}
