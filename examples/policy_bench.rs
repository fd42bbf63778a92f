//! The timing part of `bench/policies.sh`: in a fresh SQLite database, a park of ENTERPRISES
//! enterprise profiles (industry, scale and qualification tags spread over them), then one new
//! policy for 专精特新 in 制造业 matched against every profile and its pushes queued
//! (`policies::service::push`: read the profiles, match, write one row per enterprise, audit),
//! the way the API's push does. Each run pushes a new policy; the figure is the median after one
//! warm-up. Also the push of a policy without conditions, which reaches every enterprise.
//!
//!   policy_bench [ENTERPRISES] [RUNS]      (default 10000 enterprises, 7 runs)

use std::time::{Duration, Instant};

use chrono::Utc;
use taizhang::auth::{Principal, Role, Scope};
use taizhang::db::Db;
use taizhang::org::queries::{insert_enterprise, Enterprise};
use taizhang::policies::service::{self, PolicyInput, PushInput};

const INDUSTRIES: [&str; 5] = ["制造业", "信息技术", "新材料", "生物医药", "商贸"];
const SCALES: [&str; 3] = ["规上", "规下", "小微"];

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(10_000, |n| n.parse().expect("a count"));
    let runs: usize = args.next().map_or(7, |n| n.parse().expect("runs"));
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/bench.db", dir.display());
    #[expect(
        clippy::disallowed_methods,
        reason = "a benchmark stands outside the park's clock"
    )]
    let now = Utc::now();
    let db = Db::connect(&url, true).await.expect("the database");
    db.migrate().await.expect("migrations");
    taizhang::audit::key::install(taizhang::audit::AuditKey::from_bytes([5; 32]));
    let keys = dir.join("data.key");
    taizhang::crypto::Keyring::of(
        vec![taizhang::crypto::DataKey::from_bytes([9; 16])],
        taizhang::crypto::IndexKey::from_bytes([3; 32]),
    )
    .create(&keys)
    .expect("key file");
    taizhang::crypto::install_for(&db, &keys, now)
        .await
        .expect("data keys");
    let park_id = taizhang::org::park::create(&db, "基准园区", "admin", "Bench-pass-1", now)
        .await
        .expect("park");
    let start = Instant::now();
    let mut tx = db.begin().await.expect("a transaction");
    for i in 0..count {
        let mut tags = Vec::new();
        if i % 7 == 0 {
            tags.push("专精特新");
        }
        if i % 5 == 0 {
            tags.push("高新技术企业");
        }
        if i % 3 == 0 {
            tags.push("科技型中小企业");
        }
        let e = Enterprise {
            id: 0,
            name: format!("基准企业{i:05}有限公司"),
            credit_code: None,
            scale: Some(SCALES[i % SCALES.len()].to_string()),
            industry: Some(INDUSTRIES[i % INDUSTRIES.len()].to_string()),
            address: None,
            contact: None,
            contact_phone: None,
            leader_name: None,
            leader_person_id: None,
            tags: tags.join(","),
        };
        insert_enterprise(&mut tx, park_id, &e, now)
            .await
            .expect("an enterprise");
    }
    tx.commit().await.expect("commit");
    println!(
        "{count} enterprise profiles written in {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let office = Principal {
        park_id,
        user_id: 1,
        login: "bench".into(),
        display_name: "基准".into(),
        role: Role::Office,
        unit_id: None,
        enterprise_id: None,
        person_id: None,
        scope: Scope::Park,
        password_change_due: false,
        totp_enrolment_due: false,
        second_factor_due: false,
    };
    for (label, tags, industries) in [
        (
            "专精特新 in 制造业",
            vec!["专精特新".to_string()],
            vec!["制造业".to_string()],
        ),
        ("no conditions (every enterprise)", Vec::new(), Vec::new()),
    ] {
        let mut times = Vec::with_capacity(runs);
        let mut reached = 0;
        for run in 0..=runs {
            let input = PolicyInput {
                title: format!("基准政策 {label} {run}"),
                level: "市".into(),
                issuer: "市工信局".into(),
                issued_on: Some(now.date_naive()),
                summary: "基准".into(),
                tags: tags.clone(),
                industries: industries.clone(),
                ..PolicyInput::default()
            };
            let policy = service::create(&db, &office, input, now)
                .await
                .expect("a policy");
            let start = Instant::now();
            let outcome = service::push(&db, &office, policy.policy.id, PushInput::default(), now)
                .await
                .expect("a push");
            if run > 0 {
                times.push(start.elapsed());
            }
            reached = outcome.pushed;
        }
        println!(
            "match one new policy ({label}) against {count} profiles and queue its pushes: \
             median {:.1} ms over {runs} runs, {reached} pushes each",
            median(times)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh folder under the system's temporary one.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("policy_bench_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}
