//! The actions of `/gestion`: creating structures, naming managers,
//! deciding membership requests, deactivating and reactivating accounts,
//! each checked against what the actor may do (`accounts::Actor`).

use super::ManagementForm;
use crate::accounts::memberships::{structure_by_siret, NoSuchStructure};
use crate::accounts::MembershipStatus;
use crate::accounts::{Actor, OutOfReach};
use crate::domain::{AddressLine, EmailAddress, FieldErrors, Reason, Siret, UserMessage};
use crate::lifecycle::service::{deactivate, reactivate, Acting, Deactivation};
use crate::mail::enqueue;
use crate::mail::templates;
use crate::security::service::reset_factors;
use crate::server::db::{is_unique_violation, lock_account};
use crate::server::events::{self, EventKind};
use crate::server::{session, tokens, AppState};
use anyhow::Context;

/// Why an action was refused, for the person who asked.
pub enum Refusal {
    /// Not theirs to do: 403, nothing changed.
    Forbidden,
    Invalid(FieldErrors),
}

/// Carries out one form of `/gestion`; returns the notice's catalogue key.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    form: &ManagementForm,
) -> anyhow::Result<Result<&'static str, Refusal>> {
    let mut errors = FieldErrors::new();
    match form.intent.as_str() {
        intent @ ("deactivate" | "reactivate" | "reset_factors" | "approve" | "refuse") => {
            // Whether the account stands below the actor is read inside
            // each action's transaction, under its lock (`Actor::reaches`):
            // a check here would be stale by the time the action ran.
            let Some(reason) = errors.check("reason", Reason::parse(&form.reason)) else {
                return Ok(Err(Refusal::Invalid(errors)));
            };
            let notice = match intent {
                "deactivate" => {
                    let acting = Acting::Other {
                        actor,
                        reason: &reason,
                    };
                    deactivate(state, &form.account_id, acting)
                        .await?
                        .map(|done| match done {
                            Deactivation::Done => "management.done_deactivated",
                            Deactivation::NotActive => "management.unchanged_not_active",
                            Deactivation::LastAdministrator => {
                                "management.unchanged_last_administrator"
                            }
                        })
                }
                "reactivate" => reactivate(state, &form.account_id, actor, &reason)
                    .await?
                    .map(|done| {
                        if done {
                            "management.done_reactivated"
                        } else {
                            "management.unchanged_not_deactivated"
                        }
                    }),
                "reset_factors" => reset_factors(state, actor, &form.account_id, reason.as_ref())
                    .await?
                    .map(|()| "management.done_factors_reset"),
                _ => {
                    let approved = intent == "approve";
                    decide_membership(state, actor, form, approved, &reason)
                        .await?
                        .map(|decided| match (decided, approved) {
                            (false, _) => "management.unchanged_decided",
                            (true, true) => "management.done_approved",
                            (true, false) => "management.done_refused",
                        })
                }
            };
            Ok(notice.map_err(|OutOfReach| Refusal::Forbidden))
        }
        "create_structure" if actor.admin => {
            let siret = errors.check("siret", Siret::parse(&form.siret));
            let name = errors.check("name", AddressLine::parse(&form.name));
            let (Some(siret), Some(name)) = (siret, name) else {
                return Ok(Err(Refusal::Invalid(errors)));
            };
            let created = sqlx::query(
                "INSERT INTO structures (id, siret, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(tokens::new_id()?)
            .bind(siret.as_ref())
            .bind(name.as_ref())
            .bind(state.clock.now_seconds())
            .execute(&state.db)
            .await;
            match created {
                Ok(_) => Ok(Ok("management.done_structure")),
                Err(error) if is_unique_violation(&error) => {
                    errors.insert("siret", &SiretTaken);
                    Ok(Err(Refusal::Invalid(errors)))
                }
                Err(error) => Err(anyhow::Error::new(error).context("creating a structure")),
            }
        }
        "name_manager" if actor.admin => name_manager(state, actor, form).await,
        _ => Ok(Err(Refusal::Forbidden)),
    }
}

async fn name_manager(
    state: &AppState,
    actor: &Actor,
    form: &ManagementForm,
) -> anyhow::Result<Result<&'static str, Refusal>> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let siret = errors.check("structure_siret", Siret::parse(&form.structure_siret));
    let reason = errors.check("reason", Reason::parse(&form.reason));
    let (Some(email), Some(siret), Some(reason)) = (email, siret, reason) else {
        return Ok(Err(Refusal::Invalid(errors)));
    };
    let account: Option<(String,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1")
            .bind(email.as_ref())
            .fetch_optional(&state.db)
            .await
            .context("reading the account")?;
    let structure = structure_by_siret(&state.db, &siret).await?;
    if account.is_none() {
        errors.insert("email", &NoSuchAccount);
    }
    if structure.is_none() {
        errors.insert("structure_siret", &NoSuchStructure);
    }
    let (Some((account_id,)), Some((structure_id, _))) = (account, structure) else {
        return Ok(Err(Refusal::Invalid(errors)));
    };
    let now = state.clock.now_seconds();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a manager naming")?;
    // The account's lock, as every action on it takes before reading
    // where it stands (`Actor::reaches`): no manager acts on it, checked
    // as a plain member, while it becomes a manager.
    lock_account(&mut tx, &account_id).await?;
    sqlx::query(
        "INSERT INTO memberships (account_id, structure_id, status, is_manager, requested_at, decided_at, decided_by) \
         VALUES ($1, $2, $5, 1, $3, $3, $4) \
         ON CONFLICT (account_id, structure_id) DO UPDATE SET status = $5, is_manager = 1, \
         decided_at = $3, decided_by = $4",
    )
    .bind(&account_id)
    .bind(&structure_id)
    .bind(now)
    .bind(&actor.id)
    .bind(MembershipStatus::Approved.as_str())
    .execute(&mut *tx)
    .await
    .context("naming a manager")?;
    // What their sessions may do changes: they log in again, under a new
    // session id (OWASP Session Management Cheat Sheet, renewal at a
    // change of privilege).
    session::end_all(&mut tx, &account_id).await?;
    events::record_by(
        &mut tx,
        &account_id,
        EventKind::ManagerNamed,
        now,
        Some(&actor.id),
        Some(reason.as_ref()),
    )
    .await?;
    tx.commit().await.context("committing a manager naming")?;
    Ok(Ok("management.done_manager"))
}

/// Approves or refuses `form`'s pending request; the person is told
/// either way. False when the request was no longer pending (decided a
/// moment earlier by someone else): nothing changed.
///
/// Errors: [`OutOfReach`] when the requester does not stand below the
/// actor or the structure is not theirs ([`Actor::reaches_request`], read
/// under the requester's lock); the database failed.
async fn decide_membership(
    state: &AppState,
    actor: &Actor,
    form: &ManagementForm,
    approved: bool,
    reason: &Reason,
) -> anyhow::Result<Result<bool, OutOfReach>> {
    let (account_id, structure_id) = (form.account_id.as_str(), form.structure_id.as_str());
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting a decision")?;
    if let Err(out) = actor
        .reaches_request(&mut tx, account_id, structure_id)
        .await?
    {
        return Ok(Err(out));
    }
    let decided = sqlx::query(
        "UPDATE memberships SET status = $1, decided_at = $2, decided_by = $3 \
         WHERE account_id = $4 AND structure_id = $5 AND status = $6",
    )
    .bind(
        if approved {
            MembershipStatus::Approved
        } else {
            MembershipStatus::Refused
        }
        .as_str(),
    )
    .bind(now)
    .bind(&actor.id)
    .bind(account_id)
    .bind(structure_id)
    .bind(MembershipStatus::Pending.as_str())
    .execute(&mut *tx)
    .await
    .context("deciding a membership")?;
    if decided.rows_affected() != 1 {
        return Ok(Ok(false));
    }
    let person = crate::accounts::Person::load(&mut *tx, account_id).await?;
    let (structure,): (String,) = sqlx::query_as("SELECT name FROM structures WHERE id = $1")
        .bind(structure_id)
        .fetch_one(&mut *tx)
        .await
        .context("reading the structure")?;
    let kind = if approved {
        EventKind::MembershipApproved
    } else {
        EventKind::MembershipRefused
    };
    events::record_by(
        &mut tx,
        account_id,
        kind,
        now,
        Some(&actor.id),
        Some(reason.as_ref()),
    )
    .await?;
    let lang = person.lang(state.config.default_lang);
    let email = templates::membership_decided(
        lang,
        person.contact(),
        &person.full_name(),
        &structure,
        approved,
        reason.as_ref(),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a decision")?;
    state.mailer.wake();
    Ok(Ok(true))
}

struct SiretTaken;

impl UserMessage for SiretTaken {
    fn message_key(&self) -> &'static str {
        "errors.siret.taken"
    }
}

struct NoSuchAccount;

impl UserMessage for NoSuchAccount {
    fn message_key(&self) -> &'static str {
        "errors.email.no_account"
    }
}
