//! Packs: the Wasm chunks of a `--split` build that one page needs, sent
//! as one response instead of one request per chunk.
//!
//! cargo-leptos 0.3.10 writes one file per split point and per set of split
//! points sharing code: a page needed 50 to 128 files, many of a few hundred
//! bytes, six at a time over HTTP/1.1 (issue 29, "fewer, useful requests").
//! It cannot be told how to group them, and its chunk loader fetches each
//! file by name. So the server packs them: a page names one pack of the
//! chunks it needs (and, once idle, one of the chunks of the pages it links
//! to), and the start script (`start.js`) hands the chunk loader each file
//! from the pack it came in, compiled ahead. The files stay as cargo-leptos
//! wrote them; a browser that cannot use a pack fetches them one by one.
//!
//! A pack's address names its chunks as bits of the build's sorted chunk
//! list, and the build by the manifest's hash:
//! `/pkg/packs/<manifest hash>.<bits in hex>.pack`, so it is the same on
//! every server of one build, and kept a year by browsers (a name with a
//! hash, `assets::cache_headers`). An unhashed (development) build names it
//! `<bits in hex>.pack`, checked again each time.
//!
//! Body: for each chunk, in the list's order, the file's name (as the
//! loader asks for it, `/pkg/chunk_7.<hash>.wasm`) and its bytes, each
//! preceded by its length in bytes as a little-endian `u32`.

use axum::body::{Body, Bytes};
use axum::extract::{Path as PathOf, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::state::AppState;

/// The folder of pack addresses under `/pkg`.
pub const FOLDER: &str = "packs";

/// At most this many packs kept compressed in memory. The pages a server
/// draws name a few dozen (pages × the sets of pages they link to); an
/// address past the limit is still answered, compressed as it is sent.
const KEPT: usize = 128;

/// The chunks of one build and the packs made of them.
#[derive(Debug)]
pub struct Packs {
    /// Where the chunk files are: `<site root>/pkg`.
    dir: PathBuf,
    /// `/pkg`: prefixes the names written into a pack.
    pkg: String,
    /// The split manifest's hash (`hash.txt`), or `None` unhashed.
    build: Option<String>,
    /// Every chunk named by the manifest, without `.wasm`, sorted, once.
    names: Vec<String>,
    /// A pack's bits → its bodies once made (plain, brotli), shared by
    /// the page that names it and the requests that fetch it.
    made: Mutex<HashMap<Vec<u8>, Arc<OnceLock<Made>>>>,
}

#[derive(Debug)]
struct Made {
    plain: Bytes,
    brotli: Bytes,
}

impl Packs {
    /// The packs of the chunks `names` (without `.wasm`, as in the split
    /// manifest), found in `dir`, whose address is `pkg`; `build`: the
    /// manifest's hash, if the build hashes its files.
    pub fn new<'a>(
        dir: PathBuf,
        pkg: String,
        build: Option<String>,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Packs {
        let mut names: Vec<String> = names.into_iter().cloned().collect();
        names.sort_unstable();
        names.dedup();
        Packs {
            dir,
            pkg,
            build,
            names,
            made: Mutex::default(),
        }
    }

    /// The bits of the chunks `chunks` (names of the manifest); `None` if
    /// none is known.
    fn bits_of<'a>(&self, chunks: impl IntoIterator<Item = &'a str>) -> Option<Vec<u8>> {
        let mut bits = vec![0u8; self.names.len().div_ceil(8)];
        let mut any = false;
        for chunk in chunks {
            if let Ok(index) = self.names.binary_search_by(|name| name.as_str().cmp(chunk)) {
                bits[index / 8] |= 1 << (index % 8);
                any = true;
            }
        }
        any.then_some(bits)
    }

    /// The address of the pack of `chunks` (names of the manifest, in any
    /// order, repeats allowed), and starts making it in the background so
    /// that it is ready, compressed, when the page asks for it. `None` if
    /// no chunk is known.
    pub fn address<'a>(
        self: &Arc<Self>,
        chunks: impl IntoIterator<Item = &'a str>,
    ) -> Option<String> {
        let bits = self.bits_of(chunks)?;
        let file = match &self.build {
            Some(build) => format!("{build}.{}.pack", hex::encode(&bits)),
            None => format!("{}.pack", hex::encode(&bits)),
        };
        self.make_in_background(bits);
        Some(format!("{}/{FOLDER}/{file}", self.pkg))
    }

    /// The bits a pack's file name `file` stands for: the build's hash (if
    /// any), then exactly one bit per chunk, at least one set. `None` for
    /// anything else.
    fn parse(&self, file: &str) -> Option<Vec<u8>> {
        let rest = file.strip_suffix(".pack")?;
        let hex_bits = match &self.build {
            Some(build) => rest.strip_prefix(build.as_str())?.strip_prefix('.')?,
            None => rest,
        };
        let bits = hex::decode(hex_bits).ok()?;
        let count = self.names.len();
        let beyond = |byte: usize| {
            let last = 8 * byte;
            (0..8).filter(move |bit| last + bit >= count)
        };
        let fits = bits.len() == count.div_ceil(8)
            && bits.iter().any(|byte| *byte != 0)
            && bits
                .last()
                .is_none_or(|byte| beyond(bits.len() - 1).all(|bit| byte & (1 << bit) == 0));
        fits.then_some(bits)
    }

    /// The chunks `bits` names, in the list's order.
    fn chunks<'a>(&'a self, bits: &'a [u8]) -> impl Iterator<Item = &'a str> {
        self.names
            .iter()
            .enumerate()
            .filter(|(index, _)| bits[index / 8] & (1 << (index % 8)) != 0)
            .map(|(_, name)| name.as_str())
    }

    /// The plain body of the pack `bits`, read from the chunk files.
    /// Errors: a chunk file is missing or unreadable.
    fn body(&self, bits: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut body = Vec::new();
        for chunk in self.chunks(bits) {
            let file = format!("{chunk}.wasm");
            let bytes = std::fs::read(self.dir.join(&file))?;
            let name = format!("{}/{file}", self.pkg);
            for part in [name.as_bytes(), &bytes] {
                let length = u32::try_from(part.len())
                    .map_err(|_| std::io::Error::other("a chunk over 4 GiB"))?;
                body.extend_from_slice(&length.to_le_bytes());
                body.extend_from_slice(part);
            }
        }
        Ok(body)
    }

    /// A new slot for the pack `bits`: `None` if it has one already, or
    /// if [`KEPT`] packs are kept.
    fn new_slot(&self, bits: &[u8]) -> Option<Arc<OnceLock<Made>>> {
        let mut made = self.made.lock().ok()?;
        if made.contains_key(bits) || made.len() >= KEPT {
            return None;
        }
        let slot = Arc::new(OnceLock::new());
        made.insert(bits.to_vec(), Arc::clone(&slot));
        Some(slot)
    }

    /// Makes the pack `bits` and its brotli copy off the async runtime,
    /// once: nothing if it is made or being made, past [`KEPT`], or
    /// without a runtime.
    fn make_in_background(self: &Arc<Self>, bits: Vec<u8>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let Some(slot) = self.new_slot(&bits) else {
            return;
        };
        let packs = Arc::clone(self);
        runtime.spawn_blocking(move || {
            let made = packs.body(&bits).and_then(|plain| {
                let brotli = super::assets::brotli_of(&plain)?;
                Ok(Made {
                    plain: plain.into(),
                    brotli: brotli.into(),
                })
            });
            match made {
                Ok(made) => {
                    let _ = slot.set(made);
                }
                Err(error) => tracing::warn!(%error, "a pack of chunks could not be made"),
            }
        });
    }

    /// The answer to `GET /pkg/packs/<file>`: the pack in brotli if it is
    /// made and the browser takes brotli, else plain (the compression
    /// layer then compresses it as it is sent). 404 for an address that
    /// names no pack of this build, or a chunk file gone.
    async fn answer(self: Arc<Self>, file: &str, takes_brotli: bool) -> Response {
        let Some(bits) = self.parse(file) else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let made = self.made.lock().ok().and_then(|made| {
            made.get(&bits).and_then(|slot| {
                slot.get()
                    .map(|made| (made.plain.clone(), made.brotli.clone()))
            })
        });
        let (body, brotli) = match made {
            Some((_, brotli)) if takes_brotli => (brotli, true),
            Some((plain, _)) => (plain, false),
            None => {
                let packs = Arc::clone(&self);
                match tokio::task::spawn_blocking(move || packs.body(&bits)).await {
                    Ok(Ok(plain)) => (Bytes::from(plain), false),
                    Ok(Err(error)) => {
                        tracing::warn!(%error, file, "a pack names a chunk file that is not there");
                        return StatusCode::NOT_FOUND.into_response();
                    }
                    Err(error) => {
                        tracing::error!(%error, "making a pack failed");
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                }
            }
        };
        let mut response = Response::new(Body::from(body));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        if brotli {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        response
    }
}

/// Whether `headers` accept brotli: `br` in `Accept-Encoding`, not with
/// `q=0` (RFC 9110 §12.5.3).
fn takes_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case("br"))
                && parts.all(|parameter| {
                    parameter
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_none_or(|q| q > 0.0)
                })
        })
}

/// `GET /pkg/packs/{file}`: a pack ([`Packs`]); 404 for a build without
/// `--split` or an address that names no pack of this build.
pub async fn serve(
    State(state): State<AppState>,
    PathOf(file): PathOf<String>,
    headers: HeaderMap,
) -> Response {
    match state.bundle.packs() {
        Some(packs) => packs.answer(&file, takes_brotli(&headers)).await,
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs over a folder holding `chunks` (name without `.wasm` →
    /// bytes), hashed as `build`.
    fn packs_of(chunks: &[(&str, &[u8])], build: Option<&str>) -> (PathBuf, Arc<Packs>) {
        let dir = std::env::temp_dir().join(format!(
            "sesame-packs-{}",
            crate::server::tokens::new_id().unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in chunks {
            std::fs::write(dir.join(format!("{name}.wasm")), bytes).unwrap();
        }
        let names: Vec<String> = chunks.iter().map(|(name, _)| (*name).to_owned()).collect();
        let packs = Packs::new(
            dir.clone(),
            "/pkg".to_owned(),
            build.map(str::to_owned),
            &names,
        );
        (dir, Arc::new(packs))
    }

    /// The files of a pack's `body`, as (name, bytes), in order.
    fn unpacked(mut body: &[u8]) -> Vec<(String, Vec<u8>)> {
        fn take(body: &mut &[u8]) -> Vec<u8> {
            let length = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
            let part = body[4..4 + length].to_vec();
            *body = &body[4 + length..];
            part
        }
        let mut files = Vec::new();
        while !body.is_empty() {
            let name = String::from_utf8(take(&mut body)).unwrap();
            files.push((name, take(&mut body)));
        }
        files
    }

    async fn body_of(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[tokio::test]
    async fn a_pack_holds_the_chunks_a_page_names_each_once_with_the_name_the_loader_asks_for() {
        let (dir, packs) = packs_of(
            &[
                ("split_home", b"\0asm-home"),
                ("chunk_2.h", b"\0asm-two"),
                ("chunk_10.h", b"\0asm-ten"),
            ],
            Some("M5"),
        );
        let address = packs
            .address(["split_home", "chunk_2.h", "split_home", "unknown"])
            .unwrap();
        let file = address.strip_prefix("/pkg/packs/").unwrap();
        assert!(
            file.starts_with("M5.") && file.ends_with(".pack"),
            "{address}"
        );
        let response = Arc::clone(&packs).answer(file, false).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            unpacked(&body_of(response).await),
            [
                ("/pkg/chunk_2.h.wasm".to_owned(), b"\0asm-two".to_vec()),
                ("/pkg/split_home.wasm".to_owned(), b"\0asm-home".to_vec()),
            ]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn once_made_a_pack_goes_in_brotli_to_a_browser_that_takes_it() {
        let chunk = b"\0asm".repeat(500);
        let (dir, packs) = packs_of(&[("chunk_1", &chunk)], Some("M5"));
        let address = packs.address(["chunk_1"]).unwrap();
        let file = address.rsplit('/').next().unwrap().to_owned();
        let bits = packs.parse(&file).unwrap();
        assert!(
            packs.new_slot(&bits).is_none(),
            "naming it started making it"
        );
        let made = || packs.made.lock().unwrap()[&bits].get().is_some();
        for _ in 0..500 {
            if made() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let response = Arc::clone(&packs).answer(&file, true).await;
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
        let brotli = body_of(response).await;
        let mut plain = Vec::new();
        brotli::BrotliDecompress(&mut &brotli[..], &mut plain).unwrap();
        assert_eq!(
            unpacked(&plain),
            [("/pkg/chunk_1.wasm".to_owned(), chunk.clone())]
        );
        let response = Arc::clone(&packs).answer(&file, false).await;
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn an_address_that_names_no_pack_of_this_build_is_not_found() {
        let names: Vec<(String, Vec<u8>)> = (0..10)
            .map(|n| (format!("chunk_{n}"), b"\0asm".to_vec()))
            .collect();
        let chunks: Vec<(&str, &[u8])> = names
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .collect();
        let (dir, packs) = packs_of(&chunks, Some("M5"));
        // Ten chunks: two bytes of bits, the six past the tenth unset.
        assert!(packs.parse("M5.0102.pack").is_some());
        for file in [
            "M5.0000.pack",    // no chunk
            "M5.01.pack",      // too short
            "M5.010200.pack",  // too long
            "M5.0104.pack",    // a bit past the tenth chunk
            "M4.0102.pack",    // another build
            "0102.pack",       // no build
            "M5.0102.wasm",    // not a pack
            "M5.zz02.pack",    // not hex
            "M5.0102.pack.br", // not a pack
        ] {
            assert!(packs.parse(file).is_none(), "{file}");
            let response = Arc::clone(&packs).answer(file, true).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{file}");
        }
        std::fs::remove_file(dir.join("chunk_1.wasm")).unwrap();
        let response = Arc::clone(&packs).answer("M5.0300.pack", false).await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "a chunk file is gone"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unhashed_build_names_its_packs_without_a_build() {
        let (dir, packs) = packs_of(&[("chunk_1", b"\0asm")], None);
        assert_eq!(packs.address(["chunk_1"]).unwrap(), "/pkg/packs/01.pack");
        assert!(packs.address(["unknown"]).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn brotli_is_taken_unless_refused_by_a_zero_quality() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            takes_brotli(&headers)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("BR;q=0.5"));
        assert!(!with("gzip"));
        assert!(!with("br;q=0, gzip"));
        assert!(!with("brotli"));
        assert!(!takes_brotli(&HeaderMap::new()));
    }
}
