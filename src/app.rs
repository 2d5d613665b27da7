//! The app and its router: the browser's route table, one line a page,
//! each at its address in `paths` (the document around it is
//! `server::document`, handed this app by `startup`).

use crate::account::{ConnectedHomePage, MyAccountPage};
use crate::activation::{ActivationPage, ResendActivationPage};
#[cfg(feature = "hydrate")]
use crate::components::busy;
use crate::components::{pause_before, NotFound};
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
    crate::components::LastFrame::provide();
    let shell_title = crate::components::ShellTitle::provide(title_drawn_by_server(), SITE_NAME);
    let lang = SharedValue::new(language_of_request).into_inner();
    provide_context(lang);
    view! {
        // Every page's title ends with the site's name (WCAG 2.4.2). While
        // no page has given its own (during hydration, before the page's
        // chunk has run: the title the server drew; during a navigation,
        // between the page left and the next: the site's name), the
        // document keeps a title (Leptos's title effect starts from none
        // for an instant, inside the shell's task, before this text is on
        // its stack).
        <Title text=move || shell_title.get() formatter=|page: String| titled(page) />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Meta name="color-scheme" content="light" />
        // The shell's hydration is a long walk on a first load (V8 compiles
        // each Wasm function at its first call): it lets the browser in
        // before the router and before the route table when it has run for
        // a slice (`components::pause_before`).
        {pause_before(|| view! {
            <Router>
                // Above the pages, so that a press is followed whatever page
                // draws the frame when the answer comes.
                {crate::login::provide_log_out()}
                // Pages drawn off the document ahead of a click find the
                // router's contexts (`components::rehearse`).
                {crate::components::set_rehearsal_stage()}
                <RouteAnnouncer />
                {pause_before(|| view! {
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
                })}
            </Router>
        })}
    }
}

/// The site's name, last in every page's title.
pub const SITE_NAME: &str = "Sésame";

/// The document's title for a page titled `page`: "Accueil — Sésame"; the
/// site's name alone when no page has given one.
pub fn titled(page: String) -> String {
    if page == SITE_NAME {
        page
    } else {
        format!("{page}{TITLE_SEPARATOR}{SITE_NAME}")
    }
}

/// Between a page's own title and the site's name in the document's title.
const TITLE_SEPARATOR: &str = " — ";

/// The page's part of a document title made by [`titled`] ("Accueil" of
/// "Accueil — Sésame"); the site's name for any other title.
pub fn page_of_title(title: &str) -> &str {
    title
        .strip_suffix(SITE_NAME)
        .and_then(|page| page.strip_suffix(TITLE_SEPARATOR))
        .filter(|page| !page.is_empty())
        .unwrap_or(SITE_NAME)
}

/// The page's part of the title the server drew, read in the browser while
/// the first page hydrates (`ShellTitle`); the site's name on the server.
fn title_drawn_by_server() -> String {
    #[cfg(feature = "hydrate")]
    let drawn = page_of_title(&document().title()).to_owned();
    #[cfg(not(feature = "hydrate"))]
    let drawn = SITE_NAME.to_owned();
    drawn
}

/// A route whose page is its own chunk of the Wasm (`cargo leptos build
/// --split`): the first load brings the shared code and that page's chunk;
/// another page's chunk arrives when the person first goes there. Each
/// route names the catalogue key of its `<meta name="description">`, what
/// a search engine shows under the page's title.
macro_rules! lazy_page {
    ($($route:ident => $page:ident, $description:literal),* $(,)?) => {
        /// The lazy routes' type names, for the tests of [`LINKED_ROUTES`].
        #[cfg(test)]
        const LAZY_ROUTES: &[&str] = &[$(stringify!($route)),*];

        /// Loads the code of the lazy route named `route` (in snake case,
        /// as in [`LINKED_ROUTES`]): its chunks fetched (from the pack
        /// fetched ahead, when it holds them) and instantiated. `None` for
        /// a name no route has.
        #[cfg(feature = "hydrate")]
        fn preload_route(route: &str) -> Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>> {
            $(
            if snake(stringify!($route)) == route {
                return Some(Box::pin(<$route as LazyRoute>::preload()));
            }
            )*
            None
        }

        /// Draws the page of the lazy route named `route` once, off the
        /// document ([`crate::components::rehearse`]), its code loaded
        /// first if it is not yet; resolves to whether it did. `None` for a
        /// name no route has.
        #[cfg(feature = "hydrate")]
        fn rehearse_route(route: &str) -> Option<std::pin::Pin<Box<dyn std::future::Future<Output = bool>>>> {
            $(
            if snake(stringify!($route)) == route {
                return Some(Box::pin(crate::components::rehearse(Box::new(|| {
                    Box::pin(<$route as LazyRoute>::view(<$route as LazyRoute>::data()))
                }))));
            }
            )*
            None
        }
        $(
        #[doc = concat!("The route of [`", stringify!($page), "`], loaded on demand.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                let lang = crate::i18n::use_lang();
                // The page a click leaves is let go of after the next
                // page's first frame, not before it.
                crate::components::dropped_after_frame(view! {
                    <Meta name="description" content=lang.t($description) />
                    {$page()}
                })
                .into_any()
            }
        }
    )*};
}

/// Each address a link of a page may lead to in the app, and the name of
/// the route that draws it, in snake case as Leptos names its lazy view in
/// the split manifest (`__{name}_view_…`). Once a page has hydrated and
/// the browser is idle, the chunks of the routes its links lead to are
/// fetched ahead (`server::document`), so that a click draws the next page
/// without waiting for the network. Pages reached only from an emailed link
/// (activation, new password, contact change, "Ce n'était pas moi") are
/// not listed.
pub const LINKED_ROUTES: &[(&str, &str)] = &[
    (crate::paths::HOME_PAGE_PATH, "home_route"),
    (LOGIN_PATH, "home_route"),
    (SIGNUP_PATH, "signup_route"),
    (RESEND_PATH, "resend_activation_route"),
    (FORGOT_PATH, "forgot_password_route"),
    (REACTIVATION_PATH, "reactivation_request_route"),
    (VERIFICATION_PATH, "second_step_route"),
    (HOME_PATH, "connected_home_route"),
    (MY_ACCOUNT_PATH, "my_account_route"),
    (SECURITY_PATH, "security_route"),
    (MANAGEMENT_PATH, "management_route"),
];

/// The routes of [`LINKED_ROUTES`] whose page is drawn once off the
/// document, after its code is loaded ahead
/// ([`crate::components::rehearse`]), so that the first click on a link
/// to it finds every function it runs compiled. Drawn off the document, a
/// page asks the server nothing (a connected page stays "loading", its
/// data never asked for; the captcha names no image). The login box is
/// not rehearsed: as it is drawn, it asks the browser for a passkey (the
/// autofill's conditional request). A rehearsal is drawn under the
/// router, not under `<Routes>`: a page listed here must not read the
/// route's parameters (`use_params_map`), which it would not find.
#[cfg(any(test, feature = "hydrate"))]
const REHEARSED_ROUTES: &[&str] = &[
    "signup_route",
    "second_step_route",
    "resend_activation_route",
    "forgot_password_route",
    "reactivation_request_route",
    "connected_home_route",
    "my_account_route",
    "security_route",
    "management_route",
];

lazy_page! {
    HomeRoute => HomePage, "descriptions.home",
    SignupRoute => SignupPage, "descriptions.signup",
    ResendActivationRoute => ResendActivationPage, "descriptions.resend_activation",
    ActivationRoute => ActivationPage, "descriptions.activation",
    ConnectedHomeRoute => ConnectedHomePage, "descriptions.connected_home",
    MyAccountRoute => MyAccountPage, "descriptions.my_account",
    ForgotPasswordRoute => ForgotPasswordPage, "descriptions.forgot_password",
    ReactivationRequestRoute => ReactivationRequestPage, "descriptions.reactivation",
    ContactLinkRoute => ContactLinkPage, "descriptions.contact_link",
    ManagementRoute => ManagementPage, "descriptions.management",
    ResetPasswordRoute => ResetPasswordPage, "descriptions.reset_password",
    SecondStepRoute => SecondStepPage, "descriptions.second_step",
    SecurityRoute => SecurityPage, "descriptions.security",
    NotMeRoute => NotMePage, "descriptions.not_me",
}

/// Marks `<body data-hydrated>` once the whole page, its route included,
/// has hydrated (`crate::hydrate`): the Wasm has taken over, and the
/// end-to-end tests wait for it before checking what the app does in place.
#[cfg(feature = "hydrate")]
pub fn say_hydrated() {
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}

/// After each navigation in the browser (WCAG 2.4.3, 4.1.3; RGAA 7.5,
/// 12.x): the focus goes to the new page's main heading (or to the element
/// the address's fragment names, or to its field marked
/// `data-focus-on-arrival`), once it is drawn
/// (a page's code or data may arrive later), and a polite live region says
/// which page loaded. The first load is left to the browser.
///
/// Until then the page left behind is busy (`components::busy`: a
/// bar along the top after a moment, "Chargement de la page…" said after
/// [`LOADING_SAID_AFTER_MS`]) and inert: nothing typed lands in it, and a
/// second click starts no second navigation.
#[component]
fn RouteAnnouncer() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let location = leptos_router::hooks::use_location();
    let message = RwSignal::new(String::new());
    // Which navigation is awaited: a newer one stops the older's wait.
    let navigation = StoredValue::new(0_u32);
    // The first load's heading has been read already.
    #[cfg(feature = "hydrate")]
    Effect::new(crate::components::mark_headings_announced);
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
            let still_awaited = move || navigation.try_get_value() == Some(awaited);
            #[cfg(feature = "hydrate")]
            {
                // The router scrolls to a fragment's element once the page
                // is drawn: it must be there.
                if !location.hash.get_untracked().is_empty() {
                    busy::arrive_whole();
                }
                busy::begin();
                set_timeout(
                    move || {
                        if still_awaited() && busy::is_busy() {
                            message.set(lang.t("layout.loading"));
                        }
                    },
                    std::time::Duration::from_millis(LOADING_SAID_AFTER_MS),
                );
            }
            announce_when_drawn(message, lang, still_awaited);
        }
        path
    });
    view! {
        <p class="sr-only" aria-live="polite" aria-atomic="true" data-route-keep="">
            {message}
        </p>
        <div class="route-progress" aria-hidden="true" data-route-keep=""></div>
    }
}

/// How long a navigation waits before the live region says the page is
/// loading, in milliseconds: a page whose code is at hand arrives sooner,
/// and is only announced once, loaded.
pub const LOADING_SAID_AFTER_MS: u64 = 400;

/// How long the page left behind stays busy and inert at most, in
/// milliseconds: past that the person may use it again, as a page that
/// never drew its heading would otherwise stay frozen.
#[cfg(feature = "hydrate")]
const BUSY_MS: f64 = 10_000.0;

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
    wait_for_heading(message, lang, still_awaited, 0);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (message, lang, still_awaited);
    }
}

/// One frame of the wait: `waited` frames have gone by.
#[cfg(feature = "hydrate")]
fn wait_for_heading(
    message: RwSignal<String>,
    lang: Lang,
    still_awaited: impl Fn() -> bool + Clone + 'static,
    waited: u32,
) {
    request_animation_frame(move || {
        if !still_awaited() {
            return;
        }
        busy::end_if_older_than(BUSY_MS);
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
                busy::end();
                let _ = heading.set_attribute(crate::components::ANNOUNCED_ATTRIBUTE, "");
                // A link to a place in the page (`#id`) leads the focus
                // there, where the router scrolled (HTML Standard,
                // "scroll to the fragment"; WCAG 2.4.3); a page whose one
                // job is a field gets the focus there; any other, on its
                // heading.
                let target = fragment_target(&document)
                    .or_else(|| {
                        document
                            .query_selector("main [data-focus-on-arrival]")
                            .ok()
                            .flatten()
                    })
                    .unwrap_or(heading);
                crate::components::focus_element(&target);
                let title = document.title();
                message.set(lang.t_with("layout.page_loaded", &[("title", &title)]));
            }
            None if waited < HEADING_WAIT_FRAMES => {
                wait_for_heading(message, lang, still_awaited, waited + 1)
            }
            None => busy::end(),
        }
    });
}

/// The element of the page's `<main>` that the address's fragment names
/// (`#city`, percent-decoded), if any.
#[cfg(feature = "hydrate")]
fn fragment_target(document: &web_sys::Document) -> Option<web_sys::Element> {
    let hash = window().location().hash().ok()?;
    let id = hash.strip_prefix('#').filter(|id| !id.is_empty())?;
    let id = js_sys::decode_uri_component(id)
        .ok()
        .and_then(|id| id.as_string())
        .unwrap_or_else(|| id.to_owned());
    let target = document.get_element_by_id(&id)?;
    let main = document.query_selector("main").ok()??;
    main.contains(Some(&target)).then_some(target)
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

/// Once the first page has hydrated, the browser is idle, the pack of the
/// pages its links lead to is here with every chunk compiled, and the
/// person is still on that page (`server/start.js`): loads
/// the code of each of those pages, one after the other, so that a click
/// on a link draws the next page at once, in the click's own task, with no
/// chunk left to fetch or instantiate. Only the first page's links: the
/// pack fetched ahead holds their chunks; a page reached in the app would
/// fetch its links' chunks one file at a time.
///
/// Then each of those pages that is rehearsed ([`REHEARSED_ROUTES`]), but
/// the one shown, is drawn once off the document, each in tasks of its
/// own: the first click on a link to it finds its functions compiled.
/// The rehearsals wait for the first page to have hydrated whole
/// (`<body data-hydrated>`), and stop once the person has left it.
/// `<body data-linked-loaded>` says when all of
/// it is done (the last rehearsal's state is let go of a frame later), and
/// names the routes rehearsed.
#[cfg(feature = "hydrate")]
pub fn preload_linked_routes() {
    let Ok(links) = document().query_selector_all("a[href]") else {
        return;
    };
    let mut routes: Vec<&'static str> = Vec::new();
    for index in 0..links.length() {
        let Some(href) = links
            .item(index)
            .and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
            .and_then(|link| link.get_attribute("href"))
        else {
            continue;
        };
        let path = href.split(['?', '#']).next().unwrap_or_default();
        if let Some((_, route)) = LINKED_ROUTES.iter().find(|(linked, _)| *linked == path) {
            if !routes.contains(route) {
                routes.push(route);
            }
        }
    }
    let here = || document().location().and_then(|here| here.pathname().ok());
    let first = here();
    let shown = LINKED_ROUTES
        .iter()
        .find(|(path, _)| Some(*path) == first.as_deref())
        .map(|(_, route)| *route);
    leptos::task::spawn_local(async move {
        for route in &routes {
            if let Some(preload) = preload_route(route) {
                preload.await;
            }
        }
        let mut rehearsed = Vec::new();
        // A part of the first page may still be taking over its HTML
        // (`components::in_turn`): waited for, every 50 ms, 10 s at most.
        let hydrated = || {
            document()
                .body()
                .is_some_and(|body| body.has_attribute("data-hydrated"))
        };
        for _ in 0..200 {
            if hydrated() {
                break;
            }
            crate::components::after_ms(50).await;
        }
        // Only while the person is still on the first page: elsewhere its
        // links are not the ones at hand, and the page shown may be one of
        // them.
        let still_there = || hydrated() && here() == first;
        for route in routes.into_iter().take_while(|_| still_there()) {
            if REHEARSED_ROUTES.contains(&route) && Some(route) != shown {
                if let Some(rehearsal) = rehearse_route(route) {
                    crate::components::in_a_later_task().await;
                    if rehearsal.await {
                        rehearsed.push(route);
                    }
                }
            }
        }
        // For the end-to-end tests and the bench, as `data-hydrated`: the
        // routes rehearsed, if any.
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-linked-loaded", &rehearsed.join(" "));
        }
    });
}

/// `SignupRoute` → `signup_route`, as Leptos's `#[lazy_route]` names it.
#[cfg(any(test, feature = "hydrate"))]
fn snake(name: &str) -> String {
    let mut snake = String::new();
    for (index, c) in name.char_indices() {
        if c.is_ascii_uppercase() && index > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_linked_address_names_a_lazy_route_of_the_route_table() {
        let routes: Vec<String> = LAZY_ROUTES.iter().map(|name| snake(name)).collect();
        assert_eq!(
            snake("ReactivationRequestRoute"),
            "reactivation_request_route"
        );
        for (path, route) in LINKED_ROUTES {
            assert!(path.starts_with('/'), "{path}");
            assert!(routes.iter().any(|name| name == route), "{path}: {route}");
        }
    }

    /// A rehearsed page is one a first page links to, and not the login
    /// box (which asks the browser for a passkey as it is drawn).
    #[test]
    fn the_pages_rehearsed_are_linked_and_ask_for_no_key() {
        for rehearsed in REHEARSED_ROUTES {
            assert!(
                LINKED_ROUTES.iter().any(|(_, route)| route == rehearsed),
                "{rehearsed} is linked from no page"
            );
            assert!(*rehearsed != "home_route", "{rehearsed}");
        }
    }

    /// The shell reads back the page's part of the title the server drew,
    /// so that hydrating does not change the tab's title.
    #[test]
    fn the_page_part_of_a_title_is_read_back_as_it_was_given() {
        for page in ["Créer votre compte", "Accueil — connecté", SITE_NAME] {
            assert_eq!(page_of_title(&titled(page.to_owned())), page);
        }
        for other in ["", " — Sésame", "Sésame — Accueil", "Accueil"] {
            assert_eq!(page_of_title(other), SITE_NAME, "{other:?}");
        }
    }
}
