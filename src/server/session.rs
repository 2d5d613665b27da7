//! Server-side sessions in the database, so that every instance shares them.
//!
//! The cookie carries 32 random bytes; the table keeps their SHA-256. A new
//! id is issued at each login and at each change of what the session may
//! do ([`renew`]), logout deletes the row, and a session ends
//! after `SESAME_SESSION_IDLE_MINUTES` without a request or
//! `SESAME_SESSION_MAX_HOURS` in all. tower-sessions was considered: its
//! stores are per backend (no `Any`), and its records are opaque, while the
//! portal must list and end one account's sessions.

use super::{browser, tokens, AppState};
use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue};

/// The account behind a valid session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub account_id: String,
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-sesame_session"
    } else {
        "sesame_session"
    }
}

/// The session cookie (OWASP Session Management): `HttpOnly`,
/// `SameSite=Lax`, `Path=/`, and under https `Secure` with the `__Host-`
/// prefix; without `max_age` (seconds) it ends with the browser.
fn set_cookie(state: &AppState, value: &str, max_age: Option<i64>) -> HeaderValue {
    browser::private_cookie(state, cookie_name(state), value, max_age)
}

/// Opens a session for an account; returns the `Set-Cookie` value. Any
/// session the request already had is closed first (the id changes at login).
pub async fn open(
    state: &AppState,
    request_headers: &HeaderMap,
    account_id: &str,
) -> anyhow::Result<HeaderValue> {
    close(state, request_headers).await?;
    let mut conn = state.db.acquire().await.context("opening a session")?;
    open_in(&mut conn, state, request_headers, account_id).await
}

/// Writes a new session for an account in the caller's transaction (which
/// has taken the account's lock: `db::lock_account`); returns the
/// `Set-Cookie` value. Errors: the database or the random source failed.
pub async fn open_in(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    request_headers: &HeaderMap,
    account_id: &str,
) -> anyhow::Result<HeaderValue> {
    let id = tokens::new_secret_token()?;
    let now = state.clock.now_seconds();
    let user_agent = browser::user_agent(request_headers);
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at, user_agent) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(tokens::hash_token(&id))
    .bind(account_id)
    .bind(now)
    .bind(user_agent)
    .execute(conn)
    .await
    .context("opening a session")?;
    Ok(set_cookie(state, &id, None))
}

/// How stale a session's recorded activity may grow before a request
/// records it again, in seconds. Most requests then only read their
/// session, and SQLite's single writer is left to what changes something:
/// before, every page seen while logged in wrote its session's row. The
/// idle timeout counts from the recorded activity, so a session may end up
/// to a minute before `SESAME_SESSION_IDLE_MINUTES` after its last request
/// (OWASP Session Management Cheat Sheet, idle timeout).
pub const ACTIVITY_RESOLUTION_SECONDS: i64 = 60;

/// The session of the request, if it is still valid; records the activity
/// when the recorded one is [`ACTIVITY_RESOLUTION_SECONDS`] old or more.
/// Errors: the database failed.
pub async fn current(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Option<Session>> {
    let Some(id) = browser::cookie_value(headers, cookie_name(state)) else {
        return Ok(None);
    };
    let id_hash = tokens::hash_token(&id);
    let now = state.clock.now_seconds();
    let idle_floor = now - i64::from(state.config.session_idle_minutes) * 60;
    let age_floor = now - i64::from(state.config.session_max_hours) * 3600;
    // The account must be active at every use, not only when the password
    // was checked: a session opened while a deactivation ran (its rows were
    // ended just before this one was written) opens nothing (ASVS 4.0.3
    // V3.3.1; zitadel/zitadel#8631).
    let found: Option<(String, i64)> = sqlx::query_as(
        "SELECT s.account_id, s.last_seen_at FROM sessions s \
         JOIN accounts a ON a.id = s.account_id \
         WHERE s.id_hash = $1 AND s.last_seen_at > $2 AND s.created_at > $3 AND a.state = $4",
    )
    .bind(&id_hash)
    .bind(idle_floor)
    .bind(age_floor)
    .bind(crate::domain::states::AccountState::Active.as_str())
    .fetch_optional(&state.db)
    .await
    .context("reading the session")?;
    let Some((account_id, last_seen)) = found else {
        return Ok(None);
    };
    if now - last_seen >= ACTIVITY_RESOLUTION_SECONDS {
        // A session ended meanwhile (logout elsewhere) is left ended: the
        // update finds no row.
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1",
        )
        .bind(now)
        .bind(&id_hash)
        .execute(&state.db)
        .await
        .context("recording the session's activity")?;
    }
    Ok(Some(Session {
        id_hash,
        account_id,
    }))
}

/// Deletes the request's session, if any.
pub async fn close(state: &AppState, headers: &HeaderMap) -> anyhow::Result<()> {
    if let Some(id) = browser::cookie_value(headers, cookie_name(state)) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(tokens::hash_token(&id))
            .execute(&state.db)
            .await
            .context("closing the session")?;
    }
    Ok(())
}

/// The stored hash of the request's session cookie, valid or not.
pub fn request_id_hash(state: &AppState, headers: &HeaderMap) -> Option<String> {
    browser::cookie_value(headers, cookie_name(state)).map(|id| tokens::hash_token(&id))
}

/// The account's live sessions, newest activity first:
/// (id hash, created, last seen, user agent).
pub async fn list(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Vec<(String, i64, i64, Option<String>)>> {
    let now = state.clock.now_seconds();
    sqlx::query_as(
        "SELECT id_hash, created_at, last_seen_at, user_agent FROM sessions \
         WHERE account_id = $1 AND last_seen_at > $2 AND created_at > $3 \
         ORDER BY last_seen_at DESC, id_hash",
    )
    .bind(account_id)
    .bind(now - i64::from(state.config.session_idle_minutes) * 60)
    .bind(now - i64::from(state.config.session_max_hours) * 3600)
    .fetch_all(&state.db)
    .await
    .context("listing the sessions")
}

/// A session given a new id in place (same account, same start, same
/// browser): the new cookie to set, and the new id's stored hash.
pub struct Renewed {
    pub cookie: HeaderValue,
    pub id_hash: String,
}

/// Gives the session whose stored hash is `id_hash` a new id, in the
/// caller's transaction: the old cookie opens nothing any more (OWASP
/// Session Management Cheat Sheet, "Renew the Session ID After Any
/// Privilege Level Change"; ASVS 4.0.3 V3.2.1). `None` when that session
/// had ended. Errors: the database failed, or the random source did.
pub async fn renew(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    id_hash: &str,
) -> anyhow::Result<Option<Renewed>> {
    let id = tokens::new_secret_token()?;
    let new_hash = tokens::hash_token(&id);
    let renewed = sqlx::query("UPDATE sessions SET id_hash = $1 WHERE id_hash = $2")
        .bind(&new_hash)
        .bind(id_hash)
        .execute(conn)
        .await
        .context("renewing a session")?;
    Ok((renewed.rows_affected() == 1).then(|| Renewed {
        cookie: set_cookie(state, &id, None),
        id_hash: new_hash,
    }))
}

/// Ends the account's sessions but `keep` (the request's own, if given),
/// and its pending logins (`pending_login`): whoever was between the
/// password and the second step starts again. Returns how many sessions
/// ended.
pub async fn end_others(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    keep: Option<&str>,
) -> anyhow::Result<u64> {
    // After a second step that is opening a session for this account
    // (`second_step::service`), or before it, never across it.
    super::db::lock_account(conn, account_id).await?;
    let ended = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
        .bind(account_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await
        .context("ending the other sessions")?;
    super::pending_login::end_all(conn, account_id).await?;
    Ok(ended.rows_affected())
}

/// Ends every session of the account, in the caller's transaction (a new
/// password from a reset, a new login address, the old contact address put
/// back, a deactivation). Returns how many ended.
pub async fn end_all(conn: &mut sqlx::AnyConnection, account_id: &str) -> anyhow::Result<u64> {
    end_others(conn, account_id, None).await
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state, "", Some(0))
}

/// Deletes sessions past their idle or absolute limit.
pub async fn purge_expired_sessions(state: &AppState) -> anyhow::Result<u64> {
    let now = state.clock.now_seconds();
    let deleted = sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
        .bind(now - i64::from(state.config.session_idle_minutes) * 60)
        .bind(now - i64::from(state.config.session_max_hours) * 3600)
        .execute(&state.db)
        .await
        .context("purging expired sessions")?;
    Ok(deleted.rows_affected())
}
