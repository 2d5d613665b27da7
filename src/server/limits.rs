//! How much of a request the portal reads: bodies are bounded before any
//! handler or server function sees them.

use super::AppState;
use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// The largest request body the portal reads, in bytes (256 KiB): the
/// largest form, signup, is under 8 KiB, so a field of 100 kB still
/// reaches its parser and gets its own message, while anything larger is
/// refused before it is read (announced length) or as soon as the bound is
/// passed (chunked) (OWASP ASVS 4.0.3 V12.1.1; keycloak/keycloak#24991).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Middleware: a body announced larger than [`MAX_BODY_BYTES`] is refused
/// at once with 413 and a translated page, before any handler or server
/// function reads it. A body of no announced length (chunked) is read here
/// up to that bound and refused the same way past it, since a server
/// function reads its body itself and would call the excess a bad request
/// (400); a body cut off or malformed while it is read gets 400.
pub async fn bounded_bodies(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Unread::TooLarge.page(&state, request.headers());
    }
    if request.body().size_hint().exact().is_some() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(read) => {
            let request = Request::from_parts(parts, Body::from(read.to_bytes()));
            next.run(request).await
        }
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Unread::TooLarge.page(&state, &parts.headers)
        }
        Err(error) => {
            tracing::debug!(%error, "a request's body could not be read");
            Unread::Incomplete.page(&state, &parts.headers)
        }
    }
}

/// Why a body was not read.
#[derive(Clone, Copy)]
enum Unread {
    /// Larger than [`MAX_BODY_BYTES`]: 413.
    TooLarge,
    /// Cut off or malformed while it was read: 400.
    Incomplete,
}

impl Unread {
    /// The status, with the translated page ("Demande trop volumineuse",
    /// "Demande incomplète") and a link back to the home page.
    fn page(self, state: &AppState, headers: &HeaderMap) -> Response {
        let (status, title, text) = match self {
            Unread::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "errors.too_large_title",
                "errors.too_large_text",
            ),
            Unread::Incomplete => (
                StatusCode::BAD_REQUEST,
                "errors.unreadable_title",
                "errors.unreadable_text",
            ),
        };
        let lang = super::language::of_headers(headers, state.config.default_lang);
        super::render::plain_page(
            state,
            headers,
            status,
            title,
            &[&lang.t(text)],
            crate::paths::HOME_PAGE_PATH,
        )
    }
}
