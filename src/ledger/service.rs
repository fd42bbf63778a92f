//! Ledger services: the record operations both faces call, each checking the role, the data
//! scope and the record's version, and writing its audit entry in the same transaction.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::catalogue::KindDef;
use super::queries::{self, AttachmentRow, RecordData, RecordQuery, RecordRow, Sort};
use super::record::{self, Names};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal, Scope};
use crate::db::Db;
use crate::error::{AppError, FieldError};

/// A record as the faces show it. The fields are a map where a face reads them, or the stored
/// JSON passed through untouched (`RawFields`) where a listing only hands them on.
#[derive(Clone, Debug, Serialize)]
pub struct RecordView<F = Map<String, Json>> {
    pub id: i64,
    pub kind: String,
    pub date: NaiveDate,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub title: String,
    pub fields: F,
    pub version: i64,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Stored fields as they are: always written by us as a JSON object, checked, not rebuilt.
pub type RawFields = Box<serde_json::value::RawValue>;

impl RecordView<RawFields> {
    fn raw_from_row(row: RecordRow) -> RecordView<RawFields> {
        let fields = serde_json::value::RawValue::from_string(row.fields)
            .ok()
            .filter(|f| f.get().starts_with('{'))
            .unwrap_or_else(|| serde_json::value::to_raw_value(&Map::new()).unwrap_or_default());
        RecordView {
            id: row.id,
            kind: row.kind,
            date: row.occurred_on,
            unit_id: row.unit_id,
            enterprise_id: row.enterprise_id,
            title: row.title,
            fields,
            version: row.version,
            deleted: row.deleted_at.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl RecordView {
    pub(crate) fn from_row(row: RecordRow) -> RecordView {
        let fields = match serde_json::from_str(&row.fields) {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        };
        RecordView {
            id: row.id,
            kind: row.kind,
            date: row.occurred_on,
            unit_id: row.unit_id,
            enterprise_id: row.enterprise_id,
            title: row.title,
            fields,
            version: row.version,
            deleted: row.deleted_at.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    fn audit_json(&self) -> Json {
        serde_json::json!({
            "kind": self.kind, "date": self.date, "title": self.title,
            "unit_id": self.unit_id, "enterprise_id": self.enterprise_id, "fields": self.fields,
        })
    }
}

/// The filters a listing accepts from either face, before rights are applied.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListParams {
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub q: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Field filters, `key → exact value`.
    #[serde(skip)]
    pub fields: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T> Listing<T> {
    fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// A write: the record's fields by key and, for an update, the version it was read at.
#[derive(Clone, Debug, Deserialize)]
pub struct RecordInput {
    pub kind: Option<String>,
    #[serde(default)]
    pub fields: Map<String, Json>,
    pub version: Option<i64>,
}

pub const MAX_PAGE: i64 = 500;

/// Totals of listings, kept while the park's data version is unchanged. Counting a busy kind's
/// year costs milliseconds; the version check costs microseconds, and it sees writes made by
/// any process (the version lives in the database).
#[derive(Debug, Default)]
pub struct CountCache {
    totals: std::sync::Mutex<std::collections::HashMap<(i64, RecordQuery), (i64, i64)>>,
}

/// Entries kept at most; past it the cache starts afresh rather than tracking use.
const COUNT_CACHE_SIZE: usize = 10_000;

impl CountCache {
    fn get(&self, park_id: i64, q: &RecordQuery, version: i64) -> Option<i64> {
        let totals = self.totals.lock().ok()?;
        totals
            .get(&(park_id, q.clone()))
            .filter(|(v, _)| *v == version)
            .map(|(_, total)| *total)
    }

    fn put(&self, park_id: i64, q: RecordQuery, version: i64, total: i64) {
        if let Ok(mut totals) = self.totals.lock() {
            if totals.len() >= COUNT_CACHE_SIZE {
                totals.clear();
            }
            totals.insert((park_id, q), (version, total));
        }
    }
}

/// The park's catalogue as far as the principal may read it.
pub async fn kinds(db: &Db, who: &Principal) -> Result<Vec<KindDef>, AppError> {
    who.require(Action::ReadKinds)?;
    Ok(queries::kinds(db, who.park_id)
        .await?
        .into_iter()
        .filter(|k| who.role.allows(Action::ReadRecords(&k.id)))
        .collect())
}

pub async fn kind(db: &Db, who: &Principal, id: &str) -> Result<KindDef, AppError> {
    who.require(Action::ReadKinds)?;
    let def = queries::kind(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("台账类型"))?;
    who.require(Action::ReadRecords(&def.id))?;
    Ok(def)
}

/// Adds a kind to the park's catalogue or changes one (党建办). The whole catalogue must stay
/// valid, and a change may not strand data: a field that records use can be neither removed nor
/// given another type.
pub async fn save_kind(
    db: &Db,
    who: &Principal,
    def: KindDef,
    creating: bool,
    now: DateTime<Utc>,
) -> Result<KindDef, AppError> {
    who.require(Action::WriteKinds)?;
    let mut all = queries::kinds(db, who.park_id).await?;
    let existing = all.iter().position(|k| k.id == def.id);
    let before = match (existing, creating) {
        (Some(_), true) => {
            return Err(AppError::invalid(
                "id",
                "台账编号",
                format!("已有编号为“{}”的台账", def.id),
            ))
        }
        (None, false) => return Err(AppError::NotFound("台账类型")),
        (Some(i), false) => Some(all[i].clone()),
        (None, true) => None,
    };
    if let Some(old) = &before {
        for field in &old.fields {
            let kept = def.field(&field.key);
            let changed = kept.is_none_or(|k| k.field_type != field.field_type);
            if changed && queries::field_in_use(db, who.park_id, &old.id, &field.key).await? {
                return Err(AppError::invalid(
                    &field.key,
                    &field.label,
                    "已有记录填写了该字段，不能删除或更改其类型",
                ));
            }
        }
    }
    match existing {
        Some(i) => all[i] = def.clone(),
        None => all.push(def.clone()),
    }
    let catalogue = super::catalogue::Catalogue { kinds: all };
    catalogue
        .validate()
        .map_err(|e| AppError::invalid("definition", "台账定义", e.to_string()))?;
    let position = existing.unwrap_or(catalogue.kinds.len() - 1) as i64;
    let mut tx = db.begin().await?;
    queries::upsert_kind(&mut tx, who.park_id, &def, position).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: if creating { "create" } else { "update" },
            entity: "kind",
            entity_id: None,
            before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: Some(serde_json::to_value(&def).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(def)
}

/// The query a listing asks for, checked against the caller's role and narrowed to their scope:
/// the one place where filters become a [`RecordQuery`], for the list and for the export.
pub async fn record_query(
    db: &Db,
    who: &Principal,
    p: ListParams,
) -> Result<RecordQuery, AppError> {
    let kinds: Vec<String> = match &p.kind {
        Some(k) => {
            let def = kind(db, who, k).await?;
            who.require(Action::ReadRecords(&def.id))?;
            for (key, _) in &p.fields {
                if def.field(key).is_none() {
                    return Err(AppError::invalid(
                        key,
                        key,
                        format!("“{}”台账没有这个字段", def.sheet),
                    ));
                }
            }
            vec![def.id]
        }
        None => {
            if !p.fields.is_empty() {
                return Err(AppError::BadRequest(
                    "按字段筛选时须同时指定台账类型 kind".into(),
                ));
            }
            let readable = kinds(db, who).await?;
            if readable.is_empty() {
                return Err(AppError::Forbidden("您的角色不能查看台账"));
            }
            readable.into_iter().map(|k| k.id).collect()
        }
    };
    let (mut from, mut to) = (p.from, p.to);
    if let Some(y) = p.year {
        let first = NaiveDate::from_ymd_opt(y, 1, 1)
            .ok_or_else(|| AppError::invalid("year", "年份", format!("年份 {y} 不正确")))?;
        let last = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(first);
        from = Some(from.map_or(first, |f| f.max(first)));
        to = Some(to.map_or(last, |t| t.min(last)));
    }
    let (unit_ids, enterprise_id) = match &who.scope {
        Scope::Park => (p.unit_id.map(|u| vec![u]), p.enterprise_id),
        Scope::Units(units) => match p.unit_id {
            Some(u) if units.contains(&u) => (Some(vec![u]), p.enterprise_id),
            Some(_) => return Err(AppError::NotFound("单位")),
            None => (Some(units.clone()), p.enterprise_id),
        },
        Scope::Enterprise(own) => {
            if p.enterprise_id.is_some_and(|e| e != *own) {
                return Err(AppError::NotFound("企业"));
            }
            (p.unit_id.map(|u| vec![u]), Some(*own))
        }
        Scope::Nothing => return Err(AppError::Forbidden("您的账号没有数据范围")),
    };
    let sort = match p.sort.as_deref() {
        None | Some("-date") => Sort::DateDesc,
        Some("date") => Sort::DateAsc,
        Some("title") => Sort::TitleAsc,
        Some("-updated") => Sort::UpdatedDesc,
        Some(other) => {
            return Err(AppError::invalid(
                "sort",
                "排序",
                format!("不支持的排序方式“{other}”；可用 date、-date、title、-updated"),
            ))
        }
    };
    let limit = p.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let offset = p.offset.unwrap_or(0).max(0);
    let text =
        p.q.as_deref()
            .map(super::value::normalize_text)
            .filter(|t| !t.is_empty());
    Ok(RecordQuery {
        kinds,
        from,
        to,
        unit_ids,
        enterprise_id,
        text,
        fields: p.fields,
        deleted: p.deleted,
        sort,
        limit,
        offset,
    })
}

pub async fn list(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    p: ListParams,
) -> Result<Listing<RecordView>, AppError> {
    let page = list_rows(db, cache, who, p).await?;
    Ok(page.map(RecordView::from_row))
}

/// The year a page opens on when none is asked for: `this_year`, or the latest earlier year
/// with records the user may read when this year has none yet (early January, when last year's
/// report is written, or a park whose ledgers were imported from past years).
pub async fn latest_year(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    this_year: i32,
) -> Result<i32, AppError> {
    use chrono::Datelike;
    let params = ListParams {
        to: NaiveDate::from_ymd_opt(this_year, 12, 31),
        limit: Some(1),
        ..Default::default()
    };
    match list(db, cache, who, params).await {
        Ok(p) => Ok(p.items.first().map_or(this_year, |r| r.date.year())),
        Err(AppError::Forbidden(_)) => Ok(this_year),
        Err(e) => Err(e),
    }
}

/// [`list`] with the fields passed through as stored, for the JSON API.
pub async fn list_raw(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    p: ListParams,
) -> Result<Listing<RecordView<RawFields>>, AppError> {
    let page = list_rows(db, cache, who, p).await?;
    Ok(page.map(RecordView::raw_from_row))
}

async fn list_rows(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    p: ListParams,
) -> Result<Listing<RecordRow>, AppError> {
    let query = record_query(db, who, p).await?;
    let (limit, offset) = (query.limit, query.offset);
    // The cache key leaves out the page and the order: they do not change the total.
    let key = RecordQuery {
        sort: Sort::default(),
        limit: 0,
        offset: 0,
        ..query.clone()
    };
    let version = queries::data_version(db, who.park_id).await?;
    let known = cache.get(who.park_id, &key, version);
    let (rows, counted) = queries::list_records(db, who.park_id, &query, known.is_none()).await?;
    let total = match (known, counted) {
        (Some(t), _) => t,
        (None, Some(t)) => {
            cache.put(who.park_id, key, version, t);
            t
        }
        (None, None) => 0,
    };
    Ok(Listing {
        items: rows,
        total,
        limit,
        offset,
    })
}

/// Loads a record the principal may read. One out of reach answers as a missing one does, so
/// record ids cannot be probed.
async fn readable(db: &Db, who: &Principal, id: i64) -> Result<RecordView, AppError> {
    let row = queries::record(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("记录"))?;
    if !who.role.reads_ledgers() {
        return Err(AppError::Forbidden("您的角色不能查看台账"));
    }
    if !who.role.allows(Action::ReadRecords(&row.kind))
        || !who.covers(row.unit_id, row.enterprise_id)
    {
        return Err(AppError::NotFound("记录"));
    }
    Ok(RecordView::from_row(row))
}

pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<RecordView, AppError> {
    readable(db, who, id).await
}

/// True for a value that says nothing: absent, null or blank.
fn is_blank(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// The fields as the role may write them: a field the catalogue keeps for other roles
/// (`set_by`) keeps its stored value (none on a new record); a different value sent for it is
/// refused, naming the field.
fn within_field_rights(
    who: &Principal,
    def: &KindDef,
    fields: &Map<String, Json>,
    before: Option<&RecordView>,
) -> Result<Map<String, Json>, AppError> {
    let mut out = fields.clone();
    for f in def.fields.iter().filter(|f| !f.may_set(who.role)) {
        let stored = before
            .and_then(|b| b.fields.get(&f.key))
            .filter(|v| !v.is_null());
        let sent = fields.get(&f.key);
        let same = match (sent, stored) {
            (Some(a), Some(b)) => a == b || display_text(a) == display_text(b),
            _ => false,
        };
        if !is_blank(sent) && !same {
            return Err(AppError::ForbiddenField(FieldError {
                field: f.key.clone(),
                label: f.label.clone(),
                message: "由园区工作人员填写".to_string(),
            }));
        }
        match stored {
            Some(v) => out.insert(f.key.clone(), v.clone()),
            None => out.remove(&f.key),
        };
    }
    Ok(out)
}

fn display_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

async fn validate_input(
    db: &Db,
    who: &Principal,
    def: &KindDef,
    fields: &Map<String, Json>,
    before: Option<&RecordView>,
    today: NaiveDate,
) -> Result<RecordData, AppError> {
    let mut fields = within_field_rights(who, def, fields, before)?;
    let names = Names::load(db, who.park_id).await?;
    // An enterprise user's records are its own enterprise's: left empty, the field says so.
    if let (crate::auth::Scope::Enterprise(own), Some(key)) = (&who.scope, &def.enterprise_field) {
        if is_blank(fields.get(key)) {
            if let Some((name, _)) = names.enterprises.iter().find(|(_, id)| **id == *own) {
                fields.insert(key.clone(), Json::String(name.clone()));
            }
        }
    }
    let fields = &fields;
    let mut errors = record::unknown_fields(def, fields);
    match record::validate(def, |f| record::raw_from_json(fields.get(&f.key)), &names) {
        Ok(data) if errors.is_empty() => {
            if let (crate::auth::Scope::Enterprise(own), Some(key)) =
                (&who.scope, &def.enterprise_field)
            {
                if data.enterprise_id != Some(*own) {
                    let label = def.field(key).map_or("企业", |f| f.label.as_str());
                    return Err(AppError::invalid(
                        key,
                        label,
                        "只能登记本企业的事项，请填写本企业名称或留空",
                    ));
                }
            }
            if !who.covers(data.unit_id, data.enterprise_id) {
                return Err(AppError::Forbidden("只能登记本单位（企业）范围内的记录"));
            }
            let stored: Map<String, Json> = serde_json::from_str(&data.fields).unwrap_or_default();
            let refused = super::plausibility::refusals(def, &stored, today);
            if !refused.is_empty() {
                return Err(AppError::Invalid(refused));
            }
            Ok(data)
        }
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(mut more) => {
            errors.append(&mut more);
            Err(AppError::Invalid(errors))
        }
    }
}

pub async fn create(
    db: &Db,
    who: &Principal,
    input: RecordInput,
    now: DateTime<Utc>,
) -> Result<RecordView, AppError> {
    let kind_id = input
        .kind
        .as_deref()
        .ok_or_else(|| AppError::invalid("kind", "台账类型", "必须指定台账类型 kind"))?;
    let def = queries::kind(db, who.park_id, kind_id)
        .await?
        .ok_or_else(|| AppError::invalid("kind", "台账类型", format!("没有“{kind_id}”这种台账")))?;
    who.require(Action::WriteRecords(&def.id))?;
    let today = crate::calendar::today(now);
    let data = validate_input(db, who, &def, &input.fields, None, today).await?;
    let mut tx = db.begin().await?;
    let id = queries::insert_record(&mut tx, who.park_id, &data, Some(who.user_id), now).await?;
    let view = view_of(id, &data, 1, now, now);
    log_record(
        &mut tx,
        who,
        now,
        "create",
        id,
        None,
        Some(view.audit_json()),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Appends the audit entry of a change to record `id`, in the caller's transaction.
async fn log_record(
    tx: &mut crate::db::Tx,
    who: &Principal,
    now: DateTime<Utc>,
    action: &str,
    id: i64,
    before: Option<Json>,
    after: Option<Json>,
) -> Result<(), AppError> {
    let change = Change {
        action,
        entity: "record",
        entity_id: Some(id),
        before,
        after,
    };
    audit::record(tx, who.park_id, &who.actor(), now, change).await?;
    Ok(())
}

fn view_of(
    id: i64,
    d: &RecordData,
    version: i64,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
) -> RecordView {
    RecordView::from_row(RecordRow {
        id,
        kind: d.kind.clone(),
        occurred_on: d.occurred_on,
        unit_id: d.unit_id,
        enterprise_id: d.enterprise_id,
        title: d.title.clone(),
        fields: d.fields.clone(),
        version,
        created_by: None,
        created_at: created,
        updated_at: updated,
        deleted_at: None,
    })
}

pub async fn update(
    db: &Db,
    who: &Principal,
    id: i64,
    input: RecordInput,
    now: DateTime<Utc>,
) -> Result<RecordView, AppError> {
    let before = readable(db, who, id).await?;
    who.require(Action::WriteRecords(&before.kind))?;
    if before.deleted {
        return Err(AppError::BadRequest("记录已删除，请先恢复再修改".into()));
    }
    if input.kind.as_deref().is_some_and(|k| k != before.kind) {
        return Err(AppError::invalid(
            "kind",
            "台账类型",
            "不能更改记录的台账类型",
        ));
    }
    let version = input.version.ok_or_else(|| {
        AppError::invalid("version", "版本", "修改时须提供读取时的版本号 version")
    })?;
    let def = kind(db, who, &before.kind).await?;
    let today = crate::calendar::today(now);
    let data = validate_input(db, who, &def, &input.fields, Some(&before), today).await?;
    let mut tx = db.begin().await?;
    if !queries::update_record(&mut tx, who.park_id, id, version, &data, now).await? {
        drop(tx);
        let current = queries::record(db, who.park_id, id)
            .await?
            .map_or(version, |r| r.version);
        return Err(AppError::Conflict { current });
    }
    let after = view_of(id, &data, version + 1, before.created_at, now);
    log_record(
        &mut tx,
        who,
        now,
        "update",
        id,
        Some(before.audit_json()),
        Some(after.audit_json()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Soft-deletes (`deleted = true`) or restores a record.
pub async fn set_deleted(
    db: &Db,
    who: &Principal,
    id: i64,
    deleted: bool,
    now: DateTime<Utc>,
) -> Result<RecordView, AppError> {
    let before = readable(db, who, id).await?;
    who.require(Action::DeleteRecords(&before.kind))?;
    if before.deleted == deleted {
        return Ok(before);
    }
    let mut tx = db.begin().await?;
    queries::set_deleted(&mut tx, who.park_id, id, deleted.then_some(now), now).await?;
    log_record(
        &mut tx,
        who,
        now,
        if deleted { "delete" } else { "restore" },
        id,
        Some(before.audit_json()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(RecordView {
        deleted,
        version: before.version + 1,
        updated_at: now,
        ..before
    })
}

/// The record's change history from the audit log.
pub async fn history(db: &Db, who: &Principal, id: i64) -> Result<Vec<audit::Entry>, AppError> {
    readable(db, who, id).await?;
    let filter = audit::AuditFilter {
        entity: Some("record".into()),
        entity_id: Some(id),
        limit: Some(500),
        ..Default::default()
    };
    Ok(audit::list(db, who.park_id, &filter).await?.0)
}

// ---- attachments ----

/// File types an attachment may have, by extension, with the type it is served as.
const ALLOWED_TYPES: [(&str, &str); 10] = [
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("wps", "application/vnd.ms-works"),
    ("txt", "text/plain; charset=utf-8"),
];

fn content_type_for(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    ALLOWED_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
}

/// Where an attachment's bytes live: the data folder, named by content hash.
pub fn attachment_path(data_dir: &std::path::Path, sha256: &str) -> PathBuf {
    data_dir
        .join("attachments")
        .join(&sha256[..2.min(sha256.len())])
        .join(sha256)
}

/// A file checked (type, size) and written under the data folder by its SHA-256.
pub(crate) struct StoredFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Checks an uploaded file and stores its bytes (once per content): the one way an attachment,
/// of a record or of a task's progress update, reaches the disk.
pub(crate) async fn store_file(
    cfg: &crate::config::Config,
    file_name: &str,
    bytes: &[u8],
) -> Result<StoredFile, AppError> {
    let file_name = sanitize_file_name(file_name);
    let content_type = content_type_for(&file_name).ok_or_else(|| {
        AppError::invalid(
            "file",
            "附件",
            format!(
                "不支持的文件类型；可上传 {}",
                ALLOWED_TYPES
                    .iter()
                    .map(|(e, _)| *e)
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    })?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "附件", "文件是空的"));
    }
    if bytes.len() > cfg.max_upload_bytes {
        return Err(AppError::invalid(
            "file",
            "附件",
            format!("文件超过大小上限 {} MB", cfg.max_upload_bytes / 1024 / 1024),
        ));
    }
    use sha2::{Digest, Sha256};
    let sha = hex::encode(Sha256::digest(bytes));
    let path = attachment_path(&cfg.data_dir, &sha);
    if !path.exists() {
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let tmp = dir.join(format!("{sha}.part"));
        let write = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        write.await.map_err(|e| {
            tracing::error!(error = %e, "attachment write failed");
            AppError::BadRequest("附件保存失败：服务器存储不可用".into())
        })?;
    }
    Ok(StoredFile {
        file_name,
        content_type,
        size_bytes: bytes.len() as i64,
        sha256: sha,
    })
}

/// Whether the principal may attach files to the record: asked before an upload is read, so a
/// body nobody may send is not taken in.
pub async fn may_attach(db: &Db, who: &Principal, record_id: i64) -> Result<(), AppError> {
    let rec = readable(db, who, record_id).await?;
    who.require(Action::WriteRecords(&rec.kind))
}

pub async fn add_attachment(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    record_id: i64,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<AttachmentRow, AppError> {
    let rec = readable(db, who, record_id).await?;
    who.require(Action::WriteRecords(&rec.kind))?;
    let stored = store_file(cfg, file_name, bytes).await?;
    let mut row = AttachmentRow {
        id: 0,
        record_id,
        file_name: stored.file_name,
        content_type: stored.content_type.to_string(),
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        created_at: now,
    };
    let mut tx = db.begin().await?;
    row.id = queries::insert_attachment(&mut tx, who.park_id, &row, Some(who.user_id)).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "attach",
            entity: "record",
            entity_id: Some(record_id),
            before: None,
            after: Some(serde_json::json!({"attachment_id": row.id, "file_name": row.file_name, "sha256": row.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn attachments(
    db: &Db,
    who: &Principal,
    record_id: i64,
) -> Result<Vec<AttachmentRow>, AppError> {
    readable(db, who, record_id).await?;
    Ok(queries::attachments_of(db, who.park_id, record_id).await?)
}

/// An attachment the principal may read, with its bytes.
pub async fn open_attachment(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    id: i64,
) -> Result<(AttachmentRow, Vec<u8>), AppError> {
    let a = queries::attachment(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("附件"))?;
    readable(db, who, a.record_id)
        .await
        .map_err(|e| e.missing_as("附件"))?;
    let bytes = tokio::fs::read(attachment_path(&cfg.data_dir, &a.sha256))
        .await
        .map_err(|_| AppError::NotFound("附件文件"))?;
    Ok((a, bytes))
}

/// Keeps the last path component and drops control characters, so a name never escapes the
/// folder nor breaks a header.
fn sanitize_file_name(name: &str) -> String {
    /// Characters kept of a name; a longer one is shortened in its stem, never in its extension.
    const MAX_CHARS: usize = 200;
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return "附件".to_string();
    }
    if clean.chars().count() <= MAX_CHARS {
        return clean.to_string();
    }
    // An extension is a short ASCII tail after the last dot; anything else is part of the stem.
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && ext.len() <= 10
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (stem, Some(ext))
        }
        _ => (clean, None),
    };
    let room = MAX_CHARS - ext.map_or(0, |e| e.len() + 1);
    let mut short: String = stem
        .chars()
        .take(room)
        .collect::<String>()
        .trim_end()
        .to_string();
    if let Some(ext) = ext {
        short.push('.');
        short.push_str(ext);
    }
    short
}

/// A stored record that breaks plausibility rules of its kind, with what is wrong.
#[derive(Debug, Serialize)]
pub struct Implausible {
    pub kind: String,
    pub sheet: String,
    pub id: i64,
    pub date: NaiveDate,
    pub title: String,
    /// Each broken rule's message with the values, and whether the rule refuses.
    pub problems: Vec<(String, bool)>,
}

/// The live records of `year` the principal can read that break a plausibility rule of their
/// kind, kind by kind in catalogue order, by date: the data-quality page and the report's
/// health check. Records stored before a rule existed, or imported around it, are found here.
pub async fn implausible(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    year: i32,
    today: NaiveDate,
) -> Result<Vec<Implausible>, AppError> {
    let mut out = Vec::new();
    for def in kinds(db, who).await? {
        if def.plausibility.is_empty() {
            continue;
        }
        let mut offset = 0;
        loop {
            let params = ListParams {
                kind: Some(def.id.clone()),
                year: Some(year),
                sort: Some("date".into()),
                limit: Some(MAX_PAGE),
                offset: Some(offset),
                ..Default::default()
            };
            let page = list(db, cache, who, params).await?;
            let n = page.items.len() as i64;
            for r in page.items {
                let broken = super::plausibility::violations(&def, &r.fields, today);
                if !broken.is_empty() {
                    out.push(Implausible {
                        kind: def.id.clone(),
                        sheet: def.sheet.clone(),
                        id: r.id,
                        date: r.date,
                        title: r.title.clone(),
                        problems: broken
                            .iter()
                            .map(|v| (v.message.clone(), v.refuses()))
                            .collect(),
                    });
                }
            }
            offset += n;
            if n < MAX_PAGE || offset >= page.total {
                break;
            }
        }
    }
    Ok(out)
}

/// This year's count of live records per kind the principal can read, for the 工作台.
pub async fn year_counts(
    db: &Db,
    cache: &CountCache,
    who: &Principal,
    year: i32,
) -> Result<Vec<(KindDef, i64)>, AppError> {
    let mut out = Vec::new();
    for k in kinds(db, who).await? {
        let page = list(
            db,
            cache,
            who,
            ListParams {
                kind: Some(k.id.clone()),
                year: Some(year),
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
        out.push((k, page.total));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_or_break_headers() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\x\\会议纪要.pdf"), "会议纪要.pdf");
        assert_eq!(sanitize_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(sanitize_file_name("  "), "附件");
    }

    #[test]
    fn a_long_name_is_shortened_in_its_stem_and_keeps_its_extension() {
        let long = format!("{}.docx", "关于开展主题教育的会议纪要".repeat(30));
        let short = sanitize_file_name(&long);
        assert!(short.ends_with(".docx"), "{short}");
        assert_eq!(short.chars().count(), 200);
        assert_eq!(content_type_for(&short), content_type_for("a.docx"));
        assert!(
            content_type_for(&short).is_some(),
            "a .docx is an accepted type"
        );
        // A dot deep inside a long name is no extension: the name is cut, not split there.
        let dotted = format!("第1.{}", "长".repeat(300));
        assert_eq!(sanitize_file_name(&dotted).chars().count(), 200);
    }

    #[test]
    fn only_listed_types_are_accepted() {
        assert_eq!(content_type_for("照片.JPG"), Some("image/jpeg"));
        assert_eq!(content_type_for("x.exe"), None);
        assert_eq!(content_type_for("noext"), None);
    }
}

// ---- the catalogue pages: a kind or a field at a time, errors named by the form field ----

/// A new kind as typed on the catalogue page; it starts with a date and a title field.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewKind {
    pub id: String,
    pub name: String,
    pub sheet: String,
    pub date_label: String,
    pub title_label: String,
}

/// Which form field a catalogue refusal is about.
fn catalogue_field(e: &super::catalogue::CatalogueError) -> &'static str {
    use super::catalogue::CatalogueError::*;
    match e {
        InvalidKindId { .. } | DuplicateKind { .. } => "id",
        InvalidSheetName { .. } | DuplicateSheet { .. } => "sheet",
        InvalidFieldKey { .. } | DuplicateFieldKey { .. } => "key",
        MissingLabel { .. } | DuplicateHeader { .. } => "label",
        MissingChoices { .. } | UnexpectedChoices { .. } | InvalidChoice { .. } => "choices",
        _ => "definition",
    }
}

/// Checks the park's catalogue with one kind added or replaced, naming the form field at fault.
async fn check_catalogue(db: &Db, who: &Principal, def: &KindDef) -> Result<(), AppError> {
    let mut all = queries::kinds(db, who.park_id).await?;
    match all.iter().position(|k| k.id == def.id) {
        Some(i) => all[i] = def.clone(),
        None => all.push(def.clone()),
    }
    super::catalogue::Catalogue { kinds: all }
        .validate()
        .map_err(|e| {
            let field = catalogue_field(&e);
            AppError::invalid(field, field, e.to_string())
        })
}

fn required_text(v: &str, field: &str, label: &str) -> Result<String, AppError> {
    let v = super::value::normalize_text(v);
    if v.is_empty() {
        Err(AppError::invalid(field, label, "必填项不能为空"))
    } else {
        Ok(v)
    }
}

/// Adds a kind with a required date field and a required title field (党建办).
pub async fn create_kind(
    db: &Db,
    who: &Principal,
    new: NewKind,
    now: DateTime<Utc>,
) -> Result<KindDef, AppError> {
    use super::catalogue::{FieldDef, FieldType};
    who.require(Action::WriteKinds)?;
    let id = required_text(&new.id, "id", "编号")?;
    let name = required_text(&new.name, "name", "名称")?;
    let sheet = required_text(&new.sheet, "sheet", "工作表名")?;
    let label = |v: &str, default: &str| {
        Some(super::value::normalize_text(v))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    let field = |key: &str, label: String, field_type| FieldDef {
        key: key.into(),
        label,
        field_type,
        required: true,
        choices: Vec::new(),
        default: None,
        scale: None,
        aliases: Vec::new(),
        set_by: Vec::new(),
    };
    let def = KindDef {
        id,
        name,
        sheet,
        date_field: "date".into(),
        title_field: "title".into(),
        unit_field: None,
        enterprise_field: None,
        fields: vec![
            field("date", label(&new.date_label, "日期"), FieldType::Date),
            field("title", label(&new.title_label, "名称"), FieldType::Text),
        ],
        plausibility: Vec::new(),
    };
    if queries::kind(db, who.park_id, &def.id).await?.is_some() {
        return Err(AppError::invalid(
            "id",
            "编号",
            format!("已有编号为“{}”的台账", def.id),
        ));
    }
    check_catalogue(db, who, &def).await?;
    save_kind(db, who, def, true, now).await
}

/// The kind as the catalogue page edits it (any kind of the park, not only readable ones).
async fn kind_to_edit(db: &Db, who: &Principal, id: &str) -> Result<KindDef, AppError> {
    who.require(Action::WriteKinds)?;
    queries::kind(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("台账类型"))
}

/// Adds a field to a kind (党建办).
pub async fn add_field(
    db: &Db,
    who: &Principal,
    kind_id: &str,
    field: super::catalogue::FieldDef,
    now: DateTime<Utc>,
) -> Result<KindDef, AppError> {
    let mut def = kind_to_edit(db, who, kind_id).await?;
    if def.field(&field.key).is_some() {
        return Err(AppError::invalid(
            "key",
            "字段标识",
            format!("已有标识为“{}”的字段", field.key),
        ));
    }
    def.fields.push(field);
    check_catalogue(db, who, &def).await?;
    save_kind(db, who, def, false, now).await
}

/// Removes a field from a kind; refused while records hold a value in it.
pub async fn remove_field(
    db: &Db,
    who: &Principal,
    kind_id: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<KindDef, AppError> {
    let mut def = kind_to_edit(db, who, kind_id).await?;
    if def.field(key).is_none() {
        return Err(AppError::NotFound("字段"));
    }
    def.fields.retain(|f| f.key != key);
    save_kind(db, who, def, false, now).await
}

/// Gives a field another type (and choices); refused while records hold a value in it.
pub async fn retype_field(
    db: &Db,
    who: &Principal,
    kind_id: &str,
    key: &str,
    field_type: super::catalogue::FieldType,
    choices: Vec<String>,
    now: DateTime<Utc>,
) -> Result<KindDef, AppError> {
    let mut def = kind_to_edit(db, who, kind_id).await?;
    let Some(f) = def.fields.iter_mut().find(|f| f.key == key) else {
        return Err(AppError::NotFound("字段"));
    };
    f.field_type = field_type;
    f.choices = choices;
    if field_type != super::catalogue::FieldType::Decimal {
        f.scale = None;
    }
    save_kind(db, who, def, false, now).await
}

/// Every kind of the park's catalogue, for the one who edits it (党建办).
pub async fn catalogue_kinds(db: &Db, who: &Principal) -> Result<Vec<KindDef>, AppError> {
    who.require(Action::WriteKinds)?;
    Ok(queries::kinds(db, who.park_id).await?)
}
