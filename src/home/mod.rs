//! "Accueil non connecté": the welcome text, the login box, the way to the
//! forgotten-password page, and "Créer votre compte".

use crate::components::{page_state, Layout};
use crate::i18n::use_lang;
use crate::login::{LoginBoxState, LoginRefusal, LOGIN_PATH};
use crate::signup::SIGNUP_PATH;
use leptos::prelude::*;
use leptos_meta::Title;

/// A plain visit's login box: the `?suivant=` and `?info=` of the address.
fn login_box_of_visit() -> LoginBoxState {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| crate::login::handlers::login_box_from_query(&parts.uri))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        LoginBoxState::default()
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let login_box = page_state(login_box_of_visit);
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
                    <LoginBox state=login_box />
                    <section class="block" aria-labelledby="new-heading">
                        <h2 id="new-heading">{lang.t("home.new_heading")}</h2>
                        <p>
                            <a href=SIGNUP_PATH rel="external" class="button button--primary">
                                {lang.t("home.create_account")}
                            </a>
                        </p>
                        <p>
                            <a href=crate::activation::RESEND_PATH rel="external">
                                {lang.t("home.activation_not_received")}
                            </a>
                        </p>
                    </section>
                </div>
            </div>
        </Layout>
    }
}

#[component]
fn LoginBox(state: LoginBoxState) -> impl IntoView {
    let lang = use_lang();
    let refused = state.refusal.is_some();
    let deactivated = state.refusal == Some(LoginRefusal::Deactivated);
    let email_for_request = state.email.clone();
    let refusal_text = state.refusal.as_ref().map(|refusal| match refusal {
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
                    {deactivated.then(|| view! {
                        <form method="post" action=crate::lifecycle::REACTIVATION_PATH>
                            <input type="hidden" name="login_email" value=email_for_request.clone() />
                            <button type="submit" class="button button--secondary">{lang.t("login.request_reactivation")}</button>
                        </form>
                    })}
                </div>
            })}
            <form method="post" action=LOGIN_PATH novalidate=true class="form">
                <input type="hidden" name="next" value=state.next />
                <div class="field">
                    <label for="login-email">{lang.t("home.login_email")}</label>
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        value=state.email
                        autofocus=refused
                        aria-describedby=refused.then_some("login-error")
                    />
                </div>
                <div class="field">
                    <label for="login-password">{lang.t("home.password")}</label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" />
                </div>
                <div class="actions">
                    <button type="submit" class="button button--primary">{lang.t("home.login_submit")}</button>
                </div>
            </form>
            <p><a href=crate::recovery::FORGOT_PATH rel="external">{lang.t("home.forgot_password")}</a></p>
        </section>
    }
}
