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
