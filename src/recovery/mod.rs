//! "Mot de passe oublié ?" (guide, section 3) and the "procédure de perte de
//! mot de passe" notice of section 4.
//!
//! 1. `/mot-de-passe-oublie`: the login address and the captcha, "Valider".
//! 2. The same page then asks the secret question. An address without an
//!    active account gets a decoy question, chosen from the address with a
//!    server key, so the page looks the same and stays the same.
//! 3. After the answer, always the guide's message: a password-change email
//!    was sent. Only a right answer on an active account sends it; wrong
//!    answers are counted and pause the address's recovery after
//!    `SESAME_RECOVERY_MAX_WRONG_ANSWERS` in an hour (the owner is told).
//! 4. The emailed link opens "Gestion du mot de passe" at
//!    `/nouveau-mot-de-passe/{token}`: 12 characters or more, 3 of 4
//!    classes, zxcvbn's floor, not the current password. "Valider" changes
//!    it, ends every session, clears the login counters and tells the owner.
//!
//! The question step carries a random flow id in a hidden field (never in
//! an address): the question and the address are read back from the
//! database, so nothing can be changed between the steps.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod throttle;

pub use page::{ForgotPasswordPage, ResetPasswordPage};

use crate::domain::password::parse_pair;
use crate::domain::{EmailAddress, FieldErrors, NewPassword, PasswordPolicy, SecretAnswer};
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Both steps of "Mot de passe oublié ?" (`POST /mot-de-passe-oublie`).
///
/// Errors: [`DoorError::Unavailable`] only when the request cannot be
/// read; a failure of the service is the page's own state, with the step
/// kept.
#[server(prefix = "/api", endpoint = "mot-de-passe-oublie")]
pub async fn recover(
    #[server(flatten)] form: RecoveryForm,
) -> Result<Outcome<ForgotPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer =
        handlers::answer_forgot(request.state.clone(), request.headers().clone(), form).await;
    request.finish(Ok(answer))
}

/// "Valider" on the reset link's page (`POST /nouveau-mot-de-passe/…`);
/// the link's token travels in the body.
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "nouveau-mot-de-passe")]
pub async fn reset_password(
    token: String,
    #[server(flatten)] form: ResetForm,
) -> Result<Outcome<ResetPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_reset(request.state.clone(), token, form).await;
    request.finish(answer)
}

/// The decoy questions, by catalogue key (each shown in a language chosen
/// from the address: `service::decoy_question`).
pub const DECOY_QUESTIONS: &[&str] = &[
    "recovery.decoy.pet",
    "recovery.decoy.birth_city",
    "recovery.decoy.mother_name",
    "recovery.decoy.primary_school",
    "recovery.decoy.childhood_friend",
    "recovery.decoy.first_car",
    "recovery.decoy.street",
    "recovery.decoy.dish",
    "recovery.decoy.grandfather_job",
    "recovery.decoy.book",
    "recovery.decoy.father_city",
    "recovery.decoy.first_employer",
];

/// What the forgotten-password page posts, at either step.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecoveryForm {
    pub login_email: String,
    pub captcha_id: String,
    pub captcha_answer: String,
    /// The flow started by the first step (the question step only).
    pub flow: String,
    pub secret_answer: String,
    /// `request` (step 1), `new_captcha` (step 1 without JavaScript) or
    /// `answer` (step 2).
    pub intent: String,
}

impl std::fmt::Debug for RecoveryForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecoveryForm")
            .field("login_email", &self.login_email)
            .field("intent", &self.intent)
            .finish_non_exhaustive()
    }
}

/// Step 1's fields, in the order of the form, with their label keys.
pub const REQUEST_FIELDS: &[(&str, &str)] = &[
    ("login_email", "recovery.login_email"),
    ("captcha_answer", "captcha.label"),
];

/// Step 2's field.
pub const ANSWER_FIELDS: &[(&str, &str)] = &[("secret_answer", "recovery.secret_answer")];

impl RecoveryForm {
    /// The address as typed, for showing again (bounded).
    pub fn typed_email(&self) -> String {
        self.login_email.chars().take(254).collect()
    }

    /// Step 1 without the captcha, which only the server can check.
    pub fn parse_request(&self) -> Result<EmailAddress, FieldErrors> {
        let mut errors = FieldErrors::new();
        match errors.check("login_email", EmailAddress::parse(&self.login_email)) {
            Some(email) => Ok(email),
            None => Err(errors),
        }
    }

    pub fn parse_answer(&self) -> Result<SecretAnswer, FieldErrors> {
        let mut errors = FieldErrors::new();
        match errors.check("secret_answer", SecretAnswer::parse(&self.secret_answer)) {
            Some(answer) => Ok(answer),
            None => Err(errors),
        }
    }
}

/// What the forgotten-password page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForgotPageState {
    /// Step 1: the address and the captcha.
    Request {
        email: String,
        errors: FieldErrors,
        /// Without JavaScript, "Nouvelle image" redraws the page: focus the
        /// captcha again.
        focus_captcha: bool,
        /// Catalogue key of a notice above the form (e.g. the question step
        /// expired).
        notice: Option<String>,
        /// Reference of a failure of the service.
        failure: Option<crate::error::Reference>,
    },
    /// Step 2: the secret question.
    Question {
        flow: String,
        email: String,
        question: String,
        errors: FieldErrors,
        failure: Option<crate::error::Reference>,
    },
    /// Step 3: the guide's message, whatever happened.
    Sent { email: String, valid_minutes: u32 },
}

impl Default for ForgotPageState {
    fn default() -> Self {
        ForgotPageState::Request {
            email: String::new(),
            errors: FieldErrors::new(),
            focus_captcha: false,
            notice: None,
            failure: None,
        }
    }
}

/// "Gestion du mot de passe" as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub password: String,
    pub password_confirmation: String,
}

impl std::fmt::Debug for ResetForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetForm(<redacted>)")
    }
}

pub const RESET_FIELDS: &[(&str, &str)] = &[
    ("password", "recovery.new_password"),
    (
        "password_confirmation",
        "recovery.new_password_confirmation",
    ),
];

impl ResetForm {
    /// The guide's rules at reset; the server adds zxcvbn's verdict and
    /// compares with the current password.
    pub fn parse(&self) -> Result<NewPassword, FieldErrors> {
        parse_pair(
            &self.password,
            &self.password_confirmation,
            PasswordPolicy::Reset,
        )
    }
}

/// What the page of an emailed reset link shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetPageState {
    /// No such link, or it was used.
    #[default]
    Invalid,
    Expired,
    /// A newer request or a change to the account retired the link
    /// (`accounts::links`).
    Retired,
    Ready {
        /// The login address and names, which make a password weaker.
        user_inputs: Vec<String>,
        errors: FieldErrors,
        failure: Option<crate::error::Reference>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reset(password: &str) -> ResetForm {
        ResetForm {
            password: password.into(),
            password_confirmation: password.into(),
        }
    }

    #[test]
    fn a_new_password_of_11_characters_is_refused_with_the_12_character_rule() {
        let errors = reset("Vanille-Fr1").parse().unwrap_err();
        assert_eq!(
            errors.get("password"),
            Some("errors.password.shorter_than_12")
        );
    }

    #[test]
    fn a_new_password_of_two_classes_is_refused_with_the_classes_rule() {
        let errors = reset("vanillefraisementhe").parse().unwrap_err();
        assert_eq!(
            errors.get("password"),
            Some("errors.password.too_few_classes")
        );
    }

    #[test]
    fn twelve_characters_of_three_classes_are_accepted() {
        assert!(reset("Vanille-Fras").parse().is_ok());
    }

    #[test]
    fn the_confirmation_must_be_identical() {
        let form = ResetForm {
            password_confirmation: "Vanille-Fraise-2027".into(),
            ..reset("Vanille-Fraise-2026")
        };
        assert_eq!(
            form.parse().unwrap_err().get("password_confirmation"),
            Some("errors.password.confirmation_differs")
        );
    }

    #[test]
    fn an_answer_is_required_at_the_question_step() {
        let form = RecoveryForm::default();
        assert_eq!(
            form.parse_answer().unwrap_err().get("secret_answer"),
            Some("errors.secret.answer_missing")
        );
    }

    #[test]
    fn debug_never_shows_the_answer_or_the_flow() {
        let form = RecoveryForm {
            secret_answer: "Médor".into(),
            flow: "f".repeat(64),
            ..Default::default()
        };
        let shown = format!("{form:?} {:?}", reset("Vanille-Fraise-2026"));
        assert!(
            !shown.contains("Médor") && !shown.contains("ffff") && !shown.contains("Vanille"),
            "{shown}"
        );
    }
}
