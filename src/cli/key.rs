//! `taizhang key init` and `taizhang key rotate`: the key files outside the database.
//!
//! `init` makes the personal data key file (`data_key_file`) and, when missing, the audit key
//! file; it never overwrites a key file. `rotate` adds a new SM4 data key to the file, makes it
//! the database's current key, and seals every person's and enterprise's values and every
//! account's TOTP secret again under it, in small transactions while the server keeps working. Old keys stay in the file: audit
//! entries keep the values they were written with. A rotation stopped midway is finished by the
//! next `rotate`, which then adds no key.

use std::path::{Path, PathBuf};

use crate::audit::{self, Actor, AuditKey, Change};
use crate::config::Config;
use crate::crypto::{self, Keyring, Which};
use crate::org::sealed;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the key files: personal data keys (SM4, HMAC-SM3) and, when missing, the audit key.
    Init,
    /// Add a new personal data key and re-encrypt people, enterprises and TOTP secrets under it,
    /// in batches.
    Rotate,
}

pub async fn run(config: Config, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Init => init(&config),
        Command::Rotate => rotate(&config).await,
    }
}

fn init(config: &Config) -> anyhow::Result<()> {
    let path = config.data_key_path();
    let ring = Keyring::generate();
    ring.create(&path)?;
    println!(
        "已创建个人数据密钥文件 {}（SM4 数据密钥 {}，HMAC-SM3 索引密钥 {}）。",
        path.display(),
        ring.newest().map_or("", |k| k.id()),
        ring.index().map_or("", |k| k.id()),
    );
    let audit = config.audit_key_path();
    if audit.exists() {
        println!("审计密钥文件 {} 已存在，保持不变。", audit.display());
    } else {
        let key = AuditKey::load_or_create(&audit)?;
        println!(
            "已创建审计密钥文件 {}（密钥 {}）。",
            audit.display(),
            key.fingerprint()
        );
    }
    println!("两个密钥文件都不在数据库备份中：请另行妥善备份。丢失后，已加密的身份证号和电话无法恢复，审计日志无法校验。");
    Ok(())
}

async fn rotate(config: &Config) -> anyhow::Result<()> {
    let db = super::open(config, false).await?;
    let path = config.data_key_path();
    let _lock = RotationLock::take(&path)?;
    // A rotation stopped midway left values under the older key: finish it, add no key.
    let finished = reseal_all(&db).await?;
    if finished != Done::default() {
        let current = crypto::sealer_for(&db).await?;
        println!(
            "上次的密钥轮换没有完成，现已完成：{} 已用密钥 {} 重新加密。如需再换新密钥，请再次运行 taizhang key rotate",
            finished,
            current.key_id()
        );
        db.close().await;
        return Ok(());
    }
    let previous = crypto::sealer_for(&db).await?.key_id().to_string();
    let mut ring = Keyring::load(&path)?;
    let key = ring.add_data_key();
    // The file first: a stop right after leaves an unused key in it, never a current key the
    // file lacks.
    ring.replace(&path)?;
    crypto::install(&ring, Some(&path));
    let now = super::now();
    crypto::make_current(&db, &key, now).await?;
    let done = reseal_all(&db).await?;
    for park in crate::org::queries::parks(&db).await? {
        let mut tx = db.begin().await?;
        audit::record(
            &mut tx,
            park.id,
            &Actor::system(),
            now,
            Change {
                action: "rotate",
                entity: "data_key",
                entity_id: None,
                before: Some(serde_json::json!({ "key_id": previous })),
                after: Some(serde_json::json!({ "key_id": key.id() })),
            },
        )
        .await?;
        tx.commit().await?;
    }
    db.close().await;
    println!(
        "已启用新的个人数据密钥 {}（原密钥 {} 保留在密钥文件中，用于解密审计日志中的旧值）：{} 已重新加密。请重新备份密钥文件 {}",
        key.id(),
        previous,
        done,
        path.display()
    );
    Ok(())
}

/// What a re-sealing under the current key wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Done {
    org: sealed::Resealed,
    accounts: u64,
    robots: u64,
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} 位人员、{} 家企业的数据，{} 个账号的两步验证密钥和 {} 个通知机器人的地址与密钥",
            self.org.people, self.org.enterprises, self.accounts, self.robots
        )
    }
}

/// Seals every value not under the current key again: people, enterprises, TOTP secrets,
/// the robots' webhook URLs and secrets.
async fn reseal_all(db: &crate::db::Db) -> anyhow::Result<Done> {
    Ok(Done {
        org: sealed::reseal(db, Which::NotCurrent).await?,
        accounts: crate::auth::sealed::reseal(db, Which::NotCurrent).await?,
        robots: crate::notify::service::reseal_robots(db, Which::NotCurrent).await?,
    })
}

/// One rotation at a time: two would each write the key file with their own new key, and one
/// key would be lost. A lock file beside the key file, removed when the rotation ends.
struct RotationLock(PathBuf);

impl RotationLock {
    fn take(key_file: &Path) -> anyhow::Result<RotationLock> {
        let lock = key_file.with_extension("rotating");
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => Ok(RotationLock(lock)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => anyhow::bail!(
                "另一个 taizhang key rotate 正在进行（锁文件 {} 存在）。如确认没有在运行（上次异常退出），删除该文件后再试",
                lock.display()
            ),
            Err(e) => anyhow::bail!("无法建立锁文件 {}：{e}", lock.display()),
        }
    }
}

impl Drop for RotationLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
