//! `taizhang export --kind KIND [--year Y] --out FILE.xlsx`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub year: Option<i32>,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub async fn run(_config: Config, _park: Option<&str>, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("导出功能正在建设中")
}
