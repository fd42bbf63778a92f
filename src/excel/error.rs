//! The one error type of the Excel area, holding every message a user reads about a refused file,
//! an import that found errors, or an export that could not be written.

use crate::db::DbError;
use crate::excel::report::ImportReport;

/// Why an import, export or template did not happen. The `Display` texts are the messages shown.
#[derive(Debug, thiserror::Error)]
pub enum ExcelError {
    #[error("文件过大：{} MB，最大允许 {} MB", mb(*.size), mb(*.max))]
    TooLarge { size: u64, max: u64 },
    #[error(
        "文件解压后的总大小为 {} MB，超过允许的 {} MB，疑似压缩炸弹（zip bomb），已拒绝",
        mb(*.declared),
        mb(*.max)
    )]
    Uncompressed { declared: u64, max: u64 },
    #[error(
        "文件中的“{entry}”压缩比高达 {ratio}:1，超过允许的 {max}:1，疑似压缩炸弹（zip bomb），已拒绝"
    )]
    CompressionRatio { entry: String, ratio: u64, max: u64 },
    #[error("不是有效的 Excel 文件（支持 .xlsx、.xls、.xlsb、.ods 和 .csv）{}", detail_clause(.detail))]
    NotAWorkbook { detail: Option<String> },
    #[error("工作簿的行数超过 {max} 行，请拆分为几个文件分批导入")]
    TooManyRows { max: usize },
    #[error("工作簿的单元格超过 {max} 个，请删去无关内容或拆分后分批导入")]
    TooManyCells { max: usize },
    #[error("工作表“{sheet}”中的行顺序异常：请用 Excel 或 WPS 打开后另存，再导入")]
    RowsOutOfOrder { sheet: String },
    #[error("无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码的 CSV")]
    CsvEncoding,
    #[error(
        "CSV 文件需要指明台账种类：请用 --kind 指定（如 --kind meeting），或把文件命名为工作表名（如 会议台账.csv）"
    )]
    CsvNeedsKind,
    #[error("没有名为“{name}”的台账种类或名册；可选：{known}")]
    UnknownKind { name: String, known: String },
    #[error("工作簿中没有可导入的工作表{}", ignored_clause(.ignored))]
    NothingToImport { ignored: Vec<String> },
    #[error("导入未完成：发现 {} 处错误，没有导入任何数据", .0.errors.len())]
    Invalid(Box<ImportReport>),
    /// A kind the catalogue marks `closed`: the catalogue's message, where to record instead.
    #[error("{0}")]
    ClosedKind(String),
    #[error("年份 {0} 不正确，请填写如 2025 的四位年份")]
    BadYear(i32),
    #[error("生成 Excel 文件失败：{0}")]
    Write(String),
    #[error("导入时发生内部错误：{0}")]
    Internal(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rust_xlsxwriter::XlsxError> for ExcelError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExcelError::Write(e.to_string())
    }
}

/// Megabytes with one decimal, the way sizes are shown to users.
fn mb(bytes: u64) -> String {
    // Sizes shown are at most a few gigabytes, far inside f64's exact range.
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn detail_clause(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!("：{d}"))
        .unwrap_or_default()
}

fn ignored_clause(ignored: &[String]) -> String {
    if ignored.is_empty() {
        "（工作簿是空的）".to_owned()
    } else {
        format!(
            "：工作表 {} 的名称都不是台账或名册的名称（如 会议台账、党员花名册）",
            ignored
                .iter()
                .map(|s| format!("“{s}”"))
                .collect::<Vec<_>>()
                .join("、")
        )
    }
}

/// Fixed wording shared by the readers: what a damaged file is called.
pub(crate) const DAMAGED: &str = "文件内容已损坏或格式不受支持";

/// Wording of the cell-level problems the readers find before any field parser runs.
pub(crate) mod cell_messages {
    /// A cell holding `#N/A`, `#DIV/0!` and the like; the error code follows.
    pub const ERROR_VALUE: &str = "单元格是错误值";
    /// A header row that names none of the sheet's columns.
    pub const NO_HEADER: &str = "找不到表头：前 10 行中没有一行是本表的列名";
    pub const UNKNOWN_COLUMN: &str = "不是本表的列，已忽略";
    pub const DUPLICATE_COLUMN: &str = "与前面的列是同一列，请删去其中一列";
    pub const MISSING_COLUMN: &str = "缺少必填列";
    pub const IGNORED_SHEET: &str = "工作表名称不是台账或名册的名称，未导入";
    pub const NOT_THE_KIND: &str = "不是 --kind 指定的工作表，未导入";
}
