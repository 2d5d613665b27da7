//! The doors of "Créer votre compte" (`POST /inscription` and the server
//! function `/api/inscription`) and of its configuration screen: both call
//! [`answer`].

use super::service::{sign_up, SignupError};
use super::{SignupForm, SignupPageState};
use crate::domain::FieldErrors;
use crate::i18n::Lang;
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::{language, AppState};
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
    let answer = answer(&state, lang, form).await;
    door::respond(&state, uri, headers, Ok(answer)).await
}

/// What the signup form's buttons lead to: "Nouvelle image" and
/// "Modifier" draw the form again as typed; "Enregistrer et configurer mon
/// compte" checks the details and opens the configuration screen;
/// "Valider" (on either screen) creates the account, no sooner than the
/// steady answer time, or shows the form again with its errors.
pub async fn answer(state: &AppState, lang: Lang, form: SignupForm) -> Answer<SignupPageState> {
    let configuring = form.screen == "configure";
    match form.intent.as_str() {
        "new_captcha" | "edit" if !configuring || form.intent == "edit" => {
            return Answer::page(SignupPageState::Redrawn {
                form: form.for_redisplay(),
            });
        }
        "new_captcha" => {
            return Answer::page(SignupPageState::Configure {
                form: form.for_redisplay(),
                errors: FieldErrors::new(),
            });
        }
        "configure" => {
            // "Enregistrer et configurer mon compte": the details first;
            // the captcha comes with the configuration screen.
            let mut errors = match form.parse() {
                Ok(_) => FieldErrors::new(),
                Err(errors) => errors,
            };
            errors.remove("captcha_answer");
            let form = form.for_redisplay();
            return if errors.is_empty() {
                Answer::page(SignupPageState::Configure { form, errors })
            } else {
                Answer::Page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    SignupPageState::Refused { form, errors },
                )
            };
        }
        _ => {}
    }
    let steady = Steady::start(state);
    match steady.answer(sign_up(state, &form, lang).await).await {
        Ok(recap) => Answer::page(SignupPageState::Created(recap)),
        Err(SignupError::Invalid(errors)) if configuring => Answer::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            SignupPageState::Configure {
                form: form.for_redisplay(),
                errors,
            },
        ),
        Err(SignupError::Invalid(errors)) => Answer::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            SignupPageState::Refused {
                form: form.for_redisplay(),
                errors,
            },
        ),
        Err(SignupError::Unexpected(error)) => {
            let reference = crate::server::telemetry::report(&error, "signup");
            Answer::Page(
                StatusCode::SERVICE_UNAVAILABLE,
                SignupPageState::Failed {
                    form: form.for_redisplay(),
                    reference,
                },
            )
        }
    }
}
