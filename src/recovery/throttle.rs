//! The limits of the forgotten-password flow, kept in the database so that
//! every instance counts the same, and keyed by the login address whether it
//! has an account or not (so the limits say nothing about who is registered).
//!
//! - Secret answers: an attempt is *reserved* before the answer is checked,
//!   by one conditional update, so parallel attempts never get more than
//!   `SESAME_RECOVERY_MAX_WRONG_ANSWERS` answers checked in an hour; the last
//!   allowed wrong answer pauses recovery for `SESAME_RECOVERY_PAUSE_MINUTES`.
//! - Reset emails: at most `SESAME_RESET_EMAILS_PER_HOUR` an hour, claimed
//!   by one conditional update too.

use crate::server::throttle::{FailureCounter, NewRow, Reservation};
use crate::server::AppState;
use anyhow::Context;

/// The reset emails' window, in seconds.
const WINDOW_SECONDS: i64 = 3600;

pub enum AnswerReservation {
    /// The answer may be checked; `failures` counts this attempt.
    Allowed {
        failures: i64,
    },
    Paused,
}

/// Reserves a secret answer attempt on `login_email`
/// ([`FailureCounter::secret_answer`], the login box's mechanism).
pub async fn reserve_answer(
    state: &AppState,
    login_email: &str,
) -> anyhow::Result<AnswerReservation> {
    let new_row = NewRow {
        columns: ", resets_window_start, resets_sent",
        values: ", $2, 0",
    };
    Ok(
        match FailureCounter::secret_answer(state)
            .reserve(state, login_email, new_row)
            .await?
        {
            Reservation::Allowed { failures } => AnswerReservation::Allowed { failures },
            Reservation::Locked { .. } => AnswerReservation::Paused,
        },
    )
}

/// The answer was right: the reserved attempt is given back.
pub async fn answer_succeeded(state: &AppState, login_email: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE recovery_throttle SET failures = failures - 1 WHERE login_email = $1 AND failures > 0",
    )
    .bind(login_email)
    .execute(&state.db)
    .await
    .context("giving back a secret answer attempt")?;
    Ok(())
}

/// The answer was wrong. When it was the last one allowed, pauses the
/// address and returns true (once per pause), so the owner can be told.
pub async fn answer_failed(
    state: &AppState,
    login_email: &str,
    failures: i64,
) -> anyhow::Result<bool> {
    FailureCounter::secret_answer(state)
        .failed(state, login_email, failures)
        .await
}

/// Claims one of the hour's reset emails; false when they are all used.
pub async fn claim_reset_email(state: &AppState, login_email: &str) -> anyhow::Result<bool> {
    let now = state.clock.now_seconds();
    let floor = now - WINDOW_SECONDS;
    let claimed = sqlx::query(
        "UPDATE recovery_throttle SET \
           resets_sent = CASE WHEN resets_window_start <= $2 THEN 1 ELSE resets_sent + 1 END, \
           resets_window_start = CASE WHEN resets_window_start <= $2 THEN $1 ELSE resets_window_start END \
         WHERE login_email = $3 AND (resets_window_start <= $2 OR resets_sent < $4)",
    )
    .bind(now)
    .bind(floor)
    .bind(login_email)
    .bind(i64::from(state.config.reset_emails_per_hour))
    .execute(&state.db)
    .await
    .context("claiming a reset email")?;
    Ok(claimed.rows_affected() == 1)
}

/// A new password was chosen: the address's counters start again.
pub async fn clear(conn: &mut sqlx::AnyConnection, login_email: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM recovery_throttle WHERE login_email = $1")
        .bind(login_email)
        .execute(&mut *conn)
        .await
        .context("clearing the recovery counters")?;
    sqlx::query("DELETE FROM login_throttle WHERE login_email = $1")
        .bind(login_email)
        .execute(&mut *conn)
        .await
        .context("clearing the login counters")?;
    Ok(())
}
