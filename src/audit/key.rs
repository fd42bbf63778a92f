//! The audit key: 32 random bytes in a file outside the database (`audit_key_file`, by default
//! `audit.key` in the data folder). Every entry's hash is an HMAC-SHA-256 under it, and so is
//! the signed head of each park's chain, so someone who can write the database but not read the
//! key can neither rewrite an entry with recomputed hashes nor cut the log's end unseen.
//!
//! The database records the key's fingerprint when it first writes a keyed entry; a process with
//! another key (started from another folder, say) is refused before it writes, rather than
//! forking the chain.

use std::path::Path;
use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The key every audit entry of this process is written and checked under.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.fingerprint())
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A short public name of the key (never the key): recorded in the database and with each
    /// entry, so that a check knows which key it needs.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"taizhang audit key fingerprint\0");
        h.update(self.0);
        hex::encode(&h.finalize()[..8])
    }

    /// HMAC-SHA-256 of the parts, joined unambiguously, in hex.
    pub(super) fn mac(&self, parts: &[&[u8]]) -> String {
        // Any key length is valid for HMAC, so this cannot fail.
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC accepts a 32-byte key")
        };
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        hex::encode(m.finalize().into_bytes())
    }

    /// A key for another purpose derived from this one (HMAC of the purpose's name), so that a
    /// server signs its short-lived codes (the meeting sign-in QR code) without a second key
    /// file, and nothing signed for that purpose can pass for an audit hash.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC accepts a 32-byte key")
        };
        m.update(b"taizhang derived key\0");
        m.update(purpose.as_bytes());
        m.finalize().into_bytes().into()
    }

    /// Reads the key file, or creates it (readable by its owner only) when there is none.
    pub fn load_or_create(path: &Path) -> anyhow::Result<AuditKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "审计密钥文件 {} 已损坏（应为 64 位十六进制）",
                            path.display()
                        )
                    })?;
                Ok(AuditKey(bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        anyhow::anyhow!("无法创建审计密钥目录 {}：{e}", dir.display())
                    })?;
                }
                // Written whole under another name, then linked into place: a process starting
                // alongside either links first or reads the finished file, never half of one.
                let tmp =
                    path.with_extension(format!("tmp-{}", hex::encode(rand::random::<[u8; 6]>())));
                write_private(&tmp, &hex::encode(key))
                    .map_err(|e| anyhow::anyhow!("无法写入审计密钥文件 {}：{e}", tmp.display()))?;
                let linked = std::fs::hard_link(&tmp, path);
                let _ = std::fs::remove_file(&tmp);
                match linked {
                    Ok(()) => {
                        tracing::warn!(path = %path.display(), "created a new audit key; keep a copy apart from the database backups");
                        Ok(AuditKey(key))
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        AuditKey::load_or_create(path)
                    }
                    Err(e) => anyhow::bail!("无法写入审计密钥文件 {}：{e}", path.display()),
                }
            }
            Err(e) => anyhow::bail!("无法读取审计密钥文件 {}：{e}", path.display()),
        }
    }
}

/// Writes a new key file readable by its owner only; never over an existing file.
#[cfg(unix)]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

static KEY: OnceLock<AuditKey> = OnceLock::new();

/// Makes `key` the process's audit key. The first installed stays: one process, one key.
pub fn install(key: AuditKey) -> &'static AuditKey {
    KEY.get_or_init(|| key)
}

/// Loads the key file and installs it; a new database (whose chain names no key yet) gets a new
/// key file when there is none. A database whose chain was written under a key whose file is
/// missing is refused, naming the file, rather than given a new key that would fork the chain.
pub async fn install_for(
    db: &crate::db::Db,
    path: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    if installed().is_some() {
        return Ok(());
    }
    let registered = super::queries::registered_key_ids(db).await?;
    if !path.exists() && !registered.is_empty() {
        // Making a new key would fork the chain; every write would then be refused.
        anyhow::bail!(
            "找不到审计密钥文件 {}：本数据库的审计日志已用密钥 {} 签名。请把写入本数据库时的审计密钥文件放回该位置，或用 audit_key_file（TAIZHANG_AUDIT_KEY_FILE）指向它",
            path.display(),
            registered.join("、")
        );
    }
    install(AuditKey::load_or_create(path)?);
    seal(db, now).await?;
    Ok(())
}

/// Seals each chain written before keys with a keyed entry, so that it has a signed head from
/// now on and a check can insist on one.
async fn seal(db: &crate::db::Db, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<()> {
    for park_id in super::queries::parks_without_head(db).await? {
        let mut tx = db.begin().await?;
        super::record(
            &mut tx,
            park_id,
            &super::Actor::system(),
            now,
            super::Change {
                action: "seal",
                entity: "audit_log",
                entity_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The key the unit tests write under (the integration tests install their own the same way).
#[cfg(test)]
pub(crate) fn install_test_key() {
    install(AuditKey::from_bytes([7; 32]));
}

/// The process's audit key, if one was installed.
pub fn installed() -> Option<&'static AuditKey> {
    KEY.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("audit.key");
        let made = AuditKey::load_or_create(&path).unwrap();
        let read = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(made.fingerprint(), read.fingerprint());
        assert_eq!(made.mac(&[b"a", b"bc"]), read.mac(&[b"a", b"bc"]));
        // The parts are joined unambiguously.
        assert_ne!(made.mac(&[b"a", b"bc"]), made.mac(&[b"ab", b"c"]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").unwrap();
        let e = AuditKey::load_or_create(&path).unwrap_err();
        assert!(e.to_string().contains("已损坏"), "{e}");
        assert!(!format!("{made:?}").contains(&hex::encode(made.0)));
    }
}
