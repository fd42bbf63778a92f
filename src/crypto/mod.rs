//! Personal data at rest: people's ID numbers and phones, enterprises' contact phones and the same
//! fields inside audit entries are stored sealed with SM4-GCM (GB/T 32907 in the GCM mode of
//! RFC 8998), and ID numbers are found through an HMAC-SM3 blind index.
//!
//! A sealed value is text, `sm4:<key id>:<hex of nonce ‖ ciphertext ‖ tag>`: a fresh random
//! 96-bit nonce per value, and the field's name as associated data, so a value copied into
//! another field does not open. The key id travels with the value, so values sealed under older
//! keys keep opening after a rotation. A wrong key never yields garbage: the tag fails.
//!
//! The keys live in a file outside the database ([`keyring`]); the database records their ids
//! (`data_keys`): the current data key new values are sealed under, and the index key. Each
//! process installs the file once ([`install_for`]), refused when it lacks a key the database
//! names. A process that meets a value under a key it does not hold (another process rotated)
//! reads its key files again before giving up.

pub mod keyring;
mod queries;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, RwLock};

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::AesGcm;
use hmac::{Hmac, Mac};

use crate::db::{Db, DbError, Tx};
pub use keyring::{DataKey, IndexKey, Keyring};
pub use queries::RegisteredKey;

/// SM4 in Galois/counter mode with a 96-bit nonce and a 128-bit tag.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// What every sealed value starts with.
pub const SEALED: &str = "sm4:";

/// What [`open_json`] puts in place of a value whose key is gone.
pub const UNOPENED: &str = "（无法解密）";

/// The personal fields of a JSON value (an audit entry's before and after): keys naming an ID
/// number or a phone.
pub fn is_personal_field(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("id_number") || key.contains("phone")
}

/// Whether a stored value is sealed (rather than plaintext written before encryption).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(SEALED)
}

/// What seals new values of one database: its current data key and its index key.
#[derive(Clone, Debug)]
pub struct Sealer {
    data: DataKey,
    index: IndexKey,
}

impl Sealer {
    pub fn new(data: DataKey, index: IndexKey) -> Sealer {
        Sealer { data, index }
    }

    /// The id of the key new values are sealed under.
    pub fn key_id(&self) -> &str {
        self.data.id()
    }

    /// `value` of `field` sealed under the current key with a fresh nonce.
    pub fn seal(&self, field: &str, value: &str) -> String {
        let cipher = Sm4Gcm::new(GenericArray::from_slice(&self.data.bytes));
        let nonce: [u8; 12] = rand::random();
        // Encryption with a valid key and a message far below GCM's limit cannot fail.
        let Ok(sealed) = cipher.encrypt(
            GenericArray::from_slice(&nonce),
            Payload {
                msg: value.as_bytes(),
                aad: field.as_bytes(),
            },
        ) else {
            unreachable!("SM4-GCM encryption of a short value")
        };
        let mut out = String::with_capacity(SEALED.len() + 18 + 2 * (12 + sealed.len()));
        out.push_str(SEALED);
        out.push_str(self.data.id());
        out.push(':');
        out.push_str(&hex::encode(nonce));
        out.push_str(&hex::encode(sealed));
        out
    }

    /// [`Sealer::seal`] of an optional value.
    pub fn seal_opt(&self, field: &str, value: Option<&str>) -> Option<String> {
        value.map(|v| self.seal(field, v))
    }

    /// The blind index of an ID number in a park: HMAC-SM3 under the index key, in hex. The
    /// same number gives the same index in the same park only.
    pub fn blind_index(&self, park_id: i64, id_number: &str) -> String {
        let Ok(mut m) = <Hmac<sm3::Sm3> as Mac>::new_from_slice(&self.index.bytes) else {
            unreachable!("HMAC accepts a 32-byte key")
        };
        m.update(b"taizhang id_number\0");
        m.update(&park_id.to_be_bytes());
        m.update(id_number.trim().to_ascii_uppercase().as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// The blind index of one park's ID numbers, for matching many at once.
    pub fn park_index(&self, park_id: i64) -> ParkIndex {
        ParkIndex {
            sealer: self.clone(),
            park_id,
        }
    }

    /// Whether a stored value is sealed under the current key (a rotation leaves it be).
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(SEALED)
            .and_then(|rest| rest.strip_prefix(self.data.id()))
            .is_some_and(|rest| rest.starts_with(':'))
    }
}

/// Which stored values a re-sealing seals again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Plaintext from before encryption; values sealed under an older key stay as they are.
    Plaintext,
    /// Every value not sealed under the current key: a rotation.
    NotCurrent,
}

impl Sealer {
    /// The LIKE pattern of the stored values a re-sealing of `which` leaves as they are.
    pub fn untouched(&self, which: Which) -> String {
        match which {
            Which::Plaintext => format!("{SEALED}%"),
            Which::NotCurrent => format!("{SEALED}{}:%", self.key_id()),
        }
    }

    /// Whether a re-sealing of `which` leaves this stored value as it is.
    pub fn keeps(&self, which: Which, stored: &str) -> bool {
        self.is_current(stored) || (which == Which::Plaintext && is_sealed(stored))
    }

    /// `stored` of `field` as a re-sealing of `which` leaves it: kept, or opened and sealed
    /// under the current key.
    pub fn resealed(
        &self,
        which: Which,
        field: &str,
        stored: Option<&str>,
    ) -> Result<Option<String>, DbError> {
        stored
            .map(|v| {
                if self.keeps(which, v) {
                    Ok(v.to_string())
                } else {
                    Ok(self.seal(field, &open(field, v)?))
                }
            })
            .transpose()
    }
}

/// [`Sealer::blind_index`] for one park.
#[derive(Clone, Debug)]
pub struct ParkIndex {
    sealer: Sealer,
    park_id: i64,
}

impl ParkIndex {
    pub fn of(&self, id_number: &str) -> String {
        self.sealer.blind_index(self.park_id, id_number)
    }
}

/// The stored text of `field` as it was written: a sealed value opened with the key it names, a
/// plaintext value from before encryption as it is.
pub fn open(field: &str, stored: &str) -> Result<String, DbError> {
    let Some(rest) = stored.strip_prefix(SEALED) else {
        return Ok(stored.to_string());
    };
    let damaged = || DbError::DataKey(format!("字段 {field} 的加密值已损坏"));
    let (key_id, body) = rest.split_once(':').ok_or_else(damaged)?;
    let key = data_key(key_id)?;
    let bytes = hex::decode(body).map_err(|_| damaged())?;
    if bytes.len() < 12 + 16 {
        return Err(damaged());
    }
    let (nonce, sealed) = bytes.split_at(12);
    let cipher = Sm4Gcm::new(GenericArray::from_slice(&key.bytes));
    let plain = cipher
        .decrypt(
            GenericArray::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: field.as_bytes(),
            },
        )
        .map_err(|_| {
            DbError::DataKey(format!(
                "字段 {field} 的加密值无法用密钥 {key_id} 解开（数据被改动，或密钥文件中的密钥不是加密时的那一个）"
            ))
        })?;
    String::from_utf8(plain).map_err(|_| damaged())
}

/// [`open`] of an optional stored value.
pub fn open_opt(field: &str, stored: Option<String>) -> Result<Option<String>, DbError> {
    stored.map(|s| open(field, &s)).transpose()
}

/// Seals, in place, every personal field of a JSON value that is not sealed yet.
pub fn seal_json(sealer: &Sealer, v: &mut serde_json::Value) {
    walk_json(v, "", &mut |key, text| {
        (!is_sealed(text)).then(|| sealer.seal(key, text))
    });
}

/// Opens, in place, every sealed personal field of a JSON value; one that does not open (its key
/// is gone) reads [`UNOPENED`].
pub fn open_json(v: &mut serde_json::Value) {
    walk_json(v, "", &mut |key, text| {
        is_sealed(text).then(|| open(key, text).unwrap_or_else(|_| UNOPENED.to_string()))
    });
}

/// True when a JSON value holds a personal field with a value.
pub fn has_personal_values(v: &serde_json::Value) -> bool {
    fn under(key: &str, v: &serde_json::Value) -> bool {
        use serde_json::Value;
        match v {
            Value::Object(map) => map.iter().any(|(k, v)| under(k, v)),
            Value::Array(items) => items.iter().any(|v| under(key, v)),
            Value::String(_) | Value::Number(_) => is_personal_field(key),
            _ => false,
        }
    }
    under("", v)
}

/// Calls `f(field, text)` on the text of every personal field (numbers as their digits) and
/// puts its answer, when there is one, in place of the value.
fn walk_json(
    v: &mut serde_json::Value,
    key: &str,
    f: &mut dyn FnMut(&str, &str) -> Option<String>,
) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                walk_json(v, k, f);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_json(item, key, f);
            }
        }
        Value::String(s) if is_personal_field(key) => {
            if let Some(new) = f(key, s) {
                *s = new;
            }
        }
        Value::Number(n) if is_personal_field(key) => {
            if let Some(new) = f(key, &n.to_string()) {
                *v = Value::String(new);
            }
        }
        _ => {}
    }
}

/// The keys this process holds: every key file it has read, merged.
struct Process {
    ring: RwLock<Keyring>,
    paths: Mutex<Vec<PathBuf>>,
}

fn process() -> &'static Process {
    static PROCESS: OnceLock<Process> = OnceLock::new();
    PROCESS.get_or_init(|| Process {
        ring: RwLock::new(Keyring::default()),
        paths: Mutex::new(Vec::new()),
    })
}

/// Adds a keyring's keys to the process's, and remembers the file it came from so that keys
/// added to it later (a rotation by another process) are found.
pub fn install(ring: &Keyring, path: Option<&Path>) {
    if let Ok(mut held) = process().ring.write() {
        held.merge(ring);
    }
    if let (Some(path), Ok(mut paths)) = (path, process().paths.lock()) {
        if !paths.iter().any(|p| p == path) {
            paths.push(path.to_path_buf());
        }
    }
}

/// Reads the process's key files again, for keys added since.
fn reload() {
    let paths = process()
        .paths
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default();
    for path in paths {
        if let Ok(ring) = Keyring::load(&path) {
            install(&ring, None);
        }
    }
}

fn lookup<T>(find: impl Fn(&Keyring) -> Option<T>) -> Option<T> {
    let found = process().ring.read().ok().and_then(|r| find(&r));
    found.or_else(|| {
        reload();
        process().ring.read().ok().and_then(|r| find(&r))
    })
}

fn data_key(id: &str) -> Result<DataKey, DbError> {
    lookup(|r| r.data_key(id).cloned()).ok_or_else(|| {
        DbError::DataKey(format!(
            "本进程的个人数据密钥文件中没有密钥 {id}：请使用写入本数据库时的密钥文件（data_key_file，TAIZHANG_DATA_KEY_FILE）"
        ))
    })
}

fn index_key(id: &str) -> Result<IndexKey, DbError> {
    lookup(|r| r.index_key(id).cloned()).ok_or_else(|| {
        DbError::DataKey(format!(
            "本进程的个人数据密钥文件中没有索引密钥 {id}：请使用写入本数据库时的密钥文件（data_key_file，TAIZHANG_DATA_KEY_FILE）"
        ))
    })
}

fn sealer_of(keys: &[RegisteredKey]) -> Result<Sealer, DbError> {
    let current = |purpose: &str| {
        keys.iter()
            .find(|k| k.purpose == purpose && k.is_current)
            .map(|k| k.key_id.as_str())
    };
    match (current("data"), current("index")) {
        (Some(data), Some(index)) => Ok(Sealer::new(data_key(data)?, index_key(index)?)),
        _ => Err(DbError::DataKey(
            "本数据库还没有登记个人数据密钥：请先用 taizhang 的命令（如 migrate）打开一次，或运行 taizhang key init".to_string(),
        )),
    }
}

/// The sealer of the database this transaction writes to: its current data key, read in the
/// transaction, so a rotation by another process is followed from its next write on.
pub async fn sealer(tx: &mut Tx) -> Result<Sealer, DbError> {
    sealer_of(&queries::registered_in(tx).await?)
}

/// [`sealer`] outside a transaction: for lookups by blind index.
pub async fn sealer_for(db: &Db) -> Result<Sealer, DbError> {
    sealer_of(&queries::registered(db).await?)
}

/// Loads the key file and installs it; a database that names no key yet registers the file's
/// newest data key and its index key (a new database, or one from before encryption), and a
/// missing file is created for it. A database whose values were sealed under keys the file
/// lacks, or whose file is missing, is refused before anything is written.
pub async fn install_for(
    db: &Db,
    path: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let registered = queries::registered(db).await?;
    if !path.exists() && !registered.is_empty() {
        anyhow::bail!(
            "找不到个人数据密钥文件 {}：本数据库的身份证号和电话已用密钥 {} 加密。请把原来的密钥文件放回该位置，或用 data_key_file（TAIZHANG_DATA_KEY_FILE）指向它",
            path.display(),
            registered
                .iter()
                .map(|k| k.key_id.as_str())
                .collect::<Vec<_>>()
                .join("、")
        );
    }
    let ring = Keyring::load_or_create(path)?;
    let missing: Vec<&str> = registered
        .iter()
        .map(|k| k.key_id.as_str())
        .filter(|id| ring.data_key(id).is_none() && ring.index_key(id).is_none())
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "个人数据密钥文件 {} 与本数据库不符：缺少密钥 {}（本数据库的身份证号和电话用它们加密）。请使用写入本数据库时的密钥文件（data_key_file，TAIZHANG_DATA_KEY_FILE）",
            path.display(),
            missing.join("、")
        );
    }
    install(&ring, Some(path));
    if registered.is_empty() {
        register(db, &ring, now).await?;
    }
    Ok(())
}

/// Records the keyring's newest data key as current and its index key, when the database names
/// none yet (two processes starting at once: the second finds the first's).
async fn register(
    db: &Db,
    ring: &Keyring,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let (Some(data), Some(index)) = (ring.newest(), ring.index()) else {
        anyhow::bail!("个人数据密钥文件中没有密钥");
    };
    let mut tx = db.begin().await?;
    if queries::registered_in(&mut tx).await?.is_empty() {
        queries::insert(&mut tx, index.id(), "index", now).await?;
        queries::insert(&mut tx, data.id(), "data", now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `key` the database's current data key: from the next write on, values are sealed
/// under it. The key must be in the process's keyring already.
pub async fn make_current(
    db: &Db,
    key: &DataKey,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbError> {
    let mut tx = db.begin().await?;
    queries::demote_data_keys(&mut tx).await?;
    queries::insert(&mut tx, key.id(), "data", now).await?;
    tx.commit().await?;
    Ok(())
}

/// The keys the database names.
pub async fn registered(db: &Db) -> Result<Vec<RegisteredKey>, DbError> {
    queries::registered(db).await
}

/// The key the unit tests seal under (the integration tests install their own the same way).
#[cfg(test)]
pub(crate) fn test_sealer() -> Sealer {
    let data = DataKey::from_bytes([3; 16]);
    let index = IndexKey::from_bytes([5; 32]);
    install(&Keyring::of(vec![data.clone()], index.clone()), None);
    Sealer::new(data, index)
}

/// Installs [`test_sealer`]'s keys and registers them in a unit test's database.
#[cfg(test)]
pub(crate) async fn install_test_keys(db: &Db) {
    let s = test_sealer();
    let ring = Keyring::of(vec![s.data.clone()], s.index.clone());
    register(db, &ring, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("test keys registered");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_as_its_own_field_and_never_repeats() {
        let s = test_sealer();
        let a = s.seal("id_number", "11010519491231002X");
        let b = s.seal("id_number", "11010519491231002X");
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(a.starts_with(&format!("sm4:{}:", s.key_id())), "{a}");
        assert!(s.is_current(&a));
        assert!(!a.contains("1101"));
        assert_eq!(open("id_number", &a).unwrap(), "11010519491231002X");
        // Moved to another field, or altered, it does not open.
        assert!(open("phone", &a).is_err());
        let mut altered = a.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(
            open("id_number", &altered),
            Err(DbError::DataKey(_))
        ));
        // Under a key the process does not hold: refused, naming the key.
        let stranger = Sealer::new(DataKey::from_bytes([9; 16]), IndexKey::from_bytes([5; 32]));
        let e = open("phone", &stranger.seal("phone", "13812345678")).unwrap_err();
        assert!(e.to_string().contains("没有密钥"), "{e}");
        // Plaintext from before encryption reads as it is.
        assert_eq!(open("phone", "13812345678").unwrap(), "13812345678");
    }

    #[test]
    fn the_blind_index_is_per_park_and_deterministic() {
        let s = test_sealer();
        let n = "11010519491231002X";
        assert_eq!(s.blind_index(1, n), s.blind_index(1, n));
        assert_ne!(s.blind_index(1, n), s.blind_index(2, n));
        assert_ne!(s.blind_index(1, n), s.blind_index(1, "110105194912310029"));
        assert_eq!(s.blind_index(1, n).len(), 64);
    }

    #[test]
    fn personal_fields_of_json_are_sealed_and_opened_in_place() {
        let s = test_sealer();
        let mut v = serde_json::json!({
            "name": "张三", "id_number": "11010519491231002X", "phone": 13812345678u64,
            "people": [{"contact_phone": "0551-12345678", "phone": null}]
        });
        assert!(has_personal_values(&v));
        seal_json(&s, &mut v);
        let text = v.to_string();
        assert!(!text.contains("1101") && !text.contains("1381") && !text.contains("0551"));
        assert_eq!(v["name"], "张三");
        let sealed_once = v.clone();
        seal_json(&s, &mut v);
        assert_eq!(v, sealed_once, "a sealed value is not sealed again");
        open_json(&mut v);
        assert_eq!(v["id_number"], "11010519491231002X");
        assert_eq!(v["phone"], "13812345678");
        assert_eq!(v["people"][0]["contact_phone"], "0551-12345678");
        assert!(!has_personal_values(
            &serde_json::json!({"name": "x", "phone": null})
        ));
        // A value whose key is gone says so, and the audit page shows it as it is.
        let stranger = Sealer::new(DataKey::from_bytes([9; 16]), IndexKey::from_bytes([5; 32]));
        let mut lost = serde_json::json!({"phone": stranger.seal("phone", "13812345678")});
        open_json(&mut lost);
        assert_eq!(lost["phone"], UNOPENED);
        assert_eq!(crate::audit::mask_text("phone", UNOPENED), UNOPENED);
    }
}
