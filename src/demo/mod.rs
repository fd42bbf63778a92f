//! The demo park: a deterministic fictional park with three years of records in every kind.
//!
//! Everything is planned and validated before anything is written: the organisation goes through
//! the roster validators and every record through the one record validator, with unit and
//! enterprise names resolved against the plan. Only then is the park created, and the rest is
//! written in one transaction: the organisation, the demo accounts, the records (in bulk) and a
//! single audit entry for the whole generation. The same seed gives the same park; nothing here
//! reads the clock, `now` only stamps what is written.

mod affairs;
mod meetings;
mod names;
mod org;
mod policies;
mod recognition;
mod records;
mod requests;
mod roster;
mod tasks;
mod work;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::audit::{self, Actor, Change};
use crate::auth::operator::{insert_user, prepare_user};
use crate::auth::{NewUser, Role};
use crate::db::Db;
use crate::error::AppError;
use crate::ledger::catalogue::Catalogue;
use crate::ledger::record::Names;
use crate::requests::settings::Duty;

pub use names::PARK_NAME;

#[derive(Clone, Debug)]
pub struct Options {
    /// The last of the three years.
    pub year: i32,
    pub seed: u64,
    /// Multiplies the number of records.
    pub scale: u32,
    /// The password of every demo account.
    pub password: String,
    /// The last day the park has lived: nothing later is recorded, a task falling due later is
    /// still under way. `None`: the three years are complete.
    pub until: Option<chrono::NaiveDate>,
    /// The second factor's secret (base32) of the three admin duties' accounts, which must have
    /// one: printed by the command line with the password. None: they enrol at first sign-in.
    pub totp_secret: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            year: 2024,
            seed: 1,
            scale: 1,
            password: String::new(),
            until: None,
            totp_secret: None,
        }
    }
}

/// What was built, for the command line to print.
#[derive(Clone, Debug)]
pub struct Summary {
    pub park_id: i64,
    pub park_name: String,
    pub records: u64,
    /// Login and role label of each demo account.
    pub logins: Vec<(String, String)>,
}

/// The largest scale accepted: about three million records.
const MAX_SCALE: u32 = 1_000;

/// Builds the demo park into `db`. Refuses when the database already holds it.
pub async fn build(db: &Db, options: &Options, now: DateTime<Utc>) -> Result<Summary, AppError> {
    let year = options.year;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::BadRequest(format!(
            "演示年份应在 2000 至 2100 之间，收到的是 {year}"
        )));
    }
    if !(1..=MAX_SCALE).contains(&options.scale) {
        return Err(AppError::BadRequest(format!(
            "规模倍数（--scale）应在 1 至 {MAX_SCALE} 之间，收到的是 {}",
            options.scale
        )));
    }
    if crate::org::queries::parks(db)
        .await?
        .iter()
        .any(|p| p.name == PARK_NAME)
    {
        return Err(already_built());
    }

    let mut rng = StdRng::seed_from_u64(options.seed);
    let org = org::plan(&mut rng, year)?;
    let mut drafts = records::draft(&org, &mut rng, year, options.scale, options.until);
    if let Some(until) = options.until {
        drafts.retain(|d| d.date <= until);
    }
    // Names resolve to plan indices for now; they become database ids once the rosters exist.
    let planned = Names {
        units: org
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.unit.name.clone(), i as i64))
            .collect(),
        enterprises: org
            .enterprises
            .iter()
            .enumerate()
            .map(|(i, e)| (e.enterprise.name.clone(), i as i64))
            .collect(),
        people: Default::default(),
        roster: org::member_roster(&org),
    };
    let rows = records::validate(&drafts, &Catalogue::default_catalogue(), &planned)?;
    drop(drafts);
    // The drafted problems and suggestions become requests, not ledger records.
    let (mut carried, mut rows): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| requests::CARRIED_KINDS.contains(&r.kind.as_str()));
    let counts = records::count_by_kind(&rows);

    let park_id =
        match crate::org::park::create(db, PARK_NAME, "admin", &options.password, now).await {
            Ok(id) => id,
            // Another process built it between the check above and now.
            Err(AppError::Invalid(e)) if e.iter().any(|e| e.message.contains("已存在")) => {
                return Err(already_built())
            }
            Err(e) => return Err(e),
        };
    let mut tx = db.begin().await?;
    let ids = org::insert(&mut tx, park_id, &org, now).await?;
    for r in rows.iter_mut().chain(carried.iter_mut()) {
        r.unit_id = r.unit_id.map(|i| ids.units[i as usize]);
        r.enterprise_id = r.enterprise_id.map(|i| ids.enterprises[i as usize]);
    }

    let accounts = accounts(&org, &ids, &options.password);
    let mut logins = vec![("admin".to_string(), Role::SysAdmin.label().to_string())];
    let mut admin_duties =
        match crate::auth::operator::find_by_login(db, park_id, "admin", now).await? {
            Some(admin) => vec![admin.id],
            None => Vec::new(),
        };
    // Hashing is slow on purpose; the accounts are hashed side by side, then inserted in order.
    let mut staff_user = 0;
    let mut leader_user = None;
    let mut qiye_user = (0, String::new());
    let hashing: Vec<_> = accounts
        .into_iter()
        .map(|a| tokio::spawn(prepare_user(a, crate::auth::password::Profile::default())))
        .collect();
    for task in hashing {
        let prepared = task
            .await
            .map_err(|e| AppError::BadRequest(format!("演示账号生成失败：{e}")))??;
        let user = insert_user(&mut tx, park_id, &Actor::system(), prepared, now).await?;
        if user.role == Role::ServiceStaff {
            staff_user = user.id;
        }
        if user.role == Role::Leader {
            leader_user = Some(user.id);
        }
        if user.role == Role::Enterprise {
            qiye_user = (user.id, user.login.clone());
        }
        if user.role.is_admin_duty() {
            admin_duties.push(user.id);
        }
        logins.push((user.login, user.role_label.to_string()));
    }

    let written = crate::ledger::bulk::insert_records(&mut tx, park_id, &rows, None, now).await?;
    let tasks = tasks::insert(&mut tx, park_id, &org, &ids, year, options.until, now).await?;
    let end = options
        .until
        .or_else(|| chrono::NaiveDate::from_ymd_opt(year, 12, 31))
        .unwrap_or_default();
    let requests = requests::insert(
        &mut tx,
        park_id,
        &carried,
        end,
        ids.enterprises.first().copied().unwrap_or_default(),
        staff_user,
    )
    .await?;
    // `xiaoer` is the 企业服务组's 组长 on the roster, and the park's leader leads the team.
    let group = org::SERVICE_GROUPS[2];
    let places = std::iter::once((staff_user, group, Duty::GroupLeader))
        .chain(leader_user.map(|u| (u, "", Duty::TeamLeader)));
    for (user, group, duty) in places {
        crate::requests::settings::insert_place(&mut tx, park_id, user, group, duty).await?;
    }
    let pushes = policies::insert(
        &mut tx,
        park_id,
        year,
        end,
        ids.enterprises.first().copied().unwrap_or_default(),
        (qiye_user.0, &qiye_user.1),
    )
    .await?;
    let after = serde_json::json!({
        "seed": options.seed,
        "year": year,
        "scale": options.scale,
        "units": ids.units.len(),
        "enterprises": ids.enterprises.len(),
        "people": ids.people.len(),
        "records": counts,
        "tasks": tasks,
        "requests": requests,
        "policy_pushes": pushes,
    });
    let change = Change {
        action: "demo",
        entity: "park",
        entity_id: Some(park_id),
        before: None,
        after: Some(after),
    };
    audit::record(&mut tx, park_id, &Actor::system(), now, change).await?;
    tx.commit().await?;
    if let Some(secret) = &options.totp_secret {
        for id in admin_duties {
            crate::auth::operator::enrol_totp(db, park_id, &Actor::system(), id, secret, now)
                .await?;
        }
    }
    Ok(Summary {
        park_id,
        park_name: PARK_NAME.to_string(),
        records: written,
        logins,
    })
}

fn already_built() -> AppError {
    AppError::BadRequest(format!(
        "演示园区“{PARK_NAME}”已存在：这个数据库已经生成过演示数据。如需重新生成，请使用一个新的数据库"
    ))
}

/// The demo accounts after `admin`, in the order they are listed: the two other admin duties,
/// then one account for each working role, each tied to the roster entry it acts for.
fn accounts(o: &org::Org, ids: &org::Ids, password: &str) -> Vec<NewUser> {
    let branch = &o.branches[0];
    let office = o.department_heads[1];
    let leader = o.leaders[0];
    let staff = o.service_staff[2];
    let enterprise = &o.enterprises[0].enterprise;
    let account = |login: &str, name: &str, role: Role| NewUser {
        login: login.to_string(),
        display_name: Some(name.to_string()),
        password: password.to_string(),
        role,
        unit_id: None,
        enterprise_id: None,
        person_id: None,
    };
    vec![
        account("secadmin", "安全管理员", Role::SecAdmin),
        account("auditor", "审计管理员", Role::AuditAdmin),
        NewUser {
            person_id: Some(ids.people[office]),
            ..account("office", o.person_name(office), Role::Office)
        },
        NewUser {
            unit_id: Some(ids.units[branch.unit]),
            person_id: Some(ids.people[branch.secretary()]),
            ..account(
                "secretary",
                o.person_name(branch.secretary()),
                Role::BranchSecretary,
            )
        },
        NewUser {
            person_id: Some(ids.people[leader]),
            ..account("leader", o.person_name(leader), Role::Leader)
        },
        NewUser {
            unit_id: Some(ids.units[o.service_groups[2]]),
            person_id: Some(ids.people[staff]),
            ..account("xiaoer", o.person_name(staff), Role::ServiceStaff)
        },
        NewUser {
            enterprise_id: Some(ids.enterprises[0]),
            ..account(
                "qiye",
                enterprise.contact.as_deref().unwrap_or("企业用户"),
                Role::Enterprise,
            )
        },
    ]
}

#[cfg(test)]
pub(crate) mod tests;
