//! Counters that slow down password guessing, kept in the database so that
//! every instance sees the same counts.
//!
//! Per login address (registered or not, so the counter reveals nothing): a
//! login attempt is *reserved* before the password is checked, by one
//! conditional update, so that parallel attempts can never get more than
//! `SESAME_LOGIN_MAX_FAILURES` passwords evaluated in a window; a success
//! clears the count, the last allowed failure locks the address for
//! `SESAME_LOGIN_LOCK_MINUTES`. Per client address: a plain rate limit.

use super::AppState;
use anyhow::Context;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The password may be checked; `failures` counts this attempt.
    Allowed { failures: i64 },
    /// Too many failures: refused until `until` (Unix seconds).
    Locked { until: i64 },
}

fn window_seconds(state: &AppState) -> i64 {
    i64::from(state.config.login_lock_minutes) * 60
}

pub async fn reserve_login(state: &AppState, login_email: &str) -> anyhow::Result<Reservation> {
    let now = state.clock.now_seconds();
    let window = window_seconds(state);
    sqlx::query(
        "INSERT INTO login_throttle (login_email, window_start, failures) VALUES ($1, $2, 0) \
         ON CONFLICT (login_email) DO NOTHING",
    )
    .bind(login_email)
    .bind(now)
    .execute(&state.db)
    .await
    .context("creating a login counter")?;
    sqlx::query(
        "UPDATE login_throttle SET window_start = $1, failures = 0, locked_until = NULL \
         WHERE login_email = $2 AND window_start <= $3 AND (locked_until IS NULL OR locked_until <= $1)",
    )
    .bind(now)
    .bind(login_email)
    .bind(now - window)
    .execute(&state.db)
    .await
    .context("resetting a login counter")?;
    let reserved: Option<(i64,)> = sqlx::query_as(
        "UPDATE login_throttle SET failures = failures + 1 \
         WHERE login_email = $1 AND failures < $2 AND (locked_until IS NULL OR locked_until <= $3) \
         RETURNING failures",
    )
    .bind(login_email)
    .bind(i64::from(state.config.login_max_failures))
    .bind(now)
    .fetch_optional(&state.db)
    .await
    .context("reserving a login attempt")?;
    if let Some((failures,)) = reserved {
        return Ok(Reservation::Allowed { failures });
    }
    let counter: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT window_start, locked_until FROM login_throttle WHERE login_email = $1",
    )
    .bind(login_email)
    .fetch_optional(&state.db)
    .await
    .context("reading a login counter")?;
    // No counter: a concurrent password reset cleared it; try once more.
    let Some((window_start, locked_until)) = counter else {
        return Box::pin(reserve_login(state, login_email)).await;
    };
    Ok(Reservation::Locked {
        until: locked_until.unwrap_or(window_start + window).max(now),
    })
}

/// The password was right: the count starts again. The row stays (reset),
/// so that attempts in flight on other connections still find it.
pub async fn login_succeeded(state: &AppState, login_email: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE login_throttle SET failures = 0, locked_until = NULL, window_start = $1 \
         WHERE login_email = $2",
    )
    .bind(state.clock.now_seconds())
    .bind(login_email)
    .execute(&state.db)
    .await
    .context("clearing a login counter")?;
    Ok(())
}

/// The password was wrong. When this was the last allowed failure, locks the
/// address and returns true (once per lock), so the owner can be told.
pub async fn login_failed(
    state: &AppState,
    login_email: &str,
    failures: i64,
) -> anyhow::Result<bool> {
    if failures < i64::from(state.config.login_max_failures) {
        return Ok(false);
    }
    let now = state.clock.now_seconds();
    let locked = sqlx::query(
        "UPDATE login_throttle SET locked_until = $1 WHERE login_email = $2 \
         AND (locked_until IS NULL OR locked_until <= $3)",
    )
    .bind(now + window_seconds(state))
    .bind(login_email)
    .bind(now)
    .execute(&state.db)
    .await
    .context("locking a login address")?;
    Ok(locked.rows_affected() == 1)
}

/// Counts one attempt from a client address; false once over the limit.
pub async fn client_allowed(state: &AppState, client: &str) -> anyhow::Result<bool> {
    let now = state.clock.now_seconds();
    let floor = now - window_seconds(state);
    let (hits,): (i64,) = sqlx::query_as(
        "INSERT INTO client_throttle (client, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (client) DO UPDATE SET \
           hits = CASE WHEN client_throttle.window_start <= $3 THEN 1 ELSE client_throttle.hits + 1 END, \
           window_start = CASE WHEN client_throttle.window_start <= $3 THEN $2 ELSE client_throttle.window_start END \
         RETURNING hits",
    )
    .bind(client)
    .bind(now)
    .bind(floor)
    .fetch_one(&state.db)
    .await
    .context("counting a client's attempts")?;
    Ok(hits <= i64::from(state.config.client_max_attempts))
}
