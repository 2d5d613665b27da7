//! Pieces shared by the flows' pages. They display and collect; the rules
//! they show come from `domain`, and nothing here decides anything.

mod captcha;
mod field;
mod layout;

pub use captcha::{new_challenge_id, CaptchaField};
pub use field::{ErrorSummary, SelectField, TextField, Validator};
pub use layout::{Layout, NotFound};
