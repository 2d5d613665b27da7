use super::{
    load_connected_page, ChangeContact, ChangeLanguage, ChangeLogin, ChangePassword, ChangeSecret,
    ConnectedPage, ConnectedPageState, DeactivateOwn, EndSessions, ForgetBrowsers,
    RequestAttachment, UpdateProfile,
};
use crate::components::{
    in_turn, loaded_page, shown_state, AccountDetails, ActionAnswers, ConnectedHead,
    ConnectedLayout, DoorAlert, DoorForm, FailureNotice, NewPasswordFields, SelectField,
    SelectOptions, TextField, Validator,
};
use crate::domain::{PasswordPolicy, Siret, UserMessage};
use crate::i18n::use_lang;
use crate::login::LogOutForm;
use crate::paths::{
    ATTACH_FORM_PATH, BROWSERS_FORM_PATH, CONTACT_FORM_PATH, DEACTIVATE_FORM_PATH, HOME_PATH,
    LANGUAGE_FORM_PATH, LOGIN_FORM_PATH, MY_ACCOUNT_PATH, PASSWORD_FORM_PATH, PROFILE_FORM_PATH,
    SECRET_FORM_PATH, SESSIONS_FORM_PATH,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// "Accueil connecté": the event feed and the news. Its data comes with the
/// first load, or from [`load_connected_page`] after a navigation in the
/// browser.
#[component]
pub fn ConnectedHomePage() -> impl IntoView {
    loaded_page(
        || load_connected_page(ConnectedPage::Home),
        |state| view! { <ConnectedHome state /> }.into_any(),
        Some(ConnectedHead {
            tab: HOME_PATH,
            title: "connected.home_title",
            heading: "connected.home_tab",
            heading_hidden: true,
        }),
    )
}

#[component]
fn ConnectedHome(state: ConnectedPageState) -> impl IntoView {
    let lang = use_lang();
    let name = state.account.display_name();
    let empty = state.events.is_empty();
    view! {
        <Title text=lang.t("connected.home_title") />
        <ConnectedLayout name log_out=LogOutForm current=HOME_PATH manages=state.manages>
            <h1 class="sr-only">{lang.t("connected.home_tab")}</h1>
            <div class="panels">
                <section class="panel panel--events" aria-labelledby="events-heading">
                    <h2 id="events-heading">{lang.t("connected.events")}</h2>
                    {empty.then(|| view! { <p>{lang.t("connected.no_events")}</p> })}
                    <ol class="events">
                        {state.events.into_iter().map(|event| view! {
                            <li>
                                <time datetime=event.at>{event.when}</time>
                                " — "
                                {lang.t(&event.what)}
                                {event.by.map(|by| format!(" — {}", lang.t_with("connected.event_by", &[("name", &by)])))}
                                {event.reason.map(|reason| format!(" — {}", lang.t_with("connected.event_reason", &[("reason", &reason)])))}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
                <section class="panel panel--news" aria-labelledby="news-heading">
                    <h2 id="news-heading">{lang.t("connected.news")}</h2>
                    {state.news.into_iter().map(|item| view! {
                        <article class="news">
                            <h3>{item.title}</h3>
                            <p class="news__date">{item.date}</p>
                            <p>{item.body}</p>
                        </article>
                    }).collect_view()}
                </section>
            </div>
        </ConnectedLayout>
    }
}

/// "Mon compte": the account's data, the contact address, the structures,
/// and "Désactiver mon compte".
#[component]
pub fn MyAccountPage() -> impl IntoView {
    loaded_page(
        || load_connected_page(ConnectedPage::MyAccount),
        |state| view! { <MyAccount state /> }.into_any(),
        Some(ConnectedHead {
            tab: MY_ACCOUNT_PATH,
            title: "connected.account_title",
            heading: "connected.account_tab",
            heading_hidden: false,
        }),
    )
}

/// The server actions of the forms of "Mon compte"; each answers the
/// page's new state.
#[derive(Clone, Copy)]
struct AccountActions {
    profile: ServerAction<UpdateProfile>,
    login: ServerAction<ChangeLogin>,
    contact: ServerAction<ChangeContact>,
    attach: ServerAction<RequestAttachment>,
    password: ServerAction<ChangePassword>,
    secret: ServerAction<ChangeSecret>,
    sessions: ServerAction<EndSessions>,
    browsers: ServerAction<ForgetBrowsers>,
    language: ServerAction<ChangeLanguage>,
    deactivate: ServerAction<DeactivateOwn>,
}

#[component]
fn MyAccount(state: ConnectedPageState) -> impl IntoView {
    let actions = AccountActions {
        profile: ServerAction::new(),
        login: ServerAction::new(),
        contact: ServerAction::new(),
        attach: ServerAction::new(),
        password: ServerAction::new(),
        secret: ServerAction::new(),
        sessions: ServerAction::new(),
        browsers: ServerAction::new(),
        language: ServerAction::new(),
        deactivate: ServerAction::new(),
    };
    let shown = shown_state(
        state,
        &[
            ActionAnswers::of(actions.profile),
            ActionAnswers::of(actions.login),
            ActionAnswers::of(actions.contact),
            ActionAnswers::of(actions.attach),
            ActionAnswers::of(actions.password),
            ActionAnswers::of(actions.secret),
            ActionAnswers::of(actions.sessions),
            ActionAnswers::of(actions.browsers),
            ActionAnswers::of(actions.language),
            ActionAnswers::of(actions.deactivate),
        ],
    );
    move || my_account_view(shown.get(), actions)
}

fn my_account_view(state: ConnectedPageState, actions: AccountActions) -> impl IntoView {
    let lang = use_lang();
    let name = state.account.display_name();
    let knows_browsers = !state.browsers.is_empty();
    let error = {
        let errors = StoredValue::new(state.errors.clone());
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    let no_membership = state.memberships.is_empty();
    let account_language = state.account.language.clone();
    let profile = state
        .typed
        .profile
        .clone()
        .unwrap_or_else(|| super::profile::ProfileForm::of(&state.account));
    let user_inputs = vec![
        state.account.login_email.clone(),
        state.account.last_name.clone(),
        state.account.first_name.clone(),
    ];
    view! {
        <Title text=lang.t("connected.account_title") />
        <ConnectedLayout name log_out=LogOutForm current=MY_ACCOUNT_PATH manages=state.manages>
            <h1>{lang.t("connected.account_tab")}</h1>
            {state.notice.map(|notice| view! {
                <p class="notice notice--info" role="status">{lang.t_with(&notice.key, &[("email", &notice.email)])}</p>
            })}
            {state.failure.map(|reference| view! { <FailureNotice reference /> })}
            <AccountDetails account=state.account />

            {in_turn(move || view! {
                <section class="block" aria-labelledby="profile-heading">
                    <h2 id="profile-heading">{lang.t("account.profile_heading")}</h2>
                    <DoorAlert action=actions.profile />
                    <DoorForm action=actions.profile plain=PROFILE_FORM_PATH class="form">
                        <ProfileFields profile=profile.clone() errors=state.errors.clone() focus=None />
                        <div class="actions">
                            <button type="submit" class="button button--primary">{lang.t("account.profile_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="login-heading">
                    <h2 id="login-heading">{lang.t("account.login_heading")}</h2>
                    <p>{lang.t("account.login_intro")}</p>
                    <DoorAlert action=actions.login />
                    <DoorForm action=actions.login plain=LOGIN_FORM_PATH class="form">
                        <TextField name="new_login_email" label="account.new_login_email" value=state.typed.new_login_email.clone()
                            error=error("new_login_email") required=true input_type="email" autocomplete="off" maxlength=254
                            autofocus=error("new_login_email").is_some() />
                        <TextField name="login_password" label="account.current_password" input_type="password"
                            error=error("login_password") required=true autocomplete="current-password" maxlength=128 />
                        <div class="actions">
                            <button type="submit" class="button button--primary">{lang.t("account.login_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="contact-heading">
                    <h2 id="contact-heading">{lang.t("account.contact_heading")}</h2>
                    <p>{lang.t("account.contact_intro")}</p>
                    <DoorAlert action=actions.contact />
                    <DoorForm action=actions.contact plain=CONTACT_FORM_PATH class="form">
                        <TextField name="contact_email" label="account.new_contact_email" value=state.typed.contact_email
                            error=error("contact_email") required=true input_type="email" autocomplete="email" maxlength=254
                            autofocus=error("contact_email").is_some() />
                        <div class="actions">
                            <button type="submit" class="button button--primary">{lang.t("account.contact_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="structures-heading">
                    <h2 id="structures-heading">{lang.t("account.structures_heading")}</h2>
                    {no_membership.then(|| view! { <p>{lang.t("signup.recap.no_structure")}</p> })}
                    <ul>
                        {state.memberships.into_iter().map(|m| view! {
                            <li>
                                {format!("{} (SIRET {}) — ", m.structure, m.siret)}
                                {lang.t(&format!("account.membership_{}", m.status))}
                                {m.manager.then(|| format!(" — {}", lang.t("account.membership_manager")))}
                            </li>
                        }).collect_view()}
                    </ul>
                    <DoorAlert action=actions.attach />
                    <DoorForm action=actions.attach plain=ATTACH_FORM_PATH class="form">
                        <TextField name="siret" label="management.siret" value=state.typed.siret error=error("siret")
                            required=true inputmode="numeric" maxlength=20 hint="management.siret_hint"
                            validate=siret_rule() autofocus=error("siret").is_some() />
                        <div class="actions">
                            <button type="submit" class="button button--secondary">{lang.t("account.attach_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="password-heading">
                    <h2 id="password-heading">{lang.t("account.password_heading")}</h2>
                    <DoorAlert action=actions.password />
                    <DoorForm action=actions.password plain=PASSWORD_FORM_PATH class="form">
                        <TextField name="current_password" label="account.current_password" input_type="password"
                            error=error("current_password") required=true autocomplete="current-password" maxlength=128
                            autofocus=error("current_password").is_some() />
                        <NewPasswordFields
                            policy=PasswordPolicy::Activation
                            label="recovery.new_password"
                            confirmation_label="recovery.new_password_confirmation"
                            user_inputs=user_inputs
                            error=error("password")
                            confirmation_error=error("password_confirmation")
                            autofocus=error("password").is_some()
                        />
                        <div class="actions">
                            <button type="submit" class="button button--primary">{lang.t("account.password_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="secret-heading">
                    <h2 id="secret-heading">{lang.t("activation.block_secret")}</h2>
                    <p class="field__hint">{lang.t("activation.secret_hint")}</p>
                    <DoorAlert action=actions.secret />
                    <DoorForm action=actions.secret plain=SECRET_FORM_PATH class="form">
                        <TextField name="secret_question" label="activation.secret_question" value=state.typed.secret_question
                            error=error("secret_question") required=true autocomplete="off" maxlength=200
                            autofocus=error("secret_question").is_some() />
                        <TextField name="secret_answer" label="activation.secret_answer" error=error("secret_answer")
                            required=true autocomplete="off" maxlength=100 hint="activation.secret_answer_hint" />
                        <TextField name="secret_password" label="account.current_password" input_type="password"
                            error=error("secret_password") required=true autocomplete="current-password" maxlength=128 />
                        <div class="actions">
                            <button type="submit" class="button button--primary">{lang.t("account.secret_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="sessions-heading">
                    <h2 id="sessions-heading">{lang.t("account.sessions_heading")}</h2>
                    <DoorAlert action=actions.sessions />
                    <ul class="rows">
                        {state.sessions.into_iter().map(|s| {
                            let label = lang.t_with("account.session_end_named", &[("device", &s.device)]);
                            view! {
                                <li class="row">
                                    <p>
                                        <strong>{s.device.clone()}</strong>
                                        {s.current.then(|| format!(" — {}", lang.t("account.session_current")))}
                                        <br />
                                        {lang.t_with("account.session_times", &[("started", &s.started), ("last", &s.last_seen)])}
                                    </p>
                                    <DoorForm action=actions.sessions plain=SESSIONS_FORM_PATH>
                                        <input type="hidden" name="session" value=s.handle />
                                        <button type="submit" class="button button--secondary" aria-label=label>
                                            {lang.t("account.session_end")}
                                        </button>
                                    </DoorForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <DoorForm action=actions.sessions plain=SESSIONS_FORM_PATH>
                        <input type="hidden" name="session" value="others" />
                        <button type="submit" class="button button--secondary">{lang.t("account.sessions_end_others")}</button>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="browsers-heading">
                    <h2 id="browsers-heading">{lang.t("account.browsers_heading")}</h2>
                    <p class="field__hint">{lang.t("account.browsers_intro")}</p>
                    <DoorAlert action=actions.browsers />
                    <ul class="rows">
                        {state.browsers.into_iter().map(|b| {
                            let label = lang.t_with(
                                "account.browser_forget_named",
                                &[("device", &b.device), ("first", &b.first_seen)],
                            );
                            view! {
                                <li class="row">
                                    <p>
                                        <strong>{b.device.clone()}</strong>
                                        {b.current.then(|| format!(" — {}", lang.t("account.browser_current")))}
                                        <br />
                                        {lang.t_with("account.browser_times", &[("first", &b.first_seen), ("last", &b.last_seen)])}
                                    </p>
                                    <DoorForm action=actions.browsers plain=BROWSERS_FORM_PATH>
                                        <input type="hidden" name="browser" value=b.id />
                                        <button type="submit" class="button button--secondary" aria-label=label>
                                            {lang.t("account.browser_forget")}
                                        </button>
                                    </DoorForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {knows_browsers.then(|| view! {
                        <DoorForm action=actions.browsers plain=BROWSERS_FORM_PATH>
                            <input type="hidden" name="browser" value="all" />
                            <button type="submit" class="button button--secondary">{lang.t("account.browsers_forget_all")}</button>
                        </DoorForm>
                    })}
                </section>
            })}

            {in_turn(move || view! {
                <section class="block" aria-labelledby="language-heading">
                    <h2 id="language-heading">{lang.t("account.language_heading")}</h2>
                    <DoorAlert action=actions.language />
                    <DoorForm action=actions.language plain=LANGUAGE_FORM_PATH class="form">
                        <SelectField name="language" label="account.language" options=SelectOptions::List(vec![
                            ("fr".to_owned(), "Français".to_owned()),
                            ("en".to_owned(), "English".to_owned()),
                        ]) selected=account_language />
                        <div class="actions">
                            <button type="submit" class="button button--secondary">{lang.t("account.language_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}

            {in_turn(move || view! {
                <section class="block block--danger" aria-labelledby="deactivate-heading">
                    <h2 id="deactivate-heading">{lang.t("account.deactivate_heading")}</h2>
                    <p>{lang.t("account.deactivate_intro")}</p>
                    <DoorAlert action=actions.deactivate />
                    <DoorForm action=actions.deactivate plain=DEACTIVATE_FORM_PATH class="form">
                        <TextField name="deactivate_password" label="account.deactivate_password" input_type="password"
                            error=error("deactivate_password") required=true autocomplete="current-password" maxlength=128
                            autofocus=error("deactivate_password").is_some() />
                        <div class="actions">
                            <button type="submit" class="button button--danger">{lang.t("account.deactivate_submit")}</button>
                        </div>
                    </DoorForm>
                </section>
            })}
        </ConnectedLayout>
    }
}

/// The SIRET rule as a live check.
fn siret_rule() -> Validator {
    Callback::new(|raw: String| Siret::parse(&raw).err().map(|e| e.message_key().to_owned()))
}

/// The details' fields (names, postal address, phone and fax), filled with
/// `profile`, each error beside its field (`errors`); `focus` names the
/// field to focus, the first in error. "Mon compte" and the activation page
/// (corrections before activating) draw them; `account::profile` checks
/// them.
#[component]
pub fn ProfileFields(
    profile: super::profile::ProfileForm,
    errors: crate::domain::FieldErrors,
    focus: Option<&'static str>,
) -> impl IntoView {
    let lang = use_lang();
    let error = {
        let errors = StoredValue::new(errors);
        move |name: &str| errors.with_value(|errors| errors.get(name).map(str::to_owned))
    };
    view! {
        <TextField name="last_name" label="signup.last_name" value=profile.last_name
            error=error("last_name") required=true autocomplete="family-name" maxlength=100
            autofocus=focus == Some("last_name") />
        <TextField name="first_name" label="signup.first_name" value=profile.first_name
            error=error("first_name") required=true autocomplete="given-name" maxlength=100
            autofocus=focus == Some("first_name") />
        <TextField name="address" label="signup.address" value=profile.address
            error=error("address") required=true autocomplete="address-line1" maxlength=200
            autofocus=focus == Some("address") />
        <TextField name="address_complement_1" label="signup.address_complement_1"
            value=profile.address_complement_1 error=error("address_complement_1")
            autocomplete="address-line2" maxlength=200 autofocus=focus == Some("address_complement_1") />
        <TextField name="address_complement_2" label="signup.address_complement_2"
            value=profile.address_complement_2 error=error("address_complement_2")
            autocomplete="address-line3" maxlength=200 autofocus=focus == Some("address_complement_2") />
        <TextField name="postal_code" label="signup.postal_code" value=profile.postal_code
            error=error("postal_code") required=true autocomplete="postal-code" maxlength=10
            autofocus=focus == Some("postal_code") />
        <TextField name="city" label="signup.city" value=profile.city error=error("city")
            required=true autocomplete="address-level2" maxlength=100 autofocus=focus == Some("city") />
        <SelectField name="country" label="signup.country" options=crate::components::SelectOptions::Countries(lang)
            selected=profile.country error=error("country") required=true autocomplete="country"
            autofocus=focus == Some("country") />
        <TextField name="phone" label="signup.phone" value=profile.phone error=error("phone")
            input_type="tel" autocomplete="tel" hint="signup.phone_hint" maxlength=30
            autofocus=focus == Some("phone") />
        <TextField name="fax" label="signup.fax" value=profile.fax error=error("fax")
            input_type="tel" autocomplete="off" maxlength=30 autofocus=focus == Some("fax") />
    }
}
