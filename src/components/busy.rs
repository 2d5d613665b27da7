//! The page left behind while an in-app navigation's page is awaited (its
//! code or its data on a slow line): each part of the page `inert` (HTML's
//! `inert`: no focus, no typing, no clicks, hidden from assistive
//! technologies) and `aria-busy`, but the live region that says what is
//! happening and the bar along the top (`data-route-keep`); `<body
//! data-navigating>`, which the style turns into that bar. `app`'s route
//! announcer begins it at each navigation and ends it once the new page's
//! heading is drawn; the panic hook ends it too (`lib.rs` hands [`end`] to
//! `version_skew`), so that a page whose Wasm stopped is never left frozen.

use wasm_bindgen::JsCast;

/// Marks what [`begin`] made inert and busy, for [`end`] to give back.
const MARK: &str = "data-route-inert";
/// On `<body>` while a navigation is awaited: when it began, in
/// milliseconds since the epoch (for the style, its presence).
const NAVIGATING: &str = "data-navigating";

thread_local! {
    /// What had the focus when the page was made inert, for [`end`] to
    /// give back if the next page never came.
    static LET_GO: std::cell::RefCell<Option<web_sys::HtmlElement>> =
        const { std::cell::RefCell::new(None) };
    /// How many navigations have begun ([`navigation`]).
    static BEGUN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// Set by [`arrive_whole`], cleared by [`end`].
    static WHOLE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The number of the navigation awaited now, or of the last one: each
/// [`begin`] counts one more (wrapping).
pub fn navigation() -> u32 {
    BEGUN.get()
}

/// Asks that the page this navigation awaits be drawn whole in the task
/// that draws its heading, none of its parts left for later
/// (`super::in_turn`): an address with a fragment, whose element the
/// router scrolls to, and the route announcer focuses, as soon as the page
/// is drawn. Called before the page is built; [`end`] clears it.
pub fn arrive_whole() {
    WHOLE.set(true);
}

/// Whether the page awaited is to be drawn whole ([`arrive_whole`]).
pub fn arrives_whole() -> bool {
    WHOLE.get()
}

/// Makes the page left behind busy and inert, from now.
///
/// The focus is let go of first, then the parts are marked: a `blur` makes
/// the browser bring its styles up to date, and after the marks that would
/// mean the style of every element of the page left behind, made inert
/// (7 to 9 ms of a click on a CPU four times slower, in a devtools trace),
/// for a page that is most often replaced in the same task.
pub fn begin() {
    BEGUN.set(BEGUN.get().wrapping_add(1));
    // The click's page is drawn now; a page drawn off the document for a
    // later click waits no more (`super::rehearsal`).
    super::rehearsal::stop_rehearsal();
    let Some(body) = document().body() else {
        return;
    };
    let parts = elements(&body.query_selector_all(":scope > :not([data-route-keep])"));
    // Nothing inert keeps the focus: the link just clicked lets it go now,
    // not when its page is removed, where the browser's focus fixup lays
    // out the next page in the middle of drawing it (50 ms of a 150 ms
    // click on a CPU 4× slower, BENCHMARKS.md). The route announcer then
    // gives it to the next page's heading.
    if let Some(focused) = document().active_element() {
        if parts.iter().any(|part| part.contains(Some(&focused))) {
            if let Some(focused) = focused.dyn_ref::<web_sys::HtmlElement>() {
                let _ = focused.blur();
                LET_GO.set(Some(focused.clone()));
            }
        }
    }
    let _ = body.set_attribute(NAVIGATING, &now_ms().to_string());
    for part in parts {
        if !part.has_attribute("inert") {
            let _ = part.set_attribute("inert", "");
            let _ = part.set_attribute("aria-busy", "true");
            let _ = part.set_attribute(MARK, "");
        }
    }
}

/// Gives the page back: nothing inert or busy that [`begin`] made so. If
/// the page left behind is still there (the next one never came: a time
/// limit, a panic), the element that had the focus gets it back, unless
/// the person has put it elsewhere meanwhile (WCAG 2.4.3).
pub fn end() {
    WHOLE.set(false);
    let document = document();
    if let Some(body) = document.body() {
        let _ = body.remove_attribute(NAVIGATING);
    }
    for part in elements(&document.query_selector_all(&format!("[{MARK}]"))) {
        let _ = part.remove_attribute("inert");
        let _ = part.remove_attribute("aria-busy");
        let _ = part.remove_attribute(MARK);
    }
    if let Some(let_go) = LET_GO.take() {
        if let_go.is_connected() && super::focus_is_lost() {
            let _ = let_go.focus();
        }
    }
}

/// [`end`], once the navigation has been awaited for more than `limit_ms`
/// milliseconds (measured in time, not in frames: a phone may draw 120 a
/// second, a hidden tab none).
pub fn end_if_older_than(limit_ms: f64) {
    let began = document()
        .body()
        .and_then(|body| body.get_attribute(NAVIGATING))
        .and_then(|began| began.parse::<f64>().ok());
    if began.is_some_and(|began| now_ms() - began > limit_ms) {
        end();
    }
}

/// Whether a navigation is awaited.
pub fn is_busy() -> bool {
    document()
        .body()
        .is_some_and(|body| body.has_attribute(NAVIGATING))
}

fn elements(list: &Result<web_sys::NodeList, wasm_bindgen::JsValue>) -> Vec<web_sys::Element> {
    let Ok(list) = list else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|index| list.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .collect()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn document() -> web_sys::Document {
    leptos::prelude::document()
}
