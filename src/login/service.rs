//! Logging in and out, as plain functions testable without HTTP: the
//! counted password check (`credentials`), the account's state and the
//! upgrade of an outdated hash (the session itself opens after the second
//! step, `second_step`), and the session closed with its line in the
//! account's feed.

use super::credentials::{counted_check, Candidate, Counted, MAX_PASSWORD_BYTES};
use super::LoginRefusal;
use crate::accounts::AccountState;
use crate::domain::EmailAddress;
use crate::server::events::{self, EventKind};
use crate::server::password::Verified;
use crate::server::{pending_login, session, throttle, AppState};
use anyhow::Context;
use axum::http::HeaderMap;

/// Checks a login: the id of the account whose password `password` is, or
/// why not. Unknown addresses cost the same time as wrong passwords (a
/// dummy hash is verified) and get the same refusal (OWASP Authentication
/// Cheat Sheet, "Authentication and Error Messages"); `client` is counted
/// by the per-client throttle, the address by its lock.
///
/// Errors: the database failed, or hashing failed.
pub async fn authenticate(
    state: &AppState,
    raw_email: &str,
    password: &str,
    client: &str,
) -> anyhow::Result<Result<String, LoginRefusal>> {
    if !throttle::client_allowed(state, client).await? {
        return Ok(Err(LoginRefusal::TooManyAttempts));
    }
    let login = match EmailAddress::parse(raw_email) {
        Ok(email) => email.to_string(),
        Err(_) => crate::domain::unicode::normalized(raw_email.trim()).to_lowercase(),
    };
    // The address is a throttle key: one longer than any address can be
    // (`EmailAddress::MAX_LENGTH`, in characters as it counts them) is
    // refused before it is counted or looked up.
    if password.is_empty()
        || password.len() > MAX_PASSWORD_BYTES
        || login.is_empty()
        || login.chars().count() > EmailAddress::MAX_LENGTH
    {
        return Ok(Err(LoginRefusal::InvalidCredentials));
    }
    let candidate: Option<Candidate> = sqlx::query_as(
        "SELECT id, state, password_hash, language, first_name, last_name \
         FROM accounts WHERE login_email = $1",
    )
    .bind(&login)
    .fetch_optional(&state.db)
    .await
    .context("reading the account")?;
    let (verified, account) = match (
        counted_check(state, &login, candidate.as_ref(), password).await?,
        candidate,
    ) {
        (Counted::Locked { until }, _) => {
            let minutes = ((until - state.clock.now_seconds()) + 59) / 60;
            return Ok(Err(LoginRefusal::Locked {
                minutes: minutes.max(1),
            }));
        }
        (Counted::Right(verified), Some(account)) => (verified, account),
        _ => return Ok(Err(LoginRefusal::InvalidCredentials)),
    };

    match account.state {
        AccountState::Active => {}
        AccountState::Deactivated => return Ok(Err(LoginRefusal::Deactivated)),
        AccountState::Pending => return Ok(Err(LoginRefusal::InvalidCredentials)),
    }
    if verified == Verified::MatchesButOutdated {
        let rehashed = state.hasher.hash(password).await?;
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(rehashed)
            .bind(&account.id)
            .execute(&state.db)
            .await
            .context("upgrading a password hash")?;
    }
    Ok(Ok(account.id))
}

/// "Déconnexion": the request's session ends (the feed says so when there
/// was one). Errors: the database failed (the session may still be open).
pub async fn close_session(state: &AppState, headers: &HeaderMap) -> anyhow::Result<()> {
    if let Some(current) = session::current(state, headers).await? {
        let mut conn = state.db.acquire().await.context("recording the logout")?;
        events::record(
            &mut conn,
            &current.account_id,
            EventKind::LoggedOut,
            state.clock.now_seconds(),
        )
        .await?;
    }
    pending_login::close(state, headers).await?;
    session::close(state, headers).await
}
