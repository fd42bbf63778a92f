//! The key file of personal data (`data_key_file`, by default `data.key` in the data folder): the
//! SM4 data keys, oldest first, and the HMAC-SM3 key of the blind index. A key's id is its
//! fingerprint, so ids from different files never clash and a database can name the keys it
//! needs without holding them.
//!
//! The file is text, one key a line, readable by its owner only:
//!
//! ```text
//! # taizhang 个人数据密钥文件 …
//! index 64-hex-digits
//! data 32-hex-digits
//! data 32-hex-digits
//! ```
//!
//! The newest `data` line is last. Old data keys stay for good: the append-only audit log keeps
//! values sealed under the key of the day they were written.

use std::path::Path;

use sm3::{Digest, Sm3};

use crate::audit::key::write_private;

/// An SM4 key that seals personal values; `id` is its fingerprint.
#[derive(Clone)]
pub struct DataKey {
    pub(super) id: String,
    pub(super) bytes: [u8; 16],
}

/// The HMAC-SM3 key of the blind index of ID numbers; `id` is its fingerprint.
#[derive(Clone)]
pub struct IndexKey {
    pub(super) id: String,
    pub(super) bytes: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

impl std::fmt::Debug for IndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IndexKey({})", self.id)
    }
}

impl DataKey {
    pub fn from_bytes(bytes: [u8; 16]) -> DataKey {
        DataKey {
            id: fingerprint(b"taizhang data key\0", &bytes),
            bytes,
        }
    }

    /// The key's public name (its fingerprint, never the key).
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl IndexKey {
    pub fn from_bytes(bytes: [u8; 32]) -> IndexKey {
        IndexKey {
            id: fingerprint(b"taizhang index key\0", &bytes),
            bytes,
        }
    }

    /// The key's public name (its fingerprint, never the key).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The first 8 bytes of SM3 over a purpose tag and the key, in hex.
fn fingerprint(tag: &[u8], key: &[u8]) -> String {
    let mut h = Sm3::new();
    h.update(tag);
    h.update(key);
    hex::encode(&h.finalize()[..8])
}

/// The keys of one key file, or of every file a process has read.
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    /// Oldest first: the last is the newest.
    pub(super) data: Vec<DataKey>,
    pub(super) index: Vec<IndexKey>,
}

const HEADER: &str = "# taizhang 个人数据密钥文件：SM4 数据密钥（data，最新的在最后）与 HMAC-SM3 索引密钥（index）。\n\
# 不随数据库备份；请另行妥善保管。丢失后已加密的身份证号和电话无法恢复。\n";

impl Keyring {
    /// A new keyring: one data key and one index key, both random.
    pub fn generate() -> Keyring {
        Keyring {
            data: vec![DataKey::from_bytes(rand::random())],
            index: vec![IndexKey::from_bytes(rand::random())],
        }
    }

    /// A keyring of the given keys (the tests' fixed keys).
    pub fn of(data: Vec<DataKey>, index: IndexKey) -> Keyring {
        Keyring {
            data,
            index: vec![index],
        }
    }

    pub fn data_key(&self, id: &str) -> Option<&DataKey> {
        self.data.iter().find(|k| k.id == id)
    }

    pub fn index_key(&self, id: &str) -> Option<&IndexKey> {
        self.index.iter().find(|k| k.id == id)
    }

    /// The newest data key of the file.
    pub fn newest(&self) -> Option<&DataKey> {
        self.data.last()
    }

    /// The file's index key (the first, should a merged keyring hold several).
    pub fn index(&self) -> Option<&IndexKey> {
        self.index.first()
    }

    /// The ids of every key, data keys first.
    pub fn ids(&self) -> Vec<String> {
        self.data
            .iter()
            .map(|k| k.id.clone())
            .chain(self.index.iter().map(|k| k.id.clone()))
            .collect()
    }

    /// Adds the keys of `other` this keyring lacks.
    pub(super) fn merge(&mut self, other: &Keyring) {
        for k in &other.data {
            if self.data_key(&k.id).is_none() {
                self.data.push(k.clone());
            }
        }
        for k in &other.index {
            if self.index_key(&k.id).is_none() {
                self.index.push(k.clone());
            }
        }
    }

    /// Adds a new random data key as the newest, and returns it.
    pub fn add_data_key(&mut self) -> DataKey {
        let key = DataKey::from_bytes(rand::random());
        self.data.push(key.clone());
        key
    }

    fn text(&self) -> String {
        let mut out = String::from(HEADER);
        for k in &self.index {
            out.push_str(&format!("index {}\n", hex::encode(k.bytes)));
        }
        for k in &self.data {
            out.push_str(&format!("data {}\n", hex::encode(k.bytes)));
        }
        out
    }

    /// Reads a key file; a malformed line is named.
    pub fn load(path: &Path) -> anyhow::Result<Keyring> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("无法读取个人数据密钥文件 {}：{e}", path.display()))?;
        Keyring::parse(&text)
            .map_err(|e| anyhow::anyhow!("个人数据密钥文件 {} {e}", path.display()))
    }

    fn parse(text: &str) -> Result<Keyring, String> {
        let mut ring = Keyring::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                format!(
                    "第 {} 行已损坏（应为“data 32 位十六进制”或“index 64 位十六进制”）",
                    n + 1
                )
            };
            let (kind, value) = line.split_once(' ').ok_or_else(bad)?;
            let bytes = hex::decode(value.trim()).map_err(|_| bad())?;
            match kind {
                "data" => ring.data.push(DataKey::from_bytes(
                    <[u8; 16]>::try_from(bytes).map_err(|_| bad())?,
                )),
                "index" => ring.index.push(IndexKey::from_bytes(
                    <[u8; 32]>::try_from(bytes).map_err(|_| bad())?,
                )),
                _ => return Err(bad()),
            }
        }
        if ring.data.is_empty() || ring.index.len() != 1 {
            return Err("应有至少一个 data 密钥和恰好一个 index 密钥".to_string());
        }
        Ok(ring)
    }

    /// Writes a new key file; refuses to replace one that exists. Two processes creating the
    /// file at once: one links first, the other is told it exists.
    pub fn create(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("无法创建密钥目录 {}：{e}", dir.display()))?;
        }
        let tmp = temp_beside(path);
        write_private(&tmp, &self.text())
            .map_err(|e| anyhow::anyhow!("无法写入个人数据密钥文件 {}：{e}", tmp.display()))?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => anyhow::bail!(
                "个人数据密钥文件 {} 已存在，不会覆盖（覆盖会使已加密的数据无法解密）",
                path.display()
            ),
            Err(e) => anyhow::bail!("无法写入个人数据密钥文件 {}：{e}", path.display()),
        }
    }

    /// Replaces the key file with this keyring (which holds every key of the old one): written
    /// whole under another name and renamed over it, so a reader sees the old file or the new.
    pub fn replace(&self, path: &Path) -> anyhow::Result<()> {
        let tmp = temp_beside(path);
        write_private(&tmp, &self.text())
            .map_err(|e| anyhow::anyhow!("无法写入个人数据密钥文件 {}：{e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow::anyhow!("无法替换个人数据密钥文件 {}：{e}", path.display())
        })
    }

    /// Reads the key file, or creates it (readable by its owner only) when there is none.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Keyring> {
        if !path.exists() {
            match Keyring::generate().create(path) {
                Ok(()) => {
                    tracing::warn!(path = %path.display(), "created a new personal data key file; keep a copy apart from the database backups")
                }
                // Another process made it first: read theirs.
                Err(_) if path.exists() => {}
                Err(e) => return Err(e),
            }
        }
        Keyring::load(path)
    }
}

fn temp_beside(path: &Path) -> std::path::PathBuf {
    path.with_extension(format!("tmp-{}", hex::encode(rand::random::<[u8; 6]>())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_made_once_read_back_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("data.key");
        let made = Keyring::load_or_create(&path).unwrap();
        let read = Keyring::load(&path).unwrap();
        assert_eq!(made.ids(), read.ids());
        assert_eq!(made.ids().len(), 2);
        let e = Keyring::generate().create(&path).unwrap_err();
        assert!(e.to_string().contains("已存在"), "{e}");
        assert_eq!(Keyring::load(&path).unwrap().ids(), made.ids());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A rotation keeps the old keys and puts the new one last.
        let mut ring = read.clone();
        let new = ring.add_data_key();
        ring.replace(&path).unwrap();
        let again = Keyring::load(&path).unwrap();
        assert_eq!(again.newest().unwrap().id(), new.id());
        assert!(again.data_key(made.newest().unwrap().id()).is_some());
        // The key never shows in Debug.
        let shown = format!("{:?}", again);
        assert!(!shown.contains(&hex::encode(new.bytes)), "{shown}");
    }

    #[test]
    fn a_damaged_line_is_named() {
        let e = Keyring::parse("index 00\n").unwrap_err();
        assert!(e.contains("第 1 行"), "{e}");
        let e = Keyring::parse(&format!("data {}\n", "ab".repeat(16))).unwrap_err();
        assert!(e.contains("index"), "{e}");
        let ok = Keyring::parse(&format!(
            "# c\ndata {}\nindex {}\n",
            "ab".repeat(16),
            "cd".repeat(32)
        ))
        .unwrap();
        assert_eq!(ok.data.len(), 1);
    }
}
