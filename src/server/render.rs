//! Rendering a page in answer to a form post: the page is drawn with a value
//! in its context (what the post produced), exactly as a visit would draw it.
//!
//! These pages are rendered whole before the first byte is sent
//! (`render_app_async`): any part of a page under `<Suspense>` or
//! `<Transition>` would otherwise stream out of order, inside a
//! `<template>` that only a script moves into place, and a browser without
//! JavaScript would show the loading message for ever. (The pages with
//! data draw their first load from this value, without `<Transition>`:
//! `components::loaded_page`.)

use super::document::{shell, with_chunk_preloads, LazyFunctionsRan};
use super::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, Uri};
use axum::response::Response;
use leptos::prelude::provide_context;

/// Draws the app at `uri` with `page_state` in its context (the page reads
/// it instead of loading its own data), answered with `status` when the
/// render itself succeeded. The whole document is rendered before it is
/// sent, so it reads the same with JavaScript off.
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
    let app = state.app;
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            provide_context(page_state.clone());
        },
        move || shell(options.clone(), app),
    );
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    let ran = LazyFunctionsRan::default();
    request.extensions_mut().insert(ran.clone());
    let mut response = with_chunk_preloads(&state.bundle, &ran, handler(request).await);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// Logs an unexpected failure with a reference and answers with a generic,
/// translated page that shows only that reference.
pub async fn unavailable(state: &AppState, headers: &HeaderMap, error: anyhow::Error) -> Response {
    let reference = crate::error::report(&error, "request");
    let lang = super::language::of_headers(headers, state.config.default_lang);
    let reference_line = lang.t_with("errors.reference", &[("reference", reference.as_str())]);
    plain_page(
        state,
        headers,
        StatusCode::SERVICE_UNAVAILABLE,
        "errors.unavailable_title",
        &[&lang.t("errors.unavailable_text"), &reference_line],
        "/",
    )
}

/// A page drawn without Leptos (when the app cannot or must not render): a
/// translated title, paragraphs already written, and a way back to `back`.
pub fn plain_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    title_key: &str,
    paragraphs: &[&str],
    back: &str,
) -> Response {
    use axum::response::{Html, IntoResponse};
    use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
    let lang = super::language::of_headers(headers, state.config.default_lang);
    let title = lang.t(title_key);
    let paragraphs: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", text(p)))
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Sésame</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main id=\"contenu\"><h1>{title}</h1>{paragraphs}\
         <p><a href=\"{back}\">{home}</a></p></main></body></html>",
        code = lang.code(),
        title = text(&title),
        css = attr(&state.bundle.css),
        back = attr(back),
        home = text(&lang.t("not_found.home")),
    );
    (status, Html(body)).into_response()
}

/// The page of an emailed link, drawn with the status `status_of` gives
/// it ([`private`]: no referrer, no cache), or the generic failure page
/// with a reference.
pub async fn link_page<T>(
    state: &AppState,
    uri: Uri,
    headers: HeaderMap,
    page: anyhow::Result<T>,
    status_of: fn(&T) -> StatusCode,
) -> Response
where
    T: Clone + Send + Sync + 'static,
{
    match page {
        Ok(page) => {
            let status = status_of(&page);
            private(page_with(state, uri, headers, status, page).await)
        }
        Err(error) => private(unavailable(state, &headers, error).await),
    }
}

/// A page reached from an emailed link (its token is in the address): no
/// `Referer` may carry it elsewhere, and no cache may keep it.
pub fn private(mut response: Response) -> Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Whether or not the browser has a session (`security::headers` covers
    // those that have one).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
