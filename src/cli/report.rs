//! `taizhang report --year Y [--template FILE] --format md|html|docx|json --out FILE`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub year: i32,
    #[arg(long)]
    pub template: Option<std::path::PathBuf>,
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Output file; standard output when left out.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

pub async fn run(_config: Config, _park: Option<&str>, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("报告功能正在建设中")
}
