//! Who acts on an account: the person, a manager of one of its
//! structures, or an administrator ([`ActedBy`], as the notices name them),
//! and what someone who manages others may reach ([`Actor`]), with the
//! gate of their pages on both doors ([`Manager`] for the plain door,
//! [`manager_fn`] for server functions).

use crate::accounts::{MembershipStatus, Role};
use crate::outcome::{DoorError, DoorResult};
use crate::server::db::lock_account;
use crate::server::door::{fail, refuse, Answer, FnRequest};
use crate::server::web::{forbidden, Connected};
use crate::server::{render, AppState};
use anyhow::Context;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use sqlx::AnyConnection;

/// Who deactivated or reactivated an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActedBy {
    Owner,
    Manager,
    Administrator,
}

impl ActedBy {
    /// The word of the notices' catalogue keys (`…what_owner`).
    pub fn key(self) -> &'static str {
        match self {
            ActedBy::Owner => "owner",
            ActedBy::Manager => "manager",
            ActedBy::Administrator => "administrator",
        }
    }
}

/// Someone who may act on others: an administrator, or the manager of some
/// structures.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: String,
    pub admin: bool,
    /// Ids of the structures they manage.
    pub managed: Vec<String>,
}

impl Actor {
    /// The account's role and the structures it manages (its
    /// [`Standing`]). Errors: the database failed, or the account is gone.
    pub async fn load(state: &AppState, account_id: &str) -> anyhow::Result<Actor> {
        let mut conn = state.db.acquire().await.context("reading the actor")?;
        let standing = Standing::load(&mut conn, account_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the account {account_id} is gone"))?;
        Ok(Actor {
            id: standing.id,
            admin: standing.admin,
            managed: standing.managed,
        })
    }

    /// An administrator, or the manager of at least one structure: the
    /// "Gestion" tab and `/gestion` are theirs.
    pub fn manages_anyone(&self) -> bool {
        self.admin || !self.managed.is_empty()
    }

    /// How the notices name this actor.
    pub fn acted_by(&self) -> ActedBy {
        if self.admin {
            ActedBy::Administrator
        } else {
            ActedBy::Manager
        }
    }

    /// Whether this actor may act on the members of `structure_id`.
    pub fn manages_structure(&self, structure_id: &str) -> bool {
        self.admin || self.managed.iter().any(|id| id == structure_id)
    }

    /// Whether `target` stands below this actor, who may then deactivate
    /// or reactivate it, or reset its second factors (OWASP API Security Top 10 2023, API1 and API5;
    /// ASVS 4.0.3 V4.1.3, V4.2.1): an administrator acts on every other
    /// account, administrators included (the last active one is kept by
    /// `lifecycle::service::deactivate`); a manager only on plain approved
    /// members of a structure they manage, never on an administrator nor
    /// on anyone who manages a structure; nobody on themselves here.
    pub fn may_act_on(&self, target: &Standing) -> bool {
        if target.id == self.id {
            return false;
        }
        self.admin
            || (target.is_plain_member()
                && target.member_of.iter().any(|id| self.manages_structure(id)))
    }

    /// Whether this actor may approve or refuse `requester`'s request to
    /// join `structure_id`: the structure is theirs, and the requester
    /// stands below them as in [`Actor::may_act_on`] (a manager decides no
    /// request of an administrator or of another manager).
    pub fn may_decide_for(&self, requester: &Standing, structure_id: &str) -> bool {
        requester.id != self.id
            && self.manages_structure(structure_id)
            && (self.admin || requester.is_plain_member())
    }

    /// [`Actor::may_act_on`], read inside the action's own transaction
    /// under the target's row lock, so that nothing changes what the target
    /// may do between this check and the action (CWE-367, time of check to
    /// time of use; ASVS 4.0.3 V4.1.3). Naming a manager and promoting an
    /// administrator take the same lock. The actor's own standing is not
    /// read again: no path takes a role or an approved membership away, so
    /// what they could do when the request began they still can (an actor
    /// deactivated meanwhile finishes the one action their session had
    /// begun; its end ends their sessions). Call it
    /// first in the transaction, or after the administrators' lock where
    /// one is taken (one order of locks, so no deadlock).
    ///
    /// Errors: [`OutOfReach`] when the account is gone or no longer below
    /// this actor; the database failed.
    pub async fn reaches(
        &self,
        conn: &mut AnyConnection,
        target_id: &str,
    ) -> anyhow::Result<Result<(), OutOfReach>> {
        reach(conn, target_id, |target| self.may_act_on(target)).await
    }

    /// [`Actor::may_decide_for`], read under the requester's row lock
    /// inside the decision's transaction, as [`Actor::reaches`].
    ///
    /// Errors: [`OutOfReach`]; the database failed.
    pub async fn reaches_request(
        &self,
        conn: &mut AnyConnection,
        requester_id: &str,
        structure_id: &str,
    ) -> anyhow::Result<Result<(), OutOfReach>> {
        reach(conn, requester_id, |requester| {
            self.may_decide_for(requester, structure_id)
        })
        .await
    }
}

/// Takes `account_id`'s row lock on `conn`, reads where it stands, and
/// weighs it by `rule`: [`OutOfReach`] for an account that is gone or that
/// the rule refuses. Errors: the database failed.
async fn reach(
    conn: &mut AnyConnection,
    account_id: &str,
    rule: impl FnOnce(&Standing) -> bool,
) -> anyhow::Result<Result<(), OutOfReach>> {
    lock_account(conn, account_id).await?;
    let standing = Standing::load(conn, account_id).await?;
    Ok(standing
        .is_some_and(|standing| rule(&standing))
        .then_some(())
        .ok_or(OutOfReach))
}

/// The account named does not stand below the actor (any more): nothing
/// was changed, and the door answers 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfReach;

/// Where an account stands, as [`Actor`]'s rules weigh it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub id: String,
    pub admin: bool,
    /// Ids of the structures it manages.
    pub managed: Vec<String>,
    /// Ids of the structures it is an approved member of (managed ones
    /// included).
    pub member_of: Vec<String>,
}

impl Standing {
    /// The account's role and approved memberships, read on `conn` (inside
    /// a transaction, what it sees); `None` for an account that does not
    /// exist. Errors: the database failed.
    pub async fn load(
        conn: &mut AnyConnection,
        account_id: &str,
    ) -> anyhow::Result<Option<Standing>> {
        let role: Option<(String,)> = sqlx::query_as("SELECT role FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await
            .context("reading the role")?;
        let Some((role,)) = role else {
            return Ok(None);
        };
        let role: Role = role.parse()?;
        let memberships: Vec<(String, i64)> = sqlx::query_as(
            "SELECT structure_id, is_manager FROM memberships WHERE account_id = $1 \
             AND status = $2",
        )
        .bind(account_id)
        .bind(MembershipStatus::Approved.as_str())
        .fetch_all(&mut *conn)
        .await
        .context("reading the account's structures")?;
        Ok(Some(Standing {
            id: account_id.to_owned(),
            admin: role == Role::Admin,
            managed: memberships
                .iter()
                .filter(|(_, manager)| *manager != 0)
                .map(|(id, _)| id.clone())
                .collect(),
            member_of: memberships.into_iter().map(|(id, _)| id).collect(),
        }))
    }

    /// Neither an administrator nor the manager of any structure.
    pub fn is_plain_member(&self) -> bool {
        !self.admin && self.managed.is_empty()
    }
}

/// A connected administrator or manager of at least one structure, for
/// `/gestion`.
///
/// Rejection: the login box without a session (as [`Connected`]); 403 with
/// the guide's words for someone who manages nobody; 503 with a reference
/// when the database fails.
#[derive(Clone, Debug)]
pub struct Manager {
    pub connected: Connected,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Manager {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let connected = Connected::from_request_parts(parts, state).await?;
        match Actor::load(state, &connected.account_id).await {
            Ok(actor) if actor.manages_anyone() => Ok(Manager { connected, actor }),
            Ok(_) => Err(forbidden(state, &parts.headers)),
            Err(error) => Err(render::unavailable(state, &parts.headers, error).await),
        }
    }
}

/// A server function of `/gestion`: the session, then whether the person
/// manages anyone, then `answer` with the state and the actor. `answer`
/// gives `None` when the actor may not act on what was asked.
///
/// Errors: [`DoorError::SessionEnded`]; [`DoorError::Forbidden`] for
/// someone who manages nobody, or an action on an account or a structure
/// out of their reach; [`DoorError::Unavailable`].
pub async fn manager_fn<T, Fut>(answer: impl FnOnce(AppState, Actor) -> Fut) -> DoorResult<T>
where
    Fut: std::future::Future<Output = anyhow::Result<Option<Answer<T>>>>,
{
    let request = FnRequest::current()?;
    let connected = request.connected().await?;
    let actor = Actor::load(&request.state, &connected.account_id)
        .await
        .map_err(fail)?;
    if !actor.manages_anyone() {
        return Err(refuse(DoorError::Forbidden));
    }
    match answer(request.state.clone(), actor).await {
        Ok(Some(answered)) => request.finish(Ok(answered)),
        Ok(None) => Err(refuse(DoorError::Forbidden)),
        Err(error) => Err(fail(error)),
    }
}
