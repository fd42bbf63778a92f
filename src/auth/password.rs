//! Password hashing (argon2id) and generated secrets.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::Rng;

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_LEN: usize = 8;

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
    // About one draw in nine has no digit; drawn again, as a person would be asked to.
    loop {
        let password: String = (0..14)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        if check_policy(&password).is_ok() {
            return password;
        }
    }
}

/// A fresh random token secret (256 bits, hex).
pub fn token_secret() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// Checks a new password against the policy; the message is shown to the user.
pub fn check_policy(password: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(format!("密码至少 {MIN_PASSWORD_LEN} 位"));
    }
    let has_letter = password.chars().any(|c| c.is_ascii_alphabetic());
    let has_digit = password.chars().any(|c| c.is_ascii_digit());
    if !(has_letter && has_digit) {
        return Err("密码须同时包含字母和数字".to_string());
    }
    Ok(())
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
    fn generated_passwords_pass_the_policy_and_differ() {
        // One draw in nine used to lack a digit; a thousand draws would surely show one.
        for _ in 0..1000 {
            assert_eq!(check_policy(&generate()), Ok(()));
        }
        let a = generate();
        assert_eq!(a.len(), 14);
        assert_ne!(a, generate());
        assert!(check_policy("short1").is_err());
        assert!(check_policy("onlyletters").is_err());
        assert!(check_policy("letters123").is_ok());
    }
}
