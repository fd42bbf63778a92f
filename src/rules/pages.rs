//! 规则检查 pages: the year's findings grouped by rule with their evidence and rectification
//! marks, the branches × months grid, and the park's rule file. Thin handlers over
//! `rules::service` and `rules::grid`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::service::{self, Checked, MarkInput};
use crate::auth::Action;
use crate::calendar::Year;
use crate::error::AppError;
use crate::web::form::{joined, saved_or_again};
use crate::web::ui::{render, urlencode, Chrome, Page};
use crate::web::{AppState, CsrfForm, PageResult};

/// This area's page templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("checks.html", include_str!("templates/checks.html")),
    (
        "check_rules.html",
        include_str!("templates/check_rules.html"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checks", get(checks))
        .route("/checks/mark", post(mark))
        .route("/checks/unmark", post(unmark))
        .route("/checks/rules", get(rules_form).post(save_rules))
}

// ---- findings and grid ----

#[derive(Deserialize, Default)]
struct ChecksQuery {
    year: Option<String>,
    as_of: Option<String>,
}

#[derive(Serialize)]
struct ChecksView {
    chrome: Chrome,
    year: i32,
    years: Vec<i32>,
    /// As typed (empty: the default), and the date used.
    as_of_input: String,
    as_of: String,
    groups: Vec<Group>,
    open: usize,
    rectified: usize,
    grid_svg: String,
    can_write: bool,
    today: String,
    /// The mark form that was refused, re-shown with what was typed.
    refused: Option<Refused>,
}

#[derive(Serialize)]
struct Group {
    rule: String,
    title: String,
    article: String,
    items: Vec<Item>,
}

#[derive(Serialize)]
struct Item {
    unit: String,
    unit_id: Option<i64>,
    period: String,
    evidence: String,
    record_ids: Vec<i64>,
    /// The ids of `record_ids` are tasks (`/tasks/{id}`), not ledger records (a task rule).
    tasks: bool,
    /// The enterprise and the first and last day of the period, whose visits the finding links
    /// to (a 包联 visit rule's finding).
    visits: Option<(i64, String, String)>,
    rectified: Option<Mark>,
}

#[derive(Serialize)]
struct Mark {
    note: String,
    rectified_on: String,
}

#[derive(Serialize, Clone)]
struct Refused {
    rule: String,
    unit_id: i64,
    period: String,
    note: String,
    rectified_on: String,
    message: String,
}

async fn checks(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<ChecksQuery>,
) -> PageResult {
    checks_page(&st, &page, q, None).await
}

async fn checks_page(
    st: &AppState,
    page: &Page,
    q: ChecksQuery,
    refused: Option<Refused>,
) -> PageResult {
    page.who.require(Action::ReadChecks)?;
    let today = today(st);
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => Year::new(crate::ledger::pages::working_year(st, page).await?),
        Some(text) => Year::parse(text),
    }
    .map_err(|e| e.at("year", "年份"))?;
    let as_of_input = q.as_of.unwrap_or_default().trim().to_string();
    let as_of = if as_of_input.is_empty() {
        super::default_as_of(year, today)
    } else {
        match super::parse_as_of(&as_of_input) {
            Ok(d) => d,
            Err(e) => return Err(e.into()),
        }
    };
    let found = service::findings(&st.db, &page.who, year, as_of).await?;
    // Rules whose evidence is tasks rather than meetings (`task_overdue`, or a park's own).
    let task_rules: Vec<String> = match service::park_rules(&st.db, page.who.park_id).await {
        Ok(rules) => rules
            .rules
            .into_iter()
            .filter(|r| r.requirement == super::Requirement::TasksDone)
            .map(|r| r.id)
            .collect(),
        Err(e) => return Err(e.into()),
    };
    let grid = super::grid::grid(&st.db, &page.who, year, as_of).await?;
    let rectified = found.iter().filter(|c| c.rectified.is_some()).count();
    let view = ChecksView {
        chrome: page.chrome(st, "/checks").await?,
        year: year.get(),
        years: (today.year() - 4..=today.year()).rev().collect(),
        as_of_input,
        as_of: as_of.to_string(),
        open: found.len() - rectified,
        rectified,
        groups: group(found, &task_rules),
        grid_svg: super::grid::draw(&grid),
        can_write: page.who.role.allows(Action::WriteChecks),
        today: today.to_string(),
        refused,
    };
    Ok(render("checks.html", view))
}

/// Findings in runs of one rule, as `check` sorts them.
fn group(found: Vec<Checked>, task_rules: &[String]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for c in found {
        let f = c.finding;
        let visits = f.enterprise_id.and_then(|e| {
            let (year, period, index) = super::Period::parse_label(&f.period)?;
            let (from, to) = crate::visits::service::period_span(period, year, index)?;
            Some((e, from.to_string(), to.to_string()))
        });
        let item = Item {
            visits,
            tasks: task_rules.contains(&f.rule),
            unit: f.unit,
            unit_id: c.unit_id,
            period: f.period,
            evidence: f.evidence,
            record_ids: f.record_ids,
            rectified: c.rectified.map(|m| Mark {
                note: m.note,
                rectified_on: m.rectified_on.to_string(),
            }),
        };
        match groups.last_mut() {
            Some(g) if g.rule == f.rule => g.items.push(item),
            _ => groups.push(Group {
                rule: f.rule,
                title: f.title,
                article: f.article,
                items: vec![item],
            }),
        }
    }
    groups
}

// ---- marks ----

#[derive(Deserialize)]
struct MarkForm {
    rule: String,
    unit_id: i64,
    period: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    rectified_on: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    as_of: String,
}

/// Back to the checks page of the year and date the form came from, at the rule's findings.
fn back(year: &str, as_of: &str, rule: &str) -> String {
    let mut to = format!("/checks?year={}", urlencode(year));
    if !as_of.is_empty() {
        to.push_str(&format!("&as_of={}", urlencode(as_of)));
    }
    to.push_str(&format!("#{}", urlencode(rule)));
    to
}

impl MarkForm {
    fn input(&self) -> MarkInput {
        MarkInput {
            rule: self.rule.clone(),
            unit_id: self.unit_id,
            period: self.period.clone(),
            note: self.note.clone(),
            rectified_on: self.rectified_on.clone(),
        }
    }

    /// The checks page the form came from, and the mark as typed with why it was refused.
    fn refused(&self, errors: &[crate::error::FieldError]) -> (ChecksQuery, Refused) {
        let q = ChecksQuery {
            year: Some(self.year.clone()),
            as_of: Some(self.as_of.clone()),
        };
        let refused = Refused {
            rule: self.rule.clone(),
            unit_id: self.unit_id,
            period: self.period.clone(),
            note: self.note.clone(),
            rectified_on: self.rectified_on.clone(),
            message: joined(errors),
        };
        (q, refused)
    }
}

async fn mark(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<MarkForm>,
) -> PageResult {
    let saved = service::mark(&st.db, &page.who, &f.input(), st.now()).await;
    saved_or_again(
        saved,
        |_| back(&f.year, &f.as_of, &f.rule),
        |errors| {
            let (q, refused) = f.refused(&errors);
            checks_page(&st, &page, q, Some(refused))
        },
    )
    .await
}

async fn unmark(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<MarkForm>,
) -> PageResult {
    service::unmark(&st.db, &page.who, &f.rule, f.unit_id, &f.period, st.now()).await?;
    Ok(Redirect::to(&back(&f.year, &f.as_of, &f.rule)).into_response())
}

// ---- the rule file ----

#[derive(Serialize)]
struct RulesView {
    chrome: Chrome,
    text: String,
    own: bool,
    can_write: bool,
    error: String,
    saved: bool,
    rules: Vec<RuleLine>,
    /// Default rules the park's file turns off (`enabled = false`).
    disabled: Vec<RuleLine>,
}

#[derive(Serialize)]
struct RuleLine {
    id: String,
    title: String,
    unit_type: String,
    period: String,
    /// 系统默认, 本园区修改 or 本园区新增.
    origin: &'static str,
}

impl RuleLine {
    fn of(r: &super::Rule, defaults: &super::Rules) -> RuleLine {
        RuleLine {
            id: r.id.clone(),
            title: r.title.clone(),
            unit_type: r.applies_to.unit_type.clone(),
            period: match r.period {
                super::Period::Month => "每月",
                super::Period::Quarter => "每季度",
                super::Period::Year => "每年",
            }
            .to_string(),
            origin: match defaults.get(&r.id) {
                Some(d) if d == r => "系统默认",
                Some(_) => "本园区修改",
                None => "本园区新增",
            },
        }
    }
}

#[derive(Deserialize, Default)]
struct RulesQuery {
    saved: Option<String>,
}

async fn rules_form(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<RulesQuery>,
) -> PageResult {
    let (text, own) = service::rules_text(&st.db, &page.who).await?;
    let rules = service::park_rules(&st.db, page.who.park_id).await?;
    rules_page(
        &page,
        &st,
        text,
        own,
        String::new(),
        q.saved.is_some(),
        &rules,
    )
    .await
}

#[derive(Deserialize)]
struct RulesForm {
    #[serde(default)]
    text: String,
    /// Present when the park goes back to the embedded default.
    reset: Option<String>,
}

impl RulesForm {
    /// The catalogue to save: the default one when reset, else the text as typed.
    fn chosen(&self) -> String {
        if self.reset.is_some() {
            service::DEFAULT_TEXT.to_string()
        } else {
            self.text.replace("\r\n", "\n")
        }
    }
}

async fn save_rules(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(f): CsrfForm<RulesForm>,
) -> PageResult {
    let text = f.chosen();
    let saved = service::save_rules(&st.db, &page.who, &text, st.now()).await;
    saved_or_again(
        saved,
        |_| "/checks/rules?saved=1".into(),
        |errors| async move {
            let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            let rules = service::park_rules(&st.db, page.who.park_id).await?;
            rules_page(&page, &st, text, true, messages.join("；"), false, &rules).await
        },
    )
    .await
}

async fn rules_page(
    page: &Page,
    st: &AppState,
    text: String,
    own: bool,
    error: String,
    saved: bool,
    rules: &super::Rules,
) -> PageResult {
    let defaults = super::Rules::default_rules();
    Ok(render(
        "check_rules.html",
        RulesView {
            chrome: page.chrome(st, "/checks").await?,
            text,
            own,
            can_write: page.who.role.allows(Action::WriteChecks),
            error,
            saved,
            rules: rules
                .rules
                .iter()
                .map(|r| RuleLine::of(r, &defaults))
                .collect(),
            disabled: defaults
                .rules
                .iter()
                .filter(|d| rules.get(&d.id).is_none())
                .map(|d| RuleLine::of(d, &defaults))
                .collect(),
        },
    ))
}

/// Today on the park's calendar: on 1 June at 07:00 Beijing time May is already over.
pub(crate) fn today(st: &AppState) -> NaiveDate {
    crate::calendar::today(st.now())
}

// ---- 工作台 ----

/// This year's open findings in the user's units, counted by rule, for the 工作台.
#[derive(Clone, Serialize)]
pub struct HomeChecks {
    pub year: i32,
    /// The day the findings are counted on, as the checks page says it.
    pub as_of: String,
    pub open: usize,
    pub rules: Vec<HomeRule>,
}

#[derive(Clone, Serialize)]
pub struct HomeRule {
    pub rule: String,
    pub title: String,
    pub count: usize,
}

/// The 工作台's rule-check figures of `year` in the user's units: its open findings
/// (`service::findings`), the checks grid (`grid::grid`) and 参与率 by branch
/// (`participation::by_branch`). The grid's cells, and the rates' when they count the same
/// window as the findings (a year that has ended), come from the findings' own statement, so
/// that the year's meetings are read once rather than three times. `None` for a role that does
/// not read checks.
pub async fn home_figures(
    st: &AppState,
    page: &Page,
    year: Year,
) -> Result<Option<HomeFigures>, AppError> {
    let who = &page.who;
    if !who.role.allows(Action::ReadChecks) {
        return Ok(None);
    }
    let as_of = super::default_as_of(year, today(st));
    let rules = service::park_rules(&st.db, who.park_id).await?;
    let grid_window = super::grid::window(who.park_id, year, as_of);
    let drawn = super::grid::grid_rules(&rules);
    let mut extra = super::grid::specs(&drawn);
    let drawn_count = extra.len();
    // The rates count the whole year: with the findings when the year has ended, in a
    // statement of their own beside them while it runs.
    let rate_spec = super::participation::spec(&rules);
    let rate_window = rate_spec.map(|_| super::participation::window(who.park_id, year));
    let together = rate_window.is_some_and(|w| w.last == grid_window.last);
    if together {
        extra.extend(rate_spec);
    }
    let own_rates = async {
        match (rate_spec, rate_window) {
            (Some(spec), Some(window)) if !together => {
                Ok::<_, AppError>(super::queries::grids(&st.db, window, &[spec]).await?.pop())
            }
            _ => Ok(None),
        }
    };
    let units = async { Ok::<_, AppError>(crate::org::queries::units(&st.db, who.park_id).await?) };
    let ((found, mut tallies), units, own) = tokio::try_join!(
        service::findings_and(&st.db, who, &rules, year, as_of, &extra),
        units,
        own_rates,
    )?;
    let rates_tally = if together {
        tallies.get(drawn_count).cloned()
    } else {
        own
    };
    tallies.truncate(drawn_count);
    Ok(Some(HomeFigures {
        checks: open_by_rule(year.get(), as_of, found),
        grid: super::grid::assemble(who, grid_window, as_of, &units, drawn, tallies),
        rates: super::participation::rates(who, rates_tally),
    }))
}

/// What [`home_figures`] gives.
pub struct HomeFigures {
    pub checks: HomeChecks,
    pub grid: super::grid::Grid,
    pub rates: Vec<super::participation::Rate>,
}

/// The open (not rectified) findings counted by rule, in the findings' order.
fn open_by_rule(year: i32, as_of: NaiveDate, found: Vec<Checked>) -> HomeChecks {
    let mut rules: Vec<HomeRule> = Vec::new();
    for c in found.into_iter().filter(|c| c.rectified.is_none()) {
        match rules.last_mut() {
            Some(r) if r.rule == c.finding.rule => r.count += 1,
            _ => rules.push(HomeRule {
                rule: c.finding.rule,
                title: c.finding.title,
                count: 1,
            }),
        }
    }
    HomeChecks {
        year,
        as_of: as_of.to_string(),
        open: rules.iter().map(|r| r.count).sum(),
        rules,
    }
}
