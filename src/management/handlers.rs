//! The HTTP doors of `/gestion` and of the structure request in "Mon
//! compte".

use super::service::{act, page_for, request_membership, Refusal};
use super::ManagementForm;
use crate::account::handlers::connected_page_with;
use crate::account::AccountNotice;
use crate::domain::FieldErrors;
use crate::server::web::{forbidden, Connected, FormOutcome, Manager};
use crate::server::{render, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /gestion`
pub async fn show(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match page_for(&state, &actor).await {
        Ok(page) => no_store(render::page_with(&state, uri, headers, StatusCode::OK, page).await),
        Err(error) => render::unavailable(&state, &headers, error).await,
    }
}

/// `POST /gestion`
pub async fn submit(
    State(state): State<AppState>,
    Manager { actor, .. }: Manager,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ManagementForm>,
) -> Response {
    let answered = match act(&state, &actor, &form).await {
        Ok(Err(Refusal::Forbidden)) => return forbidden(&state, &headers),
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
    match page_for(&state, &actor).await {
        Ok(mut page) => {
            page.notice = notice.map(str::to_owned);
            if !errors.is_empty() {
                page.form = form;
            }
            page.errors = errors;
            page.failure = failure;
            no_store(render::page_with(&state, uri, headers, status, page).await)
        }
        Err(error) => render::unavailable(&state, &headers, error).await,
    }
}

#[derive(serde::Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    siret: String,
}

/// `POST /mon-compte/rattachement`
pub async fn submit_attach(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<AttachForm>,
) -> Response {
    let account_id = &connected.account_id;
    let answered = request_membership(&state, account_id, &form.siret).await;
    let outcome = FormOutcome::of(answered, "membership request");
    let status = outcome.status();
    let my_account = Uri::from_static(crate::account::MY_ACCOUNT_PATH);
    connected_page_with(&state, my_account, headers, account_id, status, |page| {
        let typed: String = form.siret.chars().take(30).collect();
        match outcome {
            FormOutcome::Done(structure) => {
                page.notice = Some(AccountNotice {
                    key: "account.membership_requested".into(),
                    email: structure,
                })
            }
            FormOutcome::Refused(errors) => {
                page.errors = errors;
                page.typed.siret = typed;
            }
            FormOutcome::Failed(reference) => {
                page.failure = Some(reference);
                page.typed.siret = typed;
            }
        }
    })
    .await
}
