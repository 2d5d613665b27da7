//! The person's own language: a request from someone the portal knows (a
//! live session, or the page of an emailed link, whose token knows the
//! account) is answered in their account's language, unless this browser
//! chose one with the switch (`server::language` gives the order).

use crate::i18n::Lang;
use crate::paths::{
    ACTIVATION_PREFIX, CAPTCHA_PREFIX, CONTACT_LINK_PREFIX, NOT_ME_PREFIX, RESET_PREFIX,
};
use crate::server::language::{chosen, PERSON_LANGUAGE_HEADER};
use crate::server::{session, AppState};
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::Response;

/// The pages of emailed links: their token knows the account.
const LINK_PREFIXES: &[&str] = &[
    ACTIVATION_PREFIX,
    RESET_PREFIX,
    CONTACT_LINK_PREFIX,
    NOT_ME_PREFIX,
];

/// What needs no language: files, captcha images, the strength meter
/// (asked at each keystroke; it answers no words).
const NO_LANGUAGE_PREFIXES: &[&str] = &[
    "/pkg/",
    CAPTCHA_PREFIX,
    "/api/password_strength",
    "/favicon",
];

/// Middleware: a request from a person the portal knows (a live session,
/// or an emailed link's page) carries that person's language
/// ([`PERSON_LANGUAGE_HEADER`]), which `server::language::of_headers` uses when this
/// browser never chose one with the switch. Nothing is stored in the
/// browser, so its own switch still wins; what a client sends under that
/// name is dropped. A failing database only leaves the default.
pub async fn follow_the_person(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    request.headers_mut().remove(PERSON_LANGUAGE_HEADER);
    let path = request.uri().path().to_owned();
    let wanted = chosen(request.headers()).is_none()
        && !NO_LANGUAGE_PREFIXES.iter().any(|p| path.starts_with(p));
    if wanted {
        let session = session::request_id_hash(&state, request.headers());
        match person_language(&state, &path, session).await {
            Ok(Some(lang)) => {
                request.headers_mut().insert(
                    PERSON_LANGUAGE_HEADER,
                    HeaderValue::from_static(lang.code()),
                );
            }
            Ok(None) => {}
            Err(error) => tracing::debug!(error = format!("{error:#}"), "no person's language"),
        }
    }
    next.run(request).await
}

/// The language of the account behind the emailed link in `path`, or else
/// behind the request's session (its stored hash), if any: on a link's
/// page, the link's account is the person reading.
async fn person_language(
    state: &AppState,
    path: &str,
    session_id_hash: Option<String>,
) -> anyhow::Result<Option<Lang>> {
    use anyhow::Context;
    let token = LINK_PREFIXES.iter().find_map(|prefix| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
    });
    let mut code = match token {
        Some(token) => super::links::language_of(&state.db, token).await?,
        None => None,
    };
    if code.is_none() {
        if let Some(id_hash) = session_id_hash {
            let now = state.clock.now_seconds();
            code = sqlx::query_as::<_, (String,)>(
                "SELECT a.language FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 WHERE s.id_hash = $1 AND s.last_seen_at > $2 AND s.created_at > $3",
            )
            .bind(id_hash)
            .bind(now - i64::from(state.config.session_idle_minutes) * 60)
            .bind(now - i64::from(state.config.session_max_hours) * 3600)
            .fetch_optional(&state.db)
            .await
            .context("reading the session's language")?
            .map(|(code,)| code);
        }
    }
    Ok(code.and_then(|code| Lang::from_code(&code)))
}
