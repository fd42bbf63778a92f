//! The data of `bench/requests.sh`: on a database the demo built, adds enterprise requests
//! spread over the park's enterprises and the demo's three years, in every status, and one
//! enterprise account for each of the first enterprises (`qiye001`, `qiye002` …, with the
//! demo's password), adding enterprises when the demo has fewer than the accounts asked. Prints
//! the logins, one a line, for the load script.
//!
//!   requests_bench_data DATABASE_URL PASSWORD [REQUESTS] [ACCOUNTS]

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};

use taizhang::audit::Actor;
use taizhang::auth::operator::{insert_user, prepare_user};
use taizhang::auth::{NewUser, Role};
use taizhang::db::Db;
use taizhang::requests::queries::{self, NewRequest};
use taizhang::requests::{deadlines, group_of, Limits, CATEGORIES, STATUSES};
use taizhang::workdays::Workdays;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: requests_bench_data DATABASE_URL PASSWORD [REQUESTS] [ACCOUNTS]";
    let url = args.next().expect(usage);
    let password = args.next().expect(usage);
    let requests: usize = args.next().map_or(100_000, |n| n.parse().expect(usage));
    let accounts: usize = args.next().map_or(100, |n| n.parse().expect(usage));
    let db = Db::connect(&url, false).await.expect("the database");
    // The key files the demo wrote (the data folder, as the command line finds it): accounts
    // and requests are audited, and the audit log is keyed.
    let config = taizhang::config::Config::load(None, |k| std::env::var(k).ok(), Some(url.clone()))
        .expect("the configuration");
    #[expect(
        clippy::disallowed_methods,
        reason = "the benchmark's data is made at the moment it is run"
    )]
    let now = Utc::now();
    taizhang::crypto::install_for(&db, &config.data_key_path(), now)
        .await
        .expect("the data key file");
    taizhang::audit::key::install_for(&db, &config.audit_key_path(), now)
        .await
        .expect("the audit key file");
    let park = taizhang::org::queries::parks(&db)
        .await
        .expect("parks")
        .into_iter()
        .next()
        .expect("a park: run taizhang demo first");
    // Their ids only: the rest (contact phones) is sealed under the park's data key.
    let sql = "SELECT id FROM enterprises WHERE park_id = $1 ORDER BY id";
    let mut enterprises: Vec<i64> = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).bind(park.id).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).bind(park.id).fetch_all(pool).await,
    }
    .expect("enterprises");
    // The demo has fewer enterprises than the accounts a load may ask for: the rest are added.
    if enterprises.len() < accounts {
        let mut tx = db.begin().await.expect("a transaction");
        for n in enterprises.len()..accounts {
            let e = taizhang::org::queries::Enterprise {
                id: 0,
                name: format!("压测企业{:03}有限公司", n + 1),
                credit_code: None,
                scale: Some("小型".to_string()),
                industry: Some("制造业".to_string()),
                address: None,
                contact: None,
                contact_phone: None,
                leader_name: None,
                leader_person_id: None,
                tags: String::new(),
            };
            let id = taizhang::org::queries::insert_enterprise(&mut tx, park.id, &e, now)
                .await
                .expect("insert an enterprise");
            enterprises.push(id);
        }
        tx.commit().await.expect("commit");
    }
    let last_year: i32 = {
        let on: Option<NaiveDate> = match &db {
            Db::Sqlite(pool) => sqlx::query_scalar("SELECT MAX(registered_on) FROM requests")
                .fetch_one(pool)
                .await
                .expect("the latest request"),
            Db::Postgres(pool) => sqlx::query_scalar("SELECT MAX(registered_on) FROM requests")
                .fetch_one(pool)
                .await
                .expect("the latest request"),
        };
        on.expect("the demo's requests").year()
    };

    // One account per enterprise, hashed side by side as the demo does.
    let hashing: Vec<_> = (0..accounts)
        .map(|i| {
            let new = NewUser {
                login: format!("qiye{:03}", i + 1),
                display_name: Some(format!("压测企业用户{}", i + 1)),
                password: password.clone(),
                role: Role::Enterprise,
                unit_id: None,
                enterprise_id: Some(enterprises[i]),
                person_id: None,
            };
            tokio::spawn(prepare_user(
                new,
                taizhang::auth::password::Profile::default(),
            ))
        })
        .collect();
    let mut tx = db.begin().await.expect("a transaction");
    for task in hashing {
        let prepared = task.await.expect("hashing").expect("an account");
        let user = insert_user(&mut tx, park.id, &Actor::system(), prepared, now)
            .await
            .expect("insert the account");
        println!("{}", user.login);
    }

    let calendar = Workdays::official();
    let statuses: Vec<&str> = STATUSES.iter().map(|s| s.as_str()).collect();
    let mut ids = Vec::with_capacity(requests);
    for i in 0..requests {
        let year = last_year - 2 + (i % 3) as i32;
        let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
        let mut registered = first + Duration::days(((i / 3) * 7 % 360) as i64);
        while !calendar.is_workday(registered) {
            registered += Duration::days(1);
        }
        let (category, _) = CATEGORIES[i % CATEGORIES.len()];
        // Most requests go to the enterprises with accounts, so each portal list is long.
        let enterprise = if i % 4 == 0 {
            enterprises[i % enterprises.len()]
        } else {
            enterprises[i % accounts]
        };
        let new = NewRequest {
            enterprise_id: Some(enterprise),
            nature: taizhang::requests::PROBLEM,
            category,
            team_group: group_of(category).unwrap_or("综合协调组"),
            title: "压测诉求",
            description: "基准测试生成的企业诉求。",
            contact_name: "",
            channel: ["portal", "phone", "visit", "forum"][i % 4],
            received_on: registered,
            registered_on: registered,
            due: deadlines(&calendar, registered, Limits::default(), false),
            created_by: 0,
            source: None,
        };
        let at = Utc.from_utc_datetime(&registered.and_hms_opt(4, 0, 0).expect("noon"));
        let id = queries::insert(&mut tx, park.id, &new, at)
            .await
            .expect("insert a request");
        ids.push((id, statuses[i % statuses.len()]));
    }
    tx.commit().await.expect("commit");
    // Spread over every status, so the queue's open filter and the lists see a real mix.
    for status in &statuses[1..] {
        let picked: Vec<i64> = ids
            .iter()
            .filter(|(_, s)| s == status)
            .map(|(id, _)| *id)
            .collect();
        for chunk in picked.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("UPDATE requests SET status = '{status}' WHERE id IN ({list})");
            match &db {
                Db::Sqlite(pool) => sqlx::query(&sql).execute(pool).await.map(|_| ()),
                Db::Postgres(pool) => sqlx::query(&sql).execute(pool).await.map(|_| ()),
            }
            .expect("set the statuses");
        }
    }
    eprintln!(
        "added {requests} requests ({}–{last_year}) and {accounts} enterprise accounts",
        last_year - 2
    );
}
