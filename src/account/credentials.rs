//! "Mon compte": changing the password and the secret question (both after
//! the current password), ending sessions, and the language of the emails.

use super::ssr::connected_page_with;
use super::{AccountNotice, MY_ACCOUNT_PATH};
use crate::accounts::links::{self, Change};
use crate::domain::password::parse_pair;
use crate::domain::{FieldErrors, PasswordError, PasswordPolicy, SecretAnswer, SecretQuestion};
use crate::i18n::Lang;
use crate::mail::{enqueue, templates};
use crate::server::credentials::check_current_password;
use crate::server::events::{self, EventKind};
use crate::server::password::{normalize_answer, strength};
use crate::server::web::{Connected, FormOutcome};
use crate::server::{session, AppState};
use anyhow::Context;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

/// What a form of this module did: what to tell, or why each field was
/// refused.
type Outcome = Result<AccountNotice, FieldErrors>;

#[derive(sqlx::FromRow)]
struct Owner {
    login_email: String,
    first_name: String,
    last_name: String,
    language: String,
}

impl Owner {
    fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

async fn owner(state: &AppState, account_id: &str) -> anyhow::Result<Owner> {
    sqlx::query_as(
        "SELECT login_email, first_name, last_name, language FROM accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_one(&state.db)
    .await
    .context("reading the account")
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordChangeForm {
    current_password: String,
    password: String,
    password_confirmation: String,
}

async fn change_password(
    state: &AppState,
    account_id: &str,
    keep_session: Option<&str>,
    form: &PasswordChangeForm,
) -> anyhow::Result<Outcome> {
    let owner = owner(state, account_id).await?;
    let mut errors = FieldErrors::new();
    let parsed = parse_pair(
        &form.password,
        &form.password_confirmation,
        PasswordPolicy::Activation,
    );
    if let Err(refused) = check_current_password(state, account_id, &form.current_password).await? {
        errors.insert("current_password", &refused);
    }
    let password = match parsed {
        Ok(password) if errors.is_empty() => password,
        Ok(_) => return Ok(Err(errors)),
        Err(more) => {
            errors.extend(more);
            return Ok(Err(errors));
        }
    };
    let inputs = [
        owner.login_email.as_str(),
        owner.last_name.as_str(),
        owner.first_name.as_str(),
    ];
    if !strength(password.expose(), &inputs).acceptable() {
        errors.insert("password", &PasswordError::TooGuessable);
        return Ok(Err(errors));
    }
    if form.password == form.current_password {
        errors.insert("password", &PasswordError::SameAsCurrent);
        return Ok(Err(errors));
    }
    let hash = state.hasher.hash(password.expose()).await?;
    let now: jiff::Timestamp = state.clock.now();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a password change")?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("changing the password")?;
    session::end_others(&mut tx, account_id, keep_session).await?;
    links::retire(
        &mut tx,
        account_id,
        Change::PasswordChanged,
        now.as_second(),
    )
    .await?;
    events::record(
        &mut tx,
        account_id,
        EventKind::PasswordChanged,
        now.as_second(),
    )
    .await?;
    let lang = Lang::from_code(&owner.language).unwrap_or(state.config.default_lang);
    let email = templates::password_changed_in_account(
        lang,
        &owner.login_email,
        &owner.full_name(),
        &templates::format_datetime(lang, now, &state.config.timezone),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a password change")?;
    state.mailer.wake();
    Ok(Ok(AccountNotice {
        key: "account.password_changed".into(),
        email: owner.login_email,
    }))
}

#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct SecretChangeForm {
    secret_password: String,
    secret_question: String,
    secret_answer: String,
}

async fn change_secret(
    state: &AppState,
    account_id: &str,
    form: &SecretChangeForm,
) -> anyhow::Result<Outcome> {
    let owner = owner(state, account_id).await?;
    let mut errors = FieldErrors::new();
    let question = errors.check(
        "secret_question",
        SecretQuestion::parse(&form.secret_question),
    );
    let answer = errors.check("secret_answer", SecretAnswer::parse(&form.secret_answer));
    if let Err(refused) = check_current_password(state, account_id, &form.secret_password).await? {
        errors.insert("secret_password", &refused);
    }
    let (Some(question), Some(answer)) = (question, answer) else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let answer_hash = state.hasher.hash(&normalize_answer(&answer)).await?;
    let now: jiff::Timestamp = state.clock.now();
    let mut tx = state.db.begin().await.context("starting a secret change")?;
    sqlx::query("UPDATE accounts SET secret_question = $1, secret_answer_hash = $2 WHERE id = $3")
        .bind(question.as_ref())
        .bind(answer_hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("changing the secret question")?;
    events::record(
        &mut tx,
        account_id,
        EventKind::SecretChanged,
        now.as_second(),
    )
    .await?;
    let lang = Lang::from_code(&owner.language).unwrap_or(state.config.default_lang);
    let email = templates::secret_changed(
        lang,
        &owner.login_email,
        &owner.full_name(),
        &templates::format_datetime(lang, now, &state.config.timezone),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a secret change")?;
    state.mailer.wake();
    Ok(Ok(AccountNotice {
        key: "account.secret_changed".into(),
        email: owner.login_email,
    }))
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
    let session = &connected;
    let answered = async {
        let mut conn = state.db.acquire().await.context("ending sessions")?;
        if form.session == "others" {
            session::end_others(
                &mut conn,
                &session.account_id,
                Some(&session.session_id_hash),
            )
            .await?;
        } else if form.session.len() == 16 && form.session.bytes().all(|b| b.is_ascii_hexdigit()) {
            // Only the account's own sessions can be named.
            sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash LIKE $2")
                .bind(&session.account_id)
                .bind(format!("{}%", form.session))
                .execute(&mut *conn)
                .await
                .context("ending a session")?;
        }
        anyhow::Ok(Ok(AccountNotice {
            key: "account.sessions_ended".into(),
            email: String::new(),
        }))
    }
    .await;
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

async fn update_profile(
    state: &AppState,
    account_id: &str,
    form: &super::profile::ProfileForm,
) -> anyhow::Result<Outcome> {
    let mut errors = FieldErrors::new();
    let Some(profile) = form.check(&mut errors) else {
        return Ok(Err(errors));
    };
    let now = state.clock.now_seconds();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a details change")?;
    sqlx::query(
        "UPDATE accounts SET last_name = $1, first_name = $2, address = $3, address_complement_1 = $4, \
         address_complement_2 = $5, postal_code = $6, city = $7, country = $8, phone = $9, fax = $10 \
         WHERE id = $11",
    )
    .bind(profile.last_name.as_ref())
    .bind(profile.first_name.as_ref())
    .bind(profile.address.as_ref())
    .bind(profile.address_complement_1.as_deref().map(str::to_owned))
    .bind(profile.address_complement_2.as_deref().map(str::to_owned))
    .bind(profile.postal_code.as_ref())
    .bind(profile.city.as_ref())
    .bind(profile.country.code())
    .bind(profile.phone.as_ref().map(|p| p.as_ref().to_owned()))
    .bind(profile.fax.as_ref().map(|p| p.as_ref().to_owned()))
    .bind(account_id)
    .execute(&mut *tx)
    .await
    .context("changing the details")?;
    events::record(&mut tx, account_id, EventKind::ProfileUpdated, now).await?;
    tx.commit().await.context("committing a details change")?;
    Ok(Ok(AccountNotice {
        key: "account.profile_updated".into(),
        email: String::new(),
    }))
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
