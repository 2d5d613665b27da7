//! Logging in, as a plain function testable without HTTP: the counted
//! password check (`server::credentials`), the account's state, and the
//! upgrade of an outdated hash.

use super::LoginRefusal;
use crate::accounts::AccountState;
use crate::domain::EmailAddress;
use crate::server::credentials::{counted_check, Candidate, Counted, MAX_PASSWORD_BYTES};
use crate::server::password::Verified;
use crate::server::throttle;
use crate::server::AppState;
use anyhow::Context;

#[derive(Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    LoggedIn { account_id: String },
    Refused(LoginRefusal),
}

/// Checks a login. Unknown addresses cost the same time as wrong passwords
/// (a dummy hash is verified) and get the same refusal.
pub async fn log_in(
    state: &AppState,
    raw_email: &str,
    password: &str,
    client: &str,
) -> anyhow::Result<LoginOutcome> {
    if !throttle::client_allowed(state, client).await? {
        return Ok(LoginOutcome::Refused(LoginRefusal::TooManyAttempts));
    }
    let login = match EmailAddress::parse(raw_email) {
        Ok(email) => email.to_string(),
        Err(_) => crate::domain::unicode::normalized(raw_email.trim()).to_lowercase(),
    };
    if password.is_empty() || password.len() > MAX_PASSWORD_BYTES || login.is_empty() {
        return Ok(LoginOutcome::Refused(LoginRefusal::InvalidCredentials));
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
            return Ok(LoginOutcome::Refused(LoginRefusal::Locked {
                minutes: minutes.max(1),
            }));
        }
        (Counted::Right(verified), Some(account)) => (verified, account),
        _ => return Ok(LoginOutcome::Refused(LoginRefusal::InvalidCredentials)),
    };

    match account.state {
        AccountState::Active => {}
        AccountState::Deactivated => return Ok(LoginOutcome::Refused(LoginRefusal::Deactivated)),
        AccountState::Pending => {
            return Ok(LoginOutcome::Refused(LoginRefusal::InvalidCredentials))
        }
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
    Ok(LoginOutcome::LoggedIn {
        account_id: account.id,
    })
}
