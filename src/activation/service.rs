//! The server side of activation.

use super::{Activation, ActivationForm};
use crate::account::changes::store_profile;
use crate::accounts::links::{self, Found};
use crate::accounts::memberships;
use crate::accounts::summary::account_summary;
use crate::accounts::AccountSummary;
use crate::accounts::{AccountState, TokenPurpose};
use crate::domain::{FieldErrors, PasswordPolicy};
use crate::i18n::Lang;
use crate::mail::enqueue;
use crate::mail::templates::{self, ActivationOccasion};
use crate::server::events::{self, EventKind};
use crate::server::password::normalize_answer;
use crate::server::strength::refuse_if_guessable;
use crate::server::AppState;
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

/// Issues an activation link for the account (retiring older ones) and
/// queues its email, in the caller's transaction. The email quotes nothing
/// typed at signup: its address is not confirmed yet.
pub async fn queue_activation_email(
    conn: &mut AnyConnection,
    state: &AppState,
    occasion: ActivationOccasion,
    account_id: &str,
    login_email: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    let now: Timestamp = state.clock.now();
    let valid_for = SignedDuration::from_hours(i64::from(state.config.activation_link_hours));
    let issued = links::issue(
        conn,
        account_id,
        TokenPurpose::Activation,
        None,
        now,
        valid_for,
    )
    .await?;
    sqlx::query("UPDATE accounts SET activation_sent_at = $1 WHERE id = $2")
        .bind(now.as_second())
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("recording when the activation email was sent")?;
    let link = issued.url(&state.config.public_url, crate::paths::ACTIVATION_PREFIX);
    let valid_until = templates::format_datetime(lang, issued.expires_at, &state.config.timezone);
    let email = templates::activation(lang, occasion, login_email, &link, &valid_until);
    enqueue(conn, state, &email).await?;
    Ok(())
}

async fn find_link(state: &AppState, token: &str) -> anyhow::Result<Found> {
    links::find(
        &state.db,
        token,
        &[TokenPurpose::Activation],
        state.clock.now_seconds(),
    )
    .await
}

/// Where an activation link stands, for its page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActivationLink {
    Unknown,
    /// Used, or its account is no longer pending.
    AlreadyActive,
    Expired,
    /// A newer activation email replaced it.
    Retired,
    /// It can activate this account.
    Ready(Box<PendingAccount>),
}

/// A pending account as its activation page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAccount {
    pub account: AccountSummary,
    /// The structure requests made at signup, still pending.
    pub requests: Vec<String>,
}

impl PendingAccount {
    /// Whether its details were typed at signup (which asks for a postal
    /// address) and are the owner's to correct; `sesame admin create`
    /// stores the names the operator typed and no address.
    pub fn typed_at_signup(&self) -> bool {
        !self.account.address.is_empty()
    }
}

/// Where the link stands now, without consuming it.
pub async fn look_up(state: &AppState, token: &str) -> anyhow::Result<ActivationLink> {
    let link = match find_link(state, token).await? {
        Found::Unknown => return Ok(ActivationLink::Unknown),
        Found::Used(_) => return Ok(ActivationLink::AlreadyActive),
        Found::Retired(link) | Found::Expired(link) | Found::Valid(link)
            if link.account_state != AccountState::Pending =>
        {
            return Ok(ActivationLink::AlreadyActive)
        }
        Found::Retired(_) => return Ok(ActivationLink::Retired),
        Found::Expired(_) => return Ok(ActivationLink::Expired),
        Found::Valid(link) => link,
    };
    let account = account_summary(state, &link.account_id)
        .await?
        .context("the link's account is gone")?;
    let requests = memberships::pending_requests(&state.db, &link.account_id).await?;
    Ok(ActivationLink::Ready(Box::new(PendingAccount {
        account,
        requests,
    })))
}

/// Why an activation did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActivationRefused {
    /// The link cannot activate (anymore).
    Link(ActivationLink),
    /// The form broke a rule, next to each field; the account is shown again.
    Form {
        pending: Box<PendingAccount>,
        errors: FieldErrors,
    },
}

/// Sets the password and the secret question, and activates the account;
/// the link is consumed by one conditional update, so it works once. In
/// the same transaction, what the owner corrected of what was typed at
/// signup (part 14, pre-account hijacking): the details, a contact address
/// never confirmed dropped, the structure requests withdrawn, each
/// recorded in the feed. Errors: the database or the hashing failed.
pub async fn activate_account(
    state: &AppState,
    token: &str,
    form: &ActivationForm,
) -> anyhow::Result<Result<(), ActivationRefused>> {
    let pending = match look_up(state, token).await? {
        ActivationLink::Ready(pending) => pending,
        other => return Ok(Err(ActivationRefused::Link(other))),
    };
    let refuse = |errors: FieldErrors| {
        Ok(Err(ActivationRefused::Form {
            pending: pending.clone(),
            errors,
        }))
    };
    let account = &pending.account;
    // Details are corrected only where someone typed them at signup.
    let only_secrets;
    let form = if pending.typed_at_signup() {
        form
    } else {
        only_secrets = ActivationForm {
            details: String::new(),
            ..form.clone()
        };
        &only_secrets
    };
    let parsed = form.parse();
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    // The names as they will be: as corrected, else as typed at signup.
    let (last_name, first_name) = if form.carries_details() {
        (
            form.profile.last_name.as_str(),
            form.profile.first_name.as_str(),
        )
    } else {
        (account.last_name.as_str(), account.first_name.as_str())
    };
    let guessable = refuse_if_guessable(
        &mut errors,
        &form.password,
        PasswordPolicy::Activation,
        &[&account.login_email, last_name, first_name],
    );
    let Activation {
        password,
        question,
        answer,
        profile,
    } = match parsed {
        Ok(parsed) if !guessable => parsed,
        _ => return refuse(errors),
    };
    let password_hash = state.hasher.hash(password.expose()).await?;
    let answer_hash = state.hasher.hash(&normalize_answer(&answer)).await?;

    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting the activation")?;
    let consumed = links::consume(&mut tx, token, &[TokenPurpose::Activation], now).await?;
    let Some(link) = consumed else {
        drop(tx);
        return Ok(Err(ActivationRefused::Link(look_up(state, token).await?)));
    };
    let account_id = link.account_id;
    let activated = sqlx::query(
        "UPDATE accounts SET password_hash = $1, secret_question = $2, secret_answer_hash = $3, \
         state = $4, activated_at = $5 WHERE id = $6 AND state = $7",
    )
    .bind(password_hash)
    .bind(question.as_ref())
    .bind(answer_hash)
    .bind(AccountState::Active.as_str())
    .bind(now)
    .bind(&account_id)
    .bind(AccountState::Pending.as_str())
    .execute(&mut *tx)
    .await
    .context("activating the account")?;
    if activated.rows_affected() != 1 {
        drop(tx);
        return Ok(Err(ActivationRefused::Link(ActivationLink::AlreadyActive)));
    }
    events::record(&mut tx, &account_id, EventKind::Activated, now).await?;
    if let Some(profile) = profile {
        store_profile(&mut tx, &account_id, &profile).await?;
    }
    if form.drop_contact == "1" {
        // Only a contact address nobody confirmed: a confirmed one cannot
        // exist before activation, but the rule is said where it holds.
        sqlx::query(
            "UPDATE accounts SET contact_email = NULL WHERE id = $1 AND contact_confirmed = 0",
        )
        .bind(&account_id)
        .execute(&mut *tx)
        .await
        .context("dropping the contact address typed at signup")?;
    }
    if form.withdraw_requests == "1"
        && memberships::withdraw_pending(&mut tx, &account_id).await? > 0
    {
        events::record(&mut tx, &account_id, EventKind::MembershipWithdrawn, now).await?;
    }
    tx.commit().await.context("committing the activation")?;
    tracing::info!(account = %account_id, "account activated");
    Ok(Ok(()))
}

/// A fresh activation link for a pending account ("Réactiver", the resend
/// page, or a second signup with its address), at most one email every
/// `SESAME_ACTIVATION_RESEND_MINUTES`; older links are retired. Returns the
/// address it goes to, or `None` when the account is not pending or a link
/// was sent too recently.
pub async fn resend_for_account(
    state: &AppState,
    account_id: &str,
    occasion: ActivationOccasion,
) -> anyhow::Result<Option<String>> {
    let now = state.clock.now_seconds();
    let floor = now - i64::from(state.config.activation_resend_minutes) * 60;
    let mut tx = state.db.begin().await.context("starting a resend")?;
    let claimed: Option<(String, String)> = sqlx::query_as(
        "UPDATE accounts SET activation_sent_at = $1 WHERE id = $2 AND state = $4 \
         AND (activation_sent_at IS NULL OR activation_sent_at <= $3) \
         RETURNING login_email, language",
    )
    .bind(now)
    .bind(account_id)
    .bind(floor)
    .bind(AccountState::Pending.as_str())
    .fetch_optional(&mut *tx)
    .await
    .context("claiming a resend")?;
    let Some((login_email, language)) = claimed else {
        return Ok(None);
    };
    let lang = Lang::from_code(&language).unwrap_or(state.config.default_lang);
    queue_activation_email(&mut tx, state, occasion, account_id, &login_email, lang).await?;
    events::record(&mut tx, account_id, EventKind::ActivationResent, now).await?;
    tx.commit().await.context("committing a resend")?;
    state.mailer.wake();
    Ok(Some(login_email))
}

/// "Vous n'avez pas reçu le courriel d'activation ?": when `email` is the
/// login address of a pending account, a fresh activation link goes there
/// (at most one every `SESAME_ACTIVATION_RESEND_MINUTES`); otherwise
/// nothing happens, and the caller answers the same.
///
/// Errors: the database failed.
pub async fn resend_to_pending(
    state: &AppState,
    email: &crate::domain::EmailAddress,
) -> anyhow::Result<()> {
    let pending: Option<(String,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1 AND state = $2")
            .bind(email.as_ref())
            .bind(AccountState::Pending.as_str())
            .fetch_optional(&state.db)
            .await
            .context("reading the account")?;
    if let Some((id,)) = pending {
        resend_for_account(state, &id, ActivationOccasion::First).await?;
    }
    Ok(())
}

/// Deletes, with their data, accounts left pending longer than
/// `SESAME_PENDING_ACCOUNT_DAYS`; their addresses can register again.
pub async fn purge_pending(state: &AppState) -> anyhow::Result<u64> {
    let cutoff = state.clock.now_seconds() - i64::from(state.config.pending_account_days) * 86_400;
    let deleted = sqlx::query("DELETE FROM accounts WHERE state = $1 AND created_at < $2")
        .bind(AccountState::Pending.as_str())
        .bind(cutoff)
        .execute(&state.db)
        .await
        .context("purging pending accounts")?;
    Ok(deleted.rows_affected())
}

/// What "Réactiver" did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reactivation {
    /// A new link goes to `email`, or one went less than
    /// `SESAME_ACTIVATION_RESEND_MINUTES` ago (`throttled`).
    Resent { email: String, throttled: bool },
    /// The link is unknown, or its account no longer pending.
    Link(ActivationLink),
}

/// "Réactiver" from any activation link of a pending account (expired,
/// retired or still valid). Errors: the database failed.
pub async fn reactivate(state: &AppState, token: &str) -> anyhow::Result<Reactivation> {
    let link = match find_link(state, token).await? {
        Found::Unknown => return Ok(Reactivation::Link(ActivationLink::Unknown)),
        Found::Used(link) | Found::Retired(link) | Found::Expired(link) | Found::Valid(link) => {
            link
        }
    };
    if link.account_state != AccountState::Pending {
        return Ok(Reactivation::Link(ActivationLink::AlreadyActive));
    }
    let email: Option<(String,)> = sqlx::query_as("SELECT login_email FROM accounts WHERE id = $1")
        .bind(&link.account_id)
        .fetch_optional(&state.db)
        .await
        .context("reading the account")?;
    let sent = resend_for_account(state, &link.account_id, ActivationOccasion::First).await?;
    Ok(Reactivation::Resent {
        email: email.map(|(e,)| e).unwrap_or_default(),
        throttled: sent.is_none(),
    })
}
