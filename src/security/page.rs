use super::{
    codes_file, load_security_page, ChangeSecurity, Enrolment, SecurityPageState, SECURITY_FIELDS,
};
use crate::components::{
    loaded_page, shown_state, ActionAnswers, ConnectedLayout, DoorAlert, DoorForm, ErrorSummary,
    FailureNotice, TextField,
};
use crate::i18n::use_lang;
use crate::login::LogOutForm;
use crate::paths::{SECURITY_PATH, SECURITY_QR_PATH};
use leptos::prelude::*;
use leptos_meta::Title;

/// "Sécurité": the second factors. Its state comes with the first load
/// (`GET /securite`), or from [`load_security_page`] after a navigation,
/// which reads `?conseil=1&suivant=…` from the address.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let (recommend, next) = query.with_untracked(|q| {
        (
            q.get("conseil").as_deref() == Some("1"),
            q.get("suivant").unwrap_or_default(),
        )
    });
    loaded_page(
        move || load_security_page(recommend, next.clone()),
        |state| view! { <Security state /> }.into_any(),
    )
}

#[component]
fn Security(state: SecurityPageState) -> impl IntoView {
    let action = ServerAction::<ChangeSecurity>::new();
    let shown = shown_state(state, &[ActionAnswers::of(action)]);
    move || security_view(shown.get(), action)
}

fn security_view(state: SecurityPageState, action: ServerAction<ChangeSecurity>) -> impl IntoView {
    let lang = use_lang();
    let error = {
        let errors = StoredValue::new(state.errors.clone());
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    let never = lang.t("security.never");
    let emailed_status = if state.emailed_codes {
        lang.t("security.emailed_status_on")
    } else {
        lang.t("security.emailed_status_off")
    };
    let emailed_used = state
        .emailed_last_used
        .clone()
        .unwrap_or_else(|| never.clone());
    let codes_left = state.recovery_codes_left.to_string();
    let app = state.app.clone();
    let has_app = app.is_some();
    let enrolling = state.enrolment.is_some();
    let first_error = state.errors.first_in(SECURITY_FIELDS);
    view! {
        <Title text=lang.t("security.title") />
        <ConnectedLayout name=state.name.clone() log_out=LogOutForm current=SECURITY_PATH manages=state.manages>
            <h1>{lang.t("security.title")}</h1>
            <p class="lead">{lang.t("security.intro")}</p>
            {state.recommend.then(|| view! {
                <section class="notice notice--info" aria-labelledby="recommend-heading">
                    <h2 id="recommend-heading">{lang.t("security.recommend_title")}</h2>
                    <p>{lang.t("security.recommend_text")}</p>
                    <DoorForm action plain=SECURITY_PATH class="actions">
                        <input type="hidden" name="next" value=state.next.clone() />
                        <button type="submit" name="intent" value="postpone" class="button button--secondary">
                            {lang.t("security.later")}
                        </button>
                    </DoorForm>
                </section>
            })}
            {state.notice.clone().map(|key| view! {
                <p class="notice notice--success" role="status">{lang.t(&key)}</p>
            })}
            {state.failure.clone().map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=state.errors.clone() fields=SECURITY_FIELDS />
            <DoorAlert action />
            {(!state.new_codes.0.is_empty()).then(|| view! { <NewCodes codes=state.new_codes.0.clone() login_email=state.login_email.clone() /> })}
            <section class="panel" aria-labelledby="factors-heading">
                <h2 id="factors-heading">{lang.t("security.factors")}</h2>
                <dl class="details">
                    <dt>{lang.t("security.emailed")}</dt>
                    <dd>
                        {emailed_status} " — " {state.login_email.clone()}
                        <br />
                        {lang.t_with("security.last_used", &[("when", &emailed_used)])}
                    </dd>
                    <dt>{lang.t("security.app")}</dt>
                    <dd>
                        {match app.clone() {
                            Some((added, used)) => {
                                let used = used.unwrap_or_else(|| never.clone());
                                view! {
                                    {lang.t_with("security.app_added_on", &[("when", &added)])}
                                    <br />
                                    {lang.t_with("security.last_used", &[("when", &used)])}
                                }.into_any()
                            }
                            None => lang.t("security.app_none").into_any(),
                        }}
                    </dd>
                    <dt>{lang.t("security.recovery")}</dt>
                    <dd>
                        {lang.t_with("security.codes_left", &[("count", &codes_left)])}
                        {state.recovery_codes_made.clone().map(|made| view! {
                            <br />
                            {lang.t_with("security.codes_made_on", &[("when", &made)])}
                        })}
                    </dd>
                </dl>
            </section>
            {state.enrolment.clone().map(|enrolment| view! {
                <Enrolling action enrolment typed=state.typed_code.clone() error=error("code") autofocus=first_error != Some("password") />
            })}
            <section class="panel" aria-labelledby="change-heading">
                <h2 id="change-heading">{lang.t("security.change")}</h2>
                <p>{lang.t("security.change_intro")}</p>
                <DoorForm action plain=SECURITY_PATH class="form" labelledby="change-heading">
                    <div class="block">
                        <TextField name="password" label="security.password" input_type="password"
                            autocomplete="current-password" required=true maxlength=1024
                            error=error("password") autofocus=first_error == Some("password") />
                    </div>
                    <div class="actions actions--list">
                        {(!has_app && !enrolling).then(|| view! {
                            <button type="submit" name="intent" value="app_start" class="button button--primary">
                                {lang.t("security.app_start")}
                            </button>
                        })}
                        {has_app.then(|| view! {
                            <button type="submit" name="intent" value="app_remove" class="button button--secondary">
                                {lang.t("security.app_remove")}
                            </button>
                        })}
                        <button type="submit" name="intent" value="codes_regenerate" class="button button--secondary">
                            {lang.t("security.codes_regenerate")}
                        </button>
                        {(state.emailed_codes && state.may_switch_emailed_off).then(|| view! {
                            <button type="submit" name="intent" value="emailed_off" class="button button--secondary">
                                {lang.t("security.emailed_off")}
                            </button>
                        })}
                        {(!state.emailed_codes).then(|| view! {
                            <button type="submit" name="intent" value="emailed_on" class="button button--secondary">
                                {lang.t("security.emailed_on")}
                            </button>
                        })}
                    </div>
                    {(state.emailed_codes && !state.may_switch_emailed_off).then(|| view! {
                        <p class="hint">{lang.t("security.emailed_floor")}</p>
                    })}
                </DoorForm>
            </section>
        </ConnectedLayout>
    }
}

/// Adding an app: the QR code, the key to type, and the first code.
#[component]
fn Enrolling(
    action: ServerAction<ChangeSecurity>,
    enrolment: Enrolment,
    /// The code as typed, after a refusal.
    typed: String,
    error: Option<String>,
    autofocus: bool,
) -> impl IntoView {
    let lang = use_lang();
    // The code's errors come from the server only (see the second step's
    // page: a live check wiped them).
    let alt = lang.t_with("security.qr_alt", &[("key", &enrolment.key_grouped)]);
    view! {
        <section class="panel" aria-labelledby="enrol-heading">
            <h2 id="enrol-heading">{lang.t("security.enrol_title")}</h2>
            <ol class="steps">
                <li>{lang.t("security.enrol_step_install")}</li>
                <li>
                    {lang.t("security.enrol_step_scan")}
                    <br />
                    <img class="qr" src=format!("{SECURITY_QR_PATH}?v={}", enrolment.version) alt=alt width="220" height="220" />
                </li>
                <li>
                    {lang.t("security.enrol_step_type")}
                    " "
                    <code class="secret-key" id="app-key">{enrolment.key_grouped.clone()}</code>
                    <br />
                    <a href=enrolment.otpauth.clone()>{lang.t("security.enrol_link")}</a>
                </li>
                <li>{lang.t("security.enrol_step_code")}</li>
            </ol>
            <DoorForm action plain=SECURITY_PATH class="form" labelledby="enrol-heading">
                <div class="block">
                    <TextField name="code" label="security.app_code" value=typed error=error required=true
                        autocomplete="one-time-code" inputmode="numeric" maxlength=12
                        autofocus=autofocus focus_on_arrival=true hint="second_step.code_hint" />
                </div>
                <div class="actions">
                    <button type="submit" name="intent" value="app_confirm" class="button button--primary">
                        {lang.t("security.app_confirm")}
                    </button>
                    <button type="submit" name="intent" value="app_cancel" class="button button--secondary" formnovalidate=true>
                        {lang.t("security.app_cancel")}
                    </button>
                </div>
            </DoorForm>
        </section>
    }
}

/// New recovery codes, shown this once, to download or print.
#[component]
fn NewCodes(codes: Vec<String>, login_email: String) -> impl IntoView {
    let lang = use_lang();
    let file = codes_file(lang, &login_email, &codes);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    view! {
        <section class="panel panel--codes" aria-labelledby="codes-heading">
            <h2 id="codes-heading">{lang.t("security.codes_title")}</h2>
            <p class="notice notice--warning">{lang.t("security.codes_once")}</p>
            <ol class="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ol>
            <p class="actions">
                <a href=file download="sesame-codes-de-secours.txt" class="button button--primary">
                    {lang.t("security.codes_download")}
                </a>
                <button type="button" class="button button--secondary" on:click=print>
                    {lang.t("security.codes_print")}
                </button>
            </p>
        </section>
    }
}
