//! 企业诉求 pages: the list (an enterprise's own requests on its phone; the team's queue by group
//! and status, the most pressing first, coloured by the time left), a new request, and one
//! request with its deadlines, its thread and the steps the caller may take. Thin handlers over
//! `requests::service`.

use axum::extract::{Multipart, Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{self, RequestDetail, RequestFilter, RequestInput, RequestView, StepInput};
use super::settings::{self, CategoryInput, PlaceInput, TeamRow};
use super::{Step, GROUPS, STATUSES};
use crate::auth::{Action, Role};
use crate::error::AppError;
use crate::error::FieldError;
use crate::web::form::{
    field, form_map, form_page, id_options, opt, parsed, saved_or_again, saved_or_refused, text,
    FormField, FormPage, Mistakes, Refusal, Values,
};
use crate::web::ui::{render, Chrome, Page, Upload};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

/// This area's page templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("requests.html", include_str!("templates/requests.html")),
    ("request.html", include_str!("templates/request.html")),
    (
        "request_settings.html",
        include_str!("templates/request_settings.html"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list))
        .route("/requests/new", get(new_form).post(create))
        .route("/requests/{id}", get(show))
        .route("/requests/{id}/messages", post(message))
        .route("/requests/{id}/steps/{step}", post(step))
        .route("/requests/{id}/attachments", post(upload))
        .route("/requests/{id}/attachments/{file}", get(download))
        .route("/requests/settings", get(settings_page))
        .route("/requests/settings/categories", post(save_categories))
        .route("/requests/settings/team", post(save_team))
}

const PAGE_SIZE: i64 = 20;

/// The enterprise's newest notices its list looks at (the unread of them shown).
const PORTAL_NOTICES: i64 = 5;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    due: String,
    page: Option<i64>,
}

#[derive(Serialize)]
struct ListView {
    chrome: Chrome,
    items: Vec<RequestView>,
    total: i64,
    page: i64,
    pages: i64,
    status: String,
    group: String,
    due: String,
    statuses: Vec<(&'static str, &'static str)>,
    groups: Vec<&'static str>,
    /// The enterprise's own list rather than the team's queue.
    own: bool,
    can_raise: bool,
    /// The 党建办: a link to the categories, limits and groups.
    can_configure: bool,
    /// The queue's open, due-today and overdue counts, each a link to its filter.
    pressing: Option<service::Pressing>,
    /// The enterprise's unread notices of its requests' progress, newest first.
    notices: Vec<crate::notify::service::NoticeView>,
}

async fn list(State(st): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> PageResult {
    let current = q.page.unwrap_or(1).max(1);
    let filter = RequestFilter {
        status: Some(q.status.clone()),
        group: Some(q.group.clone()),
        due: Some(q.due.clone()),
        limit: Some(PAGE_SIZE),
        offset: Some((current - 1) * PAGE_SIZE),
    };
    let listing = service::list(
        &st.db,
        &st.part::<service::RequestTotals>(),
        &page.who,
        filter,
        st.now(),
    )
    .await?;
    let own = page.who.role == Role::Enterprise;
    let notices = if own {
        crate::notify::service::list(&st.db, &page.who, 1, PORTAL_NOTICES)
            .await?
            .notices
            .into_iter()
            .filter(|n| !n.read)
            .collect()
    } else {
        Vec::new()
    };
    let pressing = if own {
        None
    } else {
        Some(
            service::pressing(
                &st.db,
                &st.part::<service::RequestTotals>(),
                &page.who,
                st.now(),
            )
            .await?,
        )
    };
    Ok(render(
        "requests.html",
        ListView {
            chrome: page.chrome(&st, "/requests").await?,
            total: listing.total,
            pages: (listing.total + PAGE_SIZE - 1) / PAGE_SIZE,
            items: listing.items,
            page: current,
            status: q.status,
            group: q.group,
            due: q.due,
            statuses: std::iter::once((service::OPEN, "未办结"))
                .chain(STATUSES.iter().map(|s| (s.as_str(), s.label())))
                .collect(),
            groups: GROUPS.to_vec(),
            own,
            can_raise: page.who.role.allows(Action::RaiseRequests),
            can_configure: page.who.role.allows(Action::ConfigureRequests),
            pressing,
            notices,
        },
    ))
}

async fn fields(st: &AppState, page: &Page) -> Result<Vec<FormField>, crate::error::AppError> {
    let categories = settings::categories(&st.db, page.who.park_id).await?;
    let mut f = vec![
        field("category", "类别", "select").required().options(
            categories
                .into_iter()
                .map(|c| (c.name.clone(), format!("{}（{}办理）", c.name, c.group))),
        ),
        field("title", "标题", "text")
            .required()
            .hint("一句话说明要解决的问题；提交后可在诉求页上传附件"),
        field("description", "诉求内容", "textarea").required(),
        field("contact_name", "联系人", "text"),
        field("nature", "诉求性质", "select").required().options([
            (
                super::PROBLEM.to_string(),
                "问题诉求（需要办理答复）".to_string(),
            ),
            (super::SUGGESTION.to_string(), "意见建议".to_string()),
        ]),
    ];
    if page.who.role != Role::Enterprise {
        let enterprises = crate::org::service::list_enterprises(&st.db, &page.who).await?;
        f.push(
            field("enterprise_id", "企业", "select")
                .required()
                .options(id_options(enterprises.into_iter().map(|e| (e.id, e.name)))),
        );
        f.push(field("received_on", "收到日期", "date"));
        f.push(
            field("channel", "来源", "select").options(
                service::CHANNELS
                    .iter()
                    .filter(|(c, _)| *c != "portal")
                    .map(|(c, l)| (c.to_string(), l.to_string())),
            ),
        );
    }
    Ok(f)
}

async fn request_form(
    st: &AppState,
    page: &Page,
    values: &Values,
    errors: &[FieldError],
) -> PageResult {
    let title = if page.who.role == Role::Enterprise {
        "提出诉求"
    } else {
        "登记企业诉求"
    };
    let f = FormPage {
        active: "/requests",
        lists: Vec::new(),
        title: title.into(),
        action: "/requests/new".into(),
        back: "/requests".into(),
        fields: fields(st, page).await?,
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn new_form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::RaiseRequests)?;
    let mut values = Values::new();
    values.insert("nature".into(), super::PROBLEM.into());
    if page.who.role != Role::Enterprise {
        let today = crate::calendar::today(st.now());
        values.insert("received_on".into(), today.to_string());
        values.insert("channel".into(), "phone".into());
    }
    request_form(&st, &page, &values, &[]).await
}

/// A new request as the form typed it: the day received and the enterprise read, the rest
/// checked by the service.
fn request_input(values: &Values) -> Result<RequestInput, Vec<FieldError>> {
    let mut m = Mistakes::new();
    let received_on = m.read(
        "received_on",
        "收到日期",
        &text(values, "received_on"),
        crate::ledger::value::parse_date_text,
    );
    let enterprise_id = m.id("enterprise_id", "企业", &text(values, "enterprise_id"));
    m.or(RequestInput {
        category: text(values, "category"),
        title: text(values, "title"),
        description: text(values, "description"),
        contact_name: text(values, "contact_name"),
        enterprise_id,
        received_on,
        channel: opt(&text(values, "channel")),
        nature: Some(text(values, "nature")),
    })
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let saved = parsed(request_input(&values), |input| {
        service::create(&st.db, &page.who, input, st.now())
    });
    saved_or_again(
        saved.await,
        |r| format!("/requests/{}", r.request.id),
        |errors| async move { request_form(&st, &page, &values, &errors).await },
    )
    .await
}

#[derive(Serialize)]
struct StepForm {
    step: &'static str,
    label: &'static str,
    /// The step asks for a text (a reason, a reply, a note of the visit).
    text: bool,
    rating: bool,
}

#[derive(Serialize)]
struct DetailView {
    chrome: Chrome,
    request: RequestDetail,
    steps: Vec<StepForm>,
    can_message: bool,
    channel: &'static str,
    /// The step whose form was refused, with what was typed and why.
    failed_step: Option<String>,
    typed: String,
    errors: std::collections::HashMap<String, String>,
    /// The largest file an attachment may be, in MB.
    upload_limit_mb: usize,
    /// Whom an overdue request is escalated to, by name (or what is missing).
    escalated_to: String,
}

async fn detail_page(
    st: &AppState,
    page: &Page,
    id: i64,
    failed: Option<(String, String, Vec<FieldError>)>,
) -> PageResult {
    let request = service::get(&st.db, &page.who, id, st.now()).await?;
    let steps = request
        .request
        .steps
        .iter()
        .map(|s| StepForm {
            step: s.as_str(),
            label: s.label(),
            text: s.needs_text() || matches!(s, Step::Rate),
            rating: matches!(s, Step::Rate),
        })
        .collect();
    let channel = service::CHANNELS
        .iter()
        .chain([&service::CARRIED_CHANNEL])
        .find(|(c, _)| *c == request.request.channel)
        .map_or("", |(_, l)| l);
    let (failed_step, typed, errors) = match failed {
        Some((s, t, e)) => (Some(s), t, FormErrors::by_field(&e)),
        None => (None, String::new(), Default::default()),
    };
    let escalated_to = match request.request.escalation {
        Some(level) => {
            let names: Vec<String> =
                settings::leaders(&st.db, page.who.park_id, &request.request.group, level)
                    .await?
                    .into_iter()
                    .map(|m| m.display_name)
                    .collect();
            if names.is_empty() {
                "尚未指定负责人，请党建办在“类别、时限与分组”中指定".to_string()
            } else {
                names.join("、")
            }
        }
        None => String::new(),
    };
    Ok(render(
        "request.html",
        DetailView {
            chrome: page.chrome(st, "/requests").await?,
            can_message: matches!(
                page.who.role,
                Role::Enterprise | Role::ServiceStaff | Role::Office
            ),
            request,
            steps,
            channel,
            failed_step,
            typed,
            errors,
            upload_limit_mb: st.config.max_upload_bytes / 1024 / 1024,
            escalated_to,
        },
    ))
}

async fn show(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    detail_page(&st, &page, id, None).await
}

/// Why a step's form is shown again: its mistakes, and a note when someone else took a step
/// first.
fn step_refused(refusal: Refusal) -> Vec<FieldError> {
    let mut errors = refusal.errors;
    if refusal.conflict.is_some() {
        errors.push(FieldError::new(
            "text",
            "内容",
            "诉求已被他人办理，页面已刷新为最新状态；您填写的内容仍保留，请核对后再提交",
        ));
    }
    errors
}

async fn step(
    State(st): State<AppState>,
    page: Page,
    Path((id, step)): Path<(i64, String)>,
    CsrfForm(mut input): CsrfForm<StepInput>,
) -> PageResult {
    let s = Step::parse(&step).ok_or(AppError::NotFound("办理步骤"))?;
    input.rating = input.rating.and_then(|r| opt(&r));
    let typed = input.text.clone();
    let saved = service::take_step(&st.db, &page.who, id, s, input, st.now()).await;
    saved_or_refused(
        saved,
        |_| format!("/requests/{id}"),
        |refusal| async move {
            detail_page(&st, &page, id, Some((step, typed, step_refused(refusal)))).await
        },
    )
    .await
}

#[derive(Deserialize)]
struct MessageBody {
    #[serde(default)]
    text: String,
}

async fn message(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MessageBody>,
) -> PageResult {
    let saved = service::post_message(&st.db, &page.who, id, &f.text, st.now()).await;
    saved_or_again(
        saved,
        |_| format!("/requests/{id}#thread"),
        |errors| async move {
            detail_page(&st, &page, id, Some(("message".into(), f.text, errors))).await
        },
    )
    .await
}

async fn upload(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    // Asked before the upload is read, so a body nobody may send is not taken in.
    super::attachments::may_attach(&st.db, &page.who, id).await?;
    let read = Upload::read(&page, form, st.config.max_upload_bytes).await;
    let (name, bytes) = read.and_then(|mut u| u.file())?;
    let saved =
        super::attachments::add(&st.db, &st.config, &page.who, id, &name, &bytes, st.now()).await;
    saved_or_again(
        saved,
        |_| format!("/requests/{id}#files"),
        |errors| async move {
            detail_page(
                &st,
                &page,
                id,
                Some(("attach".into(), String::new(), errors)),
            )
            .await
        },
    )
    .await
}

async fn download(
    State(st): State<AppState>,
    page: Page,
    Path((id, file)): Path<(i64, i64)>,
) -> PageResult {
    let (f, bytes) = super::attachments::open(&st.db, &st.config, &page.who, id, file).await?;
    let inline = f.content_type.starts_with("image/") || f.content_type == "application/pdf";
    Ok(crate::ledger::api::file_response(
        &f.file_name,
        &f.content_type,
        bytes,
        inline,
    ))
}

#[derive(Serialize)]
struct SettingsView {
    chrome: Chrome,
    /// The rows shown: the saved categories (or what was typed, after an error), and empty rows
    /// to add more.
    rows: Vec<CategoryInput>,
    groups: Vec<&'static str>,
    team: Vec<TeamRow>,
    duties: Vec<(&'static str, &'static str)>,
    /// Which form was refused: `categories` or `team`.
    failed: Option<&'static str>,
    errors: std::collections::HashMap<String, String>,
    /// Every error, in order, for the list above the form.
    messages: Vec<String>,
    saved: bool,
}

/// Empty rows offered below the categories, to add new ones.
const SPARE_ROWS: usize = 3;

fn typed_rows(categories: Vec<settings::Category>) -> Vec<CategoryInput> {
    categories
        .into_iter()
        .map(|c| CategoryInput {
            name: c.name,
            group: c.group,
            contact: c.limits.contact.to_string(),
            reply: c.limits.reply.to_string(),
            close: c.limits.close.to_string(),
            extended: c.limits.extended_close.to_string(),
        })
        .collect()
}

async fn settings_view(
    st: &AppState,
    page: &Page,
    typed: Option<(Vec<CategoryInput>, Vec<TeamRow>)>,
    failed: Option<(&'static str, Vec<FieldError>)>,
    saved: bool,
) -> PageResult {
    page.who.require(Action::ConfigureRequests)?;
    let (mut rows, team) = match typed {
        Some(t) => t,
        None => (
            typed_rows(settings::categories(&st.db, page.who.park_id).await?),
            settings::team(&st.db, page.who.park_id).await?,
        ),
    };
    rows.extend((0..SPARE_ROWS).map(|_| CategoryInput::default()));
    let (failed, errors, messages) = match failed {
        Some((which, e)) => (
            Some(which),
            FormErrors::by_field(&e),
            e.iter().map(|e| e.message.clone()).collect(),
        ),
        None => (None, Default::default(), Vec::new()),
    };
    let view = SettingsView {
        chrome: page.chrome(st, "/requests").await?,
        rows,
        groups: GROUPS.to_vec(),
        team,
        duties: settings::DUTIES
            .iter()
            .map(|d| (d.as_str(), d.label()))
            .collect(),
        failed,
        errors,
        messages,
        saved,
    };
    Ok(render("request_settings.html", view))
}

#[derive(Deserialize, Default)]
struct SettingsQuery {
    saved: Option<String>,
}

async fn settings_page(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<SettingsQuery>,
) -> PageResult {
    settings_view(&st, &page, None, None, q.saved.as_deref() == Some("1")).await
}

/// The rows of the categories form: fields `name_N`, `group_N`, `contact_N`, `reply_N`,
/// `close_N`, `extended_N` for N = 1, 2, … in order.
fn category_rows(values: &Values) -> Vec<CategoryInput> {
    let mut rows = Vec::new();
    for n in 1.. {
        let key = |f: &str| format!("{f}_{n}");
        if !values.contains_key(&key("name")) {
            break;
        }
        rows.push(CategoryInput {
            name: text(values, &key("name")),
            group: text(values, &key("group")),
            contact: text(values, &key("contact")),
            reply: text(values, &key("reply")),
            close: text(values, &key("close")),
            extended: text(values, &key("extended")),
        });
    }
    rows
}

/// The settings page again after the categories form was refused: the rows as typed (blank
/// ones dropped) beside the stored team.
async fn categories_again(
    st: &AppState,
    page: &Page,
    rows: Vec<CategoryInput>,
    errors: Vec<FieldError>,
) -> PageResult {
    let team = settings::team(&st.db, page.who.park_id).await?;
    let typed: Vec<CategoryInput> = rows
        .into_iter()
        .filter(|r| !r.name.trim().is_empty() || !r.contact.trim().is_empty())
        .collect();
    let failed = Some(("categories", errors));
    settings_view(st, page, Some((typed, team)), failed, false).await
}

async fn save_categories(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let rows = category_rows(&form_map(pairs));
    let saved = settings::save_categories(&st.db, &page.who, &rows, st.now()).await;
    saved_or_again(
        saved,
        |_| "/requests/settings?saved=1".to_string(),
        |errors| async move { categories_again(&st, &page, rows, errors).await },
    )
    .await
}

/// Each account of the team's place as the team form typed it (`group_ID`, `duty_ID`).
fn team_places(team: &[TeamRow], values: &Values) -> Vec<PlaceInput> {
    team.iter()
        .map(|m| PlaceInput {
            user_id: m.user_id,
            group: text(values, &format!("group_{}", m.user_id)),
            duty: text(values, &format!("duty_{}", m.user_id)),
        })
        .collect()
}

/// The settings page again after the team form was refused: the places as typed beside the
/// stored categories.
async fn team_again(
    st: &AppState,
    page: &Page,
    mut team: Vec<TeamRow>,
    places: &[PlaceInput],
    errors: Vec<FieldError>,
) -> PageResult {
    for (m, p) in team.iter_mut().zip(places) {
        m.team_group = p.group.clone();
        m.duty = p.duty.clone();
    }
    let rows = typed_rows(settings::categories(&st.db, page.who.park_id).await?);
    settings_view(st, page, Some((rows, team)), Some(("team", errors)), false).await
}

async fn save_team(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let team = settings::team(&st.db, page.who.park_id).await?;
    let places = team_places(&team, &form_map(pairs));
    let saved = settings::save_team(&st.db, &page.who, &places, st.now()).await;
    saved_or_again(
        saved,
        |_| "/requests/settings?saved=1#team".to_string(),
        |errors| async move { team_again(&st, &page, team, &places, errors).await },
    )
    .await
}
