//! `taizhang audit verify`: walk the park's audit chain and report the first broken link.

use clap::Subcommand;

use crate::audit::{self, Verdict};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that no audit entry was edited or removed behind the application's back.
    Verify,
}

pub async fn run(config: Config, park: Option<&str>, cmd: Command) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    match cmd {
        Command::Verify => match audit::verify(&db, park.id).await? {
            Verdict::Intact { entries } => {
                println!(
                    "审计日志完整：园区“{}”共 {entries} 条记录，哈希链校验通过",
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
    }
}
