//! The HTTP doors of activation: the emailed link's page, "Valider",
//! "Réactiver" and the resend page.

use super::service::{
    activate, look_up, reactivate, resend_for_account, ActivationLink, ActivationRefused,
    Reactivation,
};
use super::{ActivationForm, ActivationPageState, ResendPageState};
use crate::accounts::AccountState;
use crate::domain::{EmailAddress, FieldErrors, UserMessage};
use crate::mail::templates::ActivationOccasion;
use crate::server::{render, AppState};
use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

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
        ActivationLink::Ready(account) => ActivationPageState::Ready {
            account,
            secret_question: String::new(),
            errors: FieldErrors::new(),
        },
    }
}

/// `GET /activation/{token}`
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = look_up(&state, &token).await.map(page_of);
    render::link_page(&state, uri, headers, page, status_of).await
}

/// `POST /activation/{token}`: "Valider" or "Réactiver".
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ActivationForm>,
) -> Response {
    let page = if form.intent == "reactivate" {
        reactivate(&state, &token).await.map(|done| match done {
            Reactivation::Resent { email, throttled } => {
                ActivationPageState::Resent { email, throttled }
            }
            Reactivation::Link(link) => page_of(link),
        })
    } else {
        match activate(&state, &token, &form).await {
            Ok(Ok(())) => return render::private(Redirect::to("/?info=activated").into_response()),
            Ok(Err(ActivationRefused::Link(link))) => Ok(page_of(link)),
            Ok(Err(ActivationRefused::Form { account, errors })) => {
                // The question as typed comes back; passwords and the answer never do.
                Ok(ActivationPageState::Ready {
                    account,
                    secret_question: form.secret_question.clone(),
                    errors,
                })
            }
            Err(error) => Err(error),
        }
    };
    render::link_page(&state, uri, headers, page, status_of).await
}

#[derive(serde::Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    login_email: String,
}

/// `POST /activation-renvoyer`: the same answer whatever the address.
pub async fn resend(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ResendForm>,
) -> Response {
    let email = match EmailAddress::parse(&form.login_email) {
        Ok(email) => email,
        Err(error) => {
            let page = ResendPageState::Refused {
                email: form.login_email.chars().take(254).collect(),
                error: error.message_key().to_owned(),
            };
            return render::page_with(&state, uri, headers, StatusCode::UNPROCESSABLE_ENTITY, page)
                .await;
        }
    };
    let result = async {
        let pending: Option<(String,)> =
            sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1 AND state = $2")
                .bind(email.as_ref())
                .bind(AccountState::Pending.as_str())
                .fetch_optional(&state.db)
                .await
                .context("reading the account")?;
        if let Some((id,)) = pending {
            resend_for_account(&state, &id, ActivationOccasion::First).await?;
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(error) = result {
        return render::unavailable(&state, &headers, error).await;
    }
    let page = ResendPageState::Done {
        email: email.to_string(),
    };
    render::page_with(&state, uri, headers, StatusCode::OK, page).await
}
