//! The doors of "Ce n'était pas moi" (`GET`/`POST /ce-n-etait-pas-moi/…`,
//! `/api/ce-n-etait-pas-moi`) and the flow's routes.

use super::service::{disown, look_up};
use super::NotMeState;
use crate::paths::{with_segment, NOT_ME_PREFIX};
use crate::server::{language, render, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

/// The emailed link's page and its button.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        &with_segment(NOT_ME_PREFIX, "token"),
        get(get_not_me).post(post_not_me),
    )
}

fn status_of(page: &NotMeState) -> StatusCode {
    match page {
        NotMeState::Invalid => StatusCode::NOT_FOUND,
        NotMeState::Expired | NotMeState::Retired => StatusCode::GONE,
        _ => StatusCode::OK,
    }
}

/// `GET /ce-n-etait-pas-moi/{token}`: shows, changes nothing.
pub async fn get_not_me(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = language::of_headers(&headers, state.config.default_lang);
    let page = look_up(&state, &token, lang).await;
    render::link_page(&state, uri, headers, page, status_of).await
}

/// `POST /ce-n-etait-pas-moi/{token}`
pub async fn post_not_me(
    State(state): State<AppState>,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let page = disown(&state, &token).await;
    render::link_page(&state, uri, headers, page, status_of).await
}
