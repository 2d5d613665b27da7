//! "Ce n'était pas moi" (issue 27): the page a new-browser notice links
//! to. Opening the link changes nothing (mail scanners open links); its
//! button ends every session and pending login of the account, forgets
//! the browser the notice was about, and sends a link to choose a new
//! password to the login address. The link works
//! `second_step::service::NOT_ME_LINK_DAYS` days, once.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::NotMePage;

use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page's button (`POST /ce-n-etait-pas-moi/…`): the link's token
/// travels in the body, never in the server function's address.
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "ce-n-etait-pas-moi")]
pub async fn disown_login(token: String) -> Result<Outcome<NotMeState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let page = service::disown(&request.state, &token).await;
    request.finish(page.map(crate::server::door::Answer::page))
}

/// What the page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotMeState {
    /// No such link, or it was used.
    #[default]
    Invalid,
    Expired,
    /// The account was deactivated since (`accounts::links`).
    Retired,
    /// The button: the login was made `at` from `browser` (words), when
    /// the account still knows that browser.
    Ask {
        at: Option<String>,
        browser: Option<String>,
    },
    /// Done: every session ended, a reset link sent to `email_hint`.
    Secured {
        email_hint: String,
    },
}
