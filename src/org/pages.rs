//! 组织与企业: the unit tree, the people (masked as the role requires) and the enterprises.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::queries::{Enterprise, Person, Unit};
use super::service::{self, EnterpriseInput, PersonInput, PositionInput, UnitInput};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::web::form::form_map;
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(org))
        .route("/org/units/new", get(new_unit).post(create_unit))
        .route("/org/units/{id}/edit", get(edit_unit).post(update_unit))
        .route("/org/people/new", get(new_person).post(create_person))
        .route("/org/people/{id}", get(person))
        .route("/org/people/{id}/reveal", post(reveal))
        .route(
            "/org/people/{id}/edit",
            get(edit_person).post(update_person),
        )
        .route("/org/people/{id}/positions", post(appoint))
        .route("/org/positions/{id}/end", post(end_position))
        .route(
            "/org/enterprises/new",
            get(new_enterprise).post(create_enterprise),
        )
        .route(
            "/org/enterprises/{id}/edit",
            get(edit_enterprise).post(update_enterprise),
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
    ("org.html", include_str!("templates/org.html")),
    ("org_form.html", include_str!("templates/org_form.html")),
    ("person.html", include_str!("templates/person.html")),
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
            can_write_enterprises: page.who.role.allows(Action::WriteOrg)
                && page.who.scope == crate::auth::Scope::Park,
        },
    ))
}

// ---- forms: units, people, enterprises ----

/// One input of an organisation form, with what was typed and its error.
#[derive(Serialize)]
struct FormField {
    key: &'static str,
    label: &'static str,
    kind: &'static str,
    required: bool,
    options: Vec<(String, String)>,
    value: String,
    error: Option<String>,
    hint: Option<&'static str>,
    list: Option<&'static str>,
}

#[derive(Serialize)]
struct FormView {
    chrome: Chrome,
    title: String,
    action: String,
    back: String,
    message: Option<String>,
    fields: Vec<FormField>,
    people: Vec<String>,
}

type Values = HashMap<String, String>;

fn field(key: &'static str, label: &'static str, kind: &'static str) -> FormField {
    FormField {
        key,
        label,
        kind,
        required: false,
        options: Vec::new(),
        value: String::new(),
        error: None,
        hint: None,
        list: None,
    }
}

impl FormField {
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn options<I: IntoIterator<Item = (String, String)>>(mut self, o: I) -> Self {
        self.options = o.into_iter().collect();
        self
    }
    fn words(self, words: &[&str]) -> Self {
        self.options(words.iter().map(|w| (w.to_string(), w.to_string())))
    }
    fn hint(mut self, h: &'static str) -> Self {
        self.hint = Some(h);
        self
    }
    fn list(mut self, l: &'static str) -> Self {
        self.list = Some(l);
        self
    }
}

/// Fills each field with what was typed (or stored) and its error.
fn filled(fields: Vec<FormField>, values: &Values, errors: &[FieldError]) -> Vec<FormField> {
    fields
        .into_iter()
        .map(|mut f| {
            f.value = values.get(f.key).cloned().unwrap_or_default();
            let msgs: Vec<&str> = errors
                .iter()
                .filter(|e| e.field == f.key)
                .map(|e| e.message.as_str())
                .collect();
            if !msgs.is_empty() {
                f.error = Some(msgs.join("；"));
            }
            f
        })
        .collect()
}

/// Errors not tied to a field of the form, as one message.
fn loose_errors(fields: &[FormField], errors: &[FieldError]) -> Option<String> {
    let loose: Vec<String> = errors
        .iter()
        .filter(|e| !fields.iter().any(|f| f.key == e.field))
        .map(ToString::to_string)
        .collect();
    match (errors.is_empty(), loose.is_empty()) {
        (true, _) => None,
        (false, true) => Some("请按提示修改后再保存".into()),
        (false, false) => Some(loose.join("；")),
    }
}

struct FormPage<'a> {
    title: String,
    action: String,
    back: String,
    fields: Vec<FormField>,
    values: &'a Values,
    errors: &'a [FieldError],
}

async fn form_page(st: &AppState, page: &Page, f: FormPage<'_>) -> PageResult {
    let fields = filled(f.fields, f.values, f.errors);
    let message = loose_errors(&fields, f.errors);
    let people = if fields.iter().any(|x| x.list == Some("people")) {
        let (list, _) = service::list_people(&st.db, &page.who, None, 500, 0).await?;
        list.into_iter().map(|p| p.name).collect()
    } else {
        Vec::new()
    };
    let mut res = render(
        "org_form.html",
        FormView {
            chrome: page.chrome(st, "/org").await?,
            title: f.title,
            action: f.action,
            back: f.back,
            message,
            fields,
            people,
        },
    );
    if !f.errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn text(v: &Values, key: &str) -> String {
    v.get(key).cloned().unwrap_or_default()
}

fn opt_text(v: &Values, key: &str) -> Option<String> {
    Some(text(v, key).trim().to_string()).filter(|s| !s.is_empty())
}

fn opt_id(v: &Values, key: &str, label: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let s = opt_text(v, key)?;
    match s.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::new(key, label, "请从列表中选择"));
            None
        }
    }
}

/// An optional date, read like an import's date cell (`2024年3月5日` as well as `2024-03-05`).
fn opt_date(v: &Values, key: &str, label: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = opt_text(v, key)?;
    match crate::ledger::value::parse_date_text(&s) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new(key, label, e.to_string()));
            None
        }
    }
}

fn flag(v: &Values, key: &str) -> bool {
    matches!(text(v, key).trim(), "1" | "on" | "是" | "true")
}

/// Runs a service once the form's own parsing found nothing wrong; its errors join the form's.
async fn after_parse<T, F>(errors: Vec<FieldError>, call: F) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    if errors.is_empty() {
        call.await
    } else {
        Err(AppError::Invalid(errors))
    }
}

fn id_options<I: IntoIterator<Item = (i64, String)>>(list: I) -> Vec<(String, String)> {
    list.into_iter().map(|(i, n)| (i.to_string(), n)).collect()
}

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

// ---- units ----

async fn unit_fields(st: &AppState, page: &Page) -> Result<Vec<FormField>, AppError> {
    Ok(vec![
        field("name", "名称", "text").required(),
        field("unit_type", "类型", "select")
            .required()
            .words(&super::UNIT_TYPES),
        field("parent_id", "上级单位", "select")
            .options(unit_options(st, page).await?)
            .hint("（无上级）"),
        field("level", "级别", "select").words(&service::UNIT_LEVELS),
        field("enterprise_id", "所在企业", "select")
            .options(enterprise_options(st, page).await?)
            .hint("（不在企业）"),
        field("is_service_team", "园小二服务团队", "check"),
    ])
}

fn unit_values(u: &Unit) -> Values {
    let mut v = Values::new();
    v.insert("name".into(), u.name.clone());
    v.insert("unit_type".into(), u.unit_type.clone());
    v.insert(
        "parent_id".into(),
        u.parent_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    v.insert("level".into(), u.level.clone().unwrap_or_default());
    v.insert(
        "enterprise_id".into(),
        u.enterprise_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    v.insert(
        "is_service_team".into(),
        if u.is_service_team { "1" } else { "" }.into(),
    );
    v
}

fn unit_input(v: &Values, errors: &mut Vec<FieldError>) -> UnitInput {
    UnitInput {
        name: text(v, "name"),
        unit_type: text(v, "unit_type"),
        parent_id: opt_id(v, "parent_id", "上级单位", errors),
        enterprise_id: opt_id(v, "enterprise_id", "所在企业", errors),
        level: opt_text(v, "level"),
        is_service_team: flag(v, "is_service_team"),
    }
}

async fn unit_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    values: &Values,
    errors: &[FieldError],
) -> PageResult {
    let fields = unit_fields(st, page).await?;
    let (title, action) = match id {
        Some(id) => ("修改单位".to_string(), format!("/org/units/{id}/edit")),
        None => ("新建单位".to_string(), "/org/units/new".to_string()),
    };
    let f = FormPage {
        title,
        action,
        back: "/org".into(),
        fields,
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn new_unit(State(st): State<AppState>, page: Page, Query(q): Query<Values>) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let mut values = Values::new();
    if let Some(p) = q.get("parent_id") {
        values.insert("parent_id".into(), p.clone());
    }
    unit_form(&st, &page, None, &values, &[]).await
}

async fn create_unit(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = unit_input(&values, &mut errors);
    match after_parse(
        errors,
        service::create_unit(&st.db, &page.who, input, st.now()),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(AppError::Invalid(errors)) => unit_form(&st, &page, None, &values, &errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_unit(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    match service::get_unit(&st.db, &page.who, id).await {
        Ok(u) => unit_form(&st, &page, Some(id), &unit_values(&u), &[]).await,
        Err(e) => Err(e.into()),
    }
}

async fn update_unit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = unit_input(&values, &mut errors);
    match after_parse(
        errors,
        service::update_unit(&st.db, &page.who, id, input, st.now()),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(AppError::Invalid(errors)) => unit_form(&st, &page, Some(id), &values, &errors).await,
        Err(e) => Err(e.into()),
    }
}

// ---- people ----

async fn person_fields(
    st: &AppState,
    page: &Page,
    stored: Option<&Person>,
) -> Result<Vec<FormField>, AppError> {
    // Every role edits without the whole values: left empty, the stored value is kept.
    let kept = |has: bool| {
        if has {
            "已登记（不显示）；不修改请留空"
        } else {
            ""
        }
    };
    let id_hint = kept(stored.is_some_and(|p| p.id_number.is_some()));
    let phone_hint = kept(stored.is_some_and(|p| p.phone.is_some()));
    Ok(vec![
        field("name", "姓名", "text").required(),
        field("gender", "性别", "select").words(&["男", "女"]),
        field("id_number", "身份证号", "text").hint(id_hint),
        field("phone", "手机号", "text").hint(phone_hint),
        field("unit_id", "所在单位", "select").options(unit_options(st, page).await?),
        field("is_member", "党员", "check"),
        field("member_type", "党员类型", "select").words(&service::MEMBER_TYPES),
        field("joined_on", "入党日期", "date"),
        field("tags", "标签", "text").hint("多个标签用逗号分隔"),
    ])
}

/// A stored person as the edit form's values; the ID number and phone are left out (empty
/// keeps them), so the form never holds a whole number.
fn person_values(p: &Person) -> Values {
    let mut v = Values::new();
    v.insert("name".into(), p.name.clone());
    v.insert("gender".into(), p.gender.clone().unwrap_or_default());
    v.insert(
        "unit_id".into(),
        p.unit_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    v.insert(
        "is_member".into(),
        if p.is_member { "1" } else { "" }.into(),
    );
    v.insert(
        "member_type".into(),
        p.member_type.clone().unwrap_or_default(),
    );
    v.insert(
        "joined_on".into(),
        p.joined_on.map(|d| d.to_string()).unwrap_or_default(),
    );
    v.insert("tags".into(), p.tags.replace(',', "，"));
    v
}

fn person_input(v: &Values, errors: &mut Vec<FieldError>) -> PersonInput {
    PersonInput {
        name: text(v, "name"),
        gender: opt_text(v, "gender"),
        id_number: opt_text(v, "id_number"),
        phone: opt_text(v, "phone"),
        unit_id: opt_id(v, "unit_id", "所在单位", errors),
        is_member: flag(v, "is_member"),
        member_type: opt_text(v, "member_type"),
        joined_on: opt_date(v, "joined_on", "入党日期", errors),
        tags: text(v, "tags")
            .split([',', '，', '、'])
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

async fn person_form(
    st: &AppState,
    page: &Page,
    stored: Option<&Person>,
    values: &Values,
    errors: &[FieldError],
) -> PageResult {
    let fields = person_fields(st, page, stored).await?;
    let (title, action, back) = match stored {
        Some(p) => (
            format!("修改人员：{}", p.name),
            format!("/org/people/{}/edit", p.id),
            format!("/org/people/{}", p.id),
        ),
        None => ("新建人员".into(), "/org/people/new".into(), "/org".into()),
    };
    let f = FormPage {
        title,
        action,
        back,
        fields,
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn new_person(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    person_form(&st, &page, None, &Values::new(), &[]).await
}

async fn create_person(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = person_input(&values, &mut errors);
    match after_parse(
        errors,
        service::create_person(&st.db, &page.who, input, st.now()),
    )
    .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/org/people/{}", p.person.id)).into_response()),
        Err(AppError::Invalid(errors)) => person_form(&st, &page, None, &values, &errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_person(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    match service::get_person(&st.db, &page.who, id).await {
        Ok(v) => {
            let values = person_values(&v.person);
            person_form(&st, &page, Some(&v.person), &values, &[]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn update_person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let stored = match service::get_person(&st.db, &page.who, id).await {
        Ok(v) => v.person,
        Err(e) => return Err(e.into()),
    };
    let mut errors = Vec::new();
    let input = person_input(&values, &mut errors);
    match after_parse(
        errors,
        service::update_person(&st.db, &page.who, id, input, st.now()),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            person_form(&st, &page, Some(&stored), &values, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct PersonPage {
    chrome: Chrome,
    person: Person,
    unit: String,
    positions: Vec<PositionRow>,
    units: Vec<(String, String)>,
    staff_types: Vec<&'static str>,
    today: String,
    can_write: bool,
    pos: Values,
    pos_errors: HashMap<String, String>,
    failed_position: Option<i64>,
    failed_message: Option<String>,
    message: Option<String>,
    /// The role may ask to see the whole ID number and phone (an audited action).
    can_reveal: bool,
    /// The whole values, on the answer to that ask only.
    revealed: Option<service::Revealed>,
}

#[derive(Serialize)]
struct PositionRow {
    id: i64,
    unit: String,
    title: String,
    staff_type: String,
    start_on: String,
    end_on: Option<String>,
}

#[derive(Default)]
struct PersonOutcome {
    revealed: Option<service::Revealed>,
    pos: Values,
    pos_errors: Vec<FieldError>,
    failed_position: Option<i64>,
    failed_message: Option<String>,
}

async fn person_page(st: &AppState, page: &Page, id: i64, out: PersonOutcome) -> PageResult {
    let view = service::get_person(&st.db, &page.who, id).await?;
    let units = service::list_units(&st.db, &page.who).await?;
    let names: HashMap<i64, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let name_of = |id: i64| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("单位 #{id}"))
    };
    let invalid = !out.pos_errors.is_empty() || out.failed_message.is_some();
    let message = (!out.pos_errors.is_empty()).then(|| {
        out.pos_errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("；")
    });
    let mut res = render(
        "person.html",
        PersonPage {
            chrome: page.chrome(st, "/org").await?,
            unit: view.person.unit_id.map(name_of).unwrap_or_default(),
            positions: view
                .positions
                .iter()
                .map(|p| PositionRow {
                    id: p.id,
                    unit: name_of(p.unit_id),
                    title: p.title.clone(),
                    staff_type: p.staff_type.clone().unwrap_or_default(),
                    start_on: p.start_on.map(|d| d.to_string()).unwrap_or_default(),
                    end_on: p.end_on.map(|d| d.to_string()),
                })
                .collect(),
            person: view.person,
            units: id_options(units.into_iter().map(|u| (u.id, u.name))),
            staff_types: service::STAFF_TYPES.to_vec(),
            today: crate::calendar::today(st.now()).to_string(),
            can_write: page.who.role.allows(Action::WriteOrg),
            pos: out.pos,
            pos_errors: FormErrors::by_field(&out.pos_errors),
            failed_position: out.failed_position,
            failed_message: out.failed_message,
            message,
            can_reveal: page.who.role.sees_personal_data(),
            revealed: out.revealed,
        },
    );
    if invalid {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn person(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    person_page(&st, &page, id, PersonOutcome::default()).await
}

/// 显示完整号码: the person's page once with the whole ID number and phone; the look is audited.
async fn reveal(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    match service::reveal_person(&st.db, &page.who, id, st.now()).await {
        Ok(r) => {
            let out = PersonOutcome {
                revealed: Some(r),
                ..PersonOutcome::default()
            };
            person_page(&st, &page, id, out).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn appoint(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let unit = opt_id(&values, "unit_id", "单位", &mut errors);
    let start_on = opt_date(&values, "start_on", "任职日期", &mut errors);
    if unit.is_none() && errors.is_empty() {
        errors.push(FieldError::new("unit_id", "单位", "请选择单位"));
    }
    let call = async {
        let input = PositionInput {
            unit_id: unit.unwrap_or_default(),
            title: text(&values, "title"),
            staff_type: opt_text(&values, "staff_type"),
            start_on,
        };
        service::appoint(&st.db, &page.who, id, input, st.now()).await
    };
    match after_parse(errors, call).await {
        Ok(_) => Ok(Redirect::to(&format!("/org/people/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let out = PersonOutcome {
                pos: values,
                pos_errors: errors,
                ..PersonOutcome::default()
            };
            person_page(&st, &page, id, out).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn end_position(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let end_on = opt_date(&values, "end_on", "离任日期", &mut errors);
    if end_on.is_none() && errors.is_empty() {
        errors.push(FieldError::new("end_on", "离任日期", "请填写离任日期"));
    }
    let call = service::end_position(&st.db, &page.who, id, end_on.unwrap_or_default(), st.now());
    match after_parse(errors, call).await {
        Ok(p) => Ok(Redirect::to(&format!("/org/people/{}", p.person_id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let person_id = service::position_person(&st.db, &page.who, id).await?;
            let out = PersonOutcome {
                failed_position: Some(id),
                failed_message: Some(
                    errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
                ..PersonOutcome::default()
            };
            person_page(&st, &page, person_id, out).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- enterprises ----

fn enterprise_fields() -> Vec<FormField> {
    vec![
        field("name", "企业名称", "text").required(),
        field("credit_code", "统一社会信用代码", "text").hint("18 位，如 91310000MA1FL0XXXX"),
        field("scale", "规模", "select").words(&service::SCALES),
        field("industry", "行业", "text"),
        field("address", "地址", "text"),
        field("contact", "联系人", "text"),
        field("contact_phone", "联系电话", "text"),
        field("leader_name", "包联领导", "text").list("people"),
    ]
}

fn enterprise_values(e: &Enterprise) -> Values {
    let pairs = [
        ("name", Some(e.name.clone())),
        ("credit_code", e.credit_code.clone()),
        ("scale", e.scale.clone()),
        ("industry", e.industry.clone()),
        ("address", e.address.clone()),
        ("contact", e.contact.clone()),
        ("contact_phone", e.contact_phone.clone()),
        ("leader_name", e.leader_name.clone()),
    ];
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.unwrap_or_default()))
        .collect()
}

fn enterprise_input(v: &Values, leader_person_id: Option<i64>) -> EnterpriseInput {
    EnterpriseInput {
        name: text(v, "name"),
        credit_code: opt_text(v, "credit_code"),
        scale: opt_text(v, "scale"),
        industry: opt_text(v, "industry"),
        address: opt_text(v, "address"),
        contact: opt_text(v, "contact"),
        contact_phone: opt_text(v, "contact_phone"),
        leader_name: opt_text(v, "leader_name"),
        leader_person_id,
    }
}

async fn enterprise_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    values: &Values,
    errors: &[FieldError],
) -> PageResult {
    let (title, action) = match id {
        Some(id) => (
            "修改企业".to_string(),
            format!("/org/enterprises/{id}/edit"),
        ),
        None => ("新建企业".to_string(), "/org/enterprises/new".to_string()),
    };
    let f = FormPage {
        title,
        action,
        back: "/org".into(),
        fields: enterprise_fields(),
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn new_enterprise(State(st): State<AppState>, page: Page) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    enterprise_form(&st, &page, None, &Values::new(), &[]).await
}

async fn create_enterprise(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let input = enterprise_input(&values, None);
    match service::create_enterprise(&st.db, &page.who, input, st.now()).await {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(AppError::Invalid(errors)) => enterprise_form(&st, &page, None, &values, &errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_enterprise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    match service::get_enterprise(&st.db, &page.who, id).await {
        Ok(e) => enterprise_form(&st, &page, Some(id), &enterprise_values(&e), &[]).await,
        Err(e) => Err(e.into()),
    }
}

async fn update_enterprise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    // The paired leader's roster link stays while the name is unchanged.
    let stored = service::get_enterprise(&st.db, &page.who, id).await?;
    let link = stored
        .leader_person_id
        .filter(|_| stored.leader_name == opt_text(&values, "leader_name"));
    let input = enterprise_input(&values, link);
    match service::update_enterprise(&st.db, &page.who, id, input, st.now()).await {
        Ok(_) => Ok(Redirect::to("/org").into_response()),
        Err(AppError::Invalid(errors)) => {
            enterprise_form(&st, &page, Some(id), &values, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}
