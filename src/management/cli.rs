//! `sesame admin create EMAIL [--last-name NAME] [--first-name NAME]`: the
//! first administrator (or a new one). The account is created pending with
//! the administrator role and an activation link is emailed, exactly as
//! after a signup: no password is ever set from the command line. An
//! existing account is given the role.

use crate::accounts::{AccountState, Role};
use crate::activation::service::queue_activation_email;
use crate::domain::{EmailAddress, PersonName};
use crate::mail::templates::ActivationOccasion;
use crate::server::events::{self, EventKind};
use crate::server::{tokens, AppState};
use anyhow::Context;

pub const USAGE: &str = "usage: sesame admin create EMAIL [--last-name NAME] [--first-name NAME]";

#[derive(Debug, PartialEq, Eq)]
pub struct CreateAdmin {
    pub email: EmailAddress,
    pub last_name: PersonName,
    pub first_name: PersonName,
}

/// Reads `admin create …`; `None` when the arguments are not that command.
pub fn parse(args: &[String]) -> Option<Result<CreateAdmin, String>> {
    let rest = match args {
        [admin, create, rest @ ..] if admin == "admin" && create == "create" => rest,
        [admin, ..] if admin == "admin" => return Some(Err(USAGE.to_owned())),
        _ => return None,
    };
    let mut email = None;
    let mut last_name = "Administrateur".to_owned();
    let mut first_name = "Sésame".to_owned();
    let mut words = rest.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--last-name" => last_name = words.next().cloned().unwrap_or_default(),
            "--first-name" => first_name = words.next().cloned().unwrap_or_default(),
            other if email.is_none() && !other.starts_with("--") => email = Some(other.to_owned()),
            _ => return Some(Err(USAGE.to_owned())),
        }
    }
    let Some(email) = email else {
        return Some(Err(USAGE.to_owned()));
    };
    Some((|| {
        Ok(CreateAdmin {
            email: EmailAddress::parse(&email).map_err(|e| format!("{email}: {e}"))?,
            last_name: PersonName::parse(&last_name).map_err(|e| format!("--last-name: {e}"))?,
            first_name: PersonName::parse(&first_name).map_err(|e| format!("--first-name: {e}"))?,
        })
    })())
}

pub enum Created {
    /// A new pending administrator; the activation link is on its way.
    New,
    /// An existing account was made an administrator.
    Promoted,
}

pub async fn create_admin(state: &AppState, admin: &CreateAdmin) -> anyhow::Result<Created> {
    let now = state.clock.now_seconds();
    let mut tx = state
        .db
        .begin()
        .await
        .context("starting the administrator creation")?;
    // This write takes the account's row lock, which every action on the
    // account takes before reading where it stands (`Actor::reaches`).
    let promoted = sqlx::query("UPDATE accounts SET role = $2 WHERE login_email = $1")
        .bind(admin.email.as_ref())
        .bind(Role::Admin.as_str())
        .execute(&mut *tx)
        .await
        .context("promoting the account")?;
    if promoted.rows_affected() == 1 {
        // Its sessions end: it logs in again as an administrator, under a
        // new session id (OWASP Session Management Cheat Sheet).
        let (account_id,): (String,) =
            sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1")
                .bind(admin.email.as_ref())
                .fetch_one(&mut *tx)
                .await
                .context("reading the promoted account")?;
        crate::server::session::end_all(&mut tx, &account_id).await?;
        tx.commit().await.context("committing the promotion")?;
        return Ok(Created::Promoted);
    }
    if crate::mail::address::deliverable(&admin.email, state.config.smtp_utf8).is_err() {
        anyhow::bail!(
            "{}: the relay cannot deliver to an address with other than ASCII before its @ \
             (set SESAME_SMTP_UTF8=true if it offers SMTPUTF8)",
            admin.email
        );
    }
    let id = tokens::new_id()?;
    sqlx::query(
        "INSERT INTO accounts (id, login_email, last_name, first_name, address, postal_code, city, \
         country, language, state, created_at, role) \
         VALUES ($1, $2, $3, $4, '', '', '', 'FR', $5, $7, $6, $8)",
    )
    .bind(&id)
    .bind(admin.email.as_ref())
    .bind(admin.last_name.as_ref())
    .bind(admin.first_name.as_ref())
    .bind(state.config.default_lang.code())
    .bind(now)
    .bind(AccountState::Pending.as_str())
    .bind(Role::Admin.as_str())
    .execute(&mut *tx)
    .await
    .context("creating the administrator")?;
    events::record(&mut tx, &id, EventKind::Created, now).await?;
    queue_activation_email(
        &mut tx,
        state,
        ActivationOccasion::First,
        &id,
        admin.email.as_ref(),
        state.config.default_lang,
    )
    .await?;
    tx.commit().await.context("committing the administrator")?;
    Ok(Created::New)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_line_names_the_administrator() {
        let parsed = parse(&args("admin create Admin@Portail.fr --last-name Durand"))
            .unwrap()
            .unwrap();
        assert_eq!(parsed.email.as_ref(), "admin@portail.fr");
        assert_eq!(parsed.last_name.as_ref(), "Durand");
        assert_eq!(parsed.first_name.as_ref(), "Sésame");
        assert!(parse(&args("")).is_none(), "no arguments starts the server");
        assert!(parse(&args("admin create")).unwrap().is_err());
        assert!(parse(&args("admin create pas-une-adresse"))
            .unwrap()
            .is_err());
        assert!(parse(&args("admin delete a@b.fr")).unwrap().is_err());
    }
}
