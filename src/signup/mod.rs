//! "Créer votre compte": a visitor creates an account.
//!
//! States of the page:
//! - blank form, with a fresh captcha challenge;
//! - refused: the form again, everything typed kept, each error next to its
//!   field and listed at the top, a new captcha;
//! - redrawn: the form again with a new captcha image (no-JavaScript
//!   "Nouvelle image");
//! - created: the recap screen of the guide. A login address that already
//!   has an account gets the very same screen; its owner is warned by email.
//!
//! Two doors, one answer (`handlers::answer_signup`): without JavaScript the form
//! posts to its own address (`POST /inscription`) and the page is drawn
//! again; with it, the same fields go to the server function
//! [`sign_up`] (`POST /api/inscription`) and the page changes in place.
//! JavaScript also adds the live checks.

mod form;
#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use form::{NewAccount, SignupForm, FIELDS};
pub use page::SignupPage;

use crate::domain::FieldErrors;
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signup form's server function: what `POST /inscription` does,
/// answered as the page's next state.
///
/// Errors: [`DoorError::Unavailable`] only when the request cannot be
/// read; a failure to store the account is the page's `Failed` state, with
/// the form kept.
#[server(prefix = "/api", endpoint = "inscription")]
pub async fn sign_up(
    #[server(flatten)] form: SignupForm,
) -> Result<Outcome<SignupPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_signup(&request.state, request.lang(), form).await;
    request.finish(Ok(answer))
}

/// What the server tells the signup page to show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum SignupPageState {
    #[default]
    Blank,
    /// Submitted with errors: shown again with its errors.
    Refused {
        form: SignupForm,
        errors: FieldErrors,
    },
    /// "Enregistrer et configurer mon compte": the details are right; this
    /// screen asks for the structure to be attached to (optional), then
    /// "Finaliser l'inscription" with the captcha.
    Configure {
        form: SignupForm,
        errors: FieldErrors,
    },
    /// "Nouvelle image" without JavaScript: shown again, no error.
    Redrawn {
        form: SignupForm,
    },
    /// The account could not be stored (database down…): the form is kept.
    Failed {
        form: SignupForm,
        reference: crate::error::Reference,
    },
    Created(SignupRecap),
}

/// The recap screen's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupRecap {
    /// "Dupont Paul": last name, then first name, as the guide writes it.
    pub full_name: String,
    pub login_email: String,
    pub valid_hours: u32,
    /// "Name (SIRET …)" of the structure the person asked to be attached to.
    pub structure: Option<String>,
}
