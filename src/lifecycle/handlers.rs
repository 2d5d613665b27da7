//! The HTTP doors of deactivation and of the reactivation request.

use super::service::{deactivate, request_reactivation, Acting};
use super::{DeactivateForm, ReactivationPageState};
use crate::account::handlers::connected_page_with;
use crate::domain::{EmailAddress, FieldErrors, UserMessage};
use crate::mail::templates::ActedBy;
use crate::server::credentials::{check_current_password, CurrentPasswordRefused};
use crate::server::steady::Steady;
use crate::server::web::{Connected, FormOutcome};
use crate::server::{render, session, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

#[derive(serde::Deserialize)]
pub struct ReactivationForm {
    #[serde(default)]
    login_email: String,
}

/// `POST /reactivation`: the same answer whatever the address.
pub async fn submit_request(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ReactivationForm>,
) -> Response {
    let email = match EmailAddress::parse(&form.login_email) {
        Ok(email) => email,
        Err(error) => {
            let page = ReactivationPageState::Refused {
                email: form.login_email.chars().take(254).collect(),
                error: error.message_key().to_owned(),
            };
            return render::page_with(&state, uri, headers, StatusCode::UNPROCESSABLE_ENTITY, page)
                .await;
        }
    };
    let steady = Steady::start(&state);
    if let Err(error) = steady
        .answer(request_reactivation(&state, &email).await)
        .await
    {
        return render::unavailable(&state, &headers, error).await;
    }
    let page = ReactivationPageState::Done {
        email: email.to_string(),
    };
    render::page_with(&state, uri, headers, StatusCode::OK, page).await
}

/// `POST /mon-compte/desactivation`: "Désactiver mon compte", confirmed by
/// the password.
pub async fn deactivate_own(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<DeactivateForm>,
) -> Response {
    let account_id = &connected.account_id;
    let answered = async {
        if let Err(refused) = check_current_password(&state, account_id, &form.password).await? {
            let mut errors = FieldErrors::new();
            errors.insert("deactivate_password", &refused);
            return anyhow::Ok(Err(errors));
        }
        let acting = Acting {
            by: ActedBy::Owner,
            actor_id: None,
            reason: None,
        };
        if deactivate(&state, account_id, acting).await? {
            return Ok(Ok(()));
        }
        // Not deactivated: the account was not active (anymore).
        let mut errors = FieldErrors::new();
        errors.insert("deactivate_password", &CurrentPasswordRefused::Wrong);
        Ok(Err(errors))
    }
    .await;
    let outcome = FormOutcome::of(answered, "deactivation");
    if outcome.is_done() {
        let mut response = Redirect::to("/?info=deactivated").into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, session::clear_cookie(&state));
        return response;
    }
    let my_account = Uri::from_static(crate::account::MY_ACCOUNT_PATH);
    let status = outcome.status();
    connected_page_with(
        &state,
        my_account,
        headers,
        account_id,
        status,
        |page| match outcome {
            FormOutcome::Refused(errors) => page.errors = errors,
            FormOutcome::Failed(reference) => page.failure = Some(reference),
            FormOutcome::Done(()) => {}
        },
    )
    .await
}
