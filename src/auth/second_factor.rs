//! 两步验证: an account's second factor (TOTP, any authenticator app) over its life. Enrolment
//! shows a new secret once (base32, `otpauth://` URI, QR code), a current code confirms it, and
//! ten recovery codes are shown once (stored hashed, each good once). The three admin duties
//! must have one and may not turn it off; the other roles choose. A lost device is the server
//! operator's to reset (`taizhang user totp-reset`). Every enrolment, use of a recovery code,
//! reset and failure is audited; the secret never reaches a log or the audit log. The secret is
//! stored sealed under the personal data key (`auth::queries` seals it), opened only to check a
//! code or to show a pending offer again to its own account.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::queries;
use super::{totp, Principal};
use crate::audit::{self, Change};
use crate::db::{Db, Tx};
use crate::error::AppError;

/// The name an authenticator app shows above the account's codes.
pub const ISSUER: &str = "台账";

/// Why a 三员 account cannot go without a second factor.
pub const REQUIRED_FOR_ADMIN_DUTY: &str =
    "三员账号（系统管理员、安全管理员、审计管理员）必须使用两步验证，不能关闭";

/// An account's second factor as its owner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Status {
    pub enrolled: bool,
    /// The account's role requires one.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// A new secret offered to the enrolling account: shown once, confirmed by a code.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Offer {
    pub secret: String,
    pub uri: String,
    /// The URI as an SVG QR code, drawn on the server.
    pub qr_svg: String,
}

/// How a second factor was given at sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Given {
    Code,
    RecoveryCode,
}

pub(super) fn event(
    action: &'static str,
    id: i64,
    after: Option<serde_json::Value>,
) -> Change<'static> {
    Change {
        action,
        entity: "user",
        entity_id: Some(id),
        before: None,
        after,
    }
}

pub async fn status(db: &Db, who: &Principal) -> Result<Status, AppError> {
    let mut tx = db.begin().await?;
    let state = queries::totp_state(&mut tx, who.park_id, who.user_id).await?;
    tx.commit().await?;
    Ok(Status {
        enrolled: state.enrolled(),
        required: who.role.is_admin_duty(),
        recovery_codes_left: queries::unused_recovery_codes(db, who.park_id, who.user_id).await?,
    })
}

/// Offers the signed-in account a new secret (any earlier offer is replaced). An account that
/// has a second factor turns it off, or has it reset, before enrolling another.
pub async fn begin_enrolment(db: &Db, who: &Principal) -> Result<Offer, AppError> {
    let mut tx = db.begin().await?;
    let state = queries::totp_state(&mut tx, who.park_id, who.user_id).await?;
    if state.enrolled() {
        return Err(AppError::BadRequest(
            "已启用两步验证；如需更换手机，请先关闭（三员账号请服务器管理员重置）后再绑定".into(),
        ));
    }
    let secret = totp::generate_secret();
    queries::set_totp_pending(&mut tx, who.park_id, who.user_id, Some(&secret)).await?;
    tx.commit().await?;
    Ok(Offer::of(who, secret))
}

impl Offer {
    fn of(who: &Principal, secret: String) -> Offer {
        let uri = totp::otpauth_uri(ISSUER, &who.login, &secret);
        Offer {
            qr_svg: totp::qr_svg(&uri),
            uri,
            secret,
        }
    }
}

/// The secret offered to the signed-in account and not yet confirmed, shown again (after a
/// wrong confirmation code, so that the app need not scan a new one); None when there is none
/// or the account has a second factor already.
pub async fn pending_offer(db: &Db, who: &Principal) -> Result<Option<Offer>, AppError> {
    let mut tx = db.begin().await?;
    let state = queries::totp_state(&mut tx, who.park_id, who.user_id).await?;
    tx.commit().await?;
    if state.enrolled() {
        return Ok(None);
    }
    Ok(state.pending()?.map(|secret| Offer::of(who, secret)))
}

/// Confirms the offered secret with a current code; returns the ten recovery codes, to be shown
/// once. A wrong code is audited and leaves the offer standing.
pub async fn confirm_enrolment(
    db: &Db,
    who: &Principal,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let mut tx = db.begin().await?;
    let state = queries::totp_state(&mut tx, who.park_id, who.user_id).await?;
    if state.enrolled() {
        return Err(AppError::BadRequest("已启用两步验证".into()));
    }
    let Some(secret) = state.pending()? else {
        return Err(AppError::BadRequest(
            "请先点击“开始绑定”，用验证器应用扫描二维码".into(),
        ));
    };
    let Some(step) = totp::matching_step(&secret, typed, now, None) else {
        audit::record(
            &mut tx,
            who.park_id,
            &who.actor(),
            now,
            event("totp_enrol_failed", who.user_id, None),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "code",
            "验证码",
            "验证码不正确：请输入验证器应用当前显示的 6 位数字，并确认手机时间准确",
        ));
    };
    queries::set_totp_secret(&mut tx, who.park_id, who.user_id, Some(&secret), Some(step)).await?;
    let codes = totp::generate_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    queries::replace_recovery_codes(&mut tx, who.park_id, who.user_id, &hashes).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        event(
            "totp_enrol",
            who.user_id,
            Some(json!({"recovery_codes": codes.len()})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Turns the signed-in account's second factor off, proven by a current code or a recovery
/// code; refused for the three admin duties.
pub async fn turn_off(
    db: &Db,
    who: &Principal,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if who.role.is_admin_duty() {
        return Err(AppError::Forbidden(REQUIRED_FOR_ADMIN_DUTY));
    }
    let mut tx = db.begin().await?;
    if check(&mut tx, who.park_id, who.user_id, typed, now)
        .await?
        .is_none()
    {
        audit::record(
            &mut tx,
            who.park_id,
            &who.actor(),
            now,
            event("totp_off_failed", who.user_id, None),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::invalid(
            "code",
            "验证码",
            "验证码不正确，两步验证未关闭",
        ));
    }
    queries::set_totp_secret(&mut tx, who.park_id, who.user_id, None, None).await?;
    queries::replace_recovery_codes(&mut tx, who.park_id, who.user_id, &[]).await?;
    audit::record(
        &mut tx,
        who.park_id,
        &who.actor(),
        now,
        event("totp_off", who.user_id, None),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a code typed at sign-in (six digits: the app's code; else a recovery code) and spends
/// it, in the caller's transaction. None when it is wrong, spent or of another time.
pub(super) async fn check(
    tx: &mut Tx,
    park_id: i64,
    user_id: i64,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Option<Given>, AppError> {
    let state = queries::totp_state(tx, park_id, user_id).await?;
    let Some(secret) = state.secret()? else {
        return Ok(None);
    };
    if totp::looks_like_code(typed) {
        let Some(step) = totp::matching_step(&secret, typed, now, state.totp_last_step) else {
            return Ok(None);
        };
        let spent = queries::spend_totp_step(tx, park_id, user_id, step).await?;
        return Ok(spent.then_some(Given::Code));
    }
    let hash = totp::recovery_hash(typed);
    let spent = queries::spend_recovery_code(tx, park_id, user_id, &hash, now).await?;
    Ok(spent.then_some(Given::RecoveryCode))
}
