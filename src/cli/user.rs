//! `taizhang user add|passwd|lock|unlock|totp-reset`: accounts from the command line, acting as the operator.

use clap::Subcommand;

use crate::audit::Actor;
use crate::auth::{NewUser, Role};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an account. The password is read from TAIZHANG_USER_PASSWORD, or generated and printed once.
    Add {
        login: String,
        /// Role: sys_admin, sec_admin, audit_admin, office, branch_secretary, leader,
        /// service_staff, enterprise (or the Chinese name, e.g. 党建办).
        #[arg(long)]
        role: String,
        /// Display name; defaults to the login.
        #[arg(long)]
        name: Option<String>,
        /// The unit a 支部书记 keeps (its name).
        #[arg(long)]
        unit: Option<String>,
        /// The enterprise of an 企业用户 (its name).
        #[arg(long)]
        enterprise: Option<String>,
    },
    /// Set a new password (read from TAIZHANG_USER_PASSWORD, or generated and printed once).
    Passwd { login: String },
    /// Lock an account and end its sessions.
    Lock { login: String },
    /// Unlock an account (also clears a lock-out after failed logins).
    Unlock { login: String },
    /// Remove an account's second factor (两步验证) and recovery codes, and end its sessions: for a
    /// lost phone. A 三员 account enrols a new one at its next sign-in.
    TotpReset { login: String },
    /// List the accounts.
    List,
}

fn password_from_env() -> (String, bool) {
    match std::env::var("TAIZHANG_USER_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (crate::auth::password::generate(), true),
    }
}

pub async fn run(config: Config, park: Option<&str>, cmd: Command) -> anyhow::Result<()> {
    let db = super::open(&config, false).await?;
    let park = super::pick_park(&db, park).await?;
    let now = super::now();
    let actor = Actor::system();
    let find = |login: String| {
        let db = db.clone();
        async move {
            let users = crate::auth::operator::find_by_login(&db, park.id, &login, now).await?;
            users.ok_or_else(|| anyhow::anyhow!("园区“{}”中没有登录名为“{login}”的账号", park.name))
        }
    };
    match cmd {
        Command::Add {
            login,
            role,
            name,
            unit,
            enterprise,
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!(
                    "未知角色“{role}”；可用：{}",
                    crate::auth::ALL_ROLES
                        .iter()
                        .map(|r| format!("{}（{}）", r.as_str(), r.label()))
                        .collect::<Vec<_>>()
                        .join("、")
                )
            })?;
            let unit_id = match unit {
                Some(u) => Some(crate::org::park::unit_id_by_name(&db, park.id, &u).await?),
                None => None,
            };
            let enterprise_id = match enterprise {
                Some(e) => Some(crate::org::park::enterprise_id_by_name(&db, park.id, &e).await?),
                None => None,
            };
            let (password, generated) = password_from_env();
            let user = crate::auth::operator::create_user(
                &db,
                park.id,
                &actor,
                NewUser {
                    login,
                    display_name: name,
                    password: password.clone(),
                    role,
                    unit_id,
                    enterprise_id,
                    person_id: None,
                },
                now,
            )
            .await?;
            println!("已添加账号 {}（{}）", user.login, user.role_label);
            if user.must_change_password {
                println!("账号本人首次登录时须先修改密码");
            }
            if generated {
                println!("初始密码（仅显示这一次）：{password}");
            }
        }
        Command::Passwd { login } => {
            let user = find(login).await?;
            let (password, generated) = password_from_env();
            crate::auth::operator::set_password(
                &db,
                park.id,
                &actor,
                &user,
                &password,
                crate::auth::operator::SetBy::Another,
                now,
            )
            .await?;
            println!("已为 {} 设置新密码，原有登录已全部失效", user.login);
            if !user.role.is_admin_duty() {
                println!("账号本人下次登录时须先修改密码");
            }
            if generated {
                println!("新密码（仅显示这一次）：{password}");
            }
        }
        Command::Lock { login } => {
            let user = find(login).await?;
            crate::auth::operator::set_locked(&db, park.id, &actor, user.id, true, now).await?;
            println!("已锁定账号 {}", user.login);
        }
        Command::Unlock { login } => {
            let user = find(login).await?;
            crate::auth::operator::set_locked(&db, park.id, &actor, user.id, false, now).await?;
            println!("已解锁账号 {}", user.login);
        }
        Command::TotpReset { login } => {
            let user = find(login).await?;
            crate::auth::operator::reset_totp(&db, park.id, &actor, user.id, now).await?;
            println!("已重置 {} 的两步验证，原有登录已全部失效", user.login);
            if user.role.is_admin_duty() {
                println!("三员账号下次登录后须先重新绑定验证器应用");
            } else {
                println!("账号本人可在“两步验证”页重新绑定");
            }
        }
        Command::List => {
            for u in crate::auth::operator::all_users(&db, park.id, now).await? {
                let state = if u.disabled {
                    "已停用"
                } else if u.locked {
                    "已锁定"
                } else {
                    "正常"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    u.login, u.display_name, u.role_label, state
                );
            }
        }
    }
    db.close().await;
    Ok(())
}
