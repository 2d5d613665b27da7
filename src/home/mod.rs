//! "Accueil non connecté": the welcome text, the login box, the way to the
//! forgotten-password page, and "Créer votre compte".

use crate::components::Layout;
use crate::i18n::use_lang;
use crate::signup::SIGNUP_PATH;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
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
                    <section class="block login-box" aria-labelledby="login-heading">
                        <h2 id="login-heading">{lang.t("home.login_heading")}</h2>
                        <form method="post" action="/connexion" novalidate=true class="form">
                            <div class="field">
                                <label for="login-email">{lang.t("home.login_email")}</label>
                                <input id="login-email" name="email" type="email" autocomplete="username" />
                            </div>
                            <div class="field">
                                <label for="login-password">{lang.t("home.password")}</label>
                                <input id="login-password" name="password" type="password" autocomplete="current-password" />
                            </div>
                            <p class="field__hint" id="login-soon">{lang.t("home.login_soon")}</p>
                            <button type="submit" class="button button--primary" disabled=true aria-describedby="login-soon">
                                {lang.t("home.login_submit")}
                            </button>
                        </form>
                    </section>
                    <section class="block" aria-labelledby="new-heading">
                        <h2 id="new-heading">{lang.t("home.new_heading")}</h2>
                        <p>
                            <a href=SIGNUP_PATH rel="external" class="button button--primary">
                                {lang.t("home.create_account")}
                            </a>
                        </p>
                    </section>
                </div>
            </div>
        </Layout>
    }
}
