//! Everything that runs only on the server, below the flows: configuration,
//! state, storage, sessions, captcha, language negotiation, and the web
//! spine every flow's doors stand on (`web`, `door`, `render`, `document`).
//! Nothing here names a flow or the app: `startup` composes them.

pub mod assets;
pub mod browser;
pub mod captcha;
pub mod clock;
pub mod config;
pub mod db;
pub mod document;
pub mod door;
pub mod events;
pub mod keys;
pub mod language;
pub mod limits;
pub mod mailer;
pub mod packs;
pub mod password;
pub mod pending_login;
pub mod render;
pub mod sealed;
pub mod secret_key;
pub mod security;
pub mod sentences;
pub mod session;
pub mod state;
pub mod steady;
pub mod strength;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
pub mod web;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use state::AppState;
