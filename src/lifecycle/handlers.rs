//! The doors of the reactivation request: the plain post and the server
//! function over one answer function ("Désactiver mon compte" is a form
//! of "Mon compte": `account::handlers`).

use super::service::ask_for_reactivation;
use super::{ReactivationForm, ReactivationPageState};
use crate::domain::{EmailAddress, UserMessage};
use crate::paths::REACTIVATION_PATH;
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::Form;
use axum::Router;

/// The reactivation request's plain post (the page is drawn by Leptos).
pub fn routes() -> Router<AppState> {
    Router::new().route(REACTIVATION_PATH, post(post_reactivation))
}

/// "Demande de réactivation du compte" from its login address: the same
/// answer whatever the address (and no sooner than the steady answer
/// time), or the address's error next to it. Errors: the database failed.
pub async fn answer_reactivation(
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
        .answer(ask_for_reactivation(&state, &email).await)
        .await?;
    Ok(Answer::page(ReactivationPageState::Done {
        email: email.to_string(),
    }))
}

/// `POST /reactivation`
pub async fn post_reactivation(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ReactivationForm>,
) -> Response {
    let answer = answer_reactivation(state.clone(), form).await;
    door::respond(&state, uri, headers, answer).await
}
