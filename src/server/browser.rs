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

/// "Firefox — Linux"-like words from a User-Agent, for the sessions and
/// browsers of "Mon compte" and the new-browser notice: the browser and the
/// system names the agent contains, or `None` when it names neither (the
/// caller says "navigateur inconnu"). The agent's own text is never
/// echoed: it is whatever the client chose to send, and must not speak in
/// a security notice. A parser crate's thousands of patterns would name
/// rarer browsers; these cover what the portal's users run, and the full
/// agent is kept.
pub fn describe(agent: &str) -> Option<String> {
    let browser = ["Edg/", "OPR/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|marker| agent.contains(*marker))
        .map(|marker| match *marker {
            "Edg/" => "Edge",
            "OPR/" => "Opera",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = [
        "Windows", "Android", "iPhone", "iPad", "CrOS", "Mac OS", "Linux",
    ]
    .iter()
    .find(|marker| agent.contains(*marker))
    .map(|marker| match *marker {
        "CrOS" => "ChromeOS",
        "Mac OS" => "macOS",
        other => other,
    });
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} — {s}")),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn a_user_agent_is_told_as_its_browser_and_system_in_words() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome — Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge — Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox — macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari — iPhone"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome — Android"),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome — ChromeOS"),
        ];
        for (agent, words) in cases {
            assert_eq!(describe(agent).as_deref(), Some(words), "{agent}");
        }
        // Unknown words are never echoed (a client chooses its agent).
        assert_eq!(describe("Appelez le 01 23 45 67 89"), None);
    }
}
