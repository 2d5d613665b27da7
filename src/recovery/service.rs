//! "Mot de passe oublié ?" as plain functions, testable without HTTP:
//! `start` (captcha, then the question or a decoy), `answer` (the counted
//! answer, the reset email), `look_up` and `reset` (the emailed link).

use super::throttle::{self, AnswerReservation};
use super::{RecoveryForm, ResetForm, DECOY_QUESTIONS};
use crate::accounts::links::{self, Change, Found, Link};
use crate::accounts::{AccountState, TokenPurpose};
use crate::domain::{CaptchaAnswer, FieldErrors, PasswordError, PasswordPolicy};
use crate::i18n::Lang;
use crate::mail::{enqueue, templates};
use crate::server::events::{self, EventKind};
use crate::server::password::{normalize_answer, Verified};
use crate::server::strength::refuse_if_guessable;
use crate::server::{captcha, session, tokens, AppState};
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};

/// How long the question step waits for its answer.
const QUESTION_MINUTES: i64 = 15;

/// Where a step of "Mot de passe oublié ?" led.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecoveryStep {
    /// Step 1 refused: errors next to the address or the captcha.
    Refused(FieldErrors),
    /// Step 2: `question` to answer for `email`, in the flow whose id the
    /// form carries (`flow`, never in an address).
    Question {
        flow: String,
        email: String,
        question: String,
    },
    /// Step 2 refused (an empty answer): the same question again.
    AnswerRefused {
        email: String,
        question: String,
        errors: FieldErrors,
    },
    /// The question step expired or was answered already: start again.
    FlowExpired,
    /// The guide's message, whatever happened; the link, if sent, works
    /// `valid_minutes`.
    Sent { email: String, valid_minutes: u32 },
}

/// Step 1: checks the captcha (before anything else), then starts a flow for
/// the address, registered or not, and returns the question step. `lang` is
/// the page's; `chosen`, the language this browser chose, if it did: the
/// flow's emails go in it, else in the account's own language.
pub async fn start(
    state: &AppState,
    form: &RecoveryForm,
    lang: Lang,
    chosen: Option<Lang>,
) -> anyhow::Result<RecoveryStep> {
    let parsed = form.parse_request();
    let typed_answer = CaptchaAnswer::parse(&form.captcha_answer);
    let captcha_outcome = captcha::verify(
        state,
        &form.captcha_id,
        typed_answer.as_ref().map_err(|e| *e),
    )
    .await?;
    let (email, mut errors) = match parsed {
        Ok(email) => (Some(email), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    if let Err(captcha_error) = captcha_outcome {
        errors.insert("captcha_answer", &captcha_error);
    }
    let email = match email {
        Some(email) if errors.is_empty() => email,
        _ => return Ok(RecoveryStep::Refused(errors)),
    };

    let now = state.clock.now_seconds();
    let account: Option<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT id, secret_question, language FROM accounts WHERE login_email = $1 AND state = $2",
    )
    .bind(email.as_ref())
    .bind(AccountState::Active.as_str())
    .fetch_optional(&state.db)
    .await
    .context("reading the account")?;
    let (account_id, question, emails_lang) = match account {
        Some((id, Some(question), own)) => {
            let own = Lang::from_code(&own).unwrap_or(lang);
            (Some(id), question, chosen.unwrap_or(own))
        }
        _ => (None, decoy_question(state, email.as_ref()), lang),
    };
    let flow = tokens::new_secret_token()?;
    sqlx::query(
        "INSERT INTO recovery_flows (flow_hash, login_email, account_id, question, language, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tokens::hash_token(&flow))
    .bind(email.as_ref())
    .bind(account_id)
    .bind(&question)
    .bind(emails_lang.code())
    .bind(now)
    .bind(now + QUESTION_MINUTES * 60)
    .execute(&state.db)
    .await
    .context("starting a recovery")?;
    Ok(RecoveryStep::Question {
        flow,
        email: email.to_string(),
        question,
    })
}

/// The question shown for an address without an active account: always the
/// same for the same address, and unpredictable without the server's key.
///
/// Its language comes from the address as well, never from the page: a
/// real question is shown as its owner typed it, whatever the language of
/// the page, so a decoy that followed the page would give an unknown
/// address away to anyone who asked once in French and once in English
/// (OWASP Forgot Password Cheat Sheet: the same answer for every address).
pub fn decoy_question(state: &AppState, email: &str) -> String {
    let index = state.keys.decoy_index(email, DECOY_QUESTIONS.len());
    let language = state
        .keys
        .decoy_index(&format!("{email}\0language"), Lang::ALL.len());
    Lang::ALL[language].t(DECOY_QUESTIONS[index])
}

#[derive(sqlx::FromRow)]
struct Flow {
    login_email: String,
    account_id: Option<String>,
    question: String,
    language: String,
}

/// Step 2: checks the answer; returns the guide's message whatever happened,
/// having sent the reset email only for a right answer on an active account.
pub async fn answer(state: &AppState, form: &RecoveryForm) -> anyhow::Result<RecoveryStep> {
    let now = state.clock.now_seconds();
    let flow_hash = tokens::hash_token(&form.flow);
    let flow: Option<Flow> = sqlx::query_as(
        "SELECT login_email, account_id, question, language FROM recovery_flows \
         WHERE flow_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(&flow_hash)
    .bind(now)
    .fetch_optional(&state.db)
    .await
    .context("reading the recovery")?;
    let Some(flow) = flow else {
        return Ok(RecoveryStep::FlowExpired);
    };
    let answer = match form.parse_answer() {
        Ok(answer) => answer,
        Err(errors) => {
            return Ok(RecoveryStep::AnswerRefused {
                email: flow.login_email,
                question: flow.question,
                errors,
            })
        }
    };
    // One answer per flow: another try starts again from the captcha.
    let consumed = sqlx::query(
        "UPDATE recovery_flows SET used_at = $1 WHERE flow_hash = $2 AND used_at IS NULL \
         AND expires_at > $1",
    )
    .bind(now)
    .bind(&flow_hash)
    .execute(&state.db)
    .await
    .context("consuming the recovery")?;
    if consumed.rows_affected() != 1 {
        return Ok(RecoveryStep::FlowExpired);
    }
    let sent = RecoveryStep::Sent {
        email: flow.login_email.clone(),
        valid_minutes: state.config.reset_link_minutes,
    };
    let lang = Lang::from_code(&flow.language).unwrap_or(state.config.default_lang);
    let normalized = normalize_answer(&answer);

    let failures = match throttle::reserve_answer(state, &flow.login_email).await? {
        AnswerReservation::Allowed { failures } => failures,
        AnswerReservation::Paused => {
            // Spend the time a check would, so a pause cannot be seen.
            state.hasher.verify(&normalized, None).await?;
            return Ok(sent);
        }
    };
    let owner = match &flow.account_id {
        Some(id) => owner(state, id).await?,
        None => None,
    };
    let stored = owner.as_ref().map(|o| o.secret_answer_hash.as_str());
    let verified = state.hasher.verify(&normalized, stored).await?;
    match owner {
        Some(owner) if verified.matches() => {
            throttle::answer_succeeded(state, &flow.login_email).await?;
            if throttle::claim_reset_email(state, &flow.login_email).await? {
                send_reset_link(state, &owner, lang).await?;
            } else {
                tracing::info!(account = %owner.id, "reset email refused: hourly limit reached");
            }
        }
        owner => {
            let paused_now = throttle::answer_failed(state, &flow.login_email, failures).await?;
            if let Some(owner) = owner {
                record_wrong_answer(state, &owner, lang, paused_now).await?;
            }
        }
    }
    Ok(sent)
}

#[derive(sqlx::FromRow)]
struct Owner {
    id: String,
    login_email: String,
    first_name: String,
    last_name: String,
    secret_answer_hash: String,
}

impl Owner {
    fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The account, if it is still active and has an answer.
async fn owner(state: &AppState, account_id: &str) -> anyhow::Result<Option<Owner>> {
    sqlx::query_as(
        "SELECT id, login_email, first_name, last_name, secret_answer_hash FROM accounts \
         WHERE id = $1 AND state = $2 AND secret_answer_hash IS NOT NULL",
    )
    .bind(account_id)
    .bind(AccountState::Active.as_str())
    .fetch_optional(&state.db)
    .await
    .context("reading the account")
}

/// Creates a reset token and queues the "perte de mot de passe" email with
/// its link, in the language the person used on the form.
async fn send_reset_link(state: &AppState, owner: &Owner, lang: Lang) -> anyhow::Result<()> {
    let now: Timestamp = state.clock.now();
    let valid_for = SignedDuration::from_mins(i64::from(state.config.reset_link_minutes));
    let mut tx = state.db.begin().await.context("starting a reset email")?;
    let issued = links::issue(
        &mut tx,
        &owner.id,
        TokenPurpose::Reset,
        None,
        now,
        valid_for,
    )
    .await?;
    let link = issued.url(&state.config.public_url, crate::paths::RESET_PREFIX);
    let valid_until = templates::format_datetime(lang, issued.expires_at, &state.config.timezone);
    let email = templates::password_reset(
        lang,
        &owner.login_email,
        &owner.full_name(),
        &link,
        &valid_until,
    );
    enqueue(&mut tx, state, &email).await?;
    events::record(
        &mut tx,
        &owner.id,
        EventKind::ResetRequested,
        now.as_second(),
    )
    .await?;
    tx.commit().await.context("committing a reset email")?;
    state.mailer.wake();
    tracing::info!(account = %owner.id, "reset link queued");
    Ok(())
}

async fn record_wrong_answer(
    state: &AppState,
    owner: &Owner,
    lang: Lang,
    paused_now: bool,
) -> anyhow::Result<()> {
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("recording a wrong answer")?;
    events::record(&mut tx, &owner.id, EventKind::SecretAnswerFailed, now).await?;
    if paused_now {
        events::record(&mut tx, &owner.id, EventKind::RecoveryPaused, now).await?;
        let email = templates::recovery_paused(
            lang,
            &owner.login_email,
            &owner.full_name(),
            i64::from(state.config.recovery_pause_minutes),
            &state.config.public_url,
        );
        enqueue(&mut tx, state, &email).await?;
    }
    tx.commit().await.context("committing a wrong answer")?;
    state.mailer.wake();
    Ok(())
}

/// A reset link and the account it opens.
struct ResetLink {
    link: Link,
    holder: LinkHolder,
}

#[derive(sqlx::FromRow)]
struct LinkHolder {
    login_email: String,
    first_name: String,
    last_name: String,
    language: String,
    password_hash: Option<String>,
}

/// Where the link stands, and its account while the link can still be used.
async fn find_link(state: &AppState, token: &str) -> anyhow::Result<(Found, Option<ResetLink>)> {
    let found = links::find(
        &state.db,
        token,
        &[TokenPurpose::Reset],
        state.clock.now_seconds(),
    )
    .await?;
    let Found::Valid(link) = &found else {
        return Ok((found, None));
    };
    let holder: LinkHolder = sqlx::query_as(
        "SELECT login_email, first_name, last_name, language, password_hash \
         FROM accounts WHERE id = $1",
    )
    .bind(&link.account_id)
    .fetch_one(&state.db)
    .await
    .context("reading the reset link's account")?;
    let link = link.clone();
    Ok((found, Some(ResetLink { link, holder })))
}

/// Where a reset link stands, for its page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetLinkState {
    /// No such link, used, or its account is not active.
    Unknown,
    Expired,
    /// A newer request or a change to the account retired it.
    Retired,
    /// It can set a new password; `user_inputs` (the login address and
    /// names) make a password weaker.
    Ready {
        user_inputs: Vec<String>,
    },
}

fn state_of(found: &Found, link: Option<&ResetLink>) -> ResetLinkState {
    match found {
        Found::Unknown | Found::Used(_) => ResetLinkState::Unknown,
        Found::Retired(link) | Found::Expired(link) | Found::Valid(link)
            if link.account_state != AccountState::Active =>
        {
            ResetLinkState::Unknown
        }
        Found::Retired(_) => ResetLinkState::Retired,
        Found::Expired(_) => ResetLinkState::Expired,
        Found::Valid(_) => match link {
            Some(ResetLink { holder, .. }) => ResetLinkState::Ready {
                user_inputs: vec![
                    holder.login_email.clone(),
                    holder.last_name.clone(),
                    holder.first_name.clone(),
                ],
            },
            None => ResetLinkState::Unknown,
        },
    }
}

/// The address and question of the unused recovery flow `flow` (its
/// token, from the question step's form), to draw that step again after
/// a failure; `None` for an unknown or used flow. Errors: the database
/// failed.
pub async fn open_flow(state: &AppState, flow: &str) -> anyhow::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT login_email, question FROM recovery_flows WHERE flow_hash = $1 AND used_at IS NULL",
    )
    .bind(tokens::hash_token(flow))
    .fetch_optional(&state.db)
    .await
    .context("reading a recovery flow")
}

/// Where the link stands now, without consuming it.
pub async fn look_up(state: &AppState, token: &str) -> anyhow::Result<ResetLinkState> {
    let (found, link) = find_link(state, token).await?;
    Ok(state_of(&found, link.as_ref()))
}

/// Why a reset did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetRefused {
    /// The link cannot set a password (anymore).
    Link(ResetLinkState),
    /// The new password broke a rule, next to its field.
    Form {
        user_inputs: Vec<String>,
        errors: FieldErrors,
    },
}

/// "Valider" on "Gestion du mot de passe": the rules, zxcvbn, not the current
/// password; then, in one transaction, the link is consumed (once), the
/// password changed, every session ended, the counters cleared, the event
/// recorded and the owner told.
/// Errors: the database or the hashing failed.
pub async fn reset(
    state: &AppState,
    token: &str,
    form: &ResetForm,
) -> anyhow::Result<Result<(), ResetRefused>> {
    let (found, link) = find_link(state, token).await?;
    let link_state = state_of(&found, link.as_ref());
    let (ResetLinkState::Ready { user_inputs }, Some(ResetLink { link, holder })) =
        (link_state.clone(), link)
    else {
        return Ok(Err(ResetRefused::Link(link_state)));
    };
    let refuse = |errors: FieldErrors| {
        Ok(Err(ResetRefused::Form {
            user_inputs: user_inputs.clone(),
            errors,
        }))
    };
    let parsed = form.parse();
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let inputs: Vec<&str> = user_inputs.iter().map(String::as_str).collect();
    let guessable =
        refuse_if_guessable(&mut errors, &form.password, PasswordPolicy::Reset, &inputs);
    let password = match parsed {
        Ok(password) if !guessable => password,
        _ => return refuse(errors),
    };
    let current = state
        .hasher
        .verify(password.expose(), holder.password_hash.as_deref())
        .await?;
    if current != Verified::DoesNotMatch {
        errors.insert("password", &PasswordError::SameAsCurrent);
        return refuse(errors);
    }
    let password_hash = state.hasher.hash(password.expose()).await?;

    let now: Timestamp = state.clock.now();
    let mut tx = state.db.begin().await.context("starting the reset")?;
    let consumed = links::consume(&mut tx, token, &[TokenPurpose::Reset], now.as_second()).await?;
    if consumed.is_none() {
        drop(tx);
        return Ok(Err(ResetRefused::Link(look_up(state, token).await?)));
    }
    let changed = sqlx::query(
        "UPDATE accounts SET password_hash = $1, password_retired = 0 \
         WHERE id = $2 AND state = $3",
    )
    .bind(&password_hash)
    .bind(&link.account_id)
    .bind(AccountState::Active.as_str())
    .execute(&mut *tx)
    .await
    .context("changing the password")?;
    if changed.rows_affected() != 1 {
        drop(tx);
        return Ok(Err(ResetRefused::Link(ResetLinkState::Unknown)));
    }
    links::retire(
        &mut tx,
        &link.account_id,
        Change::PasswordChanged,
        now.as_second(),
    )
    .await?;
    session::end_all(&mut tx, &link.account_id).await?;
    // Whoever guessed codes with the old password has it no more.
    crate::accounts::factors::clear_failures(&mut tx, &link.account_id).await?;
    throttle::clear(&mut tx, &holder.login_email).await?;
    events::record(
        &mut tx,
        &link.account_id,
        EventKind::PasswordReset,
        now.as_second(),
    )
    .await?;
    let lang = Lang::from_code(&holder.language).unwrap_or(state.config.default_lang);
    let email = templates::password_changed(
        lang,
        &holder.login_email,
        &format!("{} {}", holder.first_name, holder.last_name),
        &templates::format_datetime(lang, now, &state.config.timezone),
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing the reset")?;
    state.mailer.wake();
    tracing::info!(account = %link.account_id, "password reset, sessions ended");
    Ok(Ok(()))
}

/// Deletes recovery flows a day after they expired.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<u64> {
    let deleted = sqlx::query("DELETE FROM recovery_flows WHERE expires_at < $1")
        .bind(state.clock.now_seconds() - 86_400)
        .execute(&state.db)
        .await
        .context("purging recovery flows")?;
    Ok(deleted.rows_affected())
}
