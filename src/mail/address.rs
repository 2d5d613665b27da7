//! Whether the configured relay can deliver to an address, and the form
//! the SMTP envelope carries it in.
//!
//! An internationalised domain (`café-dupont.fr`) always goes, as its
//! ASCII form (IDNA, RFC 5890: `xn--caf-dupont-d7a.fr`). A local part
//! with other than ASCII (`pröbe@…`) needs a relay that offers SMTPUTF8
//! (RFC 6531); most do not, and lettre then refuses the message, so such
//! an address is refused where it is typed unless `SESAME_SMTP_UTF8` says
//! the relay offers it (part 9, item 5: an account whose activation email
//! could never leave).

use crate::domain::{EmailAddress, FieldErrors, UserMessage};

/// Why the relay cannot deliver to an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UndeliverableAddress {
    /// Other than ASCII before the `@`, and a relay without SMTPUTF8.
    LocalPartNotAscii,
    /// A domain with no valid ASCII (IDNA) form, which no relay can route.
    DomainWithoutAsciiForm,
}

impl UserMessage for UndeliverableAddress {
    fn message_key(&self) -> &'static str {
        match self {
            UndeliverableAddress::LocalPartNotAscii => "errors.email.local_part_not_ascii",
            UndeliverableAddress::DomainWithoutAsciiForm => "errors.email.domain_undeliverable",
        }
    }
}

/// Ok when the relay can carry `address`: its domain has a valid ASCII
/// form that lettre accepts, and its local part is ASCII or the relay
/// offers SMTPUTF8 (`relay_utf8`).
pub fn deliverable(address: &EmailAddress, relay_utf8: bool) -> Result<(), UndeliverableAddress> {
    let envelope = for_envelope(address.as_ref())
        .ok()
        .filter(|ascii| ascii.parse::<lettre::Address>().is_ok())
        .ok_or(UndeliverableAddress::DomainWithoutAsciiForm)?;
    let local = envelope.rsplit_once('@').map_or("", |(local, _)| local);
    if relay_utf8 || local.is_ascii() {
        Ok(())
    } else {
        Err(UndeliverableAddress::LocalPartNotAscii)
    }
}

/// Adds the error of [`deliverable`] to `field` in `errors`.
pub fn check_deliverable(
    errors: &mut FieldErrors,
    field: &str,
    address: &EmailAddress,
    relay_utf8: bool,
) {
    if let Err(error) = deliverable(address, relay_utf8) {
        errors.insert(field, &error);
    }
}

/// `address` as the envelope carries it: the domain in ASCII (IDNA), the
/// local part as stored. Errors: the domain has no ASCII form.
pub fn for_envelope(address: &str) -> anyhow::Result<String> {
    let (local, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| anyhow::anyhow!("an address without @"))?;
    if domain.is_ascii() {
        return Ok(address.to_owned());
    }
    let ascii = idna::domain_to_ascii(domain)
        .map_err(|e| anyhow::anyhow!("the domain {domain:?} has no ASCII form: {e}"))?;
    Ok(format!("{local}@{ascii}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internationalised_domain_goes_as_its_ascii_form() {
        assert_eq!(
            for_envelope("paul@caf\u{E9}-dupont.fr").unwrap(),
            "paul@xn--caf-dupont-d7a.fr"
        );
        assert_eq!(
            for_envelope("paul@menuiserie.fr").unwrap(),
            "paul@menuiserie.fr"
        );
    }

    #[test]
    fn a_non_ascii_local_part_needs_a_relay_with_smtputf8() {
        let address = EmailAddress::parse("pr\u{F6}be@ex\u{E4}mple.test").unwrap();
        assert_eq!(
            deliverable(&address, false),
            Err(UndeliverableAddress::LocalPartNotAscii)
        );
        assert_eq!(deliverable(&address, true), Ok(()));
        let idn_only = EmailAddress::parse("probe@ex\u{E4}mple.test").unwrap();
        assert_eq!(deliverable(&idn_only, false), Ok(()));
    }

    #[test]
    fn a_domain_without_an_ascii_form_is_undeliverable() {
        // A label may not start with a combining mark (IDNA, RFC 5891
        // 4.2.3.2), though the mark is a letter to the address parser.
        // One script (Devanagari): a mixed label is refused before (UTS #39).
        let address =
            EmailAddress::parse("paul@\u{903}\u{915}\u{916}.fr").expect("the parser accepts it");
        assert_eq!(
            deliverable(&address, true),
            Err(UndeliverableAddress::DomainWithoutAsciiForm)
        );
    }
}
