//! `taizhang serve [--addr 127.0.0.1:8080] [--demo]`: the web UI and the JSON API.

use crate::app::{router, state};
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long)]
    pub addr: Option<String>,
    /// Fill an empty database with the demo park first.
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(mut config: Config, args: Args) -> anyhow::Result<()> {
    if let Some(addr) = args.addr {
        config.addr = addr;
    }
    let db = super::open(&config, true).await?;
    let mut logins = Vec::new();
    if args.demo {
        if crate::org::queries::parks(&db).await?.is_empty() {
            let (password, generated) = super::admin_password();
            println!("正在生成演示园区……");
            // A living park: its three years end with this one, kept up to today.
            let today = crate::calendar::today(super::now());
            let totp_secret = super::demo_totp_secret();
            let summary = crate::demo::build(
                &db,
                &crate::demo::Options {
                    password: password.clone(),
                    year: chrono::Datelike::year(&today),
                    until: Some(today),
                    totp_secret: Some(totp_secret.clone()),
                    ..crate::demo::Options::default()
                },
                super::now(),
            )
            .await?;
            println!(
                "已生成演示园区“{}”：{} 条台账记录",
                summary.park_name, summary.records
            );
            logins = summary.logins;
            if !generated {
                println!("演示账号密码：取自环境变量 TAIZHANG_ADMIN_PASSWORD");
            } else {
                println!("演示账号密码（所有演示账号相同，仅显示这一次）：{password}");
            }
            super::print_demo_totp(&totp_secret);
        } else {
            println!("数据库中已有园区，--demo 不再生成演示数据");
        }
    }
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听地址 {}：{e}", config.addr))?;
    let local = listener.local_addr()?;
    println!("taizhang 已启动：http://{local}/");
    println!("接口文档：http://{local}/api/v1/openapi.json");
    if !logins.is_empty() {
        println!("演示账号（日常台账工作请用 office 登录）：");
    }
    for (login, role) in &logins {
        println!("  登录名 {login}（{role}）");
    }
    if let Some(schedule) = config.backup.clone() {
        println!(
            "定时备份：每 {} 小时一份，存于 {}，保留最近 {} 份",
            schedule.every.as_secs() / 3600,
            schedule.dir.display(),
            schedule.keep
        );
        tokio::spawn(super::backup::scheduled(
            config.clone(),
            db.clone(),
            schedule,
        ));
    }
    // The deadline scan and the robots' delivery, beside the requests and never inside them.
    crate::notify::outbox::spawn(db.clone(), super::now, config.robot_hosts.clone())?;
    let app = router(state(db, config));
    // The peer's address tells a trusted proxy's X-Forwarded-Proto from anyone else's.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
