//! Storage of the park's ledger kinds, records and attachments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::catalogue::{Catalogue, KindDef};
use crate::db::{Db, DbError, Tx};
use crate::org::queries::placeholders;
use crate::{on_db, on_tx};

/// A record as stored; `fields` is the JSON object of validated values keyed by field key.
#[derive(Clone, Debug, Serialize)]
pub struct RecordRow {
    pub id: i64,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub title: String,
    pub fields: String,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
crate::from_row!(RecordRow:
    id, kind, occurred_on, unit_id, enterprise_id, title, fields, version, created_by, created_at,
    updated_at, deleted_at);

/// What a write stores: the typed core columns and the fields.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordData {
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub title: String,
    pub fields: String,
    pub search_text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub record_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(AttachmentRow:
    id, record_id, file_name, content_type, size_bytes, sha256, created_at);

/// Filters of a record listing, already checked against the caller's rights.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
pub struct RecordQuery {
    /// Kinds to list (never empty: the caller narrows it to what the role may read).
    pub kinds: Vec<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unit_ids: Option<Vec<i64>>,
    pub enterprise_id: Option<i64>,
    /// Text that must appear in the record (matched literally).
    pub text: Option<String>,
    /// Field key and the exact text value it must hold.
    pub fields: Vec<(String, String)>,
    pub deleted: bool,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Clone, Copy, Debug, Default, Hash, PartialEq, Eq)]
pub enum Sort {
    #[default]
    DateDesc,
    DateAsc,
    TitleAsc,
    UpdatedDesc,
}

impl Sort {
    fn sql(self) -> &'static str {
        match self {
            Sort::DateDesc => "occurred_on DESC, id DESC",
            Sort::DateAsc => "occurred_on ASC, id ASC",
            Sort::TitleAsc => "title ASC, id ASC",
            Sort::UpdatedDesc => "updated_at DESC, id DESC",
        }
    }
}

const RECORD_COLUMNS: &str =
    "id, kind, occurred_on, unit_id, enterprise_id, title, fields, version, \
                              created_by, created_at, updated_at, deleted_at";

// ---- kinds ----

pub async fn install_kinds(
    tx: &mut Tx,
    park_id: i64,
    catalogue: &Catalogue,
) -> Result<(), DbError> {
    for (position, kind) in catalogue.kinds.iter().enumerate() {
        let definition = serde_json::to_string(kind).unwrap_or_default();
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO kinds (park_id, kind, position, definition) VALUES ($1, $2, $3, $4)"
        )
        .bind(park_id)
        .bind(&kind.id)
        .bind(position as i64)
        .bind(&definition)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn upsert_kind(
    tx: &mut Tx,
    park_id: i64,
    kind: &KindDef,
    position: i64,
) -> Result<(), DbError> {
    let definition = serde_json::to_string(kind).unwrap_or_default();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO kinds (park_id, kind, position, definition) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (park_id, kind) DO UPDATE SET definition = excluded.definition"
    )
    .bind(park_id)
    .bind(&kind.id)
    .bind(position)
    .bind(&definition)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// True when some record of the kind (deleted or not) holds a value for the field.
pub async fn field_in_use(db: &Db, park_id: i64, kind: &str, key: &str) -> Result<bool, DbError> {
    let sql = format!(
        "SELECT COUNT(*) FROM records WHERE park_id = $1 AND kind = $2 AND {} IS NOT NULL",
        db.json_field("fields", 3)
    );
    let n: i64 = on_db!(db, |pool| sqlx::query_scalar(&sql)
        .bind(park_id)
        .bind(kind)
        .bind(key)
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// The park's catalogue, in order. A definition that no longer parses is a database error: it
/// was validated when it was written.
pub async fn kinds(db: &Db, park_id: i64) -> Result<Vec<KindDef>, DbError> {
    let rows: Vec<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT definition FROM kinds WHERE park_id = $1 ORDER BY position, kind"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?;
    rows.into_iter().map(|(d,)| parse_kind(&d)).collect()
}

pub async fn kind(db: &Db, park_id: i64, kind: &str) -> Result<Option<KindDef>, DbError> {
    let row: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "SELECT definition FROM kinds WHERE park_id = $1 AND kind = $2"
    )
    .bind(park_id)
    .bind(kind)
    .fetch_optional(pool)
    .await)?;
    row.map(|(d,)| parse_kind(&d)).transpose()
}

fn parse_kind(definition: &str) -> Result<KindDef, DbError> {
    serde_json::from_str::<KindDef>(definition)
        .map(KindDef::with_built_in_rules)
        .map_err(|e| DbError::Other(sqlx::Error::Decode(Box::new(e))))
}

// ---- records ----

pub async fn insert_record(
    tx: &mut Tx,
    park_id: i64,
    d: &RecordData,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let (copies, copied) = crate::db::copied_fields(tx.backend(), "$7");
    let sql = format!(
        "INSERT INTO records (park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, \
         search_text, created_by, created_at, updated_at{copies}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10{copied}) RETURNING id"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(park_id)
        .bind(&d.kind)
        .bind(d.occurred_on)
        .bind(d.unit_id)
        .bind(d.enterprise_id)
        .bind(&d.title)
        .bind(&d.fields)
        .bind(&d.search_text)
        .bind(by)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// Updates a record if it is still at `version`; returns false when someone saved first.
pub async fn update_record(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    version: i64,
    d: &RecordData,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE records SET occurred_on = $4, unit_id = $5, enterprise_id = $6, title = $7, \
         fields = $8, search_text = $9, updated_at = $10, version = version + 1 \
         WHERE park_id = $1 AND id = $2 AND version = $3 AND deleted_at IS NULL"
    )
    .bind(park_id)
    .bind(id)
    .bind(version)
    .bind(d.occurred_on)
    .bind(d.unit_id)
    .bind(d.enterprise_id)
    .bind(&d.title)
    .bind(&d.fields)
    .bind(&d.search_text)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks a record deleted (`Some(now)`) or restores it (`None`), bumping its version.
pub async fn set_deleted(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    deleted_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE records SET deleted_at = $3, updated_at = $4, version = version + 1 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(deleted_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn record(db: &Db, park_id: i64, id: i64) -> Result<Option<RecordRow>, DbError> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE park_id = $1 AND id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// One page of records and, unless the caller already knows it, the total that match.
pub async fn list_records(
    db: &Db,
    park_id: i64,
    q: &RecordQuery,
    count: bool,
) -> Result<(Vec<RecordRow>, Option<i64>), DbError> {
    if q.kinds.is_empty() {
        return Ok((Vec::new(), Some(0)));
    }
    // Build the WHERE clause with numbered placeholders; every value is bound, and the only
    // text spliced in is ours (column names, the JSON accessor, placeholder numbers).
    let mut sql = String::from("park_id = $1");
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    let kinds_from = next();
    for _ in 1..q.kinds.len() {
        next();
    }
    sql.push_str(&format!(
        " AND kind IN ({})",
        placeholders(kinds_from, q.kinds.len())
    ));
    if q.from.is_some() {
        sql.push_str(&format!(" AND occurred_on >= ${}", next()));
    }
    if q.to.is_some() {
        sql.push_str(&format!(" AND occurred_on <= ${}", next()));
    }
    if let Some(units) = &q.unit_ids {
        if units.is_empty() {
            return Ok((Vec::new(), Some(0)));
        }
        let from = next();
        for _ in 1..units.len() {
            next();
        }
        sql.push_str(&format!(
            " AND unit_id IN ({})",
            placeholders(from, units.len())
        ));
    }
    if q.enterprise_id.is_some() {
        sql.push_str(&format!(" AND enterprise_id = ${}", next()));
    }
    if q.text.is_some() {
        sql.push_str(&format!(" AND search_text LIKE ${} ESCAPE '\\'", next()));
    }
    for _ in &q.fields {
        let key = next();
        let value = next();
        sql.push_str(&format!(" AND {} = ${value}", db.json_field("fields", key)));
    }
    sql.push_str(if q.deleted {
        " AND deleted_at IS NOT NULL"
    } else {
        " AND deleted_at IS NULL"
    });
    let limit_at = next();
    let offset_at = next();
    let rows_sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records WHERE {sql} ORDER BY {} LIMIT ${limit_at} OFFSET ${offset_at}",
        q.sort.sql()
    );
    let count_sql = format!("SELECT COUNT(*) FROM records WHERE {sql}");
    let text = q
        .text
        .as_ref()
        .map(|t| format!("%{}%", crate::org::queries::escape_like(t)));

    macro_rules! bind_filters {
        ($query:expr) => {{
            let mut query = $query.bind(park_id);
            for k in &q.kinds {
                query = query.bind(k);
            }
            if let Some(from) = q.from {
                query = query.bind(from);
            }
            if let Some(to) = q.to {
                query = query.bind(to);
            }
            if let Some(units) = &q.unit_ids {
                for u in units {
                    query = query.bind(*u);
                }
            }
            if let Some(e) = q.enterprise_id {
                query = query.bind(e);
            }
            if let Some(t) = &text {
                query = query.bind(t);
            }
            for (k, v) in &q.fields {
                query = query.bind(k).bind(v);
            }
            query
        }};
    }

    let rows: Vec<RecordRow> = on_db!(db, |pool| bind_filters!(sqlx::query_as(&rows_sql))
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(pool)
        .await)?;
    if !count {
        return Ok((rows, None));
    }
    let total: i64 = on_db!(db, |pool| bind_filters!(sqlx::query_scalar(&count_sql))
        .fetch_one(pool)
        .await)?;
    Ok((rows, Some(total)))
}

// ---- attachments ----

pub async fn insert_attachment(
    tx: &mut Tx,
    park_id: i64,
    a: &AttachmentRow,
    by: Option<i64>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO attachments (park_id, record_id, file_name, content_type, size_bytes, sha256, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(park_id)
    .bind(a.record_id)
    .bind(&a.file_name)
    .bind(&a.content_type)
    .bind(a.size_bytes)
    .bind(&a.sha256)
    .bind(by)
    .bind(a.created_at)
    .fetch_one(c)
    .await
    })?)
}

pub async fn attachments_of(
    db: &Db,
    park_id: i64,
    record_id: i64,
) -> Result<Vec<AttachmentRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, record_id, file_name, content_type, size_bytes, sha256, created_at \
         FROM attachments WHERE park_id = $1 AND record_id = $2 AND deleted_at IS NULL ORDER BY id"
    )
    .bind(park_id)
    .bind(record_id)
    .fetch_all(pool)
    .await)?)
}

pub async fn attachment(db: &Db, park_id: i64, id: i64) -> Result<Option<AttachmentRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, record_id, file_name, content_type, size_bytes, sha256, created_at \
         FROM attachments WHERE park_id = $1 AND id = $2 AND deleted_at IS NULL"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(pool)
    .await)?)
}
