//! Pieces shared by the flows' pages. They display and collect; the rules
//! they show come from `domain`, and nothing here decides anything.

mod captcha;
mod field;
mod layout;
mod page_state;
mod password;

pub use captcha::{new_challenge_id, CaptchaField};
pub use field::{country_options, ErrorSummary, SelectField, TextField, Validator};
pub use layout::{encode_query_value, ConnectedLayout, FailureNotice, Layout, NotFound};
pub use page_state::page_state;
pub use password::{password_strength, NewPasswordFields, PasswordStrength};
