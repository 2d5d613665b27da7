//! The doors of `/gestion` and of the structure request in "Mon compte":
//! plain posts and server functions over one answer function each.

use super::service::{act, page_for, request_membership, Refusal};
use super::{ManagementForm, ManagementPageState};
use crate::account::forms::AttachForm;
use crate::account::handlers::{my_account_after, respond_on_my_account};
use crate::account::{AccountNotice, ConnectedPageState};
use crate::domain::FieldErrors;
use crate::server::door::{self, Answer};
use crate::server::web::{forbidden, Actor, Connected, FormOutcome, Manager};
use crate::server::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::Response;
use axum::Form;

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/gestion` as `actor` may see it. Errors: the database failed.
pub async fn answer_show(
    state: AppState,
    actor: Actor,
) -> anyhow::Result<Answer<ManagementPageState>> {
    Ok(Answer::page(page_for(&state, &actor).await?))
}

/// `GET /gestion`
pub async fn show(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = answer_show(state.clone(), actor).await;
    no_store(door::respond(&state, uri, headers, answer).await)
}

/// A form of `/gestion` (deactivate, reactivate, approve, refuse, create a
/// structure, name a manager): the page again with what it did, or with
/// the form's errors and what was typed.
///
/// Errors: `Ok(None)` when `actor` may not act on that account or
/// structure; the database failed.
pub async fn answer_act(
    state: AppState,
    actor: Actor,
    form: ManagementForm,
) -> anyhow::Result<Option<Answer<ManagementPageState>>> {
    let answered = match act(&state, &actor, &form).await {
        Ok(Err(Refusal::Forbidden)) => return Ok(None),
        Ok(Err(Refusal::Invalid(errors))) => Ok(Err(errors)),
        Ok(Ok(notice)) => Ok(Ok(notice)),
        Err(error) => Err(error),
    };
    let outcome = FormOutcome::of(answered, "management action");
    let status = outcome.status();
    let (notice, errors, failure) = match outcome {
        FormOutcome::Done(notice) => (Some(notice), FieldErrors::new(), None),
        FormOutcome::Refused(errors) => (None, errors, None),
        FormOutcome::Failed(reference) => (None, FieldErrors::new(), Some(reference)),
    };
    let mut page = page_for(&state, &actor).await?;
    page.notice = notice.map(str::to_owned);
    if !errors.is_empty() {
        page.form = form;
    }
    page.errors = errors;
    page.failure = failure;
    Ok(Some(Answer::Page(status, page)))
}

/// `POST /gestion`
pub async fn submit(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ManagementForm>,
) -> Response {
    match answer_act(state.clone(), actor, form).await {
        Ok(None) => forbidden(&state, &headers),
        Ok(Some(answer)) => no_store(door::respond(&state, uri, headers, Ok(answer)).await),
        Err(error) => door::respond(&state, uri, headers, Err::<Answer<()>, _>(error)).await,
    }
}

/// "Demander un rattachement" in "Mon compte": the request goes to the
/// structure's managers; the SIRET as typed comes back after a refusal.
/// Errors: the database failed.
pub async fn answer_attach(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: AttachForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = request_membership(&state, id, &form.siret).await;
    let outcome = FormOutcome::of(answered, "membership request");
    let typed: String = form.siret.chars().take(30).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |structure| {
            Some(AccountNotice {
                key: "account.membership_requested".into(),
                email: structure,
            })
        },
        |page| page.typed.siret = typed,
    )
    .await
}

/// `POST /mon-compte/rattachement`
pub async fn submit_attach(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<AttachForm>,
) -> Response {
    let answer = answer_attach(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
