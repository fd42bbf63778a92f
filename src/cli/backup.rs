//! `taizhang backup --out FILE [--verify]` and `taizhang restore FILE`.
//!
//! A backup is a consistent copy taken while the server keeps writing: SQLite's `VACUUM INTO`
//! (one read transaction, so one moment of the database), PostgreSQL's `pg_dump` (one snapshot).
//! It is written beside its name and moved into place, so a file of that name is always whole.
//! `--verify` restores the copy into a scratch database, checks every park's audit chain there
//! and that it holds at least what the database held when the backup began. `restore` writes a
//! backup into an empty database only. The audit key (`audit_key_file`) and the personal data
//! key file (`data_key_file`) are not in the backup: keep them apart, and restore with the same
//! files, or the chain no longer checks and the sealed ID numbers and phones cannot be read (the
//! restored database is refused without its data key file).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::config::Config;
use crate::db::Db;
use crate::{audit, on_db};

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
    /// Also restore it into a scratch database and check it there.
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A file `taizhang backup` wrote.
    pub file: PathBuf,
}

/// What a database holds, as the check compares it.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Counts {
    parks: i64,
    records: i64,
    people: i64,
    audit_entries: i64,
}

impl Counts {
    fn covers(&self, earlier: &Counts) -> bool {
        self.parks >= earlier.parks
            && self.records >= earlier.records
            && self.people >= earlier.people
            && self.audit_entries >= earlier.audit_entries
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "园区 {} 个、台账记录 {} 条、人员 {} 人、审计日志 {} 条",
            self.parks, self.records, self.people, self.audit_entries
        )
    }
}

async fn counts(db: &Db) -> anyhow::Result<Counts> {
    let one = |table: &'static str| async move {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = on_db!(db, |pool| sqlx::query_scalar(&sql).fetch_one(pool).await)
            .map_err(crate::db::DbError::from)?;
        Ok::<_, anyhow::Error>(n)
    };
    Ok(Counts {
        parks: one("parks").await?,
        records: one("records").await?,
        people: one("people").await?,
        audit_entries: one("audit_log").await?,
    })
}

/// The SQLite file a URL names.
fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|e| anyhow::anyhow!("数据库地址有误：{e}"))?;
    Ok(opts.get_filename().to_path_buf())
}

fn refuse_existing(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        anyhow::bail!(
            "{} 已存在：备份不覆盖已有文件，请换一个文件名",
            out.display()
        );
    }
    Ok(())
}

/// Runs a PostgreSQL client tool, its errors shown in Chinese with the tool's own words.
fn run_tool(tool: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<()> {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| {
            anyhow::anyhow!("无法运行 {tool}（PostgreSQL 的客户端工具，请先安装）：{e}")
        })?;
    if !out.status.success() {
        anyhow::bail!(
            "{tool} 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

pub async fn backup(config: Config, args: BackupArgs) -> anyhow::Result<()> {
    refuse_existing(&args.out)?;
    let db = super::open(&config, false).await?;
    let before = write_backup(&config, &db, &args.out).await?;
    println!("已备份到 {}（备份开始时：{before}）", args.out.display());
    if args.verify {
        verify(&config, &db, &args.out, &before).await?;
    }
    db.close().await;
    Ok(())
}

/// Writes one backup to `out`, whole or not at all; returns what the database held when it began.
async fn write_backup(config: &Config, db: &Db, out: &Path) -> anyhow::Result<Counts> {
    let before = counts(db).await?;
    let part = out.with_extension("part");
    let _ = std::fs::remove_file(&part);
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("VACUUM INTO $1")
                .bind(part.to_string_lossy().as_ref())
                .execute(pool)
                .await
                .map_err(|e| anyhow::anyhow!("备份失败：{e}"))?;
        }
        Db::Postgres(_) => {
            run_tool(
                "pg_dump",
                &[
                    "--format=custom".as_ref(),
                    "--no-owner".as_ref(),
                    "--file".as_ref(),
                    part.as_os_str(),
                    config.database_url.as_ref(),
                ],
            )?;
        }
    }
    std::fs::rename(&part, out).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", out.display()))?;
    Ok(before)
}

/// The name of a scheduled backup: sorts by time.
const SCHEDULED_PREFIX: &str = "taizhang-";
const SCHEDULED_SUFFIX: &str = ".backup";

/// Which scheduled backups to remove so that the newest `keep` remain (other files untouched).
fn to_prune(names: &[String], keep: usize) -> Vec<String> {
    let mut ours: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with(SCHEDULED_PREFIX) && n.ends_with(SCHEDULED_SUFFIX))
        .collect();
    ours.sort();
    let extra = ours.len().saturating_sub(keep);
    ours.into_iter().take(extra).cloned().collect()
}

/// The backups `serve` takes by itself: one every `every` into `dir`, the newest `keep` kept.
/// A failure is logged and tried again next time; it never stops the server.
pub(crate) async fn scheduled(config: Config, db: Db, schedule: crate::config::BackupSchedule) {
    let mut ticks = tokio::time::interval(schedule.every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let name = format!(
            "{SCHEDULED_PREFIX}{}{SCHEDULED_SUFFIX}",
            super::now().format("%Y%m%d-%H%M%S")
        );
        let out = schedule.dir.join(&name);
        let done = async {
            std::fs::create_dir_all(&schedule.dir)?;
            write_backup(&config, &db, &out).await?;
            let names: Vec<String> = std::fs::read_dir(&schedule.dir)?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            for old in to_prune(&names, schedule.keep) {
                std::fs::remove_file(schedule.dir.join(old))?;
            }
            Ok::<_, anyhow::Error>(())
        };
        match done.await {
            Ok(()) => tracing::info!(file = %out.display(), "scheduled backup written"),
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
    }
}

/// Restores the backup into a scratch database beside it and checks it there.
async fn verify(config: &Config, live: &Db, file: &Path, before: &Counts) -> anyhow::Result<()> {
    let scratch_dir = std::env::temp_dir().join(format!(
        "taizhang-verify-{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 6]>())
    ));
    std::fs::create_dir_all(&scratch_dir)
        .map_err(|e| anyhow::anyhow!("无法建立校验用的临时目录：{e}"))?;
    let (url, dropper) = match live {
        Db::Sqlite(_) => {
            let target = scratch_dir.join("verify.db");
            std::fs::copy(file, &target)?;
            (format!("sqlite://{}", target.display()), None)
        }
        Db::Postgres(pool) => {
            let name = format!("taizhang_verify_{}", std::process::id());
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(pool)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await?;
            let url = match config.database_url.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => anyhow::bail!("数据库地址中没有库名"),
            };
            let restored = run_tool(
                "pg_restore",
                &[
                    "--no-owner".as_ref(),
                    "--dbname".as_ref(),
                    url.as_ref(),
                    file.as_os_str(),
                ],
            );
            if let Err(e) = restored {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(pool)
                    .await;
                return Err(e);
            }
            (url, Some(name))
        }
    };
    let checked = check_copy(&url, before).await;
    if let (Some(name), Db::Postgres(pool)) = (dropper, live) {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(pool)
            .await;
    }
    let _ = std::fs::remove_dir_all(&scratch_dir);
    let found = checked?;
    println!("校验通过：备份可以恢复，各园区的审计日志完整，{found}");
    Ok(())
}

async fn check_copy(url: &str, before: &Counts) -> anyhow::Result<Counts> {
    let copy = Db::connect(url, false).await?;
    copy.migrate().await?;
    let found = counts(&copy).await?;
    if !found.covers(before) {
        anyhow::bail!("校验失败：备份中只有 {found}，少于备份开始时的 {before}");
    }
    for park in crate::org::queries::parks(&copy).await? {
        if let audit::Verdict::Broken { seq, reason } = audit::verify(&copy, park.id).await? {
            anyhow::bail!(
                "校验失败：备份中园区“{}”的审计日志在第 {seq} 条处断开：{reason}",
                park.name
            );
        }
    }
    copy.close().await;
    Ok(found)
}

pub async fn restore(config: Config, args: RestoreArgs) -> anyhow::Result<()> {
    if !args.file.is_file() {
        anyhow::bail!("找不到备份文件 {}", args.file.display());
    }
    let url = &config.database_url;
    if url.starts_with("sqlite:") {
        let target = sqlite_file(url)?;
        if target.exists() {
            anyhow::bail!(
                "{} 已存在：只能恢复到一个新的数据库文件，请换一个 --database-url",
                target.display()
            );
        }
        let part = target.with_extension("part");
        std::fs::copy(&args.file, &part)
            .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", part.display()))?;
        std::fs::rename(&part, &target)?;
    } else {
        let db = Db::connect(url, false).await?;
        let tables: i64 = on_db!(&db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        .fetch_one(pool)
        .await)
        .map_err(crate::db::DbError::from)?;
        db.close().await;
        if tables > 0 {
            anyhow::bail!("目标数据库不是空的（已有 {tables} 张表）：只能恢复到一个空数据库");
        }
        run_tool(
            "pg_restore",
            &[
                "--no-owner".as_ref(),
                "--dbname".as_ref(),
                url.as_ref(),
                args.file.as_os_str(),
            ],
        )?;
    }
    // Opening checks the key files against what the backup holds; a refusal takes the
    // restored copy away again, so the target is left as empty as it was found.
    let opened = match super::open(&config, false).await {
        Ok(db) => counts(&db).await.map(|found| (db, found)),
        Err(e) => Err(e),
    };
    let (db, found) = match opened {
        Ok(done) => done,
        Err(e) => {
            return Err(match undo_restore(url).await {
                Ok(()) => e.context("未恢复：恢复的数据已撤销，目标数据库仍是空的"),
                Err(undo) => e.context(format!(
                    "恢复未完成，且撤销失败（{undo}）：请清空目标数据库后再恢复"
                )),
            });
        }
    };
    db.close().await;
    println!(
        "已恢复：{found}。审计日志须用原来的审计密钥校验（audit_key_file），请运行 taizhang audit verify"
    );
    Ok(())
}

/// Takes a restored copy away: the SQLite file (and its journal files), or every table of the
/// PostgreSQL database, which `restore` found empty.
async fn undo_restore(url: &str) -> anyhow::Result<()> {
    if url.starts_with("sqlite:") {
        let target = sqlite_file(url)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = target.clone().into_os_string();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        return Ok(());
    }
    let db = Db::connect(url, false).await?;
    let undone = on_db!(&db, |pool| {
        sqlx::raw_sql(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC"
    )
    .execute(pool)
    .await
    .map(|_| ())
    })
    .map_err(crate::db::DbError::from);
    db.close().await;
    Ok(undone?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_oldest_scheduled_backups_beyond_keep_are_pruned() {
        let names: Vec<String> = [
            "taizhang-20261201-020000.backup",
            "taizhang-20261203-020000.backup",
            "notes.txt",
            "taizhang-20261202-020000.backup",
            "by-hand.backup",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(to_prune(&names, 2), ["taizhang-20261201-020000.backup"]);
        assert!(to_prune(&names, 3).is_empty());
        assert_eq!(to_prune(&names, 1).len(), 2);
    }
}
