//! The doors of "Créer votre compte" (`POST /inscription` and the server
//! function `/api/inscription`) and of its configuration screen: both call
//! [`answer_signup`].

use super::service::{create_account, SignupError};
use super::{SignupForm, SignupPageState};
use crate::domain::FieldErrors;
use crate::i18n::Lang;
use crate::paths::SIGNUP_PATH;
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::{language, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::Form;
use axum::Router;

/// The signup form's plain post (the page itself is drawn by Leptos).
pub fn routes() -> Router<AppState> {
    Router::new().route(SIGNUP_PATH, post(post_signup))
}

/// `POST /inscription`
pub async fn post_signup(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let answer = answer_signup(&state, lang, form).await;
    door::respond(&state, uri, headers, Ok(answer)).await
}

/// What the signup form's buttons lead to: "Nouvelle image" and
/// "Modifier" draw the form again as typed; "Enregistrer et configurer mon
/// compte" checks the details and opens the configuration screen;
/// "Valider" (on either screen) creates the account, no sooner than the
/// steady answer time, or shows the form again with its errors.
pub async fn answer_signup(
    state: &AppState,
    lang: Lang,
    form: SignupForm,
) -> Answer<SignupPageState> {
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
    match steady
        .answer(create_account(state, &form, lang).await)
        .await
    {
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
            let reference = crate::error::report(&error, "signup");
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
