//! Where the focus goes once a page was drawn again in place or reached
//! in the browser (WCAG 2.4.3 focus order; RGAA 12.8): the error summary,
//! the first field in error, a notice, or the page's heading.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// The attribute that marks a page's heading as already read (the first
/// load's, or one drawn in place after a form): the announcer of
/// navigations waits for a heading without it.
pub const ANNOUNCED_ATTRIBUTE: &str = "data-announced";

/// Marks every `main h1` of the document as announced.
pub fn mark_headings_announced() {
    #[cfg(feature = "hydrate")]
    if let Ok(headings) = document().query_selector_all("main h1") {
        for index in 0..headings.length() {
            if let Some(heading) = headings
                .item(index)
                .and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
            {
                let _ = heading.set_attribute(ANNOUNCED_ATTRIBUTE, "");
            }
        }
    }
}

/// Once the view has been drawn again in place: focus the error summary,
/// else the first field marked invalid, else a control the view marked
/// `data-focus-after-update` (a button whose action was refused, said
/// beside it), else a notice the answer brought (what happened), else the
/// main heading (made focusable).
pub fn focus_after_update() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        mark_headings_announced();
        let document = document();
        let target = [
            ".error-summary",
            "[aria-invalid=\"true\"]",
            "main [data-focus-after-update]",
            // A refusal the answer drew (not an earlier failure to send).
            "main .notice[role=\"alert\"]:not(.door-alert)",
            "main h1",
        ]
        .iter()
        .find_map(|selector| document.query_selector(selector).ok().flatten());
        if let Some(element) = target {
            focus_element(&element);
        }
    });
}

/// Empties the text field with this `id`, if the page has it (a password
/// the person must type again).
pub fn clear_input(id: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(input) = document().get_element_by_id(id).and_then(|element| {
        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(element).ok()
    }) {
        input.set_value("");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Whether nothing has the focus (the document's body holds it): the
/// element that had it was removed, or let go of it.
#[cfg(feature = "hydrate")]
pub fn focus_is_lost() -> bool {
    let document = document();
    document
        .active_element()
        .is_none_or(|active| document.body().is_some_and(|body| *body == active))
}

/// Focuses an element, making it focusable by script first if it is not
/// (a heading or a summary: `tabindex="-1"`), without scrolling past its
/// context. One focusable on its own (a field, a link, a button: its
/// `tabIndex` is 0 or more, HTML Standard, "sequential focus navigation")
/// keeps its place in the order of the Tab key (WCAG 2.1.1).
#[cfg(feature = "hydrate")]
pub fn focus_element(element: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        if element.get_attribute("tabindex").is_none() && element.tab_index() < 0 {
            let _ = element.set_attribute("tabindex", "-1");
        }
        let _ = element.focus();
    }
}
