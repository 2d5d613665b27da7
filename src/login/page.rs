//! The login flow's piece of the connected pages: "Déconnexion" (the login
//! box itself is on the home page, `home`).

use super::LogOut;
use crate::components::{shown_state, ActionAnswers, DoorAlert, DoorForm};
use crate::i18n::use_lang;
use crate::paths::LOGOUT_PATH;
use leptos::prelude::*;

/// "Déconnexion": a plain post to [`LOGOUT_PATH`], or the server function
/// once hydrated; either way the login box then says "Vous êtes
/// déconnecté".
#[component]
pub fn LogOutForm() -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<LogOut>::new();
    shown_state((), &[ActionAnswers::of(action)]);
    view! {
        <DoorAlert action />
        <DoorForm action plain=LOGOUT_PATH>
            <button type="submit" class="button button--secondary">
                {lang.t("connected.logout")}
            </button>
        </DoorForm>
    }
}
