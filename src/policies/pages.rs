//! 惠企政策 pages: the library (for an enterprise user its own policies, 我的政策, on a phone),
//! a new or changed policy, one policy with its push form and whom it reached (for an enterprise
//! user why it matched; opening it is the read receipt), and the park's qualification tags.
//! Thin handlers over `policies::service`.

use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};

use super::service::{self, PolicyDetail, PolicyFilter, PolicyInput, PolicyView, PushInput};
use super::{EXCLUSIVE, LEVELS, UNIVERSAL};
use crate::auth::{Action, Role};
use crate::error::{AppError, FieldError};
use crate::web::form::{
    field, form_map, form_page, saved_or_again, saved_or_refused, text, FormField, FormPage, Values,
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

fn values_of(p: &PolicyView) -> Values {
    let pairs = [
        ("title", p.title.clone()),
        ("level", p.level.clone()),
        ("issuer", p.issuer.clone()),
        ("doc_number", p.doc_number.clone()),
        ("issued_on", p.issued_on.to_string()),
        (
            "valid_until",
            p.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("summary", p.summary.clone()),
        ("full_text", p.full_text.clone()),
        ("tags", p.tags.join("，")),
        ("industries", p.industries.join("，")),
        ("scales", p.scales.join("，")),
        ("version", p.version.to_string()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The policy a form gives, with the dates it could not read.
fn input_of(v: &Values, errors: &mut Vec<FieldError>) -> PolicyInput {
    let mut date = |key: &str, label: &str| match text(v, key).trim() {
        "" => None,
        t => crate::ledger::value::parse_date_text(t)
            .map_err(|e| errors.push(FieldError::new(key, label, e.to_string())))
            .ok(),
    };
    let issued_on = date("issued_on", "发文日期");
    let valid_until = date("valid_until", "有效期至");
    PolicyInput {
        title: text(v, "title"),
        level: text(v, "level"),
        issuer: text(v, "issuer"),
        doc_number: text(v, "doc_number"),
        issued_on,
        valid_until,
        summary: text(v, "summary"),
        full_text: text(v, "full_text"),
        industries: service::typed_list(&text(v, "industries")),
        scales: service::typed_list(&text(v, "scales")),
        tags: service::typed_list(&text(v, "tags")),
        version: text(v, "version").trim().parse().ok(),
    }
}

async fn policy_form(
    st: &AppState,
    page: &Page,
    id: Option<i64>,
    values: &Values,
    errors: &[FieldError],
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
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn new_form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let mut values = Values::new();
    values.insert(
        "issued_on".into(),
        crate::calendar::today(st.now()).to_string(),
    );
    policy_form(&st, &page, None, &values, &[]).await
}

async fn create(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = input_of(&values, &mut errors);
    let saved =
        crate::web::form::after_parse(errors, service::create(&st.db, &page.who, input, st.now()));
    saved_or_again(
        saved.await,
        |p| format!("/policies/{}", p.policy.id),
        |errors| async move { policy_form(&st, &page, None, &values, &errors).await },
    )
    .await
}

async fn edit_form(State(st): State<AppState>, page: Page, Path(id): Path<i64>) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let p = service::get(&st.db, &page.who, id, st.now()).await?;
    policy_form(&st, &page, Some(id), &values_of(&p.policy), &[]).await
}

async fn update(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let values = form_map(pairs);
    let mut errors = Vec::new();
    let input = input_of(&values, &mut errors);
    let saved = crate::web::form::after_parse(
        errors,
        service::update(&st.db, &page.who, id, input, st.now()),
    );
    saved_or_refused(
        saved.await,
        |p| format!("/policies/{}", p.policy.id),
        |refusal| async move {
            let mut values = values;
            let mut errors = refusal.errors;
            if let Some(current) = refusal.conflict {
                // What was typed stays; the next save, made knowingly, goes over the new one.
                values.insert("version".into(), current.to_string());
                errors.push(FieldError::new(
                    "",
                    "政策",
                    "这条政策在您打开表单后已被他人修改；您填写的内容仍保留，请打开政策页核对后再保存",
                ));
            }
            policy_form(&st, &page, Some(id), &values, &errors).await
        },
    )
    .await
}

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

async fn push(
    State(st): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let mode = pairs
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "enterprise_id") {
        match v.trim().parse::<i64>() {
            Ok(id) => chosen.push(id),
            Err(_) => errors.push(FieldError::new(
                "enterprise_ids",
                "推送企业",
                format!("“{v}”不是企业编号（{k}）"),
            )),
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
    let saved = crate::web::form::after_parse(
        errors,
        service::push(&st.db, &page.who, id, input, st.now()),
    )
    .await;
    match saved {
        Ok(o) => Ok(axum::response::Redirect::to(&format!(
            "/policies/{id}?pushed={}&already={}",
            o.pushed, o.already
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut res = detail_page(&st, &page, id, None, Some((mode, chosen, errors))).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn tags_page(
    st: &AppState,
    page: &Page,
    values: &Values,
    errors: &[FieldError],
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
        values,
        errors,
    };
    form_page(st, page, f).await
}

async fn tags_form(State(st): State<AppState>, page: Page) -> PageResult {
    page.who.require(Action::WritePolicies)?;
    let tags = service::tags(&st.db, &page.who).await?;
    let mut values = Values::new();
    values.insert("tags".into(), tags.join("\n"));
    tags_page(&st, &page, &values, &[]).await
}

async fn save_tags(
    State(st): State<AppState>,
    page: Page,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let values = form_map(pairs);
    let saved = service::set_tags(&st.db, &page.who, &text(&values, "tags"), st.now()).await;
    saved_or_again(
        saved,
        |_| "/policies".into(),
        |errors| async move { tags_page(&st, &page, &values, &errors).await },
    )
    .await
}
