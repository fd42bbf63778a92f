//! Embedded migrations, one folder per backend with identical file names. The files are named
//! here once and included at compile time; [`Embedded`] gives them to sqlx's migrator as the
//! folder would (version and description from the name, the checksum of the text), so a database
//! migrated by an earlier build finds the same checksums.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use super::{Db, DbError};

/// Declares the migrations by file name (without `.sql`), in the order they run.
macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        const NAMES: &[&str] = &[$($name),*];
        const SQLITE: &[&str] = &[$(include_str!(concat!("../../migrations/sqlite/", $name, ".sql"))),*];
        const POSTGRES: &[&str] = &[$(include_str!(concat!("../../migrations/postgres/", $name, ".sql"))),*];
    };
}

embedded!(
    "0001_core",
    "0002_tasks",
    "0003_report",
    "0004_checks",
    "0005_task_edits",
    "0006_park_metrics",
    "0007_role_granted",
    "0008_passwords",
    "0009_audit_keyed",
    "0010_personal_crypto",
    "0011_totp",
    "0013_workdays",
    "0014_requests",
    "0015_meeting_signins",
    "0016_requests_carry_over",
    "0017_requests_order",
    "0018_policies",
    "0019_visits",
    "0020_catalogue_level",
    "0021_notices",
    "0023_request_settings",
    "0024_policy_version",
    "0025_request_counting",
    "0026_request_visit",
    "0027_record_field_copies",
);

/// One backend's migrations, their texts in the order of [`NAMES`].
#[derive(Debug)]
struct Embedded(&'static [&'static str]);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(async move { migrations(self.0) })
    }
}

/// A file name `0001_core` is version 1, described as `core` (underscores read as spaces).
fn migrations(texts: &'static [&'static str]) -> Result<Vec<Migration>, BoxDynError> {
    NAMES
        .iter()
        .zip(texts)
        .map(|(name, sql)| -> Result<Migration, BoxDynError> {
            let (version, description) = name
                .split_once('_')
                .ok_or_else(|| format!("迁移文件名缺少序号：{name}"))?;
            Ok(Migration::new(
                version.parse()?,
                Cow::Owned(description.replace('_', " ")),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                sql.starts_with("-- no-transaction"),
            ))
        })
        .collect()
}

pub(super) async fn run(db: &Db) -> Result<(), DbError> {
    let texts = match db {
        Db::Sqlite(_) => SQLITE,
        Db::Postgres(_) => POSTGRES,
    };
    let migrator = Migrator::new(Embedded(texts))
        .await
        .map_err(|e| DbError::Migrate(e.to_string()))?;
    let result = match db {
        Db::Sqlite(pool) => migrator.run(pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    };
    result.map_err(|e| DbError::Migrate(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn shape(m: &Migration) -> (i64, String, Vec<u8>, bool, bool) {
        (
            m.version,
            m.description.to_string(),
            m.checksum.to_vec(),
            m.no_tx,
            m.migration_type == MigrationType::Simple,
        )
    }

    /// Every file of each folder is named in the list, and each is given to the migrator exactly
    /// as sqlx reads the folder itself: same version, description and checksum.
    #[tokio::test]
    async fn the_embedded_migrations_are_the_folders() {
        for (dir, texts) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let from_folder = Migrator::new(path.as_path()).await.expect(dir);
            let embedded = Migrator::new(Embedded(texts)).await.expect(dir);
            let folder: Vec<_> = from_folder.iter().map(shape).collect();
            let ours: Vec<_> = embedded.iter().map(shape).collect();
            assert_eq!(ours.len(), NAMES.len());
            assert_eq!(ours, folder, "{dir}");
        }
    }

    /// Both backends have each named file (`include_str!` refuses to compile otherwise); the
    /// list must also run in the order of the versions, which only the names give.
    #[test]
    fn the_list_runs_in_version_order() {
        assert!(!NAMES.is_empty());
        let versions = migrations(SQLITE).expect("names");
        assert!(versions.windows(2).all(|w| w[0].version < w[1].version));
    }
}
