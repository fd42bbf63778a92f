//! What both faces and the other areas call. Producing notices: [`notify_users`] and
//! [`notify_enterprise`] (for any area, inside the caller's transaction), [`to_robots`] (the
//! outbox), and the request events built on them ([`new_request`], [`request_step`],
//! [`team_message`]); the deadline scan ([`scan`]). Reading them: a principal's notices, marked
//! read one at a time or all at once. The robots (党建办): saved with their URL and secret
//! sealed, never shown again; the outbox with its attempts, and 重发 of a failed message.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::queries::{self, NewNotice, Recipient, RobotWrite};
use super::{NoticeKind, RobotKind, EVENTS};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal, Scope};
use crate::db::{Db, DbError, Tx};
use crate::error::{AppError, FieldError};
use crate::requests::Step;

/// Notices on one page of `/notices`.
pub const PAGE_SIZE: i64 = 20;

/// How much of a reply or message a notice quotes.
const QUOTE_MAX: usize = 80;

/// Notices to these accounts, in the caller's transaction: what another area calls when one of
/// its writes concerns them (an escalation to a group or team leader, say).
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one notice, each its own"
)]
pub async fn notify_users(
    tx: &mut Tx,
    park_id: i64,
    users: &[i64],
    kind: NoticeKind,
    request_id: Option<i64>,
    text: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let n = NewNotice {
        request_id,
        kind: kind.as_str(),
        text,
        link,
    };
    for user in users {
        queries::insert_notice(tx, park_id, Recipient::User(*user), &n, now).await?;
    }
    Ok(())
}

/// A notice to every user of an enterprise (one notice, the enterprise's), in the caller's
/// transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one notice, each its own"
)]
pub async fn notify_enterprise(
    tx: &mut Tx,
    park_id: i64,
    enterprise_id: i64,
    kind: NoticeKind,
    request_id: Option<i64>,
    text: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let n = NewNotice {
        request_id,
        kind: kind.as_str(),
        text,
        link,
    };
    queries::insert_notice(tx, park_id, Recipient::Enterprise(enterprise_id), &n, now).await
}

/// A message to every enabled robot of the park that takes `event`, queued in the outbox in the
/// caller's transaction; the delivery worker sends it later.
pub async fn to_robots(
    tx: &mut Tx,
    park_id: i64,
    event: &str,
    request_id: Option<i64>,
    title: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    for robot in queries::robots_tx(tx, park_id).await? {
        if robot.enabled && robot.events.split(',').any(|e| e == event) {
            queries::insert_outbox(tx, park_id, robot.id, event, request_id, title, text, now)
                .await?;
        }
    }
    Ok(())
}

/// What the notices of a request name.
pub struct RequestNote<'a> {
    pub id: i64,
    pub enterprise_id: Option<i64>,
    pub title: &'a str,
}

fn link(id: i64) -> String {
    format!("/requests/{id}")
}

fn quote(text: &str) -> String {
    let t: String = text.chars().take(QUOTE_MAX).collect();
    if text.chars().count() > QUOTE_MAX {
        format!("{t}…")
    } else {
        t
    }
}

/// A new request (any channel): a notice to the park's 园小二 and a message to the robots that
/// take new requests, in the transaction that registers it.
pub async fn new_request(
    tx: &mut Tx,
    park_id: i64,
    r: &RequestNote<'_>,
    category: &str,
    group: &str,
    contact_by: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let enterprise = match r.enterprise_id {
        Some(e) => queries::enterprise_name(tx, park_id, e).await?,
        None => None,
    }
    .unwrap_or_default();
    let text = format!(
        "新诉求#{}：{enterprise}「{}」（{category}，{group}），请于 {contact_by} 前联系企业",
        r.id, r.title
    );
    let staff = queries::service_staff(tx, park_id).await?;
    let l = link(r.id);
    notify_users(
        tx,
        park_id,
        &staff,
        NoticeKind::NewRequest,
        Some(r.id),
        &text,
        &l,
        now,
    )
    .await?;
    let body = format!(
        "- 企业：{enterprise}\n- 诉求：{}\n- 类别：{category}（{group}）\n- 首次联系时限：{contact_by}\n- 编号：诉求#{}",
        r.title, r.id
    );
    to_robots(
        tx,
        park_id,
        "new_request",
        Some(r.id),
        &format!("新诉求#{}", r.id),
        &body,
        now,
    )
    .await
}

/// A step of a request the enterprise should know (受理, 退回, 阶段性答复, 答复, 办结, 延期 with
/// the new date, 重办): a notice to the enterprise, in the step's transaction. Other steps (the
/// enterprise's own rating, the 回访) give none.
pub async fn request_step(
    tx: &mut Tx,
    park_id: i64,
    r: &RequestNote<'_>,
    step: Step,
    text: &str,
    close_by: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Some(enterprise) = r.enterprise_id else {
        return Ok(());
    };
    let title = r.title;
    let said = match step {
        Step::Accept | Step::Overrule => {
            format!("您的诉求「{title}」已受理，办结时限 {close_by}")
        }
        Step::Return => format!("您的诉求「{title}」被退回：{}", quote(text)),
        Step::StageReply => format!("您的诉求「{title}」有阶段性答复：{}", quote(text)),
        Step::Reply => format!("您的诉求「{title}」已答复：{}", quote(text)),
        Step::Close => format!("您的诉求「{title}」已办结，请评价办理结果"),
        Step::Extend => format!(
            "您的诉求「{title}」办结时限延期至 {close_by}：{}",
            quote(text)
        ),
        Step::Reopen => format!("您的诉求「{title}」已重办，新的办结时限 {close_by}"),
        Step::Rate | Step::Visit => return Ok(()),
    };
    notify_enterprise(
        tx,
        park_id,
        enterprise,
        NoticeKind::Progress,
        Some(r.id),
        &said,
        &link(r.id),
        now,
    )
    .await
}

/// A 不满意 rating: a notice to the request's 承办人 (every 园小二 while it has none) that a
/// 回访 is due by `visit_by`, in the rating's transaction.
pub async fn unsatisfied(
    tx: &mut Tx,
    park_id: i64,
    r: &RequestNote<'_>,
    assignee: Option<i64>,
    visit_by: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let to = answerable(tx, park_id, assignee).await?;
    let text = format!(
        "企业对诉求#{}「{}」的办理结果评价“不满意”，请于 {visit_by} 前回访",
        r.id, r.title
    );
    notify_users(
        tx,
        park_id,
        &to,
        NoticeKind::Progress,
        Some(r.id),
        &text,
        &link(r.id),
        now,
    )
    .await
}

/// Who answers for a request's deadlines: its 承办人, or every 园小二 while it has none.
async fn answerable(tx: &mut Tx, park_id: i64, assignee: Option<i64>) -> Result<Vec<i64>, DbError> {
    Ok(match assignee {
        Some(a) => vec![a],
        None => queries::service_staff(tx, park_id).await?,
    })
}

/// A message of the team in a request's thread: a notice to the enterprise.
pub async fn team_message(
    tx: &mut Tx,
    park_id: i64,
    r: &RequestNote<'_>,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Some(enterprise) = r.enterprise_id else {
        return Ok(());
    };
    let said = format!("园小二在诉求「{}」中留言：{}", r.title, quote(text));
    notify_enterprise(
        tx,
        park_id,
        enterprise,
        NoticeKind::Message,
        Some(r.id),
        &said,
        &link(r.id),
        now,
    )
    .await
}

/// The three deadlines of a request, with what each asks.
const DEADLINES: [(&str, &str); 4] = [
    ("contact_by", "首次联系企业"),
    ("reply_by", "阶段性答复"),
    ("close_by", "办结"),
    ("visit_by", "回访"),
];

/// A deadline passed longer ago than this is not reminded of any more (nor escalated): the
/// scan tells of what just happened; the queue and the 工作台 list the older backlog. It also
/// keeps a park's first scan, or one after a long stop, from flooding everyone at once.
pub const RECENT_DAYS: i64 = 7;

/// The deadline scan of every park as of `now`: for each open request, each deadline still
/// running that entered its last 30% (催办) or passed (逾期) in the last [`RECENT_DAYS`] days is
/// told once to the request's assignee (the park's 园小二 while it has none) and to the robots
/// taking the event; an overdue request escalated (`requests::settings::escalation`) is told
/// once to its group's leaders, then to the team's leader. Each reminder is written with its
/// key in one transaction, so a scan that stops half-way gives nothing twice. Answers how many
/// reminders it gave.
pub async fn scan(db: &Db, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut given = 0;
    for park in crate::org::queries::parks(db).await? {
        given += scan_park(db, park.id, now).await?;
    }
    Ok(given)
}

/// One reminder the scan may give: its key and what it says.
struct Reminder {
    deadline: &'static str,
    due: NaiveDate,
    kind: NoticeKind,
    /// The key's kind: the notice's, or the escalation's level.
    key: &'static str,
    text: String,
    /// Escalations go to leaders, the rest to the request's people and the robots.
    to_leaders: Option<crate::requests::settings::Escalation>,
}

async fn scan_park(db: &Db, park_id: i64, now: DateTime<Utc>) -> Result<usize, AppError> {
    use crate::requests::settings::{self, Escalation};
    let today = crate::calendar::today(now);
    let recent = today - chrono::Duration::days(RECENT_DAYS);
    // Further back than this, even the team's escalation (three working days on) is old.
    let since = recent - chrono::Duration::days(RECENT_DAYS);
    let open = queries::open_requests(db, park_id, since).await?;
    if open.is_empty() {
        return Ok(0);
    }
    let given_before = queries::given_alerts(db, park_id).await?;
    let calendar = crate::workdays::service::workdays(db, park_id).await?;
    let mut given = 0;
    for r in open {
        let mut reminders = Vec::new();
        for (deadline, what) in DEADLINES {
            let awaiting_visit = r.status == "closed";
            let (due, running) = match deadline {
                "contact_by" => (r.contact_by, r.status == "registered"),
                "reply_by" => (
                    r.reply_by,
                    matches!(r.status.as_str(), "registered" | "accepted"),
                ),
                "visit_by" => match r.visit_by {
                    Some(by) => (by, awaiting_visit),
                    None => continue,
                },
                _ => (r.close_by, !awaiting_visit),
            };
            if !running {
                continue;
            }
            let kind = match crate::requests::service::colour(r.registered_on, due, today) {
                "red" if due >= recent => NoticeKind::Overdue,
                "yellow" => NoticeKind::NearDeadline,
                _ => continue,
            };
            let text = match kind {
                NoticeKind::Overdue => format!(
                    "逾期：诉求#{}「{}」（{}）已超过{what}时限 {due}",
                    r.id, r.title, r.enterprise_name
                ),
                _ => format!(
                    "催办：诉求#{}「{}」（{}）须于 {due} 前{what}，剩余时间不足三成",
                    r.id, r.title, r.enterprise_name
                ),
            };
            reminders.push(Reminder {
                deadline,
                due,
                kind,
                key: kind.as_str(),
                text,
                to_leaders: None,
            });
        }
        let escalated = if r.status == "closed" {
            None
        } else {
            settings::escalation(&calendar, r.close_by, today)
        };
        // The day the request reached its level: the day after its deadline, or after the
        // working days the team's leader waits.
        let reached = match escalated {
            Some(Escalation::GroupLeader) => r.close_by.succ_opt(),
            Some(Escalation::TeamLeader) => calendar
                .add(r.close_by, settings::TEAM_LEADER_AFTER)
                .date
                .succ_opt(),
            None => None,
        };
        if let (Some(level), Some(on)) = (escalated, reached) {
            if on >= recent {
                let (key, to) = match level {
                    Escalation::GroupLeader => ("escalate_group", "组长"),
                    Escalation::TeamLeader => ("escalate_team", "园小二团队负责人"),
                };
                reminders.push(Reminder {
                    deadline: "close_by",
                    due: r.close_by,
                    kind: NoticeKind::Escalation,
                    key,
                    text: format!(
                        "督办：诉求#{}「{}」（{}，{}）已超过办结时限 {}，升级至{to}督办",
                        r.id, r.title, r.enterprise_name, r.team_group, r.close_by
                    ),
                    to_leaders: Some(level),
                });
            }
        }
        for m in reminders {
            let key = (r.id, m.deadline.to_string(), m.due, m.key.to_string());
            if given_before.contains(&key) {
                continue;
            }
            let mut tx = db.begin().await?;
            if !queries::alert_once(&mut tx, park_id, r.id, m.deadline, m.due, m.key, now).await? {
                continue;
            }
            let to: Vec<i64> = match m.to_leaders {
                Some(level) => settings::leaders(db, park_id, &r.team_group, level)
                    .await?
                    .into_iter()
                    .map(|l| l.user_id)
                    .collect(),
                None => answerable(&mut tx, park_id, r.assignee_id).await?,
            };
            notify_users(
                &mut tx,
                park_id,
                &to,
                m.kind,
                Some(r.id),
                &m.text,
                &link(r.id),
                now,
            )
            .await?;
            if m.to_leaders.is_none() {
                let what = DEADLINES
                    .iter()
                    .find(|(d, _)| *d == m.deadline)
                    .map_or("", |(_, w)| *w);
                let body = format!(
                    "- 企业：{}\n- 诉求：{}\n- {what}时限：{}\n- 编号：诉求#{}",
                    r.enterprise_name, r.title, m.due, r.id
                );
                let title = format!("{}：诉求#{}", m.kind.label(), r.id);
                to_robots(
                    &mut tx,
                    park_id,
                    m.kind.as_str(),
                    Some(r.id),
                    &title,
                    &body,
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            given += 1;
        }
    }
    Ok(given)
}

/// A notice as the faces show it.
#[derive(Clone, Debug, Serialize)]
pub struct NoticeView {
    pub id: i64,
    pub request_id: Option<i64>,
    pub kind: String,
    pub kind_label: &'static str,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    /// `created_at` on the park's clock.
    pub local_at: String,
    pub read: bool,
}

/// A page of the principal's notices, newest first.
#[derive(Clone, Debug, Serialize)]
pub struct NoticePage {
    pub notices: Vec<NoticeView>,
    pub total: i64,
    pub unread: i64,
    pub page: i64,
    pub pages: i64,
}

/// The enterprise whose notices a principal also reads: an enterprise user's own.
fn own_enterprise(who: &Principal) -> Option<i64> {
    match who.scope {
        Scope::Enterprise(e) => Some(e),
        _ => None,
    }
}

/// Page `page` (from 1) of the principal's notices: its own and its enterprise's.
pub async fn list(db: &Db, who: &Principal, page: i64, size: i64) -> Result<NoticePage, AppError> {
    let size = size.clamp(1, 100);
    let ent = own_enterprise(who);
    let (total, unread) = queries::counts(db, who.park_id, who.user_id, ent).await?;
    let pages = ((total + size - 1) / size).max(1);
    let page = page.clamp(1, pages);
    let rows = queries::notices(db, who.park_id, who.user_id, ent, size, (page - 1) * size).await?;
    let notices = rows
        .into_iter()
        .map(|n| NoticeView {
            id: n.id,
            request_id: n.request_id,
            kind_label: NoticeKind::label_of(&n.kind),
            kind: n.kind,
            text: n.text,
            link: n.link,
            local_at: crate::calendar::local(n.created_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(NoticePage {
        notices,
        total,
        unread,
        page,
        pages,
    })
}

/// How many of the principal's notices are unread (the top bar's count).
pub async fn unread(db: &Db, who: &Principal) -> Result<i64, AppError> {
    Ok(
        queries::counts(db, who.park_id, who.user_id, own_enterprise(who))
            .await?
            .1,
    )
}

/// Marks one of the principal's notices read; another's answers as a missing one.
pub async fn mark_read(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let n = queries::mark_read(
        &mut tx,
        who.park_id,
        who.user_id,
        own_enterprise(who),
        Some(id),
        now,
    )
    .await?;
    if n == 0 {
        return Err(AppError::NotFound("通知"));
    }
    let change = Change {
        action: "read",
        entity: "notice",
        entity_id: Some(id),
        before: None,
        after: None,
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks every unread notice of the principal read; how many.
pub async fn mark_all_read(db: &Db, who: &Principal, now: DateTime<Utc>) -> Result<u64, AppError> {
    let mut tx = db.begin().await?;
    let n = queries::mark_read(
        &mut tx,
        who.park_id,
        who.user_id,
        own_enterprise(who),
        None,
        now,
    )
    .await?;
    if n > 0 {
        let change = Change {
            action: "read_all",
            entity: "notice",
            entity_id: None,
            before: None,
            after: Some(json!({ "count": n })),
        };
        audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// A robot as a form or a JSON body gives it. An empty `url` or `secret` on a saved robot keeps
/// the stored one.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RobotInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub enabled: bool,
}

/// A robot as its page shows it: the host of its URL and whether a secret is saved, never
/// the values.
#[derive(Clone, Debug, Serialize)]
pub struct RobotView {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub host: String,
    pub has_secret: bool,
    pub events: Vec<String>,
    pub event_labels: Vec<&'static str>,
    pub enabled: bool,
    pub updated_at: String,
}

/// The park's robots (党建办).
pub async fn robots(db: &Db, who: &Principal) -> Result<Vec<RobotView>, AppError> {
    who.require(Action::ManageRobots)?;
    Ok(queries::robots(db, who.park_id)
        .await?
        .into_iter()
        .map(|r| {
            let events: Vec<String> = r
                .events
                .split(',')
                .filter(|e| !e.is_empty())
                .map(str::to_string)
                .collect();
            RobotView {
                id: r.id,
                kind_label: RobotKind::parse(&r.kind).map_or("", RobotKind::label),
                kind: r.kind,
                name: r.name,
                host: r.url_host,
                has_secret: r.secret_sealed.is_some(),
                event_labels: EVENTS
                    .iter()
                    .filter(|(e, _)| events.iter().any(|x| x == e))
                    .map(|(_, l)| *l)
                    .collect(),
                events,
                enabled: r.enabled,
                updated_at: crate::calendar::local(r.updated_at)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            }
        })
        .collect())
}

/// Saves a new robot (`id` None) or changes one; its id. The URL must be HTTPS (plain HTTP to
/// this machine only); a 钉钉 robot needs its 加签 secret. The URL and the secret are sealed, and
/// the audit entry names the host and whether a new URL or secret was given, never the values.
pub async fn save_robot(
    db: &Db,
    who: &Principal,
    (id, hosts): (Option<i64>, &[String]),
    input: RobotInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    who.require(Action::ManageRobots)?;
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "名称", "请填写机器人名称"));
    } else if name.chars().count() > 50 {
        errors.push(FieldError::new("name", "名称", "不超过 50 字"));
    }
    let kind = RobotKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "类型",
            "请选择企业微信群机器人或钉钉自定义机器人",
        ));
    }
    let url = input.url.trim();
    let secret = input.secret.trim();
    let mut tx = db.begin().await?;
    let stored = match id {
        Some(id) => Some(
            queries::robot(&mut tx, who.park_id, id)
                .await?
                .ok_or(AppError::NotFound("机器人"))?,
        ),
        None => None,
    };
    if url.is_empty() && stored.is_none() {
        errors.push(FieldError::new(
            "url",
            "Webhook 地址",
            "请填写 Webhook 地址",
        ));
    } else if !url.is_empty() && !super::url_allowed(url, hosts) {
        errors.push(FieldError::new(
            "url",
            "Webhook 地址",
            super::hosts_refusal(hosts),
        ));
    } else if url.chars().count() > 1000 {
        errors.push(FieldError::new("url", "Webhook 地址", "不超过 1000 个字符"));
    }
    let has_secret =
        !secret.is_empty() || stored.as_ref().is_some_and(|s| s.secret_sealed.is_some());
    if kind == Some(RobotKind::Dingtalk) && !has_secret {
        errors.push(FieldError::new(
            "secret",
            "加签密钥",
            "钉钉自定义机器人请填写加签密钥（SEC 开头）",
        ));
    }
    let mut events = Vec::new();
    for e in &input.events {
        match EVENTS.iter().find(|(k, _)| k == e) {
            Some((k, _)) if !events.contains(k) => events.push(*k),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "events",
                "推送事件",
                "请从列出的事件中选择",
            )),
        }
    }
    if events.is_empty() {
        errors.push(FieldError::new(
            "events",
            "推送事件",
            "请至少选择一种推送事件",
        ));
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let sealer = crate::crypto::sealer(&mut tx).await?;
    let (url_sealed, host) = if url.is_empty() {
        let s = stored.as_ref().ok_or(AppError::NotFound("机器人"))?;
        (s.url_sealed.clone(), s.url_host.clone())
    } else {
        (
            sealer.seal("webhook_url", url),
            super::url_host(url).unwrap_or_default(),
        )
    };
    let secret_sealed = match (kind, secret.is_empty()) {
        (RobotKind::Wecom, _) => None,
        (RobotKind::Dingtalk, false) => Some(sealer.seal("webhook_secret", secret)),
        (RobotKind::Dingtalk, true) => stored.as_ref().and_then(|s| s.secret_sealed.clone()),
    };
    let events = events.join(",");
    let write = RobotWrite {
        name,
        kind: kind.as_str(),
        url_sealed: &url_sealed,
        url_host: &host,
        secret_sealed: secret_sealed.as_deref(),
        events: &events,
        enabled: input.enabled,
    };
    let after = json!({
        "name": name, "kind": kind.as_str(), "host": host, "events": events,
        "enabled": input.enabled, "url_replaced": !url.is_empty(),
        "secret_replaced": !secret.is_empty(),
    });
    let (id, before) = match &stored {
        Some(s) => {
            queries::update_robot(&mut tx, who.park_id, s.id, &write, now).await?;
            let before = json!({
                "name": s.name, "kind": s.kind, "host": s.url_host, "events": s.events,
                "enabled": s.enabled,
            });
            (s.id, Some(before))
        }
        None => (
            queries::insert_robot(&mut tx, who.park_id, &write, now).await?,
            None,
        ),
    };
    let change = Change {
        action: if stored.is_some() { "update" } else { "create" },
        entity: "robot",
        entity_id: Some(id),
        before,
        after: Some(after),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(id)
}

/// An outbox message as its page shows it, with its attempts.
#[derive(Clone, Debug, Serialize)]
pub struct OutboxView {
    pub id: i64,
    pub robot: String,
    pub event_label: &'static str,
    pub request_id: Option<i64>,
    pub title: String,
    pub status: String,
    pub status_label: &'static str,
    pub attempts: Vec<AttemptView>,
    pub next_at: String,
    pub sent_at: Option<String>,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AttemptView {
    pub at: String,
    pub ok: bool,
    pub http_status: Option<i64>,
    pub error: String,
}

/// The label of an outbox status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待发送",
        "sent" => "已发送",
        "retrying" => "重试中",
        "failed" => "失败",
        _ => "",
    }
}

fn local(t: DateTime<Utc>) -> String {
    crate::calendar::local(t)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The park's latest outbox messages (党建办), newest first, each with its attempts.
pub async fn outbox(db: &Db, who: &Principal, limit: i64) -> Result<Vec<OutboxView>, AppError> {
    who.require(Action::ManageRobots)?;
    let rows = queries::outbox(db, who.park_id, limit.clamp(1, 500)).await?;
    let from = rows.iter().map(|r| r.id).min().unwrap_or(0);
    let attempts = queries::attempts(db, who.park_id, from).await?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxView {
            id: r.id,
            robot: r.robot_name,
            event_label: EVENTS
                .iter()
                .find(|(e, _)| *e == r.event)
                .map_or("", |(_, l)| *l),
            request_id: r.request_id,
            title: r.title,
            status_label: status_label(&r.status),
            status: r.status,
            attempts: attempts
                .iter()
                .filter(|a| a.outbox_id == r.id)
                .map(|a| AttemptView {
                    at: local(a.at),
                    ok: a.ok,
                    http_status: a.http_status,
                    error: a.error.clone(),
                })
                .collect(),
            next_at: local(r.next_at),
            sent_at: r.sent_at.map(local),
            created_at: local(r.created_at),
        })
        .collect())
}

/// 重发: puts a failed message back in the queue, to be sent at the worker's next pass.
pub async fn resend(db: &Db, who: &Principal, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    who.require(Action::ManageRobots)?;
    let mut tx = db.begin().await?;
    if !queries::outbox_exists(&mut tx, who.park_id, id).await? {
        return Err(AppError::NotFound("推送消息"));
    }
    if !queries::resend(&mut tx, who.park_id, id, now).await? {
        return Err(AppError::BadRequest(
            "只有发送失败的消息可以重发".to_string(),
        ));
    }
    let change = Change {
        action: "resend",
        entity: "outbox",
        entity_id: Some(id),
        before: Some(json!({ "status": "failed" })),
        after: Some(json!({ "status": "retrying" })),
    };
    audit::record(&mut tx, who.park_id, &who.actor(), now, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Seals again the robots' URLs and secrets that `which` names (a key rotation: every value
/// not under the current key), in one transaction: a park has a few robots. How many robots
/// were written.
pub async fn reseal_robots(db: &Db, which: crate::crypto::Which) -> Result<u64, DbError> {
    let mut tx = db.begin().await?;
    let sealer = crate::crypto::sealer(&mut tx).await?;
    let mut done = 0;
    for (park_id, id, url, secret) in queries::all_robot_secrets(&mut tx).await? {
        let url2 = sealer.resealed(which, "webhook_url", Some(&url))?;
        let secret2 = sealer.resealed(which, "webhook_secret", secret.as_deref())?;
        if url2.as_deref() != Some(url.as_str()) || secret2 != secret {
            let url2 = url2.unwrap_or(url);
            queries::reseal_robot(&mut tx, park_id, id, &url2, secret2.as_deref()).await?;
            done += 1;
        }
    }
    tx.commit().await?;
    Ok(done)
}
