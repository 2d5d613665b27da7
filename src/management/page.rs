use super::{load_management_page, Manage, ManagementForm, ManagementPageState, MANAGEMENT_PATH};
use crate::accounts::AccountState;
use crate::components::{
    loaded_state, shown_state, ActionAnswers, ConnectedLayout, DoorAlert, DoorForm, FailureNotice,
    LoadFailure, Loading, TextField,
};
use crate::i18n::use_lang;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/gestion`: the accounts, requests and structures a manager or an
/// administrator looks after. Its data comes with the first load, or from
/// [`load_management_page`] after a navigation in the browser; each form
/// answers the page's new state.
#[component]
pub fn ManagementPage() -> impl IntoView {
    let loaded = loaded_state(load_management_page);
    view! {
        <Transition fallback=|| view! { <Loading /> }>
            {move || loaded.get().map(|answer| match answer {
                Ok(page) => view! { <Management page /> }.into_any(),
                Err(error) => view! { <LoadFailure error /> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Management(page: ManagementPageState) -> impl IntoView {
    let action = ServerAction::<Manage>::new();
    let state = shown_state(page, &[ActionAnswers::of(action)]);
    move || management_view(state.get(), action)
}

fn management_view(state: ManagementPageState, action: ServerAction<Manage>) -> impl IntoView {
    let lang = use_lang();
    let form = state.form.clone();
    let errors = state.errors.clone();
    // The error of a refused row form, shown on that row only.
    let row_error = move |intent_row: &str, account_id: &str, structure_id: &str| {
        (form.account_id == account_id
            && form.structure_id == structure_id
            && row_intents(intent_row).contains(&form.intent.as_str()))
        .then(|| errors.get("reason").map(str::to_owned))
        .flatten()
    };
    let row_error_accounts = row_error.clone();
    let admin = state.admin;
    let empty_requests = state.requests.is_empty();
    view! {
        <Title text=lang.t("management.title") />
        <ConnectedLayout name=state.viewer.clone() current=MANAGEMENT_PATH manages=true>
            <h1>{lang.t("management.heading")}</h1>
            {state.notice.map(|key| view! { <p class="notice notice--info" role="status">{lang.t(&key)}</p> })}
            {state.failure.map(|reference| view! { <FailureNotice reference /> })}
            <DoorAlert action />

            <section class="block" aria-labelledby="requests-heading">
                <h2 id="requests-heading">{lang.t("management.requests")}</h2>
                {empty_requests.then(|| view! { <p>{lang.t("management.no_requests")}</p> })}
                <ul class="rows">
                    {state.requests.into_iter().map(|request| {
                        let id = format!("reason-{}-{}", request.account_id, request.structure_id);
                        let error = row_error("membership", &request.account_id, &request.structure_id);
                        let error_id = format!("{id}-error");
                        view! {
                            <li class="row">
                                <p>{lang.t_with("management.request_line", &[
                                    ("name", &request.name), ("email", &request.login_email),
                                    ("structure", &request.structure), ("siret", &request.siret),
                                ])}</p>
                                <DoorForm action plain=MANAGEMENT_PATH class="row__form">
                                    <input type="hidden" name="account_id" value=request.account_id.clone() />
                                    <input type="hidden" name="structure_id" value=request.structure_id.clone() />
                                    <label for=id.clone()>{lang.t_with("management.reason_for", &[("name", &request.name)])}</label>
                                    <input id=id name="reason" type="text" maxlength="300" required=true
                                        aria-invalid=error.is_some().then_some("true") aria-describedby=error_id.clone() />
                                    <p class="field__error" id=error_id>{error.map(|key| lang.t(&key))}</p>
                                    <button type="submit" name="intent" value="approve" class="button button--primary">{lang.t("management.approve")}</button>
                                    <button type="submit" name="intent" value="refuse" class="button button--secondary">{lang.t("management.refuse")}</button>
                                </DoorForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>

            <section class="block" aria-labelledby="accounts-heading">
                <h2 id="accounts-heading">{lang.t("management.accounts")}</h2>
                <ul class="rows">
                    {state.accounts.into_iter().map(|account| {
                        let id = format!("reason-{}", account.id);
                        let error = row_error_accounts("account", &account.id, "");
                        let error_id = format!("{id}-error");
                        let (intent, label) = if account.state == AccountState::Deactivated {
                            ("reactivate", "management.reactivate")
                        } else {
                            ("deactivate", "management.deactivate")
                        };
                        let actionable = account.state != AccountState::Pending;
                        view! {
                            <li class="row">
                                <p>
                                    <strong>{account.name.clone()}</strong>
                                    " — " {account.login_email.clone()}
                                    " — " {lang.t(&format!("management.state_{}", account.state))}
                                    {(!account.structures.is_empty()).then(|| format!(" — {}", account.structures))}
                                    {account.reactivation_requested.then(|| view! {
                                        " — " <strong>{lang.t("management.reactivation_requested")}</strong>
                                    })}
                                </p>
                                {actionable.then(|| view! {
                                    <DoorForm action plain=MANAGEMENT_PATH class="row__form">
                                        <input type="hidden" name="account_id" value=account.id.clone() />
                                        <label for=id.clone()>{lang.t_with("management.reason_for", &[("name", &account.name)])}</label>
                                        <input id=id name="reason" type="text" maxlength="300" required=true
                                            aria-invalid=error.is_some().then_some("true") aria-describedby=error_id.clone() />
                                        <p class="field__error" id=error_id>{error.map(|key| lang.t(&key))}</p>
                                        <button type="submit" name="intent" value=intent class="button button--secondary">{lang.t(label)}</button>
                                    </DoorForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>

            {admin.then(|| view! { <AdminForms action structures=state.structures form=state.form errors=state.errors /> })}
            {admin.then(|| view! {
                <section class="block" aria-labelledby="abandoned-heading">
                    <h2 id="abandoned-heading">{lang.t("management.abandoned")}</h2>
                    {state.abandoned.is_empty().then(|| view! { <p>{lang.t("management.no_abandoned")}</p> })}
                    <ul class="rows">
                        {state.abandoned.into_iter().map(|email| view! {
                            <li class="row">
                                <strong>{email.recipient}</strong>" — "{email.subject}" — "{email.when}
                                <br />{email.error}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </ConnectedLayout>
    }
}

fn row_intents(row: &str) -> &'static [&'static str] {
    match row {
        "membership" => &["approve", "refuse"],
        _ => &["deactivate", "reactivate"],
    }
}

/// Administrators only: the structures, creating one, naming a manager.
#[component]
fn AdminForms(
    action: ServerAction<Manage>,
    structures: Vec<super::StructureLine>,
    form: ManagementForm,
    errors: crate::domain::FieldErrors,
) -> impl IntoView {
    let lang = use_lang();
    let form = StoredValue::new(form);
    let errors = StoredValue::new(errors);
    let error = move |intent: &str, field: &str| {
        form.with_value(|form| form.intent == intent)
            .then(|| errors.with_value(|errors| errors.get(field).map(str::to_owned)))
            .flatten()
    };
    // What was typed in the refused form `intent`, for its field `pick`.
    let typed = move |intent: &str, pick: fn(&ManagementForm) -> &String| {
        form.with_value(|form| {
            if form.intent == intent {
                pick(form).clone()
            } else {
                String::new()
            }
        })
    };
    view! {
        <section class="block" aria-labelledby="structures-heading">
            <h2 id="structures-heading">{lang.t("management.structures")}</h2>
            <ul class="rows">
                {structures.into_iter().map(|s| view! {
                    <li class="row">
                        <strong>{s.name}</strong> " — SIRET " {s.siret}
                        {(!s.managers.is_empty()).then(|| format!(" — {} {}", lang.t("management.managers"), s.managers))}
                    </li>
                }).collect_view()}
            </ul>
            <DoorForm action plain=MANAGEMENT_PATH class="form">
                <h3>{lang.t("management.create_structure")}</h3>
                <input type="hidden" name="intent" value="create_structure" />
                <TextField name="siret" label="management.siret" value=typed("create_structure", |f| &f.siret)
                    error=error("create_structure", "siret") required=true inputmode="numeric" maxlength=20
                    hint="management.siret_hint" />
                <TextField name="name" label="management.structure_name" value=typed("create_structure", |f| &f.name)
                    error=error("create_structure", "name") required=true maxlength=200 />
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("management.create_structure_submit")}</button>
                </div>
            </DoorForm>
        </section>
        <section class="block" aria-labelledby="manager-heading">
            <h2 id="manager-heading">{lang.t("management.name_manager")}</h2>
            <DoorForm action plain=MANAGEMENT_PATH class="form">
                <input type="hidden" name="intent" value="name_manager" />
                <TextField name="email" label="management.manager_email" value=typed("name_manager", |f| &f.email)
                    error=error("name_manager", "email") required=true input_type="email" maxlength=254 />
                <TextField name="structure_siret" label="management.siret"
                    value=typed("name_manager", |f| &f.structure_siret)
                    error=error("name_manager", "structure_siret") required=true inputmode="numeric" maxlength=20 />
                <TextField name="reason" label="management.reason" value=typed("name_manager", |f| &f.reason)
                    error=error("name_manager", "reason") required=true maxlength=300 />
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("management.name_manager_submit")}</button>
                </div>
            </DoorForm>
        </section>
    }
}
