//! A tab opened before a deploy (version skew). Each page's code is a Wasm
//! chunk named after its hash (`cargo leptos build --split`); a deploy
//! replaces them. A tab still running the older build then asks, on its
//! first visit to another page, for a chunk that no longer exists: the
//! chunk's loader panics, and with `panic = "abort"` the Wasm stops for
//! good. The link click did nothing, and the page no longer answered.
//!
//! Instead, the browser loads the page the person was going to as a new
//! document: the server draws it with the new build, whose Wasm takes over.
//! At most once every [`RELOAD_INTERVAL_MS`], recorded in `sessionStorage`
//! first: a server that really lacks a chunk cannot send the tab into a
//! loop, and a tab that cannot record it (storage blocked) only logs.
//!
//! The panic's message is the one sign of the failure: Leptos's lazy
//! routes use wasm-split's infallible loader (`LazyRoute::preload` returns
//! `()`), so no typed error reaches Sésame. The end-to-end test
//! `journey.spec.ts` ("Un onglet ouvert avant une mise à jour") fails if
//! that message changes.

/// The start of the message of the chunk loader's panic
/// (`wasm_split_helpers`, through Leptos's `#[lazy_route]`): the chunk
/// could not be fetched or compiled.
pub const CHUNK_LOAD_PANIC: &str = "load callback should succeed";

/// The shortest time between two documents loaded this way, in
/// milliseconds.
pub const RELOAD_INTERVAL_MS: u64 = 30_000;

/// Whether a panic with `message` should load a new document, given when
/// the tab last did so (`last_ms`, milliseconds since the epoch, if ever)
/// and the time now: only for a chunk that failed to load, and not twice
/// within [`RELOAD_INTERVAL_MS`]. A record later than now (the clock was
/// set back) is stale.
pub fn loads_a_new_document(message: Option<&str>, last_ms: Option<u64>, now_ms: u64) -> bool {
    message.is_some_and(|message| message.starts_with(CHUNK_LOAD_PANIC))
        && last_ms.is_none_or(|last| now_ms < last || now_ms - last >= RELOAD_INTERVAL_MS)
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    /// The `sessionStorage` key holding when the tab last loaded a new
    /// document after a chunk failed to load.
    const LAST_RELOAD_KEY: &str = "sesame-version-skew-reload";

    thread_local! {
        /// Where the router is going (path, query, fragment): the router's
        /// URL signal changes as a link is followed, before the page's
        /// chunk is fetched (the address bar changes once it has loaded).
        static HEADING_TO: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Records the router's address; called on each of its changes.
    pub fn heading_to(address: String) {
        HEADING_TO.with(|to| *to.borrow_mut() = Some(address));
    }

    /// Logs every panic to the console (`console_error_panic_hook`), runs
    /// `before_stopping` (the Wasm stops after this hook: the caller hands
    /// in what must not stay as it is, such as a page made inert while a
    /// navigation was awaited), then, for a chunk that failed to load,
    /// loads the page the person was going to as a new document (see the
    /// module).
    pub fn install_panic_hook(before_stopping: fn()) {
        std::panic::set_hook(Box::new(move |info| {
            console_error_panic_hook::hook(info);
            before_stopping();
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            load_new_document(message);
        }));
    }

    fn load_new_document(message: Option<&str>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let storage = window.session_storage().ok().flatten();
        let last_ms = storage
            .as_ref()
            .and_then(|storage| storage.get_item(LAST_RELOAD_KEY).ok().flatten())
            .and_then(|value| value.parse::<u64>().ok());
        // Whole milliseconds: parsing an integer keeps core's float parser
        // (about 12 KB of brotli) out of the main module.
        let now_ms = js_sys::Date::now() as u64;
        if !super::loads_a_new_document(message, last_ms, now_ms) {
            return;
        }
        // Not recorded, no new document: without the record, nothing
        // would stop a loop.
        let recorded = storage.is_some_and(|storage| {
            storage
                .set_item(LAST_RELOAD_KEY, &now_ms.to_string())
                .is_ok()
        });
        if !recorded {
            return;
        }
        let target = HEADING_TO
            .try_with(|to| to.try_borrow().ok().and_then(|to| to.clone()))
            .ok()
            .flatten();
        let location = window.location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        // The address bar may show the target already (the back button, or
        // a navigation that pushed it): assigning an address that differs
        // only by its fragment would scroll, not load.
        let _ = match target {
            Some(target) if target.split('#').next() != Some(here.as_str()) => {
                location.assign(&target)
            }
            _ => location.reload(),
        };
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{heading_to, install_panic_hook};

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    /// The loader's panic message, as `Result::expect` writes it.
    fn chunk_panic() -> String {
        format!("{CHUNK_LOAD_PANIC}: SplitLoaderError {{ .. }}")
    }

    #[test]
    fn a_chunk_that_failed_to_load_loads_the_page_as_a_new_document() {
        let message = chunk_panic();
        assert!(loads_a_new_document(Some(&message), None, NOW));
        assert!(loads_a_new_document(
            Some(&message),
            Some(NOW - RELOAD_INTERVAL_MS - 1),
            NOW
        ));
    }

    #[test]
    fn a_second_failure_within_the_interval_leaves_the_page_as_it_is() {
        let message = chunk_panic();
        assert!(!loads_a_new_document(
            Some(&message),
            Some(NOW - 1_000),
            NOW
        ));
    }

    #[test]
    fn a_record_later_than_now_is_stale() {
        let message = chunk_panic();
        assert!(loads_a_new_document(Some(&message), Some(NOW + 5_000), NOW));
    }

    #[test]
    fn any_other_panic_leaves_the_page_as_it_is() {
        assert!(!loads_a_new_document(
            Some("index out of bounds"),
            None,
            NOW
        ));
        assert!(!loads_a_new_document(None, None, NOW));
    }
}
