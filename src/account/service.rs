//! Loading the connected pages, and the session gate in front of them.

use super::{
    BrowserLine, ConnectedPage, ConnectedPageState, EventLine, MembershipLine, NewsItem,
    SessionLine,
};
use crate::accounts::browsers;
use crate::accounts::summary::account_summary;
use crate::i18n::Lang;
use crate::mail::templates::{format_datetime, format_unix_seconds};
use crate::server::events::EventKind;
use crate::server::{session, AppState};
use anyhow::Context;
use axum::http::HeaderMap;

/// The account's events, newest first, with who did them when it was
/// someone else, and why.
pub async fn events(
    state: &AppState,
    account_id: &str,
    lang: Lang,
) -> anyhow::Result<Vec<EventLine>> {
    type Row = (String, i64, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.kind, e.occurred_at, a.first_name || ' ' || a.last_name, e.reason \
         FROM account_events e LEFT JOIN accounts a ON a.id = e.actor_id AND e.actor_id <> e.account_id \
         WHERE e.account_id = $1 ORDER BY e.occurred_at DESC, e.id DESC LIMIT 50",
    )
    .bind(account_id)
    .fetch_all(&state.db)
    .await
    .context("reading the events")?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, at, by, reason)| {
            let at = jiff::Timestamp::from_second(at).ok()?;
            Some(EventLine {
                at: at.to_string(),
                when: format_datetime(lang, at, &state.config.timezone),
                what: EventKind::message_key(&kind),
                by,
                reason,
            })
        })
        .collect())
}

/// The structures the account asked to be attached to.
pub async fn memberships(
    state: &AppState,
    account_id: &str,
) -> anyhow::Result<Vec<MembershipLine>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT s.name, s.siret, m.status, m.is_manager FROM memberships m \
         JOIN structures s ON s.id = m.structure_id WHERE m.account_id = $1 ORDER BY s.name",
    )
    .bind(account_id)
    .fetch_all(&state.db)
    .await
    .context("reading the memberships")?;
    rows.into_iter()
        .map(|(structure, siret, status, manager)| {
            Ok(MembershipLine {
                structure,
                siret,
                status: status.parse()?,
                manager: manager != 0,
            })
        })
        .collect()
}

pub async fn news(state: &AppState, lang: Lang) -> anyhow::Result<Vec<NewsItem>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT published_at, title, body FROM news WHERE language = $1 ORDER BY published_at DESC LIMIT 10",
    )
    .bind(lang.code())
    .fetch_all(&state.db)
    .await
    .context("reading the news")?;
    Ok(rows
        .into_iter()
        .map(|(at, title, body)| NewsItem {
            date: jiff::Timestamp::from_second(at)
                .map(|t| {
                    let zoned = t.to_zoned(state.config.timezone.clone());
                    match lang {
                        Lang::Fr => zoned.strftime("%d/%m/%Y").to_string(),
                        Lang::En => zoned.strftime("%-d %B %Y").to_string(),
                    }
                })
                .unwrap_or_default(),
            title,
            body,
        })
        .collect())
}

/// What `page` shows for the account (its sessions aside: [`sessions`]).
///
/// Errors: the database failed, or the account is gone.
pub async fn connected_state(
    state: &AppState,
    account_id: &str,
    lang: Lang,
    page: ConnectedPage,
) -> anyhow::Result<ConnectedPageState> {
    let account = account_summary(state, account_id)
        .await?
        .context("the session's account is gone")?;
    let manages = crate::accounts::Actor::load(state, account_id)
        .await?
        .manages_anyone();
    let mut shown = ConnectedPageState {
        account,
        manages,
        ..Default::default()
    };
    match page {
        ConnectedPage::Home => {
            shown.events = events(state, account_id, lang).await?;
            shown.news = news(state, lang).await?;
        }
        ConnectedPage::MyAccount => {
            shown.memberships = memberships(state, account_id).await?;
        }
    }
    Ok(shown)
}

/// The account's known browsers (`accounts::browsers`), the latest login
/// first, the request's own marked. Errors: the database failed.
pub async fn known_browsers(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    lang: Lang,
) -> anyhow::Result<Vec<BrowserLine>> {
    let when = |at: i64| format_unix_seconds(lang, at, &state.config.timezone).unwrap_or_default();
    let current = crate::server::browser::cookie_value(headers, browsers::cookie_name(state));
    let mut conn = state
        .db
        .acquire()
        .await
        .context("listing the known browsers")?;
    Ok(browsers::list(&mut conn, account_id, current.as_deref())
        .await?
        .into_iter()
        .map(|known| BrowserLine {
            device: known
                .user_agent
                .as_deref()
                .and_then(crate::server::browser::describe)
                .unwrap_or_else(|| lang.t("second_step.unknown_browser")),
            first_seen: when(known.first_seen_at),
            last_seen: when(known.last_seen_at),
            current: known.current,
            id: known.id,
        })
        .collect())
}

/// The account's open sessions, the request's own marked.
pub async fn sessions(
    state: &AppState,
    account_id: &str,
    current: Option<&str>,
    lang: Lang,
) -> anyhow::Result<Vec<SessionLine>> {
    let when = |at: i64| format_unix_seconds(lang, at, &state.config.timezone).unwrap_or_default();
    Ok(session::list(state, account_id)
        .await?
        .into_iter()
        .map(|(id_hash, created, last_seen, agent)| SessionLine {
            handle: id_hash[..16.min(id_hash.len())].to_owned(),
            started: when(created),
            last_seen: when(last_seen),
            device: agent
                .and_then(|a| crate::server::browser::describe(&a))
                .unwrap_or_else(|| lang.t("second_step.unknown_browser")),
            current: Some(id_hash.as_str()) == current,
        })
        .collect())
}
