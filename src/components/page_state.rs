use leptos::prelude::*;

/// The state a page was given by the server handler that drew it (put in
/// the render's context), handed to the hydrating browser with the page.
/// `fallback` gives it for a plain visit, or after a navigation in the
/// browser that did not go through such a handler.
pub fn page_state<T>(fallback: impl FnOnce() -> T) -> T
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    SharedValue::new(move || {
        #[cfg(feature = "ssr")]
        {
            use_context::<T>().unwrap_or_else(fallback)
        }
        #[cfg(not(feature = "ssr"))]
        {
            fallback()
        }
    })
    .into_inner()
}
