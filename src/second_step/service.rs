//! The second step as plain functions over the state: opening a pending
//! login after the password, sending the emailed code, checking a code
//! against the two counters, and opening the session.

use super::{email_hint, StepMethod, StepNotice};
use crate::accounts::factors::MAX_CONSECUTIVE_FAILURES;
use crate::accounts::factors::{self, Factors, Issued, EMAILED_CODE_MINUTES};
use crate::accounts::links;
use crate::accounts::{browsers, keys, Person, TokenPurpose};
use crate::domain::{FieldErrors, OneTimeCode, RecoveryCode};
use crate::i18n::Lang;
use crate::mail::{enqueue, templates};
use crate::server::events::{self, EventKind};
use crate::server::pending_login::{self, PendingLogin};
use crate::server::throttle::{FailureCounter, NewRow, Reservation, SECOND_STEP_LOCK_MINUTES};
use crate::server::{browser, session, AppState};
use anyhow::Context;
use axum::http::{HeaderMap, HeaderValue};

use templates::{FactorChange, LoginMethod};

/// The methods an account may use, the default first: a key (where the
/// portal's address can carry keys: `keys_work`), the app, the emailed
/// code, a recovery code.
pub fn methods(factors: &Factors, keys_work: bool) -> Vec<StepMethod> {
    let mut methods = Vec::new();
    if factors.keys > 0 && keys_work {
        methods.push(StepMethod::Key);
    }
    if factors.app.is_some() {
        methods.push(StepMethod::App);
    }
    if factors.emailed_codes {
        methods.push(StepMethod::Email);
    }
    if factors.recovery_codes_left > 0 {
        methods.push(StepMethod::Recovery);
    }
    methods
}

async fn factors_of(state: &AppState, account_id: &str) -> anyhow::Result<Factors> {
    let mut conn = state.db.acquire().await.context("reading the factors")?;
    factors::load(&mut conn, account_id).await
}

/// After a right password: opens the browser's pending login (its
/// `Set-Cookie`) and, when the account is asked for an emailed code first
/// and its second step is neither locked nor blocked, sends it (within
/// the hourly limit). Errors: the database failed.
pub async fn begin(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    next: &str,
) -> anyhow::Result<HeaderValue> {
    let cookie = pending_login::open(state, headers, account_id, next).await?;
    let factors = factors_of(state, account_id).await?;
    let now = state.clock.now_seconds();
    let locked = locked_until(state, account_id)
        .await?
        .is_some_and(|until| until > now);
    let blocked = factors.second_step_failures >= MAX_CONSECUTIVE_FAILURES;
    // Locked or blocked, no code is sent: it could not be used.
    if !factors.has_strong_factor() && !locked && !blocked {
        send_code(
            state,
            account_id,
            browser::user_agent(headers).as_deref(),
            false,
        )
        .await?;
    }
    Ok(cookie)
}

/// Sends a new emailed code (the live one retired), in one transaction
/// with its email, unless the person switched emailed codes off or a limit
/// holds (`resend`: "Renvoyer un code",
/// `factors::issue_emailed_code`): the notice to show either way.
/// Errors: the database failed.
pub async fn send_code(
    state: &AppState,
    account_id: &str,
    browser: Option<&str>,
    resend: bool,
) -> anyhow::Result<StepNotice> {
    let mut tx = state.db.begin().await.context("sending a code")?;
    factors::lock_account(&mut tx, account_id).await?;
    if !factors::load(&mut tx, account_id).await?.emailed_codes {
        return Ok(StepNotice::warning("second_step.email_off", &[]));
    }
    let issued = factors::issue_emailed_code(&mut tx, state, account_id, resend).await?;
    let person = Person::load(&mut *tx, account_id).await?;
    let notice = match issued {
        Issued::Code(code) => {
            let lang = person.lang(state.config.default_lang);
            let now = state.clock.now();
            let unknown = lang.t("second_step.unknown_browser");
            let email = templates::second_step_code(
                lang,
                &person.login_email,
                &person.full_name(),
                &code,
                EMAILED_CODE_MINUTES,
                &templates::format_datetime(lang, now, &state.config.timezone),
                browser.unwrap_or(&unknown),
                &state.config.public_url,
            );
            enqueue(&mut tx, state, &email).await?;
            StepNotice::info(
                "second_step.code_sent",
                &[
                    ("email", email_hint(&person.login_email)),
                    ("minutes", EMAILED_CODE_MINUTES.to_string()),
                ],
            )
        }
        Issued::TooSoon { seconds } => StepNotice::warning(
            "second_step.resend_too_soon",
            &[("seconds", seconds.to_string())],
        ),
        Issued::HourlyLimit { minutes } => StepNotice::warning(
            "second_step.resend_hourly",
            &[("minutes", minutes.to_string())],
        ),
    };
    tx.commit().await.context("committing a code")?;
    state.mailer.wake();
    Ok(notice)
}

/// What the page shows for a pending login.
pub struct Shown {
    pub method: StepMethod,
    /// For a key: the options of a new ceremony (JSON).
    pub key_options: Option<String>,
    pub others: Vec<StepMethod>,
    pub email_hint: String,
    pub minutes_left: i64,
    /// The account's second step is locked for this many minutes.
    pub locked_minutes: Option<i64>,
    /// Blocked after [`MAX_CONSECUTIVE_FAILURES`] wrong second steps.
    pub blocked: bool,
}

/// The page of `pending`, asking for `method` if the account may use it,
/// else its default. Errors: the database failed.
pub async fn show(
    state: &AppState,
    pending: &PendingLogin,
    method: Option<StepMethod>,
) -> anyhow::Result<Shown> {
    let factors = factors_of(state, &pending.account_id).await?;
    let methods = methods(&factors, keys::relying_party(&state.config).is_some());
    let method = method
        .filter(|m| methods.contains(m))
        .or_else(|| methods.first().copied())
        .unwrap_or(StepMethod::Email);
    let person = Person::load(&state.db, &pending.account_id).await?;
    let now = state.clock.now_seconds();
    let locked_minutes = locked_until(state, &pending.account_id)
        .await?
        .filter(|until| *until > now)
        .map(|until| ((until - now) + 59) / 60);
    let key_options = if method == StepMethod::Key {
        keys::start_authentication(state, &pending.id_hash, &pending.account_id).await?
    } else {
        None
    };
    Ok(Shown {
        method,
        key_options,
        others: methods.into_iter().filter(|m| *m != method).collect(),
        email_hint: email_hint(&person.login_email),
        minutes_left: ((pending.expires_at - now) + 59) / 60,
        locked_minutes,
        blocked: factors.second_step_failures >= MAX_CONSECUTIVE_FAILURES,
    })
}

async fn locked_until(state: &AppState, account_id: &str) -> anyhow::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT locked_until FROM second_step_throttle WHERE login_email = $1")
            .bind(account_id)
            .fetch_optional(&state.db)
            .await
            .context("reading the second step's lock")?;
    Ok(row.and_then(|(until,)| until))
}

/// What a code led to.
pub enum Checked {
    /// The session is open: its cookies (the session's and the
    /// browser's), where to go, the account's language, and whether to
    /// recommend an app (none yet).
    Passed {
        cookies: Vec<HeaderValue>,
        next: String,
        language: Option<Lang>,
        recommend_app: bool,
    },
    /// Not a code of this method's form: nothing counted.
    Unreadable(FieldErrors),
    /// Wrong: `left` tries before the pending login ends.
    Wrong { left: i64 },
    /// The 5th try was wrong, or the pending login ended meanwhile.
    Ended,
    /// The account's second step is locked for `minutes`.
    Locked { minutes: i64 },
    /// [`MAX_CONSECUTIVE_FAILURES`] wrong second steps in a row: blocked
    /// until a password reset or a manager's reset.
    Blocked,
}

/// Checks `raw` as a code of `method` for `pending` (for a key: the
/// browser's answer, as JSON). Each try is reserved before the code is
/// checked, on the pending login (5 at most, parallel tries included) and
/// on the account's counter (10 in 15 minutes, as the password's); a wrong
/// one also counts towards the 100 in a row that block the second step. A
/// key's answer is verified first, against its single-use ceremony: an
/// answer to no live ceremony (expired, or already answered) counts
/// nothing and is said so. Errors: the database failed.
pub async fn check(
    state: &AppState,
    headers: &HeaderMap,
    pending: &PendingLogin,
    method: StepMethod,
    raw: &str,
) -> anyhow::Result<Checked> {
    let mut errors = FieldErrors::new();
    let parsed = match method {
        StepMethod::App | StepMethod::Email => errors
            .check("code", OneTimeCode::parse(raw))
            .map(Typed::Once),
        StepMethod::Recovery => errors
            .check("code", RecoveryCode::parse(raw))
            .map(Typed::Recovery),
        StepMethod::Key => {
            if raw.is_empty() || raw.len() > MAX_KEY_ANSWER_BYTES {
                errors.insert("key", &keys::KeyRefusal::NotRecognised);
                None
            } else {
                Some(Typed::Key)
            }
        }
    };
    let Some(typed) = parsed else {
        return Ok(Checked::Unreadable(errors));
    };
    let account_id = pending.account_id.as_str();
    let factors = factors_of(state, account_id).await?;
    if factors.second_step_failures >= MAX_CONSECUTIVE_FAILURES {
        return Ok(Checked::Blocked);
    }
    let allowed = methods(&factors, true).contains(&method);
    let key_verdict = if matches!(typed, Typed::Key) && allowed {
        match keys::finish_authentication(state, &pending.id_hash, account_id, raw).await? {
            Err(keys::KeyRefusal::Expired) => {
                errors.insert("key", &keys::KeyRefusal::Expired);
                return Ok(Checked::Unreadable(errors));
            }
            verdict => Some(verdict),
        }
    } else {
        None
    };
    let Some(attempt) = pending_login::reserve_attempt(state, &pending.id_hash).await? else {
        return Ok(Checked::Ended);
    };
    let counter = FailureCounter::second_step(state);
    let failures = match counter.reserve(state, account_id, NewRow::NONE).await? {
        Reservation::Allowed { failures } => failures,
        Reservation::Locked { until } => {
            let now = state.clock.now_seconds();
            return Ok(Checked::Locked {
                minutes: (((until - now) + 59) / 60).max(1),
            });
        }
    };
    let right = allowed
        && match (&typed, method) {
            (Typed::Once(code), StepMethod::App) => {
                factors::check_app_code(state, account_id, code, false).await?
            }
            (Typed::Once(code), StepMethod::Email) => {
                factors::consume_emailed_code(state, account_id, code).await?
            }
            (Typed::Recovery(code), StepMethod::Recovery) => {
                match factors::consume_recovery_code(state, account_id, code).await? {
                    Some(left) => {
                        let mut tx = state
                            .db
                            .begin()
                            .await
                            .context("recording a recovery code")?;
                        tell_owner(
                            &mut tx,
                            state,
                            account_id,
                            EventKind::RecoveryCodeUsed,
                            FactorChange::RecoveryCodeUsed { left },
                            None,
                        )
                        .await?;
                        tx.commit().await.context("committing a recovery code")?;
                        state.mailer.wake();
                        true
                    }
                    None => false,
                }
            }
            (Typed::Key, StepMethod::Key) => matches!(key_verdict, Some(Ok(_))),
            _ => false,
        };
    if right {
        counter.cleared(state, account_id).await?;
        let recommend_app = factors.recommends_app(state.clock.now_seconds());
        return pass(state, headers, pending, method, recommend_app).await;
    }
    let locked_now = counter.failed(state, account_id, failures).await?;
    let mut tx = state.db.begin().await.context("recording a wrong code")?;
    let now = state.clock.now_seconds();
    events::record(&mut tx, account_id, EventKind::SecondStepFailed, now).await?;
    let in_a_row = factors::count_failure(&mut tx, account_id).await?;
    if in_a_row == MAX_CONSECUTIVE_FAILURES {
        tell_owner(
            &mut tx,
            state,
            account_id,
            EventKind::SecondStepBlocked,
            FactorChange::SecondStepBlocked,
            None,
        )
        .await?;
    }
    if locked_now {
        tell_owner(
            &mut tx,
            state,
            account_id,
            EventKind::SecondStepLocked,
            FactorChange::SecondStepLocked {
                minutes: SECOND_STEP_LOCK_MINUTES,
            },
            None,
        )
        .await?;
    }
    tx.commit().await.context("committing a wrong code")?;
    state.mailer.wake();
    if in_a_row >= MAX_CONSECUTIVE_FAILURES {
        return Ok(Checked::Blocked);
    }
    if locked_now {
        return Ok(Checked::Locked {
            minutes: SECOND_STEP_LOCK_MINUTES,
        });
    }
    if attempt >= pending_login::MAX_ATTEMPTS {
        let mut conn = state.db.acquire().await.context("ending a pending login")?;
        pending_login::end(&mut conn, &pending.id_hash).await?;
        return Ok(Checked::Ended);
    }
    Ok(Checked::Wrong {
        left: pending_login::MAX_ATTEMPTS - attempt,
    })
}

/// A code as typed, parsed for its method.
enum Typed {
    Once(OneTimeCode),
    Recovery(RecoveryCode),
    /// A key's answer, verified against its ceremony.
    Key,
}

/// The largest key answer read, in bytes: an assertion is a few hundred
/// bytes; anything far larger is not one.
const MAX_KEY_ANSWER_BYTES: usize = 16 * 1024;

/// The second step passed: in one transaction under the account's lock,
/// the pending login ends (once: of two parallel right codes, one opens a
/// session), the session opens ([`open_session`]). A reset of the factors
/// or a password change takes the same lock, so it ends this session or
/// comes before it ends the pending login.
async fn pass(
    state: &AppState,
    headers: &HeaderMap,
    pending: &PendingLogin,
    method: StepMethod,
    recommend_app: bool,
) -> anyhow::Result<Checked> {
    session::close(state, headers).await?;
    let account_id = pending.account_id.as_str();
    let mut tx = state.db.begin().await.context("opening a session")?;
    factors::lock_account(&mut tx, account_id).await?;
    if !pending_login::end(&mut tx, &pending.id_hash).await? {
        return Ok(Checked::Ended);
    }
    // A right second step starts the wrong ones in a row again; a passkey
    // login does not (the block says the password leaked: it lasts until
    // a reset).
    factors::clear_failures(&mut tx, account_id).await?;
    let cookies = open_session(&mut tx, state, headers, account_id, login_method(method)).await?;
    let person = Person::load(&mut *tx, account_id).await?;
    tx.commit().await.context("committing a login")?;
    state.mailer.wake();
    Ok(Checked::Passed {
        cookies,
        next: pending.next_path.clone(),
        language: Lang::from_code(&person.language),
        recommend_app,
    })
}

/// How a password login's second step was passed, as the new-browser
/// notice says it.
fn login_method(method: StepMethod) -> LoginMethod {
    match method {
        StepMethod::Email => LoginMethod::EmailedCode,
        StepMethod::App => LoginMethod::App,
        StepMethod::Recovery => LoginMethod::RecoveryCode,
        StepMethod::Key => LoginMethod::SecurityKey,
    }
}

/// How long a new-browser notice's "Ce n'était pas moi" link works, in
/// days: long enough for a notice read after a weekend or a holiday.
pub const NOT_ME_LINK_DAYS: i64 = 14;

/// Opens a session for `account_id` in the caller's transaction, which
/// holds the account's row: under a new id (OWASP Session Management
/// Cheat Sheet, "Renew the Session ID After Any Privilege Level Change"),
/// the browser is recorded
/// (`accounts::browsers`) and, when the account does not know it, its
/// owner gets "Nouvelle connexion à votre compte Sésame" with a "Ce n'était
/// pas moi" link (issue 27); the feed records the login. The caller
/// commits, then wakes the mailer. Returns the `Set-Cookie` values: the
/// session's, the browser's, and the pending login's cleared. Errors: the database or the OS random source
/// failed.
pub async fn open_session(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    how: LoginMethod,
) -> anyhow::Result<Vec<HeaderValue>> {
    let session_cookie = session::open_in(&mut *tx, state, headers, account_id).await?;
    let (browser_id, browser_cookie) = browsers::browser_of(state, headers)?;
    let agent = browser::user_agent(headers);
    let seen = browsers::seen(&mut *tx, state, account_id, &browser_id, agent.as_deref()).await?;
    if let browsers::Seen::New {
        id,
        first_login: false,
    } = seen
    {
        tell_new_browser(&mut *tx, state, account_id, &id, agent.as_deref(), how).await?;
    }
    events::record(
        &mut *tx,
        account_id,
        EventKind::LoggedIn,
        state.clock.now_seconds(),
    )
    .await?;
    // The pending login, if any, ended: its cookie goes too.
    Ok(vec![
        session_cookie,
        browser_cookie,
        pending_login::clear_cookie(state),
    ])
}

/// "Nouvelle connexion à votre compte Sésame", to the login address: when,
/// from which browser and system, how, the "Ce n'était pas moi" link (for
/// the browser row `browser_row`) and the reminder that Sésame never asks
/// for a code. Errors: the database failed.
async fn tell_new_browser(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    account_id: &str,
    browser_row: &str,
    agent: Option<&str>,
    how: LoginMethod,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let issued = links::issue(
        &mut *tx,
        account_id,
        TokenPurpose::NotMe,
        Some(browser_row),
        now,
        jiff::SignedDuration::from_hours(NOT_ME_LINK_DAYS * 24),
    )
    .await?;
    let person = Person::load(&mut *tx, account_id).await?;
    let lang = person.lang(state.config.default_lang);
    let unknown = lang.t("second_step.unknown_browser");
    let words = agent.and_then(browser::describe);
    let email = templates::new_browser(
        lang,
        &person.login_email,
        &person.full_name(),
        &templates::format_datetime(lang, now, &state.config.timezone),
        words.as_deref().unwrap_or(&unknown),
        how,
        &issued.url(&state.config.public_url, crate::paths::NOT_ME_PREFIX),
        &templates::format_datetime(lang, issued.expires_at, &state.config.timezone),
    );
    enqueue(&mut *tx, state, &email).await?;
    Ok(())
}

/// Records `event` in the account's feed and tells the owner what changed
/// (`change`) at their login address, in the caller's transaction: every
/// change of the second factors, and the second step's lock (issue 26).
/// `actor` is who did it when it was not the owner (with their reason).
/// Errors: the database failed.
pub async fn tell_owner(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    account_id: &str,
    event: EventKind,
    change: FactorChange<'_>,
    actor: Option<&str>,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let reason = match change {
        FactorChange::Reset { reason, .. } => Some(reason),
        _ => None,
    };
    events::record_by(
        &mut *conn,
        account_id,
        event,
        now.as_second(),
        actor,
        reason,
    )
    .await?;
    let person = Person::load(&mut *conn, account_id).await?;
    let lang = person.lang(state.config.default_lang);
    let email = templates::factor_changed(
        lang,
        &person.login_email,
        &person.full_name(),
        change,
        &templates::format_datetime(lang, now, &state.config.timezone),
        &state.config.public_url,
    );
    enqueue(&mut *conn, state, &email).await?;
    Ok(())
}
