//! Who attended a meeting: the `people` and `absences` field types (lists of names from the
//! unit's roster, 花名册) and the rules of a kind's `[kind.attendance]`.
//!
//! A list is stored as people read it, the names joined by `、` (absences as `张三（病假）`), so
//! that lists, exports, search and the audit log show it unchanged; each name is checked on entry
//! against the party members of the record's unit and its sub-units (its 党小组), the one check
//! shared by forms, the API and the import. When a record names anyone, 应到 and 实到 are the
//! counts of those named: typed counts stand only for records without a list (history).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value as Json};

use super::catalogue::{FieldDef, KindDef};
use super::value::{self, normalize_text, Raw, Value, ValueError, TEXT_MAX_CHARS};
use crate::error::FieldError;

/// The most names one list may hold; no branch meeting comes near it.
pub const MAX_NAMES: usize = 500;

/// What separates names as people type them: 、，, ; and line breaks.
const SEPARATORS: &[char] = &['、', '，', ',', ';', '；', '\n', '\r', '\t'];

/// One party member of the roster, as the attendance check needs them.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
}

/// The party members of a park with its unit tree, to answer "the members of this unit and its
/// sub-units".
#[derive(Clone, Debug, Default)]
pub struct Roster {
    members: Vec<Member>,
    parents: HashMap<i64, i64>,
}

impl Roster {
    /// `parents` maps each unit to its parent unit (roots absent).
    pub fn new(members: Vec<Member>, parents: HashMap<i64, i64>) -> Roster {
        Roster { members, parents }
    }

    /// The members of `unit` and of every unit below it, in roster order.
    pub fn of_unit(&self, unit: i64) -> Vec<&Member> {
        self.members
            .iter()
            .filter(|m| self.is_within(m.unit_id, unit))
            .collect()
    }

    fn is_within(&self, mut unit: i64, ancestor: i64) -> bool {
        // The depth bound guards against a cycle in a hand-edited tree.
        for _ in 0..64 {
            if unit == ancestor {
                return true;
            }
            match self.parents.get(&unit) {
                Some(parent) => unit = *parent,
                None => return false,
            }
        }
        false
    }
}

/// The names of a stored or typed list, in order, white space trimmed and full-width folded.
pub fn people(text: &str) -> Vec<String> {
    text.split(SEPARATORS)
        .map(normalize_text)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The (name, reason) pairs of a stored absences value; an item without a reason reads as
/// having none (`""`).
pub fn absences(text: &str) -> Vec<(String, String)> {
    people(text)
        .into_iter()
        .map(|item| split_reason(&item).unwrap_or((item, String::new())))
        .collect()
}

/// The stored form of a list of names.
pub fn join_people<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| n.as_ref())
        .collect::<Vec<_>>()
        .join("、")
}

/// The stored form of a list of absences.
pub fn join_absences<S: AsRef<str>, R: AsRef<str>>(items: &[(S, R)]) -> String {
    items
        .iter()
        .map(|(n, r)| format!("{}（{}）", n.as_ref(), r.as_ref()))
        .collect::<Vec<_>>()
        .join("、")
}

/// `张三(病假)` (after width folding) as (`张三`, `病假`).
fn split_reason(item: &str) -> Option<(String, String)> {
    let open = item.find('(')?;
    let rest = item[open + 1..].strip_suffix(')')?;
    let name = item[..open].trim();
    (!name.is_empty()).then(|| (name.to_owned(), rest.trim().to_owned()))
}

fn check_names(names: &[String]) -> Result<(), ValueError> {
    if names.len() > MAX_NAMES {
        return Err(ValueError::TooManyNames {
            count: names.len(),
            max: MAX_NAMES,
        });
    }
    let mut seen = HashSet::new();
    for name in names {
        value::parse_text(Raw::Text(name), TEXT_MAX_CHARS)?;
        if !seen.insert(name.as_str()) {
            return Err(ValueError::RepeatedName { name: name.clone() });
        }
    }
    Ok(())
}

/// Parses a `people` value: names separated by 、，, ; or line breaks, none twice.
pub(super) fn parse_people(text: &str) -> Result<Value, ValueError> {
    let names = people(text);
    if names.is_empty() {
        return Err(ValueError::Required);
    }
    check_names(&names)?;
    Ok(Value::Text(join_people(&names)))
}

/// Parses an `absences` value: `张三（病假）、李四（公出）`, each reason one of the field's
/// choices.
pub(super) fn parse_absences(field: &FieldDef, text: &str) -> Result<Value, ValueError> {
    let items = people(text);
    if items.is_empty() {
        return Err(ValueError::Required);
    }
    let mut pairs = Vec::new();
    for item in &items {
        let Some((name, reason)) = split_reason(item) else {
            return Err(ValueError::MissingReason {
                item: value::quote(item),
                choices: field.choices.clone(),
            });
        };
        let wanted = normalize_text(&reason);
        let Some(choice) = field.choices.iter().find(|c| normalize_text(c) == wanted) else {
            return Err(ValueError::NotAReason {
                reason: value::quote(&reason),
                choices: field.choices.clone(),
            });
        };
        pairs.push((name, choice.clone()));
    }
    let names: Vec<String> = pairs.iter().map(|(n, _)| n.clone()).collect();
    check_names(&names)?;
    Ok(Value::Text(join_absences(&pairs)))
}

/// Applies `kind`'s attendance rules to the fields about to be stored: every name must be a
/// party member of the record's unit or below, nobody present and absent, the 记录人 among those
/// present; then 应到 and 实到 become the counts. Records naming nobody keep their typed counts.
pub fn check(
    kind: &KindDef,
    fields: &mut Map<String, Json>,
    unit_id: Option<i64>,
    roster: &Roster,
) -> Vec<FieldError> {
    let Some(a) = &kind.attendance else {
        return Vec::new();
    };
    let text = |key: &str| fields.get(key).and_then(Json::as_str).unwrap_or_default();
    let present = people(text(&a.present));
    let absent: Vec<String> = absences(text(&a.absent))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    if present.is_empty() && absent.is_empty() {
        return Vec::new();
    }
    let error = |key: &str, message: String| FieldError {
        field: key.to_owned(),
        label: kind.field(key).map_or(key, |f| f.label.as_str()).to_owned(),
        message,
    };
    let unit_key = kind.unit_field.as_deref().unwrap_or_default();
    let Some(unit) = unit_id else {
        return vec![error(
            unit_key,
            "登记参会人员时须填写组织单位：人员从该单位的花名册中选择".to_owned(),
        )];
    };
    let unit_name = text(unit_key).to_owned();
    let known: HashSet<&str> = roster
        .of_unit(unit)
        .into_iter()
        .map(|m| m.name.as_str())
        .collect();
    let mut errors = Vec::new();
    for (key, names) in [(&a.present, &present), (&a.absent, &absent)] {
        let unknown: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !known.contains(n))
            .collect();
        if !unknown.is_empty() {
            errors.push(error(
                key,
                format!(
                    "花名册中找不到：{}（须是{unit_name}及其下属党组织的党员）",
                    unknown.join("、")
                ),
            ));
        }
    }
    let both: Vec<&str> = present
        .iter()
        .filter(|n| absent.contains(n))
        .map(String::as_str)
        .collect();
    if !both.is_empty() {
        errors.push(error(
            &a.absent,
            format!("{} 同时列在参会人员和缺席人员中", both.join("、")),
        ));
    }
    if let Some(key) = &a.recorder {
        let recorder = normalize_text(text(key));
        if !recorder.is_empty() && !present.contains(&recorder) {
            errors.push(error(key, format!("记录人“{recorder}”不在参会人员中")));
        }
    }
    if errors.is_empty() {
        fields.insert(
            a.expected.clone(),
            Json::from((present.len() + absent.len()) as i64),
        );
        fields.insert(a.attended.clone(), Json::from(present.len() as i64));
    }
    errors
}

#[cfg(test)]
#[path = "attendance_tests.rs"]
mod tests;
