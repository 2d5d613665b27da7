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
    #[error("a part of the email address mixes scripts")]
    MixedScripts,
}

impl UserMessage for EmailError {
    fn message_key(&self) -> &'static str {
        match self {
            EmailError::Missing => "errors.email.missing",
            EmailError::ContainsSpace => "errors.email.contains_space",
            EmailError::TooLong => "errors.email.too_long",
            EmailError::Malformed => "errors.email.malformed",
            EmailError::MixedScripts => "errors.email.mixed_scripts",
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
        let lowered = super::unicode::normalized(&trimmed.to_lowercase());
        let (local, domain) = lowered.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let domain = one_spelling(domain)?;
        if !one_script_each(local, &domain) {
            return Err(EmailError::MixedScripts);
        }
        Ok(EmailAddress(format!("{local}@{domain}")))
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

/// The domain in its one spelling: an internationalised domain typed in its
/// ASCII form (`xn--caf-dma.fr`) is the same domain as `café.fr`, and is
/// kept in the Unicode form (UTS #46 processing, IDNA2008), so that both
/// spellings find one account. The server only: the browser keeps what was
/// typed, and the server decides.
fn one_spelling(domain: &str) -> Result<String, EmailError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if domain.split('.').any(|label| label.starts_with("xn--")) {
            let (unicode, result) = idna::domain_to_unicode(domain);
            return match result {
                Ok(()) => Ok(super::unicode::normalized(&unicode)),
                Err(_) => Err(EmailError::Malformed),
            };
        }
    }
    Ok(domain.to_owned())
}

/// Whether the local part and each label of the domain are written in one
/// script each (UTS #39, 5.1 "single-script", with its augmented sets:
/// Japanese, Korean and Han mixes count as one), so that no part can pass
/// for another address by mixing look-alike letters, such as a Cyrillic
/// "е" in "example" (UTS #39 §4, mixed-script confusables;
/// mastodon/mastodon#3833, CVE-2019-15237). Digits, dots and hyphens belong
/// to every script. The tables are the server's: the browser lets the
/// server refuse.
fn one_script_each(local: &str, domain: &str) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use unicode_security::MixedScript;
        std::iter::once(local)
            .chain(domain.split('.'))
            .all(|part| part.is_ascii() || part.is_single_script())
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (local, domain);
        true
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
    fn an_address_that_mixes_scripts_in_one_part_is_refused() {
        // A Cyrillic "е" (U+0435) in a Latin word, before and after the @.
        for raw in ["paul@\u{0435}xample.fr", "p\u{0430}ul@example.fr"] {
            assert_eq!(
                EmailAddress::parse(raw),
                Err(EmailError::MixedScripts),
                "{raw}"
            );
        }
        // One script a part is fine, whatever the script.
        for raw in [
            "paul@caf\u{E9}.fr",
            "\u{0438}\u{0432}\u{0430}\u{043D}@\u{043F}\u{0440}\u{0438}\u{043C}\u{0435}\u{0440}.\u{0440}\u{0444}",
            "paul.dupont-2@menuiserie-75.fr",
            "\u{5C71}\u{7530}@\u{4F8B}\u{3048}.jp",
        ] {
            assert!(EmailAddress::parse(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn an_internationalised_domain_and_its_ascii_spelling_are_one_address() {
        let unicode = EmailAddress::parse("paul@caf\u{E9}.fr").unwrap();
        let ascii = EmailAddress::parse("Paul@XN--CAF-DMA.fr").unwrap();
        assert_eq!(unicode, ascii);
        assert_eq!(ascii.domain(), "caf\u{E9}.fr");
        // An ASCII spelling that decodes to mixed scripts is refused too.
        assert_eq!(
            EmailAddress::parse("paul@xn--xample-2of.fr"),
            Err(EmailError::MixedScripts)
        );
        // A label that is no Punycode at all.
        assert_eq!(
            EmailAddress::parse("paul@xn--99999999.fr"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn an_optional_address_left_empty_is_absent() {
        assert_eq!(EmailAddress::parse_optional(""), Ok(None));
        assert!(EmailAddress::parse_optional("x").is_err());
    }
}
