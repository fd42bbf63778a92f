//! Plausibility rules between the fields of one record: 实到人数 no more than 应到人数, an 办结日期
//! not before the 受理日期, a meeting not dated in the future. They are catalogue data
//! (`[[kind.plausibility]]`, see [`Plausibility`]), so a park's own kinds can have them too, and
//! they are checked on every face: the form and the API refuse a record that breaks a refusing
//! rule, the import lists every such row with its sheet, row, column and both values, and the
//! data-quality page lists the stored records that break any rule.

use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

use super::catalogue::{FieldType, KindDef, Level, Plausibility, Relation};
use crate::error::FieldError;

/// One rule broken by one record, with the values that break it, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation<'a> {
    pub rule: &'a Plausibility,
    /// The message with both values: "实到人数（35）多于应到人数（30）".
    pub message: String,
}

impl Violation<'_> {
    pub fn refuses(&self) -> bool {
        self.rule.level == Level::Refuse
    }

    /// The violation as an error at its field, for forms, the API and the import.
    pub fn error(&self, kind: &KindDef) -> FieldError {
        FieldError {
            field: self.rule.field.clone(),
            label: kind
                .field(&self.rule.field)
                .map_or_else(|| self.rule.field.clone(), |f| f.label.clone()),
            message: self.message.clone(),
        }
    }
}

/// A stored field as a comparable value: a number, or a date.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Comparable {
    Number(f64),
    Date(NaiveDate),
}

fn comparable(field_type: FieldType, v: Option<&Json>) -> Option<Comparable> {
    let v = v?;
    match field_type {
        FieldType::Date => v
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Comparable::Date),
        FieldType::Integer | FieldType::Decimal => match v {
            Json::Number(n) => n.as_f64().map(Comparable::Number),
            Json::String(s) => s.trim().parse().ok().map(Comparable::Number),
            _ => None,
        },
        _ => None,
    }
}

fn shown(v: Comparable) -> String {
    match v {
        Comparable::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Comparable::Number(n) => n.to_string(),
        Comparable::Date(d) => d.to_string(),
    }
}

/// The rules of `kind` that the record's stored `fields` break, on the park's day `today`. A rule
/// whose fields are not both filled in holds: an empty 应到人数 compares with nothing.
pub fn violations<'a>(
    kind: &'a KindDef,
    fields: &Map<String, Json>,
    today: NaiveDate,
) -> Vec<Violation<'a>> {
    let mut out = Vec::new();
    for rule in &kind.plausibility {
        let Some(field) = kind.field(&rule.field) else {
            continue;
        };
        let Some(value) = comparable(field.field_type, fields.get(&rule.field)) else {
            continue;
        };
        let (bound, bound_label) = match (&rule.relation, &rule.other) {
            (Relation::NotFuture, _) => (Comparable::Date(today), format!("今天（{today}）")),
            (_, Some(other)) => {
                let Some(other_def) = kind.field(other) else {
                    continue;
                };
                match comparable(other_def.field_type, fields.get(other)) {
                    Some(b) => (b, format!("{}（{}）", other_def.label, shown(b))),
                    None => continue,
                }
            }
            (_, None) => continue,
        };
        let broken = match rule.relation {
            Relation::NotAbove | Relation::NotFuture => value > bound,
            Relation::NotBelow => value < bound,
        };
        if broken {
            let relation = match rule.relation {
                Relation::NotAbove => "大于",
                Relation::NotFuture => "晚于",
                Relation::NotBelow => match value {
                    Comparable::Date(_) => "早于",
                    Comparable::Number(_) => "小于",
                },
            };
            out.push(Violation {
                rule,
                message: format!(
                    "{}：{}（{}）{relation}{bound_label}",
                    rule.message,
                    field.label,
                    shown(value)
                ),
            });
        }
    }
    out
}

/// The refusing rules a record breaks, as errors at their fields.
pub fn refusals(kind: &KindDef, fields: &Map<String, Json>, today: NaiveDate) -> Vec<FieldError> {
    violations(kind, fields, today)
        .iter()
        .filter(|v| v.refuses())
        .map(|v| v.error(kind))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::catalogue::Catalogue;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fields(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_default_catalogue_refuses_the_implausible() {
        let catalogue = Catalogue::default_catalogue();
        let meeting = catalogue.kind("meeting").unwrap();
        let today = day("2025-06-15");
        let ok = fields(json!({"date": "2025-06-01", "expected": 30, "attended": 28}));
        assert!(violations(meeting, &ok, today).is_empty());
        let crowded = fields(json!({"date": "2025-06-01", "expected": 30, "attended": 35}));
        let errors = refusals(meeting, &crowded, today);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "attended");
        assert!(
            errors[0]
                .message
                .contains("实到人数（35）大于应到人数（30）"),
            "{}",
            errors[0].message
        );
        let future = fields(json!({"date": "2025-06-16"}));
        let errors = refusals(meeting, &future, today);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("晚于今天（2025-06-15）"));
        // A missing value compares with nothing.
        let partial = fields(json!({"date": "2025-06-01", "attended": 35}));
        assert!(violations(meeting, &partial, today).is_empty());

        let problem = catalogue.kind("enterprise_problem").unwrap();
        let early = fields(json!({"accepted_on": "2025-03-01", "completed_on": "2025-02-27"}));
        let errors = refusals(problem, &early, today);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "completed_on");
        assert!(errors[0]
            .message
            .contains("办结日期（2025-02-27）早于受理日期（2025-03-01）"));
    }
}
