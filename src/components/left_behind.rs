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

/// `view`, drawn as it is (the wrapper adds no markup, on the server or in
/// the browser), whose state, once the view is replaced, is dropped after
/// the browser's next frame rather than in the task that replaced it (in a
/// hidden tab, which draws no frame, in a later task). Its nodes leave the
/// document at once, as any view's do: only letting go of them waits.
pub fn dropped_after_frame(view: impl IntoView + 'static) -> DroppedAfterFrame {
    DroppedAfterFrame(view.into_any())
}

/// A view whose state is dropped after a frame ([`dropped_after_frame`]).
pub struct DroppedAfterFrame(AnyView);

/// The state of a [`DroppedAfterFrame`]: the view's own, until it is
/// dropped.
pub struct DroppedAfterFrameState(Option<AnyViewState>);

impl Drop for DroppedAfterFrameState {
    fn drop(&mut self) {
        let state = self.0.take();
        #[cfg(feature = "hydrate")]
        after_next_frame(move || drop(state));
        #[cfg(not(feature = "hydrate"))]
        drop(state);
    }
}

/// Runs `task` in a task of its own after the browser's next frame (a
/// zero-delay timeout queued from the frame's callback, so that the frame
/// is not held up by it), or in a later task at once if the page is
/// hidden, as a hidden page draws no frame.
#[cfg(feature = "hydrate")]
pub(super) fn after_next_frame(task: impl FnOnce() + 'static) {
    let zero = std::time::Duration::ZERO;
    if document().hidden() {
        set_timeout(task, zero);
    } else {
        request_animation_frame(move || set_timeout(task, zero));
    }
}

impl DroppedAfterFrameState {
    fn state(&self) -> &AnyViewState {
        self.0.as_ref().expect("a state is taken only when dropped")
    }

    fn state_mut(&mut self) -> &mut AnyViewState {
        self.0.as_mut().expect("a state is taken only when dropped")
    }
}

impl Render for DroppedAfterFrame {
    type State = DroppedAfterFrameState;

    fn build(self) -> Self::State {
        DroppedAfterFrameState(Some(self.0.build()))
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state.state_mut())
    }
}

impl AddAnyAttr for DroppedAfterFrame {
    type Output<SomeNewAttr: Attribute> = DroppedAfterFrame;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        DroppedAfterFrame(self.0.add_any_attr(attr).into_any())
    }
}

impl RenderHtml for DroppedAfterFrame {
    type AsyncOutput = DroppedAfterFrame;
    type Owned = DroppedAfterFrame;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        DroppedAfterFrame(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
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
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
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
        DroppedAfterFrameState(Some(self.0.hydrate::<FROM_SERVER>(cursor, position)))
    }

    async fn hydrate_async(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        DroppedAfterFrameState(Some(self.0.hydrate_async(cursor, position).await))
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
