//! The SIRET of a structure: 14 digits whose Luhn checksum is right (the
//! INSEE's rule). Spaces typed between the groups are accepted and dropped.
//! La Poste's establishments (SIREN 356000000) follow another rule: the sum of
//! their digits is a multiple of 5.

use super::UserMessage;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Siret(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SiretError {
    #[error("no SIRET")]
    Missing,
    #[error("a SIRET has 14 digits")]
    NotFourteenDigits,
    #[error("the checksum is wrong")]
    WrongChecksum,
}

impl UserMessage for SiretError {
    fn message_key(&self) -> &'static str {
        match self {
            SiretError::Missing => "errors.siret.missing",
            SiretError::NotFourteenDigits => "errors.siret.not_fourteen_digits",
            SiretError::WrongChecksum => "errors.siret.wrong_checksum",
        }
    }
}

const LA_POSTE_SIREN: &str = "356000000";

impl Siret {
    pub fn parse(raw: &str) -> Result<Self, SiretError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(SiretError::Missing);
        }
        if compact.len() != 14 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SiretError::NotFourteenDigits);
        }
        let digits: Vec<u32> = compact.bytes().map(|b| u32::from(b - b'0')).collect();
        let valid = if compact.starts_with(LA_POSTE_SIREN) && compact != "35600000000048" {
            digits.iter().sum::<u32>().is_multiple_of(5)
        } else {
            luhn(&digits)
        };
        if valid {
            Ok(Siret(compact))
        } else {
            Err(SiretError::WrongChecksum)
        }
    }

    /// `732 829 320 00074`: SIREN by threes, then the establishment's NIC.
    pub fn grouped(&self) -> String {
        format!(
            "{} {} {} {}",
            &self.0[0..3],
            &self.0[3..6],
            &self.0[6..9],
            &self.0[9..14]
        )
    }
}

/// Luhn: from the right, every second digit is doubled (minus 9 when over
/// 9); the sum must be a multiple of 10.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| match (i % 2 == 1, d * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => *d,
        })
        .sum();
    sum.is_multiple_of(10)
}

impl AsRef<str> for Siret {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Siret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sirets_are_accepted_with_or_without_spaces() {
        // Établissements publics and companies listed in the SIRENE base.
        for siret in [
            "73282932000074",
            "552 081 317 66522",
            "35600000000048",
            "13002526500013",
            "44306184100047",
        ] {
            assert!(Siret::parse(siret).is_ok(), "{siret}");
        }
        assert_eq!(
            Siret::parse("552 081 317 66522").unwrap().as_ref(),
            "55208131766522"
        );
        assert_eq!(
            Siret::parse("73282932000074").unwrap().grouped(),
            "732 829 320 00074"
        );
    }

    #[test]
    fn a_changed_digit_breaks_the_checksum() {
        assert_eq!(
            Siret::parse("73282932000075"),
            Err(SiretError::WrongChecksum)
        );
    }

    #[test]
    fn a_siret_has_exactly_fourteen_digits() {
        assert_eq!(Siret::parse(""), Err(SiretError::Missing));
        assert_eq!(
            Siret::parse("7328293200007"),
            Err(SiretError::NotFourteenDigits)
        );
        assert_eq!(
            Siret::parse("7328293200007A"),
            Err(SiretError::NotFourteenDigits)
        );
    }

    #[test]
    fn la_poste_establishments_follow_their_own_rule() {
        // Sum of digits 3+5+6+1+… multiple of 5.
        assert!(Siret::parse("35600000049837").is_ok());
    }
}
