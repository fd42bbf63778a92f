//! Files of a request: the enterprise's evidence and the team's answers, checked and stored as
//! records' attachments are (`ledger::attachments::store_file`: the accepted types, the upload
//! limit, the file store by SHA-256). Whoever has a part in the request (the enterprise that
//! raised it, the 园小二 team, the 党建办) adds one; whoever may read the request reads them.
//! Each addition is a line of the thread, so the other side sees it, and an audit entry.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::queries;
use super::service::{in_reach, party};
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::db::{Db, DbError, Tx};
use crate::error::AppError;
use crate::ledger::attachments::{attachment_path, store_file};
use crate::{on_db, on_tx};

/// A file of a request as stored.
#[derive(Clone, Debug, Serialize)]
pub struct RequestFile {
    pub id: i64,
    pub request_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(skip)]
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}
crate::from_row!(RequestFile:
    id, request_id, file_name, content_type, size_bytes, sha256, created_at);

/// The request, when the principal has a part in it and may add files to it.
async fn attachable(db: &Db, who: &Principal, id: i64) -> Result<queries::RequestRow, AppError> {
    who.require(Action::ReadRequests)?;
    let row = queries::get(db, who.park_id, id)
        .await?
        .filter(|r| in_reach(who, r))
        .ok_or(AppError::NotFound("诉求"))?;
    if party(who).is_none() {
        return Err(AppError::Forbidden("您的角色不办理企业诉求"));
    }
    Ok(row)
}

/// Asked before an upload is read, so that a body nobody may send is not taken in.
pub async fn may_attach(db: &Db, who: &Principal, id: i64) -> Result<(), AppError> {
    attachable(db, who, id).await.map(|_| ())
}

/// Adds a file to request `id`: checked (type, size: the refusal names the limit), stored, a
/// line in the thread naming it, and audited, in one transaction.
pub async fn add(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    id: i64,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<RequestFile, AppError> {
    let row = attachable(db, who, id).await?;
    let stored = store_file(cfg, file_name, bytes).await?;
    let mut file = RequestFile {
        id: 0,
        request_id: id,
        file_name: stored.file_name,
        content_type: stored.content_type.to_string(),
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        created_at: now,
    };
    let mut tx = db.begin().await?;
    file.id = insert(&mut tx, who.park_id, &file, who.user_id).await?;
    let actor = who.actor();
    queries::add_event(
        &mut tx,
        who.park_id,
        id,
        Some(who.user_id),
        &actor.login,
        "attach",
        &row.status,
        &format!("上传附件：{}", file.file_name),
        now,
    )
    .await?;
    let change = Change {
        action: "attach",
        entity: "request",
        entity_id: Some(id),
        before: None,
        after: Some(json!({
            "attachment_id": file.id, "file_name": file.file_name, "sha256": file.sha256,
            "size_bytes": file.size_bytes,
        })),
    };
    audit::record(&mut tx, who.park_id, &actor, now, change).await?;
    tx.commit().await?;
    Ok(file)
}

/// The files of a request the principal may read, oldest first.
pub async fn list(db: &Db, who: &Principal, id: i64) -> Result<Vec<RequestFile>, AppError> {
    who.require(Action::ReadRequests)?;
    queries::get(db, who.park_id, id)
        .await?
        .filter(|r| in_reach(who, r))
        .ok_or(AppError::NotFound("诉求"))?;
    Ok(files_of(db, who.park_id, id).await?)
}

/// One file of request `id` with its bytes, when the principal may read the request (another
/// enterprise's file answers as a missing one).
pub async fn open(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    id: i64,
    file_id: i64,
) -> Result<(RequestFile, Vec<u8>), AppError> {
    let file = list(db, who, id)
        .await
        .map_err(|e| e.missing_as("附件"))?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or(AppError::NotFound("附件"))?;
    let bytes = tokio::fs::read(attachment_path(&cfg.data_dir, &file.sha256))
        .await
        .map_err(|_| AppError::NotFound("附件文件"))?;
    Ok((file, bytes))
}

async fn insert(tx: &mut Tx, park_id: i64, f: &RequestFile, by: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO request_attachments (park_id, request_id, file_name, content_type, \
         size_bytes, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id"
    )
    .bind(park_id)
    .bind(f.request_id)
    .bind(&f.file_name)
    .bind(&f.content_type)
    .bind(f.size_bytes)
    .bind(&f.sha256)
    .bind(by)
    .bind(f.created_at)
    .fetch_one(c)
    .await)?)
}

async fn files_of(db: &Db, park_id: i64, id: i64) -> Result<Vec<RequestFile>, DbError> {
    Ok(on_db!(db, |pool| sqlx::query_as(
        "SELECT id, request_id, file_name, content_type, size_bytes, sha256, created_at \
         FROM request_attachments WHERE park_id = $1 AND request_id = $2 ORDER BY id"
    )
    .bind(park_id)
    .bind(id)
    .fetch_all(pool)
    .await)?)
}
