use super::{load_management_page, Manage, ManagementForm, ManagementPageState};
use crate::accounts::AccountState;
use crate::components::{
    loaded_page, shown_state, ActionAnswers, ConnectedHead, ConnectedLayout, DoorAlert, DoorForm,
    FailureNotice, TextField,
};
use crate::i18n::use_lang;
use crate::login::LogOutForm;
use crate::paths::MANAGEMENT_PATH;
use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;
use leptos::tachys::view::keyed::keyed;
use leptos_meta::Title;

/// `/gestion`: the accounts, requests and structures a manager or an
/// administrator looks after. Its data comes with the first load, or from
/// [`load_management_page`] after a navigation in the browser; each form
/// answers the page's new state.
#[component]
pub fn ManagementPage() -> impl IntoView {
    loaded_page(
        load_management_page,
        |page| view! { <Management page /> }.into_any(),
        Some(ConnectedHead {
            tab: MANAGEMENT_PATH,
            title: "management.title",
            heading: "management.heading",
            heading_hidden: false,
        }),
    )
}

#[component]
fn Management(page: ManagementPageState) -> impl IntoView {
    let action = ServerAction::<Manage>::new();
    let state = shown_state(page, &[ActionAnswers::of(action)]);
    // The rows' owner outlives each redraw of the page (whose own owner is
    // cleaned up every time): a row kept by the keyed list keeps a live
    // form.
    let rows = Owner::current().expect("a component runs under an owner");
    move || management_view(state.get(), action, &rows)
}

/// A row of a keyed list, drawn under an owner of its own, child of `rows`:
/// it lives as long as the row does, as in `<For>`.
fn owned_row<V>(rows: &Owner, draw: impl FnOnce() -> V) -> (fn(usize), OwnedView<V>) {
    let owner = rows.with(Owner::new);
    let view = owner.with(draw);
    (|_| {}, OwnedView::new_with_owner(view, owner))
}

fn management_view(
    mut state: ManagementPageState,
    action: ServerAction<Manage>,
    rows: &Owner,
) -> impl IntoView {
    let lang = use_lang();
    // The row whose form was refused: the reason typed there and its
    // error, drawn on that row only. Rows are keyed by what they show, so
    // a row that did not change keeps its element and what is being typed
    // in it, and a row that did is drawn again from the answer.
    let answered = AnsweredRow::of(&state.form, &state.errors);
    let empty_requests = state.requests.is_empty();
    let requests: Vec<_> = std::mem::take(&mut state.requests)
        .into_iter()
        .map(|request| {
            let answer = answered.on(REQUEST_INTENTS, &request.account_id, &request.structure_id);
            (request, answer)
        })
        .collect();
    let accounts: Vec<_> = std::mem::take(&mut state.accounts)
        .into_iter()
        .map(|account| {
            let (intent, _) = account_action(account.state);
            let answer = answered.on(&[intent, RESET_FACTORS_INTENT], &account.id, "");
            (account, answer)
        })
        .collect();
    let admin = state.admin;
    let (rows_of_requests, rows_of_accounts) = (rows.clone(), rows.clone());
    view! {
        <Title text=lang.t("management.title") />
        <ConnectedLayout name=state.viewer.clone() log_out=LogOutForm current=MANAGEMENT_PATH manages=true>
            <h1>{lang.t("management.heading")}</h1>
            {state.notice.map(|key| view! { <p class="notice notice--info" role="status">{lang.t(&key)}</p> })}
            {state.failure.map(|reference| view! { <FailureNotice reference /> })}
            <DoorAlert action />

            <section class="block" aria-labelledby="requests-heading">
                <h2 id="requests-heading">{lang.t("management.requests")}</h2>
                {empty_requests.then(|| view! { <p>{lang.t("management.no_requests")}</p> })}
                <ul class="rows">
                    {keyed(requests, |row| row.clone(), move |_, (request, answer)| owned_row(&rows_of_requests, || {
                        let id = format!("reason-{}-{}", request.account_id, request.structure_id);
                        let RowAnswer { typed, error } = answer;
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
                                    <input id=id name="reason" type="text" maxlength="300" required=true value=typed
                                        aria-invalid=error.is_some().then_some("true") aria-describedby=error_id.clone() />
                                    <p class="field__error" id=error_id>{error.map(|key| lang.t(&key))}</p>
                                    <button type="submit" name="intent" value="approve" class="button button--primary">{lang.t("management.approve")}</button>
                                    <button type="submit" name="intent" value="refuse" class="button button--secondary">{lang.t("management.refuse")}</button>
                                </DoorForm>
                            </li>
                        }
                    }))}
                </ul>
            </section>

            <section class="block" aria-labelledby="accounts-heading">
                <h2 id="accounts-heading">{lang.t("management.accounts")}</h2>
                <ul class="rows">
                    {keyed(accounts, |row| row.clone(), move |_, (account, answer)| owned_row(&rows_of_accounts, || {
                        let id = format!("reason-{}", account.id);
                        let RowAnswer { typed, error } = answer;
                        let error_id = format!("{id}-error");
                        let (intent, label) = account_action(account.state);
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
                                        <input id=id name="reason" type="text" maxlength="300" required=true value=typed
                                            aria-invalid=error.is_some().then_some("true") aria-describedby=error_id.clone() />
                                        <p class="field__error" id=error_id>{error.map(|key| lang.t(&key))}</p>
                                        <button type="submit" name="intent" value=intent class="button button--secondary">{lang.t(label)}</button>
                                        {(account.state == AccountState::Active).then(|| view! {
                                            <button type="submit" name="intent" value=RESET_FACTORS_INTENT class="button button--secondary">
                                                {lang.t("management.reset_factors")}
                                            </button>
                                        })}
                                    </DoorForm>
                                })}
                            </li>
                        }
                    }))}
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

/// The second action of an active account's row: its second factors reset
/// (a lost phone), with the same reason field.
const RESET_FACTORS_INTENT: &str = "reset_factors";

/// The actions of a request row.
const REQUEST_INTENTS: &[&str] = &["approve", "refuse"];

/// The action an account row offers, by the account's state: its intent
/// and its button's catalogue key.
fn account_action(state: AccountState) -> (&'static str, &'static str) {
    if state == AccountState::Deactivated {
        ("reactivate", "management.reactivate")
    } else {
        ("deactivate", "management.deactivate")
    }
}

/// What a row of `/gestion` shows of the last answer: the reason typed in
/// its form and that reason's error, when its form was the one refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct RowAnswer {
    typed: String,
    error: Option<String>,
}

/// The form the last answer gave back (refused, or failed), if any: the
/// page's state keeps no form after a success.
struct AnsweredRow<'a> {
    form: &'a ManagementForm,
    error: Option<&'a str>,
}

impl<'a> AnsweredRow<'a> {
    fn of(form: &'a ManagementForm, errors: &'a crate::domain::FieldErrors) -> Self {
        AnsweredRow {
            form,
            error: errors.get("reason"),
        }
    }

    /// The answer for the row whose form sends one of `intents` about
    /// `account_id` (and `structure_id`, for a request): what was typed
    /// and its error if that row's form was refused, nothing otherwise.
    /// An account row that now offers the other action (its state changed
    /// meanwhile) is another form and gets nothing.
    fn on(&self, intents: &[&str], account_id: &str, structure_id: &str) -> RowAnswer {
        let form = self.form;
        let refused_here = form.account_id == account_id
            && form.structure_id == structure_id
            && intents.contains(&form.intent.as_str());
        if refused_here {
            RowAnswer {
                typed: form.reason.clone(),
                error: self.error.map(str::to_owned),
            }
        } else {
            RowAnswer::default()
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FieldErrors, Reason};

    fn refused(
        intent: &str,
        account_id: &str,
        structure_id: &str,
        reason: &str,
    ) -> (ManagementForm, FieldErrors) {
        let form = ManagementForm {
            intent: intent.into(),
            account_id: account_id.into(),
            structure_id: structure_id.into(),
            reason: reason.into(),
            ..Default::default()
        };
        let mut errors = FieldErrors::new();
        errors.check("reason", Reason::parse(reason));
        (form, errors)
    }

    #[test]
    fn the_refused_row_gets_back_the_reason_typed_in_it_with_its_error() {
        let (form, errors) = refused("deactivate", "a1", "", "ok");
        let answer = AnsweredRow::of(&form, &errors).on(&["deactivate"], "a1", "");
        assert_eq!(answer.typed, "ok");
        assert_eq!(answer.error.as_deref(), Some("errors.reason.too_short"));
    }

    #[test]
    fn no_other_row_shows_the_reason_or_the_error_of_the_refused_one() {
        let (form, errors) = refused("refuse", "a1", "s1", "ok");
        let answered = AnsweredRow::of(&form, &errors);
        assert_eq!(
            answered.on(REQUEST_INTENTS, "a1", "s2"),
            RowAnswer::default()
        );
        assert_eq!(
            answered.on(REQUEST_INTENTS, "a2", "s1"),
            RowAnswer::default()
        );
        // The same person's account row is another form.
        assert_eq!(answered.on(&["deactivate"], "a1", ""), RowAnswer::default());
        assert_eq!(answered.on(REQUEST_INTENTS, "a1", "s1").typed, "ok");
    }

    #[test]
    fn an_account_row_that_now_offers_the_other_action_does_not_get_the_reason() {
        let (form, errors) = refused("deactivate", "a1", "", "ok");
        let answered = AnsweredRow::of(&form, &errors);
        let (reactivate, _) = account_action(AccountState::Deactivated);
        assert_eq!(answered.on(&[reactivate], "a1", ""), RowAnswer::default());
    }

    #[test]
    fn after_a_success_no_row_gets_a_reason_back() {
        // The page's state keeps no form after a success.
        let (form, errors) = (ManagementForm::default(), FieldErrors::new());
        let answered = AnsweredRow::of(&form, &errors);
        let (deactivate, _) = account_action(AccountState::Active);
        assert_eq!(answered.on(&[deactivate], "a1", ""), RowAnswer::default());
        assert_eq!(
            answered.on(REQUEST_INTENTS, "a1", "s1"),
            RowAnswer::default()
        );
    }
}
