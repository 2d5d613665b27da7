//! The doors of deactivation and of the reactivation request: plain posts
//! and server functions over one answer function each.

use super::service::{deactivate, request_reactivation, Acting};
use super::{ReactivationForm, ReactivationPageState};
use crate::account::forms::DeactivateForm;
use crate::account::handlers::{my_account_after, respond_on_my_account};
use crate::account::ConnectedPageState;
use crate::domain::{EmailAddress, FieldErrors, UserMessage};
use crate::mail::templates::ActedBy;
use crate::server::credentials::{check_current_password, CurrentPasswordRefused};
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::web::{Connected, FormOutcome};
use crate::server::{session, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

/// "Demande de réactivation du compte" from its login address: the same
/// answer whatever the address (and no sooner than the steady answer
/// time), or the address's error next to it. Errors: the database failed.
pub async fn answer_request(
    state: AppState,
    form: ReactivationForm,
) -> anyhow::Result<Answer<ReactivationPageState>> {
    let email = match EmailAddress::parse(&form.login_email) {
        Ok(email) => email,
        Err(error) => {
            return Ok(Answer::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                ReactivationPageState::Refused {
                    email: form.login_email.chars().take(254).collect(),
                    error: error.message_key().to_owned(),
                },
            ));
        }
    };
    let steady = Steady::start(&state);
    steady
        .answer(request_reactivation(&state, &email).await)
        .await?;
    Ok(Answer::page(ReactivationPageState::Done {
        email: email.to_string(),
    }))
}

/// `POST /reactivation`
pub async fn submit_request(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ReactivationForm>,
) -> Response {
    let answer = answer_request(state.clone(), form).await;
    door::respond(&state, uri, headers, answer).await
}

/// "Désactiver mon compte", confirmed by the password: the sessions end
/// and the login box says the account is deactivated; a wrong password is
/// refused next to its field. Errors: the database failed.
pub async fn answer_deactivate_own(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: DeactivateForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let account_id = &connected.account_id;
    let answered = async {
        let password = &form.deactivate_password;
        if let Err(refused) = check_current_password(&state, account_id, password).await? {
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
        return Ok(Answer::GoTo {
            path: "/?info=deactivated".to_owned(),
            cookie: Some(session::clear_cookie(&state)),
        });
    }
    my_account_after(&state, &headers, account_id, outcome, |()| None, |_| {}).await
}

/// `POST /mon-compte/desactivation`
pub async fn deactivate_own(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<DeactivateForm>,
) -> Response {
    let answer = answer_deactivate_own(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
