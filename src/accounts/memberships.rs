//! Membership of structures, as the person asks for it ("Demander un
//! rattachement" in "Mon compte"; guide, section 5): a request waits for a
//! manager's or an administrator's decision (`management`).

use crate::accounts::MembershipStatus;
use crate::domain::{FieldErrors, Siret, UserMessage};
use crate::server::events::{self, EventKind};
use crate::server::AppState;
use anyhow::Context;

/// The structure whose SIRET is `siret`: its id and name, or `None`.
/// Errors: the database failed.
pub async fn structure_by_siret(
    db: &sqlx::AnyPool,
    siret: &Siret,
) -> anyhow::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT id, name FROM structures WHERE siret = $1")
        .bind(siret.as_ref())
        .fetch_optional(db)
        .await
        .context("reading the structure")
}

/// The structures the account asked to join and that have not decided
/// yet, as "Menuiserie Dupont (SIRET 123 456 789 00012)", oldest first.
/// Errors: the database failed.
pub async fn pending_requests<'c, E>(db: E, account_id: &str) -> anyhow::Result<Vec<String>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.name, s.siret FROM memberships m JOIN structures s ON s.id = m.structure_id \
         WHERE m.account_id = $1 AND m.status = $2 ORDER BY m.requested_at, s.name",
    )
    .bind(account_id)
    .bind(crate::accounts::MembershipStatus::Pending.as_str())
    .fetch_all(db)
    .await
    .context("reading the structure requests")?;
    Ok(rows
        .into_iter()
        .map(|(name, siret)| match Siret::parse(&siret) {
            Ok(siret) => format!("{name} (SIRET {})", siret.grouped()),
            Err(_) => format!("{name} (SIRET {siret})"),
        })
        .collect())
}

/// Withdraws the account's requests still pending, in the caller's
/// transaction: how many. Errors: the database failed.
pub async fn withdraw_pending(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
) -> anyhow::Result<u64> {
    let done = sqlx::query("DELETE FROM memberships WHERE account_id = $1 AND status = $2")
        .bind(account_id)
        .bind(crate::accounts::MembershipStatus::Pending.as_str())
        .execute(&mut *conn)
        .await
        .context("withdrawing the structure requests")?;
    Ok(done.rows_affected())
}

/// Asks to be attached to the structure of `raw` (a SIRET): the name of
/// the structure asked for, or the SIRET's error (malformed, no such
/// structure, already asked or attached). Errors: the database failed.
pub async fn request_membership(
    state: &AppState,
    account_id: &str,
    raw: &str,
) -> anyhow::Result<Result<String, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let Some(siret) = errors.check("siret", Siret::parse(raw)) else {
        return Ok(Err(errors));
    };
    let Some((structure_id, name)) = structure_by_siret(&state.db, &siret).await? else {
        errors.insert("siret", &NoSuchStructure);
        return Ok(Err(errors));
    };
    let now = state.clock.now_seconds();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a membership request")?;
    let asked = sqlx::query(
        "INSERT INTO memberships (account_id, structure_id, status, requested_at) \
         VALUES ($1, $2, $4, $3) \
         ON CONFLICT (account_id, structure_id) DO UPDATE SET status = $4, requested_at = $3, \
         decided_at = NULL, decided_by = NULL WHERE memberships.status = $5",
    )
    .bind(account_id)
    .bind(&structure_id)
    .bind(now)
    .bind(MembershipStatus::Pending.as_str())
    .bind(MembershipStatus::Refused.as_str())
    .execute(&mut *tx)
    .await
    .context("requesting a membership")?;
    if asked.rows_affected() == 0 {
        errors.insert("siret", &AlreadyAsked);
        return Ok(Err(errors));
    }
    events::record(&mut tx, account_id, EventKind::MembershipRequested, now).await?;
    tx.commit()
        .await
        .context("committing a membership request")?;
    Ok(Ok(name))
}

/// No structure has this SIRET.
pub struct NoSuchStructure;

impl UserMessage for NoSuchStructure {
    fn message_key(&self) -> &'static str {
        "errors.siret.unknown"
    }
}

struct AlreadyAsked;

impl UserMessage for AlreadyAsked {
    fn message_key(&self) -> &'static str {
        "errors.siret.already_asked"
    }
}
