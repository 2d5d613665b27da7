//! "Ce n'était pas moi" as plain functions over the state: the link's
//! page, and the button's work in one transaction.

use super::NotMeState;
use crate::accounts::links::{self, Found};
use crate::accounts::{browsers, keys, AccountState, Person, TokenPurpose};
use crate::i18n::Lang;
use crate::mail::{enqueue, templates};
use crate::second_step::email_hint;
use crate::server::events::{self, EventKind};
use crate::server::{browser, pending_login, session, AppState};
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};

/// The purposes of the links this page serves.
const PURPOSES: &[TokenPurpose] = &[TokenPurpose::NotMe];

/// The page of the link `token`, changing nothing. Errors: the database
/// failed.
pub async fn look_up(state: &AppState, token: &str, lang: Lang) -> anyhow::Result<NotMeState> {
    let found = links::find(&state.db, token, PURPOSES, state.clock.now_seconds()).await?;
    let link = match found {
        Found::Unknown | Found::Used(_) => return Ok(NotMeState::Invalid),
        Found::Retired(_) => return Ok(NotMeState::Retired),
        Found::Expired(_) => return Ok(NotMeState::Expired),
        Found::Valid(link) => link,
    };
    let mut conn = state
        .db
        .acquire()
        .await
        .context("reading a known browser")?;
    let known = match &link.payload {
        Some(id) => browsers::find(&mut conn, &link.account_id, id).await?,
        None => None,
    };
    let when = |at: i64| templates::format_unix_seconds(lang, at, &state.config.timezone);
    Ok(NotMeState::Ask {
        at: known.as_ref().and_then(|k| when(k.first_seen_at)),
        browser: known
            .and_then(|k| k.user_agent)
            .and_then(|agent| browser::describe(&agent)),
    })
}

/// The button: in one transaction that consumes the link once, every
/// session and pending login of the account ends, the browser of the
/// notice is forgotten, every passkey becomes a second factor only
/// (whoever logged in may have added one: `accounts::keys::demote_passkeys`),
/// the password stops opening the account (whoever logged in knows it), the
/// feed records it, and a link to choose a new password goes to the login
/// address (valid `SESAME_RESET_LINK_MINUTES`, retiring older ones). The
/// second factors stay, for the owner to check in "Sécurité" (OWASP
/// Authentication Cheat Sheet; NIST SP 800-63B 6.1.2.3, compromised
/// authenticators). A link already used, expired or retired shows its
/// page. Errors: the database failed.
pub async fn disown(state: &AppState, token: &str) -> anyhow::Result<NotMeState> {
    let now: Timestamp = state.clock.now();
    let mut tx = state.db.begin().await.context("disowning a login")?;
    let Some(link) = links::consume(&mut tx, token, PURPOSES, now.as_second()).await? else {
        drop(tx);
        let lang = state.config.default_lang;
        return look_up(state, token, lang).await;
    };
    if link.account_state != AccountState::Active {
        drop(tx);
        return Ok(NotMeState::Retired);
    }
    let account_id = link.account_id.as_str();
    links::lock_account(&mut tx, account_id).await?;
    session::end_all(&mut tx, account_id).await?;
    pending_login::end_all(&mut tx, account_id).await?;
    if let Some(browser_row) = &link.payload {
        browsers::forget(&mut tx, account_id, Some(browser_row)).await?;
    }
    // Whoever logged in may have added a passkey, or knows the password:
    // neither opens the account alone any more until the owner chose a
    // new password and registered their passkeys again.
    keys::demote_passkeys(&mut tx, account_id).await?;
    sqlx::query("UPDATE accounts SET password_retired = 1 WHERE id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await
        .context("retiring the password")?;
    events::record(
        &mut tx,
        account_id,
        EventKind::LoginDisowned,
        now.as_second(),
    )
    .await?;
    let person = Person::load(&mut *tx, account_id).await?;
    let lang = person.lang(state.config.default_lang);
    let issued = links::issue(
        &mut tx,
        account_id,
        TokenPurpose::Reset,
        None,
        now,
        SignedDuration::from_mins(i64::from(state.config.reset_link_minutes)),
    )
    .await?;
    let email = templates::not_me_reset(
        lang,
        &person.login_email,
        &person.full_name(),
        &issued.url(&state.config.public_url, crate::paths::RESET_PREFIX),
        &templates::format_datetime(lang, issued.expires_at, &state.config.timezone),
    );
    enqueue(&mut tx, state, &email).await?;
    events::record(
        &mut tx,
        account_id,
        EventKind::ResetRequested,
        now.as_second(),
    )
    .await?;
    tx.commit().await.context("committing a disowned login")?;
    state.mailer.wake();
    Ok(NotMeState::Secured {
        email_hint: email_hint(&person.login_email),
    })
}
