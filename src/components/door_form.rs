//! The browser's door onto a flow: a form that works as a plain post
//! without JavaScript and, once the page has hydrated, sends the same
//! fields to the flow's server function instead ([`DoorForm`]), with an
//! alert when the function gives no answer ([`DoorAlert`]).
//!
//! Both doors reach the same service through the same function on the
//! server (`server::door`): the plain post draws the whole page again, the
//! server function returns the page's state or where to go next, which
//! `components::shown` draws in place.

use crate::outcome::DoorError;
use leptos::prelude::*;

/// A form of a flow: `method="post"` to `plain` (the door without
/// JavaScript); once hydrated, a submit goes to `action`'s server function
/// instead, built from the same fields (and the pressed button's
/// `name=value`). While it runs the form is `aria-busy`, its buttons say so,
/// and a second submit sends nothing.
#[component]
pub fn DoorForm<S>(
    action: ServerAction<S>,
    /// The address of the plain post.
    #[prop(into)]
    plain: String,
    #[prop(into, optional)] class: Option<String>,
    /// Labelled by this element (a form with a heading).
    #[prop(into, optional)]
    labelledby: Option<String>,
    children: Children,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: leptos::server_fn::error::FromServerFnError + Send + Sync + 'static,
{
    let lang = crate::i18n::use_lang();
    let pending = action.pending();
    let pressed = RwSignal::new(false);
    provide_context(PressInForm(pressed));
    #[cfg(feature = "hydrate")]
    {
        let released = window_event_listener(leptos::ev::pointerup, move |_| pressed.set(false));
        let cancelled =
            window_event_listener(leptos::ev::pointercancel, move |_| pressed.set(false));
        on_cleanup(move || {
            released.remove();
            cancelled.remove();
        });
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        submit_through(action, &ev);
    };
    view! {
        <form
            method="post"
            action=plain
            novalidate=true
            class=class
            aria-labelledby=labelledby
            aria-busy=move || pending.get().then_some("true")
            on:pointerdown=move |_| pressed.set(true)
            on:submit=on_submit
        >
            {children()}
            <p class="sr-only" aria-live="polite">
                {move || pending.get().then(|| lang.t("form.sending"))}
            </p>
        </form>
    }
}

/// Whether a pointer is pressed inside a [`DoorForm`]: a click on one of
/// its buttons may be under way. A field checked on leaving it waits for
/// the release ([`after_press`]): an error that appears (or goes) between
/// the press and the release moves the button under the pointer, and the
/// browser then drops the click. Found by the end-to-end suite: a SIRET
/// typed wrong, then "Demander le rattachement" clicked at once, sent
/// nothing.
#[derive(Clone, Copy)]
pub struct PressInForm(RwSignal<bool>);

/// Runs `then` now, or, while a pointer is pressed in the form (`press`,
/// from `use_context` in the field's component), once it is released and
/// its click has been dispatched (polled every 20 ms, each a later task
/// than the release's). A form redrawn meanwhile (a late answer) has let
/// its signal go, and the field with it: `then` is dropped.
pub fn after_press(press: Option<PressInForm>, then: impl FnOnce() + 'static) {
    match press.map(|PressInForm(pressed)| pressed.try_get_untracked()) {
        Some(Some(true)) => {
            set_timeout(
                move || after_press(press, then),
                std::time::Duration::from_millis(20),
            );
        }
        Some(None) => {}
        None | Some(Some(false)) => then(),
    }
}

/// Builds the server function's input from the submitted form and
/// dispatches it; a form that cannot be read is posted the plain way.
fn submit_through<S>(action: ServerAction<S>, ev: &leptos::ev::SubmitEvent)
where
    S: leptos::server_fn::ServerFn + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: leptos::server_fn::error::FromServerFnError + Send + Sync + 'static,
{
    #[cfg(feature = "hydrate")]
    {
        use leptos::form::FromFormData;
        use wasm_bindgen::JsCast;
        match S::from_event(ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(_) => {
                if let Some(form) = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                {
                    keep_submitter(&form, ev);
                    let _ = form.submit();
                }
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (action, ev);
    }
}

/// `form.submit()` sends no button: the pressed one's `name=value` (which
/// action of a form with several) goes along as a hidden field.
#[cfg(feature = "hydrate")]
fn keep_submitter(form: &web_sys::HtmlFormElement, ev: &leptos::ev::SubmitEvent) {
    use wasm_bindgen::JsCast;
    let Some(button) = ev.submitter() else {
        return;
    };
    let Some(name) = button.get_attribute("name").filter(|name| !name.is_empty()) else {
        return;
    };
    let value = button.get_attribute("value").unwrap_or_default();
    let Some(input) = document()
        .create_element("input")
        .ok()
        .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    input.set_type("hidden");
    input.set_name(&name);
    input.set_value(&value);
    let _ = form.append_child(&input);
}

/// Shows why an action of the page got no answer (the service failed, the
/// network…), as an alert above the form: the form stays as typed.
#[component]
pub fn DoorAlert<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = DoorError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let lang = crate::i18n::use_lang();
    let value = action.value();
    move || match value.get() {
        Some(Err(error)) if error != DoorError::SessionEnded => {
            let reference = match &error {
                DoorError::Unavailable(reference) => Some(reference.clone()),
                _ => None,
            };
            Some(view! {
                <div class="notice notice--error door-alert" role="alert">
                    <p>{lang.t(error.message_key())}</p>
                    {reference.map(|reference| view! {
                        <p>{lang.t_with("errors.reference", &[("reference", reference.as_str())])}</p>
                    })}
                </div>
            })
        }
        _ => None,
    }
}
