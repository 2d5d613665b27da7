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

/// Wrong second steps an account may have in [`SECOND_STEP_LOCK_MINUTES`].
pub const SECOND_STEP_MAX_FAILURES: i64 = 10;
/// The second step's window and lock, in minutes.
pub const SECOND_STEP_LOCK_MINUTES: i64 = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The secret may be checked; `failures` counts this attempt.
    Allowed { failures: i64 },
    /// Too many failures: refused until `until` (Unix seconds).
    Locked { until: i64 },
}

/// A counter of failed checks of a secret per address (registered or
/// not), in its own table keyed by `login_email`: the login box's
/// (`login_throttle`) and the secret answer's (`recovery_throttle`). One
/// mechanism for both (OWASP Authentication Cheat Sheet, "Account
/// lockout"): an attempt is reserved before the secret is checked, by one
/// conditional update, so parallel attempts never get more than `max`
/// checked in a window; the last allowed failure locks the address.
#[derive(Clone, Copy, Debug)]
pub struct FailureCounter {
    /// The table; it has `login_email`, `window_start`, `failures` and the
    /// lock column.
    table: &'static str,
    /// The column holding the end of the lock (Unix seconds).
    lock_column: &'static str,
    /// Failures allowed in a window.
    pub max: i64,
    /// Seconds after which a window's count starts again.
    pub window_seconds: i64,
    /// Seconds a lock lasts.
    pub lock_seconds: i64,
}

impl FailureCounter {
    /// The login box's: `SESAME_LOGIN_MAX_FAILURES` in
    /// `SESAME_LOGIN_LOCK_MINUTES`, then locked as long.
    pub fn login(state: &AppState) -> FailureCounter {
        FailureCounter {
            table: "login_throttle",
            lock_column: "locked_until",
            max: i64::from(state.config.login_max_failures),
            window_seconds: window_seconds(state),
            lock_seconds: window_seconds(state),
        }
    }

    /// The secret answer's: `SESAME_RECOVERY_MAX_WRONG_ANSWERS` in an hour,
    /// then recovery paused for `SESAME_RECOVERY_PAUSE_MINUTES`.
    pub fn secret_answer(state: &AppState) -> FailureCounter {
        FailureCounter {
            table: "recovery_throttle",
            lock_column: "paused_until",
            max: i64::from(state.config.recovery_max_wrong_answers),
            window_seconds: 3600,
            lock_seconds: i64::from(state.config.recovery_pause_minutes) * 60,
        }
    }

    /// The second step's, per account (its id as the key): 10 wrong codes
    /// in 15 minutes lock the account's second step for 15 minutes (issue
    /// 26; NIST SP 800-63B 5.2.2, at most 100 failures; ANSSI-PG-078,
    /// R29: limit the attempts).
    pub fn second_step(_state: &AppState) -> FailureCounter {
        FailureCounter {
            table: "second_step_throttle",
            lock_column: "locked_until",
            max: SECOND_STEP_MAX_FAILURES,
            window_seconds: SECOND_STEP_LOCK_MINUTES * 60,
            lock_seconds: SECOND_STEP_LOCK_MINUTES * 60,
        }
    }

    /// The secret was right: the count starts again (the row stays, so
    /// that attempts in flight still find it). Errors: the database failed.
    pub async fn cleared(&self, state: &AppState, key: &str) -> anyhow::Result<()> {
        let (table, lock) = (self.table, self.lock_column);
        sqlx::query(&format!(
            "UPDATE {table} SET failures = 0, {lock} = NULL, window_start = $1 \
             WHERE login_email = $2"
        ))
        .bind(state.clock.now_seconds())
        .bind(key)
        .execute(&state.db)
        .await
        .with_context(|| format!("clearing a counter in {table}"))?;
        Ok(())
    }

    /// Reserves one attempt on `login_email`'s counter, creating it (with
    /// `new_row`'s values for the table's other columns) and starting a new
    /// window as needed. Errors: the database failed, or the counter was
    /// deleted under each of three tries (a password reset clears it).
    pub async fn reserve(
        &self,
        state: &AppState,
        login_email: &str,
        new_row: NewRow,
    ) -> anyhow::Result<Reservation> {
        for _ in 0..3 {
            if let Some(reservation) = self.try_reserve(state, login_email, new_row).await? {
                return Ok(reservation);
            }
        }
        anyhow::bail!("the counter in {} kept disappearing", self.table)
    }

    /// One try of [`FailureCounter::reserve`]; `None` when the counter was
    /// deleted between its creation and its reading.
    async fn try_reserve(
        &self,
        state: &AppState,
        login_email: &str,
        new_row: NewRow,
    ) -> anyhow::Result<Option<Reservation>> {
        let (table, lock) = (self.table, self.lock_column);
        let now = state.clock.now_seconds();
        sqlx::query(&format!(
            "INSERT INTO {table} (login_email, window_start, failures{extra}) \
             VALUES ($1, $2, 0{extra_values}) ON CONFLICT (login_email) DO NOTHING",
            extra = new_row.columns,
            extra_values = new_row.values,
        ))
        .bind(login_email)
        .bind(now)
        .execute(&state.db)
        .await
        .with_context(|| format!("creating a counter in {table}"))?;
        sqlx::query(&format!(
            "UPDATE {table} SET window_start = $1, failures = 0, {lock} = NULL \
             WHERE login_email = $2 AND window_start <= $3 AND ({lock} IS NULL OR {lock} <= $1)"
        ))
        .bind(now)
        .bind(login_email)
        .bind(now - self.window_seconds)
        .execute(&state.db)
        .await
        .with_context(|| format!("resetting a counter in {table}"))?;
        let reserved: Option<(i64,)> = sqlx::query_as(&format!(
            "UPDATE {table} SET failures = failures + 1 \
             WHERE login_email = $1 AND failures < $2 AND ({lock} IS NULL OR {lock} <= $3) \
             RETURNING failures"
        ))
        .bind(login_email)
        .bind(self.max)
        .bind(now)
        .fetch_optional(&state.db)
        .await
        .with_context(|| format!("reserving an attempt in {table}"))?;
        if let Some((failures,)) = reserved {
            return Ok(Some(Reservation::Allowed { failures }));
        }
        let counter: Option<(i64, Option<i64>)> = sqlx::query_as(&format!(
            "SELECT window_start, {lock} FROM {table} WHERE login_email = $1"
        ))
        .bind(login_email)
        .fetch_optional(&state.db)
        .await
        .with_context(|| format!("reading a counter in {table}"))?;
        // No counter: a concurrent password reset cleared it.
        Ok(
            counter.map(|(window_start, locked_until)| Reservation::Locked {
                until: locked_until
                    .unwrap_or(window_start + self.window_seconds)
                    .max(now),
            }),
        )
    }

    /// The reserved attempt failed. When it was the last one allowed, locks
    /// the address and returns true (once per lock), so the owner can be
    /// told.
    pub async fn failed(
        &self,
        state: &AppState,
        login_email: &str,
        failures: i64,
    ) -> anyhow::Result<bool> {
        if failures < self.max {
            return Ok(false);
        }
        let (table, lock) = (self.table, self.lock_column);
        let now = state.clock.now_seconds();
        let locked = sqlx::query(&format!(
            "UPDATE {table} SET {lock} = $1 WHERE login_email = $2 \
             AND ({lock} IS NULL OR {lock} <= $3)"
        ))
        .bind(now + self.lock_seconds)
        .bind(login_email)
        .bind(now)
        .execute(&state.db)
        .await
        .with_context(|| format!("locking an address in {table}"))?;
        Ok(locked.rows_affected() == 1)
    }
}

/// The columns a counter's table has beyond the shared ones, and their
/// values for a new row (SQL, starting with a comma; `$2` is now).
#[derive(Clone, Copy, Debug)]
pub struct NewRow {
    pub columns: &'static str,
    pub values: &'static str,
}

impl NewRow {
    /// No other column.
    pub const NONE: NewRow = NewRow {
        columns: "",
        values: "",
    };
}

fn window_seconds(state: &AppState) -> i64 {
    i64::from(state.config.login_lock_minutes) * 60
}

/// Reserves a login attempt on `login_email` ([`FailureCounter::login`]).
pub async fn reserve_login(state: &AppState, login_email: &str) -> anyhow::Result<Reservation> {
    FailureCounter::login(state)
        .reserve(state, login_email, NewRow::NONE)
        .await
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

/// The password was wrong ([`FailureCounter::failed`]).
pub async fn login_failed(
    state: &AppState,
    login_email: &str,
    failures: i64,
) -> anyhow::Result<bool> {
    FailureCounter::login(state)
        .failed(state, login_email, failures)
        .await
}

/// Counts one attempt from a client address; false once over
/// `SESAME_CLIENT_MAX_ATTEMPTS` in the window.
pub async fn client_allowed(state: &AppState, client: &str) -> anyhow::Result<bool> {
    client_allowed_up_to(state, client, i64::from(state.config.client_max_attempts)).await
}

/// Counts one hit of `client` (an address, or a bucket named after one);
/// false once over `max` in the window (`SESAME_LOGIN_LOCK_MINUTES`).
/// Errors: the database failed.
pub async fn client_allowed_up_to(
    state: &AppState,
    client: &str,
    max: i64,
) -> anyhow::Result<bool> {
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
    Ok(hits <= max)
}
