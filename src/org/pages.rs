//! 组织与企业: the unit tree, the people (masked as the role requires) and the enterprises.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::queries::{Enterprise, Person, Unit};
use super::service;
use crate::error::AppError;
use crate::web::ui::{app_error_page, render, Chrome, Page};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/org", get(org))
}

#[derive(Deserialize)]
struct OrgQuery {
    name: Option<String>,
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
    enterprises: Vec<Enterprise>,
}

#[derive(Serialize)]
struct UnitRow {
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
pub const TEMPLATES: &[(&str, &str)] = &[("org.html", include_str!("templates/org.html"))];

const PAGE_SIZE: i64 = 50;

async fn org(State(st): State<AppState>, page: Page, Query(q): Query<OrgQuery>) -> Response {
    let page_no = q.page.unwrap_or(1).max(1);
    let name = q.name.unwrap_or_default();
    let loaded = async {
        let kinds = crate::ledger::service::kinds(&st.db, &page.who).await?;
        let units = service::list_units(&st.db, &page.who).await?;
        let filter = Some(name.trim()).filter(|n| !n.is_empty());
        let (people, total) = service::list_people(
            &st.db,
            &page.who,
            filter,
            PAGE_SIZE,
            (page_no - 1) * PAGE_SIZE,
        )
        .await?;
        let enterprises = service::list_enterprises(&st.db, &page.who).await?;
        Ok::<_, AppError>((kinds, units, people, total, enterprises))
    };
    match loaded.await {
        Ok((kinds, units, people, total, enterprises)) => render(
            "org.html",
            OrgView {
                chrome: page.chrome(&kinds, "/org"),
                units: tree(units),
                people,
                people_total: total,
                page: page_no,
                pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
                name,
                enterprises,
            },
        ),
        Err(e) => app_error_page(e),
    }
}
