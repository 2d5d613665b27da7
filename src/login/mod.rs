//! "Se connecter" and "Déconnexion".
//!
//! The login box lives on the home page. Outcomes: the password is right
//! (a pending login, then "Vérification en deux étapes", `second_step`,
//! which opens the session); refused with one message
//! for an unknown address and a wrong password alike; temporarily locked
//! after too many failures on the address; throttled after too many attempts
//! from one client; a deactivated account (after a correct password only).
//!
//! "Se connecter avec une clé d'accès" (issue 27): a passkey (a
//! discoverable credential with user verification, `accounts::keys`) logs
//! in from the login box with no password and no second step, from its
//! button or from the browser's autofill of the address field
//! (conditional mediation). The same refusals apply: a deactivated account
//! is told so, an unknown key gets the login refusal, the per-client
//! throttle counts each try. It needs JavaScript and WebAuthn, and says so
//! without them.

#[cfg(feature = "ssr")]
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod handlers;
mod page;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::{provide_log_out, LogOutForm, PasskeyLogin};

use crate::outcome::{DoorError, Outcome};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The login box's server function: what `POST /connexion` does. Logged
/// in, it sets the session cookie and answers where to go; refused, the
/// login box's state.
///
/// Errors: [`DoorError::Unavailable`] when the session could not be opened.
#[server(prefix = "/api", endpoint = "connexion")]
pub async fn log_in(
    #[server(flatten)] form: LoginForm,
) -> Result<Outcome<LoginBoxState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let client = request.client_address();
    let answer = handlers::answer_login(&request.state, request.headers(), &client, form).await;
    request.finish(answer)
}

/// Opens a passkey login for the login box ([`PasskeyOpening`]), counted by
/// a per-client throttle of its own (a page view of the login box opens
/// one, so that the browser's autofill can offer passkeys).
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "connexion/cle-d-acces/ouverture")]
pub async fn open_passkey_login() -> Result<PasskeyOpening, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let client = request.client_address();
    handlers::offer_passkey(&request.state, &client).await
}

/// "Se connecter avec une clé d'accès"'s server function: the browser's
/// answer to the ceremony [`open_passkey_login`] opened. Logged in, it
/// sets the session's and the browser's cookies and answers where to go;
/// refused, the login box's state.
///
/// Errors: [`DoorError::Unavailable`] when the session could not be opened.
#[server(prefix = "/api", endpoint = "connexion/cle-d-acces")]
pub async fn log_in_with_passkey(
    #[server(flatten)] form: PasskeyLoginForm,
) -> Result<Outcome<LoginBoxState>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let client = request.client_address();
    let answer =
        handlers::answer_passkey_login(&request.state, request.headers(), &client, form).await;
    request.finish(answer)
}

/// What opening a passkey login gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasskeyOpening {
    Offer(PasskeyOffer),
    /// The portal's address cannot carry keys: no passkey is offered.
    NoPasskeys,
    /// This client opened too many passkey logins lately.
    TooManyAttempts,
}

/// A passkey login opened for the login box: the id to send back, and the
/// options for `navigator.credentials.get` (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyOffer {
    /// 64 hex characters.
    pub ceremony: String,
    pub options: String,
}

/// A passkey's answer from the login box.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasskeyLoginForm {
    /// The ceremony's id, from [`PasskeyOffer`].
    pub ceremony: String,
    /// The browser's `PublicKeyCredential`, as JSON.
    pub answer: String,
    /// Where to go after logging in: a path of this site.
    pub next: String,
}

/// "Déconnexion"'s server function: what `POST /deconnexion` does.
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
#[server(prefix = "/api", endpoint = "deconnexion")]
pub async fn log_out() -> Result<Outcome<()>, DoorError> {
    let request = crate::server::door::FnRequest::current()?;
    let answer = handlers::answer_logout(&request.state, request.headers()).await;
    request.finish(answer)
}

/// The login box as typed. `Debug` never shows the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    /// Where to go after logging in: a path of this site.
    pub next: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("next", &self.next)
            .finish()
    }
}

/// Why a login was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginRefusal {
    /// Unknown address or wrong password: the same words for both.
    InvalidCredentials,
    /// Too many failures on this address.
    Locked { minutes: i64 },
    /// Too many attempts from this client.
    TooManyAttempts,
    /// Right password, deactivated account.
    Deactivated,
    /// The service failed; `reference` is in the logs.
    Unavailable { reference: crate::error::Reference },
    /// A passkey that is not one of an account's passkeys here: another
    /// site's, removed, or registered as a second factor only.
    PasskeyNotRecognised,
    /// The passkey's prompt outlived its 5 minutes, or was answered
    /// already.
    PasskeyExpired,
    /// The passkey answered without checking who holds it (no PIN,
    /// fingerprint or screen lock).
    PasskeyNotVerified,
    /// Right password, retired by "Ce n'était pas moi" until a new one is
    /// chosen (after a right password only).
    PasswordRetired,
}

impl LoginRefusal {
    pub fn message_key(&self) -> &'static str {
        match self {
            LoginRefusal::InvalidCredentials => "login.invalid_credentials",
            LoginRefusal::Locked { .. } => "login.locked",
            LoginRefusal::TooManyAttempts => "login.too_many_attempts",
            LoginRefusal::Deactivated => "login.deactivated",
            LoginRefusal::Unavailable { .. } => "errors.internal_short",
            LoginRefusal::PasskeyNotRecognised => "login.passkey_not_recognised",
            LoginRefusal::PasskeyExpired => "login.passkey_expired",
            LoginRefusal::PasskeyNotVerified => "login.passkey_not_verified",
            LoginRefusal::PasswordRetired => "login.password_retired",
        }
    }

    /// Whether the refusal is the passkey's: said beside its button.
    pub fn is_passkeys(&self) -> bool {
        matches!(
            self,
            LoginRefusal::PasskeyNotRecognised
                | LoginRefusal::PasskeyExpired
                | LoginRefusal::PasskeyNotVerified
        )
    }
}

/// A message shown above the login box after being sent there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginNotice {
    Activated,
    PasswordChanged,
    Deactivated,
    LoggedOut,
    LoginRequired,
    /// The second step ended (5 wrong codes, or 10 minutes passed): the
    /// password again.
    SecondStepEnded,
}

impl LoginNotice {
    /// As written in the `info` query parameter.
    pub fn from_query(value: &str) -> Option<LoginNotice> {
        match value {
            "activated" => Some(LoginNotice::Activated),
            "password_changed" => Some(LoginNotice::PasswordChanged),
            "deactivated" => Some(LoginNotice::Deactivated),
            "logged_out" => Some(LoginNotice::LoggedOut),
            "second_step_ended" => Some(LoginNotice::SecondStepEnded),
            _ => None,
        }
    }

    pub fn message_key(self) -> &'static str {
        match self {
            LoginNotice::Activated => "login.notice_activated",
            LoginNotice::PasswordChanged => "login.notice_password_changed",
            LoginNotice::Deactivated => "login.notice_deactivated",
            LoginNotice::LoggedOut => "login.notice_logged_out",
            LoginNotice::LoginRequired => "login.notice_login_required",
            LoginNotice::SecondStepEnded => "login.notice_second_step_ended",
        }
    }
}

/// What the login box shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginBoxState {
    pub email: String,
    pub next: String,
    pub refusal: Option<LoginRefusal>,
    pub notice: Option<LoginNotice>,
}

impl LoginBoxState {
    /// The login box of a visit to the home page, from its `?suivant=`
    /// (a path of this site only, which brings "Veuillez vous connecter")
    /// and `?info=` (what just happened: activated, logged out…).
    pub fn of_visit(suivant: Option<&str>, info: Option<&str>) -> LoginBoxState {
        let mut login_box = LoginBoxState::default();
        if let Some(path) = suivant.and_then(crate::domain::redirect::local_path) {
            login_box.next = path.to_owned();
            login_box.notice = Some(LoginNotice::LoginRequired);
        }
        if let Some(notice) = info.and_then(LoginNotice::from_query) {
            login_box.notice = Some(notice);
        }
        login_box
    }

    /// Where the box's plain post goes: [`LOGIN_PATH`], keeping the page
    /// to come back to as `?suivant=` (`/connexion?suivant=/mon-compte`),
    /// so that reloading a refused plain login's address still leads
    /// there after logging in (the post itself carries it as `next`).
    pub fn plain_address(&self) -> String {
        match crate::domain::redirect::local_path(&self.next) {
            Some(next) => crate::paths::with_next(crate::paths::LOGIN_PATH, next),
            None => crate::paths::LOGIN_PATH.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let form = LoginForm {
            email: "paul@example.fr".into(),
            password: "Vanille-Fraise-42".into(),
            next: "/mon-compte".into(),
        };
        let shown = format!("{form:?}");
        assert!(!shown.contains("Vanille"), "{shown}");
        assert!(shown.contains("paul@example.fr"));
    }
}
