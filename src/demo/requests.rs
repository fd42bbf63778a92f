//! The demo's enterprise requests: the problems (企业难题) and suggestions (意见建议) the
//! service work drafts (`work.rs`) become requests rather than ledger records, as migration 0016
//! carries a park's records over, so the report's `problems_solved` and `suggestions` give the
//! figures they gave when they were counted from the ledgers. A request is as far along as the
//! time since it was registered allows: a problem solved is closed on its 办结日期 and rated with
//! its 满意度 (a 不满意 visited); an open one accepted or answered, now and then returned; a
//! suggestion as its 办理状态 says. Nothing here is random: the same drafts give the same requests.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value};

use crate::db::Tx;
use crate::error::AppError;
use crate::ledger::queries::RecordData;
use crate::requests::queries::{self, NewRequest, StepChange};
pub use crate::requests::REPLACED_KINDS as CARRIED_KINDS;
use crate::requests::{deadlines, Deadlines, Limits, PROBLEM, SUGGESTION};
use crate::workdays::Workdays;

/// Where a suggestion came from (来源), as a request's channel.
fn channel_of(source: &str, has_enterprise: bool) -> &'static str {
    match source {
        "座谈会" => "forum",
        "走访" => "visit",
        "线上" if has_enterprise => "portal",
        _ => "phone",
    }
}

/// Inserts the requests the drafted problems and suggestions (`carried`, with database ids)
/// become, none worked after `until` (today, for a living park; else the last year's end).
/// `qiye` is the enterprise of the demo's 企业用户, who rates its own requests. Returns how many
/// were written.
pub async fn insert(
    tx: &mut Tx,
    park_id: i64,
    carried: &[RecordData],
    end: NaiveDate,
    qiye: i64,
    staff_user: i64,
) -> Result<usize, AppError> {
    let calendar = Workdays::official();
    let mut rows: Vec<&RecordData> = carried.iter().collect();
    rows.sort_by_key(|r| r.occurred_on);
    let mut written = 0;
    for (i, row) in rows.into_iter().enumerate() {
        let fields: Map<String, Value> = serde_json::from_str(&row.fields).unwrap_or_default();
        let text = |key: &str| fields.get(key).and_then(Value::as_str).unwrap_or("");
        let date = |key: &str| NaiveDate::parse_from_str(text(key), "%Y-%m-%d").ok();
        let registered = row.occurred_on;
        let problem = row.kind == "enterprise_problem";
        let (category, group, title, description) = if problem {
            let group = match text("team") {
                "" => "综合协调组",
                team => team,
            };
            (
                text("problem_category"),
                group,
                text("description"),
                text("description"),
            )
        } else {
            ("意见建议", "综合协调组", text("content"), text("content"))
        };
        let channel = if problem {
            ["phone", "visit", "portal", "phone", "forum"][i % 5]
        } else {
            channel_of(text("source"), row.enterprise_id.is_some())
        };
        let due = deadlines(&calendar, registered, Limits::default(), false);
        let new = NewRequest {
            enterprise_id: row.enterprise_id,
            nature: if problem { PROBLEM } else { SUGGESTION },
            category,
            team_group: group,
            title: if title.is_empty() { &row.title } else { title },
            description,
            contact_name: "",
            channel,
            received_on: registered,
            registered_on: registered,
            due,
            created_by: staff_user,
            source: None,
        };
        let at = noon(registered);
        let id = queries::insert(tx, park_id, &new, at).await?;
        let login = if row.enterprise_id == Some(qiye) {
            "qiye"
        } else {
            "企业（代录）"
        };
        let raiser = if channel == "portal" {
            (None, login)
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
        let mut h = History::new(park_id, id, due);
        let ctx = Work {
            staff: staff_user,
            enterprise: row.enterprise_id.map(|_| login),
            i,
            registered,
            end,
            calendar: &calendar,
        };
        if problem {
            let solved = date("completed_on").filter(|d| *d <= end);
            let rating = match text("satisfaction") {
                "满意" => Some("satisfied"),
                "基本满意" => Some("fair"),
                "不满意" => Some("unsatisfied"),
                _ => None,
            };
            work(tx, &mut h, &ctx, solved, text("result"), rating).await?;
        } else {
            suggestion(tx, &mut h, &ctx, text("status")).await?;
        }
        written += 1;
    }
    Ok(written)
}

/// What one request's history is worked from.
struct Work<'a> {
    staff: i64,
    /// The login the enterprise rates with, when the request names one.
    enterprise: Option<&'a str>,
    i: usize,
    registered: NaiveDate,
    end: NaiveDate,
    calendar: &'a Workdays,
}

impl Work<'_> {
    /// The `n`-th working day after registration.
    fn day(&self, n: u32) -> NaiveDate {
        self.calendar.add(self.registered, n).date
    }

    fn staff(&self) -> (Option<i64>, &'static str) {
        (Some(self.staff), "xiaoer")
    }
}

/// A suggestion as far as its 办理状态 says: 待办理 registered, 办理中 accepted and worked,
/// 已办结 and 已采纳 answered and closed (the adoption said in the answer).
async fn suggestion(
    tx: &mut Tx,
    h: &mut History<'_>,
    w: &Work<'_>,
    status: &str,
) -> Result<(), AppError> {
    if matches!(status, "" | "待办理") || w.day(1) > w.end {
        return Ok(());
    }
    h.change.status = "accepted";
    h.change.contacted_on = Some(w.day(1));
    h.step(
        tx,
        w.staff(),
        "accept",
        "已收悉，转相关部门研究。",
        w.day(1),
    )
    .await?;
    let replied = w.day(3 + (w.i as u32 % 5));
    if status == "办理中" || replied > w.end {
        return Ok(());
    }
    h.change.status = "replied";
    h.change.replied_on = Some(replied);
    let answer = if status == "已采纳" {
        "建议已采纳，将纳入园区相关工作安排。"
    } else {
        "已研究办理，办理情况已向提出人反馈。"
    };
    h.step(tx, w.staff(), "reply", answer, replied).await?;
    h.change.status = "closed";
    h.change.closed_on = Some(replied);
    h.step(tx, w.staff(), "close", "", replied).await
}

/// A problem as far as the days since it was registered allow, as of `w.end`. A problem
/// solved (`solved`: its 办结日期) is accepted, answered and closed on that day and rated with its
/// 满意度 two working days later (a 不满意 visited the day after); one still open is accepted
/// and worked, every 23rd returned instead, never closed.
async fn work(
    tx: &mut Tx,
    h: &mut History<'_>,
    w: &Work<'_>,
    solved: Option<NaiveDate>,
    result: &str,
    rating: Option<&'static str>,
) -> Result<(), AppError> {
    let accepted = match solved {
        Some(done) => w.day(1).min(done).max(w.registered),
        None => w.day(1),
    };
    if accepted > w.end {
        return Ok(());
    }
    if solved.is_none() && w.i % 23 == 7 {
        h.change.status = "returned";
        let why = "经核实，该事项属于企业内部经营决策，不在园区服务范围，已向企业说明。";
        return h.step(tx, w.staff(), "return", why, accepted).await;
    }
    h.change.status = "accepted";
    h.change.contacted_on = Some(accepted);
    h.step(
        tx,
        w.staff(),
        "accept",
        "已电话联系企业，了解具体情况。",
        accepted,
    )
    .await?;
    let stage = w.day(3);
    if stage <= w.end && solved.is_none_or(|done| stage < done) {
        h.change.status = "in_progress";
        h.step(
            tx,
            w.staff(),
            "stage_reply",
            "已对接相关部门，正在协调办理。",
            stage,
        )
        .await?;
    }
    let Some(done) = solved else {
        // Open: answered when the days allow (every eleventh late), never closed.
        let replied = w.day(if w.i % 11 == 3 {
            18
        } else {
            6 + (w.i as u32 % 7)
        });
        if replied <= w.end && w.i % 3 == 0 {
            h.change.status = "replied";
            h.change.replied_on = Some(replied);
            let text = "已提出办理意见，正在落实。";
            h.step(tx, w.staff(), "reply", text, replied).await?;
        }
        return Ok(());
    };
    h.change.status = "replied";
    h.change.replied_on = Some(done);
    let answer = if result.is_empty() {
        "已协调解决，办理结果已告知企业。"
    } else {
        result
    };
    h.step(tx, w.staff(), "reply", answer, done).await?;
    h.change.status = "closed";
    h.change.closed_on = Some(done);
    h.step(tx, w.staff(), "close", "", done).await?;
    let (Some(rating), Some(login)) = (rating, w.enterprise) else {
        return Ok(());
    };
    let rated = w.calendar.add(done, 2).date;
    if rated > w.end {
        return Ok(());
    }
    let label = match rating {
        "unsatisfied" => "不满意：问题只解决了一部分",
        "fair" => "基本满意",
        _ => "满意",
    };
    h.change.rating = Some(rating);
    h.change.rated = true;
    h.change.rated_on = Some(rated);
    let visited = w.calendar.add(rated, crate::requests::VISIT_WITHIN).date;
    if rating == "unsatisfied" {
        h.change.due.visit_by = Some(visited);
    }
    h.step(tx, (None, login), "rate", label, rated).await?;
    if rating == "unsatisfied" && visited <= w.end {
        h.change.status = "visited";
        let note = "回访企业，问题尚未完全解决，已向党建办报告。";
        h.step(tx, w.staff(), "visit", note, visited).await?;
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
    fn new(park_id: i64, id: i64, due: Deadlines) -> Self {
        History {
            park_id,
            id,
            version: 1,
            change: StepChange {
                status: "registered",
                assignee_id: None,
                counted_from: None,
                due,
                extended: false,
                contacted_on: None,
                replied_on: None,
                closed_on: None,
                rating: None,
                rated: false,
                rated_on: None,
                reopened: 0,
            },
        }
    }

    async fn step(
        &mut self,
        tx: &mut Tx,
        by: (Option<i64>, &str),
        step: &str,
        text: &str,
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let at = noon(on);
        if step == "accept" {
            // Whoever accepts it takes it on, as on the pages.
            self.change.assignee_id = self.change.assignee_id.or(by.0);
        }
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
