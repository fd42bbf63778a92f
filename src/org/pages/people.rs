//! 组织: the person forms, a person's page with the positions held over time (appoint, end), and
//! 显示完整号码.

use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::{org_form, unit_options};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::ledger::value::parse_date_text;
use crate::org::queries::Person;
use crate::org::service::{self, PersonInput, PositionInput};
use crate::web::form::{
    field, id_options, opt, parsed, saved_or_again, values_of, yes, FormField, FormPage, Mistakes,
    Values,
};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

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

/// The person form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct PersonForm {
    name: String,
    gender: String,
    id_number: String,
    phone: String,
    unit_id: String,
    is_member: String,
    member_type: String,
    joined_on: String,
    tags: String,
}

impl PersonForm {
    /// A stored person as the edit form shows it; the ID number and phone are left out (empty
    /// keeps them), so the form never holds a whole number.
    fn of(p: &Person) -> PersonForm {
        PersonForm {
            name: p.name.clone(),
            gender: p.gender.clone().unwrap_or_default(),
            unit_id: p.unit_id.map(|i| i.to_string()).unwrap_or_default(),
            is_member: if p.is_member { "1" } else { "" }.into(),
            member_type: p.member_type.clone().unwrap_or_default(),
            joined_on: p.joined_on.map(|d| d.to_string()).unwrap_or_default(),
            tags: p.tags.replace(',', "，"),
            ..PersonForm::default()
        }
    }

    fn parse(&self) -> Result<PersonInput, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let input = PersonInput {
            name: self.name.clone(),
            gender: opt(&self.gender),
            id_number: opt(&self.id_number),
            phone: opt(&self.phone),
            unit_id: m.id("unit_id", "所在单位", &self.unit_id),
            is_member: yes(&self.is_member),
            member_type: opt(&self.member_type),
            joined_on: m.read("joined_on", "入党日期", &self.joined_on, parse_date_text),
            tags: self
                .tags
                .split([',', '，', '、'])
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
        };
        m.or(input)
    }
}

async fn person_form(
    st: &AppState,
    page: &Page,
    stored: Option<&Person>,
    form: &PersonForm,
    errors: Vec<FieldError>,
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
        active: "/org",
        lists: Vec::new(),
        title,
        action,
        back,
        fields,
        values: &values_of(form),
        errors: &errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_person(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    person_form(&st, &page, None, &PersonForm::default(), Vec::new()).await
}

pub(super) async fn create_person(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |input| {
        service::create_person(&st.db, &page.who, input, st.now())
    });
    let to = |p: &service::PersonView| format!("/org/people/{}", p.person.id);
    let again = |errors| person_form(&st, &page, None, &form, errors);
    saved_or_again(saved.await, to, again).await
}

pub(super) async fn edit_person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let person = service::get_person(&st.db, &page.who, id).await?.person;
    person_form(
        &st,
        &page,
        Some(&person),
        &PersonForm::of(&person),
        Vec::new(),
    )
    .await
}

pub(super) async fn update_person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> PageResult {
    let stored = service::get_person(&st.db, &page.who, id).await?.person;
    let saved = parsed(form.parse(), |input| {
        service::update_person(&st.db, &page.who, id, input, st.now())
    });
    let again = |errors| person_form(&st, &page, Some(&stored), &form, errors);
    saved_or_again(saved.await, |_| format!("/org/people/{id}"), again).await
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

impl PersonOutcome {
    /// The position form again as typed, with its mistakes.
    fn refused(form: &PositionForm, pos_errors: Vec<FieldError>) -> PersonOutcome {
        PersonOutcome {
            pos: values_of(form),
            pos_errors,
            ..PersonOutcome::default()
        }
    }
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
    let message = (!out.pos_errors.is_empty()).then(|| {
        out.pos_errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("；")
    });
    Ok(render(
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
    ))
}

pub(super) async fn person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    person_page(&st, &page, id, PersonOutcome::default()).await
}

/// 显示完整号码: the person's page once with the whole ID number and phone; the look is audited.
pub(super) async fn reveal(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    _: CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let revealed = Some(service::reveal_person(&st.db, &page.who, id, st.now()).await?);
    let out = PersonOutcome {
        revealed,
        ..PersonOutcome::default()
    };
    person_page(&st, &page, id, out).await
}

/// The form that gives a person a position.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct PositionForm {
    unit_id: String,
    title: String,
    staff_type: String,
    start_on: String,
}

impl PositionForm {
    fn parse(&self) -> Result<PositionInput, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let unit = m.id("unit_id", "单位", &self.unit_id);
        let start_on = m.read("start_on", "任职日期", &self.start_on, parse_date_text);
        if unit.is_none() && m.is_empty() {
            m.at("unit_id", "单位", "请选择单位");
        }
        m.or(PositionInput {
            unit_id: unit.unwrap_or_default(),
            title: self.title.clone(),
            staff_type: opt(&self.staff_type),
            start_on,
        })
    }
}

pub(super) async fn appoint(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PositionForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |input| {
        service::appoint(&st.db, &page.who, id, input, st.now())
    });
    let again = |errors| person_page(&st, &page, id, PersonOutcome::refused(&form, errors));
    saved_or_again(saved.await, |_| format!("/org/people/{id}"), again).await
}

/// The form that ends a position.
#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    end_on: String,
}

impl EndForm {
    fn parse(&self) -> Result<NaiveDate, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let end_on = m.read("end_on", "离任日期", &self.end_on, parse_date_text);
        if end_on.is_none() && m.is_empty() {
            m.at("end_on", "离任日期", "请填写离任日期");
        }
        m.or(end_on.unwrap_or_default())
    }
}

pub(super) async fn end_position(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EndForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |end_on| {
        service::end_position(&st.db, &page.who, id, end_on, st.now())
    });
    let to = |p: &crate::org::queries::Position| format!("/org/people/{}", p.person_id);
    let again = |errors| not_ended(&st, &page, id, errors);
    saved_or_again(saved.await, to, again).await
}

/// The person's page with why the position `id` could not be ended, at its row.
async fn not_ended(st: &AppState, page: &Page, id: i64, errors: Vec<FieldError>) -> PageResult {
    let person_id = service::position_person(&st.db, &page.who, id).await?;
    let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
    let out = PersonOutcome {
        failed_position: Some(id),
        failed_message: Some(messages.join("；")),
        ..PersonOutcome::default()
    };
    person_page(st, page, person_id, out).await
}
