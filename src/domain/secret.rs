//! The secret question and its answer (guide, section 1, block "Question
//! secrète"). The question is kept as written (in NFC, its accents joined
//! to their letters: `domain::tidy_line`); the answer is only ever kept
//! as a hash of its normalised form (see `server::password`).

use super::{collapse_spaces, is_forbidden_control, reorders_display, tidy_line, UserMessage};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretQuestion(String);

/// An answer as typed. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretAnswer(String);

impl std::fmt::Debug for SecretAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretAnswer(<redacted>)")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SecretError {
    #[error("the question is missing")]
    QuestionMissing,
    #[error("the question is shorter than 10 characters")]
    QuestionTooShort,
    #[error("the question is longer than 200 characters")]
    QuestionTooLong,
    #[error("the answer is missing")]
    AnswerMissing,
    #[error("the answer is shorter than 3 characters")]
    AnswerTooShort,
    #[error("the answer is longer than 100 characters")]
    AnswerTooLong,
    #[error("control characters")]
    InvalidCharacters,
}

impl UserMessage for SecretError {
    fn message_key(&self) -> &'static str {
        match self {
            SecretError::QuestionMissing => "errors.secret.question_missing",
            SecretError::QuestionTooShort => "errors.secret.question_too_short",
            SecretError::QuestionTooLong => "errors.secret.question_too_long",
            SecretError::AnswerMissing => "errors.secret.answer_missing",
            SecretError::AnswerTooShort => "errors.secret.answer_too_short",
            SecretError::AnswerTooLong => "errors.secret.answer_too_long",
            SecretError::InvalidCharacters => "errors.secret.invalid_characters",
        }
    }
}

impl SecretQuestion {
    pub const MIN_LENGTH: usize = 10;
    pub const MAX_LENGTH: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        if raw
            .chars()
            .any(|c| c != '\t' && (is_forbidden_control(c) || reorders_display(c)))
        {
            return Err(SecretError::InvalidCharacters);
        }
        let question = tidy_line(raw);
        match question.chars().count() {
            0 => Err(SecretError::QuestionMissing),
            n if n < Self::MIN_LENGTH => Err(SecretError::QuestionTooShort),
            n if n > Self::MAX_LENGTH => Err(SecretError::QuestionTooLong),
            _ => Ok(SecretQuestion(question)),
        }
    }
}

impl AsRef<str> for SecretQuestion {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl SecretAnswer {
    pub const MIN_LENGTH: usize = 3;
    pub const MAX_LENGTH: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        if raw.len() > Self::MAX_LENGTH * 4 {
            return Err(SecretError::AnswerTooLong);
        }
        if raw.chars().any(|c| c != '\t' && is_forbidden_control(c)) {
            return Err(SecretError::InvalidCharacters);
        }
        let answer = collapse_spaces(raw);
        match answer.chars().count() {
            0 => Err(SecretError::AnswerMissing),
            n if n < Self::MIN_LENGTH => Err(SecretError::AnswerTooShort),
            n if n > Self::MAX_LENGTH => Err(SecretError::AnswerTooLong),
            _ => Ok(SecretAnswer(answer)),
        }
    }

    /// The answer with its spaces collapsed, as typed otherwise.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_kept_as_written_with_its_spaces_collapsed() {
        let q = SecretQuestion::parse("  Nom de mon   premier chien ?").unwrap();
        assert_eq!(q.as_ref(), "Nom de mon premier chien ?");
    }

    #[test]
    fn questions_and_answers_have_bounds() {
        assert_eq!(SecretQuestion::parse(""), Err(SecretError::QuestionMissing));
        assert_eq!(
            SecretQuestion::parse("Chien ?"),
            Err(SecretError::QuestionTooShort)
        );
        assert_eq!(
            SecretQuestion::parse(&"q".repeat(201)),
            Err(SecretError::QuestionTooLong)
        );
        assert_eq!(SecretAnswer::parse(" "), Err(SecretError::AnswerMissing));
        assert_eq!(SecretAnswer::parse("ab"), Err(SecretError::AnswerTooShort));
        assert_eq!(
            SecretAnswer::parse(&"a".repeat(101)),
            Err(SecretError::AnswerTooLong)
        );
        assert!(SecretAnswer::parse("Médor").is_ok());
    }

    #[test]
    fn a_question_that_would_reorder_its_display_is_refused_but_an_answer_is_kept() {
        let reordering = "Ville \u{202E}elatan ?";
        assert_eq!(
            SecretQuestion::parse(reordering),
            Err(SecretError::InvalidCharacters)
        );
        // An answer is never shown: one stored with an isolate (typed on a
        // right-to-left keyboard) must still be the right answer.
        assert!(SecretAnswer::parse("\u{2067}رامي\u{2069}").is_ok());
    }

    #[test]
    fn debug_never_shows_the_answer() {
        assert!(!format!("{:?}", SecretAnswer::parse("Médor").unwrap()).contains("Médor"));
    }
}
