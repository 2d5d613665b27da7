//! The name a person gives a security key ("Clé YubiKey bureau"), shown in
//! "Sécurité" and in the emails about it.

use super::{is_forbidden_control, reorders_display, tidy_line, UserMessage};
use serde::{Deserialize, Serialize};

/// A key's name: 1 to [`KeyName::MAX_LENGTH`] characters on one line, in
/// NFC, its spaces folded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyName(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum KeyNameError {
    #[error("no name given")]
    Missing,
    #[error("longer than 64 characters")]
    TooLong,
    #[error("control or direction characters")]
    InvalidCharacters,
}

impl UserMessage for KeyNameError {
    fn message_key(&self) -> &'static str {
        match self {
            KeyNameError::Missing => "errors.key_name.missing",
            KeyNameError::TooLong => "errors.key_name.too_long",
            KeyNameError::InvalidCharacters => "errors.key_name.invalid_characters",
        }
    }
}

impl KeyName {
    /// In characters.
    pub const MAX_LENGTH: usize = 64;

    /// Errors: [`KeyNameError`]. Direction overrides are refused as in
    /// every other text (Unicode TR #36, 2.4 "Bidirectional text spoofing"):
    /// a name is shown in an email.
    pub fn parse(raw: &str) -> Result<Self, KeyNameError> {
        if raw
            .chars()
            .any(|c| is_forbidden_control(c) || reorders_display(c))
        {
            return Err(KeyNameError::InvalidCharacters);
        }
        let name = tidy_line(raw);
        match name.chars().count() {
            0 => Err(KeyNameError::Missing),
            n if n > Self::MAX_LENGTH => Err(KeyNameError::TooLong),
            _ => Ok(KeyName(name)),
        }
    }
}

impl AsRef<str> for KeyName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_kept_on_one_line_with_its_spaces_folded() {
        assert_eq!(
            KeyName::parse("  Clé   YubiKey\u{a0}bureau ").map(|n| n.0),
            Ok("Clé YubiKey bureau".to_owned())
        );
    }

    #[test]
    fn an_empty_a_long_or_a_reordering_name_is_refused() {
        assert_eq!(KeyName::parse("   "), Err(KeyNameError::Missing));
        assert_eq!(KeyName::parse(&"a".repeat(65)), Err(KeyNameError::TooLong));
        assert_eq!(
            KeyName::parse(&"é".repeat(64)).map(|n| n.0.chars().count()),
            Ok(64)
        );
        assert_eq!(
            KeyName::parse("Clé\u{202e}ueruab"),
            Err(KeyNameError::InvalidCharacters)
        );
    }
}
