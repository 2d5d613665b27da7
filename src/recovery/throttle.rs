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

use crate::server::AppState;
use anyhow::Context;

const WINDOW_SECONDS: i64 = 3600;

pub enum AnswerReservation {
    /// The answer may be checked; `failures` counts this attempt.
    Allowed {
        failures: i64,
    },
    Paused,
}

pub async fn reserve_answer(
    state: &AppState,
    login_email: &str,
) -> anyhow::Result<AnswerReservation> {
    let now = state.clock.now_seconds();
    sqlx::query(
        "INSERT INTO recovery_throttle (login_email, window_start, failures, resets_window_start, resets_sent) \
         VALUES ($1, $2, 0, $2, 0) ON CONFLICT (login_email) DO NOTHING",
    )
    .bind(login_email)
    .bind(now)
    .execute(&state.db)
    .await
    .context("creating a recovery counter")?;
    sqlx::query(
        "UPDATE recovery_throttle SET window_start = $1, failures = 0, paused_until = NULL \
         WHERE login_email = $2 AND window_start <= $3 AND (paused_until IS NULL OR paused_until <= $1)",
    )
    .bind(now)
    .bind(login_email)
    .bind(now - WINDOW_SECONDS)
    .execute(&state.db)
    .await
    .context("resetting a recovery counter")?;
    let reserved: Option<(i64,)> = sqlx::query_as(
        "UPDATE recovery_throttle SET failures = failures + 1 \
         WHERE login_email = $1 AND failures < $2 AND (paused_until IS NULL OR paused_until <= $3) \
         RETURNING failures",
    )
    .bind(login_email)
    .bind(i64::from(state.config.recovery_max_wrong_answers))
    .bind(now)
    .fetch_optional(&state.db)
    .await
    .context("reserving a secret answer attempt")?;
    Ok(match reserved {
        Some((failures,)) => AnswerReservation::Allowed { failures },
        None => AnswerReservation::Paused,
    })
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
    if failures < i64::from(state.config.recovery_max_wrong_answers) {
        return Ok(false);
    }
    let now = state.clock.now_seconds();
    let paused = sqlx::query(
        "UPDATE recovery_throttle SET paused_until = $1 WHERE login_email = $2 \
         AND (paused_until IS NULL OR paused_until <= $3)",
    )
    .bind(now + i64::from(state.config.recovery_pause_minutes) * 60)
    .bind(login_email)
    .bind(now)
    .execute(&state.db)
    .await
    .context("pausing a recovery")?;
    Ok(paused.rows_affected() == 1)
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
