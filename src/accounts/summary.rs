//! An account's data as it is shown: the activation page and "Mon compte"
//! draw it with `components::AccountDetails`.

use serde::{Deserialize, Serialize};

/// An account's data as it is shown (activation page, "Mon compte").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub login_email: String,
    pub contact_email: Option<String>,
    /// The contact address was confirmed by its owner (a link sent to it
    /// was followed); one typed at signup is not, and gets nothing.
    #[serde(default)]
    pub contact_confirmed: bool,
    pub last_name: String,
    pub first_name: String,
    pub address: String,
    pub address_complement_1: Option<String>,
    pub address_complement_2: Option<String>,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// `fr` or `en`: the language of the account's emails.
    pub language: String,
}

impl AccountSummary {
    /// "Paul Dupont".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[cfg(feature = "ssr")]
pub use loader::account_summary;

#[cfg(feature = "ssr")]
mod loader {
    use super::AccountSummary;
    use crate::server::AppState;
    use anyhow::Context;

    #[derive(sqlx::FromRow)]
    struct AccountRow {
        login_email: String,
        contact_email: Option<String>,
        contact_confirmed: i64,
        last_name: String,
        first_name: String,
        address: String,
        address_complement_1: Option<String>,
        address_complement_2: Option<String>,
        postal_code: String,
        city: String,
        country: String,
        phone: Option<String>,
        fax: Option<String>,
        language: String,
    }

    impl From<AccountRow> for AccountSummary {
        fn from(row: AccountRow) -> Self {
            AccountSummary {
                login_email: row.login_email,
                contact_email: row.contact_email,
                contact_confirmed: row.contact_confirmed == 1,
                last_name: row.last_name,
                first_name: row.first_name,
                address: row.address,
                address_complement_1: row.address_complement_1,
                address_complement_2: row.address_complement_2,
                postal_code: row.postal_code,
                city: row.city,
                country: row.country,
                phone: row.phone,
                fax: row.fax,
                language: row.language,
            }
        }
    }

    /// The account's data, or `None` when there is no such account.
    /// Errors: the database failed.
    pub async fn account_summary(
        state: &AppState,
        account_id: &str,
    ) -> anyhow::Result<Option<AccountSummary>> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT login_email, contact_email, contact_confirmed, last_name, first_name, address, address_complement_1, \
             address_complement_2, postal_code, city, country, phone, fax, language FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(&state.db)
        .await
        .context("reading the account")?;
        Ok(row.map(AccountSummary::from))
    }
}
