//! The dev mailbox: with no SMTP server configured, emails stay in the
//! outbox and are read here. Not mounted in production mode.

use crate::paths::{with_segment, DEV_MAILBOX_PATH, DEV_PANIC_PATH};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

/// The dev mailbox's routes; `startup` mounts them outside production only.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(DEV_MAILBOX_PATH, get(list))
        .route(&with_segment(DEV_MAILBOX_PATH, "id"), get(show))
        .route(DEV_PANIC_PATH, get(panic))
}

/// The mailbox shows emails as their HTML says (inline styles included),
/// sandboxed in a frame; nothing else runs.
const MAILBOX_POLICY: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     frame-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

fn page(state: &AppState, title: &str, body: &str) -> impl IntoResponse {
    let html = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Sésame</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main id=\"contenu\" class=\"dev-mailbox\">{body}</main></body></html>",
        title = text(title),
        css = attr(&state.bundle.css),
    ));
    (
        [(axum::http::header::CONTENT_SECURITY_POLICY, MAILBOX_POLICY)],
        html,
    )
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    recipient: String,
    subject: String,
    created_at: i64,
    sent_at: Option<i64>,
}

/// `GET /dev/mailbox`: every email, newest first.
pub async fn list(State(state): State<AppState>) -> Response {
    let rows: Result<Vec<Row>, _> = sqlx::query_as(
        "SELECT id, kind, recipient, subject, created_at, sent_at FROM outbox \
         ORDER BY created_at DESC, id LIMIT 200",
    )
    .fetch_all(&state.db)
    .await;
    let Ok(rows) = rows else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is unavailable",
        )
            .into_response();
    };
    let mut body = String::from(
        "<h1>Dev mailbox</h1><p>Emails the portal sent, kept here because no SMTP server is \
         configured (<code>SESAME_SMTP_URL</code>).</p>",
    );
    if rows.is_empty() {
        body.push_str("<p>No email yet.</p>");
    } else {
        body.push_str(
            "<table><caption>Emails, newest first</caption><thead><tr><th scope=\"col\">When (UTC)</th>\
             <th scope=\"col\">To</th><th scope=\"col\">Subject</th><th scope=\"col\">Kind</th></tr></thead><tbody>",
        );
        for row in rows {
            let when = jiff::Timestamp::from_second(row.created_at)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            let status = if row.sent_at.is_some() {
                ""
            } else {
                " (queued)"
            };
            body.push_str(&format!(
                "<tr><td>{when}</td><td>{to}</td><td><a href=\"{DEV_MAILBOX_PATH}/{id}\">{subject}</a>{status}</td><td>{kind}</td></tr>",
                to = text(&row.recipient),
                id = attr(&row.id),
                subject = text(&row.subject),
                kind = text(&row.kind),
            ));
        }
        body.push_str("</tbody></table>");
    }
    page(&state, "Dev mailbox", &body).into_response()
}

/// `GET /dev/panic`: a handler that panics, to see (and test) what the
/// person gets then. Not in production.
pub async fn panic() -> Response {
    panic!("the /dev/panic page panicked on purpose (SELECT secret FROM internals)")
}

/// `GET /dev/mailbox/{id}`: one email, text and HTML.
pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found: Result<Option<(String, String, String, String)>, _> =
        sqlx::query_as("SELECT recipient, subject, text_body, html_body FROM outbox WHERE id = $1")
            .bind(&id)
            .fetch_optional(&state.db)
            .await;
    match found {
        Ok(Some((recipient, subject, text_body, html_body))) => {
            let opened = crate::mail::outbox::open_bodies(&state, &id, &text_body, &html_body);
            let Ok((text_body, html_body)) = opened else {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "this email does not open with the secret key",
                )
                    .into_response();
            };
            page(
                &state,
            &subject,
            &format!(
                "<p><a href=\"{DEV_MAILBOX_PATH}\">← All emails</a></p><h1>{subject}</h1><p>To: {to}</p>\
                 <h2>Text</h2><pre class=\"dev-mailbox__text\">{text_body}</pre>\
                 <h2>HTML</h2><iframe title=\"HTML part\" sandbox srcdoc=\"{html}\" class=\"dev-mailbox__html\"></iframe>",
                subject = text(&subject),
                to = text(&recipient),
                text_body = linkify(&text_body),
                html = attr(&html_body),
            ),
        )
        .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is unavailable",
        )
            .into_response(),
    }
}

/// Escapes the text and makes its links clickable.
fn linkify(body: &str) -> String {
    body.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
                format!(
                    "<a href=\"{}\">{}</a>{}",
                    attr(trimmed),
                    text(trimmed),
                    &word[trimmed.len()..]
                )
            } else {
                text(word).into_owned()
            }
        })
        .collect()
}
