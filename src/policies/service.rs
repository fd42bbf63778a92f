//! What both faces call: writing a policy (党建办, 园小二), the library and one policy with whom
//! it reached, pushing it (普惠 or 专属), an enterprise's own policies (我的政策) and its read
//! receipt, and the park's qualification tags. Every write checks the role, is audited in its
//! transaction, and refuses a condition or a tag the park has not defined, naming it.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::queries::{self, NewPolicy, PolicyRow, PushBatch, PushRow};
use super::{Conditions, Profile, EXCLUSIVE, LEVELS, UNIVERSAL};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal, Role, Scope};
use crate::db::{Db, Tx};
use crate::error::{AppError, FieldError};
use crate::ledger::service::Listing;
use crate::org::{split_list, stored_list, undefined_tag, undefined_tag_message};

const TITLE_MAX: usize = 200;
const SHORT_MAX: usize = 100;
const SUMMARY_MAX: usize = 2000;
const TEXT_MAX: usize = 50_000;
/// The most tags a park defines: a short list an enterprise form can show.
const TAGS_MAX: usize = 50;

/// A policy as a form or a JSON body gives it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PolicyInput {
    #[serde(default)]
    pub title: String,
    /// 国家, 省, 市 or 区.
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub issuer: String,
    /// 文号.
    #[serde(default)]
    pub doc_number: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub full_text: String,
    /// Conditions: any of these industries (empty: every industry).
    #[serde(default)]
    pub industries: Vec<String>,
    /// Any of these scales (规上, 规下, 小微; empty: every scale).
    #[serde(default)]
    pub scales: Vec<String>,
    /// Any of these qualification tags, each one the park defined (empty: no tag needed).
    #[serde(default)]
    pub tags: Vec<String>,
    /// On an edit: the version the caller read; refused (409) when someone saved it since.
    pub version: Option<i64>,
}

/// A push as a form or a JSON body asks for it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PushInput {
    /// `universal` (普惠, when left out) or `exclusive` (专属).
    pub mode: Option<String>,
    /// 专属: the enterprises chosen.
    #[serde(default)]
    pub enterprise_ids: Vec<i64>,
}

/// A policy as the faces show it.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyView {
    pub id: i64,
    /// Raised by each save; an edit sends back the one it read.
    pub version: i64,
    pub title: String,
    pub level: String,
    pub issuer: String,
    pub doc_number: String,
    pub issued_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub summary: String,
    pub full_text: String,
    pub industries: Vec<String>,
    pub scales: Vec<String>,
    pub tags: Vec<String>,
    /// The enterprises it reached and how many of them opened it (staff only; 0 for an
    /// enterprise, which sees its own push in `mine`).
    pub pushed: i64,
    pub read: i64,
    /// For an enterprise user: its own push, why it matched, and when it was first read.
    pub mine: Option<PushView>,
}

/// One push as the faces show it.
#[derive(Clone, Debug, Serialize)]
pub struct PushView {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub mode: String,
    pub mode_label: &'static str,
    pub reason: String,
    pub pushed_on: NaiveDate,
    pub read_at: Option<DateTime<Utc>>,
    /// `read_at` on the park's clock, as a page shows it.
    pub read_local: Option<String>,
    pub read_login: Option<String>,
}

/// A policy with the enterprises it reached (staff; empty for an enterprise).
#[derive(Clone, Debug, Serialize)]
pub struct PolicyDetail {
    #[serde(flatten)]
    pub policy: PolicyView,
    pub recipients: Vec<PushView>,
}

/// What a push did.
#[derive(Clone, Debug, Serialize)]
pub struct PushOutcome {
    pub mode: String,
    /// Enterprises that fit (普惠) or were chosen (专属).
    pub matched: usize,
    /// New pushes written now.
    pub pushed: usize,
    /// Of the matched, those the policy had reached before: left as they were.
    pub already: usize,
}

/// The list's paging.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PolicyFilter {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The enterprise an enterprise user acts for; staff act for the park.
fn own_enterprise(who: &Principal) -> Result<Option<i64>, AppError> {
    match (&who.scope, who.role) {
        (Scope::Enterprise(e), _) => Ok(Some(*e)),
        (_, Role::Enterprise) => Err(AppError::Forbidden("账号未关联企业，不能查看政策")),
        _ => Ok(None),
    }
}

/// The list of a condition or of the tags as typed into one form field.
pub fn typed_list(text: &str) -> Vec<String> {
    split_list(text)
}

/// Checks a policy, refusing each wrong field by name; the tags against the park's.
fn validate<'a>(
    input: &'a PolicyInput,
    defined: &[String],
    errors: &mut Vec<FieldError>,
) -> Option<NewPolicy<'a>> {
    let title = input.title.trim();
    let mut text = |key: &str, label: &str, v: &'a str, max: usize, required: bool| {
        let v = v.trim();
        if required && v.is_empty() {
            errors.push(FieldError::new(key, label, format!("请填写{label}")));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(key, label, format!("不超过 {max} 字")));
        }
        v
    };
    let title = text("title", "政策名称", title, TITLE_MAX, true);
    let issuer = text("issuer", "发文单位", &input.issuer, SHORT_MAX, true);
    let doc_number = text("doc_number", "文号", &input.doc_number, SHORT_MAX, false);
    let summary = text("summary", "政策摘要", &input.summary, SUMMARY_MAX, true);
    let full_text = text("full_text", "政策全文", &input.full_text, TEXT_MAX, false);
    let level = input.level.trim();
    if !LEVELS.contains(&level) {
        errors.push(FieldError::new(
            "level",
            "层级",
            format!("请从以下层级中选择：{}", LEVELS.join("、")),
        ));
    }
    if input.issued_on.is_none() {
        errors.push(FieldError::new("issued_on", "发文日期", "请填写发文日期"));
    }
    if let (Some(issued), Some(until)) = (input.issued_on, input.valid_until) {
        if until < issued {
            errors.push(FieldError::new(
                "valid_until",
                "有效期至",
                format!("有效期至 {until} 早于发文日期 {issued}"),
            ));
        }
    }
    let industries = split_list(&input.industries.join(","));
    let scales = split_list(&input.scales.join(","));
    if let Some(s) = scales
        .iter()
        .find(|s| !crate::org::service::SCALES.contains(&s.as_str()))
    {
        errors.push(FieldError::new(
            "scales",
            "适用规模",
            format!(
                "“{s}”不是可选的规模；可选：{}",
                crate::org::service::SCALES.join("、")
            ),
        ));
    }
    let tags = split_list(&input.tags.join(","));
    if let Some(tag) = undefined_tag(&tags, defined) {
        errors.push(FieldError::new(
            "tags",
            "适用资质",
            undefined_tag_message(tag, defined),
        ));
    }
    let issued_on = input.issued_on?;
    Some(NewPolicy {
        title,
        level,
        issuer,
        doc_number,
        issued_on,
        valid_until: input.valid_until,
        summary,
        full_text,
        industries: industries.join(","),
        scales: scales.join(","),
        tags: tags.join(","),
    })
}

/// Adds a policy to the library.
pub async fn create(
    db: &Db,
    who: &Principal,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> Result<PolicyDetail, AppError> {
    who.require(Action::WritePolicies)?;
    let mut tx = db.begin().await?;
    let defined = crate::org::queries::qualification_tags_tx(&mut tx, who.park_id).await?;
    let mut errors = Vec::new();
    let new = validate(&input, &defined, &mut errors);
    let new = match new {
        Some(n) if errors.is_empty() => n,
        _ => return Err(AppError::Invalid(errors)),
    };
    let id = queries::insert(&mut tx, who.park_id, &new, Some(who.user_id), now).await?;
    audited(
        &mut tx,
        who,
        now,
        "create",
        id,
        None,
        Some(after_json(&new)),
    )
    .await?;
    tx.commit().await?;
    get(db, who, id, now).await
}

/// Changes a policy of the library; its pushes keep the reasons they were made with.
pub async fn update(
    db: &Db,
    who: &Principal,
    id: i64,
    input: PolicyInput,
    now: DateTime<Utc>,
) -> Result<PolicyDetail, AppError> {
    who.require(Action::WritePolicies)?;
    let before = queries::get(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("政策"))?;
    let mut tx = db.begin().await?;
    let defined = crate::org::queries::qualification_tags_tx(&mut tx, who.park_id).await?;
    let mut errors = Vec::new();
    let new = validate(&input, &defined, &mut errors);
    let new = match new {
        Some(n) if errors.is_empty() => n,
        _ => return Err(AppError::Invalid(errors)),
    };
    if input.version.is_some_and(|v| v != before.version) {
        return Err(AppError::Conflict {
            current: before.version,
        });
    }
    let read = (id, before.version);
    if queries::update(&mut tx, who.park_id, read, &new, now).await? == 0 {
        return Err(AppError::Conflict {
            current: before.version + 1,
        });
    }
    let before = serde_json::to_value(&before).ok();
    audited(
        &mut tx,
        who,
        now,
        "update",
        id,
        before,
        Some(after_json(&new)),
    )
    .await?;
    tx.commit().await?;
    get(db, who, id, now).await
}

fn after_json(p: &NewPolicy<'_>) -> serde_json::Value {
    json!({
        "title": p.title, "level": p.level, "issuer": p.issuer, "doc_number": p.doc_number,
        "issued_on": p.issued_on, "valid_until": p.valid_until, "summary": p.summary,
        "industries": p.industries, "scales": p.scales, "tags": p.tags,
    })
}

async fn audited(
    tx: &mut Tx,
    who: &Principal,
    now: DateTime<Utc>,
    action: &str,
    id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit::record(
        tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action,
            entity: "policy",
            entity_id: Some(id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

fn view(row: PolicyRow, mine: Option<PushView>) -> PolicyView {
    let staff = mine.is_none();
    PolicyView {
        id: row.id,
        version: row.version,
        title: row.title,
        level: row.level,
        issuer: row.issuer,
        doc_number: row.doc_number,
        issued_on: row.issued_on,
        valid_until: row.valid_until,
        summary: row.summary,
        full_text: row.full_text,
        industries: stored_list(&row.industries),
        scales: stored_list(&row.scales),
        tags: stored_list(&row.tags),
        pushed: if staff { row.pushed_count } else { 0 },
        read: if staff { row.read_count } else { 0 },
        mine,
    }
}

fn push_view(p: PushRow) -> PushView {
    PushView {
        id: p.id,
        enterprise_id: p.enterprise_id,
        enterprise_name: p.enterprise_name,
        mode_label: super::mode_label(&p.mode),
        mode: p.mode,
        reason: p.reason,
        pushed_on: p.pushed_on,
        read_local: p.read_at.map(|t| {
            crate::calendar::local(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        }),
        read_at: p.read_at,
        read_login: p.read_login,
    }
}

/// The conditions of a stored policy.
pub fn conditions(row: &PolicyRow) -> Conditions {
    Conditions {
        industries: stored_list(&row.industries),
        scales: stored_list(&row.scales),
        tags: stored_list(&row.tags),
    }
}

/// The library, newest first (staff); for an enterprise user, the policies pushed to its own
/// enterprise, the latest first, each with why it matched and whether it was read (我的政策).
pub async fn list(
    db: &Db,
    who: &Principal,
    f: PolicyFilter,
) -> Result<Listing<PolicyView>, AppError> {
    who.require(Action::ReadPolicies)?;
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let offset = f.offset.unwrap_or(0).max(0);
    let (items, total) = match own_enterprise(who)? {
        Some(e) => {
            let (rows, total) = queries::of_enterprise(db, who.park_id, e, limit, offset).await?;
            let items = rows
                .into_iter()
                .map(|(p, push)| view(p, Some(push_view(push))))
                .collect();
            (items, total)
        }
        None => {
            let (rows, total) = queries::list(db, who.park_id, limit, offset).await?;
            (rows.into_iter().map(|p| view(p, None)).collect(), total)
        }
    };
    Ok(Listing {
        items,
        total,
        limit,
        offset,
    })
}

/// One policy: for staff with the enterprises it reached; for an enterprise user only when it
/// was pushed to its own enterprise (else 404, as a missing one), and the first opening is its
/// read receipt (who, when), audited.
pub async fn get(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<PolicyDetail, AppError> {
    who.require(Action::ReadPolicies)?;
    let own = own_enterprise(who)?;
    let row = queries::get(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("政策"))?;
    let Some(e) = own else {
        let recipients = queries::pushes_of_policy(db, who.park_id, id)
            .await?
            .into_iter()
            .map(push_view)
            .collect();
        return Ok(PolicyDetail {
            policy: view(row, None),
            recipients,
        });
    };
    let push = queries::push_of(db, who.park_id, id, e)
        .await?
        .ok_or(AppError::NotFound("政策"))?;
    let push = if push.read_at.is_none() {
        let mut tx = db.begin().await?;
        if queries::mark_read(&mut tx, who.park_id, push.id, who.user_id, &who.login, now).await? {
            audit::record(
                &mut tx,
                who.park_id,
                &who.actor(),
                now,
                Change {
                    action: "read",
                    entity: "policy_push",
                    entity_id: Some(push.id),
                    before: None,
                    after: Some(json!({ "policy_id": id, "enterprise_id": e })),
                },
            )
            .await?;
        }
        tx.commit().await?;
        queries::push_of(db, who.park_id, id, e)
            .await?
            .ok_or(AppError::NotFound("政策"))?
    } else {
        push
    };
    Ok(PolicyDetail {
        policy: view(row, Some(push_view(push))),
        recipients: Vec::new(),
    })
}

/// Pushes a policy: 普惠 to every enterprise whose profile fits its conditions, 专属 to the
/// enterprises chosen. One row per enterprise with the reason it matched; an enterprise the
/// policy reached before is left as it was, so pushing twice writes nothing new. One audit
/// entry for the batch.
pub async fn push(
    db: &Db,
    who: &Principal,
    id: i64,
    input: PushInput,
    now: DateTime<Utc>,
) -> Result<PushOutcome, AppError> {
    who.require(Action::WritePolicies)?;
    let mode = match input.mode.as_deref().map(str::trim) {
        None | Some("") | Some(UNIVERSAL) => UNIVERSAL,
        Some(EXCLUSIVE) => EXCLUSIVE,
        Some(other) => {
            return Err(AppError::invalid(
                "mode",
                "推送方式",
                format!("没有“{other}”这种推送方式：可用 universal（普惠）或 exclusive（专属）"),
            ))
        }
    };
    if mode == EXCLUSIVE && input.enterprise_ids.is_empty() {
        return Err(AppError::invalid(
            "enterprise_ids",
            "推送企业",
            "专属推送请至少选择一家企业",
        ));
    }
    let policy = queries::get(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("政策"))?;
    let conditions = conditions(&policy);
    let mut tx = db.begin().await?;
    let profiles = queries::profiles(&mut tx, who.park_id).await?;
    let profile = |p: &queries::ProfileRow| Profile {
        industry: p.industry.clone(),
        scale: p.scale.clone(),
        tags: stored_list(&p.tags),
    };
    let matched: Vec<(i64, String)> = if mode == UNIVERSAL {
        profiles
            .iter()
            .filter_map(|p| conditions.reason(&profile(p)).map(|r| (p.id, r)))
            .collect()
    } else {
        let known: HashSet<i64> = profiles.iter().map(|p| p.id).collect();
        if let Some(missing) = input.enterprise_ids.iter().find(|e| !known.contains(e)) {
            return Err(AppError::invalid(
                "enterprise_ids",
                "推送企业",
                format!("本园区没有编号为 {missing} 的企业"),
            ));
        }
        let chosen: HashSet<i64> = input.enterprise_ids.iter().copied().collect();
        profiles
            .iter()
            .filter(|p| chosen.contains(&p.id))
            .map(|p| (p.id, super::exclusive_reason(&conditions, &profile(p))))
            .collect()
    };
    let reached: HashSet<i64> = queries::reached(&mut tx, who.park_id, id)
        .await?
        .into_iter()
        .collect();
    let new: Vec<(i64, String)> = matched
        .iter()
        .filter(|(e, _)| !reached.contains(e))
        .cloned()
        .collect();
    let batch = PushBatch {
        policy_id: id,
        mode,
        pushed_on: crate::calendar::today(now),
        pushed_at: now,
        pushed_by: Some(who.user_id),
    };
    let written = queries::insert_pushes(&mut tx, who.park_id, &batch, &new).await?;
    let outcome = PushOutcome {
        mode: mode.to_string(),
        matched: matched.len(),
        pushed: usize::try_from(written).unwrap_or(usize::MAX),
        already: matched.len() - new.len(),
    };
    if outcome.pushed > 0 {
        let enterprises: Vec<i64> = new.iter().map(|(e, _)| *e).collect();
        audit::record(
            &mut tx,
            who.park_id,
            &who.actor(),
            now,
            Change {
                action: "push",
                entity: "policy",
                entity_id: Some(id),
                before: None,
                after: Some(json!({
                    "mode": mode,
                    "pushed": outcome.pushed,
                    "enterprises": enterprises,
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The park's qualification tags, in its order.
pub async fn tags(db: &Db, who: &Principal) -> Result<Vec<String>, AppError> {
    who.require(Action::ReadPolicies)?;
    Ok(crate::org::queries::qualification_tags(db, who.park_id).await?)
}

/// Replaces the park's qualification tags; a tag an enterprise or a policy carries cannot be
/// dropped, and the refusal names it.
pub async fn set_tags(
    db: &Db,
    who: &Principal,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    who.require(Action::WritePolicies)?;
    let names = split_list(text);
    let label = "资质标签";
    if let Some(long) = names.iter().find(|n| n.chars().count() > 20) {
        return Err(AppError::invalid(
            "tags",
            label,
            format!("“{long}”过长：每个标签不超过 20 字"),
        ));
    }
    if names.len() > TAGS_MAX {
        return Err(AppError::invalid(
            "tags",
            label,
            format!("最多定义 {TAGS_MAX} 个资质标签"),
        ));
    }
    let mut tx = db.begin().await?;
    let before = crate::org::queries::qualification_tags_tx(&mut tx, who.park_id).await?;
    for dropped in before.iter().filter(|t| !names.contains(t)) {
        if let Some(user) = queries::tag_in_use(&mut tx, who.park_id, dropped).await? {
            return Err(AppError::invalid(
                "tags",
                label,
                format!("“{dropped}”仍有{user}在使用，不能删除；请先在{user}中去掉这个标签"),
            ));
        }
    }
    crate::org::queries::set_qualification_tags(&mut tx, who.park_id, &names).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "update",
            entity: "qualification_tags",
            entity_id: None,
            before: Some(json!(before)),
            after: Some(json!(names)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(names)
}
