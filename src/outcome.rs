//! What a flow's server function answers, as both builds read it: the
//! page's state or where to go next ([`Outcome`]), or why there is no
//! answer ([`DoorError`]). The server's half of the doors is
//! `server::door`; the browser's is `components::door_form` and
//! `components::shown`.

use crate::error::Reference;
use serde::{Deserialize, Serialize};

/// What a flow's server function answers when it did its work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome<T> {
    /// The page, in the state the service left it (a refusal with its
    /// errors and what was typed, a recap, a notice…).
    Page(T),
    /// The flow goes on at this path of the site (after logging in, out,
    /// activating…). The browser navigates there without reloading, except
    /// to the language switch, which reloads the page in the new language.
    GoTo(String),
    /// The flow goes on at this path, and who is connected changed
    /// (logging in or out): `lang` is the code of the language the pages
    /// are in from now on (the account's, the default, or this browser's
    /// choice). When it is not the language shown, the browser loads the
    /// next page afresh, in that language; otherwise it goes on in place.
    PersonChanged { path: String, lang: String },
}

/// Why a flow's server function did not answer with an [`Outcome`]: the
/// refusals every door shares, with their message keys, and failures with
/// a reference only (nothing internal crosses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DoorError {
    /// No valid session (it ended while the page was open): the browser goes
    /// to the login box, with the page kept as `suivant`.
    #[error("the session has ended")]
    SessionEnded,
    /// A page of managers asked by someone who manages nobody.
    #[error("not allowed")]
    Forbidden,
    /// The service failed; the reference is in the server's log.
    #[error("the service failed (reference {0})")]
    Unavailable(Reference),
    /// The request did not reach the server, or its answer could not be
    /// read (network down, a cross-site post refused…).
    #[error("the request could not be carried: {0}")]
    Transport(String),
}

impl DoorError {
    /// The catalogue key of what the person reads.
    pub fn message_key(&self) -> &'static str {
        match self {
            DoorError::SessionEnded => "login.notice_login_required",
            DoorError::Forbidden => "management.forbidden_text",
            DoorError::Unavailable(_) => "errors.internal",
            DoorError::Transport(_) => "errors.transport",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for DoorError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    /// In the browser: the request did not go or its answer was unreadable
    /// ([`DoorError::Transport`]). On the server, where the framework calls
    /// it before the function runs: a request it cannot read (a missing or
    /// malformed argument, an unknown method) answers 400 and says no more
    /// (not serde's words); any other failure is logged and answered with
    /// its reference only ([`DoorError::Unavailable`], 500).
    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::server_fn::error::ServerFnErrorErr as Failure;
            let unreadable = matches!(
                value,
                Failure::Args(_)
                    | Failure::MissingArg(_)
                    | Failure::Deserialization(_)
                    | Failure::Request(_)
                    | Failure::UnsupportedRequestMethod(_)
            );
            if unreadable {
                if let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                {
                    response.set_status(axum::http::StatusCode::BAD_REQUEST);
                }
                return DoorError::Transport("the request could not be read".to_owned());
            }
            let error = anyhow::anyhow!("{value}");
            DoorError::Unavailable(crate::error::report(&error, "server function"))
        }
        #[cfg(not(feature = "ssr"))]
        DoorError::Transport(value.to_string())
    }
}

/// The answer of a flow's server function.
pub type DoorResult<T> = Result<Outcome<T>, DoorError>;
