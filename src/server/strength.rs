//! How guessable a password is, as zxcvbn judges it with the person's own
//! words (NIST SP 800-63B 5.1.1.2: refuse passwords that are commonly used,
//! expected or compromised): the meter's figures ([`strength`]) and the
//! form's refusal ([`refuse_if_guessable`]).

use crate::domain::Strength;

/// zxcvbn's verdict as a form error: when `password` meets `policy`'s
/// composition rules but is too easy to guess (score under the floor; NIST
/// SP 800-63B 5.1.1.2 asks to refuse guessable passwords),
/// [`PasswordError::TooGuessable`] is added to `errors` under `password`,
/// whatever the form's other errors, so that one submission shows all of
/// them. `user_inputs`: the person's address and names. Returns whether it
/// was added.
pub fn refuse_if_guessable(
    errors: &mut crate::domain::FieldErrors,
    password: &str,
    policy: crate::domain::password::PasswordPolicy,
    user_inputs: &[&str],
) -> bool {
    use crate::domain::password::{NewPassword, PasswordError};
    let Ok(composed) = NewPassword::parse(password, policy) else {
        return false;
    };
    let guessable = !strength(composed.expose(), user_inputs).acceptable();
    if guessable {
        errors.insert("password", &PasswordError::TooGuessable);
    }
    guessable
}

/// zxcvbn's judgement, with the person's email and names as known words.
/// Only the first 100 characters are scored, which bounds the time spent.
pub fn strength(password: &str, user_inputs: &[&str]) -> Strength {
    let scored: String = password.chars().take(100).collect();
    if scored.is_empty() {
        return Strength::default();
    }
    let mut inputs: Vec<&str> = Vec::new();
    for input in user_inputs {
        inputs.push(input);
        inputs.extend(
            input
                .split(['@', '.', ' ', '-', '_'])
                .filter(|part| part.len() >= 3),
        );
    }
    let entropy = zxcvbn::zxcvbn(&scored, &inputs);
    let feedback = entropy.feedback();
    Strength {
        score: entropy.score() as u8,
        warning: feedback
            .and_then(|f| f.warning())
            .map(|w| warning_key(w).to_owned()),
        suggestions: feedback
            .map(|f| {
                f.suggestions()
                    .iter()
                    .map(|s| suggestion_key(*s).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn warning_key(warning: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning::*;
    match warning {
        StraightRowsOfKeysAreEasyToGuess => "password.warning.keyboard_row",
        ShortKeyboardPatternsAreEasyToGuess => "password.warning.keyboard_pattern",
        RepeatsLikeAaaAreEasyToGuess => "password.warning.repeats",
        RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "password.warning.repeated_groups",
        ThisIsATop10Password | ThisIsATop100Password | ThisIsACommonPassword => {
            "password.warning.common"
        }
        ThisIsSimilarToACommonlyUsedPassword => "password.warning.similar_to_common",
        SequencesLikeAbcAreEasyToGuess => "password.warning.sequence",
        RecentYearsAreEasyToGuess => "password.warning.recent_years",
        AWordByItselfIsEasyToGuess => "password.warning.single_word",
        DatesAreOftenEasyToGuess => "password.warning.dates",
        NamesAndSurnamesByThemselvesAreEasyToGuess | CommonNamesAndSurnamesAreEasyToGuess => {
            "password.warning.names"
        }
    }
}

fn suggestion_key(suggestion: zxcvbn::feedback::Suggestion) -> &'static str {
    use zxcvbn::feedback::Suggestion::*;
    match suggestion {
        UseAFewWordsAvoidCommonPhrases => "password.suggestion.few_words",
        NoNeedForSymbolsDigitsOrUppercaseLetters => "password.suggestion.length_matters",
        AddAnotherWordOrTwo => "password.suggestion.add_words",
        CapitalizationDoesntHelpVeryMuch | AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase => {
            "password.suggestion.capitals"
        }
        ReversedWordsArentMuchHarderToGuess => "password.suggestion.reversed",
        PredictableSubstitutionsDontHelpVeryMuch => "password.suggestion.substitutions",
        UseALongerKeyboardPatternWithMoreTurns => "password.suggestion.keyboard",
        AvoidRepeatedWordsAndCharacters => "password.suggestion.repeats",
        AvoidSequences => "password.suggestion.sequences",
        AvoidRecentYears
        | AvoidYearsThatAreAssociatedWithYou
        | AvoidDatesAndYearsThatAreAssociatedWithYou => "password.suggestion.years",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compliant_but_famous_password_is_too_guessable() {
        let strength = strength("Password1!", &[]);
        assert!(!strength.acceptable(), "score {}", strength.score);
        assert!(strength.warning.is_some());
    }

    #[test]
    fn the_persons_own_names_make_a_password_weaker() {
        let with_names = strength(
            "Dupont2026!",
            &["paul.dupont@menuiserie.fr", "Dupont", "Paul"],
        );
        assert!(!with_names.acceptable(), "score {}", with_names.score);
    }

    #[test]
    fn a_long_random_password_is_strong() {
        assert!(strength("correct-Horse-battery-staple-42", &[]).acceptable());
    }
}
