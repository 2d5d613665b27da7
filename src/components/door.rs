//! The browser's door onto a flow: a form that works as a plain post
//! without JavaScript and, once the page has hydrated, sends the same
//! fields to the flow's server function and draws its answer in place.
//!
//! Both doors reach the same service through the same function on the
//! server (`server::door`): the plain post draws the whole page again, the
//! server function returns the page's state ([`Outcome::Page`]) or where to
//! go next ([`Outcome::GoTo`]), and this module updates the view, moves the
//! focus and announces the change (WCAG 2.4.3 focus order, 4.1.3 status
//! messages; RGAA 7.5 and 12).

use crate::error::Reference;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a flow's server function answers when it did its work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome<T> {
    /// The page, in the state the service left it (a refusal with its
    /// errors and what was typed, a recap, a notice…).
    Page(T),
    /// The flow goes on at this path of the site (after logging in, out,
    /// activating…). The browser navigates there without reloading, except
    /// to the language switch, which reloads the page in the new language.
    GoTo(String),
    /// The flow goes on at this path, and who is connected changed
    /// (logging in or out): `lang` is the code of the language the pages
    /// are in from now on (the account's, the default, or this browser's
    /// choice). When it is not the language shown, the browser loads the
    /// next page afresh, in that language; otherwise it goes on in place.
    PersonChanged { path: String, lang: String },
}

/// Why a flow's server function did not answer with an [`Outcome`]: the
/// refusals every door shares, with their message keys, and failures with
/// a reference only (nothing internal crosses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DoorError {
    /// No valid session (it ended while the page was open): the browser goes
    /// to the login box, with the page kept as `suivant`.
    #[error("the session has ended")]
    SessionEnded,
    /// A page of managers asked by someone who manages nobody.
    #[error("not allowed")]
    Forbidden,
    /// The service failed; the reference is in the server's log.
    #[error("the service failed (reference {0})")]
    Unavailable(Reference),
    /// The request did not reach the server, or its answer could not be
    /// read (network down, a cross-site post refused…).
    #[error("the request could not be carried: {0}")]
    Transport(String),
}

impl DoorError {
    /// The catalogue key of what the person reads.
    pub fn message_key(&self) -> &'static str {
        match self {
            DoorError::SessionEnded => "login.notice_login_required",
            DoorError::Forbidden => "management.forbidden_text",
            DoorError::Unavailable(_) => "errors.internal",
            DoorError::Transport(_) => "errors.transport",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for DoorError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    /// In the browser: the request did not go or its answer was unreadable
    /// ([`DoorError::Transport`]). On the server, where the framework calls
    /// it before the function runs: a request it cannot read (a missing or
    /// malformed argument, an unknown method) answers 400 and says no more
    /// (not serde's words); any other failure is logged and answered with
    /// its reference only ([`DoorError::Unavailable`], 500).
    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::server_fn::error::ServerFnErrorErr as Failure;
            let unreadable = matches!(
                value,
                Failure::Args(_)
                    | Failure::MissingArg(_)
                    | Failure::Deserialization(_)
                    | Failure::Request(_)
                    | Failure::UnsupportedRequestMethod(_)
            );
            if unreadable {
                if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                    response.set_status(axum::http::StatusCode::BAD_REQUEST);
                }
                return DoorError::Transport("the request could not be read".to_owned());
            }
            let error = anyhow::anyhow!("{value}");
            DoorError::Unavailable(crate::server::telemetry::report(&error, "server function"))
        }
        #[cfg(not(feature = "ssr"))]
        DoorError::Transport(value.to_string())
    }
}

/// The answer of a flow's server function.
pub type DoorResult<T> = Result<Outcome<T>, DoorError>;

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

/// The state a page shows: the one it was drawn with (`initial`), then each
/// page an action of the page answered. An action that answered
/// [`Outcome::GoTo`] navigates; one that failed leaves the page as it was
/// (what was typed stays) and its error shows in [`DoorAlert`].
///
/// After each answer the focus moves where the person reads on: the error
/// summary, else the first field in error, else the page's heading.
pub fn shown_state<T>(initial: T, actions: &[ActionAnswers<T>]) -> RwSignal<T>
where
    T: Clone + Send + Sync + 'static,
{
    let shown = RwSignal::new(initial);
    let navigate = leptos_router::hooks::use_navigate();
    let shown_lang = crate::i18n::use_lang();
    for answers in actions {
        let answers = *answers;
        let navigate = navigate.clone();
        Effect::new(move |seen: Option<usize>| {
            let version = answers.version.get();
            if seen.is_some_and(|seen| seen != version) {
                match answers.value.get_untracked() {
                    Some(Ok(Outcome::Page(page))) => {
                        shown.set(page);
                        focus_after_update();
                    }
                    Some(Ok(Outcome::GoTo(path))) => go_to(&navigate, &path),
                    Some(Ok(Outcome::PersonChanged { path, lang })) => {
                        if lang == shown_lang.code() {
                            go_to(&navigate, &path)
                        } else {
                            load_document(&path)
                        }
                    }
                    Some(Err(DoorError::SessionEnded)) => go_to(&navigate, &login_box_for_here()),
                    _ => {}
                }
            }
            version
        });
    }
    shown
}

/// What [`shown_state`] follows of an action: its answers and how many.
pub struct ActionAnswers<T: Send + Sync + 'static> {
    value: Signal<Option<DoorResult<T>>>,
    version: Signal<usize>,
}

impl<T: Send + Sync + 'static> Clone for ActionAnswers<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for ActionAnswers<T> {}

impl<T: Clone + Send + Sync + 'static> ActionAnswers<T> {
    /// The answers of a flow's server action.
    pub fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Output = Outcome<T>, Error = DoorError>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let value = action.value();
        let version = action.version();
        ActionAnswers {
            value: Signal::derive(move || value.get()),
            version: Signal::derive(move || version.get()),
        }
    }
}

/// Follows a path the server sent: in the app without reloading, or a
/// full load for the language switch (the whole page changes language).
fn go_to(navigate: &impl Fn(&str, leptos_router::NavigateOptions), path: &str) {
    let Some(path) = crate::domain::redirect::local_path(path) else {
        return;
    };
    if path.starts_with(crate::i18n::LANGUAGE_SWITCH_PATH) {
        load_document(path);
        return;
    }
    navigate(path, Default::default());
}

/// Loads the document at `path` (a path of this site) afresh.
fn load_document(path: &str) {
    let Some(path) = crate::domain::redirect::local_path(path) else {
        return;
    };
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = path;
    }
}

/// `/?suivant=<this page>`: the login box, then back here.
fn login_box_for_here() -> String {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        crate::login::login_box_address(&here)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "/".to_owned()
    }
}

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
/// else the first field marked invalid, else a notice the answer brought
/// (what happened), else the main heading (made focusable).
pub fn focus_after_update() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        mark_headings_announced();
        let document = document();
        let target = [
            ".error-summary",
            "[aria-invalid=\"true\"]",
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

/// Focuses an element, making it focusable by script first if it is not
/// (a heading or a summary), without scrolling past its context.
#[cfg(feature = "hydrate")]
pub fn focus_element(element: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        if element.get_attribute("tabindex").is_none() {
            let _ = element.set_attribute("tabindex", "-1");
        }
        let _ = element.focus();
    }
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
