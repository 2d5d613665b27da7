//! The server side of the contact address change.

use super::ContactLinkState;
use crate::accounts::links::{self, Change, Found};
use crate::accounts::{Person, TokenPurpose};
use crate::domain::{EmailAddress, FieldErrors, UserMessage};
use crate::i18n::Lang;
use crate::login::credentials::check_current_password;
use crate::mail::address::check_deliverable;
use crate::mail::{enqueue, templates};
use crate::paths::CONTACT_LINK_PREFIX;
use crate::server::events::{self, EventKind};
use crate::server::{session, AppState};
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sqlx::AnyConnection;

/// How long the new address has to confirm.
const CONFIRM_HOURS: i64 = 24;

/// How long the old address can undo the change.
const REVERT_DAYS: i64 = 7;

/// The new address is the one already recorded.
struct AlreadyContact;

impl UserMessage for AlreadyContact {
    fn message_key(&self) -> &'static str {
        "errors.email.already_contact"
    }
}

/// Issues a link of `purpose` carrying `payload`, valid for `valid_for`,
/// and returns its URL and expiry.
async fn new_link(
    conn: &mut AnyConnection,
    state: &AppState,
    account_id: &str,
    purpose: TokenPurpose,
    payload: &str,
    valid_for: SignedDuration,
) -> anyhow::Result<(String, Timestamp)> {
    let issued = links::issue(
        conn,
        account_id,
        purpose,
        Some(payload),
        state.clock.now(),
        valid_for,
    )
    .await?;
    let url = issued.url(&state.config.public_url, CONTACT_LINK_PREFIX);
    Ok((url, issued.expires_at))
}

/// Sends the confirmation link to the new address. Errors are the person's
/// to fix (a malformed address, the current one).
pub async fn request_change(
    state: &AppState,
    account_id: &str,
    raw: &str,
    lang: Lang,
) -> anyhow::Result<Result<EmailAddress, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let Some(new_address) = errors.check("contact_email", EmailAddress::parse(raw)) else {
        return Ok(Err(errors));
    };
    check_deliverable(
        &mut errors,
        "contact_email",
        &new_address,
        state.config.smtp_utf8,
    );
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let now: Timestamp = state.clock.now();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting a contact change")?;
    links::lock_account(&mut tx, account_id).await?;
    let holder = Person::load(&mut *tx, account_id).await?;
    // An address typed at signup and never confirmed may be confirmed now:
    // it is not the current contact address until then.
    if holder.contact() == new_address.as_ref() {
        errors.insert("contact_email", &AlreadyContact);
        return Ok(Err(errors));
    }
    let (link, expires_at) = new_link(
        &mut tx,
        state,
        account_id,
        TokenPurpose::ContactConfirm,
        new_address.as_ref(),
        SignedDuration::from_hours(CONFIRM_HOURS),
    )
    .await?;
    let email = templates::contact_confirmation(
        lang,
        new_address.as_ref(),
        &link,
        &templates::format_datetime(lang, expires_at, &state.config.timezone),
    );
    enqueue(&mut tx, state, &email).await?;
    events::record(
        &mut tx,
        account_id,
        EventKind::ContactChangeRequested,
        now.as_second(),
    )
    .await?;
    tx.commit().await.context("committing a contact change")?;
    state.mailer.wake();
    Ok(Ok(new_address))
}

/// The purposes of the links this page serves.
const PURPOSES: &[TokenPurpose] = &[
    TokenPurpose::ContactConfirm,
    TokenPurpose::ContactRevert,
    TokenPurpose::LoginConfirm,
];

pub async fn find_link(state: &AppState, token: &str) -> anyhow::Result<Found> {
    links::find(&state.db, token, PURPOSES, state.clock.now_seconds()).await
}

pub fn page_of(found: Found) -> ContactLinkState {
    let link = match found {
        Found::Unknown | Found::Used(_) => return ContactLinkState::Invalid,
        Found::Retired(_) => return ContactLinkState::Retired,
        Found::Expired(_) => return ContactLinkState::Expired,
        Found::Valid(link) => link,
    };
    let email = link.payload.unwrap_or_default();
    match link.purpose {
        TokenPurpose::ContactConfirm => ContactLinkState::Confirm { email },
        TokenPurpose::LoginConfirm => ContactLinkState::ConfirmLogin { email },
        _ => ContactLinkState::Revert { email },
    }
}

/// Confirms or reverts, in one transaction that consumes the link once.
pub async fn apply(state: &AppState, token: &str) -> anyhow::Result<ContactLinkState> {
    let page = page_of(find_link(state, token).await?);
    if !matches!(
        page,
        ContactLinkState::Confirm { .. }
            | ContactLinkState::Revert { .. }
            | ContactLinkState::ConfirmLogin { .. }
    ) {
        return Ok(page);
    }
    let now: Timestamp = state.clock.now();
    let mut tx = state.db.begin().await.context("starting a contact link")?;
    let Some(link) = links::consume(&mut tx, token, PURPOSES, now.as_second()).await? else {
        drop(tx);
        return Ok(page_of(find_link(state, token).await?));
    };
    let holder = Person::load(&mut *tx, &link.account_id).await?;
    let lang = holder.lang(state.config.default_lang);
    let payload = link.payload.unwrap_or_default();
    if link.purpose == TokenPurpose::LoginConfirm {
        return change_login(state, tx, &link.account_id, &holder, lang, payload).await;
    }
    let page = if link.purpose == TokenPurpose::ContactConfirm {
        // The address notices went to until now: the contact address if its
        // owner confirmed it, else the login address. An address typed at
        // signup and never confirmed gets no undo link (part 14, item 1):
        // whoever typed it could put it back.
        let old = holder.contact().to_owned();
        // NULL means "the login address".
        let stored = (payload != holder.login_email).then(|| payload.clone());
        sqlx::query("UPDATE accounts SET contact_email = $1, contact_confirmed = 1 WHERE id = $2")
            .bind(stored)
            .bind(&link.account_id)
            .execute(&mut *tx)
            .await
            .context("changing the contact address")?;
        links::retire(
            &mut tx,
            &link.account_id,
            Change::ContactAddressChanged,
            now.as_second(),
        )
        .await?;
        let old_payload = holder.confirmed_contact().unwrap_or_default().to_owned();
        let (revert, revert_until) = new_link(
            &mut tx,
            state,
            &link.account_id,
            TokenPurpose::ContactRevert,
            &old_payload,
            SignedDuration::from_hours(REVERT_DAYS * 24),
        )
        .await?;
        let to_old = templates::contact_changed_old(
            lang,
            &old,
            &holder.full_name(),
            &payload,
            &revert,
            &templates::format_datetime(lang, revert_until, &state.config.timezone),
        );
        enqueue(&mut tx, state, &to_old).await?;
        let to_new = templates::contact_changed_new(
            lang,
            &payload,
            &holder.full_name(),
            &holder.login_email,
            &state.config.public_url,
        );
        enqueue(&mut tx, state, &to_new).await?;
        events::record(
            &mut tx,
            &link.account_id,
            EventKind::ContactChanged,
            now.as_second(),
        )
        .await?;
        ContactLinkState::Confirmed { email: payload }
    } else {
        // Undo links go only to addresses their owner confirmed.
        let restored = (!payload.is_empty()).then(|| payload.clone());
        sqlx::query("UPDATE accounts SET contact_email = $1, contact_confirmed = 1 WHERE id = $2")
            .bind(restored)
            .bind(&link.account_id)
            .execute(&mut *tx)
            .await
            .context("restoring the contact address")?;
        links::retire(
            &mut tx,
            &link.account_id,
            Change::ContactAddressRestored,
            now.as_second(),
        )
        .await?;
        session::end_all(&mut tx, &link.account_id).await?;
        events::record(
            &mut tx,
            &link.account_id,
            EventKind::ContactReverted,
            now.as_second(),
        )
        .await?;
        let email = if payload.is_empty() {
            holder.login_email.clone()
        } else {
            payload
        };
        ContactLinkState::Reverted { email }
    };
    tx.commit().await.context("committing a contact link")?;
    state.mailer.wake();
    Ok(page)
}

/// The confirmed new login address: recorded if still free; every session
/// ends; the old login address is told.
async fn change_login(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    account_id: &str,
    holder: &Person,
    lang: Lang,
    new_login: String,
) -> anyhow::Result<ContactLinkState> {
    let changed = sqlx::query("UPDATE accounts SET login_email = $1 WHERE id = $2")
        .bind(&new_login)
        .bind(account_id)
        .execute(&mut *tx)
        .await;
    match changed {
        Ok(_) => {}
        Err(error) if crate::server::db::is_unique_violation(&error) => {
            return Ok(ContactLinkState::LoginTaken { email: new_login });
        }
        Err(error) => {
            return Err(anyhow::Error::new(error).context("changing the login address"));
        }
    }
    session::end_all(&mut tx, account_id).await?;
    let now = state.clock.now_seconds();
    links::retire(&mut tx, account_id, Change::LoginAddressChanged, now).await?;
    events::record(&mut tx, account_id, EventKind::LoginChanged, now).await?;
    let email = templates::login_changed(
        lang,
        &holder.login_email,
        &holder.full_name(),
        &new_login,
        &state.config.public_url,
    );
    enqueue(&mut tx, state, &email).await?;
    tx.commit().await.context("committing a login change")?;
    state.mailer.wake();
    Ok(ContactLinkState::LoginConfirmed { email: new_login })
}

/// The new login address is the current one.
struct AlreadyLogin;

impl UserMessage for AlreadyLogin {
    fn message_key(&self) -> &'static str {
        "errors.email.already_login"
    }
}

/// Sends a confirmation link to the new login address, after the current
/// password. Whether the address is free is only checked at confirmation.
pub async fn request_login_change(
    state: &AppState,
    account_id: &str,
    raw: &str,
    password: &str,
    lang: Lang,
) -> anyhow::Result<Result<EmailAddress, FieldErrors>> {
    let mut errors = FieldErrors::new();
    let new_login = errors.check("new_login_email", EmailAddress::parse(raw));
    if let Some(address) = &new_login {
        check_deliverable(
            &mut errors,
            "new_login_email",
            address,
            state.config.smtp_utf8,
        );
    }
    if let Err(refused) = check_current_password(state, account_id, password).await? {
        errors.insert("login_password", &refused);
    }
    let Some(new_login) = new_login else {
        return Ok(Err(errors));
    };
    let mut tx = state.db.begin().await.context("starting a login change")?;
    links::lock_account(&mut tx, account_id).await?;
    let holder = Person::load(&mut *tx, account_id).await?;
    if holder.login_email == new_login.as_ref() {
        errors.insert("new_login_email", &AlreadyLogin);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let (link, expires_at) = new_link(
        &mut tx,
        state,
        account_id,
        TokenPurpose::LoginConfirm,
        new_login.as_ref(),
        SignedDuration::from_hours(CONFIRM_HOURS),
    )
    .await?;
    let email = templates::login_confirmation(
        lang,
        new_login.as_ref(),
        &link,
        &templates::format_datetime(lang, expires_at, &state.config.timezone),
    );
    enqueue(&mut tx, state, &email).await?;
    events::record(
        &mut tx,
        account_id,
        EventKind::LoginChangeRequested,
        state.clock.now_seconds(),
    )
    .await?;
    tx.commit().await.context("committing a login change")?;
    state.mailer.wake();
    Ok(Ok(new_login))
}
