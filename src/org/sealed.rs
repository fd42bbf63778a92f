//! Re-sealing the personal values of people and enterprises: after a key rotation (every value
//! under the new current key) and at start-up for a database from before encryption (every
//! plaintext value sealed, every ID number given its blind index).
//!
//! The work goes in batches of [`BATCH`] rows, each its own short transaction, so a server
//! keeps answering meanwhile; a row changed since its batch was read is left to the next pass
//! (its writer sealed it under the current key already, or the pass after catches it). Stopped
//! midway, it is simply run again: what is done stays done.

use super::queries::{self, SealedPerson};
use crate::crypto;
use crate::db::{Db, DbError};

/// Rows per transaction.
pub const BATCH: i64 = 200;

/// Passes over the tables before giving up on writers that keep sealing under an older key.
const PASSES: usize = 10;

/// Which values to seal again; for people, ID numbers without their index are sealed again
/// too.
pub use crate::crypto::Which;

/// What a re-sealing did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    pub people: u64,
    pub enterprises: u64,
}

/// Seals again, in batches, the values `which` names, until a pass finds none.
pub async fn reseal(db: &Db, which: Which) -> Result<Resealed, DbError> {
    let mut done = Resealed::default();
    for _ in 0..PASSES {
        let before = done;
        people(db, which, &mut done).await?;
        enterprises(db, which, &mut done).await?;
        if done == before {
            return Ok(done);
        }
    }
    Err(DbError::DataKey(
        "重新加密未能完成：仍有进程在用旧密钥写入。请确认所有 taizhang 进程都能读到新的密钥文件后再运行 taizhang key rotate".to_string(),
    ))
}

async fn people(db: &Db, which: Which, done: &mut Resealed) -> Result<(), DbError> {
    let mut after = 0;
    loop {
        let sealer = crypto::sealer_for(db).await?;
        let rows = queries::people_to_reseal(db, &sealer.untouched(which), after, BATCH).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        let mut tx = db.begin().await?;
        for row in &rows {
            let id_number = crypto::open_opt("id_number", row.id_number.clone())?;
            let new = SealedPerson {
                id_number: sealer.resealed(which, "id_number", row.id_number.as_deref())?,
                phone: sealer.resealed(which, "phone", row.phone.as_deref())?,
                id_number_index: id_number
                    .as_deref()
                    .map(|n| sealer.blind_index(row.park_id, n)),
            };
            if queries::reseal_person(&mut tx, row, &new).await? {
                done.people += 1;
            }
        }
        tx.commit().await?;
    }
}

async fn enterprises(db: &Db, which: Which, done: &mut Resealed) -> Result<(), DbError> {
    let mut after = 0;
    loop {
        let sealer = crypto::sealer_for(db).await?;
        let rows =
            queries::enterprises_to_reseal(db, &sealer.untouched(which), after, BATCH).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.0;
        let mut tx = db.begin().await?;
        for (id, park_id, phone) in &rows {
            let Some(new) = sealer.resealed(which, "contact_phone", Some(phone))? else {
                continue;
            };
            if queries::reseal_enterprise(&mut tx, (*id, *park_id, phone), &new).await? {
                done.enterprises += 1;
            }
        }
        tx.commit().await?;
    }
}
