//! Rendering a page in answer to a form post: the page is drawn with a value
//! in its context (what the post produced), exactly as a visit would draw it.

use super::AppState;
use crate::app::shell;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::Response;
use leptos::prelude::provide_context;

pub async fn page_with<T>(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    status: StatusCode,
    page_state: T,
) -> Response
where
    T: Clone + Send + Sync + 'static,
{
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(context_state.clone());
            provide_context(page_state.clone());
        },
        move || shell(options.clone()),
    );
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let mut response = handler(request).await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}
