//! Every message the rule checks show a user: a refused rule file (with its line), an as-of date
//! that cannot be read, an output format that does not exist. Kept in one place so that the
//! wording stays consistent and reviewable; a wrong year is `calendar::YearError`'s.

use crate::error::AppError;
use crate::ledger::value::ValueError;

/// Why a rule check could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// A rule file was refused; `line` is where the person editing it should look.
    #[error("规则文件第 {line} 行：{problem}")]
    File { line: usize, problem: FileProblem },
    #[error("截止日期（--as-of）“{input}”有误：{reason}")]
    InvalidAsOf { input: String, reason: ValueError },
    #[error("截止日期（--as-of）不能为空")]
    EmptyAsOf,
    #[error("不支持的输出格式“{0}”：请用 text 或 json")]
    UnknownFormat(String),
}

/// What is wrong at one place of a rule file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileProblem {
    #[error("格式错误：{0}")]
    Syntax(String),
    #[error("缺少“{0}”")]
    MissingKey(String),
    #[error("不认识的键“{0}”")]
    UnknownKey(String),
    #[error("规则标识“{0}”不合法：只能由小写英文字母、数字和单个下划线组成，并以字母开头")]
    InvalidId(String),
    #[error("规则标识“{0}”重复")]
    DuplicateId(String),
    #[error("规则“{rule}”缺少标题（title）")]
    MissingTitle { rule: String },
    #[error(
        "规则“{rule}”的周期“{value}”无效：应为 month（每月）、quarter（每季度）或 year（每年）"
    )]
    UnknownPeriod { rule: String, value: String },
    #[error(
        "规则“{rule}”的单位类型“{value}”不存在{}；可选：{}",
        nearest_clause(.nearest),
        .choices.join("、")
    )]
    UnknownUnitType {
        rule: String,
        value: String,
        nearest: Option<String>,
        choices: Vec<String>,
    },
    #[error(
        "规则“{rule}”的会议类型“{value}”不是会议台账的可选值{}；可选值：{}",
        nearest_clause(.nearest),
        .choices.join("、")
    )]
    UnknownMeetingType {
        rule: String,
        value: String,
        nearest: Option<String>,
        choices: Vec<String>,
    },
    #[error("规则“{rule}”的{what}应为正整数，收到的是 {value}")]
    NotPositive {
        rule: String,
        what: &'static str,
        value: i64,
    },
    #[error("规则“{rule}”的比例下限（min_ratio）应大于 0、不超过 10，收到的是 {value}")]
    InvalidRatio { rule: String, value: f64 },
    #[error("规则“{rule}”引用的字段“{key}”不是会议台账中的数值字段；可用：{}", .choices.join("、"))]
    UnknownNumberField {
        rule: String,
        key: String,
        choices: Vec<String>,
    },
    #[error(
        "规则“{rule}”的要求（requires）应四选一：会议次数（meeting_type、min_count）、比例（numerator、denominator、min_ratio）、任务按期完成（tasks = \"done_by_deadline\"）或包联企业走访（visits = \"paired_each_period\"）"
    )]
    AmbiguousRequirement { rule: String },
    #[error("规则“{rule}”的比例要求缺少{what}")]
    IncompleteRatio { rule: String, what: &'static str },
    #[error("规则“{rule}”的任务要求“{value}”无效：应为 done_by_deadline（任务在完成时限前完成）")]
    UnknownTaskRequirement { rule: String, value: String },
    #[error("规则“{rule}”的走访要求“{value}”无效：应为 paired_each_period（每家包联企业每期至少由包联领导走访一次）")]
    UnknownVisitRequirement { rule: String, value: String },
    #[error("规则“{rule}”缺少适用单位（applies_to）")]
    MissingAppliesTo { rule: String },
    #[error("会议台账没有“会议类型”（meeting_type）字段，无法检查会议规则")]
    NoMeetingLedger,
}

/// The optional "did you mean" part of a message.
fn nearest_clause(nearest: &Option<String>) -> String {
    match nearest {
        Some(name) => format!("，最接近的是“{name}”"),
        None => String::new(),
    }
}

impl From<RulesError> for AppError {
    fn from(e: RulesError) -> Self {
        AppError::BadRequest(e.to_string())
    }
}
