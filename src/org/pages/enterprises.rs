//! 组织: the enterprise forms.

use axum::extract::{Path, State};

use super::org_form;
use crate::error::FieldError;
use crate::org::queries::Enterprise;
use crate::org::service::{self, EnterpriseInput};
use crate::web::form::{
    field, form_map, opt_text, saved_or_again, text, FormField, FormPage, Values,
};
use crate::web::ui::Page;
use crate::web::{AppState, CsrfForm, PageResult};

fn enterprise_fields() -> Vec<FormField> {
    vec![
        field("name", "企业名称", "text").required(),
        field("credit_code", "统一社会信用代码", "text").hint("18 位，如 91310000MA1FL0XXXX"),
        field("scale", "规模", "select").words(&service::SCALES),
        field("industry", "行业", "text"),
        field("tags", "资质标签", "text")
            .hint("多个标签用逗号分隔，须是园区定义的资质标签")
            .list("tags"),
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
        ("tags", Some(e.tags.replace(',', "，"))),
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
        tags: Some(crate::org::split_list(&text(v, "tags"))),
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
        active: "/org",
        lists: Vec::new(),
        title,
        action,
        back: "/org".into(),
        fields: enterprise_fields(),
        values,
        errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_enterprise(State(st): State<AppState>, page: Page) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    enterprise_form(&st, &page, None, &Values::new(), &[]).await
}

pub(super) async fn create_enterprise(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let input = enterprise_input(&values, None);
    let saved = service::create_enterprise(&st.db, &page.who, input, st.now()).await;
    saved_or_again(
        saved,
        |_| "/org".into(),
        |errors| async move { enterprise_form(&st, &page, None, &values, &errors).await },
    )
    .await
}

pub(super) async fn edit_enterprise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    let e = service::get_enterprise(&st.db, &page.who, id).await?;
    enterprise_form(&st, &page, Some(id), &enterprise_values(&e), &[]).await
}

pub(super) async fn update_enterprise(
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
    let saved = service::update_enterprise(&st.db, &page.who, id, input, st.now()).await;
    saved_or_again(
        saved,
        |_| "/org".into(),
        |errors| async move { enterprise_form(&st, &page, Some(id), &values, &errors).await },
    )
    .await
}
