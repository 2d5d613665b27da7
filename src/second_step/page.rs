use super::SecondStepForm;
use super::{
    load_second_step, SecondStepState, StepMethod, StepNotice, VerifySecondStep, CODE_FIELDS,
};
use crate::components::{
    loaded_page, shown_state, ActionAnswers, DoorAlert, DoorForm, ErrorSummary, FailureNotice,
    KeyCeremony, KeyPrompt, Layout, TextField,
};
use crate::domain::FieldErrors;
use crate::i18n::{use_lang, Lang};
use crate::paths::{HOME_PAGE_PATH, VERIFICATION_PATH};
use leptos::prelude::*;
use leptos_meta::Title;

/// "Vérification en deux étapes". Its state comes with the first load
/// (`GET /verification`), or from [`load_second_step`] after the login
/// box's server function led here.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    // Its heading depends on its state (locked, blocked): "Chargement…"
    // alone until it comes.
    loaded_page(
        load_second_step,
        |state| view! { <SecondStep state /> }.into_any(),
        None,
    )
}

#[component]
fn SecondStep(state: SecondStepState) -> impl IntoView {
    let action = ServerAction::<VerifySecondStep>::new();
    let shown = shown_state(state, &[ActionAnswers::of(action)]);
    move || {
        match shown.get() {
        SecondStepState::Locked { minutes } => view! { <LockedStep minutes /> }.into_any(),
        SecondStepState::Blocked => view! { <BlockedStep /> }.into_any(),
        SecondStepState::Ask {
            method,
            others,
            email_hint,
            minutes_left,
            code,
            key_options,
            notice,
            errors,
            failure,
        } => view! {
            <AskStep action method others email_hint minutes_left code key_options notice errors failure />
        }
        .into_any(),
    }
    }
}

fn notice_text(lang: Lang, notice: &StepNotice) -> String {
    let args: Vec<(&str, &str)> = notice
        .args
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    lang.t_with(&notice.key, &args)
}

/// The key of the button that switches to `method`.
fn other_method_label(method: StepMethod, current: StepMethod) -> &'static str {
    match (method, current) {
        (StepMethod::Key, _) => "second_step.use_key",
        (StepMethod::Email, StepMethod::App) => "second_step.lost_app_email",
        (StepMethod::Recovery, StepMethod::App) => "second_step.lost_app_recovery",
        (StepMethod::App, _) => "second_step.use_app",
        (StepMethod::Email, _) => "second_step.use_email",
        (StepMethod::Recovery, _) => "second_step.use_recovery",
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn AskStep(
    action: ServerAction<VerifySecondStep>,
    method: StepMethod,
    others: Vec<StepMethod>,
    email_hint: String,
    minutes_left: i64,
    code: String,
    key_options: Option<String>,
    notice: Option<StepNotice>,
    errors: FieldErrors,
    failure: Option<crate::error::Reference>,
) -> impl IntoView {
    let lang = use_lang();
    let code_error = errors.get("code").map(str::to_owned);
    let key_error = errors.get("key").map(str::to_owned);
    let by_key = method == StepMethod::Key;
    let intro = match method {
        StepMethod::Key => lang.t("second_step.intro_key"),
        StepMethod::App => lang.t("second_step.intro_app"),
        StepMethod::Email => lang.t_with("second_step.intro_email", &[("email", &email_hint)]),
        StepMethod::Recovery => lang.t("second_step.intro_recovery"),
    };
    // No live check on this field: its error comes from the server only.
    // A check run as the field is left (or as an answer is drawn over a
    // live value) found a well-formed code and wiped the server's "wrong
    // code" beside it (seen in the end-to-end suite, one run in three).
    let (inputmode, autocomplete, maxlength) = match method {
        StepMethod::Recovery => ("text", "off", 20),
        _ => ("numeric", "one-time-code", 12),
    };
    let minutes = minutes_left.to_string();
    let has_others = !others.is_empty();
    view! {
        <Title text=lang.t("second_step.title") />
        <Layout>
            <h1>{lang.t("second_step.title")}</h1>
            <p class="lead">{intro}</p>
            {notice.map(|notice| {
                let class = if notice.warning { "notice notice--warning" } else { "notice notice--info" };
                view! { <p class=class role="status">{notice_text(lang, &notice)}</p> }
            })}
            {failure.map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=errors.clone() fields=CODE_FIELDS />
            <DoorAlert action />
            {by_key.then(|| {
                let on_answer = Callback::new(move |key: String| {
                    action.dispatch(VerifySecondStep {
                        form: SecondStepForm {
                            method: StepMethod::Key.as_str().to_owned(),
                            key,
                            intent: "verify".to_owned(),
                            ..SecondStepForm::default()
                        },
                    });
                });
                view! {
                    <div class="block">
                        <KeyPrompt options=key_options ceremony=KeyCeremony::Get label="second_step.key_use"
                            name="key" error=key_error on_answer autofocus=true />
                        <p class="hint">{lang.t_with("second_step.time_left", &[("minutes", &minutes)])}</p>
                    </div>
                }
            })}
            <DoorForm action plain=VERIFICATION_PATH class="form">
                <input type="hidden" name="method" value=method.as_str() />
                {(!by_key).then(|| view! {
                // The first submit button is the one Enter presses.
                <button type="submit" name="intent" value="verify" class="default-submit" tabindex="-1" aria-hidden="true">
                    {lang.t("second_step.submit")}
                </button>
                <div class="block">
                    <TextField name="code" label=method.field_label() value=code error=code_error
                        required=true autocomplete=autocomplete inputmode=inputmode
                        maxlength=maxlength autofocus=true focus_on_arrival=true
                        hint="second_step.code_hint" />
                    <p class="hint">{lang.t_with("second_step.time_left", &[("minutes", &minutes)])}</p>
                </div>
                <div class="actions">
                    <button type="submit" name="intent" value="verify" class="button button--primary">
                        {lang.t("second_step.submit")}
                    </button>
                    {(method == StepMethod::Email).then(|| view! {
                        <button type="submit" name="intent" value="resend" class="button button--secondary" formnovalidate=true>
                            {lang.t("second_step.resend")}
                        </button>
                    })}
                </div>
                })}
                {has_others.then(|| view! {
                    <section class="block" aria-labelledby="other-methods">
                        <h2 id="other-methods">{lang.t("second_step.other_methods")}</h2>
                        <ul class="actions actions--list">
                            {others.into_iter().map(|other| view! {
                                <li>
                                    <button type="submit" name="intent" value=format!("use_{}", other.as_str())
                                        class="button button--tertiary" formnovalidate=true>
                                        {lang.t(other_method_label(other, method))}
                                    </button>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            </DoorForm>
            <p><a href=HOME_PAGE_PATH>{lang.t("second_step.cancel")}</a></p>
        </Layout>
    }
}

#[component]
fn LockedStep(minutes: i64) -> impl IntoView {
    let lang = use_lang();
    let minutes = minutes.to_string();
    view! {
        <Title text=lang.t("second_step.locked_title") />
        <Layout>
            <h1>{lang.t("second_step.locked_title")}</h1>
            <p class="notice notice--error" role="alert">
                {lang.t_with("second_step.locked_text", &[("minutes", &minutes)])}
            </p>
            <p><a href=HOME_PAGE_PATH class="button button--primary">{lang.t("second_step.cancel")}</a></p>
        </Layout>
    }
}

#[component]
fn BlockedStep() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=lang.t("second_step.blocked_title") />
        <Layout>
            <h1>{lang.t("second_step.blocked_title")}</h1>
            <p class="notice notice--error" role="alert">{lang.t("second_step.blocked_text")}</p>
            <p>
                <a href=crate::paths::FORGOT_PATH class="button button--primary">{lang.t("second_step.blocked_reset")}</a>
            </p>
        </Layout>
    }
}
