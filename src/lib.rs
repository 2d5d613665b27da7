//! Sésame: the account part of a public-sector business portal.
//!
//! The crate builds twice: with `ssr` as the axum server (and its integration
//! tests), with `hydrate` as the Wasm bundle that takes over the
//! server-rendered pages in the browser.

#![recursion_limit = "256"]

pub mod account;
pub mod accounts;
pub mod activation;
pub mod app;
pub mod components;
pub mod contact;
pub mod domain;
pub mod error;
pub mod home;
pub mod i18n;
pub mod lifecycle;
pub mod login;
pub mod management;
pub mod not_me;
pub mod outcome;
pub mod paths;
pub mod recovery;
pub mod second_step;
pub mod security;
pub mod signup;
pub mod version_skew;

#[cfg(feature = "ssr")]
pub mod dev;
#[cfg(feature = "ssr")]
pub mod housekeeping;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod startup;

/// Called by the start script (`server/start.js`) with the sentences of
/// the page's language (`server::sentences`), once the main module is
/// loaded: takes them, then hydrates the page.
///
/// Errors (thrown in JavaScript): sentences it refuses
/// ([`i18n::SentencesRefused`]: made for another build). The start script
/// then stops there (no linked pages' code fetched ahead), and the page
/// stays as the server drew it, which works without JavaScript.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate(sentences: String) -> Result<(), wasm_bindgen::JsError> {
    if let Err(refused) = i18n::receive_sentences(sentences) {
        return Err(wasm_bindgen::JsError::new(&format!(
            "Sésame did not start: its sentences were refused ({refused:?})"
        )));
    }
    // A page made inert while a navigation was awaited is given back.
    version_skew::install_panic_hook(components::busy::end);
    components::begin_slice();
    // The current route's chunk is loaded before hydrating (`--split`), as
    // `leptos::mount::hydrate_lazy` does; the page says it is hydrated once
    // all of it is, its route included, not when the shell's effects first
    // run (they may run while the route's chunks are still on their way).
    wasm_bindgen_futures::spawn_local(async {
        leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App)
            .await
            .forget();
        // Parts hydrated in turn (`components::in_turn`) count too.
        components::when_all_hydrated(app::say_hydrated);
    });
    Ok(())
}

/// Called by the start script (`server/start.js`) once the first page has
/// hydrated, the browser is idle and the pack of the pages its links lead
/// to is here, every chunk compiled: loads those pages' code ahead
/// ([`app::preload_linked_routes`]).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn preload_linked_routes() {
    app::preload_linked_routes();
}

#[cfg(test)]
mod layout_tests;
