//! Deactivation and reactivation (guide, section 4, rows "Désactivation
//! d'un compte", "Demande de réactivation du compte", "Réactivation d'un
//! compte").
//!
//! - The person deactivates their own account from "Mon compte", after
//!   typing their password; a manager of their structure or an
//!   administrator can too, with a reason. Sessions end at once and the
//!   login address is told.
//! - A deactivated account logs in no more: after a correct password the
//!   login box says so and offers "Demander la réactivation"; the public
//!   page `/reactivation` does the same from the login address and answers
//!   alike whatever it is. The request goes by email to the contact address
//!   and into the managers' and administrators' list.
//! - A manager or an administrator reactivates, with a reason; the contact
//!   address is told.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::ReactivationRequestPage;

use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// "Demander la réactivation" (`POST /reactivation`): the same answer
/// whatever the address. Errors: [`DoorError::Unavailable`] when the
/// database failed.
#[server(prefix = "/api", endpoint = "reactivation")]
pub async fn request_reactivation(
    #[server(flatten)] form: ReactivationForm,
) -> Result<Outcome<ReactivationPageState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_reactivation(request.state.clone(), form).await;
    request.finish(answer)
}

/// "Demander la réactivation": the login address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactivationForm {
    pub login_email: String,
}

/// What the reactivation request page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReactivationPageState {
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
