use super::{db::Db, keys::Keys, mailer::Mailer, password::Hasher, Clock, Config};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub mailer: Mailer,
    pub hasher: Hasher,
    pub keys: Keys,
    pub leptos_options: LeptosOptions,
    /// The browser bundle's addresses, read once at start-up.
    pub bundle: Arc<super::document::Bundle>,
    /// The app the document draws inside `<body>` (`document::shell`),
    /// handed in by the composition root: nothing in `server` names it.
    pub app: fn() -> leptos::prelude::AnyView,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
