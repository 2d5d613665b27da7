use crate::error::Reference;
use tracing_subscriber::{fmt, EnvFilter};

/// What is logged without `RUST_LOG`.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Logs to standard output; `RUST_LOG` sets the level (default `info`).
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Logs an unexpected failure with its whole chain under a short reference,
/// and returns the reference: the only thing the person is shown.
pub fn report(error: &anyhow::Error, what: &str) -> Reference {
    let reference = super::tokens::new_id()
        .map(|id| id[..12].to_owned())
        .unwrap_or_else(|_| "-".into());
    tracing::error!(%reference, error = format!("{error:#}"), "{what} failed");
    Reference::new(reference)
}
