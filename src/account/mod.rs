//! The connected space: "Accueil connecté" (the event feed and the news) and
//! "Mon compte" (the account's data). Both need a session: without one, the
//! server sends the person to the login box and back here afterwards.

mod page;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use page::{AccountDetails, ConnectedHomePage, MyAccountPage};

use serde::{Deserialize, Serialize};

pub const HOME_PATH: &str = "/accueil";
pub const MY_ACCOUNT_PATH: &str = "/mon-compte";

/// An account's data as it is shown (activation page, "Mon compte").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub login_email: String,
    pub contact_email: Option<String>,
    pub last_name: String,
    pub first_name: String,
    pub address: String,
    pub address_complement_1: Option<String>,
    pub address_complement_2: Option<String>,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
}

impl AccountSummary {
    /// "Paul Dupont".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
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
}

/// One item of "Actualités".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsItem {
    pub date: String,
    pub title: String,
    pub body: String,
}

/// What the connected pages show, loaded by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedPageState {
    pub account: AccountSummary,
    pub events: Vec<EventLine>,
    pub news: Vec<NewsItem>,
}
