//! `taizhang audit verify`: walk the park's audit chain and its signed head, and report the first
//! broken link. `taizhang audit export --out FILE`: every entry as stored, one JSON line each, for
//! archiving (entries are never dropped from the database).

use std::path::PathBuf;

use clap::Subcommand;

use crate::audit::{self, Verdict};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that no audit entry was edited or removed behind the application's back.
    Verify,
    /// Write every entry of the park, as stored, to a JSON Lines file for archiving.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(config: Config, park: Option<&str>, cmd: Command) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    match cmd {
        Command::Verify => match audit::verify(&db, park.id).await? {
            Verdict::Intact { entries } => {
                println!(
                    "审计日志完整：园区“{}”共 {entries} 条记录，哈希链与签名的日志头校验通过",
                    park.name
                );
                db.close().await;
                Ok(())
            }
            Verdict::Broken { seq, reason } => {
                db.close().await;
                anyhow::bail!("审计日志在第 {seq} 条处断开：{reason}")
            }
        },
        Command::Export { out } => {
            // Written whole beside the target, then moved into place: never half an archive.
            let tmp = out.with_extension("part");
            let file = std::fs::File::create(&tmp)
                .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", tmp.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let (count, last) = audit::export(&db, park.id, &mut w).await?;
            let file = w
                .into_inner()
                .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", tmp.display()))?;
            file.sync_all()?;
            std::fs::rename(&tmp, &out)
                .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", out.display()))?;
            db.close().await;
            println!(
                "已导出园区“{}”的审计日志 {count} 条到 {}（最后一条的哈希 {last}）",
                park.name,
                out.display()
            );
            Ok(())
        }
    }
}
