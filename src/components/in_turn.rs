//! Parts of a page that take over their server-drawn HTML in turn, each in
//! a browser task of its own, after the page around them ([`in_turn`]).
//!
//! Leptos hydrates a route in one synchronous walk of its view. On a
//! page of many forms ("Mon compte": ten) that walk is one long task: the
//! browser can answer no tap, and paint nothing, until it ends (Lighthouse's
//! Total Blocking Time counts every task past 50 ms; RAIL's budget for an
//! answer to input is 100 ms). A part drawn with [`in_turn`] is skipped by
//! that walk: its element stays as the server drew it (its forms post
//! without JavaScript, what is typed in it stays), and a queue hydrates the
//! parts in document order, as many per task as fit in [`SLICE_MS`], the
//! browser free to handle input between two tasks.

use leptos::prelude::*;
use leptos::tachys::{
    html::attribute::{any_attribute::AnyAttribute, Attribute},
    hydration::Cursor,
    renderer::types::{Element, Node},
    ssr::StreamBuilder,
    view::{
        add_attr::AddAnyAttr, any_view::AnyViewState, Mountable, Position, PositionState, Render,
        RenderHtml,
    },
};
use std::{cell::RefCell, rc::Rc};

/// How long the queue hydrates parts in one task before it lets the
/// browser in, in milliseconds of the device's own time: a tenth of the
/// 50 ms that make a long task (W3C Long Tasks API), so that a phone four
/// times slower than a laptop still stays under it.
pub const SLICE_MS: f64 = 5.0;

/// A part of a page drawn by `part`, which must draw exactly one element
/// (a `<section>`, a `<form>`): on the server and after a navigation in
/// the browser it is drawn at once, like any view; on a first load its
/// hydration waits for its turn (module documentation).
///
/// `part` runs under the reactive owner of the code that calls
/// `in_turn`, so its contexts are that code's. It runs later in the
/// browser than on the server, after Leptos has ended the hydration, so it
/// must not create what hydration matches by order of creation
/// (`Resource`, `SharedValue`), nor `<Title>` and `<Meta>`. A component
/// in it that must know whether it takes over the server's HTML (as
/// `CaptchaField` does, so as not to clear what was typed) asks
/// [`hydrating`], not Leptos's `SharedContext::during_hydration`, which
/// has ended by then.
pub fn in_turn<V: IntoView + 'static>(part: impl FnOnce() -> V + Send + 'static) -> InTurn {
    InTurn {
        part: Box::new(move || part().into_any()),
        owner: Owner::current().unwrap_or_default(),
    }
}

/// A part of a page hydrated in its turn ([`in_turn`]).
pub struct InTurn {
    part: Box<dyn FnOnce() -> AnyView + Send>,
    owner: Owner,
}

impl InTurn {
    fn draw(self) -> AnyView {
        let InTurn { part, owner } = self;
        owner.with(part)
    }
}

/// The DOM side of an [`InTurn`]: the server's element while it waits for
/// its turn, then the part's own state.
pub struct InTurnState(Rc<RefCell<Turn>>);

impl InTurnState {
    fn drawn(state: AnyViewState) -> Self {
        InTurnState(Rc::new(RefCell::new(Turn::Drawn(state))))
    }
}

enum Turn {
    /// Drawn by the server; `part` hydrates it in its turn (`None` while it
    /// does).
    Waiting {
        element: Element,
        part: Option<InTurn>,
    },
    Drawn(AnyViewState),
}

impl Render for InTurn {
    type State = InTurnState;

    fn build(self) -> Self::State {
        InTurnState::drawn(self.draw().build())
    }

    /// Draws the part again in place. One still waiting for its turn (an
    /// answer came first) is drawn anew in place of the server's element:
    /// the server drew the state before that answer, and the owner its
    /// hydration would have run under is gone with that state.
    fn rebuild(self, state: &mut Self::State) {
        let mut turn = state.0.borrow_mut();
        match &mut *turn {
            Turn::Waiting { element, .. } => {
                let mut drawn = self.draw().build();
                if let Some(parent) = element.parent_element() {
                    drawn.mount(&parent, Some(element));
                }
                element.remove();
                *turn = Turn::Drawn(drawn);
            }
            Turn::Drawn(drawn) => self.draw().rebuild(drawn),
        }
    }
}

impl AddAnyAttr for InTurn {
    type Output<SomeNewAttr: Attribute> = InTurn;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        let InTurn { part, owner } = self;
        let attr = attr.into_cloneable_owned();
        InTurn {
            part: Box::new(move || part().add_any_attr(attr).into_any()),
            owner,
        }
    }
}

impl RenderHtml for InTurn {
    type AsyncOutput = AnyView;
    type Owned = Self;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self::AsyncOutput {
        self.draw().resolve().await
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.draw()
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
        self.draw().to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        );
    }

    /// Takes the part's element where the walk stands (as an element's own
    /// hydration does), leaves the walk after it, and queues the part.
    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        if !FROM_SERVER {
            return InTurnState::drawn(self.draw().hydrate::<FROM_SERVER>(cursor, position));
        }
        match position.get() {
            Position::FirstChild => cursor.child(),
            Position::Current => {}
            _ => cursor.sibling(),
        }
        let node = cursor.current();
        position.set(Position::NextChild);
        let Ok(element) = wasm_bindgen::JsCast::dyn_into::<Element>(node) else {
            // Not the element the server drew (a bug of the page): hydrating
            // here makes Leptos say where.
            let here = PositionState::new(Position::Current);
            return InTurnState::drawn(self.draw().hydrate::<FROM_SERVER>(cursor, &here));
        };
        let turn = Rc::new(RefCell::new(Turn::Waiting {
            element,
            part: Some(self),
        }));
        queue::push(Rc::downgrade(&turn));
        InTurnState(turn)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}

impl Turn {
    /// Hydrates a waiting part against its element (in the browser, in
    /// its turn); nothing if it was drawn meanwhile.
    fn take_over(turn: &RefCell<Turn>) {
        let (element, part) = match &mut *turn.borrow_mut() {
            Turn::Waiting { element, part } => match part.take() {
                Some(part) => (element.clone(), part),
                None => return,
            },
            Turn::Drawn(_) => return,
        };
        let cursor = Cursor::new(element);
        let position = PositionState::new(Position::Current);
        let InTurn { part, owner } = part;
        let was = TAKING_OVER.replace(true);
        let drawn = owner.with(|| part().hydrate::<true>(&cursor, &position));
        TAKING_OVER.set(was);
        *turn.borrow_mut() = Turn::Drawn(drawn);
    }
}

thread_local! {
    /// Set while a part made by [`in_turn`] takes over its element.
    static TAKING_OVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the view being made now takes over HTML the server drew: in
/// Leptos's hydration walk of the page, or in a part's own turn
/// ([`in_turn`]). `false` on the server and for a view drawn anew in the
/// browser (after a navigation, or drawn again in place by an answer).
pub fn hydrating() -> bool {
    TAKING_OVER.get()
        || Owner::current_shared_context().is_some_and(|shared| shared.during_hydration())
}

/// Whether the view being made now is drawn anew for a navigation in the
/// browser (a click on a link, Back): not taking over the server's HTML
/// ([`hydrating`]), and made while the page left behind waits for it
/// (`super::busy`). Its fields hold only what they are drawn with, unlike
/// those of a page drawn again in place by an answer, which keep what was
/// typed in them. `false` on the server.
pub fn drawn_for_a_navigation() -> bool {
    #[cfg(feature = "hydrate")]
    {
        !hydrating() && super::busy::is_busy()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

impl Mountable for InTurnState {
    fn unmount(&mut self) {
        match &mut *self.0.borrow_mut() {
            Turn::Waiting { element, .. } => element.remove(),
            Turn::Drawn(drawn) => drawn.unmount(),
        }
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        match &mut *self.0.borrow_mut() {
            Turn::Waiting { element, .. } => {
                let _ = parent.insert_before(element, marker);
            }
            Turn::Drawn(drawn) => drawn.mount(parent, marker),
        }
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        match &*self.0.borrow() {
            Turn::Waiting { element, .. } => match element.parent_element() {
                Some(parent) => {
                    child.mount(&parent, Some(element));
                    true
                }
                None => false,
            },
            Turn::Drawn(drawn) => drawn.insert_before_this(child),
        }
    }

    fn elements(&self) -> Vec<Element> {
        match &*self.0.borrow() {
            Turn::Waiting { element, .. } => vec![element.clone()],
            Turn::Drawn(drawn) => drawn.elements(),
        }
    }
}

/// The parts waiting for their turn, in document order, and what waits
/// for them all ([`when_all_hydrated`]). Only a browser queues parts.
#[cfg(feature = "hydrate")]
mod queue {
    use super::{now, Turn, SLICE_MS};
    use std::{
        cell::{Cell, RefCell},
        collections::VecDeque,
        rc::Weak,
    };

    thread_local! {
        static WAITING: RefCell<VecDeque<Weak<RefCell<Turn>>>> = const { RefCell::new(VecDeque::new()) };
        static SCHEDULED: Cell<bool> = const { Cell::new(false) };
        static WHEN_DONE: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn push(turn: Weak<RefCell<Turn>>) {
        WAITING.with_borrow_mut(|waiting| waiting.push_back(turn));
        if !SCHEDULED.replace(true) {
            next_task(run);
        }
    }

    /// Hydrates waiting parts for [`SLICE_MS`], then yields to the browser
    /// (a new task) if some are left. A part gone meanwhile (the person
    /// left the page) is dropped.
    fn run() {
        let start = now();
        loop {
            let Some(turn) = WAITING.with_borrow_mut(VecDeque::pop_front) else {
                SCHEDULED.set(false);
                for done in WHEN_DONE.take() {
                    done();
                }
                return;
            };
            if let Some(turn) = turn.upgrade() {
                Turn::take_over(&turn);
            }
            if now() - start >= SLICE_MS {
                next_task(run);
                return;
            }
        }
    }

    /// Hydrates every waiting part now, in order.
    pub(super) fn take_over_all() {
        while let Some(turn) = WAITING.with_borrow_mut(VecDeque::pop_front) {
            if let Some(turn) = turn.upgrade() {
                Turn::take_over(&turn);
            }
        }
    }

    pub(super) fn when_done(done: Box<dyn FnOnce()>) {
        if SCHEDULED.get() {
            WHEN_DONE.with_borrow_mut(|waiting| waiting.push(done));
        } else {
            done();
        }
    }

    /// Runs `task` in a task of its own, after what the browser has queued
    /// (input first).
    fn next_task(task: fn()) {
        leptos::prelude::set_timeout(task, std::time::Duration::ZERO);
    }
}

/// Milliseconds since the document began (`performance.now()`, monotonic):
/// what the parts' queue and the shell's pauses (`super::pause`) time their
/// slices with.
#[cfg(feature = "hydrate")]
pub(super) fn now() -> f64 {
    leptos::prelude::window()
        .performance()
        .map_or(0.0, |performance| performance.now())
}

/// Without a browser (the server's tests), a part takes over at once.
#[cfg(not(feature = "hydrate"))]
mod queue {
    use super::Turn;
    use std::{cell::RefCell, rc::Weak};

    pub(super) fn push(turn: Weak<RefCell<Turn>>) {
        if let Some(turn) = turn.upgrade() {
            Turn::take_over(&turn);
        }
    }
}

/// Resolves in a later task of the browser's event loop (a zero-delay
/// timeout, after what the browser has queued, input first): the work
/// awaited after it is not part of the task that was running. A page's
/// hydration then stays one short task, and what the page starts once
/// hydrated (a request, a prompt) runs in tasks of their own; Total
/// Blocking Time counts each task's time past 50 ms (web.dev, "Total
/// Blocking Time").
#[cfg(feature = "hydrate")]
pub async fn in_a_later_task() {
    after_ms(0).await;
}

/// Resolves in a task of the browser's event loop at least `ms`
/// milliseconds from now (`setTimeout`; a hidden tab may wait longer).
#[cfg(feature = "hydrate")]
pub async fn after_ms(ms: i32) {
    let later = js_sys::Promise::new(&mut |resolve, _| {
        let _ = leptos::prelude::window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(later).await;
}

/// Runs `task` in a task of its own after the browser's next frame (a
/// zero-delay timeout queued from the frame's callback, so that the frame
/// is not held up by it), or in a later task at once if the page is hidden
/// when this is called, as a hidden page draws no frame: what a click
/// needs done, but not before the person sees its page.
#[cfg(feature = "hydrate")]
pub fn after_next_frame(task: impl FnOnce() + 'static) {
    let zero = std::time::Duration::ZERO;
    if leptos::prelude::document().hidden() {
        set_timeout(task, zero);
    } else {
        request_animation_frame(move || set_timeout(task, zero));
    }
}

/// Hydrates at once every part still waiting for its turn: called before
/// a page is drawn again in place (an action's answer), so that the parts
/// are drawn again as hydrated views, in place, what was typed in them
/// kept, rather than drawn anew over the server's elements
/// ([`InTurn`]'s `rebuild`).
pub fn take_over_waiting_parts() {
    #[cfg(feature = "hydrate")]
    queue::take_over_all();
}

/// Runs `done` once every part of the first load has hydrated in its turn
/// (at once when none waits): the page is then the app's whole.
#[cfg(feature = "hydrate")]
pub fn when_all_hydrated(done: impl FnOnce() + 'static) {
    queue::when_done(Box::new(done));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> impl IntoView {
        view! { <section class="block"><h2>"Langue"</h2><p>"Français"</p></section> }
    }

    /// The server draws a part as it draws its view: the browser finds
    /// the element it waits to take over where the page expects it.
    #[test]
    fn a_part_is_drawn_by_the_server_as_its_view_is() {
        Owner::new().with(|| {
            let in_turns =
                view! { <main><h1>"Mon compte"</h1>{in_turn(section)}<p>"Fin"</p></main> };
            let at_once = view! { <main><h1>"Mon compte"</h1>{section()}<p>"Fin"</p></main> };
            assert_eq!(in_turns.to_html(), at_once.to_html());
        });
    }
}
