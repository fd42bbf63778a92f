//! 组织: the unit forms (new, edit).

use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::{enterprise_options, org_form, unit_options};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::org::queries::Unit;
use crate::org::service::{self, UnitInput};
use crate::web::form::{
    field, opt, parsed, saved_or_again, values_of, yes, FormField, FormPage, Mistakes, Values,
};
use crate::web::ui::Page;
use crate::web::{AppState, CsrfForm, PageResult};

async fn unit_fields(st: &AppState, page: &Page) -> Result<Vec<FormField>, AppError> {
    Ok(vec![
        field("name", "名称", "text").required(),
        field("unit_type", "类型", "select")
            .required()
            .words(&crate::org::UNIT_TYPES),
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

/// The unit form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct UnitForm {
    name: String,
    unit_type: String,
    parent_id: String,
    level: String,
    enterprise_id: String,
    is_service_team: String,
}

impl UnitForm {
    /// A stored unit as the edit form shows it.
    fn of(u: &Unit) -> UnitForm {
        UnitForm {
            name: u.name.clone(),
            unit_type: u.unit_type.clone(),
            parent_id: u.parent_id.map(|i| i.to_string()).unwrap_or_default(),
            level: u.level.clone().unwrap_or_default(),
            enterprise_id: u.enterprise_id.map(|i| i.to_string()).unwrap_or_default(),
            is_service_team: if u.is_service_team { "1" } else { "" }.into(),
        }
    }

    fn parse(&self) -> Result<UnitInput, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let input = UnitInput {
            name: self.name.clone(),
            unit_type: self.unit_type.clone(),
            parent_id: m.id("parent_id", "上级单位", &self.parent_id),
            enterprise_id: m.id("enterprise_id", "所在企业", &self.enterprise_id),
            level: opt(&self.level),
            is_service_team: yes(&self.is_service_team),
        };
        m.or(input)
    }
}

async fn unit_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    form: &UnitForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let fields = unit_fields(st, page).await?;
    let (title, action) = match id {
        Some(id) => ("修改单位".to_string(), format!("/org/units/{id}/edit")),
        None => ("新建单位".to_string(), "/org/units/new".to_string()),
    };
    let f = FormPage {
        active: "/org",
        lists: Vec::new(),
        title,
        action,
        back: "/org".into(),
        fields,
        values: &values_of(form),
        errors: &errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_unit(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<Values>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let parent_id = q.get("parent_id").cloned().unwrap_or_default();
    let form = UnitForm {
        parent_id,
        ..UnitForm::default()
    };
    unit_form(&st, &page, None, &form, Vec::new()).await
}

pub(super) async fn create_unit(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |input| {
        service::create_unit(&st.db, &page.who, input, st.now())
    });
    let again = |errors| unit_form(&st, &page, None, &form, errors);
    saved_or_again(saved.await, |_| "/org".into(), again).await
}

pub(super) async fn edit_unit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let u = service::get_unit(&st.db, &page.who, id).await?;
    unit_form(&st, &page, Some(id), &UnitForm::of(&u), Vec::new()).await
}

pub(super) async fn update_unit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> PageResult {
    let saved = parsed(form.parse(), |input| {
        service::update_unit(&st.db, &page.who, id, input, st.now())
    });
    let again = |errors| unit_form(&st, &page, Some(id), &form, errors);
    saved_or_again(saved.await, |_| "/org".into(), again).await
}
