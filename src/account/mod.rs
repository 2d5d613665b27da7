//! The connected space: "Accueil connecté" (the event feed and the news) and
//! "Mon compte" (the account's data). Both need a session: without one, the
//! server sends the person to the login box and back here afterwards.

#[cfg(feature = "ssr")]
pub mod answers;
#[cfg(feature = "ssr")]
pub mod changes;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod service;

pub use crate::accounts::AccountSummary;
pub use page::{ConnectedHomePage, MyAccountPage, ProfileFields};

use crate::outcome::{DoorError, Outcome};
use forms::{
    AttachForm, BrowserForm, ContactForm, DeactivateForm, LanguageForm, LoginChangeForm,
    PasswordChangeForm, SecretChangeForm, SessionForm,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What `page` shows, for a page reached in the browser (a first load has
/// it drawn by `GET /accueil` or `/mon-compte`).
///
/// Errors: [`DoorError::SessionEnded`] without a session (the browser goes
/// to the login box); [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "espace-connecte")]
pub async fn load_connected_page(
    page: ConnectedPage,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| async move {
        answers::connected_answer(
            &state,
            &headers,
            &connected.account_id,
            page,
            http::StatusCode::OK,
            |_| {},
        )
        .await
    })
    .await
}

/// "Modifier le mot de passe" (`POST /mon-compte/mot-de-passe`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/mot-de-passe")]
pub async fn change_password(
    #[server(flatten)] form: PasswordChangeForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// "Question secrète" (`POST /mon-compte/question-secrete`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/question-secrete")]
pub async fn change_secret(
    #[server(flatten)] form: SecretChangeForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// Ending sessions (`POST /mon-compte/sessions`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/sessions")]
pub async fn end_sessions(
    #[server(flatten)] form: SessionForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// Forgetting known browsers (`POST /mon-compte/navigateurs`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/navigateurs")]
pub async fn forget_browsers(
    #[server(flatten)] form: BrowserForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// The details (`POST /mon-compte/coordonnees`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/coordonnees")]
pub async fn update_profile(
    #[server(flatten)] form: profile::ProfileForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// "Modifier l'adresse de contact" (`POST /mon-compte/contact`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/contact")]
pub async fn change_contact(
    #[server(flatten)] form: ContactForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// "Modifier l'identifiant de connexion" (`POST /mon-compte/identifiant`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/identifiant")]
pub async fn change_login(
    #[server(flatten)] form: LoginChangeForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// "Demander un rattachement" (`POST /mon-compte/rattachement`).
/// Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/rattachement")]
pub async fn request_attachment(
    #[server(flatten)] form: AttachForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// "Désactiver mon compte" (`POST /mon-compte/desactivation`): answers the
/// login box's address. Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/desactivation")]
pub async fn deactivate_own(
    #[server(flatten)] form: DeactivateForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// The language (`POST /mon-compte/langue`): answers the language switch's
/// address, which the browser loads. Errors: as [`load_connected_page`].
#[server(prefix = "/api", endpoint = "mon-compte/langue")]
pub async fn change_language(
    #[server(flatten)] form: LanguageForm,
) -> Result<Outcome<ConnectedPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| {
        answers::MyAccountForm::answer(form, state, headers, connected)
    })
    .await
}

/// One line of "Fil d'événements".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    /// RFC 3339, for `<time datetime>`.
    pub at: String,
    /// As the person's language writes it.
    pub when: String,
    /// Catalogue key of what happened.
    pub what: String,
    /// Who did it, when it was someone else (a manager, an administrator).
    pub by: Option<String>,
    /// Why, when someone else did it.
    pub reason: Option<String>,
}

/// One item of "Actualités".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsItem {
    pub date: String,
    pub title: String,
    pub body: String,
}

/// A request to be attached to a structure, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipLine {
    pub structure: String,
    pub siret: String,
    pub status: crate::accounts::MembershipStatus,
    pub manager: bool,
}

/// A message above the page after a form of "Mon compte" (catalogue key and
/// the address it names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountNotice {
    pub key: String,
    pub email: String,
}

/// What was typed in the forms of "Mon compte", kept after a refusal
/// (never the password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountForms {
    pub contact_email: String,
    pub siret: String,
    pub secret_question: String,
    pub new_login_email: String,
    /// The details as typed, after a refusal.
    pub profile: Option<profile::ProfileForm>,
}

/// One open session of the account, as "Mon compte" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLine {
    /// A short handle on the session (the start of the stored hash; the
    /// cookie's value itself is never shown).
    pub handle: String,
    pub started: String,
    pub last_seen: String,
    /// The browser, as its User-Agent names it.
    pub device: String,
    /// The session of this very request.
    pub current: bool,
}

/// A browser the account logged in from, as "Mon compte" lists it
/// (`accounts::browsers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserLine {
    /// The row's id, for the form that forgets it.
    pub id: String,
    /// Its browser and system in words, from its last login.
    pub device: String,
    pub first_seen: String,
    pub last_seen: String,
    /// This very browser.
    pub current: bool,
}

/// One of the two connected pages. Each loads only what it shows:
/// "Accueil connecté" the event feed and the news, "Mon compte" the
/// structures and the sessions (both: the account and whether it manages
/// anyone, for the layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectedPage {
    /// "Accueil connecté" ([`HOME_PATH`]).
    Home,
    /// "Mon compte" ([`MY_ACCOUNT_PATH`]) and the answers of its forms.
    MyAccount,
}

impl ConnectedPage {
    /// The page drawn at `path`: [`HOME_PATH`] is "Accueil connecté",
    /// any other address "Mon compte".
    pub fn at(path: &str) -> ConnectedPage {
        if path == crate::paths::HOME_PATH {
            ConnectedPage::Home
        } else {
            ConnectedPage::MyAccount
        }
    }
}

/// What the connected pages show, loaded by the server: the parts the
/// other page shows stay empty (see [`ConnectedPage`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedPageState {
    pub account: AccountSummary,
    pub events: Vec<EventLine>,
    pub news: Vec<NewsItem>,
    /// Manager of a structure or administrator: the "Gestion" tab.
    pub manages: bool,
    pub memberships: Vec<MembershipLine>,
    pub sessions: Vec<SessionLine>,
    /// "Navigateurs connus" ("Mon compte" only).
    pub browsers: Vec<BrowserLine>,
    pub notice: Option<AccountNotice>,
    pub errors: crate::domain::FieldErrors,
    pub typed: AccountForms,
    /// Reference of a failure of the service.
    pub failure: Option<crate::error::Reference>,
}
