//! "Accueil non connecté": the welcome text, the login box, the way to the
//! forgotten-password page, and "Créer votre compte".

use crate::components::{page_state, shown_state, ActionAnswers, DoorAlert, DoorForm, Layout};
use crate::i18n::use_lang;
use crate::lifecycle::{ReactivationPageState, RequestReactivation};
use crate::login::{LogIn, LogInWithPasskey, LoginBoxState, LoginRefusal, PasskeyLogin};
use crate::paths::SIGNUP_PATH;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    // A visit's login box: the `?suivant=` and `?info=` of the address.
    let of_visit = move || {
        let query = query.get();
        LoginBoxState::of_visit(query.get_str("suivant"), query.get_str("info"))
    };
    let action = ServerAction::<LogIn>::new();
    let passkey = ServerAction::<LogInWithPasskey>::new();
    let drawn = page_state(move || of_visit_untracked(query));
    let login_box = shown_state(
        drawn,
        &[ActionAnswers::of(action), ActionAnswers::of(passkey)],
    );
    // A refused password is typed again (as after the plain post, which
    // never sends it back): the box is redrawn in place, so its field is
    // emptied here.
    let answers = action.version();
    Effect::new(move |seen: Option<usize>| {
        let version = answers.get();
        if seen.is_some_and(|seen| seen != version) {
            crate::components::clear_input(LOGIN_PASSWORD_ID);
        }
        version
    });
    // Coming back to the home page with another query (after logging out,
    // sent here to log in…) shows that visit's login box.
    Effect::new(move |seen: Option<()>| {
        let visit = of_visit();
        if seen.is_some() {
            login_box.set(visit);
        }
    });
    view! {
        <Title text=lang.t("home.title") />
        <Layout>
            <div class="home">
                <section class="home__welcome" aria-labelledby="welcome-heading">
                    <h1 id="welcome-heading">{lang.t("home.welcome")}</h1>
                    <p class="lead">{lang.t("home.intro")}</p>
                    <p>{lang.t("home.offers")}</p>
                    <ul>
                        <li>{lang.t("home.offer_send")}</li>
                        <li>{lang.t("home.offer_follow")}</li>
                    </ul>
                    <p>{lang.t("home.free")}</p>
                </section>
                <div class="home__side">
                    {move || view! { <LoginBox action passkey state=login_box.get() /> }}
                    <section class="block" aria-labelledby="new-heading">
                        <h2 id="new-heading">{lang.t("home.new_heading")}</h2>
                        <p>
                            <a href=SIGNUP_PATH class="button button--primary">
                                {lang.t("home.create_account")}
                            </a>
                        </p>
                        <p>
                            <a href=crate::paths::RESEND_PATH>
                                {lang.t("home.activation_not_received")}
                            </a>
                        </p>
                    </section>
                </div>
            </div>
        </Layout>
    }
}

fn of_visit_untracked(query: Memo<leptos_router::params::ParamsMap>) -> LoginBoxState {
    query.with_untracked(|query| {
        LoginBoxState::of_visit(query.get_str("suivant"), query.get_str("info"))
    })
}

const LOGIN_PASSWORD_ID: &str = "login-password";

#[component]
fn LoginBox(
    action: ServerAction<LogIn>,
    passkey: ServerAction<LogInWithPasskey>,
    state: LoginBoxState,
) -> impl IntoView {
    let lang = use_lang();
    // A passkey's refusal is said beside its button, not above the box.
    let passkey_refusal = state.refusal.clone().filter(LoginRefusal::is_passkeys);
    let refused = state.refusal.is_some() && passkey_refusal.is_none();
    let next = state.next.clone();
    let deactivated = state.refusal == Some(LoginRefusal::Deactivated);
    let email_for_request = state.email.clone();
    let plain_address = state.plain_address();
    let refusal_text = state
        .refusal
        .as_ref()
        .filter(|_| refused)
        .map(|refusal| match refusal {
            LoginRefusal::Locked { minutes } => {
                lang.t_with("login.locked", &[("minutes", &minutes.to_string())])
            }
            LoginRefusal::Unavailable { reference } => format!(
                "{} {}",
                lang.t("errors.internal_short"),
                lang.t_with("errors.reference", &[("reference", reference.as_str())])
            ),
            other => lang.t(other.message_key()),
        });
    view! {
        <section class="block login-box" aria-labelledby="login-heading">
            <h2 id="login-heading">{lang.t("home.login_heading")}</h2>
            {state.notice.map(|notice| view! {
                <p class="notice notice--info" role="status">{lang.t(notice.message_key())}</p>
            })}
            {refusal_text.map(|text| view! {
                <div class="notice notice--error" role="alert" id="login-error">
                    <p>{text}</p>
                    {deactivated.then(|| view! { <ReactivationButton email=email_for_request.clone() /> })}
                </div>
            })}
            <DoorAlert action />
            <DoorAlert action=passkey />
            <DoorForm action plain=plain_address class="form">
                <input type="hidden" name="next" value=state.next />
                <div class="field">
                    <label for="login-email">{lang.t("home.login_email")}</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username webauthn"
                        value=state.email
                        autofocus=refused
                        aria-describedby=refused.then_some("login-error")
                    />
                </div>
                <div class="field">
                    <label for=LOGIN_PASSWORD_ID>{lang.t("home.password")}</label>
                    <input id=LOGIN_PASSWORD_ID name="password" type="password" autocomplete="current-password" />
                </div>
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("home.login_submit")}</button>
                </div>
            </DoorForm>
            <PasskeyLogin action=passkey next refusal=passkey_refusal />
            <p><a href=crate::paths::FORGOT_PATH>{lang.t("home.forgot_password")}</a></p>
        </section>
    }
}

/// "Demander la réactivation" under the login box's refusal: the request
/// goes for the address typed, and the answer shows in place.
#[component]
fn ReactivationButton(email: String) -> impl IntoView {
    let lang = use_lang();
    let action = ServerAction::<RequestReactivation>::new();
    let state = shown_state(ReactivationPageState::Blank, &[ActionAnswers::of(action)]);
    let email = StoredValue::new(email);
    move || {
        match state.get() {
        ReactivationPageState::Done { email } => view! {
            <p role="status">{lang.t_with("reactivation.done", &[("email", &email)])}</p>
        }
        .into_any(),
        _ => view! {
            <DoorAlert action />
            <DoorForm action plain=crate::paths::REACTIVATION_PATH>
                <input type="hidden" name="login_email" value=email.get_value() />
                <button type="submit" class="button button--secondary">{lang.t("login.request_reactivation")}</button>
            </DoorForm>
        }
        .into_any(),
    }
    }
}
