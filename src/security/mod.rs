//! "Sécurité": the connected person's second factors (issue 26), a tab of
//! the connected space beside "Mon compte".
//!
//! States of the page:
//! - **Overview**: the factors in use, with when each was added and last
//!   used: the emailed code (on, or off once an app and recovery codes
//!   exist), the authenticator app, the recovery codes left.
//! - **Recommendation** (`?conseil=1`, right after a login by emailed
//!   code of an account without an app): the overview under a notice that
//!   recommends adding an app, with "Plus tard" towards the page asked for.
//! - **Adding an app**: after the current password, the QR code (drawn by
//!   the server), the key grouped by four and as an `otpauth://` link, and
//!   the code field; the app counts only once a right code is typed.
//! - **Adding a security key** (WebAuthn, with JavaScript): after its
//!   name and the current password, "Enregistrer ma clé" opens the
//!   browser's prompt; the key counts once the server verified its answer.
//!   Keys are listed with when added and last used, renamable and
//!   removable.
//! - **New recovery codes**: shown once, with "Télécharger" and
//!   "Imprimer", after the first app or key, or a regeneration.
//!
//! Every change asks for the current password (the confirmation of an app
//! asks for its code), is recorded in the feed and told to the owner by
//! email; removing a factor ends the other sessions.

#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::SecurityPage;

use crate::domain::FieldErrors;
use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What "Sécurité" shows, for a navigation in the browser; `recommend`
/// and `next` come from the address (`?conseil=1&suivant=…`).
///
/// Errors: [`DoorError::SessionEnded`]; [`DoorError::Unavailable`].
#[server(prefix = "/api", endpoint = "securite/page")]
pub async fn load_security_page(
    recommend: bool,
    next: String,
) -> Result<Outcome<SecurityPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| async move {
        handlers::answer_show(&state, &headers, &connected, recommend, &next).await
    })
    .await
}

/// Every form of "Sécurité" (`POST /securite`).
///
/// Errors: as [`load_security_page`].
#[server(prefix = "/api", endpoint = "securite")]
pub async fn change_security(
    #[server(flatten)] form: SecurityForm,
) -> Result<Outcome<SecurityPageState>, DoorError> {
    crate::server::door::connected_fn(|state, headers, connected| async move {
        handlers::answer_act(&state, &headers, &connected, form).await
    })
    .await
}

/// The forms of "Sécurité", as typed. `Debug` shows neither the password
/// nor the code.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityForm {
    /// `app_start`, `app_confirm`, `app_cancel`, `app_remove`,
    /// `codes_regenerate`, `emailed_off`, `emailed_on`, `postpone` ("Plus
    /// tard" on the recommendation); for security keys `key_start` (or
    /// `passkey_start` for a passkey),
    /// `key_finish`, `key_cancel`, `key_rename`, and `key_edit:<id>`,
    /// `key_remove:<id>` for one key of the list.
    pub intent: String,
    /// The current password (every change but the app's confirmation).
    pub password: String,
    /// The app's first code (`app_confirm`).
    pub code: String,
    /// Where "Plus tard" (`postpone`) goes on to: a path of this site.
    pub next: String,
    /// A key's name: the one being added (`key_start`) or the new one
    /// (`key_rename`).
    pub key_name: String,
    /// The key renamed (`key_rename`).
    pub key_id: String,
    /// The browser's answer to the key's registration (`key_finish`): the
    /// JSON of a WebAuthn `RegisterPublicKeyCredential`.
    pub key: String,
}

impl SecurityForm {
    /// The key an intent `key_edit:<id>` or `key_remove:<id>` names, with
    /// the intent's verb.
    pub fn key_intent(&self) -> Option<(&str, &str)> {
        let (verb, id) = self.intent.split_once(':')?;
        matches!(verb, "key_edit" | "key_remove").then_some((verb, id))
    }
}

impl std::fmt::Debug for SecurityForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityForm")
            .field("intent", &self.intent)
            .finish_non_exhaustive()
    }
}

/// The fields of the page's forms, with their label keys.
pub const SECURITY_FIELDS: &[(&str, &str)] = &[
    ("code", "security.app_code"),
    ("key", "security.key_register"),
    ("key_name", "security.key_name"),
    ("password", "security.password"),
];

/// A security key as "Sécurité" lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyShown {
    /// For the forms.
    pub id: String,
    pub name: String,
    /// As the language writes dates.
    pub added: String,
    pub last_used: Option<String>,
    /// A passkey: it also logs in from the login box.
    pub passkey: bool,
}

/// An app being added: what the person copies into it. `Debug` shows
/// neither the key nor the address.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// The key in base 32, in groups of four (the QR code's text
    /// alternative).
    pub key_grouped: String,
    /// The `otpauth://` address the QR code carries.
    pub otpauth: String,
    /// Changes with each new key, so no cache shows an old QR code.
    pub version: i64,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// Recovery codes shown this once (`7K3QX-M9D2P`). `Debug` shows how many,
/// never which.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ShownOnce(pub Vec<String>);

impl std::fmt::Debug for ShownOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShownOnce({} codes)", self.0.len())
    }
}

/// What "Sécurité" shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPageState {
    /// "Paul Dupont", for the header.
    pub name: String,
    /// A manager or an administrator: the "Gestion" tab.
    pub manages: bool,
    /// The login address, where codes and notices go.
    pub login_email: String,
    pub emailed_codes: bool,
    /// Whether emailed codes may be switched off (an app and recovery
    /// codes exist).
    pub may_switch_emailed_off: bool,
    pub emailed_last_used: Option<String>,
    /// A confirmed app: (added, last used), as the language writes dates.
    pub app: Option<(String, Option<String>)>,
    pub recovery_codes_left: i64,
    pub recovery_codes_made: Option<String>,
    /// An app being added.
    pub enrolment: Option<Enrolment>,
    /// Recovery codes just made, shown this once.
    pub new_codes: ShownOnce,
    /// Right after a login by emailed code without an app: recommend one.
    pub recommend: bool,
    /// Where "Plus tard" leads (a path of this site).
    pub next: String,
    /// Catalogue key of what the last form did.
    pub notice: Option<String>,
    pub errors: FieldErrors,
    /// The form that was refused (its intent), to show its errors there.
    pub refused: String,
    /// The app's first code as typed, after a refusal.
    pub typed_code: String,
    pub failure: Option<crate::error::Reference>,
    /// The account's security keys, oldest first.
    pub keys: Vec<KeyShown>,
    /// Whether the portal's address can carry keys (a domain, not an IP
    /// address): else adding one is not offered.
    pub keys_work: bool,
    /// A key being added: its name, and the options of its ceremony for
    /// `navigator.credentials.create` (JSON; single use, 5 minutes).
    pub adding_key: Option<(String, String)>,
    /// The key being renamed.
    pub editing_key: Option<KeyShown>,
    /// A key's name as typed, after a refusal.
    pub typed_key_name: String,
}

/// The text file of new recovery codes ("Télécharger"), as a `data:`
/// address: a title, the account, one code a line.
pub fn codes_file(lang: crate::i18n::Lang, login_email: &str, codes: &[String]) -> String {
    let mut text = format!(
        "{}\n{}\n\n",
        lang.t("security.codes_file_title"),
        login_email
    );
    for code in codes {
        text.push_str(code);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&lang.t("security.codes_file_note"));
    text.push('\n');
    let encoded: String = text
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("data:text/plain;charset=utf-8,{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_file_holds_every_code_on_its_own_line() {
        let codes = vec!["7K3QX-M9D2P".to_owned(), "ABCDE-FGHJK".to_owned()];
        let file = codes_file(crate::i18n::Lang::Fr, "paul@example.fr", &codes);
        assert!(file.starts_with("data:text/plain;charset=utf-8,"));
        assert!(file.contains("%0A7K3QX-M9D2P%0AABCDE-FGHJK%0A"), "{file}");
    }

    #[test]
    fn debug_never_shows_a_key_or_a_recovery_code() {
        let state = SecurityPageState {
            enrolment: Some(Enrolment {
                key_grouped: "JBSW Y3DP".into(),
                otpauth: "otpauth://totp/x?secret=JBSWY3DP".into(),
                version: 1,
            }),
            new_codes: ShownOnce(vec!["7K3QX-M9D2P".into()]),
            ..SecurityPageState::default()
        };
        let shown = format!("{state:?}");
        assert!(
            !shown.contains("JBSW") && !shown.contains("7K3QX"),
            "{shown}"
        );
    }

    #[test]
    fn debug_never_shows_the_password_or_the_code() {
        let form = SecurityForm {
            intent: "app_confirm".into(),
            password: "Vanille-Fraise-42".into(),
            code: "123456".into(),
            ..SecurityForm::default()
        };
        let shown = format!("{form:?}");
        assert!(
            !shown.contains("Vanille") && !shown.contains("123456"),
            "{shown}"
        );
    }
}
