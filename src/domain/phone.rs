use super::{collapse_spaces, UserMessage};
use serde::{Deserialize, Serialize};

/// A telephone or fax number in a usual French or international form:
/// `01 23 45 67 89`, `01.23.45.67.89`, `+33 1 23 45 67 89`,
/// `+33 (0)1 23 45 67 89`, `0033 1 23 45 67 89`, `+44 20 7946 0958`.
///
/// It is kept as typed (spaces collapsed), since that is how the person
/// wants to read it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PhoneNumber(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PhoneError {
    #[error("the number contains characters other than digits, spaces, dots, hyphens, parentheses and a leading +")]
    InvalidCharacters,
    #[error("a French number has ten digits and starts with 0")]
    NotFrenchFormat,
    #[error("an international number has 8 to 15 digits after the country code prefix")]
    NotInternationalFormat,
}

impl UserMessage for PhoneError {
    fn message_key(&self) -> &'static str {
        match self {
            PhoneError::InvalidCharacters => "errors.phone.invalid_characters",
            PhoneError::NotFrenchFormat => "errors.phone.not_french_format",
            PhoneError::NotInternationalFormat => "errors.phone.not_international_format",
        }
    }
}

impl PhoneNumber {
    /// Parses an optional number: empty means absent.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, PhoneError> {
        let number = collapse_spaces(raw);
        if number.is_empty() {
            return Ok(None);
        }
        let allowed = |(i, c): (usize, char)| {
            c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0)
        };
        if !number.char_indices().all(allowed) || number.len() > 30 {
            return Err(PhoneError::InvalidCharacters);
        }
        // "+33 (0)1 …": the bracketed trunk zero is not dialled.
        let dialled = number.replace("(0)", "");
        let digits: String = dialled.chars().filter(char::is_ascii_digit).collect();
        let international = number.starts_with('+') || digits.starts_with("00");
        if international {
            let significant = digits.strip_prefix("00").unwrap_or(&digits);
            if (8..=15).contains(&significant.len()) && !significant.starts_with('0') {
                return Ok(Some(PhoneNumber(number)));
            }
            return Err(PhoneError::NotInternationalFormat);
        }
        if digits.len() == 10 && digits.starts_with('0') && !digits.starts_with("00") {
            return Ok(Some(PhoneNumber(number)));
        }
        Err(PhoneError::NotFrenchFormat)
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_french_and_international_forms_are_accepted() {
        for raw in [
            "01 23 45 67 89",
            "0123456789",
            "01.23.45.67.89",
            "01-23-45-67-89",
            "+33 1 23 45 67 89",
            "+33 (0)1 23 45 67 89",
            "0033 1 23 45 67 89",
            "+44 20 7946 0958",
            "+1 (555) 010-9999",
        ] {
            assert!(
                PhoneNumber::parse_optional(raw).unwrap().is_some(),
                "{raw} was refused"
            );
        }
    }

    #[test]
    fn an_empty_number_is_absent() {
        assert_eq!(PhoneNumber::parse_optional("  "), Ok(None));
    }

    #[test]
    fn a_french_number_of_nine_digits_is_refused() {
        assert_eq!(
            PhoneNumber::parse_optional("01 23 45 67 8"),
            Err(PhoneError::NotFrenchFormat)
        );
        assert_eq!(
            PhoneNumber::parse_optional("1234567890"),
            Err(PhoneError::NotFrenchFormat)
        );
    }

    #[test]
    fn letters_and_a_plus_inside_are_refused() {
        assert_eq!(
            PhoneNumber::parse_optional("01 23 AB"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(
            PhoneNumber::parse_optional("01+23"),
            Err(PhoneError::InvalidCharacters)
        );
    }

    #[test]
    fn an_international_number_needs_8_to_15_digits() {
        assert_eq!(
            PhoneNumber::parse_optional("+33 12"),
            Err(PhoneError::NotInternationalFormat)
        );
        assert_eq!(
            PhoneNumber::parse_optional("+33 1234567890123456"),
            Err(PhoneError::NotInternationalFormat)
        );
    }
}
