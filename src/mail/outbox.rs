//! The transactional outbox.
//!
//! A message is written in the transaction of the change that causes it, so
//! an accepted signup always has its email. The worker claims due messages
//! (a lease in `locked_until`, so several instances never send one twice at
//! once), sends them, and marks them sent; a failure is retried with
//! exponential backoff, a permanent refusal or too many failures abandon the
//! message (shown to administrators). Each message keeps one Message-ID, so
//! a resend after a crash between sending and marking is recognisable.

use crate::server::mailer::{Mailer, Transport};
use crate::server::{tokens::new_id, AppState};
use anyhow::Context;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use sqlx::AnyConnection;
use std::time::Duration;

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// What the message is about (`activation`, `signup_attempt`…).
    pub kind: &'static str,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Writes the message in the caller's transaction, its bodies sealed;
/// returns its id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    state: &AppState,
    email: &OutgoingEmail,
) -> anyhow::Result<String> {
    let now = state.clock.now_seconds();
    let id = new_id()?;
    let key = &state.config.secret_key;
    sqlx::query(
        "INSERT INTO outbox (id, kind, recipient, subject, text_body, html_body, created_at, \
         attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7)",
    )
    .bind(&id)
    .bind(email.kind)
    .bind(&email.recipient)
    .bind(&email.subject)
    .bind(crate::server::sealed::seal(key, &id, &email.text)?)
    .bind(crate::server::sealed::seal(key, &id, &email.html)?)
    .bind(now)
    .execute(&mut *conn)
    .await
    .context("queuing an email")?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Queued {
    id: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i64,
}

/// The text and HTML bodies of a stored message, opened.
pub fn open_bodies(
    state: &AppState,
    id: &str,
    text_body: &str,
    html_body: &str,
) -> anyhow::Result<(String, String)> {
    let key = &state.config.secret_key;
    Ok((
        crate::server::sealed::open(key, id, text_body)?,
        crate::server::sealed::open(key, id, html_body)?,
    ))
}

/// Delay before attempt `attempts + 1`: 10 s, 20 s, 40 s… up to an hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    let exponent = attempts.clamp(0, 20) as u32;
    (10i64 << exponent).min(3600)
}

/// Delivers every due message once; returns how many were sent.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now_seconds();
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND abandoned_at IS NULL \
         AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until < $1) \
         ORDER BY created_at LIMIT 50",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await
    .context("listing due emails")?;

    let mut sent = 0;
    for (id,) in due {
        let lease_until = state.clock.now_seconds() + 120;
        let claimed = sqlx::query(
            "UPDATE outbox SET locked_until = $1 WHERE id = $2 AND sent_at IS NULL \
             AND abandoned_at IS NULL AND (locked_until IS NULL OR locked_until < $3)",
        )
        .bind(lease_until)
        .bind(&id)
        .bind(now)
        .execute(&state.db)
        .await
        .context("claiming an email")?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let mut queued: Queued = sqlx::query_as(
            "SELECT id, recipient, subject, text_body, html_body, attempts FROM outbox WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&state.db)
        .await
        .context("reading a claimed email")?;
        (queued.text_body, queued.html_body) =
            open_bodies(state, &queued.id, &queued.text_body, &queued.html_body)?;
        if deliver_one(state, &queued).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn deliver_one(state: &AppState, queued: &Queued) -> anyhow::Result<bool> {
    let outcome = send(&state.mailer, queued).await;
    let now = state.clock.now_seconds();
    match outcome {
        Ok(()) => {
            sqlx::query("UPDATE outbox SET sent_at = $1, locked_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                .bind(now)
                .bind(&queued.id)
                .execute(&state.db)
                .await
                .context("marking an email sent")?;
            tracing::info!(email = %queued.id, "email delivered");
            Ok(true)
        }
        Err(failure) => {
            let attempts = queued.attempts + 1;
            let give_up =
                failure.permanent || attempts >= i64::from(state.config.outbox_max_attempts);
            let next = now + backoff_seconds(attempts);
            sqlx::query(
                "UPDATE outbox SET attempts = $1, next_attempt_at = $2, locked_until = NULL, \
                 last_error = $3, abandoned_at = $4 WHERE id = $5",
            )
            .bind(attempts)
            .bind(next)
            .bind(&failure.message)
            .bind(give_up.then_some(now))
            .bind(&queued.id)
            .execute(&state.db)
            .await
            .context("recording a failed delivery")?;
            if give_up {
                tracing::error!(email = %queued.id, attempts, error = %failure.message, "email abandoned");
            } else {
                tracing::warn!(email = %queued.id, attempts, retry_in_s = next - now, error = %failure.message, "email delivery failed, will retry");
            }
            Ok(false)
        }
    }
}

struct SendFailure {
    message: String,
    permanent: bool,
}

async fn send(mailer: &Mailer, queued: &Queued) -> Result<(), SendFailure> {
    let smtp = match &mailer.transport {
        Transport::DevMailbox => return Ok(()),
        Transport::Smtp(smtp) => smtp,
    };
    let message = build_message(mailer, queued).map_err(|e| SendFailure {
        message: format!("{e:#}"),
        permanent: true,
    })?;
    smtp.send(message)
        .await
        .map(|_| ())
        .map_err(|e| SendFailure {
            permanent: e.is_permanent(),
            message: e.to_string(),
        })
}

fn build_message(mailer: &Mailer, queued: &Queued) -> anyhow::Result<Message> {
    let to: Mailbox = super::address::for_envelope(&queued.recipient)?
        .parse()
        .context("the recipient address")?;
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(queued.subject.clone())
        .message_id(Some(format!(
            "<{}@{}>",
            queued.id, mailer.message_id_domain
        )))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(queued.text_body.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(queued.html_body.clone()),
                ),
        )
        .context("building the message")
}

/// The worker: delivers due messages whenever woken, and at least every
/// `SESAME_OUTBOX_POLL_MS` (a failed round is logged and tried again at
/// the next; nothing is lost: a message leaves the outbox only once sent
/// or given up after `SESAME_OUTBOX_MAX_ATTEMPTS`).
pub async fn run_worker(state: AppState) {
    let poll = Duration::from_millis(state.config.outbox_poll_ms.max(10));
    loop {
        if let Err(error) = deliver_due(&state).await {
            tracing::error!(
                error = format!("{error:#}"),
                "the outbox worker failed a round"
            );
        }
        tokio::select! {
            _ = state.mailer.woken() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_with_a_line_break_adds_no_header() {
        let config = crate::server::Config::for_tests("sqlite::memory:".into());
        let mailer = Mailer::from_config(&config).unwrap();
        let queued = Queued {
            id: "abc".into(),
            recipient: "paul@menuiserie.fr".into(),
            subject: "Bonjour\r\nBcc: victim@evil.example".into(),
            text_body: "texte".into(),
            html_body: "<p>html</p>".into(),
            attempts: 0,
        };
        let formatted =
            String::from_utf8(build_message(&mailer, &queued).unwrap().formatted()).unwrap();
        let headers = formatted.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{headers}"
        );
        assert_eq!(
            headers.lines().filter(|l| l.starts_with("To:")).count(),
            1,
            "{headers}"
        );
        // A recipient with a line break is no address at all.
        let hostile = Queued {
            recipient: "paul@menuiserie.fr\r\nBcc: victim@evil.example".into(),
            ..queued
        };
        assert!(build_message(&mailer, &hostile).is_err());
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(backoff_seconds(0), 10);
        assert_eq!(backoff_seconds(1), 20);
        assert_eq!(backoff_seconds(3), 80);
        assert_eq!(backoff_seconds(12), 3600);
        assert_eq!(backoff_seconds(500), 3600);
    }
}
