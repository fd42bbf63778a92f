//! Database errors. A lookup that finds nothing is `Ok(None)`, never an error turned into `None`.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    #[error("数据库地址格式不正确（{0}）：{1}")]
    BadUrl(String, String),
    #[error("不支持的数据库地址（{0}）：请使用 sqlite:// 或 postgres:// 开头的地址")]
    UnknownScheme(String),
    #[error("无法连接数据库（{0}）：{1}")]
    Unreachable(String, String),
    #[error("数据库正忙（另一项写入尚未完成），请稍后重试")]
    Busy,
    #[error("数据库结构升级失败：{0}")]
    Migrate(String),
    /// The audit key is missing, or is not the one the database's chain was written under.
    #[error("审计密钥：{0}")]
    AuditKey(String),
    /// A personal data key is missing, or a sealed value does not open (`crate::crypto`).
    #[error("个人数据密钥：{0}")]
    DataKey(String),
    #[error("数据库错误：{0}")]
    Other(sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        // SQLite reports a writer that waited out the busy timeout as code 5 (SQLITE_BUSY) or 6.
        if let sqlx::Error::Database(db) = &e {
            if matches!(db.code().as_deref(), Some("5") | Some("6") | Some("517")) {
                return DbError::Busy;
            }
        }
        DbError::Other(e)
    }
}

impl DbError {
    /// True when the error is a unique-constraint violation (a duplicate name or login).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Other(sqlx::Error::Database(db)) => db.is_unique_violation(),
            _ => false,
        }
    }
}
