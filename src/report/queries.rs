//! Storage of the report: running a metric's query, the key projects and the year's documents
//! (deleted records never count); the park's saved templates with their versions, and the
//! cause analysis written per year.

use chrono::{DateTime, NaiveDate, Utc};

use super::sql::MetricQuery;
use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// One counted row: its id, the number of rows, and up to two database-computed sums.
pub(crate) type MetricRow = (i64, i64, Option<f64>, Option<f64>);

///
/// The query's rows are folded into one by the database (the count and sums, equal on every
/// row, and the ids as one comma-separated text, as a scan lists them), so that a metric
/// counting thousands of requests crosses as one row rather than one per request.
pub(crate) async fn run_metric(db: &Db, q: &MetricQuery) -> Result<Vec<MetricRow>, DbError> {
    let sql = format!(
        "WITH counted (id, n, a, b) AS ({}) \
         SELECT MAX(n), MAX(a), MAX(b), string_agg(CAST(id AS TEXT), ',') FROM counted",
        q.sql
    );
    let (count, sum_a, sum_b, ids): FoldedRow = crate::db::fetch_one(db, &sql, &q.binds).await?;
    let mut ids: Vec<i64> = ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    let count = count.unwrap_or(0);
    Ok(ids
        .into_iter()
        .map(|id| (id, count, sum_a, sum_b))
        .collect())
}

/// A metric query's rows folded into one: the count, the sums and the ids listed.
type FoldedRow = (Option<i64>, Option<f64>, Option<f64>, Option<String>);

/// One bare aggregate row: the count and up to two sums ([`super::sql::bare_aggregate`]).
pub(crate) type BareRow = (i64, Option<f64>, Option<f64>);

pub(crate) async fn run_bare(db: &Db, q: &MetricQuery) -> Result<BareRow, DbError> {
    crate::db::fetch_one(db, &q.sql, &q.binds).await
}

/// A closed request's id, registration day and closing day.
pub(crate) type ClosedRow = (i64, NaiveDate, NaiveDate);

/// The requests of nature `problem` received between `first` and `last` and closed, by id.
pub(crate) async fn closed_requests(
    db: &Db,
    park_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<ClosedRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, registered_on, closed_on FROM requests WHERE park_id = $1 AND nature = $2 \
         AND received_on >= $3 AND received_on <= $4 AND closed_on IS NOT NULL ORDER BY id"
    )
    .bind(park_id)
    .bind(crate::requests::PROBLEM)
    .bind(first)
    .bind(last)
    .fetch_all(pool)
    .await)?)
}

/// Before any ledger date (`calendar::Year` starts at 1900).
const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

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

/// Next year's plans (kind, title) with their top-level tasks in order, 工作要点 first; a plan
/// without tasks comes once with `None`.
pub(crate) async fn next_plans(
    db: &Db,
    park_id: i64,
    year: i32,
) -> Result<Vec<(String, String, Option<String>)>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT p.plan_kind, p.title, t.content FROM plans p \
         LEFT JOIN tasks t ON t.park_id = p.park_id AND t.plan_id = p.id AND t.parent_id IS NULL \
         WHERE p.park_id = $1 AND p.year = $2 \
         ORDER BY CASE WHEN p.plan_kind = 'work_points' THEN 0 ELSE 1 END, p.id, t.id"
    )
    .bind(park_id)
    .bind(year)
    .fetch_all(pool)
    .await)?)
}

/// The live records of `kind` dated up to `last` (and from `first`, when given) that break
/// one of its plausibility rules as SQL reads them: the candidates that
/// `ledger::plausibility::violations` then reads one by one. A rule whose fields are not both
/// filled in holds, as there (a comparison with NULL is not true).
pub(crate) async fn implausible_candidates(
    db: &Db,
    park_id: i64,
    kind: &crate::ledger::catalogue::KindDef,
    (first, last): (Option<NaiveDate>, NaiveDate),
    today: NaiveDate,
) -> Result<Vec<FieldsRow>, DbError> {
    use crate::db::Bind;
    use crate::ledger::catalogue::{FieldType, Relation};
    let mut binds = vec![
        Bind::Int(park_id),
        Bind::Text(kind.id.clone()),
        Bind::Date(last),
        Bind::Date(first.unwrap_or(FIRST_DAY)),
    ];
    let field = |binds: &mut Vec<Bind>, key: &str| {
        let text = db.json_field_of("fields", key, binds);
        match kind.field(key).map(|f| f.field_type) {
            Some(FieldType::Integer | FieldType::Decimal) => {
                format!("CAST({text} AS {})", super::sql::FLOAT)
            }
            _ => text,
        }
    };
    let mut conditions = Vec::new();
    for rule in &kind.plausibility {
        let this = field(&mut binds, &rule.field);
        let condition = match (&rule.relation, &rule.other) {
            (Relation::NotFuture, _) => {
                binds.push(Bind::Text(today.to_string()));
                format!("{this} > ${}", binds.len())
            }
            (Relation::NotAbove, Some(other)) => format!("{this} > {}", field(&mut binds, other)),
            (Relation::NotBelow, Some(other)) => format!("{this} < {}", field(&mut binds, other)),
            (_, None) => continue,
        };
        conditions.push(condition);
    }
    if conditions.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, occurred_on, fields FROM records \
         WHERE park_id = $1 AND kind = $2 AND deleted_at IS NULL AND occurred_on <= $3 \
         AND occurred_on >= $4 AND ({}) ORDER BY id",
        conditions.join(" OR ")
    );
    crate::db::fetch_all(db, &sql, &binds).await
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

/// A saved template version as stored, with its template's name.
#[derive(Clone, Debug)]
pub(crate) struct TemplateRow {
    pub template_id: i64,
    pub name: String,
    pub version: i64,
    pub source: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(TemplateRow: template_id, name, version, source, author, created_at);

/// One version in a template's history (without its source).
#[derive(Clone, Debug)]
pub(crate) struct VersionRow {
    pub template_id: i64,
    pub name: String,
    pub version: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(VersionRow: template_id, name, version, author, created_at);

/// The latest version of each of the park's templates, by name.
pub(crate) async fn latest_templates(db: &Db, park_id: i64) -> Result<Vec<VersionRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT t.id AS template_id, t.name, v.version, v.author, v.created_at \
         FROM report_templates t JOIN report_template_versions v \
           ON v.park_id = t.park_id AND v.template_id = t.id \
         WHERE t.park_id = $1 AND v.version = ( \
           SELECT MAX(w.version) FROM report_template_versions w \
           WHERE w.park_id = t.park_id AND w.template_id = t.id) \
         ORDER BY t.name, t.id"
    )
    .bind(park_id)
    .fetch_all(pool)
    .await)?)
}

/// Every version of one template, newest first.
pub(crate) async fn template_history(
    db: &Db,
    park_id: i64,
    template_id: i64,
) -> Result<Vec<VersionRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT t.id AS template_id, t.name, v.version, v.author, v.created_at \
         FROM report_templates t JOIN report_template_versions v \
           ON v.park_id = t.park_id AND v.template_id = t.id \
         WHERE t.park_id = $1 AND t.id = $2 ORDER BY v.version DESC"
    )
    .bind(park_id)
    .bind(template_id)
    .fetch_all(pool)
    .await)?)
}

/// One version of a template; the latest when `version` is `None`.
pub(crate) async fn template_version(
    db: &Db,
    park_id: i64,
    template_id: i64,
    version: Option<i64>,
) -> Result<Option<TemplateRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT t.id AS template_id, t.name, v.version, v.source, v.author, v.created_at \
         FROM report_templates t JOIN report_template_versions v \
           ON v.park_id = t.park_id AND v.template_id = t.id \
         WHERE t.park_id = $1 AND t.id = $2 AND ($3 IS NULL OR v.version = $3) \
         ORDER BY v.version DESC LIMIT 1"
    )
    .bind(park_id)
    .bind(template_id)
    .bind(version)
    .fetch_optional(pool)
    .await)?)
}

/// The id of the park's template called `name`.
pub(crate) async fn template_named(
    tx: &mut Tx,
    park_id: i64,
    name: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM report_templates WHERE park_id = $1 AND name = $2"
    )
    .bind(park_id)
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

pub(crate) async fn insert_template(
    tx: &mut Tx,
    park_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO report_templates (park_id, name, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(park_id)
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

/// The latest version number of a template, read inside the writing transaction.
pub(crate) async fn latest_version(
    tx: &mut Tx,
    park_id: i64,
    template_id: i64,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(version) FROM report_template_versions WHERE park_id = $1 AND template_id = $2"
    )
    .bind(park_id)
    .bind(template_id)
    .fetch_one(c)
    .await)?)
}

/// A template version to store.
pub(crate) struct NewVersion<'a> {
    pub template_id: i64,
    pub version: i64,
    pub source: &'a str,
    pub author_id: i64,
    pub author: &'a str,
}

pub(crate) async fn insert_version(
    tx: &mut Tx,
    park_id: i64,
    v: &NewVersion<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO report_template_versions \
         (park_id, template_id, version, source, author_id, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(park_id)
    .bind(v.template_id)
    .bind(v.version)
    .bind(v.source)
    .bind(v.author_id)
    .bind(v.author)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The cause analysis and measures written for one year.
#[derive(Clone, Debug)]
pub(crate) struct CausesRow {
    pub causes: String,
    pub measures: String,
    pub updated_at: DateTime<Utc>,
}
crate::from_row!(CausesRow: causes, measures, updated_at);

pub(crate) async fn causes(db: &Db, park_id: i64, year: i32) -> Result<Option<CausesRow>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT causes, measures, updated_at FROM report_causes WHERE park_id = $1 AND year = $2"
    )
    .bind(park_id)
    .bind(i64::from(year))
    .fetch_optional(pool)
    .await)?)
}

/// The same, read inside a writing transaction (the audit entry's "before").
pub(crate) async fn causes_in(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
) -> Result<Option<CausesRow>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT causes, measures, updated_at FROM report_causes WHERE park_id = $1 AND year = $2"
    )
    .bind(park_id)
    .bind(i64::from(year))
    .fetch_optional(c)
    .await)?)
}

pub(crate) async fn upsert_causes(
    tx: &mut Tx,
    park_id: i64,
    year: i32,
    (causes, measures): (&str, &str),
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO report_causes (park_id, year, causes, measures, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (park_id, year) DO UPDATE SET causes = excluded.causes, \
           measures = excluded.measures, updated_by = excluded.updated_by, \
           updated_at = excluded.updated_at"
    )
    .bind(park_id)
    .bind(i64::from(year))
    .bind(causes)
    .bind(measures)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Live records among `ids`, in id order (the caller pages the ids).
pub(crate) async fn records_by_id(
    db: &Db,
    park_id: i64,
    ids: &[i64],
) -> Result<Vec<crate::ledger::queries::RecordRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = crate::org::queries::placeholders(2, ids.len());
    let sql = format!(
        "SELECT id, kind, occurred_on, unit_id, enterprise_id, title, fields, version, \
         created_by, created_at, updated_at, deleted_at FROM records \
         WHERE park_id = $1 AND id IN ({wanted}) ORDER BY id"
    );
    Ok(on_db!(db, |pool| {
        let mut query = sqlx::query_as(&sql).bind(park_id);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?)
}
