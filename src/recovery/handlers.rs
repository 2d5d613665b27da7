//! The doors of "Mot de passe oublié ?" and "Gestion du mot de passe":
//! one answer function each, which calls `service`; the plain post draws
//! the page with its status, the server function returns its state.

use super::service::{
    answer, look_up, open_flow, reset, start, RecoveryStep, ResetLinkState, ResetRefused,
};
use super::{ForgotPageState, RecoveryForm, ResetForm, ResetPageState};
use crate::domain::FieldErrors;
use crate::paths::{with_segment, FORGOT_PATH, RESET_PREFIX};
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::{language, render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Form;
use axum::Router;

/// Both steps' plain post, and the reset link's page and its form.
pub fn routes() -> Router<AppState> {
    Router::new().route(FORGOT_PATH, post(post_forgot)).route(
        &with_segment(RESET_PREFIX, "token"),
        get(get_reset).post(post_reset),
    )
}

fn status_of_forgot(page: &ForgotPageState) -> StatusCode {
    match page {
        ForgotPageState::Request { errors, .. } | ForgotPageState::Question { errors, .. }
            if !errors.is_empty() =>
        {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::OK,
    }
}

/// `POST /mot-de-passe-oublie`, both steps.
pub async fn post_forgot(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<RecoveryForm>,
) -> Response {
    let answer = answer_forgot(state.clone(), headers.clone(), form).await;
    render::private(door::respond(&state, uri, headers, Ok(answer)).await)
}

/// Both steps of "Mot de passe oublié ?", no sooner than the steady answer
/// time: the address and the captcha lead to the secret question (the
/// account's, or a decoy: the same for every address); the right answer
/// sends the reset link. A failure keeps the step, with its reference.
pub async fn answer_forgot(
    state: AppState,
    headers: HeaderMap,
    form: RecoveryForm,
) -> Answer<ForgotPageState> {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let outcome = match form.intent.as_str() {
        "new_captcha" => {
            let page = ForgotPageState::Request {
                email: form.typed_email(),
                errors: FieldErrors::new(),
                focus_captcha: true,
                notice: None,
                failure: None,
            };
            return Answer::Page(status_of_forgot(&page), page);
        }
        "answer" => {
            Steady::start(&state)
                .answer(answer(&state, &form).await)
                .await
        }
        _ => {
            Steady::start(&state)
                .answer(start(&state, &form, lang, language::chosen(&headers)).await)
                .await
        }
    };
    match outcome.map(|step| forgot_page(&form, step)) {
        Ok(page) => Answer::Page(status_of_forgot(&page), page),
        Err(error) => {
            let reference = crate::error::report(&error, "password recovery");
            let page = if form.intent == "answer" {
                // The flow is still there (or will say it expired): the
                // question step again, with the failure.
                failed_question(&state, &form, reference).await
            } else {
                ForgotPageState::Request {
                    email: form.typed_email(),
                    errors: FieldErrors::new(),
                    focus_captcha: false,
                    notice: None,
                    failure: Some(reference),
                }
            };
            Answer::Page(StatusCode::SERVICE_UNAVAILABLE, page)
        }
    }
}

/// The page a step leads to; what the person typed (the address, the flow)
/// comes from `form`.
fn forgot_page(form: &RecoveryForm, step: RecoveryStep) -> ForgotPageState {
    let request = |errors: FieldErrors, notice: Option<String>| ForgotPageState::Request {
        email: form.typed_email(),
        errors,
        focus_captcha: false,
        notice,
        failure: None,
    };
    match step {
        RecoveryStep::Refused(errors) => request(errors, None),
        RecoveryStep::FlowExpired => {
            request(FieldErrors::new(), Some("recovery.flow_expired".into()))
        }
        RecoveryStep::Question {
            flow,
            email,
            question,
        } => ForgotPageState::Question {
            flow,
            email,
            question,
            errors: FieldErrors::new(),
            failure: None,
        },
        RecoveryStep::AnswerRefused {
            email,
            question,
            errors,
        } => ForgotPageState::Question {
            flow: form.flow.clone(),
            email,
            question,
            errors,
            failure: None,
        },
        RecoveryStep::Sent {
            email,
            valid_minutes,
        } => ForgotPageState::Sent {
            email,
            valid_minutes,
        },
    }
}

async fn failed_question(
    state: &AppState,
    form: &RecoveryForm,
    reference: crate::error::Reference,
) -> ForgotPageState {
    match open_flow(state, &form.flow).await.ok().flatten() {
        Some((email, question)) => ForgotPageState::Question {
            flow: form.flow.clone(),
            email,
            question,
            errors: FieldErrors::new(),
            failure: Some(reference),
        },
        None => ForgotPageState::Request {
            email: form.typed_email(),
            errors: FieldErrors::new(),
            focus_captcha: false,
            notice: None,
            failure: Some(reference),
        },
    }
}

fn status_of_reset(page: &ResetPageState) -> StatusCode {
    match page {
        ResetPageState::Invalid => StatusCode::NOT_FOUND,
        ResetPageState::Expired | ResetPageState::Retired => StatusCode::GONE,
        ResetPageState::Ready { errors, .. } if !errors.is_empty() => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ResetPageState::Ready { .. } => StatusCode::OK,
    }
}

/// The page of a reset link where it stands, with `errors` next to the
/// field and the `failure`'s reference, if any.
fn reset_page(
    link: ResetLinkState,
    errors: FieldErrors,
    failure: Option<crate::error::Reference>,
) -> ResetPageState {
    match link {
        ResetLinkState::Unknown => ResetPageState::Invalid,
        ResetLinkState::Expired => ResetPageState::Expired,
        ResetLinkState::Retired => ResetPageState::Retired,
        ResetLinkState::Ready { user_inputs } => ResetPageState::Ready {
            user_inputs,
            errors,
            failure,
        },
    }
}

/// `GET /nouveau-mot-de-passe/{token}`
pub async fn get_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = look_up(&state, &token)
        .await
        .map(|link| reset_page(link, FieldErrors::new(), None));
    render::link_page(&state, uri, headers, page, status_of_reset).await
}

/// "Valider" on the reset link's page: the new password, then the login
/// box says it changed; a refusal shows its errors (the passwords are not
/// sent back). A failure while the link is still good keeps the form, with
/// its reference.
///
/// Errors: the database failed and the link could not even be read.
pub async fn answer_reset(
    state: AppState,
    token: String,
    form: ResetForm,
) -> anyhow::Result<Answer<ResetPageState>> {
    let page = match reset(&state, &token, &form).await {
        Ok(Ok(())) => {
            return Ok(Answer::go_to(crate::paths::login_box_saying(
                "password_changed",
            )))
        }
        Ok(Err(ResetRefused::Link(link))) => reset_page(link, FieldErrors::new(), None),
        Ok(Err(ResetRefused::Form {
            user_inputs,
            errors,
        })) => reset_page(ResetLinkState::Ready { user_inputs }, errors, None),
        Err(error) => match look_up(&state, &token).await {
            Ok(link @ ResetLinkState::Ready { .. }) => {
                let reference = crate::error::report(&error, "password reset");
                let page = reset_page(link, FieldErrors::new(), Some(reference));
                return Ok(Answer::Page(StatusCode::SERVICE_UNAVAILABLE, page));
            }
            _ => return Err(error),
        },
    };
    Ok(Answer::Page(status_of_reset(&page), page))
}

/// `POST /nouveau-mot-de-passe/{token}`: "Valider".
pub async fn post_reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    let answer = answer_reset(state.clone(), token, form).await;
    render::private(door::respond(&state, uri, headers, answer).await)
}
