//! Generated statements: the report's metrics and scans and the rule checks write their SQL at
//! run time, with a list of values for its `$n` placeholders. [`Bind`] is such a value, and
//! [`fetch_all`] / [`fetch_one`] run a statement with its binds on either backend, the one place
//! where a bind list meets the driver.

use chrono::NaiveDate;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::{Db, DbError};

/// A value bound to a placeholder of a generated statement; `binds[0]` is `$1`.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    Int(i64),
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Number(x) => query.bind(*x),
                Bind::Date(d) => query.bind(*d),
                Bind::Bool(b) => query.bind(*b),
            };
        }
        query
    }};
}

/// Every row of a generated statement.
pub async fn fetch_all<T>(db: &Db, sql: &str, binds: &[Bind]) -> Result<Vec<T>, DbError>
where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    Ok(crate::on_db!(db, |pool| {
        bind_all!(sqlx::query_as::<_, T>(sql), binds)
            .fetch_all(pool)
            .await
    })?)
}

/// The one row of a generated statement (an aggregate).
pub async fn fetch_one<T>(db: &Db, sql: &str, binds: &[Bind]) -> Result<T, DbError>
where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    Ok(crate::on_db!(db, |pool| {
        bind_all!(sqlx::query_as::<_, T>(sql), binds)
            .fetch_one(pool)
            .await
    })?)
}
