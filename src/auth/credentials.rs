//! Passwords over their life: set by an administrator (then changed by the owner at the next
//! sign-in), changed by the owner, aged by the park's password profile (chosen by the
//! 安全管理员), and never one of the last few again. A 三员 account's password changes only on
//! the server's command line, so nothing here ever asks its owner to change it on the web.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::password::{self, Profile};
use super::queries::{self, NewPassword, UserRow};
use super::service::{get_user, User};
use super::{Action, Principal};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::AppError;

/// Who chose a new password: its owner, or someone else (an administrator on the 系统 pages or
/// the server's operator), whose choice its owner replaces at the next sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetBy {
    Owner,
    Another,
}

/// The park's password profile.
pub async fn profile(db: &Db, park_id: i64) -> Result<Profile, AppError> {
    Ok(queries::password_profile(db, park_id)
        .await?
        .and_then(|p| Profile::parse(&p))
        .unwrap_or_default())
}

/// Whether the account must change its password before doing anything else.
pub(super) fn change_due(row: &UserRow, now: DateTime<Utc>) -> bool {
    let admin_duty = super::Role::parse(&row.role).is_some_and(super::Role::is_admin_duty);
    !admin_duty && (row.must_change_password || row.password_due.is_some_and(|due| due <= now))
}

/// Sets an account's password after checking it against the park's profile (and, under the
/// 等保 profile, against its last passwords); every session of the account ends, and the change
/// is audited (never the password).
pub async fn set_password(
    db: &Db,
    park_id: i64,
    by: &Actor,
    user: &User,
    new_password: &str,
    set_by: SetBy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let profile = profile(db, park_id).await?;
    password::check(profile, &user.login, new_password)
        .map_err(|m| AppError::invalid("password", "密码", m))?;
    let earlier = profile.history();
    if earlier > 0 {
        let hashes = queries::recent_password_hashes(db, park_id, user.id, earlier).await?;
        let typed = new_password.to_string();
        let reused =
            tokio::task::spawn_blocking(move || hashes.iter().any(|h| password::verify(&typed, h)))
                .await
                .unwrap_or(true);
        if reused {
            return Err(AppError::invalid(
                "password",
                "密码",
                format!("新密码不能与最近 {earlier} 次用过的密码相同"),
            ));
        }
    }
    let typed = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&typed))
        .await
        .map_err(|e| AppError::BadRequest(format!("密码处理失败：{e}")))?;
    let must_change = set_by == SetBy::Another && !user.role.is_admin_duty();
    let mut tx = db.begin().await?;
    queries::set_password_hash(
        &mut tx,
        park_id,
        user.id,
        &NewPassword {
            hash: &hash,
            must_change,
            due: profile.max_age().map(|age| now + age),
        },
        now,
    )
    .await?;
    queries::revoke_user_sessions(&mut tx, park_id, user.id, now).await?;
    audit::record(
        &mut tx,
        park_id,
        by,
        now,
        Change {
            action: "passwd",
            entity: "user",
            entity_id: Some(user.id),
            before: None,
            after: Some(json!({"by_owner": set_by == SetBy::Owner, "must_change": must_change})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The signed-in account changes its own password, proving it knows the current one. Its
/// sessions end with the change, this one too: it signs in again with the new password.
pub async fn change_own_password(
    db: &Db,
    who: &Principal,
    current: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if who.role.is_admin_duty() {
        return Err(AppError::Forbidden(super::service::ADMIN_DUTY_ON_CLI));
    }
    let row = queries::user_by_id(db, who.park_id, who.user_id)
        .await?
        .ok_or(AppError::NotFound("账号"))?;
    let (typed, hash) = (current.to_string(), row.password_hash);
    let known = tokio::task::spawn_blocking(move || password::verify(&typed, &hash))
        .await
        .unwrap_or(false);
    if !known {
        return Err(AppError::invalid(
            "current_password",
            "当前密码",
            "当前密码不正确",
        ));
    }
    if current == new_password {
        return Err(AppError::invalid(
            "password",
            "密码",
            "新密码不能与当前密码相同",
        ));
    }
    let user = get_user(db, who.park_id, who.user_id, now).await?;
    set_password(
        db,
        who.park_id,
        &who.actor(),
        &user,
        new_password,
        SetBy::Owner,
        now,
    )
    .await
}

/// The 安全管理员 chooses the park's password profile; every account's change-by date follows
/// the new profile from when its password was set.
pub async fn set_profile_as(
    db: &Db,
    who: &Principal,
    chosen: Profile,
    now: DateTime<Utc>,
) -> Result<Profile, AppError> {
    who.require(Action::ManageSecurity)?;
    let before = profile(db, who.park_id).await?;
    if before == chosen {
        return Ok(chosen);
    }
    let mut tx = db.begin().await?;
    queries::set_password_profile(&mut tx, who.park_id, chosen.as_str()).await?;
    for (id, set_at) in queries::password_ages(&mut tx, who.park_id).await? {
        let due = chosen.max_age().map(|age| set_at + age);
        queries::set_password_due(&mut tx, who.park_id, id, due).await?;
    }
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "update",
            entity: "password_profile",
            entity_id: None,
            before: Some(json!({"profile": before.as_str()})),
            after: Some(json!({"profile": chosen.as_str()})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(chosen)
}
