//! The sign-in code a meeting's QR code carries: `PARK.RECORD.EXPIRES.MAC`, an HMAC-SHA-256
//! (truncated to 128 bits) of the park, the meeting record and the end of its window under a key
//! derived from the audit key. Anyone holding it may sign in to that meeting only, until it
//! expires; nothing is stored. The anonymous form's CSRF token is derived from the code the
//! same way, so a page from elsewhere cannot post without having been handed the code. Pure.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a code shown on the secretary's screen stays good.
pub const WINDOW: Duration = Duration::hours(2);

/// The purpose the signing key is derived for (`AuditKey::derive`).
pub const PURPOSE: &str = "meeting sign-in";

/// What a valid code names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub park_id: i64,
    pub record_id: i64,
    pub expires: DateTime<Utc>,
}

/// Why a code was refused; the messages are what the member reads on the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("签到码无效，请重新扫描会议现场的二维码")]
    Invalid,
    #[error("签到码已过期，请请会议主持人刷新二维码后重新扫描")]
    Expired,
    #[error("这个签到码属于另一次会议，请扫描本次会议的二维码")]
    OtherMeeting,
}

fn mac(key: &[u8; 32], parts: &[&str]) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC accepts a 32-byte key")
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p.as_bytes());
    }
    hex::encode(&m.finalize().into_bytes()[..16])
}

/// A code for `record_id` good from `now` for [`WINDOW`].
pub fn issue(key: &[u8; 32], park_id: i64, record_id: i64, now: DateTime<Utc>) -> (String, Code) {
    let expires = now + WINDOW;
    let (park, record, exp) = (
        park_id.to_string(),
        record_id.to_string(),
        expires.timestamp().to_string(),
    );
    let tag = mac(key, &["code", &park, &record, &exp]);
    let code = Code {
        park_id,
        record_id,
        expires: DateTime::from_timestamp(expires.timestamp(), 0).unwrap_or(expires),
    };
    (format!("{park}.{record}.{exp}.{tag}"), code)
}

/// Checks `text` as a code for meeting `record_id` at `now`.
pub fn verify(
    key: &[u8; 32],
    text: &str,
    record_id: i64,
    now: DateTime<Utc>,
) -> Result<Code, CodeError> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [park, record, exp, tag] = parts[..] else {
        return Err(CodeError::Invalid);
    };
    let expected = mac(key, &["code", park, record, exp]);
    // Compared in constant time: the tag is the secret part.
    let same = expected.len() == tag.len()
        && expected
            .bytes()
            .zip(tag.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(CodeError::Invalid);
    }
    let (Ok(park_id), Ok(code_record), Ok(exp)) = (
        park.parse::<i64>(),
        record.parse::<i64>(),
        exp.parse::<i64>(),
    ) else {
        return Err(CodeError::Invalid);
    };
    let expires = DateTime::from_timestamp(exp, 0).ok_or(CodeError::Invalid)?;
    if code_record != record_id {
        return Err(CodeError::OtherMeeting);
    }
    // A code is never issued for longer than the window: one that claims more was not ours.
    if now >= expires || expires - now > WINDOW {
        return Err(CodeError::Expired);
    }
    Ok(Code {
        park_id,
        record_id,
        expires,
    })
}

/// The CSRF token of the anonymous sign-in form opened with `code`.
pub fn form_token(key: &[u8; 32], code: &str) -> String {
    mac(key, &["form", code.trim()])
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [9; 32];

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_code_holds_for_its_meeting_within_its_window_only() {
        let now = at("2026-03-05T09:00:00Z");
        let (text, code) = issue(&KEY, 1, 42, now);
        assert_eq!(code.expires, at("2026-03-05T11:00:00Z"));
        assert_eq!(
            verify(&KEY, &text, 42, now + Duration::minutes(119)),
            Ok(code)
        );
        assert_eq!(
            verify(&KEY, &text, 42, now + Duration::hours(2)),
            Err(CodeError::Expired)
        );
        assert_eq!(verify(&KEY, &text, 43, now), Err(CodeError::OtherMeeting));
    }

    #[test]
    fn a_changed_or_foreign_code_is_invalid() {
        let now = at("2026-03-05T09:00:00Z");
        let (text, _) = issue(&KEY, 1, 42, now);
        let longer = text.replacen(
            &(now + WINDOW).timestamp().to_string(),
            &(now + WINDOW * 5).timestamp().to_string(),
            1,
        );
        assert_eq!(verify(&KEY, &longer, 42, now), Err(CodeError::Invalid));
        assert_eq!(verify(&[8; 32], &text, 42, now), Err(CodeError::Invalid));
        assert_eq!(verify(&KEY, "1.42", 42, now), Err(CodeError::Invalid));
        assert_ne!(form_token(&KEY, &text), form_token(&KEY, &longer));
    }
}
