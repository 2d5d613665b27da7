//! The one check of a password against the login lock, shared by the
//! login box and by every form of "Mon compte" that asks for the current
//! password (NIST SP 800-63B 5.2.2, rate limiting; OWASP Authentication
//! Cheat Sheet, account lockout).

use crate::accounts::AccountState;
use crate::domain::UserMessage;
use crate::i18n::Lang;
use crate::mail::{enqueue, templates};
use crate::server::events::{self, EventKind};
use crate::server::password::Verified;
use crate::server::throttle::{self, Reservation};
use crate::server::AppState;
use anyhow::Context;

/// Passwords longer than this are refused before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// An account as a password check needs it.
#[derive(sqlx::FromRow)]
pub struct Candidate {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub state: AccountState,
    pub password_hash: Option<String>,
    /// 1 after "Ce n'était pas moi" until a new password is chosen.
    pub password_retired: i64,
    pub language: String,
    pub first_name: String,
    pub last_name: String,
}

/// A password checked against its login address's counter.
pub enum Counted {
    /// Too many failures: not checked, refused until `until` (Unix seconds).
    Locked {
        until: i64,
    },
    /// Wrong (or no account); `locked_now` when this failure locked the
    /// address.
    Wrong {
        locked_now: bool,
    },
    Right(Verified),
}

/// The one check of a password against the login lock, for the login box
/// and for the current password asked in "Mon compte": reserves an attempt
/// on `login`'s counter before hashing (so parallel guesses cannot get more
/// than the allowed number checked), then clears the count on a right
/// password, or counts the failure, records it in the account's feed and,
/// when it locks the address, tells the owner.
pub async fn counted_check(
    state: &AppState,
    login: &str,
    account: Option<&Candidate>,
    password: &str,
) -> anyhow::Result<Counted> {
    let failures = match throttle::reserve_login(state, login).await? {
        Reservation::Allowed { failures } => failures,
        Reservation::Locked { until } => return Ok(Counted::Locked { until }),
    };
    // With no account, a dummy hash is verified: the same time, no match.
    let stored = account.and_then(|a| a.password_hash.as_deref());
    let verified = state.hasher.verify(password, stored).await?;
    if account.is_some() && verified.matches() {
        throttle::login_succeeded(state, login).await?;
        return Ok(Counted::Right(verified));
    }
    let locked_now = throttle::login_failed(state, login, failures).await?;
    if let Some(account) = account {
        let now = state.clock.now_seconds();
        record_failure(state, account, login, locked_now, now).await?;
    }
    Ok(Counted::Wrong { locked_now })
}

/// Records a failed login in the account's feed; when it locked the
/// address, also tells the owner.
async fn record_failure(
    state: &AppState,
    account: &Candidate,
    login: &str,
    locked_now: bool,
    now: i64,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await.context("recording a failed login")?;
    events::record(&mut tx, &account.id, EventKind::LoginFailed, now).await?;
    if locked_now {
        events::record(&mut tx, &account.id, EventKind::LoginLocked, now).await?;
        let lang = Lang::from_code(&account.language).unwrap_or(state.config.default_lang);
        let email = templates::login_locked(
            lang,
            login,
            &format!("{} {}", account.first_name, account.last_name),
            i64::from(state.config.login_lock_minutes),
            &state.config.public_url,
        );
        enqueue(&mut tx, state, &email).await?;
    }
    tx.commit().await.context("committing a failed login")?;
    state.mailer.wake();
    Ok(())
}

/// A connected person's account and login address.
#[derive(sqlx::FromRow)]
struct Holder {
    #[sqlx(flatten)]
    account: Candidate,
    login_email: String,
}

/// Why the current password typed by a connected person was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrentPasswordRefused {
    /// Nothing was typed (not counted as a wrong password).
    Missing,
    Wrong,
    /// Too many wrong passwords on this address, here or at the login box.
    Locked,
}

impl UserMessage for CurrentPasswordRefused {
    fn message_key(&self) -> &'static str {
        match self {
            CurrentPasswordRefused::Missing => "errors.password.missing_current",
            CurrentPasswordRefused::Wrong => "errors.password.wrong_current",
            CurrentPasswordRefused::Locked => "errors.password.locked_current",
        }
    }
}

/// Checks the password a connected person types to change their password,
/// secret question or login address, or to deactivate the account. It
/// counts against the same per-address limit as the login box, so that
/// whoever holds a stolen session cannot guess the password any faster; a
/// lock it causes is recorded and told to the owner like a login lock, and
/// a right password clears the count.
pub async fn check_current_password(
    state: &AppState,
    account_id: &str,
    typed: &str,
) -> anyhow::Result<Result<(), CurrentPasswordRefused>> {
    if typed.is_empty() {
        return Ok(Err(CurrentPasswordRefused::Missing));
    }
    if typed.len() > MAX_PASSWORD_BYTES {
        return Ok(Err(CurrentPasswordRefused::Wrong));
    }
    let Holder {
        account,
        login_email: login,
    } = sqlx::query_as(
        "SELECT id, state, password_hash, password_retired, language, first_name, last_name, \
         login_email \
         FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(&state.db)
    .await
    .context("reading the account")?;
    Ok(
        match counted_check(state, &login, Some(&account), typed).await? {
            Counted::Right(_) => Ok(()),
            Counted::Wrong { locked_now: false } => Err(CurrentPasswordRefused::Wrong),
            Counted::Wrong { locked_now: true } | Counted::Locked { .. } => {
                Err(CurrentPasswordRefused::Locked)
            }
        },
    )
}
