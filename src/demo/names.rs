//! Fictional names and identifiers for the demo park: people, enterprises, ID numbers (GB 11643)
//! and unified social credit codes (GB 32100) that pass the same checks as real ones, so that the
//! rosters could have been imported from a real office's spreadsheets.

use std::collections::HashSet;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// The demo park's name. Fixed rather than drawn from the seed, so that a second build into the
/// same database is recognised and refused.
pub const PARK_NAME: &str = "青峰经济开发区";

/// Common surnames, the most frequent first; drawn with a bias towards the front.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
];

const MALE_GIVEN: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "志", "峰",
    "建", "国", "海", "文", "晨", "博", "亮", "锋", "翔", "毅", "成", "振", "荣", "立", "德", "东",
];

const FEMALE_GIVEN: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莹", "倩", "颖",
    "琳", "洁", "红", "梅", "兰", "萍", "晶", "欣", "悦", "佳", "璐", "瑶", "怡", "妍", "蕾", "薇",
];

/// Region codes of the fictional park's surroundings, for ID numbers and credit codes.
const REGIONS: &[&str] = &[
    "340104", "340111", "340121", "340122", "341502", "342401", "340304",
];

/// Mobile prefixes in use on the mainland.
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188", "189",
    "199",
];

const TRADE_FIRST: &[&str] = &[
    "恒", "安", "华", "博", "天", "金", "鼎", "宏", "新", "瑞", "锦", "盛", "永", "凯", "和", "嘉",
    "康", "力", "明", "诺", "启", "荣", "森", "泰", "祥", "兴", "耀", "卓", "皖", "江", "青", "中",
];

const TRADE_SECOND: &[&str] = &[
    "远", "信", "瑞", "晟", "润", "桥", "泰", "达", "元", "丰", "程", "鑫", "创", "源", "辰", "骏",
    "诚", "弘", "铭", "立", "威", "昊", "宸", "拓", "峰", "川", "邦", "锐", "航", "科", "通", "捷",
];

/// Industries of the enterprise roster and the words their company names use.
pub const INDUSTRIES: &[(&str, &[&str])] = &[
    (
        "装备制造",
        &["精密机械", "智能装备", "数控设备", "液压科技"],
    ),
    ("新材料", &["新材料科技", "高分子材料", "复合材料"]),
    ("电子信息", &["电子科技", "光电科技", "半导体"]),
    ("生物医药", &["生物科技", "医药", "医疗器械"]),
    ("新能源", &["新能源科技", "光伏科技", "储能科技"]),
    ("食品加工", &["食品", "农业科技"]),
    ("现代物流", &["物流", "供应链管理"]),
    ("软件和信息服务", &["信息技术", "软件科技", "数据科技"]),
];

/// Street names for enterprise addresses.
const STREETS: &[&str] = &[
    "青峰大道",
    "创新路",
    "科技路",
    "振兴路",
    "翠湖路",
    "文昌路",
    "工业大道",
];

/// Draws names without repeating one: rosters and ledgers name people by name, so two people of
/// the same name would make the demo's ledgers ambiguous.
#[derive(Default)]
pub struct NameBook {
    used: HashSet<String>,
}

impl NameBook {
    /// A new person's name of the given gender, unique within the park.
    pub fn person(&mut self, rng: &mut StdRng, male: bool) -> String {
        loop {
            // Squaring a uniform draw favours the common surnames, as real rosters do.
            let u: f64 = rng.gen();
            let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize % SURNAMES.len()];
            let pool = if male { MALE_GIVEN } else { FEMALE_GIVEN };
            let mut name = String::from(surname);
            let first = pick(rng, pool);
            name.push_str(first);
            if rng.gen_bool(0.6) {
                let second = pick(rng, pool);
                // Doubled characters (浩浩) are rare in real rosters; so are surnames as given names.
                if second == first || second == surname {
                    continue;
                }
                name.push_str(second);
            }
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }

    /// A company trade name (字号) such as 恒远, unique within the park.
    pub fn trade_name(&mut self, rng: &mut StdRng) -> String {
        loop {
            let name = format!("{}{}", pick(rng, TRADE_FIRST), pick(rng, TRADE_SECOND));
            if name.chars().next() != name.chars().nth(1) && self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

/// One element of a non-empty constant pool.
pub fn pick<'a>(rng: &mut StdRng, pool: &[&'a str]) -> &'a str {
    pool.choose(rng).copied().unwrap_or_default()
}

/// A resident ID number for someone born on `birth`: region, date of birth, a sequence whose
/// last digit is odd for men and even for women, and the GB 11643 check character.
pub fn id_number(rng: &mut StdRng, birth: NaiveDate, male: bool) -> String {
    let region = pick(rng, REGIONS);
    let sequence = rng.gen_range(0..50) * 2 + u32::from(male) + rng.gen_range(0..9) * 100;
    let body = format!("{region}{}{sequence:03}", birth.format("%Y%m%d"));
    let check = id_check_character(&body);
    format!("{body}{check}")
}

/// A mobile number; `serial` (below 10,000) makes it unique within the park.
pub fn mobile(rng: &mut StdRng, serial: usize) -> String {
    let prefix = pick(rng, MOBILE_PREFIXES);
    let middle: u32 = rng.gen_range(1000..10000);
    format!("{prefix}{middle}{:04}", scramble(serial))
}

/// Spreads consecutive serials over 0..10,000 without repeating one (7,919 is prime to 10,000),
/// so that numbers made from them do not read 0001, 0002, ….
fn scramble(serial: usize) -> usize {
    (serial % 10_000) * 7_919 % 10_000
}

/// A unified social credit code of an enterprise (登记管理部门 9, 类别 1) registered in one of
/// the park's regions: the region, a 9-character organisation code with its GB 11714 check
/// character, and the GB 32100 check character.
pub fn credit_code(rng: &mut StdRng, serial: usize) -> String {
    let region = pick(rng, REGIONS);
    let organisation = rng.gen_range(1000..10000) * 10_000 + scramble(serial);
    let organisation = format!("{organisation:08}");
    let body = format!(
        "91{region}{organisation}{}",
        organisation_check(&organisation)
    );
    let check = credit_check_character(&body);
    format!("{body}{check}")
}

/// A street address in the park.
pub fn address(rng: &mut StdRng) -> String {
    format!(
        "{}{}{}号",
        PARK_NAME,
        pick(rng, STREETS),
        rng.gen_range(1..300)
    )
}

/// GB 11643-1999: weights 2^(17-i) mod 11, check characters indexed by the sum mod 11.
fn id_check_character(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    CHECKS[(sum % 11) as usize]
}

/// GB 11714-1997: the organisation code's ninth character from its first eight digits.
fn organisation_check(first8: &str) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first8
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

/// GB 32100-2015: weights 3^(i-1) mod 31 over the 31-character alphabet without I, O, Z, S, V.
fn credit_check_character(first17: &str) -> char {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| ALPHABET.find(c).map_or(0, |v| v as u32) * w)
        .sum();
    let check = ((31 - sum % 31) % 31) as usize;
    ALPHABET.chars().nth(check).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::ids::{CreditCode, IdNumber, Phone};
    use rand::SeedableRng;

    #[test]
    fn identifiers_pass_the_national_checks() {
        let mut rng = StdRng::seed_from_u64(7);
        for serial in 0..500 {
            let male = serial % 2 == 0;
            let birth = NaiveDate::from_ymd_opt(
                1960 + serial as i32 % 40,
                1 + serial as u32 % 12,
                1 + serial as u32 % 28,
            )
            .expect("valid date");
            let id = id_number(&mut rng, birth, male);
            let parsed = IdNumber::parse(&id).expect("ID number parses");
            assert_eq!(parsed.birth_date(), Some(birth));
            let gender_digit = id.as_bytes()[16] - b'0';
            assert_eq!(gender_digit % 2 == 1, male, "{id}");
            CreditCode::parse(&credit_code(&mut rng, serial)).expect("credit code parses");
            assert!(Phone::parse(&mobile(&mut rng, serial))
                .expect("phone parses")
                .is_mobile());
        }
    }

    #[test]
    fn organisation_code_check_follows_gb_11714() {
        // 3·1 + 7·2 + 9·3 + 10·4 + 5·5 + 8·6 + 4·7 + 2·8 = 201, 201 mod 11 = 3, 11 - 3 = 8.
        assert_eq!(organisation_check("12345678"), '8');
        // 3·1 = 3, 11 - 3 = 8; a remainder of 1 gives 10, written X; of 0 gives 11, written 0.
        assert_eq!(organisation_check("10000000"), '8');
        assert_eq!(organisation_check("00000006"), 'X');
        assert_eq!(organisation_check("00000000"), '0');
    }

    #[test]
    fn names_do_not_repeat() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut book = NameBook::default();
        let names: HashSet<String> = (0..400)
            .map(|i| book.person(&mut rng, i % 3 != 0))
            .collect();
        assert_eq!(names.len(), 400);
    }
}
