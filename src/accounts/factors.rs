//! An account's second factors, and the one owner of their tables.
//!
//! | factor | stored as | rule |
//! |---|---|---|
//! | emailed code (`emailed_codes`) | HMAC-SHA256 of the code under the portal's key | 6 digits, [`EMAILED_CODE_MINUTES`] minutes, single use; a new one retires the live one; at most one a minute and [`EMAILED_CODES_PER_HOUR`] an hour per account |
//! | authenticator app (`authenticator_apps`) | its key sealed (`server::sealed`) | RFC 6238: SHA-1, 6 digits, 30 s; one step of drift either way (section 5.2); a time step once accepted never again (section 5.2, "the verifier MUST NOT accept the second attempt of the OTP") |
//! | recovery codes (`recovery_codes`) | HMAC-SHA256 under the portal's key | [`RECOVERY_CODE_COUNT`] single-use codes of 50 bits (NIST SP 800-63B 5.1.2); regenerating retires the old ones |
//!
//! The emailed code is the floor (issue 26, Chorus Pro since 2024): it can
//! only be switched off while an app and unused recovery codes exist, and
//! removing the app switches it back on, so no account is ever left without
//! a factor. Every consumption is one conditional `UPDATE` checked for its
//! row count, so two parallel uses of one code never both succeed.

use crate::domain::code::{RECOVERY_ALPHABET, RECOVERY_CODE_LENGTH};
use crate::domain::{OneTimeCode, RecoveryCode};
pub use crate::server::db::lock_account;
use crate::server::secret_key::SecretKey;
use crate::server::{sealed, tokens, AppState};
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::AnyConnection;
use totp_rs::{Algorithm, TOTP};

/// How long an emailed code works, in minutes.
pub const EMAILED_CODE_MINUTES: i64 = 10;
/// The shortest time between two emailed codes of an account, in seconds.
pub const EMAILED_CODE_INTERVAL_SECONDS: i64 = 60;
/// Emailed codes an account may be sent in an hour.
pub const EMAILED_CODES_PER_HOUR: i64 = 5;
/// How long "Plus tard" puts off the recommendation to add an app, in
/// days.
pub const APP_PROMPT_POSTPONE_DAYS: i64 = 30;
/// Wrong second steps in a row after which the second step is blocked
/// until a password reset or a manager's reset (NIST SP 800-63B 5.2.2:
/// "no more than 100 consecutive failed authentication attempts").
pub const MAX_CONSECUTIVE_FAILURES: i64 = 100;
/// How long an app being added waits for its first code, in minutes.
pub const ENROLMENT_MINUTES: i64 = 15;
/// Recovery codes in a set.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// RFC 6238's time step, in seconds.
pub const TOTP_STEP_SECONDS: i64 = 30;
/// The name apps show above the code.
pub const TOTP_ISSUER: &str = "Sésame";

/// What an account has for its second step, as "Sécurité" lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Factors {
    /// A confirmed app: (added, last used), Unix seconds.
    pub app: Option<(i64, Option<i64>)>,
    /// An app whose enrolment awaits its first code.
    pub app_pending: bool,
    /// Unused recovery codes, and when the set was made.
    pub recovery_codes_left: i64,
    pub recovery_codes_made_at: Option<i64>,
    /// Emailed codes are on (the default, and the floor).
    pub emailed_codes: bool,
    pub emailed_code_used_at: Option<i64>,
    /// When "Plus tard" last put off the recommendation to add an app.
    pub app_prompt_postponed_at: Option<i64>,
    /// Wrong second steps since the last right one.
    pub second_step_failures: i64,
    /// Security keys registered (`accounts::keys`).
    pub keys: i64,
}

impl Factors {
    /// Whether the emailed code may be switched off: only with an app and
    /// recovery codes left to fall back on.
    pub fn may_switch_emailed_codes_off(&self) -> bool {
        self.has_strong_factor() && self.recovery_codes_left > 0
    }

    /// An app or a security key: a factor the person holds, which the
    /// second step asks for before the emailed code (ANSSI-PG-078 puts
    /// possession factors first).
    pub fn has_strong_factor(&self) -> bool {
        self.app.is_some() || self.keys > 0
    }

    /// Whether to recommend adding an app after a login at `now` (Unix
    /// seconds): no app, and not put off in the last
    /// [`APP_PROMPT_POSTPONE_DAYS`] days.
    pub fn recommends_app(&self, now: i64) -> bool {
        !self.has_strong_factor()
            && self
                .app_prompt_postponed_at
                .is_none_or(|at| now - at >= APP_PROMPT_POSTPONE_DAYS * 86_400)
    }
}

/// The account's factors. Errors: the database failed.
pub async fn load(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<Factors> {
    let app: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT created_at, confirmed_at, last_used_at FROM authenticator_apps \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the authenticator app")?;
    let (left, made_at): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE used_at IS NULL), MAX(created_at) \
         FROM recovery_codes WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await
    .context("counting the recovery codes")?;
    let (off, used_at, postponed_at, failures): (i64, Option<i64>, Option<i64>, i64) =
        sqlx::query_as(
            "SELECT emailed_codes_off, emailed_code_used_at, app_prompt_postponed_at, \
             second_step_failures FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await
        .context("reading the emailed codes' setting")?;
    let (keys,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM security_keys WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await
            .context("counting the security keys")?;
    let confirmed = app.and_then(|(added, confirmed, used)| confirmed.map(|_| (added, used)));
    Ok(Factors {
        app: confirmed,
        app_pending: app.is_some() && confirmed.is_none(),
        recovery_codes_left: left,
        recovery_codes_made_at: made_at,
        // The floor: without an app or a key, or with no recovery code
        // left to fall back on, emailed codes are on whatever was chosen.
        emailed_codes: off == 0 || (confirmed.is_none() && keys == 0) || left == 0,
        emailed_code_used_at: used_at,
        app_prompt_postponed_at: postponed_at,
        second_step_failures: failures,
        keys,
    })
}

/// The stored form of a code of `account_id` for `purpose`: HMAC-SHA256
/// under the portal's key, so that a copy of the database alone cannot try
/// the million 6-digit codes offline (OWASP Password Storage Cheat Sheet,
/// "Peppering").
fn keyed_hash(key: &SecretKey, purpose: &str, account_id: &str, code: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key.bytes()).expect("HMAC takes a key of any length");
    for part in [purpose, account_id, code] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

fn random_below(bound: u32) -> anyhow::Result<u32> {
    // Rejection sampling: no value is likelier than another.
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
        let value = u32::from_be_bytes(bytes);
        if value < zone {
            return Ok(value % bound);
        }
    }
}

// ---- Emailed codes ----

/// What asking for an emailed code gave. `Debug` never shows the code.
pub enum Issued {
    /// A new code (the live one, if any, retired): to be emailed now.
    Code(String),
    /// Sent less than a minute ago: wait `seconds`.
    TooSoon { seconds: i64 },
    /// [`EMAILED_CODES_PER_HOUR`] sent within the hour: wait `minutes`.
    HourlyLimit { minutes: i64 },
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Issued::Code(_) => f.write_str("Code(<redacted>)"),
            Issued::TooSoon { seconds } => write!(f, "TooSoon {{ seconds: {seconds} }}"),
            Issued::HourlyLimit { minutes } => write!(f, "HourlyLimit {{ minutes: {minutes} }}"),
        }
    }
}

/// A new emailed code for the account, in the caller's transaction (which
/// also writes its email): the live code is retired first. Refused past
/// [`EMAILED_CODES_PER_HOUR`] an hour, whatever asked for it, and, for a
/// `resend` ("Renvoyer un code"), within a minute of the last one (mail
/// bombing of the owner, OWASP MFA Cheat Sheet). A login's own code is not
/// held back by the minute: whoever just logged out and in again gets one.
/// Errors: the database or the random source failed.
pub async fn issue_emailed_code(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    resend: bool,
) -> anyhow::Result<Issued> {
    lock_account(conn, account_id).await?;
    let now = state.clock.now_seconds();
    let sent: Vec<(i64,)> = sqlx::query_as(
        "SELECT sent_at FROM emailed_codes WHERE account_id = $1 AND sent_at > $2 \
         ORDER BY sent_at DESC",
    )
    .bind(account_id)
    .bind(now - 3600)
    .fetch_all(&mut *conn)
    .await
    .context("reading the codes sent")?;
    if let Some((last,)) = sent.first().filter(|_| resend) {
        if now - last < EMAILED_CODE_INTERVAL_SECONDS {
            return Ok(Issued::TooSoon {
                seconds: EMAILED_CODE_INTERVAL_SECONDS - (now - last),
            });
        }
    }
    if sent.len() as i64 >= EMAILED_CODES_PER_HOUR {
        let oldest = sent.last().map_or(now, |(at,)| *at);
        return Ok(Issued::HourlyLimit {
            minutes: ((oldest + 3600 - now) + 59) / 60,
        });
    }
    retire_live_code(conn, account_id, now).await?;
    let code = format!("{:06}", random_below(1_000_000)?);
    sqlx::query(
        "INSERT INTO emailed_codes (id, account_id, code_hash, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tokens::new_id()?)
    .bind(account_id)
    .bind(keyed_hash(
        &state.config.secret_key,
        "emailed",
        account_id,
        &code,
    ))
    .bind(now)
    .bind(now + EMAILED_CODE_MINUTES * 60)
    .execute(&mut *conn)
    .await
    .context("storing an emailed code")?;
    Ok(Issued::Code(code))
}

/// Retires the account's live emailed code, if any, in the caller's
/// transaction: a new code replaces it, or a reset ends it.
async fn retire_live_code(
    conn: &mut AnyConnection,
    account_id: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE emailed_codes SET retired_at = $1 \
         WHERE account_id = $2 AND used_at IS NULL AND retired_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .context("retiring the live code")?;
    Ok(())
}

/// Emailed codes back on (the floor), in the caller's transaction: the
/// app removed, or the factors reset.
pub(super) async fn switch_emailed_codes_on(
    conn: &mut AnyConnection,
    account_id: &str,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET emailed_codes_off = 0 WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("switching emailed codes back on")?;
    Ok(())
}

/// When the account's live emailed code was sent, if one is live.
pub async fn live_emailed_code_sent_at(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Option<i64>> {
    let now = state.clock.now_seconds();
    let live: Option<(i64,)> = sqlx::query_as(
        "SELECT sent_at FROM emailed_codes WHERE account_id = $1 AND used_at IS NULL \
         AND retired_at IS NULL AND expires_at > $2 ORDER BY sent_at DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(now)
    .fetch_optional(&state.db)
    .await
    .context("reading the live code")?;
    Ok(live.map(|(at,)| at))
}

/// Uses the account's live emailed code if `code` is it: true once, for
/// the first use within its validity. Errors: the database failed.
pub async fn consume_emailed_code(
    state: &AppState,
    account_id: &str,
    code: &OneTimeCode,
) -> anyhow::Result<bool> {
    let now = state.clock.now_seconds();
    let used = sqlx::query(
        "UPDATE emailed_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 \
         AND used_at IS NULL AND retired_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(account_id)
    .bind(keyed_hash(
        &state.config.secret_key,
        "emailed",
        account_id,
        code.as_ref(),
    ))
    .execute(&state.db)
    .await
    .context("using an emailed code")?;
    if used.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET emailed_code_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(account_id)
        .execute(&state.db)
        .await
        .context("recording the emailed code's use")?;
    Ok(true)
}

// ---- Authenticator app ----

/// An app's key, never printed.
pub struct AppSecret(Vec<u8>);

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppSecret(<redacted>)")
    }
}

impl AppSecret {
    /// The RFC 6238 generator for this key and `label` (the login address).
    fn totp(&self, label: &str) -> anyhow::Result<TOTP> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            TOTP_STEP_SECONDS as u64,
            self.0.clone(),
            Some(TOTP_ISSUER.to_owned()),
            label.replace(':', ""),
        )
        .map_err(|e| anyhow::anyhow!("an authenticator key was refused: {e:?}"))
    }

    /// The key in base 32, as apps take it typed.
    pub fn base32(&self, label: &str) -> anyhow::Result<String> {
        Ok(self.totp(label)?.get_secret_base32())
    }

    /// The `otpauth://totp/Sésame:…?secret=…&issuer=Sésame` address the QR
    /// code carries (Google Authenticator's "Key Uri Format", which every
    /// app reads).
    pub fn otpauth_url(&self, label: &str) -> anyhow::Result<String> {
        Ok(self.totp(label)?.get_url())
    }

    /// The code of the time step `step` (Unix seconds / 30).
    pub fn code_at_step(&self, step: i64) -> anyhow::Result<String> {
        Ok(self
            .totp("")?
            .generate((step.max(0) * TOTP_STEP_SECONDS) as u64))
    }

    /// The time step `code` belongs to, among `now`'s and one either side
    /// (RFC 6238 section 5.2, "at most one time step ... for network
    /// delay"), compared in constant time.
    fn matching_step(&self, code: &OneTimeCode, now: i64) -> anyhow::Result<Option<i64>> {
        let current = now / TOTP_STEP_SECONDS;
        let mut found = None;
        for step in [current - 1, current, current + 1] {
            let expected = self.code_at_step(step)?;
            if constant_time_eq(expected.as_bytes(), code.as_ref().as_bytes()) {
                found = Some(step);
            }
        }
        Ok(found)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The row id the app's sealed key is bound to.
fn sealing_id(account_id: &str) -> String {
    format!("authenticator:{account_id}")
}

/// Starts adding an app: a new 160-bit key (RFC 4226 section 4, R6),
/// stored sealed and unconfirmed, replacing an unconfirmed one. Refused
/// (`None`) when a confirmed app exists: it must be removed first.
/// Errors: the database or the random source failed.
pub async fn start_app_enrolment(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Option<AppSecret>> {
    let mut key = vec![0u8; 20];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    let sealed_key = sealed::seal(
        &state.config.secret_key,
        &sealing_id(account_id),
        &hex::encode(&key),
    )?;
    let now = state.clock.now_seconds();
    let mut tx = state.db.begin().await.context("starting an enrolment")?;
    sqlx::query("DELETE FROM authenticator_apps WHERE account_id = $1 AND confirmed_at IS NULL")
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("dropping an unconfirmed app")?;
    let inserted = sqlx::query(
        "INSERT INTO authenticator_apps (account_id, sealed_secret, created_at) \
         VALUES ($1, $2, $3) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(sealed_key)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("storing an app's key")?;
    tx.commit().await.context("committing an enrolment")?;
    Ok((inserted.rows_affected() == 1).then_some(AppSecret(key)))
}

/// The account's app as stored: its key, whether it is confirmed, and the
/// sealed value (to update only that very key). An app being added is
/// forgotten after [`ENROLMENT_MINUTES`].
struct StoredApp {
    secret: AppSecret,
    confirmed: bool,
    sealed: String,
}

async fn stored_app(state: &AppState, account_id: &str) -> anyhow::Result<Option<StoredApp>> {
    let row: Option<(String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT sealed_secret, confirmed_at, created_at FROM authenticator_apps \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(&state.db)
    .await
    .context("reading an app's key")?;
    let Some((sealed, confirmed, created_at)) = row else {
        return Ok(None);
    };
    let now = state.clock.now_seconds();
    if confirmed.is_none() && created_at <= now - ENROLMENT_MINUTES * 60 {
        return Ok(None);
    }
    let opened = sealed::open(&state.config.secret_key, &sealing_id(account_id), &sealed)?;
    let key = hex::decode(opened).context("an app's key is not hexadecimal")?;
    Ok(Some(StoredApp {
        secret: AppSecret(key),
        confirmed: confirmed.is_some(),
        sealed,
    }))
}

/// The key of the account's app, confirmed or not (`confirmed` says
/// which), if there is one (an app being added for less than
/// [`ENROLMENT_MINUTES`]). Errors: the database failed, or the key does
/// not open with this portal's key.
pub async fn app_secret(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Option<(AppSecret, bool)>> {
    Ok(stored_app(state, account_id)
        .await?
        .map(|app| (app.secret, app.confirmed)))
}

/// Checks `code` against the account's app, confirmed (`confirming`
/// false: the second step) or being added (`confirming` true: enrolment,
/// which then confirms it). A right code of a time step already accepted
/// is refused (replay). The update names the very key that was read and
/// its state, so a code of a key replaced meanwhile, or a login's code
/// racing a new enrolment, confirms nothing. Errors: the database failed.
pub async fn check_app_code(
    state: &AppState,
    account_id: &str,
    code: &OneTimeCode,
    confirming: bool,
) -> anyhow::Result<bool> {
    let Some(app) = stored_app(state, account_id).await? else {
        return Ok(false);
    };
    if app.confirmed == confirming {
        return Ok(false);
    }
    let now = state.clock.now_seconds();
    let Some(step) = app.secret.matching_step(code, now)? else {
        return Ok(false);
    };
    let state_rule = if confirming {
        "confirmed_at IS NULL"
    } else {
        "confirmed_at IS NOT NULL"
    };
    let accepted = sqlx::query(&format!(
        "UPDATE authenticator_apps SET last_step = $1, last_used_at = $2, \
         confirmed_at = COALESCE(confirmed_at, $2) \
         WHERE account_id = $3 AND last_step < $1 AND sealed_secret = $4 AND {state_rule}"
    ))
    .bind(step)
    .bind(now)
    .bind(account_id)
    .bind(&app.sealed)
    .execute(&state.db)
    .await
    .context("recording an app's code")?;
    Ok(accepted.rows_affected() == 1)
}

/// Removes the account's app, in the caller's transaction, and switches
/// emailed codes back on (the floor) when no key is left either. True when
/// there was a confirmed one.
pub async fn remove_app(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<bool> {
    let removed = sqlx::query(
        "DELETE FROM authenticator_apps WHERE account_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .context("removing the app")?;
    if !load(conn, account_id).await?.has_strong_factor() {
        switch_emailed_codes_on(conn, account_id).await?;
    }
    Ok(removed.rows_affected() == 1)
}

// ---- Recovery codes ----

/// A new set of recovery codes, in the caller's transaction: the old ones
/// are retired. The codes are returned once, to be shown once.
pub async fn new_recovery_codes(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Vec<RecoveryCode>> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("retiring the recovery codes")?;
    let now = state.clock.now_seconds();
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    while codes.len() < RECOVERY_CODE_COUNT {
        let mut raw = String::with_capacity(RECOVERY_CODE_LENGTH);
        for _ in 0..RECOVERY_CODE_LENGTH {
            raw.push(char::from(RECOVERY_ALPHABET[random_below(32)? as usize]));
        }
        let code = RecoveryCode::parse(&raw)
            .map_err(|_| anyhow::anyhow!("a recovery code was drawn outside its alphabet"))?;
        if codes.contains(&code) {
            continue;
        }
        sqlx::query(
            "INSERT INTO recovery_codes (code_hash, account_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(keyed_hash(
            &state.config.secret_key,
            "recovery",
            account_id,
            code.as_ref(),
        ))
        .bind(account_id)
        .bind(now)
        .execute(&mut *conn)
        .await
        .context("storing a recovery code")?;
        codes.push(code);
    }
    Ok(codes)
}

/// Uses one of the account's recovery codes: the codes left after it, or
/// `None` when `code` is not an unused one. Errors: the database failed.
pub async fn consume_recovery_code(
    state: &AppState,
    account_id: &str,
    code: &RecoveryCode,
) -> anyhow::Result<Option<i64>> {
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE code_hash = $2 AND account_id = $3 \
         AND used_at IS NULL",
    )
    .bind(state.clock.now_seconds())
    .bind(keyed_hash(
        &state.config.secret_key,
        "recovery",
        account_id,
        code.as_ref(),
    ))
    .bind(account_id)
    .execute(&state.db)
    .await
    .context("using a recovery code")?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(&state.db)
    .await
    .context("counting the recovery codes")?;
    Ok(Some(left))
}

/// Deletes emailed codes a day past their expiry (the hourly limit reads
/// the last hour's only), and apps whose adding was left unfinished for
/// [`ENROLMENT_MINUTES`]. Errors: the database failed.
pub async fn purge_spent(db: &crate::server::db::Db, now: i64) -> anyhow::Result<u64> {
    let codes = sqlx::query("DELETE FROM emailed_codes WHERE expires_at <= $1")
        .bind(now - 86_400)
        .execute(db)
        .await
        .context("purging emailed codes")?;
    let apps = sqlx::query(
        "DELETE FROM authenticator_apps WHERE confirmed_at IS NULL AND created_at <= $1",
    )
    .bind(now - ENROLMENT_MINUTES * 60)
    .execute(db)
    .await
    .context("purging unfinished apps")?;
    Ok(codes.rows_affected() + apps.rows_affected())
}

/// Counts a wrong second step on the account, in the caller's
/// transaction: the wrong ones in a row since the last right one.
pub async fn count_failure(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<i64> {
    let (failures,): (i64,) = sqlx::query_as(
        "UPDATE accounts SET second_step_failures = second_step_failures + 1 \
         WHERE id = $1 RETURNING second_step_failures",
    )
    .bind(account_id)
    .fetch_one(&mut *conn)
    .await
    .context("counting a wrong second step")?;
    Ok(failures)
}

/// A right second step, a password reset or a manager's reset: the wrong
/// ones in a row start again from zero, in the caller's transaction.
pub async fn clear_failures(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET second_step_failures = 0 WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("clearing the wrong second steps")?;
    Ok(())
}

// ---- Settings and reset ----

/// "Plus tard": the recommendation to add an app is put off for
/// [`APP_PROMPT_POSTPONE_DAYS`] days. Errors: the database failed.
pub async fn postpone_app_prompt(state: &AppState, account_id: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET app_prompt_postponed_at = $1 WHERE id = $2")
        .bind(state.clock.now_seconds())
        .bind(account_id)
        .execute(&state.db)
        .await
        .context("putting off the recommendation")?;
    Ok(())
}

/// Switches emailed codes on or off, in the caller's transaction. Off is
/// refused (false) without an app and recovery codes left: the emailed
/// code is the floor.
pub async fn set_emailed_codes(
    conn: &mut AnyConnection,
    account_id: &str,
    on: bool,
) -> anyhow::Result<bool> {
    lock_account(conn, account_id).await?;
    if !on && !load(conn, account_id).await?.may_switch_emailed_codes_off() {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET emailed_codes_off = $1 WHERE id = $2")
        .bind(i64::from(!on))
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("switching emailed codes")?;
    Ok(true)
}

/// Removes the account's app, keys and recovery codes and retires its emailed
/// codes, in the caller's transaction: its next login starts again with
/// the emailed code (a manager's or an administrator's reset).
pub async fn reset(conn: &mut AnyConnection, account_id: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM authenticator_apps WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("removing the app")?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("removing the recovery codes")?;
    sqlx::query("DELETE FROM security_keys WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("removing the security keys")?;
    retire_live_code(conn, account_id, now).await?;
    switch_emailed_codes_on(conn, account_id).await?;
    clear_failures(conn, account_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B's SHA-1 key, "12345678901234567890".
    fn rfc_secret() -> AppSecret {
        AppSecret(b"12345678901234567890".to_vec())
    }

    #[test]
    fn the_codes_are_those_of_rfc_6238_appendix_b_truncated_to_six_digits() {
        // Appendix B: T = 59 s gives 94287082, T = 1111111109 gives 07081804.
        let secret = rfc_secret();
        assert_eq!(secret.code_at_step(59 / 30).unwrap(), "287082");
        assert_eq!(secret.code_at_step(1_111_111_109 / 30).unwrap(), "081804");
    }

    #[test]
    fn one_step_of_drift_either_way_is_accepted_and_two_are_not() {
        let secret = rfc_secret();
        let now = 1_111_111_109;
        let step = now / 30;
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = OneTimeCode::parse(&secret.code_at_step(step + offset).unwrap()).unwrap();
            assert_eq!(
                secret.matching_step(&code, now).unwrap().is_some(),
                accepted,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn the_otpauth_address_names_the_portal_and_the_account() {
        let url = rfc_secret().otpauth_url("paul@example.fr").unwrap();
        assert!(
            url.starts_with("otpauth://totp/S%C3%A9same:paul%40example.fr?"),
            "{url}"
        );
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
    }

    #[test]
    fn a_keyed_hash_depends_on_the_key_the_account_and_the_purpose() {
        let key = SecretKey::from_bytes([1; 32]);
        let other = SecretKey::from_bytes([2; 32]);
        let base = keyed_hash(&key, "emailed", "a", "123456");
        assert_ne!(base, keyed_hash(&other, "emailed", "a", "123456"));
        assert_ne!(base, keyed_hash(&key, "emailed", "b", "123456"));
        assert_ne!(base, keyed_hash(&key, "recovery", "a", "123456"));
        assert!(!base.contains("123456"));
    }

    #[test]
    fn random_digits_are_spread_over_the_range() {
        let drawn: std::collections::HashSet<u32> =
            (0..200).map(|_| random_below(10).unwrap()).collect();
        assert_eq!(drawn.len(), 10);
    }

    #[test]
    fn debug_never_shows_an_app_key() {
        assert_eq!(format!("{:?}", rfc_secret()), "AppSecret(<redacted>)");
    }
}
