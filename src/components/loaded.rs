//! Pages whose data the server loads ([`loaded_page`]): drawn at once
//! from the state the server drew them with, or loaded by their server
//! function after a navigation in the browser, with [`Loading`] meanwhile
//! and [`LoadFailure`] when there is no answer.

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
///   meanwhile, [`LoadFailure`] on an error, and an answer that goes
///   elsewhere loads that address.
pub fn loaded_page<T, F, Fut>(load: F, page: fn(T) -> AnyView) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = DoorResult<T>> + Send + 'static,
{
    use leptos::either::Either;
    match SharedValue::new(drawn_by_server::<T>).into_inner() {
        Some(state) => Either::Left(page(state)),
        None => {
            let loaded = Resource::new(
                || (),
                move |()| {
                    let load = load.clone();
                    async move {
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
                <Transition fallback=|| view! { <Loading /> }>
                    {move || loaded.get().map(|answer| match answer {
                        Ok(state) => page(state),
                        Err(error) => view! { <LoadFailure error /> }.into_any(),
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

/// Shown while a page's data is on its way (a navigation in the browser).
#[component]
pub fn Loading() -> impl IntoView {
    let lang = crate::i18n::use_lang();
    view! {
        <crate::components::Layout>
            <p class="loading" role="status">{lang.t("layout.loading")}</p>
        </crate::components::Layout>
    }
}
