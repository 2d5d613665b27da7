//! Pieces shared by the flows' pages. They display and collect; the rules
//! they show come from `domain`, and nothing here decides anything.

mod account_details;
#[cfg(feature = "hydrate")]
pub mod busy;
mod captcha;
mod door_form;
mod field;
mod focus;
mod in_turn;
mod layout;
mod left_behind;
mod loaded;
mod page_state;
mod password;
mod pause;
mod rehearsal;
mod shown;
mod webauthn;

pub use account_details::AccountDetails;
pub use captcha::{new_challenge_id, CaptchaField};
pub use door_form::{after_press, DoorAlert, DoorForm, PressInForm};
pub use field::{country_options, ErrorSummary, SelectField, SelectOptions, TextField, Validator};
pub use focus::{clear_input, focus_after_update, mark_headings_announced, ANNOUNCED_ATTRIBUTE};
#[cfg(feature = "hydrate")]
pub use focus::{focus_element, focus_is_lost};
#[cfg(feature = "hydrate")]
pub use in_turn::{after_ms, after_next_frame, in_a_later_task, when_all_hydrated};
pub use in_turn::{
    drawn_for_a_navigation, hydrating, in_turn, take_over_waiting_parts, InTurn, SLICE_MS,
};
pub use layout::{ConnectedLayout, FailureNotice, LastFrame, Layout, NotFound, ShellTitle};
pub use left_behind::{dropped_after_frame, DroppedAfterFrame};
pub use loaded::{loaded_page, ConnectedHead, LoadFailure, Loading};
pub use page_state::page_state;
pub use password::{password_strength, NewPasswordFields, PasswordStrength};
pub use pause::{begin_slice, pause_before, PauseBefore};
#[cfg(feature = "hydrate")]
pub use rehearsal::rehearse;
pub use rehearsal::{rehearsing, set_rehearsal_stage, until_rehearsal_ends};
pub use shown::{shown_state, ActionAnswers};
#[cfg(feature = "hydrate")]
pub use webauthn::{available as keys_available, create as create_key, get as use_key};
#[cfg(feature = "hydrate")]
pub use webauthn::{
    conditional_available as passkey_autofill_available,
    get_conditional as use_passkey_from_autofill,
};
pub use webauthn::{KeyCeremony, KeyPrompt, KeyPromptError};
