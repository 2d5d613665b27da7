//! Errors that reach the person, shared by the browser and the server.

use serde::{Deserialize, Serialize};

/// The reference of an unexpected failure, as the person sees it beside a
/// generic, translated message ("Référence : 3fa9c2…"): 12 hexadecimal
/// characters that support finds in the server's log, where the whole
/// cause chain was written (`server::telemetry::report`). Nothing of the
/// cause itself is ever sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    /// Wraps a reference made by the server's telemetry.
    pub fn new(reference: impl Into<String>) -> Reference {
        Reference(reference.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
