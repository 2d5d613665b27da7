//! Pauses in the app's first hydration ([`pause_before`]): where the walk
//! has run for [`SLICE_MS`](super::SLICE_MS) milliseconds since the browser
//! last had its turn, it lets the browser in (a new task) before it goes
//! on.
//!
//! Leptos hydrates the app's shell (the title, the router, the route
//! table) in one walk that awaits only the current route's chunk. On a
//! first load most of that walk is V8 compiling each Wasm function at its
//! first call, on the main thread (`wasm.CompileLazy`: three quarters of
//! the shell's task in a trace at 4×, BENCHMARKS.md, part 15, ninth pass),
//! and none of it can be moved off that thread. What can be done is to cut
//! it: Total Blocking Time counts what each task runs past 50 ms (web.dev,
//! "Total Blocking Time"), and RAIL's budget for an answer to input is
//! 100 ms. A route's own view cannot pause: leptos_router 0.8 hydrates it
//! in one synchronous walk once its chunk is here (its parts may take
//! their turn instead: [`super::in_turn`]).

use leptos::prelude::*;
use leptos::tachys::{
    html::attribute::{any_attribute::AnyAttribute, Attribute},
    hydration::Cursor,
    ssr::StreamBuilder,
    view::{add_attr::AddAnyAttr, Position, PositionState, Render, RenderHtml},
};

/// The view `make` draws, made and hydrated in a new task of the browser
/// when the first hydration's walk has run for
/// [`SLICE_MS`](super::SLICE_MS) milliseconds since the last one began
/// ([`begin_slice`]). Made late, so that what its components do as they
/// are made (a router's set-up, its effects) falls after the pause too;
/// made untracked (what it reads subscribes nothing). Drawn on the server,
/// and in the browser after a navigation, exactly as the view: the wrapper
/// adds no markup, so it may stand anywhere a view does. Only a walk that
/// awaits (`hydrate_async`: the app's shell, up to the route) pauses; a
/// synchronous one goes straight on.
///
/// `make` runs under the reactive owner that is current when the view is
/// hydrated or drawn: call it where no component between it and the
/// caller gives an owner of its own (the app's shell), or the contexts it
/// finds may differ.
pub fn pause_before<F, V>(make: F) -> PauseBefore<F, V>
where
    F: FnOnce() -> V + Send,
    V: IntoView,
{
    PauseBefore(Making::ToMake(make))
}

/// A view that may pause the first hydration before it is made
/// ([`pause_before`]).
pub struct PauseBefore<F, V>(Making<F, V>);

enum Making<F, V> {
    ToMake(F),
    Made(V),
    /// Only between two statements of `dry_resolve`, which makes the view
    /// in place.
    Moving,
}

impl<F: FnOnce() -> V, V> PauseBefore<F, V> {
    fn made(self) -> V {
        match self.0 {
            Making::ToMake(make) => untrack(make),
            Making::Made(view) => view,
            Making::Moving => unreachable!("a view is moved only within dry_resolve"),
        }
    }
}

/// Marks the start of a slice of the walk: now, in the task that is
/// running. Called where the first hydration begins (`crate::hydrate`); each
/// pause begins a slice too once the browser has had its turn.
pub fn begin_slice() {
    #[cfg(feature = "hydrate")]
    slice::begin();
}

#[cfg(feature = "hydrate")]
mod slice {
    use crate::components::{in_turn::now, SLICE_MS};
    use leptos::prelude::window;
    use std::cell::Cell;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::Event;

    thread_local! {
        /// When the current slice began, in milliseconds since the
        /// document did (`performance.now()`).
        static BEGAN: Cell<f64> = const { Cell::new(0.0) };
    }

    pub(super) fn begin() {
        BEGAN.set(now());
    }

    /// Lets the browser in if the slice is over, then begins another.
    /// Meanwhile the page's links and history are the browser's own
    /// ([`LeftToTheBrowser`]).
    pub(super) async fn pause_if_due() {
        if now() - BEGAN.get() >= SLICE_MS {
            let left = LeftToTheBrowser::during_the_pause();
            crate::components::in_a_later_task().await;
            drop(left);
            begin();
        }
    }

    /// While the walk pauses, the router may be set up (its listeners on
    /// the window) but its route table not yet made: a click on a link, or
    /// Back, would change the router's address, and the route table, made
    /// after the pause, would hydrate the next page's route over this
    /// page's HTML (a mismatch: the Wasm stops, the click seems to do
    /// nothing). So during a pause the page is what it is without
    /// JavaScript: a click stops at the window's capture phase, before the
    /// router's listener, and the browser follows the link itself (a page
    /// load); after Back or Forward, the browser loads the page the address
    /// now names. Both listeners are removed once the pause ends.
    struct LeftToTheBrowser {
        click: Closure<dyn FnMut(Event)>,
        history: Closure<dyn FnMut(Event)>,
    }

    impl LeftToTheBrowser {
        fn during_the_pause() -> Self {
            let click = Closure::<dyn FnMut(Event)>::new(|event: Event| event.stop_propagation());
            let history = Closure::<dyn FnMut(Event)>::new(|event: Event| {
                event.stop_immediate_propagation();
                let _ = window().location().reload();
            });
            let window = window();
            let _ = window.add_event_listener_with_callback_and_bool(
                "click",
                click.as_ref().unchecked_ref(),
                true,
            );
            let _ = window.add_event_listener_with_callback_and_bool(
                "popstate",
                history.as_ref().unchecked_ref(),
                true,
            );
            LeftToTheBrowser { click, history }
        }
    }

    impl Drop for LeftToTheBrowser {
        fn drop(&mut self) {
            let window = window();
            let _ = window.remove_event_listener_with_callback_and_bool(
                "click",
                self.click.as_ref().unchecked_ref(),
                true,
            );
            let _ = window.remove_event_listener_with_callback_and_bool(
                "popstate",
                self.history.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}

impl<F, V> Render for PauseBefore<F, V>
where
    F: FnOnce() -> V,
    V: Render,
{
    type State = V::State;

    fn build(self) -> Self::State {
        self.made().build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.made().rebuild(state)
    }
}

/// An attribute added from outside is added to the view, made at once.
impl<F, V> AddAnyAttr for PauseBefore<F, V>
where
    F: FnOnce() -> V + Send,
    V: AddAnyAttr,
{
    type Output<SomeNewAttr: Attribute> =
        PauseBefore<fn() -> V::Output<SomeNewAttr>, V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        PauseBefore(Making::Made(self.made().add_any_attr(attr)))
    }
}

impl<F, V> RenderHtml for PauseBefore<F, V>
where
    F: FnOnce() -> V + Send,
    V: RenderHtml,
{
    type AsyncOutput = V::AsyncOutput;
    type Owned = V::Owned;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        let mut view = PauseBefore(std::mem::replace(&mut self.0, Making::Moving)).made();
        view.dry_resolve();
        self.0 = Making::Made(view);
    }

    async fn resolve(self) -> Self::AsyncOutput {
        self.made().resolve().await
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.made()
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.made().to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        );
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.made().hydrate::<FROM_SERVER>(cursor, position)
    }

    /// Pauses if the slice is over (module documentation), then makes the
    /// view and hydrates it where the walk stands: nothing else moves the
    /// walk's cursor meanwhile, and during the pause the server's HTML
    /// works as it does without JavaScript (`LeftToTheBrowser`).
    async fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        #[cfg(feature = "hydrate")]
        slice::pause_if_due().await;
        self.made().hydrate_async(cursor, position).await
    }

    fn into_owned(self) -> Self::Owned {
        self.made().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server draws a view with a pause as it draws the view alone:
    /// the browser's walk finds the HTML it expects.
    #[test]
    fn a_pause_adds_nothing_to_the_page() {
        Owner::new().with(|| {
            let paused =
                view! { <main><h1>"Accueil"</h1>{pause_before(|| view! { <p>"Fin"</p> })}</main> };
            let alone = view! { <main><h1>"Accueil"</h1><p>"Fin"</p></main> };
            assert_eq!(paused.to_html(), alone.to_html());
        });
    }

    /// What the view's components do as they are made (the router's
    /// set-up) waits for the view to be drawn, and so for the pause.
    #[test]
    fn the_view_is_made_when_it_is_drawn_not_before() {
        use std::sync::{
            atomic::{AtomicBool, Ordering},
            Arc,
        };
        Owner::new().with(|| {
            let made = Arc::new(AtomicBool::new(false));
            let paused = pause_before({
                let made = Arc::clone(&made);
                move || {
                    made.store(true, Ordering::SeqCst);
                    view! { <p>"Fin"</p> }
                }
            });
            assert!(!made.load(Ordering::SeqCst));
            assert_eq!(paused.to_html(), "<p>Fin</p>");
            assert!(made.load(Ordering::SeqCst));
        });
    }
}
