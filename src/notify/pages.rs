//! 通知 pages: `/notices` (every signed-in role: its notices, newest first, paged, marked read
//! one at a time or all at once), the robots (`/notices/robots`, 党建办: the list, a new robot, a
//! robot changed; the URL and the secret never shown again, only the host and 已保存) and the
//! outbox (`/notices/outbox`: each message's status and attempts, 重发 for a failed one). Thin
//! handlers over `notify::service`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{self, NoticePage, OutboxView, RobotInput, RobotView};
use super::{RobotKind, EVENTS};
use crate::error::FieldError;
use crate::web::form::saved_or_again;
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

/// This area's page templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("notices.html", include_str!("templates/notices.html")),
    ("robots.html", include_str!("templates/robots.html")),
    ("outbox.html", include_str!("templates/outbox.html")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(list))
        .route("/notices/{id}/read", post(read))
        .route("/notices/read-all", post(read_all))
        .route("/notices/robots", get(robots).post(create_robot))
        .route("/notices/robots/{id}", get(edit_robot).post(update_robot))
        .route("/notices/outbox", get(outbox))
        .route("/notices/outbox/{id}/resend", post(resend))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
}

#[derive(Serialize)]
struct ListView {
    chrome: Chrome,
    #[serde(flatten)]
    notices: NoticePage,
}

async fn list(State(st): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> PageResult {
    let notices = service::list(&st.db, &page.who, q.page.unwrap_or(1), service::PAGE_SIZE).await?;
    Ok(render(
        "notices.html",
        ListView {
            chrome: page.chrome(&st, "/notices").await?,
            notices,
        },
    ))
}

#[derive(Deserialize, Default)]
struct BackForm {
    page: Option<i64>,
}

async fn read(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BackForm>,
) -> PageResult {
    service::mark_read(&st.db, &page.who, id, st.now()).await?;
    let back = format!("/notices?page={}", f.page.unwrap_or(1).max(1));
    Ok(Redirect::to(&back).into_response())
}

async fn read_all(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(_): CsrfForm<BackForm>,
) -> PageResult {
    service::mark_all_read(&st.db, &page.who, st.now()).await?;
    Ok(Redirect::to("/notices").into_response())
}

#[derive(Serialize)]
struct RobotsView {
    chrome: Chrome,
    robots: Vec<RobotView>,
    /// The robot being changed, or none for a new one.
    editing: Option<RobotView>,
    /// What the form shows: the name, type, events and enabled typed (never the URL or the
    /// secret, whether saved or typed).
    form: RobotForm,
    kinds: Vec<(&'static str, &'static str)>,
    events: Vec<(&'static str, &'static str)>,
    errors: HashMap<String, String>,
    saved: bool,
}

#[derive(Serialize, Default)]
struct RobotForm {
    name: String,
    kind: String,
    events: Vec<String>,
    enabled: bool,
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn robots(State(st): State<AppState>, page: Page, Query(q): Query<SavedQuery>) -> PageResult {
    let form = RobotForm {
        kind: RobotKind::Wecom.as_str().into(),
        events: vec!["new_request".into()],
        enabled: true,
        ..RobotForm::default()
    };
    robots_page(&st, &page, None, form, &[], q.saved.is_some()).await
}

async fn edit_robot(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let all = service::robots(&st.db, &page.who).await?;
    let r = all
        .iter()
        .find(|r| r.id == id)
        .ok_or(crate::error::AppError::NotFound("机器人"))?;
    let form = RobotForm {
        name: r.name.clone(),
        kind: r.kind.clone(),
        events: r.events.clone(),
        enabled: r.enabled,
    };
    robots_page(&st, &page, Some(id), form, &[], q.saved.is_some()).await
}

async fn robots_page(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    form: RobotForm,
    errors: &[FieldError],
    saved: bool,
) -> PageResult {
    let robots = service::robots(&st.db, &page.who).await?;
    let editing = match id {
        Some(id) => Some(
            robots
                .iter()
                .find(|r| r.id == id)
                .cloned()
                .ok_or(crate::error::AppError::NotFound("机器人"))?,
        ),
        None => None,
    };
    Ok(render(
        "robots.html",
        RobotsView {
            chrome: page.chrome(st, "/notices/robots").await?,
            robots,
            editing,
            form,
            kinds: [RobotKind::Wecom, RobotKind::Dingtalk]
                .iter()
                .map(|k| (k.as_str(), k.label()))
                .collect(),
            events: EVENTS.to_vec(),
            errors: FormErrors::by_field(errors),
            saved,
        },
    ))
}

/// The robot form's fields: the events are repeated checkboxes, so the pairs are read as sent.
fn robot_input(pairs: Vec<(String, String)>) -> RobotInput {
    let mut input = RobotInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "name" => input.name = v,
            "kind" => input.kind = v,
            "url" => input.url = v,
            "secret" => input.secret = v,
            "events" => input.events.push(v),
            "enabled" => input.enabled = !v.is_empty(),
            _ => {}
        }
    }
    input
}

async fn create_robot(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(st, page, None, robot_input(pairs)).await
}

async fn update_robot(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(st, page, Some(id), robot_input(pairs)).await
}

async fn save(st: AppState, page: Page, id: Option<i64>, input: RobotInput) -> PageResult {
    // What the form shows again when refused: never the URL or the secret typed.
    let typed = RobotForm {
        name: input.name.clone(),
        kind: input.kind.clone(),
        events: input.events.clone(),
        enabled: input.enabled,
    };
    let hosts = st.config.robot_hosts.as_slice();
    let saved = service::save_robot(&st.db, &page.who, (id, hosts), input, st.now()).await;
    saved_or_again(
        saved,
        |id| format!("/notices/robots/{id}?saved=1"),
        |errors| async move { robots_page(&st, &page, id, typed, &errors, false).await },
    )
    .await
}

#[derive(Serialize)]
struct OutboxPage {
    chrome: Chrome,
    messages: Vec<OutboxView>,
}

async fn outbox(State(st): State<AppState>, page: Page) -> PageResult {
    let messages = service::outbox(&st.db, &page.who, 200).await?;
    Ok(render(
        "outbox.html",
        OutboxPage {
            chrome: page.chrome(&st, "/notices/outbox").await?,
            messages,
        },
    ))
}

async fn resend(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<BackForm>,
) -> PageResult {
    service::resend(&st.db, &page.who, id, st.now()).await?;
    Ok(Redirect::to("/notices/outbox").into_response())
}
