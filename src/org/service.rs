//! Organisation services: validated writes with their audit entries, reads within the caller's
//! scope, and personal data masked for the roles that need not see it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{CreditCode, IdNumber, Phone};
use super::queries::{self, Enterprise, Person, Position, Unit};
use super::UNIT_TYPES;
use crate::audit::{self, Actor, Change};
use crate::auth::{Action, Principal, Scope};
use crate::db::{Db, Tx};
use crate::error::{AppError, FieldError};

pub const SCALES: [&str; 3] = ["规上", "规下", "小微"];
pub const MEMBER_TYPES: [&str; 2] = ["正式党员", "预备党员"];
pub const STAFF_TYPES: [&str; 2] = ["专职", "兼职"];
pub const UNIT_LEVELS: [&str; 4] = ["省级", "市级", "区级", "园区级"];

#[derive(Clone, Debug, Deserialize)]
pub struct UnitInput {
    pub name: String,
    pub unit_type: String,
    pub parent_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub level: Option<String>,
    #[serde(default)]
    pub is_service_team: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EnterpriseInput {
    pub name: String,
    pub credit_code: Option<String>,
    pub scale: Option<String>,
    pub industry: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub contact_phone: Option<String>,
    pub leader_name: Option<String>,
    pub leader_person_id: Option<i64>,
    /// Its qualification tags (资质标签), each one the park defined; left out of an update,
    /// the stored ones stay.
    pub tags: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PersonInput {
    pub name: String,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub is_member: bool,
    pub member_type: Option<String>,
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PositionInput {
    pub unit_id: i64,
    pub title: String,
    pub staff_type: Option<String>,
    pub start_on: Option<NaiveDate>,
}

/// A person as shown: ID number and phone masked unless the viewer's role needs them.
#[derive(Clone, Debug, Serialize)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: Person,
    pub tag_list: Vec<String>,
    pub positions: Vec<Position>,
}

/// Masks a person's personal data: shown to every role masked; the whole value is given only by
/// [`reveal_person`], audited, to the roles whose work needs it.
pub fn mask_person(mut p: Person) -> Person {
    p.id_number = p.id_number.map(|v| mask_id_number(&v));
    p.phone = p.phone.map(|v| mask_phone(&v));
    p
}

pub fn mask_enterprise(mut e: Enterprise) -> Enterprise {
    e.contact_phone = e.contact_phone.map(|v| mask_phone(&v));
    e
}

/// Stored values are kept normalized (`validate_person`), so they are masked as stored.
fn mask_id_number(v: &str) -> String {
    IdNumber::mask_str(v)
}

fn mask_phone(v: &str) -> String {
    Phone::mask_str(v)
}

/// What a form or an API client sends back for a masked value: nothing, or the masked form it
/// was shown, both mean "unchanged" and keep the stored value; anything else is a new value.
fn unless_unchanged(
    typed: Option<String>,
    stored: Option<&str>,
    mask: fn(&str) -> String,
) -> Option<String> {
    match (typed, stored) {
        (None, Some(s)) => Some(s.to_string()),
        (Some(t), Some(s)) if t.trim().is_empty() || t.trim() == mask(s) => Some(s.to_string()),
        (t, _) => t,
    }
}

/// A person's whole ID number and phone, as stored.
#[derive(Clone, Debug, Serialize)]
pub struct Revealed {
    pub id_number: Option<String>,
    pub phone: Option<String>,
}

/// The whole ID number and phone of a person (显示完整号码), for a role whose work needs them and
/// whose scope covers the person; every such look is in the audit log (never the values).
pub async fn reveal_person(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Revealed, AppError> {
    who.require(Action::ReadOrg)?;
    if !who.role.sees_personal_data() {
        return Err(AppError::Forbidden(
            "您的角色不能查看完整的身份证号和手机号",
        ));
    }
    let p = queries::person(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    if !who.covers(p.unit_id, None) {
        return Err(AppError::NotFound("人员"));
    }
    let mut tx = db.begin().await?;
    let shown: Vec<&str> = [
        p.id_number.as_ref().map(|_| "id_number"),
        p.phone.as_ref().map(|_| "phone"),
    ]
    .into_iter()
    .flatten()
    .collect();
    crate::audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        crate::audit::Change {
            action: "reveal",
            entity: "person",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::json!({ "name": p.name, "shown": shown })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Revealed {
        id_number: p.id_number,
        phone: p.phone,
    })
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|v| crate::ledger::value::normalize_text(&v))
        .filter(|v| !v.is_empty())
}

fn one_of(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    v: &Option<String>,
    allowed: &[&str],
) {
    if let Some(v) = v {
        if !allowed.contains(&v.as_str()) {
            errors.push(FieldError {
                field: field.into(),
                label: label.into(),
                message: format!("“{v}”不是可选值；可选值：{}", allowed.join("、")),
            });
        }
    }
}

fn required_name(errors: &mut Vec<FieldError>, label: &str, name: &str) -> String {
    let name = crate::ledger::value::normalize_text(name);
    if name.is_empty() {
        errors.push(FieldError {
            field: "name".into(),
            label: label.into(),
            message: "必填项不能为空".into(),
        });
    } else if name.chars().count() > 100 {
        errors.push(FieldError {
            field: "name".into(),
            label: label.into(),
            message: "不能超过 100 个字符".into(),
        });
    }
    name
}

fn finish(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

// ---- units ----

pub fn validate_unit(input: UnitInput, id: i64) -> Result<Unit, AppError> {
    let mut errors = Vec::new();
    let name = required_name(&mut errors, "名称", &input.name);
    let unit_type = crate::ledger::value::normalize_text(&input.unit_type);
    if !UNIT_TYPES.contains(&unit_type.as_str()) {
        errors.push(FieldError {
            field: "unit_type".into(),
            label: "类型".into(),
            message: format!("“{unit_type}”不是可选值；可选值：{}", UNIT_TYPES.join("、")),
        });
    }
    let level = trimmed(input.level);
    one_of(&mut errors, "level", "级别", &level, &UNIT_LEVELS);
    finish(errors)?;
    Ok(Unit {
        id,
        parent_id: input.parent_id,
        name,
        unit_type,
        enterprise_id: input.enterprise_id,
        level,
        is_service_team: input.is_service_team,
    })
}

pub async fn create_unit(
    db: &Db,
    who: &Principal,
    input: UnitInput,
    now: DateTime<Utc>,
) -> Result<Unit, AppError> {
    who.require(Action::WriteOrg)?;
    let mut unit = validate_unit(input, 0)?;
    // A branch secretary may add units only below their own.
    if who.scope != Scope::Park && !unit.parent_id.is_some_and(|p| who.covers(Some(p), None)) {
        return Err(AppError::Forbidden("只能在本单位之下新建单位"));
    }
    check_unit_refs(db, who.park_id, &unit).await?;
    let mut tx = db.begin().await?;
    unit.id = queries::insert_unit(&mut tx, who.park_id, &unit, now)
        .await
        .map_err(|e| duplicate(e, "name", "名称", "已有同名单位"))?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "create",
        "unit",
        unit.id,
        None,
        Some(&unit),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn update_unit(
    db: &Db,
    who: &Principal,
    id: i64,
    input: UnitInput,
    now: DateTime<Utc>,
) -> Result<Unit, AppError> {
    who.require(Action::WriteOrg)?;
    let before = queries::unit(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("单位"))?;
    if !who.covers(Some(id), None) {
        return Err(AppError::NotFound("单位"));
    }
    let unit = validate_unit(input, id)?;
    if unit.parent_id.is_some() {
        let below = queries::subtree(db, who.park_id, id).await?;
        if unit.parent_id.is_some_and(|p| below.contains(&p)) {
            return Err(AppError::invalid(
                "parent_id",
                "上级",
                "上级单位不能是本单位或其下级",
            ));
        }
    }
    check_unit_refs(db, who.park_id, &unit).await?;
    let mut tx = db.begin().await?;
    queries::update_unit(&mut tx, who.park_id, &unit)
        .await
        .map_err(|e| duplicate(e, "name", "名称", "已有同名单位"))?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "update",
        "unit",
        id,
        Some(&before),
        Some(&unit),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

async fn check_unit_refs(db: &Db, park_id: i64, unit: &Unit) -> Result<(), AppError> {
    if let Some(p) = unit.parent_id {
        if queries::unit(db, park_id, p).await?.is_none() {
            return Err(AppError::invalid("parent_id", "上级", "上级单位不存在"));
        }
    }
    if let Some(e) = unit.enterprise_id {
        if queries::enterprise(db, park_id, e).await?.is_none() {
            return Err(AppError::invalid("enterprise_id", "所在企业", "企业不存在"));
        }
    }
    Ok(())
}

/// Units the principal may see.
pub async fn list_units(db: &Db, who: &Principal) -> Result<Vec<Unit>, AppError> {
    who.require(Action::ReadOrg)?;
    let all = queries::units(db, who.park_id).await?;
    Ok(all
        .into_iter()
        .filter(|u| who.covers(Some(u.id), None))
        .collect())
}

pub async fn get_unit(db: &Db, who: &Principal, id: i64) -> Result<Unit, AppError> {
    who.require(Action::ReadOrg)?;
    let unit = queries::unit(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("单位"))?;
    if !who.covers(Some(id), None) {
        return Err(AppError::NotFound("单位"));
    }
    Ok(unit)
}

// ---- enterprises ----

pub fn validate_enterprise(input: EnterpriseInput, id: i64) -> Result<Enterprise, AppError> {
    let mut errors = Vec::new();
    let name = required_name(&mut errors, "企业名称", &input.name);
    let credit_code = checked(
        &mut errors,
        "credit_code",
        "统一社会信用代码",
        trimmed(input.credit_code),
        |v| CreditCode::parse(v).map(|c| c.as_str().to_string()),
    );
    let contact_phone = parse_phone(
        &mut errors,
        "contact_phone",
        "联系电话",
        trimmed(input.contact_phone),
    );
    let scale = trimmed(input.scale);
    one_of(&mut errors, "scale", "规模", &scale, &SCALES);
    finish(errors)?;
    let tags = super::split_list(&input.tags.unwrap_or_default().join(","));
    Ok(Enterprise {
        tags: tags.join(","),
        id,
        name,
        credit_code,
        scale,
        industry: trimmed(input.industry),
        address: trimmed(input.address),
        contact: trimmed(input.contact),
        contact_phone,
        leader_name: trimmed(input.leader_name),
        leader_person_id: input.leader_person_id,
    })
}

fn parse_phone(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    v: Option<String>,
) -> Option<String> {
    checked(errors, field, label, v, |v| {
        Phone::parse(v).map(|p| p.as_str().to_string())
    })
}

/// Parses an optional value with one of the `ids` parsers, recording a refusal at its field.
fn checked<E: std::fmt::Display>(
    errors: &mut Vec<FieldError>,
    field: &str,
    label: &str,
    v: Option<String>,
    parse: impl Fn(&str) -> Result<String, E>,
) -> Option<String> {
    match parse(&v?) {
        Ok(normalized) => Some(normalized),
        Err(e) => {
            errors.push(FieldError {
                field: field.into(),
                label: label.into(),
                message: e.to_string(),
            });
            None
        }
    }
}

/// Refuses roles that may not keep the enterprise roster (only the park-wide 党建办 may).
pub fn may_edit_enterprises(who: &Principal) -> Result<(), AppError> {
    who.require(Action::WriteOrg)?;
    if who.scope != Scope::Park {
        return Err(AppError::Forbidden("仅党建办可以维护企业名录"));
    }
    Ok(())
}

pub async fn create_enterprise(
    db: &Db,
    who: &Principal,
    input: EnterpriseInput,
    now: DateTime<Utc>,
) -> Result<Enterprise, AppError> {
    who.require(Action::WriteOrg)?;
    if who.scope != Scope::Park {
        return Err(AppError::Forbidden("仅党建办可以维护企业名录"));
    }
    let mut e = validate_enterprise(input, 0)?;
    let mut tx = db.begin().await?;
    check_tags(&mut tx, who.park_id, &e).await?;
    e.id = queries::insert_enterprise(&mut tx, who.park_id, &e, now)
        .await
        .map_err(|err| duplicate(err, "name", "企业名称", "已有同名企业"))?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "create",
        "enterprise",
        e.id,
        None,
        Some(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

pub async fn update_enterprise(
    db: &Db,
    who: &Principal,
    id: i64,
    mut input: EnterpriseInput,
    now: DateTime<Utc>,
) -> Result<Enterprise, AppError> {
    who.require(Action::WriteOrg)?;
    if who.scope != Scope::Park {
        return Err(AppError::Forbidden("仅党建办可以维护企业名录"));
    }
    let before = queries::enterprise(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("企业"))?;
    input.contact_phone = unless_unchanged(
        input.contact_phone,
        before.contact_phone.as_deref(),
        mask_phone,
    );
    if input.tags.is_none() {
        input.tags = Some(super::stored_list(&before.tags));
    }
    let e = validate_enterprise(input, id)?;
    let mut tx = db.begin().await?;
    check_tags(&mut tx, who.park_id, &e).await?;
    queries::update_enterprise(&mut tx, who.park_id, &e)
        .await
        .map_err(|err| duplicate(err, "name", "企业名称", "已有同名企业"))?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "update",
        "enterprise",
        id,
        Some(&before),
        Some(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// Refuses an enterprise tagged with a tag the park has not defined, naming the tag.
async fn check_tags(tx: &mut Tx, park_id: i64, e: &Enterprise) -> Result<(), AppError> {
    let tags = super::stored_list(&e.tags);
    if tags.is_empty() {
        return Ok(());
    }
    let defined = queries::qualification_tags_tx(tx, park_id).await?;
    match super::undefined_tag(&tags, &defined) {
        Some(tag) => Err(AppError::invalid(
            "tags",
            "资质标签",
            super::undefined_tag_message(tag, &defined),
        )),
        None => Ok(()),
    }
}

/// The enterprises a principal may read in the 企业名录: all for park-wide roles, its own for an
/// enterprise user, and for a 支部书记 those its units sit in (None means every one).
async fn enterprises_in_reach(
    db: &Db,
    who: &Principal,
) -> Result<Option<std::collections::BTreeSet<i64>>, AppError> {
    match &who.scope {
        Scope::Enterprise(own) => Ok(Some([*own].into())),
        _ if !who.role.allows(Action::ReadOrg) => {
            Err(AppError::Forbidden("您的角色不能查看企业名录"))
        }
        Scope::Park => Ok(None),
        Scope::Units(units) => Ok(Some(
            queries::units(db, who.park_id)
                .await?
                .into_iter()
                .filter(|u| units.contains(&u.id))
                .filter_map(|u| u.enterprise_id)
                .collect(),
        )),
        Scope::Nothing => Ok(Some(Default::default())),
    }
}

pub async fn list_enterprises(db: &Db, who: &Principal) -> Result<Vec<Enterprise>, AppError> {
    let reach = enterprises_in_reach(db, who).await?;
    let all = queries::enterprises(db, who.park_id).await?;
    Ok(all
        .into_iter()
        .filter(|e| reach.as_ref().is_none_or(|r| r.contains(&e.id)))
        .map(mask_enterprise)
        .collect())
}

/// One enterprise of the 企业名录; one out of reach answers as a missing one does.
pub async fn get_enterprise(db: &Db, who: &Principal, id: i64) -> Result<Enterprise, AppError> {
    let reach = enterprises_in_reach(db, who).await?;
    let e = queries::enterprise(db, who.park_id, id)
        .await?
        .filter(|_| reach.as_ref().is_none_or(|r| r.contains(&id)))
        .ok_or(AppError::NotFound("企业"))?;
    Ok(mask_enterprise(e))
}

// ---- people ----

pub fn validate_person(input: PersonInput, id: i64) -> Result<Person, AppError> {
    let mut errors = Vec::new();
    let name = required_name(&mut errors, "姓名", &input.name);
    let id_number = checked(
        &mut errors,
        "id_number",
        "身份证号",
        trimmed(input.id_number),
        |v| IdNumber::parse(v).map(|n| n.as_str().to_string()),
    );
    let phone = parse_phone(&mut errors, "phone", "手机号", trimmed(input.phone));
    let gender = trimmed(input.gender);
    one_of(&mut errors, "gender", "性别", &gender, &["男", "女"]);
    let member_type = trimmed(input.member_type);
    one_of(
        &mut errors,
        "member_type",
        "党员类型",
        &member_type,
        &MEMBER_TYPES,
    );
    if let Some(d) = input.joined_on {
        errors.extend(crate::calendar::check_date(d, "joined_on", "入党日期").err());
    }
    finish(errors)?;
    let tags: Vec<String> = input
        .tags
        .iter()
        .map(|t| crate::ledger::value::normalize_text(t))
        .filter(|t| !t.is_empty())
        .collect();
    Ok(Person {
        id,
        name,
        gender,
        id_number,
        phone,
        unit_id: input.unit_id,
        is_member: input.is_member || member_type.is_some(),
        member_type,
        joined_on: input.joined_on,
        tags: tags.join(","),
    })
}

/// One ID number, one person: found through the blind index (the stored numbers are sealed).
/// The refusal names no one, since the other person may be outside the caller's scope.
async fn id_number_unique(db: &Db, park_id: i64, p: &Person) -> Result<(), AppError> {
    let Some(n) = &p.id_number else {
        return Ok(());
    };
    let exclude = (p.id != 0).then_some(p.id);
    if !queries::people_with_id_number(db, park_id, n, exclude)
        .await?
        .is_empty()
    {
        return Err(AppError::invalid(
            "id_number",
            "身份证号",
            "园区中已有人员登记了这个身份证号",
        ));
    }
    Ok(())
}

/// A person's unit, when one is given, is a unit of the park: a field error, never a broken
/// foreign key.
async fn person_unit_exists(db: &Db, who: &Principal, unit: Option<i64>) -> Result<(), AppError> {
    if let Some(u) = unit {
        if queries::unit(db, who.park_id, u).await?.is_none() {
            return Err(AppError::invalid("unit_id", "所在单位", "单位不存在"));
        }
    }
    Ok(())
}

pub async fn create_person(
    db: &Db,
    who: &Principal,
    input: PersonInput,
    now: DateTime<Utc>,
) -> Result<PersonView, AppError> {
    who.require(Action::WriteOrg)?;
    let mut p = validate_person(input, 0)?;
    if !who.covers(p.unit_id, None) && who.scope != Scope::Park {
        return Err(AppError::Forbidden("只能在本单位及下级单位登记人员"));
    }
    person_unit_exists(db, who, p.unit_id).await?;
    id_number_unique(db, who.park_id, &p).await?;
    let mut tx = db.begin().await?;
    p.id = queries::insert_person(&mut tx, who.park_id, &p, now).await?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "create",
        "person",
        p.id,
        None,
        Some(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(view_person(p, Vec::new()))
}

pub async fn update_person(
    db: &Db,
    who: &Principal,
    id: i64,
    mut input: PersonInput,
    now: DateTime<Utc>,
) -> Result<PersonView, AppError> {
    who.require(Action::WriteOrg)?;
    let before = queries::person(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    if !who.covers(before.unit_id, None) {
        return Err(AppError::NotFound("人员"));
    }
    // The form and the API show these masked: sent back empty or as shown, they stay as stored.
    input.id_number =
        unless_unchanged(input.id_number, before.id_number.as_deref(), mask_id_number);
    input.phone = unless_unchanged(input.phone, before.phone.as_deref(), mask_phone);
    let p = validate_person(input, id)?;
    if !who.covers(p.unit_id, None) {
        return Err(AppError::Forbidden("不能把人员调到本单位以外"));
    }
    person_unit_exists(db, who, p.unit_id).await?;
    if p.id_number != before.id_number {
        id_number_unique(db, who.park_id, &p).await?;
    }
    let mut tx = db.begin().await?;
    queries::update_person(&mut tx, who.park_id, &p).await?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "update",
        "person",
        id,
        Some(&before),
        Some(&p),
    )
    .await?;
    tx.commit().await?;
    let positions = queries::positions_of(db, who.park_id, id).await?;
    Ok(view_person(p, positions))
}

/// Records a new post for a person, closing their open posts in the same unit: a personnel
/// change keeps the old post in the history.
pub async fn appoint(
    db: &Db,
    who: &Principal,
    person_id: i64,
    input: PositionInput,
    now: DateTime<Utc>,
) -> Result<Position, AppError> {
    who.require(Action::WriteOrg)?;
    let person = queries::person(db, who.park_id, person_id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    if !who.covers(person.unit_id, None) {
        return Err(AppError::NotFound("人员"));
    }
    if !who.covers(Some(input.unit_id), None) {
        return Err(AppError::Forbidden("只能任免本单位及下级单位的职务"));
    }
    if queries::unit(db, who.park_id, input.unit_id)
        .await?
        .is_none()
    {
        return Err(AppError::invalid("unit_id", "单位", "单位不存在"));
    }
    let staff_type = trimmed(input.staff_type);
    let mut errors = Vec::new();
    one_of(
        &mut errors,
        "staff_type",
        "人员类型",
        &staff_type,
        &STAFF_TYPES,
    );
    if crate::ledger::value::normalize_text(&input.title).is_empty() {
        errors.push(FieldError::new("title", "职务", "必填项不能为空"));
    }
    if let Some(d) = input.start_on {
        errors.extend(crate::calendar::check_date(d, "start_on", "任职日期").err());
    }
    finish(errors)?;
    let start_on = input
        .start_on
        .unwrap_or_else(|| crate::calendar::today(now));
    let mut tx = db.begin().await?;
    for open in queries::positions_of(db, who.park_id, person_id).await? {
        if open.end_on.is_none() && open.unit_id == input.unit_id {
            queries::end_position(&mut tx, who.park_id, open.id, start_on).await?;
        }
    }
    let mut pos = Position {
        id: 0,
        person_id,
        unit_id: input.unit_id,
        title: crate::ledger::value::normalize_text(&input.title),
        staff_type,
        start_on: Some(start_on),
        end_on: None,
    };
    pos.id = queries::insert_position(&mut tx, who.park_id, &pos).await?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "create",
        "position",
        pos.id,
        None,
        Some(&pos),
    )
    .await?;
    tx.commit().await?;
    Ok(pos)
}

/// Ends a post on a date (a personnel change without a successor, a retirement).
pub async fn end_position(
    db: &Db,
    who: &Principal,
    position_id: i64,
    end_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Position, AppError> {
    who.require(Action::WriteOrg)?;
    let before = queries::position(db, who.park_id, position_id)
        .await?
        .ok_or(AppError::NotFound("职务"))?;
    let person = queries::person(db, who.park_id, before.person_id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    if !who.covers(Some(before.unit_id), None) || !who.covers(person.unit_id, None) {
        return Err(AppError::NotFound("职务"));
    }
    if before.end_on.is_some() {
        return Err(AppError::invalid("end_on", "离任日期", "该职务已经结束"));
    }
    crate::calendar::check_date(end_on, "end_on", "离任日期")
        .map_err(|e| AppError::Invalid(vec![e]))?;
    if before.start_on.is_some_and(|s| end_on < s) {
        return Err(AppError::invalid(
            "end_on",
            "离任日期",
            "离任日期不能早于任职日期",
        ));
    }
    let after = Position {
        end_on: Some(end_on),
        ..before.clone()
    };
    let mut tx = db.begin().await?;
    queries::end_position(&mut tx, who.park_id, position_id, end_on).await?;
    log(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "update",
        "position",
        position_id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The person a post belongs to, when the principal may see them.
pub async fn position_person(db: &Db, who: &Principal, position_id: i64) -> Result<i64, AppError> {
    who.require(Action::ReadOrg)?;
    let pos = queries::position(db, who.park_id, position_id)
        .await?
        .ok_or(AppError::NotFound("职务"))?;
    get_person(db, who, pos.person_id).await?;
    Ok(pos.person_id)
}

pub async fn list_people(
    db: &Db,
    who: &Principal,
    name: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Person>, i64), AppError> {
    who.require(Action::ReadOrg)?;
    let units = match &who.scope {
        Scope::Park => None,
        Scope::Units(u) => Some(u.as_slice()),
        _ => Some(&[][..]),
    };
    let (rows, total) = queries::people(
        db,
        who.park_id,
        units,
        name,
        limit.clamp(1, 500),
        offset.max(0),
    )
    .await?;
    Ok((rows.into_iter().map(mask_person).collect(), total))
}

pub async fn get_person(db: &Db, who: &Principal, id: i64) -> Result<PersonView, AppError> {
    who.require(Action::ReadOrg)?;
    let p = queries::person(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    if !who.covers(p.unit_id, None) {
        return Err(AppError::NotFound("人员"));
    }
    let positions = queries::positions_of(db, who.park_id, id).await?;
    Ok(view_person(p, positions))
}

fn view_person(p: Person, positions: Vec<Position>) -> PersonView {
    let p = mask_person(p);
    PersonView {
        tag_list: p
            .tags
            .split(',')
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        person: p,
        positions,
    }
}

// ---- shared ----

fn duplicate(e: crate::db::DbError, field: &str, label: &str, message: &str) -> AppError {
    if e.is_unique_violation() {
        AppError::invalid(field, label, message)
    } else {
        e.into()
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one audit line per call site reads best flat"
)]
async fn log<T: Serialize>(
    tx: &mut Tx,
    park_id: i64,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    entity: &str,
    id: i64,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), AppError> {
    let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    audit::record(
        tx,
        park_id,
        actor,
        now,
        Change {
            action,
            entity,
            entity_id: Some(id),
            before: json(before),
            after: json(after),
        },
    )
    .await?;
    Ok(())
}
