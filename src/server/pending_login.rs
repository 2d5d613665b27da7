//! Pending logins: the password was right, the second step is awaited.
//!
//! A pending login lives in its own table behind its own cookie, never in
//! `sessions`: nothing that reads a session (every connected page, every
//! server function of the connected space) can take it for one. It lasts
//! [`PENDING_LOGIN_MINUTES`] at most, counts the codes it tries, and ends at
//! the second step's success (a session is opened under a new id), at a
//! new login or a logout from the same browser, at its 5th wrong code, or
//! when it expires (NIST SP 800-63B 4.2.1 and 5.2.2; OWASP Multifactor
//! Authentication Cheat Sheet, "Implementation": the second step must not
//! be skippable by going elsewhere).

use super::{browser, tokens, AppState};
use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue};

/// How long a pending login waits for its second step, in minutes.
pub const PENDING_LOGIN_MINUTES: i64 = 10;

/// A browser's pending login, read from its cookie.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingLogin {
    pub id_hash: String,
    pub account_id: String,
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    /// Codes tried so far.
    pub attempts: i64,
    /// Where to go once logged in (a path of this site, or empty).
    pub next_path: String,
    /// The browser that typed the password, for the code's email.
    pub user_agent: Option<String>,
}

/// The pending login's cookie: `__Host-` under https, like the session's.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-sesame_pending"
    } else {
        "sesame_pending"
    }
}

/// Opens a pending login for `account_id` (the browser's previous one, if
/// any, ends: a new login ends the pending one); returns its `Set-Cookie`.
/// Errors: the database or the random source failed.
pub async fn open(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    next_path: &str,
) -> anyhow::Result<HeaderValue> {
    close(state, headers).await?;
    let id = tokens::new_secret_token()?;
    let now = state.clock.now_seconds();
    sqlx::query(
        "INSERT INTO pending_logins \
         (id_hash, account_id, created_at, expires_at, attempts, next_path, user_agent) \
         VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(tokens::hash_token(&id))
    .bind(account_id)
    .bind(now)
    .bind(now + PENDING_LOGIN_MINUTES * 60)
    .bind(next_path)
    .bind(browser::user_agent(headers))
    .execute(&state.db)
    .await
    .context("opening a pending login")?;
    Ok(browser::private_cookie(
        state,
        cookie_name(state),
        &id,
        Some(PENDING_LOGIN_MINUTES * 60),
    ))
}

/// The request's pending login, if it has not expired and its account is
/// still active. Errors: the database failed.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> anyhow::Result<Option<PendingLogin>> {
    let Some(id) = browser::cookie_value(headers, cookie_name(state)) else {
        return Ok(None);
    };
    sqlx::query_as(
        "SELECT p.id_hash, p.account_id, p.created_at, p.expires_at, p.attempts, \
                p.next_path, p.user_agent \
         FROM pending_logins p JOIN accounts a ON a.id = p.account_id \
         WHERE p.id_hash = $1 AND p.expires_at > $2 AND a.state = $3",
    )
    .bind(tokens::hash_token(&id))
    .bind(state.clock.now_seconds())
    .bind(crate::domain::states::AccountState::Active.as_str())
    .fetch_optional(&state.db)
    .await
    .context("reading the pending login")
}

/// Codes a pending login may try; the last wrong one ends it.
pub const MAX_ATTEMPTS: i64 = 5;

/// Reserves one try of a code on the pending login `id_hash`, before the
/// code is checked: the number of this try (1 to [`MAX_ATTEMPTS`]), or
/// `None` when the login has ended, expired or used its tries. One
/// conditional update, so parallel codes never get more than
/// [`MAX_ATTEMPTS`] checked. Errors: the database failed.
pub async fn reserve_attempt(state: &AppState, id_hash: &str) -> anyhow::Result<Option<i64>> {
    let reserved: Option<(i64,)> = sqlx::query_as(
        "UPDATE pending_logins SET attempts = attempts + 1 \
         WHERE id_hash = $1 AND attempts < $2 AND expires_at > $3 RETURNING attempts",
    )
    .bind(id_hash)
    .bind(MAX_ATTEMPTS)
    .bind(state.clock.now_seconds())
    .fetch_optional(&state.db)
    .await
    .context("reserving a try of a code")?;
    Ok(reserved.map(|(attempt,)| attempt))
}

/// Ends the pending login `id_hash`, in the caller's transaction; true
/// when it was still there (so two parallel right codes open one session).
pub async fn end(conn: &mut sqlx::AnyConnection, id_hash: &str) -> anyhow::Result<bool> {
    let ended = sqlx::query("DELETE FROM pending_logins WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await
        .context("ending a pending login")?;
    Ok(ended.rows_affected() == 1)
}

/// Ends the request's pending login, if any (logout, a new login).
/// Errors: the database failed.
pub async fn close(state: &AppState, headers: &HeaderMap) -> anyhow::Result<()> {
    if let Some(id) = browser::cookie_value(headers, cookie_name(state)) {
        sqlx::query("DELETE FROM pending_logins WHERE id_hash = $1")
            .bind(tokens::hash_token(&id))
            .execute(&state.db)
            .await
            .context("closing the pending login")?;
    }
    Ok(())
}

/// Ends every pending login of the account, in the caller's transaction
/// (its factors reset, its password changed, its account deactivated).
pub async fn end_all(conn: &mut sqlx::AnyConnection, account_id: &str) -> anyhow::Result<u64> {
    let ended = sqlx::query("DELETE FROM pending_logins WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await
        .context("ending the pending logins")?;
    Ok(ended.rows_affected())
}

/// The `Set-Cookie` value that removes the pending login's cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    browser::private_cookie(state, cookie_name(state), "", Some(0))
}

/// Deletes expired pending logins. Errors: the database failed.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<u64> {
    let deleted = sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1")
        .bind(state.clock.now_seconds())
        .execute(&state.db)
        .await
        .context("purging expired pending logins")?;
    Ok(deleted.rows_affected())
}
