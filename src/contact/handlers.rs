//! The HTTP doors of the address changes: the two forms of "Mon compte"
//! and the page of the emailed links.

use super::service::{apply, find_link, page_of, request_change, request_login_change};
use super::ContactLinkState;
use crate::account::handlers::connected_page_with;
use crate::account::{AccountForms, AccountNotice};
use crate::domain::EmailAddress;
use crate::server::web::{Connected, FormOutcome};
use crate::server::{language, render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

#[derive(serde::Deserialize)]
pub struct LoginChangeForm {
    #[serde(default)]
    new_login_email: String,
    #[serde(default)]
    login_password: String,
}

/// `POST /mon-compte/identifiant`
pub async fn submit_login_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<LoginChangeForm>,
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let answered = request_login_change(
        &state,
        &connected.account_id,
        &form.new_login_email,
        &form.login_password,
        lang,
    )
    .await;
    let outcome = FormOutcome::of(answered, "login change");
    let typed: String = form.new_login_email.chars().take(254).collect();
    answer(
        &state,
        headers,
        &connected.account_id,
        outcome,
        "account.login_link_sent",
        |forms| forms.new_login_email = typed,
    )
    .await
}

/// Draws "Mon compte" after an address change was asked: the notice
/// `notice_key` naming the address the link went to, or, when the change
/// was not done, what was typed (`keep_typed`) with the errors or the
/// failure's reference.
async fn answer(
    state: &AppState,
    headers: HeaderMap,
    account_id: &str,
    outcome: FormOutcome<EmailAddress>,
    notice_key: &str,
    keep_typed: impl FnOnce(&mut AccountForms),
) -> Response {
    let status = outcome.status();
    connected_page_with(
        state,
        Uri::from_static(crate::account::MY_ACCOUNT_PATH),
        headers,
        account_id,
        status,
        |page| match outcome {
            FormOutcome::Done(address) => {
                page.notice = Some(AccountNotice {
                    key: notice_key.into(),
                    email: address.to_string(),
                })
            }
            FormOutcome::Refused(errors) => {
                page.errors = errors;
                keep_typed(&mut page.typed);
            }
            FormOutcome::Failed(reference) => {
                page.failure = Some(reference);
                keep_typed(&mut page.typed);
            }
        },
    )
    .await
}

fn status_of(page: &ContactLinkState) -> StatusCode {
    match page {
        ContactLinkState::Invalid => StatusCode::NOT_FOUND,
        ContactLinkState::Expired | ContactLinkState::Retired => StatusCode::GONE,
        _ => StatusCode::OK,
    }
}

/// `GET /adresse-de-contact/{token}`: shows, changes nothing.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = find_link(&state, &token).await.map(page_of);
    render::link_page(&state, uri, headers, page, status_of).await
}

/// `POST /adresse-de-contact/{token}`
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = apply(&state, &token).await;
    render::link_page(&state, uri, headers, page, status_of).await
}

#[derive(serde::Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    contact_email: String,
}

/// `POST /mon-compte/contact`
pub async fn submit_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<ContactForm>,
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let answered = request_change(&state, &connected.account_id, &form.contact_email, lang).await;
    let outcome = FormOutcome::of(answered, "contact change");
    let typed: String = form.contact_email.chars().take(254).collect();
    answer(
        &state,
        headers,
        &connected.account_id,
        outcome,
        "account.contact_link_sent",
        |forms| forms.contact_email = typed,
    )
    .await
}
