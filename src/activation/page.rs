use super::{Activate, ActivationPageState, ResendActivation, ResendPageState, FIELDS};
use crate::account::ProfileFields;
use crate::components::{
    in_turn, page_state, shown_state, AccountDetails, ActionAnswers, DoorAlert, DoorForm,
    ErrorSummary, Layout, NewPasswordFields, TextField,
};
use crate::domain::{FieldErrors, PasswordPolicy};
use crate::i18n::use_lang;
use crate::paths::{ACTIVATION_PREFIX, RESEND_PATH};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ActivationPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<Activate>::new();
    let state = shown_state(
        page_state(ActivationPageState::default),
        &[ActionAnswers::of(action)],
    );
    move || activation_view(state.get(), action, token.clone())
}

fn activation_view(
    state: ActivationPageState,
    action: ServerAction<Activate>,
    token: String,
) -> AnyView {
    let lang = use_lang();
    let plain = format!("{ACTIVATION_PREFIX}/{token}");
    let dead_link = |title: &'static str, text: &'static str| {
        let plain = plain.clone();
        let token = token.clone();
        view! {
            <Title text=lang.t(title) />
            <Layout>
                <h1>{lang.t(title)}</h1>
                <p class="notice notice--error">{lang.t(text)}</p>
                <p>{lang.t("activation.expired_next")}</p>
                <DoorAlert action />
                <DoorForm action plain>
                    <input type="hidden" name="token" value=token />
                    <button type="submit" name="intent" value="reactivate" class="button button--primary">
                        {lang.t("activation.reactivate")}
                    </button>
                </DoorForm>
            </Layout>
        }
        .into_any()
    };
    let message = |title: &'static str, text: String| {
        view! {
            <Title text=lang.t(title) />
            <Layout>
                <h1>{lang.t(title)}</h1>
                <p>{text}</p>
                <p><a href="/" class="button button--primary">{lang.t("activation.go_to_login")}</a></p>
            </Layout>
        }
        .into_any()
    };
    match state {
        ActivationPageState::Invalid => message(
            "activation.invalid_title",
            lang.t("activation.invalid_text"),
        ),
        ActivationPageState::AlreadyActive => message(
            "activation.already_active_title",
            lang.t("activation.already_active_text"),
        ),
        ActivationPageState::Resent {
            email,
            throttled: false,
        } => message(
            "activation.resent_title",
            lang.t_with("activation.resent_text", &[("email", &email)]),
        ),
        ActivationPageState::Resent {
            email,
            throttled: true,
        } => message(
            "activation.resend_throttled_title",
            lang.t_with("activation.resend_throttled_text", &[("email", &email)]),
        ),
        ActivationPageState::Expired => {
            dead_link("activation.expired_title", "activation.expired_text")
        }
        ActivationPageState::Retired => {
            dead_link("activation.retired_title", "activation.retired_text")
        }
        ActivationPageState::Ready {
            account,
            correctable,
            details,
            requests,
            drop_contact,
            withdraw_requests,
            secret_question,
            errors,
        } => view! {
            <ActivationForm action plain=plain.clone() token=token.clone() account=*account
                correctable details=*details requests drop_contact withdraw_requests secret_question errors />
        }
        .into_any(),
    }
}

/// "Valider": what was typed at signup, to correct first (whoever created
/// the account may not own its address: part 14), then the password and
/// the secret question.
#[allow(clippy::too_many_arguments)]
#[component]
fn ActivationForm(
    action: ServerAction<Activate>,
    plain: String,
    token: String,
    account: crate::accounts::AccountSummary,
    correctable: bool,
    details: crate::account::profile::ProfileForm,
    requests: Vec<String>,
    drop_contact: bool,
    withdraw_requests: bool,
    secret_question: String,
    errors: FieldErrors,
) -> impl IntoView {
    let lang = use_lang();
    let first_error = errors.first_in(FIELDS);
    let error = {
        let errors = StoredValue::new(errors.clone());
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    let user_inputs = vec![
        account.login_email.clone(),
        account.last_name.clone(),
        account.first_name.clone(),
    ];
    // A contact address typed at signup and never confirmed by its owner.
    let unconfirmed_contact = account
        .contact_email
        .clone()
        .filter(|_| !account.contact_confirmed);
    let profile_focus = first_error.filter(|field| {
        crate::account::profile::PROFILE_FIELDS
            .iter()
            .any(|(name, _)| name == field)
    });
    view! {
        <Title text=lang.t("activation.title") />
        <Layout>
            <h1>{lang.t("activation.title")}</h1>
            <p class="lead">{lang.t("activation.intro")}</p>
            <ErrorSummary errors=errors.clone() fields=FIELDS />
            {(!correctable).then(|| view! { <AccountDetails account=account.clone() /> })}
            <DoorAlert action />
            <DoorForm action plain class="form">
                <input type="hidden" name="token" value=token />
                <input type="hidden" name="intent" value="activate" />
                {correctable.then(|| view! { <input type="hidden" name="details" value="1" /> })}
                // Each block takes over its server-drawn HTML in a task of
                // its own (`components::in_turn`): this page's walk was its
                // longest task, a median of 106 to 152 ms at 4× (BENCHMARKS.md,
                // part 15, twelfth pass).
                {correctable.then(|| {
                    let login_email = account.login_email.clone();
                    let errors = errors.clone();
                    in_turn(move || view! { <fieldset class="block">
                    <legend>{lang.t("activation.block_details")}</legend>
                    <p class="field__hint">{lang.t("activation.details_hint")}</p>
                    <p>
                        {lang.t("signup.login_email")} " : "
                        <strong>{login_email}</strong>
                    </p>
                    <ProfileFields profile=details errors focus=profile_focus />
                    {unconfirmed_contact.map(|contact| view! {
                        <div class="field">
                            <p>{lang.t_with("activation.contact_typed", &[("email", &contact)])}</p>
                            <div class="field--checkbox">
                                <input type="checkbox" id="drop_contact" name="drop_contact" value="1"
                                    checked=drop_contact />
                                <label for="drop_contact">{lang.t("activation.drop_contact")}</label>
                            </div>
                        </div>
                    })}
                    {(!requests.is_empty()).then(|| view! {
                        <div class="field">
                            <p>{lang.t("activation.requests_typed")}</p>
                            <ul>
                                {requests.iter().map(|request| view! { <li>{request.clone()}</li> }).collect_view()}
                            </ul>
                            <div class="field--checkbox">
                                <input type="checkbox" id="withdraw_requests" name="withdraw_requests" value="1"
                                    checked=withdraw_requests />
                                <label for="withdraw_requests">{lang.t("activation.withdraw_requests")}</label>
                            </div>
                        </div>
                    })}
                </fieldset> })
                })}
                {in_turn(move || view! { <fieldset class="block">
                    <legend>{lang.t("activation.block_password")}</legend>
                    <NewPasswordFields
                        policy=PasswordPolicy::Activation
                        label="activation.password"
                        confirmation_label="activation.password_confirmation"
                        user_inputs
                        error=error("password")
                        confirmation_error=error("password_confirmation")
                        autofocus=first_error == Some("password")
                    />
                </fieldset> })}
                {in_turn(move || view! { <fieldset class="block">
                    <legend>{lang.t("activation.block_secret")}</legend>
                    <p class="field__hint">{lang.t("activation.secret_hint")}</p>
                    <TextField name="secret_question" label="activation.secret_question" value=secret_question
                        error=error("secret_question") required=true autocomplete="off" maxlength=200
                        autofocus=first_error == Some("secret_question") />
                    <TextField name="secret_answer" label="activation.secret_answer"
                        error=error("secret_answer") required=true autocomplete="off" maxlength=100
                        hint="activation.secret_answer_hint" autofocus=first_error == Some("secret_answer") />
                </fieldset> })}
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("activation.submit")}</button>
                </div>
            </DoorForm>
        </Layout>
    }
}

/// "Vous n'avez pas reçu le courriel d'activation ?": asks for the login
/// address and answers the same whatever it is.
#[component]
pub fn ResendActivationPage() -> impl IntoView {
    let action = ServerAction::<ResendActivation>::new();
    let state = shown_state(
        page_state(ResendPageState::default),
        &[ActionAnswers::of(action)],
    );
    move || resend_view(state.get(), action)
}

fn resend_view(state: ResendPageState, action: ServerAction<ResendActivation>) -> impl IntoView {
    let lang = use_lang();
    let (email, error, done) = match state {
        ResendPageState::Blank => (String::new(), None, None),
        ResendPageState::Refused { email, error } => (email, Some(error), None),
        ResendPageState::Done { email } => (String::new(), None, Some(email)),
    };
    view! {
        <Title text=lang.t("activation.resend_title") />
        <Layout>
            <h1>{lang.t("activation.resend_title")}</h1>
            {done.map(|email| view! {
                <p class="notice notice--info" role="status">
                    {lang.t_with("activation.resend_done", &[("email", &email)])}
                </p>
            })}
            <p>{lang.t("activation.resend_intro")}</p>
            <DoorAlert action />
            <DoorForm action plain=RESEND_PATH class="form">
                <TextField name="login_email" label="signup.login_email" value=email error=error
                    required=true input_type="email" autocomplete="email" maxlength=254 />
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("activation.resend_submit")}</button>
                </div>
            </DoorForm>
        </Layout>
    }
}
