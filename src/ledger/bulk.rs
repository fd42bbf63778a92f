//! Bulk insertion of records, for the demo park and other batch loads that write thousands of
//! rows at once. One multi-row `INSERT … VALUES (…), (…)` per chunk instead of one statement per
//! row: on SQLite that is the difference between minutes and seconds for 200,000 records.
//!
//! The callers validate every row with [`super::record::validate`] first and write the audit entry
//! for the batch themselves; this module only stores.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};

use super::queries::RecordData;
use crate::db::{Backend, DbError, Tx};
use crate::on_tx;

/// Values bound per row; the park, the author and the timestamp are bound once per statement.
const PER_ROW: usize = 7;

/// Leading parameters shared by every row of a statement: `$1` park, `$2` author, `$3` now.
const SHARED: usize = 3;

/// Rows per statement on each backend. Both stay far below the bound-parameter limits (SQLite
/// 32,766, PostgreSQL 65,535). SQLite statements use positional `?` parameters (see
/// [`insert_sql`]), bound in order at a constant cost each, so a statement can hold many rows;
/// PostgreSQL gains from fewer round trips.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
const POSTGRES_ROWS_PER_STATEMENT: usize = 1_000;

/// Values bound per row on SQLite, where the shared ones are bound again for every row.
const SQLITE_PER_ROW: usize = PER_ROW + 4;

/// SQLite's page cache during a bulk write, in KiB (a negative `cache_size`), instead of the
/// default 2 MiB. With the default, a write of 100,000 records overflows the cache: changed index
/// pages are spilled to the WAL and spilled again after each further change, and the kernel's
/// share of the write doubles. The pages are taken only as the write needs them.
const SQLITE_BULK_CACHE_KIB: i64 = 64 * 1024;

const _: () = assert!(SHARED + PER_ROW * POSTGRES_ROWS_PER_STATEMENT < 30_000);
const _: () = assert!(SQLITE_PER_ROW * SQLITE_ROWS_PER_STATEMENT < 30_000);

/// Inserts `rows` into the park's records inside the caller's transaction, all created by `by`
/// at `now`, in the order given (so ids follow that order). Returns the number of rows written.
pub async fn insert_records(
    tx: &mut Tx,
    park_id: i64,
    rows: &[RecordData],
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let backend = tx.backend();
    let rows_per_statement = match backend {
        Backend::Sqlite => SQLITE_ROWS_PER_STATEMENT,
        Backend::Postgres => POSTGRES_ROWS_PER_STATEMENT,
    };
    let mut written = 0;
    // SQLite stores dates and times as text: formatted here once, the timestamp for every row
    // and each date without chrono's format-string parser, in sqlx's own spelling (see
    // `sqlite_date`), instead of once per bound value.
    let now_text = now.to_rfc3339_opts(SecondsFormat::AutoSi, false);
    // Every full chunk has the same text, so it is prepared once and reused.
    let full_chunk_sql = insert_sql(backend, rows_per_statement);
    for chunk in rows.chunks(rows_per_statement) {
        let partial_sql;
        let sql = if chunk.len() == rows_per_statement {
            &full_chunk_sql
        } else {
            partial_sql = insert_sql(backend, chunk.len());
            &partial_sql
        };
        written += on_tx!(tx, |c| {
            let mut q = sqlx::query(sql);
            if backend == Backend::Postgres {
                q = q.bind(park_id).bind(by).bind(now);
            }
            for r in chunk {
                q = match backend {
                    Backend::Sqlite => q
                        .bind(park_id)
                        .bind(&r.kind)
                        .bind(sqlite_date(r.occurred_on)),
                    Backend::Postgres => q.bind(&r.kind).bind(r.occurred_on),
                };
                q = q
                    .bind(r.unit_id)
                    .bind(r.enterprise_id)
                    .bind(&r.title)
                    .bind(&r.fields)
                    .bind(&r.search_text);
                if backend == Backend::Sqlite {
                    q = q.bind(by).bind(now_text.as_str()).bind(now_text.as_str());
                }
            }
            q.execute(c).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(written)
}

/// Gives a bulk write on SQLite a page cache of `SQLITE_BULK_CACHE_KIB` for the rest of the
/// transaction; returns the connection's own size, for [`narrow_cache`]. On PostgreSQL nothing
/// changes. A dialect difference: `cache_size` is SQLite's and holds for the connection, not the
/// transaction, so the caller gives it back before committing.
pub async fn widen_cache(tx: &mut Tx) -> Result<Option<i64>, DbError> {
    let Tx::Sqlite(conn) = tx else {
        return Ok(None);
    };
    let before: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut **conn)
        .await?;
    sqlx::query(&format!("PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
        .execute(&mut **conn)
        .await?;
    Ok(Some(before))
}

/// Gives back the cache size [`widen_cache`] returned. Pages changed in the transaction stay in
/// memory until it ends, whatever the size: SQLite never drops a changed page from its cache.
pub async fn narrow_cache(tx: &mut Tx, before: Option<i64>) -> Result<(), DbError> {
    let (Tx::Sqlite(conn), Some(before)) = (tx, before) else {
        return Ok(());
    };
    // Our own number, never user input.
    sqlx::query(&format!("PRAGMA cache_size = {before}"))
        .execute(&mut **conn)
        .await?;
    Ok(())
}

/// A date as sqlx writes a `NaiveDate` into SQLite (`%F`), without parsing a format string.
fn sqlite_date(day: NaiveDate) -> String {
    match day.year() {
        0..=9999 => format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day()),
        _ => day.format("%F").to_string(),
    }
}

/// The statement for `rows` rows. A dialect difference, on purpose: SQLite looks each `$n` up by
/// walking the statement's parameter list, a cost quadratic in the parameters of a multi-row
/// statement, so there every value is a positional `?` bound in order (the shared park, author
/// and time again for each row); PostgreSQL binds `$1`–`$3` once per statement.
///
/// On SQLite the rows are a `VALUES` list selected from, so that each row's copied fields
/// (`db::copied_fields`) are read from its `fields` (`column7`) in the same statement.
fn insert_sql(backend: Backend, rows: usize) -> String {
    let (copies, copied) = crate::db::copied_fields(backend, "column7");
    let mut sql = String::with_capacity(400 + rows * 60);
    sql.push_str(&format!(
        "INSERT INTO records (park_id, kind, occurred_on, unit_id, enterprise_id, title, fields, \
         search_text, created_by, created_at, updated_at{copies}) "
    ));
    match backend {
        Backend::Sqlite => sql.push_str(&format!(
            "SELECT column1, column2, column3, column4, column5, column6, column7, column8, \
             column9, column10, column11{copied} FROM (VALUES "
        )),
        Backend::Postgres => sql.push_str("VALUES "),
    }
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        match backend {
            Backend::Sqlite => sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            Backend::Postgres => {
                let p = SHARED + row * PER_ROW;
                sql.push_str(&format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, $2, $3, $3)",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7
                ));
            }
        }
    }
    if backend == Backend::Sqlite {
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn statements_number_their_parameters_consecutively() {
        let sql = insert_sql(Backend::Postgres, 2);
        assert!(sql.ends_with(
            "($1, $4, $5, $6, $7, $8, $9, $10, $2, $3, $3), \
             ($1, $11, $12, $13, $14, $15, $16, $17, $2, $3, $3)"
        ));
        let sql = insert_sql(Backend::Sqlite, 2);
        assert_eq!(sql.matches('?').count(), 2 * SQLITE_PER_ROW);
    }

    #[tokio::test]
    async fn rows_span_several_statements_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::connect(&format!("sqlite://{}/t.db", dir.path().display()), true)
            .await
            .expect("connect");
        db.migrate().await.expect("migrate");
        crate::audit::key::install_test_key();
        crate::crypto::install_test_keys(&db).await;
        let now = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let park = crate::org::park::create(&db, "批量园区", "admin", "Bulk-pass-1", now)
            .await
            .expect("park");
        // Three full SQLite statements and a partial one.
        let count = SQLITE_ROWS_PER_STATEMENT * 3 + 5;
        let rows: Vec<RecordData> = (0..count)
            .map(|i| RecordData {
                kind: "document".to_string(),
                occurred_on: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
                unit_id: None,
                enterprise_id: None,
                title: format!("文件{i}"),
                fields: "{}".to_string(),
                search_text: String::new(),
            })
            .collect();
        let mut tx = db.begin().await.expect("begin");
        assert_eq!(
            insert_records(&mut tx, park, &rows, None, now)
                .await
                .expect("insert"),
            count as u64
        );
        tx.commit().await.expect("commit");
        let Db::Sqlite(pool) = &db else {
            panic!("SQLite")
        };
        let titles: Vec<String> = sqlx::query_scalar("SELECT title FROM records ORDER BY id")
            .fetch_all(pool)
            .await
            .expect("titles");
        let expected: Vec<String> = rows.iter().map(|r| r.title.clone()).collect();
        assert_eq!(titles, expected);

        // Dates and times are stored exactly as sqlx writes them when it binds them itself.
        let now = chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123+00:00")
            .expect("time")
            .with_timezone(&Utc);
        let days = ["2024-03-05", "0987-01-02"].map(|d| d.parse::<NaiveDate>().expect("day"));
        let mut tx = db.begin().await.expect("begin");
        let widened = widen_cache(&mut tx).await.expect("widen");
        let cache: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(c)
            .await)
        .expect("cache size");
        assert_eq!(cache, -SQLITE_BULK_CACHE_KIB);
        let dated: Vec<RecordData> = days
            .iter()
            .map(|&occurred_on| RecordData {
                occurred_on,
                title: "日期".to_string(),
                ..rows[0].clone()
            })
            .collect();
        insert_records(&mut tx, park, &dated, None, now)
            .await
            .expect("insert");
        narrow_cache(&mut tx, widened).await.expect("narrow");
        let cache: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(c)
            .await)
        .expect("cache size");
        assert_eq!(Some(cache), widened);
        tx.commit().await.expect("commit");
        let stored: Vec<(String, String)> = sqlx::query_as(
            "SELECT occurred_on, created_at FROM records WHERE title = '日期' ORDER BY id",
        )
        .fetch_all(pool)
        .await
        .expect("stored");
        for (day, (occurred_on, created_at)) in days.iter().zip(&stored) {
            let (want_day, want_now): (String, String) = sqlx::query_as("SELECT $1, $2")
                .bind(day)
                .bind(now)
                .fetch_one(pool)
                .await
                .expect("sqlx's own encoding");
            assert_eq!((occurred_on, created_at), (&want_day, &want_now));
        }
        assert_eq!(stored[1].0, "0987-01-02");
    }
}
