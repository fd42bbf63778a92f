//! `taizhang scaffold FILE.txt [--out FILE] [--format text|json]`: a model essay with `X`
//! placeholders turned into a report template, each placeholder bound to a metric where its
//! sentence names one.

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The model essay (UTF-8 or GBK text).
    pub file: std::path::PathBuf,
    /// Where to write the template; standard output when left out.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// `text` (the template) or `json` (the placeholders found and their bindings).
    #[arg(long, default_value = "text")]
    pub format: String,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("scaffold 尚未完成：{}", args.file.display())
}
