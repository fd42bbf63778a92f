//! Ledger services: the record operations both faces call, each checking the role, the data
//! scope and the record's version, and writing its audit entry in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::catalogue::KindDef;
use super::kinds::{kind, kinds};
use super::queries::{self, RecordData, RecordQuery, RecordRow, Sort};
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

    pub(super) fn audit_json(&self) -> Json {
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
    /// With `unit_id`: the unit's records and those of every unit below it (its 党小组, …).
    #[serde(skip)]
    pub sub_units: bool,
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

/// Totals of record listings, by query; see [`crate::db::Totals`].
pub type CountCache = crate::db::Totals<RecordQuery>;

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
    // The unit asked for, with the units below it when asked; within the park, or nothing.
    let asked = match p.unit_id {
        Some(u) if p.sub_units => Some(unit_and_below(db, who.park_id, u).await?),
        Some(u) => Some(vec![u]),
        None => None,
    };
    let (unit_ids, enterprise_id) = match &who.scope {
        Scope::Park => (asked, p.enterprise_id),
        Scope::Units(units) => match (p.unit_id, asked) {
            (Some(u), Some(asked)) if units.contains(&u) => (
                Some(asked.into_iter().filter(|a| units.contains(a)).collect()),
                p.enterprise_id,
            ),
            (Some(_), _) => return Err(AppError::NotFound("单位")),
            (None, _) => (Some(units.clone()), p.enterprise_id),
        },
        Scope::Enterprise(own) => {
            if p.enterprise_id.is_some_and(|e| e != *own) {
                return Err(AppError::NotFound("企业"));
            }
            (asked, Some(*own))
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

/// A unit of the park and every unit below it, the unit first; none when the park has no such
/// unit.
async fn unit_and_below(db: &Db, park_id: i64, unit: i64) -> Result<Vec<i64>, AppError> {
    let units = crate::org::queries::units(db, park_id).await?;
    if !units.iter().any(|u| u.id == unit) {
        return Ok(Vec::new());
    }
    let mut found = vec![unit];
    let mut i = 0;
    while let Some(&parent) = found.get(i) {
        found.extend(
            units
                .iter()
                .filter(|u| u.parent_id == Some(parent) && !found.contains(&u.id))
                .map(|u| u.id)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    Ok(found)
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
    let version = crate::db::data_version(db, who.park_id).await?;
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
pub(super) async fn readable(db: &Db, who: &Principal, id: i64) -> Result<RecordView, AppError> {
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
    super::kinds::open_for_writing(&def)?;
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

pub(super) fn view_of(
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
    let def = kind(db, who, &before.kind).await?;
    super::kinds::open_for_writing(&def)?;
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
    if !deleted {
        // A restored record of a closed kind would be a live record no figure counts.
        super::kinds::open_for_writing(&kind(db, who, &before.kind).await?)?;
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
