//! The changes of "Sécurité", and a manager's reset of someone's factors,
//! as plain functions over the state (the tables' rules are
//! `accounts::factors`).

use super::{Enrolment, KeyShown, SecurityForm, SecurityPageState};
use crate::accounts::factors::{self, Factors};
use crate::accounts::keys::{self, KeyKind};
use crate::accounts::{Actor, OutOfReach, Person};
use crate::domain::code::grouped_by_four;
use crate::domain::{FieldErrors, KeyName, OneTimeCode, UserMessage};
use crate::i18n::Lang;
use crate::login::credentials::check_current_password;
use crate::mail::templates::{format_datetime, FactorChange};
use crate::second_step::service::tell_owner;
use crate::server::events::EventKind;
use crate::server::{session, AppState};
use anyhow::Context;

/// What a form of "Sécurité" did. `Debug` never shows the codes.
pub enum Done {
    /// The catalogue key of the notice.
    Notice(&'static str),
    /// New recovery codes, to show once, with the notice.
    NewCodes(Vec<String>, &'static str),
    /// A key's registration started: its name and the ceremony's options
    /// (JSON), for the browser.
    KeyOptions(String, String),
    /// The key `id` is to be renamed: its form.
    EditKey(String),
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Done::Notice(key) => write!(f, "Notice({key})"),
            Done::NewCodes(codes, key) => write!(f, "NewCodes({} codes, {key})", codes.len()),
            Done::KeyOptions(..) => write!(f, "KeyOptions"),
            Done::EditKey(id) => write!(f, "EditKey({id})"),
        }
    }
}

/// Why a change was refused, next to its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityRefusal {
    /// The app's first code is not right.
    WrongCode,
    /// An app is already there: remove it first.
    AppExists,
    /// No app is being added (the enrolment was cancelled or finished
    /// elsewhere).
    NoEnrolment,
    /// Emailed codes cannot go off without an app and recovery codes.
    EmailedCodesAreTheFloor,
    /// Nothing to remove.
    NoApp,
    /// No such key on the account (removed meanwhile).
    NoKey,
}

impl UserMessage for SecurityRefusal {
    fn message_key(&self) -> &'static str {
        match self {
            SecurityRefusal::WrongCode => "errors.code.wrong",
            SecurityRefusal::AppExists => "errors.factors.app_exists",
            SecurityRefusal::NoEnrolment => "errors.factors.no_enrolment",
            SecurityRefusal::EmailedCodesAreTheFloor => "errors.factors.emailed_floor",
            SecurityRefusal::NoApp => "errors.factors.no_app",
            SecurityRefusal::NoKey => "errors.factors.no_key",
        }
    }
}

fn refused(field: &str, error: &impl UserMessage) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.insert(field, error);
    errors
}

fn date(lang: Lang, state: &AppState, at: i64) -> String {
    let at = jiff::Timestamp::from_second(at).unwrap_or_default();
    format_datetime(lang, at, &state.config.timezone)
}

/// The page's overview for the account: its factors, and the app being
/// added if any. Errors: the database failed, or an app's key does not
/// open with this portal's key.
pub async fn overview(
    state: &AppState,
    account_id: &str,
    lang: Lang,
) -> anyhow::Result<SecurityPageState> {
    let mut conn = state.db.acquire().await.context("reading the factors")?;
    let found: Factors = factors::load(&mut conn, account_id).await?;
    let person = Person::load(&mut *conn, account_id).await?;
    let stored_keys = keys::list(&mut conn, account_id).await?;
    drop(conn);
    let manages = Actor::load(state, account_id).await?.manages_anyone();
    let enrolment = if found.app_pending {
        match factors::app_secret(state, account_id).await? {
            Some((secret, false)) => {
                let version: Option<(i64,)> = sqlx::query_as(
                    "SELECT created_at FROM authenticator_apps WHERE account_id = $1",
                )
                .bind(account_id)
                .fetch_optional(&state.db)
                .await
                .context("reading an enrolment")?;
                Some(Enrolment {
                    key_grouped: grouped_by_four(&secret.base32(&person.login_email)?),
                    otpauth: secret.otpauth_url(&person.login_email)?,
                    version: version.map_or(0, |(at,)| at),
                })
            }
            _ => None,
        }
    } else {
        None
    };
    Ok(SecurityPageState {
        name: person.full_name(),
        manages,
        login_email: person.login_email.clone(),
        emailed_codes: found.emailed_codes,
        may_switch_emailed_off: found.may_switch_emailed_codes_off(),
        emailed_last_used: found.emailed_code_used_at.map(|at| date(lang, state, at)),
        app: found.app.map(|(added, used)| {
            (
                date(lang, state, added),
                used.map(|at| date(lang, state, at)),
            )
        }),
        recovery_codes_left: found.recovery_codes_left,
        recovery_codes_made: found.recovery_codes_made_at.map(|at| date(lang, state, at)),
        enrolment,
        keys: stored_keys
            .into_iter()
            .map(|key| KeyShown {
                added: date(lang, state, key.created_at),
                last_used: key.last_used_at.map(|at| date(lang, state, at)),
                passkey: key.kind() == KeyKind::Passkey,
                id: key.id,
                name: key.name,
            })
            .collect(),
        keys_work: keys::relying_party(&state.config).is_some(),
        ..SecurityPageState::default()
    })
}

/// Carries out one form of "Sécurité" for the person `account_id` whose
/// session is `session_id_hash`. Errors: the database failed.
pub async fn act(
    state: &AppState,
    account_id: &str,
    session_id_hash: &str,
    form: &SecurityForm,
) -> anyhow::Result<Result<Done, FieldErrors>> {
    if form.intent == "app_confirm" {
        return confirm_app(state, account_id, &form.code).await;
    }
    if form.intent == "app_cancel" {
        sqlx::query(
            "DELETE FROM authenticator_apps WHERE account_id = $1 AND confirmed_at IS NULL",
        )
        .bind(account_id)
        .execute(&state.db)
        .await
        .context("cancelling an enrolment")?;
        return Ok(Ok(Done::Notice("security.app_cancelled")));
    }
    match form.intent.as_str() {
        "key_finish" => return finish_key(state, account_id, session_id_hash, &form.key).await,
        "key_cancel" => {
            keys::cancel_registration(&state.db, session_id_hash).await?;
            return Ok(Ok(Done::Notice("security.key_cancelled")));
        }
        "key_rename" => return rename_key(state, account_id, form).await,
        _ => {}
    }
    if let Some(("key_edit", id)) = form.key_intent() {
        return Ok(Ok(Done::EditKey(id.to_owned())));
    }
    // The key's name is checked before the password, so that both errors
    // show at once.
    let kind = match form.intent.as_str() {
        "key_start" => Some(KeyKind::SecurityKey),
        "passkey_start" => Some(KeyKind::Passkey),
        _ => None,
    };
    let key_name = if kind.is_some() {
        match KeyName::parse(&form.key_name) {
            Ok(name) => Some(name),
            Err(error) => {
                let mut errors = refused("key_name", &error);
                if let Err(refusal) =
                    check_current_password(state, account_id, &form.password).await?
                {
                    errors.insert("password", &refusal);
                }
                return Ok(Err(errors));
            }
        }
    } else {
        None
    };
    if let Err(refusal) = check_current_password(state, account_id, &form.password).await? {
        return Ok(Err(refused("password", &refusal)));
    }
    if let (Some(name), Some(kind)) = (key_name, kind) {
        return Ok(
            match keys::start_registration(state, session_id_hash, account_id, &name, kind).await? {
                Ok(options) => Ok(Done::KeyOptions(name.as_ref().to_owned(), options)),
                Err(refusal) => Err(refused("key_name", &refusal)),
            },
        );
    }
    if let Some(("key_remove", id)) = form.key_intent() {
        return remove_key(state, account_id, session_id_hash, id).await;
    }
    match form.intent.as_str() {
        "app_start" => Ok(
            match factors::start_app_enrolment(state, account_id).await? {
                Some(_) => Ok(Done::Notice("security.app_scan")),
                None => Err(refused("password", &SecurityRefusal::AppExists)),
            },
        ),
        "app_remove" => {
            let mut tx = state.db.begin().await.context("removing an app")?;
            if !factors::remove_app(&mut tx, account_id).await? {
                return Ok(Err(refused("password", &SecurityRefusal::NoApp)));
            }
            // A factor removed: whoever else is connected starts again
            // (issue 26; ASVS 4.0.3 V3.3.3).
            session::end_others(&mut tx, account_id, Some(session_id_hash)).await?;
            tell_owner(
                &mut tx,
                state,
                account_id,
                EventKind::AppRemoved,
                FactorChange::AppRemoved,
                None,
            )
            .await?;
            tx.commit().await.context("committing an app's removal")?;
            state.mailer.wake();
            Ok(Ok(Done::Notice("security.app_removed")))
        }
        "codes_regenerate" => {
            let mut tx = state.db.begin().await.context("regenerating codes")?;
            let codes = factors::new_recovery_codes(&mut tx, state, account_id).await?;
            tell_owner(
                &mut tx,
                state,
                account_id,
                EventKind::RecoveryCodesRegenerated,
                FactorChange::RecoveryCodesRegenerated,
                None,
            )
            .await?;
            tx.commit().await.context("committing new codes")?;
            state.mailer.wake();
            Ok(Ok(Done::NewCodes(
                codes.iter().map(|code| code.grouped()).collect(),
                "security.codes_regenerated",
            )))
        }
        "emailed_off" | "emailed_on" => {
            let on = form.intent == "emailed_on";
            let mut tx = state.db.begin().await.context("switching emailed codes")?;
            if !factors::set_emailed_codes(&mut tx, account_id, on).await? {
                return Ok(Err(refused(
                    "password",
                    &SecurityRefusal::EmailedCodesAreTheFloor,
                )));
            }
            let (event, change, notice) = if on {
                (
                    EventKind::EmailedCodesOn,
                    FactorChange::EmailedCodesOn,
                    "security.emailed_on_done",
                )
            } else {
                session::end_others(&mut tx, account_id, Some(session_id_hash)).await?;
                (
                    EventKind::EmailedCodesOff,
                    FactorChange::EmailedCodesOff,
                    "security.emailed_off_done",
                )
            };
            tell_owner(&mut tx, state, account_id, event, change, None).await?;
            tx.commit().await.context("committing emailed codes")?;
            state.mailer.wake();
            Ok(Ok(Done::Notice(notice)))
        }
        _ => Ok(Ok(Done::Notice("security.unchanged"))),
    }
}

/// The browser's answer to the key's registration: a verified key is
/// stored under the name chosen at the start, the owner told, and an
/// account without recovery codes gets its first set, shown once (as with
/// the first app).
async fn finish_key(
    state: &AppState,
    account_id: &str,
    session_id_hash: &str,
    answer: &str,
) -> anyhow::Result<Result<Done, FieldErrors>> {
    let mut tx = state.db.begin().await.context("adding a key")?;
    factors::lock_account(&mut tx, account_id).await?;
    let registered =
        match keys::finish_registration(&mut tx, state, session_id_hash, account_id, answer).await?
        {
            Ok(registered) => registered,
            Err(refusal) => {
                // The ceremony is spent either way.
                tx.commit().await.context("ending a key ceremony")?;
                return Ok(Err(refused("key", &refusal)));
            }
        };
    let name = registered.name.as_str();
    let (change, said) = match registered.kind {
        KeyKind::SecurityKey => (
            FactorChange::KeyAdded { name },
            ("security.key_added", "security.key_added_with_codes"),
        ),
        KeyKind::Passkey => (
            FactorChange::PasskeyAdded { name },
            (
                "security.passkey_added",
                "security.passkey_added_with_codes",
            ),
        ),
    };
    factor_added(tx, state, account_id, EventKind::KeyAdded, change, said)
        .await
        .map(Ok)
}

/// A key's new name (no password: a name changes nothing of what logs
/// in), recorded in the feed.
async fn rename_key(
    state: &AppState,
    account_id: &str,
    form: &SecurityForm,
) -> anyhow::Result<Result<Done, FieldErrors>> {
    let name = match KeyName::parse(&form.key_name) {
        Ok(name) => name,
        Err(error) => return Ok(Err(refused("key_name", &error))),
    };
    let mut tx = state.db.begin().await.context("renaming a key")?;
    if !keys::rename(&mut tx, account_id, &form.key_id, &name).await? {
        return Ok(Err(refused("key_name", &SecurityRefusal::NoKey)));
    }
    crate::server::events::record(
        &mut tx,
        account_id,
        EventKind::KeyRenamed,
        state.clock.now_seconds(),
    )
    .await?;
    tx.commit().await.context("committing a key's name")?;
    Ok(Ok(Done::Notice("security.key_renamed")))
}

/// Removes the key `key_id`: the other sessions end (a factor removed,
/// ASVS 4.0.3 V3.3.3), the owner is told.
async fn remove_key(
    state: &AppState,
    account_id: &str,
    session_id_hash: &str,
    key_id: &str,
) -> anyhow::Result<Result<Done, FieldErrors>> {
    let mut tx = state.db.begin().await.context("removing a key")?;
    factors::lock_account(&mut tx, account_id).await?;
    let Some(name) = keys::remove(&mut tx, account_id, key_id).await? else {
        return Ok(Err(refused("password", &SecurityRefusal::NoKey)));
    };
    session::end_others(&mut tx, account_id, Some(session_id_hash)).await?;
    tell_owner(
        &mut tx,
        state,
        account_id,
        EventKind::KeyRemoved,
        FactorChange::KeyRemoved { name: &name },
        None,
    )
    .await?;
    tx.commit().await.context("committing a key's removal")?;
    state.mailer.wake();
    Ok(Ok(Done::Notice("security.key_removed")))
}

/// The app's first code: a right one confirms the app (RFC 6238: the
/// person proves the app holds the key) and, for an account without
/// recovery codes, makes the first set, shown once.
async fn confirm_app(
    state: &AppState,
    account_id: &str,
    raw: &str,
) -> anyhow::Result<Result<Done, FieldErrors>> {
    let code = match OneTimeCode::parse(raw) {
        Ok(code) => code,
        Err(error) => return Ok(Err(refused("code", &error))),
    };
    if factors::app_secret(state, account_id)
        .await?
        .is_none_or(|(_, confirmed)| confirmed)
    {
        return Ok(Err(refused("code", &SecurityRefusal::NoEnrolment)));
    }
    if !factors::check_app_code(state, account_id, &code, true).await? {
        return Ok(Err(refused("code", &SecurityRefusal::WrongCode)));
    }
    let mut tx = state.db.begin().await.context("confirming an app")?;
    factors::lock_account(&mut tx, account_id).await?;
    factor_added(
        tx,
        state,
        account_id,
        EventKind::AppAdded,
        FactorChange::AppAdded,
        ("security.app_added", "security.app_added_with_codes"),
    )
    .await
    .map(Ok)
}

/// The end of adding a strong factor (an app or a key), in `tx` under the
/// account's lock: an account without recovery codes gets its first set,
/// shown once; the owner is told (`event`, `change`) and the transaction
/// committed. `notices`: the notice's catalogue key without new codes,
/// and with them. Errors: the database failed.
async fn factor_added(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    state: &AppState,
    account_id: &str,
    event: EventKind,
    change: FactorChange<'_>,
    notices: (&'static str, &'static str),
) -> anyhow::Result<Done> {
    let found = factors::load(&mut tx, account_id).await?;
    let codes = if found.recovery_codes_left == 0 {
        factors::new_recovery_codes(&mut tx, state, account_id).await?
    } else {
        Vec::new()
    };
    tell_owner(&mut tx, state, account_id, event, change, None).await?;
    tx.commit().await.context("committing a new factor")?;
    state.mailer.wake();
    Ok(if codes.is_empty() {
        Done::Notice(notices.0)
    } else {
        Done::NewCodes(codes.iter().map(|code| code.grouped()).collect(), notices.1)
    })
}

/// The SVG of the QR code of the app being added to the account, if one
/// is: the `otpauth://` address, drawn here (no outside service sees the
/// key). Errors: the database failed, or the address does not fit a QR
/// code.
pub async fn enrolment_qr(state: &AppState, account_id: &str) -> anyhow::Result<Option<String>> {
    let Some((secret, false)) = factors::app_secret(state, account_id).await? else {
        return Ok(None);
    };
    let person = Person::load(&state.db, account_id).await?;
    let address = secret.otpauth_url(&person.login_email)?;
    let code = qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M)
        .context("drawing a QR code")?;
    Ok(Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    ))
}

/// A manager's or an administrator's reset of `account_id`'s factors, for
/// `reason` (the person lost their phone): the app, keys and recovery codes go,
/// emailed codes come back on, every session and pending login ends, the
/// person is told; their next login starts with the emailed code.
///
/// Errors: [`OutOfReach`] when the account does not stand below `actor`
/// ([`Actor::reaches`], read under its lock inside this transaction);
/// the database failed.
pub async fn reset_factors(
    state: &AppState,
    actor: &Actor,
    account_id: &str,
    reason: &str,
) -> anyhow::Result<Result<(), OutOfReach>> {
    let mut tx = state.db.begin().await.context("resetting factors")?;
    if let Err(out) = actor.reaches(&mut tx, account_id).await? {
        return Ok(Err(out));
    }
    factors::reset(&mut tx, account_id, state.clock.now_seconds()).await?;
    session::end_all(&mut tx, account_id).await?;
    tell_owner(
        &mut tx,
        state,
        account_id,
        EventKind::FactorsReset,
        FactorChange::Reset {
            by: actor.acted_by(),
            reason,
        },
        Some(&actor.id),
    )
    .await?;
    tx.commit().await.context("committing a reset")?;
    state.mailer.wake();
    Ok(Ok(()))
}
