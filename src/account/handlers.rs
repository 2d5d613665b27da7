//! The HTTP doors of the connected space: "Accueil connecté", "Mon compte"
//! and its forms (password, secret question, sessions, details, language).

use super::credentials::{
    change_password, change_secret, end_sessions, update_profile, PasswordChangeForm,
    SecretChangeForm,
};
use super::service::{connected_state, sessions};
use super::ConnectedPageState;
use super::{AccountNotice, MY_ACCOUNT_PATH};
use crate::i18n::Lang;
use crate::server::web::{Connected, FormOutcome};
use crate::server::{language, render};
use crate::server::{session, AppState};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

/// Draws a connected page for the account, after `adjust` has added what a
/// form produced (a notice, errors, what was typed).
pub async fn connected_page_with(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    account_id: &str,
    status: StatusCode,
    adjust: impl FnOnce(&mut ConnectedPageState),
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let current = session::request_id_hash(state, &headers);
    let loaded = async {
        let mut page = connected_state(state, account_id, lang).await?;
        page.sessions = sessions(state, account_id, current.as_deref(), lang).await?;
        anyhow::Ok(page)
    }
    .await;
    match loaded {
        Ok(mut page) => {
            adjust(&mut page);
            let mut response = render::page_with(state, uri, headers, status, page).await;
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => render::unavailable(state, &headers, error).await,
    }
}

/// `GET /accueil` and `GET /mon-compte`: the same loaded state; the
/// router draws the page of the address.
pub async fn connected_page(
    State(state): State<AppState>,
    connected: Connected,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    connected_page_with(
        &state,
        uri,
        headers,
        &connected.account_id,
        StatusCode::OK,
        |_| {},
    )
    .await
}

/// Draws "Mon compte" after one of these forms, with its notice, or its
/// errors and the question as typed, or the failure's reference.
async fn answer(
    state: &AppState,
    headers: HeaderMap,
    account_id: &str,
    outcome: FormOutcome<AccountNotice>,
    typed_question: Option<String>,
) -> Response {
    let status = outcome.status();
    connected_page_with(
        state,
        Uri::from_static(MY_ACCOUNT_PATH),
        headers,
        account_id,
        status,
        |page| match outcome {
            FormOutcome::Done(notice) => page.notice = Some(notice),
            FormOutcome::Refused(errors) => {
                page.errors = errors;
                page.typed.secret_question = typed_question.unwrap_or_default();
            }
            FormOutcome::Failed(reference) => page.failure = Some(reference),
        },
    )
    .await
}

/// `POST /mon-compte/mot-de-passe`
pub async fn submit_password(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let answered = change_password(
        &state,
        &connected.account_id,
        Some(&connected.session_id_hash),
        &form,
    )
    .await;
    let outcome = FormOutcome::of(answered, "password change");
    answer(&state, headers, &connected.account_id, outcome, None).await
}

/// `POST /mon-compte/question-secrete`
pub async fn submit_secret(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<SecretChangeForm>,
) -> Response {
    let answered = change_secret(&state, &connected.account_id, &form).await;
    let outcome = FormOutcome::of(answered, "secret change");
    let typed = Some(form.secret_question.chars().take(200).collect());
    answer(&state, headers, &connected.account_id, outcome, typed).await
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionForm {
    /// A session's handle, or `others` for every other session.
    session: String,
}

/// `POST /mon-compte/sessions`: ends one session of the account, or all the
/// others.
pub async fn submit_sessions(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Response {
    let answered = end_sessions(
        &state,
        &connected.account_id,
        &connected.session_id_hash,
        &form.session,
    )
    .await
    .map(|()| {
        Ok(AccountNotice {
            key: "account.sessions_ended".into(),
            email: String::new(),
        })
    });
    // Ending the request's own session is logging out.
    if session::current(&state, &headers)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return Redirect::to("/?info=logged_out").into_response();
    }
    let outcome = FormOutcome::of(answered, "ending sessions");
    answer(&state, headers, &connected.account_id, outcome, None).await
}

/// `POST /mon-compte/coordonnees`: names, postal address, phone and fax,
/// with the signup's rules.
pub async fn submit_profile(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<super::profile::ProfileForm>,
) -> Response {
    let answered = update_profile(&state, &connected.account_id, &form).await;
    let outcome = FormOutcome::of(answered, "details change");
    let uri = Uri::from_static(MY_ACCOUNT_PATH);
    let status = outcome.status();
    connected_page_with(
        &state,
        uri,
        headers,
        &connected.account_id,
        status,
        |page| match outcome {
            FormOutcome::Done(notice) => page.notice = Some(notice),
            FormOutcome::Refused(errors) => {
                page.errors = errors;
                page.typed.profile = Some(form);
            }
            FormOutcome::Failed(reference) => page.failure = Some(reference),
        },
    )
    .await
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    language: String,
}

/// `POST /mon-compte/langue`: the language of the emails and of the pages.
pub async fn submit_language(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Some(lang) = Lang::from_code(&form.language) else {
        return Redirect::to(MY_ACCOUNT_PATH).into_response();
    };
    let saved = sqlx::query("UPDATE accounts SET language = $1 WHERE id = $2")
        .bind(lang.code())
        .bind(&connected.account_id)
        .execute(&state.db)
        .await;
    if let Err(error) = saved {
        let error = anyhow::Error::new(error).context("saving the language");
        return crate::server::render::unavailable(&state, &headers, error).await;
    }
    // The pages follow too: the language switch sets its cookie and comes back.
    Redirect::to(&format!(
        "{}?lang={}&next={}",
        crate::i18n::LANGUAGE_SWITCH_PATH,
        lang.code(),
        MY_ACCOUNT_PATH
    ))
    .into_response()
}
