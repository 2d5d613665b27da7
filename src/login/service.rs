//! Logging in and out, as plain functions testable without HTTP: the
//! counted password check (`credentials`), the account's state and the
//! upgrade of an outdated hash (the session itself opens after the second
//! step, `second_step`), and the session closed with its line in the
//! account's feed.

use super::credentials::{counted_check, Candidate, Counted, MAX_PASSWORD_BYTES};
use super::LoginRefusal;
use crate::accounts::keys::{self, KeyRefusal};
use crate::accounts::{AccountState, Person};
use crate::domain::EmailAddress;
use crate::i18n::Lang;
use crate::mail::templates::LoginMethod;
use crate::second_step::service::open_session;
use crate::server::db::lock_account;
use crate::server::events::{self, EventKind};
use crate::server::password::Verified;
use crate::server::{pending_login, session, throttle, AppState};
use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue};

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
        "SELECT id, state, password_hash, password_retired, language, first_name, last_name \
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
        AccountState::Active if account.password_retired == 1 => {
            return Ok(Err(LoginRefusal::PasswordRetired))
        }
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

/// A passkey login that logged in: the session's and the browser's
/// cookies, and the account's language.
pub struct PasskeySession {
    pub cookies: Vec<HeaderValue>,
    pub language: Option<Lang>,
}

/// A refused passkey login: why, and the address to show in the login box
/// (the account's, for a deactivated one, so that its reactivation can be
/// asked for; else empty).
pub struct PasskeyRefused {
    pub refusal: LoginRefusal,
    pub email: String,
}

impl From<LoginRefusal> for PasskeyRefused {
    fn from(refusal: LoginRefusal) -> PasskeyRefused {
        PasskeyRefused {
            refusal,
            email: String::new(),
        }
    }
}

/// The largest passkey answer read, in bytes (an assertion is a few
/// hundred bytes).
const MAX_PASSKEY_ANSWER_BYTES: usize = 16 * 1024;

/// "Se connecter avec une clé d'accès": checks the browser's `answer` to
/// the login box's ceremony `ceremony` (`accounts::keys`), then the
/// account's state as a password login does (deactivated: refused with its
/// message; pending: not recognised), and opens the session with no
/// second step (the passkey is possession, and its user verification is
/// knowledge or inherence: NIST SP 800-63B 4.2.1, AAL2; ANSSI-PG-078).
/// `client` is counted by the per-client throttle, as a password try.
///
/// Errors: the database failed.
pub async fn passkey_login(
    state: &AppState,
    headers: &HeaderMap,
    client: &str,
    ceremony: &str,
    answer: &str,
) -> anyhow::Result<Result<PasskeySession, PasskeyRefused>> {
    if !throttle::client_allowed(state, client).await? {
        return Ok(Err(LoginRefusal::TooManyAttempts.into()));
    }
    if answer.is_empty() || answer.len() > MAX_PASSKEY_ANSWER_BYTES {
        return Ok(Err(LoginRefusal::PasskeyNotRecognised.into()));
    }
    let used = match keys::finish_passkey_login(state, ceremony, answer).await? {
        Ok(used) => used,
        Err(KeyRefusal::Expired) => return Ok(Err(LoginRefusal::PasskeyExpired.into())),
        Err(KeyRefusal::NotVerified) => return Ok(Err(LoginRefusal::PasskeyNotVerified.into())),
        Err(_) => return Ok(Err(LoginRefusal::PasskeyNotRecognised.into())),
    };
    let mut tx = state.db.begin().await.context("opening a session")?;
    // The account's state is read under its lock, so that a deactivation
    // committed since the key was checked opens nothing.
    lock_account(&mut tx, &used.account_id).await?;
    let (account_state,): (String,) = sqlx::query_as("SELECT state FROM accounts WHERE id = $1")
        .bind(&used.account_id)
        .fetch_one(&mut *tx)
        .await
        .context("reading the account's state")?;
    let person = Person::load(&mut *tx, &used.account_id).await?;
    match account_state.parse::<AccountState>()? {
        AccountState::Active => {}
        AccountState::Deactivated => {
            return Ok(Err(PasskeyRefused {
                refusal: LoginRefusal::Deactivated,
                email: person.login_email,
            }))
        }
        AccountState::Pending => return Ok(Err(LoginRefusal::PasskeyNotRecognised.into())),
    }
    let cookies = open_session(
        &mut tx,
        state,
        headers,
        &used.account_id,
        LoginMethod::Passkey,
    )
    .await?;
    tx.commit().await.context("committing a passkey login")?;
    state.mailer.wake();
    // The browser's earlier session and pending login, if any, end (the
    // session's id changes at login).
    session::close(state, headers).await?;
    pending_login::close(state, headers).await?;
    Ok(Ok(PasskeySession {
        cookies,
        language: Lang::from_code(&person.language),
    }))
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
