//! `taizhang check --year Y [--as-of DATE] [--format text|json]`: the rule findings of one year,
//! grouped for a reader or as `{"findings": [...]}`.

use chrono::NaiveDate;

use crate::config::Config;
use crate::rules::{self, RulesError};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_parser = crate::calendar::Year::parse)]
    pub year: crate::calendar::Year,
    /// Only periods that ended by this date can be violated; default the year's end, or today if sooner.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long, default_value = "text")]
    pub format: String,
}

enum Format {
    Text,
    Json,
}

/// `{"findings": [...]}`, each finding's keys in the order PRODUCT.md gives them (a struct keeps
/// its field order where a JSON map would sort the keys).
#[derive(serde::Serialize)]
struct Output<'a> {
    findings: &'a [rules::Finding],
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    // Everything the user typed is checked before the database is opened.
    let format = match args.format.as_str() {
        "text" => Format::Text,
        "json" => Format::Json,
        other => return Err(RulesError::UnknownFormat(other.to_string()).into()),
    };
    let as_of = match args.as_of.as_deref() {
        Some(text) => rules::parse_as_of(text)?,
        None => rules::default_as_of(args.year, today()),
    };
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await;
    let findings = match park {
        Ok(park) => rules::check(&db, park.id, args.year, as_of).await,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    db.close().await;
    let findings = findings?;
    match format {
        Format::Text => print!("{}", rules::render_text(&findings, args.year, as_of)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&Output {
                findings: &findings
            })?
        ),
    }
    Ok(())
}

/// Today in the park's time zone: the parks are in China (UTC+8), where a check run at 07:00 on
/// 1 June must already count May as over.
fn today() -> NaiveDate {
    crate::calendar::today(super::now())
}
