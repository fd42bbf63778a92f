//! `taizhang migrate`: bring the schema up to date and say so.

use crate::config::Config;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    println!(
        "数据库结构已是最新（{}）",
        crate::db::redact_url(&config.database_url)
    );
    db.close().await;
    Ok(())
}
