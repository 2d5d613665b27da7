//! The doors of `/gestion`: plain posts and server functions over one
//! answer function each, and the flow's routes.

use super::listing::page_for;
use super::service::{act, Refusal};
use super::{ManagementForm, ManagementPageState};
use crate::accounts::{Actor, Manager};
use crate::domain::FieldErrors;
use crate::paths::MANAGEMENT_PATH;
use crate::server::door::{self, Answer};
use crate::server::web::{forbidden, Verdict};
use crate::server::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Form;
use axum::Router;

/// `/gestion`: the page and its forms' plain post.
pub fn routes() -> Router<AppState> {
    Router::new().route(MANAGEMENT_PATH, get(get_management).post(post_management))
}

/// `/gestion` as `actor` may see it. Errors: the database failed.
pub async fn answer_show(
    state: AppState,
    actor: Actor,
) -> anyhow::Result<Answer<ManagementPageState>> {
    Ok(Answer::page(page_for(&state, &actor).await?))
}

/// `GET /gestion`
pub async fn get_management(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = answer_show(state.clone(), actor).await;
    door::respond(&state, uri, headers, answer).await
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
    let verdict = Verdict::of(answered, "management action");
    let status = verdict.status();
    let (notice, errors, failure) = match verdict {
        Verdict::Done(notice) => (Some(notice), FieldErrors::new(), None),
        Verdict::Refused(errors) => (None, errors, None),
        Verdict::Failed(reference) => (None, FieldErrors::new(), Some(reference)),
    };
    let mut page = page_for(&state, &actor).await?;
    page.notice = notice.map(str::to_owned);
    if !errors.is_empty() || failure.is_some() {
        // Refused or failed: what was typed is drawn again.
        page.form = form;
    }
    page.errors = errors;
    page.failure = failure;
    Ok(Some(Answer::Page(status, page)))
}

/// `POST /gestion`
pub async fn post_management(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ManagementForm>,
) -> Response {
    match answer_act(state.clone(), actor, form).await {
        Ok(None) => forbidden(&state, &headers),
        Ok(Some(answer)) => door::respond(&state, uri, headers, Ok(answer)).await,
        Err(error) => door::respond(&state, uri, headers, Err::<Answer<()>, _>(error)).await,
    }
}
