//! The state a page shows as its actions answer: a new state drawn in
//! place, a path followed in the browser (or loaded afresh when the
//! language changes), the login box when the session ended. After each
//! answer the focus moves and the change is announced (WCAG 2.4.3 focus
//! order, 4.1.3 status messages; RGAA 7.5 and 12; `components::focus`).

use super::focus::focus_after_update;
use crate::outcome::{DoorError, DoorResult, Outcome};
use leptos::prelude::*;

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
                        super::take_over_waiting_parts();
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
pub(super) fn go_to(navigate: &impl Fn(&str, leptos_router::NavigateOptions), path: &str) {
    let Some(path) = crate::domain::redirect::local_path(path) else {
        return;
    };
    if path.starts_with(crate::paths::LANGUAGE_SWITCH_PATH) {
        load_document(path);
        return;
    }
    navigate(path, Default::default());
}

/// Loads the document at `path` (a path of this site) afresh.
pub(super) fn load_document(path: &str) {
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
pub(super) fn login_box_for_here() -> String {
    #[cfg(feature = "hydrate")]
    {
        let location = window().location();
        let here = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        crate::paths::login_box_address(&here)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "/".to_owned()
    }
}
