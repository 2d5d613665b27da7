//! A page left behind by a navigation in the browser: taken off the screen
//! at once, its state dropped only after the next page's first frame
//! ([`dropped_after_frame`]).
//!
//! When a click changes the route, Leptos builds the next page, takes the
//! last one out of the document, and drops that one's state, all in the
//! click's task: the browser paints nothing until the task ends. Dropping a
//! page's state lets go of each of its DOM nodes, listeners and effects one
//! by one, most of them calls across the Wasm–JavaScript boundary: 18 to
//! 20 ms of a signup click on a CPU four times slower (BENCHMARKS.md, part
//! 15, fourteenth pass), for nothing the person sees. RAIL's budget for an
//! answer to input is 100 ms (web.dev, "Measure performance with the RAIL
//! model").

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
use std::any::TypeId;

/// `view`, drawn as it is (the wrapper adds no markup, on the server or in
/// the browser), whose state, once the view is replaced, is dropped after
/// the browser's next frame rather than in the task that replaced it (in a
/// hidden tab, which draws no frame, in a later task). Its nodes leave the
/// document at once, as any view's do, and its effects stop at once (those
/// under the reactive owner current here, paused: `Owner::pause`), so that
/// nothing of the page left behind reacts meanwhile to a signal its owner
/// has disposed; only letting go of it waits. Call it under the owner of
/// the page alone (a route's view), not one the next page shares.
pub fn dropped_after_frame(view: impl IntoView + 'static) -> DroppedAfterFrame {
    DroppedAfterFrame {
        view: view.into_any(),
        owner: Owner::current(),
    }
}

/// A view whose state is dropped after a frame ([`dropped_after_frame`]).
pub struct DroppedAfterFrame {
    view: AnyView,
    owner: Option<Owner>,
}

/// The state of a [`DroppedAfterFrame`]: the view's own (until it is
/// dropped), the type it was drawn from, and the owner of its effects.
pub struct DroppedAfterFrameState {
    state: Option<AnyViewState>,
    type_id: TypeId,
    owner: Option<Owner>,
}

impl Drop for DroppedAfterFrameState {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            let_go(self.owner.take(), state);
        }
    }
}

/// Stops the effects under `owner` now, and drops `state` after the next
/// frame, then `owner` (module documentation): held until then, the owner
/// runs its clean-ups (signals disposed, listeners removed) after the frame
/// too, rather than in the click's task, and none of its effects runs
/// meanwhile.
fn let_go(owner: Option<Owner>, state: AnyViewState) {
    if let Some(owner) = &owner {
        owner.pause();
    }
    let let_go_of = move || {
        drop(state);
        drop(owner);
    };
    #[cfg(feature = "hydrate")]
    super::after_next_frame(let_go_of);
    #[cfg(not(feature = "hydrate"))]
    let_go_of();
}

impl DroppedAfterFrameState {
    /// The state of a view of type `type_id` drawn as `state` (built or
    /// hydrated) under `owner`.
    fn new(type_id: TypeId, owner: Option<Owner>, state: AnyViewState) -> Self {
        DroppedAfterFrameState {
            state: Some(state),
            type_id,
            owner,
        }
    }

    fn state(&self) -> &AnyViewState {
        self.state
            .as_ref()
            .expect("a state is taken only when dropped")
    }

    fn state_mut(&mut self) -> &mut AnyViewState {
        self.state
            .as_mut()
            .expect("a state is taken only when dropped")
    }
}

impl Render for DroppedAfterFrame {
    type State = DroppedAfterFrameState;

    fn build(self) -> Self::State {
        let DroppedAfterFrame { view, owner } = self;
        DroppedAfterFrameState::new(view.as_type_id(), owner, view.build())
    }

    /// The same view is drawn again in place. Another one (another page
    /// under the same wrapper) is built, put where the last one stood, and
    /// the last one taken off the document and let go of as when dropped.
    fn rebuild(self, state: &mut Self::State) {
        let DroppedAfterFrame { view, owner } = self;
        // Drawn under another owner (another address of the same route),
        // the view now lives under that one.
        let left_owner = std::mem::replace(&mut state.owner, owner);
        let left_owner = left_owner.filter(|left| state.owner.as_ref() != Some(left));
        if view.as_type_id() == state.type_id {
            return view.rebuild(state.state_mut());
        }
        state.type_id = view.as_type_id();
        let mut drawn = view.build();
        let left = state.state_mut();
        left.insert_before_this(&mut drawn);
        left.unmount();
        let left = std::mem::replace(left, drawn);
        let_go(left_owner, left);
    }
}

impl AddAnyAttr for DroppedAfterFrame {
    type Output<SomeNewAttr: Attribute> = DroppedAfterFrame;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        DroppedAfterFrame {
            view: self.view.add_any_attr(attr).into_any(),
            owner: self.owner,
        }
    }
}

impl RenderHtml for DroppedAfterFrame {
    type AsyncOutput = DroppedAfterFrame;
    type Owned = DroppedAfterFrame;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {
        self.view.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        DroppedAfterFrame {
            view: self.view.resolve().await,
            owner: self.owner,
        }
    }

    fn html_len(&self) -> usize {
        self.view.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.view
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
        self.view.to_html_async_with_buf::<OUT_OF_ORDER>(
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
        let DroppedAfterFrame { view, owner } = self;
        let type_id = view.as_type_id();
        DroppedAfterFrameState::new(
            type_id,
            owner,
            view.hydrate::<FROM_SERVER>(cursor, position),
        )
    }

    async fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        let DroppedAfterFrame { view, owner } = self;
        let type_id = view.as_type_id();
        DroppedAfterFrameState::new(type_id, owner, view.hydrate_async(cursor, position).await)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}

impl Mountable for DroppedAfterFrameState {
    fn unmount(&mut self) {
        self.state_mut().unmount();
    }

    fn mount(&mut self, parent: &Element, marker: Option<&Node>) {
        self.state_mut().mount(parent, marker);
    }

    fn try_mount(&mut self, parent: &Element, marker: Option<&Node>) -> bool {
        self.state_mut().try_mount(parent, marker)
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        self.state().insert_before_this(child)
    }

    fn elements(&self) -> Vec<Element> {
        self.state().elements()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server draws the wrapped view as it draws the view alone: the
    /// browser's walk finds the HTML it expects.
    #[test]
    fn the_wrapper_adds_nothing_to_the_page() {
        Owner::new().with(|| {
            let wrapped =
                view! { <main>{dropped_after_frame(view! { <h1>"Accueil"</h1> })}</main> };
            let alone = view! { <main><h1>"Accueil"</h1></main> };
            assert_eq!(wrapped.to_html(), alone.to_html());
        });
    }
}
