//! Everything that runs only on the server: configuration, start-up, state,
//! storage, captcha, language negotiation, HTTP middleware.

pub mod assets;
pub mod captcha;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod db;
pub mod document;
pub mod door;
pub mod events;
pub mod keys;
pub mod language;
pub mod password;
pub mod render;
pub mod secret_key;
pub mod security;
pub mod session;
pub mod startup;
pub mod state;
pub mod steady;
pub mod telemetry;
pub mod throttle;
pub mod tokens;
pub mod web;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Config;
pub use state::AppState;
