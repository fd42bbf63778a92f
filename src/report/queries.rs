//! Storage reads of the report: running a metric's query, the key projects and the year's
//! documents. Deleted records never count.

use chrono::NaiveDate;

use super::sql::{Bind, MetricQuery};
use crate::db::{Db, DbError};
use crate::on_db;

/// One counted row: its id, the number of rows, and up to two database-computed sums.
pub(crate) type MetricRow = (i64, i64, Option<f64>, Option<f64>);

pub(crate) async fn run_metric(db: &Db, q: &MetricQuery) -> Result<Vec<MetricRow>, DbError> {
    Ok(on_db!(db, |pool| {
        let mut query = sqlx::query_as(&q.sql);
        for bind in &q.binds {
            query = match bind {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Number(x) => query.bind(*x),
                Bind::Date(d) => query.bind(*d),
            };
        }
        query.fetch_all(pool).await
    })?)
}

/// One bare aggregate row: the count and up to two sums ([`super::sql::bare_aggregate`]).
pub(crate) type BareRow = (i64, Option<f64>, Option<f64>);

pub(crate) async fn run_bare(db: &Db, q: &MetricQuery) -> Result<BareRow, DbError> {
    Ok(on_db!(db, |pool| {
        let mut query = sqlx::query_as(&q.sql);
        for bind in &q.binds {
            query = match bind {
                Bind::Int(n) => query.bind(*n),
                Bind::Text(t) => query.bind(t.as_str()),
                Bind::Number(x) => query.bind(*x),
                Bind::Date(d) => query.bind(*d),
            };
        }
        query.fetch_one(pool).await
    })?)
}

/// A stored record's id, date and fields (JSON text).
pub(crate) type FieldsRow = (i64, NaiveDate, String);

/// The latest row of each key project (by name) dated up to `last`, oldest first.
pub(crate) async fn latest_projects(
    db: &Db,
    park_id: i64,
    last: NaiveDate,
) -> Result<Vec<FieldsRow>, DbError> {
    let name = db.json_field("fields", 3);
    let sql = format!(
        "SELECT id, occurred_on, fields FROM ( \
           SELECT id, occurred_on, fields, ROW_NUMBER() OVER ( \
             PARTITION BY {name} ORDER BY occurred_on DESC, id DESC) AS latest \
           FROM records \
           WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL AND occurred_on <= $4 \
         ) ranked WHERE latest = 1 ORDER BY occurred_on, id"
    );
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind("project")
        .bind("name")
        .bind(last)
        .fetch_all(pool)
        .await)?)
}

/// Documents of the given categories issued from `first` to `last`, in date order.
pub(crate) async fn documents(
    db: &Db,
    park_id: i64,
    (first, last): (NaiveDate, NaiveDate),
    categories: &[&str],
) -> Result<Vec<FieldsRow>, DbError> {
    if categories.is_empty() {
        return Ok(Vec::new());
    }
    let category = db.json_field("fields", 5);
    let wanted = crate::org::queries::placeholders(6, categories.len());
    let sql = format!(
        "SELECT id, occurred_on, fields FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL \
         AND occurred_on >= $3 AND occurred_on <= $4 AND {category} IN ({wanted}) \
         ORDER BY occurred_on, id"
    );
    Ok(on_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql)
            .bind(park_id)
            .bind("document")
            .bind(first)
            .bind(last)
            .bind("category");
        for c in categories {
            query = query.bind(*c);
        }
        query.fetch_all(pool).await
    })?)
}
