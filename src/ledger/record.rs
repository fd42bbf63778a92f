//! Validating a record against its kind: the one path from raw values (a form, a JSON body, a
//! spreadsheet row) to what is stored, shared by every face.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

use super::catalogue::{FieldDef, FieldType, KindDef};
use super::queries::RecordData;
use super::value::{self, Raw, Value};
use crate::error::FieldError;

/// The park's names that ledger values refer to, resolved to ids.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub units: HashMap<String, i64>,
    pub enterprises: HashMap<String, i64>,
    pub people: HashMap<String, i64>,
    /// The party members by unit, for `people` and `absences` fields.
    pub roster: super::attendance::Roster,
}

impl Names {
    pub async fn load(db: &crate::db::Db, park_id: i64) -> Result<Names, crate::db::DbError> {
        use crate::org::queries;
        let units = queries::units(db, park_id).await?;
        let enterprises = queries::enterprises(db, park_id).await?;
        let parents = units
            .iter()
            .filter_map(|u| Some((u.id, u.parent_id?)))
            .collect();
        let members = queries::members(db, park_id).await?;
        Ok(Names {
            units: units.into_iter().map(|u| (u.name, u.id)).collect(),
            enterprises: enterprises.into_iter().map(|e| (e.name, e.id)).collect(),
            people: HashMap::new(),
            roster: super::attendance::Roster::new(members, parents),
        })
    }

    fn nearest(map: &HashMap<String, i64>, name: &str) -> Option<String> {
        crate::org::nearest(name, map.keys().map(String::as_str))
    }
}

/// Validates every field of `kind`, reading each raw value through `raw`, and returns what to
/// store, or every error at once.
pub fn validate<'a>(
    kind: &KindDef,
    mut raw: impl FnMut(&FieldDef) -> Raw<'a>,
    names: &Names,
) -> Result<RecordData, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fields = Map::new();
    let mut search = Vec::new();
    let mut occurred_on: Option<NaiveDate> = None;
    let mut title = String::new();
    let mut unit_id = None;
    let mut enterprise_id = None;
    for field in &kind.fields {
        let error = |message: String| FieldError {
            field: field.key.clone(),
            label: field.label.clone(),
            message,
        };
        let parsed = match value::parse(field, raw(field)) {
            Ok(v) => v,
            Err(e) => {
                errors.push(error(e.to_string()));
                continue;
            }
        };
        let Some(v) = parsed else { continue };
        if let Value::Text(name) = &v {
            let resolved = match field.field_type {
                FieldType::Unit => Some((&names.units, "单位")),
                FieldType::Enterprise => Some((&names.enterprises, "企业")),
                _ => None,
            };
            if let Some((map, what)) = resolved {
                match map.get(name) {
                    Some(id) => {
                        if Some(field.key.as_str()) == kind.unit_field.as_deref() {
                            unit_id = Some(*id);
                        }
                        if Some(field.key.as_str()) == kind.enterprise_field.as_deref() {
                            enterprise_id = Some(*id);
                        }
                    }
                    None => {
                        let hint = Names::nearest(map, name)
                            .map(|n| format!("，最接近的是“{n}”"))
                            .unwrap_or_default();
                        errors.push(error(format!("找不到{what}“{name}”{hint}")));
                        continue;
                    }
                }
            }
        }
        if field.key == kind.date_field {
            if let Value::Date(d) = v {
                occurred_on = Some(d);
            }
        }
        if field.key == kind.title_field {
            title = v.display();
        }
        search.push(v.display());
        fields.insert(field.key.clone(), v.to_json());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let errors = super::attendance::check(kind, &mut fields, unit_id, &names.roster);
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(occurred_on) = occurred_on else {
        // The catalogue guarantees the date field is a required date; this only guards a park's
        // hand-edited kind.
        return Err(vec![FieldError {
            field: kind.date_field.clone(),
            label: kind.date_field.clone(),
            message: "缺少记录日期".to_string(),
        }]);
    };
    Ok(RecordData {
        kind: kind.id.clone(),
        occurred_on,
        unit_id,
        enterprise_id,
        title,
        fields: Json::Object(fields).to_string(),
        search_text: search.join(" "),
    })
}

/// Reads a JSON body's value of one field as a raw value for the parser.
pub fn raw_from_json(v: Option<&Json>) -> Raw<'_> {
    match v {
        None | Some(Json::Null) => Raw::Empty,
        Some(Json::String(s)) => Raw::Text(s),
        Some(Json::Number(n)) => n.as_f64().map_or(Raw::Empty, Raw::Number),
        Some(Json::Bool(b)) => Raw::Bool(*b),
        // Arrays and objects are never valid field values; the text parser refuses them.
        Some(_) => Raw::Text("[object]"),
    }
}

/// Checks that a JSON body names only the kind's fields.
pub fn unknown_fields(kind: &KindDef, body: &Map<String, Json>) -> Vec<FieldError> {
    body.keys()
        .filter(|k| kind.field(k).is_none())
        .map(|k| FieldError {
            field: k.clone(),
            label: k.clone(),
            message: format!("“{}”台账没有这个字段", kind.sheet),
        })
        .collect()
}
