//! What both faces call: raising a request (an enterprise for itself; staff for an enterprise,
//! as received by phone, on a visit or at a forum), reading one with its thread, the list in
//! the caller's scope, taking a step, and a message in the thread. Every write checks the role
//! and the scope, is audited, and refuses a step on a request someone else changed since it was
//! read (409, nothing lost).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub use super::queries::RequestTotals;
use super::queries::{self, EventRow, NewRequest, RequestRow, StepChange};
use super::settings::{self, Category, Escalation};
use super::{deadlines, Deadlines, Party, Rating, State, Status, Step, STEPS};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal, Role, Scope};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::ledger::service::Listing;

const TITLE_MAX: usize = 100;
const TEXT_MAX: usize = 4000;

/// How a request reached the park: raised on the portal, or received by the team.
pub const CHANNELS: [(&str, &str); 4] = [
    ("portal", "企业在线提交"),
    ("phone", "电话"),
    ("visit", "走访"),
    ("forum", "座谈会"),
];

/// The channel of a request carried over from the 企业难题 or 意见建议 ledger (migration
/// 0016): never chosen on a form.
pub const CARRIED_CHANNEL: (&str, &str) = ("ledger", "台账转入");

/// A new request as a form or a JSON body gives it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RequestInput {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub contact_name: String,
    /// Staff only: the enterprise the request is from.
    pub enterprise_id: Option<i64>,
    /// Staff only: the day it was received (today when left out).
    pub received_on: Option<NaiveDate>,
    /// Staff only: phone, visit or forum (phone when left out).
    pub channel: Option<String>,
    /// `problem` (a 诉求 to be answered, when left out) or `suggestion` (意见建议).
    pub nature: Option<String>,
}

/// A step as a form or a JSON body asks for it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StepInput {
    #[serde(default)]
    pub text: String,
    /// The version the caller read; the step is refused when someone changed it since.
    pub version: Option<i64>,
    /// For a rating: satisfied, fair or unsatisfied (满意, 基本满意, 不满意).
    pub rating: Option<String>,
}

/// A request as the faces show it.
#[derive(Clone, Debug, Serialize)]
pub struct RequestView {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    /// problem (诉求) or suggestion (意见建议).
    pub nature: String,
    pub category: String,
    pub group: String,
    pub title: String,
    pub description: String,
    pub contact_name: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub registered_on: NaiveDate,
    pub status: &'static str,
    pub status_label: &'static str,
    pub due: Deadlines,
    /// green, yellow (less than 30% of the time to close left) or red (overdue); none once
    /// the request is no longer open.
    pub colour: Option<&'static str>,
    /// Closed and rated 不满意, so a 回访 is due (`due.visit_by`).
    pub awaiting_visit: bool,
    /// The colour of the 回访's deadline while it is awaited, counted from the rating as
    /// `colour` is from registration; none when no deadline was counted.
    pub visit_colour: Option<&'static str>,
    /// For an open request past its closing deadline: escalated to its group's leaders, then,
    /// [`settings::TEAM_LEADER_AFTER`] working days on, to the team's leader.
    pub escalation: Option<Escalation>,
    pub escalation_label: Option<&'static str>,
    pub extended: bool,
    /// Who took it on (承办人): whoever accepted it; empty before.
    pub assignee: String,
    pub rating: Option<&'static str>,
    pub rating_label: Option<&'static str>,
    pub reopened: i64,
    pub version: i64,
    /// The ledger record this request was carried over from (企业难题, 意见建议), or the visit
    /// (走访) it was raised on.
    pub source_record_id: Option<i64>,
    /// The line of the visit's 反映问题 the request was raised from (1-based).
    pub source_line: Option<i32>,
    /// The steps the caller may take now.
    pub steps: Vec<Step>,
}

/// A request with its thread.
#[derive(Clone, Debug, Serialize)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: RequestView,
    pub events: Vec<EventView>,
    /// The files of the request (the enterprise's evidence, the team's answers), oldest first.
    pub attachments: Vec<super::attachments::RequestFile>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventView {
    pub at: DateTime<Utc>,
    /// `at` on the park's clock, as a page shows it.
    pub local_at: String,
    pub login: String,
    pub step: String,
    pub step_label: &'static str,
    pub status_label: &'static str,
    pub text: String,
}

/// The list's filters.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RequestFilter {
    /// A status, or `open` for every status still being worked.
    pub status: Option<String>,
    pub group: Option<String>,
    /// `today`: open and due to close today; `overdue`: open and past its closing deadline;
    /// `escalated`: open and escalated to the team's leader; `visit`: closed, rated 不满意 and
    /// awaiting its 回访; `visit_due`: of those, the ones whose 回访 is due today or late.
    pub due: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The party a principal acts as on requests, when its role has any part in them (a group's
/// leader is found by [`party_on`]).
pub(super) fn party(who: &Principal) -> Option<Party> {
    match who.role {
        Role::Enterprise => Some(Party::Enterprise),
        Role::ServiceStaff => Some(Party::Team),
        Role::Office => Some(Party::Office),
        _ => None,
    }
}

/// The party the principal acts as on a request of `group`: a 园小二 account that leads that
/// group, or leads the team, acts as [`Party::GroupLeader`].
async fn party_on(db: &Db, who: &Principal, group: &str) -> Result<Option<Party>, AppError> {
    let basic = party(who);
    if basic != Some(Party::Team) {
        return Ok(basic);
    }
    Ok(
        match settings::place_of(db, who.park_id, who.user_id).await? {
            Some((_, settings::Duty::TeamLeader)) => Some(Party::GroupLeader),
            Some((g, settings::Duty::GroupLeader)) if g == group => Some(Party::GroupLeader),
            _ => basic,
        },
    )
}

/// The enterprise whose requests alone the principal sees, if it is bound to one.
fn own_enterprise(who: &Principal) -> Result<Option<i64>, AppError> {
    match (&who.scope, who.role) {
        (Scope::Enterprise(e), _) => Ok(Some(*e)),
        (_, Role::Enterprise) => Err(AppError::Forbidden("账号未关联企业，不能提出诉求")),
        _ => Ok(None),
    }
}

/// Raises a request: an enterprise user for its own enterprise; 党建办 and 园小二 for the
/// enterprise they name, as received by phone, on a visit or at a forum.
pub async fn create(
    db: &Db,
    who: &Principal,
    input: RequestInput,
    now: DateTime<Utc>,
) -> Result<RequestDetail, AppError> {
    who.require(Action::RaiseRequests)?;
    let today = crate::calendar::today(now);
    let own = own_enterprise(who)?;
    let categories = settings::categories(db, who.park_id).await?;
    let mut errors = Vec::new();
    let text = Texts::check(&input, &categories, &mut errors);
    let (enterprise_id, received_on, channel) = match own {
        Some(e) => {
            if input.enterprise_id.is_some_and(|asked| asked != e) {
                errors.push(FieldError::new(
                    "enterprise_id",
                    "企业",
                    "只能为本企业提出诉求",
                ));
            }
            (Some(e), today, "portal".to_string())
        }
        None => {
            let received = input.received_on.unwrap_or(today);
            if let Err(e) = crate::calendar::check_date(received, "received_on", "收到日期") {
                errors.push(e);
            } else if received > today {
                errors.push(FieldError::new(
                    "received_on",
                    "收到日期",
                    format!("{received} 晚于今天"),
                ));
            }
            let channel = input.channel.clone().unwrap_or_else(|| "phone".into());
            if !CHANNELS.iter().any(|(c, _)| *c == channel) || channel == "portal" {
                errors.push(FieldError::new(
                    "channel",
                    "来源",
                    "请选择 phone（电话）、visit（走访）或 forum（座谈会）",
                ));
            }
            let enterprise = match input.enterprise_id {
                None => {
                    errors.push(FieldError::new("enterprise_id", "企业", "请选择企业"));
                    None
                }
                Some(id) => match crate::org::queries::enterprise(db, who.park_id, id).await? {
                    Some(_) => Some(id),
                    None => {
                        errors.push(FieldError::new("enterprise_id", "企业", "没有这家企业"));
                        None
                    }
                },
            };
            (enterprise, received, channel)
        }
    };
    let (Some(enterprise_id), Some(category), true) =
        (enterprise_id, text.category.clone(), errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let at = Received {
        enterprise_id,
        on: received_on,
        channel: &channel,
        source: None,
    };
    let id = register(db, who, &text, &category, at, "", now).await?;
    get(db, who, id, now).await
}

/// A problem raised on a visit (one line of a 走访 record's 反映问题) as a request: from the
/// visit's enterprise, received on the visit's day, channel `visit`, naming the visit and the
/// line. Whoever may write the visit raises it (a 领导 too, who raises no other request); a
/// line becomes one request at most (the unique index of migration 0019 holds it even for two
/// at once), and a second ask is refused naming the request already raised.
pub async fn raise_from_visit(
    db: &Db,
    who: &Principal,
    record_id: i64,
    line: usize,
    input: RequestInput,
    now: DateTime<Utc>,
) -> Result<RequestDetail, AppError> {
    let visit = crate::ledger::service::get(db, who, record_id).await?;
    if visit.kind != crate::visits::VISIT_KIND || visit.deleted {
        return Err(AppError::NotFound("走访记录"));
    }
    who.require(Action::WriteRecords(&visit.kind))?;
    who.require(Action::ReadRequests)?;
    let problems = crate::visits::problem_lines(visit.fields.get(crate::visits::PROBLEMS_FIELD));
    let Some(problem) = line.checked_sub(1).and_then(|i| problems.get(i)) else {
        return Err(AppError::NotFound("反映问题"));
    };
    let Some(enterprise_id) = visit.enterprise_id else {
        return Err(AppError::invalid(
            "enterprise",
            "企业",
            "走访记录未关联企业名录中的企业，不能转为企业诉求",
        ));
    };
    let source = (record_id, i32::try_from(line).unwrap_or(i32::MAX));
    if let Some(raised) = queries::raised_from(db, who.park_id, record_id)
        .await?
        .iter()
        .find(|r| r.1 == source.1)
    {
        return Err(AppError::BadRequest(format!(
            "该问题已转为企业诉求（诉求#{}），不再重复转换",
            raised.0
        )));
    }
    let input = RequestInput {
        title: crate::visits::request_title(problem),
        description: problem.clone(),
        ..input
    };
    let categories = settings::categories(db, who.park_id).await?;
    let mut errors = Vec::new();
    let text = Texts::check(&input, &categories, &mut errors);
    let (Some(category), true) = (text.category.clone(), errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let visitor = visit
        .fields
        .get("visitor")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let note = format!(
        "由走访记录#{record_id}（{}，{visitor}）第{line}条反映问题转为诉求",
        visit.date
    );
    let at = Received {
        enterprise_id,
        on: visit.date,
        channel: "visit",
        source: Some(source),
    };
    let id = match register(db, who, &text, &category, at, &note, now).await {
        Err(AppError::Db(e)) if e.is_unique_violation() => {
            return Err(AppError::BadRequest(
                "该问题已转为企业诉求，不再重复转换".to_string(),
            ))
        }
        other => other?,
    };
    get(db, who, id, now).await
}

/// Where and when a new request was received, and what it was raised from.
struct Received<'a> {
    enterprise_id: i64,
    on: NaiveDate,
    channel: &'a str,
    source: Option<(i64, i32)>,
}

/// The texts of a new request, checked: each wrong one an error naming its field.
struct Texts {
    /// The park's category named, when it has one by that name.
    category: Option<Category>,
    title: String,
    description: String,
    contact_name: String,
    nature: &'static str,
}

impl Texts {
    fn check(input: &RequestInput, categories: &[Category], errors: &mut Vec<FieldError>) -> Texts {
        let named = input.category.trim();
        let category = categories.iter().find(|c| c.name == named).cloned();
        if category.is_none() {
            let list: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
            errors.push(FieldError::new(
                "category",
                "类别",
                format!("请从以下类别中选择：{}", list.join("、")),
            ));
        }
        let title = crate::ledger::value::normalize_text(&input.title);
        if title.is_empty() {
            errors.push(FieldError::new("title", "标题", "请填写诉求标题"));
        } else if title.chars().count() > TITLE_MAX {
            errors.push(FieldError::new(
                "title",
                "标题",
                format!("不超过 {TITLE_MAX} 字"),
            ));
        }
        let description = input.description.trim().replace("\r\n", "\n");
        if description.is_empty() {
            errors.push(FieldError::new(
                "description",
                "诉求内容",
                "请写明诉求的具体内容",
            ));
        } else if description.chars().count() > TEXT_MAX {
            errors.push(FieldError::new(
                "description",
                "诉求内容",
                format!("不超过 {TEXT_MAX} 字"),
            ));
        }
        let contact_name = crate::ledger::value::normalize_text(&input.contact_name);
        let nature = match input.nature.as_deref().map(str::trim) {
            None | Some("") | Some(super::PROBLEM) => super::PROBLEM,
            Some(super::SUGGESTION) => super::SUGGESTION,
            Some(_) => {
                errors.push(FieldError::new(
                    "nature",
                    "诉求性质",
                    "请选择 problem（问题诉求）或 suggestion（意见建议）",
                ));
                super::PROBLEM
            }
        };
        Texts {
            category,
            title,
            description,
            contact_name,
            nature,
        }
    }
}

/// Stores a checked request with its deadlines, its first line in the thread (`note`) and its
/// audit entry, in one transaction; its id.
async fn register(
    db: &Db,
    who: &Principal,
    text: &Texts,
    category: &Category,
    at: Received<'_>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let today = crate::calendar::today(now);
    let calendar = crate::workdays::service::workdays(db, who.park_id).await?;
    let due = deadlines(&calendar, today, category.limits, false);
    let group = category.group.as_str();
    let new = NewRequest {
        enterprise_id: Some(at.enterprise_id),
        nature: text.nature,
        category: &category.name,
        team_group: group,
        title: &text.title,
        description: &text.description,
        contact_name: &text.contact_name,
        channel: at.channel,
        received_on: at.on,
        registered_on: today,
        due,
        created_by: who.user_id,
        source: at.source,
    };
    let mut tx = db.begin().await?;
    let id = queries::insert(&mut tx, who.park_id, &new, now).await?;
    let about = crate::notify::service::RequestNote {
        id,
        enterprise_id: Some(at.enterprise_id),
        title: &text.title,
    };
    crate::notify::service::new_request(
        &mut tx,
        who.park_id,
        &about,
        &category.name,
        group,
        due.contact_by,
        now,
    )
    .await?;
    let mut after = json!({
        "enterprise_id": at.enterprise_id, "category": category.name, "group": group,
        "title": text.title, "description": text.description, "channel": at.channel,
        "received_on": at.on, "due": due,
    });
    if let Some((record, line)) = at.source {
        after["source_record_id"] = json!(record);
        after["source_line"] = json!(line);
    }
    let line = Line {
        step: "register",
        status: Status::Registered.as_str(),
        text: note,
    };
    written(tx, who, id, line, "create", None, after, now).await?;
    Ok(id)
}

/// One request with its thread, when the caller may see it (an enterprise: its own only; an
/// id out of reach answers as a missing one).
pub async fn get(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<RequestDetail, AppError> {
    who.require(Action::ReadRequests)?;
    let row = queries::get(db, who.park_id, id)
        .await?
        .filter(|r| in_reach(who, r))
        .ok_or(AppError::NotFound("诉求"))?;
    let events = queries::events(db, who.park_id, id)
        .await?
        .into_iter()
        .map(event_view)
        .collect();
    let party = party_on(db, who, &row.team_group).await?;
    let today = crate::calendar::today(now);
    let calendar = calendar_if_overdue(db, who, std::slice::from_ref(&row), today).await?;
    let attachments = super::attachments::list(db, who, id).await?;
    Ok(RequestDetail {
        request: view(party, row, today, calendar.as_ref()),
        events,
        attachments,
    })
}

/// The `status` of a filter that stands for every open status.
pub const OPEN: &str = "open";

/// The requests in the caller's scope, the most pressing first.
pub async fn list(
    db: &Db,
    totals: &RequestTotals,
    who: &Principal,
    f: RequestFilter,
    now: DateTime<Utc>,
) -> Result<Listing<RequestView>, AppError> {
    who.require(Action::ReadRequests)?;
    let today = crate::calendar::today(now);
    let mut narrow = queries::Narrow {
        enterprise_id: own_enterprise(who)?,
        ..Default::default()
    };
    match f.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {}
        Some(OPEN) => narrow.open = true,
        Some(s) => {
            let status = Status::parse(s)
                .ok_or_else(|| AppError::invalid("status", "状态", format!("没有“{s}”这个状态")))?;
            narrow.status = Some(status.as_str());
        }
    }
    narrow.group = f.group.as_deref().map(str::trim).filter(|g| !g.is_empty());
    if let Some(g) = narrow.group {
        if !super::GROUPS.contains(&g) {
            return Err(AppError::invalid(
                "group",
                "小组",
                format!("没有“{g}”这个小组"),
            ));
        }
    }
    match f.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => {}
        Some("today") => {
            narrow.open = true;
            narrow.close_on = Some(today);
        }
        Some("overdue") => {
            narrow.open = true;
            narrow.close_before = Some(today);
        }
        Some("escalated") => {
            narrow.open = true;
            narrow.close_before = Some(escalated_before(db, who, today).await?);
        }
        Some("visit") => narrow.awaiting_visit = true,
        Some("visit_due") => narrow.visit_by = Some(today),
        Some(d) => {
            return Err(AppError::invalid(
                "due",
                "办结时限",
                format!(
                    "没有“{d}”这个筛选：可用 today（今天到期）、overdue（已超时）、escalated（已升级至团队负责人）、visit（待回访）或 visit_due（回访今天到期或已超时）"
                ),
            ))
        }
    }
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let offset = f.offset.unwrap_or(0).max(0);
    let (rows, total) = queries::list(db, totals, who.park_id, narrow, limit, offset).await?;
    let calendar = calendar_if_overdue(db, who, &rows, today).await?;
    Ok(Listing {
        items: rows
            .into_iter()
            .map(|r| view(party(who), r, today, calendar.as_ref()))
            .collect(),
        total,
        limit,
        offset,
    })
}

/// How many requests in the caller's scope are open, due to close today and overdue: what
/// the list answers for `status=open`, `due=today` and `due=overdue`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pressing {
    pub open: i64,
    pub due_today: i64,
    pub overdue: i64,
    /// Overdue long enough to be escalated to the team's leader (`due=escalated`).
    pub escalated: i64,
    /// Rated 不满意 and awaiting their 回访 (`due=visit`).
    pub to_visit: i64,
    /// Of those, the ones whose 回访 is due today or late (`due=visit_due`).
    pub visit_due: i64,
}

/// The caller's [`Pressing`] counts, narrowed as [`list`] narrows.
pub async fn pressing(
    db: &Db,
    totals: &RequestTotals,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Pressing, AppError> {
    who.require(Action::ReadRequests)?;
    let today = crate::calendar::today(now);
    let open = queries::Narrow {
        enterprise_id: own_enterprise(who)?,
        open: true,
        ..Default::default()
    };
    let due_today = queries::Narrow {
        close_on: Some(today),
        ..open
    };
    let overdue = queries::Narrow {
        close_before: Some(today),
        ..open
    };
    let escalated = queries::Narrow {
        close_before: Some(escalated_before(db, who, today).await?),
        ..open
    };
    let to_visit = queries::Narrow {
        enterprise_id: open.enterprise_id,
        awaiting_visit: true,
        ..Default::default()
    };
    let visit_due = queries::Narrow {
        visit_by: Some(today),
        ..to_visit
    };
    Ok(Pressing {
        open: queries::count(db, totals, who.park_id, open).await?,
        due_today: queries::count(db, totals, who.park_id, due_today).await?,
        overdue: queries::count(db, totals, who.park_id, overdue).await?,
        escalated: queries::count(db, totals, who.park_id, escalated).await?,
        to_visit: queries::count(db, totals, who.park_id, to_visit).await?,
        visit_due: queries::count(db, totals, who.park_id, visit_due).await?,
    })
}

/// The day before which an open request's closing deadline fell for it to be escalated to the
/// team's leader on `today`.
async fn escalated_before(
    db: &Db,
    who: &Principal,
    today: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let calendar = crate::workdays::service::workdays(db, who.park_id).await?;
    let cutoff = settings::team_leader_cutoff(&calendar, today);
    Ok(cutoff.succ_opt().unwrap_or(cutoff))
}

/// The park's calendar, read only when one of `rows` is open and overdue (its escalation is
/// counted in working days) and the principal is staff: escalation is the team's own business,
/// not shown to the enterprise.
async fn calendar_if_overdue(
    db: &Db,
    who: &Principal,
    rows: &[RequestRow],
    today: NaiveDate,
) -> Result<Option<crate::workdays::Workdays>, AppError> {
    let overdue = who.role != Role::Enterprise
        && rows
            .iter()
            .any(|r| Status::parse(&r.status).is_some_and(Status::is_open) && r.close_by < today);
    Ok(if overdue {
        Some(crate::workdays::service::workdays(db, who.park_id).await?)
    } else {
        None
    })
}

/// How many requests in the caller's scope are in each status, in the order a request passes
/// them: the totals [`list`] answers for `status=…`, counted by it.
pub async fn by_status(
    db: &Db,
    totals: &RequestTotals,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<(Status, i64)>, AppError> {
    let mut out = Vec::with_capacity(super::STATUSES.len());
    for status in super::STATUSES {
        let filter = RequestFilter {
            status: Some(status.as_str().to_string()),
            limit: Some(1),
            ..Default::default()
        };
        out.push((status, list(db, totals, who, filter, now).await?.total));
    }
    Ok(out)
}

/// Takes `step` on request `id`: the role must take part in it, the request's state must allow
/// it, a reason or reply must be given where the step needs one, and the version read must
/// still be the stored one. Audited, and written into the thread.
pub async fn take_step(
    db: &Db,
    who: &Principal,
    id: i64,
    step: Step,
    input: StepInput,
    now: DateTime<Utc>,
) -> Result<RequestDetail, AppError> {
    who.require(Action::ReadRequests)?;
    let Some(basic) = party(who) else {
        return Err(AppError::Forbidden("您的角色不办理企业诉求"));
    };
    // A group's leader is known once the request's group is: an extension is checked again
    // below, against the request read in the transaction.
    let may_lead = step == Step::Extend && basic == Party::Team;
    if !step.taken_by(basic) && !may_lead {
        return Err(AppError::Forbidden(refusal(step)));
    }
    let text = input.text.trim().replace("\r\n", "\n");
    let mut errors = Vec::new();
    if step.needs_text() && text.is_empty() {
        let what = match step {
            Step::Return => "请写明退回的理由",
            Step::Extend => "请写明延期的理由",
            Step::Visit => "请写明回访的情况",
            Step::Reopen => "请写明重办的原因",
            _ => "请填写答复内容",
        };
        errors.push(FieldError::new("text", "内容", what));
    }
    if text.chars().count() > TEXT_MAX {
        errors.push(FieldError::new(
            "text",
            "内容",
            format!("不超过 {TEXT_MAX} 字"),
        ));
    }
    let rating = match (step, input.rating.as_deref().map(str::trim)) {
        (Step::Rate, Some(r)) => match Rating::parse(r) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new(
                    "rating",
                    "评价",
                    "请选择满意、基本满意或不满意",
                ));
                None
            }
        },
        (Step::Rate, None) => {
            errors.push(FieldError::new(
                "rating",
                "评价",
                "请选择满意、基本满意或不满意",
            ));
            None
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let today = crate::calendar::today(now);
    let calendar = crate::workdays::service::workdays(db, who.park_id).await?;
    let categories = settings::categories(db, who.park_id).await?;
    let mut tx = db.begin().await?;
    let row = queries::get_tx(&mut tx, who.park_id, id)
        .await?
        .filter(|r| in_reach(who, r))
        .ok_or(AppError::NotFound("诉求"))?;
    if may_lead {
        let party = party_on(db, who, &row.team_group).await?;
        if !party.is_some_and(|p| step.taken_by(p)) {
            return Err(AppError::Forbidden(refusal(step)));
        }
    }
    let limits = settings::limits_of(&categories, &row.category);
    if input.version.is_some_and(|v| v != row.version) {
        return Err(AppError::Conflict {
            current: row.version,
        });
    }
    let before = state(&row);
    let status = step
        .apply(before)
        .map_err(|r| AppError::invalid("status", "状态", r.0))?;
    let stored = Deadlines {
        contact_by: row.contact_by,
        reply_by: row.reply_by,
        close_by: row.close_by,
        visit_by: row.visit_by,
        estimated: row.estimated,
    };
    let mut change = StepChange {
        status: status.as_str(),
        assignee_id: row.assignee_id,
        counted_from: row.counted_from,
        due: stored,
        extended: row.extended,
        contacted_on: row.contacted_on,
        replied_on: row.replied_on,
        closed_on: row.closed_on,
        rating: row.rating.as_deref(),
        rated: row.rated,
        rated_on: row.rated_on,
        reopened: row.reopened,
    };
    match step {
        Step::Accept | Step::Overrule => {
            change.contacted_on = change.contacted_on.or(Some(today));
            // Whoever takes it on answers for it (承办人), unless someone already does.
            change.assignee_id = change.assignee_id.or(Some(who.user_id));
        }
        Step::Reply => change.replied_on = Some(today),
        Step::Close => change.closed_on = Some(today),
        Step::Extend => {
            change.extended = true;
            let longer = deadlines(&calendar, row.registered_on, limits, true);
            change.due.close_by = longer.close_by;
            change.due.estimated |= longer.estimated;
        }
        Step::Rate => {
            change.rating = rating.map(Rating::as_str);
            change.rated = true;
            change.rated_on = Some(today);
            // A 不满意 calls for a 回访 within a working day.
            change.due.visit_by = None;
            if rating == Some(Rating::Unsatisfied) {
                let visit = calendar.add(today, super::VISIT_WITHIN);
                change.due.visit_by = Some(visit.date);
                change.due.estimated |= visit.estimated;
            }
        }
        Step::Reopen => {
            // Worked again from today, to fresh deadlines.
            change.due = deadlines(&calendar, today, limits, false);
            change.counted_from = Some(today);
            change.extended = false;
            change.replied_on = None;
            change.closed_on = None;
            change.rating = None;
            change.rated = false;
            change.rated_on = None;
            change.reopened += 1;
        }
        Step::Return | Step::StageReply | Step::Visit => {}
    }
    if !queries::apply(&mut tx, who.park_id, id, row.version, &change, now).await? {
        return Err(AppError::Conflict {
            current: row.version + 1,
        });
    }
    let shown = match rating {
        Some(r) if text.is_empty() => r.label().to_string(),
        Some(r) => format!("{}：{text}", r.label()),
        None => text.clone(),
    };
    let note = crate::notify::service::RequestNote {
        id,
        enterprise_id: row.enterprise_id,
        title: &row.title,
    };
    crate::notify::service::request_step(
        &mut tx,
        who.park_id,
        &note,
        step,
        &text,
        change.due.close_by,
        now,
    )
    .await?;
    if let (Some(Rating::Unsatisfied), Some(by)) = (rating, change.due.visit_by) {
        crate::notify::service::unsatisfied(&mut tx, who.park_id, &note, row.assignee_id, by, now)
            .await?;
    }
    let before = json!({ "status": row.status, "close_by": row.close_by, "version": row.version });
    let after =
        json!({ "status": status.as_str(), "close_by": change.due.close_by, "text": shown });
    let line = Line {
        step: step.as_str(),
        status: status.as_str(),
        text: &shown,
    };
    written(tx, who, id, line, step.as_str(), Some(before), after, now).await?;
    get(db, who, id, now).await
}

/// Why the principal may not take `step` at all.
fn refusal(step: Step) -> &'static str {
    match step {
        Step::Rate => "只有提出诉求的企业可以评价",
        Step::Overrule => "撤销退回由党建办决定",
        Step::Extend => "延期由本组组长、园小二团队负责人或党建办批准",
        _ => "企业用户不能办理诉求",
    }
}

/// A message in the request's thread, from the enterprise or the team; the status stays.
pub async fn post_message(
    db: &Db,
    who: &Principal,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<RequestDetail, AppError> {
    who.require(Action::ReadRequests)?;
    if party(who).is_none() {
        return Err(AppError::Forbidden("您的角色不办理企业诉求"));
    }
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(AppError::invalid("text", "留言", "请填写留言内容"));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(AppError::invalid(
            "text",
            "留言",
            format!("不超过 {TEXT_MAX} 字"),
        ));
    }
    let row = queries::get(db, who.park_id, id)
        .await?
        .filter(|r| in_reach(who, r))
        .ok_or(AppError::NotFound("诉求"))?;
    let mut tx = db.begin().await?;
    if party(who) != Some(Party::Enterprise) {
        let note = crate::notify::service::RequestNote {
            id,
            enterprise_id: row.enterprise_id,
            title: &row.title,
        };
        crate::notify::service::team_message(&mut tx, who.park_id, &note, &text, now).await?;
    }
    let line = Line {
        step: "message",
        status: &row.status,
        text: &text,
    };
    written(
        tx,
        who,
        id,
        line,
        "message",
        None,
        json!({ "text": text }),
        now,
    )
    .await?;
    get(db, who, id, now).await
}

/// A line of a request's thread.
struct Line<'a> {
    step: &'a str,
    status: &'a str,
    text: &'a str,
}

/// Ends a write to request `id`: its line in the thread and its audit entry, in the
/// transaction of the change itself, then commits.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one audited write, each its own"
)]
async fn written(
    mut tx: crate::db::Tx,
    who: &Principal,
    id: i64,
    line: Line<'_>,
    action: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let actor = who.actor();
    queries::add_event(
        &mut tx,
        who.park_id,
        id,
        Some(who.user_id),
        &actor.login,
        line.step,
        line.status,
        line.text,
        now,
    )
    .await?;
    let change = Change {
        action,
        entity: "request",
        entity_id: Some(id),
        before,
        after: Some(after),
    };
    audit::record(&mut tx, who.park_id, &actor, now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the principal may see the request: an enterprise user its own enterprise's only.
pub fn in_reach(who: &Principal, r: &RequestRow) -> bool {
    match who.scope {
        Scope::Enterprise(e) => Some(e) == r.enterprise_id,
        _ => who.role != Role::Enterprise,
    }
}

fn state(r: &RequestRow) -> State {
    State {
        status: Status::parse(&r.status).unwrap_or(Status::Registered),
        extended: r.extended,
        rated: r.rated,
        rating: r.rating.as_deref().and_then(Rating::parse),
        reopened: u32::try_from(r.reopened).unwrap_or(u32::MAX),
    }
}

/// A request as shown to a principal acting as `party`; `calendar` is needed (to count its
/// escalation) only when the request is open and overdue.
fn view(
    party: Option<Party>,
    r: RequestRow,
    today: NaiveDate,
    calendar: Option<&crate::workdays::Workdays>,
) -> RequestView {
    let s = state(&r);
    let steps = match party {
        Some(p) => STEPS
            .into_iter()
            .filter(|st| st.taken_by(p) && st.apply(s).is_ok())
            .collect(),
        None => Vec::new(),
    };
    let colour = s
        .status
        .is_open()
        .then(|| colour(r.counted_from.unwrap_or(r.registered_on), r.close_by, today));
    let rating = r.rating.as_deref().and_then(Rating::parse);
    let awaiting_visit = s.status == Status::Closed && rating == Some(Rating::Unsatisfied);
    let visit_colour = match (awaiting_visit, r.visit_by) {
        (true, Some(by)) => Some(self::colour(r.rated_on.unwrap_or(by), by, today)),
        _ => None,
    };
    let escalation = match calendar {
        Some(w) if s.status.is_open() => settings::escalation(w, r.close_by, today),
        _ => None,
    };
    RequestView {
        id: r.id,
        enterprise_id: r.enterprise_id,
        enterprise_name: r.enterprise_name,
        nature: r.nature,
        category: r.category,
        group: r.team_group,
        title: r.title,
        description: r.description,
        contact_name: r.contact_name,
        channel: r.channel,
        received_on: r.received_on,
        registered_on: r.registered_on,
        status: s.status.as_str(),
        status_label: s.status.label(),
        due: Deadlines {
            contact_by: r.contact_by,
            reply_by: r.reply_by,
            close_by: r.close_by,
            visit_by: r.visit_by,
            estimated: r.estimated,
        },
        colour,
        awaiting_visit,
        visit_colour,
        escalation,
        escalation_label: escalation.map(Escalation::label),
        extended: r.extended,
        assignee: r.assignee_name,
        rating: rating.map(Rating::as_str),
        rating_label: rating.map(Rating::label),
        reopened: r.reopened,
        version: r.version,
        source_record_id: r.source_record_id,
        source_line: r.source_line,
        steps,
    }
}

/// Red when the closing deadline has passed, yellow when less than 30% of the time from
/// registration to it is left (in calendar days), else green.
pub fn colour(from: NaiveDate, close_by: NaiveDate, today: NaiveDate) -> &'static str {
    let total = (close_by - from).num_days().max(1);
    let left = (close_by - today).num_days();
    if left < 0 {
        "red"
    } else if left * 10 < total * 3 {
        "yellow"
    } else {
        "green"
    }
}

fn event_view(e: EventRow) -> EventView {
    let step_label = match e.step.as_str() {
        "register" => "登记",
        "message" => "留言",
        "carry_over" => "台账转入",
        "attach" => "附件",
        s => Step::parse(s).map_or("办理", Step::label),
    };
    EventView {
        local_at: crate::calendar::local(e.at)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        at: e.at,
        step_label,
        status_label: Status::parse(&e.status).map_or("", Status::label),
        login: e.login,
        step: e.step,
        text: e.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_turns_yellow_with_less_than_three_tenths_left_and_red_once_overdue() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("day");
        assert_eq!(colour(d(3, 1), d(3, 21), d(3, 2)), "green");
        assert_eq!(colour(d(3, 1), d(3, 21), d(3, 16)), "yellow");
        assert_eq!(colour(d(3, 1), d(3, 21), d(3, 21)), "yellow");
        assert_eq!(colour(d(3, 1), d(3, 21), d(3, 22)), "red");
    }
}
