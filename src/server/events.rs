//! "Fil d'événements": what happened to an account.

use anyhow::Context;
use sqlx::AnyConnection;

/// The kinds of events, stored by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    ActivationResent,
    Activated,
    LoggedIn,
    LoginFailed,
    LoginLocked,
    LoggedOut,
    ResetRequested,
    SecretAnswerFailed,
    RecoveryPaused,
    PasswordReset,
    ContactChangeRequested,
    ContactChanged,
    ContactReverted,
    Deactivated,
    ReactivationRequested,
    Reactivated,
    MembershipRequested,
    MembershipApproved,
    MembershipRefused,
    /// A structure request made at signup, withdrawn at activation.
    MembershipWithdrawn,
    ManagerNamed,
    PasswordChanged,
    SecretChanged,
    ProfileUpdated,
    LoginChangeRequested,
    LoginChanged,
    SecondStepFailed,
    SecondStepLocked,
    SecondStepBlocked,
    AppAdded,
    AppRemoved,
    KeyAdded,
    /// A passkey registered: it logs in alone.
    PasskeyAdded,
    KeyRenamed,
    KeyRemoved,
    RecoveryCodesRegenerated,
    RecoveryCodeUsed,
    EmailedCodesOn,
    EmailedCodesOff,
    FactorsReset,
    /// "Ce n'était pas moi" from a new-browser notice.
    LoginDisowned,
    /// A known browser forgotten in "Mon compte".
    BrowserForgotten,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::ActivationResent => "activation_resent",
            EventKind::Activated => "activated",
            EventKind::LoggedIn => "logged_in",
            EventKind::LoginFailed => "login_failed",
            EventKind::LoginLocked => "login_locked",
            EventKind::LoggedOut => "logged_out",
            EventKind::ResetRequested => "reset_requested",
            EventKind::SecretAnswerFailed => "secret_answer_failed",
            EventKind::RecoveryPaused => "recovery_paused",
            EventKind::PasswordReset => "password_reset",
            EventKind::ContactChangeRequested => "contact_change_requested",
            EventKind::ContactChanged => "contact_changed",
            EventKind::ContactReverted => "contact_reverted",
            EventKind::Deactivated => "deactivated",
            EventKind::ReactivationRequested => "reactivation_requested",
            EventKind::Reactivated => "reactivated",
            EventKind::MembershipRequested => "membership_requested",
            EventKind::MembershipApproved => "membership_approved",
            EventKind::MembershipRefused => "membership_refused",
            EventKind::MembershipWithdrawn => "membership_withdrawn",
            EventKind::ManagerNamed => "manager_named",
            EventKind::PasswordChanged => "password_changed",
            EventKind::SecretChanged => "secret_changed",
            EventKind::ProfileUpdated => "profile_updated",
            EventKind::LoginChangeRequested => "login_change_requested",
            EventKind::LoginChanged => "login_changed",
            EventKind::SecondStepFailed => "second_step_failed",
            EventKind::SecondStepLocked => "second_step_locked",
            EventKind::SecondStepBlocked => "second_step_blocked",
            EventKind::AppAdded => "app_added",
            EventKind::AppRemoved => "app_removed",
            EventKind::KeyAdded => "key_added",
            EventKind::PasskeyAdded => "passkey_added",
            EventKind::KeyRenamed => "key_renamed",
            EventKind::KeyRemoved => "key_removed",
            EventKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            EventKind::RecoveryCodeUsed => "recovery_code_used",
            EventKind::EmailedCodesOn => "emailed_codes_on",
            EventKind::EmailedCodesOff => "emailed_codes_off",
            EventKind::FactorsReset => "factors_reset",
            EventKind::LoginDisowned => "login_disowned",
            EventKind::BrowserForgotten => "browser_forgotten",
        }
    }

    /// Catalogue key of the sentence shown in the feed.
    pub fn message_key(name: &str) -> String {
        format!("events.{name}")
    }
}

/// An event's id, in the order events were recorded: the system clock in
/// nanoseconds, then a counter of this process and 4 random bytes (32 hex
/// characters, like every row id). The feed shows events newest first by
/// their time in seconds, then by this id, so that a login and a logout in
/// the same second read in the order they happened.
fn ordered_id() -> anyhow::Result<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos() as u64)
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut random = [0u8; 4];
    getrandom::fill(&mut random)
        .map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    Ok(format!("{nanos:016x}{count:08x}{}", hex::encode(random)))
}

/// Records `kind` for the account at `at` (Unix seconds), in the caller's
/// transaction. Errors: the database failed.
pub async fn record(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: EventKind,
    at: i64,
) -> anyhow::Result<()> {
    record_by(conn, account_id, kind, at, None, None).await
}

/// An event caused by someone else (`actor_id`), with their reason.
pub async fn record_by(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: EventKind,
    at: i64,
    actor_id: Option<&str>,
    reason: Option<&str>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO account_events (id, account_id, kind, occurred_at, actor_id, reason) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ordered_id()?)
    .bind(account_id)
    .bind(kind.as_str())
    .bind(at)
    .bind(actor_id.map(str::to_owned))
    .bind(reason.map(str::to_owned))
    .execute(conn)
    .await
    .with_context(|| format!("recording the event {}", kind.as_str()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ordered_id;

    #[test]
    fn event_ids_sort_in_the_order_they_were_made() {
        let ids: Vec<String> = (0..1000).map(|_| ordered_id().unwrap()).collect();
        assert!(ids.iter().all(|id| id.len() == 32), "{:?}", ids[0]);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ids);
    }
}
