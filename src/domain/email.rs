use super::UserMessage;
use serde::{Deserialize, Serialize};

/// A well-formed email address, trimmed and in lower case, without any space.
///
/// Addresses are compared in lower case: `Paul.Dupont@Menuiserie.fr` and
/// `paul.dupont@menuiserie.fr` are one login.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EmailAddress(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum EmailError {
    #[error("the email address is missing")]
    Missing,
    #[error("the email address contains a space")]
    ContainsSpace,
    #[error("the email address is longer than 254 characters")]
    TooLong,
    #[error("the email address is not well formed")]
    Malformed,
}

impl UserMessage for EmailError {
    fn message_key(&self) -> &'static str {
        match self {
            EmailError::Missing => "errors.email.missing",
            EmailError::ContainsSpace => "errors.email.contains_space",
            EmailError::TooLong => "errors.email.too_long",
            EmailError::Malformed => "errors.email.malformed",
        }
    }
}

impl EmailAddress {
    pub const MAX_LENGTH: usize = 254;

    /// Parses an address in NFKC (`domain::unicode`), lower-cased: the form
    /// that is stored and looked up.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let normalized = super::unicode::normalized(raw);
        let trimmed = normalized.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Missing);
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(EmailError::ContainsSpace);
        }
        if trimmed.chars().count() > Self::MAX_LENGTH {
            return Err(EmailError::TooLong);
        }
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
            ..Default::default()
        };
        let parsed = email_address::EmailAddress::parse_with_options(trimmed, options)
            .map_err(|_| EmailError::Malformed)?;
        let domain = parsed.domain();
        let domain_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain_ok || trimmed.contains(['"', '\\']) {
            return Err(EmailError::Malformed);
        }
        Ok(EmailAddress(super::unicode::normalized(
            &trimmed.to_lowercase(),
        )))
    }

    /// Parses an optional field: empty means absent.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, EmailError> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usual_address_is_accepted_and_lowercased() {
        let email = EmailAddress::parse("  Paul.Dupont@Menuiserie.fr ").unwrap();
        assert_eq!(email.as_ref(), "paul.dupont@menuiserie.fr");
        assert_eq!(email.domain(), "menuiserie.fr");
    }

    #[test]
    fn an_address_with_a_space_inside_is_refused_for_that_reason() {
        assert_eq!(
            EmailAddress::parse("paul dupont@menuiserie.fr"),
            Err(EmailError::ContainsSpace)
        );
    }

    #[test]
    fn an_empty_address_is_missing() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Missing));
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "paul",
            "paul@",
            "@menuiserie.fr",
            "paul@menuiserie",
            "paul@@menuiserie.fr",
            "paul@menuiserie..fr",
            "paul@-menuiserie.fr",
            "paul@[127.0.0.1]",
            "Paul <paul@menuiserie.fr>",
            "paul@menuiserie.fr\r\nBcc:x@y.fr",
        ] {
            assert!(EmailAddress::parse(raw).is_err(), "{raw} was accepted");
        }
    }

    #[test]
    fn an_address_of_255_characters_is_too_long() {
        let raw = format!("{}@menuiserie.fr", "a".repeat(255 - 14));
        assert_eq!(raw.len(), 255);
        assert_eq!(EmailAddress::parse(&raw), Err(EmailError::TooLong));
    }

    #[test]
    fn an_optional_address_left_empty_is_absent() {
        assert_eq!(EmailAddress::parse_optional(""), Ok(None));
        assert!(EmailAddress::parse_optional("x").is_err());
    }
}
