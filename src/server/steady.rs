//! Steady answers: a signup or a reactivation request does more work when
//! the address has an account (or, for a signup, when it has none) — one
//! path writes an account and an email, the other a warning or nothing. The
//! page says the same either way; so that the time it takes does not say
//! otherwise, such an answer leaves no sooner than `SESAME_STEADY_ANSWER_MS`
//! after the request arrived.
//!
//! The floor is above what either path takes on an unloaded server, so the
//! median times of both match (`make load` measures them). A server loaded
//! beyond the floor answers later for everyone alike.

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
