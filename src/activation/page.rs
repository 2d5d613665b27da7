use super::{ActivationPageState, ResendPageState, FIELDS, RESEND_PATH};
use crate::account::AccountDetails;
use crate::components::{page_state, ErrorSummary, Layout, NewPasswordFields, TextField};
use crate::domain::{FieldErrors, PasswordPolicy};
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActivationPage() -> impl IntoView {
    let lang = use_lang();
    let state = page_state(ActivationPageState::default);
    let dead_link = |title: &'static str, text: &'static str| {
        view! {
            <Title text=lang.t(title) />
            <Layout>
                <h1>{lang.t(title)}</h1>
                <p class="notice notice--error">{lang.t(text)}</p>
                <p>{lang.t("activation.expired_next")}</p>
                <form method="post">
                    <button type="submit" name="intent" value="reactivate" class="button button--primary">
                        {lang.t("activation.reactivate")}
                    </button>
                </form>
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
                <p><a href="/" rel="external" class="button button--primary">{lang.t("activation.go_to_login")}</a></p>
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
            secret_question,
            errors,
        } => view! { <ActivationForm account=*account secret_question errors /> }.into_any(),
    }
}

#[component]
fn ActivationForm(
    account: crate::account::AccountSummary,
    secret_question: String,
    errors: FieldErrors,
) -> impl IntoView {
    let lang = use_lang();
    let first_error = errors.first_in(FIELDS);
    let error = {
        let errors = errors.clone();
        move |name: &str| errors.get(name).map(str::to_owned)
    };
    let user_inputs = vec![
        account.login_email.clone(),
        account.last_name.clone(),
        account.first_name.clone(),
    ];
    view! {
        <Title text=lang.t("activation.title") />
        <Layout>
            <h1>{lang.t("activation.title")}</h1>
            <p class="lead">{lang.t("activation.intro")}</p>
            <ErrorSummary errors=errors.clone() fields=FIELDS />
            <AccountDetails account />
            <form method="post" novalidate=true class="form">
                <input type="hidden" name="intent" value="activate" />
                <fieldset class="block">
                    <legend>{lang.t("activation.block_password")}</legend>
                    <NewPasswordFields
                        policy=PasswordPolicy::Activation
                        label="activation.password"
                        confirmation_label="activation.password_confirmation"
                        user_inputs
                        error=error("password")
                        confirmation_error=error("password_confirmation")
                        autofocus=first_error.is_none() || first_error == Some("password")
                    />
                </fieldset>
                <fieldset class="block">
                    <legend>{lang.t("activation.block_secret")}</legend>
                    <p class="field__hint">{lang.t("activation.secret_hint")}</p>
                    <TextField name="secret_question" label="activation.secret_question" value=secret_question
                        error=error("secret_question") required=true autocomplete="off" maxlength=200
                        autofocus=first_error == Some("secret_question") />
                    <TextField name="secret_answer" label="activation.secret_answer"
                        error=error("secret_answer") required=true autocomplete="off" maxlength=100
                        hint="activation.secret_answer_hint" autofocus=first_error == Some("secret_answer") />
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("activation.submit")}</button>
                </div>
            </form>
        </Layout>
    }
}

/// "Vous n'avez pas reçu le courriel d'activation ?": asks for the login
/// address and answers the same whatever it is.
#[component]
pub fn ResendActivationPage() -> impl IntoView {
    let lang = use_lang();
    let state = page_state(ResendPageState::default);
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
            <form method="post" action=RESEND_PATH novalidate=true class="form">
                <TextField name="login_email" label="signup.login_email" value=email error=error
                    required=true input_type="email" autocomplete="email" maxlength=254 />
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("activation.resend_submit")}</button>
                </div>
            </form>
        </Layout>
    }
}
