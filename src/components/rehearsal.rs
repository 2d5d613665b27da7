//! A page drawn once off the document while the browser is idle
//! ([`rehearse`]), so that the first click on a link to it finds its code
//! ready to run.
//!
//! V8 compiles each Wasm function the first time it is called, on the main
//! thread (`wasm.CompileLazy`), and a page has no way to ask for that
//! sooner (BENCHMARKS.md, part 15, ninth pass). So the first click on
//! "Créer votre compte" paid for compiling every function the signup page
//! is drawn with: four to seven times what the same click cost the second
//! time (eighteenth pass). A rehearsal calls those functions once, while
//! the person reads the first page; RAIL counts such idle time as the
//! place for work that makes later answers fast (web.dev, "Measure
//! performance with the RAIL model").
//!
//! A rehearsal draws the page as a click would (its first part at once,
//! the others after a frame, in slices: `super::in_turn`), but never puts
//! it in the document. Its nodes are built and never mounted: nothing of
//! it is seen, laid out, focused or announced, and its `<Title>` and
//! `<Meta>` never reach the head (leptos_meta pushes them on mount, not on
//! build; so a page gives its `<Title>` at the top of its view, never
//! inside an element, whose children are mounted into it as it is
//! built). A component that would load something as it is drawn (the
//! captcha's image, which makes the server draw a challenge) asks
//! [`rehearsing`] first and leaves it out. Only pages that ask the server
//! nothing as they are drawn are rehearsed (`app::REHEARSED_ROUTES`).

use leptos::prelude::*;

/// In the context of a rehearsal's owner and of everything under it.
#[derive(Clone, Copy)]
struct Rehearsal;

#[cfg(feature = "hydrate")]
thread_local! {
    /// The owner rehearsals are drawn under ([`set_rehearsal_stage`]).
    static STAGE: std::cell::RefCell<Option<Owner>> = const { std::cell::RefCell::new(None) };
    /// The owner of the rehearsal under way, if any ([`stop_rehearsal`]).
    static UNDER_WAY: std::cell::RefCell<Option<Owner>> = const { std::cell::RefCell::new(None) };
}

/// Stops the rehearsal under way, if any: its parts still waiting for
/// their turn are skipped (`super::in_turn` skips a part whose owner is
/// paused), so that a navigation's own parts do not wait behind them.
/// Called as a navigation begins (`super::busy::begin`).
#[cfg(feature = "hydrate")]
pub fn stop_rehearsal() {
    UNDER_WAY.with_borrow(|owner| {
        if let Some(owner) = owner {
            owner.pause();
        }
    });
}

/// Keeps the reactive owner current now as the one rehearsals are drawn
/// under: call it once inside the router, where the pages find the
/// contexts they are made with (the router's, the language). Draws
/// nothing.
pub fn set_rehearsal_stage() {
    #[cfg(feature = "hydrate")]
    STAGE.set(Owner::current());
}

/// Whether the view being made now is made for a rehearsal ([`rehearse`]),
/// never to be seen. `false` on the server and for every page a person
/// sees.
pub fn rehearsing() -> bool {
    use_context::<Rehearsal>().is_some()
}

/// Resolves once the reactive owner current now is cleaned up: for a view
/// made for a rehearsal ([`rehearsing`]), once the rehearsal is over.
/// Its sender, kept by that owner, is dropped with it (never without an
/// owner).
pub fn until_rehearsal_ends() -> impl std::future::Future<Output = ()> + Send {
    #[cfg(feature = "hydrate")]
    {
        debug_assert!(
            Owner::current().is_some(),
            "a rehearsal's view has an owner"
        );
        let (sender, ended) = futures::channel::oneshot::channel::<()>();
        StoredValue::new(sender);
        async move {
            let _ = ended.await;
        }
    }
    #[cfg(not(feature = "hydrate"))]
    std::future::pending()
}

/// Makes the view `make` resolves to (a route's view, its chunk already
/// here), draws it off the document under a reactive owner of its own,
/// below the stage ([`set_rehearsal_stage`]), and lets it go once its
/// parts drawn after a frame are drawn too (`super::in_turn`); resolves
/// then, to whether it drew the page. Draws nothing (`false`) before the
/// stage is set, while the first page still hydrates (a rehearsal's
/// `SharedValue` and `Resource` would take the ids the hydration matches
/// the server's values by), nor while a navigation is awaited
/// (`super::busy`): the click is drawing a page of its own. A navigation
/// that begins during a rehearsal stops it ([`stop_rehearsal`]).
///
/// What the page's components do as they are made and drawn happens, but
/// off the document: their effects run once, on nodes no one sees; the
/// connected frame they draw or forget (`super::LastFrame`) is a copy of
/// the rehearsal's own; a page whose data the server loads asks for none
/// and stays "loading" (`super::loaded_page`, [`until_rehearsal_ends`]).
#[cfg(feature = "hydrate")]
pub async fn rehearse(
    make: Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = AnyView>>>>,
) -> bool {
    let Some(stage) = STAGE.with_borrow(Clone::clone) else {
        return false;
    };
    if super::busy::is_busy() || stage.with(super::hydrating) {
        return false;
    }
    let owner = stage.child();
    UNDER_WAY.set(Some(owner.clone()));
    let made = owner
        .with(|| {
            provide_context(Rehearsal);
            super::LastFrame::provide_copy();
            leptos::reactive::computed::ScopedFuture::new(make())
        })
        .await;
    // A navigation begun meanwhile has paused it ([`stop_rehearsal`]).
    let drawn = !owner.paused() && !super::busy::is_busy();
    if drawn {
        let state = super::in_turn::drawn_apart(|| owner.with(|| made.build()));
        super::in_turn::later_parts_drawn().await;
        drop(state);
    }
    UNDER_WAY.set(None);
    if drawn {
        // Let go of as a page left behind is (`super::dropped_after_frame`):
        // its state after the next frame, its owner after that.
        super::after_next_frame(move || owner.cleanup());
    } else {
        owner.cleanup();
    }
    drawn
}
