//! Password hashing (argon2id) and generated secrets.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;

/// Passwords too common to accept (compared without regard to case).
const COMMON: &str = include_str!("common_passwords.txt");

/// The park's password rules, chosen by the 安全管理员.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// 等保: at least 8 characters of 3 classes (upper and lower case letters, digits,
    /// symbols), changed every 90 days, none of the last 5 used again.
    #[default]
    Dengbao,
    /// Length first: at least 12 characters, no composition rules, no forced change.
    LengthFirst,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Dengbao, Profile::LengthFirst];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Dengbao => "dengbao",
            Profile::LengthFirst => "length_first",
        }
    }

    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Profile::Dengbao => "等保：至少 8 位，含大写字母、小写字母、数字、符号中的 3 类，每 90 天更换，不得与前 5 次相同",
            Profile::LengthFirst => "长度优先：至少 12 位，不限字符类别，不强制定期更换",
        }
    }

    fn min_len(self) -> usize {
        match self {
            Profile::Dengbao => 8,
            Profile::LengthFirst => 12,
        }
    }

    /// How long a password may be used before it must be changed.
    pub fn max_age(self) -> Option<chrono::Duration> {
        match self {
            Profile::Dengbao => Some(chrono::Duration::days(90)),
            Profile::LengthFirst => None,
        }
    }

    /// How many earlier passwords a new one may not repeat.
    pub fn history(self) -> usize {
        match self {
            Profile::Dengbao => 5,
            Profile::LengthFirst => 0,
        }
    }
}

/// The most characters a password may have (argon2 takes any length; a form should not).
const MAX_LEN: usize = 128;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    // Hashing with the default argon2id parameters cannot fail for an in-memory salt.
    match Argon2::default().hash_password(password.as_bytes(), &salt) {
        Ok(h) => h.to_string(),
        Err(e) => unreachable!("argon2 with default parameters: {e}"),
    }
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A password for a new account, easy to read aloud: no 0/O or 1/l.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    // A draw without three classes is drawn again, as a person would be asked to.
    loop {
        let password: String = (0..14)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        if Profile::ALL
            .into_iter()
            .all(|p| check(p, "", &password).is_ok())
        {
            return password;
        }
    }
}

/// A fresh random token secret (256 bits, hex).
pub fn token_secret() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// Checks a new password of the account `login` against the profile; the message is shown to
/// the user. Whatever the profile, a password may not contain the login nor be a common one.
pub fn check(profile: Profile, login: &str, password: &str) -> Result<(), String> {
    let len = password.chars().count();
    let min = profile.min_len();
    if len < min {
        return Err(format!("密码至少 {min} 位"));
    }
    if len > MAX_LEN {
        return Err(format!("密码最多 {MAX_LEN} 位"));
    }
    if profile == Profile::Dengbao {
        let classes = [
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ];
        if classes.iter().filter(|c| **c).count() < 3 {
            return Err("密码须包含大写字母、小写字母、数字、符号中的至少 3 类".to_string());
        }
    }
    let lower = password.to_lowercase();
    let login = login.trim().to_lowercase();
    if login.chars().count() >= 3 && lower.contains(&login) {
        return Err("密码不能包含登录名".to_string());
    }
    if is_common(&lower) {
        return Err("密码过于常见，容易被猜中，请换一个".to_string());
    }
    Ok(())
}

/// True for a password on the shipped list of common ones (given in lower case).
fn is_common(lower: &str) -> bool {
    COMMON
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse 1");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse 1", &h));
        assert!(!verify("correct horse 2", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn generated_passwords_pass_every_profile_and_differ() {
        for _ in 0..1000 {
            let p = generate();
            for profile in Profile::ALL {
                assert_eq!(check(profile, "someone", &p), Ok(()), "{p}");
            }
        }
        let a = generate();
        assert_eq!(a.len(), 14);
        assert_ne!(a, generate());
    }

    #[test]
    fn the_profiles_refuse_what_they_say() {
        use Profile::*;
        let refused = |profile, login, pw| check(profile, login, pw).unwrap_err();
        assert_eq!(refused(Dengbao, "wang", "Ab1-x"), "密码至少 8 位");
        assert!(refused(Dengbao, "wang", "abcdefgh12").contains("至少 3 类"));
        assert_eq!(check(Dengbao, "wang", "Abcdefg12"), Ok(()));
        assert_eq!(check(Dengbao, "wang", "abcdefg1-"), Ok(()));
        // Contains the login, whatever the case.
        assert_eq!(
            refused(Dengbao, "leader", "Leader123!"),
            "密码不能包含登录名"
        );
        assert_eq!(
            refused(LengthFirst, "leader", "myleaderpassword"),
            "密码不能包含登录名"
        );
        // Common, whatever the case; 8 characters of 3 classes are not enough to make it safe.
        assert!(refused(Dengbao, "wang", "P@ssw0rd").contains("过于常见"));
        assert!(refused(Dengbao, "wang", "Admin@123").contains("过于常见"));
        assert!(refused(LengthFirst, "wang", "1qaz2wsx3edc").contains("过于常见"));
        // Length first: 12 of anything, 11 not.
        assert_eq!(
            check(LengthFirst, "wang", "一二三四五六七八九十百千"),
            Ok(())
        );
        assert_eq!(
            refused(LengthFirst, "wang", "correcthors"),
            "密码至少 12 位"
        );
        assert_eq!(check(LengthFirst, "wang", "correcthorse"), Ok(()));
        assert!(refused(Dengbao, "wang", &"Aa1".repeat(50)).contains("最多"));
        // The two examples.
        assert!(check(Dengbao, "someone", "password1").is_err());
        assert!(check(Dengbao, "leader", "leader123").is_err());
    }

    #[test]
    fn the_common_list_is_lower_case_and_without_repeats() {
        let words: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(words.len() > 500, "{}", words.len());
        let mut seen = std::collections::BTreeSet::new();
        for w in &words {
            assert_eq!(*w, w.to_lowercase(), "{w}");
            assert!(seen.insert(*w), "{w} twice");
        }
    }
}
