use super::{
    codes_file, load_security_page, ChangeSecurity, Enrolment, KeyShown, SecurityForm,
    SecurityPageState, SECURITY_FIELDS,
};
use crate::components::{
    loaded_page, shown_state, ActionAnswers, ConnectedHead, ConnectedLayout, DoorAlert, DoorForm,
    ErrorSummary, FailureNotice, KeyCeremony, KeyPrompt, TextField,
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
        Some(ConnectedHead {
            tab: SECURITY_PATH,
            title: "security.title",
            heading: "security.title",
            heading_hidden: false,
        }),
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
    let keys = state.keys.clone();
    let offers_key = state.keys_work && state.adding_key.is_none() && state.editing_key.is_none();
    let typed_key_name = state.typed_key_name.clone();
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
                    <dt>{lang.t("security.keys")}</dt>
                    <dd>
                        {if keys.is_empty() {
                            lang.t("security.keys_none").into_any()
                        } else {
                            view! {
                                <ul class="key-list">
                                    {keys.iter().map(|key| {
                                        let used = key.last_used.clone().unwrap_or_else(|| never.clone());
                                        view! {
                                            <li>
                                                <strong>{key.name.clone()}</strong>
                                                {key.passkey.then(|| format!(" — {}", lang.t("security.passkey_marker")))}
                                                <br />
                                                {lang.t_with("security.key_added_on", &[("when", &key.added)])}
                                                <br />
                                                {lang.t_with("security.last_used", &[("when", &used)])}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
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
            {state.adding_key.clone().map(|(name, options)| view! {
                <AddingKey action name options />
            })}
            {state.editing_key.clone().map(|key| {
                let typed = if state.refused == "key_rename" { typed_key_name.clone() } else { key.name.clone() };
                view! { <RenamingKey action key typed error=error("key_name") /> }
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
                    {offers_key.then(|| view! {
                        <div class="block">
                            <TextField name="key_name" label="security.key_name" value=typed_key_name.clone()
                                hint="security.key_name_hint" maxlength=200
                                error=error("key_name") autofocus=first_error == Some("key_name") />
                        </div>
                    })}
                    <div class="actions actions--list">
                        {offers_key.then(|| view! {
                            <button type="submit" name="intent" value="key_start" id="key" class="button button--primary"
                                aria-describedby=error("key").map(|_| "key-error")>
                                {lang.t("security.key_start")}
                            </button>
                            <button type="submit" name="intent" value="passkey_start" class="button button--primary"
                                aria-describedby=error("key").map(|_| "key-error")>
                                {lang.t("security.passkey_start")}
                            </button>
                        })}
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
                    {error("key").filter(|_| offers_key).map(|key| view! {
                        <p class="field__error" id="key-error" role="alert">{lang.t(&key)}</p>
                    })}
                    {(!keys.is_empty() && state.editing_key.is_none()).then(|| view! {
                        <ul class="actions actions--list" aria-label=lang.t("security.keys")>
                            {keys.iter().map(|key| view! { <KeyActions key=key.clone() /> }).collect_view()}
                        </ul>
                    })}
                    {(state.emailed_codes && !state.may_switch_emailed_off).then(|| view! {
                        <p class="hint">{lang.t("security.emailed_floor")}</p>
                    })}
                </DoorForm>
            </section>
        </ConnectedLayout>
    }
}

/// A key's buttons in the change form: rename it, or remove it (with the
/// password above).
#[component]
fn KeyActions(key: KeyShown) -> impl IntoView {
    let lang = use_lang();
    view! {
        <li>
            <button type="submit" name="intent" value=format!("key_edit:{}", key.id) class="button button--tertiary" formnovalidate=true>
                {lang.t_with("security.key_rename_named", &[("name", &key.name)])}
            </button>
        </li>
        <li>
            <button type="submit" name="intent" value=format!("key_remove:{}", key.id) class="button button--secondary">
                {lang.t_with("security.key_remove_named", &[("name", &key.name)])}
            </button>
        </li>
    }
}

/// A key being added: the browser's prompt, started by a press (browsers
/// want one), then its answer posted as `key_finish`.
#[component]
fn AddingKey(action: ServerAction<ChangeSecurity>, name: String, options: String) -> impl IntoView {
    let lang = use_lang();
    let on_answer = Callback::new(move |key: String| {
        action.dispatch(ChangeSecurity {
            form: SecurityForm {
                intent: "key_finish".to_owned(),
                key,
                ..SecurityForm::default()
            },
        });
    });
    view! {
        <section class="panel" aria-labelledby="key-heading">
            <h2 id="key-heading">{lang.t_with("security.key_adding_title", &[("name", &name)])}</h2>
            <p>{lang.t("security.key_adding_text")}</p>
            <KeyPrompt options=Some(options) ceremony=KeyCeremony::Create label="security.key_register"
                name="key-register" error=None on_answer autofocus=true />
            <DoorForm action plain=SECURITY_PATH class="actions">
                <button type="submit" name="intent" value="key_cancel" class="button button--secondary" formnovalidate=true>
                    {lang.t("security.key_cancel")}
                </button>
            </DoorForm>
        </section>
    }
}

/// Renaming a key: its new name.
#[component]
fn RenamingKey(
    action: ServerAction<ChangeSecurity>,
    key: KeyShown,
    /// The name in the field: the key's, or as typed after a refusal.
    typed: String,
    error: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="panel" aria-labelledby="rename-heading">
            <h2 id="rename-heading">{lang.t_with("security.key_renaming_title", &[("name", &key.name)])}</h2>
            <DoorForm action plain=SECURITY_PATH class="form" labelledby="rename-heading">
                <input type="hidden" name="key_id" value=key.id.clone() />
                <div class="block">
                    <TextField name="key_name" label="security.key_new_name" value=typed error=error
                        required=true maxlength=200 autofocus=true focus_on_arrival=true />
                </div>
                <div class="actions">
                    <button type="submit" name="intent" value="key_rename" class="button button--primary">
                        {lang.t("security.key_rename")}
                    </button>
                    <button type="submit" name="intent" value="key_cancel" class="button button--secondary" formnovalidate=true>
                        {lang.t("security.key_cancel")}
                    </button>
                </div>
            </DoorForm>
        </section>
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
