//! Which language a request gets, and the switch that remembers a choice.

use super::AppState;
use crate::i18n::{Lang, LANGUAGE_COOKIE};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The language chosen with the switch (its cookie), else the configured
/// default: French first, whatever the browser's own language, as a French
/// public portal is expected to be.
pub fn of_headers(headers: &HeaderMap, default: Lang) -> Lang {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(Lang::from_cookie_header)
        .unwrap_or(default)
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
        let secure = if state.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// Accepts only an absolute path of this site: not `//host`, not `/\host`,
/// no scheme, no control characters.
pub fn local_path(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && !raw.to_ascii_lowercase().contains("%2f%2f")
        && !raw.to_ascii_lowercase().starts_with("/%5c");
    ok.then_some(raw)
}

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
];

#[cfg(test)]
mod tests {
    use super::*;

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
