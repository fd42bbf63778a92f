//! `taizhang check --year Y [--as-of DATE] [--format text|json]`.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    pub year: i32,
    /// Only periods that ended by this date can be violated; default the year's end, or today if sooner.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long, default_value = "text")]
    pub format: String,
}

pub async fn run(_config: Config, _park: Option<&str>, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("规则检查正在建设中")
}
