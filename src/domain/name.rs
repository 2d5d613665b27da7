use super::{tidy_line, UserMessage};
use serde::{Deserialize, Serialize};

/// A last or first name: letters of any script, with the spaces, hyphens,
/// apostrophes and dots that real names use (`Le Goff`, `Jean-Pierre`,
/// `N'Diaye`, `O’Connor`, `St. John`). Spaces are collapsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersonName(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum NameError {
    #[error("the name is missing")]
    Missing,
    #[error("the name is longer than 100 characters")]
    TooLong,
    #[error("the name contains characters that names do not use")]
    InvalidCharacters,
}

impl UserMessage for NameError {
    fn message_key(&self) -> &'static str {
        match self {
            NameError::Missing => "errors.name.missing",
            NameError::TooLong => "errors.name.too_long",
            NameError::InvalidCharacters => "errors.name.invalid_characters",
        }
    }
}

impl PersonName {
    pub const MAX_LENGTH: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let name = tidy_line(raw);
        if name.is_empty() {
            return Err(NameError::Missing);
        }
        if name.chars().count() > Self::MAX_LENGTH {
            return Err(NameError::TooLong);
        }
        let punctuation = |c: char| matches!(c, ' ' | '-' | '\'' | '’' | '.');
        let mut after_letter = false;
        for c in name.chars() {
            // A combining accent with no precomposed form (the grave over
            // "ọ" in "Adébáyọ̀") is part of the letter before it.
            let allowed = if is_combining_accent(c) {
                after_letter
            } else {
                c.is_alphabetic() || punctuation(c)
            };
            if !allowed {
                return Err(NameError::InvalidCharacters);
            }
            after_letter = c.is_alphabetic() || (after_letter && is_combining_accent(c));
        }
        if !name.chars().any(char::is_alphabetic) {
            return Err(NameError::InvalidCharacters);
        }
        Ok(PersonName(name))
    }
}

/// A combining diacritical mark (the Unicode blocks U+0300–036F,
/// U+1AB0–1AFF, U+1DC0–1DFF, U+20D0–20FF and U+FE20–FE2F).
fn is_combining_accent(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

impl AsRef<str> for PersonName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_names_are_accepted() {
        for raw in [
            "Dupont",
            "Jean-Pierre",
            "N'Diaye",
            "O’Connor",
            "Le  Goff",
            "Zoé",
            "St. John",
            "李",
        ] {
            assert!(PersonName::parse(raw).is_ok(), "{raw} was refused");
        }
    }

    #[test]
    fn a_name_typed_with_combining_accents_is_the_same_name_precomposed() {
        for (decomposed, precomposed) in [
            ("Me\u{301}nard", "Ménard"),
            ("Zoe\u{308}", "Zoë"),
            // No precomposed form: the mark stays, after its letter.
            ("Adébáyọ\u{300}", "Adébáyọ\u{300}"),
        ] {
            assert_eq!(PersonName::parse(decomposed).unwrap().as_ref(), precomposed);
        }
    }

    #[test]
    fn spaces_are_collapsed() {
        assert_eq!(
            PersonName::parse("  Le   Goff ").unwrap().as_ref(),
            "Le Goff"
        );
    }

    #[test]
    fn digits_and_markup_are_refused() {
        for raw in [
            "Dupont2",
            "<script>",
            "Paul\u{0}",
            "--",
            "\u{301}Paul",
            "Le \u{301}Goff",
        ] {
            assert_eq!(
                PersonName::parse(raw),
                Err(NameError::InvalidCharacters),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_missing_name_and_a_name_of_101_letters_are_refused() {
        assert_eq!(PersonName::parse(" "), Err(NameError::Missing));
        assert_eq!(PersonName::parse(&"a".repeat(101)), Err(NameError::TooLong));
        assert!(PersonName::parse(&"a".repeat(100)).is_ok());
    }
}
