//! The demo's enterprise requests: a few dozen a year over the three years, raised by the
//! park's enterprises (the first one, the demo's 企业用户, among them) and worked by the team on
//! the official working-day calendar. A request is as far along as the time since it was
//! registered allows: the old ones closed and rated (a few 不满意, visited and worked again), the
//! recent ones accepted or answered, the newest still waiting, one returned now and then.
//! Nothing here is random: the same organisation gives the same requests.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::org::{Ids, Org};
use crate::db::Tx;
use crate::error::AppError;
use crate::requests::queries::{self, NewRequest, StepChange};
use crate::requests::{deadlines, group_of, Limits, CATEGORIES};
use crate::workdays::Workdays;

/// What the enterprises ask, by category.
const ASKS: [(&str, &str, &str); 10] = [
    (
        "审批",
        "新建车间环评审批进度咨询",
        "新建车间的环评报告已提交，希望了解审批进度和还需补充的材料。",
    ),
    (
        "用地",
        "二期厂房扩建用地指标",
        "企业订单增长，计划扩建二期厂房，需要约 20 亩工业用地。",
    ),
    (
        "规划",
        "厂区出入口调整",
        "厂区主出入口与园区道路交汇处拥堵，申请调整出入口位置。",
    ),
    (
        "建设",
        "施工许可办理",
        "技改项目已完成设计，需办理施工许可，请协助对接住建部门。",
    ),
    (
        "用工",
        "招聘一线操作工",
        "春节后用工缺口约 30 人，希望园区协助对接人力资源市场。",
    ),
    (
        "融资",
        "流动资金贷款",
        "原材料涨价，需流动资金贷款 500 万元，希望推荐合作银行。",
    ),
    (
        "政策",
        "高新技术企业认定辅导",
        "计划今年申报高新技术企业，希望了解认定条件和申报辅导。",
    ),
    (
        "市场",
        "参加产品展销会",
        "希望通过园区推荐参加省内重点产品展销会。",
    ),
    (
        "基础设施",
        "园区道路路灯不亮",
        "厂区外道路多盏路灯损坏，夜班员工出行不便。",
    ),
    (
        "其他",
        "员工子女入学咨询",
        "外地员工子女就近入学的办理流程咨询。",
    ),
];

/// Requests a year: enough for the queue to have several pages.
const PER_YEAR: usize = 60;

/// Inserts the demo's requests of the three years ending in `year`, none registered after
/// `until` (today, for a living park). Returns how many were written.
pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    org: &Org,
    ids: &Ids,
    year: i32,
    until: Option<NaiveDate>,
    staff_user: i64,
) -> Result<usize, AppError> {
    let calendar = Workdays::official();
    let end = until.unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default());
    let mut written = 0;
    for y in year - 2..=year {
        for i in 0..PER_YEAR {
            // Spread over the year: every sixth day or so, on a working day.
            let day_of_year = 3 + (i as i64 * 362) / PER_YEAR as i64;
            let Some(first) = NaiveDate::from_ymd_opt(y, 1, 1) else {
                continue;
            };
            let mut registered = first + Duration::days(day_of_year);
            while !calendar.is_workday(registered) {
                registered += Duration::days(1);
            }
            if registered > end || registered.year() != y {
                continue;
            }
            let (category, title, description) = ASKS[(i * 7 + i / 5 + y as usize) % ASKS.len()];
            // The demo's 企业用户 raises every fifth request.
            let enterprise = if i % 5 == 0 {
                0
            } else {
                (i * 3 + y as usize) % org.enterprises.len()
            };
            let channel = ["portal", "phone", "visit", "portal", "forum"][i % 5];
            let group = group_of(category).unwrap_or(CATEGORIES[9].1);
            let due = deadlines(&calendar, registered, Limits::default(), false);
            let at = noon(registered);
            let new = NewRequest {
                enterprise_id: ids.enterprises[enterprise],
                category,
                team_group: group,
                title,
                description,
                contact_name: "",
                channel,
                received_on: registered,
                registered_on: registered,
                due,
                created_by: staff_user,
            };
            let id = queries::insert(tx, park_id, &new, at).await?;
            // The team registers what it receives; the enterprise what it raises itself.
            let raiser = if channel == "portal" {
                (None, enterprise_login(enterprise))
            } else {
                (Some(staff_user), "xiaoer")
            };
            queries::add_event(
                tx,
                park_id,
                id,
                raiser.0,
                raiser.1,
                "register",
                "registered",
                "",
                at,
            )
            .await?;
            let who = (staff_user, enterprise_login(enterprise));
            work(tx, park_id, id, who, i, registered, end, due, &calendar).await?;
            written += 1;
        }
    }
    Ok(written)
}

/// Takes the request as far as the days since `registered` allow, as of `end`.
#[expect(
    clippy::too_many_arguments,
    reason = "one request's history, from what insert decided"
)]
async fn work(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    who: (i64, &str),
    i: usize,
    registered: NaiveDate,
    end: NaiveDate,
    due: crate::requests::Deadlines,
    calendar: &Workdays,
) -> Result<(), AppError> {
    let mut h = History {
        park_id,
        id,
        version: 1,
        change: StepChange {
            status: "registered",
            due,
            extended: false,
            contacted_on: None,
            replied_on: None,
            closed_on: None,
            rating: None,
            rated: false,
            reopened: 0,
        },
    };
    let staff = (Some(who.0), "xiaoer");
    let day = |n: u32| calendar.add(registered, n).date;
    if day(1) > end {
        return Ok(());
    }
    if i % 23 == 7 {
        h.change.status = "returned";
        let why = "经核实，该事项属于企业内部经营决策，不在园区服务范围，已向企业说明。";
        return h.step(tx, staff, "return", why, day(1)).await;
    }
    h.change.status = "accepted";
    h.change.contacted_on = Some(day(1));
    h.step(
        tx,
        staff,
        "accept",
        "已电话联系企业，了解具体情况。",
        day(1),
    )
    .await?;
    if day(3) > end {
        return Ok(());
    }
    h.change.status = "in_progress";
    h.step(
        tx,
        staff,
        "stage_reply",
        "已对接相关部门，正在协调办理。",
        day(3),
    )
    .await?;
    // Most are answered well inside the limit; every eleventh runs late.
    let replied = day(if i % 11 == 3 { 18 } else { 6 + (i as u32 % 7) });
    if replied > end {
        return Ok(());
    }
    h.change.status = "replied";
    h.change.replied_on = Some(replied);
    h.step(
        tx,
        staff,
        "reply",
        "已协调解决，办理结果已告知企业。",
        replied,
    )
    .await?;
    let closed = calendar.add(replied, 1).date;
    if closed > end {
        return Ok(());
    }
    h.change.status = "closed";
    h.change.closed_on = Some(closed);
    h.step(tx, staff, "close", "", closed).await?;
    let rated = calendar.add(closed, 2).date;
    if rated > end {
        return Ok(());
    }
    let (rating, label) = match i % 9 {
        4 => ("unsatisfied", "不满意：问题只解决了一部分"),
        1 | 6 => ("fair", "基本满意"),
        _ => ("satisfied", "满意"),
    };
    h.change.rating = Some(rating);
    h.change.rated = true;
    h.step(tx, (None, who.1), "rate", label, rated).await?;
    let visited = calendar.add(rated, 1).date;
    if rating == "unsatisfied" && visited <= end {
        h.change.status = "visited";
        let note = "回访企业，问题尚未完全解决，已向党建办报告。";
        h.step(tx, staff, "visit", note, visited).await?;
    }
    Ok(())
}

/// A request's history as the demo writes it: each step changes the row at its version and
/// adds its line to the thread.
struct History<'a> {
    park_id: i64,
    id: i64,
    version: i64,
    change: StepChange<'a>,
}

impl History<'_> {
    async fn step(
        &mut self,
        tx: &mut Tx,
        by: (Option<i64>, &str),
        step: &str,
        text: &str,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let at = noon(on);
        queries::apply(tx, self.park_id, self.id, self.version, &self.change, at).await?;
        self.version += 1;
        let status = self.change.status;
        queries::add_event(
            tx,
            self.park_id,
            self.id,
            by.0,
            by.1,
            step,
            status,
            text,
            at,
        )
        .await?;
        Ok(())
    }
}

/// Noon in Beijing (04:00 UTC) on `day`, when the demo's steps are taken.
fn noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(4, 0, 0).unwrap_or_default())
}

/// The login a rating or a request raised on the portal shows: the demo's 企业用户 for its
/// enterprise; the other enterprises have no account in the demo.
fn enterprise_login(enterprise: usize) -> &'static str {
    if enterprise == 0 {
        "qiye"
    } else {
        "企业（代录）"
    }
}
