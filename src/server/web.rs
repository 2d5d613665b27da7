//! The web spine shared by every flow's HTTP door: who is asking
//! ([`Connected`], [`ClientAddress`]; `accounts::Manager` builds on them)
//! as handler arguments whose
//! rejection is a response, and what a form's service said ([`Verdict`])
//! with its status written once.
//!
//! A door extracts, calls its flow's service, and renders; it never checks a
//! session or maps an outcome to a status by hand.

use super::{render, session, AppState};
use crate::domain::FieldErrors;
use crate::error::Reference;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// A request with a valid session (OWASP Session Management: the session
/// is looked up, refreshed and checked for its idle and absolute limits by
/// `session::current`).
///
/// Rejection: without a valid session, a redirect to the login box with
/// the page kept as `suivant` (for a form post, the page the form is on);
/// the database failing, the generic page with a reference (503).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connected {
    pub account_id: String,
    /// The stored hash of this request's session id (never the cookie).
    pub session_id_hash: String,
}

impl FromRequestParts<AppState> for Connected {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session::current(state, &parts.headers).await {
            Ok(Some(session)) => Ok(Connected {
                account_id: session.account_id,
                session_id_hash: session.id_hash,
            }),
            Ok(None) => {
                let back = page_to_come_back_to(&parts.method, parts.uri.path(), parts.uri.query());
                Err(Redirect::to(&crate::paths::login_box_address(&back)).into_response())
            }
            Err(error) => Err(render::unavailable(state, &parts.headers, error).await),
        }
    }
}

/// Where the login box sends a person back: the page itself for a visit;
/// for a form post, the page the form is on (`/mon-compte/contact` →
/// `/mon-compte`; `/gestion` → `/gestion`), since its address answers
/// posts only.
fn page_to_come_back_to(method: &Method, path: &str, query: Option<&str>) -> String {
    if method == Method::GET || method == Method::HEAD {
        return match query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        };
    }
    match path.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => parent.to_owned(),
        _ => path.to_owned(),
    }
}

/// The client's address, as the login throttle counts it
/// (`SESAME_CLIENT_MAX_ATTEMPTS`): the peer's IP address, or, when
/// `SESAME_TRUST_FORWARDED_FOR` says a proxy stands in front, the last
/// `X-Forwarded-For` entry, the one that proxy wrote. A client may put
/// anything before it, so the first entries are never believed (MDN,
/// "X-Forwarded-For", security and privacy concerns); without that
/// setting the header is ignored. Without a peer (a server wired without
/// `ConnectInfo`, a mistake) it is `0.0.0.0`, logged as an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    /// The address of the request whose head is `parts`.
    pub fn of(state: &AppState, parts: &Parts) -> ClientAddress {
        if state.config.trust_forwarded_for {
            if let Some(forwarded) = written_by_the_proxy(&parts.headers) {
                return ClientAddress(forwarded.to_owned());
            }
        }
        match parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            Some(info) => ClientAddress(info.0.ip().to_string()),
            None => {
                tracing::error!("a request without its peer's address: every client counts as one");
                ClientAddress("0.0.0.0".to_owned())
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The last entry of `X-Forwarded-For`: the address the proxy in front
/// saw, which it appended (or wrote alone).
fn written_by_the_proxy(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress::of(state, parts))
    }
}

/// 403: the page is for managers and administrators.
pub fn forbidden(state: &AppState, headers: &axum::http::HeaderMap) -> Response {
    let lang = super::language::of_headers(headers, state.config.default_lang);
    render::plain_page(
        state,
        headers,
        StatusCode::FORBIDDEN,
        "management.forbidden_title",
        &[&lang.t("management.forbidden_text")],
        crate::paths::HOME_PATH,
    )
}

/// What a form's service said, as its door shows it: done (with what to
/// tell), refused with a message next to each field, or failed with a
/// reference (the cause is in the log only).
#[derive(Debug)]
pub enum Verdict<T> {
    Done(T),
    Refused(FieldErrors),
    Failed(Reference),
}

impl<T> Verdict<T> {
    /// From a service's answer: `Ok(Ok(done))`, `Ok(Err(field errors))`, or
    /// an unexpected error, logged here with its whole chain under `what`.
    pub fn of(answer: anyhow::Result<Result<T, FieldErrors>>, what: &str) -> Verdict<T> {
        match answer {
            Ok(Ok(done)) => Verdict::Done(done),
            Ok(Err(errors)) => Verdict::Refused(errors),
            Err(error) => Verdict::Failed(crate::error::report(&error, what)),
        }
    }

    /// 200 done, 422 refused, 503 failed.
    pub fn status(&self) -> StatusCode {
        match self {
            Verdict::Done(_) => StatusCode::OK,
            Verdict::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Verdict::Failed(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, Verdict::Done(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_comes_back_to_itself_with_its_query() {
        assert_eq!(
            page_to_come_back_to(&Method::GET, "/gestion", Some("onglet=comptes")),
            "/gestion?onglet=comptes"
        );
        assert_eq!(
            page_to_come_back_to(&Method::GET, "/mon-compte", None),
            "/mon-compte"
        );
    }

    #[test]
    fn a_form_post_comes_back_to_the_page_the_form_is_on() {
        assert_eq!(
            page_to_come_back_to(&Method::POST, "/mon-compte/contact", None),
            "/mon-compte"
        );
        assert_eq!(
            page_to_come_back_to(&Method::POST, "/gestion", None),
            "/gestion"
        );
    }

    #[test]
    fn behind_a_proxy_the_client_is_the_address_the_proxy_wrote_not_one_it_forged() {
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(written_by_the_proxy(&headers), None);
        headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert_eq!(written_by_the_proxy(&headers), Some("203.0.113.9"));
        // The client sent its own header; the proxy appended what it saw.
        headers.insert(
            "x-forwarded-for",
            "1.1.1.1, 2.2.2.2,  198.51.100.4".parse().unwrap(),
        );
        assert_eq!(written_by_the_proxy(&headers), Some("198.51.100.4"));
        headers.append("x-forwarded-for", "192.0.2.77".parse().unwrap());
        assert_eq!(written_by_the_proxy(&headers), Some("192.0.2.77"));
    }

    #[test]
    fn each_outcome_has_its_status() {
        let done: Verdict<()> = Verdict::of(Ok(Ok(())), "test");
        assert_eq!(done.status(), StatusCode::OK);
        let refused: Verdict<()> = Verdict::of(Ok(Err(FieldErrors::new())), "test");
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let failed: Verdict<()> = Verdict::of(Err(anyhow::anyhow!("down")), "test");
        assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(matches!(failed, Verdict::Failed(r) if !r.as_str().contains("down")));
    }
}
