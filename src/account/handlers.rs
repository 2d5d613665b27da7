//! The doors of the connected space: "Accueil connecté", "Mon compte" and
//! its forms (details, login and contact addresses, structures, password,
//! secret question, sessions, language, deactivation). "Mon compte" calls
//! the services of the flows its forms belong to (`contact`,
//! `management`, `lifecycle`); they know nothing of this page.
//! Each form has one answer function, called by its plain post
//! (`POST /mon-compte/…`) and by its server function (`/api/mon-compte/…`).

use super::credentials::{change_password, change_secret, end_sessions, update_profile};
use super::forms::{
    AttachForm, ContactForm, DeactivateForm, LanguageForm, LoginChangeForm, PasswordChangeForm,
    SecretChangeForm, SessionForm,
};
use super::service::{connected_state, sessions};
use super::{AccountNotice, ConnectedPage, ConnectedPageState, MY_ACCOUNT_PATH};
use crate::contact::service::{request_change, request_login_change};
use crate::domain::{EmailAddress, FieldErrors};
use crate::i18n::Lang;
use crate::lifecycle::service::{deactivate, Acting};
use crate::mail::templates::ActedBy;
use crate::management::service::request_membership;
use crate::server::credentials::{check_current_password, CurrentPasswordRefused};
use crate::server::door::{self, Answer};
use crate::server::web::{Connected, FormOutcome};
use crate::server::{language, session, AppState};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::Form;

/// The state of the connected `page` for the account, after `adjust` has added
/// what a form produced (a notice, errors, what was typed), with `status`
/// for the plain door.
///
/// Errors: the database failed.
pub async fn connected_answer(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    page: ConnectedPage,
    status: StatusCode,
    adjust: impl FnOnce(&mut ConnectedPageState),
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(headers, state.config.default_lang);
    let mut shown = connected_state(state, account_id, lang, page).await?;
    if page == ConnectedPage::MyAccount {
        let current = session::request_id_hash(state, headers);
        shown.sessions = sessions(state, account_id, current.as_deref(), lang).await?;
    }
    adjust(&mut shown);
    Ok(Answer::Page(status, shown))
}

/// "Mon compte" after one of its forms: its notice, or its errors, or the
/// failure's reference, with `keep_typed` putting back what was typed when
/// the change was not made.
pub async fn my_account_after<N>(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    outcome: FormOutcome<N>,
    notice: impl FnOnce(N) -> Option<AccountNotice>,
    keep_typed: impl FnOnce(&mut ConnectedPageState),
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let status = outcome.status();
    connected_answer(
        state,
        headers,
        account_id,
        ConnectedPage::MyAccount,
        status,
        |shown| match outcome {
            FormOutcome::Done(done) => shown.notice = notice(done),
            FormOutcome::Refused(errors) => {
                shown.errors = errors;
                keep_typed(shown);
            }
            FormOutcome::Failed(reference) => {
                shown.failure = Some(reference);
                keep_typed(shown);
            }
        },
    )
    .await
}

/// The plain door of a form of "Mon compte": draws "Mon compte" with the
/// answer, or goes where it says.
pub async fn respond_on_my_account(
    state: &AppState,
    headers: HeaderMap,
    answer: anyhow::Result<Answer<ConnectedPageState>>,
) -> Response {
    let mut response =
        door::respond(state, Uri::from_static(MY_ACCOUNT_PATH), headers, answer).await;
    no_store(&mut response);
    response
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// `GET /mon-compte/<form>` (the address a plain post of one of "Mon
/// compte"'s forms leaves in the browser, reloaded or bookmarked): back to
/// "Mon compte" (303).
pub async fn to_my_account() -> axum::response::Redirect {
    axum::response::Redirect::to(MY_ACCOUNT_PATH)
}

/// `GET /accueil` and `GET /mon-compte`: the state of the page at the
/// address, which the router draws.
pub async fn connected_page(
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
    let mut response = door::respond(&state, uri, headers, answer).await;
    no_store(&mut response);
    response
}

/// "Modifier le mot de passe". Errors: the database failed.
pub async fn answer_password(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: PasswordChangeForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = change_password(&state, id, Some(&connected.session_id_hash), &form).await;
    let outcome = FormOutcome::of(answered, "password change");
    my_account_after(&state, &headers, id, outcome, Some, |_| {}).await
}

/// `POST /mon-compte/mot-de-passe`
pub async fn submit_password(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<PasswordChangeForm>,
) -> Response {
    let answer = answer_password(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// "Question secrète": the question as typed comes back after a refusal,
/// never the answer. Errors: the database failed.
pub async fn answer_secret(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: SecretChangeForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = change_secret(&state, id, &form).await;
    let outcome = FormOutcome::of(answered, "secret change");
    let typed: String = form.secret_question.chars().take(200).collect();
    my_account_after(&state, &headers, id, outcome, Some, |page| {
        page.typed.secret_question = typed
    })
    .await
}

/// `POST /mon-compte/question-secrete`
pub async fn submit_secret(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<SecretChangeForm>,
) -> Response {
    let answer = answer_secret(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// Ends one session of the account, or all the others. Ending this very
/// session is logging out: the login box says so. Errors: the database
/// failed.
pub async fn answer_sessions(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: SessionForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = end_sessions(&state, id, &connected.session_id_hash, &form.session)
        .await
        .map(|ended| {
            Ok(AccountNotice {
                key: if ended == 0 {
                    "account.sessions_none_ended".into()
                } else {
                    "account.sessions_ended".into()
                },
                email: String::new(),
            })
        });
    if session::current(&state, &headers).await?.is_none() {
        return Ok(Answer::GoTo {
            path: "/?info=logged_out".to_owned(),
            cookie: Some(session::clear_cookie(&state)),
            person_language: None,
        });
    }
    let outcome = FormOutcome::of(answered, "ending sessions");
    my_account_after(&state, &headers, id, outcome, Some, |_| {}).await
}

/// `POST /mon-compte/sessions`
pub async fn submit_sessions(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Response {
    let answer = answer_sessions(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// Names, postal address, phone and fax, with the signup's rules; the
/// details as typed come back after a refusal. Errors: the database
/// failed.
pub async fn answer_profile(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: super::profile::ProfileForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = update_profile(&state, id, &form).await;
    let outcome = FormOutcome::of(answered, "details change");
    my_account_after(&state, &headers, id, outcome, Some, |page| {
        page.typed.profile = Some(form)
    })
    .await
}

/// `POST /mon-compte/coordonnees`
pub async fn submit_profile(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<super::profile::ProfileForm>,
) -> Response {
    let answer = answer_profile(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// The language of the emails and of the pages: saved, then the language
/// switch sets the browser's cookie and comes back to "Mon compte". An
/// unknown language changes nothing. Errors: the database failed.
pub async fn answer_language(
    state: AppState,
    connected: Connected,
    form: LanguageForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let Some(lang) = Lang::from_code(&form.language) else {
        return Ok(Answer::go_to(MY_ACCOUNT_PATH));
    };
    sqlx::query("UPDATE accounts SET language = $1 WHERE id = $2")
        .bind(lang.code())
        .bind(&connected.account_id)
        .execute(&state.db)
        .await
        .map_err(|error| anyhow::Error::new(error).context("saving the language"))?;
    Ok(Answer::go_to(format!(
        "{}?lang={}&next={}",
        crate::i18n::LANGUAGE_SWITCH_PATH,
        lang.code(),
        MY_ACCOUNT_PATH
    )))
}

/// `POST /mon-compte/langue`
pub async fn submit_language(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response {
    let answer = answer_language(state.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// "Modifier l'identifiant de connexion": a confirmation link to the new
/// address, after the password; the address as typed comes back when the
/// change was not asked. Errors: the database failed.
pub async fn answer_login_change(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: LoginChangeForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let id = &connected.account_id;
    let answered = request_login_change(
        &state,
        id,
        &form.new_login_email,
        &form.login_password,
        lang,
    )
    .await;
    let outcome = FormOutcome::of(answered, "login change");
    let typed: String = form.new_login_email.chars().take(254).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |address| Some(link_sent("account.login_link_sent", address)),
        |page| page.typed.new_login_email = typed,
    )
    .await
}

/// `POST /mon-compte/identifiant`
pub async fn submit_login_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<LoginChangeForm>,
) -> Response {
    let answer = answer_login_change(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}

/// The notice `key` naming the address a confirmation link went to.
fn link_sent(key: &str, address: EmailAddress) -> AccountNotice {
    AccountNotice {
        key: key.into(),
        email: address.to_string(),
    }
}

/// "Modifier l'adresse de contact": a confirmation link to the new
/// address; the address as typed comes back when the change was not
/// asked. Errors: the database failed.
pub async fn answer_contact_change(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: ContactForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let id = &connected.account_id;
    let answered = request_change(&state, id, &form.contact_email, lang).await;
    let outcome = FormOutcome::of(answered, "contact change");
    let typed: String = form.contact_email.chars().take(254).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |address| Some(link_sent("account.contact_link_sent", address)),
        |page| page.typed.contact_email = typed,
    )
    .await
}

/// `POST /mon-compte/contact`
pub async fn submit_change(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<ContactForm>,
) -> Response {
    let answer = answer_contact_change(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
/// "Demander un rattachement" in "Mon compte": the request goes to the
/// structure's managers; the SIRET as typed comes back after a refusal.
/// Errors: the database failed.
pub async fn answer_attach(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: AttachForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let id = &connected.account_id;
    let answered = request_membership(&state, id, &form.siret).await;
    let outcome = FormOutcome::of(answered, "membership request");
    let typed: String = form.siret.chars().take(30).collect();
    my_account_after(
        &state,
        &headers,
        id,
        outcome,
        |structure| {
            Some(AccountNotice {
                key: "account.membership_requested".into(),
                email: structure,
            })
        },
        |page| page.typed.siret = typed,
    )
    .await
}

/// `POST /mon-compte/rattachement`
pub async fn submit_attach(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<AttachForm>,
) -> Response {
    let answer = answer_attach(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
/// "Désactiver mon compte", confirmed by the password: the sessions end
/// and the login box says the account is deactivated; a wrong password is
/// refused next to its field. Errors: the database failed.
pub async fn answer_deactivate_own(
    state: AppState,
    headers: HeaderMap,
    connected: Connected,
    form: DeactivateForm,
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let account_id = &connected.account_id;
    let answered = async {
        let password = &form.deactivate_password;
        if let Err(refused) = check_current_password(&state, account_id, password).await? {
            let mut errors = FieldErrors::new();
            errors.insert("deactivate_password", &refused);
            return anyhow::Ok(Err(errors));
        }
        let acting = Acting {
            by: ActedBy::Owner,
            actor_id: None,
            reason: None,
        };
        if deactivate(&state, account_id, acting).await? {
            return Ok(Ok(()));
        }
        // Not deactivated: the account was not active (anymore).
        let mut errors = FieldErrors::new();
        errors.insert("deactivate_password", &CurrentPasswordRefused::Wrong);
        Ok(Err(errors))
    }
    .await;
    let outcome = FormOutcome::of(answered, "deactivation");
    if outcome.is_done() {
        return Ok(Answer::GoTo {
            path: "/?info=deactivated".to_owned(),
            cookie: Some(session::clear_cookie(&state)),
            person_language: None,
        });
    }
    my_account_after(&state, &headers, account_id, outcome, |()| None, |_| {}).await
}

/// `POST /mon-compte/desactivation`
pub async fn deactivate_own(
    State(state): State<AppState>,
    connected: Connected,
    headers: HeaderMap,
    Form(form): Form<DeactivateForm>,
) -> Response {
    let answer = answer_deactivate_own(state.clone(), headers.clone(), connected, form).await;
    respond_on_my_account(&state, headers, answer).await
}
