//! 组织: the person forms, a person's page with the positions held over time (appoint, end), and
//! 显示完整号码.

use axum::extract::{Path, State};
use serde::Serialize;
use std::collections::HashMap;

use super::{opt_date, org_form, unit_options};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::org::queries::Person;
use crate::org::service::{self, PersonInput, PositionInput};
use crate::web::form::{
    after_parse, field, flag, form_map, id_options, opt_id, opt_text, saved_or_again, text,
    FormField, FormPage, Values,
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
        active: "/org",
        lists: Vec::new(),
        title,
        action,
        back,
        fields,
        values,
        errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_person(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    person_form(&st, &page, None, &Values::new(), &[]).await
}

pub(super) async fn create_person(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = person_input(&values, &mut errors);
    let saved = after_parse(
        errors,
        service::create_person(&st.db, &page.who, input, st.now()),
    );
    let to = |p: &service::PersonView| format!("/org/people/{}", p.person.id);
    saved_or_again(saved.await, to, |errors| async move {
        person_form(&st, &page, None, &values, &errors).await
    })
    .await
}

pub(super) async fn edit_person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let person = service::get_person(&st.db, &page.who, id).await?.person;
    person_form(&st, &page, Some(&person), &person_values(&person), &[]).await
}

pub(super) async fn update_person(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let stored = service::get_person(&st.db, &page.who, id).await?.person;
    let mut errors = Vec::new();
    let input = person_input(&values, &mut errors);
    let saved = after_parse(
        errors,
        service::update_person(&st.db, &page.who, id, input, st.now()),
    );
    saved_or_again(
        saved.await,
        |_| format!("/org/people/{id}"),
        |errors| async move { person_form(&st, &page, Some(&stored), &values, &errors).await },
    )
    .await
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

pub(super) async fn appoint(
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
    let to = |_: &_| format!("/org/people/{id}");
    saved_or_again(after_parse(errors, call).await, to, |pos_errors| {
        let out = PersonOutcome {
            pos: values,
            pos_errors,
            ..PersonOutcome::default()
        };
        person_page(&st, &page, id, out)
    })
    .await
}

pub(super) async fn end_position(
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
    let to = |p: &crate::org::queries::Position| format!("/org/people/{}", p.person_id);
    saved_or_again(after_parse(errors, call).await, to, |errors| async move {
        let person_id = service::position_person(&st.db, &page.who, id).await?;
        let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
        let out = PersonOutcome {
            failed_position: Some(id),
            failed_message: Some(messages.join("；")),
            ..PersonOutcome::default()
        };
        person_page(&st, &page, person_id, out).await
    })
    .await
}
