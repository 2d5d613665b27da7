use tracing_subscriber::{fmt, EnvFilter};

/// What is logged without `RUST_LOG`.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_http=info";

/// Logs to standard output; `RUST_LOG` sets the level (default `info`).
pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
