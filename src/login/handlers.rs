//! The doors of the login box (`POST /connexion`, `/api/connexion`) and
//! of "Déconnexion" (`POST /deconnexion`, `/api/deconnexion`), the login
//! box's state read from the home page's query, and the flow's routes.

use super::service::{authenticate, close_session, passkey_login, PasskeyRefused};
use super::{
    LoginBoxState, LoginForm, LoginRefusal, PasskeyLoginForm, PasskeyOffer, PasskeyOpening,
};
use crate::accounts::keys;
use crate::outcome::DoorError;
use crate::paths::{login_box_address, HOME_PAGE_PATH, LOGIN_PATH, LOGOUT_PATH, VERIFICATION_PATH};
use crate::second_step::handlers::after_login;
use crate::second_step::service::begin;
use crate::server::door::{self, Answer};
use crate::server::steady::Steady;
use crate::server::web::ClientAddress;
use crate::server::{language, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};

/// The login box's plain post (and its address visited), and "Déconnexion".
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LOGIN_PATH, post(post_login).get(get_login))
        .route(LOGOUT_PATH, post(post_logout))
}

/// `GET /connexion` (the address a refused plain login leaves in the
/// browser, reloaded or bookmarked): back to the login box (303), with its
/// `?suivant=` when it names a path of this site.
pub async fn get_login(uri: Uri) -> axum::response::Redirect {
    axum::response::Redirect::to(&login_box_address(&login_box_from_query(&uri).next))
}

/// `POST /connexion`
pub async fn post_login(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let answer = answer_login(&state, &headers, &client, form).await;
    door::respond(&state, Uri::from_static(HOME_PAGE_PATH), headers, answer).await
}

/// What the login box leads to, on both doors (`POST /connexion`, the
/// server function `/api/connexion`), no sooner than the steady answer
/// time: a pending login and "Vérification en deux étapes" (no session
/// yet: `second_step`), or the login box again with the refusal and the
/// address as typed (never the password).
///
/// Errors: the pending login could not be opened (the database failed).
pub async fn answer_login(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientAddress,
    form: LoginForm,
) -> anyhow::Result<Answer<LoginBoxState>> {
    let steady = Steady::start(state);
    let checked = steady
        .answer(authenticate(state, &form.email, &form.password, client.as_str()).await)
        .await;
    let refusal = match checked {
        Ok(Ok(account_id)) => {
            let next = after_login(&form.next);
            let cookie = begin(state, headers, &account_id, next).await?;
            let person = crate::accounts::Person::load(&state.db, &account_id).await?;
            return Ok(Answer::GoTo {
                path: VERIFICATION_PATH.to_owned(),
                cookies: vec![cookie],
                person_language: crate::i18n::Lang::from_code(&person.language),
            });
        }
        Ok(Err(refusal)) => refusal,
        Err(error) => {
            let reference = crate::error::report(&error, "login");
            LoginRefusal::Unavailable { reference }
        }
    };
    Ok(refused(refusal, &form.email, &form.next))
}

/// The login box again, saying `refusal`, with the address as typed
/// (bounded) and the page to come back to.
fn refused(refusal: LoginRefusal, email: &str, next: &str) -> Answer<LoginBoxState> {
    let status = match refusal {
        LoginRefusal::InvalidCredentials
        | LoginRefusal::Deactivated
        | LoginRefusal::PasskeyNotRecognised
        | LoginRefusal::PasskeyNotVerified
        | LoginRefusal::PasswordRetired => StatusCode::UNAUTHORIZED,
        LoginRefusal::PasskeyExpired => StatusCode::UNPROCESSABLE_ENTITY,
        LoginRefusal::Locked { .. } | LoginRefusal::TooManyAttempts => {
            StatusCode::TOO_MANY_REQUESTS
        }
        LoginRefusal::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
    };
    let login_box = LoginBoxState {
        email: email.chars().take(254).collect(),
        next: language::local_path(next).unwrap_or_default().to_owned(),
        refusal: Some(refusal),
        notice: None,
    };
    Answer::Page(status, login_box)
}

/// Passkey logins a client may open per login try it is allowed: page
/// views, reloads and cancelled prompts open more than are answered.
pub const PASSKEY_OPENINGS_PER_ATTEMPT: i64 = 4;

/// Opens a passkey login for the login box (see `open_passkey_login`):
/// a second per-client count, apart from the login tries', since every
/// view of the login box in a browser with passkeys opens one: up to
/// [`PASSKEY_OPENINGS_PER_ATTEMPT`] times `SESAME_CLIENT_MAX_ATTEMPTS` in
/// the window, which bounds the ceremonies one client can make the
/// database keep (5 minutes each).
///
/// Errors: [`DoorError::Unavailable`] when the database failed.
pub async fn offer_passkey(
    state: &AppState,
    client: &ClientAddress,
) -> Result<PasskeyOpening, DoorError> {
    let opened = async {
        let bucket = format!("passkey {}", client.as_str());
        let max = i64::from(state.config.client_max_attempts) * PASSKEY_OPENINGS_PER_ATTEMPT;
        if !crate::server::throttle::client_allowed_up_to(state, &bucket, max).await? {
            return Ok(PasskeyOpening::TooManyAttempts);
        }
        Ok(match keys::start_passkey_login(state).await? {
            Ok(challenge) => PasskeyOpening::Offer(PasskeyOffer {
                ceremony: challenge.ceremony,
                options: challenge.options,
            }),
            Err(keys::NoPasskeyLogin::Unavailable) => PasskeyOpening::NoPasskeys,
            Err(keys::NoPasskeyLogin::TooMany) => PasskeyOpening::TooManyAttempts,
        })
    };
    opened.await.map_err(door::fail)
}

/// "Se connecter avec une clé d'accès" (see `login::service::passkey_login`):
/// the session opens and the browser goes where it was going, or the login
/// box says why not.
///
/// Errors: none of its own (a failure is the login box's "unavailable").
pub async fn answer_passkey_login(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientAddress,
    form: PasskeyLoginForm,
) -> anyhow::Result<Answer<LoginBoxState>> {
    match passkey_login(
        state,
        headers,
        client.as_str(),
        &form.ceremony,
        &form.answer,
    )
    .await
    {
        Ok(Ok(session)) => Ok(Answer::GoTo {
            path: after_login(&form.next).to_owned(),
            cookies: session.cookies,
            person_language: session.language,
        }),
        Ok(Err(PasskeyRefused { refusal, email })) => Ok(refused(refusal, &email, &form.next)),
        Err(error) => {
            let reference = crate::error::report(&error, "passkey login");
            Ok(refused(
                LoginRefusal::Unavailable { reference },
                "",
                &form.next,
            ))
        }
    }
}

/// `POST /deconnexion`
pub async fn post_logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let answer = answer_logout(&state, &headers).await;
    door::respond(&state, Uri::from_static(HOME_PAGE_PATH), headers, answer).await
}

/// "Déconnexion", on both doors: the session ends (and the feed says so),
/// its cookie is cleared, and the login box says "Vous êtes déconnecté".
///
/// Errors: the database failed (the session may still be open).
pub async fn answer_logout(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Answer<()>> {
    close_session(state, headers).await?;
    Ok(Answer::session_ended(state, "logged_out"))
}

/// The login box of a plain visit to the home page: `?suivant=` and `?info=`.
pub fn login_box_from_query(uri: &Uri) -> LoginBoxState {
    let mut suivant = None;
    let mut info = None;
    for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "suivant" => suivant = Some(value.into_owned()),
            "info" => info = Some(value.into_owned()),
            _ => {}
        }
    }
    LoginBoxState::of_visit(suivant.as_deref(), info.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::login::LoginNotice;

    #[tokio::test]
    async fn a_refused_plain_login_reloaded_still_leads_back_to_the_page_asked_for() {
        use axum::response::IntoResponse;
        let login_box = LoginBoxState::of_visit(Some("/mon-compte"), None);
        assert_eq!(login_box.plain_address(), "/connexion?suivant=/mon-compte");
        let uri: Uri = login_box.plain_address().parse().unwrap();
        let back = get_login(uri).await.into_response();
        assert_eq!(back.status(), 303);
        assert_eq!(back.headers()["location"], "/?suivant=/mon-compte");
        for hostile in crate::server::language::HOSTILE_TARGETS {
            let login_box = LoginBoxState {
                next: (*hostile).to_owned(),
                ..LoginBoxState::default()
            };
            assert_eq!(login_box.plain_address(), "/connexion", "{hostile:?}");
            let uri = format!(
                "/connexion?suivant={}",
                crate::paths::encode_query_value(hostile)
            );
            let back = get_login(uri.parse().unwrap()).await.into_response();
            assert_eq!(back.headers()["location"], "/", "{hostile:?}");
        }
    }

    #[test]
    fn the_home_page_query_brings_the_notice_and_the_way_back() {
        let uri: Uri = "/?suivant=%2Fmon-compte".parse().unwrap();
        let login_box = login_box_from_query(&uri);
        assert_eq!(login_box.next, "/mon-compte");
        assert_eq!(login_box.notice, Some(LoginNotice::LoginRequired));
        let uri: Uri = "/?suivant=%2F%2Fevil.example".parse().unwrap();
        assert_eq!(login_box_from_query(&uri).next, "");
        let uri: Uri = "/?info=activated".parse().unwrap();
        assert_eq!(
            login_box_from_query(&uri).notice,
            Some(LoginNotice::Activated)
        );
    }
}
