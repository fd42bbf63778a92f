//! Unit tests of `ids.rs`.

use super::*;

/// GB 11643-1999 from its definition, independent of the tables above: weights 2^(17-i) mod
/// 11, and the check value is the one that makes the full weighted sum ≡ 1 (mod 11).
fn reference_id_check(first17: &str) -> char {
    let sum: u64 = first17
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let weight = 2u64.pow(17 - i as u32) % 11;
            u64::from(c.to_digit(10).expect("digit")) * weight
        })
        .sum();
    match (12 - sum % 11) % 11 {
        10 => 'X',
        v => char::from_digit(v as u32, 10).expect("single digit"),
    }
}

/// GB 32100-2015 from its definition: weights 3^(i-1) mod 31, check = 31 - sum mod 31.
fn reference_credit_check(first17: &str) -> char {
    let alphabet: Vec<char> = "0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect();
    let sum: u64 = first17
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let value = alphabet.iter().position(|a| *a == c).expect("in alphabet") as u64;
            value * (3u64.pow(i as u32) % 31)
        })
        .sum();
    alphabet[((31 - sum % 31) % 31) as usize]
}

fn with_id_check(first17: &str) -> String {
    format!("{first17}{}", reference_id_check(first17))
}

#[test]
fn weight_tables_follow_the_standards() {
    let id: Vec<u32> = (0..17).map(|i| 2u32.pow(17 - i) % 11).collect();
    assert_eq!(id, ID_WEIGHTS);
    let credit: Vec<u32> = (0..17).map(|i| 3u64.pow(i) as u32 % 31).collect();
    assert_eq!(credit, CREDIT_WEIGHTS);
}

#[test]
fn well_known_id_number_is_valid() {
    assert_eq!(reference_id_check("11010519491231002"), 'X');
    let id = IdNumber::parse("11010519491231002X").expect("valid sample");
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.masked(), "110105********002X");
    assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
}

#[test]
fn id_number_accepts_lower_case_x_spaces_and_full_width() {
    let lower = IdNumber::parse(" 11010519491231002x ").expect("lower-case x");
    assert_eq!(lower.as_str(), "11010519491231002X");
    let spaced = IdNumber::parse("110105 19491231 002X").expect("grouped");
    assert_eq!(spaced.as_str(), "11010519491231002X");
    let wide = IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ").expect("full-width");
    assert_eq!(wide, lower);
}

#[test]
fn id_numbers_with_computed_check_characters() {
    for first17 in [
        "44052419800101001",
        "11010120000101123",
        "32010619900307111",
        "51010819850815002",
    ] {
        let full = with_id_check(first17);
        let id = IdNumber::parse(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
        assert_eq!(id.as_str(), full);
        // Every other check character must be refused.
        for wrong in "0123456789X".chars().filter(|c| !full.ends_with(*c)) {
            let text = format!("{first17}{wrong}");
            assert!(IdNumber::parse(&text).is_err(), "{text} accepted");
        }
    }
    assert_eq!(with_id_check("44052418800101001"), "440524188001010014");
}

#[test]
fn id_number_errors() {
    assert_eq!(
        IdNumber::parse("  "),
        Err(IdError::Empty {
            what: "身份证号"
        })
    );
    assert_eq!(
        IdNumber::parse("11010519491231002X0"),
        Err(IdError::IdLength { len: 19 })
    );
    assert_eq!(IdNumber::parse("1101"), Err(IdError::IdLength { len: 4 }));
    assert_eq!(
        IdNumber::parse("11010519491231002"),
        Err(IdError::IdTooShort { len: 17 })
    );
    assert_eq!(
        IdNumber::parse("110105491231002"),
        Err(IdError::IdTooShort { len: 15 })
    );
    assert_eq!(
        IdNumber::parse("1101051949123100X2"),
        Err(IdError::IdCharacters)
    );
    assert_eq!(
        IdNumber::parse("11010519491231002Y"),
        Err(IdError::IdCharacters)
    );
    // 1949-02-30 does not exist; the check character is right for those digits.
    let bad_birth = with_id_check("11010519490230002");
    assert_eq!(IdNumber::parse(&bad_birth), Err(IdError::IdBirthDate));
    let too_old = with_id_check("11010518991231002");
    assert_eq!(IdNumber::parse(&too_old), Err(IdError::IdBirthDate));
    assert_eq!(
        IdNumber::parse("110105194912310021"),
        Err(IdError::IdCheckCharacter)
    );
    // One digit mistyped in the body.
    assert_eq!(
        IdNumber::parse("11010519491231003X"),
        Err(IdError::IdCheckCharacter)
    );
}

#[test]
fn id_number_that_went_through_a_numeric_cell_is_refused() {
    let lost = Err(IdError::DigitsLost {
        what: "身份证号"
    });
    for input in [
        "1.10105E+17",
        "1.10105e17",
        "1.10105194912310E+17",
        "110105194912310000.0",
        "1.1010519491231e+17",
    ] {
        assert_eq!(IdNumber::parse(input), lost, "{input}");
    }
    // Excel keeps 15 significant digits: the last three come back as zeros.
    assert_eq!(IdNumber::parse("110105194912310000"), lost);
    let message = IdError::DigitsLost {
        what: "身份证号"
    }
    .to_string();
    assert!(message.contains("单元格是数字格式"), "{message}");
    assert!(message.contains("文本"), "{message}");
    let short = IdError::IdTooShort { len: 17 }.to_string();
    assert!(
        short.contains("位数已经丢失") && short.contains("17"),
        "{short}"
    );
}

#[test]
fn id_number_is_masked_in_display_debug_and_errors() {
    let id = IdNumber::parse("11010519491231002X").expect("valid");
    assert_eq!(id.to_string(), "110105********002X");
    assert_eq!(format!("{id:?}"), "IdNumber(\"110105********002X\")");
    assert!(!format!("{id} {id:?} {:?}", Some(&id)).contains("19491231"));
    for input in [
        "11010519491231003X",
        "11010519491231002",
        "110105194912310000",
    ] {
        let message = IdNumber::parse(input).expect_err("invalid").to_string();
        assert!(!message.contains("19491231"), "{message}");
    }
    assert_eq!(
        IdNumber::mask_str("11010519491231002X"),
        "110105********002X"
    );
    assert_eq!(IdNumber::mask_str("1234567890"), "**********");
    assert_eq!(IdNumber::mask_str(""), "");
}

#[test]
fn well_known_credit_code_is_valid() {
    assert_eq!(reference_credit_check("91350100M000100Y4"), '3');
    let code = CreditCode::parse("91350100M000100Y43").expect("valid sample");
    assert_eq!(code.as_str(), "91350100M000100Y43");
    assert_eq!(code.masked(), "91350100M000100Y43");
    assert_eq!(code.to_string(), "91350100M000100Y43");
    assert_eq!(format!("{code:?}"), "CreditCode(\"91350100M000100Y43\")");
    let lower = CreditCode::parse(" 91350100m000100y43 ").expect("lower case");
    assert_eq!(lower, code);
}

#[test]
fn credit_codes_with_computed_check_characters() {
    for first17 in [
        "91110000600037341",
        "91440300708461136",
        "12100000400000624",
        "52350100MJB412345",
    ] {
        let full = format!("{first17}{}", reference_credit_check(first17));
        let code = CreditCode::parse(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
        assert_eq!(code.as_str(), full);
    }
    assert_eq!(reference_credit_check("91110000600037341"), 'L');
    assert_eq!(reference_credit_check("91440300708461136"), 'T');
    // An `E` between digits is a legal code character, not an exponent.
    let with_e = format!(
        "911101080123E4567{}",
        reference_credit_check("911101080123E4567")
    );
    assert!(CreditCode::parse(&with_e).is_ok(), "{with_e}");
}

#[test]
fn credit_code_errors() {
    assert_eq!(
        CreditCode::parse("91350100M000100Y4"),
        Err(IdError::CreditLength { len: 17 })
    );
    assert_eq!(
        CreditCode::parse("91350100M000100Y44"),
        Err(IdError::CreditCheckCharacter {
            code: "91350100M000100Y44".into()
        })
    );
    let err = CreditCode::parse("91350100I000100Y43").expect_err("I is not in the alphabet");
    assert_eq!(
        err,
        IdError::CreditCharacter {
            code: "91350100I000100Y43".into(),
            character: 'I'
        }
    );
    assert_eq!(
        err.to_string(),
        "统一社会信用代码“91350100I000100Y43”含有不允许的字符“I”（代码中不使用 I、O、Z、S、V）"
    );
    assert_eq!(
        CreditCode::parse("9.13501E+17"),
        Err(IdError::DigitsLost {
            what: "统一社会信用代码"
        })
    );
    assert_eq!(
        CreditCode::parse("91350100M000100Y4３"),
        Ok(CreditCode("91350100M000100Y43".into())),
        "full-width digits fold"
    );
    assert_eq!(
        CreditCode::parse(""),
        Err(IdError::Empty {
            what: "统一社会信用代码"
        })
    );
}

#[test]
fn mobile_phones() {
    for input in [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "008613812345678",
        "１３８１２３４５６７８",
    ] {
        let phone = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(phone.as_str(), "13812345678", "{input}");
        assert!(phone.is_mobile());
    }
    let phone = Phone::parse("13812345678").expect("valid");
    assert_eq!(phone.masked(), "138****5678");
    assert_eq!(phone.to_string(), "138****5678");
    assert_eq!(format!("{phone:?}"), "Phone(\"138****5678\")");
    assert_eq!(Phone::mask_str("19912345678"), "199****5678");
}

#[test]
fn landlines() {
    let cases = [
        ("0551-12345678", "0551-12345678"),
        ("0551 1234567", "0551-1234567"),
        ("(0551)12345678", "0551-12345678"),
        ("（0551）12345678", "0551-12345678"),
        ("055112345678", "0551-12345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021-62345678-801", "021-62345678-801"),
        ("０５５１－１２３４５６７８", "0551-12345678"),
    ];
    for (input, stored) in cases {
        let phone = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(phone.as_str(), stored, "{input}");
        assert!(!phone.is_mobile());
    }
    let phone = Phone::parse("0551-12345678").expect("valid");
    assert_eq!(phone.masked(), "0551-****5678");
    assert_eq!(format!("{phone:?}"), "Phone(\"0551-****5678\")");
    let extension = Phone::parse("021-62345678-801").expect("valid");
    assert_eq!(extension.masked(), "021-****5678-801");
}

#[test]
fn phone_errors() {
    for input in [
        "12812345678",
        "1381234567",
        "138123456789",
        "551-12345678",
        "0551-123456",
        "0551-012345678",
        "0551-0234567",
        "010-1234567",
        "0551-1234-5678",
        "phone",
        "13812345678a",
        "0551-12345678-1234567",
    ] {
        assert_eq!(Phone::parse(input), Err(IdError::Phone), "{input}");
    }
    assert_eq!(
        Phone::parse(" "),
        Err(IdError::Empty {
            what: "电话号码"
        })
    );
    assert_eq!(
            IdError::Phone.to_string(),
            "无法识别的电话号码，请填写 11 位手机号（如 13812345678）或带区号的固定电话（如 0551-12345678）"
        );
}

#[test]
fn hostile_input_never_panics() {
    let long_digits = "9".repeat(10_000);
    let inputs = [
        "",
        "\u{0}",
        "X",
        "e",
        "E+",
        ".",
        "1.",
        ".e5",
        "１１０１０５１９４９１２３１００２",
        "𝟙𝟙𝟘𝟙𝟘𝟝𝟙𝟡𝟜𝟡𝟙𝟚𝟛𝟙𝟘𝟘𝟚𝟘",
        "一二三四五六七八九十一二三四五六七八",
        "11010519491231002éé",
        "((((((",
        "转转转",
        "0-0-0-0",
        "+86",
        "86",
        "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
        long_digits.as_str(),
    ];
    for input in inputs {
        assert!(IdNumber::parse(input).is_err(), "{input:?}");
        assert!(CreditCode::parse(input).is_err(), "{input:?}");
        assert!(Phone::parse(input).is_err(), "{input:?}");
    }
    for stored in ["", "-", "--", "a-b-c", "0551-", "0551-12", "é", "🎉-🎉"] {
        let masked = Phone::mask_str(stored);
        assert!(!masked.contains("12"), "{stored:?} -> {masked:?}");
    }
}
