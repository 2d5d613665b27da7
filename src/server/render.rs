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

/// Logs an unexpected failure with a reference and answers with a generic,
/// translated page that shows only that reference.
pub async fn unavailable(state: &AppState, headers: &HeaderMap, error: anyhow::Error) -> Response {
    use axum::response::{Html, IntoResponse};
    let reference = crate::server::telemetry::report(&error, "request");
    let lang = super::language::of_headers(headers, state.config.default_lang);
    let title = html_escape::encode_text(&lang.t("errors.unavailable_title")).into_owned();
    let text = html_escape::encode_text(&lang.t("errors.unavailable_text")).into_owned();
    let reference_line =
        html_escape::encode_text(&lang.t_with("errors.reference", &[("reference", &reference)]))
            .into_owned();
    let home = html_escape::encode_text(&lang.t("not_found.home")).into_owned();
    let body = format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Sésame</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main id=\"contenu\"><h1>{title}</h1><p>{text}</p><p>{reference_line}</p>\
         <p><a href=\"/\">{home}</a></p></main></body></html>",
        code = lang.code(),
        css = crate::server::assets::stylesheet_href(&state.leptos_options),
    );
    (StatusCode::SERVICE_UNAVAILABLE, Html(body)).into_response()
}
