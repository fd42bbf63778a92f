//! The park's ledger catalogue as services: the kinds a principal may read, and the 台账目录
//! editor's changes (a kind or a field at a time, each checked against the whole catalogue, with
//! errors named by the form field).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::catalogue::KindDef;
use super::queries::{self};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::AppError;

/// The park's catalogue as far as the principal may read it.
pub async fn kinds(db: &Db, who: &Principal) -> Result<Vec<KindDef>, AppError> {
    who.require(Action::ReadKinds)?;
    Ok(queries::kinds(db, who.park_id)
        .await?
        .into_iter()
        .filter(|k| who.role.allows(Action::ReadRecords(&k.id)))
        .collect())
}

/// Refuses a write into a kind the catalogue marks `closed` (replaced by another part of the
/// product), with its message saying where to record instead: the one check behind every face
/// that creates, changes or restores a record, or hands out an import template.
pub fn open_for_writing(def: &KindDef) -> Result<(), AppError> {
    match &def.closed {
        Some(message) => Err(AppError::BadRequest(message.clone())),
        None => Ok(()),
    }
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
        attendance: None,
        closed: None,
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
