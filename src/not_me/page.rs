use super::{DisownLogin, NotMeState};
use crate::components::{page_state, shown_state, ActionAnswers, DoorAlert, DoorForm, Layout};
use crate::i18n::use_lang;
use crate::paths::NOT_ME_PREFIX;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Ce n'était pas moi": what the notice was about, and the button that
/// secures the account (never the link itself: mail scanners open links).
#[component]
pub fn NotMePage() -> impl IntoView {
    let token = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<DisownLogin>::new();
    let state = shown_state(
        page_state(NotMeState::default),
        &[ActionAnswers::of(action)],
    );
    move || not_me_view(state.get(), action, token.clone())
}

fn not_me_view(
    state: NotMeState,
    action: ServerAction<DisownLogin>,
    token: String,
) -> impl IntoView {
    let lang = use_lang();
    let (title, text) = match &state {
        NotMeState::Invalid => ("not_me.invalid_title", lang.t("not_me.invalid_text")),
        NotMeState::Expired => ("not_me.expired_title", lang.t("not_me.expired_text")),
        NotMeState::Retired => ("not_me.retired_title", lang.t("not_me.retired_text")),
        NotMeState::Ask { at, browser } => {
            let unknown = lang.t("second_step.unknown_browser");
            let text = match at {
                Some(at) => lang.t_with(
                    "not_me.ask_text",
                    &[
                        ("at", at),
                        ("browser", browser.as_deref().unwrap_or(&unknown)),
                    ],
                ),
                None => lang.t("not_me.ask_text_forgotten"),
            };
            ("not_me.ask_title", text)
        }
        NotMeState::Secured { email_hint } => (
            "not_me.secured_title",
            lang.t_with("not_me.secured_text", &[("email", email_hint)]),
        ),
    };
    let asking = matches!(state, NotMeState::Ask { .. });
    view! {
        <Title text=lang.t(title) />
        <Layout>
            <h1>{lang.t(title)}</h1>
            <p role=(!asking).then_some("status")>{text}</p>
            {if asking {
                view! {
                    <p>{lang.t("not_me.ask_what")}</p>
                    <DoorAlert action />
                    <DoorForm action plain=format!("{NOT_ME_PREFIX}/{token}")>
                        <input type="hidden" name="token" value=token.clone() />
                        <button type="submit" class="button button--danger">{lang.t("not_me.submit")}</button>
                    </DoorForm>
                    <p class="hint">{lang.t("not_me.never_asked")}</p>
                }.into_any()
            } else {
                view! {
                    <p><a href="/" class="button button--primary">{lang.t("activation.go_to_login")}</a></p>
                }.into_any()
            }}
        </Layout>
    }
}
