//! The server's half of the two doors of every flow.
//!
//! A flow's *answer* function (`signup::handlers::answer_signup`…) takes
//! what the request carried, calls the flow's service and says what comes
//! next as an [`Answer`]: a page state with its HTTP status, or a path to
//! go on to (with a cookie to set). Both doors call it:
//! - the plain form post ([`respond`]) draws the page with that state, or
//!   redirects;
//! - the server function ([`FnRequest::finish`]) returns the state, or the
//!   path, to the browser, which draws it in place.
//!
//! So the flow's logic is written once, and every check that the answer
//! function or its service makes (throttles, steady answer times, the
//! no-enumeration rules) holds on both doors. The same-origin check is a
//! middleware over both.

use super::web::{ClientAddress, Connected};
use super::{language, render, session, AppState};
use crate::i18n::Lang;
use crate::outcome::{DoorError, DoorResult, Outcome};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};

/// What a flow's answer function decided.
#[derive(Debug)]
pub enum Answer<T> {
    /// The page, in this state, with this status for the plain door (422
    /// for a refusal…; a server function answers 200 with the state).
    Page(StatusCode, T),
    /// The page (200), and the cookie of the request's session under its
    /// new id (`session::renew`), set by both doors.
    PageRenewing(T, HeaderValue),
    /// Go on to this path of the site, setting these cookies (`Set-Cookie`
    /// values; none, one, or the session's and the browser's at login).
    GoTo {
        path: String,
        cookies: Vec<HeaderValue>,
        /// When the cookie changes who is connected: the language of that
        /// person's pages (login: the account's), or `None` for nobody's
        /// (logout: the default). The server function tells the browser
        /// ([`Outcome::PersonChanged`]), which loads the next page afresh
        /// when it is not the language it shows.
        person_language: Option<Lang>,
    },
}

impl<T> Answer<T> {
    /// The page with 200.
    pub fn page(page: T) -> Answer<T> {
        Answer::Page(StatusCode::OK, page)
    }

    /// The login box saying `notice` (`paths::login_box_saying`), the
    /// session's cookie cleared: where an answer that ended the person's
    /// session goes (logout, own deactivation, own session ended).
    pub fn session_ended(state: &AppState, notice: &str) -> Answer<T> {
        Answer::GoTo {
            path: crate::paths::login_box_saying(notice),
            cookies: vec![session::clear_cookie(state)],
            person_language: None,
        }
    }

    /// Go on to `path`, with no cookie.
    pub fn go_to(path: impl Into<String>) -> Answer<T> {
        Answer::GoTo {
            path: path.into(),
            cookies: Vec::new(),
            person_language: None,
        }
    }
}

/// The plain door: draws the page at `uri` with the answer's state and
/// status, or redirects (303) setting the cookie. A failure is logged and
/// answered with the generic page and its reference (503).
pub async fn respond<T>(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    answer: anyhow::Result<Answer<T>>,
) -> Response
where
    T: Clone + Send + Sync + 'static,
{
    match answer {
        Ok(Answer::Page(status, page)) => {
            render::page_with(state, uri, headers, status, page).await
        }
        Ok(Answer::PageRenewing(page, cookie)) => {
            let mut response = render::page_with(state, uri, headers, StatusCode::OK, page).await;
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Ok(Answer::GoTo { path, cookies, .. }) => {
            let mut response = Redirect::to(&path).into_response();
            for cookie in cookies {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(error) => render::unavailable(state, &headers, error).await,
    }
}

/// The request a server function is answering, with the application's
/// state (both put in the context by `leptos_axum`).
pub struct FnRequest {
    pub state: AppState,
    pub parts: Parts,
}

impl FnRequest {
    /// The request being answered.
    ///
    /// Errors: [`DoorError::Unavailable`] when called outside a server
    /// function's request (a wiring mistake, logged with its reference).
    pub fn current() -> Result<FnRequest, DoorError> {
        let state = leptos::prelude::use_context::<AppState>();
        let parts = leptos::prelude::use_context::<Parts>();
        match (state, parts) {
            (Some(state), Some(parts)) => Ok(FnRequest { state, parts }),
            _ => Err(fail(anyhow::anyhow!(
                "a server function ran without the application's state or its request"
            ))),
        }
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// The language of the page that called (see `server::language`).
    pub fn lang(&self) -> Lang {
        language::of_headers(self.headers(), self.state.config.default_lang)
    }

    /// The session of the request.
    ///
    /// Errors: [`DoorError::SessionEnded`] without a valid session (the
    /// browser goes to the login box); [`DoorError::Unavailable`] when the
    /// database fails.
    pub async fn connected(&self) -> Result<Connected, DoorError> {
        match session::current(&self.state, self.headers()).await {
            Ok(Some(session)) => Ok(Connected {
                account_id: session.account_id,
                session_id_hash: session.id_hash,
            }),
            Ok(None) => Err(refuse(DoorError::SessionEnded)),
            Err(error) => Err(fail(error)),
        }
    }

    /// The client's address, as the login throttle counts it.
    pub fn client_address(&self) -> ClientAddress {
        ClientAddress::of(&self.state, &self.parts)
    }

    /// The server function's answer: the page's state or the path to go
    /// on to (its cookie set on the response). When the cookie changes who
    /// is connected, the answer says which language the next pages are in
    /// (this browser's choice, else the person's, else the default): only
    /// the browser knows the language of the page it shows (a session may
    /// have ended since it was drawn). A failure is logged and answered
    /// with its reference only.
    pub fn finish<T>(&self, answer: anyhow::Result<Answer<T>>) -> DoorResult<T> {
        match answer {
            Ok(Answer::Page(_, page)) => Ok(Outcome::Page(page)),
            Ok(Answer::PageRenewing(page, cookie)) => {
                if let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                {
                    response.append_header(header::SET_COOKIE, cookie);
                }
                Ok(Outcome::Page(page))
            }
            Ok(Answer::GoTo {
                path,
                cookies,
                person_language,
            }) => {
                if cookies.is_empty() {
                    return Ok(Outcome::GoTo(path));
                }
                if let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                {
                    for cookie in cookies {
                        response.append_header(header::SET_COOKIE, cookie);
                    }
                }
                let lang = language::chosen(self.headers())
                    .or(person_language)
                    .unwrap_or(self.state.config.default_lang);
                Ok(Outcome::PersonChanged {
                    path,
                    lang: lang.code().to_owned(),
                })
            }
            Err(error) => Err(fail(error)),
        }
    }
}

/// A server function of the connected space: the session first, then
/// `answer` with the application's state, the request's headers and who
/// is asking.
///
/// Errors: [`DoorError::SessionEnded`] without a valid session;
/// [`DoorError::Unavailable`] when the database failed.
pub async fn connected_fn<T, Fut>(
    answer: impl FnOnce(AppState, HeaderMap, Connected) -> Fut,
) -> DoorResult<T>
where
    Fut: std::future::Future<Output = anyhow::Result<Answer<T>>>,
{
    let request = FnRequest::current()?;
    let connected = request.connected().await?;
    let answered = answer(request.state.clone(), request.headers().clone(), connected).await;
    request.finish(answered)
}

/// Logs a failure and gives the error that carries its reference only
/// (answered with 503).
pub fn fail(error: anyhow::Error) -> DoorError {
    refuse(DoorError::Unavailable(crate::error::report(
        &error,
        "server function",
    )))
}

/// Gives `error` back, its response's status set as the plain door's
/// would be: 401 for an ended session, 403 for a page out of reach, 503
/// for a failure.
pub fn refuse(error: DoorError) -> DoorError {
    let status = match error {
        DoorError::SessionEnded => StatusCode::UNAUTHORIZED,
        DoorError::Forbidden => StatusCode::FORBIDDEN,
        DoorError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        DoorError::Transport(_) => StatusCode::BAD_REQUEST,
    };
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    error
}
