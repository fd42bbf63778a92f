//! The database: SQLite or PostgreSQL, chosen once from the URL scheme. Only this module knows
//! which backend is in use; the rest of the code calls `on_db!`/`on_tx!` with one query text that
//! runs unchanged on both (`$1` placeholders, `RETURNING`, dates and booleans).

mod bind;
mod error;
pub mod lists;
mod migrate;
mod totals;

pub use bind::{fetch_all, fetch_one, Bind};
pub use error::DbError;
pub use totals::{data_version, Totals};

use std::str::FromStr;
use std::time::Duration;

pub use sqlx::postgres::PgRow;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
pub use sqlx::sqlite::SqliteRow;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Postgres, Sqlite, Transaction};

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A write transaction on one of the two backends.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same expression once per backend: `$pool` is the concrete pool inside.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Reads a row into a struct on both backends: `from_row!(Name: a, b; flatten c)` after `struct
/// Name` reads each listed field from the column of its name and each `flatten` field from the
/// same row by its own `FromRow`. The struct literal inside refuses a field left out or unknown.
#[macro_export]
macro_rules! from_row {
    ($name:ident: $($field:ident),+ $(; flatten $($flat:ident),+)?) => {
        $crate::from_row!(@on $crate::db::SqliteRow, $name, [$($field),+], [$($($flat),+)?]);
        $crate::from_row!(@on $crate::db::PgRow, $name, [$($field),+], [$($($flat),+)?]);
    };
    (@on $row:ty, $name:ident, [$($field:ident),+], [$($flat:ident),*]) => {
        impl<'r> ::sqlx::FromRow<'r, $row> for $name {
            fn from_row(row: &'r $row) -> ::std::result::Result<Self, ::sqlx::Error> {
                Ok(Self {
                    $($field: ::sqlx::Row::try_get(row, stringify!($field))?,)+
                    $($flat: ::sqlx::FromRow::from_row(row)?,)*
                })
            }
        }
    };
}

/// Runs the same expression once per backend inside a transaction: `$conn` is `&mut *tx`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// Which SQL dialect a query text must be written for, where the two differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long a writer waits for SQLite's single write lock before the user is told it is busy.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of the SQLite file each connection reads through a memory map (256 MiB) rather
/// than copying page by page through `read`: a report scans the year's records several times,
/// and the copies were a quarter of its time. The pages are the operating system's, shared by
/// every connection.
const SQLITE_MMAP_BYTES: &str = "268435456";

impl Db {
    /// Opens the database named by `url`. `create` allows a missing SQLite file to be created;
    /// elsewhere a missing file is an error, so that a typo never starts an empty office.
    pub async fn connect(url: &str, create: bool) -> Result<Db, DbError> {
        let shown = redact_url(url);
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::BadUrl(shown.clone(), e.to_string()))?
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .pragma("mmap_size", SQLITE_MMAP_BYTES)
                // A scan's materialized rows and a sort's runs stay in memory, not temporary files.
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await
                .map_err(|e| DbError::Unreachable(shown, e.to_string()))?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::BadUrl(shown.clone(), e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| DbError::Unreachable(shown, e.to_string()))?;
            Ok(Db::Postgres(pool))
        } else {
            Err(DbError::UnknownScheme(shown))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date with the migrations embedded in the binary.
    pub async fn migrate(&self) -> Result<(), DbError> {
        migrate::run(self).await
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that
    /// reads first and writes later fails with "database is locked" at once, busy timeout or not.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Answers whether the database responds, for `/healthz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        on_db!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }

    /// SQL text that extracts the text of JSON field `$n` (a bound key) from the `fields` column.
    /// With [`Db::json_field_of`] the one place where record fields are read inside SQL; the
    /// key is always bound, never spliced, so a park's own field names cannot become SQL.
    pub fn json_field(&self, column: &str, param: usize) -> String {
        json_field(self.backend(), column, param)
    }

    /// [`Db::json_field`] for a generated statement: the accessor of field `key` of `column`
    /// (`fields`, or `r.fields` under an alias), the key pushed onto `binds` (its placeholder
    /// is the new length). On SQLite a key of [`COPIED_FIELDS`] is read from its own column
    /// instead, `field_<key>` beside `fields`, which always equals the JSON's value (migration
    /// 0027): the meetings' statements then read a year of meetings from the index that holds
    /// those columns, without parsing any JSON. Only our own column names enter the SQL.
    pub fn json_field_of(&self, column: &str, key: &str, binds: &mut Vec<Bind>) -> String {
        if let (true, Some(table)) = (self.reads_copy(key), column.strip_suffix("fields")) {
            return format!("{table}field_{key}");
        }
        binds.push(Bind::Text(key.to_string()));
        self.json_field(column, binds.len())
    }

    /// True when [`Db::json_field_of`] reads field `key` from its copied column, not the JSON.
    pub fn reads_copy(&self, key: &str) -> bool {
        self.backend() == Backend::Sqlite && COPIED_FIELDS.contains(&key)
    }

    /// SQL text comparing the text of a JSON field (from [`Db::json_field`]) with a boolean:
    /// SQLite's `json_extract` turns JSON `true`/`false` into the integers 1/0, PostgreSQL's `->>`
    /// gives the text 'true'/'false'. Only a bool field is ever compared with a bool, so no
    /// number is mistaken for one on SQLite.
    pub fn json_bool(&self, field: &str, want: bool) -> String {
        json_bool(self.backend(), field, want)
    }
}

/// [`Db::json_bool`] for a backend, where a query writer knows only the backend.
pub fn json_bool(backend: Backend, field: &str, want: bool) -> String {
    match (backend, want) {
        (Backend::Sqlite, true) => format!("{field} = 1"),
        (Backend::Sqlite, false) => format!("{field} = 0"),
        (Backend::Postgres, true) => format!("{field} = 'true'"),
        (Backend::Postgres, false) => format!("{field} = 'false'"),
    }
}

/// The record fields SQLite keeps copied out of `fields` into columns of their own,
/// `records.field_<key>`, written by the ledger's INSERTs ([`copied_fields`]) and kept by the
/// triggers of migration 0027 on any other insert and every change of `fields`, indexed with the
/// columns the meetings' statements need (`records_meeting_fields`): the meetings' fields that
/// the report's metrics, the rule checks and the plausibility checks read.
pub const COPIED_FIELDS: [&str; 7] = [
    "meeting_type",
    "is_party_topic",
    "topic_count",
    "reading_count",
    "expected",
    "attended",
    "date",
];

/// On SQLite, what an INSERT into `records` appends to its column list and to each row's
/// values so that the new row carries its [`COPIED_FIELDS`] at once: the copies, read by SQLite
/// itself from `source` (the expression the INSERT gives `fields`: a placeholder, or a column
/// of a `VALUES` list), and the mark `fields_copied` = 1. Nothing on PostgreSQL. A row inserted
/// without them gets them from the trigger of migration 0027, at the cost of writing the row
/// (and its index) twice.
pub fn copied_fields(backend: Backend, source: &str) -> (String, String) {
    let (mut columns, mut values) = (String::new(), String::new());
    if backend == Backend::Sqlite {
        for key in COPIED_FIELDS {
            columns.push_str(&format!(", field_{key}"));
            values.push_str(&format!(", json_extract({source}, '$.{key}')"));
        }
        columns.push_str(", fields_copied");
        values.push_str(", 1");
    }
    (columns, values)
}

/// The JSON field accessor of [`Db::json_field`] for a backend.
fn json_field(backend: Backend, column: &str, param: usize) -> String {
    match backend {
        Backend::Sqlite => format!("json_extract({column}, '$.' || ${param})"),
        Backend::Postgres => format!("(CAST({column} AS jsonb) ->> ${param})"),
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    /// [`Db::json_field`] for a query run inside this transaction.
    pub fn json_field(&self, column: &str, param: usize) -> String {
        json_field(self.backend(), column, param)
    }
}

/// The file of a SQLite URL when it does not exist (an in-memory database never is missing);
/// `None` for an existing file and for PostgreSQL. Lets a command that can work without a
/// database (the scaffold) say so plainly instead of reporting a failed connection.
pub fn missing_sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    let file = opts.get_filename();
    (!file.exists()).then(|| file.to_path_buf())
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact_url(url: &str) -> String {
    // scheme://user:password@host/... -> scheme://user:***@host/...
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((auth, host)) = rest.split_once('@') {
            if let Some((user, _)) = auth.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_sqlite_file_is_named_and_postgres_or_memory_never_are() {
        let dir = tempfile::tempdir().unwrap();
        let absent = dir.path().join("taizhang.db");
        let url = format!("sqlite://{}", absent.display());
        assert_eq!(missing_sqlite_file(&url), Some(absent.clone()));
        std::fs::write(&absent, b"").unwrap();
        assert_eq!(missing_sqlite_file(&url), None);
        assert_eq!(missing_sqlite_file("sqlite::memory:"), None);
        assert_eq!(missing_sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn passwords_never_show_in_urls() {
        assert_eq!(
            redact_url("postgres://tz:s3cret@db.example/tz"),
            "postgres://tz:***@db.example/tz"
        );
        assert_eq!(redact_url("sqlite://taizhang.db"), "sqlite://taizhang.db");
    }

    #[tokio::test]
    async fn unknown_scheme_is_refused() {
        let err = Db::connect("mysql://localhost/x", true).await.unwrap_err();
        assert!(matches!(err, DbError::UnknownScheme(_)));
        assert!(err.to_string().contains("mysql://localhost/x"));
    }

    #[tokio::test]
    async fn missing_sqlite_file_is_not_created_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/nope.db", dir.path().display());
        let err = Db::connect(&url, false).await.unwrap_err();
        assert!(matches!(err, DbError::Unreachable(..)));
        assert!(!dir.path().join("nope.db").exists());
    }
}
