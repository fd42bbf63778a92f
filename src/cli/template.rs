//! `taizhang template --kind KIND --out FILE.xlsx`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

pub async fn run(_config: Config, _park: Option<&str>, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("模板功能正在建设中")
}
