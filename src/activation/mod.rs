//! Activating an account from the emailed link (guide, section 1, pages 4/5
//! and 5/5).
//!
//! States of `/activation/{token}`:
//! - ready: what was typed at signup, to correct before anything is sent
//!   (part 14, pre-account hijacking: whoever created the account may not
//!   be the owner of its address): the details, editable; a contact
//!   address never confirmed, which can be dropped; the structure requests
//!   made at signup, which can be withdrawn; then "Gestion du mot de
//!   passe" and "Question secrète", and "Valider";
//! - refused: the same with each error next to its field (passwords and the
//!   answer are never sent back);
//! - expired: "Ce message n'est plus valide pour activer votre compte" and
//!   "Réactiver", which emails a fresh link (at most one every 5 minutes);
//! - retired: a newer activation email replaced this one; "Réactiver" as
//!   for an expired link;
//! - resent: the new link is on its way;
//! - already active: the link was used; log in instead;
//! - invalid: no such link.
//!
//! A valid "Valider" activates the account and sends the person to the login
//! box with a notice. Opening the link never consumes it; only activating does.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::{ActivationPage, ResendActivationPage};

use crate::account::profile::{Profile, ProfileForm};
use crate::accounts::AccountSummary;
use crate::domain::password::ConfirmationDiffers;
use crate::domain::{FieldErrors, NewPassword, PasswordPolicy, SecretAnswer, SecretQuestion};
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// "Valider" or "Réactiver" on the activation link's page
/// (`POST /activation/{token}`); the link's token travels in the body.
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "activation")]
pub async fn activate(
    token: String,
    #[server(flatten)] form: ActivationForm,
) -> Result<Outcome<ActivationPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_activation(request.state.clone(), token, form).await;
    request.finish(answer)
}

/// "Vous n'avez pas reçu le courriel d'activation ?"
/// (`POST /activation-renvoyer`): the same answer whatever the address.
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "activation-renvoyer")]
pub async fn resend_activation(
    #[server(flatten)] form: ResendForm,
) -> Result<Outcome<ResendPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_resend(request.state.clone(), form).await;
    request.finish(answer)
}

/// The activation form as typed.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivationForm {
    pub password: String,
    pub password_confirmation: String,
    pub secret_question: String,
    pub secret_answer: String,
    /// `activate`, or `reactivate` for "Réactiver".
    pub intent: String,
    /// `1` when the form carries the details below (the page's always
    /// does); without it the details typed at signup stay as they are.
    pub details: String,
    /// The details, as corrected.
    #[serde(flatten)]
    pub profile: ProfileForm,
    /// `1`: the contact address typed at signup, never confirmed, is
    /// dropped (notices go to the login address).
    pub drop_contact: String,
    /// `1`: the structure requests made at signup are withdrawn.
    pub withdraw_requests: String,
}

impl std::fmt::Debug for ActivationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivationForm")
            .field("secret_question", &self.secret_question)
            .field("intent", &self.intent)
            .field("details", &self.details)
            .field("drop_contact", &self.drop_contact)
            .field("withdraw_requests", &self.withdraw_requests)
            .finish_non_exhaustive()
    }
}

/// The fields in the order of the form, with their label keys.
pub const FIELDS: &[(&str, &str)] = &[
    ("last_name", "signup.last_name"),
    ("first_name", "signup.first_name"),
    ("address", "signup.address"),
    ("address_complement_1", "signup.address_complement_1"),
    ("address_complement_2", "signup.address_complement_2"),
    ("postal_code", "signup.postal_code"),
    ("city", "signup.city"),
    ("country", "signup.country"),
    ("phone", "signup.phone"),
    ("fax", "signup.fax"),
    ("password", "activation.password"),
    ("password_confirmation", "activation.password_confirmation"),
    ("secret_question", "activation.secret_question"),
    ("secret_answer", "activation.secret_answer"),
];

/// An activation form whose every field obeys its rule.
pub struct Activation {
    pub password: NewPassword,
    pub question: SecretQuestion,
    pub answer: SecretAnswer,
    /// The details, when the form carried them.
    pub profile: Option<Profile>,
}

impl ActivationForm {
    /// Whether the form carries the details.
    pub fn carries_details(&self) -> bool {
        self.details == "1"
    }

    /// The composition rules (and the details' rules, when it carries
    /// them: `account::profile`); the server adds zxcvbn's verdict.
    pub fn parse(&self) -> Result<Activation, FieldErrors> {
        let mut errors = FieldErrors::new();
        let profile = if self.carries_details() {
            self.profile.check(&mut errors)
        } else {
            None
        };
        let password = errors.check(
            "password",
            NewPassword::parse(&self.password, PasswordPolicy::Activation),
        );
        if !crate::domain::unicode::same_text(&self.password_confirmation, &self.password) {
            errors.insert("password_confirmation", &ConfirmationDiffers);
        }
        let question = errors.check(
            "secret_question",
            SecretQuestion::parse(&self.secret_question),
        );
        let answer = errors.check("secret_answer", SecretAnswer::parse(&self.secret_answer));
        match (password, question, answer) {
            (Some(password), Some(question), Some(answer)) if errors.is_empty() => Ok(Activation {
                password,
                question,
                answer,
                profile,
            }),
            _ => Err(errors),
        }
    }
}

/// What the activation page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivationPageState {
    #[default]
    Invalid,
    AlreadyActive,
    Expired,
    /// A newer activation email replaced this link (`accounts::links`).
    Retired,
    /// "Réactiver" was used: a new link is on its way, or one was sent less
    /// than `SESAME_ACTIVATION_RESEND_MINUTES` ago (`throttled`).
    Resent {
        email: String,
        throttled: bool,
    },
    Ready {
        account: Box<AccountSummary>,
        /// Whether someone typed the details at signup, so that the owner
        /// corrects them here; an administrator made by `sesame admin
        /// create` has none to correct (the operator typed the names).
        correctable: bool,
        /// The details to show in the form: the account's, or as typed
        /// after a refusal.
        details: Box<ProfileForm>,
        /// The structure requests made at signup still pending, as
        /// "Menuiserie Dupont (SIRET 123 456 789 00012)".
        requests: Vec<String>,
        /// Ticked before a refusal: drop the contact address, withdraw the
        /// requests.
        drop_contact: bool,
        withdraw_requests: bool,
        /// The question as typed, kept after a refusal.
        secret_question: String,
        errors: FieldErrors,
    },
}

/// "Vous n'avez pas reçu le courriel d'activation ?" as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResendForm {
    pub login_email: String,
}

/// What the "activation email not received" page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResendPageState {
    #[default]
    Blank,
    Refused {
        email: String,
        error: String,
    },
    /// Answered the same whatever the address.
    Done {
        email: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ActivationForm {
        ActivationForm {
            password: "Vanille-Fraise-42".into(),
            password_confirmation: "Vanille-Fraise-42".into(),
            secret_question: "Nom de mon premier chien ?".into(),
            secret_answer: "Médor".into(),
            intent: "activate".into(),
            ..ActivationForm::default()
        }
    }

    #[test]
    fn a_complete_form_is_accepted() {
        assert!(filled().parse().is_ok());
    }

    #[test]
    fn details_corrected_at_activation_obey_the_signup_rules() {
        let form = ActivationForm {
            details: "1".into(),
            profile: ProfileForm {
                last_name: "Dupont".into(),
                first_name: "Paul".into(),
                address: "12 rue des Lilas".into(),
                postal_code: "4200".into(),
                city: "Saint-Étienne".into(),
                country: "FR".into(),
                ..ProfileForm::default()
            },
            ..filled()
        };
        let errors = form.parse().err().expect("a refusal");
        assert!(errors.get("postal_code").is_some(), "{errors:?}");
        // Without them, the details stay as signup stored them.
        assert!(filled()
            .parse()
            .is_ok_and(|parsed| parsed.profile.is_none()));
    }

    #[test]
    fn a_confirmation_that_differs_is_refused_on_the_confirmation() {
        let form = ActivationForm {
            password_confirmation: "Vanille-Fraise-43".into(),
            ..filled()
        };
        let errors = form.parse().err().expect("a refusal");
        assert_eq!(
            errors.get("password_confirmation"),
            Some("errors.password.confirmation_differs")
        );
    }

    #[test]
    fn debug_shows_neither_the_password_nor_the_answer() {
        let shown = format!("{:?}", filled());
        assert!(
            !shown.contains("Vanille") && !shown.contains("Médor"),
            "{shown}"
        );
    }
}
