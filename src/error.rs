//! Errors that reach the person, shared by the browser and the server.

use serde::{Deserialize, Serialize};

/// An unexpected failure, as the person sees it: a generic, translated
/// message and a reference that support can find in the logs. The cause is
/// logged on the server and never sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("internal error (reference {reference})")]
pub struct InternalError {
    pub reference: String,
}
