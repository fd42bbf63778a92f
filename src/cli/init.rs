//! `taizhang --park NAME init [--admin LOGIN]` (the global `--park` names the new park): a new empty park and its first administrator.

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Login of the first administrator (系统管理员).
    #[arg(long, default_value = "admin")]
    pub admin: String,
}

pub async fn run(config: Config, park: Option<&str>, args: Args) -> anyhow::Result<()> {
    let Some(name) = park.map(str::trim).filter(|n| !n.is_empty()) else {
        anyhow::bail!("请用 --park 指定新园区的名称，例如 taizhang init --park 示例经济开发区");
    };
    let db = super::open(&config, true).await?;
    let (password, generated) = super::admin_password();
    let park = crate::org::park::create(&db, name, &args.admin, &password, super::now()).await?;
    println!("已创建园区“{name}”（编号 {park}）");
    println!("系统管理员登录名：{}", args.admin);
    if generated {
        println!("初始密码（仅显示这一次，请妥善保管）：{password}");
    } else {
        println!("初始密码：取自环境变量 TAIZHANG_ADMIN_PASSWORD");
    }
    db.close().await;
    Ok(())
}
