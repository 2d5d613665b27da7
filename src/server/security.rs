//! HTTP protections that apply to every route.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Refuses a state-changing request sent by another site (CSRF, login CSRF):
/// `Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` that is not
/// this site's. Pages reached from an emailed link send no referrer, so their
/// forms post with `Origin: null`; those are accepted only when the browser
/// vouches for them with `Sec-Fetch-Site: same-origin`.
pub async fn same_origin_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let headers = request.headers();
        let fetch_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let from_elsewhere = matches!(fetch_site.as_deref(), Some("cross-site" | "same-site"));
        let foreign_origin = match origin {
            None => false,
            Some("null") => fetch_site.as_deref() != Some("same-origin"),
            Some(origin) => !is_own_origin(origin, &state, headers),
        };
        if from_elsewhere || foreign_origin {
            tracing::warn!(path = %request.uri().path(), "cross-site request refused");
            return (StatusCode::FORBIDDEN, "Forbidden: cross-site request").into_response();
        }
    }
    next.run(request).await
}

fn is_own_origin(origin: &str, state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    if origin.eq_ignore_ascii_case(&state.config.public_url) {
        return true;
    }
    // Direct access on the listening address (development, tests).
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|host| {
            origin.eq_ignore_ascii_case(&format!("http://{host}"))
                || origin.eq_ignore_ascii_case(&format!("https://{host}"))
        })
}

/// What responses that are not Leptos pages (static files, server
/// functions, redirects, the plain error pages) may do: use this site's
/// styles and images, post forms to it, nothing else.
const NON_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// An address written with a trailing slash (`/mon-compte/`) is sent to
/// the same address without it (308, the query kept), for `GET` and
/// `HEAD`. The server routes its pages without the slash, while Leptos's
/// router takes both: `/mon-compte/` was drawn by the router alone, without
/// its handler's session check, `no-store` or status (a 404 holding the
/// person's data). An address that would become another host's
/// (`//example.org/`, `/\example.org/`) is left alone (OWASP Unvalidated
/// Redirects).
pub async fn without_trailing_slash(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if reads && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        if !trimmed.is_empty() && !trimmed.starts_with("//") && !trimmed.contains('\\') {
            let location = match request.uri().query() {
                Some(query) => format!("{trimmed}?{query}"),
                None => trimmed.to_owned(),
            };
            return Redirect::permanent(&location).into_response();
        }
    }
    next.run(request).await
}

/// Headers every response carries. Pages set their own Content-Security-Policy
/// (with their nonce) while they render; every other response gets the
/// strictest one. HSTS when the portal is served over https.
///
/// A Wasm module (`application/wasm`) gets only `nosniff` and HSTS: it is
/// never a document, so the headers that govern documents (CSP,
/// `X-Frame-Options`, `Permissions-Policy`, `Referrer-Policy`) would say
/// nothing on it (CSP Level 3 §1.2 and the Fetch standard apply them to
/// documents and workers; OWASP Secure Headers lists them for HTML). A
/// split build's first load fetches dozens of these modules, and those
/// four headers are about 330 bytes on each.
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let personal = carries_personal_data(&state, &request);
    let mut response = next.run(request).await;
    let redirect =
        response.status().is_redirection() && response.status() != StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    if personal && (redirect || is_page_or_data(headers)) {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    if state.config.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_wasm(headers) {
        return response;
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NON_PAGE_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

/// Whether the answer to `request` may carry personal data, and so must
/// not be kept by any cache (OWASP Session Management Cheat Sheet, "Web
/// Content Caching"; ASVS 4.0.3 V8.2.1): every server function's answer
/// (what was typed, a page's state), every answer to a form's post, and
/// everything asked by a browser with a session or a pending login.
fn carries_personal_data(state: &AppState, request: &Request) -> bool {
    request.method() != Method::GET && request.method() != Method::HEAD
        || request
            .uri()
            .path()
            .starts_with(crate::paths::SERVER_FN_PREFIX)
        || super::session::request_id_hash(state, request.headers()).is_some()
        || super::browser::cookie_value(request.headers(), super::pending_login::cookie_name(state))
            .is_some()
}

/// The response is a page or a server function's data (HTML, JSON, or
/// the text of an error), not one of the browser's files (nor a
/// `304 Not Modified` for one, which has no type).
fn is_page_or_data(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|media| media.trim().to_ascii_lowercase())
        .is_some_and(|media| {
            matches!(
                media.as_str(),
                "text/html" | "application/json" | "text/plain" | "application/cbor"
            )
        })
}

/// The response is a Wasm module: its `Content-Type` is `application/wasm`
/// (what `WebAssembly.instantiateStreaming` requires, and what the static
/// files' service sends for `.wasm`).
fn is_wasm(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/wasm"))
}

/// A handler that panics: the person gets a generic page in both languages
/// with a reference, the log gets the panic's message under it; nothing
/// internal reaches the browser.
pub fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a handler panicked".into());
    let error = anyhow::anyhow!(what);
    let reference = crate::error::report(&error, "request (panic)");
    let body = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Service momentanément indisponible — Sésame</title></head><body><main>\
         <h1>Service momentanément indisponible</h1>\
         <p>Votre demande n'a pas pu aboutir. Réessayez dans quelques instants ; si le problème \
         persiste, contactez le support en donnant la référence {reference}.</p>\
         <h2 lang=\"en\">Service temporarily unavailable</h2>\
         <p lang=\"en\">Your request could not be completed. Try again in a few moments; if it \
         persists, contact the support with the reference {reference}.</p>\
         <p><a href=\"/\">Sésame</a></p></main></body></html>"
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Allows this site's scripts, styles and images, the page's own inline
/// hydration script (by its nonce), and Wasm; nothing else.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Sets the page's Content-Security-Policy with the nonce Leptos gave its
/// inline scripts; called while the shell renders, before any byte is sent.
pub fn set_content_security_policy() {
    use leptos::prelude::use_context;
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&content_security_policy(&nonce.to_string())),
    ) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
