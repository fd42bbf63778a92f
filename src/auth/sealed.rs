//! Re-sealing the accounts' TOTP secrets (the confirmed one and the one offered while
//! enrolling): after a key rotation, every secret under the new current key; at start-up, a
//! database from before they were sealed has its plaintext secrets sealed.
//!
//! As `org::sealed` does for people: batches of [`BATCH`] accounts, each its own short
//! transaction, an account changed since its batch was read left to the next pass; stopped
//! midway, it is simply run again.

use super::queries::{self, PENDING_FIELD, SECRET_FIELD};
use crate::crypto::{self, Which};
use crate::db::{Db, DbError};

/// Accounts per transaction.
pub const BATCH: i64 = 200;

/// Passes over the accounts before giving up on writers that keep sealing under an older key.
const PASSES: usize = 10;

/// Seals again, in batches, the secrets `which` names, until a pass finds none; returns how
/// many accounts were written.
pub async fn reseal(db: &Db, which: Which) -> Result<u64, DbError> {
    let mut done = 0;
    for _ in 0..PASSES {
        let before = done;
        pass(db, which, &mut done).await?;
        if done == before {
            return Ok(done);
        }
    }
    Err(DbError::DataKey(
        "两步验证密钥的重新加密未能完成：仍有进程在用旧密钥写入。请确认所有 taizhang 进程都能读到新的密钥文件后再运行 taizhang key rotate".to_string(),
    ))
}

async fn pass(db: &Db, which: Which, done: &mut u64) -> Result<(), DbError> {
    let mut after = 0;
    loop {
        let sealer = crypto::sealer_for(db).await?;
        let rows = queries::secrets_to_reseal(db, &sealer.untouched(which), after, BATCH).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        let mut tx = db.begin().await?;
        for row in &rows {
            let secret = sealer.resealed(which, SECRET_FIELD, row.totp_secret.as_deref())?;
            let pending = sealer.resealed(which, PENDING_FIELD, row.totp_pending.as_deref())?;
            if queries::reseal_secrets(&mut tx, row, secret.as_deref(), pending.as_deref()).await? {
                *done += 1;
            }
        }
        tx.commit().await?;
    }
}
