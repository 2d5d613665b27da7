//! How much of a request the portal reads: bodies are bounded before any
//! handler or server function sees them.

use super::AppState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The largest request body the portal reads, in bytes (256 KiB): the
/// largest form, signup, is under 8 KiB, so a field of 100 kB still
/// reaches its parser and gets its own message, while anything larger is
/// refused before it is read (OWASP ASVS 4.0.3 V12.1.1;
/// keycloak/keycloak#24991).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Middleware: a body announced larger than [`MAX_BODY_BYTES`] is refused
/// at once with 413 and a translated page, before any handler or server
/// function reads it; a body that turns out larger while it is read (no
/// length announced) is cut by `DefaultBodyLimit` at the same size, which
/// `startup` sets.
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
        let lang = super::language::of_headers(request.headers(), state.config.default_lang);
        return super::render::plain_page(
            &state,
            request.headers(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "errors.too_large_title",
            &[&lang.t("errors.too_large_text")],
            crate::paths::HOME_PAGE_PATH,
        );
    }
    next.run(request).await
}
