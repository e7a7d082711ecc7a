//! One-time tokens of forms and `Idempotency-Key`s of the API: what a key may look like.
//! A key is the client's own name for one submission; it is compared, never interpreted.

use crate::field::FieldProblem;

/// The longest key accepted: a UUID is 36 characters, a form token 64.
pub const MAX_LEN: usize = 128;

/// A key as a client sent it, checked: 1 to [`MAX_LEN`] visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnceKey(String);

impl OnceKey {
    /// `field` names where the key came from (`once`, `idempotency_key`), for the message.
    pub fn parse(field: &'static str, text: &str) -> Result<OnceKey, FieldProblem> {
        if text.is_empty() || text.len() > MAX_LEN {
            return Err(FieldProblem::new(field, "error.once_key_length").with("max", MAX_LEN));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(FieldProblem::new(field, "error.once_key_characters"));
        }
        Ok(OnceKey(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        let uuid = "0b7c5a2e-64f1-4f5e-9d2a-6f1a3c0e9b11";
        assert_eq!(OnceKey::parse("once", uuid).unwrap().as_str(), uuid);
        assert_eq!(
            OnceKey::parse("once", &"a".repeat(MAX_LEN))
                .unwrap()
                .as_str()
                .len(),
            MAX_LEN
        );
        for bad in ["", "two words", "鍵", "tab\there"] {
            assert!(OnceKey::parse("once", bad).is_err(), "{bad:?}");
        }
        let long = OnceKey::parse("idempotency_key", &"a".repeat(MAX_LEN + 1)).unwrap_err();
        assert_eq!(
            (long.field, long.key),
            ("idempotency_key", "error.once_key_length")
        );
    }
}
