//! 组织与企业: the unit tree, the people (masked as the role requires) and the enterprises.

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::auth::Action;
use crate::error::AppError;
use crate::org::queries::{Enterprise, Person, Unit};
use crate::org::service;
use crate::web::form::{id_options, FormPage};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, PageResult};

mod enterprises;
mod people;
mod units;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(org))
        .route(
            "/org/units/new",
            get(units::new_unit).post(units::create_unit),
        )
        .route(
            "/org/units/{id}/edit",
            get(units::edit_unit).post(units::update_unit),
        )
        .route(
            "/org/people/new",
            get(people::new_person).post(people::create_person),
        )
        .route("/org/people/{id}", get(people::person))
        .route("/org/people/{id}/reveal", post(people::reveal))
        .route(
            "/org/people/{id}/edit",
            get(people::edit_person).post(people::update_person),
        )
        .route("/org/people/{id}/positions", post(people::appoint))
        .route("/org/positions/{id}/end", post(people::end_position))
        .route(
            "/org/enterprises/new",
            get(enterprises::new_enterprise).post(enterprises::create_enterprise),
        )
        .route(
            "/org/enterprises/{id}/edit",
            get(enterprises::edit_enterprise).post(enterprises::update_enterprise),
        )
}

#[derive(Deserialize)]
struct OrgQuery {
    name: Option<String>,
    ent: Option<String>,
    page: Option<i64>,
}

#[derive(Serialize)]
struct OrgView {
    chrome: Chrome,
    units: Vec<UnitRow>,
    people: Vec<Person>,
    people_total: i64,
    page: i64,
    pages: i64,
    name: String,
    ent: String,
    enterprises: Vec<Enterprise>,
    can_write: bool,
    can_write_enterprises: bool,
    /// The role binds a unit's year into a 台账汇编 (`/compile`).
    can_compile: bool,
    /// ... and the whole park's, its scope being the park.
    park_wide: bool,
}

#[derive(Serialize)]
struct UnitRow {
    id: i64,
    depth: usize,
    name: String,
    unit_type: String,
    level: Option<String>,
}

/// Orders units as a tree (parents before children) with their depth, for an indented list.
fn tree(units: Vec<Unit>) -> Vec<UnitRow> {
    fn walk(
        all: &[Unit],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<UnitRow>,
        seen: &mut Vec<i64>,
    ) {
        for u in all.iter().filter(|u| u.parent_id == parent) {
            if seen.contains(&u.id) || depth > 20 {
                continue;
            }
            seen.push(u.id);
            out.push(UnitRow {
                id: u.id,
                depth,
                name: u.name.clone(),
                unit_type: u.unit_type.clone(),
                level: u.level.clone(),
            });
            walk(all, Some(u.id), depth + 1, out, seen);
        }
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    // Roots are units without a parent, or whose parent is outside what the user may see.
    let roots: Vec<Option<i64>> = units
        .iter()
        .filter(|u| u.parent_id.is_none_or(|p| !ids.contains(&p)))
        .map(|u| u.parent_id)
        .collect();
    for root in roots {
        walk(&units, root, 0, &mut out, &mut seen);
    }
    out
}

/// The organisation pages' templates, registered in `web::ui`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("org.html", include_str!("../templates/org.html")),
    ("person.html", include_str!("../templates/person.html")),
];

const PAGE_SIZE: i64 = 50;

async fn org(State(st): State<AppState>, page: Page, Query(q): Query<OrgQuery>) -> PageResult {
    let page_no = q.page.unwrap_or(1).max(1);
    let name = q.name.unwrap_or_default();
    let ent = q.ent.unwrap_or_default();
    let units = service::list_units(&st.db, &page.who).await?;
    let filter = Some(name.trim()).filter(|n| !n.is_empty());
    let offset = (page_no - 1) * PAGE_SIZE;
    let (people, total) =
        service::list_people(&st.db, &page.who, filter, PAGE_SIZE, offset).await?;
    let wanted = crate::ledger::value::normalize_text(&ent);
    let enterprises = service::list_enterprises(&st.db, &page.who)
        .await?
        .into_iter()
        .filter(|e| wanted.is_empty() || e.name.contains(&wanted))
        .collect();
    Ok(render(
        "org.html",
        OrgView {
            chrome: page.chrome(&st, "/org").await?,
            units: tree(units),
            people,
            people_total: total,
            page: page_no,
            pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
            name,
            ent,
            enterprises,
            can_write: page.who.role.allows(Action::WriteOrg),
            can_compile: page.who.role.allows(Action::ReadChecks),
            park_wide: page.who.scope == crate::auth::Scope::Park,
            can_write_enterprises: page.who.role.allows(Action::WriteOrg)
                && page.who.scope == crate::auth::Scope::Park,
        },
    ))
}

// ---- what the three forms share: org's choices and the people a field suggests ----

async fn unit_options(st: &AppState, page: &Page) -> Result<Vec<(String, String)>, AppError> {
    Ok(id_options(
        service::list_units(&st.db, &page.who)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name)),
    ))
}

async fn enterprise_options(st: &AppState, page: &Page) -> Result<Vec<(String, String)>, AppError> {
    Ok(id_options(
        service::list_enterprises(&st.db, &page.who)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name)),
    ))
}

/// An org form: the generic form page, with the park's people offered where a field lists them.
async fn org_form(st: &AppState, page: &Page, mut f: FormPage<'_>) -> PageResult {
    if f.fields.iter().any(|x| x.list == Some("people")) {
        let (list, _) = service::list_people(&st.db, &page.who, None, 500, 0).await?;
        f.lists.push(crate::web::form::Datalist {
            id: "people",
            options: list.into_iter().map(|p| p.name).collect(),
        });
    }
    if f.fields.iter().any(|x| x.list == Some("tags")) {
        f.lists.push(crate::web::form::Datalist {
            id: "tags",
            options: crate::org::queries::qualification_tags(&st.db, page.who.park_id).await?,
        });
    }
    crate::web::form::form_page(st, page, f).await
}
