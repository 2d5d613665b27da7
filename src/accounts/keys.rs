//! Security keys (WebAuthn Level 2/3; issue 27, Chorus Pro since September
//! 2024): the relying party, an account's keys (`security_keys`) and the
//! ceremonies under way (`key_ceremonies`), over `webauthn-rs`.
//!
//! Rules, and where they come from:
//! - The relying party id is the host of `SESAME_PUBLIC_URL` and the only
//!   origin accepted is that address, never one read from the request
//!   (WebAuthn Level 3, 7.1 steps 9 and 13, 7.2 steps 13 and 15). A public
//!   address whose host is an IP address has no relying party id (5.1.3
//!   step 7: a valid domain): keys are then not offered.
//! - A challenge is random, single use, bound to the session or the
//!   pending login that asked for it and kept [`CEREMONY_MINUTES`] minutes
//!   (WebAuthn Level 3, 13.4.3 "Cryptographic Challenges").
//! - A signature counter that does not grow refuses the key (7.2 step 22:
//!   a possible clone); the crate's other checks stay on.
//! - A credential id belongs to one account (7.1 step 26): the table's
//!   unique column.
//! - A passkey ([`KeyKind::Passkey`]) is registered as a discoverable
//!   credential with user verification required (5.4.6
//!   `residentKey: "required"`, 6.2.3): only such a key logs in from the
//!   login box without the password, and only with user verification in
//!   that assertion too (7.2 step 17). Any other key is a second factor
//!   only (issue 27; ANSSI-PG-078, possession plus knowledge or inherence
//!   on the device).
//! - A login box ceremony knows no account until the answer names one: it
//!   is kept under the SHA-256 of a random id given to the browser
//!   (`passkey_logins`), single use, [`CEREMONY_MINUTES`] minutes.

use super::Person;
use crate::domain::{base64url, KeyName, UserMessage};
use crate::server::config::Config;
use crate::server::AppState;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use webauthn_rs::prelude::{
    AuthenticationResult, Credential, DiscoverableAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, SecurityKey, SecurityKeyAuthentication,
    SecurityKeyRegistration, Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};

/// How long a ceremony's challenge may be answered, in minutes.
pub const CEREMONY_MINUTES: i64 = 5;
/// Keys an account may hold.
pub const MAX_KEYS: i64 = 20;

/// The portal as a WebAuthn relying party, from its public address:
/// `None` when that address's host is not a domain (an IP address), so
/// that keys cannot work there.
pub fn relying_party(config: &Config) -> Option<Webauthn> {
    let origin = Url::parse(&config.public_url).ok()?;
    let host = origin.domain()?.to_owned();
    WebauthnBuilder::new(&host, &origin)
        .ok()?
        .rp_name("Sésame")
        // A security key follows the password: its touch (possession) is
        // the second factor, as NIST SP 800-63B 4.2.1 counts a
        // single-factor cryptographic device with a memorized secret
        // (AAL2). Without this the crate asks for credProtect level 3 with
        // user verification only preferred, which Chromium refuses as
        // inconsistent (NotSupportedError) for keys without a PIN.
        // Passkeys keep user verification required.
        .danger_set_user_presence_only_security_keys(true)
        .timeout(std::time::Duration::from_secs(
            (CEREMONY_MINUTES * 60).unsigned_abs(),
        ))
        .build()
        .ok()
}

/// What a key is registered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyKind {
    /// A second factor, after the password (user verification preferred).
    SecurityKey,
    /// A discoverable credential with user verification: also logs in
    /// from the login box without the password.
    Passkey,
}

/// A key as "Sécurité" lists it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredKey {
    /// The row's id, for the forms (not the credential id).
    pub id: String,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// 1 for a passkey ([`KeyKind::Passkey`]), else 0.
    pub passwordless: i64,
}

impl StoredKey {
    /// What the key was registered for.
    pub fn kind(&self) -> KeyKind {
        if self.passwordless == 1 {
            KeyKind::Passkey
        } else {
            KeyKind::SecurityKey
        }
    }
}

/// A key registered by [`finish_registration`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
    /// The name chosen when the registration started.
    pub name: String,
    pub kind: KeyKind,
}

/// Why a key was refused, said beside the key's button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRefusal {
    /// No ceremony for this session or pending login, or past its
    /// [`CEREMONY_MINUTES`], or already answered.
    Expired,
    /// The answer does not verify: another origin or relying party, a
    /// challenge not this one, a bad signature, a counter that went back,
    /// a key not of this account.
    NotRecognised,
    /// This key is already registered (to this account or another).
    AlreadyRegistered,
    /// [`MAX_KEYS`] already.
    TooMany,
    /// The portal's address cannot carry keys (see [`relying_party`]).
    Unavailable,
    /// A passkey's registration or login without user verification (a
    /// PIN, a fingerprint, the device's lock): WebAuthn Level 3, 7.1 step
    /// 15 and 7.2 step 17 with `userVerification: "required"`.
    NotVerified,
}

impl UserMessage for KeyRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            KeyRefusal::Expired => "errors.key.expired",
            KeyRefusal::NotRecognised => "errors.key.not_recognised",
            KeyRefusal::AlreadyRegistered => "errors.key.already_registered",
            KeyRefusal::TooMany => "errors.key.too_many",
            KeyRefusal::Unavailable => "errors.key.unavailable",
            KeyRefusal::NotVerified => "errors.key.not_verified",
        }
    }
}

/// What a ceremony keeps between its two halves.
#[derive(Serialize, Deserialize)]
enum Ceremony {
    Register(SecurityKeyRegistration),
    RegisterPasskey(PasskeyRegistration),
    SecondStep(SecurityKeyAuthentication),
}

/// The `purpose` column of a registration's ceremony.
const REGISTER: &str = "register";
/// The `purpose` column of a second step's ceremony.
const SECOND_STEP: &str = "second_step";

impl Ceremony {
    fn purpose(&self) -> &'static str {
        match self {
            Ceremony::Register(_) | Ceremony::RegisterPasskey(_) => REGISTER,
            Ceremony::SecondStep(_) => SECOND_STEP,
        }
    }
}

/// The account's keys, oldest first. Errors: the database failed.
pub async fn list(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<Vec<StoredKey>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, passwordless FROM security_keys \
         WHERE account_id = $1 ORDER BY created_at, id",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await
    .context("listing the security keys")
}

/// The account's credentials, with their rows' ids.
async fn credentials(
    conn: &mut AnyConnection,
    account_id: &str,
) -> anyhow::Result<Vec<(String, Credential)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, credential FROM security_keys WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await
            .context("reading the security keys")?;
    rows.into_iter()
        .map(|(id, json)| {
            serde_json::from_str(&json)
                .map(|credential| (id, credential))
                .context("a stored security key does not read")
        })
        .collect()
}

/// The account's WebAuthn user handle, made at its first key.
async fn user_handle(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<Uuid> {
    sqlx::query(
        "UPDATE accounts SET webauthn_handle = $1 WHERE id = $2 AND webauthn_handle IS NULL",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .context("making a user handle")?;
    let (handle,): (Option<String>,) =
        sqlx::query_as("SELECT webauthn_handle FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await
            .context("reading the user handle")?;
    Uuid::parse_str(handle.as_deref().unwrap_or_default()).context("a user handle does not read")
}

/// Keeps `ceremony` for `binding`, replacing one of the same purpose.
async fn keep(
    conn: &mut AnyConnection,
    state: &AppState,
    binding: &str,
    account_id: &str,
    ceremony: &Ceremony,
    key_name: &str,
) -> anyhow::Result<()> {
    let purpose = ceremony.purpose();
    sqlx::query("DELETE FROM key_ceremonies WHERE binding = $1 AND purpose = $2")
        .bind(binding)
        .bind(purpose)
        .execute(&mut *conn)
        .await
        .context("replacing a key ceremony")?;
    sqlx::query(
        "INSERT INTO key_ceremonies (binding, purpose, account_id, state, key_name, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(binding)
    .bind(purpose)
    .bind(account_id)
    .bind(serde_json::to_string(ceremony).context("writing a key ceremony")?)
    .bind(key_name)
    .bind(state.clock.now_seconds() + CEREMONY_MINUTES * 60)
    .execute(&mut *conn)
    .await
    .context("keeping a key ceremony")?;
    Ok(())
}

/// Takes the ceremony of `purpose` bound to `binding` for `account_id`:
/// it is gone after this, answered or not (single use). `None` when there
/// is none, or it has expired.
async fn take(
    conn: &mut AnyConnection,
    state: &AppState,
    binding: &str,
    purpose: &str,
    account_id: &str,
) -> anyhow::Result<Option<(Ceremony, String)>> {
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "DELETE FROM key_ceremonies WHERE binding = $1 AND purpose = $2 \
         RETURNING account_id, state, key_name, expires_at",
    )
    .bind(binding)
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await
    .context("taking a key ceremony")?;
    let Some((owner, json, key_name, expires_at)) = row else {
        return Ok(None);
    };
    if owner != account_id || expires_at <= state.clock.now_seconds() {
        return Ok(None);
    }
    let ceremony = serde_json::from_str(&json).context("a key ceremony does not read")?;
    Ok(Some((ceremony, key_name)))
}

/// Starts registering a key named `name` for `account_id`, bound to the
/// session `binding`: the options for `navigator.credentials.create` as
/// JSON (a `CreationChallengeResponse`). The account's keys are excluded
/// (the browser says the key is already there). A [`KeyKind::SecurityKey`]
/// needs the user's presence only: a key without a PIN is a second factor
/// after the password (see [`relying_party`]). A [`KeyKind::Passkey`] must be
/// discoverable (`residentKey: "required"`, WebAuthn Level 3, 5.4.6) and
/// verify its user (`userVerification: "required"`).
///
/// Errors, as [`KeyRefusal`]: `Unavailable`, `TooMany`; the database
/// failed (`Err`).
pub async fn start_registration(
    state: &AppState,
    binding: &str,
    account_id: &str,
    name: &KeyName,
    kind: KeyKind,
) -> anyhow::Result<Result<String, KeyRefusal>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(Err(KeyRefusal::Unavailable));
    };
    let mut tx = state.db.begin().await.context("starting a key")?;
    // Written before anything is read (`lock_account`): on SQLite a read
    // upgraded to a write fails when another connection wrote between.
    super::factors::lock_account(&mut tx, account_id).await?;
    let existing = credentials(&mut tx, account_id).await?;
    if existing.len() as i64 >= MAX_KEYS {
        return Ok(Err(KeyRefusal::TooMany));
    }
    let person = Person::load(&mut *tx, account_id).await?;
    let handle = user_handle(&mut tx, account_id).await?;
    let exclude = existing
        .into_iter()
        .map(|(_, credential)| credential.cred_id)
        .collect();
    let (options, ceremony) = match kind {
        KeyKind::SecurityKey => {
            let (options, registration) = party
                .start_securitykey_registration(
                    handle,
                    &person.login_email,
                    &person.full_name(),
                    Some(exclude),
                    None,
                    None,
                )
                .context("starting a key's registration")?;
            let options = serde_json::to_value(&options).context("writing a key's options")?;
            (options, Ceremony::Register(registration))
        }
        KeyKind::Passkey => {
            let (options, registration) = party
                .start_passkey_registration(
                    handle,
                    &person.login_email,
                    &person.full_name(),
                    Some(exclude),
                )
                .context("starting a passkey's registration")?;
            let mut options =
                serde_json::to_value(&options).context("writing a passkey's options")?;
            // The crate leaves discoverability to the authenticator; a
            // passkey for the login box must be found without an address.
            if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection") {
                selection["residentKey"] = "required".into();
                selection["requireResidentKey"] = true.into();
            }
            (options, Ceremony::RegisterPasskey(registration))
        }
    };
    keep(
        &mut tx,
        state,
        binding,
        account_id,
        &ceremony,
        name.as_ref(),
    )
    .await?;
    tx.commit().await.context("committing a key ceremony")?;
    Ok(Ok(options.to_string()))
}

/// Finishes the registration started for `binding` with the browser's
/// answer (`answer`, the JSON of a `RegisterPublicKeyCredential`), in the
/// caller's transaction: the key is stored under the name chosen at the
/// start, as what it was started for.
///
/// Errors, as [`KeyRefusal`]: `Unavailable`, `Expired`, `NotRecognised`
/// (the attestation does not verify), `NotVerified` (a passkey without
/// user verification), `AlreadyRegistered`, `TooMany`; the database
/// failed (`Err`).
pub async fn finish_registration(
    conn: &mut AnyConnection,
    state: &AppState,
    binding: &str,
    account_id: &str,
    answer: &str,
) -> anyhow::Result<Result<Registered, KeyRefusal>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(Err(KeyRefusal::Unavailable));
    };
    let Some((ceremony, name)) = take(conn, state, binding, REGISTER, account_id).await? else {
        return Ok(Err(KeyRefusal::Expired));
    };
    let Ok(answer) = serde_json::from_str::<RegisterPublicKeyCredential>(answer) else {
        return Ok(Err(KeyRefusal::NotRecognised));
    };
    let verified = match &ceremony {
        Ceremony::Register(registration) => party
            .finish_securitykey_registration(&answer, registration)
            .map(|key| (Credential::from(key), KeyKind::SecurityKey)),
        Ceremony::RegisterPasskey(registration) => party
            .finish_passkey_registration(&answer, registration)
            .map(|key| (Credential::from(key), KeyKind::Passkey)),
        Ceremony::SecondStep(_) => return Ok(Err(KeyRefusal::Expired)),
    };
    let (credential, kind) = match verified {
        Ok(verified) => verified,
        Err(WebauthnError::UserNotVerified) => return Ok(Err(KeyRefusal::NotVerified)),
        Err(error) => {
            tracing::info!(%error, "a security key's registration was refused");
            return Ok(Err(KeyRefusal::NotRecognised));
        }
    };
    // Belt and braces: only a verified credential ever logs in alone.
    let passwordless = kind == KeyKind::Passkey && credential.user_verified;
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM security_keys WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await
            .context("counting the security keys")?;
    if count >= MAX_KEYS {
        return Ok(Err(KeyRefusal::TooMany));
    }
    let credential_id = base64url::encode(credential.cred_id.as_ref());
    let inserted = sqlx::query(
        "INSERT INTO security_keys \
         (id, account_id, credential_id, credential, name, created_at, passwordless) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(crate::server::tokens::new_id()?)
    .bind(account_id)
    .bind(&credential_id)
    .bind(serde_json::to_string(&credential).context("writing a security key")?)
    .bind(&name)
    .bind(state.clock.now_seconds())
    .bind(i64::from(passwordless))
    .execute(&mut *conn)
    .await
    .context("storing a security key")?;
    if inserted.rows_affected() == 0 {
        return Ok(Err(KeyRefusal::AlreadyRegistered));
    }
    let kind = if passwordless {
        KeyKind::Passkey
    } else {
        KeyKind::SecurityKey
    };
    Ok(Ok(Registered { name, kind }))
}

/// Forgets the registration under way for the session `binding`
/// ("Annuler"): its challenge can no longer be answered. Errors: the
/// database failed.
pub async fn cancel_registration(db: &crate::server::db::Db, binding: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM key_ceremonies WHERE binding = $1 AND purpose = $2")
        .bind(binding)
        .bind(REGISTER)
        .execute(db)
        .await
        .context("cancelling a key's registration")?;
    Ok(())
}

/// Starts the second step by key for the pending login `binding`: the
/// options for `navigator.credentials.get` as JSON (a
/// `RequestChallengeResponse` allowing the account's keys), or `None` when
/// the account has no key or the portal's address cannot carry keys.
/// Errors: the database failed.
pub async fn start_authentication(
    state: &AppState,
    binding: &str,
    account_id: &str,
) -> anyhow::Result<Option<String>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(None);
    };
    let mut tx = state.db.begin().await.context("starting a key's use")?;
    super::factors::lock_account(&mut tx, account_id).await?;
    let keys: Vec<SecurityKey> = credentials(&mut tx, account_id)
        .await?
        .into_iter()
        .map(|(_, credential)| SecurityKey::from(credential))
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let (options, authentication) = party
        .start_securitykey_authentication(&keys)
        .context("starting a key's use")?;
    keep(
        &mut tx,
        state,
        binding,
        account_id,
        &Ceremony::SecondStep(authentication),
        "",
    )
    .await?;
    tx.commit().await.context("committing a key ceremony")?;
    Ok(Some(
        serde_json::to_string(&options).context("writing a key's options")?,
    ))
}

/// Checks the browser's answer (`answer`, the JSON of a
/// `PublicKeyCredential`) to the ceremony of the pending login `binding`:
/// the key's name when it verifies, its new counter and last use stored.
///
/// Errors, as [`KeyRefusal`]: `Unavailable`, `Expired`, `NotRecognised`;
/// the database failed (`Err`).
pub async fn finish_authentication(
    state: &AppState,
    binding: &str,
    account_id: &str,
    answer: &str,
) -> anyhow::Result<Result<String, KeyRefusal>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(Err(KeyRefusal::Unavailable));
    };
    let mut tx = state.db.begin().await.context("using a key")?;
    let Some((Ceremony::SecondStep(authentication), _)) =
        take(&mut tx, state, binding, SECOND_STEP, account_id).await?
    else {
        tx.commit().await.context("ending a key ceremony")?;
        return Ok(Err(KeyRefusal::Expired));
    };
    // The ceremony is spent whatever follows.
    tx.commit().await.context("ending a key ceremony")?;
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(answer) else {
        return Ok(Err(KeyRefusal::NotRecognised));
    };
    let result = match party.finish_securitykey_authentication(&answer, &authentication) {
        Ok(result) => result,
        Err(error) => {
            tracing::info!(%error, "a security key was refused at the second step");
            return Ok(Err(KeyRefusal::NotRecognised));
        }
    };
    Ok(record_use(state, account_id, &result)
        .await?
        .ok_or(KeyRefusal::NotRecognised))
}

/// Stores a verified assertion's new counter and the key's last use: the
/// key's name, or `None` when it was removed meanwhile. Errors: the
/// database failed.
async fn record_use(
    state: &AppState,
    account_id: &str,
    result: &AuthenticationResult,
) -> anyhow::Result<Option<String>> {
    let mut tx = state.db.begin().await.context("recording a key's use")?;
    super::factors::lock_account(&mut tx, account_id).await?;
    let used = credentials(&mut tx, account_id)
        .await?
        .into_iter()
        .find(|(_, credential)| &credential.cred_id == result.cred_id());
    let Some((id, credential)) = used else {
        return Ok(None);
    };
    // The wrapper's update keeps the counter and the backup state.
    let mut key = SecurityKey::from(credential);
    key.update_credential(result);
    let credential = Credential::from(key);
    let (name,): (String,) = sqlx::query_as(
        "UPDATE security_keys SET credential = $1, last_used_at = $2 WHERE id = $3 \
         RETURNING name",
    )
    .bind(serde_json::to_string(&credential).context("writing a security key")?)
    .bind(state.clock.now_seconds())
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .context("recording a key's use")?;
    tx.commit().await.context("committing a key's use")?;
    Ok(Some(name))
}

/// A passkey login opened from the login box: the id the browser sends
/// back with its answer (64 hex characters; only its SHA-256 is kept) and
/// the options for `navigator.credentials.get` (JSON, with no allowed
/// credentials: the browser discovers them; `mediation: "conditional"`,
/// which the button's modal prompt leaves out).
pub struct PasskeyChallenge {
    pub ceremony: String,
    pub options: String,
}

/// Login box ceremonies kept at once, across clients: past it, no new one
/// opens until some are answered or expire (storage stays bounded whatever
/// the clients' addresses).
pub const MAX_OPEN_PASSKEY_LOGINS: i64 = 10_000;

/// Why no passkey login was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoPasskeyLogin {
    /// The portal's address cannot carry keys (see [`relying_party`]).
    Unavailable,
    /// [`MAX_OPEN_PASSKEY_LOGINS`] are open already.
    TooMany,
}

/// Opens a passkey login ([`PasskeyChallenge`]), or why not. Errors: the
/// database or the OS random source failed.
pub async fn start_passkey_login(
    state: &AppState,
) -> anyhow::Result<Result<PasskeyChallenge, NoPasskeyLogin>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(Err(NoPasskeyLogin::Unavailable));
    };
    let (open,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM passkey_logins WHERE expires_at > $1")
            .bind(state.clock.now_seconds())
            .fetch_one(&state.db)
            .await
            .context("counting the passkey logins")?;
    if open >= MAX_OPEN_PASSKEY_LOGINS {
        return Ok(Err(NoPasskeyLogin::TooMany));
    }
    let (options, authentication) = party
        .start_discoverable_authentication()
        .context("starting a passkey login")?;
    let ceremony = crate::server::tokens::new_secret_token()?;
    sqlx::query("INSERT INTO passkey_logins (id_hash, state, expires_at) VALUES ($1, $2, $3)")
        .bind(crate::server::tokens::hash_token(&ceremony))
        .bind(serde_json::to_string(&authentication).context("writing a passkey login")?)
        .bind(state.clock.now_seconds() + CEREMONY_MINUTES * 60)
        .execute(&state.db)
        .await
        .context("keeping a passkey login")?;
    Ok(Ok(PasskeyChallenge {
        ceremony,
        options: serde_json::to_string(&options).context("writing a passkey's options")?,
    }))
}

/// A passkey that verified at the login box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyUsed {
    pub account_id: String,
    /// The key's name, as its owner chose it.
    pub name: String,
}

/// Checks the browser's answer (`answer`, the JSON of a
/// `PublicKeyCredential`) to the login box's ceremony `ceremony`: the
/// account whose passkey it is, when it verifies with user verification,
/// its new counter and last use stored. The credential must be a passkey
/// ([`KeyKind::Passkey`]) of the account whose user handle the answer
/// carries. The account's state is the caller's to check.
///
/// Errors, as [`KeyRefusal`]: `Unavailable`, `Expired` (no such live
/// ceremony: spent, past its time, or never opened), `NotRecognised`,
/// `NotVerified`; the database failed (`Err`).
pub async fn finish_passkey_login(
    state: &AppState,
    ceremony: &str,
    answer: &str,
) -> anyhow::Result<Result<PasskeyUsed, KeyRefusal>> {
    let Some(party) = relying_party(&state.config) else {
        return Ok(Err(KeyRefusal::Unavailable));
    };
    if !crate::server::tokens::looks_like_token(ceremony) {
        return Ok(Err(KeyRefusal::Expired));
    }
    let row: Option<(String, i64)> =
        sqlx::query_as("DELETE FROM passkey_logins WHERE id_hash = $1 RETURNING state, expires_at")
            .bind(crate::server::tokens::hash_token(ceremony))
            .fetch_optional(&state.db)
            .await
            .context("taking a passkey login")?;
    let Some((json, expires_at)) = row else {
        return Ok(Err(KeyRefusal::Expired));
    };
    if expires_at <= state.clock.now_seconds() {
        return Ok(Err(KeyRefusal::Expired));
    }
    let authentication: DiscoverableAuthentication =
        serde_json::from_str(&json).context("a passkey login does not read")?;
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(answer) else {
        return Ok(Err(KeyRefusal::NotRecognised));
    };
    let Ok((handle, credential_id)) = party.identify_discoverable_authentication(&answer) else {
        return Ok(Err(KeyRefusal::NotRecognised));
    };
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT k.account_id, k.credential FROM security_keys k \
         JOIN accounts a ON a.id = k.account_id \
         WHERE k.credential_id = $1 AND k.passwordless = 1 AND a.webauthn_handle = $2",
    )
    .bind(base64url::encode(credential_id))
    .bind(handle.to_string())
    .fetch_optional(&state.db)
    .await
    .context("finding a passkey")?;
    let Some((account_id, json)) = found else {
        return Ok(Err(KeyRefusal::NotRecognised));
    };
    let credential: Credential =
        serde_json::from_str(&json).context("a stored security key does not read")?;
    let result =
        match party.finish_discoverable_authentication_v2(&answer, authentication, &credential) {
            Ok(result) => result,
            Err(WebauthnError::UserNotVerified) => return Ok(Err(KeyRefusal::NotVerified)),
            Err(error) => {
                tracing::info!(%error, "a passkey was refused at the login box");
                return Ok(Err(KeyRefusal::NotRecognised));
            }
        };
    Ok(match record_use(state, &account_id, &result).await? {
        Some(name) => Ok(PasskeyUsed { account_id, name }),
        None => Err(KeyRefusal::NotRecognised),
    })
}

/// Renames the account's key `key_id`: false when it has no such key.
/// Errors: the database failed.
pub async fn rename(
    conn: &mut AnyConnection,
    account_id: &str,
    key_id: &str,
    name: &KeyName,
) -> anyhow::Result<bool> {
    let renamed =
        sqlx::query("UPDATE security_keys SET name = $1 WHERE id = $2 AND account_id = $3")
            .bind(name.as_ref())
            .bind(key_id)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .context("renaming a key")?;
    Ok(renamed.rows_affected() == 1)
}

/// Removes the account's key `key_id`, in the caller's transaction: its
/// name, or `None` when it has no such key. Emailed codes come back on
/// when no key nor app is left (the floor). Errors: the database failed.
pub async fn remove(
    conn: &mut AnyConnection,
    account_id: &str,
    key_id: &str,
) -> anyhow::Result<Option<String>> {
    let removed: Option<(String,)> = sqlx::query_as(
        "DELETE FROM security_keys WHERE id = $1 AND account_id = $2 RETURNING name",
    )
    .bind(key_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
    .context("removing a key")?;
    if removed.is_some()
        && !super::factors::load(conn, account_id)
            .await?
            .has_strong_factor()
    {
        super::factors::switch_emailed_codes_on(conn, account_id).await?;
    }
    Ok(removed.map(|(name,)| name))
}

/// Makes every passkey of the account a second factor only (after "Ce
/// n'était pas moi": one may be an intruder's), in the caller's
/// transaction: how many were passkeys. Errors: the database failed.
pub async fn demote_passkeys(conn: &mut AnyConnection, account_id: &str) -> anyhow::Result<u64> {
    let done = sqlx::query(
        "UPDATE security_keys SET passwordless = 0 WHERE account_id = $1 AND passwordless = 1",
    )
    .bind(account_id)
    .execute(&mut *conn)
    .await
    .context("demoting the passkeys")?;
    Ok(done.rows_affected())
}

/// Ceremonies past their time (the account's and the login box's), gone:
/// how many. Errors: the database failed.
pub async fn purge_expired(db: &crate::server::db::Db, now: i64) -> anyhow::Result<u64> {
    let mut purged = 0;
    for table in ["key_ceremonies", "passkey_logins"] {
        let done = sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
            .bind(now)
            .execute(db)
            .await
            .context("purging key ceremonies")?;
        purged += done.rows_affected();
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_url: &str) -> Config {
        Config {
            public_url: public_url.into(),
            ..Config::for_tests("sqlite::memory:".into())
        }
    }

    #[test]
    fn the_relying_party_is_the_public_address_and_its_host() {
        let party = relying_party(&config("https://sesame.example.fr")).expect("a domain");
        let origins: Vec<String> = party
            .get_allowed_origins()
            .iter()
            .map(|url| url.origin().ascii_serialization())
            .collect();
        assert_eq!(origins, ["https://sesame.example.fr"]);
    }

    #[test]
    fn an_address_on_an_ip_has_no_relying_party() {
        assert!(relying_party(&config("http://127.0.0.1:3000")).is_none());
        assert!(relying_party(&config("http://localhost:3000")).is_some());
    }
}
