//! The HTTP door of "Créer votre compte" (`POST /inscription`) and of its
//! configuration screen.

use super::service::{sign_up, SignupError};
use super::{SignupForm, SignupPageState};
use crate::domain::FieldErrors;
use crate::server::steady::Steady;
use crate::server::{language, render, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

/// `POST /inscription`
pub async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let configuring = form.screen == "configure";
    match form.intent.as_str() {
        "new_captcha" | "edit" if !configuring || form.intent == "edit" => {
            let page = SignupPageState::Redrawn {
                form: form.for_redisplay(),
            };
            return render::page_with(&state, uri, headers, StatusCode::OK, page).await;
        }
        "new_captcha" => {
            let page = SignupPageState::Configure {
                form: form.for_redisplay(),
                errors: FieldErrors::new(),
            };
            return render::page_with(&state, uri, headers, StatusCode::OK, page).await;
        }
        "configure" => {
            // "Enregistrer et configurer mon compte": the details first;
            // the captcha comes with the configuration screen.
            let mut errors = match form.parse() {
                Ok(_) => FieldErrors::new(),
                Err(errors) => errors,
            };
            errors.remove("captcha_answer");
            let (status, page) = if errors.is_empty() {
                let form = form.for_redisplay();
                (StatusCode::OK, SignupPageState::Configure { form, errors })
            } else {
                let form = form.for_redisplay();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    SignupPageState::Refused { form, errors },
                )
            };
            return render::page_with(&state, uri, headers, status, page).await;
        }
        _ => {}
    }
    let steady = Steady::start(&state);
    let (status, page) = match steady.answer(sign_up(&state, &form, lang).await).await {
        Ok(recap) => (StatusCode::OK, SignupPageState::Created(recap)),
        Err(SignupError::Invalid(errors)) if configuring => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SignupPageState::Configure {
                form: form.for_redisplay(),
                errors,
            },
        ),
        Err(SignupError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            SignupPageState::Refused {
                form: form.for_redisplay(),
                errors,
            },
        ),
        Err(SignupError::Unexpected(error)) => {
            let reference = crate::server::telemetry::report(&error, "signup");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                SignupPageState::Failed {
                    form: form.for_redisplay(),
                    reference,
                },
            )
        }
    };
    render::page_with(&state, uri, headers, status, page).await
}
