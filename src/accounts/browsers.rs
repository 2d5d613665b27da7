//! The browsers an account has logged in from (issue 27: "a notice for
//! every login from a new browser"), and nothing else here.
//!
//! Rules, and where they come from:
//! - A browser is known by a long-lived random cookie ([`cookie_name`],
//!   32 random bytes, `HttpOnly`, `SameSite=Lax`, `Secure` and `__Host-`
//!   under https, [`COOKIE_DAYS`] days, renewed at each login): nothing is
//!   fingerprinted (OWASP Session Management Cheat Sheet, cookie
//!   attributes; RGPD, no tracking beyond what the service needs).
//! - The database keeps, per account, the SHA-256 of the account's id with
//!   that cookie: the same browser is an unrelated row for each account,
//!   and the cookie alone, without the account's sessions, says nothing of
//!   who used it.
//! - A login from a browser the account does not know adds it and is
//!   told to the owner (the caller's notice), except the first login the
//!   portal records for the account (`accounts.browsers_known_since`): an
//!   account's very first login, or the first after this feature came,
//!   which nobody would recognise as a warning. Forgetting browsers does
//!   not start that again.
//! - An account keeps its [`MAX_PER_ACCOUNT`] latest browsers, and a
//!   browser unseen for [`COOKIE_DAYS`] days (its cookie gone) is purged.
//! - Forgetting a browser (in "Mon compte", or "Ce n'était pas moi")
//!   removes its row: its next login is told again.

use crate::server::{browser, tokens, AppState};
use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue};
use sqlx::AnyConnection;

/// How long the browser's cookie lasts after its last login, in days (the
/// most a browser keeps a cookie: RFC 6265bis, 4.1.2.2, 400 days).
pub const COOKIE_DAYS: i64 = 400;

/// Browsers kept per account: the oldest logins beyond are forgotten (a
/// login from a private window, or a script, adds one each time).
pub const MAX_PER_ACCOUNT: i64 = 50;

/// The browser cookie's name: `__Host-` under https, like the session's.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-sesame_browser"
    } else {
        "sesame_browser"
    }
}

/// The request's browser id (its cookie, when it has the form of a token)
/// or a new one, with the `Set-Cookie` that keeps it [`COOKIE_DAYS`] more
/// days. Errors: the OS random source failed.
pub fn browser_of(state: &AppState, headers: &HeaderMap) -> anyhow::Result<(String, HeaderValue)> {
    let id = match browser::cookie_value(headers, cookie_name(state)) {
        Some(id) => id,
        None => tokens::new_secret_token()?,
    };
    let cookie = browser::private_cookie(
        state,
        cookie_name(state),
        &id,
        Some(COOKIE_DAYS * 24 * 3600),
    );
    Ok((id, cookie))
}

/// What the account's row for this browser is: the SHA-256 of the
/// account's id and the browser's id.
fn browser_hash(account_id: &str, browser_id: &str) -> String {
    tokens::hash_token(&format!("{account_id}:{browser_id}"))
}

/// What a login's browser was to the account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Logged in from before: nothing to tell.
    Known,
    /// Not known: added as the row `id`; `first_login` when it is the
    /// first login recorded for the account (nothing to tell either).
    New { id: String, first_login: bool },
}

/// Records a login of `account_id` from `browser_id` (its `user_agent` as
/// sent, at most 300 characters), in the caller's transaction, which holds
/// the account's row (`lock_account`), before the login's own event is
/// recorded. Errors: the database failed.
pub async fn seen(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    browser_id: &str,
    user_agent: Option<&str>,
) -> anyhow::Result<Seen> {
    let now = state.clock.now_seconds();
    let hash = browser_hash(account_id, browser_id);
    let known = sqlx::query(
        "UPDATE known_browsers SET last_seen_at = $1, user_agent = $2 \
         WHERE account_id = $3 AND browser_hash = $4",
    )
    .bind(now)
    .bind(user_agent)
    .bind(account_id)
    .bind(&hash)
    .execute(&mut *conn)
    .await
    .context("recording a known browser")?;
    if known.rows_affected() > 0 {
        return Ok(Seen::Known);
    }
    let first: Option<(i64,)> = sqlx::query_as(
        "UPDATE accounts SET browsers_known_since = $1 \
         WHERE id = $2 AND browsers_known_since IS NULL RETURNING browsers_known_since",
    )
    .bind(now)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading when the account's browsers were first known")?;
    let id = tokens::new_id()?;
    sqlx::query(
        "INSERT INTO known_browsers \
         (id, account_id, browser_hash, user_agent, first_seen_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(&hash)
    .bind(user_agent)
    .bind(now)
    .execute(&mut *conn)
    .await
    .context("adding a known browser")?;
    sqlx::query(
        "DELETE FROM known_browsers WHERE account_id = $1 AND id NOT IN \
         (SELECT id FROM known_browsers WHERE account_id = $1 \
          ORDER BY last_seen_at DESC, id LIMIT $2)",
    )
    .bind(account_id)
    .bind(MAX_PER_ACCOUNT)
    .execute(&mut *conn)
    .await
    .context("keeping the latest known browsers")?;
    Ok(Seen::New {
        id,
        first_login: first.is_some(),
    })
}

/// Browsers unseen for [`COOKIE_DAYS`] days before `now` (Unix seconds),
/// whose cookie the browser no longer keeps, gone: how many. Errors: the
/// database failed.
pub async fn purge_stale(db: &crate::server::db::Db, now: i64) -> anyhow::Result<u64> {
    let done = sqlx::query("DELETE FROM known_browsers WHERE last_seen_at <= $1")
        .bind(now - COOKIE_DAYS * 24 * 3600)
        .execute(db)
        .await
        .context("purging stale known browsers")?;
    Ok(done.rows_affected())
}

/// A browser as "Mon compte" lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownBrowser {
    /// The row's id, for the form that forgets it (not the cookie).
    pub id: String,
    /// As the browser sent it at its last login.
    pub user_agent: Option<String>,
    /// Unix seconds.
    pub first_seen_at: i64,
    /// Unix seconds: its last login.
    pub last_seen_at: i64,
    /// The request's own browser.
    pub current: bool,
}

/// The account's known browsers, the latest login first; `current` marks
/// the one whose id is `browser_id`. Errors: the database failed.
pub async fn list(
    conn: &mut AnyConnection,
    account_id: &str,
    browser_id: Option<&str>,
) -> anyhow::Result<Vec<KnownBrowser>> {
    let current = browser_id.map(|id| browser_hash(account_id, id));
    let rows: Vec<(String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT id, browser_hash, user_agent, first_seen_at, last_seen_at FROM known_browsers \
         WHERE account_id = $1 ORDER BY last_seen_at DESC, id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await
    .context("listing the known browsers")?;
    Ok(rows
        .into_iter()
        .map(
            |(id, hash, user_agent, first_seen_at, last_seen_at)| KnownBrowser {
                current: current.as_deref() == Some(hash.as_str()),
                id,
                user_agent,
                first_seen_at,
                last_seen_at,
            },
        )
        .collect())
}

/// The account's browser `id`, if it still knows it. Errors: the database
/// failed.
pub async fn find(
    conn: &mut AnyConnection,
    account_id: &str,
    id: &str,
) -> anyhow::Result<Option<KnownBrowser>> {
    let row: Option<(Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT user_agent, first_seen_at, last_seen_at FROM known_browsers \
         WHERE account_id = $1 AND id = $2",
    )
    .bind(account_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading a known browser")?;
    Ok(
        row.map(|(user_agent, first_seen_at, last_seen_at)| KnownBrowser {
            id: id.to_owned(),
            user_agent,
            first_seen_at,
            last_seen_at,
            current: false,
        }),
    )
}

/// Forgets the account's browser `id` (every one with `None`): how many
/// were forgotten. Errors: the database failed.
pub async fn forget(
    conn: &mut AnyConnection,
    account_id: &str,
    id: Option<&str>,
) -> anyhow::Result<u64> {
    let done = match id {
        Some(id) => sqlx::query("DELETE FROM known_browsers WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id),
        None => sqlx::query("DELETE FROM known_browsers WHERE account_id = $1").bind(account_id),
    }
    .execute(&mut *conn)
    .await
    .context("forgetting a known browser")?;
    Ok(done.rows_affected())
}
