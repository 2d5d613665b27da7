//! Property tests over every parser of user input: whatever is typed, a
//! parser answers (a value or a translated error) and never panics; what it
//! accepts obeys its rule. `make fuzz` runs them with many cases
//! (`PROPTEST_CASES`); `make test` with proptest's default 256.

use proptest::prelude::*;
use sesame::domain::{
    AddressLine, City, Country, EmailAddress, NewPassword, PasswordChecks, PasswordPolicy,
    PersonName, PhoneNumber, PostalCode, Reason, SecretAnswer, SecretQuestion, Siret, UserMessage,
};

/// Any string, with a bias towards the characters that break parsers.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \\t\\r\\n\\u{0}\\u{a0}\\u{2028}<>\"'@./\\\\%:;,+()0-9a-zA-Zéèàç-]{0,300}",
    ]
}

proptest! {
    #[test]
    fn email_addresses_never_panic_and_accepted_ones_are_normalised(raw in hostile()) {
        match EmailAddress::parse(&raw) {
            Ok(email) => {
                let text = email.as_ref();
                prop_assert!(text.len() <= 254);
                prop_assert!(text.contains('@'));
                prop_assert!(!text.chars().any(char::is_whitespace));
                prop_assert_eq!(text.to_lowercase(), text);
                prop_assert_eq!(EmailAddress::parse(text).map(|e| e.to_string()), Ok(text.to_owned()));
            }
            Err(error) => prop_assert!(error.message_key().starts_with("errors.")),
        }
    }

    #[test]
    fn names_and_address_lines_never_panic(raw in hostile()) {
        if let Ok(name) = PersonName::parse(&raw) {
            prop_assert!(!name.as_ref().is_empty() && name.as_ref().chars().count() <= 100);
            prop_assert!(!name.as_ref().contains(['\r', '\n', '<', '>']));
        }
        if let Ok(line) = AddressLine::parse(&raw) {
            prop_assert!(!line.as_ref().contains(['\r', '\n', '<', '>']));
        }
        if let Ok(city) = City::parse(&raw) {
            prop_assert!(!city.as_ref().contains(['\r', '\n']));
        }
        let _ = Reason::parse(&raw);
        let _ = SecretQuestion::parse(&raw);
        let _ = SecretAnswer::parse(&raw);
    }

    #[test]
    fn postal_codes_never_panic_and_french_ones_have_five_digits(raw in hostile()) {
        if let Ok(code) = PostalCode::parse(&raw, Some(Country::FRANCE)) {
            prop_assert_eq!(code.as_ref().len(), 5);
            prop_assert!(code.as_ref().bytes().all(|b| b.is_ascii_digit()));
        }
        let _ = PostalCode::parse(&raw, None);
    }

    #[test]
    fn phone_numbers_never_panic(raw in hostile()) {
        if let Ok(Some(phone)) = PhoneNumber::parse_optional(&raw) {
            prop_assert!(phone.as_ref().len() <= 30);
            prop_assert!(phone.as_ref().chars().any(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn sirets_never_panic_and_accepted_ones_have_fourteen_digits(raw in hostile()) {
        if let Ok(siret) = Siret::parse(&raw) {
            prop_assert_eq!(siret.as_ref().len(), 14);
            prop_assert!(siret.as_ref().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn fourteen_digit_strings_with_one_changed_digit_are_caught(digits in "[0-9]{14}", position in 0usize..14) {
        if Siret::parse(&digits).is_ok() && !digits.starts_with("356000000") {
            let mut changed: Vec<u8> = digits.clone().into_bytes();
            changed[position] = b'0' + (changed[position] - b'0' + 1) % 10;
            let changed = String::from_utf8(changed).unwrap();
            prop_assert!(Siret::parse(&changed).is_err(), "{} accepted after {}", changed, digits);
        }
    }

    #[test]
    fn the_password_policy_accepts_exactly_what_its_checklist_says(raw in hostile()) {
        for policy in [PasswordPolicy::Activation, PasswordPolicy::Reset] {
            let checks = PasswordChecks::of(&raw, policy);
            let accepted = NewPassword::parse(&raw, policy).is_ok();
            prop_assert_eq!(accepted, checks.first_failure().is_none());
            if let Ok(password) = NewPassword::parse(&raw, policy) {
                // Kept as typed, but for its Unicode form (NFKC, part 9).
                let normalized = sesame::domain::unicode::normalized(&raw);
                prop_assert_eq!(password.expose(), normalized.as_str(), "the password was altered");
            }
        }
    }

    #[test]
    fn redirect_targets_only_ever_lead_to_a_path_of_this_site(raw in prop_oneof![
        hostile(),
        // Paths made of the pieces that resolve to another place: dot
        // segments, plain or encoded, empty segments, encoded separators.
        "(/(\\.|\\.\\.|%2[eE]|%2[fF]|%5[cC]|[a-z]{0,3})){1,8}[?#]?[a-z/.]{0,4}",
    ]) {
        let target = sesame::second_step::handlers::after_login(&raw);
        prop_assert!(target.starts_with('/'));
        prop_assert!(!target.starts_with("//") && !target.starts_with("/\\"));
        prop_assert!(!target.contains(['\r', '\n', '\\']));
        // As a browser resolves it (WHATWG URL): still this site, and a
        // path that does not read as another host's (`//host`).
        let site = url::Url::parse("https://sesame.example/").unwrap();
        let resolved = site.join(target).unwrap();
        prop_assert_eq!(resolved.host_str(), Some("sesame.example"));
        prop_assert!(!resolved.path().starts_with("//"), "{} → {}", target, resolved);
    }
}

#[test]
fn a_megabyte_password_is_refused_without_scanning_it() {
    let huge = "Aa1!".repeat(256 * 1024);
    assert!(NewPassword::parse(&huge, PasswordPolicy::Activation).is_err());
}
