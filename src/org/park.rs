//! Parks: creating one (with its own copy of the ledger catalogue, the default qualification
//! tags and its first administrator),
//! and resolving the names the command line and imports give.

use chrono::{DateTime, Utc};

use super::queries;
use crate::audit::{self, Actor, Change};
use crate::auth::{operator as auth, NewUser, Role};
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::catalogue::Catalogue;

/// Creates a park with the default catalogue and its first administrator (系统管理员).
pub async fn create(
    db: &Db,
    name: &str,
    admin_login: &str,
    admin_password: &str,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let name = crate::ledger::value::normalize_text(name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(
            "park",
            "园区名称",
            "园区名称不能为空，且不超过 100 个字符",
        ));
    }
    let admin = auth::prepare_user(
        NewUser {
            login: admin_login.to_string(),
            display_name: Some("系统管理员".to_string()),
            password: admin_password.to_string(),
            role: Role::SysAdmin,
            unit_id: None,
            enterprise_id: None,
            person_id: None,
        },
        // A new park starts on the default profile.
        crate::auth::password::Profile::default(),
    )
    .await?;
    let mut tx = db.begin().await?;
    let park_id = match queries::insert_park(&mut tx, &name, now).await {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => {
            return Err(AppError::invalid(
                "park",
                "园区名称",
                format!("园区“{name}”已存在"),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let catalogue = Catalogue::default_catalogue();
    crate::ledger::queries::install_kinds(&mut tx, park_id, &catalogue).await?;
    let tags: Vec<String> = super::DEFAULT_TAGS.iter().map(|t| t.to_string()).collect();
    queries::set_qualification_tags(&mut tx, park_id, &tags).await?;
    crate::ledger::upgrade::mark_current(&mut tx, park_id).await?;
    audit::record(
        &mut tx,
        park_id,
        &Actor::system(),
        now,
        Change {
            action: "create",
            entity: "park",
            entity_id: Some(park_id),
            before: None,
            after: Some(serde_json::json!({ "name": name })),
        },
    )
    .await?;
    auth::insert_user(&mut tx, park_id, &Actor::system(), admin, now).await?;
    tx.commit().await?;
    Ok(park_id)
}

/// The id of the unit with this name, or an error naming the nearest one.
pub async fn unit_id_by_name(db: &Db, park_id: i64, name: &str) -> Result<i64, AppError> {
    let units = queries::units(db, park_id).await?;
    let name = crate::ledger::value::normalize_text(name);
    if let Some(u) = units.iter().find(|u| u.name == name) {
        return Ok(u.id);
    }
    let hint = super::nearest(&name, units.iter().map(|u| u.name.as_str()))
        .map(|n| format!("，最接近的是“{n}”"))
        .unwrap_or_default();
    Err(AppError::invalid(
        "unit",
        "单位",
        format!("找不到单位“{name}”{hint}"),
    ))
}

/// The id of the enterprise with this name, or an error naming the nearest one.
pub async fn enterprise_id_by_name(db: &Db, park_id: i64, name: &str) -> Result<i64, AppError> {
    let all = queries::enterprises(db, park_id).await?;
    let name = crate::ledger::value::normalize_text(name);
    if let Some(e) = all.iter().find(|e| e.name == name) {
        return Ok(e.id);
    }
    let hint = super::nearest(&name, all.iter().map(|e| e.name.as_str()))
        .map(|n| format!("，最接近的是“{n}”"))
        .unwrap_or_default();
    Err(AppError::invalid(
        "enterprise",
        "企业",
        format!("找不到企业“{name}”{hint}"),
    ))
}
