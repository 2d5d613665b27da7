//! The doors of the address changes: the two forms of "Mon compte" (plain
//! posts and server functions over one answer function each) and the page
//! of the emailed links.

use super::service::{apply, find_link, page_of, request_change, request_login_change};
use super::ContactLinkState;
use crate::account::forms::{ContactForm, LoginChangeForm};
use crate::account::handlers::{my_account_after, respond_on_my_account};
use crate::account::{AccountNotice, ConnectedPageState};
use crate::domain::EmailAddress;
use crate::server::door::Answer;
use crate::server::web::{Connected, FormOutcome};
use crate::server::{language, render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

/// "Modifier l'identifiant de connexion": a confirmation link to the new
/// address, after the password; the address as typed comes back when the
/// change was not asked. Errors: the database failed.
pub async fn answer_login_change(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: LoginChangeForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let id = &connected.account_id;
    let answered = request_login_change(
        &state,
        id,
        &form.new_login_email,
        &form.login_password,
        lang,
    )
    .await;
    let outcome = FormOutcome::of(answered, "login change");
    let typed: String = form.new_login_email.chars().take(254).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |address| Some(link_sent("account.login_link_sent", address)),
        |page| page.typed.new_login_email = typed,
    )
    .await
}

/// `POST /mon-compte/identifiant`
pub async fn submit_login_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<LoginChangeForm>,
) -> Response {
    let answer = answer_login_change(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// The notice `key` naming the address a confirmation link went to.
fn link_sent(key: &str, address: EmailAddress) -> AccountNotice {
    AccountNotice {
        key: key.into(),
        email: address.to_string(),
    }
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

/// "Modifier l'adresse de contact": a confirmation link to the new
/// address; the address as typed comes back when the change was not
/// asked. Errors: the database failed.
pub async fn answer_contact_change(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: ContactForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let id = &connected.account_id;
    let answered = request_change(&state, id, &form.contact_email, lang).await;
    let outcome = FormOutcome::of(answered, "contact change");
    let typed: String = form.contact_email.chars().take(254).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |address| Some(link_sent("account.contact_link_sent", address)),
        |page| page.typed.contact_email = typed,
    )
    .await
}

/// `POST /mon-compte/contact`
pub async fn submit_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<ContactForm>,
) -> Response {
    let answer = answer_contact_change(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
