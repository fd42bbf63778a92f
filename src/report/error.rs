//! Every message the report module shows a user, in one enum, so that the wording stays
//! consistent and can be reviewed in one place.

use thiserror::Error;

use crate::error::AppError;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("报告指标定义格式错误：{0}")]
    MetricsSyntax(String),
    #[error("报告指标定义中没有任何指标")]
    NoMetrics,
    /// A park's own metric file refused, at its line.
    #[error("指标文件第 {line} 行：{message}")]
    MetricsFile { line: usize, message: String },
    #[error("指标“{metric}”定义有误：{problem}")]
    Metric {
        metric: String,
        problem: MetricProblem,
    },
    #[error("报告模板“{name}”{}有误：{reason}", line_clause(.line))]
    Template {
        name: String,
        line: Option<usize>,
        reason: String,
    },
    #[error("报告模板“{name}”第 {line} 行引用了不存在的指标“{metric}”{}", hint_clause(.nearest))]
    UnknownMetric {
        name: String,
        line: usize,
        metric: String,
        nearest: Option<String>,
    },
    #[error("报告中仍有未替换的占位符 X，请在模板中改为指标或删去：{}", .0.join("；"))]
    Placeholders(Vec<String>),
    #[error("报告模板“{name}”生成的内容超过 {limit_mb} MB，已停止生成；请检查模板中的循环")]
    TooLong { name: String, limit_mb: usize },
    #[error("报告模板“{name}”运行时占用内存超过 {limit_mb} MB，已停止；请检查模板中反复拼接字符串或列表的循环")]
    TooMuchMemory { name: String, limit_mb: u64 },
    #[error("报告模板运行超过 {0} 秒仍未完成，已停止等待；请简化模板中的循环")]
    TimedOut(u64),
    #[error("正在生成的报告较多，请稍后再试")]
    Busy,
    #[error("生成报告时内部出错，请联系管理员")]
    Crashed,
    #[error("生成 DOCX（Word）文件失败：{0}")]
    Docx(String),
    #[error("DOCX（Word）是二进制文件，不能输出到终端；请用 --out 指定文件，或把输出重定向到文件")]
    DocxToTerminal,
    #[error("DOCX（Word）是二进制文件，请用 render_bytes 生成")]
    DocxIsBinary,
    #[error("不支持的报告格式“{0}”；支持的格式：md、html、docx、json、pdf")]
    UnknownFormat(String),
    #[error("生成 PDF 需要 LibreOffice，本机没有找到 soffice 命令：请安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer；Windows：从 libreoffice.org 安装），或下载 DOCX 后用 WPS、Word 另存为 PDF")]
    PdfUnavailable,
    #[error("LibreOffice 把报告转换为 PDF 失败：{0}")]
    Pdf(String),
    #[error("LibreOffice 转换 PDF 超过 {0} 秒仍未完成，已停止")]
    PdfTimedOut(u64),
    #[error("无法读取报告模板“{path}”：{reason}")]
    ReadTemplate { path: String, reason: String },
    #[error("无法写入报告文件“{path}”：{reason}")]
    WriteOutput { path: String, reason: String },
    #[error(transparent)]
    App(#[from] AppError),
}

/// What is wrong with one metric definition (shown after "指标“ID”定义有误：").
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MetricProblem {
    #[error("{0}")]
    Format(String),
    #[error("指标标识重复")]
    DuplicateId,
    #[error("标识只能由小写英文字母、数字和下划线组成，并以字母开头")]
    InvalidId,
    #[error("缺少中文名称（label）或单位（unit）")]
    MissingLabelOrUnit,
    #[error("小数位数（decimals）最多 {0} 位")]
    TooManyDecimals(u32),
    #[error("计数类指标的值是整数，decimals 应为 0")]
    DecimalsOnWhole,
    #[error("未知的统计期间“{0}”，应为 year（本年度）或 to_date（截至年底累计）")]
    UnknownPeriod(String),
    #[error("未知的台账种类“{0}”")]
    UnknownKind(String),
    #[error("“{sheet}”台账没有字段“{field}”；可用字段：{available}")]
    UnknownField {
        sheet: String,
        field: String,
        available: String,
    },
    #[error("未知的聚合方式“{0}”，可用：count、sum、ratio（台账）；people_tagged、service_staff、members、members_joined（人员名册）")]
    UnknownAggregate(String),
    #[error("聚合方式 {aggregate} 需要参数 {parameter}")]
    MissingParameter {
        aggregate: String,
        parameter: &'static str,
    },
    #[error("聚合方式 {aggregate} 不使用参数 {parameter}")]
    UnusedParameter {
        aggregate: String,
        parameter: &'static str,
    },
    #[error("聚合方式 {0} 只用于人员名册，kind 应为 people")]
    RosterAggregateOnLedger(String),
    #[error("人员名册（people）只支持 people_tagged、service_staff、members 和 members_joined 四种聚合方式")]
    LedgerAggregateOnRoster,
    #[error("人员名册指标不支持筛选条件（filters）和日期字段（date_field）")]
    RosterFilters,
    #[error("人员名册指标统计的是截至年底的人数，period 应为 to_date")]
    RosterPeriod,
    #[error("发展党员（members_joined）按入党日期统计本年度，period 应为 year")]
    MembersJoinedPeriod,
    #[error("组织指标（kind = \"units\" 或 \"enterprises\"）只支持 count，按 unit_types 统计截至年底的组织架构（period 应为 to_date），不支持筛选条件、日期字段和台账参数；in_enterprise 和 name_contains 只用于 units")]
    OrgMetric,
    #[error("未知的单位类型“{value}”；可选：{choices}")]
    UnknownUnitType { value: String, choices: String },
    #[error("任务指标（kind = \"tasks\"）只支持 tasks_decomposed、tasks_due、tasks_on_time 和 tasks_on_time_rate，不支持筛选条件和其他参数，period 应为 year")]
    TasksMetric,
    #[error("诉求指标（kind = \"requests\"）只支持 requests_received、requests_closed、requests_close_rate 等以 requests_ 开头的统计方式，不支持筛选条件和其他参数，period 应为 year")]
    RequestsMetric,
    #[error("政策指标（kind = \"policies\"）只支持 policies_pushed、policies_enterprises、policies_pushes、policies_pushes_read 和 policies_read_rate，不支持筛选条件和其他参数，period 应为 year")]
    PoliciesMetric,
    #[error("part_of 应为另一个指标的编号（如 \"learning_activities\"），rate_of 应为分子、分母两个指标的编号（如 [\"tasks_completed_on_time\", \"tasks_due\"]）")]
    BadRelation,
    #[error("字段“{0}”不是日期字段")]
    NotADateField(String),
    #[error("字段“{0}”不是数字字段，不能求和或比较大小")]
    NotNumeric(String),
    #[error("字段“{field}”没有可选值“{value}”；可选值：{choices}")]
    NotAChoice {
        field: String,
        value: String,
        choices: String,
    },
    #[error("字段“{field}”（{field_type}）不能与这个值比较")]
    ValueDoesNotFit {
        field: String,
        field_type: &'static str,
    },
    #[error("字段“{field}”的筛选条件有误：{reason}")]
    BadCondition {
        field: String,
        reason: ConditionProblem,
    },
}

/// What is wrong with one filter condition.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConditionProblem {
    #[error("多个可选值请写成 {{ in = [..] }}")]
    ListWithoutIn,
    #[error("筛选条件为空")]
    Empty,
    #[error("in 后应为非空列表，如 in = [\"甲\", \"乙\"]")]
    InNeedsList,
    #[error("数值比较（gt、gte、lt、lte）只能和数字比较")]
    CompareNeedsNumber,
    #[error("未知的筛选条件“{0}”，可用：in、not、gt、gte、lt、lte")]
    UnknownOperator(String),
    #[error("筛选值只能是文字、数字或 true/false")]
    BadValue,
}

/// Why a template filter refused its input; the engine adds the template's name and line.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FilterProblem {
    #[error("{filter} 过滤器需要数字或指标，得到的是“{got}”")]
    NeedsNumber { filter: &'static str, got: String },
    #[error("cn 过滤器只能写整数，得到的是“{0}”")]
    CnNeedsWhole(String),
    #[error(
        "change 过滤器需要上年数值：请写 m.指标 | change 并在生成报告时计算上年指标，或写 a | change(b)"
    )]
    ChangeNeedsPrevious,
}

fn line_clause(line: &Option<usize>) -> String {
    match line {
        Some(line) => format!("第 {line} 行"),
        None => String::new(),
    }
}

fn hint_clause(nearest: &Option<String>) -> String {
    match nearest {
        Some(id) => format!("，是否想写“{id}”？"),
        None => String::new(),
    }
}

/// The Chinese reason for a template engine error, with the engine's own English detail kept
/// after it: the detail names the exact construct, the kind tells the user what went wrong.
pub(crate) fn template_reason(error: &minijinja::Error) -> String {
    use minijinja::ErrorKind as K;
    let reason = match error.kind() {
        K::SyntaxError => "模板语法错误",
        K::UndefinedError => "使用了未定义的变量或属性",
        K::OutOfFuel => "模板运算量超出上限，可能是死循环或过大的循环",
        K::UnknownFilter => "使用了不存在的过滤器",
        K::UnknownFunction => "使用了不存在的函数",
        K::UnknownTest => "使用了不存在的测试",
        K::UnknownMethod => "使用了不存在的方法",
        K::TemplateNotFound => "报告模板不能引用其他模板文件",
        K::MissingArgument | K::TooManyArguments => "过滤器或函数的参数个数不对",
        K::InvalidOperation => "无效的运算",
        _ => "模板无法渲染",
    };
    match error.detail() {
        Some(detail) => format!("{reason}（{detail}）"),
        None => reason.to_string(),
    }
}

impl ReportError {
    /// Wraps a template engine error with the template's name and line.
    pub(crate) fn template(default_name: &str, error: &minijinja::Error) -> ReportError {
        ReportError::Template {
            name: error.name().unwrap_or(default_name).to_string(),
            line: error.line(),
            reason: template_reason(error),
        }
    }

    pub(crate) fn metric(metric: &str, problem: MetricProblem) -> ReportError {
        ReportError::Metric {
            metric: metric.to_string(),
            problem,
        }
    }
}
