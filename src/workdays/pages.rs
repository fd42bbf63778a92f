//! 工作日历 (`/calendar`): a year's holidays and make-up working days, where they come from, the
//! editor of the park's own table for the year (党建办), and a trial of a deadline counted in
//! working days. Thin handlers over `workdays::service`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::service::{self, Source, YearView};
use super::{weekday_name, Due};
use crate::calendar::{self, Year};
use crate::error::FieldError;
use crate::web::form::{saved_or_again, FormErrors};
use crate::web::ui::{render, years_offered, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates.
pub const TEMPLATES: &[(&str, &str)] =
    &[("workdays.html", include_str!("templates/workdays.html"))];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendar", get(show))
        .route("/calendar/{year}", get(show_year).post(save))
}

#[derive(Deserialize, Default)]
struct TrialQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    days: String,
}

#[derive(Deserialize)]
struct YearForm {
    #[serde(default)]
    text: String,
}

#[derive(Serialize)]
struct Row {
    name: String,
    from: String,
    to: String,
    days: i64,
}

#[derive(Serialize)]
struct Trial {
    from: String,
    days: String,
    due: Option<String>,
    estimated: bool,
    error: Option<String>,
}

#[derive(Serialize)]
struct CalendarView {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    source: Source,
    notice: Option<String>,
    holidays: Vec<Row>,
    workdays: Vec<String>,
    days_off: usize,
    text: String,
    errors: HashMap<String, String>,
    updated_by: Option<String>,
    updated_at: Option<String>,
    trial: Trial,
}

async fn show(State(st): State<AppState>, page: Page, q: Query<TrialQuery>) -> PageResult {
    let year = Year::of(calendar::today(st.now())).map_err(|e| e.at("year", "年度"))?;
    calendar_page(&st, &page, year, q.0, None, &[]).await
}

async fn show_year(
    State(st): State<AppState>,
    page: Page,
    Path(year): Path<String>,
    q: Query<TrialQuery>,
) -> PageResult {
    let year = Year::parse(&year).map_err(|e| e.at("year", "年度"))?;
    calendar_page(&st, &page, year, q.0, None, &[]).await
}

async fn save(
    State(st): State<AppState>,
    page: Page,
    Path(year): Path<String>,
    CsrfForm(f): CsrfForm<YearForm>,
) -> PageResult {
    let year = Year::parse(&year).map_err(|e| e.at("year", "年度"))?;
    let saved = service::save_year(&st.db, &page.who, year, &f.text, st.now()).await;
    let again = |errors: Vec<FieldError>| async move {
        let (trial, typed) = (TrialQuery::default(), Some(f.text));
        calendar_page(&st, &page, year, trial, typed, &errors).await
    };
    saved_or_again(saved, |_| format!("/calendar/{year}"), again).await
}

async fn calendar_page(
    st: &AppState,
    page: &Page,
    year: Year,
    trial: TrialQuery,
    typed: Option<String>,
    errors: &[FieldError],
) -> PageResult {
    let view: YearView = service::year_view(&st.db, &page.who, year).await?;
    let table = view.table.as_ref();
    let this_year = calendar::today(st.now()).year();
    let mut years = years_offered(this_year + 1, 4, view.year);
    for y in &view.years {
        if !years.contains(y) {
            years.push(*y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(render(
        "workdays.html",
        CalendarView {
            chrome: page.chrome(st, "/calendar").await?,
            year: view.year,
            years,
            source: view.source,
            notice: table.map(|t| t.notice.clone()),
            holidays: table
                .map(|t| {
                    t.holidays
                        .iter()
                        .map(|h| Row {
                            name: h.name.clone(),
                            from: format!("{}（{}）", h.from, weekday_name(h.from)),
                            to: format!("{}（{}）", h.to, weekday_name(h.to)),
                            days: (h.to - h.from).num_days() + 1,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            workdays: table
                .map(|t| {
                    t.workdays
                        .iter()
                        .map(|d| format!("{d}（{}）", weekday_name(*d)))
                        .collect()
                })
                .unwrap_or_default(),
            days_off: table.map_or(0, |t| t.days_off()),
            text: typed.unwrap_or(view.text),
            errors: FormErrors::by_field(errors),
            updated_by: view.updated_by,
            updated_at: view
                .updated_at
                .map(|t| calendar::local(t).format("%Y-%m-%d %H:%M").to_string()),
            trial: try_deadline(st, page, trial).await?,
        },
    ))
}

/// The page's trial: `days` working days after `from` on the park's calendar.
async fn try_deadline(
    st: &AppState,
    page: &Page,
    q: TrialQuery,
) -> Result<Trial, crate::error::AppError> {
    let mut trial = Trial {
        from: q.from.trim().to_string(),
        days: q.days.trim().to_string(),
        due: None,
        estimated: false,
        error: None,
    };
    if trial.from.is_empty() && trial.days.is_empty() {
        return Ok(trial);
    }
    let from = crate::ledger::value::parse_date_text(&trial.from).map_err(|e| e.to_string());
    let days = trial
        .days
        .parse::<u32>()
        .ok()
        .filter(|d| *d <= 366)
        .ok_or_else(|| format!("“{}”不是 0 到 366 之间的天数", trial.days));
    match (from, days) {
        (Ok(from), Ok(days)) => {
            let Due { date, estimated } = service::due(&st.db, &page.who, from, days).await?;
            trial.due = Some(format!("{date}（{}）", weekday_name(date)));
            trial.estimated = estimated;
        }
        (Err(e), _) | (_, Err(e)) => trial.error = Some(e),
    }
    Ok(trial)
}
