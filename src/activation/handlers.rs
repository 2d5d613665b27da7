//! The doors of activation: the emailed link's page, "Valider",
//! "Réactiver" and the resend page (plain posts and server functions over
//! one answer function each).

use super::service::{
    activate_account, look_up, reactivate, resend_to_pending, ActivationLink, ActivationRefused,
    Reactivation,
};
use super::{ActivationForm, ActivationPageState, ResendForm, ResendPageState};
use crate::account::profile::ProfileForm;
use crate::domain::{EmailAddress, FieldErrors, UserMessage};
use crate::paths::{with_segment, ACTIVATION_PREFIX, RESEND_PATH};
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::{render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Form;
use axum::Router;

/// The emailed link's page and its form, and the resend form's plain post.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            &with_segment(ACTIVATION_PREFIX, "token"),
            get(get_activation).post(post_activation),
        )
        .route(RESEND_PATH, post(post_resend))
}

fn status_of(page: &ActivationPageState) -> StatusCode {
    match page {
        ActivationPageState::Invalid => StatusCode::NOT_FOUND,
        ActivationPageState::Expired | ActivationPageState::Retired => StatusCode::GONE,
        ActivationPageState::Ready { errors, .. } if !errors.is_empty() => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::OK,
    }
}

/// The page of a link where it stands.
fn page_of(link: ActivationLink) -> ActivationPageState {
    match link {
        ActivationLink::Unknown => ActivationPageState::Invalid,
        ActivationLink::AlreadyActive => ActivationPageState::AlreadyActive,
        ActivationLink::Expired => ActivationPageState::Expired,
        ActivationLink::Retired => ActivationPageState::Retired,
        ActivationLink::Ready(pending) => ActivationPageState::Ready {
            correctable: pending.typed_at_signup(),
            details: Box::new(ProfileForm::of(&pending.account)),
            account: Box::new(pending.account),
            requests: pending.requests,
            drop_contact: false,
            withdraw_requests: false,
            secret_question: String::new(),
            errors: FieldErrors::new(),
        },
    }
}

/// `GET /activation/{token}`
pub async fn get_activation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = look_up(&state, &token).await.map(page_of);
    render::link_page(&state, uri, headers, page, status_of).await
}

/// "Valider" (activates, then the login box says so) or "Réactiver" (a
/// fresh link for an expired or replaced one) on the link's page; a
/// refusal keeps the details, the boxes ticked and the question as typed,
/// never the passwords or the answer.
/// Errors: the database failed.
pub async fn answer_activation(
    state: AppState,
    token: String,
    form: ActivationForm,
) -> anyhow::Result<Answer<ActivationPageState>> {
    let page = if form.intent == "reactivate" {
        match reactivate(&state, &token).await? {
            Reactivation::Resent { email, throttled } => {
                ActivationPageState::Resent { email, throttled }
            }
            Reactivation::Link(link) => page_of(link),
        }
    } else {
        match activate_account(&state, &token, &form).await? {
            Ok(()) => return Ok(Answer::go_to(crate::paths::login_box_saying("activated"))),
            Err(ActivationRefused::Link(link)) => page_of(link),
            Err(ActivationRefused::Form { pending, errors }) => ActivationPageState::Ready {
                correctable: pending.typed_at_signup(),
                details: Box::new(if form.carries_details() {
                    form.profile.clone()
                } else {
                    ProfileForm::of(&pending.account)
                }),
                account: Box::new(pending.account),
                requests: pending.requests,
                drop_contact: form.drop_contact == "1",
                withdraw_requests: form.withdraw_requests == "1",
                secret_question: form.secret_question.clone(),
                errors,
            },
        }
    };
    Ok(Answer::Page(status_of(&page), page))
}

/// `POST /activation/{token}`: "Valider" or "Réactiver".
pub async fn post_activation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ActivationForm>,
) -> Response {
    let answer = answer_activation(state.clone(), token, form).await;
    render::private(door::respond(&state, uri, headers, answer).await)
}

/// "Vous n'avez pas reçu le courriel d'activation ?": a fresh link to a
/// pending account's address, and the same answer whatever the address;
/// a malformed address is refused next to its field. Answers after the
/// steady time (`SESAME_STEADY_ANSWER_MS`) at the earliest, whatever the
/// address. Errors: the database failed.
pub async fn answer_resend(
    state: AppState,
    form: ResendForm,
) -> anyhow::Result<Answer<ResendPageState>> {
    let email = match EmailAddress::parse(&form.login_email) {
        Ok(email) => email,
        Err(error) => {
            return Ok(Answer::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                ResendPageState::Refused {
                    email: form.login_email.chars().take(254).collect(),
                    error: error.message_key().to_owned(),
                },
            ));
        }
    };
    // Whether the address has a pending account, and whether a link is
    // written for it, must not show in the answer's time (OWASP
    // Authentication Cheat Sheet), as for the other forms of an address.
    let steady = Steady::start(&state);
    steady
        .answer(resend_to_pending(&state, &email).await)
        .await?;
    Ok(Answer::page(ResendPageState::Done {
        email: email.to_string(),
    }))
}

/// `POST /activation-renvoyer`: the same answer whatever the address.
pub async fn post_resend(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ResendForm>,
) -> Response {
    let answer = answer_resend(state.clone(), form).await;
    door::respond(&state, uri, headers, answer).await
}
