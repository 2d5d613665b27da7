//! The web spine shared by every flow's HTTP door: who is asking
//! ([`Connected`], [`Manager`]) as handler arguments whose rejection is a
//! response, and what a form's service said ([`FormOutcome`]) with its
//! status written once.
//!
//! A door extracts, calls its flow's service, and renders; it never checks a
//! session or maps an outcome to a status by hand.

use super::{render, session, AppState};
use crate::accounts::{MembershipStatus, Role};
use crate::domain::FieldErrors;
use crate::error::Reference;
use crate::mail::templates::ActedBy;
use anyhow::Context;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// A request with a valid session (OWASP Session Management: the session
/// is looked up, refreshed and checked for its idle and absolute limits by
/// `session::current`).
///
/// Rejection: without a valid session, a redirect to the login box with
/// the page kept as `suivant` (for a form post, the page the form is on);
/// the database failing, the generic page with a reference (503).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connected {
    pub account_id: String,
    /// The stored hash of this request's session id (never the cookie).
    pub session_id_hash: String,
}

impl FromRequestParts<AppState> for Connected {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match session::current(state, &parts.headers).await {
            Ok(Some(session)) => Ok(Connected {
                account_id: session.account_id,
                session_id_hash: session.id_hash,
            }),
            Ok(None) => {
                let back = page_to_come_back_to(&parts.method, parts.uri.path(), parts.uri.query());
                Err(Redirect::to(&crate::login::login_box_address(&back)).into_response())
            }
            Err(error) => Err(render::unavailable(state, &parts.headers, error).await),
        }
    }
}

/// Where the login box sends a person back: the page itself for a visit;
/// for a form post, the page the form is on (`/mon-compte/contact` →
/// `/mon-compte`; `/gestion` → `/gestion`), since its address answers
/// posts only.
fn page_to_come_back_to(method: &Method, path: &str, query: Option<&str>) -> String {
    if method == Method::GET || method == Method::HEAD {
        return match query {
            Some(query) => format!("{path}?{query}"),
            None => path.to_owned(),
        };
    }
    match path.rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => parent.to_owned(),
        _ => path.to_owned(),
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

/// 403: the page is for managers and administrators.
pub fn forbidden(state: &AppState, headers: &axum::http::HeaderMap) -> Response {
    let lang = super::language::of_headers(headers, state.config.default_lang);
    render::plain_page(
        state,
        headers,
        StatusCode::FORBIDDEN,
        "management.forbidden_title",
        &[&lang.t("management.forbidden_text")],
        crate::account::HOME_PATH,
    )
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
    /// The account's role and the structures it manages. Errors: the
    /// database failed, or the account is gone.
    pub async fn load(state: &AppState, account_id: &str) -> anyhow::Result<Actor> {
        let (role,): (String,) = sqlx::query_as("SELECT role FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&state.db)
            .await
            .context("reading the role")?;
        let role: Role = role.parse()?;
        let managed: Vec<(String,)> = sqlx::query_as(
            "SELECT structure_id FROM memberships WHERE account_id = $1 AND status = $2 \
             AND is_manager = 1",
        )
        .bind(account_id)
        .bind(MembershipStatus::Approved.as_str())
        .fetch_all(&state.db)
        .await
        .context("reading the managed structures")?;
        Ok(Actor {
            id: account_id.to_owned(),
            admin: role == Role::Admin,
            managed: managed.into_iter().map(|(id,)| id).collect(),
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

    /// An administrator acts on anyone; a manager on the approved members of
    /// the structures they manage; nobody on themselves here.
    pub async fn may_act_on(&self, state: &AppState, account_id: &str) -> anyhow::Result<bool> {
        if account_id == self.id {
            return Ok(false);
        }
        if self.admin {
            return Ok(true);
        }
        let structures: Vec<(String,)> = sqlx::query_as(
            "SELECT structure_id FROM memberships WHERE account_id = $1 AND status = $2",
        )
        .bind(account_id)
        .bind(MembershipStatus::Approved.as_str())
        .fetch_all(&state.db)
        .await
        .context("reading the account's structures")?;
        Ok(structures.iter().any(|(id,)| self.manages_structure(id)))
    }
}

/// What a form's service said, as its door shows it: done (with what to
/// tell), refused with a message next to each field, or failed with a
/// reference (the cause is in the log only).
#[derive(Debug)]
pub enum FormOutcome<T> {
    Done(T),
    Refused(FieldErrors),
    Failed(Reference),
}

impl<T> FormOutcome<T> {
    /// From a service's answer: `Ok(Ok(done))`, `Ok(Err(field errors))`, or
    /// an unexpected error, logged here with its whole chain under `what`.
    pub fn of(answer: anyhow::Result<Result<T, FieldErrors>>, what: &str) -> FormOutcome<T> {
        match answer {
            Ok(Ok(done)) => FormOutcome::Done(done),
            Ok(Err(errors)) => FormOutcome::Refused(errors),
            Err(error) => FormOutcome::Failed(super::telemetry::report(&error, what)),
        }
    }

    /// 200 done, 422 refused, 503 failed.
    pub fn status(&self) -> StatusCode {
        match self {
            FormOutcome::Done(_) => StatusCode::OK,
            FormOutcome::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            FormOutcome::Failed(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, FormOutcome::Done(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visit_comes_back_to_itself_with_its_query() {
        assert_eq!(
            page_to_come_back_to(&Method::GET, "/gestion", Some("onglet=comptes")),
            "/gestion?onglet=comptes"
        );
        assert_eq!(
            page_to_come_back_to(&Method::GET, "/mon-compte", None),
            "/mon-compte"
        );
    }

    #[test]
    fn a_form_post_comes_back_to_the_page_the_form_is_on() {
        assert_eq!(
            page_to_come_back_to(&Method::POST, "/mon-compte/contact", None),
            "/mon-compte"
        );
        assert_eq!(
            page_to_come_back_to(&Method::POST, "/gestion", None),
            "/gestion"
        );
    }

    #[test]
    fn each_outcome_has_its_status() {
        let done: FormOutcome<()> = FormOutcome::of(Ok(Ok(())), "test");
        assert_eq!(done.status(), StatusCode::OK);
        let refused: FormOutcome<()> = FormOutcome::of(Ok(Err(FieldErrors::new())), "test");
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let failed: FormOutcome<()> = FormOutcome::of(Err(anyhow::anyhow!("down")), "test");
        assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(matches!(failed, FormOutcome::Failed(r) if !r.as_str().contains("down")));
    }
}
