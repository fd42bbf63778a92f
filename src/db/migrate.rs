//! Embedded migrations, one folder per backend with identical file names.

use super::{Db, DbError};

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub(super) async fn run(db: &Db) -> Result<(), DbError> {
    let result = match db {
        Db::Sqlite(pool) => SQLITE.run(pool).await,
        Db::Postgres(pool) => POSTGRES.run(pool).await,
    };
    result.map_err(|e| DbError::Migrate(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(SQLITE.iter().count() > 0);
        assert_eq!(names(&SQLITE), names(&POSTGRES));
    }
}
