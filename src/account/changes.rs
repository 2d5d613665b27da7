//! The changes "Mon compte" makes to the account itself, each checked as
//! the guide says (and recorded in the account's feed where the guide's
//! feed names it): the password and the secret question (after the current
//! password), the details, the sessions, the language, and deactivation by
//! its owner.

use super::forms::{PasswordChangeForm, SecretChangeForm};
use super::AccountNotice;
use crate::accounts::links::{self, Change};
use crate::accounts::Person;
use crate::accounts::{browsers, OutOfReach};
use crate::domain::password::parse_pair;
use crate::domain::{
    FieldErrors, PasswordError, PasswordPolicy, SecretAnswer, SecretQuestion, UserMessage,
};
use crate::i18n::Lang;
use crate::lifecycle::service::{deactivate, Acting, Deactivation};
use crate::login::credentials::{check_current_password, CurrentPasswordRefused};
use crate::mail::{enqueue, templates};
use crate::server::events::{self, EventKind};
use crate::server::password::normalize_answer;
use crate::server::session::{self, Renewed};
use crate::server::strength::refuse_if_guessable;
use crate::server::AppState;
use anyhow::Context;

/// A password replaced from "Mon compte": what to tell, and the session
/// that made the change under its new id (`None` when it had ended).
pub struct PasswordReplaced {
    pub notice: AccountNotice,
    pub session: Option<Renewed>,
}

/// "Modifier le mot de passe" (guide, section 5; the activation's policy:
/// 8+ characters, 3 of 4 classes, not guessable per zxcvbn): the other
/// sessions end, and the one that made the change (`keep_session`, its
/// stored hash) goes on under a new id (OWASP Session Management Cheat
/// Sheet, renewal at a change of privilege); the owner is told by email.
/// Or why each field was refused. Errors: the database failed.
pub async fn replace_password(
    state: &AppState,
    account_id: &str,
    keep_session: Option<&str>,
    form: &PasswordChangeForm,
) -> anyhow::Result<Result<PasswordReplaced, FieldErrors>> {
    let owner = Person::load(&state.db, account_id).await?;
    let mut errors = FieldErrors::new();
    let parsed = parse_pair(
        &form.password,
        &form.password_confirmation,
        PasswordPolicy::Activation,
    );
    if let Err(refused) = check_current_password(state, account_id, &form.current_password).await? {
        errors.insert("current_password", &refused);
    }
    if let Err(more) = &parsed {
        errors.extend(more.clone());
    }
    refuse_if_guessable(
        &mut errors,
        &form.password,
        PasswordPolicy::Activation,
        &[
            owner.login_email.as_str(),
            owner.last_name.as_str(),
            owner.first_name.as_str(),
        ],
    );
    let password = match parsed {
        Ok(password) if errors.is_empty() => password,
        _ => return Ok(Err(errors)),
    };
    if crate::domain::unicode::same_text(&form.password, &form.current_password) {
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
    sqlx::query("UPDATE accounts SET password_hash = $1, password_retired = 0 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("changing the password")?;
    session::end_others(&mut tx, account_id, keep_session).await?;
    let renewed = match keep_session {
        Some(id_hash) => session::renew(&mut tx, state, id_hash).await?,
        None => None,
    };
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
    let lang = owner.lang(state.config.default_lang);
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
    Ok(Ok(PasswordReplaced {
        notice: AccountNotice {
            key: "account.password_changed".into(),
            email: owner.login_email,
        },
        session: renewed,
    }))
}

/// "Question secrète": a new question and answer, after the current
/// password; the owner is told by email. Errors: the database failed.
pub async fn replace_secret(
    state: &AppState,
    account_id: &str,
    form: &SecretChangeForm,
) -> anyhow::Result<Result<AccountNotice, FieldErrors>> {
    let owner = Person::load(&state.db, account_id).await?;
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
    let lang = owner.lang(state.config.default_lang);
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

/// The details (names, postal address, phone, fax), with the signup's
/// rules. Errors: the database failed.
pub async fn save_profile(
    state: &AppState,
    account_id: &str,
    form: &super::profile::ProfileForm,
) -> anyhow::Result<Result<AccountNotice, FieldErrors>> {
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
    store_profile(&mut tx, account_id, &profile).await?;
    events::record(&mut tx, account_id, EventKind::ProfileUpdated, now).await?;
    tx.commit().await.context("committing a details change")?;
    Ok(Ok(AccountNotice {
        key: "account.profile_updated".into(),
        email: String::new(),
    }))
}

/// Ends one session of the account, named by `handle` (the first 16 hex
/// characters of its stored hash, as "Mon compte" lists them), or every
/// session but `current` when `handle` is `others`. Only the account's own
/// sessions can be named; any other `handle` ends nothing. Returns how
/// many sessions ended (none when the one named had ended already, from
/// another tab or by expiry). Errors: the database failed.
pub async fn close_sessions(
    state: &AppState,
    account_id: &str,
    current: &str,
    handle: &str,
) -> anyhow::Result<u64> {
    let mut conn = state.db.acquire().await.context("ending sessions")?;
    if handle == "others" {
        return session::end_others(&mut conn, account_id, Some(current)).await;
    }
    if handle.len() != 16 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(0);
    }
    let ended = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash LIKE $2")
        .bind(account_id)
        .bind(format!("{handle}%"))
        .execute(&mut *conn)
        .await
        .context("ending a session")?;
    Ok(ended.rows_affected())
}

/// Writes the details of `account_id`, in the caller's transaction ("Mon
/// compte", and corrections at activation). Errors: the database failed.
pub async fn store_profile(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    profile: &super::profile::Profile,
) -> anyhow::Result<()> {
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
    .execute(&mut *conn)
    .await
    .context("changing the details")?;
    Ok(())
}

/// Forgets the account's known browser `id`, or every one with `all`,
/// recorded in the feed: how many were forgotten (their next login is
/// told to the owner again). Errors: the database failed.
pub async fn forget_browsers(state: &AppState, account_id: &str, id: &str) -> anyhow::Result<u64> {
    let mut tx = state.db.begin().await.context("forgetting browsers")?;
    let forgotten = if id == "all" {
        browsers::forget(&mut tx, account_id, None).await?
    } else {
        browsers::forget(&mut tx, account_id, Some(id)).await?
    };
    if forgotten > 0 {
        events::record(
            &mut tx,
            account_id,
            EventKind::BrowserForgotten,
            state.clock.now_seconds(),
        )
        .await?;
    }
    tx.commit().await.context("committing forgotten browsers")?;
    Ok(forgotten)
}

/// The language of the account's emails and pages: saved; an unknown
/// code changes nothing (`None`). Errors: the database failed.
pub async fn save_language(
    state: &AppState,
    account_id: &str,
    code: &str,
) -> anyhow::Result<Option<Lang>> {
    let Some(lang) = Lang::from_code(code) else {
        return Ok(None);
    };
    sqlx::query("UPDATE accounts SET language = $1 WHERE id = $2")
        .bind(lang.code())
        .bind(account_id)
        .execute(&state.db)
        .await
        .context("saving the language")?;
    Ok(Some(lang))
}

/// "Désactiver mon compte", confirmed by the current password (guide,
/// section 5): the account's sessions end and its owner is told
/// (`lifecycle::service::deactivate`). A wrong or missing password, or an
/// account that was no longer active, is refused next to the password
/// field. Errors: the database failed.
pub async fn deactivate_own_account(
    state: &AppState,
    account_id: &str,
    password: &str,
) -> anyhow::Result<Result<(), FieldErrors>> {
    let mut errors = FieldErrors::new();
    if let Err(refused) = check_current_password(state, account_id, password).await? {
        errors.insert("deactivate_password", &refused);
        return Ok(Err(errors));
    }
    match deactivate(state, account_id, Acting::Owner).await? {
        Ok(Deactivation::Done) => return Ok(Ok(())),
        Ok(Deactivation::LastAdministrator) => {
            errors.insert("deactivate_password", &LastAdministrator)
        }
        Ok(Deactivation::NotActive) => {
            errors.insert("deactivate_password", &CurrentPasswordRefused::Wrong)
        }
        Err(OutOfReach) => anyhow::bail!("an owner's own account is never out of their reach"),
    }
    Ok(Err(errors))
}

/// The portal's last active administrator asked to deactivate their own
/// account: refused, so that someone can still act on every account.
struct LastAdministrator;

impl UserMessage for LastAdministrator {
    fn message_key(&self) -> &'static str {
        "errors.deactivate.last_administrator"
    }
}
