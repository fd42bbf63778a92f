//! 组织: the unit forms (new, edit).

use axum::extract::{Path, Query, State};

use super::{enterprise_options, org_form, unit_options};
use crate::auth::Action;
use crate::error::{AppError, FieldError};
use crate::org::queries::Unit;
use crate::org::service::{self, UnitInput};
use crate::web::form::{
    after_parse, field, flag, form_map, opt_id, opt_text, saved_or_again, text, FormField,
    FormPage, Values,
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
        active: "/org",
        lists: Vec::new(),
        title,
        action,
        back: "/org".into(),
        fields,
        values,
        errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_unit(
    State(st): State<AppState>,
    page: Page,
    Query(q): Query<Values>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let mut values = Values::new();
    if let Some(p) = q.get("parent_id") {
        values.insert("parent_id".into(), p.clone());
    }
    unit_form(&st, &page, None, &values, &[]).await
}

pub(super) async fn create_unit(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = unit_input(&values, &mut errors);
    let saved = after_parse(
        errors,
        service::create_unit(&st.db, &page.who, input, st.now()),
    );
    saved_or_again(
        saved.await,
        |_| "/org".into(),
        |errors| async move { unit_form(&st, &page, None, &values, &errors).await },
    )
    .await
}

pub(super) async fn edit_unit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    page.who.require(Action::WriteOrg)?;
    let u = service::get_unit(&st.db, &page.who, id).await?;
    unit_form(&st, &page, Some(id), &unit_values(&u), &[]).await
}

pub(super) async fn update_unit(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = unit_input(&values, &mut errors);
    let saved = after_parse(
        errors,
        service::update_unit(&st.db, &page.who, id, input, st.now()),
    );
    saved_or_again(
        saved.await,
        |_| "/org".into(),
        |errors| async move { unit_form(&st, &page, Some(id), &values, &errors).await },
    )
    .await
}
