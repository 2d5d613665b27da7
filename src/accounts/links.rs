//! Every emailed link: issued, found, consumed and retired here, and nowhere
//! else.
//!
//! A link is 32 random bytes (64 hex characters) in the URL; the database
//! keeps only their SHA-256 (`account_tokens.token_hash`), the account, the
//! purpose, an optional payload (the address a confirmation link stands
//! for), `expires_at`, `used_at` and `retired_at` (Unix seconds).
//!
//! A link is, in this order of precedence: **unknown** (no such hash, or not
//! of the purposes the page serves), **used** (it did its work once),
//! **retired** (a later change undid its meaning), **expired**, or **valid**.
//! Opening a link never changes it; [`consume`] marks it used with one
//! conditional `UPDATE` that only one of any number of concurrent requests
//! can win.
//!
//! # The rule: a change retires every outstanding link whose meaning it changes
//!
//! | change ([`Change`])                                   | retires                                                    | why |
//! |-------------------------------------------------------|------------------------------------------------------------|-----|
//! | a newer request of the same kind (`NewRequest`)       | the older links of that purpose (not `contact_revert` nor `not_me`) | only the latest request stands: the mistyped contact or login address of a first request must not win over the corrected one; one live activation or reset link at a time |
//! | a new password, from "Mon compte" or a reset (`PasswordChanged`) | `reset`, `login_confirm`, `contact_confirm`       | a reset link would undo the new password; address changes asked for under the old password (perhaps by whoever knew it, whose sessions just ended) must be asked again |
//! | a new login address confirmed (`LoginAddressChanged`) | `reset`, `login_confirm`, and the `contact_revert` links that put back "the login address" (an empty payload) | reset links went to the old login address, which no longer opens the account; other login changes were for an address that is no longer the one changed from; "the login address" now names another one |
//! | a new contact address confirmed (`ContactAddressChanged`) | `contact_confirm`                                      | an older confirmation must not replace the address just confirmed |
//! | the previous contact address put back (`ContactAddressRestored`) | `contact_confirm`, `contact_revert`, `login_confirm` | the owner took the account back: every address change still in flight may be someone else's |
//! | a deactivation, by oneself, a manager or an administrator (`Deactivated`) | every purpose                  | a closed account's links must not change it; after reactivation the person asks again |
//!
//! Every function here that writes first locks the account's row (a no-op
//! `UPDATE`), so changes to one account's links take turns, and always in
//! the same order (the account, then its links), which cannot deadlock.
//!
//! Kept on purpose: a secret question change retires nothing (no link stands
//! for the question); a new contact address keeps earlier `contact_revert`
//! links alive, so whoever owned an earlier address can still take it back
//! for 7 days. Each new-browser notice's "Ce n'était pas moi" link stands
//! for its own login until used, expired or the account deactivated. A pending account that is deleted takes its links with it
//! (`ON DELETE CASCADE`).

use crate::accounts::{AccountState, TokenPurpose};
pub use crate::server::db::lock_account;
use crate::server::tokens;
use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A change to an account that may undo the meaning of its links; see the
/// module's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A link of this purpose was just asked for again.
    NewRequest(TokenPurpose),
    PasswordChanged,
    LoginAddressChanged,
    ContactAddressChanged,
    ContactAddressRestored,
    Deactivated,
}

impl Change {
    /// The purposes of the outstanding links this change retires.
    pub fn retires(self) -> &'static [TokenPurpose] {
        use TokenPurpose::*;
        match self {
            Change::NewRequest(Activation) => &[Activation],
            Change::NewRequest(Reset) => &[Reset],
            Change::NewRequest(ContactConfirm) => &[ContactConfirm],
            Change::NewRequest(LoginConfirm) => &[LoginConfirm],
            Change::NewRequest(ContactRevert) => &[],
            Change::NewRequest(NotMe) => &[],
            Change::PasswordChanged => &[Reset, LoginConfirm, ContactConfirm],
            Change::LoginAddressChanged => &[Reset, LoginConfirm],
            Change::ContactAddressChanged => &[ContactConfirm],
            Change::ContactAddressRestored => &[ContactConfirm, ContactRevert, LoginConfirm],
            Change::Deactivated => TokenPurpose::ALL,
        }
    }
}

/// A link just issued. Its token is the secret of the URL: `Debug` hides it.
pub struct Issued {
    token: String,
    /// When the link stops working.
    pub expires_at: Timestamp,
}

impl Issued {
    /// The link to email: `{public_url}{prefix}/{token}`, built from the
    /// configured public URL, never from a request's Host header.
    pub fn url(&self, public_url: &str, prefix: &str) -> String {
        format!("{public_url}{prefix}/{}", self.token)
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a link stands for, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub account_id: String,
    pub purpose: TokenPurpose,
    /// The address a confirmation or revert link carries; `None` for
    /// activation and reset links. An empty string in a revert link means
    /// "the login address".
    pub payload: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
    /// The account's state now (not when the link was issued).
    pub account_state: AccountState,
}

/// Where a link stands; see the module's order of precedence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Unknown,
    Used(Link),
    Retired(Link),
    Expired(Link),
    Valid(Link),
}

/// Issues a link for `purpose`, valid for `valid_for`, in the caller's
/// transaction, first retiring the account's older links of the same
/// purpose ([`Change::NewRequest`]). Errors: the OS random source or the
/// database failed.
pub async fn issue(
    conn: &mut AnyConnection,
    account_id: &str,
    purpose: TokenPurpose,
    payload: Option<&str>,
    now: Timestamp,
    valid_for: SignedDuration,
) -> anyhow::Result<Issued> {
    let expires_at = now.checked_add(valid_for).context("link expiry")?;
    lock_account(conn, account_id).await?;
    retire_locked(
        conn,
        account_id,
        Change::NewRequest(purpose),
        now.as_second(),
    )
    .await?;
    let token = tokens::new_secret_token()?;
    sqlx::query(
        "INSERT INTO account_tokens \
         (token_hash, account_id, purpose, created_at, expires_at, payload) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tokens::hash_token(&token))
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(now.as_second())
    .bind(expires_at.as_second())
    .bind(payload)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("storing a {purpose} link"))?;
    Ok(Issued { token, expires_at })
}

/// Retires, in the caller's transaction, the account's outstanding links
/// (neither used, retired nor expired at `now`, Unix seconds) that `change`
/// undoes. Returns how many were retired.
pub async fn retire(
    conn: &mut AnyConnection,
    account_id: &str,
    change: Change,
    now: i64,
) -> anyhow::Result<u64> {
    if change.retires().is_empty() {
        return Ok(0);
    }
    lock_account(conn, account_id).await?;
    retire_locked(conn, account_id, change, now).await
}

/// [`retire`], the account's row being locked already.
async fn retire_locked(
    conn: &mut AnyConnection,
    account_id: &str,
    change: Change,
    now: i64,
) -> anyhow::Result<u64> {
    let purposes = change.retires();
    if purposes.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "UPDATE account_tokens SET retired_at = $1 WHERE account_id = $2 \
         AND used_at IS NULL AND retired_at IS NULL AND expires_at > $1 AND purpose IN ({})",
        placeholders(3, purposes.len())
    );
    let mut query = sqlx::query(&sql).bind(now).bind(account_id);
    for purpose in purposes {
        query = query.bind(purpose.as_str());
    }
    let mut retired = query
        .execute(&mut *conn)
        .await
        .with_context(|| format!("retiring links after {change:?}"))?
        .rows_affected();
    if change == Change::LoginAddressChanged {
        retired += sqlx::query(
            "UPDATE account_tokens SET retired_at = $1 WHERE account_id = $2 AND purpose = $3 \
             AND (payload IS NULL OR payload = '') \
             AND used_at IS NULL AND retired_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(account_id)
        .bind(TokenPurpose::ContactRevert.as_str())
        .execute(&mut *conn)
        .await
        .context("retiring the links that put back the login address")?
        .rows_affected();
    }
    Ok(retired)
}

/// Where the link of `token` stands, among the `purposes` a page serves,
/// at `now` (Unix seconds). Never changes it. A token not shaped like ours
/// is unknown without asking the database.
pub async fn find<'c, E>(
    db: E,
    token: &str,
    purposes: &[TokenPurpose],
    now: i64,
) -> anyhow::Result<Found>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if !tokens::looks_like_token(token) {
        return Ok(Found::Unknown);
    }
    let row = sqlx::query(
        "SELECT t.account_id, t.purpose, t.payload, t.expires_at, t.used_at, t.retired_at, \
         a.state FROM account_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1",
    )
    .bind(tokens::hash_token(token))
    .fetch_optional(db)
    .await
    .context("reading a link")?;
    let Some(row) = row else {
        return Ok(Found::Unknown);
    };
    let link = link_of(&row)?;
    if !purposes.contains(&link.purpose) {
        return Ok(Found::Unknown);
    }
    let used_at: Option<i64> = row.try_get("used_at").context("reading used_at")?;
    let retired_at: Option<i64> = row.try_get("retired_at").context("reading retired_at")?;
    Ok(if used_at.is_some() {
        Found::Used(link)
    } else if retired_at.is_some() {
        Found::Retired(link)
    } else if link.expires_at <= now {
        Found::Expired(link)
    } else {
        Found::Valid(link)
    })
}

/// Uses the link of `token` once, in the caller's transaction: one
/// conditional `UPDATE` that succeeds only for a valid link of one of
/// `purposes`, so of concurrent requests exactly one gets `Some`. `None`:
/// unknown, used, retired or expired (ask [`find`] which, for the page).
pub async fn consume(
    conn: &mut AnyConnection,
    token: &str,
    purposes: &[TokenPurpose],
    now: i64,
) -> anyhow::Result<Option<Link>> {
    if !tokens::looks_like_token(token) || purposes.is_empty() {
        return Ok(None);
    }
    // The account first, as every writer here does; one write statement,
    // so that SQLite takes its write lock at once (waiting its turn)
    // rather than upgrading a read.
    sqlx::query(
        "UPDATE accounts SET created_at = created_at \
         WHERE id = (SELECT account_id FROM account_tokens WHERE token_hash = $1)",
    )
    .bind(tokens::hash_token(token))
    .execute(&mut *conn)
    .await
    .context("locking the link's account")?;
    let sql = format!(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
         AND retired_at IS NULL AND expires_at > $1 AND purpose IN ({}) \
         RETURNING account_id, purpose, payload, expires_at",
        placeholders(3, purposes.len())
    );
    let mut query = sqlx::query(&sql).bind(now).bind(tokens::hash_token(token));
    for purpose in purposes {
        query = query.bind(purpose.as_str());
    }
    let Some(row) = query
        .fetch_optional(&mut *conn)
        .await
        .context("consuming a link")?
    else {
        return Ok(None);
    };
    let account_id: String = row.try_get("account_id").context("reading account_id")?;
    let (state,): (String,) = sqlx::query_as("SELECT state FROM accounts WHERE id = $1")
        .bind(&account_id)
        .fetch_one(&mut *conn)
        .await
        .context("reading the link's account")?;
    Ok(Some(Link {
        account_id,
        purpose: purpose_of(&row)?,
        payload: row.try_get("payload").context("reading payload")?,
        expires_at: row.try_get("expires_at").context("reading expires_at")?,
        account_state: state.parse()?,
    }))
}

/// The language of the account a link belongs to, whatever the link's
/// state (its page speaks to that account's owner), for
/// `server::language`. `None` for a token that is not ours.
pub async fn language_of<'c, E>(db: E, token: &str) -> anyhow::Result<Option<String>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT a.language FROM account_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1",
    )
    .bind(tokens::hash_token(token))
    .fetch_optional(db)
    .await
    .context("reading a link's language")?;
    Ok(found.map(|(code,)| code))
}

/// Deletes links that expired more than `SPENT_LINK_DAYS` ago: by then
/// their page may say "unknown" rather than "expired". Returns how many.
pub async fn purge_spent(db: &sqlx::AnyPool, now: i64) -> anyhow::Result<u64> {
    let deleted = sqlx::query("DELETE FROM account_tokens WHERE expires_at < $1")
        .bind(now - SPENT_LINK_DAYS * 86_400)
        .execute(db)
        .await
        .context("purging spent links")?;
    Ok(deleted.rows_affected())
}

/// How long a link is kept after its expiry, in days.
pub const SPENT_LINK_DAYS: i64 = 30;

fn link_of(row: &AnyRow) -> anyhow::Result<Link> {
    let state: String = row.try_get("state").context("reading the account state")?;
    Ok(Link {
        account_id: row.try_get("account_id").context("reading account_id")?,
        purpose: purpose_of(row)?,
        payload: row.try_get("payload").context("reading payload")?,
        expires_at: row.try_get("expires_at").context("reading expires_at")?,
        account_state: state.parse()?,
    })
}

fn purpose_of(row: &AnyRow) -> anyhow::Result<TokenPurpose> {
    let purpose: String = row.try_get("purpose").context("reading purpose")?;
    Ok(purpose.parse()?)
}

/// `$first, $first+1, …`: `count` numbered placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_request_retires_its_own_kind_only_and_never_a_revert_or_not_me_link() {
        for purpose in TokenPurpose::ALL {
            let retired = Change::NewRequest(*purpose).retires();
            if matches!(purpose, TokenPurpose::ContactRevert | TokenPurpose::NotMe) {
                assert!(retired.is_empty());
            } else {
                assert_eq!(retired, &[*purpose]);
            }
        }
    }

    #[test]
    fn a_new_password_retires_reset_links_and_address_changes_in_flight() {
        let retired = Change::PasswordChanged.retires();
        for purpose in [
            TokenPurpose::Reset,
            TokenPurpose::LoginConfirm,
            TokenPurpose::ContactConfirm,
        ] {
            assert!(retired.contains(&purpose), "{purpose}");
        }
        assert!(!retired.contains(&TokenPurpose::ContactRevert));
    }

    #[test]
    fn a_deactivation_retires_every_purpose() {
        assert_eq!(Change::Deactivated.retires(), TokenPurpose::ALL);
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 1), "$3");
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }

    #[test]
    fn an_issued_link_never_prints_its_token() {
        let issued = Issued {
            token: "ab".repeat(32),
            expires_at: Timestamp::UNIX_EPOCH,
        };
        assert!(!format!("{issued:?}").contains("abab"));
        assert_eq!(
            issued.url("https://portail.example", "/activation"),
            format!("https://portail.example/activation/{}", "ab".repeat(32))
        );
    }
}
