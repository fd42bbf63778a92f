//! The server operator's account paths: `taizhang user` on the server's command line, the demo
//! and the tests' set-up. They check no role (whoever runs the binary on the server holds the
//! database), so the web and the API never call them: their writes go through the checked
//! `service::*_as` functions (`tests/it/layers.rs` holds it).

use chrono::{DateTime, Utc};

use super::queries;
use super::service::{get_user, insert_user_alone, NewUser, User};
use crate::audit::Actor;
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
