//! Numbers the way Chinese reports write them: "50余", "4.1万", "93.9%", "十二", "增长12.5%".
//!
//! Pure functions of numbers to text; `filters.rs` exposes them to templates and FILTERS.md
//! documents them for template authors. Rounding is always half away from zero on the decimal
//! value people see (2.45 → 2.5), never banker's rounding on the binary one.

/// Rounds half away from zero to `decimals` places. A tiny relative nudge first absorbs binary
/// representation error, so that 2.45 (stored as 2.4499…) rounds as the 2.45 that was typed.
pub fn round_to(x: f64, decimals: u32) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let y = x * scale;
    let nudged = y + y.signum() * y.abs().max(1.0) * 1e-12;
    nudged.round() / scale
}

/// Fixed decimals: `fixed(3.456, 1)` → "3.5", `fixed(3.0, 2)` → "3.00".
pub fn fixed(x: f64, decimals: u32) -> String {
    let rounded = round_to(x, decimals);
    // -0.0 would print as "-0.0".
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.*}", decimals as usize)
}

/// A number without spurious zeros: 3000.0 → "3000", 3.50 → "3.5", 0.125 → "0.125".
pub fn num(x: f64) -> String {
    trim_zeros(fixed(x, 6))
}

/// An approximate count as "N余": rounded down to two significant digits (to whole tens below
/// 100), with "余" when anything was dropped. Below 10 the number is exact. 53 → "50余", 8 → "8", 126 → "120余",
/// 1234 → "1200余", 120 → "120".
pub fn approx(x: f64) -> String {
    if !x.is_finite() || x < 10.0 {
        return num(x);
    }
    // Counts stay far below 2^53, so the conversion is exact.
    let whole = x.floor() as i64;
    let has_fraction = x - whole as f64 > 1e-9;
    let digits = whole.to_string().len() as u32;
    let step = 10i64.pow(digits.saturating_sub(2).max(1));
    let kept = whole / step * step;
    if kept == whole && !has_fraction {
        whole.to_string()
    } else {
        format!("{kept}余")
    }
}

/// Tens of thousands: 41410 → "4.1万" (one decimal, rounded); below 10 000 the plain number.
/// With `approximate`, whole 万 rounded down with "余": 41410 → "4万余", 40000 → "4万", and
/// below 10 000 the [`approx`] form.
pub fn wan(x: f64, approximate: bool) -> String {
    magnitude(x, 1e4, "万", approximate)
}

/// Hundreds of millions: 1.5e9 → "15亿", 123456789 → "1.2亿"; below 1亿 falls back to [`wan`].
pub fn yi(x: f64, approximate: bool) -> String {
    if x.abs() < 1e8 {
        return wan(x, approximate);
    }
    magnitude(x, 1e8, "亿", approximate)
}

fn magnitude(x: f64, unit: f64, name: &str, approximate: bool) -> String {
    if !x.is_finite() || x.abs() < unit {
        return if approximate { approx(x) } else { num(x) };
    }
    if approximate {
        let whole = (x / unit).floor();
        let rest = x - whole * unit;
        let more = if rest > 1e-9 { "余" } else { "" };
        format!("{}{name}{more}", num(whole))
    } else {
        format!("{}{name}", trim_zeros(fixed(x / unit, 1)))
    }
}

/// A percentage: 93.9 → "93.9%", 100.0 → "100%", 93.85 → "93.9%" (at most one decimal).
pub fn pct(x: f64, decimals: u32) -> String {
    format!("{}%", trim_zeros(fixed(x, decimals)))
}

/// Chinese numerals for a whole number: 3 → "三", 12 → "十二", 21 → "二十一", 105 → "一百零五",
/// 20300 → "二万零三百", 0 → "零". `None` for a number that is not whole or is too large.
pub fn cn(x: f64) -> Option<String> {
    if !x.is_finite() || x.fract() != 0.0 || x.abs() >= 1e16 {
        return None;
    }
    let n = x as i64;
    if n < 0 {
        return cn(-x).map(|s| format!("负{s}"));
    }
    if n == 0 {
        return Some("零".to_string());
    }
    const BIG: [&str; 4] = ["", "万", "亿", "万亿"];
    let mut sections = Vec::new();
    let mut rest = n;
    while rest > 0 {
        sections.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut gap = false;
    for (i, &section) in sections.iter().enumerate().rev() {
        if section == 0 {
            gap = !out.is_empty();
            continue;
        }
        // A zero is read wherever a section or a digit inside one is skipped: 一万零五.
        if !out.is_empty() && (gap || section < 1000) {
            out.push('零');
        }
        gap = false;
        out.push_str(&cn_section(section));
        out.push_str(BIG[i]);
    }
    // 10–19 at the head are said "十二", not "一十二"; 一百一十 keeps its 一.
    Some(match out.strip_prefix("一十") {
        Some(tail) => format!("十{tail}"),
        None => out,
    })
}

/// One section of up to four digits (1..=9999), with inner zeros read once: 1010 → 一千零一十.
fn cn_section(section: i64) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    let mut out = String::new();
    let mut zero = false;
    for pos in (0..4).rev() {
        let digit = (section / 10i64.pow(pos)) % 10;
        if digit == 0 {
            zero = !out.is_empty();
        } else {
            if zero {
                out.push('零');
                zero = false;
            }
            out.push(DIGITS[digit as usize]);
            out.push_str(UNITS[pos as usize]);
        }
    }
    out
}

/// This year against last: "增长12.5%", "下降3.0%", "持平" (also when the change rounds to 0.0%).
/// From nothing to something there is no percentage: "增长（上年为0）".
pub fn change(current: f64, previous: f64) -> String {
    if previous == 0.0 {
        return if current == 0.0 {
            "持平".to_string()
        } else if current > 0.0 {
            "增长（上年为0）".to_string()
        } else {
            "下降（上年为0）".to_string()
        };
    }
    let rate = round_to((current - previous) / previous.abs() * 100.0, 1);
    if rate > 0.0 {
        format!("增长{}%", fixed(rate, 1))
    } else if rate < 0.0 {
        format!("下降{}%", fixed(-rate, 1))
    } else {
        "持平".to_string()
    }
}

fn trim_zeros(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_up_on_the_decimal_value() {
        assert_eq!(round_to(2.45, 1), 2.5);
        assert_eq!(round_to(93.85, 1), 93.9);
        assert_eq!(round_to(1.005, 2), 1.01);
        assert_eq!(round_to(-2.45, 1), -2.5);
        assert_eq!(fixed(3.456, 1), "3.5");
        assert_eq!(fixed(3.0, 2), "3.00");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(12.0, 0), "12");
    }

    #[test]
    fn num_drops_spurious_zeros() {
        assert_eq!(num(3000.0), "3000");
        assert_eq!(num(3.5), "3.5");
        assert_eq!(num(0.125), "0.125");
        assert_eq!(num(0.1 + 0.2), "0.3");
    }

    #[test]
    fn approx_keeps_two_significant_digits() {
        assert_eq!(approx(53.0), "50余");
        assert_eq!(approx(8.0), "8");
        assert_eq!(approx(0.0), "0");
        assert_eq!(approx(126.0), "120余");
        assert_eq!(approx(1234.0), "1200余");
        assert_eq!(approx(120.0), "120");
        assert_eq!(approx(10.0), "10");
        assert_eq!(approx(19.0), "10余");
        assert_eq!(approx(100.0), "100");
        assert_eq!(approx(101.0), "100余");
        assert_eq!(approx(50.5), "50余");
    }

    #[test]
    fn wan_and_yi() {
        assert_eq!(wan(41410.0, false), "4.1万");
        assert_eq!(wan(45678.0, false), "4.6万");
        assert_eq!(wan(40000.0, false), "4万");
        assert_eq!(wan(8000.0, false), "8000");
        assert_eq!(wan(41410.0, true), "4万余");
        assert_eq!(wan(40000.0, true), "4万");
        assert_eq!(wan(8534.0, true), "8500余");
        assert_eq!(wan(123456.0, true), "12万余");
        assert_eq!(yi(1.5e9, false), "15亿");
        assert_eq!(yi(123_456_789.0, false), "1.2亿");
        assert_eq!(yi(123_456_789.0, true), "1亿余");
        assert_eq!(yi(5e7, false), "5000万");
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(93.9, 1), "93.9%");
        assert_eq!(pct(100.0, 1), "100%");
        assert_eq!(pct(93.85, 1), "93.9%");
        assert_eq!(pct(12.345, 2), "12.35%");
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            (0, "零"),
            (3, "三"),
            (10, "十"),
            (12, "十二"),
            (21, "二十一"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1010, "一千零一十"),
            (10000, "一万"),
            (10005, "一万零五"),
            (20300, "二万零三百"),
            (100000, "十万"),
            (150000, "十五万"),
            (100_000_000, "一亿"),
            (100_010_000, "一亿零一万"),
            (-3, "负三"),
        ];
        for (n, want) in cases {
            assert_eq!(cn(n as f64).as_deref(), Some(want), "{n}");
        }
        assert_eq!(cn(2.5), None);
    }

    #[test]
    fn year_over_year_change() {
        assert_eq!(change(45.0, 40.0), "增长12.5%");
        assert_eq!(change(97.0, 100.0), "下降3.0%");
        assert_eq!(change(40.0, 40.0), "持平");
        assert_eq!(change(0.0, 0.0), "持平");
        assert_eq!(change(10000.0, 10001.0), "持平");
        assert_eq!(change(5.0, 0.0), "增长（上年为0）");
    }
}
