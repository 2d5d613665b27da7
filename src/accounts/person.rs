//! The one read model of an account's person, for the services that write
//! to them: their addresses, how to greet them, and their language.

use crate::i18n::Lang;
use anyhow::Context;

/// An account's person. Never holds a secret (no hash, no answer).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub login_email: String,
    /// `None`: the login address is the contact address.
    pub contact_email: Option<String>,
    /// 1 once a link sent to `contact_email` was followed; 0 for one typed
    /// at signup and never confirmed (part 14, item 1).
    pub contact_confirmed: i64,
    pub first_name: String,
    pub last_name: String,
    /// `fr` or `en`: the language of the account's emails.
    pub language: String,
}

/// The columns of [`Person`], for a `SELECT` or a `RETURNING`.
pub const PERSON_COLUMNS: &str =
    "login_email, contact_email, contact_confirmed, first_name, last_name, language";

impl Person {
    /// The person of account `id`. Errors: the database failed, or there is
    /// no such account.
    pub async fn load<'c, E>(db: E, id: &str) -> anyhow::Result<Person>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS} FROM accounts WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(db)
        .await
        .context("reading the account's person")
    }

    /// "Paul Dupont".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// Where notices go: the contact address once its owner confirmed it,
    /// else the login address. An address typed at signup by whoever filled
    /// the form gets nothing until then (Sudhodanan and Paverd,
    /// "Pre-hijacked accounts", USENIX Security 2022).
    pub fn contact(&self) -> &str {
        self.confirmed_contact().unwrap_or(&self.login_email)
    }

    /// The contact address, if its owner confirmed it.
    pub fn confirmed_contact(&self) -> Option<&str> {
        self.contact_email
            .as_deref()
            .filter(|_| self.contact_confirmed == 1)
    }

    /// The account's language, or `default` if the stored one is unknown.
    pub fn lang(&self, default: Lang) -> Lang {
        Lang::from_code(&self.language).unwrap_or(default)
    }
}
