//! The command line: one binary, many subcommands, each in its own file with its options and `run`.

mod audit;
mod backup;
mod check;
mod compile;
mod demo;
mod export;
mod import;
mod init;
mod key;
mod migrate;
mod report;
mod scaffold;
mod serve;
mod template;
mod user;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::Db;
use crate::org::queries as org_queries;

#[derive(Debug, Parser)]
#[command(
    name = "taizhang",
    version,
    about = "台账：园区党建与营商服务台账，自动生成年度述职报告"
)]
pub struct Cli {
    /// Database URL (sqlite://FILE or postgres://…); default sqlite://taizhang.db.
    #[arg(long, global = true, env = "TAIZHANG_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The park to work on; may be left out while the database holds one park.
    #[arg(long, global = true, env = "TAIZHANG_PARK")]
    pub park: Option<String>,
    /// Configuration file; default taizhang.toml when it exists.
    #[arg(long, global = true)]
    pub config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the JSON API.
    Serve(serve::Args),
    /// Build a fictional demo park with three years of records.
    Demo(demo::Args),
    /// Create a new empty park and its first administrator.
    Init(init::Args),
    /// Bring the database schema up to date.
    Migrate,
    /// Import a workbook of ledgers and rosters: all of it, or nothing.
    Import(import::Args),
    /// Export one ledger kind to a workbook that imports again unchanged.
    Export(export::Args),
    /// Write a blank import template for one ledger kind.
    Template(template::Args),
    /// Render the annual duty report of one year.
    Report(report::Args),
    /// Turn a model essay with `X` placeholders into a report template.
    Scaffold(scaffold::Args),
    /// Run the rule checks (三会一课 and the rest) for one year.
    Check(check::Args),
    /// Bind a year's ledgers of a branch or the park into one 台账汇编 (DOCX or PDF).
    Compile(compile::Args),
    /// The audit log: `audit verify` checks its chain, `audit export` archives it.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Manage accounts: add, passwd, lock, unlock.
    #[command(subcommand)]
    User(user::Command),
    /// The key files outside the database: `key init` makes them, `key rotate` changes the
    /// personal data key and re-encrypts.
    #[command(subcommand)]
    Key(key::Command),
    /// Write a consistent copy of the database while it keeps working (`--verify` checks it).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new, empty database.
    Restore(backup::RestoreArgs),
}

/// Runs the parsed command line on a multi-threaded runtime of its own, to the end. The binary
/// calls this rather than [`run`] so that the command's whole async state machine is compiled
/// once, here, and not again into each program that polls it.
pub fn run_to_end(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("无法启动运行时：{e}"))?;
    runtime.block_on(run(cli))
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // The flag and the variable both arrive through clap; the config file sits below them.
    let config = Config::load(
        cli.config.as_deref(),
        |k| std::env::var(k).ok(),
        cli.database_url.clone(),
    )?;
    match cli.command {
        Command::Serve(args) => serve::run(config, args).await,
        Command::Demo(args) => demo::run(config, args).await,
        Command::Init(args) => init::run(config, cli.park.as_deref(), args).await,
        Command::Migrate => migrate::run(config).await,
        Command::Import(args) => import::run(config, cli.park.as_deref(), args).await,
        Command::Export(args) => export::run(config, cli.park.as_deref(), args).await,
        Command::Template(args) => template::run(config, cli.park.as_deref(), args).await,
        Command::Report(args) => report::run(config, cli.park.as_deref(), args).await,
        Command::Scaffold(args) => scaffold::run(config, cli.park.as_deref(), args).await,
        Command::Check(args) => check::run(config, cli.park.as_deref(), args).await,
        Command::Compile(args) => compile::run(config, cli.park.as_deref(), args).await,
        Command::Audit(cmd) => audit::run(config, cli.park.as_deref(), cmd).await,
        Command::User(cmd) => user::run(config, cli.park.as_deref(), cmd).await,
        Command::Key(cmd) => key::run(config, cmd).await,
        Command::Backup(args) => backup::backup(config, args).await,
        Command::Restore(args) => backup::restore(config, args).await,
    }
}

/// Opens the database and brings its schema up to date. `create` allows a missing SQLite file
/// to be made: only the commands that start a park ask for it.
pub(crate) async fn open(config: &Config, create: bool) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, create).await?;
    db.migrate().await?;
    // The keys are checked before anything is written: the data keys first (registering them
    // is a write only for a database that names none), then the audit key (which may seal an
    // old chain); then plaintext from before encryption is sealed: people, enterprises and
    // the accounts' TOTP secrets.
    crate::crypto::install_for(&db, &config.data_key_path(), now()).await?;
    crate::audit::key::install_for(&db, &config.audit_key_path(), now()).await?;
    crate::org::sealed::reseal(&db, crate::crypto::Which::Plaintext).await?;
    crate::auth::sealed::reseal(&db, crate::crypto::Which::Plaintext).await?;
    // Built-in fields added since a park's catalogue was made reach its stored copy.
    crate::ledger::upgrade::upgrade(&db, now()).await?;
    Ok(db)
}

/// Picks the park the command works on: the one named, or the only one there is.
pub(crate) async fn pick_park(db: &Db, name: Option<&str>) -> anyhow::Result<org_queries::Park> {
    let parks = org_queries::parks(db).await?;
    match name {
        Some(n) => parks.into_iter().find(|p| p.name == n).ok_or_else(|| {
            anyhow::anyhow!("找不到园区“{n}”。可用 taizhang init --park 名称 新建园区")
        }),
        None => match parks.len() {
            0 => anyhow::bail!(
                "数据库中还没有园区：请先运行 taizhang init --park 园区名称（或 taizhang demo）"
            ),
            1 => Ok(parks.into_iter().next().expect("one park")),
            _ => anyhow::bail!(
                "数据库中有多个园区（{}），请用 --park 指定",
                parks
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        },
    }
}

/// The command line's "now": it acts at the moment it is run.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the command line acts at the moment it is run"
    )]
    chrono::Utc::now()
}

/// The password for a new administrator: TAIZHANG_ADMIN_PASSWORD when set, else a generated one
/// that the caller prints once.
pub(crate) fn admin_password() -> (String, bool) {
    match std::env::var("TAIZHANG_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (crate::auth::password::generate(), true),
    }
}

/// The second factor's secret of the demo park's three admin duties: TAIZHANG_DEMO_TOTP_SECRET
/// (base32) when set, else a generated one; printed with the demo's logins.
pub(crate) fn demo_totp_secret() -> String {
    match std::env::var("TAIZHANG_DEMO_TOTP_SECRET") {
        Ok(s) if !s.trim().is_empty() => s.trim().to_uppercase(),
        _ => crate::auth::totp::generate_secret(),
    }
}

/// What the command line says of the demo's admin duties and their second factor.
pub(crate) fn print_demo_totp(secret: &str) {
    println!(
        "三员演示账号（admin、secadmin、auditor）须两步验证：把密钥 {secret} 添加到手机验证器应用（TOTP，30 秒，6 位），登录时输入应用显示的数字。此密钥仅供演示园区使用"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
