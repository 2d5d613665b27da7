use super::{ConfirmLink, ContactLinkState};
use crate::components::{page_state, shown_state, ActionAnswers, DoorAlert, DoorForm, Layout};
use crate::i18n::use_lang;
use crate::paths::CONTACT_LINK_PREFIX;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page of a link about the contact address: confirm the new one, or
/// put the old one back.
#[component]
pub fn ContactLinkPage() -> impl IntoView {
    let token = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<ConfirmLink>::new();
    let state = shown_state(
        page_state(ContactLinkState::default),
        &[ActionAnswers::of(action)],
    );
    move || link_view(state.get(), action, token.clone())
}

fn link_view(
    state: ContactLinkState,
    action: ServerAction<ConfirmLink>,
    token: String,
) -> impl IntoView {
    let lang = use_lang();
    let (title, text, email, button) = match state {
        ContactLinkState::Invalid => (
            "contact.invalid_title",
            "contact.invalid_text",
            String::new(),
            None,
        ),
        ContactLinkState::Expired => (
            "contact.expired_title",
            "contact.expired_text",
            String::new(),
            None,
        ),
        ContactLinkState::Retired => (
            "contact.retired_title",
            "contact.retired_text",
            String::new(),
            None,
        ),
        ContactLinkState::Confirm { email } => (
            "contact.confirm_title",
            "contact.confirm_text",
            email,
            Some("contact.confirm_submit"),
        ),
        ContactLinkState::Revert { email } => (
            "contact.revert_title",
            "contact.revert_text",
            email,
            Some("contact.revert_submit"),
        ),
        ContactLinkState::Confirmed { email } => (
            "contact.confirmed_title",
            "contact.confirmed_text",
            email,
            None,
        ),
        ContactLinkState::ConfirmLogin { email } => (
            "contact.login_confirm_title",
            "contact.login_confirm_text",
            email,
            Some("contact.confirm_submit"),
        ),
        ContactLinkState::LoginConfirmed { email } => (
            "contact.login_confirmed_title",
            "contact.login_confirmed_text",
            email,
            None,
        ),
        ContactLinkState::LoginTaken { email } => (
            "contact.login_taken_title",
            "contact.login_taken_text",
            email,
            None,
        ),
        ContactLinkState::Reverted { email } => (
            "contact.reverted_title",
            "contact.reverted_text",
            email,
            None,
        ),
    };
    view! {
        <Title text=lang.t(title) />
        <Layout>
            <h1>{lang.t(title)}</h1>
            <p role=button.is_none().then_some("status")>{lang.t_with(text, &[("email", &email)])}</p>
            {match button {
                Some(label) => view! {
                    <DoorAlert action />
                    <DoorForm action plain=format!("{CONTACT_LINK_PREFIX}/{token}")>
                        <input type="hidden" name="token" value=token.clone() />
                        <button type="submit" class="button button--primary">{lang.t(label)}</button>
                    </DoorForm>
                }.into_any(),
                None => view! {
                    <p><a href="/" class="button button--primary">{lang.t("activation.go_to_login")}</a></p>
                }.into_any(),
            }}
        </Layout>
    }
}
