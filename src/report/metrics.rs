//! Metric definitions as data: the default `metrics.toml`, its format and its checks.
//!
//! A metric is one figure of the duty report: an id (stable, printed by `report --format json`),
//! a Chinese label and unit, the source it counts (a ledger kind of the catalogue, or `people`
//! for the rosters), filters on record fields, an aggregate, a period rule and the decimals its
//! value is rounded to. The format, one `[[metric]]` table each:
//!
//! ```toml
//! [[metric]]
//! id = "mass_petitions"            # ASCII snake_case, unique
//! label = "群体性上访"
//! unit = "起"
//! kind = "petition"                # ledger kind id, "people", "tasks", "units", "enterprises"
//!                                  # "requests" or "policies"
//! filters = { category = "集体来访", people_count = { gte = 5 } }
//! aggregate = "count"              # count | sum | ratio | people_tagged | service_staff
//!                                  # | members | members_joined (people)
//!                                  # | tasks_decomposed | tasks_on_time | tasks_on_time_rate
//!                                  # | requests_* (requests: see `RequestMeasure::ALL`)
//!                                  # | policies_* (policies: see `PolicyMeasure::ALL`)
//! period = "year"                  # year | to_date
//! # field = "person_times"         # sum: the field added up
//! # numerator = "attended"         # ratio: 100 × Σnumerator / Σdenominator, a percentage
//! # denominator = "expected"
//! # tag = "志愿者"                 # people_tagged: people whose tags hold this tag
//! # staff_type = "专职"            # service_staff: staff type of the post
//! # team = "园小二"                # service_staff: name part of the 工作组 used when no unit
//! #                                # is marked as the service team (default 园小二)
//! # unit_types = ["党支部"]         # units: the org units of these types; enterprises: the
//! #                                # enterprises with a unit of these types (组织覆盖)
//! # in_enterprise = true           # units: only units set up in an enterprise
//! # name_contains = "联合"         # units: only units whose name holds this
//! # date_field = "completed_on"    # the date field that places a record in the period
//! # decimals = 1                   # default 0
//! # synonyms = ["谈心", "谈心活动"]  # other names an essay may use (see `scaffold`)
//! # part_of = "learning_activities"   # relation: this figure is never above that one
//! # rate_of = ["tasks_completed_on_time", "tasks_due"]  # relation: this rate is 100 × a / b
//! # adverse = true                # an incident: good news only at 0 (never a highlight)
//! ```
//!
//! The relations (`part_of`, `rate_of`) are what the report's health check (`health`) tests on
//! every report, and what a template reaches from the metric (`m.ID.whole`, `m.ID.numerator`,
//! `m.ID.denominator`); a relation naming a metric the park turned off is left out.
//!
//! A filter is `key = value` (equal), `key = { in = [..] }`, `key = { not = value }` (different
//! or empty) or a numeric comparison `key = { gte = 5 }` (`gt`, `gte`, `lt`, `lte`); several
//! filters all hold. Everything is checked against the ledger catalogue when the file is read:
//! an unknown kind, field, choice value or aggregate is an error naming the metric.
//!
//! A park may lay its own file over these defaults (see `overlay`): the report computes
//! `park_metrics::park_metrics`, not the defaults alone.

use std::collections::HashSet;

use serde::Deserialize;

use super::error::{ConditionProblem as C, MetricProblem as P, ReportError};
use crate::ledger::catalogue::{Catalogue, FieldType, KindDef};

/// The metrics shipped with taizhang: every figure of the model report (PRODUCT.md).
pub const DEFAULT_METRICS: &str = include_str!("metrics.toml");

/// The `kind` that names the rosters rather than a ledger.
pub const PEOPLE_KIND: &str = "people";

/// The `kind` that names the annual plans' tasks (`tasks` area) rather than a ledger.
pub const TASKS_KIND: &str = "tasks";

/// The `kind` that names the units of the org tree (党委, 党支部…), counted as the tree stands.
pub const UNITS_KIND: &str = "units";

/// The `kind` that names the enterprises of the 企业名录, counted by the org units set up in them.
pub const ENTERPRISES_KIND: &str = "enterprises";

/// The `kind` that names the enterprise requests (企业诉求, `requests` area) rather than a ledger.
pub const REQUESTS_KIND: &str = "requests";

/// The `kind` that names the policy pushes (惠企政策, `policies` area) rather than a ledger.
pub const POLICIES_KIND: &str = "policies";

/// The name part of the 工作组 taken as the service team when no unit is marked as such.
pub const DEFAULT_TEAM_NAME: &str = "园小二";

/// A checked set of metrics, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricCatalogue {
    pub metrics: Vec<Metric>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub kind: String,
    pub filters: Vec<Filter>,
    pub aggregate: Aggregate,
    pub period: Period,
    /// The date field placing a record in the period; `None` means the kind's own date field.
    pub date_field: Option<String>,
    pub decimals: u32,
    /// True when the value is a whole number (a count, or a sum of an integer field).
    pub integral: bool,
    /// Other names a model essay may use for the figure; `scaffold` matches them with the label.
    pub synonyms: Vec<String>,
    /// The metric this one is a part of: its value is never above the whole's.
    pub part_of: Option<String>,
    /// For a rate: the metrics of its numerator and denominator (rate = 100 × a / b).
    pub rate_of: Option<(String, String)>,
    /// An incident (重大舆情, 群体性上访): the report's good news is a 0, and a count above 0
    /// belongs with the problems, never in a highlight.
    pub adverse: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub field: String,
    pub op: FilterOp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FilterOp {
    Eq(Scalar),
    In(Vec<Scalar>),
    /// Different from the value, or empty.
    Not(Scalar),
    Gt(f64),
    Gte(f64),
    Lt(f64),
    Lte(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Aggregate {
    Count,
    Sum {
        field: String,
    },
    /// 100 × Σnumerator / Σdenominator over records where both are filled in.
    Ratio {
        numerator: String,
        denominator: String,
    },
    /// Roster people whose tags include `tag`.
    PeopleTagged {
        tag: String,
    },
    /// Distinct people holding a post of `staff_type` in the service team (or its sub-units)
    /// at the year's end.
    ServiceStaff {
        staff_type: String,
        team: String,
    },
    /// The annual plans' tasks of the report year (`kind = "tasks"`).
    Tasks(TaskMeasure),
    /// Party members of the roster who had joined (入党日期) by the year's end, or whose date
    /// is not recorded (`kind = "people"`, `aggregate = "members"`).
    Members,
    /// Party members whose 入党日期 falls within the report year: the members developed
    /// (发展党员) that year (`members_joined`). Nothing else in the roster marks a member as
    /// developed; 入党日期 is the day the branch admitted them as 预备党员.
    MembersJoined,
    /// Units of the org tree of the given types (`kind = "units"`), the tree as it stands:
    /// optionally only those set up in an enterprise, or whose name holds a word (联合党支部).
    Units {
        unit_types: Vec<String>,
        in_enterprise: bool,
        name_contains: Option<String>,
    },
    /// Enterprises of the 企业名录 in which a unit of the given types is set up
    /// (`kind = "enterprises"`): the organisation's coverage (组织覆盖).
    EnterprisesWith {
        unit_types: Vec<String>,
    },
    /// The enterprise requests (`kind = "requests"`).
    Requests(RequestMeasure),
    /// The policies pushed to enterprises (`kind = "policies"`).
    Policies(PolicyMeasure),
}

/// What a policy metric counts: the pushes made within the report year (推送日期), whenever
/// read, so that the read rate's numerator is a part of its denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyMeasure {
    /// Policies pushed to at least one enterprise within the year (传递政策).
    Policies,
    /// Distinct enterprises reached by a push within the year (覆盖企业).
    Enterprises,
    /// Pushes made within the year, one per policy and enterprise.
    Pushes,
    /// Of those, the ones the enterprise has opened.
    PushesRead,
    /// 100 × pushes read / pushes made (阅读率).
    ReadRate,
}

impl PolicyMeasure {
    pub const ALL: [(&'static str, PolicyMeasure); 5] = [
        ("policies_pushed", PolicyMeasure::Policies),
        ("policies_enterprises", PolicyMeasure::Enterprises),
        ("policies_pushes", PolicyMeasure::Pushes),
        ("policies_pushes_read", PolicyMeasure::PushesRead),
        ("policies_read_rate", PolicyMeasure::ReadRate),
    ];

    pub fn parse(aggregate: &str) -> Option<PolicyMeasure> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == aggregate)
            .map(|(_, m)| *m)
    }

    /// What it counts, in words (the definition on the page behind a figure).
    pub fn describe(self) -> &'static str {
        match self {
            PolicyMeasure::Policies => "当年内推送给企业的政策条数",
            PolicyMeasure::Enterprises => "当年内收到政策推送的企业家数（不重复计）",
            PolicyMeasure::Pushes => "当年内的政策推送次数（每条政策、每家企业计一次）",
            PolicyMeasure::PushesRead => "当年内的政策推送中，企业已打开阅读的次数",
            PolicyMeasure::ReadRate => "当年内的政策推送中，企业已打开阅读的占比（阅读率）",
        }
    }
}

/// What a request metric counts. Except `Solved` and `Suggestions`, each is about the requests
/// of nature `problem` (诉求) received within the report year (收到日期), whatever became of
/// them later: the year's cohort, so that every rate's numerator is a part of its denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestMeasure {
    /// Every request received in the year, returned ones included (受理量).
    Received,
    /// Those first contacted (受理) on or before their contact deadline.
    ContactedInTime,
    /// 100 × contacted in time / received (响应率).
    ResponseRate,
    /// Those closed (已办结, 已回访): a closing date is set.
    Closed,
    /// 100 × closed / received (办结率).
    CloseRate,
    /// Those closed on or before their closing deadline (extended or not).
    ClosedOnTime,
    /// 100 × closed on time / closed (按时办结率).
    OnTimeCloseRate,
    /// Those the enterprise rated (the rating of the latest closure).
    Rated,
    /// Those rated 满意 or 基本满意.
    Satisfied,
    /// 100 × satisfied / rated (满意率).
    SatisfactionRate,
    /// Those ever returned (退回), an overruled return included.
    Returned,
    /// 100 × returned / received (回退率).
    ReturnRate,
    /// Those worked again (重办) after a 不满意.
    Reopened,
    /// 100 × reopened / received (重办率).
    ReopenRate,
    /// The closed ones' average working days from registration to closure, on the park's
    /// working-day calendar.
    AvgWorkdaysToClose,
    /// Requests of nature `problem` closed within the year, whenever received: the problems
    /// solved (帮助企业解决难题).
    Solved,
    /// Requests of nature `suggestion` received within the year (征求意见建议).
    Suggestions,
}

impl RequestMeasure {
    pub const ALL: [(&'static str, RequestMeasure); 17] = [
        ("requests_received", RequestMeasure::Received),
        (
            "requests_contacted_in_time",
            RequestMeasure::ContactedInTime,
        ),
        ("requests_response_rate", RequestMeasure::ResponseRate),
        ("requests_closed", RequestMeasure::Closed),
        ("requests_close_rate", RequestMeasure::CloseRate),
        ("requests_closed_on_time", RequestMeasure::ClosedOnTime),
        (
            "requests_on_time_close_rate",
            RequestMeasure::OnTimeCloseRate,
        ),
        ("requests_rated", RequestMeasure::Rated),
        ("requests_satisfied", RequestMeasure::Satisfied),
        (
            "requests_satisfaction_rate",
            RequestMeasure::SatisfactionRate,
        ),
        ("requests_returned", RequestMeasure::Returned),
        ("requests_return_rate", RequestMeasure::ReturnRate),
        ("requests_reopened", RequestMeasure::Reopened),
        ("requests_reopen_rate", RequestMeasure::ReopenRate),
        (
            "requests_avg_workdays_to_close",
            RequestMeasure::AvgWorkdaysToClose,
        ),
        ("requests_solved", RequestMeasure::Solved),
        ("requests_suggestions", RequestMeasure::Suggestions),
    ];

    pub fn parse(aggregate: &str) -> Option<RequestMeasure> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == aggregate)
            .map(|(_, m)| *m)
    }

    /// A percentage: 100 × the first sum over the second.
    pub fn is_rate(self) -> bool {
        use RequestMeasure::*;
        matches!(
            self,
            ResponseRate | CloseRate | OnTimeCloseRate | SatisfactionRate | ReturnRate | ReopenRate
        )
    }

    /// What it counts, in words (the definition on the page behind a figure).
    pub fn describe(self) -> &'static str {
        use RequestMeasure::*;
        match self {
            Received => "收到日期在当年内的企业诉求件数（含退回的）",
            ContactedInTime => "当年收到、在首次联系时限前受理联系的诉求件数",
            ResponseRate => "当年收到的诉求中，在首次联系时限前受理联系的占比（响应率）",
            Closed => "当年收到、已办结的诉求件数",
            CloseRate => "当年收到的诉求中已办结的占比（办结率）",
            ClosedOnTime => "当年收到、在办结时限（含延期）前办结的诉求件数",
            OnTimeCloseRate => "当年收到并已办结的诉求中，在办结时限前办结的占比（按时办结率）",
            Rated => "当年收到、企业已评价的诉求件数",
            Satisfied => "当年收到、企业评价为“满意”或“基本满意”的诉求件数",
            SatisfactionRate => "当年收到并经企业评价的诉求中，“满意”和“基本满意”的占比（满意率）",
            Returned => "当年收到、曾被退回（含撤销退回的）的诉求件数",
            ReturnRate => "当年收到的诉求中曾被退回的占比（回退率）",
            Reopened => "当年收到、因企业不满意而重办的诉求件数",
            ReopenRate => "当年收到的诉求中重办的占比（重办率）",
            AvgWorkdaysToClose => {
                "当年收到并已办结的诉求，从登记到办结的工作日数（按园区工作日历）的平均值"
            }
            Solved => "办结日期在当年内的企业诉求件数（不论何时收到）",
            Suggestions => "收到日期在当年内的意见建议件数",
        }
    }

    /// A whole number of requests (not a rate, not an average).
    pub fn is_count(self) -> bool {
        !self.is_rate() && self != RequestMeasure::AvgWorkdaysToClose
    }
}

/// What a task metric counts, over the tasks of the report year's plans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskMeasure {
    /// Sub-tasks: tasks decomposed from a parent task to a department or branch.
    Decomposed,
    /// Tasks whose deadline falls within the year: the base of the on-time rate.
    Due,
    /// Tasks due within the year and done on or before their deadline.
    OnTime,
    /// 100 × tasks done on time / tasks whose deadline falls within the year.
    OnTimeRate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Dated within the report year.
    Year,
    /// Dated up to the report year's last day.
    ToDate,
}

/// The most decimals a metric may keep; ledger decimals keep at most six.
const MAX_DECIMALS: u32 = 6;

impl MetricCatalogue {
    /// The default metrics, checked against the default ledger catalogue.
    pub fn default_metrics() -> MetricCatalogue {
        // The embedded file is a build input; `default_metrics_are_valid` keeps it valid.
        MetricCatalogue::from_toml(DEFAULT_METRICS, &Catalogue::default_catalogue())
            .expect("the embedded default metrics are valid (checked by a unit test)")
    }

    /// Parses a metrics file and checks every metric against the ledger catalogue.
    pub fn from_toml(text: &str, ledgers: &Catalogue) -> Result<MetricCatalogue, ReportError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            metric: Vec<toml::Table>,
        }
        let file: File = toml::from_str(text)
            .map_err(|e| ReportError::MetricsSyntax(e.to_string().trim().to_string()))?;
        if file.metric.is_empty() {
            return Err(ReportError::NoMetrics);
        }
        let mut metrics = Vec::with_capacity(file.metric.len());
        let mut ids = HashSet::new();
        for (index, table) in file.metric.into_iter().enumerate() {
            let name = match table.get("id").and_then(toml::Value::as_str) {
                Some(id) => id.to_string(),
                None => format!("第 {} 个", index + 1),
            };
            let metric =
                Metric::from_table(table, ledgers).map_err(|p| ReportError::metric(&name, p))?;
            if !ids.insert(metric.id.clone()) {
                return Err(ReportError::metric(&metric.id, P::DuplicateId));
            }
            metrics.push(metric);
        }
        Ok(MetricCatalogue { metrics })
    }

    pub fn get(&self, id: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }
}

impl Metric {
    /// Reads one `[[metric]]` table and checks it against the ledger catalogue.
    pub(crate) fn from_table(table: toml::Table, ledgers: &Catalogue) -> Result<Metric, P> {
        let raw: RawMetric = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| P::Format(e.message().to_string()))?;
        raw.check(ledgers)
    }
}

/// A metric as written, before its parts are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    id: String,
    label: String,
    unit: String,
    kind: String,
    #[serde(default)]
    filters: toml::Table,
    aggregate: String,
    field: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    tag: Option<String>,
    staff_type: Option<String>,
    team: Option<String>,
    period: String,
    date_field: Option<String>,
    unit_types: Option<Vec<String>>,
    in_enterprise: Option<bool>,
    name_contains: Option<String>,
    #[serde(default)]
    decimals: u32,
    #[serde(default)]
    synonyms: Vec<String>,
    part_of: Option<String>,
    rate_of: Option<Vec<String>>,
    #[serde(default)]
    adverse: bool,
}

impl RawMetric {
    fn check(self, ledgers: &Catalogue) -> Result<Metric, P> {
        if !is_snake_case(&self.id) {
            return Err(P::InvalidId);
        }
        if self.label.trim().is_empty() || self.unit.trim().is_empty() {
            return Err(P::MissingLabelOrUnit);
        }
        if self.decimals > MAX_DECIMALS {
            return Err(P::TooManyDecimals(MAX_DECIMALS));
        }
        let rate_of = match self.rate_of.as_deref() {
            None => None,
            Some([a, b]) if is_snake_case(a) && is_snake_case(b) => Some((a.clone(), b.clone())),
            Some(_) => return Err(P::BadRelation),
        };
        if self
            .part_of
            .as_deref()
            .is_some_and(|w| !is_snake_case(w) || w == self.id)
        {
            return Err(P::BadRelation);
        }
        let period = match self.period.as_str() {
            "year" => Period::Year,
            "to_date" => Period::ToDate,
            other => return Err(P::UnknownPeriod(other.to_string())),
        };
        if self.kind == TASKS_KIND {
            return self.tasks_metric(period, rate_of);
        }
        if self.kind == UNITS_KIND || self.kind == ENTERPRISES_KIND {
            return self.org_metric(period);
        }
        if self.kind == REQUESTS_KIND {
            return self.requests_metric(period, rate_of);
        }
        if self.kind == POLICIES_KIND {
            return self.policies_metric(period, rate_of);
        }
        let kind = if self.kind == PEOPLE_KIND {
            None
        } else {
            Some(
                ledgers
                    .kind(&self.kind)
                    .ok_or_else(|| P::UnknownKind(self.kind.clone()))?,
            )
        };
        let aggregate = match kind {
            Some(kind) => self.ledger_aggregate(kind)?,
            None => self.people_aggregate()?,
        };
        self.check_parameters(&aggregate)?;
        let filters = match kind {
            Some(kind) => self.filters(kind)?,
            None if self.filters.is_empty() && self.date_field.is_none() => Vec::new(),
            None => return Err(P::RosterFilters),
        };
        if let (Some(kind), Some(date_field)) = (kind, &self.date_field) {
            match kind.field(date_field) {
                Some(f) if f.field_type == FieldType::Date => {}
                Some(_) => return Err(P::NotADateField(date_field.clone())),
                None => return Err(unknown_field(kind, date_field)),
            }
        }
        match (&aggregate, kind) {
            (Aggregate::MembersJoined, _) if period != Period::Year => {
                return Err(P::MembersJoinedPeriod)
            }
            (Aggregate::MembersJoined, _) => {}
            (_, None) if period != Period::ToDate => return Err(P::RosterPeriod),
            _ => {}
        }
        let integral = match (&aggregate, kind) {
            (Aggregate::Sum { field }, Some(kind)) => {
                kind.field(field).map(|f| f.field_type) == Some(FieldType::Integer)
            }
            (Aggregate::Ratio { .. }, _) | (Aggregate::Sum { .. }, None) => false,
            _ => true,
        };
        if integral && self.decimals != 0 {
            return Err(P::DecimalsOnWhole);
        }
        Ok(Metric {
            id: self.id,
            label: self.label,
            unit: self.unit,
            kind: self.kind,
            filters,
            aggregate,
            period,
            date_field: self.date_field,
            decimals: self.decimals,
            integral,
            synonyms: self.synonyms,
            part_of: self.part_of,
            rate_of,
            adverse: self.adverse,
        })
    }

    /// A metric over the annual plans' tasks: no filters, no parameters, the report year.
    fn tasks_metric(self, period: Period, rate_of: Option<(String, String)>) -> Result<Metric, P> {
        let measure = match self.aggregate.as_str() {
            "tasks_decomposed" => TaskMeasure::Decomposed,
            "tasks_due" => TaskMeasure::Due,
            "tasks_on_time" => TaskMeasure::OnTime,
            "tasks_on_time_rate" => TaskMeasure::OnTimeRate,
            _ => return Err(P::TasksMetric),
        };
        if self.names_ledger_parameters() || period != Period::Year {
            return Err(P::TasksMetric);
        }
        let integral = measure != TaskMeasure::OnTimeRate;
        if integral && self.decimals != 0 {
            return Err(P::DecimalsOnWhole);
        }
        Ok(Metric {
            id: self.id,
            label: self.label,
            unit: self.unit,
            kind: self.kind,
            filters: Vec::new(),
            aggregate: Aggregate::Tasks(measure),
            period,
            date_field: None,
            decimals: self.decimals,
            integral,
            synonyms: self.synonyms,
            part_of: self.part_of,
            rate_of,
            adverse: self.adverse,
        })
    }

    /// A metric over the enterprise requests: no filters, no parameters, the report year.
    fn requests_metric(
        self,
        period: Period,
        rate_of: Option<(String, String)>,
    ) -> Result<Metric, P> {
        let Some(measure) = RequestMeasure::parse(&self.aggregate) else {
            return Err(P::RequestsMetric);
        };
        if self.names_ledger_parameters() || period != Period::Year {
            return Err(P::RequestsMetric);
        }
        let integral = measure.is_count();
        if integral && self.decimals != 0 {
            return Err(P::DecimalsOnWhole);
        }
        Ok(Metric {
            id: self.id,
            label: self.label,
            unit: self.unit,
            kind: self.kind,
            filters: Vec::new(),
            aggregate: Aggregate::Requests(measure),
            period,
            date_field: None,
            decimals: self.decimals,
            integral,
            synonyms: self.synonyms,
            part_of: self.part_of,
            rate_of,
            adverse: self.adverse,
        })
    }

    /// A metric over the policy pushes: no filters, no parameters, the report year.
    fn policies_metric(
        self,
        period: Period,
        rate_of: Option<(String, String)>,
    ) -> Result<Metric, P> {
        let Some(measure) = PolicyMeasure::parse(&self.aggregate) else {
            return Err(P::PoliciesMetric);
        };
        if self.names_ledger_parameters() || period != Period::Year {
            return Err(P::PoliciesMetric);
        }
        let integral = measure != PolicyMeasure::ReadRate;
        if integral && self.decimals != 0 {
            return Err(P::DecimalsOnWhole);
        }
        Ok(Metric {
            id: self.id,
            label: self.label,
            unit: self.unit,
            kind: self.kind,
            filters: Vec::new(),
            aggregate: Aggregate::Policies(measure),
            period,
            date_field: None,
            decimals: self.decimals,
            integral,
            synonyms: self.synonyms,
            part_of: self.part_of,
            rate_of,
            adverse: self.adverse,
        })
    }

    /// True when a parameter of a ledger, roster or org metric is given: what the task,
    /// request and policy metrics, computed from their own tables, take none of.
    fn names_ledger_parameters(&self) -> bool {
        [&self.field, &self.numerator, &self.denominator, &self.tag]
            .iter()
            .any(|v| v.is_some())
            || self.staff_type.is_some()
            || self.team.is_some()
            || self.org_parameters()
            || self.date_field.is_some()
            || !self.filters.is_empty()
    }

    /// True when a parameter of the org metrics is given.
    fn org_parameters(&self) -> bool {
        self.unit_types.is_some() || self.in_enterprise.is_some() || self.name_contains.is_some()
    }

    /// A metric over the org tree (`units`) or the enterprises with a unit in them
    /// (`enterprises`): a count of the given unit types, as the tree stands at the year's end.
    fn org_metric(self, period: Period) -> Result<Metric, P> {
        let extra = [
            &self.field,
            &self.numerator,
            &self.denominator,
            &self.tag,
            &self.staff_type,
            &self.team,
            &self.date_field,
        ]
        .iter()
        .any(|v| v.is_some())
            || !self.filters.is_empty()
            || self.rate_of.is_some();
        let enterprise_only = self.kind == ENTERPRISES_KIND
            && (self.in_enterprise.is_some() || self.name_contains.is_some());
        if self.aggregate != "count" || extra || enterprise_only || period != Period::ToDate {
            return Err(P::OrgMetric);
        }
        if self.decimals != 0 {
            return Err(P::DecimalsOnWhole);
        }
        let unit_types = self.unit_types.clone().unwrap_or_default();
        if unit_types.is_empty() {
            return Err(P::MissingParameter {
                aggregate: self.aggregate.clone(),
                parameter: "unit_types",
            });
        }
        if let Some(unknown) = unit_types
            .iter()
            .find(|t| !crate::org::UNIT_TYPES.contains(&t.as_str()))
        {
            return Err(P::UnknownUnitType {
                value: unknown.clone(),
                choices: crate::org::UNIT_TYPES.join("、"),
            });
        }
        let name_contains = match self.name_contains.as_deref().map(str::trim) {
            Some("") => {
                return Err(P::MissingParameter {
                    aggregate: self.aggregate.clone(),
                    parameter: "name_contains",
                })
            }
            other => other.map(str::to_string),
        };
        let aggregate = if self.kind == UNITS_KIND {
            Aggregate::Units {
                unit_types,
                in_enterprise: self.in_enterprise.unwrap_or(false),
                name_contains,
            }
        } else {
            Aggregate::EnterprisesWith { unit_types }
        };
        Ok(Metric {
            id: self.id,
            label: self.label,
            unit: self.unit,
            kind: self.kind,
            filters: Vec::new(),
            aggregate,
            period,
            date_field: None,
            decimals: 0,
            integral: true,
            synonyms: self.synonyms,
            part_of: self.part_of,
            rate_of: None,
            adverse: self.adverse,
        })
    }

    fn ledger_aggregate(&self, kind: &KindDef) -> Result<Aggregate, P> {
        let numeric = |key: &Option<String>, parameter: &'static str| match key {
            None => Err(P::MissingParameter {
                aggregate: self.aggregate.clone(),
                parameter,
            }),
            Some(key) => match kind.field(key) {
                Some(f) if matches!(f.field_type, FieldType::Integer | FieldType::Decimal) => {
                    Ok(key.clone())
                }
                Some(_) => Err(P::NotNumeric(key.clone())),
                None => Err(unknown_field(kind, key)),
            },
        };
        Ok(match self.aggregate.as_str() {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum {
                field: numeric(&self.field, "field")?,
            },
            "ratio" => Aggregate::Ratio {
                numerator: numeric(&self.numerator, "numerator")?,
                denominator: numeric(&self.denominator, "denominator")?,
            },
            "people_tagged" | "service_staff" | "members" | "members_joined" => {
                return Err(P::RosterAggregateOnLedger(self.aggregate.clone()))
            }
            other => return Err(P::UnknownAggregate(other.to_string())),
        })
    }

    fn people_aggregate(&self) -> Result<Aggregate, P> {
        let required = |v: &Option<String>, parameter: &'static str| match v {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(P::MissingParameter {
                aggregate: self.aggregate.clone(),
                parameter,
            }),
        };
        Ok(match self.aggregate.as_str() {
            "people_tagged" => Aggregate::PeopleTagged {
                tag: required(&self.tag, "tag")?,
            },
            "service_staff" => Aggregate::ServiceStaff {
                staff_type: required(&self.staff_type, "staff_type")?,
                team: self
                    .team
                    .clone()
                    .unwrap_or_else(|| DEFAULT_TEAM_NAME.to_string()),
            },
            "members" => Aggregate::Members,
            "members_joined" => Aggregate::MembersJoined,
            "count" | "sum" | "ratio" => return Err(P::LedgerAggregateOnRoster),
            other => return Err(P::UnknownAggregate(other.to_string())),
        })
    }

    /// Refuses a parameter the aggregate does not use (a `field` on a count, say), rather than
    /// silently ignoring what the author meant.
    fn check_parameters(&self, aggregate: &Aggregate) -> Result<(), P> {
        let allowed: &[&str] = match aggregate {
            Aggregate::Count => &[],
            Aggregate::Sum { .. } => &["field"],
            Aggregate::Ratio { .. } => &["numerator", "denominator"],
            Aggregate::PeopleTagged { .. } => &["tag"],
            Aggregate::ServiceStaff { .. } => &["staff_type", "team"],
            Aggregate::Tasks(_)
            | Aggregate::Requests(_)
            | Aggregate::Policies(_)
            | Aggregate::Members
            | Aggregate::MembersJoined
            | Aggregate::Units { .. }
            | Aggregate::EnterprisesWith { .. } => &[],
        };
        let given = [
            ("field", self.field.is_some()),
            ("numerator", self.numerator.is_some()),
            ("denominator", self.denominator.is_some()),
            ("tag", self.tag.is_some()),
            ("staff_type", self.staff_type.is_some()),
            ("team", self.team.is_some()),
            ("unit_types", self.unit_types.is_some()),
            ("in_enterprise", self.in_enterprise.is_some()),
            ("name_contains", self.name_contains.is_some()),
        ];
        match given.iter().find(|(p, set)| *set && !allowed.contains(p)) {
            Some((parameter, _)) => Err(P::UnusedParameter {
                aggregate: self.aggregate.clone(),
                parameter,
            }),
            None => Ok(()),
        }
    }

    fn filters(&self, kind: &KindDef) -> Result<Vec<Filter>, P> {
        let mut filters = Vec::new();
        for (field, condition) in &self.filters {
            let ops = parse_condition(condition).map_err(|reason| P::BadCondition {
                field: field.clone(),
                reason,
            })?;
            for op in ops {
                check_filter(kind, field, &op)?;
                filters.push(Filter {
                    field: field.clone(),
                    op,
                });
            }
        }
        Ok(filters)
    }
}

fn unknown_field(kind: &KindDef, key: &str) -> P {
    let keys: Vec<&str> = kind.fields.iter().map(|f| f.key.as_str()).collect();
    P::UnknownField {
        sheet: kind.sheet.clone(),
        field: key.to_string(),
        available: keys.join("、"),
    }
}

/// Reads one filter's condition: a plain value, or a table of operators.
fn parse_condition(value: &toml::Value) -> Result<Vec<FilterOp>, C> {
    let toml::Value::Table(ops) = value else {
        if value.is_array() {
            return Err(C::ListWithoutIn);
        }
        return Ok(vec![FilterOp::Eq(scalar(value)?)]);
    };
    if ops.is_empty() {
        return Err(C::Empty);
    }
    let number = |v: &toml::Value| match scalar(v)? {
        Scalar::Number(n) => Ok(n),
        _ => Err(C::CompareNeedsNumber),
    };
    ops.iter()
        .map(|(op, v)| {
            Ok(match op.as_str() {
                "in" => match v.as_array() {
                    Some(list) if !list.is_empty() => {
                        FilterOp::In(list.iter().map(scalar).collect::<Result<_, _>>()?)
                    }
                    _ => return Err(C::InNeedsList),
                },
                "not" => FilterOp::Not(scalar(v)?),
                "gt" => FilterOp::Gt(number(v)?),
                "gte" => FilterOp::Gte(number(v)?),
                "lt" => FilterOp::Lt(number(v)?),
                "lte" => FilterOp::Lte(number(v)?),
                other => return Err(C::UnknownOperator(other.to_string())),
            })
        })
        .collect()
}

fn scalar(value: &toml::Value) -> Result<Scalar, C> {
    match value {
        toml::Value::String(s) => Ok(Scalar::Text(s.clone())),
        // Ledger integers stay below 10^15, so the conversion to f64 is exact.
        toml::Value::Integer(n) => Ok(Scalar::Number(*n as f64)),
        toml::Value::Float(x) if x.is_finite() => Ok(Scalar::Number(*x)),
        toml::Value::Boolean(b) => Ok(Scalar::Bool(*b)),
        _ => Err(C::BadValue),
    }
}

/// Checks that a filter names a field of the kind and compares it with a value it can hold.
fn check_filter(kind: &KindDef, key: &str, op: &FilterOp) -> Result<(), P> {
    let Some(field) = kind.field(key) else {
        return Err(unknown_field(kind, key));
    };
    let values: Vec<&Scalar> = match op {
        FilterOp::Eq(v) | FilterOp::Not(v) => vec![v],
        FilterOp::In(list) => list.iter().collect(),
        FilterOp::Gt(_) | FilterOp::Gte(_) | FilterOp::Lt(_) | FilterOp::Lte(_) => {
            return match field.field_type {
                FieldType::Integer | FieldType::Decimal => Ok(()),
                _ => Err(P::NotNumeric(key.to_string())),
            }
        }
    };
    for value in values {
        let fits = match (field.field_type, value) {
            (FieldType::Bool, Scalar::Bool(_)) => !matches!(op, FilterOp::In(_)),
            (FieldType::Integer | FieldType::Decimal, Scalar::Number(_)) => true,
            (FieldType::Choice, Scalar::Text(t)) if !field.choices.contains(t) => {
                return Err(P::NotAChoice {
                    field: key.to_string(),
                    value: t.clone(),
                    choices: field.choices.join("、"),
                })
            }
            (FieldType::Bool | FieldType::Integer | FieldType::Decimal, _) => false,
            (_, Scalar::Text(_)) => true,
            _ => false,
        };
        if !fits {
            return Err(P::ValueDoesNotFit {
                field: key.to_string(),
                field_type: field.field_type.as_str(),
            });
        }
    }
    Ok(())
}

fn is_snake_case(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
