//! Steady answers. Where an answer says the same whether an address has an
//! account or not, the work behind it still differs: a signup writes an
//! account and an email for a new address but only a warning (at most
//! hourly) for a registered one; a reactivation request writes only for a
//! deactivated account; an activation resend writes a link and an email
//! only for a pending account; a wrong password or secret answer is
//! recorded in the account's feed only when there is an account. So that
//! the time an answer takes does not tell either, signup, login, both
//! steps of "Mot de passe oublié ?", the reactivation request and the
//! activation resend answer no sooner than `SESAME_STEADY_ANSWER_MS` after
//! the request arrived.
//!
//! The floor is above what any of these takes on an unloaded server
//! (argon2 included), so the median times match (`make load` measures
//! them). A server loaded beyond the floor answers later for everyone
//! alike.

use super::AppState;
use std::time::Duration;
use tokio::time::Instant;

/// The moment an answer may leave, taken when the request arrives.
pub struct Steady {
    not_before: Instant,
}

impl Steady {
    pub fn start(state: &AppState) -> Steady {
        Steady {
            not_before: Instant::now() + Duration::from_millis(state.config.steady_answer_ms),
        }
    }

    /// Gives `answer` back once the floor has passed.
    pub async fn answer<T>(self, answer: T) -> T {
        tokio::time::sleep_until(self.not_before).await;
        answer
    }
}
