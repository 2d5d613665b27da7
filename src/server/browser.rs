//! What a browser sends about itself, read the same way for the session
//! and the pending login: their cookies (only a token-shaped value counts)
//! and its `User-Agent`; and the one shape of the cookies this server sets.

use super::{tokens, AppState};
use axum::http::{header, HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The value of the cookie `name` the request carries, if it has the form
/// of a token (64 hex characters): anything else is ignored before the
/// database is asked.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| tokens::looks_like_token(value))
}

/// A `Set-Cookie` value for a cookie only this server reads, as the
/// session's (`HttpOnly`, `SameSite=Lax`, `Path=/`, `Secure` under https):
/// `name` is the session's or the pending login's, `max_age` in seconds.
pub fn private_cookie(
    state: &AppState,
    name: &'static str,
    value: &str,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut cookie = Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies());
    if let Some(seconds) = max_age {
        cookie = cookie.max_age(::cookie::time::Duration::seconds(seconds));
    }
    HeaderValue::from_str(&cookie.build().to_string())
        .unwrap_or(HeaderValue::from_static("sesame_session=; Max-Age=0"))
}

/// The browser as its `User-Agent` names it, at most 300 characters.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(300).collect::<String>())
}
