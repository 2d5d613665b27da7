//! The server side of signup: the `POST /inscription` handler and the plain
//! `create_account` function it calls, testable without HTTP.

use super::{NewAccount, SignupForm, SignupRecap};
use crate::accounts::{AccountState, MembershipStatus};
use crate::activation::service::{queue_activation_email, resend_for_account};
use crate::domain::{CaptchaAnswer, FieldErrors};
use crate::i18n::Lang;
use crate::mail::address::check_deliverable;
use crate::mail::templates::ActivationOccasion;
use crate::mail::{enqueue, templates};
use crate::server::events::{self, EventKind};
use crate::server::{captcha, db::is_unique_violation, tokens, AppState};
use anyhow::Context;

/// No structure has the SIRET typed on the configuration screen.
struct UnknownStructure;

impl crate::domain::UserMessage for UnknownStructure {
    fn message_key(&self) -> &'static str {
        "errors.siret.unknown"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    /// Something the person can fix: shown next to the fields.
    #[error("the form has {} error(s)", .0.len())]
    Invalid(FieldErrors),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Creates a pending account and queues its activation email, or, when the
/// login address already has an account, warns its owner; both give the
/// same recap, so the form never tells who is registered.
pub async fn create_account(
    state: &AppState,
    form: &SignupForm,
    lang: Lang,
) -> Result<SignupRecap, SignupError> {
    let parsed = form.parse();
    let typed_answer = CaptchaAnswer::parse(&form.captcha_answer);
    let captcha_outcome = captcha::verify(
        state,
        &form.captcha_id,
        typed_answer.as_ref().map_err(|e| *e),
    )
    .await
    .map_err(SignupError::Unexpected)?;
    let (account, mut errors) = match parsed {
        Ok((account, _)) => (Some(account), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let captcha_solved = captcha_outcome.is_ok();
    if let Err(captcha_error) = captcha_outcome {
        errors.insert("captcha_answer", &captcha_error);
    }
    let siret = match form.parse_siret() {
        Ok(siret) => siret,
        Err(siret_errors) => {
            errors.extend(siret_errors);
            None
        }
    };
    // Only behind a solved captcha: the answer tells whether a SIRET has a
    // structure here, which must not be asked in bulk.
    let structure = match &siret {
        Some(siret) if captcha_solved => {
            let found: Option<(String, String)> =
                sqlx::query_as("SELECT id, name FROM structures WHERE siret = $1")
                    .bind(siret.as_ref())
                    .fetch_optional(&state.db)
                    .await
                    .context("reading the structure")
                    .map_err(SignupError::Unexpected)?;
            if found.is_none() {
                errors.insert("siret", &UnknownStructure);
            }
            found.map(|(id, name)| (id, format!("{name} (SIRET {})", siret.grouped())))
        }
        _ => None,
    };
    if let Some(account) = &account {
        let relay_utf8 = state.config.smtp_utf8;
        check_deliverable(&mut errors, "login_email", &account.login_email, relay_utf8);
        if let Some(contact) = &account.contact_email {
            check_deliverable(&mut errors, "contact_email", contact, relay_utf8);
        }
    }
    let account = match account {
        Some(account) if errors.is_empty() => account,
        _ => return Err(SignupError::Invalid(errors)),
    };

    let recap = SignupRecap {
        full_name: format!(
            "{} {}",
            account.profile.last_name, account.profile.first_name
        ),
        login_email: account.login_email.to_string(),
        valid_hours: state.config.activation_link_hours,
        structure: structure.as_ref().map(|(_, label)| label.clone()),
    };
    let structure_id = structure.map(|(id, _)| id);
    store(state, &account, structure_id.as_deref(), lang).await?;
    state.mailer.wake();
    Ok(recap)
}

async fn store(
    state: &AppState,
    account: &NewAccount,
    structure_id: Option<&str>,
    lang: Lang,
) -> anyhow::Result<()> {
    match insert_new(state, account, structure_id, lang).await {
        Ok(()) => Ok(()),
        Err(InsertError::AlreadyRegistered) => warn_owner(state, account).await,
        Err(InsertError::Other(error)) => Err(error),
    }
}

enum InsertError {
    AlreadyRegistered,
    Other(anyhow::Error),
}

impl From<anyhow::Error> for InsertError {
    fn from(error: anyhow::Error) -> Self {
        InsertError::Other(error)
    }
}

async fn insert_new(
    state: &AppState,
    account: &NewAccount,
    structure_id: Option<&str>,
    lang: Lang,
) -> Result<(), InsertError> {
    let now = state.clock.now_seconds();
    let id = tokens::new_id()?;
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting the signup transaction")?;
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, login_email, contact_email, last_name, first_name, address, \
         address_complement_1, address_complement_2, postal_code, city, country, phone, fax, \
         language, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16, $15)",
    )
    .bind(&id)
    .bind(account.login_email.as_ref())
    .bind(
        account
            .contact_email
            .as_ref()
            .map(|e| e.as_ref().to_owned()),
    )
    .bind(account.profile.last_name.as_ref())
    .bind(account.profile.first_name.as_ref())
    .bind(account.profile.address.as_ref())
    .bind(
        account
            .profile
            .address_complement_1
            .as_deref()
            .map(str::to_owned),
    )
    .bind(
        account
            .profile
            .address_complement_2
            .as_deref()
            .map(str::to_owned),
    )
    .bind(account.profile.postal_code.as_ref())
    .bind(account.profile.city.as_ref())
    .bind(account.profile.country.code())
    .bind(
        account
            .profile
            .phone
            .as_ref()
            .map(|p| p.as_ref().to_owned()),
    )
    .bind(account.profile.fax.as_ref().map(|p| p.as_ref().to_owned()))
    .bind(lang.code())
    .bind(now)
    .bind(AccountState::Pending.as_str())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => return Err(InsertError::AlreadyRegistered),
        Err(error) => {
            return Err(anyhow::Error::new(error)
                .context("storing the account")
                .into())
        }
    }
    events::record(&mut tx, &id, EventKind::Created, now).await?;
    if let Some(structure_id) = structure_id {
        sqlx::query(
            "INSERT INTO memberships (account_id, structure_id, status, requested_at) \
             VALUES ($1, $2, $4, $3)",
        )
        .bind(&id)
        .bind(structure_id)
        .bind(now)
        .bind(MembershipStatus::Pending.as_str())
        .execute(&mut *tx)
        .await
        .context("requesting the attachment")?;
        events::record(&mut tx, &id, EventKind::MembershipRequested, now).await?;
    }
    queue_activation_email(
        &mut tx,
        state,
        ActivationOccasion::First,
        &id,
        account.login_email.as_ref(),
        lang,
    )
    .await?;
    tx.commit().await.context("committing the signup")?;
    tracing::info!(account = %id, "account created, activation email queued");
    Ok(())
}

/// Tells the owner of an existing account what helps them after someone
/// signed up with their address. An account still waiting for activation
/// gets a fresh activation link saying so (within
/// `SESAME_ACTIVATION_RESEND_MINUTES`: logging in or "Mot de passe oublié ?"
/// cannot work before activation); any other gets a warning, at most once
/// an hour. The page shown is the same either way.
async fn warn_owner(state: &AppState, attempt: &NewAccount) -> anyhow::Result<()> {
    let pending: Option<(String,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1 AND state = $2")
            .bind(attempt.login_email.as_ref())
            .bind(AccountState::Pending.as_str())
            .fetch_optional(&state.db)
            .await
            .context("reading the existing account")?;
    if let Some((id,)) = pending {
        let sent = resend_for_account(state, &id, ActivationOccasion::SignupAgain).await?;
        tracing::info!(account = %id, resent = sent.is_some(), "signup attempted on a pending account");
        return Ok(());
    }
    let now = state.clock.now_seconds();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting the duplicate-signup transaction")?;
    let owner: Option<(String, String, String, String)> = sqlx::query_as(
        "UPDATE accounts SET duplicate_warning_at = $1 WHERE login_email = $2 \
         AND (duplicate_warning_at IS NULL OR duplicate_warning_at < $3) \
         RETURNING id, language, first_name, last_name",
    )
    .bind(now)
    .bind(attempt.login_email.as_ref())
    .bind(now - 3600)
    .fetch_optional(&mut *tx)
    .await
    .context("reading the existing account")?;
    if let Some((id, language, first_name, last_name)) = owner {
        let lang = Lang::from_code(&language).unwrap_or(state.config.default_lang);
        let email = templates::signup_attempt(
            lang,
            attempt.login_email.as_ref(),
            &format!("{first_name} {last_name}"),
            &state.config.public_url,
        );
        enqueue(&mut tx, state, &email).await?;
        tracing::info!(account = %id, "signup attempted on an existing account, owner warned");
    }
    tx.commit()
        .await
        .context("committing the duplicate-signup warning")?;
    Ok(())
}
