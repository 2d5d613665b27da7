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
//!
//! A navigation in the browser (a click on a link) draws the page's first
//! part with the page, and queues the others to be drawn after the frame
//! that shows it, in slices too: the person sees the new page's heading
//! and the start of its form at once, and the parts below follow a frame
//! later, instead of the click waiting for the whole form (RAIL's budget
//! of 100 ms for an answer to input; BENCHMARKS.md, part 15, eighteenth
//! pass). An address with a fragment draws the page whole
//! (`super::busy::arrive_whole`).

use leptos::prelude::*;
use leptos::tachys::{
    html::attribute::{any_attribute::AnyAttribute, Attribute},
    hydration::Cursor,
    renderer::{
        types::{Element, Node, Placeholder},
        Rndr,
    },
    ssr::StreamBuilder,
    view::{
        add_attr::AddAnyAttr, any_view::AnyViewState, Mountable, Position, PositionState, Render,
        RenderHtml,
    },
};
use std::{cell::RefCell, rc::Rc};

/// How long a queue draws parts in one task before it lets the browser
/// in, in milliseconds of the device's own time: a tenth of the 50 ms that
/// make a long task (W3C Long Tasks API), so that a phone four times
/// slower than a laptop still stays under it. A task draws one part at
/// least, whatever it takes.
pub const SLICE_MS: f64 = 5.0;

/// A part of a page drawn by `part`, which must draw exactly one element
/// (a `<section>`, a `<form>`): on the server it is drawn at once, like
/// any view; on a first load its hydration waits for its turn; after a
/// navigation in the browser the page's first part is drawn at once and
/// the others wait for their turn after the next frame (module
/// documentation).
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

/// The DOM side of an [`InTurn`]: what stands for it while it waits for
/// its turn (the server's element, or an empty comment), then the part's
/// own state.
pub struct InTurnState(Rc<RefCell<Turn>>);

impl InTurnState {
    fn drawn(state: AnyViewState) -> Self {
        InTurnState(Rc::new(RefCell::new(Turn::Drawn(state))))
    }
}

enum Turn {
    /// Not drawn yet: `part` takes the place of `stand_in` in its turn
    /// (`None` while it does).
    Waiting {
        stand_in: StandIn,
        part: Option<InTurn>,
    },
    Drawn(AnyViewState),
}

/// What stands where a waiting part will be.
#[derive(Clone)]
enum StandIn {
    /// The element the server drew, which the part hydrates (a first load).
    Server(Element),
    /// An empty comment, where the part will be drawn anew (a navigation
    /// in the browser).
    Marker(Placeholder),
}

impl StandIn {
    fn node(&self) -> &Node {
        match self {
            StandIn::Server(element) => element,
            StandIn::Marker(marker) => marker,
        }
    }

    fn remove(&self) {
        Rndr::remove(self.node());
    }

    /// Draws `part` anew, under its owner, in place of this stand-in,
    /// which leaves the page.
    fn replace_by(&self, part: InTurn) -> AnyViewState {
        let InTurn { part, owner } = part;
        let mut drawn = owner.with(|| part().build());
        if let Some(parent) = self.node().parent_element() {
            drawn.mount(&parent, Some(self.node()));
        }
        self.remove();
        drawn
    }
}

impl Render for InTurn {
    type State = InTurnState;

    /// Draws the part at once, unless it is not the first part of a page
    /// drawn for a navigation ([`later_in_a_navigation`]): that one is
    /// queued behind an empty comment, to be drawn after the next frame.
    fn build(self) -> Self::State {
        if later_in_a_navigation() {
            let turn = Rc::new(RefCell::new(Turn::Waiting {
                stand_in: StandIn::Marker(Rndr::create_placeholder()),
                part: Some(self),
            }));
            queue::push_after_next_frame(Rc::downgrade(&turn));
            return InTurnState(turn);
        }
        InTurnState::drawn(self.draw().build())
    }

    /// Draws the part again in place. One still waiting for its turn (an
    /// answer came first) is drawn anew in place of what stands for it:
    /// the server drew the state before that answer, and the owner its
    /// hydration would have run under is gone with that state.
    fn rebuild(self, state: &mut Self::State) {
        let mut turn = state.0.borrow_mut();
        match &mut *turn {
            Turn::Waiting { stand_in, .. } => {
                let drawn = stand_in.replace_by(self);
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
            stand_in: StandIn::Server(element),
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
    /// Draws a waiting part in its turn: hydrates it against the server's
    /// element, or draws it anew in place of its marker. Nothing if it was
    /// drawn meanwhile, or if its page has been left (its owner paused,
    /// `super::dropped_after_frame`, until its state is dropped).
    fn take_over(turn: &RefCell<Turn>) {
        let (stand_in, part) = match &mut *turn.borrow_mut() {
            Turn::Waiting { stand_in, part } => match part.take_if(|part| !part.owner.paused()) {
                Some(part) => (stand_in.clone(), part),
                None => return,
            },
            Turn::Drawn(_) => return,
        };
        let drawn = match stand_in {
            StandIn::Server(element) => {
                let cursor = Cursor::new(element);
                let position = PositionState::new(Position::Current);
                let InTurn { part, owner } = part;
                let was = TAKING_OVER.replace(true);
                let drawn = owner.with(|| part().hydrate::<true>(&cursor, &position));
                TAKING_OVER.set(was);
                drawn
            }
            marker @ StandIn::Marker(_) => {
                let was = DRAWING_LATER.replace(true);
                let drawn = marker.replace_by(part);
                DRAWING_LATER.set(was);
                drawn
            }
        };
        *turn.borrow_mut() = Turn::Drawn(drawn);
    }
}

thread_local! {
    /// Set while a part made by [`in_turn`] takes over its element.
    static TAKING_OVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Set while a part queued by a navigation is drawn in its turn: it is
    /// still drawn for that navigation ([`drawn_for_a_navigation`]), though
    /// the page may no longer be busy.
    static DRAWING_LATER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The navigation (`super::busy::navigation`) whose page has drawn
    /// its first part ([`later_in_a_navigation`]).
    static FIRST_DRAWN_IN: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Whether a part about to be drawn waits for its turn after the next
/// frame: it belongs to a page drawn for a navigation in the browser
/// ([`drawn_for_a_navigation`]) that has drawn its first part already, at
/// once, with the page's heading. A page to be drawn whole
/// (`super::busy::arrives_whole`: an address with a fragment) waits for
/// nothing. `false` on the server.
fn later_in_a_navigation() -> bool {
    #[cfg(feature = "hydrate")]
    {
        use super::busy;
        if !drawn_for_a_navigation() || DRAWING_LATER.get() || busy::arrives_whole() {
            return false;
        }
        let navigation = busy::navigation();
        FIRST_DRAWN_IN.replace(Some(navigation)) == Some(navigation)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Runs `draw`, which draws a page off the document
/// (`super::rehearsal`), as a navigation of its own: its first part at
/// once, the others after the next frame ([`later_in_a_navigation`]),
/// whatever the navigation awaited or drawn last has drawn.
#[cfg(feature = "hydrate")]
pub(super) fn drawn_apart<T>(draw: impl FnOnce() -> T) -> T {
    let was = FIRST_DRAWN_IN.take();
    let drawn = draw();
    FIRST_DRAWN_IN.set(was);
    drawn
}

/// Resolves once every part queued by navigations so far (and since) is
/// drawn ([`in_turn`]): at once when none waits.
#[cfg(feature = "hydrate")]
pub(super) async fn later_parts_drawn() {
    let drawn = js_sys::Promise::new(&mut |resolve, _| {
        queue::after_later_parts(Box::new(move || {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(drawn).await;
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
/// (`super::busy`), or in a part of that page drawn after its heading
/// ([`in_turn`]); or drawn off the document as a click would draw it
/// (`super::rehearsal`). Its fields hold only what they are drawn with, unlike
/// those of a page drawn again in place by an answer, which keep what was
/// typed in them. `false` on the server.
pub fn drawn_for_a_navigation() -> bool {
    #[cfg(feature = "hydrate")]
    {
        DRAWING_LATER.get()
            || (!hydrating() && (super::busy::is_busy() || super::rehearsal::rehearsing()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

impl Mountable for InTurnState {
    fn unmount(&mut self) {
        match &mut *self.0.borrow_mut() {
            Turn::Waiting { stand_in, .. } => stand_in.remove(),
            Turn::Drawn(drawn) => drawn.unmount(),
        }
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        match &mut *self.0.borrow_mut() {
            Turn::Waiting { stand_in, .. } => {
                let _ = parent.insert_before(stand_in.node(), marker);
            }
            Turn::Drawn(drawn) => drawn.mount(parent, marker),
        }
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        match &*self.0.borrow() {
            Turn::Waiting { stand_in, .. } => match stand_in.node().parent_element() {
                Some(parent) => {
                    child.mount(&parent, Some(stand_in.node()));
                    true
                }
                None => false,
            },
            Turn::Drawn(drawn) => drawn.insert_before_this(child),
        }
    }

    fn elements(&self) -> Vec<Element> {
        match &*self.0.borrow() {
            Turn::Waiting {
                stand_in: StandIn::Server(element),
                ..
            } => vec![element.clone()],
            Turn::Waiting {
                stand_in: StandIn::Marker(_),
                ..
            } => Vec::new(),
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

    type Queue = RefCell<VecDeque<Weak<RefCell<Turn>>>>;

    thread_local! {
        /// The first load's parts, hydrated in their turn.
        static WAITING: Queue = const { RefCell::new(VecDeque::new()) };
        static SCHEDULED: Cell<bool> = const { Cell::new(false) };
        static WHEN_DONE: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
        /// The parts of pages drawn for navigations, drawn after a frame.
        static LATER: Queue = const { RefCell::new(VecDeque::new()) };
        static LATER_SCHEDULED: Cell<bool> = const { Cell::new(false) };
        static WHEN_LATER_DONE: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
    }

    /// Queues a part of the first load: the queue runs in the next task.
    pub(super) fn push(turn: Weak<RefCell<Turn>>) {
        WAITING.with_borrow_mut(|waiting| waiting.push_back(turn));
        if !SCHEDULED.replace(true) {
            next_task(run);
        }
    }

    /// Queues a part of a page drawn for a navigation: its queue, apart
    /// from the first load's, runs after the next frame, the one that
    /// shows the page's heading.
    pub(super) fn push_after_next_frame(turn: Weak<RefCell<Turn>>) {
        LATER.with_borrow_mut(|later| later.push_back(turn));
        if !LATER_SCHEDULED.replace(true) {
            super::after_next_frame(run_later);
        }
    }

    /// Hydrates the first load's waiting parts for [`SLICE_MS`], then
    /// yields to the browser (a new task) if some are left; once none is,
    /// runs what waited for them ([`super::when_all_hydrated`]).
    fn run() {
        if run_slice(&WAITING) {
            next_task(run);
            return;
        }
        SCHEDULED.set(false);
        for done in WHEN_DONE.take() {
            done();
        }
    }

    /// Draws the navigations' parts for [`SLICE_MS`], then yields to the
    /// browser if some are left; once none is, runs what waited for them
    /// ([`after_later_parts`]).
    fn run_later() {
        if run_slice(&LATER) {
            next_task(run_later);
            return;
        }
        LATER_SCHEDULED.set(false);
        for done in WHEN_LATER_DONE.take() {
            done();
        }
    }

    /// Runs `done` once the navigations' parts are all drawn, at once if
    /// none waits.
    pub(super) fn after_later_parts(done: Box<dyn FnOnce()>) {
        if LATER_SCHEDULED.get() {
            WHEN_LATER_DONE.with_borrow_mut(|waiting| waiting.push(done));
        } else {
            done();
        }
    }

    /// Draws parts of `queue` in order for [`SLICE_MS`] (one at least):
    /// whether some are left. A part gone meanwhile (its page left, its
    /// state dropped) is skipped.
    fn run_slice(queue: &'static std::thread::LocalKey<Queue>) -> bool {
        let start = now();
        loop {
            let Some(turn) = queue.with_borrow_mut(VecDeque::pop_front) else {
                return false;
            };
            if let Some(turn) = turn.upgrade() {
                Turn::take_over(&turn);
            }
            if now() - start >= SLICE_MS {
                return queue.with_borrow(|queue| !queue.is_empty());
            }
        }
    }

    /// Hydrates every part of the first load still waiting, now, in
    /// order. A navigation's parts stay queued: drawn again in place, a
    /// part waiting for its turn is drawn anew (`InTurn`'s `rebuild`).
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

    pub(super) fn push_after_next_frame(turn: Weak<RefCell<Turn>>) {
        push(turn);
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

/// Hydrates at once every part of the first load still waiting for its
/// turn: called before a page is drawn again in place (an action's
/// answer), so that the parts are drawn again as hydrated views, in place,
/// what was typed in them kept, rather than drawn anew over the server's
/// elements ([`InTurn`]'s `rebuild`). A part of a page drawn for a
/// navigation, still waiting, holds nothing typed: it is drawn anew.
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
