//! The HTML shell and the router.

use crate::account::{ConnectedHomePage, MyAccountPage};
use crate::activation::{ActivationPage, ResendActivationPage};
use crate::components::NotFound;
use crate::contact::ContactLinkPage;
use crate::home::HomePage;
use crate::i18n::Lang;
use crate::lifecycle::ReactivationRequestPage;
use crate::management::ManagementPage;
use crate::recovery::{ForgotPasswordPage, ResetPasswordPage};
use crate::signup::SignupPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// The document around the app, rendered by the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = language_of_request();
    #[cfg(feature = "ssr")]
    crate::server::security::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = SharedValue::new(language_of_request).into_inner();
    provide_context(lang);
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="color-scheme" content="light" />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=HomePage />
                <Route path=path!("/inscription") view=SignupPage />
                <Route path=path!("/activation-renvoyer") view=ResendActivationPage />
                <Route path=path!("/activation/:token") view=ActivationPage />
                <Route path=path!("/accueil") view=ConnectedHomePage />
                <Route path=path!("/mon-compte") view=MyAccountPage />
                <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage />
                <Route path=path!("/reactivation") view=ReactivationRequestPage />
                <Route path=path!("/adresse-de-contact/:token") view=ContactLinkPage />
                <Route path=path!("/gestion") view=ManagementPage />
                <Route path=path!("/nouveau-mot-de-passe/:token") view=ResetPasswordPage />
            </Routes>
        </Router>
    }
}

/// The language the server chose for this request (see `crate::i18n`).
fn language_of_request() -> Lang {
    #[cfg(feature = "ssr")]
    {
        crate::server::language::of_current_request()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}
