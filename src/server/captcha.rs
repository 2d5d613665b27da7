//! The image captcha: drawn by the `captcha` crate, its answer kept in the
//! database (shared by every instance), single-use, expiring; the answer
//! never leaves the server.
//!
//! A challenge id comes with the form. Fetching `/captcha/{id}.png` draws new
//! characters for that id and stores them with their hash; fetching it again
//! (the "new image" button) replaces them. `/captcha/{id}.wav` says them, for
//! people who cannot see the image. Checking an answer consumes the
//! challenge, right or wrong.

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

/// Five random characters from [`CHARS`].
fn pick_characters() -> String {
    use rand::seq::IndexedRandom;
    let mut rng = rand::rng();
    (0..5).filter_map(|_| CHARS.choose(&mut rng)).collect()
}

/// The characters of a challenge: the configured test answer when it can be
/// drawn, else random ones.
fn characters_for(state: &AppState) -> String {
    state
        .config
        .captcha_test_answer
        .as_ref()
        .map(|answer| answer.to_uppercase())
        .filter(|answer| {
            answer.chars().count() == 5 && answer.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .unwrap_or_else(pick_characters)
}

/// A captcha whose characters are exactly `characters`: each one is added
/// from a one-character set.
fn captcha_of(characters: &str) -> captcha::Captcha {
    let mut image = captcha::Captcha::new();
    for c in characters.chars() {
        image.set_chars(&[c]).add_char();
    }
    image
}

/// The image's size on the page, in CSS pixels: the `width` and `height`
/// that `components::captcha` (shared with the browser, which cannot name
/// this module) writes on its `<img>`.
pub const IMAGE_SIZE: (u32, u32) = (220, 120);

/// How many grays the image keeps: 16, evenly spaced from black to white.
/// Smoothing the drawing to twice its size turns its black and white
/// pixels and its noise into about 200 grays that deflate cannot shrink:
/// 81 KB an image, the heaviest file of a page with a captcha before its
/// largest paint (Lighthouse's simulated slow 4G, 1.6 Mbit/s: about 0.4 s of
/// the forgotten password page's LCP; BENCHMARKS.md, part 15, eighth pass).
/// With 16 grays the image looks the same (the noise and the glyphs are
/// as drawn) and weighs about two fifths (31 KB).
const GRAY_LEVELS: u16 = 16;

/// `gray` (0 to 255) rounded to the nearest of [`GRAY_LEVELS`] levels.
fn quantized(gray: u8) -> u8 {
    let step = 255 / (GRAY_LEVELS - 1);
    let level = (u16::from(gray) + step / 2) / step;
    // 255 is a multiple of the step (17), so `level * step` is at most 255.
    u8::try_from(level * step).unwrap_or(u8::MAX)
}

/// Draws the characters, distorted, at [`IMAGE_SIZE`]; returns the PNG at
/// twice that size, so that a high-density screen (two device pixels to
/// the CSS pixel, most phones) shows it sharp instead of stretched
/// (Lighthouse, "Serves images with appropriate resolution"). Smoothed
/// with Catmull-Rom, which keeps the glyphs' edges, then rounded to
/// [`GRAY_LEVELS`] grays and compressed at deflate's best level. `None`
/// when the PNG cannot be made.
fn draw(characters: &str) -> Option<Vec<u8>> {
    use captcha::filters::{Dots, Noise, Wave};
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let (width, height) = IMAGE_SIZE;
    let mut image = captcha_of(characters);
    image
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 8.0))
        .view(width, height)
        .apply_filter(Dots::new(6));
    let drawn =
        image::load_from_memory_with_format(&image.as_png()?, image::ImageFormat::Png).ok()?;
    let mut doubled = drawn
        .resize_exact(
            2 * width,
            2 * height,
            image::imageops::FilterType::CatmullRom,
        )
        .into_luma8();
    for pixel in doubled.pixels_mut() {
        pixel.0[0] = quantized(pixel.0[0]);
    }
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Best, FilterType::Adaptive)
        .write_image(
            doubled.as_raw(),
            doubled.width(),
            doubled.height(),
            image::ColorType::L8,
        )
        .ok()?;
    Some(png)
}

/// Says the characters one by one (recordings spelled in English, with
/// noise) with a pause before each; returns a WAV file.
fn speak(characters: &str) -> Option<Vec<u8>> {
    let mut samples: Vec<i16> = Vec::new();
    let mut spec = None;
    for wav in captcha_of(characters).as_wav() {
        let reader = hound::WavReader::new(std::io::Cursor::new(wav?)).ok()?;
        let letter_spec = reader.spec();
        samples.extend(std::iter::repeat_n(
            0i16,
            letter_spec.sample_rate as usize * 2 / 5,
        ));
        samples.extend(reader.into_samples::<i16>().filter_map(Result::ok));
        spec = Some(letter_spec);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec?).ok()?;
    for sample in samples {
        writer.write_sample(sample).ok()?;
    }
    writer.finalize().ok()?;
    Some(out.into_inner())
}

/// `GET /captcha/{file}`: the image (`.png`) or its audio version (`.wav`).
pub async fn serve(state: State<AppState>, file: Path<String>) -> Response {
    if file.ends_with(".wav") {
        audio(state, file).await
    } else {
        image(state, file).await
    }
}

/// `GET /captcha/{id}.png`
async fn image(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".png").filter(|id| is_challenge_id(id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = id.to_owned();
    let characters = characters_for(&state);
    let to_draw = characters.clone();
    let Some(png) = tokio::task::spawn_blocking(move || draw(&to_draw))
        .await
        .ok()
        .flatten()
    else {
        tracing::error!("the captcha image could not be drawn");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match store(&state, &id, &characters).await {
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

/// `GET /captcha/{id}.wav`: the audio version of the image last drawn.
async fn audio(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".wav").filter(|id| is_challenge_id(id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let found: Result<Option<(Option<String>,)>, _> = sqlx::query_as(
        "SELECT characters FROM captcha_challenges \
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(state.clock.now_seconds())
    .fetch_optional(&state.db)
    .await;
    let characters = match found {
        Ok(Some((Some(characters),))) => characters,
        Ok(_) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(error = %error, "reading a captcha challenge failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    match tokio::task::spawn_blocking(move || speak(&characters))
        .await
        .ok()
        .flatten()
    {
        Some(wav) => (
            [
                (header::CONTENT_TYPE, "audio/wav"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            wav,
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Stores (or replaces) the characters of an unused challenge. False when
/// the challenge was already used.
async fn store(state: &AppState, id: &str, characters: &str) -> anyhow::Result<bool> {
    let now = state.clock.now_seconds();
    let expires = now + i64::from(state.config.captcha_minutes) * 60;
    let hash = answer_hash(id, characters);
    let updated = sqlx::query(
        "UPDATE captcha_challenges SET answer_hash = $1, created_at = $2, expires_at = $3, \
         characters = $4 WHERE id = $5 AND used_at IS NULL",
    )
    .bind(&hash)
    .bind(now)
    .bind(expires)
    .bind(characters)
    .bind(id)
    .execute(&state.db)
    .await
    .context("renewing a captcha challenge")?;
    if updated.rows_affected() == 1 {
        return Ok(true);
    }
    let inserted = sqlx::query(
        "INSERT INTO captcha_challenges (id, answer_hash, created_at, expires_at, characters) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(&hash)
    .bind(now)
    .bind(expires)
    .bind(characters)
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
pub async fn purge_expired_challenges(state: &AppState) -> anyhow::Result<u64> {
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
    fn a_captcha_has_five_unambiguous_characters_drawn_as_a_png() {
        let characters = pick_characters();
        assert_eq!(characters.chars().count(), 5);
        assert!(
            characters.chars().all(|c| CHARS.contains(&c)),
            "{characters}"
        );
        assert_eq!(captcha_of(&characters).chars_as_string(), characters);
        assert_eq!(&draw(&characters).unwrap()[1..4], b"PNG");
    }

    #[test]
    fn the_image_is_twice_its_size_on_the_page_in_sixteen_grays_and_light_on_a_slow_network() {
        let characters = pick_characters();
        let png = draw(&characters).unwrap();
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .into_luma8();
        let (width, height) = IMAGE_SIZE;
        assert_eq!(image.dimensions(), (2 * width, 2 * height));
        let grays: std::collections::BTreeSet<u8> = image.pixels().map(|p| p.0[0]).collect();
        assert!(grays.len() <= usize::from(GRAY_LEVELS), "{grays:?}");
        assert!(grays.iter().all(|&gray| gray % 17 == 0), "{grays:?}");
        // 81 KB before the grays were rounded; about 31 KB after.
        assert!(png.len() < 45_000, "{} bytes", png.len());
    }

    #[test]
    fn a_gray_is_rounded_to_the_nearest_of_sixteen_levels() {
        assert_eq!(quantized(0), 0);
        assert_eq!(quantized(8), 0);
        assert_eq!(quantized(9), 17);
        assert_eq!(quantized(250), 255);
        assert_eq!(quantized(255), 255);
    }

    #[test]
    fn the_audio_version_is_a_wav_file_that_takes_its_time() {
        let wav = speak("K7M2P").unwrap();
        assert_eq!(&wav[..4], b"RIFF");
        let reader = hound::WavReader::new(std::io::Cursor::new(wav)).unwrap();
        let seconds = reader.duration() as f32 / reader.spec().sample_rate as f32;
        assert!(seconds > 2.5, "{seconds} s");
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
