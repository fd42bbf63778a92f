//! Changing only a meeting's attendance: the one path by which the attendance page (a secretary
//! ticking names) and the public sign-in page (a member, the signed QR code their authority)
//! rewrite a record's 参会人员 and 缺席人员. The record is validated as every write is (roster,
//! counts, plausibility) and written in a transaction handed back open, so that the caller's own
//! rows (the sign-in times) commit with it or not at all. The caller checks who may do it.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};

use super::attendance::{self, join_absences, join_people};
use super::catalogue::{Attendance, KindDef};
use super::queries;
use super::record::{self, Names};
use super::service::RecordView;
use crate::audit::{self, Actor, Change};
use crate::db::{Db, Tx};
use crate::error::AppError;

/// Who a record names as present and as absent (with the reason).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marks {
    pub present: Vec<String>,
    pub absent: Vec<(String, String)>,
}

impl Marks {
    /// The attendance a record holds, read through the kind's `[kind.attendance]`.
    pub fn of(a: &Attendance, fields: &Map<String, Json>) -> Marks {
        let text = |key: &str| fields.get(key).and_then(Json::as_str).unwrap_or_default();
        Marks {
            present: attendance::people(text(&a.present)),
            absent: attendance::absences(text(&a.absent)),
        }
    }
}

/// A meeting record with its kind's attendance fields, or a refusal saying it records none.
pub async fn meeting(
    db: &Db,
    park_id: i64,
    id: i64,
) -> Result<(RecordView, KindDef, Attendance), AppError> {
    let row = queries::record(db, park_id, id)
        .await?
        .ok_or(AppError::NotFound("记录"))?;
    let def = queries::kind(db, park_id, &row.kind)
        .await?
        .ok_or(AppError::NotFound("台账类型"))?;
    let Some(a) = def.attendance.clone() else {
        return Err(AppError::BadRequest(format!(
            "“{}”不登记参会人员",
            def.sheet
        )));
    };
    Ok((RecordView::from_row(row), def, a))
}

/// Validates `before` with its attendance replaced by `marks` and writes it at `version`,
/// audited as `actor` under `action`, in a transaction returned uncommitted. A record left
/// naming nobody loses its counts too, which were only the names counted.
#[expect(clippy::too_many_arguments, reason = "each is one fact of the write")]
pub async fn rewrite(
    db: &Db,
    park_id: i64,
    before: &RecordView,
    def: &KindDef,
    version: i64,
    marks: &Marks,
    actor: &Actor,
    action: &str,
    now: DateTime<Utc>,
) -> Result<(Tx, RecordView), AppError> {
    if before.deleted {
        return Err(AppError::BadRequest("记录已删除，请先恢复再修改".into()));
    }
    let Some(a) = &def.attendance else {
        return Err(AppError::BadRequest(format!(
            "“{}”不登记参会人员",
            def.sheet
        )));
    };
    let mut fields = before.fields.clone();
    let mut put = |key: &str, text: String| {
        if text.is_empty() {
            fields.remove(key);
        } else {
            fields.insert(key.to_owned(), Json::String(text));
        }
    };
    put(&a.present, join_people(&marks.present));
    put(&a.absent, join_absences(&marks.absent));
    if marks.present.is_empty() && marks.absent.is_empty() {
        fields.remove(&a.expected);
        fields.remove(&a.attended);
    }
    let names = Names::load(db, park_id).await?;
    let data = record::validate(def, |f| record::raw_from_json(fields.get(&f.key)), &names)
        .map_err(AppError::Invalid)?;
    let stored: Map<String, Json> = serde_json::from_str(&data.fields).unwrap_or_default();
    let refused = super::plausibility::refusals(def, &stored, crate::calendar::today(now));
    if !refused.is_empty() {
        return Err(AppError::Invalid(refused));
    }
    let mut tx = db.begin().await?;
    if !queries::update_record(&mut tx, park_id, before.id, version, &data, now).await? {
        drop(tx);
        let current = queries::record(db, park_id, before.id)
            .await?
            .map_or(version, |r| r.version);
        return Err(AppError::Conflict { current });
    }
    let after = super::service::view_of(before.id, &data, version + 1, before.created_at, now);
    let change = Change {
        action,
        entity: "record",
        entity_id: Some(before.id),
        before: Some(before.audit_json()),
        after: Some(after.audit_json()),
    };
    audit::record(&mut tx, park_id, actor, now, change).await?;
    Ok((tx, after))
}
