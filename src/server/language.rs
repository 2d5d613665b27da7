//! Which language a request gets, and the switch that remembers a choice.

use super::AppState;
use crate::i18n::{Lang, LANGUAGE_COOKIE};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// The language of a request, in this order (README, "Languages"):
/// 1. the switch's choice in this browser (its cookie, [`chosen`]);
/// 2. the person's own language (their account's), when the portal knows
///    who they are: a session, or an emailed link —
///    `accounts::language::follow_the_person` puts it in the request as
///    [`PERSON_LANGUAGE_HEADER`];
/// 3. the configured default: French first, whatever the browser's own
///    language, as a French public portal is expected to be.
pub fn of_headers(headers: &HeaderMap, default: Lang) -> Lang {
    chosen(headers)
        .or_else(|| person(headers))
        .unwrap_or(default)
}

/// The language chosen with the switch in this browser, if any.
pub fn chosen(headers: &HeaderMap) -> Option<Lang> {
    CookieJar::from_headers(headers)
        .get(LANGUAGE_COOKIE)
        .and_then(|cookie| Lang::from_code(cookie.value()))
}

/// Where `accounts::language::follow_the_person` puts the known person's
/// language for the
/// rest of the request (never sent to or taken from the browser).
pub const PERSON_LANGUAGE_HEADER: &str = "x-sesame-person-language";

fn person(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(PERSON_LANGUAGE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_code)
}

/// The language of the request being rendered by Leptos.
pub fn of_current_request() -> Lang {
    let default = leptos::prelude::use_context::<AppState>()
        .map(|state| state.config.default_lang)
        .unwrap_or_default();
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| of_headers(&parts.headers, default))
        .unwrap_or(default)
}

#[derive(Deserialize)]
pub struct Switch {
    lang: String,
    #[serde(default)]
    next: String,
}

/// `GET /langue?lang=en&next=/inscription`: remembers the language for a
/// year and goes back to the page, which must be a path of this site.
pub async fn switch(State(state): State<AppState>, Query(switch): Query<Switch>) -> Response {
    let next = local_path(&switch.next).unwrap_or("/");
    let mut response = Redirect::to(next).into_response();
    if let Some(lang) = Lang::from_code(&switch.lang) {
        let cookie = Cookie::build((LANGUAGE_COOKIE, lang.code()))
            .path("/")
            .max_age(::cookie::time::Duration::days(365))
            .same_site(SameSite::Lax)
            .secure(state.config.secure_cookies())
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

pub use crate::domain::redirect::local_path;

/// Redirect targets an attacker would try, for the tests of every redirect.
#[cfg(test)]
pub(crate) const HOSTILE_TARGETS: &[&str] = &[
    "//evil.example",
    "/\\evil.example",
    "https://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "evil.example",
    "",
    "/.//evil.example/",
    "/..//evil.example/",
    "/%2e//evil.example",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_cookie_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sesame_lang=en; b=2"),
        );
        assert_eq!(chosen(&headers), Some(Lang::En));
        headers.insert(header::COOKIE, HeaderValue::from_static("sesame_lang=xx"));
        assert_eq!(chosen(&headers), None);
    }

    #[test]
    fn the_switch_only_goes_back_to_paths_of_this_site() {
        assert_eq!(local_path("/inscription?x=1"), Some("/inscription?x=1"));
        for hostile in HOSTILE_TARGETS {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn the_switch_cookie_decides_and_the_browser_language_does_not() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-GB,en"),
        );
        assert_eq!(of_headers(&headers, Lang::Fr), Lang::Fr);
        headers.insert(header::COOKIE, HeaderValue::from_static("sesame_lang=en"));
        assert_eq!(of_headers(&headers, Lang::Fr), Lang::En);
        assert_eq!(of_headers(&HeaderMap::new(), Lang::En), Lang::En);
    }
}
