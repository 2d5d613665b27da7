//! Housekeeping: what has expired is deleted, beside the outbox worker
//! (both started by `startup`), at start-up and every
//! [`SWEEP_EVERY_MINUTES`] (it used to run inside the outbox worker, every
//! 600 of its rounds). Each sweep is independent: one that fails is logged
//! and the others still run; the next round tries again.

use crate::server::AppState;
use std::time::Duration;

/// Time between two sweeps, in minutes (the first runs at start-up).
pub const SWEEP_EVERY_MINUTES: u64 = 10;

/// Sweeps at start-up, then every [`SWEEP_EVERY_MINUTES`], for ever.
pub async fn run(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(SWEEP_EVERY_MINUTES * 60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        sweep(&state).await;
    }
}

/// Deletes what has expired: captcha challenges, sessions, pending logins
/// and emailed codes a day after their expiry, recovery flows,
/// emailed links 30 days after their expiry (`accounts::links`), known
/// browsers unseen for 400 days (`accounts::browsers`), and
/// accounts never activated (`SESAME_PENDING_ACCOUNT_DAYS`). Never fails:
/// each failure is logged with its cause.
pub async fn sweep(state: &AppState) {
    let now = state.clock.now_seconds();
    logged(
        "purging captcha challenges",
        crate::server::captcha::purge_expired_challenges(state).await,
    );
    logged(
        "purging sessions",
        crate::server::session::purge_expired_sessions(state).await,
    );
    logged(
        "purging pending logins",
        crate::server::pending_login::purge_expired(state).await,
    );
    logged(
        "purging emailed codes",
        crate::accounts::factors::purge_spent(&state.db, now).await,
    );
    logged(
        "purging key ceremonies",
        crate::accounts::keys::purge_expired(&state.db, now).await,
    );
    logged(
        "purging stale known browsers",
        crate::accounts::browsers::purge_stale(&state.db, now).await,
    );
    logged(
        "purging recovery flows",
        crate::recovery::service::purge_expired(state).await,
    );
    logged(
        "purging spent links",
        crate::accounts::links::purge_spent(&state.db, now).await,
    );
    match crate::activation::service::purge_pending(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            accounts = n,
            "pending accounts past their activation time deleted"
        ),
        Err(error) => tracing::warn!(
            error = format!("{error:#}"),
            "purging pending accounts failed"
        ),
    }
}

fn logged<T>(what: &str, result: anyhow::Result<T>) {
    if let Err(error) = result {
        tracing::warn!(error = format!("{error:#}"), "{what} failed");
    }
}
