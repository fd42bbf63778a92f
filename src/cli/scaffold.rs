//! `taizhang [--park P] scaffold FILE.txt [--out FILE] [--format text|json]`: a model essay with
//! `X` placeholders turned into a report template, each placeholder bound to a metric where its
//! sentence names one: one of the park's own metrics (its metric file over the defaults). With
//! no database to read, and no park asked for, the default metrics are used and a notice says so
//! plainly (in an empty folder: no database file, so the defaults; no connection error shown).

use std::io::Write;

use anyhow::Context;

use crate::config::Config;
use crate::report::scaffold::{self, Scaffold};
use crate::report::MetricCatalogue;

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

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let json = match args.format.trim().to_ascii_lowercase().as_str() {
        "text" | "txt" | "md" => false,
        "json" => true,
        other => anyhow::bail!("未知的输出格式“{other}”：--format 只能是 text 或 json"),
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("无法读取范文文件 {}", args.file.display()))?;
    let Some(essay) = scaffold::decode(&bytes) else {
        anyhow::bail!(
            "范文文件 {} 的编码无法识别：请另存为 UTF-8 或 GBK 文本",
            args.file.display()
        );
    };
    let metrics = park_metrics(&config, park).await?;
    let result = scaffold::scaffold(&essay, &metrics);
    report_to_stderr(&result);
    let text = if json {
        result.to_json() + "\n"
    } else {
        result.template()
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("无法写入 {}", path.display()))?
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(())
}

/// The metrics the essay is bound to: the park's, or the defaults when there is no database
/// (the default `taizhang.db` absent) and no park was named, or the database holds no park.
async fn park_metrics(config: &Config, park: Option<&str>) -> anyhow::Result<MetricCatalogue> {
    if park.is_none() {
        if let Some(file) = crate::db::missing_sqlite_file(&config.database_url) {
            eprintln!(
                "提示：没有找到数据库文件 {}，按系统默认指标绑定（不含园区自定义的指标）。",
                file.display()
            );
            return Ok(MetricCatalogue::default_metrics());
        }
    }
    let db = match super::open(config, false).await {
        Ok(db) => db,
        Err(e) if park.is_none() => {
            eprintln!("提示：未打开数据库（{e:#}），按系统默认指标绑定。");
            return Ok(MetricCatalogue::default_metrics());
        }
        Err(e) => return Err(e),
    };
    let found = async {
        if park.is_none() && crate::org::queries::parks(&db).await?.is_empty() {
            return Ok(MetricCatalogue::default_metrics());
        }
        let park = super::pick_park(&db, park).await?;
        Ok::<_, anyhow::Error>(crate::report::park_metrics(&db, park.id).await?)
    }
    .await;
    db.close().await;
    found
}

/// What was found, on standard error, so the output stays the template alone.
fn report_to_stderr(result: &Scaffold) {
    let all = result.placeholders.len();
    if all == 0 {
        eprintln!("提示：范文中没有找到占位符（X），模板与原文相同。");
        return;
    }
    let unbound: Vec<_> = result.unbound().collect();
    eprintln!(
        "找到占位符 {all} 个：已绑定 {} 个，待处理 {} 个。",
        all - unbound.len(),
        unbound.len()
    );
    for p in unbound {
        let what = match p.kind {
            scaffold::Kind::Metric => "数字，未找到对应指标",
            scaffold::Kind::Project => "项目或地块",
            scaffold::Kind::Text => "文字",
            scaffold::Kind::Park => "园区名称",
        };
        eprintln!("  第{}行 {}（{what}）：{}", p.line, p.text, p.context);
    }
}
