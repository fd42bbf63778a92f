//! What the faces call: the park's working-day calendar (the shipped tables with the park's own
//! years laid over them), one year as the 工作日历 page shows it, and saving a year (党建办).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::{parse_year, queries, Due, Workdays, YearTable, MAX_TEXT};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::calendar::Year;
use crate::db::Db;
use crate::error::{AppError, FieldError};

/// The park's calendar: every shipped year, with the years the park entered or corrected in
/// their place. A stored year that no longer reads (it was checked when saved) is an error, not
/// a silent fall-back.
pub async fn workdays(db: &Db, park_id: i64) -> Result<Workdays, AppError> {
    let mut w = Workdays::official();
    for row in queries::stored(db, park_id).await? {
        let table = parse_year(row.year, &row.text).map_err(|e| {
            AppError::BadRequest(format!(
                "本园区 {} 年的工作日历无法读取（{}），请到“工作日历”页修改",
                row.year,
                e.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?;
        w = w.with(table);
    }
    Ok(w)
}

/// Where a year's table comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Shipped, from the State Council's notice.
    Official,
    /// Entered or corrected by the park.
    Park,
    /// No table: Monday–Friday are taken as the working days.
    None,
}

/// One year of the calendar as the page shows it.
#[derive(Debug, Serialize)]
pub struct YearView {
    pub year: i32,
    pub source: Source,
    pub table: Option<YearTable>,
    /// The text the editor starts from: the park's own, the shipped table's, or a starter.
    pub text: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The years that have a table, shipped or the park's.
    pub years: Vec<i32>,
}

/// One year of the park's calendar (党建办).
pub async fn year_view(db: &Db, who: &Principal, year: Year) -> Result<YearView, AppError> {
    who.require(Action::ManageCalendar)?;
    let year = year.get();
    let stored = queries::stored(db, who.park_id).await?;
    let own = stored.iter().find(|r| r.year == year);
    let w = workdays(db, who.park_id).await?;
    let table = w.table(year).cloned();
    let source = match (own, &table) {
        (Some(_), _) => Source::Park,
        (None, Some(_)) => Source::Official,
        (None, None) => Source::None,
    };
    let text = match (own, &table) {
        (Some(r), _) => r.text.clone(),
        (None, Some(t)) => t.to_text(),
        (None, None) => format!(
            "通知 国务院办公厅关于{year}年部分节假日安排的通知（发文日期）\n元旦 {year}-01-01\n上班 \n"
        ),
    };
    Ok(YearView {
        year,
        source,
        table,
        text,
        updated_by: own.and_then(|r| r.author.clone()),
        updated_at: own.map(|r| r.updated_at),
        years: w.years(),
    })
}

/// Saves the park's table for `year` (党建办): checked first, every mistake named at its line
/// (a 422 at the `text` field) and nothing saved. An empty text removes the park's own table, so
/// the shipped one (or Monday–Friday) applies again. Audited.
pub async fn save_year(
    db: &Db,
    who: &Principal,
    year: Year,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Option<YearTable>, AppError> {
    who.require(Action::ManageCalendar)?;
    let year = year.get();
    let text = text.replace("\r\n", "\n");
    let refuse =
        |message: String| AppError::Invalid(vec![FieldError::new("text", "工作日历", message)]);
    if text.len() > MAX_TEXT {
        return Err(refuse(format!("内容过长（超过 {MAX_TEXT} 字节）")));
    }
    let reset = text.trim().is_empty();
    let table = if reset {
        None
    } else {
        let t = parse_year(year, &text).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            refuse(lines.join("；"))
        })?;
        Some(t)
    };
    let mut tx = db.begin().await?;
    let before = queries::stored_text(&mut tx, who.park_id, year).await?;
    if reset {
        if before.is_none() {
            tx.commit().await?;
            return Ok(None);
        }
        queries::delete(&mut tx, who.park_id, year).await?;
    } else {
        queries::save(&mut tx, who.park_id, year, &text, who.user_id, now).await?;
    }
    let change = Change {
        action: match (&before, reset) {
            (_, true) => "delete",
            (None, false) => "create",
            (Some(_), false) => "update",
        },
        entity: "workdays",
        entity_id: Some(i64::from(year)),
        before: before.map(|text| json!({ "year": year, "text": text })),
        after: table.as_ref().map(|t| json!({ "year": year, "text": text, "days_off": t.days_off(), "workdays": t.workdays })),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(table)
}

/// A deadline `days` working days after `from` on the park's calendar, for the page's trial.
pub async fn due(
    db: &Db,
    who: &Principal,
    from: chrono::NaiveDate,
    days: u32,
) -> Result<Due, AppError> {
    who.require(Action::ManageCalendar)?;
    Ok(workdays(db, who.park_id).await?.add(from, days))
}
