//! Accounts: their typed states (from `domain::states`), the summary the
//! pages show, and on the server the emailed links (`links`), who acts on
//! an account (`Actor`, `ActedBy`), membership requests (`memberships`) and
//! the person's own language (`language`), and their second factors
//! (`factors`, and the security keys: `keys`), and the browsers it logged
//! in from (`browsers`).

#[cfg(feature = "ssr")]
mod actor;
#[cfg(feature = "ssr")]
pub mod browsers;
#[cfg(feature = "ssr")]
pub mod factors;
#[cfg(feature = "ssr")]
pub mod keys;
#[cfg(feature = "ssr")]
pub mod language;
#[cfg(feature = "ssr")]
pub mod links;
#[cfg(feature = "ssr")]
pub mod memberships;
#[cfg(feature = "ssr")]
mod person;
#[cfg(feature = "ssr")]
pub mod spelling;
pub mod summary;
pub use crate::domain::states::{AccountState, MembershipStatus, Role, TokenPurpose, UnknownValue};
#[cfg(feature = "ssr")]
pub use actor::{manager_fn, ActedBy, Actor, Manager, OutOfReach, Standing};
#[cfg(feature = "ssr")]
pub use person::{Person, PERSON_COLUMNS};
pub use summary::AccountSummary;
