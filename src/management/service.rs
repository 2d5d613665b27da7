//! Who may act on whom, and the actions of `/gestion` and of "Mon compte"
//! on structures.

use super::{
    AbandonedEmail, ManagedAccount, ManagementForm, ManagementPageState, MembershipRequest,
    StructureLine,
};
use crate::accounts::MembershipStatus;
use crate::domain::{AddressLine, EmailAddress, FieldErrors, Reason, Siret, UserMessage};
use crate::i18n::Lang;
use crate::lifecycle::service::{deactivate, reactivate, Acting};
use crate::mail::enqueue;
use crate::mail::templates;
use crate::server::db::is_unique_violation;
use crate::server::events::{self, EventKind};
use crate::server::web::Actor;
use crate::server::{tokens, AppState};
use anyhow::Context;

/// The list of `/gestion` for this actor.
pub async fn page_for(state: &AppState, actor: &Actor) -> anyhow::Result<ManagementPageState> {
    type AccountRow = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<AccountRow> = sqlx::query_as(
        "SELECT a.id, a.first_name || ' ' || a.last_name, a.login_email, a.state, a.role, \
           (SELECT MIN(s.name) FROM memberships m JOIN structures s ON s.id = m.structure_id \
             WHERE m.account_id = a.id AND m.status = $1), \
           (SELECT r.requested_at FROM reactivation_requests r WHERE r.account_id = a.id) \
         FROM accounts a ORDER BY a.last_name, a.first_name, a.login_email",
    )
    .bind(MembershipStatus::Approved.as_str())
    .fetch_all(&state.db)
    .await
    .context("reading the accounts")?;
    let members: Vec<(String, String)> =
        sqlx::query_as("SELECT account_id, structure_id FROM memberships WHERE status = $1")
            .bind(MembershipStatus::Approved.as_str())
            .fetch_all(&state.db)
            .await
            .context("reading the memberships")?;
    let in_scope = |id: &str| {
        id != actor.id
            && (actor.admin
                || members
                    .iter()
                    .any(|(a, s)| a == id && actor.manages_structure(s)))
    };
    let accounts = rows
        .into_iter()
        .filter(|row| in_scope(&row.0))
        .map(
            |(id, name, login_email, state, _role, structures, requested)| {
                anyhow::Ok(ManagedAccount {
                    id,
                    name,
                    login_email,
                    state: state.parse()?,
                    structures: structures.unwrap_or_default(),
                    reactivation_requested: requested.is_some(),
                })
            },
        )
        .collect::<anyhow::Result<Vec<_>>>()?;
    type RequestRow = (String, String, String, String, String, String);
    let requests: Vec<RequestRow> = sqlx::query_as(
        "SELECT m.account_id, m.structure_id, a.first_name || ' ' || a.last_name, a.login_email, \
         s.name, s.siret FROM memberships m JOIN accounts a ON a.id = m.account_id \
         JOIN structures s ON s.id = m.structure_id WHERE m.status = $1 \
         ORDER BY m.requested_at",
    )
    .bind(MembershipStatus::Pending.as_str())
    .fetch_all(&state.db)
    .await
    .context("reading the membership requests")?;
    let requests = requests
        .into_iter()
        .filter(|row| actor.manages_structure(&row.1))
        .map(
            |(account_id, structure_id, name, login_email, structure, siret)| MembershipRequest {
                account_id,
                structure_id,
                name,
                login_email,
                structure,
                siret,
            },
        )
        .collect();
    let structures = if actor.admin {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT s.siret, s.name, \
               (SELECT MIN(a.login_email) FROM memberships m JOIN accounts a ON a.id = m.account_id \
                 WHERE m.structure_id = s.id AND m.is_manager = 1 AND m.status = $1) \
             FROM structures s ORDER BY s.name",
        )
        .bind(MembershipStatus::Approved.as_str())
        .fetch_all(&state.db)
        .await
        .context("reading the structures")?;
        rows.into_iter()
            .map(|(siret, name, managers)| StructureLine {
                siret,
                name,
                managers: managers.unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let abandoned = if actor.admin {
        let rows: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT recipient, subject, abandoned_at, last_error FROM outbox \
             WHERE abandoned_at IS NOT NULL ORDER BY abandoned_at DESC LIMIT 50",
        )
        .fetch_all(&state.db)
        .await
        .context("reading the abandoned emails")?;
        rows.into_iter()
            .map(|(recipient, subject, at, error)| AbandonedEmail {
                recipient,
                subject,
                when: jiff::Timestamp::from_second(at)
                    .map(|t| {
                        crate::mail::templates::format_datetime(
                            crate::i18n::Lang::Fr,
                            t,
                            &state.config.timezone,
                        )
                    })
                    .unwrap_or_default(),
                error: error.unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let (viewer,): (String,) =
        sqlx::query_as("SELECT first_name || ' ' || last_name FROM accounts WHERE id = $1")
            .bind(&actor.id)
            .fetch_one(&state.db)
            .await
            .context("reading the viewer")?;
    Ok(ManagementPageState {
        viewer,
        admin: actor.admin,
        accounts,
        requests,
        structures,
        abandoned,
        ..Default::default()
    })
}

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
        "deactivate" | "reactivate" => {
            if !actor.may_act_on(state, &form.account_id).await? {
                return Ok(Err(Refusal::Forbidden));
            }
            let Some(reason) = errors.check("reason", Reason::parse(&form.reason)) else {
                return Ok(Err(Refusal::Invalid(errors)));
            };
            if form.intent == "deactivate" {
                let acting = Acting {
                    by: actor.acted_by(),
                    actor_id: Some(&actor.id),
                    reason: Some(&reason),
                };
                deactivate(state, &form.account_id, acting).await?;
                Ok(Ok("management.done_deactivated"))
            } else {
                reactivate(state, &form.account_id, &actor.id, &reason).await?;
                Ok(Ok("management.done_reactivated"))
            }
        }
        "approve" | "refuse" => {
            if !actor.manages_structure(&form.structure_id) {
                return Ok(Err(Refusal::Forbidden));
            }
            let Some(reason) = errors.check("reason", Reason::parse(&form.reason)) else {
                return Ok(Err(Refusal::Invalid(errors)));
            };
            let approved = form.intent == "approve";
            decide_membership(
                state,
                actor,
                &form.account_id,
                &form.structure_id,
                approved,
                &reason,
            )
            .await?;
            Ok(Ok(if approved {
                "management.done_approved"
            } else {
                "management.done_refused"
            }))
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
    let structure = structure_by_siret(state, &siret).await?;
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

async fn structure_by_siret(
    state: &AppState,
    siret: &Siret,
) -> anyhow::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT id, name FROM structures WHERE siret = $1")
        .bind(siret.as_ref())
        .fetch_optional(&state.db)
        .await
        .context("reading the structure")
}

/// Approves or refuses a pending request; the person is told either way.
async fn decide_membership(
    state: &AppState,
    actor: &Actor,
    account_id: &str,
    structure_id: &str,
    approved: bool,
    reason: &Reason,
) -> anyhow::Result<()> {
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting a decision")?;
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
        return Ok(());
    }
    let (login, contact, first_name, last_name, language, structure): (
        String,
        Option<String>,
        String,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT a.login_email, a.contact_email, a.first_name, a.last_name, a.language, s.name \
         FROM accounts a, structures s WHERE a.id = $1 AND s.id = $2",
    )
    .bind(account_id)
    .bind(structure_id)
    .fetch_one(&mut *tx)
    .await
    .context("reading the person")?;
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
    let lang = Lang::from_code(&language).unwrap_or(state.config.default_lang);
    let email = templates::membership_decided(
        lang,
        contact.as_deref().unwrap_or(&login),
        &format!("{first_name} {last_name}"),
        &structure,
        approved,
        reason.as_ref(),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a decision")?;
    state.mailer.wake();
    Ok(())
}

/// Asks to be attached to the structure of `raw` (a SIRET).
pub async fn request_membership(
    state: &AppState,
    account_id: &str,
    raw: &str,
) -> anyhow::Result<Result<String, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let Some(siret) = errors.check("siret", Siret::parse(raw)) else {
        return Ok(Err(errors));
    };
    let Some((structure_id, name)) = structure_by_siret(state, &siret).await? else {
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

struct SiretTaken;

impl UserMessage for SiretTaken {
    fn message_key(&self) -> &'static str {
        "errors.siret.taken"
    }
}

struct NoSuchStructure;

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

struct NoSuchAccount;

impl UserMessage for NoSuchAccount {
    fn message_key(&self) -> &'static str {
        "errors.email.no_account"
    }
}
