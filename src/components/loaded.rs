//! Pages whose data the server loads ([`loaded_page`]): drawn at once
//! from the state the server drew them with, or loaded by their server
//! function after a navigation in the browser, with [`Loading`] meanwhile
//! and [`LoadFailure`] when there is no answer.

use super::layout::LastFrame;
use super::shown::{go_to, load_document, login_box_for_here};
use crate::outcome::{DoorError, DoorResult, Outcome};
use leptos::prelude::*;
use serde::Serialize;

/// A page whose data the server loads (the connected pages, `/gestion`),
/// drawn by `page` from its state.
///
/// - **First load:** the state its `GET` handler drew the page with, handed
///   to the browser with the page ([`SharedValue`]). Both sides draw the
///   page at once, with no `<Transition>`: a `<Transition>` walks its
///   children twice on the server to find the resources they read, then
///   draws them, so the page was built three times per request.
/// - **After a navigation in the browser:** what `load` (the page's server
///   function) answers, under `<Transition>`. [`Loading`] is shown
///   meanwhile (with `head`, the page's frame, title and heading at once),
///   [`LoadFailure`] on an error, and an answer that goes elsewhere loads
///   that address.
pub fn loaded_page<T, F, Fut>(
    load: F,
    page: fn(T) -> AnyView,
    head: Option<ConnectedHead>,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = DoorResult<T>> + Send + 'static,
{
    use leptos::either::Either;
    match SharedValue::new(drawn_by_server::<T>).into_inner() {
        Some(state) => Either::Left(page(state)),
        None => {
            // Drawn off the document (`super::rehearsal`), the page asks
            // the server for nothing: it stays "loading" until its
            // rehearsal is over.
            let rehearsed = super::rehearsing();
            let loaded = Resource::new(
                || (),
                move |()| {
                    let load = load.clone();
                    let ended = rehearsed.then(super::until_rehearsal_ends);
                    async move {
                        if let Some(ended) = ended {
                            ended.await;
                            return Err(DoorError::Transport(String::new()));
                        }
                        match load().await? {
                            Outcome::Page(state) => Ok(state),
                            Outcome::GoTo(path) | Outcome::PersonChanged { path, .. } => {
                                load_document(&path);
                                Err(DoorError::Transport(path))
                            }
                        }
                    }
                },
            );
            Either::Right(view! {
                <Transition fallback=move || view! { <Loading head /> }>
                    {move || loaded.get().map(|answer| {
                        keep_place_after_loading();
                        match answer {
                            Ok(state) => page(state),
                            Err(error) => view! { <LoadFailure error /> }.into_any(),
                        }
                    })}
                </Transition>
            })
        }
    }
}

/// The state the server handler put in the render's context, if any.
fn drawn_by_server<T: Clone + Send + Sync + 'static>() -> Option<T> {
    #[cfg(feature = "ssr")]
    {
        use_context::<T>()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// A page's data could not be loaded: the session ended (the browser goes
/// to the login box, this page kept as `suivant`), the page is not for
/// this person, or the service failed (its reference).
#[component]
pub fn LoadFailure(error: DoorError) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    if error == DoorError::SessionEnded {
        let navigate = leptos_router::hooks::use_navigate();
        Effect::new(move || go_to(&navigate, &login_box_for_here()));
    }
    let reference = match &error {
        DoorError::Unavailable(reference) => Some(reference.clone()),
        _ => None,
    };
    let title = match error {
        DoorError::Forbidden => "management.forbidden_title",
        DoorError::SessionEnded => "login.notice_login_required",
        _ => "errors.unavailable_title",
    };
    view! {
        <leptos_meta::Title text=lang.t(title) />
        <crate::components::Layout>
            <h1>{lang.t(title)}</h1>
            <p role="alert">{lang.t(error.message_key())}</p>
            {reference.map(|reference| view! {
                <p>{lang.t_with("errors.reference", &[("reference", reference.as_str())])}</p>
            })}
            <p><a href="/">{lang.t("not_found.home")}</a></p>
        </crate::components::Layout>
    }
}

/// What a connected page shows at once after a navigation in the browser,
/// before its data arrives: its tab, title and heading (WCAG 2.4.2 and
/// 2.4.6: the page says where the person is while it loads), in the frame
/// last drawn ([`LastFrame`]). Catalogue keys, the page's own.
#[derive(Clone, Copy, Debug)]
pub struct ConnectedHead {
    /// The tab's path (`paths::MY_ACCOUNT_PATH`).
    pub tab: &'static str,
    /// Catalogue key of the document's `<title>`.
    pub title: &'static str,
    /// Catalogue key of the `<h1>`.
    pub heading: &'static str,
    /// The `<h1>` is for screen readers only, as on "Accueil connecté".
    pub heading_hidden: bool,
}

/// Shown while a page's data is on its way (a navigation in the browser):
/// "Chargement…", under the page's frame, title and heading when it has a
/// [`ConnectedHead`] (the frame when one was drawn in this document).
#[component]
pub fn Loading(head: Option<ConnectedHead>) -> impl IntoView {
    use crate::components::Layout;
    let lang = crate::i18n::use_lang();
    let status = move |key: &str| view! { <p class="loading" role="status">{lang.t(key)}</p> };
    let Some(head) = head else {
        return view! { <Layout>{status("layout.loading")}</Layout> }.into_any();
    };
    let content = move || {
        view! {
            <h1 class=head.heading_hidden.then_some("sr-only") data-awaiting="">{lang.t(head.heading)}</h1>
            {status("layout.loading_data")}
        }
    };
    let frame = LastFrame::draw(head.tab, Box::new(move || content().into_any()))
        .unwrap_or_else(|| view! { <Layout>{content()}</Layout> }.into_any());
    // The title beside the frame, not in it: a view built off the document
    // (`super::rehearsal`) is never mounted at its top, and leptos_meta
    // gives the document a `<Title>` only when it is mounted, which an
    // element's children are as soon as it is built.
    view! {
        <leptos_meta::Title text=lang.t(head.title) />
        {frame}
    }
    .into_any()
}

/// The page's data arrived and is drawn in place of [`Loading`]: if its
/// heading was already announced and focused (the route announcer found it
/// first), the page's own heading counts as announced too, and takes the
/// focus back if it went with the frame it replaced (WCAG 2.4.3). Otherwise
/// the announcer finds the page's heading as on any navigation. An answer
/// that leads elsewhere (a session that ended: the login box) leaves the
/// next page to the announcer.
fn keep_place_after_loading() {
    #[cfg(feature = "hydrate")]
    {
        use crate::components::{focus_element, focus_is_lost, ANNOUNCED_ATTRIBUTE};
        let document = document();
        let announced = document
            .query_selector(&format!("main h1[data-awaiting][{ANNOUNCED_ATTRIBUTE}]"))
            .ok()
            .flatten()
            .is_some();
        if !announced {
            return;
        }
        let here = window().location().pathname().ok();
        request_animation_frame(move || {
            if window().location().pathname().ok() != here {
                return;
            }
            let document = leptos::prelude::document();
            let Some(heading) = document
                .query_selector("main h1:not([data-awaiting])")
                .ok()
                .flatten()
            else {
                return;
            };
            let _ = heading.set_attribute(ANNOUNCED_ATTRIBUTE, "");
            if focus_is_lost() {
                focus_element(&heading);
            }
        });
    }
}
