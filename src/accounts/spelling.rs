//! One spelling for the addresses stored before the portal kept one: a
//! login or contact address saved with its domain in ASCII (`xn--…`) is
//! rewritten in the form `EmailAddress::parse` gives today (the Unicode
//! form, UTS #46), so that it is found whichever way it is typed.

use crate::domain::EmailAddress;
use crate::server::db::is_unique_violation;
use anyhow::Context;

/// Rewrites every stored address whose parse differs from it; run at
/// start-up, after the migrations. An address another account already
/// holds in the new spelling is left as it is, and logged (an operator
/// decides which account keeps it). Returns how many were rewritten.
/// Errors: the database failed.
pub async fn respell_stored_addresses(db: &sqlx::AnyPool) -> anyhow::Result<u64> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, login_email, contact_email FROM accounts \
         WHERE login_email LIKE '%xn--%' OR contact_email LIKE '%xn--%'",
    )
    .fetch_all(db)
    .await
    .context("reading the addresses to respell")?;
    let mut rewritten = 0;
    for (id, login, contact) in rows {
        for (column, stored) in [("login_email", Some(login)), ("contact_email", contact)] {
            let Some(stored) = stored else { continue };
            let Ok(parsed) = EmailAddress::parse(&stored) else {
                tracing::warn!(account = %id, column, "a stored address no longer parses; left as it is");
                continue;
            };
            if parsed.as_ref() == stored {
                continue;
            }
            let query = format!("UPDATE accounts SET {column} = $1 WHERE id = $2");
            match sqlx::query(&query)
                .bind(parsed.as_ref())
                .bind(&id)
                .execute(db)
                .await
            {
                Ok(_) => rewritten += 1,
                Err(error) if is_unique_violation(&error) => tracing::warn!(
                    account = %id,
                    column,
                    "another account holds this address in its one spelling; left as it is"
                ),
                Err(error) => {
                    return Err(anyhow::Error::new(error).context("respelling an address"))
                }
            }
        }
    }
    if rewritten > 0 {
        tracing::info!(
            addresses = rewritten,
            "stored addresses respelt with their domain in Unicode"
        );
    }
    Ok(rewritten)
}
