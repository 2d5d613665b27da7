//! The guide's password rules: a minimum length (8 at activation, 12 at
//! reset), at least 3 of the 4 classes (upper case, lower case, digits,
//! special characters; accented letters count as special), and at most 128
//! characters. The browser shows them as a checklist that ticks as the person
//! types; the server enforces them, then also asks zxcvbn how guessable the
//! password is (see `server::password`).

use super::UserMessage;
use serde::{Deserialize, Serialize};

pub const MAX_PASSWORD_LENGTH: usize = 128;
pub const REQUIRED_CLASSES: usize = 3;

/// Which rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordPolicy {
    /// Setting the first password (guide, section 1): 8 characters or more.
    Activation,
    /// Choosing a new password after losing it (guide, section 3): 12 or more.
    Reset,
}

impl PasswordPolicy {
    pub fn min_length(self) -> usize {
        match self {
            PasswordPolicy::Activation => 8,
            PasswordPolicy::Reset => 12,
        }
    }
}

/// Where each rule stands for a password being typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChecks {
    pub length: usize,
    pub min_length: usize,
    pub upper: bool,
    pub lower: bool,
    pub digit: bool,
    pub special: bool,
}

impl PasswordChecks {
    /// The rules as met by `raw` once normalised (`domain::unicode`), so
    /// the browser's checklist counts what the server will.
    pub fn of(raw: &str, policy: PasswordPolicy) -> Self {
        let mut checks = PasswordChecks {
            min_length: policy.min_length(),
            ..Default::default()
        };
        for c in super::unicode::normalized(raw).chars() {
            checks.length += 1;
            match c {
                'A'..='Z' => checks.upper = true,
                'a'..='z' => checks.lower = true,
                '0'..='9' => checks.digit = true,
                _ => checks.special = true,
            }
        }
        checks
    }

    pub fn long_enough(&self) -> bool {
        self.length >= self.min_length
    }

    pub fn not_too_long(&self) -> bool {
        self.length <= MAX_PASSWORD_LENGTH
    }

    pub fn classes(&self) -> usize {
        [self.upper, self.lower, self.digit, self.special]
            .iter()
            .filter(|met| **met)
            .count()
    }

    pub fn enough_classes(&self) -> bool {
        self.classes() >= REQUIRED_CLASSES
    }

    /// The first rule not met, if any.
    pub fn first_failure(&self) -> Option<PasswordError> {
        if self.length == 0 {
            Some(PasswordError::Missing)
        } else if !self.not_too_long() {
            Some(PasswordError::TooLong)
        } else if !self.long_enough() {
            Some(if self.min_length >= 12 {
                PasswordError::ShorterThan12
            } else {
                PasswordError::ShorterThan8
            })
        } else if !self.enough_classes() {
            Some(PasswordError::TooFewClasses)
        } else {
            None
        }
    }
}

/// A password that obeys the composition rules of its policy. Its `Debug`
/// never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PasswordError {
    #[error("no password")]
    Missing,
    #[error("shorter than 8 characters")]
    ShorterThan8,
    #[error("shorter than 12 characters")]
    ShorterThan12,
    #[error("longer than 128 characters")]
    TooLong,
    #[error("fewer than 3 classes of characters")]
    TooFewClasses,
    #[error("too easy to guess")]
    TooGuessable,
    #[error("the same as the current password")]
    SameAsCurrent,
}

impl UserMessage for PasswordError {
    fn message_key(&self) -> &'static str {
        match self {
            PasswordError::Missing => "errors.password.missing",
            PasswordError::ShorterThan8 => "errors.password.shorter_than_8",
            PasswordError::ShorterThan12 => "errors.password.shorter_than_12",
            PasswordError::TooLong => "errors.password.too_long",
            PasswordError::TooFewClasses => "errors.password.too_few_classes",
            PasswordError::TooGuessable => "errors.password.too_guessable",
            PasswordError::SameAsCurrent => "errors.password.same_as_current",
        }
    }
}

/// The confirmation differs from the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfirmationDiffers;

impl UserMessage for ConfirmationDiffers {
    fn message_key(&self) -> &'static str {
        "errors.password.confirmation_differs"
    }
}

/// A new password typed twice (fields `password` and
/// `password_confirmation`): the password's rules, then the confirmation.
pub fn parse_pair(
    password: &str,
    confirmation: &str,
    policy: PasswordPolicy,
) -> Result<NewPassword, super::FieldErrors> {
    let mut errors = super::FieldErrors::new();
    let parsed = errors.check("password", NewPassword::parse(password, policy));
    if !super::unicode::same_text(confirmation, password) {
        errors.insert("password_confirmation", &ConfirmationDiffers);
    }
    match parsed {
        Some(password) if errors.is_empty() => Ok(password),
        _ => Err(errors),
    }
}

impl NewPassword {
    /// Checks the composition rules on the password in NFKC (NIST SP
    /// 800-63B 5.1.1.2; `domain::unicode`), and keeps that form: no
    /// trimming, no case folding.
    pub fn parse(raw: &str, policy: PasswordPolicy) -> Result<Self, PasswordError> {
        // Refuse absurd inputs before counting characters.
        if raw.len() > MAX_PASSWORD_LENGTH * 4 {
            return Err(PasswordError::TooLong);
        }
        let normalized = super::unicode::normalized(raw);
        match PasswordChecks::of(&normalized, policy).first_failure() {
            Some(error) => Err(error),
            None => Ok(NewPassword(normalized)),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordPolicy::*;

    #[test]
    fn at_activation_seven_characters_are_refused_and_eight_accepted() {
        assert_eq!(
            NewPassword::parse("Abcde1!", Activation),
            Err(PasswordError::ShorterThan8)
        );
        assert!(NewPassword::parse("Abcdef1!", Activation).is_ok());
    }

    #[test]
    fn at_reset_eleven_characters_are_refused_and_twelve_accepted() {
        assert_eq!(
            NewPassword::parse("Abcdefghi1!", Reset),
            Err(PasswordError::ShorterThan12)
        );
        assert!(NewPassword::parse("Abcdefghij1!", Reset).is_ok());
    }

    #[test]
    fn two_classes_are_refused_and_three_accepted() {
        assert_eq!(
            NewPassword::parse("abcdefgh12", Activation),
            Err(PasswordError::TooFewClasses)
        );
        assert!(NewPassword::parse("abcdefgh12!", Activation).is_ok());
        assert!(NewPassword::parse("Abcdefgh12", Activation).is_ok());
    }

    #[test]
    fn accented_letters_count_as_special_characters() {
        let checks = PasswordChecks::of("éléphant", Activation);
        assert!(checks.special && checks.lower && !checks.upper);
        assert_eq!(
            NewPassword::parse("Éléphant", Activation),
            Err(PasswordError::TooFewClasses),
            "É is special, not upper"
        );
        assert!(
            NewPassword::parse("Éléphant1", Activation).is_ok(),
            "lower, special, digit"
        );
    }

    #[test]
    fn one_hundred_and_twenty_eight_characters_are_accepted_and_129_refused() {
        let ok = format!("Aa1{}", "x".repeat(125));
        assert_eq!(ok.chars().count(), 128);
        assert!(NewPassword::parse(&ok, Activation).is_ok());
        let long = format!("Aa1{}", "x".repeat(126));
        assert_eq!(
            NewPassword::parse(&long, Activation),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn a_megabyte_password_is_refused_without_being_scanned() {
        let huge = "A".repeat(1 << 20);
        assert_eq!(
            NewPassword::parse(&huge, Activation),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn the_password_is_kept_exactly_as_typed() {
        let raw = "  Mot De Passe 1 ";
        assert_eq!(NewPassword::parse(raw, Activation).unwrap().expose(), raw);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = NewPassword::parse("Secret123!", Activation).unwrap();
        assert!(!format!("{password:?}").contains("Secret"));
    }
}
