//! `taizhang compile --year Y [--unit U] --out FILE.docx|FILE.pdf`: the 台账汇编 of a branch (the
//! unit named and every unit below it) or of the whole park: cover, contents, each ledger as a
//! table in date order, each meeting's record and the 三会一课 grid (`report::compile`). The
//! file is written whole or not at all; PDF through LibreOffice, as the report's.

use std::path::PathBuf;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_parser = crate::calendar::Year::parse)]
    pub year: crate::calendar::Year,
    /// The unit (by name) whose ledgers, with those of the units below it, are bound; the
    /// whole park when left out.
    #[arg(long)]
    pub unit: Option<String>,
    /// The output file: .docx, or .pdf (through LibreOffice).
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let pdf = match args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("docx") => false,
        Some("pdf") => true,
        _ => anyhow::bail!("--out 须为 .docx 或 .pdf 文件：{}", args.out.display()),
    };
    let db = super::open(&config, false).await?;
    let compiled = async {
        let park = super::pick_park(&db, park).await?;
        let unit_id = match &args.unit {
            None => None,
            Some(name) => {
                let units = crate::org::queries::units(&db, park.id).await?;
                let found = units.iter().find(|u| u.name == name.trim());
                match found {
                    Some(u) => Some(u.id),
                    None => {
                        let near = units
                            .iter()
                            .map(|u| (strsim::jaro_winkler(&u.name, name), &u.name))
                            .max_by(|a, b| a.0.total_cmp(&b.0))
                            .map(|(_, n)| format!("（是否要找“{n}”？）"))
                            .unwrap_or_default();
                        anyhow::bail!("--unit：园区没有“{name}”这个单位{near}")
                    }
                }
            }
        };
        let who = crate::auth::operator::park_reader(park.id);
        let today = crate::calendar::today(super::now());
        let compiled = crate::report::compile::compile(
            &db,
            &who,
            &park.name,
            args.year,
            unit_id,
            today,
            &config.report_fonts,
        )
        .await?;
        Ok::<_, anyhow::Error>(compiled)
    }
    .await;
    db.close().await;
    let compiled = compiled?;
    let bytes = if pdf {
        crate::report::pdf::convert(&compiled.bytes, &config.report_fonts)?
    } else {
        compiled.bytes
    };
    super::report::write_whole(&args.out, &bytes)?;
    let sheets: Vec<String> = compiled
        .sheets
        .iter()
        .map(|(s, n)| format!("{s} {n} 条"))
        .collect();
    eprintln!(
        "已写入 {}：{}（{}）",
        args.out.display(),
        compiled.title,
        sheets.join("，")
    );
    Ok(())
}
