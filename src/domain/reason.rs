//! Why a manager or an administrator acted on an account: a short sentence,
//! required, shown in the person's "Fil d'événements" and in the email.

use super::{is_forbidden_control, reorders_display, tidy_line, UserMessage};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ReasonError {
    #[error("no reason given")]
    Missing,
    #[error("shorter than 3 characters")]
    TooShort,
    #[error("longer than 300 characters")]
    TooLong,
    #[error("control characters")]
    InvalidCharacters,
}

impl UserMessage for ReasonError {
    fn message_key(&self) -> &'static str {
        match self {
            ReasonError::Missing => "errors.reason.missing",
            ReasonError::TooShort => "errors.reason.too_short",
            ReasonError::TooLong => "errors.reason.too_long",
            ReasonError::InvalidCharacters => "errors.reason.invalid_characters",
        }
    }
}

impl Reason {
    pub const MAX_LENGTH: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, ReasonError> {
        if raw
            .chars()
            .any(|c| c != '\t' && (is_forbidden_control(c) || reorders_display(c)))
        {
            return Err(ReasonError::InvalidCharacters);
        }
        let reason = tidy_line(raw);
        match reason.chars().count() {
            0 => Err(ReasonError::Missing),
            n if n < 3 => Err(ReasonError::TooShort),
            n if n > Self::MAX_LENGTH => Err(ReasonError::TooLong),
            _ => Ok(Reason(reason)),
        }
    }
}

impl AsRef<str> for Reason {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_short() {
        assert_eq!(Reason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(Reason::parse("ok"), Err(ReasonError::TooShort));
        assert_eq!(Reason::parse(&"a".repeat(301)), Err(ReasonError::TooLong));
        assert_eq!(
            Reason::parse("A quitté\r\nBcc: x"),
            Err(ReasonError::InvalidCharacters)
        );
        assert_eq!(
            Reason::parse("  A quitté   l'entreprise ")
                .unwrap()
                .as_ref(),
            "A quitté l'entreprise"
        );
    }
}
