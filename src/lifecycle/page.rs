use super::{ReactivationPageState, RequestReactivation};
use crate::components::{
    page_state, shown_state, ActionAnswers, DoorAlert, DoorForm, Layout, TextField,
};
use crate::i18n::use_lang;
use crate::paths::REACTIVATION_PATH;
use leptos::prelude::*;
use leptos_meta::Title;

/// "Demander la réactivation": the login address of a deactivated account.
#[component]
pub fn ReactivationRequestPage() -> impl IntoView {
    let action = ServerAction::<RequestReactivation>::new();
    let state = shown_state(
        page_state(ReactivationPageState::default),
        &[ActionAnswers::of(action)],
    );
    move || request_view(state.get(), action)
}

fn request_view(
    state: ReactivationPageState,
    action: ServerAction<RequestReactivation>,
) -> impl IntoView {
    let lang = use_lang();
    let (email, error, done) = match state {
        ReactivationPageState::Blank => (String::new(), None, None),
        ReactivationPageState::Refused { email, error } => (email, Some(error), None),
        ReactivationPageState::Done { email } => (String::new(), None, Some(email)),
    };
    view! {
        <Title text=lang.t("reactivation.title") />
        <Layout>
            <h1>{lang.t("reactivation.title")}</h1>
            {done.map(|email| view! {
                <p class="notice notice--info" role="status">
                    {lang.t_with("reactivation.done", &[("email", &email)])}
                </p>
            })}
            <p>{lang.t("reactivation.intro")}</p>
            <DoorAlert action />
            <DoorForm action plain=REACTIVATION_PATH class="form">
                <TextField name="login_email" label="signup.login_email" value=email error=error
                    required=true input_type="email" autocomplete="username" maxlength=254 />
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("reactivation.submit")}</button>
                </div>
            </DoorForm>
        </Layout>
    }
}
