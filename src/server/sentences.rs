//! The sentences the browser draws pages with: one file a language
//! (`i18n::browser_sentences`), at `/pkg/sentences/<code>.<digest>.txt`.
//!
//! A page is drawn in one language, and another language is a new document
//! (`/langue`), so the browser's main module carries the catalogue's keys
//! only, and the start script (`start.js`) fetches the page's language's
//! sentences beside the Wasm, then hands them to the app before it
//! hydrates. The other language's sentences, about 8.7 KB compressed,
//! are no longer in every first load (BENCHMARKS.md, part 15, seventeenth
//! pass).
//!
//! The address names the file's content by a digest, so browsers keep it a
//! year (`assets::cache_headers`) and a build with other sentences has
//! another address; a server asked for an address it does not serve
//! answers 404, and the start script then leaves the page as the server
//! drew it, which works without JavaScript. The file begins with the name
//! of the key list it was made for (`i18n::BROWSER_KEYS_ID`), which the
//! Wasm checks.

use axum::body::{Body, Bytes};
use axum::extract::{Path as PathOf, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::state::AppState;
use crate::i18n::Lang;

/// The folder of the sentences' addresses under `/pkg`.
pub const FOLDER: &str = "sentences";

/// The sentences of each language of [`Lang::ALL`], in that order.
#[derive(Debug)]
pub struct Sentences {
    files: Vec<File>,
}

#[derive(Debug)]
struct File {
    /// `fr.<24 hex digits of the content's SHA-256>.txt`.
    name: String,
    plain: Bytes,
    /// Made at the first request that takes brotli (about 36 KB at
    /// quality 11: tens of milliseconds, once per process: requests that
    /// come meanwhile wait for it).
    brotli: OnceCell<Bytes>,
}

impl Default for Sentences {
    fn default() -> Self {
        Self::new()
    }
}

impl Sentences {
    /// The files of this build's catalogue, named by their digests.
    pub fn new() -> Self {
        let files = Lang::ALL
            .into_iter()
            .map(|lang| {
                let plain = crate::i18n::browser_sentences(lang);
                let digest = Sha256::digest(plain.as_bytes());
                File {
                    name: format!("{}.{}.txt", lang.code(), hex::encode(&digest[..12])),
                    plain: Bytes::from(plain),
                    brotli: OnceCell::new(),
                }
            })
            .collect();
        Sentences { files }
    }

    /// `/<pkg>/sentences/<file>`: the address of `lang`'s sentences under
    /// the bundle's folder `pkg` (`/pkg`).
    pub fn address(&self, pkg: &str, lang: Lang) -> String {
        let file = self
            .files
            .get(lang.index())
            .map_or("", |file| file.name.as_str());
        format!("{pkg}/{FOLDER}/{file}")
    }

    fn file(&self, name: &str) -> Option<&File> {
        self.files.iter().find(|file| file.name == name)
    }
}

impl File {
    /// The brotli copy, made once, off the async runtime; `None` if it
    /// could not be made (tried again at the next request).
    async fn brotli(&self) -> Option<Bytes> {
        self.brotli
            .get_or_try_init(|| async {
                let plain = self.plain.clone();
                match tokio::task::spawn_blocking(move || super::assets::brotli_of(&plain)).await {
                    Ok(Ok(made)) => Ok(Bytes::from(made)),
                    _ => Err(()),
                }
            })
            .await
            .ok()
            .cloned()
    }
}

/// The answer to `GET /pkg/sentences/<file>`: the file, in brotli when the
/// browser takes it (else plain, which the compression layer compresses as
/// it is sent), `text/plain; charset=utf-8`. 404 for a name this build does
/// not serve.
pub async fn serve(
    State(state): State<AppState>,
    PathOf(file): PathOf<String>,
    headers: HeaderMap,
) -> Response {
    let Some(file) = state.bundle.sentences.file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let brotli = if super::packs::takes_brotli(&headers) {
        file.brotli().await
    } else {
        None
    };
    let mut response = match brotli {
        Some(brotli) => super::packs::in_brotli(brotli),
        None => Response::new(Body::from(file.plain.clone())),
    };
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_has_its_file_named_by_its_content() {
        let sentences = Sentences::new();
        let french = sentences.address("/pkg", Lang::Fr);
        let english = sentences.address("/pkg", Lang::En);
        assert!(french.starts_with("/pkg/sentences/fr.") && french.ends_with(".txt"));
        assert!(english.starts_with("/pkg/sentences/en."));
        // Three dots' parts: a name with a hash, kept a year.
        assert_eq!(french.rsplit('/').next().unwrap().split('.').count(), 3);
        let name = french.rsplit('/').next().unwrap();
        let file = sentences.file(name).unwrap();
        assert_eq!(file.plain, crate::i18n::browser_sentences(Lang::Fr));
        assert!(sentences.file("fr.000000000000000000000000.txt").is_none());
        assert_eq!(Sentences::new().address("/pkg", Lang::Fr), french);
    }
}
