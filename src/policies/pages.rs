//! 惠企政策 pages: the library (for an enterprise user its own policies, 我的政策, on a phone),
//! a new or changed policy, one policy with its push form and whom it reached (for an enterprise
//! user why it matched; opening it is the read receipt), and the park's qualification tags.
//! Thin handlers over `policies::service`.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{
    self, PolicyDetail, PolicyFilter, PolicyInput, PolicyView, PushInput, PushOutcome,
};
use super::{EXCLUSIVE, LEVELS, UNIVERSAL};
use crate::auth::{Action, Role};
use crate::error::FieldError;
use crate::ledger::value::parse_date_text;
use crate::web::form::{
    field, form_page, parsed, saved_or_again, saved_or_refused, values_of, FormField, FormPage,
    Mistakes, Refusal,
};
use crate::web::ui::{render, Chrome, Page};
use crate::web::{AppState, CsrfForm, FormErrors, PageResult};

/// This area's page templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("policies.html", include_str!("templates/policies.html")),
    ("policy.html", include_str!("templates/policy.html")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(list))
        .route("/policies/new", get(new_form).post(create))
        .route("/policies/tags", get(tags_form).post(save_tags))
        .route("/policies/{id}", get(show))
        .route("/policies/{id}/edit", get(edit_form).post(update))
        .route("/policies/{id}/push", post(push))
}

const PAGE_SIZE: i64 = 20;

#[derive(Deserialize, Default)]
struct ListQuery {
    page: Option<i64>,
}

#[derive(Serialize)]
struct ListView {
    chrome: Chrome,
    items: Vec<PolicyView>,
    total: i64,
    page: i64,
    pages: i64,
    /// The enterprise's own policies rather than the library.
    own: bool,
    can_write: bool,
}

async fn list(State(st): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> PageResult {
    let current = q.page.unwrap_or(1).max(1);
    let filter = PolicyFilter {
        limit: Some(PAGE_SIZE),
        offset: Some((current - 1) * PAGE_SIZE),
    };
    let listing = service::list(&st.db, &page.who, filter).await?;
    Ok(render(
        "policies.html",
        ListView {
            chrome: page.chrome(&st, "/policies").await?,
            total: listing.total,
            pages: (listing.total + PAGE_SIZE - 1) / PAGE_SIZE,
            items: listing.items,
            page: current,
            own: page.who.role == Role::Enterprise,
            can_write: page.who.role.allows(Action::WritePolicies),
        },
    ))
}

fn fields() -> Vec<FormField> {
    vec![
        field("title", "政策名称", "text").required(),
        field("level", "层级", "select").required().words(&LEVELS),
        field("issuer", "发文单位", "text").required(),
        field("doc_number", "文号", "text").hint("如 苏政发〔2025〕12号"),
        field("issued_on", "发文日期", "date").required(),
        field("valid_until", "有效期至", "date"),
        field("summary", "政策摘要", "textarea").required(),
        field("full_text", "政策全文", "textarea"),
        field("tags", "适用资质", "text")
            .hint("多个用逗号分隔，企业具备其一即可；不填为不限")
            .list("tags"),
        field("industries", "适用行业", "text").hint("多个用逗号分隔；不填为不限"),
        field("scales", "适用规模", "text").hint("规上、规下、小微，多个用逗号分隔；不填为不限"),
    ]
}

/// The policy form as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct PolicyForm {
    title: String,
    level: String,
    issuer: String,
    doc_number: String,
    issued_on: String,
    valid_until: String,
    summary: String,
    full_text: String,
    tags: String,
    industries: String,
    scales: String,
    /// The version read, sent back so that a save over someone else's is refused.
    version: String,
}

impl PolicyForm {
    /// A stored policy as the edit form shows it.
    fn of(p: &PolicyView) -> PolicyForm {
        PolicyForm {
            title: p.title.clone(),
            level: p.level.clone(),
            issuer: p.issuer.clone(),
            doc_number: p.doc_number.clone(),
            issued_on: p.issued_on.to_string(),
            valid_until: p.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            summary: p.summary.clone(),
            full_text: p.full_text.clone(),
            tags: p.tags.join("，"),
            industries: p.industries.join("，"),
            scales: p.scales.join("，"),
            version: p.version.to_string(),
        }
    }

    /// The form after a refused save, with its messages; after a save lost to someone else's,
    /// what was typed stays and carries the version now stored, so that the next save, made
    /// knowingly, goes over the new one.
    fn after(mut self, refusal: Refusal) -> (PolicyForm, Vec<FieldError>) {
        let mut errors = refusal.errors;
        if let Some(current) = refusal.conflict {
            self.version = current.to_string();
            errors.push(FieldError::new("", "政策", STALE));
        }
        (self, errors)
    }

    /// The policy the form gives, or the dates it could not read.
    fn parse(&self) -> Result<PolicyInput, Vec<FieldError>> {
        let mut m = Mistakes::new();
        let issued_on = m.read("issued_on", "发文日期", &self.issued_on, parse_date_text);
        let valid_until = m.read(
            "valid_until",
            "有效期至",
            &self.valid_until,
            parse_date_text,
        );
        m.or(PolicyInput {
            title: self.title.clone(),
            level: self.level.clone(),
            issuer: self.issuer.clone(),
            doc_number: self.doc_number.clone(),
            issued_on,
            valid_until,
            summary: self.summary.clone(),
            full_text: self.full_text.clone(),
            industries: service::typed_list(&self.industries),
            scales: service::typed_list(&self.scales),
            tags: service::typed_list(&self.tags),
            version: self.version.trim().parse().ok(),
        })
    }
}

async fn policy_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    form: &PolicyForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let mut fields = fields();
    if id.is_some() {
        // The version read, sent back so that a save over someone else's is refused.
        fields.push(field("version", "版本", "hidden"));
    }
    let (title, action, back) = match id {
        Some(id) => (
            "修改政策".to_string(),
            format!("/policies/{id}/edit"),
            format!("/policies/{id}"),
        ),
        None => (
            "新建政策".to_string(),
            "/policies/new".to_string(),
            "/policies".to_string(),
        ),
    };
    let f = FormPage {
        active: "/policies",
        lists: vec![crate::web::form::Datalist {
            id: "tags",
            options: service::tags(&st.db, &page.who).await?,
        }],
        title,
        action,
        back,
        fields,
        values: &values_of(form),
        errors: &errors,
    };
    form_page(st, page, f).await
}

async fn new_form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let form = PolicyForm {
        issued_on: crate::calendar::today(st.now()).to_string(),
        ..PolicyForm::default()
    };
    policy_form(&st, &page, None, &form, Vec::new()).await
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let saved = parsed(form.parse(), |input| {
        service::create(&st.db, &page.who, input, st.now())
    });
    let again = |errors| policy_form(&st, &page, None, &form, errors);
    saved_or_again(saved.await, |p| format!("/policies/{}", p.policy.id), again).await
}

async fn edit_form(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let p = service::get(&st.db, &page.who, id, st.now()).await?;
    policy_form(&st, &page, Some(id), &PolicyForm::of(&p.policy), Vec::new()).await
}

async fn update(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let saved = parsed(form.parse(), |input| {
        service::update(&st.db, &page.who, id, input, st.now())
    });
    let saved = saved.await;
    let again = |refusal| async move {
        let (form, errors) = form.after(refusal);
        policy_form(&st, &page, Some(id), &form, errors).await
    };
    saved_or_refused(saved, |p| format!("/policies/{}", p.policy.id), again).await
}

const STALE: &str =
    "这条政策在您打开表单后已被他人修改；您填写的内容仍保留，请打开政策页核对后再保存";

#[derive(Serialize)]
struct EnterpriseChoice {
    id: i64,
    name: String,
    reached: bool,
    checked: bool,
}

#[derive(Serialize)]
struct DetailView {
    chrome: Chrome,
    policy: PolicyDetail,
    conditions: [(&'static str, String); 3],
    own: bool,
    can_push: bool,
    /// The enterprises a 专属 push may choose from.
    enterprises: Vec<EnterpriseChoice>,
    /// What the last push did (`?pushed=N&already=M`), or why it was refused.
    notice: Option<String>,
    errors: std::collections::HashMap<String, String>,
    mode: String,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    pushed: Option<usize>,
    already: Option<usize>,
}

async fn detail_page(
    st: &AppState,
    page: &Page,
    id: i64,
    notice: Option<String>,
    failed: Option<(String, Vec<i64>, Vec<FieldError>)>,
) -> PageResult {
    let policy = service::get(&st.db, &page.who, id, st.now()).await?;
    let can_push = page.who.role.allows(Action::WritePolicies);
    let (mode, chosen, errors) = match failed {
        Some((m, c, e)) => (m, c, FormErrors::by_field(&e)),
        None => (UNIVERSAL.to_string(), Vec::new(), Default::default()),
    };
    let enterprises = if can_push {
        let reached: std::collections::HashSet<i64> =
            policy.recipients.iter().map(|r| r.enterprise_id).collect();
        crate::org::service::list_enterprises(&st.db, &page.who)
            .await?
            .into_iter()
            .map(|e| EnterpriseChoice {
                reached: reached.contains(&e.id),
                checked: chosen.contains(&e.id),
                id: e.id,
                name: e.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let conditions = [
        ("资质", policy.policy.tags.clone()),
        ("行业", policy.policy.industries.clone()),
        ("规模", policy.policy.scales.clone()),
    ]
    .map(|(label, v)| {
        (
            label,
            if v.is_empty() {
                "不限".to_string()
            } else {
                v.join("、")
            },
        )
    });
    Ok(render(
        "policy.html",
        DetailView {
            chrome: page.chrome(st, "/policies").await?,
            own: page.who.role == Role::Enterprise,
            policy,
            conditions,
            can_push,
            enterprises,
            notice,
            errors,
            mode,
        },
    ))
}

async fn show(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let notice = q.pushed.map(|n| match q.already.unwrap_or(0) {
        0 => format!("已推送 {n} 家企业。"),
        a => format!("已推送 {n} 家企业；另有 {a} 家此前已推送过，未重复推送。"),
    });
    detail_page(&st, &page, id, notice, None).await
}

/// The push form: its mode and the enterprises ticked (shown again on a refusal), and the push
/// they ask for, or the choices that are no enterprise number.
fn push_form(pairs: &[(String, String)]) -> (String, Vec<i64>, Result<PushInput, Vec<FieldError>>) {
    let mode = pairs
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut m = Mistakes::new();
    let mut chosen = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "enterprise_id") {
        match v.trim().parse::<i64>() {
            Ok(id) => chosen.push(id),
            Err(_) => m.at(
                "enterprise_ids",
                "推送企业",
                format!("“{v}”不是企业编号（{k}）"),
            ),
        }
    }
    let input = PushInput {
        mode: Some(mode.clone()),
        // 普惠 reaches every enterprise that fits: a choice left ticked does not narrow it.
        enterprise_ids: if mode == EXCLUSIVE {
            chosen.clone()
        } else {
            Vec::new()
        },
    };
    (mode, chosen, m.or(input))
}

async fn push(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let (mode, chosen, input) = push_form(&pairs);
    let saved = parsed(input, |i| service::push(&st.db, &page.who, id, i, st.now()));
    let to = |o: &PushOutcome| format!("/policies/{id}?pushed={}&already={}", o.pushed, o.already);
    let again = |errors| detail_page(&st, &page, id, None, Some((mode, chosen, errors)));
    saved_or_again(saved.await, to, again).await
}

/// The park's qualification tags as typed.
#[derive(Default, Deserialize, Serialize)]
#[serde(default)]
struct TagsForm {
    tags: String,
}

async fn tags_page(
    st: &AppState,
    page: &Page,
    form: &TagsForm,
    errors: Vec<FieldError>,
) -> PageResult {
    let f = FormPage {
        active: "/policies",
        lists: Vec::new(),
        title: "资质标签".into(),
        action: "/policies/tags".into(),
        back: "/policies".into(),
        fields: vec![field("tags", "本园区的资质标签", "textarea")
            .required()
            .hint("每行一个，或用逗号分隔；企业资料和政策条件只能使用这里的标签")],
        values: &values_of(form),
        errors: &errors,
    };
    form_page(st, page, f).await
}

async fn tags_form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let tags = service::tags(&st.db, &page.who).await?.join("\n");
    tags_page(&st, &page, &TagsForm { tags }, Vec::new()).await
}

async fn save_tags(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<TagsForm>,
) -> PageResult {
    let saved = service::set_tags(&st.db, &page.who, &form.tags, st.now()).await;
    let again = |errors| tags_page(&st, &page, &form, errors);
    saved_or_again(saved, |_| "/policies".into(), again).await
}
