//! Where emails go: the SMTP relay of `SESAME_SMTP_URL`, or nowhere (the
//! dev mailbox reads the outbox), and the signal that wakes the outbox
//! worker (`mail::outbox`) after a commit.

use super::Config;
use anyhow::Context;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Where the outbox worker delivers.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP configured: messages stay in the outbox, shown at `/dev/mailbox`.
    DevMailbox,
}

#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    /// Right-hand side of every Message-ID.
    pub message_id_domain: String,
    wake: Arc<Notify>,
}

impl Mailer {
    /// From `SESAME_SMTP_URL` (15 s timeout per SMTP command) and
    /// `SESAME_MAIL_FROM`. Errors: either is malformed.
    pub fn from_config(config: &Config) -> anyhow::Result<Mailer> {
        let transport = match &config.smtp_url {
            None => Transport::DevMailbox,
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SESAME_SMTP_URL")?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
        };
        let from: Mailbox = config.mail_from.parse().context("SESAME_MAIL_FROM")?;
        let message_id_domain = url::Url::parse(&config.public_url)
            .ok()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_else(|| "sesame.localhost".into());
        Ok(Mailer {
            transport,
            from,
            message_id_domain,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Tells the worker that new messages are waiting (call after commit).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Waits until [`Mailer::wake`] is called.
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    pub fn is_dev_mailbox(&self) -> bool {
        matches!(self.transport, Transport::DevMailbox)
    }
}
