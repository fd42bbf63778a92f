//! `taizhang demo [--year 2024] [--seed N] [--scale K]`: a fictional park with three years of records.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The last of the three years.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Seed of the generator: the same seed gives the same park.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiplies the number of records (for benchmarks).
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    let db = super::open(&config, true).await?;
    let (password, generated) = super::admin_password();
    let options = crate::demo::Options {
        year: args.year,
        seed: args.seed,
        scale: args.scale.max(1),
        password: password.clone(),
        until: None,
        totp_secret: Some(super::demo_totp_secret()),
    };
    let started = std::time::Instant::now();
    let summary = crate::demo::build(&db, &options, super::now()).await?;
    println!(
        "已生成演示园区“{}”：{} 条台账记录，用时 {:.1} 秒",
        summary.park_name,
        summary.records,
        started.elapsed().as_secs_f64()
    );
    for (login, role) in &summary.logins {
        println!("  登录名 {login}（{role}）");
    }
    if generated {
        println!("演示账号密码（所有演示账号相同，仅显示这一次）：{password}");
    }
    if let Some(secret) = &options.totp_secret {
        super::print_demo_totp(secret);
    }
    db.close().await;
    Ok(())
}
