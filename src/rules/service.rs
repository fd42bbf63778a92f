//! Rule-check services both faces call: the park's rule file (read, replace), the findings a
//! principal may see with their rectification marks, and marking a finding 已整改. Every call
//! checks the role and the data scope here; every write appends its audit entry in the same
//! transaction.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::stored::{self, Rectification};
use super::{Finding, Period, Rules};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::catalogue::Catalogue;

/// The embedded default rule file, offered when a park has not saved its own.
pub const DEFAULT_TEXT: &str = include_str!("rules.toml");

/// Longest rule file accepted: a catalogue of a few hundred rules.
const MAX_TEXT: usize = 200_000;

/// The rules a park checks: the embedded default with the park's saved file laid over it
/// ([`Rules::overlay`]), so a default rule the file does not name, one added since, still runs.
/// A saved file is checked again against the park's current ledger catalogue, since a meeting
/// type may have been removed from it since.
pub async fn park_rules(db: &Db, park_id: i64) -> Result<Rules, AppError> {
    match stored::rules_text(db, park_id).await? {
        None => Ok(Rules::default_rules()),
        Some(text) => {
            Ok(Rules::default_rules().overlay(&text, &park_catalogue(db, park_id).await?)?)
        }
    }
}

/// The park's rule file as text, and whether it is the park's own copy.
pub async fn rules_text(db: &Db, who: &Principal) -> Result<(String, bool), AppError> {
    who.require(Action::ReadChecks)?;
    Ok(match stored::rules_text(db, who.park_id).await? {
        Some(text) => (text, true),
        None => (DEFAULT_TEXT.to_string(), false),
    })
}

/// Replaces the park's rule file (党建办), an overlay on the default. The text is parsed against
/// the park's catalogue first: a refusal names the line and nothing is saved.
pub async fn save_rules(
    db: &Db,
    who: &Principal,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Rules, AppError> {
    who.require(Action::WriteChecks)?;
    if text.len() > MAX_TEXT {
        return Err(AppError::invalid(
            "text",
            "规则文件",
            format!("规则文件过长（超过 {} KB）", MAX_TEXT / 1000),
        ));
    }
    let rules = Rules::default_rules()
        .overlay(text, &park_catalogue(db, who.park_id).await?)
        .map_err(|e| AppError::invalid("text", "规则文件", e.to_string()))?;
    let before = stored::rules_text(db, who.park_id).await?;
    let mut tx = db.begin().await?;
    stored::save_rules_text(&mut tx, who.park_id, text, now).await?;
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "update",
            entity: "rules",
            entity_id: None,
            before: Some(serde_json::json!({ "text": before })),
            after: Some(serde_json::json!({ "text": text, "rules": ids })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rules)
}

/// A finding as the checks page shows it: with its unit's id and its mark, if rectified.
#[derive(Clone, Debug, Serialize)]
pub struct Checked {
    #[serde(flatten)]
    pub finding: Finding,
    pub unit_id: Option<i64>,
    pub rectified: Option<Rectification>,
}

/// The year's findings of the park's rules that fall in the principal's units, with their marks.
pub async fn findings(
    db: &Db,
    who: &Principal,
    year: Year,
    as_of: NaiveDate,
) -> Result<Vec<Checked>, AppError> {
    who.require(Action::ReadChecks)?;
    let rules = park_rules(db, who.park_id).await?;
    Ok(findings_and(db, who, &rules, year, as_of, &[]).await?.0)
}

/// [`findings`] of the given rules, and the grids of `extra` specs read in the same statement
/// (`check_with_and`).
pub(crate) async fn findings_and(
    db: &Db,
    who: &Principal,
    rules: &Rules,
    year: Year,
    as_of: NaiveDate,
    extra: &[super::queries::Spec<'_>],
) -> Result<(Vec<Checked>, Vec<super::queries::Tally>), AppError> {
    who.require(Action::ReadChecks)?;
    let (found, tallies) =
        super::check_with_and(db, who.park_id, rules, year, as_of, extra).await?;
    let units = visible_units(db, who).await?;
    let marks = stored::rectifications(db, who.park_id, year.get()).await?;
    let checked = found
        .into_iter()
        .filter_map(|f| {
            // A 包联 visit finding is about an enterprise, not a unit: the whole park's
            // readers see it (a 支部书记's units hold no 包联), and it takes no 整改 mark.
            if let Some(e) = f.enterprise_id {
                return who.covers(None, Some(e)).then_some(Checked {
                    finding: f,
                    unit_id: None,
                    rectified: None,
                });
            }
            let unit_id = *units.get(&f.unit)?;
            let rectified = marks
                .iter()
                .find(|m| m.rule == f.rule && m.unit_id == unit_id && m.period == f.period)
                .cloned();
            Some(Checked {
                finding: f,
                unit_id: Some(unit_id),
                rectified,
            })
        })
        .collect();
    Ok((checked, tallies))
}

/// What marking a finding needs, as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MarkInput {
    pub rule: String,
    pub unit_id: i64,
    pub period: String,
    pub note: String,
    pub rectified_on: String,
}

/// Marks a finding 已整改 with a note and a date (党建办), or changes the mark.
pub async fn mark(
    db: &Db,
    who: &Principal,
    input: &MarkInput,
    now: DateTime<Utc>,
) -> Result<Rectification, AppError> {
    who.require(Action::WriteChecks)?;
    let (rule, unit) = finding_key(db, who, &input.rule, input.unit_id, &input.period).await?;
    let note = input.note.trim();
    if note.is_empty() {
        return Err(AppError::invalid(
            "note",
            "整改说明",
            "请填写整改说明（做了什么、补开了哪次会议）",
        ));
    }
    if note.chars().count() > 500 {
        return Err(AppError::invalid("note", "整改说明", "不能超过 500 字"));
    }
    let rectified_on = super::parse_as_of(&input.rectified_on).map_err(|_| {
        AppError::invalid(
            "rectified_on",
            "整改日期",
            format!("“{}”不是有效日期", input.rectified_on.trim()),
        )
    })?;
    if rectified_on > crate::calendar::today(now) {
        return Err(AppError::invalid(
            "rectified_on",
            "整改日期",
            "不能晚于今天",
        ));
    }
    let mark = Rectification {
        rule,
        unit_id: input.unit_id,
        unit,
        period: input.period.trim().to_string(),
        note: note.to_string(),
        rectified_on,
        marked_by: Some(who.user_id),
        marked_at: now,
    };
    let key = (mark.rule.as_str(), mark.unit_id, mark.period.as_str());
    let mut tx = db.begin().await?;
    let before = stored::rectification(&mut tx, who.park_id, key).await?;
    stored::put_rectification(&mut tx, who.park_id, &mark).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "rectification",
            entity_id: Some(mark.unit_id),
            before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: Some(serde_json::to_value(&mark).unwrap_or_default()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(mark)
}

/// Takes a finding's mark away (党建办): it shows as open again.
pub async fn unmark(
    db: &Db,
    who: &Principal,
    rule: &str,
    unit_id: i64,
    period: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    who.require(Action::WriteChecks)?;
    let key = (rule.trim(), unit_id, period.trim());
    let mut tx = db.begin().await?;
    let Some(before) = stored::rectification(&mut tx, who.park_id, key).await? else {
        return Err(AppError::NotFound("整改标记"));
    };
    if !who.covers(Some(unit_id), None) {
        return Err(AppError::NotFound("整改标记"));
    }
    stored::delete_rectification(&mut tx, who.park_id, key).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "delete",
            entity: "rectification",
            entity_id: Some(unit_id),
            before: Some(serde_json::to_value(before).unwrap_or_default()),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The park's findings for the report: the open ones, and the sentences of the problems section
/// (the open findings', then the rectified ones' marked 已整改).
pub async fn for_report(
    db: &Db,
    park_id: i64,
    year: Year,
    as_of: NaiveDate,
) -> Result<(Vec<Finding>, Vec<String>), AppError> {
    let found = super::check(db, park_id, year, as_of).await?;
    let marks = stored::rectifications(db, park_id, year.get()).await?;
    let (rectified, open): (Vec<Finding>, Vec<Finding>) = found.into_iter().partition(|f| {
        marks
            .iter()
            .any(|m| m.rule == f.rule && m.unit == f.unit && m.period == f.period)
    });
    let mut problems = super::summarize(&open);
    problems.extend(
        super::summarize(&rectified)
            .into_iter()
            .map(|s| format!("{s}，已整改")),
    );
    Ok((open, problems))
}

/// The rule, unit name and period of a finding about to be marked, each checked: the rule is
/// one of the park's, the unit exists and is the principal's, the period is one of the rule's.
async fn finding_key(
    db: &Db,
    who: &Principal,
    rule: &str,
    unit_id: i64,
    period: &str,
) -> Result<(String, String), AppError> {
    let rules = park_rules(db, who.park_id).await?;
    let Some(rule) = rules.get(rule.trim()) else {
        return Err(AppError::invalid(
            "rule",
            "规则",
            format!("本园区没有规则“{}”", rule.trim()),
        ));
    };
    let unit = crate::org::queries::unit(db, who.park_id, unit_id)
        .await?
        .ok_or(AppError::NotFound("单位"))?;
    if !who.covers(Some(unit.id), None) {
        return Err(AppError::NotFound("单位"));
    }
    let fits = Period::parse_label(period.trim())
        .is_some_and(|(_, p, i)| p == rule.period && (1..=p.per_year()).contains(&i));
    if !fits {
        return Err(AppError::invalid(
            "period",
            "期间",
            format!(
                "“{}”不是规则“{}”的期间（按{}计）",
                period.trim(),
                rule.id,
                rule.period.as_str()
            ),
        ));
    }
    Ok((rule.id.clone(), unit.name))
}

/// The park's ledger catalogue, which a rule file is checked against.
async fn park_catalogue(db: &Db, park_id: i64) -> Result<Catalogue, AppError> {
    let kinds = crate::ledger::queries::kinds(db, park_id).await?;
    Ok(if kinds.is_empty() {
        Catalogue::default_catalogue()
    } else {
        Catalogue { kinds }
    })
}

/// Unit name → id of the units the principal may see.
pub(crate) async fn visible_units(
    db: &Db,
    who: &Principal,
) -> Result<HashMap<String, i64>, AppError> {
    Ok(crate::org::queries::units(db, who.park_id)
        .await?
        .into_iter()
        .filter(|u| who.covers(Some(u.id), None))
        .map(|u| (u.name, u.id))
        .collect())
}
