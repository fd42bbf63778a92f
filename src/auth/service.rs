//! Accounts and sign-in: what the API, the web pages and the command line all call.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::queries::{self, UserRow};
use super::{password, Action, Principal, Role, Scope};
use crate::audit::{self, Actor, Change};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppError;

/// An account as shown to administrators (never the hash).
#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: &'static str,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub person_id: Option<i64>,
    pub locked: bool,
    pub disabled: bool,
    /// False while the role a 系统管理员 asked for waits for the 安全管理员: such an account
    /// signs in but may do nothing.
    pub role_granted: bool,
    /// Someone else set the password: its owner changes it at the next sign-in.
    pub must_change_password: bool,
    /// When the password was last set, and by when it must be changed under the park's
    /// profile (None: never).
    pub password_set_at: Option<DateTime<Utc>>,
    pub password_due: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct NewUser {
    pub login: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub person_id: Option<i64>,
}

/// A role and data scope, as the 安全管理员 assigns them.
#[derive(Clone, Debug, Deserialize)]
pub struct Assignment {
    pub role: Role,
    pub unit_id: Option<i64>,
    pub enterprise_id: Option<i64>,
}

/// A successful sign-in: the token to send back as `Authorization: Bearer`.
pub struct SignedIn {
    pub token: String,
    pub principal: Principal,
}

impl User {
    pub(super) fn from_row(row: UserRow, now: DateTime<Utc>) -> Result<User, AppError> {
        let role = parse_role(&row.role)?;
        Ok(User {
            id: row.id,
            locked: row.locked_until.is_some_and(|t| t > now),
            login: row.login,
            display_name: row.display_name,
            role,
            role_label: role.label(),
            unit_id: row.unit_id,
            enterprise_id: row.enterprise_id,
            person_id: row.person_id,
            disabled: row.disabled,
            role_granted: row.role_granted,
            must_change_password: row.must_change_password,
            password_set_at: row.password_set_at,
            password_due: row.password_due,
        })
    }
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| AppError::BadRequest(format!("未知角色：{s}")))
}

/// Checks the role's needs: a 支部书记 needs a unit, an 企业用户 an enterprise.
fn check_assignment(
    role: Role,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> Result<(), AppError> {
    if role == Role::BranchSecretary && unit_id.is_none() {
        return Err(AppError::invalid(
            "unit_id",
            "所在单位",
            "支部书记必须指定所管理的单位",
        ));
    }
    if role == Role::Enterprise && enterprise_id.is_none() {
        return Err(AppError::invalid(
            "enterprise_id",
            "所属企业",
            "企业用户必须指定所属企业",
        ));
    }
    Ok(())
}

/// The unit and enterprise a scope names exist in the park: a field error naming the one that
/// does not, never a broken foreign key.
async fn scope_exists(
    db: &Db,
    park_id: i64,
    unit_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(u) = unit_id {
        if crate::org::queries::unit(db, park_id, u).await?.is_none() {
            return Err(AppError::invalid("unit_id", "所在单位", "没有这个单位"));
        }
    }
    if let Some(e) = enterprise_id {
        if crate::org::queries::enterprise(db, park_id, e)
            .await?
            .is_none()
        {
            return Err(AppError::invalid(
                "enterprise_id",
                "所属企业",
                "没有这家企业",
            ));
        }
    }
    Ok(())
}

/// A validated account with its password hashed, ready to insert in a transaction.
pub struct PreparedUser {
    row: UserRow,
    /// How long the password may be used, under the park's profile.
    max_age: Option<chrono::Duration>,
}

/// Validates a new account against the park's password `profile` and hashes its password (off
/// the async threads: argon2 is slow on purpose).
pub async fn prepare_user(
    new: NewUser,
    profile: password::Profile,
) -> Result<PreparedUser, AppError> {
    let login = new.login.trim().to_string();
    if login.is_empty() || login.chars().count() > 64 || login.chars().any(char::is_whitespace) {
        return Err(AppError::invalid(
            "login",
            "登录名",
            "登录名不能为空、不能含空格，且不超过 64 个字符",
        ));
    }
    password::check(profile, &login, &new.password)
        .map_err(|m| AppError::invalid("password", "密码", m))?;
    check_assignment(new.role, new.unit_id, new.enterprise_id)?;
    let display_name = new
        .display_name
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| login.clone());
    let pw = new.password;
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::BadRequest(format!("密码处理失败：{e}")))?;
    Ok(PreparedUser {
        row: UserRow {
            id: 0,
            login,
            display_name,
            password_hash: hash,
            role: new.role.as_str().to_string(),
            unit_id: new.unit_id,
            enterprise_id: new.enterprise_id,
            person_id: new.person_id,
            locked_until: None,
            disabled: false,
            role_granted: true,
            must_change_password: false,
            password_set_at: None,
            password_due: None,
            totp_enrolled: false,
        },
        max_age: profile.max_age(),
    })
}

impl PreparedUser {
    /// The account as a 系统管理员 makes it: the role is asked for, the 安全管理员 grants it,
    /// and its owner changes the password the 系统管理员 chose at the first sign-in.
    fn asked_for(mut self) -> PreparedUser {
        self.row.role_granted = false;
        self.issued_by_another()
    }

    /// Its password chosen by someone else: changed by its owner at the first sign-in. A 三员
    /// account's password changes only on the server's command line, so none is asked of it.
    pub(super) fn issued_by_another(mut self) -> PreparedUser {
        self.row.must_change_password = !parse_role(&self.row.role).is_ok_and(Role::is_admin_duty);
        self
    }
}

/// Inserts a prepared account and its audit entry inside the caller's transaction.
pub async fn insert_user(
    tx: &mut crate::db::Tx,
    park_id: i64,
    by: &Actor,
    user: PreparedUser,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let mut row = user.row;
    row.password_due = user.max_age.map(|age| now + age);
    let id = match queries::insert_user(tx, park_id, &row, now).await {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => {
            return Err(AppError::invalid("login", "登录名", "该登录名已被使用"))
        }
        Err(e) => return Err(e.into()),
    };
    let user = User::from_row(UserRow { id, ..row }, now)?;
    audit::record(
        tx,
        park_id,
        by,
        now,
        Change {
            action: "create",
            entity: "user",
            entity_id: Some(id),
            before: None,
            after: Some(serde_json::to_value(&user).unwrap_or_default()),
        },
    )
    .await?;
    Ok(user)
}

/// Inserts a prepared account in its own transaction.
pub(super) async fn insert_user_alone(
    db: &Db,
    park_id: i64,
    by: &Actor,
    prepared: PreparedUser,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let mut tx = db.begin().await?;
    let user = insert_user(&mut tx, park_id, by, prepared, now).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn list_users(
    db: &Db,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<User>, AppError> {
    who.require(Action::ReadUsers)?;
    super::operator::all_users(db, who.park_id, now).await
}

/// One account of the park, for whoever may read accounts.
pub async fn get_user_as(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    who.require(Action::ReadUsers)?;
    get_user(db, who.park_id, id, now).await
}

pub(super) async fn get_user(
    db: &Db,
    park_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let row = queries::user_by_id(db, park_id, id)
        .await?
        .ok_or(AppError::NotFound("账号"))?;
    User::from_row(row, now)
}

/// Changes an account's role and scope (安全管理员).
pub async fn assign(
    db: &Db,
    who: &Principal,
    id: i64,
    a: Assignment,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    who.require(Action::AssignRoles)?;
    if id == who.user_id {
        return Err(AppError::Forbidden(
            "不能修改自己的角色和数据范围：三员职责分离，须由他人在服务器上用命令行办理",
        ));
    }
    if a.role.is_admin_duty() {
        return Err(AppError::invalid("role", "角色", ADMIN_DUTY_ON_CLI));
    }
    check_assignment(a.role, a.unit_id, a.enterprise_id)?;
    scope_exists(db, who.park_id, a.unit_id, a.enterprise_id).await?;
    let before = get_user(db, who.park_id, id, now).await?;
    if before.role.is_admin_duty() {
        return Err(AppError::Forbidden(ADMIN_DUTY_ON_CLI));
    }
    let mut tx = db.begin().await?;
    queries::set_role(
        &mut tx,
        who.park_id,
        id,
        a.role.as_str(),
        a.unit_id,
        a.enterprise_id,
    )
    .await?;
    let after = User {
        role: a.role,
        role_label: a.role.label(),
        unit_id: a.unit_id,
        enterprise_id: a.enterprise_id,
        role_granted: true,
        ..before.clone()
    };
    audit_user(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        "assign",
        &before,
        &after,
    )
    .await?;
    // A changed role must not keep working through tokens issued under the old one.
    queries::revoke_user_sessions(&mut tx, who.park_id, id, now).await?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn audit_user(
    tx: &mut crate::db::Tx,
    park_id: i64,
    by: &Actor,
    now: DateTime<Utc>,
    action: &str,
    before: &User,
    after: &User,
) -> Result<(), AppError> {
    audit::record(
        tx,
        park_id,
        by,
        now,
        Change {
            action,
            entity: "user",
            entity_id: Some(after.id),
            before: Some(serde_json::to_value(before).unwrap_or_default()),
            after: Some(serde_json::to_value(after).unwrap_or_default()),
        },
    )
    .await?;
    Ok(())
}

/// What every refused sign-in says until the password is right: an unknown login, a wrong
/// password and a locked account read alike, so the answer never tells which logins exist.
pub const SIGN_IN_REFUSED: &str = "登录名或密码错误，或账号已被暂时锁定";

/// Asked for when the deployment holds more than one park and the sign-in names none; said
/// whatever the login, so it tells nothing about it either.
pub const CHOOSE_PARK: &str = "本系统有多个园区，请先选择园区";

/// What a sign-in does with an account that has a second factor when no code came with the
/// password: the API asks for it again with the code (`SecondFactorRequired`); the sign-in
/// page opens a session good only for its second step, which keeps the login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithoutCode {
    Refuse,
    SecondStep,
}

/// Signs in with login and password in a park (which may be left out when the deployment has
/// one), and the second factor's code (or a recovery code) when the account has one. Five
/// failures in a row, wrong passwords and wrong codes alike, lock the account for a while.
/// Until the password is right, a refusal never tells an unknown login, a wrong password and a
/// locked account apart; a locked account's password is not even checked, so guessing on during
/// the lock learns nothing.
#[allow(
    clippy::too_many_arguments,
    reason = "the sign-in's inputs, each as typed"
)]
pub async fn sign_in(
    db: &Db,
    cfg: &Config,
    park_id: Option<i64>,
    login: &str,
    pw: &str,
    code: Option<&str>,
    without_code: WithoutCode,
    now: DateTime<Utc>,
) -> Result<SignedIn, AppError> {
    let wrong = || AppError::Locked(SIGN_IN_REFUSED.to_string());
    // Spend the time a real check would, so a refusal is not told apart by timing.
    let pretend = || async {
        let _ = tokio::task::spawn_blocking(|| password::verify("x", dummy_hash())).await;
    };
    let park_id = match park_id {
        Some(p) => Some(p),
        None => {
            let parks = crate::org::queries::parks(db).await?;
            match parks.as_slice() {
                [only] => Some(only.id),
                [] => None,
                _ => return Err(AppError::invalid("park_id", "园区", CHOOSE_PARK)),
            }
        }
    };
    let found = match park_id {
        Some(p) => queries::users_by_login(db, login.trim())
            .await?
            .into_iter()
            .find(|(park, _)| *park == p),
        None => None,
    };
    let Some((park_id, row)) = found else {
        pretend().await;
        return Err(wrong());
    };
    let limit = i64::from(cfg.lockout_after.max(1));
    let claimed = {
        let mut tx = db.begin().await?;
        let claimed = queries::claim_login_check(&mut tx, park_id, row.id, limit, now).await?;
        tx.commit().await?;
        claimed
    };
    let Some(place) = claimed else {
        pretend().await;
        return Err(wrong());
    };
    let ok = {
        let (pw, hash) = (pw.to_string(), row.password_hash.clone());
        tokio::task::spawn_blocking(move || password::verify(&pw, &hash))
            .await
            .unwrap_or(false)
    };
    if ok && row.disabled {
        return Err(AppError::Locked("账号已停用，请联系系统管理员".to_string()));
    }
    let actor = Actor {
        user_id: Some(row.id),
        login: row.login.clone(),
    };
    if !ok {
        // Every password checked and found wrong is in the audit log; the claim has counted
        // it already.
        let mut tx = db.begin().await?;
        fail(
            &mut tx, cfg, park_id, &actor, row.id, place, limit, "password", now,
        )
        .await?;
        tx.commit().await?;
        return Err(wrong());
    }
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let mut tx = db.begin().await?;
    let mut second_factor_due = false;
    match (row.totp_enrolled, code) {
        (false, _) => {}
        (true, None) => {
            // The password is right and the code is still to come: that check does not count.
            queries::release_login_check(&mut tx, park_id, row.id).await?;
            if without_code == WithoutCode::Refuse {
                tx.commit().await?;
                return Err(AppError::SecondFactorRequired);
            }
            second_factor_due = true;
        }
        (true, Some(code)) => {
            let checked = CodeCheck {
                cfg,
                park_id,
                actor: &actor,
                user_id: row.id,
                place,
                limit,
            };
            if let Err(locked) = checked.run(&mut tx, code, now).await? {
                tx.commit().await?;
                return Err(if locked { wrong() } else { wrong_code() });
            }
        }
    }
    if !second_factor_due {
        queries::set_login_failures(&mut tx, park_id, row.id, 0, None).await?;
    }
    let secret = password::token_secret();
    queries::insert_session(
        &mut tx,
        park_id,
        row.id,
        &token_hash(&secret),
        second_factor_due,
        now,
    )
    .await?;
    if !second_factor_due {
        audit::record(&mut tx, park_id, &actor, now, user_event("login", row.id)).await?;
    }
    tx.commit().await?;
    let mut principal = principal_for(db, park_id, row, now).await?;
    principal.second_factor_due = second_factor_due;
    Ok(SignedIn {
        token: format!("{park_id}.{secret}"),
        principal,
    })
}

/// A second-factor code given at sign-in or at its second step, checked for one account.
struct CodeCheck<'a> {
    cfg: &'a Config,
    park_id: i64,
    actor: &'a Actor,
    user_id: i64,
    /// The sign-in check claimed for this attempt (`claim_login_check`).
    place: i64,
    limit: i64,
}

impl CodeCheck<'_> {
    /// Checks `code` (or a recovery code) in `tx`: a wrong one counts toward the lock-out
    /// (`Err(locked)`), and the use of a recovery code is audited.
    async fn run(
        &self,
        tx: &mut crate::db::Tx,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), bool>, AppError> {
        use super::second_factor::Given;
        match super::second_factor::check(tx, self.park_id, self.user_id, code, now).await? {
            None => Ok(Err(fail(
                tx,
                self.cfg,
                self.park_id,
                self.actor,
                self.user_id,
                self.place,
                self.limit,
                "second_factor",
                now,
            )
            .await?)),
            Some(Given::RecoveryCode) => {
                let used = user_event("totp_recovery_used", self.user_id);
                audit::record(tx, self.park_id, self.actor, now, used).await?;
                Ok(Ok(()))
            }
            Some(Given::Code) => Ok(Ok(())),
        }
    }
}

/// What a wrong second-factor code is told, once the password was right.
fn wrong_code() -> AppError {
    AppError::Locked(
        "两步验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字，或一个未用过的恢复码"
            .to_string(),
    )
}

fn user_event(action: &'static str, id: i64) -> Change<'static> {
    Change {
        action,
        entity: "user",
        entity_id: Some(id),
        before: None,
        after: None,
    }
}

/// A failed check (a wrong password, or a wrong code after a right one): in the audit log, and
/// the claim that fills the run of failures locks the account.
#[allow(clippy::too_many_arguments, reason = "one failure's facts")]
async fn fail(
    tx: &mut crate::db::Tx,
    cfg: &Config,
    park_id: i64,
    actor: &Actor,
    user_id: i64,
    place: i64,
    limit: i64,
    what: &'static str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let failed = Change {
        after: (what != "password").then(|| serde_json::json!({ "failed": what })),
        ..user_event("login_failed", user_id)
    };
    audit::record(tx, park_id, actor, now, failed).await?;
    let locked = place >= limit;
    if locked {
        let until = now + chrono::Duration::from_std(cfg.lockout_for).unwrap_or_default();
        queries::set_login_failures(tx, park_id, user_id, 0, Some(until)).await?;
        // A session waiting for its second step ends with the lock.
        queries::revoke_pending_sessions(tx, park_id, user_id, now).await?;
        audit::record(tx, park_id, actor, now, user_event("lockout", user_id)).await?;
        tracing::warn!(
            park_id,
            user_id,
            "account locked after repeated login failures"
        );
    }
    Ok(locked)
}

/// The sign-in page's second step: the code of the account whose right password opened the
/// session `token`. A right code makes the session good for everything; a wrong one counts
/// toward the lock-out as a wrong password does, and the lock ends the waiting session.
pub async fn second_step(
    db: &Db,
    cfg: &Config,
    token: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some((park, secret)) = token.split_once('.') else {
        return Err(AppError::Unauthorized);
    };
    let Ok(park_id) = park.parse::<i64>() else {
        return Err(AppError::Unauthorized);
    };
    let Some(found) = queries::session_user(db, park_id, &token_hash(secret)).await? else {
        return Err(AppError::Unauthorized);
    };
    let idle = chrono::Duration::from_std(cfg.session_idle).unwrap_or_default();
    if !found.second_factor_due || found.revoked_at.is_some() || found.last_seen_at + idle < now {
        return Err(AppError::Unauthorized);
    }
    let row = found.user;
    let actor = Actor {
        user_id: Some(row.id),
        login: row.login.clone(),
    };
    let limit = i64::from(cfg.lockout_after.max(1));
    let claimed = {
        let mut tx = db.begin().await?;
        let claimed = queries::claim_login_check(&mut tx, park_id, row.id, limit, now).await?;
        tx.commit().await?;
        claimed
    };
    let Some(place) = claimed else {
        return Err(AppError::Locked(SIGN_IN_REFUSED.to_string()));
    };
    let mut tx = db.begin().await?;
    let checked = CodeCheck {
        cfg,
        park_id,
        actor: &actor,
        user_id: row.id,
        place,
        limit,
    };
    if let Err(locked) = checked.run(&mut tx, code.trim(), now).await? {
        tx.commit().await?;
        if locked {
            return Err(AppError::Locked(SIGN_IN_REFUSED.to_string()));
        }
        return Err(wrong_code());
    }
    queries::set_login_failures(&mut tx, park_id, row.id, 0, None).await?;
    queries::clear_second_factor_due(&mut tx, park_id, found.session_id).await?;
    audit::record(&mut tx, park_id, &actor, now, user_event("login", row.id)).await?;
    tx.commit().await?;
    Ok(())
}

/// A real hash of a random password, verified against when a login is unknown.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| password::hash(&password::generate()))
}

fn token_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Resolves a bearer token to its principal, or None when it is unknown, revoked, idle too long
/// or older than the absolute session lifetime (a working day: signed in in the morning, signed
/// out by the night, however busy).
pub async fn authenticate(
    db: &Db,
    cfg: &Config,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, AppError> {
    let Some((park, secret)) = token.split_once('.') else {
        return Ok(None);
    };
    let Ok(park_id) = park.parse::<i64>() else {
        return Ok(None);
    };
    let hash = token_hash(secret);
    let Some(found) = queries::session_user(db, park_id, &hash).await? else {
        return Ok(None);
    };
    let idle = chrono::Duration::from_std(cfg.session_idle).unwrap_or_default();
    let lifetime = chrono::Duration::from_std(cfg.session_lifetime).unwrap_or_default();
    if found.revoked_at.is_some()
        || found.last_seen_at + idle < now
        || found.created_at + lifetime < now
    {
        return Ok(None);
    }
    let row = found.user;
    // A lock-out stops new sign-ins only: someone guessing a password must not sign the
    // account's owner out. Disabling the account (or changing its password) ends its sessions.
    if row.disabled {
        return Ok(None);
    }
    // Touch the session at most once a minute: a write per request would cost SQLite dearly.
    if now - found.last_seen_at > chrono::Duration::seconds(60) {
        queries::touch_session(db, park_id, found.session_id, now).await?;
    }
    let mut principal = principal_for(db, park_id, row, now).await?;
    principal.second_factor_due = found.second_factor_due;
    Ok(Some(principal))
}

/// Revokes one token (sign-out).
pub async fn sign_out(db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    if let Some((park, secret)) = token.split_once('.') {
        if let Ok(park_id) = park.parse::<i64>() {
            queries::revoke_session(db, park_id, &token_hash(secret), now).await?;
        }
    }
    Ok(())
}

async fn principal_for(
    db: &Db,
    park_id: i64,
    row: UserRow,
    now: DateTime<Utc>,
) -> Result<Principal, AppError> {
    let password_change_due = super::credentials::change_due(&row, now);
    let totp_enrolment_due = !row.totp_enrolled
        && Role::parse(&row.role).is_some_and(Role::is_admin_duty)
        && row.role_granted;
    // A role asked for and not yet granted gives nothing.
    let role = if row.role_granted {
        parse_role(&row.role)?
    } else {
        Role::Pending
    };
    let scope = match role {
        Role::Office | Role::Leader | Role::ServiceStaff => Scope::Park,
        Role::BranchSecretary => match row.unit_id {
            Some(unit) => Scope::Units(crate::org::queries::subtree(db, park_id, unit).await?),
            None => Scope::Nothing,
        },
        Role::Enterprise => row.enterprise_id.map_or(Scope::Nothing, Scope::Enterprise),
        Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin | Role::Pending => Scope::Nothing,
    };
    Ok(Principal {
        park_id,
        user_id: row.id,
        login: row.login,
        display_name: row.display_name,
        role,
        unit_id: row.unit_id,
        enterprise_id: row.enterprise_id,
        person_id: row.person_id,
        scope,
        password_change_due,
        totp_enrolment_due,
        second_factor_due: false,
    })
}

// ---- the 系统 pages: the same rules, asked of the signed-in administrator ----

/// How a new or reset password was chosen: typed by the administrator, or generated and shown
/// once (as `user add` and `user passwd` do on the command line).
pub struct IssuedPassword {
    pub password: String,
    pub generated: bool,
}

fn typed_or_generated(typed: Option<String>) -> IssuedPassword {
    match typed.filter(|p| !p.is_empty()) {
        Some(password) => IssuedPassword {
            password,
            generated: false,
        },
        None => IssuedPassword {
            password: password::generate(),
            generated: true,
        },
    }
}

/// Why an admin duty's account is out of reach of the web and the API.
pub(super) const ADMIN_DUTY_ON_CLI: &str = "三员账号（系统管理员、安全管理员、审计管理员）的创建、角色、锁定和密码只能在服务器上用命令行（taizhang user）办理";

/// The account `id`, refused when it holds one of the three admin duties.
async fn not_admin_duty(
    db: &Db,
    who: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let user = get_user(db, who.park_id, id, now).await?;
    if user.role.is_admin_duty() {
        return Err(AppError::Forbidden(ADMIN_DUTY_ON_CLI));
    }
    Ok(user)
}

/// Creates an account (系统管理员). Without a typed password one is generated, to be shown once.
pub async fn create_user_as(
    db: &Db,
    who: &Principal,
    mut new: NewUser,
    now: DateTime<Utc>,
) -> Result<(User, IssuedPassword), AppError> {
    who.require(Action::ManageUsers)?;
    if new.role.is_admin_duty() {
        return Err(AppError::invalid("role", "角色", ADMIN_DUTY_ON_CLI));
    }
    scope_exists(db, who.park_id, new.unit_id, new.enterprise_id).await?;
    if let Some(p) = new.person_id {
        if crate::org::queries::person(db, who.park_id, p)
            .await?
            .is_none()
        {
            return Err(AppError::invalid(
                "person_id",
                "花名册人员",
                "花名册中没有这个人员",
            ));
        }
    }
    let issued = typed_or_generated(Some(new.password.clone()));
    new.password = issued.password.clone();
    // The account holds the role asked for, with none of its rights until the 安全管理员
    // assigns it: the one who makes accounts does not grant rights.
    let profile = super::credentials::profile(db, who.park_id).await?;
    let prepared = prepare_user(new, profile).await?.asked_for();
    let user = insert_user_alone(db, who.park_id, &who.actor(), prepared, now).await?;
    Ok((user, issued))
}

/// Locks or unlocks an account (系统管理员).
pub async fn set_locked_as(
    db: &Db,
    who: &Principal,
    id: i64,
    locked: bool,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    who.require(Action::ManageUsers)?;
    if locked && id == who.user_id {
        return Err(AppError::BadRequest(
            "不能锁定自己正在使用的账号".to_string(),
        ));
    }
    not_admin_duty(db, who, id, now).await?;
    super::operator::set_locked(db, who.park_id, &who.actor(), id, locked, now).await
}

/// Resets an account's password (系统管理员): the typed one, or a generated one shown once.
pub async fn reset_password_as(
    db: &Db,
    who: &Principal,
    id: i64,
    typed: Option<String>,
    now: DateTime<Utc>,
) -> Result<(User, IssuedPassword), AppError> {
    who.require(Action::ManageUsers)?;
    not_admin_duty(db, who, id, now).await?;
    let issued = typed_or_generated(typed);
    let user = get_user(db, who.park_id, id, now).await?;
    super::credentials::set_password(
        db,
        who.park_id,
        &who.actor(),
        &user,
        &issued.password,
        super::credentials::SetBy::Another,
        now,
    )
    .await?;
    Ok((get_user(db, who.park_id, id, now).await?, issued))
}

/// An account's lock state in plain words, for the account list.
pub fn lock_state(user: &User, locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    if user.disabled {
        return "已停用，需系统管理员解锁".to_string();
    }
    match locked_until.filter(|t| *t > now) {
        Some(until) => {
            // On the park's clock, by which the office reads it.
            let local = crate::calendar::local(until);
            let same_day = local.date_naive() == crate::calendar::today(now);
            let at = if same_day {
                local.format("%H:%M").to_string()
            } else {
                local.format("%Y-%m-%d %H:%M").to_string()
            };
            format!("已锁定（连续登录失败），至 {at} 自动解锁")
        }
        None => "正常".to_string(),
    }
}

/// An account with its lock-out time, for the account list.
pub struct Listed {
    pub user: User,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Every account of the park with its lock-out time (系统管理员, 安全管理员).
pub async fn list_users_detailed(
    db: &Db,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<Listed>, AppError> {
    who.require(Action::ReadUsers)?;
    queries::list_users(db, who.park_id)
        .await?
        .into_iter()
        .map(|r| {
            let locked_until = r.locked_until;
            Ok(Listed {
                user: User::from_row(r, now)?,
                locked_until,
            })
        })
        .collect()
}

/// The units and enterprises a role's data scope can name (安全管理员 assigning scope, 系统管理员
/// creating an account): ids and names only.
pub async fn scope_choices(
    db: &Db,
    who: &Principal,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), AppError> {
    if !(who.role.allows(Action::AssignRoles) || who.role.allows(Action::ManageUsers)) {
        return Err(AppError::Forbidden("仅系统管理员和安全管理员可以查看账号"));
    }
    let units = crate::org::queries::units(db, who.park_id)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let enterprises = crate::org::queries::enterprises(db, who.park_id)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    Ok((units, enterprises))
}

/// The roster people an account may act for (`users.person_id`): the enterprises' paired
/// leaders (包联领导), each once, by name; what their own accounts' 包联 pages show follows the
/// link. Ids and names only.
pub async fn person_choices(db: &Db, who: &Principal) -> Result<Vec<(i64, String)>, AppError> {
    if !who.role.allows(Action::ManageUsers) {
        return Err(AppError::Forbidden("仅系统管理员可以添加账号"));
    }
    let mut people: Vec<(i64, String)> = Vec::new();
    for e in crate::visits::queries::paired(db, who.park_id).await? {
        if let Some(id) = e.leader_person_id {
            if !people.iter().any(|(p, _)| *p == id) {
                people.push((id, e.leader_name.trim().to_string()));
            }
        }
    }
    Ok(people)
}
