//! `TestApp`: a fresh database per test (a temp SQLite file, or a fresh PostgreSQL database when
//! `TAIZHANG_TEST_PG_URL` is set), a park with a small organisation and one account per role,
//! and the router driven in-process.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use taizhang::config::Config;
use taizhang::db::Db;
use taizhang::web::{AppState, Clock};
use tower::ServiceExt;

pub const PASSWORD: &str = "Passw0rd-test";

/// The password an administrator gives a new account; its owner replaces it with [`PASSWORD`]
/// at the first sign-in, as the product asks.
pub const INITIAL_PASSWORD: &str = "Initial-Passw0rd-9";

/// The second factor's secret (base32) of the three admin duties' accounts the tests make, as
/// `serve --demo` gives its admin duties one: they must have a second factor.
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The code an authenticator app shows for [`TOTP_SECRET`] at the tests' fixed instant.
pub fn totp_code() -> String {
    taizhang::auth::totp::current_code(TOTP_SECRET, now())
}

/// One fixed instant for every test: 2025-06-15 10:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 15, 10, 0, 0)
        .single()
        .expect("valid instant")
}

/// A year the product knows, for the services that take one.
pub fn year_of(y: i32) -> taizhang::calendar::Year {
    taizhang::calendar::Year::new(y).expect("a year within 1900..=2100")
}

pub struct TestApp {
    pub db: Db,
    pub state: AppState,
    pub park_id: i64,
    pub units: Units,
    pub enterprises: (i64, i64),
    _dir: tempfile::TempDir,
    pg_name: Option<(String, String)>,
}

/// Ids of the fixture organisation.
#[derive(Clone, Copy, Debug)]
pub struct Units {
    pub committee: i64,
    pub branch_a: i64,
    pub group_a1: i64,
    pub branch_b: i64,
    pub service_team: i64,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The audit key of the test process.
const TEST_KEY: [u8; 32] = [7; 32];

/// The personal data keys every test database starts with.
pub fn test_keyring() -> taizhang::crypto::Keyring {
    use taizhang::crypto::{DataKey, IndexKey, Keyring};
    Keyring::of(
        vec![DataKey::from_bytes([11; 16])],
        IndexKey::from_bytes([13; 32]),
    )
}

impl TestApp {
    /// A fresh database with an empty park (its administrator `admin`) and nothing else.
    pub async fn empty() -> TestApp {
        let mut app = TestApp::fresh().await;
        app.park_id = taizhang::org::park::create(&app.db, "测试园区", "admin", PASSWORD, now())
            .await
            .expect("park");
        app.enrol_totp("admin").await;
        app
    }

    /// Gives the account `login` the second factor [`TOTP_SECRET`], as the server operator can.
    pub async fn enrol_totp(&self, login: &str) {
        let user = taizhang::auth::operator::find_by_login(&self.db, self.park_id, login, now())
            .await
            .expect("lookup")
            .expect("the account");
        taizhang::auth::operator::enrol_totp(
            &self.db,
            self.park_id,
            &taizhang::audit::Actor::system(),
            user.id,
            TOTP_SECRET,
            now(),
        )
        .await
        .expect("second factor");
    }

    /// Forgets which time step of `login`'s second factor was last used: the tests' clock stands
    /// still, so without it an account could sign in once only (a code is good once).
    pub async fn forget_spent_code(&self, login: &str) {
        let sql = "UPDATE users SET totp_last_step = NULL WHERE park_id = $1 AND login = $2";
        match &self.db {
            Db::Sqlite(pool) => sqlx::query(sql)
                .bind(self.park_id)
                .bind(login)
                .execute(pool)
                .await
                .map(|_| ()),
            Db::Postgres(pool) => sqlx::query(sql)
                .bind(self.park_id)
                .bind(login)
                .execute(pool)
                .await
                .map(|_| ()),
        }
        .expect("forget the spent code");
    }

    /// A fresh database holding the demo park of the given last year (every account's password
    /// is [`PASSWORD`]), with the logins the demo printed.
    #[allow(dead_code, reason = "the walk's own test binary uses it")]
    pub async fn demo(year: i32) -> (TestApp, Vec<String>) {
        let mut app = TestApp::fresh().await;
        // As `serve --demo` builds it: a park that has lived up to today.
        let options = taizhang::demo::Options {
            year,
            password: PASSWORD.to_string(),
            totp_secret: Some(TOTP_SECRET.to_string()),
            until: Some(taizhang::calendar::today(now())),
            ..Default::default()
        };
        let summary = taizhang::demo::build(&app.db, &options, now())
            .await
            .expect("demo");
        app.park_id = summary.park_id;
        (app, summary.logins.into_iter().map(|(l, _)| l).collect())
    }

    /// A fresh, migrated database with no park yet.
    async fn fresh() -> TestApp {
        // Templates render in a child of the binary, as the server's do.
        taizhang::report::worker::isolate_in(env!("CARGO_BIN_EXE_taizhang").into());
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, pg_name) = match std::env::var("TAIZHANG_TEST_PG_URL") {
            Ok(base) if !base.is_empty() => {
                let name = format!(
                    "tz_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst)
                );
                let admin = Db::connect(&base, false)
                    .await
                    .expect("PostgreSQL reachable");
                if let Db::Postgres(pool) = &admin {
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                        .execute(pool)
                        .await
                        .expect("drop");
                    sqlx::query(&format!("CREATE DATABASE {name}"))
                        .execute(pool)
                        .await
                        .expect("create");
                }
                admin.close().await;
                let url = match base.rsplit_once('/') {
                    Some((server, _)) => format!("{server}/{name}"),
                    None => panic!("TAIZHANG_TEST_PG_URL needs a database path"),
                };
                (url, Some((base, name)))
            }
            _ => (format!("sqlite://{}/test.db", dir.path().display()), None),
        };
        let db = Db::connect(&url, true).await.expect("connect");
        db.migrate().await.expect("migrate");
        // One audit key for the whole test process, as a server has one; its file for the
        // command line run against this database.
        taizhang::audit::key::install(taizhang::audit::AuditKey::from_bytes(TEST_KEY));
        let key_file = dir.path().join("audit.key");
        std::fs::write(&key_file, hex::encode(TEST_KEY)).expect("key file");
        // The personal data keys the same way: one key file per database, the same keys in
        // each (a test that rotates adds its own), registered as the command line does.
        let data_key_file = dir.path().join("data.key");
        test_keyring()
            .create(&data_key_file)
            .expect("data key file");
        taizhang::crypto::install_for(&db, &data_key_file, now())
            .await
            .expect("data keys");
        let config = Config {
            database_url: url,
            data_dir: dir.path().join("data"),
            audit_key_file: Some(key_file),
            data_key_file: Some(data_key_file),
            ..Config::default()
        };
        let mut state = taizhang::app::state(db.clone(), config);
        state.clock = Clock::Fixed(now());
        TestApp {
            db,
            state,
            park_id: 0,
            units: Units {
                committee: 0,
                branch_a: 0,
                group_a1: 0,
                branch_b: 0,
                service_team: 0,
            },
            enterprises: (0, 0),
            _dir: dir,
            pg_name,
        }
    }

    /// A park with a small organisation and one account per role (login = role id).
    pub async fn new() -> TestApp {
        let mut app = TestApp::empty().await;
        let office = app.as_role("office").await;
        let e1 = app
            .post_ok(
                &office,
                "/api/v1/enterprises",
                json!({"name": "甲科技有限公司", "scale": "规上"}),
            )
            .await;
        let e2 = app
            .post_ok(
                &office,
                "/api/v1/enterprises",
                json!({"name": "乙制造有限公司", "scale": "小微"}),
            )
            .await;
        let (e1, e2) = (id(&e1), id(&e2));
        let committee = id(&app
            .post_ok(
                &office,
                "/api/v1/units",
                json!({"name": "园区党工委", "unit_type": "党工委"}),
            )
            .await);
        let branch_a = id(&app
            .post_ok(&office, "/api/v1/units", json!({"name": "甲科技党支部", "unit_type": "党支部", "parent_id": committee, "enterprise_id": e1}))
            .await);
        let group_a1 = id(&app
            .post_ok(
                &office,
                "/api/v1/units",
                json!({"name": "甲科技第一党小组", "unit_type": "党小组", "parent_id": branch_a}),
            )
            .await);
        let branch_b = id(&app
            .post_ok(&office, "/api/v1/units", json!({"name": "乙制造党支部", "unit_type": "党支部", "parent_id": committee, "enterprise_id": e2}))
            .await);
        let service_team = id(&app
            .post_ok(&office, "/api/v1/units", json!({"name": "园小二服务团队", "unit_type": "工作组", "parent_id": committee, "is_service_team": true}))
            .await);
        app.units = Units {
            committee,
            branch_a,
            group_a1,
            branch_b,
            service_team,
        };
        app.enterprises = (e1, e2);
        // The other two admin duties are made on the command line only, as a server operator does.
        for role in ["sec_admin", "audit_admin"] {
            app.as_role(role).await;
        }
        let sys = app.login("admin").await;
        let sec = app.login("sec_admin").await;
        for (login, role, unit, ent) in [
            ("branch_secretary", "branch_secretary", Some(branch_a), None),
            ("leader", "leader", None, None),
            ("service_staff", "service_staff", None, None),
            ("enterprise", "enterprise", None, Some(e2)),
        ] {
            // The 系统管理员 makes the account, the 安全管理员 grants its role.
            let scope = json!({"role": role, "unit_id": unit, "enterprise_id": ent});
            let mut new = scope.clone();
            new["login"] = json!(login);
            new["password"] = json!(INITIAL_PASSWORD);
            let user = id(&app.post_ok(&sys, "/api/v1/users", new).await);
            app.grant(&sec, user, scope).await;
            app.first_sign_in(login).await;
        }
        app
    }

    /// Creates an account of an admin duty the way `taizhang user add` does (login = role id).
    pub async fn admin_duty(&self, role: &str) {
        let new = taizhang::auth::NewUser {
            login: role.to_string(),
            display_name: None,
            password: PASSWORD.to_string(),
            role: taizhang::auth::Role::parse(role).expect("a role"),
            unit_id: None,
            enterprise_id: None,
            person_id: None,
        };
        taizhang::auth::operator::create_user(
            &self.db,
            self.park_id,
            &taizhang::audit::Actor::system(),
            new,
            now(),
        )
        .await
        .expect("admin account");
        self.enrol_totp(role).await;
    }

    /// Grants an account the role and scope `scope` holds, as the 安全管理员.
    pub async fn grant(&self, sec: &str, user: i64, scope: Value) {
        let (status, body) = self
            .put(sec, &format!("/api/v1/users/{user}/role"), scope)
            .await;
        assert_eq!(status, StatusCode::OK, "grant: {body}");
    }

    /// The command line against this database, with its audit key.
    pub fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_taizhang"));
        c.arg("--database-url")
            .arg(&self.state.config.database_url)
            .env(
                "TAIZHANG_AUDIT_KEY_FILE",
                self.state.config.audit_key_path(),
            )
            .env("TAIZHANG_DATA_KEY_FILE", self.state.config.data_key_path())
            .env_remove("TAIZHANG_PARK");
        c
    }

    /// Creates (once) and signs in an account of the given role; the login is the role id.
    pub async fn as_role(&self, role: &str) -> String {
        if role == "sys_admin" {
            return self.login("admin").await;
        }
        if matches!(role, "sec_admin" | "audit_admin") {
            let exists =
                taizhang::auth::operator::find_by_login(&self.db, self.park_id, role, now())
                    .await
                    .expect("lookup")
                    .is_some();
            if !exists {
                self.admin_duty(role).await;
            }
            return self.login(role).await;
        }
        let sys = self.login("admin").await;
        let (status, created) = self
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&sys),
                Some(json!({"login": role, "password": INITIAL_PASSWORD, "role": role})),
            )
            .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{status}"
        );
        if status == StatusCode::CREATED {
            let sec = Box::pin(self.as_role("sec_admin")).await;
            self.grant(&sec, id(&created), json!({"role": role})).await;
            self.first_sign_in(role).await;
        }
        self.login(role).await
    }

    /// Puts the park on the length-first password profile, whose passwords never fall due: for
    /// tests that move the clock months ahead and are not about passwords.
    pub async fn passwords_never_expire(&self) {
        let sec = Box::pin(self.as_role("sec_admin")).await;
        let (status, body) = self
            .put(
                &sec,
                "/api/v1/security/password-profile",
                json!({"profile": "length_first"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Signs in with the [`INITIAL_PASSWORD`] an administrator gave and changes it to
    /// [`PASSWORD`], as the owner of a new account must before anything else.
    pub async fn first_sign_in(&self, login: &str) {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(
                    json!({"login": login, "password": INITIAL_PASSWORD, "park_id": self.park_id}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "first sign-in of {login}: {body}");
        assert_eq!(body["password_change_due"], true, "{body}");
        let token = body["token"].as_str().expect("token").to_string();
        let (status, body) = self
            .put(
                &token,
                "/api/v1/me/password",
                json!({"current_password": INITIAL_PASSWORD, "new_password": PASSWORD}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NO_CONTENT,
            "{login} changes the initial password: {body}"
        );
    }

    /// Signs in with [`PASSWORD`] and, for an account with a second factor, the code of
    /// [`TOTP_SECRET`] (ignored by an account without one).
    pub async fn login(&self, login: &str) -> String {
        self.forget_spent_code(login).await;
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/session",
                None,
                Some(
                    json!({"login": login, "password": PASSWORD, "park_id": self.park_id, "code": taizhang::auth::totp::current_code(TOTP_SECRET, self.state.now())}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.send(req).await
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = taizhang::app::router(self.state.clone())
            .oneshot(req)
            .await
            .expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn post_ok(&self, token: &str, path: &str, body: Value) -> Value {
        let (status, value) = self.post(token, path, body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {value}");
        value
    }

    /// Creates a meeting record through the API and returns it.
    pub async fn meeting(&self, token: &str, date: &str, kind: &str, unit: &str) -> Value {
        self.post_ok(
            token,
            "/api/v1/records",
            json!({"kind": "meeting", "fields": {"date": date, "meeting_type": kind, "name": format!("{unit}{kind}"), "org_unit": unit}}),
        )
        .await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((base, name)) = self.pg_name.take() {
            // Dropping a database needs a runtime; do it on a thread of its own so that a failing
            // test still cleans up. The test's own pool lives on the test's runtime, which this
            // thread blocks, so it is not touched here: FORCE ends its connections.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(Db::Postgres(pool)) = Db::connect(&base, false).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&pool)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// A form's pairs as a browser sends them (`application/x-www-form-urlencoded`).
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                taizhang::web::ui::urlencode(k),
                taizhang::web::ui::urlencode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}
