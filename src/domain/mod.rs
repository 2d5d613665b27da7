//! Domain types, compiled for both the browser and the server.
//!
//! Each type is built only through its `parse` function, so a value in hand is
//! a valid one. The browser calls the same functions for live feedback that
//! the server calls for enforcement. Every error carries the catalogue key of
//! the message shown next to its field.

pub mod address;
pub mod base64url;
pub mod captcha;
pub mod code;
mod countries;
pub mod email;
pub mod form;
pub mod key_name;
pub mod name;
pub mod password;
pub mod phone;
pub mod reason;
pub mod redirect;
pub mod secret;
pub mod siret;
pub mod states;
pub mod strength;
pub mod unicode;

pub use address::{AddressLine, City, Country, OptionalLine, PostalCode, COUNTRIES};
pub use captcha::CaptchaAnswer;
pub use code::{CodeError, OneTimeCode, RecoveryCode};
pub use email::EmailAddress;
pub use form::FieldErrors;
pub use key_name::KeyName;
pub use name::PersonName;
pub use password::{NewPassword, PasswordChecks, PasswordError, PasswordPolicy};
pub use phone::PhoneNumber;
pub use reason::Reason;
pub use secret::{SecretAnswer, SecretQuestion};
pub use siret::Siret;
pub use strength::Strength;

/// An error that a person can fix, shown next to the field that caused it.
pub trait UserMessage {
    /// Key of the message in `locales/*.json`.
    fn message_key(&self) -> &'static str;
}

/// Trims, and folds runs of white space (including tabs and non-breaking
/// spaces) into one plain space.
pub(crate) fn collapse_spaces(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A one-line text as it is kept: in NFC ([`unicode::composed`]: an
/// accent typed as a combining mark, as macOS keyboards and text copied
/// from a PDF produce, is part of its letter; nothing else changes), trimmed,
/// and with runs of white space folded into one plain space.
pub(crate) fn tidy_line(raw: &str) -> String {
    collapse_spaces(&unicode::composed(raw))
}

/// True for characters that have no place in a one-line text field:
/// control characters, line and paragraph separators.
pub(crate) fn is_forbidden_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// True for the bidirectional embedding, override and isolate controls,
/// which reorder how the text around them is displayed (Unicode UAX #9;
/// CVE-2021-42574, "Trojan Source"). Refused in what is shown to someone
/// else (a secret question, an address, a reason), which must read as it
/// was typed; secret answers, never shown, keep them.
pub(crate) fn reorders_display(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
