use super::{collapse_spaces, is_forbidden_control, reorders_display, tidy_line, UserMessage};
use serde::{Deserialize, Serialize};

pub use super::countries::COUNTRIES;

/// A required line of a postal address (the street, or the city).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressLine(String);

/// One of the two optional address complements: empty is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OptionalLine(Option<String>);

/// The city of a postal address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct City(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LineError {
    #[error("the field is missing")]
    Missing,
    #[error("the field is longer than 200 characters")]
    TooLong,
    #[error("the field contains control characters")]
    InvalidCharacters,
}

impl UserMessage for LineError {
    fn message_key(&self) -> &'static str {
        match self {
            LineError::Missing => "errors.line.missing",
            LineError::TooLong => "errors.line.too_long",
            LineError::InvalidCharacters => "errors.line.invalid_characters",
        }
    }
}

fn parse_line(raw: &str, max: usize) -> Result<String, LineError> {
    if raw
        .chars()
        .any(|c| c != '\t' && (is_forbidden_control(c) || reorders_display(c)))
    {
        return Err(LineError::InvalidCharacters);
    }
    let line = tidy_line(raw);
    if line.is_empty() {
        return Err(LineError::Missing);
    }
    if line.chars().count() > max {
        return Err(LineError::TooLong);
    }
    if line.contains(['<', '>']) {
        return Err(LineError::InvalidCharacters);
    }
    Ok(line)
}

impl AddressLine {
    pub const MAX_LENGTH: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, LineError> {
        parse_line(raw, Self::MAX_LENGTH).map(AddressLine)
    }
}

impl OptionalLine {
    pub fn parse(raw: &str) -> Result<Self, LineError> {
        match parse_line(raw, AddressLine::MAX_LENGTH) {
            Ok(line) => Ok(OptionalLine(Some(line))),
            Err(LineError::Missing) => Ok(OptionalLine(None)),
            Err(other) => Err(other),
        }
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl City {
    pub const MAX_LENGTH: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, LineError> {
        parse_line(raw, Self::MAX_LENGTH).map(City)
    }
}

impl AsRef<str> for AddressLine {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for City {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A country of the ISO 3166-1 list, by its two-letter code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Country(&'static str);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CountryError {
    #[error("no country was chosen")]
    Missing,
    #[error("the country is not in the list")]
    Unknown,
}

impl UserMessage for CountryError {
    fn message_key(&self) -> &'static str {
        match self {
            CountryError::Missing => "errors.country.missing",
            CountryError::Unknown => "errors.country.unknown",
        }
    }
}

impl Country {
    pub const FRANCE: Country = Country("FR");

    pub fn parse(raw: &str) -> Result<Self, CountryError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(CountryError::Missing);
        }
        COUNTRIES
            .iter()
            .find(|(alpha2, _, _)| *alpha2 == code)
            .map(|(alpha2, _, _)| Country(alpha2))
            .ok_or(CountryError::Unknown)
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    /// The country's name in French (`fr`) or English (any other code).
    pub fn name(self, lang_code: &str) -> &'static str {
        COUNTRIES
            .iter()
            .find(|(alpha2, _, _)| *alpha2 == self.0)
            .map_or(
                self.0,
                |(_, fr, en)| if lang_code == "fr" { fr } else { en },
            )
    }

    /// Countries whose postal codes follow the French five-digit rule: France
    /// and the overseas territories that have their own ISO code.
    fn uses_french_postal_codes(self) -> bool {
        matches!(
            self.0,
            "FR" | "GP"
                | "MQ"
                | "GF"
                | "RE"
                | "YT"
                | "PM"
                | "BL"
                | "MF"
                | "WF"
                | "PF"
                | "NC"
                | "MC"
        )
    }
}

/// A postal code, checked against the country: five digits in France,
/// letters, digits, spaces and hyphens elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PostalCode(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum PostalCodeError {
    #[error("the postal code is missing")]
    Missing,
    #[error("a French postal code has five digits")]
    NotFiveDigits,
    #[error("the postal code is not well formed")]
    Malformed,
}

impl UserMessage for PostalCodeError {
    fn message_key(&self) -> &'static str {
        match self {
            PostalCodeError::Missing => "errors.postal_code.missing",
            PostalCodeError::NotFiveDigits => "errors.postal_code.not_five_digits",
            PostalCodeError::Malformed => "errors.postal_code.malformed",
        }
    }
}

impl PostalCode {
    /// Parses `raw` for `country`; without a valid country, the French rule
    /// applies (the form's default).
    pub fn parse(raw: &str, country: Option<Country>) -> Result<Self, PostalCodeError> {
        let code = collapse_spaces(raw).to_uppercase();
        if code.is_empty() {
            return Err(PostalCodeError::Missing);
        }
        if country.is_none_or(Country::uses_french_postal_codes) {
            let digits_only = code.replace(' ', "");
            if digits_only.len() == 5 && digits_only.chars().all(|c| c.is_ascii_digit()) {
                return Ok(PostalCode(digits_only));
            }
            return Err(PostalCodeError::NotFiveDigits);
        }
        let well_formed = (2..=10).contains(&code.chars().count())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            && code.chars().any(|c| c.is_ascii_alphanumeric());
        if well_formed {
            Ok(PostalCode(code))
        } else {
            Err(PostalCodeError::Malformed)
        }
    }
}

impl AsRef<str> for PostalCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_reorders_what_is_displayed_is_refused_in_address_lines() {
        for raw in ["12 rue \u{202E}sacliL sed", "Bâtiment \u{2066}B\u{2069}"] {
            assert_eq!(
                AddressLine::parse(raw),
                Err(LineError::InvalidCharacters),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn an_address_line_typed_with_combining_accents_is_kept_precomposed() {
        assert_eq!(
            AddressLine::parse("Ho\u{302}tel de Ville")
                .unwrap()
                .as_ref(),
            "Hôtel de Ville"
        );
    }

    #[test]
    fn a_french_postal_code_has_five_digits() {
        assert_eq!(
            PostalCode::parse("75001", Some(Country::FRANCE))
                .unwrap()
                .as_ref(),
            "75001"
        );
        assert_eq!(
            PostalCode::parse("75 001", Some(Country::FRANCE))
                .unwrap()
                .as_ref(),
            "75001"
        );
        for raw in ["7500", "750011", "7500A", "2A004"] {
            assert_eq!(
                PostalCode::parse(raw, Some(Country::FRANCE)),
                Err(PostalCodeError::NotFiveDigits),
                "{raw}"
            );
        }
    }

    #[test]
    fn overseas_departments_follow_the_french_rule() {
        let reunion = Country::parse("RE").unwrap();
        assert!(PostalCode::parse("97400", Some(reunion)).is_ok());
        assert!(PostalCode::parse("974", Some(reunion)).is_err());
    }

    #[test]
    fn foreign_postal_codes_follow_a_looser_rule() {
        let uk = Country::parse("gb").unwrap();
        assert_eq!(
            PostalCode::parse("sw1a 1aa", Some(uk)).unwrap().as_ref(),
            "SW1A 1AA"
        );
        assert_eq!(
            PostalCode::parse("<b>", Some(uk)),
            Err(PostalCodeError::Malformed)
        );
    }

    #[test]
    fn a_missing_postal_code_says_so() {
        assert_eq!(PostalCode::parse(" ", None), Err(PostalCodeError::Missing));
    }

    #[test]
    fn countries_come_from_the_list() {
        assert_eq!(Country::parse("fr").unwrap().name("fr"), "France");
        assert_eq!(Country::parse("DE").unwrap().name("fr"), "Allemagne");
        assert_eq!(Country::parse("DE").unwrap().name("en"), "Germany");
        assert_eq!(Country::parse("XX"), Err(CountryError::Unknown));
        assert_eq!(Country::parse(""), Err(CountryError::Missing));
    }

    #[test]
    fn address_lines_are_required_bounded_and_plain_text() {
        assert_eq!(
            AddressLine::parse("  12  rue de la Paix ")
                .unwrap()
                .as_ref(),
            "12 rue de la Paix"
        );
        assert_eq!(AddressLine::parse(""), Err(LineError::Missing));
        assert_eq!(
            AddressLine::parse(&"a".repeat(201)),
            Err(LineError::TooLong)
        );
        assert_eq!(
            AddressLine::parse("a\u{7}b"),
            Err(LineError::InvalidCharacters)
        );
        assert_eq!(OptionalLine::parse("  ").unwrap().as_deref(), None);
        assert_eq!(
            OptionalLine::parse("Bâtiment B").unwrap().as_deref(),
            Some("Bâtiment B")
        );
    }
}
