//! Emails: pure templates, a transactional outbox, and the worker that
//! delivers it through the state's mailer (`server::mailer`) over SMTP, or
//! keeps it for the dev mailbox.

pub mod address;
pub mod outbox;
pub mod templates;

pub use outbox::{enqueue, OutgoingEmail};
