//! What the pages and the rule checks ask of 包联 and visits: each leader's paired enterprises
//! with their last visit and this quarter's (`paired`), the 非包联 mark of visits (`unpaired`),
//! a visit record's panel (its mark, its problems and the requests raised from them), and the
//! (enterprise, period) pairs no visit of its leader covers (`uncovered`, for `visit_coverage`).
//! Reading only; raising a request from a problem is `requests::service::raise_from_visit`.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::queries::{self, Paired, VisitRow};
use super::{is_paired, problem_lines, PROBLEMS_FIELD, VISITOR_FIELD, VISIT_KIND};
use crate::auth::{Action, Principal, Role};
use crate::db::{Db, DbError};
use crate::error::AppError;
use crate::ledger::service::RecordView;
use crate::rules::Period;

/// One paired enterprise as 我的包联企业 lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PairedEnterprise {
    pub id: i64,
    pub name: String,
    /// The last day anyone visited it.
    pub last_visit: Option<NaiveDate>,
    /// Visits this quarter (up to today), by anyone.
    pub quarter_visits: usize,
    /// Of those, the visits its 包联领导 made.
    pub quarter_by_leader: usize,
}

/// A leader and the enterprises paired with them.
#[derive(Clone, Debug, Serialize)]
pub struct LeaderPairs {
    pub leader: String,
    pub person_id: Option<i64>,
    pub enterprises: Vec<PairedEnterprise>,
    /// How many of them the leader has not visited this quarter.
    pub not_visited: usize,
}

/// 我的包联企业: the quarter (its first day to today) and the leaders shown.
#[derive(Clone, Debug, Serialize)]
pub struct Pairings {
    pub quarter_from: NaiveDate,
    pub today: NaiveDate,
    /// `2025年第2季度`.
    pub quarter_label: String,
    /// The leaders: a 领导 themself only, the office every leader with a paired enterprise.
    pub leaders: Vec<LeaderPairs>,
    /// The name of the person a 领导's account acts for; `None` when the account is linked to
    /// no person of the roster (its pairs cannot be known).
    pub person: Option<String>,
}

/// The paired enterprises the principal may see, with their visits this quarter.
pub async fn paired(db: &Db, who: &Principal, today: NaiveDate) -> Result<Pairings, AppError> {
    who.require(Action::ReadPairings)?;
    let quarter = (today.month0() / 3) + 1;
    let quarter_from = NaiveDate::from_ymd_opt(today.year(), (quarter - 1) * 3 + 1, 1)
        .ok_or(AppError::BadRequest("日期超出范围".into()))?;
    let mut out = Pairings {
        quarter_from,
        today,
        quarter_label: format!("{}年第{quarter}季度", today.year()),
        leaders: Vec::new(),
        person: None,
    };
    let all = queries::paired(db, who.park_id).await?;
    let mine: Vec<Paired> = if who.role == Role::Leader {
        let person = match who.person_id {
            Some(id) => crate::org::queries::person(db, who.park_id, id).await?,
            None => None,
        };
        let Some(person) = person else {
            return Ok(out);
        };
        out.person = Some(person.name.clone());
        all.into_iter()
            .filter(|e| paired_with(e, person.id, &person.name))
            .collect()
    } else {
        all
    };
    let last: HashMap<i64, NaiveDate> = queries::last_visits(db, who.park_id)
        .await?
        .into_iter()
        .collect();
    let visits = queries::visits_between(db, who.park_id, quarter_from, today).await?;
    for e in mine {
        let of_e: Vec<&VisitRow> = visits.iter().filter(|v| v.1 == e.id).collect();
        let by_leader = of_e
            .iter()
            .filter(|v| is_paired(&v.3, Some(&e.leader_name)))
            .count();
        let row = PairedEnterprise {
            id: e.id,
            name: e.name,
            last_visit: last.get(&e.id).copied(),
            quarter_visits: of_e.len(),
            quarter_by_leader: by_leader,
        };
        let leader = e.leader_name.trim().to_string();
        let group = match out.leaders.iter_mut().find(|l| l.leader == leader) {
            Some(g) => g,
            None => {
                out.leaders.push(LeaderPairs {
                    leader,
                    person_id: e.leader_person_id,
                    enterprises: Vec::new(),
                    not_visited: 0,
                });
                out.leaders.last_mut().expect("just pushed")
            }
        };
        if by_leader == 0 {
            group.not_visited += 1;
        }
        group.enterprises.push(row);
    }
    Ok(out)
}

/// The name of the roster person the account acts for (`users.person_id`), if any.
pub async fn own_name(db: &Db, who: &Principal) -> Result<Option<String>, DbError> {
    Ok(match who.person_id {
        Some(id) => crate::org::queries::person(db, who.park_id, id)
            .await?
            .map(|p| p.name),
        None => None,
    })
}

/// Whether an enterprise is paired with the person `id` named `name`: by the roster link, or
/// by name where the enterprise's leader is linked to no person.
fn paired_with(e: &Paired, id: i64, name: &str) -> bool {
    match e.leader_person_id {
        Some(linked) => linked == id,
        None => e.leader_name.trim() == name,
    }
}

/// The visits among `records` (of the kind `visit`) whose 走访人 is not the enterprise's 包联领导:
/// their ids. A record naming no enterprise of the roster is not marked.
pub async fn unpaired(
    db: &Db,
    park_id: i64,
    records: &[RecordView],
) -> Result<HashSet<i64>, DbError> {
    let visits: Vec<&RecordView> = records.iter().filter(|r| r.kind == VISIT_KIND).collect();
    if visits.is_empty() {
        return Ok(HashSet::new());
    }
    let leaders = leaders(db, park_id).await?;
    Ok(visits
        .into_iter()
        .filter(|r| {
            r.enterprise_id.is_some_and(|e| {
                let visitor = r
                    .fields
                    .get(VISITOR_FIELD)
                    .and_then(|v| v.as_str())
                    .unwrap_or("");
                !is_paired(visitor, leaders.get(&e).map(String::as_str))
            })
        })
        .map(|r| r.id)
        .collect())
}

/// Each enterprise's 包联领导 by enterprise id (those with one).
async fn leaders(db: &Db, park_id: i64) -> Result<HashMap<i64, String>, DbError> {
    Ok(queries::paired(db, park_id)
        .await?
        .into_iter()
        .map(|e| (e.id, e.leader_name))
        .collect())
}

/// A problem line of a visit and the request raised from it, if any.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// 1-based, as `raise_from_visit` names it.
    pub line: usize,
    pub text: String,
    pub request: Option<Raised>,
}

/// A request raised from a problem line.
#[derive(Clone, Debug, Serialize)]
pub struct Raised {
    pub id: i64,
    pub title: String,
    pub status_label: &'static str,
}

/// What a visit record's page adds: the 非包联 mark and the problems.
#[derive(Clone, Debug, Serialize)]
pub struct Panel {
    /// The enterprise's 包联领导, if it has one.
    pub leader: Option<String>,
    /// The visit is not by the enterprise's 包联领导 (`UNPAIRED_MARK`).
    pub unpaired: bool,
    pub problems: Vec<Problem>,
    /// The principal may raise requests from the problems (writes visits, the record lives).
    pub can_raise: bool,
    /// Requests raised from lines the record no longer holds (edited since).
    pub earlier: Vec<Raised>,
}

/// The panel of a visit record the principal has read.
pub async fn panel(db: &Db, who: &Principal, rec: &RecordView) -> Result<Panel, AppError> {
    let leader = match rec.enterprise_id {
        Some(e) => leaders(db, who.park_id).await?.remove(&e),
        None => None,
    };
    let visitor = rec
        .fields
        .get(VISITOR_FIELD)
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let unpaired = rec.enterprise_id.is_some() && !is_paired(visitor, leader.as_deref());
    let raised = crate::requests::queries::raised_from(db, who.park_id, rec.id).await?;
    let status =
        |s: &str| crate::requests::Status::parse(s).map_or("", crate::requests::Status::label);
    let lines = problem_lines(rec.fields.get(PROBLEMS_FIELD));
    let problems: Vec<Problem> = lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| Problem {
            line: i + 1,
            request: raised
                .iter()
                .find(|r| usize::try_from(r.1).ok() == Some(i + 1))
                .map(|r| Raised {
                    id: r.0,
                    title: r.3.clone(),
                    status_label: status(&r.2),
                }),
            text,
        })
        .collect();
    let earlier = raised
        .iter()
        .filter(|r| usize::try_from(r.1).map_or(true, |l| l > problems.len()))
        .map(|r| Raised {
            id: r.0,
            title: r.3.clone(),
            status_label: status(&r.2),
        })
        .collect();
    Ok(Panel {
        leader,
        unpaired,
        problems,
        can_raise: !rec.deleted
            && rec.enterprise_id.is_some()
            && who.role.allows(Action::WriteRecords(VISIT_KIND))
            && who.role.allows(Action::ReadRequests),
        earlier,
    })
}

/// A paired enterprise its leader did not visit in one period.
#[derive(Clone, Debug)]
pub struct Uncovered {
    pub enterprise_id: i64,
    pub enterprise: String,
    pub leader: String,
    /// The period's number in the year (1-based).
    pub index: u32,
    /// The period's other visits (by others than the leader): record id, date, 走访人.
    pub others: Vec<(i64, NaiveDate, String)>,
}

/// The paired enterprises with no visit by their 包联领导 in each of the first `ended` periods
/// of `year` (those ended by the check date), by enterprise (in roster order) and period.
pub async fn uncovered(
    db: &Db,
    park_id: i64,
    year: i32,
    period: Period,
    ended: u32,
) -> Result<Vec<Uncovered>, DbError> {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        period.last_day(year, ended),
    ) else {
        return Ok(Vec::new());
    };
    if ended == 0 {
        return Ok(Vec::new());
    }
    let mut paired = queries::paired(db, park_id).await?;
    paired.sort_by_key(|e| e.id);
    let visits = queries::visits_between(db, park_id, first, last).await?;
    let mut out = Vec::new();
    for e in paired {
        let of_e: Vec<&VisitRow> = visits.iter().filter(|v| v.1 == e.id).collect();
        for index in 1..=ended {
            let Some((from, to)) = period_span(period, year, index) else {
                continue;
            };
            let within: Vec<&&VisitRow> =
                of_e.iter().filter(|v| v.2 >= from && v.2 <= to).collect();
            if within.iter().any(|v| is_paired(&v.3, Some(&e.leader_name))) {
                continue;
            }
            out.push(Uncovered {
                enterprise_id: e.id,
                enterprise: e.name.clone(),
                leader: e.leader_name.trim().to_string(),
                index,
                others: within.iter().map(|v| (v.0, v.2, v.3.clone())).collect(),
            });
        }
    }
    Ok(out)
}

/// The first and last day of period `index` of `year`.
pub fn period_span(period: Period, year: i32, index: u32) -> Option<(NaiveDate, NaiveDate)> {
    let from = if index <= 1 {
        NaiveDate::from_ymd_opt(year, 1, 1)
    } else {
        period.last_day(year, index - 1).and_then(|d| d.succ_opt())
    };
    Some((from?, period.last_day(year, index)?))
}
