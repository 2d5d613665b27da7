//! Structures, their managers, and administrators ("Gérer son compte
//! utilisateur", as far as the account goes).
//!
//! - A structure is a company known by its SIRET; administrators create
//!   them. A person asks to be attached from "Mon compte"; a manager of the
//!   structure (or an administrator) approves or refuses, and the person is
//!   told by email.
//! - `/gestion` lists the accounts a manager or an administrator may act on
//!   (the approved members of the structures they manage; every account for
//!   an administrator), the open attachment and reactivation requests, and
//!   acts on them with a required reason recorded in the person's feed.
//! - Anyone else gets 403, and nothing changes.
//! - The first administrator comes from the command line
//!   (`sesame admin create EMAIL`), which sends an activation link.

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod listing;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::ManagementPage;

use crate::accounts::AccountState;
use crate::domain::FieldErrors;
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An account in a manager's or an administrator's list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ManagedAccount {
    pub id: String,
    pub name: String,
    pub login_email: String,
    pub state: AccountState,
    /// The structures it belongs to, by name.
    pub structures: String,
    pub reactivation_requested: bool,
}

/// A request to be attached to a structure, waiting for a decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MembershipRequest {
    pub account_id: String,
    pub structure_id: String,
    pub name: String,
    pub login_email: String,
    pub structure: String,
    pub siret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StructureLine {
    pub siret: String,
    pub name: String,
    pub managers: String,
}

/// An email the outbox gave up on (a permanent refusal, or too many
/// failures), for administrators to follow up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonedEmail {
    pub recipient: String,
    pub subject: String,
    pub when: String,
    pub error: String,
}

/// Every form of `/gestion`, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManagementForm {
    /// `deactivate`, `reactivate`, `reset_factors`, `approve`, `refuse`,
    /// `create_structure`, `name_manager`.
    pub intent: String,
    pub account_id: String,
    pub structure_id: String,
    pub reason: String,
    pub siret: String,
    pub name: String,
    pub email: String,
    /// The structure a manager is named for.
    pub structure_siret: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagementPageState {
    /// The viewer's name, for the header.
    pub viewer: String,
    pub admin: bool,
    pub accounts: Vec<ManagedAccount>,
    pub requests: Vec<MembershipRequest>,
    pub structures: Vec<StructureLine>,
    /// Administrators only.
    pub abandoned: Vec<AbandonedEmail>,
    /// Catalogue key of what the last action did.
    pub notice: Option<String>,
    pub errors: FieldErrors,
    /// The form that was refused, to show its errors at the right place.
    pub form: ManagementForm,
    pub failure: Option<crate::error::Reference>,
}

/// What `/gestion` shows, for the page reached in the browser.
///
/// Errors: [`DoorError::SessionEnded`]; [`DoorError::Forbidden`] for
/// someone who manages nobody; [`DoorError::Unavailable`].
#[server(prefix = "/api", endpoint = "gestion/page")]
pub async fn load_management_page() -> Result<Outcome<ManagementPageState>, DoorError> {
    crate::accounts::manager_fn(|state, actor| async move {
        handlers::answer_show(state, actor).await.map(Some)
    })
    .await
}

/// A form of `/gestion` (`POST /gestion`).
/// Errors: as [`load_management_page`], and [`DoorError::Forbidden`] for
/// an account or a structure out of the actor's reach.
#[server(prefix = "/api", endpoint = "gestion")]
pub async fn manage(
    #[server(flatten)] form: ManagementForm,
) -> Result<Outcome<ManagementPageState>, DoorError> {
    crate::accounts::manager_fn(|state, actor| handlers::answer_act(state, actor, form)).await
}
