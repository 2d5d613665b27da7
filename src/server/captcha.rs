//! The image captcha: drawn by the `captcha` crate, its answer kept only as a
//! hash in the database (shared by every instance), single-use, expiring.
//!
//! A challenge id comes with the form. Fetching `/captcha/{id}.png` draws new
//! characters for that id and stores their hash; fetching it again (the "new
//! image" button) replaces them. Checking an answer consumes the challenge,
//! right or wrong.

use super::{tokens::hash_token, AppState};
use crate::domain::captcha::{CaptchaAnswer, CaptchaError};
use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Characters that cannot be mistaken for one another.
const CHARS: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'M', 'N', 'P', 'R', 'S', 'T', 'U', 'V', 'W',
    'X', 'Y', 'Z', '2', '3', '4', '5', '6', '7', '8', '9',
];

fn is_challenge_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn answer_hash(challenge: &str, answer: &str) -> String {
    hash_token(&format!("{challenge}:{}", answer.to_uppercase()))
}

/// Draws five characters; returns them and the PNG.
fn draw() -> Option<(String, Vec<u8>)> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut image = captcha::Captcha::new();
    let supported = image.supported_chars();
    let chars: Vec<char> = CHARS
        .iter()
        .copied()
        .filter(|c| supported.contains(c))
        .collect();
    image
        .set_chars(&chars)
        .add_chars(5)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 8.0))
        .view(220, 120)
        .apply_filter(Dots::new(6));
    image.as_tuple()
}

/// `GET /captcha/{id}.png`
pub async fn image(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".png").filter(|id| is_challenge_id(id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = id.to_owned();
    let drawn = tokio::task::spawn_blocking(draw).await.ok().flatten();
    let Some((chars, png)) = drawn else {
        tracing::error!("the captcha image could not be drawn");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let answer = state.config.captcha_test_answer.clone().unwrap_or(chars);
    match store(&state, &id, &answer).await {
        Ok(true) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            png,
        )
            .into_response(),
        Ok(false) => StatusCode::GONE.into_response(),
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "storing a captcha challenge failed"
            );
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Stores (or replaces) the answer of an unused challenge. False when the
/// challenge was already used.
async fn store(state: &AppState, id: &str, answer: &str) -> anyhow::Result<bool> {
    let now = state.clock.now_seconds();
    let expires = now + i64::from(state.config.captcha_minutes) * 60;
    let hash = answer_hash(id, answer);
    let updated = sqlx::query(
        "UPDATE captcha_challenges SET answer_hash = $1, created_at = $2, expires_at = $3 \
         WHERE id = $4 AND used_at IS NULL",
    )
    .bind(&hash)
    .bind(now)
    .bind(expires)
    .bind(id)
    .execute(&state.db)
    .await
    .context("renewing a captcha challenge")?;
    if updated.rows_affected() == 1 {
        return Ok(true);
    }
    let inserted = sqlx::query(
        "INSERT INTO captcha_challenges (id, answer_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(&hash)
    .bind(now)
    .bind(expires)
    .execute(&state.db)
    .await
    .context("storing a captcha challenge")?;
    Ok(inserted.rows_affected() == 1)
}

/// Checks an answer and consumes the challenge, whatever the outcome.
/// `answer` is what was typed, already parsed when well formed.
pub async fn verify(
    state: &AppState,
    challenge: &str,
    answer: Result<&CaptchaAnswer, CaptchaError>,
) -> anyhow::Result<Result<(), CaptchaError>> {
    if !is_challenge_id(challenge) {
        return Ok(Err(answer.err().unwrap_or(CaptchaError::Expired)));
    }
    let now = state.clock.now_seconds();
    let consumed: Option<(String, i64)> = sqlx::query_as(
        "UPDATE captcha_challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL \
         RETURNING answer_hash, expires_at",
    )
    .bind(now)
    .bind(challenge)
    .fetch_optional(&state.db)
    .await
    .context("consuming a captcha challenge")?;
    let answer = match answer {
        Ok(answer) => answer,
        Err(form_error) => return Ok(Err(form_error)),
    };
    Ok(match consumed {
        None => Err(CaptchaError::Expired),
        Some((_, expires_at)) if expires_at <= now => Err(CaptchaError::Expired),
        Some((hash, _)) if hash == answer_hash(challenge, answer.as_ref()) => Ok(()),
        Some(_) => Err(CaptchaError::Wrong),
    })
}

/// Deletes challenges that expired an hour ago or more.
pub async fn purge_expired(state: &AppState) -> anyhow::Result<u64> {
    let cutoff = state.clock.now_seconds() - 3600;
    let deleted = sqlx::query("DELETE FROM captcha_challenges WHERE expires_at < $1")
        .bind(cutoff)
        .execute(&state.db)
        .await
        .context("purging expired captcha challenges")?;
    Ok(deleted.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_captcha_has_five_unambiguous_characters_and_a_png() {
        let (chars, png) = draw().unwrap();
        assert_eq!(chars.chars().count(), 5);
        assert!(chars.chars().all(|c| CHARS.contains(&c)), "{chars}");
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn challenge_ids_are_32_lowercase_hex_digits() {
        assert!(is_challenge_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_challenge_id("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_challenge_id("../../etc/passwd"));
    }

    #[test]
    fn the_answer_hash_ignores_case_and_depends_on_the_challenge() {
        assert_eq!(answer_hash("a", "abcde"), answer_hash("a", "ABCDE"));
        assert_ne!(answer_hash("a", "ABCDE"), answer_hash("b", "ABCDE"));
    }
}
