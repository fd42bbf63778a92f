//! The rows of 包联 and visits: the paired enterprises, each enterprise's last visit, and the
//! visits of a span of days with their 走访人. The visits are ledger records of kind `visit`
//! (deleted ones left out); the 走访人 is read from the record's JSON by the one accessor
//! (`Db::json_field`).

use chrono::NaiveDate;

use super::{VISITOR_FIELD, VISIT_KIND};
use crate::db::{Backend, Db, DbError};
use crate::on_db;

/// An enterprise with a 包联领导.
#[derive(Clone, Debug)]
pub struct Paired {
    pub id: i64,
    pub name: String,
    pub leader_name: String,
    pub leader_person_id: Option<i64>,
}
crate::from_row!(Paired: id, name, leader_name, leader_person_id);

/// A visit: record id, enterprise id, date, 走访人 (empty when not filled in).
pub type VisitRow = (i64, i64, NaiveDate, String);

/// The park's enterprises that have a 包联领导, by leader name and id.
pub async fn paired(db: &Db, park_id: i64) -> Result<Vec<Paired>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, name, leader_name, leader_person_id FROM enterprises \
         WHERE park_id = $1 AND leader_name IS NOT NULL AND TRIM(leader_name) <> '' \
         ORDER BY leader_name, id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?)
}

/// The last day each enterprise was visited (by anyone).
pub async fn last_visits(db: &Db, park_id: i64) -> Result<Vec<(i64, NaiveDate)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT enterprise_id, MAX(occurred_on) FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL AND enterprise_id IS NOT NULL \
         GROUP BY enterprise_id"
    )
    .bind(park_id)
    .bind(VISIT_KIND)
    .fetch_all(pool)
    .await)?)
}

/// The visits dated `from` to `to` (both included) to an enterprise of the roster, by
/// enterprise, date and id.
///
/// A year of a large park's visits is ten thousand rows, and rows cross from the driver one by
/// one: the database folds them into one row per enterprise instead, its visits as an
/// `id@date` list and their 走访人 as a JSON array in the same order (any text survives
/// JSON), which this function unfolds again.
pub async fn visits_between(
    db: &Db,
    park_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<VisitRow>, DbError> {
    let visitor = format!("CAST(COALESCE({}, '') AS TEXT)", db.json_field("fields", 5));
    // The one difference of dialect: the JSON array aggregate.
    let visitors = match db.backend() {
        Backend::Sqlite => format!("json_group_array({visitor} ORDER BY occurred_on, id)"),
        Backend::Postgres => {
            format!("CAST(json_agg({visitor} ORDER BY occurred_on, id) AS TEXT)")
        }
    };
    let sql = format!(
        "SELECT enterprise_id, \
           string_agg(CAST(id AS TEXT) || '@' || CAST(occurred_on AS TEXT), ',' \
             ORDER BY occurred_on, id), \
           {visitors} \
         FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL AND enterprise_id IS NOT NULL \
           AND occurred_on >= $3 AND occurred_on <= $4 \
         GROUP BY enterprise_id ORDER BY enterprise_id"
    );
    let folded: Vec<(i64, String, String)> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(VISIT_KIND)
        .bind(from)
        .bind(to)
        .bind(VISITOR_FIELD)
        .fetch_all(pool)
        .await)?;
    let mut out = Vec::new();
    for (enterprise, list, visitors) in folded {
        let visits = crate::db::lists::id_dates(&list)?;
        let visitors: Vec<String> = serde_json::from_str(&visitors)
            .map_err(|e| DbError::Other(sqlx::Error::Decode(Box::new(e))))?;
        if visitors.len() != visits.len() {
            return Err(DbError::Other(sqlx::Error::Decode(
                format!("走访记录与走访人数目不符：企业 {enterprise}").into(),
            )));
        }
        out.extend(
            visits
                .into_iter()
                .zip(visitors)
                .map(|((id, on), visitor)| (id, enterprise, on, visitor)),
        );
    }
    Ok(out)
}
