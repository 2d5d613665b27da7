//! "Vérification en deux étapes": the login's second step (issue 26;
//! Chorus Pro since September 2024).
//!
//! The password was right (`login`), so the browser holds a pending login
//! (`server::pending_login`), which opens nothing but this page. States:
//! 1. **Ask**: the code of the chosen method, or "Utiliser ma clé de
//!    sécurité" (WebAuthn, with JavaScript), with "Utiliser une autre
//!    méthode". An account with a key is asked for it first, then one with
//!    an app for the app; otherwise a
//!    6-digit code is emailed to the login address as the page opens, and
//!    "Renvoyer un code" sends another (once a minute, 5 an hour).
//! 2. **Right code**: the pending login ends and a session opens under a
//!    new id; an account without an app then reaches "Sécurité", which
//!    recommends adding one (the person may postpone).
//! 3. **Wrong code**: said next to the field, counted: the 5th ends the
//!    pending login (back to the password), and 10 on one account within
//!    15 minutes lock its second step for 15 minutes (**Locked**), the
//!    owner being told by email; 100 in a row block it (**Blocked**) until
//!    a password reset or a manager's reset.
//!
//! Without a pending login (expired, ended, never opened) the page sends
//! the browser to the login box.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::SecondStepPage;

use crate::domain::{FieldErrors, UserMessage};
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page's state for a navigation in the browser (the first load has
/// it drawn by `GET /verification`).
///
/// Errors: [`DoorError::Unavailable`] when the database failed. Without a
/// pending login the answer goes to the login box.
#[server(prefix = "/api", endpoint = "verification/page")]
pub async fn load_second_step() -> Result<Outcome<SecondStepState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_show(&request.state, request.headers()).await;
    request.finish(answer)
}

/// "Valider", "Renvoyer un code" and the choice of another method
/// (`POST /verification`).
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "verification")]
pub async fn verify_second_step(
    #[server(flatten)] form: SecondStepForm,
) -> Result<Outcome<SecondStepState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_verify(&request.state, request.headers(), form).await;
    request.finish(answer)
}

/// A way through the second step, as the page and its form name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepMethod {
    /// A security key (WebAuthn), through the browser.
    Key,
    /// A code from the authenticator app.
    App,
    /// A code emailed to the login address.
    #[default]
    Email,
    /// One of the recovery codes.
    Recovery,
}

impl StepMethod {
    /// As the form's `method` field writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StepMethod::Key => "key",
            StepMethod::App => "app",
            StepMethod::Email => "email",
            StepMethod::Recovery => "recovery",
        }
    }

    pub fn from_form(value: &str) -> Option<StepMethod> {
        match value {
            "key" => Some(StepMethod::Key),
            "app" => Some(StepMethod::App),
            "email" => Some(StepMethod::Email),
            "recovery" => Some(StepMethod::Recovery),
            _ => None,
        }
    }

    /// The label of the code field for this method (the key's button for
    /// a key).
    pub fn field_label(self) -> &'static str {
        match self {
            StepMethod::Key => "second_step.key_use",
            StepMethod::App => "second_step.app_code",
            StepMethod::Email => "second_step.email_code",
            StepMethod::Recovery => "second_step.recovery_code",
        }
    }
}

/// What the second step's form posts.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecondStepForm {
    /// `key`, `app`, `email` or `recovery` ([`StepMethod`]).
    pub method: String,
    pub code: String,
    /// The key's answer (`key`): the JSON of a WebAuthn
    /// `PublicKeyCredential`, as `components::webauthn` writes it.
    pub key: String,
    /// `verify` (the default), `resend`, or `use_key`, `use_app`,
    /// `use_email`, `use_recovery` (another method).
    pub intent: String,
}

impl std::fmt::Debug for SecondStepForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondStepForm")
            .field("method", &self.method)
            .field("intent", &self.intent)
            .finish_non_exhaustive()
    }
}

/// The form's fields: the code, or the key's button.
pub const CODE_FIELDS: &[(&str, &str)] =
    &[("code", "second_step.code"), ("key", "second_step.key_use")];

/// A notice above the form: its catalogue key and values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepNotice {
    pub key: String,
    pub args: Vec<(String, String)>,
    /// Shown as a warning (a limit reached) rather than information.
    pub warning: bool,
}

impl StepNotice {
    pub fn info(key: &str, args: &[(&str, String)]) -> StepNotice {
        StepNotice {
            key: key.to_owned(),
            args: args
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
            warning: false,
        }
    }

    pub fn warning(key: &str, args: &[(&str, String)]) -> StepNotice {
        StepNotice {
            warning: true,
            ..StepNotice::info(key, args)
        }
    }
}

/// What "Vérification en deux étapes" shows.
// One state per page drawn: the size of the asking variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondStepState {
    /// The code of `method` is asked.
    Ask {
        method: StepMethod,
        /// The methods the account may use instead.
        others: Vec<StepMethod>,
        /// The login address, partly hidden (`p•••@example.fr`).
        email_hint: String,
        /// Minutes left before the pending login ends, in words.
        minutes_left: i64,
        /// The code as typed, after a refusal (kept beside its error).
        code: String,
        /// For a key: the options of this page's WebAuthn ceremony, for
        /// `navigator.credentials.get` (JSON; single use, 5 minutes).
        key_options: Option<String>,
        notice: Option<StepNotice>,
        errors: FieldErrors,
        failure: Option<crate::error::Reference>,
    },
    /// Too many wrong codes on the account: its second step is locked.
    Locked { minutes: i64 },
    /// 100 wrong codes in a row: blocked until a password reset ("Mot de
    /// passe oublié ?") or a manager's reset.
    Blocked,
}

impl Default for SecondStepState {
    fn default() -> Self {
        SecondStepState::Ask {
            method: StepMethod::Email,
            others: Vec::new(),
            email_hint: String::new(),
            minutes_left: 10,
            code: String::new(),
            key_options: None,
            notice: None,
            errors: FieldErrors::new(),
            failure: None,
        }
    }
}

/// Why a code was refused, next to the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRefused {
    /// Not the code (or expired, or used, or of a time step already
    /// accepted): one message for all, so that the answer tells nothing of
    /// why; the tries left are said in a notice above the form.
    Wrong,
}

impl UserMessage for CodeRefused {
    fn message_key(&self) -> &'static str {
        "errors.code.wrong"
    }
}

/// The login address with most of its local part hidden, for "a code was
/// sent to p•••@example.fr": the first character and the domain stay.
pub fn email_hint(login_email: &str) -> String {
    match login_email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_shown_keeps_its_first_letter_and_its_domain_only() {
        assert_eq!(email_hint("paul.dupont@example.fr"), "p•••@example.fr");
    }

    #[test]
    fn debug_never_shows_the_code() {
        let form = SecondStepForm {
            code: "123456".into(),
            ..SecondStepForm::default()
        };
        assert!(!format!("{form:?}").contains("123456"));
    }
}
