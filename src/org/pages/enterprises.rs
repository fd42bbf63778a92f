//! 组织: the enterprise forms.

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::org_form;
use crate::error::FieldError;
use crate::org::queries::Enterprise;
use crate::org::service::{self, EnterpriseInput};
use crate::web::form::{field, opt, saved_or_again, values_of, FormField, FormPage};
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

/// The enterprise form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
pub(super) struct EnterpriseForm {
    name: String,
    credit_code: String,
    scale: String,
    industry: String,
    tags: String,
    address: String,
    contact: String,
    contact_phone: String,
    leader_name: String,
}

impl EnterpriseForm {
    /// A stored enterprise as the edit form shows it.
    fn of(e: &Enterprise) -> EnterpriseForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        EnterpriseForm {
            name: e.name.clone(),
            credit_code: text(&e.credit_code),
            scale: text(&e.scale),
            industry: text(&e.industry),
            tags: e.tags.replace(',', "，"),
            address: text(&e.address),
            contact: text(&e.contact),
            contact_phone: text(&e.contact_phone),
            leader_name: text(&e.leader_name),
        }
    }

    /// The input, linked to the paired leader's roster entry `leader_person_id`. Every field
    /// is text the service checks, so the form itself refuses nothing.
    fn parse(&self, leader_person_id: Option<i64>) -> EnterpriseInput {
        EnterpriseInput {
            name: self.name.clone(),
            credit_code: opt(&self.credit_code),
            scale: opt(&self.scale),
            industry: opt(&self.industry),
            address: opt(&self.address),
            contact: opt(&self.contact),
            contact_phone: opt(&self.contact_phone),
            leader_name: opt(&self.leader_name),
            leader_person_id,
            tags: Some(crate::org::split_list(&self.tags)),
        }
    }
}

async fn enterprise_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    form: &EnterpriseForm,
    errors: Vec<FieldError>,
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
        values: &values_of(form),
        errors: &errors,
    };
    org_form(st, page, f).await
}

pub(super) async fn new_enterprise(State(st): State<AppState>, page: Page) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    let form = EnterpriseForm::default();
    enterprise_form(&st, &page, None, &form, Vec::new()).await
}

pub(super) async fn create_enterprise(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> PageResult {
    let input = form.parse(None);
    let saved = service::create_enterprise(&st.db, &page.who, input, st.now()).await;
    let again = |errors| enterprise_form(&st, &page, None, &form, errors);
    saved_or_again(saved, |_| "/org".into(), again).await
}

pub(super) async fn edit_enterprise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> PageResult {
    service::may_edit_enterprises(&page.who)?;
    let e = service::get_enterprise(&st.db, &page.who, id).await?;
    enterprise_form(&st, &page, Some(id), &EnterpriseForm::of(&e), Vec::new()).await
}

pub(super) async fn update_enterprise(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<EnterpriseForm>,
) -> PageResult {
    // The paired leader's roster link stays while the name is unchanged.
    let stored = service::get_enterprise(&st.db, &page.who, id).await?;
    let link = stored
        .leader_person_id
        .filter(|_| stored.leader_name == opt(&form.leader_name));
    let saved = service::update_enterprise(&st.db, &page.who, id, form.parse(link), st.now());
    let again = |errors| enterprise_form(&st, &page, Some(id), &form, errors);
    saved_or_again(saved.await, |_| "/org".into(), again).await
}
