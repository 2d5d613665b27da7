//! Errors that reach the person, shared by the browser and the server.

use serde::{Deserialize, Serialize};

/// The reference of an unexpected failure, as the person sees it beside a
/// generic, translated message ("Référence : 3fa9c2…"): 12 hexadecimal
/// characters that support finds in the server's log, where the whole
/// cause chain was written ([`report`]). Nothing of the
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

/// Logs an unexpected failure with its whole chain under a short reference
/// (12 hexadecimal characters from the operating system's random source),
/// and returns the reference: the only thing the person is shown (OWASP
/// Error Handling Cheat Sheet: no internals in answers).
#[cfg(feature = "ssr")]
pub fn report(error: &anyhow::Error, what: &str) -> Reference {
    let mut bytes = [0u8; 6];
    let reference = match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => "-".to_owned(),
    };
    tracing::error!(%reference, error = format!("{error:#}"), "{what} failed");
    Reference::new(reference)
}
