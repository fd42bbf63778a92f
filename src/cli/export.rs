//! `taizhang export --kind KIND [--year Y] --out FILE.xlsx`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub kind: String,
    #[arg(long, value_parser = crate::calendar::Year::parse)]
    pub year: Option<crate::calendar::Year>,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    let exported = crate::excel::export::workbook(
        &db,
        park.id,
        &args.kind,
        args.year.map(crate::calendar::Year::get),
    )
    .await;
    db.close().await;
    let exported = exported?;
    tokio::fs::write(&args.out, &exported.bytes)
        .await
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", args.out.display()))?;
    println!(
        "已导出{} {} 条到 {}",
        exported.sheet,
        exported.rows,
        args.out.display()
    );
    Ok(())
}
