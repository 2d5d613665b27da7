//! One Unicode form for every text compared for identity: passwords,
//! login and contact addresses (secret answers are folded further, see
//! `server::password::normalize_answer`). "Çà" typed as precomposed
//! letters (NFC) or as base letters plus combining accents (NFD, as some
//! keyboards and password managers produce) is the same text.
//!
//! The form is NFKC, as NIST SP 800-63B (5.1.1.2) recommends for
//! passwords: compatibility characters fold too (the "ﬁ" ligature is "fi",
//! a full-width "Ａ" is "A"). It is applied where such text is stored and
//! where it is compared, in the browser (the password checklist, the
//! signup's address checks) and on the server (hashing, zxcvbn, look-ups)
//! alike.
//!
//! The server normalises with the `unicode-normalization` crate. The browser
//! asks its own engine (`String.prototype.normalize("NFKC")`, ECMA-262
//! 22.1.3.15), which carries the same Unicode tables already: shipping the
//! crate's tables in the Wasm weighed on every first load (BENCHMARKS.md,
//! part 8). The browser's result only drives the live checks; what is stored
//! and compared is always the server's.

/// The Unicode normalization forms Sésame uses (UAX #15).
#[derive(Clone, Copy)]
enum Form {
    /// Canonical composition.
    Nfc,
    /// Canonical decomposition.
    Nfd,
    /// Compatibility decomposition, then canonical composition.
    Nfkc,
}

/// `text` in `form`: by the crate on the server, by the browser's engine in
/// the Wasm. ASCII text is the same in every form and is copied as is.
fn in_form(text: &str, form: Form) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use unicode_normalization::UnicodeNormalization;
        match form {
            Form::Nfc => text.nfc().collect(),
            Form::Nfd => text.nfd().collect(),
            Form::Nfkc => text.nfkc().collect(),
        }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let name = match form {
            Form::Nfc => "NFC",
            Form::Nfd => "NFD",
            Form::Nfkc => "NFKC",
        };
        js_sys::JsString::from(text).normalize(name).into()
    }
}

/// `text` in NFKC. ASCII text is its own NFKC form and is copied as is.
pub fn normalized(text: &str) -> String {
    in_form(text, Form::Nfkc)
}

/// The key that puts names in a reader's alphabetical order: the text in
/// canonical decomposition (NFD) without its combining marks (U+0300 to
/// U+036F), in lower case, so that "Åland" sorts among the A and "Côte
/// d'Ivoire" before "Croatia", where comparing bytes put them after "Z".
/// Computed alike on the server and in the browser.
pub fn sort_key(text: &str) -> String {
    in_form(text, Form::Nfd)
        .chars()
        .filter(|c| !('\u{300}'..='\u{36F}').contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// `text` in NFC (canonical composition): an accent typed as a combining
/// mark joins its letter ("e" + U+0301 is "é"), and nothing else changes,
/// unlike NFKC ("m²" stays "m²"). For text that is shown as typed: names,
/// address lines, questions (`domain::tidy_line`). ASCII is copied as is.
pub fn composed(text: &str) -> String {
    in_form(text, Form::Nfc)
}

/// Whether two texts are the same once normalised.
pub fn same_text(a: &str, b: &str) -> bool {
    a == b || normalized(a) == normalized(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSED: &str = "\u{C7}\u{E0}-F\u{F4}r\u{EA}t-2026";
    const DECOMPOSED: &str = "C\u{327}a\u{300}-Fo\u{302}re\u{302}t-2026";

    #[test]
    fn composed_and_decomposed_letters_are_the_same_text() {
        assert_ne!(COMPOSED, DECOMPOSED);
        assert_eq!(normalized(COMPOSED), normalized(DECOMPOSED));
        assert!(same_text(COMPOSED, DECOMPOSED));
    }

    #[test]
    fn composition_joins_accents_and_keeps_compatibility_characters() {
        assert_eq!(composed("Me\u{301}nard"), "Ménard");
        assert_eq!(
            composed("12 m\u{B2}, 1\u{BA} andar"),
            "12 m\u{B2}, 1\u{BA} andar"
        );
    }

    #[test]
    fn accented_letters_sort_with_their_base_letter() {
        assert_eq!(sort_key("Åland Islands"), "aland islands");
        assert!(sort_key("Côte d'Ivoire") < sort_key("Croatia"));
        assert!(sort_key("Réunion") < sort_key("Romania"));
    }

    #[test]
    fn compatibility_characters_fold_to_their_plain_form() {
        assert_eq!(normalized("\u{FB01}n"), "fin");
        assert_eq!(normalized("\u{FF21}bc"), "Abc");
    }

    #[test]
    fn ascii_is_left_as_is() {
        assert_eq!(normalized("Vanille-Fraise-42"), "Vanille-Fraise-42");
    }
}
