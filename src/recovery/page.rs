use super::{
    ForgotPageState, Recover, ResetPageState, ResetPassword, ANSWER_FIELDS, REQUEST_FIELDS,
    RESET_FIELDS,
};
use crate::components::{
    in_turn, new_challenge_id, page_state, shown_state, ActionAnswers, CaptchaField, DoorAlert,
    DoorForm, ErrorSummary, FailureNotice, Layout, NewPasswordFields, TextField, Validator,
};
use crate::domain::{EmailAddress, FieldErrors, PasswordPolicy, UserMessage};
use crate::i18n::use_lang;
use crate::paths::{FORGOT_PATH, RESET_PREFIX};
use leptos::prelude::*;
use leptos_meta::Title;

/// "Mot de passe oublié ?": the address and the captcha, then the secret
/// question, then the guide's message.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<Recover>::new();
    let state = shown_state(
        page_state(ForgotPageState::default),
        &[ActionAnswers::of(action)],
    );
    // "Recommencer" leads to this very page: back to step 1.
    // "Recommencer" draws the first step in place (the address stays the
    // same): the focus goes to its heading, as after any answer.
    let restart = Callback::new(move |()| {
        state.set(ForgotPageState::default());
        crate::components::focus_after_update();
    });
    move || match state.get() {
        ForgotPageState::Request {
            email,
            errors,
            focus_captcha,
            notice,
            failure,
        } => view! { <RequestStep action email errors focus_captcha notice failure /> }.into_any(),
        ForgotPageState::Question {
            flow,
            email,
            question,
            errors,
            failure,
        } => {
            view! { <QuestionStep action restart flow email question errors failure /> }.into_any()
        }
        ForgotPageState::Sent {
            email,
            valid_minutes,
        } => view! { <SentStep restart email valid_minutes /> }.into_any(),
    }
}

#[component]
fn RequestStep(
    action: ServerAction<Recover>,
    email: String,
    errors: FieldErrors,
    focus_captcha: bool,
    notice: Option<String>,
    failure: Option<crate::error::Reference>,
) -> impl IntoView {
    let lang = use_lang();
    let challenge = SharedValue::new(new_challenge_id).into_inner();
    let first_error = errors.first_in(REQUEST_FIELDS);
    let error = {
        let errors = StoredValue::new(errors.clone());
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    let email_rule: Validator = Callback::new(|raw: String| {
        EmailAddress::parse(&raw)
            .err()
            .map(|e| e.message_key().to_owned())
    });
    view! {
        <Title text=lang.t("recovery.title") />
        <Layout>
            <h1>{lang.t("recovery.title")}</h1>
            <p class="lead">{lang.t("recovery.intro")}</p>
            <p>{lang.t("form.required_legend")}</p>
            {notice.map(|key| view! { <p class="notice notice--info" role="status">{lang.t(&key)}</p> })}
            {failure.map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=errors.clone() fields=REQUEST_FIELDS />
            <DoorAlert action />
            <DoorForm action plain=FORGOT_PATH class="form">
                // The first submit button is the one Enter presses.
                <button type="submit" name="intent" value="request" class="default-submit" tabindex="-1" aria-hidden="true">
                    {lang.t("recovery.submit")}
                </button>
                <div class="block">
                    <TextField name="login_email" label="recovery.login_email" value=email
                        error=error("login_email") required=true input_type="email" autocomplete="username"
                        validate=email_rule maxlength=254
                        autofocus=first_error.is_none() && !focus_captcha || first_error == Some("login_email") />
                </div>
                {in_turn(move || view! { <CaptchaField challenge error=error("captcha_answer")
                    autofocus=first_error == Some("captcha_answer") || focus_captcha /> })}
                <div class="actions">
                    <a href="/" class="button button--secondary">{lang.t("recovery.back")}</a>
                    <button type="submit" name="intent" value="request" class="button button--primary">
                        {lang.t("recovery.submit")}
                    </button>
                </div>
            </DoorForm>
        </Layout>
    }
}

#[component]
fn QuestionStep(
    action: ServerAction<Recover>,
    restart: Callback<()>,
    flow: String,
    email: String,
    question: String,
    errors: FieldErrors,
    failure: Option<crate::error::Reference>,
) -> impl IntoView {
    let lang = use_lang();
    let answer_error = errors.get("secret_answer").map(str::to_owned);
    view! {
        <Title text=lang.t("recovery.question_title") />
        <Layout>
            <h1>{lang.t("recovery.question_title")}</h1>
            <p class="lead">{lang.t_with("recovery.question_intro", &[("email", &email)])}</p>
            {failure.map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=errors.clone() fields=ANSWER_FIELDS />
            <DoorAlert action />
            <DoorForm action plain=FORGOT_PATH class="form">
                <input type="hidden" name="intent" value="answer" />
                <input type="hidden" name="flow" value=flow />
                <input type="hidden" name="login_email" value=email />
                <div class="block">
                    <p class="question">
                        <span class="question__label">{lang.t("recovery.secret_question")}</span>
                        " "
                        <span id="secret-question" class="question__text">{question}</span>
                    </p>
                    <TextField name="secret_answer" label="recovery.secret_answer" error=answer_error
                        required=true autocomplete="off" maxlength=100 hint="recovery.secret_answer_hint"
                        autofocus=true />
                </div>
                <div class="actions">
                    <a href=FORGOT_PATH class="button button--secondary" on:click=move |_| restart.run(())>
                        {lang.t("recovery.restart")}
                    </a>
                    <button type="submit" class="button button--primary">{lang.t("recovery.submit")}</button>
                </div>
            </DoorForm>
        </Layout>
    }
}

#[component]
fn SentStep(restart: Callback<()>, email: String, valid_minutes: u32) -> impl IntoView {
    let lang = use_lang();
    let minutes = valid_minutes.to_string();
    view! {
        <Title text=lang.t("recovery.sent_title") />
        <Layout>
            <h1>{lang.t("recovery.sent_title")}</h1>
            <p class="notice notice--success" role="status">
                {lang.t_with("recovery.sent_text", &[("email", &email), ("minutes", &minutes)])}
            </p>
            <p>{lang.t("recovery.sent_not_received")}</p>
            <p class="actions">
                <a href="/" class="button button--primary">{lang.t("recovery.back")}</a>
                <a href=FORGOT_PATH class="button button--secondary" on:click=move |_| restart.run(())>
                    {lang.t("recovery.restart")}
                </a>
            </p>
        </Layout>
    }
}

/// "Gestion du mot de passe", from the emailed link.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = leptos_router::hooks::use_params_map()
        .with_untracked(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    let state = shown_state(
        page_state(ResetPageState::default),
        &[ActionAnswers::of(action)],
    );
    move || reset_view(state.get(), action, token.clone())
}

fn reset_view(
    state: ResetPageState,
    action: ServerAction<ResetPassword>,
    token: String,
) -> AnyView {
    let lang = use_lang();
    let dead_end = |title: &'static str, text: &'static str| {
        view! {
            <Title text=lang.t(title) />
            <Layout>
                <h1>{lang.t(title)}</h1>
                <p class="notice notice--error">{lang.t(text)}</p>
                <p>
                    <a href=FORGOT_PATH class="button button--primary">{lang.t("recovery.restart")}</a>
                </p>
            </Layout>
        }
        .into_any()
    };
    match state {
        ResetPageState::Invalid => {
            dead_end("recovery.link_invalid_title", "recovery.link_invalid_text")
        }
        ResetPageState::Expired => {
            dead_end("recovery.link_expired_title", "recovery.link_expired_text")
        }
        ResetPageState::Retired => {
            dead_end("recovery.link_retired_title", "recovery.link_retired_text")
        }
        ResetPageState::Ready {
            user_inputs,
            errors,
            failure,
        } => view! { <ResetForm action token user_inputs errors failure /> }.into_any(),
    }
}

#[component]
fn ResetForm(
    action: ServerAction<ResetPassword>,
    token: String,
    user_inputs: Vec<String>,
    errors: FieldErrors,
    failure: Option<crate::error::Reference>,
) -> impl IntoView {
    let lang = use_lang();
    let error = {
        let errors = StoredValue::new(errors.clone());
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    let login_email = user_inputs.first().cloned().unwrap_or_default();
    view! {
        <Title text=lang.t("recovery.reset_title") />
        <Layout>
            <h1>{lang.t("recovery.reset_title")}</h1>
            <p class="lead">{lang.t("recovery.reset_intro")}</p>
            {failure.map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=errors.clone() fields=RESET_FIELDS />
            <DoorAlert action />
            <DoorForm action plain=format!("{RESET_PREFIX}/{token}") class="form">
                <input type="hidden" name="token" value=token />
                <p>{lang.t_with("recovery.reset_account", &[("email", &login_email)])}</p>
                // In a task of its own (`components::in_turn`), after the
                // page around it (BENCHMARKS.md, part 15, twelfth pass).
                {in_turn(move || view! { <div class="block">
                    <NewPasswordFields
                        policy=PasswordPolicy::Reset
                        label="recovery.new_password"
                        confirmation_label="recovery.new_password_confirmation"
                        user_inputs
                        error=error("password")
                        confirmation_error=error("password_confirmation")
                        autofocus=true
                    />
                </div> })}
                <div class="actions">
                    <a href="/" class="button button--secondary">{lang.t("recovery.cancel")}</a>
                    <button type="submit" class="button button--primary">{lang.t("recovery.submit")}</button>
                </div>
            </DoorForm>
        </Layout>
    }
}
