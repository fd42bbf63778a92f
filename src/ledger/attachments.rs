//! Attachments of records: the accepted file types, the file store under the data folder (named by
//! SHA-256, written under a temporary name and renamed), and the checked services that add, list
//! and open them.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::queries::{self, AttachmentRow};
use super::service::readable;
use crate::audit::{self, Change};
use crate::auth::{Action, Principal};
use crate::db::Db;
use crate::error::AppError;

/// File types an attachment may have, by extension, with the type it is served as.
const ALLOWED_TYPES: [(&str, &str); 10] = [
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("doc", "application/msword"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xls", "application/vnd.ms-excel"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("wps", "application/vnd.ms-works"),
    ("txt", "text/plain; charset=utf-8"),
];

fn content_type_for(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    ALLOWED_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
}

/// Where an attachment's bytes live: the data folder, named by content hash.
pub fn attachment_path(data_dir: &std::path::Path, sha256: &str) -> PathBuf {
    data_dir
        .join("attachments")
        .join(&sha256[..2.min(sha256.len())])
        .join(sha256)
}

/// A file checked (type, size) and written under the data folder by its SHA-256.
pub(crate) struct StoredFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Checks an uploaded file and stores its bytes (once per content): the one way an attachment,
/// of a record or of a task's progress update, reaches the disk.
pub(crate) async fn store_file(
    cfg: &crate::config::Config,
    file_name: &str,
    bytes: &[u8],
) -> Result<StoredFile, AppError> {
    let file_name = sanitize_file_name(file_name);
    let content_type = content_type_for(&file_name).ok_or_else(|| {
        AppError::invalid(
            "file",
            "附件",
            format!(
                "不支持的文件类型；可上传 {}",
                ALLOWED_TYPES
                    .iter()
                    .map(|(e, _)| *e)
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    })?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "附件", "文件是空的"));
    }
    if bytes.len() > cfg.max_upload_bytes {
        return Err(AppError::invalid(
            "file",
            "附件",
            format!("文件超过大小上限 {} MB", cfg.max_upload_bytes / 1024 / 1024),
        ));
    }
    use sha2::{Digest, Sha256};
    let sha = hex::encode(Sha256::digest(bytes));
    let path = attachment_path(&cfg.data_dir, &sha);
    if !path.exists() {
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let tmp = dir.join(format!("{sha}.part"));
        let write = async {
            tokio::fs::create_dir_all(&dir).await?;
            tokio::fs::write(&tmp, bytes).await?;
            tokio::fs::rename(&tmp, &path).await
        };
        write.await.map_err(|e| {
            tracing::error!(error = %e, "attachment write failed");
            AppError::BadRequest("附件保存失败：服务器存储不可用".into())
        })?;
    }
    Ok(StoredFile {
        file_name,
        content_type,
        size_bytes: bytes.len() as i64,
        sha256: sha,
    })
}

/// Whether the principal may attach files to the record: asked before an upload is read, so a
/// body nobody may send is not taken in.
pub async fn may_attach(db: &Db, who: &Principal, record_id: i64) -> Result<(), AppError> {
    let rec = readable(db, who, record_id).await?;
    who.require(Action::WriteRecords(&rec.kind))
}

pub async fn add_attachment(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    record_id: i64,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<AttachmentRow, AppError> {
    let rec = readable(db, who, record_id).await?;
    who.require(Action::WriteRecords(&rec.kind))?;
    let stored = store_file(cfg, file_name, bytes).await?;
    let mut row = AttachmentRow {
        id: 0,
        record_id,
        file_name: stored.file_name,
        content_type: stored.content_type.to_string(),
        size_bytes: stored.size_bytes,
        sha256: stored.sha256,
        created_at: now,
    };
    let mut tx = db.begin().await?;
    row.id = queries::insert_attachment(&mut tx, who.park_id, &row, Some(who.user_id)).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        Change {
            action: "attach",
            entity: "record",
            entity_id: Some(record_id),
            before: None,
            after: Some(serde_json::json!({"attachment_id": row.id, "file_name": row.file_name, "sha256": row.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn attachments(
    db: &Db,
    who: &Principal,
    record_id: i64,
) -> Result<Vec<AttachmentRow>, AppError> {
    readable(db, who, record_id).await?;
    Ok(queries::attachments_of(db, who.park_id, record_id).await?)
}

/// An attachment the principal may read, with its bytes.
pub async fn open_attachment(
    db: &Db,
    cfg: &crate::config::Config,
    who: &Principal,
    id: i64,
) -> Result<(AttachmentRow, Vec<u8>), AppError> {
    let a = queries::attachment(db, who.park_id, id)
        .await?
        .ok_or(AppError::NotFound("附件"))?;
    readable(db, who, a.record_id)
        .await
        .map_err(|e| e.missing_as("附件"))?;
    let bytes = tokio::fs::read(attachment_path(&cfg.data_dir, &a.sha256))
        .await
        .map_err(|_| AppError::NotFound("附件文件"))?;
    Ok((a, bytes))
}

/// Keeps the last path component and drops control characters, so a name never escapes the
/// folder nor breaks a header.
fn sanitize_file_name(name: &str) -> String {
    /// Characters kept of a name; a longer one is shortened in its stem, never in its extension.
    const MAX_CHARS: usize = 200;
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return "附件".to_string();
    }
    if clean.chars().count() <= MAX_CHARS {
        return clean.to_string();
    }
    // An extension is a short ASCII tail after the last dot; anything else is part of the stem.
    let (stem, ext) = match clean.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && ext.len() <= 10
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (stem, Some(ext))
        }
        _ => (clean, None),
    };
    let room = MAX_CHARS - ext.map_or(0, |e| e.len() + 1);
    let mut short: String = stem
        .chars()
        .take(room)
        .collect::<String>()
        .trim_end()
        .to_string();
    if let Some(ext) = ext {
        short.push('.');
        short.push_str(ext);
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_or_break_headers() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\x\\会议纪要.pdf"), "会议纪要.pdf");
        assert_eq!(sanitize_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(sanitize_file_name("  "), "附件");
    }

    #[test]
    fn a_long_name_is_shortened_in_its_stem_and_keeps_its_extension() {
        let long = format!("{}.docx", "关于开展主题教育的会议纪要".repeat(30));
        let short = sanitize_file_name(&long);
        assert!(short.ends_with(".docx"), "{short}");
        assert_eq!(short.chars().count(), 200);
        assert_eq!(content_type_for(&short), content_type_for("a.docx"));
        assert!(
            content_type_for(&short).is_some(),
            "a .docx is an accepted type"
        );
        // A dot deep inside a long name is no extension: the name is cut, not split there.
        let dotted = format!("第1.{}", "长".repeat(300));
        assert_eq!(sanitize_file_name(&dotted).chars().count(), 200);
    }

    #[test]
    fn only_listed_types_are_accepted() {
        assert_eq!(content_type_for("照片.JPG"), Some("image/jpeg"));
        assert_eq!(content_type_for("x.exe"), None);
        assert_eq!(content_type_for("noext"), None);
    }
}
