//! The doors of the page of the emailed links about an address change
//! (the two forms asking for a change are "Mon compte"'s:
//! `account::handlers`), and the flow's routes.

use super::service::{apply, find_link, page_of};
use super::ContactLinkState;
use crate::paths::{with_segment, CONTACT_LINK_PREFIX};
use crate::server::{render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// The emailed link's page and its button.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        &with_segment(CONTACT_LINK_PREFIX, "token"),
        get(get_contact_link).post(post_contact_link),
    )
}

fn status_of(page: &ContactLinkState) -> StatusCode {
    match page {
        ContactLinkState::Invalid => StatusCode::NOT_FOUND,
        ContactLinkState::Expired | ContactLinkState::Retired => StatusCode::GONE,
        _ => StatusCode::OK,
    }
}

/// `GET /adresse-de-contact/{token}`: shows, changes nothing.
pub async fn get_contact_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = find_link(&state, &token).await.map(page_of);
    render::link_page(&state, uri, headers, page, status_of).await
}

/// `POST /adresse-de-contact/{token}`
pub async fn post_contact_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = apply(&state, &token).await;
    render::link_page(&state, uri, headers, page, status_of).await
}
