//! Totals of listings kept while a park's data version is unchanged. Counting a busy list costs
//! milliseconds; reading the version costs microseconds, and it sees writes made by any process,
//! because the version lives in the database (every audited write bumps it, see `audit`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use super::{Db, DbError};
use crate::on_db;

/// Entries kept at most; past it the cache starts afresh rather than tracking use.
const SIZE: usize = 10_000;

/// Totals by park and key `K` (what was counted), each with the data version it was counted at.
#[derive(Debug)]
pub struct Totals<K> {
    kept: Mutex<HashMap<(i64, K), (i64, i64)>>,
}

impl<K> Default for Totals<K> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone> Totals<K> {
    /// The total of `key` in the park, if it was counted at `version`.
    pub fn get(&self, park_id: i64, key: &K, version: i64) -> Option<i64> {
        let kept = self.kept.lock().ok()?;
        kept.get(&(park_id, key.clone()))
            .filter(|(v, _)| *v == version)
            .map(|(_, total)| *total)
    }

    /// Keeps the total of `key` in the park, counted at `version`.
    pub fn put(&self, park_id: i64, key: K, version: i64, total: i64) {
        if let Ok(mut kept) = self.kept.lock() {
            if kept.len() >= SIZE {
                kept.clear();
            }
            kept.insert((park_id, key), (version, total));
        }
    }
}

/// The park's data version: it changes with every audited write.
pub async fn data_version(db: &Db, park_id: i64) -> Result<i64, DbError> {
    let v: Option<i64> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT data_version FROM parks WHERE id = $1"
    )
    .bind(park_id)
    .fetch_optional(pool)
    .await)?;
    Ok(v.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn a_total_is_known_only_at_the_version_it_was_counted_at_and_in_its_park() {
        let t = Totals::<String>::default();
        t.put(1, "open".into(), 7, 42);
        assert_eq!(t.get(1, &"open".into(), 7), Some(42));
        assert_eq!(t.get(1, &"open".into(), 8), None);
        assert_eq!(t.get(2, &"open".into(), 7), None);
        assert_eq!(t.get(1, &"closed".into(), 7), None);
    }
}
