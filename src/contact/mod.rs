//! Changing the contact address (guide, section 4, row "Enregistrement de
//! la modification de l'adresse de contact"), and the login address.
//!
//! 1. "Mon compte": the new address. A link to confirm it goes to that
//!    address (it must be reachable before anything is sent there).
//! 2. The link (`/adresse-de-contact/{token}`, opening it changes nothing)
//!    asks to confirm; confirming records the new address and tells both the
//!    old and the new one. The old one's message carries a link, valid
//!    7 days, that puts the old address back and ends every session.
//! 3. The login address changes the same way, after the current password:
//!    a link to the new address; confirming ends every session and tells the
//!    old address. Whether the new address is free is only said then, to the
//!    owner of that mailbox.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::ContactLinkPage;

use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// "Confirmer" on an emailed link's page (`POST /adresse-de-contact/…`):
/// the link's token travels in the body, never in the server function's
/// address. Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "adresse-de-contact")]
pub async fn confirm_link(token: String) -> Result<Outcome<ContactLinkState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let page = service::apply(&request.state, &token).await;
    request.finish(page.map(crate::server::door::Answer::page))
}

/// What the page of a contact link shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactLinkState {
    /// No such link, or it was used.
    #[default]
    Invalid,
    Expired,
    /// A newer request or a change to the account retired the link
    /// (`accounts::links`).
    Retired,
    /// Confirm `email` as the new contact address.
    Confirm {
        email: String,
    },
    /// Put `email` back as the contact address.
    Revert {
        email: String,
    },
    Confirmed {
        email: String,
    },
    Reverted {
        email: String,
    },
    /// Confirm `email` as the new login address.
    ConfirmLogin {
        email: String,
    },
    LoginConfirmed {
        email: String,
    },
    /// Another account took that address in the meantime.
    LoginTaken {
        email: String,
    },
}
