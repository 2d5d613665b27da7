//! Deactivating and reactivating accounts, and asking for a reactivation.

use crate::accounts::links::{self, Change};
use crate::accounts::{AccountState, Person, Role, PERSON_COLUMNS};
use crate::accounts::{ActedBy, Actor, OutOfReach};
use crate::domain::{EmailAddress, Reason};
use crate::mail::enqueue;
use crate::mail::templates;
use crate::server::events::{self, EventKind};
use crate::server::{session, AppState};
use anyhow::Context;

/// Who deactivates an account.
#[derive(Clone, Copy)]
pub enum Acting<'a> {
    /// The person themselves, from "Mon compte" (their password checked).
    Owner,
    /// A manager or an administrator, from `/gestion`, for a reason the
    /// owner is told. Whether the account stands below them is read again
    /// under its lock ([`Actor::reaches`]).
    Other {
        actor: &'a Actor,
        reason: &'a Reason,
    },
}

impl Acting<'_> {
    /// How the notice names who acted.
    fn by(self) -> ActedBy {
        match self {
            Acting::Owner => ActedBy::Owner,
            Acting::Other { actor, .. } => actor.acted_by(),
        }
    }
}

/// What a deactivation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivation {
    /// Deactivated now: sessions ended, the owner told.
    Done,
    /// Nothing changed: the account was not active (any more).
    NotActive,
    /// Nothing changed: it is the portal's last active administrator, and
    /// the portal is never left without one.
    LastAdministrator,
}

/// Deactivates an active account: its sessions end in the same transaction,
/// the event is recorded and the login address told.
///
/// The last active administrator is never deactivated (OWASP ASVS 4.0.3
/// V4.1.3, least privilege, and the portal keeps someone who can act on
/// every account): the administrators' lock (`portal_locks`) is taken
/// first, so that two administrators deactivating each other at once
/// leave one of them active, on SQLite and PostgreSQL alike.
///
/// Errors: [`OutOfReach`] (for [`Acting::Other`] only) when the account no
/// longer stands below the actor; the database failed.
pub async fn deactivate(
    state: &AppState,
    account_id: &str,
    acting: Acting<'_>,
) -> anyhow::Result<Result<Deactivation, OutOfReach>> {
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting a deactivation")?;
    // One lock for every change of who is an active administrator: the
    // write lock on SQLite, the lock row's lock on PostgreSQL, taken before
    // reading who else is one (a later statement of this transaction then
    // sees what the transaction that held it committed).
    sqlx::query("UPDATE portal_locks SET taken_at = $1 WHERE name = 'administrators'")
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("taking the administrators' lock")?;
    if let Acting::Other { actor, .. } = acting {
        if let Err(out) = actor.reaches(&mut tx, account_id).await? {
            return Ok(Err(out));
        }
    }
    let person: Option<Person> = sqlx::query_as(&format!(
        "UPDATE accounts SET state = $3, deactivated_at = $1 \
         WHERE id = $2 AND state = $4 AND (role <> $5 OR EXISTS (\
           SELECT 1 FROM accounts other WHERE other.role = $5 AND other.state = $4 \
           AND other.id <> $2)) \
         RETURNING {PERSON_COLUMNS}",
    ))
    .bind(now)
    .bind(account_id)
    .bind(AccountState::Deactivated.as_str())
    .bind(AccountState::Active.as_str())
    .bind(Role::Admin.as_str())
    .fetch_optional(&mut *tx)
    .await
    .context("deactivating the account")?;
    let Some(person) = person else {
        let (state_now, role): (String, String) =
            sqlx::query_as("SELECT state, role FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await
                .context("reading why nothing changed")?
                .unwrap_or_default();
        let last_admin = state_now == AccountState::Active.as_str() && role == Role::Admin.as_str();
        return Ok(Ok(if last_admin {
            Deactivation::LastAdministrator
        } else {
            Deactivation::NotActive
        }));
    };
    session::end_all(&mut tx, account_id).await?;
    links::retire(&mut tx, account_id, Change::Deactivated, now).await?;
    let (actor_id, reason) = match acting {
        Acting::Owner => (None, None),
        Acting::Other { actor, reason } => (Some(actor.id.as_str()), Some(reason.as_ref())),
    };
    events::record_by(
        &mut tx,
        account_id,
        EventKind::Deactivated,
        now,
        actor_id,
        reason,
    )
    .await?;
    let email = templates::account_deactivated(
        person.lang(state.config.default_lang),
        &person.login_email,
        &person.full_name(),
        acting.by(),
        reason,
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a deactivation")?;
    state.mailer.wake();
    tracing::info!(account = %account_id, by = ?acting.by(), "account deactivated");
    Ok(Ok(Deactivation::Done))
}

/// `actor`'s reactivation of a deactivated account, for `reason`; the
/// contact address is told. False when the account was not deactivated.
///
/// Errors: [`OutOfReach`] when the account no longer stands below the
/// actor ([`Actor::reaches`], read under its lock); the database failed.
pub async fn reactivate(
    state: &AppState,
    account_id: &str,
    actor: &Actor,
    reason: &Reason,
) -> anyhow::Result<Result<bool, OutOfReach>> {
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting a reactivation")?;
    if let Err(out) = actor.reaches(&mut tx, account_id).await? {
        return Ok(Err(out));
    }
    let person: Option<Person> = sqlx::query_as(&format!(
        "UPDATE accounts SET state = $2, deactivated_at = NULL \
         WHERE id = $1 AND state = $3 \
         RETURNING {PERSON_COLUMNS}",
    ))
    .bind(account_id)
    .bind(AccountState::Active.as_str())
    .bind(AccountState::Deactivated.as_str())
    .fetch_optional(&mut *tx)
    .await
    .context("reactivating the account")?;
    let Some(person) = person else {
        return Ok(Ok(false));
    };
    sqlx::query("DELETE FROM reactivation_requests WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("closing the reactivation request")?;
    events::record_by(
        &mut tx,
        account_id,
        EventKind::Reactivated,
        now,
        Some(&actor.id),
        Some(reason.as_ref()),
    )
    .await?;
    let email = templates::account_reactivated(
        person.lang(state.config.default_lang),
        person.contact(),
        &person.full_name(),
        &person.login_email,
        reason.as_ref(),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a reactivation")?;
    state.mailer.wake();
    tracing::info!(account = %account_id, "account reactivated");
    Ok(Ok(true))
}

/// Records a reactivation request for a deactivated account and sends the
/// guide's email to its contact address (at most once an hour). Does nothing
/// for any other address, and takes the same path of queries either way.
pub async fn ask_for_reactivation(
    state: &AppState,
    login_email: &EmailAddress,
) -> anyhow::Result<()> {
    let now = state.clock.now_seconds();
    let deactivated = "SELECT id FROM accounts WHERE login_email = $1 AND state = $2";
    let account: Option<(String,)> = sqlx::query_as(deactivated)
        .bind(login_email.as_ref())
        .bind(AccountState::Deactivated.as_str())
        .fetch_optional(&state.db)
        .await
        .context("reading the account")?;
    let Some((id,)) = account else {
        return Ok(());
    };
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a reactivation request")?;
    // The account's row first, then the reads (`lock_account`: on SQLite a
    // read upgraded to a write fails when the outbox wrote in between); its
    // state is read again under that lock.
    links::lock_account(&mut tx, &id).await?;
    let still: Option<(String,)> = sqlx::query_as(deactivated)
        .bind(login_email.as_ref())
        .bind(AccountState::Deactivated.as_str())
        .fetch_optional(&mut *tx)
        .await
        .context("reading the account")?;
    if still.is_none() {
        return Ok(());
    }
    let person = Person::load(&mut *tx, &id).await?;
    sqlx::query(
        "INSERT INTO reactivation_requests (account_id, requested_at) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(&id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("recording the reactivation request")?;
    let claimed = sqlx::query(
        "UPDATE reactivation_requests SET email_sent_at = $1 WHERE account_id = $2 \
         AND (email_sent_at IS NULL OR email_sent_at <= $3)",
    )
    .bind(now)
    .bind(&id)
    .bind(now - 3600)
    .execute(&mut *tx)
    .await
    .context("claiming the reactivation request email")?;
    if claimed.rows_affected() == 1 {
        events::record(&mut tx, &id, EventKind::ReactivationRequested, now).await?;
        let email = templates::reactivation_requested(
            person.lang(state.config.default_lang),
            person.contact(),
            &person.full_name(),
            &person.login_email,
            &state.config.public_url,
        );
        enqueue(&mut tx, state, &email).await?;
    }
    tx.commit()
        .await
        .context("committing a reactivation request")?;
    state.mailer.wake();
    Ok(())
}
