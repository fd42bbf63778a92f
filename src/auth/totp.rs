//! Time-based one-time passwords (TOTP, RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 30-second
//! steps, 6 digits, as every authenticator app reads an `otpauth://` URI. Pure: the time is
//! passed in. Also the recovery codes given at enrolment and the enrolment's QR code (SVG).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};

/// Seconds of one time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps of clock drift accepted either side of the server's.
pub const DRIFT: i64 = 1;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random secret of 160 bits (RFC 4226's recommended length), in base32 as apps take it.
pub fn generate_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    base32(&bytes)
}

/// RFC 4648 base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads base32 (case, spaces and padding ignored); None on any other character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let c = c.to_ascii_uppercase();
        let value = BASE32.iter().position(|&b| b as char == c)?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
        buffer &= 0xff;
    }
    Some(out)
}

/// The time step `now` falls in.
pub fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECONDS)
}

/// The HOTP value of `key` at counter `step`, in `DIGITS` digits.
pub fn code_at(key: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(key) else {
        // HMAC takes a key of any length; this cannot happen.
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let truncated = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    truncated % 10u32.pow(DIGITS)
}

/// The code an app shows for the base32 `secret` at `now` (six digits, zeros kept).
pub fn current_code(secret: &str, now: DateTime<Utc>) -> String {
    let key = from_base32(secret).unwrap_or_default();
    format!("{:06}", code_at(&key, step_of(now)))
}

/// The step whose code `typed` is, within the drift around `now` and after `last_used` (a code
/// is good once: its step and the ones before it are spent). None when it matches no such step.
pub fn matching_step(
    secret: &str,
    typed: &str,
    now: DateTime<Utc>,
    last_used: Option<i64>,
) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = from_base32(secret)?;
    let now = step_of(now);
    let mut found = None;
    // Every candidate is computed and compared in full, so the time taken tells nothing.
    for step in now - DRIFT..=now + DRIFT {
        let code = format!("{:06}", code_at(&key, step));
        let same = same_bytes(code.as_bytes(), typed.as_bytes());
        if same && last_used.is_none_or(|last| step > last) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// True when `typed` looks like a TOTP code (six digits) rather than a recovery code.
pub fn looks_like_code(typed: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The `otpauth://` URI an app reads from the QR code: issuer and account name the entry.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let label = percent(&format!("{issuer}:{account}"));
    let issuer = percent(issuer);
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Compares two byte strings in time that depends on their lengths only.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The URI as a QR code in SVG, drawn on the server (no script, nothing fetched).
pub fn qr_svg(uri: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Inline in a page: the element without its XML declaration.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_string(),
                None => svg,
            }
        }
        // A URI of our making is far below the largest QR code; nothing to draw otherwise.
        Err(_) => String::new(),
    }
}

/// Ten fresh recovery codes, `xxxx-xxxx-xx` of an alphabet without look-alikes (50 bits each).
pub fn generate_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..])
        })
        .collect()
}

/// The stored form of a recovery code: SHA-256 of the code as typed without dashes, spaces or
/// case (the codes are random, so a slow hash adds nothing, as for session tokens).
pub fn recovery_hash(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(format!("totp-recovery:{normal}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().expect("instant")
    }

    #[test]
    fn the_rfc_6238_sha1_vectors_hold_in_six_digits() {
        // RFC 6238 appendix B, SHA-1, key "12345678901234567890": the last six of each 8-digit value.
        let key = b"12345678901234567890";
        for (time, eight) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(code_at(key, step_of(at(time))), eight % 1_000_000, "{time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(from_base32("mzxw 6ytb oi======"), Some(b"foobar".to_vec()));
        assert_eq!(from_base32("MZ1"), None);
        let secret = generate_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(from_base32(&secret).map(|k| k.len()), Some(20));
    }

    #[test]
    fn a_code_matches_within_one_step_of_drift_and_once() {
        let secret = base32(b"12345678901234567890");
        let now = at(1_111_111_111);
        let step = step_of(now);
        let code = current_code(&secret, now);
        assert_eq!(matching_step(&secret, &code, now, None), Some(step));
        // The app's clock half a minute behind or ahead.
        assert_eq!(
            matching_step(&secret, &code, at(1_111_111_111 + 30), None),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &code, at(1_111_111_111 - 30), None),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &code, at(1_111_111_111 + 90), None),
            None
        );
        // Used once: that step and the ones before are spent.
        assert_eq!(matching_step(&secret, &code, now, Some(step)), None);
        assert_eq!(matching_step(&secret, "12345", now, None), None);
        assert_eq!(matching_step(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn recovery_codes_differ_and_hash_as_typed_in_any_case() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
    }

    #[test]
    fn the_uri_names_issuer_and_account_and_the_qr_code_is_svg() {
        let uri = otpauth_uri("台账 某园区", "admin", "MZXW6YTBOI");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains("secret=MZXW6YTBOI"), "{uri}");
        assert!(uri.contains("%3Aadmin?"), "{uri}");
        let svg = qr_svg(&uri);
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
    }
}
