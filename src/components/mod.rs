//! Pieces shared by the flows' pages. They display and collect; the rules
//! they show come from `domain`, and nothing here decides anything.

mod account_details;
mod captcha;
mod door;
mod field;
mod layout;
mod page_state;
mod password;

pub use account_details::AccountDetails;
pub use captcha::{new_challenge_id, CaptchaField};
#[cfg(feature = "hydrate")]
pub use door::focus_element;
pub use door::{
    clear_input, focus_after_update, loaded_page, mark_headings_announced, shown_state,
    ActionAnswers, DoorAlert, DoorError, DoorForm, DoorResult, LoadFailure, Loading, Outcome,
    ANNOUNCED_ATTRIBUTE,
};
pub use field::{country_options, ErrorSummary, SelectField, SelectOptions, TextField, Validator};
pub use layout::{encode_query_value, ConnectedLayout, FailureNotice, Layout, NotFound};
pub use page_state::page_state;
pub use password::{password_strength, NewPasswordFields, PasswordStrength};
