//! The codes typed at the second step: a 6-digit one-time code (emailed,
//! or from an authenticator app, RFC 6238 section 4 with `Digit = 6`) and a
//! recovery code (10 characters of [`RECOVERY_ALPHABET`], printed in two
//! groups of five).
//!
//! What people paste is forgiven: spaces, dashes and dots between the
//! characters are dropped, and a recovery code's letters may be typed in
//! lower case.

use super::UserMessage;

/// The characters of a recovery code: Crockford's base 32, without the
/// letters people confuse with digits (I, L, O, U), so 5 bits a character
/// and 50 bits a code (NIST SP 800-63B 5.1.2.1: at least 20 bits for a
/// look-up secret that is rate-limited).
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a recovery code.
pub const RECOVERY_CODE_LENGTH: usize = 10;

/// Why a typed code cannot be one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    Missing,
    /// Not 6 digits.
    NotSixDigits,
    /// Not 10 characters of the recovery alphabet.
    NotRecoveryCode,
}

impl UserMessage for CodeError {
    fn message_key(&self) -> &'static str {
        match self {
            CodeError::Missing => "errors.code.missing",
            CodeError::NotSixDigits => "errors.code.not_six_digits",
            CodeError::NotRecoveryCode => "errors.code.not_recovery_code",
        }
    }
}

/// What is typed between a code's characters and dropped.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '\u{2010}'..='\u{2015}')
}

/// A 6-digit one-time code.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// The code typed as `raw`, its separators dropped.
    ///
    /// Errors: [`CodeError::Missing`], [`CodeError::NotSixDigits`].
    pub fn parse(raw: &str) -> Result<OneTimeCode, CodeError> {
        let digits: String = raw.chars().filter(|c| !is_separator(*c)).collect();
        if digits.is_empty() {
            return Err(CodeError::Missing);
        }
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::NotSixDigits);
        }
        Ok(OneTimeCode(digits))
    }
}

impl AsRef<str> for OneTimeCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

/// A recovery code, in its canonical form (upper case, no separator).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    /// The code typed as `raw`: separators dropped, upper-cased.
    ///
    /// Errors: [`CodeError::Missing`], [`CodeError::NotRecoveryCode`].
    pub fn parse(raw: &str) -> Result<RecoveryCode, CodeError> {
        let code: String = raw
            .chars()
            .filter(|c| !is_separator(*c))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(CodeError::Missing);
        }
        if code.len() != RECOVERY_CODE_LENGTH
            || !code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            return Err(CodeError::NotRecoveryCode);
        }
        Ok(RecoveryCode(code))
    }

    /// As printed: two groups of five (`7K3QX-M9D2P`).
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl AsRef<str> for RecoveryCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

/// A base 32 secret as people type it into an app: groups of four
/// (`JBSW Y3DP EHPK 3PXP`).
pub fn grouped_by_four(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_pasted_with_a_space_or_a_dash_is_read_as_six_digits() {
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().as_ref(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().as_ref(), "123456");
    }

    #[test]
    fn five_or_seven_digits_or_a_letter_are_not_a_code() {
        for raw in ["12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(
                OneTimeCode::parse(raw),
                Err(CodeError::NotSixDigits),
                "{raw}"
            );
        }
        assert_eq!(OneTimeCode::parse("  "), Err(CodeError::Missing));
    }

    #[test]
    fn a_recovery_code_is_read_whatever_its_case_and_grouping() {
        let code = RecoveryCode::parse("7k3qx m9d2p").unwrap();
        assert_eq!(code.as_ref(), "7K3QXM9D2P");
        assert_eq!(code.grouped(), "7K3QX-M9D2P");
        assert_eq!(
            RecoveryCode::parse("7K3QX-M9D2O"),
            Err(CodeError::NotRecoveryCode),
            "O is not in the alphabet"
        );
    }

    #[test]
    fn debug_never_shows_a_code() {
        let shown = format!(
            "{:?} {:?}",
            OneTimeCode::parse("123456").unwrap(),
            RecoveryCode::parse("7K3QXM9D2P").unwrap()
        );
        assert!(
            !shown.contains("123456") && !shown.contains("7K3QX"),
            "{shown}"
        );
    }

    #[test]
    fn a_secret_is_shown_in_groups_of_four() {
        assert_eq!(grouped_by_four("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
    }
}
