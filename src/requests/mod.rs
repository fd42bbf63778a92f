//! 企业诉求: an enterprise's request to the park's 园小二 team, worked through a status machine
//! to working-day deadlines. This module is the pure part: the statuses and the steps between
//! them ([`Step::apply`]), who may take each step, the groups a category goes to by default, and
//! the deadlines counted on the park's working-day calendar ([`deadlines`]).
//!
//! 已登记 → 已受理 → 办理中 (a 阶段性答复) → 已答复 → 已办结 → 已回访; before acceptance a
//! request may be 退回 (with a reason), which the office may overrule; 延期, approved by the
//! group's leader or the office, moves the closing deadline once (by default from 15 to 30
//! working days); a 不满意 rating calls for a 回访, and a 回访 that
//! did not settle it opens a 重办.

pub mod api;
pub mod attachments;
pub mod pages;
pub mod queries;
pub mod service;
pub mod settings;

use chrono::NaiveDate;
use serde::Serialize;

use crate::workdays::{Due, Workdays};

/// The statuses, in the order a request normally passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Registered,
    Returned,
    Accepted,
    InProgress,
    Replied,
    Closed,
    Visited,
}

pub const STATUSES: [Status; 7] = [
    Status::Registered,
    Status::Returned,
    Status::Accepted,
    Status::InProgress,
    Status::Replied,
    Status::Closed,
    Status::Visited,
];

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Returned => "returned",
            Status::Accepted => "accepted",
            Status::InProgress => "in_progress",
            Status::Replied => "replied",
            Status::Closed => "closed",
            Status::Visited => "visited",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Registered => "已登记",
            Status::Returned => "已退回",
            Status::Accepted => "已受理",
            Status::InProgress => "办理中",
            Status::Replied => "已答复",
            Status::Closed => "已办结",
            Status::Visited => "已回访",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        STATUSES
            .into_iter()
            .find(|st| st.as_str() == s || st.label() == s)
    }

    /// Still being worked: its deadlines run.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Registered | Status::Accepted | Status::InProgress | Status::Replied
        )
    }
}

/// The enterprise's rating of a closed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    Fair,
    Unsatisfied,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::Fair => "fair",
            Rating::Unsatisfied => "unsatisfied",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rating::Satisfied => "满意",
            Rating::Fair => "基本满意",
            Rating::Unsatisfied => "不满意",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        [Rating::Satisfied, Rating::Fair, Rating::Unsatisfied]
            .into_iter()
            .find(|r| r.as_str() == s || r.label() == s)
    }
}

/// Who takes a step: the enterprise that raised the request, the 园小二 team, a leader of the
/// request's group (or of the team), or the office (党建办, who dispatches and may overrule a
/// return).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Enterprise,
    Team,
    GroupLeader,
    Office,
}

/// One step of a request's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Accept,
    Return,
    Overrule,
    StageReply,
    Reply,
    Close,
    Extend,
    Rate,
    Visit,
    Reopen,
}

pub const STEPS: [Step; 10] = [
    Step::Accept,
    Step::Return,
    Step::Overrule,
    Step::StageReply,
    Step::Reply,
    Step::Close,
    Step::Extend,
    Step::Rate,
    Step::Visit,
    Step::Reopen,
];

/// What a request is when a step is asked of it: its status and what its history allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    pub extended: bool,
    /// Ratings given since the request was last (re)opened.
    pub rated: bool,
    pub rating: Option<Rating>,
    pub reopened: u32,
}

/// Why a step cannot be taken: a message for the user, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Return => "return",
            Step::Overrule => "overrule",
            Step::StageReply => "stage_reply",
            Step::Reply => "reply",
            Step::Close => "close",
            Step::Extend => "extend",
            Step::Rate => "rate",
            Step::Visit => "visit",
            Step::Reopen => "reopen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Accept => "受理",
            Step::Return => "退回",
            Step::Overrule => "撤销退回",
            Step::StageReply => "阶段性答复",
            Step::Reply => "答复",
            Step::Close => "办结",
            Step::Extend => "延期",
            Step::Rate => "评价",
            Step::Visit => "回访",
            Step::Reopen => "重办",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        STEPS
            .into_iter()
            .find(|st| st.as_str() == s || st.as_str().replace('_', "-") == s)
    }

    /// Whether `party` may take this step at all (whatever the request's state).
    pub fn taken_by(self, party: Party) -> bool {
        match self {
            Step::Rate => party == Party::Enterprise,
            Step::Overrule => party == Party::Office,
            Step::Extend => matches!(party, Party::Office | Party::GroupLeader),
            _ => party != Party::Enterprise,
        }
    }

    /// Whether the step needs a text (a reason, a reply, a note of the visit).
    pub fn needs_text(self) -> bool {
        matches!(
            self,
            Step::Return
                | Step::StageReply
                | Step::Reply
                | Step::Extend
                | Step::Visit
                | Step::Reopen
        )
    }

    /// The status after this step, or why it cannot be taken now.
    pub fn apply(self, s: State) -> Result<Status, Refused> {
        use Status::*;
        let wrong = || {
            Refused(format!(
                "诉求当前为“{}”，不能{}",
                s.status.label(),
                self.label()
            ))
        };
        match (self, s.status) {
            (Step::Accept, Registered) => Ok(Accepted),
            (Step::Return, Registered) => Ok(Returned),
            (Step::Overrule, Returned) => Ok(Accepted),
            (Step::StageReply, Accepted | InProgress) => Ok(InProgress),
            (Step::Reply, Accepted | InProgress) => Ok(Replied),
            (Step::Close, Replied) => Ok(Closed),
            (Step::Extend, Accepted | InProgress) if s.extended => {
                Err(Refused("办理时限只能延期一次".into()))
            }
            (Step::Extend, Accepted | InProgress) => Ok(s.status),
            (Step::Rate, Closed | Visited) if s.rated => Err(Refused("这次办理已经评价过".into())),
            (Step::Rate, Closed) => Ok(Closed),
            (Step::Visit, Closed) if s.rating.is_none() => {
                Err(Refused("企业评价后才能回访".into()))
            }
            (Step::Visit, Closed) => Ok(Visited),
            (Step::Reopen, Visited) if s.rating != Some(Rating::Unsatisfied) => {
                Err(Refused("只有企业评价“不满意”的诉求才能重办".into()))
            }
            (Step::Reopen, Visited) if s.reopened >= 1 => {
                Err(Refused("诉求已重办过一次，请改由党建办协调".into()))
            }
            (Step::Reopen, Visited) => Ok(Accepted),
            _ => Err(wrong()),
        }
    }
}

/// The nature of a request: an enterprise's 诉求 or 难题, to be answered and solved.
pub const PROBLEM: &str = "problem";

/// The nature of a request: an opinion or suggestion (意见建议) collected at a forum, on a
/// visit or online, worked in the same queue; counted by the report's `suggestions`.
pub const SUGGESTION: &str = "suggestion";

/// The ledger kinds requests replace: their records were carried over into requests (migration
/// 0016), and an enterprise user is no longer offered them.
pub const REPLACED_KINDS: [&str; 2] = ["enterprise_problem", "suggestion"];

/// The three groups of the 园小二 team.
pub const GROUPS: [&str; 3] = ["综合协调组", "项目审批组", "企业服务组"];

/// The categories a request may have, each with the group it goes to by default: approvals,
/// land, planning and construction to 项目审批组; employment, finance, policy and markets to
/// 企业服务组; everything else, and what spans groups, to 综合协调组.
pub const CATEGORIES: [(&str, &str); 10] = [
    ("审批", "项目审批组"),
    ("用地", "项目审批组"),
    ("规划", "项目审批组"),
    ("建设", "项目审批组"),
    ("用工", "企业服务组"),
    ("融资", "企业服务组"),
    ("政策", "企业服务组"),
    ("市场", "企业服务组"),
    ("基础设施", "综合协调组"),
    ("其他", "综合协调组"),
];

/// The group a category goes to by default.
pub fn group_of(category: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, g)| *g)
}

/// The working-day limits of a request: first contact, a stage reply, closure, and closure
/// once extended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub contact: u32,
    pub reply: u32,
    pub close: u32,
    pub extended_close: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            contact: 1,
            reply: 3,
            close: 15,
            extended_close: 30,
        }
    }
}

/// A request's deadlines, counted in working days from the day it was registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub contact_by: NaiveDate,
    pub reply_by: NaiveDate,
    pub close_by: NaiveDate,
    /// For a closed request rated 不满意: the day its 回访 is due ([`VISIT_WITHIN`] working
    /// day after the rating); none otherwise, and none for a rating given before the day was
    /// kept.
    pub visit_by: Option<NaiveDate>,
    /// A year counted through has no working-day table: Monday–Friday stood in.
    pub estimated: bool,
}

/// The working days within which a 不满意 rating is followed by a 回访.
pub const VISIT_WITHIN: u32 = 1;

pub fn deadlines(w: &Workdays, from: NaiveDate, limits: Limits, extended: bool) -> Deadlines {
    let contact = w.add(from, limits.contact);
    let reply = w.add(from, limits.reply);
    let close: Due = w.add(
        from,
        if extended {
            limits.extended_close
        } else {
            limits.close
        },
    );
    Deadlines {
        contact_by: contact.date,
        reply_by: reply.date,
        close_by: close.date,
        visit_by: None,
        estimated: contact.estimated || reply.estimated || close.estimated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: Status) -> State {
        State {
            status,
            extended: false,
            rated: false,
            rating: None,
            reopened: 0,
        }
    }

    #[test]
    fn the_usual_road_from_registration_to_the_visit() {
        let mut s = state(Status::Registered);
        for (step, to) in [
            (Step::Accept, Status::Accepted),
            (Step::StageReply, Status::InProgress),
            (Step::StageReply, Status::InProgress),
            (Step::Reply, Status::Replied),
            (Step::Close, Status::Closed),
        ] {
            s.status = step.apply(s).expect("allowed");
            assert_eq!(s.status, to, "{step:?}");
        }
        s.rating = Some(Rating::Satisfied);
        s.rated = true;
        assert!(Step::Rate.apply(s).is_err(), "rated once");
        assert_eq!(Step::Visit.apply(s), Ok(Status::Visited));
    }

    #[test]
    fn a_return_comes_only_before_acceptance_and_the_office_may_overrule_it() {
        assert_eq!(
            Step::Return.apply(state(Status::Registered)),
            Ok(Status::Returned)
        );
        assert!(Step::Return.apply(state(Status::Accepted)).is_err());
        assert_eq!(
            Step::Overrule.apply(state(Status::Returned)),
            Ok(Status::Accepted)
        );
        assert!(Step::Overrule.taken_by(Party::Office));
        assert!(!Step::Overrule.taken_by(Party::Team));
        assert!(!Step::Overrule.taken_by(Party::GroupLeader));
        assert!(Step::Extend.taken_by(Party::GroupLeader));
        assert!(!Step::Extend.taken_by(Party::Team));
    }

    #[test]
    fn nothing_is_closed_before_it_is_answered() {
        for status in [Status::Registered, Status::Accepted, Status::InProgress] {
            let e = Step::Close.apply(state(status)).unwrap_err();
            assert!(e.0.contains("不能办结"), "{e:?}");
        }
    }

    #[test]
    fn an_extension_is_granted_once() {
        let mut s = state(Status::InProgress);
        assert_eq!(Step::Extend.apply(s), Ok(Status::InProgress));
        s.extended = true;
        assert_eq!(
            Step::Extend.apply(s),
            Err(Refused("办理时限只能延期一次".into()))
        );
    }

    #[test]
    fn only_the_enterprise_rates_and_only_an_unsatisfied_visit_reopens_once() {
        assert!(Step::Rate.taken_by(Party::Enterprise));
        assert!(!Step::Rate.taken_by(Party::Team));
        assert!(!Step::Accept.taken_by(Party::Enterprise));
        assert!(Step::Rate.apply(state(Status::Replied)).is_err());
        let mut s = state(Status::Visited);
        s.rating = Some(Rating::Fair);
        assert!(Step::Reopen.apply(s).is_err());
        s.rating = Some(Rating::Unsatisfied);
        assert_eq!(Step::Reopen.apply(s), Ok(Status::Accepted));
        s.reopened = 1;
        assert!(Step::Reopen.apply(s).is_err());
    }

    #[test]
    fn categories_go_to_their_groups() {
        assert_eq!(group_of("用地"), Some("项目审批组"));
        assert_eq!(group_of("融资"), Some("企业服务组"));
        assert_eq!(group_of("其他"), Some("综合协调组"));
        assert_eq!(group_of("不存在"), None);
        for (_, g) in CATEGORIES {
            assert!(GROUPS.contains(&g));
        }
    }

    #[test]
    fn deadlines_around_the_2026_national_day() {
        let w = Workdays::official();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("day");
        let due = deadlines(&w, d(9, 30), Limits::default(), false);
        assert_eq!(due.contact_by, d(10, 8));
        // 8, 9, 10 (the make-up Saturday) October.
        assert_eq!(due.reply_by, d(10, 10));
        assert_eq!(due.close_by, d(10, 27));
        assert!(!due.estimated);
        let longer = deadlines(&w, d(9, 30), Limits::default(), true);
        assert_eq!(longer.close_by, d(11, 17));
    }
}
