//! Validated identifiers of people and enterprises: resident ID numbers (身份证号), unified social
//! credit codes (统一社会信用代码) and phone numbers.
//!
//! Each is parsed once, where it enters the system (a form, the API, an imported roster), and is
//! carried as a newtype afterwards, so nothing downstream meets an unchecked or truncated value.
//! ID numbers and phones are personal data: their `Display` and `Debug` print the masked form, so a
//! stray log line or error message never carries the full value; only `as_str()` gives it, for
//! storage and for the people entitled to see it.

use std::fmt;

use chrono::NaiveDate;

use crate::ledger::value::normalize_text;

/// An 18-character resident ID number (GB 11643-1999), stored with an upper-case `X`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// An 18-character unified social credit code (GB 32100-2015), stored in upper case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

/// A mainland mobile number (`13812345678`) or a landline with its area code
/// (`0551-12345678`, optionally `-801` for an extension).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// Why an identifier was refused. Messages never repeat a personal value, since they may reach a
/// log; a credit code is not personal data and is quoted to help find the row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what}不能为空")]
    Empty { what: &'static str },
    #[error(
        "{what}的位数已经丢失：单元格是数字格式，Excel 只保留 15 位有效数字。请把该列设为“文本”格式，重新填写完整的 18 位号码"
    )]
    DigitsLost { what: &'static str },
    #[error(
        "身份证号只有 {len} 位，应为 18 位；如果是从 Excel 数字格式的单元格导入，位数已经丢失，请把该列设为“文本”格式后重新填写"
    )]
    IdTooShort { len: usize },
    #[error("身份证号应为 18 位，实际为 {len} 位")]
    IdLength { len: usize },
    #[error("身份证号只能由数字组成，最后一位可以是 X")]
    IdCharacters,
    #[error("身份证号中的出生日期不存在，请核对第 7 至 14 位")]
    IdBirthDate,
    #[error("身份证号校验位不符（GB 11643-1999），请逐位核对")]
    IdCheckCharacter,
    #[error("统一社会信用代码应为 18 位，实际为 {len} 位")]
    CreditLength { len: usize },
    #[error("统一社会信用代码“{code}”含有不允许的字符“{character}”（代码中不使用 I、O、Z、S、V）")]
    CreditCharacter { code: String, character: char },
    #[error("统一社会信用代码“{code}”校验位不符（GB 32100-2015），请逐位核对")]
    CreditCheckCharacter { code: String },
    #[error(
        "无法识别的电话号码，请填写 11 位手机号（如 13812345678）或带区号的固定电话（如 0551-12345678）"
    )]
    Phone,
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<IdNumber, IdError> {
        const WHAT: &str = "身份证号";
        let text = compact(input).to_ascii_uppercase();
        if text.is_empty() {
            return Err(IdError::Empty { what: WHAT });
        }
        if looks_like_float(&text) {
            return Err(IdError::DigitsLost { what: WHAT });
        }
        let len = text.chars().count();
        let all_digits = text.chars().all(|c| c.is_ascii_digit());
        if len < 18 && all_digits && len >= 15 {
            return Err(IdError::IdTooShort { len });
        }
        if len != 18 {
            return Err(IdError::IdLength { len });
        }
        let bytes = text.as_bytes();
        let body_ok = bytes[..17].iter().all(u8::is_ascii_digit);
        let last_ok = bytes[17].is_ascii_digit() || bytes[17] == b'X';
        if !body_ok || !last_ok {
            return Err(IdError::IdCharacters);
        }
        if birth_date_of(&text).is_none() {
            return Err(IdError::IdBirthDate);
        }
        if id_check_character(&bytes[..17]) != char::from(bytes[17]) {
            // Excel keeps 15 significant digits, so a number that went through a numeric cell
            // comes back with its last three digits zeroed; say so rather than "typo".
            return Err(if text.ends_with("000") {
                IdError::DigitsLost { what: WHAT }
            } else {
                IdError::IdCheckCharacter
            });
        }
        Ok(IdNumber(text))
    }

    /// The full number; for storage and for users entitled to see it, never for logs.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `110105********002X`: the region code and the last four characters.
    pub fn masked(&self) -> String {
        IdNumber::mask_str(&self.0)
    }

    /// Masks a stored ID number the way [`IdNumber::masked`] does, without parsing it again; a
    /// value too short to mask safely is starred entirely.
    pub fn mask_str(value: &str) -> String {
        mask(value, 6, 4)
    }

    /// The date of birth encoded in characters 7 to 14.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        birth_date_of(&self.0)
    }
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<CreditCode, IdError> {
        let text = compact(input).to_ascii_uppercase();
        if text.is_empty() {
            return Err(IdError::Empty {
                what: "统一社会信用代码",
            });
        }
        if looks_like_float(&text) {
            return Err(IdError::DigitsLost {
                what: "统一社会信用代码",
            });
        }
        let len = text.chars().count();
        if len != 18 {
            return Err(IdError::CreditLength { len });
        }
        let mut values = [0u32; 18];
        for (slot, character) in values.iter_mut().zip(text.chars()) {
            *slot = credit_value(character).ok_or_else(|| IdError::CreditCharacter {
                code: text.clone(),
                character,
            })?;
        }
        if credit_check_value(&values[..17]) != values[17] {
            return Err(IdError::CreditCheckCharacter { code: text });
        }
        Ok(CreditCode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A credit code identifies an organisation, not a person, and is public on every licence;
    /// it is shown in full.
    pub fn masked(&self) -> String {
        self.0.clone()
    }
}

impl Phone {
    /// Accepts the ways numbers are written: `138 1234 5678`, `138-1234-5678`, `+86 13812345678`,
    /// `0551-12345678`, `(0551)12345678`, `055112345678`, `010-12345678-801`.
    pub fn parse(input: &str) -> Result<Phone, IdError> {
        let text = normalize_text(input);
        if text.is_empty() {
            return Err(IdError::Empty {
                what: "电话号码"
            });
        }
        if let Some(mobile) = parse_mobile(&text) {
            return Ok(Phone(mobile));
        }
        parse_landline(&text).map(Phone).ok_or(IdError::Phone)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        !self.0.contains('-')
    }

    /// `138****5678` for a mobile; `0551-****5678` for a landline (the area code is not personal).
    pub fn masked(&self) -> String {
        Phone::mask_str(&self.0)
    }

    /// Masks a stored phone number the way [`Phone::masked`] does, without parsing it again; a
    /// value too short to mask safely is starred entirely.
    pub fn mask_str(value: &str) -> String {
        if !value.contains('-') {
            return mask(value, 3, 4);
        }
        let mut parts = value.split('-');
        let area = parts.next().unwrap_or_default();
        let local = parts.next().unwrap_or_default();
        let mut masked = format!("{area}-{}", mask(local, 0, 4));
        for extension in parts {
            masked.push('-');
            masked.push_str(extension);
        }
        masked
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CreditCode").field(&self.masked()).finish()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

/// GB 11643-1999 weights: 2^(17-i) mod 11 for positions 1 to 17.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// GB 11643-1999 check characters, indexed by the weighted sum mod 11.
const ID_CHECK_CHARACTERS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// GB 32100-2015 alphabet: digits and upper-case letters without I, O, Z, S and V.
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015 weights: 3^(i-1) mod 31 for positions 1 to 17.
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The input without surrounding or inner white space, full-width characters folded: people
/// group long numbers with spaces when they type them.
fn compact(input: &str) -> String {
    normalize_text(input)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// `1.10105E+17`, `110105194912310000.0`: how a long number looks after passing through a numeric
/// spreadsheet cell. Its low digits are gone and cannot be recovered.
fn looks_like_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.split_once(['E', 'e']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (text, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, frac)) => {
            !whole.is_empty()
                && whole.chars().all(|c| c.is_ascii_digit())
                && frac.chars().all(|c| c.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        Some(exponent) => {
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    };
    // A credit code may hold an `E` between digits, but never a `.` or a `+`; requiring one of
    // them keeps `911101080123E45678` from being mistaken for a float.
    let signed = exponent.is_some_and(|e| e.starts_with(['+', '-']));
    mantissa_ok && mantissa.contains('.') && (exponent.is_none() || exponent_ok)
        || mantissa_ok && signed && exponent_ok
}

fn id_check_character(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit.saturating_sub(b'0')) * weight)
        .sum();
    ID_CHECK_CHARACTERS[(sum % 11) as usize]
}

/// Characters 7 to 14 as a date from 1900 on; `None` when they are not one.
fn birth_date_of(text: &str) -> Option<NaiveDate> {
    let digits = text.get(6..14)?;
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits.get(4..6)?.parse().ok()?;
    let day: u32 = digits.get(6..8)?.parse().ok()?;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

fn credit_value(character: char) -> Option<u32> {
    CREDIT_ALPHABET
        .find(character)
        .and_then(|index| u32::try_from(index).ok())
}

fn credit_check_value(first17: &[u32]) -> u32 {
    let sum: u32 = first17
        .iter()
        .zip(CREDIT_WEIGHTS)
        .map(|(value, weight)| value * weight)
        .sum();
    (31 - sum % 31) % 31
}

/// Keeps `head` leading and `tail` trailing characters and stars the rest. A text too short to
/// hide anything in between is starred whole, so a malformed stored value never shows in full.
fn mask(text: &str, head: usize, tail: usize) -> String {
    let len = text.chars().count();
    if len <= head + tail {
        return "*".repeat(len);
    }
    text.chars()
        .enumerate()
        .map(|(i, c)| if i >= head && i < len - tail { '*' } else { c })
        .collect()
}

/// `13812345678` from `138 1234 5678`, `138-1234-5678` or `+86 138…`.
fn parse_mobile(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .or_else(|| digits.strip_prefix("86").filter(|rest| rest.len() == 11))
        .unwrap_or(&digits);
    let bytes = digits.as_bytes();
    let ok = bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    ok.then(|| digits.to_owned())
}

/// `0551-12345678` from `0551-12345678`, `(0551)12345678`, `0551 12345678` or `055112345678`,
/// with an optional extension. Area codes are 3 digits for 010 and 02x, 4 digits otherwise, which
/// is what lets an unseparated number be split.
fn parse_landline(text: &str) -> Option<String> {
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| c.is_ascii_digit())?;
        let separators = &rest[..start];
        if !separators
            .chars()
            .all(|c| matches!(c, ' ' | '-' | '(' | ')' | '转'))
        {
            return None;
        }
        let after = &rest[start..];
        let end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        groups.push(&after[..end]);
        rest = &after[end..];
        if rest.chars().all(|c| matches!(c, ' ' | '-' | ')')) {
            break;
        }
    }
    let (area, local, extension) = match groups.as_slice() {
        [single] => {
            let area_len = if single.starts_with("01") || single.starts_with("02") {
                3
            } else {
                4
            };
            let area = single.get(..area_len)?;
            let local = single.get(area_len..)?;
            (area, local, None)
        }
        [area, local] => (*area, *local, None),
        [area, local, extension] => (*area, *local, Some(*extension)),
        _ => return None,
    };
    let area_ok = area.starts_with('0')
        && if area.starts_with("01") || area.starts_with("02") {
            area.len() == 3
        } else {
            area.len() == 4
        };
    // The 3-digit area codes belong to the largest cities, whose local numbers all have 8 digits.
    let local_len_ok = if area.len() == 3 {
        local.len() == 8
    } else {
        (7..=8).contains(&local.len())
    };
    let local_ok = local_len_ok && !local.starts_with('0');
    let extension_ok = extension.is_none_or(|e| (1..=6).contains(&e.len()));
    if !(area_ok && local_ok && extension_ok) {
        return None;
    }
    Some(match extension {
        Some(extension) => format!("{area}-{local}-{extension}"),
        None => format!("{area}-{local}"),
    })
}

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
