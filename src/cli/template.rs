//! `taizhang template --kind KIND --out FILE.xlsx`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    let template = crate::excel::template::workbook(&db, park.id, &args.kind).await;
    db.close().await;
    let template = template?;
    tokio::fs::write(&args.out, &template.bytes)
        .await
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", args.out.display()))?;
    println!("已生成“{}”导入模板：{}", template.sheet, args.out.display());
    Ok(())
}
