//! The demo park: a deterministic fictional park with three years of records in every kind.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct Options {
    /// The last of the three years.
    pub year: i32,
    pub seed: u64,
    /// Multiplies the number of records.
    pub scale: u32,
    /// The password of every demo account.
    pub password: String,
}

impl Default for Options {
    fn default() -> Self {
        Options { year: 2024, seed: 1, scale: 1, password: String::new() }
    }
}

/// What was built, for the command line to print.
#[derive(Clone, Debug)]
pub struct Summary {
    pub park_id: i64,
    pub park_name: String,
    pub records: u64,
    /// Login and role label of each demo account.
    pub logins: Vec<(String, String)>,
}

pub async fn build(_db: &Db, _options: &Options, _now: DateTime<Utc>) -> Result<Summary, AppError> {
    Err(AppError::BadRequest("演示园区生成尚未实现".into()))
}
