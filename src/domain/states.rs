//! The closed sets the schema stores as text: an account's state and role,
//! a membership's status, an emailed link's purpose. Each is an enum with
//! exactly one string form, shared by both builds.
//!
//! No other module spells one of these values: SQL binds `as_str()`, rows
//! decode through `TryFrom<String>`, and the migration
//! `20261130000002_typed_columns` adds a `CHECK` on each column listing the
//! same strings (a unit test below keeps the two in step).
//!
//! An account's life (guide, sections 1 and 5):
//! `Pending` (created, waiting for its activation link) → `Active`
//! (password and secret question set) ⇄ `Deactivated` (by the person, a
//! manager or an administrator; reactivated by a manager or an
//! administrator). A pending account is deleted after
//! `SESAME_PENDING_ACCOUNT_DAYS`.

use serde::{Deserialize, Serialize};

/// A value read from the database or a form that is none of an enum's
/// string forms. Holds the name of the set and the value, for the log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a known {set}")]
pub struct UnknownValue {
    pub set: &'static str,
    pub value: String,
}

/// Defines an enum whose variants each have one string form, stored as is in
/// the database and sent as is to the browser.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $set:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            /// The one string form, as stored in the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(value: &str) -> Result<Self, UnknownValue> {
                match value {
                    $( $text => Ok($name::$variant), )+
                    _ => Err(UnknownValue { set: $set, value: value.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            fn try_from(value: String) -> Result<Self, UnknownValue> {
                value.parse()
            }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> &'static str {
                value.as_str()
            }
        }
    };
}

string_enum! {
    /// Where an account stands in its life (guide, sections 1 and 5).
    AccountState, "account state" {
        /// Created; its activation link has not been used yet.
        Pending => "pending",
        /// Password and secret question set: it can log in.
        Active => "active",
        /// Closed by the person, a manager or an administrator; can be
        /// reactivated by a manager or an administrator.
        Deactivated => "deactivated",
    }
}

string_enum! {
    /// What an account may do beyond its own data. Managers are named per
    /// structure (a membership's `is_manager`), not by role.
    Role, "role" {
        /// A supplier's employee.
        User => "user",
        /// Acts on every account and structure at `/gestion`.
        Admin => "admin",
    }
}

string_enum! {
    /// A request to be attached to a structure, and where it stands.
    MembershipStatus, "membership status" {
        /// Asked for, waiting for a manager or an administrator.
        Pending => "pending",
        Approved => "approved",
        Refused => "refused",
    }
}

string_enum! {
    /// What an emailed link does; see `links` for when each is retired.
    TokenPurpose, "link purpose" {
        /// Activates a pending account (guide, section 1).
        Activation => "activation",
        /// Sets a new password after "Mot de passe oublié ?" (section 3).
        Reset => "reset",
        /// Confirms a new contact address, sent to that address.
        ContactConfirm => "contact_confirm",
        /// Puts the previous contact address back, sent to that address.
        ContactRevert => "contact_revert",
        /// Confirms a new login address, sent to that address.
        LoginConfirm => "login_confirm",
        /// "Ce n'était pas moi" in a new-browser notice: ends every
        /// session and sends a reset link (issue 27).
        NotMe => "not_me",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_state_and_status_has_its_words_in_both_languages() {
        let keys = AccountState::ALL
            .iter()
            .map(|state| format!("management.state_{state}"))
            .chain(
                MembershipStatus::ALL
                    .iter()
                    .map(|status| format!("account.membership_{status}")),
            );
        for key in keys {
            for lang in [Lang::Fr, Lang::En] {
                assert!(lang.sentence(&key).is_some(), "{key} ({lang:?})");
            }
        }
    }

    #[test]
    fn each_value_reads_back_from_its_one_string_form() {
        for state in AccountState::ALL {
            assert_eq!(state.as_str().parse::<AccountState>(), Ok(*state));
        }
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for status in MembershipStatus::ALL {
            assert_eq!(status.as_str().parse::<MembershipStatus>(), Ok(*status));
        }
        for purpose in TokenPurpose::ALL {
            assert_eq!(purpose.as_str().parse::<TokenPurpose>(), Ok(*purpose));
        }
    }

    #[test]
    fn an_unknown_or_differently_cased_string_is_refused() {
        assert!("Active".parse::<AccountState>().is_err());
        assert!("superuser".parse::<Role>().is_err());
        let error = "".parse::<TokenPurpose>().unwrap_err();
        assert_eq!(error.set, "link purpose");
    }

    #[test]
    fn serde_uses_the_same_string_form() {
        let json = serde_json::to_string(&AccountState::Deactivated).unwrap();
        assert_eq!(json, "\"deactivated\"");
        let back: AccountState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, AccountState::Deactivated);
        assert!(serde_json::from_str::<AccountState>("\"closed\"").is_err());
    }

    /// The constraints of the migrations list exactly these strings: for
    /// each column, the newest migration that sets its constraint.
    #[test]
    fn the_migrations_constrain_each_column_to_every_string_form_and_no_other() {
        let newest = |files: &[&'static str], marker: &str| -> &'static str {
            files
                .iter()
                .rev()
                .find(|file| file.contains(marker))
                .copied()
                .unwrap_or_default()
        };
        let sqlite_files = [
            include_str!("../../migrations/20261130000002_typed_columns_sqlite.sql"),
            include_str!("../../migrations/20261208000002_not_me_links_sqlite.sql"),
        ];
        let postgres_files = [
            include_str!("../../migrations/20261130000003_typed_columns_postgres.sql"),
            include_str!("../../migrations/20261208000003_not_me_links_postgres.sql"),
        ];
        let columns = [
            ("state", list(AccountState::ALL.iter().map(|v| v.as_str()))),
            ("role", list(Role::ALL.iter().map(|v| v.as_str()))),
            (
                "status",
                list(MembershipStatus::ALL.iter().map(|v| v.as_str())),
            ),
            (
                "purpose",
                list(TokenPurpose::ALL.iter().map(|v| v.as_str())),
            ),
        ];
        for (column, values) in &columns {
            let postgres = newest(&postgres_files, &format!("CHECK ({column} IN ("));
            let sqlite = newest(&sqlite_files, &format!("WHEN NEW.{column} NOT IN ("));
            let on_postgres = format!("CHECK ({column} IN ({values}))");
            assert!(postgres.contains(&on_postgres), "missing: {on_postgres}");
            let on_sqlite = format!("WHEN NEW.{column} NOT IN ({values})");
            assert_eq!(
                sqlite.matches(&on_sqlite).count(),
                2,
                "insert and update: {on_sqlite}"
            );
        }
    }

    fn list<'a>(values: impl Iterator<Item = &'a str>) -> String {
        values
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
