//! What `/gestion` lists for an actor: the accounts they may act on and
//! the membership requests they may decide (`accounts::Actor`'s rules: an
//! administrator, every other account; a manager, the plain members of the
//! structures they manage), and for an administrator the structures and
//! the emails the outbox gave up on.

use super::{
    AbandonedEmail, ManagedAccount, ManagementPageState, MembershipRequest, StructureLine,
};
use crate::accounts::{Actor, MembershipStatus, Role, Standing};
use crate::server::AppState;
use anyhow::Context;
use std::collections::HashMap;

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
    let members: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT account_id, structure_id, is_manager FROM memberships WHERE status = $1",
    )
    .bind(MembershipStatus::Approved.as_str())
    .fetch_all(&state.db)
    .await
    .context("reading the memberships")?;
    // Where each account stands, weighed by the same rule as the actions:
    // the memberships grouped by account once, read per row.
    let mut memberships: HashMap<&str, Standing> = HashMap::new();
    for (account, structure, manager) in &members {
        let entry = memberships.entry(account.as_str()).or_default();
        if *manager != 0 {
            entry.managed.push(structure.clone());
        }
        entry.member_of.push(structure.clone());
    }
    let standing = |id: &str, role: &str| {
        let mut standing = memberships.get(id).cloned().unwrap_or_default();
        standing.id = id.to_owned();
        standing.admin = role == Role::Admin.as_str();
        standing
    };
    let accounts = rows
        .into_iter()
        .filter(|row| actor.may_act_on(&standing(&row.0, &row.4)))
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
    type RequestRow = (String, String, String, String, String, String, String);
    let requests: Vec<RequestRow> = sqlx::query_as(
        "SELECT m.account_id, m.structure_id, a.first_name || ' ' || a.last_name, a.login_email, \
         s.name, s.siret, a.role FROM memberships m JOIN accounts a ON a.id = m.account_id \
         JOIN structures s ON s.id = m.structure_id WHERE m.status = $1 \
         ORDER BY m.requested_at",
    )
    .bind(MembershipStatus::Pending.as_str())
    .fetch_all(&state.db)
    .await
    .context("reading the membership requests")?;
    let requests = requests
        .into_iter()
        .filter(|row| actor.may_decide_for(&standing(&row.0, &row.6), &row.1))
        .map(
            |(account_id, structure_id, name, login_email, structure, siret, _role)| {
                MembershipRequest {
                    account_id,
                    structure_id,
                    name,
                    login_email,
                    structure,
                    siret,
                }
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
                when: crate::mail::templates::format_unix_seconds(
                    crate::i18n::Lang::Fr,
                    at,
                    &state.config.timezone,
                )
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
