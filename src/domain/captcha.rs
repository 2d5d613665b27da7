use super::UserMessage;
use serde::{Deserialize, Serialize};

/// What a person typed for the captcha: five characters, compared without
/// regard to case (kept in upper case), spaces ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptchaAnswer(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CaptchaError {
    #[error("the captcha was not copied")]
    Missing,
    #[error("the captcha has five characters")]
    WrongLength,
    #[error("the captcha does not match the image")]
    Wrong,
    #[error("the captcha image has expired")]
    Expired,
}

impl UserMessage for CaptchaError {
    fn message_key(&self) -> &'static str {
        match self {
            CaptchaError::Missing => "errors.captcha.missing",
            CaptchaError::WrongLength => "errors.captcha.wrong_length",
            CaptchaError::Wrong => "errors.captcha.wrong",
            CaptchaError::Expired => "errors.captcha.expired",
        }
    }
}

impl CaptchaAnswer {
    pub const LENGTH: usize = 5;

    pub fn parse(raw: &str) -> Result<Self, CaptchaError> {
        let answer: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if answer.is_empty() {
            return Err(CaptchaError::Missing);
        }
        if answer.chars().count() != Self::LENGTH {
            return Err(CaptchaError::WrongLength);
        }
        Ok(CaptchaAnswer(answer))
    }
}

impl AsRef<str> for CaptchaAnswer {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_compared_without_regard_to_case() {
        assert_eq!(CaptchaAnswer::parse(" ab c1d ").unwrap().as_ref(), "ABC1D");
    }

    #[test]
    fn an_answer_of_four_or_six_characters_is_refused() {
        assert_eq!(CaptchaAnswer::parse("ABCD"), Err(CaptchaError::WrongLength));
        assert_eq!(
            CaptchaAnswer::parse("ABCDEF"),
            Err(CaptchaError::WrongLength)
        );
        assert_eq!(CaptchaAnswer::parse(""), Err(CaptchaError::Missing));
    }
}
