//! Account and session storage.

use chrono::{DateTime, Utc};

use crate::crypto;
use crate::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug)]
pub(super) struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub person_id: Option<i64>,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled: bool,
    /// False until the 安全管理员 assigns the role a 系统管理员 asked for.
    pub role_granted: bool,
    /// Set when someone else chose the password: its owner changes it at the next sign-in.
    pub must_change_password: bool,
    /// When the password was last set, and by when it must be changed (None: never).
    pub password_set_at: Option<DateTime<Utc>>,
    pub password_due: Option<DateTime<Utc>>,
    /// The account has confirmed a second factor (TOTP); the secret itself is read apart.
    pub totp_enrolled: bool,
}
crate::from_row!(UserRow:
    id, login, display_name, password_hash, role, unit_id, enterprise_id, person_id, locked_until,
    disabled, role_granted, must_change_password, password_set_at, password_due, totp_enrolled);

const USER_COLUMNS: &str = "id, login, display_name, password_hash, role, unit_id, enterprise_id, \
                            person_id, locked_until, disabled, role_granted, \
                            must_change_password, password_set_at, password_due, \
                            (totp_secret IS NOT NULL) AS totp_enrolled";

pub(super) async fn insert_user(
    tx: &mut Tx,
    park_id: i64,
    u: &UserRow,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO users (park_id, login, display_name, password_hash, role, unit_id, \
         enterprise_id, person_id, created_at, role_granted, must_change_password, \
         password_set_at, password_due) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $12) RETURNING id"
    )
    .bind(park_id)
    .bind(&u.login)
    .bind(&u.display_name)
    .bind(&u.password_hash)
    .bind(&u.role)
    .bind(u.unit_id)
    .bind(u.enterprise_id)
    .bind(u.person_id)
    .bind(now)
    .bind(u.role_granted)
    .bind(u.must_change_password)
    .bind(u.password_due)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub(super) async fn list_users(db: &Db, park_id: i64) -> Result<Vec<UserRow>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE park_id = $1 ORDER BY id");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .fetch_all(pool)
        .await)?)
}

pub(super) async fn user_by_id(db: &Db, park_id: i64, id: i64) -> Result<Option<UserRow>, DbError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE park_id = $1 AND id = $2");
    Ok(on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(park_id)
        .bind(id)
        .fetch_optional(pool)
        .await)?)
}

/// Every account with this login, with its park (a login is unique within a park only).
pub(super) async fn users_by_login(db: &Db, login: &str) -> Result<Vec<(i64, UserRow)>, DbError> {
    let sql = format!("SELECT park_id, {USER_COLUMNS} FROM users WHERE login = $1");
    let rows: Vec<ParkUserRow> = on_db!(db, |pool| sqlx::query_as(&sql)
        .bind(login)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|r| (r.park_id, r.user)).collect())
}

struct ParkUserRow {
    park_id: i64,
    user: UserRow,
}
crate::from_row!(ParkUserRow: park_id; flatten user);

pub(super) async fn set_role(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    role: &str,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE users SET role = $3, unit_id = $4, enterprise_id = $5, role_granted = TRUE \
         WHERE park_id = $1 AND id = $2",
        )
        .bind(park_id)
        .bind(id)
        .bind(role)
        .bind(unit_id)
        .bind(enterprise_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub(super) async fn set_disabled(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    disabled: bool,
) -> Result<(), DbError> {
    // Unlocking also clears an automatic lock-out, so one command gives the account back.
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET disabled = $3, failed_logins = 0, \
         locked_until = CASE WHEN $3 THEN locked_until ELSE NULL END \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(disabled)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A new password: its hash, whether its owner must change it at the next sign-in, and by when
/// it must be changed; the old hash goes to the account's password history.
pub(super) struct NewPassword<'a> {
    pub hash: &'a str,
    pub must_change: bool,
    pub due: Option<DateTime<Utc>>,
}

pub(super) async fn set_password_hash(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    new: &NewPassword<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO password_history (park_id, user_id, password_hash, set_at) \
         SELECT park_id, id, password_hash, COALESCE(password_set_at, created_at) FROM users \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $3, failed_logins = 0, locked_until = NULL, \
         must_change_password = $4, password_set_at = $5, password_due = $6 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(new.hash)
    .bind(new.must_change)
    .bind(now)
    .bind(new.due)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account's current password hash and its `n - 1` predecessors, newest first.
pub(super) async fn recent_password_hashes(
    db: &Db,
    park_id: i64,
    id: i64,
    n: usize,
) -> Result<Vec<String>, DbError> {
    let earlier = i64::try_from(n.saturating_sub(1)).unwrap_or(i64::MAX);
    let mut hashes: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_all(pool)
    .await)?;
    let older: Vec<String> = on_db!(db, |pool| sqlx::query_scalar(
        "SELECT password_hash FROM password_history WHERE park_id = $1 AND user_id = $2 \
         ORDER BY id DESC LIMIT $3"
    )
    .bind(park_id)
    .bind(id)
    .bind(earlier)
    .fetch_all(pool)
    .await)?;
    hashes.extend(older);
    hashes.truncate(n);
    Ok(hashes)
}

/// The park's password profile as stored (`dengbao`, `length_first`).
pub(super) async fn password_profile(db: &Db, park_id: i64) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT password_profile FROM parks WHERE id = $1"
    )
    .bind(park_id)
    .fetch_optional(pool)
    .await)?)
}

pub(super) async fn set_password_profile(
    tx: &mut Tx,
    park_id: i64,
    profile: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE parks SET password_profile = $2 WHERE id = $1"
    )
    .bind(park_id)
    .bind(profile)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// When each account's password was set (or, never set since, the account made).
pub(super) async fn password_ages(
    tx: &mut Tx,
    park_id: i64,
) -> Result<Vec<(i64, DateTime<Utc>)>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, COALESCE(password_set_at, created_at) FROM users WHERE park_id = $1"
    )
    .bind(park_id)
    .fetch_all(c)
    .await)?)
}

pub(super) async fn set_password_due(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    due: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_due = $3 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(due)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts one more failed login in the database itself, so that attempts made side by side each
/// count; returns the count after this one.
/// Claims one password check for an account before its password is hashed, counting it as a
/// failure until it proves right. Refused (None) while the account is locked or while as many
/// checks as a lock-out allows are already counted, so a hundred guesses sent at once get no
/// more checks than five sent in a row. Returns the claim's place in the run of failures.
pub(super) async fn claim_login_check(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE users SET failed_logins = failed_logins + 1 \
         WHERE park_id = $1 AND id = $2 AND failed_logins < $3 \
         AND (locked_until IS NULL OR locked_until <= $4) \
         RETURNING failed_logins"
    )
    .bind(park_id)
    .bind(id)
    .bind(limit)
    .bind(now)
    .fetch_optional(c)
    .await)?)
}

pub(super) async fn set_login_failures(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    failures: i64,
    locked_until: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET failed_logins = $3, locked_until = $4 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(failures)
    .bind(locked_until)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Opens a session; `second_factor_due` when its account's code is still to be given.
pub(super) async fn insert_session(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    token_hash: &str,
    second_factor_due: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO sessions (park_id, user_id, token_hash, created_at, last_seen_at, \
         second_factor_due) VALUES ($1, $2, $3, $4, $4, $5)"
    )
    .bind(park_id)
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .bind(second_factor_due)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A live-or-not session with its account, in one query: every authenticated request asks.
#[derive(Clone, Debug)]
pub(super) struct SessionUser {
    pub session_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Opened by a right password; the second factor's code is still to be given.
    pub second_factor_due: bool,
    pub user: UserRow,
}
crate::from_row!(SessionUser:
    session_id, created_at, last_seen_at, revoked_at, second_factor_due; flatten user);

pub(super) async fn session_user(
    db: &Db,
    park_id: i64,
    hash: &str,
) -> Result<Option<SessionUser>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT s.id AS session_id, s.created_at, s.last_seen_at, s.revoked_at, \
         s.second_factor_due, u.id, u.login, \
         u.display_name, \
         u.password_hash, u.role, u.unit_id, u.enterprise_id, u.person_id, \
         u.locked_until, u.disabled, u.role_granted, u.must_change_password, \
         u.password_set_at, u.password_due, (u.totp_secret IS NOT NULL) AS totp_enrolled \
         FROM sessions s JOIN users u ON u.park_id = s.park_id AND u.id = s.user_id \
         WHERE s.park_id = $1 AND s.token_hash = $2"
    )
    .bind(park_id)
    .bind(hash)
    .fetch_optional(pool)
    .await)?)
}

pub(super) async fn touch_session(
    db: &Db,
    park_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_db!(db, |pool| sqlx::query(
        "UPDATE sessions SET last_seen_at = $3 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(super) async fn revoke_session(
    db: &Db,
    park_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_db!(db, |pool| {
        sqlx::query(
        "UPDATE sessions SET revoked_at = $3 WHERE park_id = $1 AND token_hash = $2 AND revoked_at IS NULL"
    )
    .bind(park_id)
    .bind(hash)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub(super) async fn revoke_user_sessions(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE sessions SET revoked_at = $3 WHERE park_id = $1 AND user_id = $2 AND revoked_at IS NULL"
    )
    .bind(park_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Gives back a claimed login check whose password proved right while its second factor is
/// still to come: only a wrong password or a wrong code counts toward the lock-out.
pub(super) async fn release_login_check(tx: &mut Tx, park_id: i64, id: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET failed_logins = failed_logins - 1 \
         WHERE park_id = $1 AND id = $2 AND failed_logins > 0"
    )
    .bind(park_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The session's second factor given: it is good for everything its account may do.
pub(super) async fn clear_second_factor_due(
    tx: &mut Tx,
    park_id: i64,
    session_id: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET second_factor_due = FALSE WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(session_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The associated data the confirmed TOTP secret is sealed with (`crypto::Sealer::seal`).
pub(super) const SECRET_FIELD: &str = "totp_secret";
/// The associated data of the secret offered while enrolling.
pub(super) const PENDING_FIELD: &str = "totp_pending";

/// An account's second factor as stored: the confirmed secret and the one offered while
/// enrolling, both sealed under the data key (`sm4:<key id>:<hex>`; plaintext in a database
/// from before, until it is next opened), and the last step whose code was accepted. The
/// secrets are opened only where a code is checked or the offer is shown again.
#[derive(Clone, Debug, Default)]
pub(super) struct TotpState {
    totp_secret: Option<String>,
    totp_pending: Option<String>,
    pub totp_last_step: Option<i64>,
}
crate::from_row!(TotpState: totp_secret, totp_pending, totp_last_step);

impl TotpState {
    /// The account has confirmed a second factor.
    pub fn enrolled(&self) -> bool {
        self.totp_secret.is_some()
    }

    /// The confirmed secret, opened.
    pub fn secret(&self) -> Result<Option<String>, DbError> {
        crypto::open_opt(SECRET_FIELD, self.totp_secret.clone())
    }

    /// The secret offered while enrolling, opened.
    pub fn pending(&self) -> Result<Option<String>, DbError> {
        crypto::open_opt(PENDING_FIELD, self.totp_pending.clone())
    }
}

pub(super) async fn totp_state(tx: &mut Tx, park_id: i64, id: i64) -> Result<TotpState, DbError> {
    let found: Option<TotpState> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT totp_secret, totp_pending, totp_last_step FROM users \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(found.unwrap_or_default())
}

/// `secret` of `field` sealed under the database's current data key.
async fn sealed(tx: &mut Tx, field: &str, secret: Option<&str>) -> Result<Option<String>, DbError> {
    match secret {
        Some(s) => Ok(Some(crypto::sealer(tx).await?.seal(field, s))),
        None => Ok(None),
    }
}

/// Keeps the secret offered to an enrolling account, sealed, until it confirms it with a code.
pub(super) async fn set_totp_pending(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    secret: Option<&str>,
) -> Result<(), DbError> {
    let stored = sealed(tx, PENDING_FIELD, secret).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET totp_pending = $3 WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(&stored)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets, sealed, (or, with None, removes) an account's confirmed secret; the offered one and
/// the spent step go with the change.
pub(super) async fn set_totp_secret(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    secret: Option<&str>,
    last_step: Option<i64>,
) -> Result<(), DbError> {
    let stored = sealed(tx, SECRET_FIELD, secret).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET totp_secret = $3, totp_pending = NULL, totp_last_step = $4 \
         WHERE park_id = $1 AND id = $2"
    )
    .bind(park_id)
    .bind(id)
    .bind(&stored)
    .bind(last_step)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An account's TOTP secrets as stored, for re-sealing.
#[derive(Clone, Debug)]
pub(super) struct StoredSecrets {
    pub id: i64,
    pub park_id: i64,
    pub totp_secret: Option<String>,
    pub totp_pending: Option<String>,
}
crate::from_row!(StoredSecrets: id, park_id, totp_secret, totp_pending);

/// Accounts after `after` (by id) with a secret not matching `untouched` (the LIKE pattern of
/// values a re-sealing leaves be), at most `limit`.
pub(super) async fn secrets_to_reseal(
    db: &Db,
    untouched: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<StoredSecrets>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, park_id, totp_secret, totp_pending FROM users \
         WHERE id > $1 AND ((totp_secret IS NOT NULL AND totp_secret NOT LIKE $2) \
         OR (totp_pending IS NOT NULL AND totp_pending NOT LIKE $2)) \
         ORDER BY id LIMIT $3"
    )
    .bind(after)
    .bind(untouched)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Writes an account's re-sealed secrets, unless someone changed them since `old` was read.
pub(super) async fn reseal_secrets(
    tx: &mut Tx,
    old: &StoredSecrets,
    secret: Option<&str>,
    pending: Option<&str>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET totp_secret = $3, totp_pending = $4 WHERE park_id = $1 AND id = $2 \
         AND (totp_secret = $5 OR (totp_secret IS NULL AND $5 IS NULL)) \
         AND (totp_pending = $6 OR (totp_pending IS NULL AND $6 IS NULL))"
    )
    .bind(old.park_id)
    .bind(old.id)
    .bind(secret)
    .bind(pending)
    .bind(&old.totp_secret)
    .bind(&old.totp_pending)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Spends the time step `step` of an account: true when no later or equal step was spent
/// before, decided in the database so that two requests with one code cannot both pass.
pub(super) async fn spend_totp_step(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    step: i64,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET totp_last_step = $3 WHERE park_id = $1 AND id = $2 \
         AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $3)"
    )
    .bind(park_id)
    .bind(id)
    .bind(step)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Replaces an account's recovery codes by these hashes (none: removes them).
pub(super) async fn replace_recovery_codes(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    hashes: &[String],
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM totp_recovery_codes WHERE park_id = $1 AND user_id = $2"
    )
    .bind(park_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for hash in hashes {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO totp_recovery_codes (park_id, user_id, code_hash) VALUES ($1, $2, $3)"
        )
        .bind(park_id)
        .bind(id)
        .bind(hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Spends one unused recovery code: true when it was there and unused.
pub(super) async fn spend_recovery_code(
    tx: &mut Tx,
    park_id: i64,
    id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "UPDATE totp_recovery_codes SET used_at = $4 \
         WHERE park_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(park_id)
    .bind(id)
    .bind(hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// How many of an account's recovery codes are still unused.
pub(super) async fn unused_recovery_codes(db: &Db, park_id: i64, id: i64) -> Result<i64, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM totp_recovery_codes \
         WHERE park_id = $1 AND user_id = $2 AND used_at IS NULL"
    )
    .bind(park_id)
    .bind(id)
    .fetch_one(pool)
    .await)?)
}

/// Ends the account's sessions still waiting for their second step (the account was locked).
pub(super) async fn revoke_pending_sessions(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $3 WHERE park_id = $1 AND user_id = $2 \
         AND second_factor_due AND revoked_at IS NULL"
    )
    .bind(park_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
