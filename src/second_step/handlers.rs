//! The doors of "Vérification en deux étapes" (`GET`/`POST /verification`,
//! `/api/verification/page`, `/api/verification`) and the flow's routes.

use super::service::{check, send_code, show, Checked, Shown};
use super::{CodeRefused, SecondStepForm, SecondStepState, StepMethod, StepNotice};
use crate::accounts::factors::{live_emailed_code_sent_at, EMAILED_CODE_MINUTES};
use crate::accounts::keys::KeyRefusal;
use crate::domain::FieldErrors;
use crate::paths::{
    login_box_saying, with_next, HOME_PAGE_PATH, HOME_PATH, LOGIN_PATH, SECURITY_PATH,
    VERIFICATION_PATH,
};
use crate::server::door::{self, Answer};
use crate::server::pending_login::{self, PendingLogin};
use crate::server::steady::Steady;
use crate::server::{browser, language, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

/// The page and its plain post.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        VERIFICATION_PATH,
        get(get_second_step).post(post_second_step),
    )
}

/// Where to go once logged in: the requested path of this site, or the
/// connected home (never the login box or the second step again).
pub fn after_login(next: &str) -> &str {
    language::local_path(next)
        .filter(|path| {
            *path != HOME_PAGE_PATH
                && !path.starts_with(LOGIN_PATH)
                && !path.starts_with(VERIFICATION_PATH)
        })
        .unwrap_or(HOME_PATH)
}

/// Back to the login box, saying the second step ended, its cookie gone.
fn ended(state: &AppState) -> Answer<SecondStepState> {
    Answer::GoTo {
        path: login_box_saying("second_step_ended"),
        cookies: vec![pending_login::clear_cookie(state)],
        person_language: None,
    }
}

/// The page of the request's pending login, asking for `method` (or the
/// account's default) with `notice`, `errors` and `status`.
async fn ask(
    state: &AppState,
    pending: &PendingLogin,
    method: Option<StepMethod>,
    notice: Option<StepNotice>,
    errors: FieldErrors,
    status: StatusCode,
) -> anyhow::Result<Answer<SecondStepState>> {
    Ok(draw(
        show(state, pending, method).await?,
        notice,
        errors,
        status,
    ))
}

/// [`ask`] after a refused code, with the code as typed (bounded) kept in
/// its field beside the error.
async fn ask_again(
    state: &AppState,
    pending: &PendingLogin,
    method: StepMethod,
    notice: Option<StepNotice>,
    errors: FieldErrors,
    typed: &str,
) -> anyhow::Result<Answer<SecondStepState>> {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let shown = show(state, pending, Some(method)).await?;
    let mut answer = draw(shown, notice, errors, status);
    if let Answer::Page(_, SecondStepState::Ask { code, .. }) = &mut answer {
        *code = typed.chars().take(20).collect();
    }
    Ok(answer)
}

/// The page of `shown`, or the lock's when the account's second step is
/// locked.
fn draw(
    shown: Shown,
    notice: Option<StepNotice>,
    errors: FieldErrors,
    status: StatusCode,
) -> Answer<SecondStepState> {
    if shown.blocked {
        return Answer::Page(StatusCode::TOO_MANY_REQUESTS, SecondStepState::Blocked);
    }
    if let Some(minutes) = shown.locked_minutes {
        return Answer::Page(
            StatusCode::TOO_MANY_REQUESTS,
            SecondStepState::Locked { minutes },
        );
    }
    Answer::Page(
        status,
        SecondStepState::Ask {
            method: shown.method,
            others: shown.others,
            email_hint: shown.email_hint,
            minutes_left: shown.minutes_left,
            code: String::new(),
            key_options: shown.key_options,
            notice,
            errors,
            failure: None,
        },
    )
}

/// The page as first shown: the account's default method; when it is the
/// emailed code, the code sent as the password was checked (the page says
/// so when it is live).
///
/// Errors: the database failed.
pub async fn answer_show(
    state: &AppState,
    headers: &HeaderMap,
) -> anyhow::Result<Answer<SecondStepState>> {
    let Some(pending) = pending_login::current(state, headers).await? else {
        return Ok(ended(state));
    };
    let shown = show(state, &pending, None).await?;
    let live = live_emailed_code_sent_at(state, &pending.account_id).await?;
    let notice = match (shown.method, live) {
        (StepMethod::Email, Some(_)) => Some(StepNotice::info(
            "second_step.code_sent_at_login",
            &[("minutes", EMAILED_CODE_MINUTES.to_string())],
        )),
        // The hourly limit held the login's code back: said, not hidden.
        (StepMethod::Email, None) => Some(StepNotice::warning("second_step.no_live_code", &[])),
        _ => None,
    };
    Ok(draw(shown, notice, FieldErrors::new(), StatusCode::OK))
}

/// `GET /verification`
pub async fn get_second_step(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = answer_show(&state, &headers).await;
    door::respond(&state, uri, headers, answer).await
}

/// `POST /verification`
pub async fn post_second_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SecondStepForm>,
) -> Response {
    let answer = answer_verify(&state, &headers, form).await;
    door::respond(&state, Uri::from_static(VERIFICATION_PATH), headers, answer).await
}

/// The second step's form, on both doors: "Valider" checks the code no
/// sooner than the steady answer time (OWASP Authentication Cheat Sheet:
/// the time says nothing of what was wrong); "Renvoyer un code" sends a new
/// emailed code within its limits; `use_…` asks for another method (the
/// emailed one sends a code if none is live).
///
/// Errors: the database failed.
pub async fn answer_verify(
    state: &AppState,
    headers: &HeaderMap,
    form: SecondStepForm,
) -> anyhow::Result<Answer<SecondStepState>> {
    let steady = Steady::start(state);
    let Some(pending) = pending_login::current(state, headers).await? else {
        return Ok(steady.answer(ended(state)).await);
    };
    let method = StepMethod::from_form(&form.method);
    let browser = browser::user_agent(headers);
    match form.intent.as_str() {
        "resend" => {
            let notice = send_code(state, &pending.account_id, browser.as_deref(), true).await?;
            let status = if notice.warning {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::OK
            };
            return ask(
                state,
                &pending,
                Some(StepMethod::Email),
                Some(notice),
                FieldErrors::new(),
                status,
            )
            .await;
        }
        "use_key" | "use_app" | "use_email" | "use_recovery" => {
            let chosen = StepMethod::from_form(&form.intent[4..]);
            let live = live_emailed_code_sent_at(state, &pending.account_id).await?;
            let notice = if chosen == Some(StepMethod::Email) && live.is_none() {
                Some(send_code(state, &pending.account_id, browser.as_deref(), true).await?)
            } else {
                None
            };
            return ask(
                state,
                &pending,
                chosen,
                notice,
                FieldErrors::new(),
                StatusCode::OK,
            )
            .await;
        }
        _ => {}
    }
    let Some(method) = method else {
        return ask(
            state,
            &pending,
            None,
            None,
            FieldErrors::new(),
            StatusCode::OK,
        )
        .await;
    };
    let typed = if method == StepMethod::Key {
        &form.key
    } else {
        &form.code
    };
    let checked = steady
        .answer(check(state, headers, &pending, method, typed).await?)
        .await;
    // A key's answer is no text to give back.
    let kept = if method == StepMethod::Key {
        ""
    } else {
        form.code.as_str()
    };
    match checked {
        Checked::Passed {
            cookies,
            next,
            language,
            recommend_app,
        } => {
            let next = after_login(&next).to_owned();
            let path = if recommend_app {
                format!("{}&conseil=1", with_next(SECURITY_PATH, &next))
            } else {
                next
            };
            Ok(Answer::GoTo {
                path,
                cookies,
                person_language: language,
            })
        }
        Checked::Unreadable(errors) => ask_again(state, &pending, method, None, errors, kept).await,
        Checked::Wrong { left } => {
            let mut errors = FieldErrors::new();
            let tries_left = if method == StepMethod::Key {
                errors.insert("key", &KeyRefusal::NotRecognised);
                "second_step.key_tries_left"
            } else {
                errors.insert("code", &CodeRefused::Wrong);
                "second_step.tries_left"
            };
            let notice = StepNotice::warning(tries_left, &[("count", left.to_string())]);
            ask_again(state, &pending, method, Some(notice), errors, kept).await
        }
        Checked::Ended => Ok(ended(state)),
        Checked::Locked { minutes } => Ok(Answer::Page(
            StatusCode::TOO_MANY_REQUESTS,
            SecondStepState::Locked { minutes },
        )),
        Checked::Blocked => Ok(Answer::Page(
            StatusCode::TOO_MANY_REQUESTS,
            SecondStepState::Blocked,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_login_only_paths_of_this_site_are_followed() {
        assert_eq!(after_login("/mon-compte"), "/mon-compte");
        assert_eq!(after_login("/verification"), "/accueil");
        for hostile in crate::server::language::HOSTILE_TARGETS {
            assert_eq!(after_login(hostile), "/accueil", "{hostile:?}");
        }
    }
}
