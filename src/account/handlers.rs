//! The plain door of the connected space: "Accueil connecté", "Mon
//! compte", and one plain post per form of "Mon compte" (each answered by
//! its [`MyAccountForm`] impl in `answers`, as its server function is), and
//! the flow's routes.

use super::answers::{connected_answer, MyAccountForm};
use super::forms::{
    AttachForm, BrowserForm, ContactForm, DeactivateForm, LanguageForm, LoginChangeForm,
    PasswordChangeForm, SecretChangeForm, SessionForm,
};
use super::profile::ProfileForm;
use super::ConnectedPage;
use crate::paths::{
    with_segment, ATTACH_FORM_PATH, BROWSERS_FORM_PATH, CONTACT_FORM_PATH, DEACTIVATE_FORM_PATH,
    HOME_PATH, LANGUAGE_FORM_PATH, LOGIN_FORM_PATH, MY_ACCOUNT_PATH, PASSWORD_FORM_PATH,
    PROFILE_FORM_PATH, SECRET_FORM_PATH, SESSIONS_FORM_PATH,
};
use crate::server::door;
use crate::server::web::Connected;
use crate::server::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

/// The two connected pages, and each form of "Mon compte": its plain post,
/// and its address visited (reloaded or bookmarked) back to the page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(HOME_PATH, get(get_connected_page))
        .route(MY_ACCOUNT_PATH, get(get_connected_page))
        .route(PASSWORD_FORM_PATH, form::<PasswordChangeForm>())
        .route(SECRET_FORM_PATH, form::<SecretChangeForm>())
        .route(SESSIONS_FORM_PATH, form::<SessionForm>())
        .route(BROWSERS_FORM_PATH, form::<BrowserForm>())
        .route(PROFILE_FORM_PATH, form::<ProfileForm>())
        .route(LANGUAGE_FORM_PATH, form::<LanguageForm>())
        .route(LOGIN_FORM_PATH, form::<LoginChangeForm>())
        .route(CONTACT_FORM_PATH, form::<ContactForm>())
        .route(ATTACH_FORM_PATH, form::<AttachForm>())
        .route(DEACTIVATE_FORM_PATH, form::<DeactivateForm>())
        // Any other word after /mon-compte/ is not a form either.
        .route(
            &with_segment(MY_ACCOUNT_PATH, "formulaire"),
            get(get_my_account),
        )
}

/// A form's address: its plain post, and a visit back to "Mon compte".
fn form<F: MyAccountForm>() -> axum::routing::MethodRouter<AppState> {
    post(post_form::<F>).get(get_my_account)
}

/// `GET /accueil` and `GET /mon-compte`: the state of the page at the
/// address, which the router draws.
pub async fn get_connected_page(
    State(state): State<AppState>,
    connected: Connected,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = connected_answer(
        &state,
        &headers,
        &connected.account_id,
        ConnectedPage::at(uri.path()),
        StatusCode::OK,
        |_| {},
    )
    .await;
    door::respond(&state, uri, headers, answer).await
}

/// `GET /mon-compte/<form>` (the address a plain post of one of "Mon
/// compte"'s forms leaves in the browser, reloaded or bookmarked): back to
/// "Mon compte" (303).
pub async fn get_my_account() -> Redirect {
    Redirect::to(MY_ACCOUNT_PATH)
}

/// `POST /mon-compte/<form>`: "Mon compte" drawn with the form's answer,
/// or where the answer goes.
pub async fn post_form<F: MyAccountForm>(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<F>,
) -> Response {
    let answer = form.answer(state.clone(), headers.clone(), connected).await;
    door::respond(&state, Uri::from_static(MY_ACCOUNT_PATH), headers, answer).await
}
