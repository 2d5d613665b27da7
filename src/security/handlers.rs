//! The doors of "Sécurité" (`GET`/`POST /securite`, its QR code, and the
//! server functions `/api/securite/page`, `/api/securite`) and its routes.

use super::service::{act, enrolment_qr, overview, Done};
use super::{SecurityForm, SecurityPageState};
use crate::accounts::factors::postpone_app_prompt;
use crate::paths::{SECURITY_PATH, SECURITY_QR_PATH};
use crate::second_step::handlers::after_login;
use crate::server::door::{self, Answer};
use crate::server::web::{Connected, Verdict};
use crate::server::{language, render, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};

/// The page, its forms' plain post, and the QR code of an app being added.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(SECURITY_PATH, get(get_security).post(post_security))
        .route(SECURITY_QR_PATH, get(get_enrolment_qr))
}

/// The page for `connected`, recommending an app when `recommend`, with
/// "Plus tard" towards `next` (a path of this site, else "Accueil").
///
/// Errors: the database failed.
pub async fn answer_show(
    state: &AppState,
    headers: &HeaderMap,
    connected: &Connected,
    recommend: bool,
    next: &str,
) -> anyhow::Result<Answer<SecurityPageState>> {
    let lang = language::of_headers(headers, state.config.default_lang);
    let mut shown = overview(state, &connected.account_id, lang).await?;
    shown.recommend = recommend && shown.app.is_none();
    shown.next = language::local_path(next)
        .unwrap_or(crate::paths::HOME_PATH)
        .to_owned();
    Ok(Answer::page(shown))
}

/// `GET /securite` (`?conseil=1&suivant=…` after a login by emailed code).
pub async fn get_security(
    State(state): State<AppState>,
    connected: Connected,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut recommend = false;
    let mut next = String::new();
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "conseil" => recommend = value == "1",
            "suivant" => next = value.into_owned(),
            _ => {}
        }
    }
    let answer = answer_show(&state, &headers, &connected, recommend, &next).await;
    door::respond(&state, uri, headers, answer).await
}

/// A form of "Sécurité", on both doors: the page after it, with its
/// notice (and the new recovery codes, this once), or its errors.
///
/// Errors: the database failed before anything could be drawn.
pub async fn answer_act(
    state: &AppState,
    headers: &HeaderMap,
    connected: &Connected,
    form: SecurityForm,
) -> anyhow::Result<Answer<SecurityPageState>> {
    if form.intent == "postpone" {
        postpone_app_prompt(state, &connected.account_id).await?;
        return Ok(Answer::go_to(after_login(&form.next)));
    }
    let verdict = Verdict::of(
        act(
            state,
            &connected.account_id,
            &connected.session_id_hash,
            &form,
        )
        .await,
        "security",
    );
    let lang = language::of_headers(headers, state.config.default_lang);
    let mut shown = overview(state, &connected.account_id, lang).await?;
    shown.next = crate::paths::HOME_PATH.to_owned();
    let status = verdict.status();
    match verdict {
        Verdict::Done(Done::Notice(key)) => shown.notice = Some(key.to_owned()),
        Verdict::Done(Done::NewCodes(codes, key)) => {
            shown.notice = Some(key.to_owned());
            shown.new_codes = super::ShownOnce(codes);
        }
        Verdict::Done(Done::KeyOptions(name, options)) => {
            shown.adding_key = Some((name, options));
        }
        Verdict::Done(Done::EditKey(id)) => {
            shown.editing_key = shown.keys.iter().find(|key| key.id == id).cloned();
        }
        Verdict::Refused(errors) => {
            shown.errors = errors;
            shown.refused = form.intent.clone();
            shown.typed_code = form.code.chars().take(20).collect();
            shown.typed_key_name = form.key_name.chars().take(200).collect();
            if form.intent == "key_rename" {
                shown.editing_key = shown.keys.iter().find(|key| key.id == form.key_id).cloned();
            }
        }
        Verdict::Failed(reference) => {
            shown.failure = Some(reference);
            shown.refused = form.intent.clone();
        }
    }
    Ok(Answer::Page(status, shown))
}

/// `POST /securite`
pub async fn post_security(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<SecurityForm>,
) -> Response {
    let answer = answer_act(&state, &headers, &connected, form).await;
    door::respond(&state, Uri::from_static(SECURITY_PATH), headers, answer).await
}

/// `GET /securite/code-qr`: the SVG of the QR code of the app being added
/// (404 when none is), never cached.
pub async fn get_enrolment_qr(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
) -> Response {
    match enrolment_qr(&state, &connected.account_id).await {
        Ok(Some(svg)) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            svg,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => render::unavailable(&state, &headers, error).await,
    }
}
