//! The app and its router: the browser's route table, one line a page,
//! each at its address in `paths` (the document around it is
//! `server::document`, handed this app by `startup`).

use crate::account::{ConnectedHomePage, MyAccountPage};
use crate::activation::{ActivationPage, ResendActivationPage};
use crate::components::NotFound;
use crate::contact::ContactLinkPage;
use crate::home::HomePage;
use crate::i18n::Lang;
use crate::lifecycle::ReactivationRequestPage;
use crate::management::ManagementPage;
use crate::not_me::NotMePage;
use crate::paths::{
    ACTIVATION_PREFIX, CONTACT_LINK_PREFIX, FORGOT_PATH, HOME_PATH, LOGIN_PATH, MANAGEMENT_PATH,
    MY_ACCOUNT_PATH, NOT_ME_PREFIX, REACTIVATION_PATH, RESEND_PATH, RESET_PREFIX, SECURITY_PATH,
    SIGNUP_PATH, VERIFICATION_PATH,
};
use crate::recovery::{ForgotPasswordPage, ResetPasswordPage};
use crate::second_step::SecondStepPage;
use crate::security::SecurityPage;
use crate::signup::SignupPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, ParamSegment, StaticSegment,
};

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = SharedValue::new(language_of_request).into_inner();
    provide_context(lang);
    view! {
        // Every page's title ends with the site's name (WCAG 2.4.2).
        <Title formatter=|page: String| format!("{page} — Sésame") />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="color-scheme" content="light" />
        <Router>
            <RouteAnnouncer />
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view={Lazy::<HomeRoute>::new()} />
                // Where a form posted without JavaScript leaves the browser:
                // the server answered with that page, which hydrates there.
                <Route path=(StaticSegment(LOGIN_PATH),) view={Lazy::<HomeRoute>::new()} />
                <Route path=(StaticSegment(MY_ACCOUNT_PATH), ParamSegment("formulaire")) view={Lazy::<MyAccountRoute>::new()} />
                <Route path=(StaticSegment(SIGNUP_PATH),) view={Lazy::<SignupRoute>::new()} />
                <Route path=(StaticSegment(RESEND_PATH),) view={Lazy::<ResendActivationRoute>::new()} />
                <Route path=(StaticSegment(ACTIVATION_PREFIX), ParamSegment("token")) view={Lazy::<ActivationRoute>::new()} />
                <Route path=(StaticSegment(VERIFICATION_PATH),) view={Lazy::<SecondStepRoute>::new()} />
                <Route path=(StaticSegment(SECURITY_PATH),) view={Lazy::<SecurityRoute>::new()} />
                <Route path=(StaticSegment(HOME_PATH),) view={Lazy::<ConnectedHomeRoute>::new()} />
                <Route path=(StaticSegment(MY_ACCOUNT_PATH),) view={Lazy::<MyAccountRoute>::new()} />
                <Route path=(StaticSegment(FORGOT_PATH),) view={Lazy::<ForgotPasswordRoute>::new()} />
                <Route path=(StaticSegment(REACTIVATION_PATH),) view={Lazy::<ReactivationRequestRoute>::new()} />
                <Route path=(StaticSegment(CONTACT_LINK_PREFIX), ParamSegment("token")) view={Lazy::<ContactLinkRoute>::new()} />
                <Route path=(StaticSegment(MANAGEMENT_PATH),) view={Lazy::<ManagementRoute>::new()} />
                <Route path=(StaticSegment(RESET_PREFIX), ParamSegment("token")) view={Lazy::<ResetPasswordRoute>::new()} />
                <Route path=(StaticSegment(NOT_ME_PREFIX), ParamSegment("token")) view={Lazy::<NotMeRoute>::new()} />
            </Routes>
        </Router>
    }
}

/// A route whose page is its own chunk of the Wasm (`cargo leptos build
/// --split`): the first load brings the shared code and that page's chunk;
/// another page's chunk arrives when the person first goes there.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The route of [`", stringify!($page), "`], loaded on demand.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    HomeRoute => HomePage,
    SignupRoute => SignupPage,
    ResendActivationRoute => ResendActivationPage,
    ActivationRoute => ActivationPage,
    ConnectedHomeRoute => ConnectedHomePage,
    MyAccountRoute => MyAccountPage,
    ForgotPasswordRoute => ForgotPasswordPage,
    ReactivationRequestRoute => ReactivationRequestPage,
    ContactLinkRoute => ContactLinkPage,
    ManagementRoute => ManagementPage,
    ResetPasswordRoute => ResetPasswordPage,
    SecondStepRoute => SecondStepPage,
    SecurityRoute => SecurityPage,
    NotMeRoute => NotMePage,
}

/// After each navigation in the browser (WCAG 2.4.3, 4.1.3; RGAA 7.5,
/// 12.x): the focus goes to the new page's main heading (or to its field
/// marked `data-focus-on-arrival`), once it is drawn
/// (a page's code or data may arrive later), and a polite live region says
/// which page loaded. The first load is left to the browser.
#[component]
fn RouteAnnouncer() -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or_default();
    let location = leptos_router::hooks::use_location();
    let message = RwSignal::new(String::new());
    // Which navigation is awaited: a newer one stops the older's wait.
    let navigation = StoredValue::new(0_u32);
    // `<body data-hydrated>`: the Wasm has taken over (the end-to-end
    // tests wait for it before checking what the app does in place); the
    // first load's heading has been read already.
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        crate::components::mark_headings_announced();
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
    // Where the router is going, in case that page's chunk is gone.
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        let (path, search, hash) = (
            location.pathname.get(),
            location.search.get(),
            location.hash.get(),
        );
        let query = if search.is_empty() {
            String::new()
        } else {
            format!("?{search}")
        };
        crate::version_skew::heading_to(format!("{path}{query}{hash}"));
    });
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.as_ref().is_some_and(|previous| *previous != path) {
            navigation.update_value(|n| *n = n.wrapping_add(1));
            let awaited = navigation.get_value();
            announce_when_drawn(message, lang, move || {
                navigation.try_get_value() == Some(awaited)
            });
        }
        path
    });
    view! { <p class="sr-only" aria-live="polite" aria-atomic="true">{message}</p> }
}

/// How many frames (about 60 a second) a navigation's heading is awaited:
/// a page's chunk of code and its data may take this long on a slow line.
#[cfg(feature = "hydrate")]
const HEADING_WAIT_FRAMES: u32 = 60 * 30;

/// Focuses the new page's `main h1` and announces the document's title as
/// soon as that heading is drawn: one not yet announced (the heading of the
/// page left behind is still there while the new page's code or data
/// arrives), checked on each frame while `still_awaited`.
fn announce_when_drawn(
    message: RwSignal<String>,
    lang: Lang,
    still_awaited: impl Fn() -> bool + Clone + 'static,
) {
    #[cfg(feature = "hydrate")]
    wait_for_heading(message, lang, still_awaited, HEADING_WAIT_FRAMES);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (message, lang, still_awaited);
    }
}

#[cfg(feature = "hydrate")]
fn wait_for_heading(
    message: RwSignal<String>,
    lang: Lang,
    still_awaited: impl Fn() -> bool + Clone + 'static,
    frames: u32,
) {
    request_animation_frame(move || {
        if !still_awaited() {
            return;
        }
        let document = document();
        let heading = document
            .query_selector(&format!(
                "main h1:not([{}])",
                crate::components::ANNOUNCED_ATTRIBUTE
            ))
            .ok()
            .flatten();
        match heading {
            Some(heading) => {
                let _ = heading.set_attribute(crate::components::ANNOUNCED_ATTRIBUTE, "");
                // A page whose one job is a field gets the focus there.
                use wasm_bindgen::JsCast;
                let field = document
                    .query_selector("main [data-focus-on-arrival]")
                    .ok()
                    .flatten()
                    .and_then(|field| field.dyn_into::<web_sys::HtmlElement>().ok());
                match field {
                    Some(field) => {
                        let _ = field.focus();
                    }
                    None => crate::components::focus_element(&heading),
                }
                let title = document.title();
                message.set(lang.t_with("layout.page_loaded", &[("title", &title)]));
            }
            None if frames > 0 => wait_for_heading(message, lang, still_awaited, frames - 1),
            None => {}
        }
    });
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
