//! The one parser of field values, shared by web forms, the JSON API and Excel import.
//!
//! A value arrives as a [`Raw`] (what a form field or a spreadsheet cell holds) and leaves as a typed
//! [`Value`] checked against its [`FieldDef`]. Because every entry path goes through [`parse`], a
//! record typed in a form, posted as JSON or imported from a workbook is understood the same way,
//! including the spellings people really type: full-width digits, stray spaces, Excel date serials,
//! `2024年3月5日`, 是/Y/√, `1,200`, `12人`. Every user-facing message lives in [`ValueError`].

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use crate::ledger::catalogue::{FieldDef, FieldType};

/// The most characters a `text` field (and a unit, enterprise or person name) may hold.
pub const TEXT_MAX_CHARS: usize = 200;

/// The most characters a `longtext` field may hold.
pub const LONGTEXT_MAX_CHARS: usize = 5000;

/// What a form field, a JSON property or a spreadsheet cell gives us, before any interpretation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
}

/// A field value that has passed [`parse`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Decimal(f64),
    Date(NaiveDate),
    Bool(bool),
}

/// Why a value was refused. The `Display` texts are the messages users read, so all of this
/// module's wording is here, in one place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("必填项不能为空")]
    Required,
    #[error("无法识别的日期“{input}”，请按 2024-03-05 的格式填写")]
    InvalidDate { input: String },
    #[error("日期“{input}”超出范围，年份应在 1900 年至 2100 年之间，请按 2024-03-05 的格式填写")]
    DateOutOfRange { input: String },
    #[error("日期“{input}”不存在：{month}月没有{day}日")]
    NoSuchDay { input: String, month: u32, day: u32 },
    #[error("日期“{input}”不存在：月份应在 1 至 12 之间")]
    NoSuchMonth { input: String },
    #[error("无法识别的是否值“{input}”，请填写“是”或“否”")]
    InvalidBool { input: String },
    #[error("无法识别的整数“{input}”，请填写如 12 的整数")]
    InvalidInteger { input: String },
    #[error("“{input}”带有小数，此处只能填写整数")]
    FractionalInteger { input: String },
    #[error("无法识别的数字“{input}”，请填写如 9.8 的数字")]
    InvalidNumber { input: String },
    #[error("“{input}”带有“万”“亿”等数量单位或“余”“多”等约数，请填写准确的完整数字，如 12000")]
    MagnitudeWord { input: String },
    #[error("“{input}”的单位与本列不符，本列的单位是“{unit}”")]
    WrongUnit { input: String, unit: String },
    #[error("“{input}”是负数，此处只能填写零或正数")]
    Negative { input: String },
    #[error("数值“{input}”过大")]
    TooLarge { input: String },
    #[error(
        "“{input}”不是可选值{}；可选值：{}",
        nearest_clause(.nearest),
        .choices.join("、")
    )]
    NotAChoice {
        input: String,
        nearest: Option<String>,
        choices: Vec<String>,
    },
    #[error("内容过长：共 {len} 个字，最多 {max} 个字")]
    TooLong { len: usize, max: usize },
    #[error("内容含有不可见的控制字符，请删除后重新填写")]
    ControlCharacter,
    #[error("此处应填写单个值，不能是列表或对象")]
    NotAScalar,
    #[error("“{name}”重复出现，每人只能列一次")]
    RepeatedName { name: String },
    #[error("“{item}”未注明缺席原因，请写成“张三（病假）”；可选原因：{}", .choices.join("、"))]
    MissingReason { item: String, choices: Vec<String> },
    #[error("缺席原因“{reason}”不是可选值；可选原因：{}", .choices.join("、"))]
    NotAReason {
        reason: String,
        choices: Vec<String>,
    },
    #[error("名单最多 {max} 人，这里有 {count} 人")]
    TooManyNames { count: usize, max: usize },
}

/// The optional middle part of [`ValueError::NotAChoice`]'s message.
fn nearest_clause(nearest: &Option<String>) -> String {
    match nearest {
        Some(choice) => format!("，最接近的是“{choice}”"),
        None => String::new(),
    }
}

/// Parses one value for `field`.
///
/// An empty value (nothing, or only spaces) gives the field's default when it has one, `Ok(None)`
/// when the field is optional, and [`ValueError::Required`] otherwise.
pub fn parse(field: &FieldDef, raw: Raw<'_>) -> Result<Option<Value>, ValueError> {
    if is_empty(&raw) {
        return match &field.default {
            Some(default) => parse_present(field, default.as_raw()).map(Some),
            None if field.required => Err(ValueError::Required),
            None => Ok(None),
        };
    }
    parse_present(field, raw).map(Some)
}

/// Trims surrounding white space (including the full-width space U+3000 and zero-width marks that
/// copy-and-paste leaves behind) and folds full-width ASCII (`０-９`, `Ａ-Ｚ`, `．，－／（）＊`) to
/// half-width, so that what people type compares equal to what the catalogue declares.
pub fn normalize_text(text: &str) -> String {
    trim_blank(text).chars().map(fold_width).collect()
}

impl Value {
    /// The JSON form used by the API and stored records: dates as `"YYYY-MM-DD"`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Integer(n) => serde_json::Value::from(*n),
            // A parsed decimal is always finite, so `from_f64` cannot fail here; `Null` is the
            // honest answer if that invariant were ever broken.
            Value::Decimal(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Date(date) => serde_json::Value::String(date.format("%Y-%m-%d").to_string()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
        }
    }

    /// Reads a JSON property through the same parser as forms and spreadsheets, so the API is
    /// exactly as lenient and as strict as they are.
    pub fn from_json(
        field: &FieldDef,
        json: &serde_json::Value,
    ) -> Result<Option<Value>, ValueError> {
        let raw = match json {
            serde_json::Value::Null => Raw::Empty,
            serde_json::Value::Bool(b) => Raw::Bool(*b),
            serde_json::Value::Number(n) => Raw::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Raw::Text(s),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                return Err(ValueError::NotAScalar)
            }
        };
        parse(field, raw)
    }

    /// The value as people read it: dates as `2024-03-05`, booleans as 是/否.
    pub fn display(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Decimal(x) => format_number(*x),
            Value::Date(date) => date.format("%Y-%m-%d").to_string(),
            Value::Bool(true) => "是".to_owned(),
            Value::Bool(false) => "否".to_owned(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// Integers and decimals alike, for sums and ratios.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            // Parsed integers stay below 10^15, so the conversion is exact.
            Value::Integer(n) => Some(*n as f64),
            Value::Decimal(x) => Some(*x),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(date) => Some(*date),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Numbers beyond this magnitude are refused: no ledger quantity comes near it, and below it
/// every integer survives a round trip through `f64` (JSON, spreadsheet cells) exactly.
const MAX_MAGNITUDE: i64 = 999_999_999_999_999;

/// The span of years a ledger date may fall in; anything else is a typing slip (`0224-03-05`) or a
/// number that was never meant as a date.
const MIN_YEAR: i32 = *crate::calendar::YEARS.start();
const MAX_YEAR: i32 = *crate::calendar::YEARS.end();

/// Error messages quote at most this many characters of what was typed.
const QUOTE_MAX_CHARS: usize = 40;

/// Characters that change a number's magnitude or make it approximate; `1.2万` must never be
/// stored as 1.2.
const MAGNITUDE_CHARS: &[char] = &['十', '百', '千', '万', '萬', '亿', '億', '余', '多', '约'];

/// Spellings accepted for the unit a column names in its header, e.g. `面积(平方米)`.
const UNIT_SYNONYMS: &[(&str, &[&str])] = &[
    ("平方米", &["㎡", "m²", "m2", "平米", "平方"]),
    ("公里", &["km", "千米"]),
    ("小时", &["h", "时", "个小时"]),
    ("亿元", &["亿"]),
    ("万元", &["万"]),
    ("米", &["m"]),
];

const TRUE_WORDS: &[&str] = &["是", "y", "yes", "√", "✓", "✔", "1", "true", "有"];
const FALSE_WORDS: &[&str] = &["否", "n", "no", "×", "✗", "✘", "0", "false", "无"];

fn parse_present(field: &FieldDef, raw: Raw<'_>) -> Result<Value, ValueError> {
    match field.field_type {
        FieldType::Text | FieldType::Unit | FieldType::Enterprise | FieldType::Person => {
            parse_text(raw, TEXT_MAX_CHARS)
        }
        FieldType::Longtext => parse_text(raw, LONGTEXT_MAX_CHARS),
        FieldType::People => super::attendance::parse_people(&raw_to_text(&raw)),
        FieldType::Absences => super::attendance::parse_absences(field, &raw_to_text(&raw)),
        FieldType::Integer => parse_integer(field, raw),
        FieldType::Decimal => parse_decimal(field, raw),
        FieldType::Date => parse_date(raw),
        FieldType::Bool => parse_bool(raw),
        FieldType::Choice => parse_choice(field, raw),
    }
}

fn is_empty(raw: &Raw<'_>) -> bool {
    match raw {
        Raw::Empty => true,
        Raw::Text(text) => trim_blank(text).is_empty(),
        Raw::Number(_) | Raw::Bool(_) | Raw::DateTime(_) => false,
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

fn trim_blank(text: &str) -> &str {
    text.trim_matches(is_blank)
}

fn fold_width(c: char) -> char {
    match c {
        // U+FF01..U+FF5E mirror ASCII U+0021..U+007E at a fixed offset.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A cell of another type read as text, for text fields and for error messages.
fn raw_to_text<'a>(raw: &Raw<'a>) -> Cow<'a, str> {
    match raw {
        Raw::Empty => Cow::Borrowed(""),
        Raw::Text(text) => Cow::Borrowed(trim_blank(text)),
        Raw::Number(x) => Cow::Owned(format_number(*x)),
        Raw::Bool(true) => Cow::Borrowed("是"),
        Raw::Bool(false) => Cow::Borrowed("否"),
        Raw::DateTime(dt) if dt.time() == NaiveTime::MIN => {
            Cow::Owned(dt.format("%Y-%m-%d").to_string())
        }
        Raw::DateTime(dt) => Cow::Owned(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
    }
}

/// Writes a number without a spurious `.0`, the way it would be typed; huge or tiny magnitudes
/// in exponent form, so that an error message stays short.
fn format_number(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x.is_finite() && (x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6)) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// What was typed, shortened so that a pasted page does not become a page-long error message.
pub(super) fn quote(text: &str) -> String {
    let text = trim_blank(text);
    if text.chars().count() > QUOTE_MAX_CHARS {
        let head: String = text.chars().take(QUOTE_MAX_CHARS).collect();
        format!("{head}…")
    } else {
        text.to_owned()
    }
}

pub(super) fn parse_text(raw: Raw<'_>, max: usize) -> Result<Value, ValueError> {
    let text = raw_to_text(&raw);
    let text = trim_blank(&text);
    if text.is_empty() {
        return Err(ValueError::Required);
    }
    // Line breaks and tabs are legitimate in a cell; other control characters are invisible
    // garbage, and PostgreSQL refuses NUL outright.
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValueError::ControlCharacter);
    }
    let len = text.chars().count();
    if len > max {
        return Err(ValueError::TooLong { len, max });
    }
    Ok(Value::Text(text.to_owned()))
}

fn parse_bool(raw: Raw<'_>) -> Result<Value, ValueError> {
    match raw {
        Raw::Bool(b) => Ok(Value::Bool(b)),
        Raw::Number(1.0) => Ok(Value::Bool(true)),
        Raw::Number(0.0) => Ok(Value::Bool(false)),
        Raw::Text(text) => {
            let word = normalize_text(text).to_lowercase();
            if TRUE_WORDS.contains(&word.as_str()) {
                Ok(Value::Bool(true))
            } else if FALSE_WORDS.contains(&word.as_str()) {
                Ok(Value::Bool(false))
            } else {
                Err(ValueError::InvalidBool { input: quote(text) })
            }
        }
        other => Err(ValueError::InvalidBool {
            input: quote(&raw_to_text(&other)),
        }),
    }
}

fn parse_choice(field: &FieldDef, raw: Raw<'_>) -> Result<Value, ValueError> {
    let typed = raw_to_text(&raw);
    let wanted = normalize_text(&typed);
    if let Some(choice) = field
        .choices
        .iter()
        .find(|choice| normalize_text(choice) == wanted)
    {
        return Ok(Value::Text(choice.clone()));
    }
    Err(ValueError::NotAChoice {
        input: quote(&typed),
        nearest: nearest_choice(&wanted, &field.choices),
        choices: field.choices.clone(),
    })
}

/// The allowed value the user most likely meant, if any is close enough to be worth suggesting.
fn nearest_choice(wanted: &str, choices: &[String]) -> Option<String> {
    // Comparing very long input against every choice would only waste time: nobody mistypes a
    // short option as a paragraph.
    if wanted.is_empty() || wanted.chars().count() > 4 * QUOTE_MAX_CHARS {
        return None;
    }
    choices
        .iter()
        .map(|choice| {
            let folded = normalize_text(choice);
            let mut score = strsim::normalized_levenshtein(wanted, &folded);
            if folded.contains(wanted) || wanted.contains(folded.as_str()) {
                score = score.max(0.5);
            }
            (score, choice)
        })
        .filter(|(score, _)| *score >= 0.5)
        // Keep the first of equally close choices, i.e. the catalogue's order.
        .fold(None::<(f64, &String)>, |best, (score, choice)| match best {
            Some((best_score, _)) if best_score >= score => best,
            _ => Some((score, choice)),
        })
        .map(|(_, choice)| choice.clone())
}

/// A number as typed, split into its parts; digits are ASCII because input is normalized first.
struct Numeral<'s> {
    negative: bool,
    int_digits: String,
    frac_digits: &'s str,
    suffix: &'s str,
}

/// Reads `[+-]digits[,ddd…][.digits]` followed by an optional unit word. Commas are only accepted
/// as thousands separators, so the European `9,8` is not silently read as 98.
fn lex_number(text: &str) -> Option<Numeral<'_>> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let int_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let int_part = &rest[..int_end];
    let groups: Vec<&str> = int_part.split(',').collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        let others_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !others_ok {
            return None;
        }
    }
    let after_int = &rest[int_end..];
    let (frac_digits, suffix) = match after_int.strip_prefix('.') {
        Some(after_dot) => {
            let frac_end = after_dot
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after_dot.len());
            (&after_dot[..frac_end], &after_dot[frac_end..])
        }
        None => ("", after_int),
    };
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    Some(Numeral {
        negative,
        int_digits,
        frac_digits,
        suffix: trim_blank(suffix),
    })
}

/// The unit a header names in brackets: `面积(平方米)` gives `平方米`.
fn label_unit(label: &str) -> Option<String> {
    let label = normalize_text(label);
    let inner = label.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let unit = inner[open + 1..].trim();
    (!unit.is_empty()).then(|| unit.to_owned())
}

fn unit_matches(unit: &str, suffix: &str) -> bool {
    let suffix = suffix.to_lowercase();
    suffix == unit
        || UNIT_SYNONYMS
            .iter()
            .any(|(name, spellings)| *name == unit && spellings.contains(&suffix.as_str()))
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Accepts a unit word after a number: the column's own unit (`9.8公里` under `长度(公里)`), or for
/// a column without one any plain counting word (`12人`, `3次`), but never a magnitude (`1.2万`).
fn check_suffix(
    field: &FieldDef,
    suffix: &str,
    input: &str,
    invalid: fn(String) -> ValueError,
) -> Result<(), ValueError> {
    if suffix.is_empty() {
        return Ok(());
    }
    let unit = label_unit(&field.label);
    if let Some(unit) = &unit {
        if unit_matches(unit, suffix) {
            return Ok(());
        }
    }
    if suffix.contains(MAGNITUDE_CHARS) {
        return Err(ValueError::MagnitudeWord {
            input: quote(input),
        });
    }
    match unit {
        Some(unit) => Err(ValueError::WrongUnit {
            input: quote(input),
            unit,
        }),
        None if suffix.chars().all(is_cjk) => Ok(()),
        None => Err(invalid(quote(input))),
    }
}

fn invalid_integer(input: String) -> ValueError {
    ValueError::InvalidInteger { input }
}

fn invalid_number(input: String) -> ValueError {
    ValueError::InvalidNumber { input }
}

fn parse_integer(field: &FieldDef, raw: Raw<'_>) -> Result<Value, ValueError> {
    let text = match raw {
        Raw::Number(x) => return integer_from_f64(x).map(Value::Integer),
        Raw::Text(text) => text,
        other => {
            return Err(ValueError::InvalidInteger {
                input: quote(&raw_to_text(&other)),
            })
        }
    };
    let normalized = normalize_text(text);
    let numeral = lex_number(&normalized).ok_or_else(|| invalid_integer(quote(text)))?;
    check_suffix(field, numeral.suffix, text, invalid_integer)?;
    if numeral.frac_digits.chars().any(|c| c != '0') {
        return Err(ValueError::FractionalInteger { input: quote(text) });
    }
    let digits = numeral.int_digits.trim_start_matches('0');
    if digits.len() > 15 {
        return Err(ValueError::TooLarge { input: quote(text) });
    }
    let magnitude: i64 = if digits.is_empty() {
        0
    } else {
        digits
            .parse()
            .map_err(|_| ValueError::TooLarge { input: quote(text) })?
    };
    if magnitude > MAX_MAGNITUDE {
        return Err(ValueError::TooLarge { input: quote(text) });
    }
    if numeral.negative && magnitude != 0 {
        return Err(ValueError::Negative { input: quote(text) });
    }
    Ok(Value::Integer(magnitude))
}

/// A spreadsheet number in an integer column: `12.0` is fine, `12.5` is not. A tiny tolerance
/// absorbs binary noise from cells that hold a formula.
fn integer_from_f64(x: f64) -> Result<i64, ValueError> {
    let input = format_number(x);
    if !x.is_finite() {
        return Err(ValueError::InvalidInteger { input });
    }
    let rounded = x.round();
    if (x - rounded).abs() > 1e-9 {
        return Err(if x < 0.0 {
            ValueError::Negative { input }
        } else {
            ValueError::FractionalInteger { input }
        });
    }
    if rounded.abs() > MAX_MAGNITUDE as f64 {
        return Err(ValueError::TooLarge { input });
    }
    if rounded < 0.0 {
        return Err(ValueError::Negative { input });
    }
    Ok(rounded as i64)
}

fn parse_decimal(field: &FieldDef, raw: Raw<'_>) -> Result<Value, ValueError> {
    let (x, input) = match raw {
        Raw::Number(x) => (x, format_number(x)),
        Raw::Text(text) => {
            let normalized = normalize_text(text);
            let numeral = lex_number(&normalized).ok_or_else(|| invalid_number(quote(text)))?;
            check_suffix(field, numeral.suffix, text, invalid_number)?;
            if numeral.int_digits.trim_start_matches('0').len() > 15 {
                return Err(ValueError::TooLarge { input: quote(text) });
            }
            let int = if numeral.int_digits.is_empty() {
                "0"
            } else {
                numeral.int_digits.as_str()
            };
            let frac = if numeral.frac_digits.is_empty() {
                "0"
            } else {
                numeral.frac_digits
            };
            let magnitude: f64 = format!("{int}.{frac}")
                .parse()
                .map_err(|_| invalid_number(quote(text)))?;
            let x = if numeral.negative {
                -magnitude
            } else {
                magnitude
            };
            (x, quote(text))
        }
        other => {
            return Err(ValueError::InvalidNumber {
                input: quote(&raw_to_text(&other)),
            })
        }
    };
    if !x.is_finite() {
        return Err(ValueError::InvalidNumber { input });
    }
    if x.abs() > MAX_MAGNITUDE as f64 {
        return Err(ValueError::TooLarge { input });
    }
    let rounded = round_to(x, field.scale());
    if rounded < 0.0 {
        return Err(ValueError::Negative { input });
    }
    // Rounding `-0.001` to two places gives `-0.0`; store a plain zero.
    Ok(Value::Decimal(if rounded == 0.0 { 0.0 } else { rounded }))
}

fn round_to(x: f64, scale: u32) -> f64 {
    let factor = 10f64.powi(scale.min(9) as i32);
    (x * factor).round() / factor
}

fn parse_date(raw: Raw<'_>) -> Result<Value, ValueError> {
    let date = match raw {
        Raw::DateTime(dt) => {
            let input = raw_to_text(&raw).into_owned();
            return checked_year(dt.date(), input).map(Value::Date);
        }
        Raw::Number(x) => date_from_number(x)?,
        Raw::Text(text) => date_from_text(text)?,
        other => {
            return Err(ValueError::InvalidDate {
                input: quote(&raw_to_text(&other)),
            })
        }
    };
    Ok(Value::Date(date))
}

fn checked_year(date: NaiveDate, input: String) -> Result<NaiveDate, ValueError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(ValueError::DateOutOfRange { input })
    }
}

/// A numeric cell in a date column: an Excel serial, or `20240305` typed into a number cell.
fn date_from_number(x: f64) -> Result<NaiveDate, ValueError> {
    let input = format_number(x);
    if x.fract() == 0.0 && (10_000_000.0..100_000_000.0).contains(&x) {
        let digits = input.clone();
        return date_from_ymd(&digits[0..4], &digits[4..6], &digits[6..8], &input);
    }
    match excel_serial_to_date(x) {
        Some(date) => checked_year(date, input),
        None => Err(ValueError::InvalidDate { input }),
    }
}

/// Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the 1900-02-29 that Lotus
/// 1-2-3 invented and Excel kept, so serials from 61 on are one day ahead of a plain day count.
fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let day = serial.floor() as i64;
    let epoch = match day {
        60 => return None,
        ..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    epoch.checked_add_signed(chrono::TimeDelta::try_days(day)?)
}

/// A date typed into a form field, read the way an import reads a date cell's text
/// (`2024-03-05`, `2024/3/5`, `2024年3月5日`, `20240305`), with the same messages.
pub fn parse_date_text(text: &str) -> Result<NaiveDate, ValueError> {
    date_from_text(text)
}

fn date_from_text(text: &str) -> Result<NaiveDate, ValueError> {
    let input = quote(text);
    let invalid = || ValueError::InvalidDate {
        input: input.clone(),
    };
    let normalized = normalize_text(text);
    let (date_part, time_part) = split_time(&normalized);
    if let Some(time) = time_part {
        if !is_time(time) {
            return Err(invalid());
        }
    }
    if date_part.chars().all(|c| c.is_ascii_digit()) {
        return match date_part.len() {
            8 => date_from_ymd(&date_part[0..4], &date_part[4..6], &date_part[6..8], &input),
            // A five-digit number is a serial that lost its cell type on the way (CSV, a text
            // cell); shorter or longer digit runs are not dates anyone types.
            5 => date_part
                .parse::<f64>()
                .ok()
                .and_then(excel_serial_to_date)
                .map_or_else(|| Err(invalid()), |date| checked_year(date, input.clone())),
            _ => Err(invalid()),
        };
    }
    if is_fractional_serial(date_part) && time_part.is_none() {
        return date_part
            .parse::<f64>()
            .ok()
            .and_then(excel_serial_to_date)
            .map_or_else(|| Err(invalid()), |date| checked_year(date, input.clone()));
    }
    if let Some((year, rest)) = date_part.split_once('年') {
        let rest = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('号'))
            .unwrap_or(rest);
        let (month, day) = rest.split_once('月').ok_or_else(invalid)?;
        return date_from_ymd(year.trim(), month.trim(), day.trim(), &input);
    }
    let separator = date_part
        .chars()
        .find(|c| matches!(c, '-' | '/' | '.'))
        .ok_or_else(invalid)?;
    let parts: Vec<&str> = date_part.split(separator).collect();
    match parts.as_slice() {
        [year, month, day] => date_from_ymd(year, month, day, &input),
        _ => Err(invalid()),
    }
}

/// Splits `2024-03-05 10:00` or `2024-03-05T10:00:00` into the date and the time of day.
fn split_time(text: &str) -> (&str, Option<&str>) {
    if let Some((date, time)) = text.split_once(char::is_whitespace) {
        return (date, Some(trim_blank(time)));
    }
    if let Some(index) = text.find('T') {
        return (&text[..index], Some(&text[index + 1..]));
    }
    (text, None)
}

fn is_time(text: &str) -> bool {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .any(|format| NaiveTime::parse_from_str(text, format).is_ok())
}

fn is_fractional_serial(text: &str) -> bool {
    match text.split_once('.') {
        Some((whole, frac)) => {
            whole.len() == 5
                && !frac.is_empty()
                && whole
                    .chars()
                    .chain(frac.chars())
                    .all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn date_from_ymd(year: &str, month: &str, day: &str, input: &str) -> Result<NaiveDate, ValueError> {
    let invalid = || ValueError::InvalidDate {
        input: input.to_owned(),
    };
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if year.len() != 4
        || !(1..=2).contains(&month.len())
        || !(1..=2).contains(&day.len())
        || ![year, month, day].into_iter().all(all_digits)
    {
        return Err(invalid());
    }
    let (Ok(y), Ok(m), Ok(d)) = (year.parse(), month.parse::<u32>(), day.parse::<u32>()) else {
        return Err(invalid());
    };
    // A date that reads as one but is not in the calendar: say what is wrong with it.
    if !(1..=12).contains(&m) {
        return Err(ValueError::NoSuchMonth {
            input: input.to_owned(),
        });
    }
    let date = NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        if d == 0 {
            invalid()
        } else {
            ValueError::NoSuchDay {
                input: input.to_owned(),
                month: m,
                day: d,
            }
        }
    })?;
    checked_year(date, input.to_owned())
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
