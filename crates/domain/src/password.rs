//! Password rules after NIST SP 800-63B: a minimum length, no known-common passwords,
//! not the login id, and no composition rules.

pub const MIN_CHARS: usize = 10;
/// Long pass-phrases are welcome; the cap only keeps hashing cost bounded.
pub const MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("shorter than {MIN_CHARS} characters")]
    TooShort,
    #[error("longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("the same as the login id")]
    SameAsLogin,
    #[error("a commonly used password")]
    Common,
}

impl PasswordProblem {
    pub fn message_key(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password.error.too_short",
            PasswordProblem::TooLong => "password.error.too_long",
            PasswordProblem::SameAsLogin => "password.error.same_as_login",
            PasswordProblem::Common => "password.error.common",
        }
    }

    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            PasswordProblem::TooShort => vec![("min", MIN_CHARS.to_string())],
            PasswordProblem::TooLong => vec![("max", MAX_CHARS.to_string())],
            _ => Vec::new(),
        }
    }
}

/// Checks a new password for the account `login`.
pub fn check(login: &str, password: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lowered = password.to_lowercase();
    if lowered == login.to_lowercase() {
        return Err(PasswordProblem::SameAsLogin);
    }
    if is_common(&lowered) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Passwords of at least ten characters that appear near the top of published breach
/// corpora, and local patterns an assembly would guess first.
const COMMON: &[&str] = &[
    "0123456789",
    "1234567890",
    "0987654321",
    "9876543210",
    "1111111111",
    "0000000000",
    "1234512345",
    "1122334455",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "12345678910",
    "123456789a",
    "a123456789",
    "abc1234567",
    "abcdefghij",
    "abcd123456",
    "qwertyuiop",
    "qwerty1234",
    "qwerty123456",
    "asdfghjkl;",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "password!!",
    "passw0rd123",
    "p@ssw0rd123",
    "iloveyou12",
    "iloveyou123",
    "welcome123",
    "welcome2026",
    "letmein123",
    "administrator",
    "admin12345",
    "admin123456",
    "changeme123",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "dragon1234",
    "monkey1234",
    "superman123",
    "trustno1234",
    "starwars123",
    "michael123",
    "pokemon123",
    "doraemon123",
    "nintendo123",
    "sakura1234",
    "tokyo12345",
    "japan12345",
    "nippon1234",
    "gikai12345",
    "gikai123456",
    "sakushi1234",
    "sakushigikai",
    "security123",
    "mamori12345",
    "mamori123456",
];

fn is_common(lowered: &str) -> bool {
    if COMMON.contains(&lowered) {
        return true;
    }
    // One character repeated, or a run of consecutive digits/letters, is as weak as any
    // entry of the list whatever its length.
    let chars: Vec<char> = lowered.chars().collect();
    let repeated = chars.iter().all(|c| *c == chars[0]);
    let ascending = chars.windows(2).all(|w| w[1] as u32 == w[0] as u32 + 1);
    repeated || ascending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_passphrase_without_composition_rules() {
        assert_eq!(check("yamada", "correct horse battery"), Ok(()));
        assert_eq!(check("yamada", "しなののくにはじっしゅう"), Ok(()));
    }

    #[test]
    fn refuses_short_long_login_and_common_passwords() {
        assert_eq!(check("yamada", "short123"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check("yamada", &"x".repeat(257)),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check("yamada.taro", "Yamada.Taro"),
            Err(PasswordProblem::SameAsLogin)
        );
        assert_eq!(check("yamada", "Password123"), Err(PasswordProblem::Common));
        assert_eq!(
            check("yamada", "aaaaaaaaaaaa"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check("yamada", "abcdefghijklm"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(check("yamada", "23456789012"), Ok(()));
    }

    #[test]
    fn the_common_list_holds_only_passwords_the_length_rule_would_let_through() {
        for entry in COMMON {
            assert!(
                entry.chars().count() >= MIN_CHARS,
                "{entry} is caught by length"
            );
            assert_eq!(*entry, entry.to_lowercase());
        }
    }
}
