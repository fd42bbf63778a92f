//! What the attendance and sign-in pages call: the meeting's roster with who is marked how, the
//! secretary's marks saved, a sign-in code issued, and a member's sign-in on the public page.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::queries::{self, SignIn};
use super::token::{self, Code, CodeError};
use crate::audit::Actor;
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::attendance::Member;
use crate::ledger::attendance_service::{self as attendance, Marks};
use crate::ledger::catalogue::Attendance;
use crate::ledger::record::Names;
use crate::ledger::service::RecordView;

/// Wrong phone checks a person gets on one meeting's public page before it locks them out.
pub const TRIES: i64 = 5;

/// How a roster member stands at a meeting.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Unmarked,
    Present,
    /// Absent, with the reason.
    Absent(String),
}

/// One line of a meeting's roster.
#[derive(Clone, Debug)]
pub struct Line {
    pub member: Member,
    pub mark: Mark,
    pub signed: Option<SignIn>,
}

/// A meeting with its roster, as the attendance page and the public page show it.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub record: RecordView,
    pub attendance: Attendance,
    /// The key of the field naming the meeting's unit.
    pub unit_field: Option<String>,
    /// The absence reasons the kind offers.
    pub reasons: Vec<String>,
    pub lines: Vec<Line>,
    /// Names the record holds that the roster of its unit no longer has.
    pub strays: Vec<String>,
}

impl Sheet {
    /// A text field of the meeting as stored (empty when absent).
    pub fn field(&self, key: &str) -> String {
        self.record
            .fields
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

async fn sheet(
    db: &Db,
    park_id: i64,
    record: RecordView,
    def: &crate::ledger::catalogue::KindDef,
    a: Attendance,
) -> Result<Sheet, AppError> {
    let names = Names::load(db, park_id).await?;
    let members: Vec<Member> = match record.unit_id {
        Some(unit) => names.roster.of_unit(unit).into_iter().cloned().collect(),
        None => Vec::new(),
    };
    let marks = Marks::of(&a, &record.fields);
    let signed: HashMap<i64, SignIn> = queries::signins(db, park_id, record.id)
        .await?
        .into_iter()
        .map(|s| (s.person_id, s))
        .collect();
    let known: HashSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let strays = marks
        .present
        .iter()
        .chain(marks.absent.iter().map(|(n, _)| n))
        .filter(|n| !known.contains(n.as_str()))
        .cloned()
        .collect();
    let lines = members
        .into_iter()
        .map(|m| {
            let mark = if marks.present.contains(&m.name) {
                Mark::Present
            } else if let Some((_, r)) = marks.absent.iter().find(|(n, _)| *n == m.name) {
                Mark::Absent(r.clone())
            } else {
                Mark::Unmarked
            };
            Line {
                signed: signed.get(&m.id).cloned(),
                member: m,
                mark,
            }
        })
        .collect();
    let reasons = def
        .field(&a.absent)
        .map(|f| f.choices.clone())
        .unwrap_or_default();
    Ok(Sheet {
        record,
        attendance: a,
        unit_field: def.unit_field.clone(),
        reasons,
        lines,
        strays,
    })
}

/// A meeting the principal may read, with its roster.
pub async fn roster(db: &Db, who: &Principal, id: i64) -> Result<Sheet, AppError> {
    // Reading through the ledger's check first: a record out of reach answers as missing.
    crate::ledger::service::get(db, who, id).await?;
    let (record, def, a) = attendance::meeting(db, who.park_id, id).await?;
    sheet(db, who.park_id, record, &def, a).await
}

/// Refuses a principal who may not change meeting `record`'s attendance.
fn may_mark(who: &Principal, record: &RecordView) -> Result<(), AppError> {
    who.require(Action::WriteRecords(&record.kind))?;
    if !who.covers(record.unit_id, record.enterprise_id) {
        return Err(AppError::NotFound("记录"));
    }
    Ok(())
}

/// Saves the secretary's marks: `marks` maps roster members (person ids) to how they stand;
/// members left out are unmarked. A member newly present is signed in now (via the
/// secretary); one no longer present loses their sign-in.
pub async fn save(
    db: &Db,
    who: &Principal,
    id: i64,
    version: i64,
    marks: &HashMap<i64, Mark>,
    now: DateTime<Utc>,
) -> Result<RecordView, AppError> {
    let current = roster(db, who, id).await?;
    may_mark(who, &current.record)?;
    let (_, def, _) = attendance::meeting(db, who.park_id, id).await?;
    if let Some(unknown) = marks
        .keys()
        .find(|p| !current.lines.iter().any(|l| l.member.id == **p))
    {
        return Err(AppError::invalid(
            &current.attendance.present,
            "参会人员",
            format!("编号为 {unknown} 的人员不在本单位花名册中"),
        ));
    }
    let mut next = Marks::default();
    let mut present_ids = Vec::new();
    for line in &current.lines {
        match marks.get(&line.member.id) {
            Some(Mark::Present) if !next.present.contains(&line.member.name) => {
                next.present.push(line.member.name.clone());
                present_ids.push(line.member.id);
            }
            Some(Mark::Absent(reason)) => {
                next.absent.push((line.member.name.clone(), reason.clone()))
            }
            _ => {}
        }
    }
    let (mut tx, after) = attendance::rewrite(
        db,
        who.park_id,
        &current.record,
        &def,
        version,
        &next,
        &who.actor(),
        "attendance",
        now,
    )
    .await?;
    for line in &current.lines {
        let present = present_ids.contains(&line.member.id);
        match (&line.signed, present) {
            (None, true) => {
                queries::insert_signin(
                    &mut tx,
                    who.park_id,
                    id,
                    line.member.id,
                    now,
                    "secretary",
                    Some(who.user_id),
                )
                .await?
            }
            (Some(_), false) => {
                queries::delete_signin(&mut tx, who.park_id, id, line.member.id).await?
            }
            _ => {}
        }
    }
    tx.commit().await?;
    Ok(after)
}

/// The signing key of sign-in codes, derived from the process's audit key.
fn key() -> Result<[u8; 32], AppError> {
    crate::audit::key::installed()
        .map(|k| k.derive(token::PURPOSE))
        .ok_or_else(|| {
            AppError::Db(crate::db::DbError::AuditKey(
                "本进程没有安装审计密钥，无法签发签到码".into(),
            ))
        })
}

/// A sign-in code for meeting `id`, for a principal who may mark its attendance.
pub async fn issue(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(String, Code, Sheet), AppError> {
    let sheet = roster(db, who, id).await?;
    may_mark(who, &sheet.record)?;
    if sheet.record.deleted {
        return Err(AppError::BadRequest("记录已删除，不能签到".into()));
    }
    let (text, code) = token::issue(&key()?, who.park_id, id, now);
    Ok((text, code, sheet))
}

/// The meeting a code opens on the public page, with the CSRF token of its form.
pub async fn open(
    db: &Db,
    id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(Sheet, Code, String), AppError> {
    let key = key()?;
    let checked = token::verify(&key, code, id, now).map_err(refused)?;
    let (record, def, a) = attendance::meeting(db, checked.park_id, id)
        .await
        .map_err(|_| refused(CodeError::Invalid))?;
    if record.deleted {
        return Err(refused(CodeError::Invalid));
    }
    let sheet = sheet(db, checked.park_id, record, &def, a).await?;
    Ok((sheet, checked, token::form_token(&key, code)))
}

fn refused(e: CodeError) -> AppError {
    AppError::BadRequest(e.to_string())
}

/// Why a sign-in on the public page was refused, at its field.
fn at_field(field: &str, label: &str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, label, message)
}

/// A member signs in on the public page: `code` opened it, `form` is its CSRF token, the
/// person is one of the meeting's roster and `last4` the last four digits of their phone. Each
/// wrong check counts; after [`TRIES`] the person is locked out of this meeting's page. The
/// phone is compared, never shown. Signing in twice is no error.
pub async fn sign_in(
    db: &Db,
    id: i64,
    code: &str,
    form: &str,
    person_id: Option<i64>,
    last4: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let (sheet, checked, expected_form) = open(db, id, code, now).await?;
    if form != expected_form {
        return Err(AppError::Forbidden(
            "签到表单已失效，请重新扫描二维码后再签到（CSRF 防护）",
        ));
    }
    let park_id = checked.park_id;
    let Some(person_id) = person_id else {
        return Err(at_field("person", "姓名", "请选择您的姓名"));
    };
    let Some(line) = sheet.lines.iter().find(|l| l.member.id == person_id) else {
        return Err(at_field("person", "姓名", "请从名单中选择您的姓名"));
    };
    let digits: String = last4
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if digits.chars().count() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(at_field(
            "last4",
            "手机号后四位",
            "请填写手机号的后四位数字",
        ));
    }
    if line.mark == Mark::Present && line.signed.is_some() {
        return Ok(line.member.name.clone());
    }
    if !queries::claim_try(db, park_id, id, person_id, TRIES).await? {
        return Err(at_field(
            "last4",
            "手机号后四位",
            "核对失败次数过多，已锁定本次会议的扫码签到，请请会议记录人为您登记",
        ));
    }
    let person = crate::org::queries::person(db, park_id, person_id)
        .await?
        .ok_or(AppError::NotFound("人员"))?;
    let phone_digits: String = person
        .phone
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if phone_digits.len() < 4 || !phone_digits.ends_with(&digits) {
        let left = TRIES - queries::failures(db, park_id, id, person_id).await?;
        let message = if left > 0 {
            format!("手机号后四位与花名册不符，还可尝试 {left} 次")
        } else {
            "手机号后四位与花名册不符，已锁定本次会议的扫码签到，请请会议记录人为您登记".to_owned()
        };
        return Err(at_field("last4", "手机号后四位", message));
    }
    let actor = Actor {
        user_id: None,
        login: format!("扫码签到：{}", line.member.name),
    };
    let name = line.member.name.clone();
    // Members signing in side by side change the same record: one that lost the race reads
    // the record again and adds itself to what the other saved.
    let mut sheet = sheet;
    for attempt in 0.. {
        let mut marks = Marks::of(&sheet.attendance, &sheet.record.fields);
        marks.absent.retain(|(n, _)| *n != name);
        if !marks.present.contains(&name) {
            marks.present.push(name.clone());
        }
        let (_, def, _) = attendance::meeting(db, park_id, id).await?;
        let written = attendance::rewrite(
            db,
            park_id,
            &sheet.record,
            &def,
            sheet.record.version,
            &marks,
            &actor,
            "sign_in",
            now,
        )
        .await;
        let mut tx = match written {
            Ok((tx, _)) => tx,
            Err(AppError::Conflict { .. }) if attempt < 5 => {
                sheet = open(db, id, code, now).await?.0;
                continue;
            }
            Err(e) => {
                // The phone was right: the refusal is the record's, not a wrong try.
                let mut tx = db.begin().await?;
                queries::clear_tries(&mut tx, park_id, id, person_id).await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        queries::insert_signin(&mut tx, park_id, id, person_id, now, "qr", None).await?;
        queries::clear_tries(&mut tx, park_id, id, person_id).await?;
        tx.commit().await?;
        break;
    }
    Ok(name)
}
