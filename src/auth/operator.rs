//! The server operator's account paths: `taizhang user` on the server's command line, the demo
//! and the tests' set-up. They check no role (whoever runs the binary on the server holds the
//! database), so the web and the API never call them: their writes go through the checked
//! `service::*_as` functions (`tests/it/layers.rs` holds it).

use chrono::{DateTime, Utc};
use serde_json::json;

use super::queries;
use super::service::{get_user, insert_user_alone, NewUser, User};
use crate::audit::{self, Actor};
use crate::db::Db;
use crate::error::AppError;

pub use super::credentials::{set_password, SetBy};
pub use super::service::{insert_user, prepare_user};

/// Creates an account in its own transaction (the command line's `user add`): its owner
/// changes the password at the first sign-in, unless it is a 三员 account.
pub async fn create_user(
    db: &Db,
    park_id: i64,
    by: &Actor,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let profile = super::credentials::profile(db, park_id).await?;
    let prepared = prepare_user(new, profile).await?.issued_by_another();
    insert_user_alone(db, park_id, by, prepared, now).await
}

/// Every account of the park (the command line, acting as the operator).
pub async fn all_users(db: &Db, park_id: i64, now: DateTime<Utc>) -> Result<Vec<User>, AppError> {
    queries::list_users(db, park_id)
        .await?
        .into_iter()
        .map(|r| User::from_row(r, now))
        .collect()
}

pub async fn find_by_login(
    db: &Db,
    park_id: i64,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Option<User>, AppError> {
    let found = queries::users_by_login(db, login.trim())
        .await?
        .into_iter()
        .find(|(park, _)| *park == park_id);
    found.map(|(_, row)| User::from_row(row, now)).transpose()
}

/// Locks or unlocks an account by hand (系统管理员 or the command line).
pub async fn set_locked(
    db: &Db,
    park_id: i64,
    by: &Actor,
    id: i64,
    locked: bool,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let before = get_user(db, park_id, id, now).await?;
    let mut tx = db.begin().await?;
    queries::set_disabled(&mut tx, park_id, id, locked).await?;
    if locked {
        queries::revoke_user_sessions(&mut tx, park_id, id, now).await?;
    }
    let after = User {
        disabled: locked,
        locked: if locked { before.locked } else { false },
        ..before.clone()
    };
    let action = if locked { "lock" } else { "unlock" };
    super::service::audit_user(&mut tx, park_id, by, now, action, &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Removes an account's second factor and recovery codes and ends its sessions (a lost device):
/// a 三员 account enrols again at its next sign-in. Audited.
pub async fn reset_totp(
    db: &Db,
    park_id: i64,
    by: &Actor,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    queries::set_totp_secret(&mut tx, park_id, user_id, None, None).await?;
    queries::set_totp_pending(&mut tx, park_id, user_id, None).await?;
    queries::replace_recovery_codes(&mut tx, park_id, user_id, &[]).await?;
    queries::revoke_user_sessions(&mut tx, park_id, user_id, now).await?;
    audit::record(
        &mut tx,
        park_id,
        by,
        now,
        super::second_factor::event("totp_reset", user_id, None),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives an account a second factor with a secret chosen by the operator (the demo park's
/// admin duties, whose secret `serve --demo` prints), without recovery codes. Audited.
pub async fn enrol_totp(
    db: &Db,
    park_id: i64,
    by: &Actor,
    user_id: i64,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if super::totp::from_base32(secret).is_none_or(|key| key.len() < 10) {
        return Err(AppError::invalid(
            "secret",
            "两步验证密钥",
            "密钥应为至少 16 位的 base32 文字（A–Z、2–7）",
        ));
    }
    let mut tx = db.begin().await?;
    queries::set_totp_secret(&mut tx, park_id, user_id, Some(secret), None).await?;
    queries::replace_recovery_codes(&mut tx, park_id, user_id, &[]).await?;
    audit::record(
        &mut tx,
        park_id,
        by,
        now,
        super::second_factor::event("totp_enrol", user_id, Some(json!({"by_operator": true}))),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The server operator reading a park from the command line (`taizhang compile`): 党建办's
/// rights over the whole park, as the command line's report and check read it, with no account
/// behind it (user id 0), so that the read goes through the same checked services as the web.
pub fn park_reader(park_id: i64) -> super::Principal {
    super::Principal {
        park_id,
        user_id: 0,
        login: "operator".to_string(),
        display_name: "服务器管理员".to_string(),
        role: super::Role::Office,
        unit_id: None,
        enterprise_id: None,
        person_id: None,
        scope: super::Scope::Park,
        password_change_due: false,
        totp_enrolment_due: false,
        second_factor_due: false,
    }
}
