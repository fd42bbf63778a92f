//! The error a service returns to either face (web or command line). Callers branch on the
//! variant; the web maps each to a status and a Chinese message, the CLI prints the message.

use serde::Serialize;
use thiserror::Error;

use crate::db::DbError;

/// One wrong value, named by field (or by sheet, row and column on import).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's key (or the import location, "会议台账!C5").
    pub field: String,
    /// The field's Chinese label, for messages.
    pub label: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, label: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            label: label.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.label, self.message)
    }
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthorized,
    #[error("没有权限：{0}")]
    Forbidden(&'static str),
    /// A field the role may not set (403, naming the field).
    #[error("没有权限：您的角色不能填写“{}”（{}）", .0.label, .0.message)]
    ForbiddenField(FieldError),
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("填写有误：{}", join(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("保存冲突：该记录已被他人修改（当前版本 {current}），请刷新后再改")]
    Conflict { current: i64 },
    #[error("{0}")]
    Locked(String),
    /// The account must change its password before anything else (403).
    #[error("请先修改密码：密码由管理员设置，或已超过本园区规定的使用期限")]
    PasswordChangeDue,
    /// A right password of an account with a second factor: its code is asked for (401).
    #[error("请输入两步验证码：验证器应用中的 6 位数字，或一个恢复码")]
    SecondFactorRequired,
    /// A 三员 account must enrol a second factor before anything else (403).
    #[error("请先启用两步验证：三员账号须先在“两步验证”页绑定验证器应用")]
    SecondFactorEnrolmentDue,
    /// An upload over the stated limit (413).
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("；")
}

impl AppError {
    /// A thing reached through another (an attachment through its record) that is missing or
    /// out of reach answers under its own name, so the two cannot be told apart.
    pub fn missing_as(self, what: &'static str) -> AppError {
        match self {
            AppError::NotFound(_) => AppError::NotFound(what),
            other => other,
        }
    }

    pub fn invalid(field: &str, label: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, label, message)])
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Db(DbError::from(e))
    }
}
