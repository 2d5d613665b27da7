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
//! list, and the build by a digest of that list (whose names carry each
//! chunk's content hash): `/pkg/packs/<build>.<bits in lowercase hex>.pack`,
//! the same on every server of one build, and kept a year by browsers (a
//! name with a hash, `assets::cache_headers`). An unhashed (development)
//! build names it `<bits in hex>.pack`, checked again each time.
//!
//! Body: for each chunk, in the list's order, the file's name (as the
//! loader asks for it, `/pkg/chunk_7.<hash>.wasm`) and its bytes, each
//! preceded by its length in bytes as a little-endian `u32`. The page names
//! a pack's chunks beside its address (`data-chunks`, by their [`stem`]s),
//! so that the browser knows what a pack holds before it arrives.
//!
//! Cost bounds (OWASP ASVS 4.0.3 V11.1.4, anti-automation of costly
//! resources): a pack is compressed only when a page names it, one at a
//! time, and at most [`KEPT`] are kept; an address no page of this process
//! named is streamed a file at a time, at most [`ON_DEMAND`] at once (503
//! past that: the browser then fetches the chunks one by one), and is not
//! kept by caches.

use axum::body::{Body, Bytes};
use axum::extract::{Path as PathOf, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::Semaphore;

use super::state::AppState;

/// The folder of pack addresses under `/pkg`.
pub const FOLDER: &str = "packs";

/// At most this many packs kept compressed in memory. The pages a server
/// draws name a few dozen (pages × the sets of pages they link to); a pack
/// past the limit is still answered, streamed as one no page named.
const KEPT: usize = 128;

/// At most this many packs no page named are streamed at once.
const ON_DEMAND: usize = 4;

/// A pack a page names: its address, and the chunks it holds (names of the
/// manifest, without `.wasm`), in the pack's order.
#[derive(Debug, PartialEq, Eq)]
pub struct Pack {
    pub address: String,
    pub chunks: Vec<String>,
}

/// A chunk's name without its content hash (`chunk_7` for `chunk_7.<hash>`,
/// a name of the manifest): what a page calls it in `data-chunks`. A hash
/// is 22 characters that compress to nothing, and a page names 50 to 130
/// chunks; without them the home page's gzip body went from 7 954 to
/// 5 116 bytes (BENCHMARKS.md, part 15, seventh pass). One build's stems
/// are distinct: they are its file names before cargo-leptos hashed them.
pub fn stem(chunk: &str) -> &str {
    chunk.split_once('.').map_or(chunk, |(stem, _)| stem)
}

/// Whether a chunk's name (from the split manifest, without `.wasm`) may
/// go into a pack: 1 to 128 ASCII letters, digits, `_`, `-` and `.`, not
/// beginning with a dot. cargo-leptos writes such names (`chunk_7.<hash>`,
/// the hash in URL-safe base64). Each name becomes a file's path under the
/// site's `pkg` folder (a `/` or a `..` would leave it: OWASP ASVS 4.0.3
/// V12.3.1, no path built from unchecked input), a word of a page's
/// space-separated `data-chunks`, and a part of an address the start
/// script compares as text.
pub fn is_plain_chunk_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.'))
}

/// The chunks of one build and the packs made of them.
#[derive(Debug)]
pub struct Packs {
    /// Where the chunk files are: `<site root>/pkg`.
    dir: PathBuf,
    /// `/pkg`: prefixes the names written into a pack.
    pkg: String,
    /// A digest of `names` if the build hashes its files, else `None`.
    build: Option<String>,
    /// Every chunk named by the manifest, without `.wasm`, sorted, once.
    names: Vec<String>,
    /// A pack's bits → its bodies once made (plain, brotli), shared by
    /// the page that names it and the requests that fetch it.
    made: Mutex<HashMap<Vec<u8>, Arc<OnceLock<Made>>>>,
    /// Held while a pack is compressed: one at a time.
    compressing: Mutex<()>,
    /// The streams of packs no page named.
    on_demand: Arc<Semaphore>,
}

#[derive(Debug)]
struct Made {
    plain: Bytes,
    brotli: Bytes,
}

impl Packs {
    /// The packs of the chunks `names` (without `.wasm`, as in the split
    /// manifest), found in `dir`, whose address is `pkg`; `hashed`: whether
    /// the build hashes its files (then each name carries its content's
    /// hash, and the packs' addresses a digest of them all).
    ///
    /// Only a name that [`is_plain_chunk_name`] goes into packs; any other
    /// is logged and left out, its chunk fetched by its own address.
    pub fn new<'a>(
        dir: PathBuf,
        pkg: String,
        hashed: bool,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Packs {
        let (mut names, odd): (Vec<String>, Vec<String>) = names
            .into_iter()
            .cloned()
            .partition(|name| is_plain_chunk_name(name));
        if !odd.is_empty() {
            tracing::warn!(?odd, "the split manifest names chunks no pack may hold");
        }
        names.sort_unstable();
        names.dedup();
        let build = hashed.then(|| {
            let mut digest = Sha256::new();
            for name in &names {
                digest.update(name.as_bytes());
                digest.update(b"\n");
            }
            hex::encode(&digest.finalize()[..12])
        });
        Packs {
            dir,
            pkg,
            build,
            names,
            made: Mutex::default(),
            compressing: Mutex::default(),
            on_demand: Arc::new(Semaphore::new(ON_DEMAND)),
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

    /// The pack of `chunks` (names of the manifest, in any order, repeats
    /// allowed), and starts making it in the background so that it is
    /// ready, compressed, when the page asks for it. `None` if no chunk is
    /// known.
    pub fn pack<'a>(self: &Arc<Self>, chunks: impl IntoIterator<Item = &'a str>) -> Option<Pack> {
        let bits = self.bits_of(chunks)?;
        let file = match &self.build {
            Some(build) => format!("{build}.{}.pack", hex::encode(&bits)),
            None => format!("{}.pack", hex::encode(&bits)),
        };
        let chunks = self.chunks(&bits).map(str::to_owned).collect();
        self.make_in_background(bits);
        Some(Pack {
            address: format!("{}/{FOLDER}/{file}", self.pkg),
            chunks,
        })
    }

    /// The bits a pack's file name `file` stands for: the build's digest
    /// (if any), then exactly one bit per chunk in lowercase hex, at least
    /// one set. `None` for anything else, so that one pack has one address.
    fn parse(&self, file: &str) -> Option<Vec<u8>> {
        let rest = file.strip_suffix(".pack")?;
        let hex_bits = match &self.build {
            Some(build) => rest.strip_prefix(build.as_str())?.strip_prefix('.')?,
            None => rest,
        };
        let bits = hex::decode(hex_bits).ok()?;
        if hex::encode(&bits) != hex_bits {
            return None;
        }
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

    /// One chunk's part of a pack: its name and its bytes, each after its
    /// length. Errors: the chunk file is missing or unreadable, or over
    /// 4 GiB.
    fn part(&self, chunk: &str) -> std::io::Result<Vec<u8>> {
        let file = format!("{chunk}.wasm");
        let bytes = std::fs::read(self.dir.join(&file))?;
        let name = format!("{}/{file}", self.pkg);
        let mut part = Vec::with_capacity(8 + name.len() + bytes.len());
        for piece in [name.as_bytes(), &bytes] {
            let length = u32::try_from(piece.len())
                .map_err(|_| std::io::Error::other("a chunk over 4 GiB"))?;
            part.extend_from_slice(&length.to_le_bytes());
            part.extend_from_slice(piece);
        }
        Ok(part)
    }

    /// The plain body of the pack `bits`, read from the chunk files.
    /// Errors: those of [`Packs::part`].
    fn body(&self, bits: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut body = Vec::new();
        for chunk in self.chunks(bits) {
            body.extend(self.part(chunk)?);
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
            let _one_at_a_time = packs.compressing.lock();
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
                Err(error) => {
                    // Tried again when a page next names it.
                    if let Ok(mut made) = packs.made.lock() {
                        made.remove(&bits);
                    }
                    tracing::warn!(%error, "a pack of chunks could not be made");
                }
            }
        });
    }

    /// The answer to `GET /pkg/packs/<file>`: the pack in brotli if it is
    /// made and the browser takes brotli, else plain (the compression
    /// layer then compresses it as it is sent). A pack not made yet is
    /// streamed a chunk file at a time, `Cache-Control: no-cache` (a better
    /// compressed copy comes later), or 503 past [`ON_DEMAND`] at once.
    /// 404 for an address that names no pack of this build, or a chunk
    /// file gone.
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
        let mut response = match made {
            Some((_, brotli)) if takes_brotli => in_brotli(brotli),
            Some((plain, _)) => Response::new(Body::from(plain)),
            None => match self.stream(bits) {
                Ok(response) => response,
                Err(status) => return status.into_response(),
            },
        };
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        response
    }

    /// The pack `bits` streamed a chunk file at a time, holding one of the
    /// [`ON_DEMAND`] permits until sent. Errors: 503 with none free, 404
    /// when a chunk file is not there.
    fn stream(self: Arc<Self>, bits: Vec<u8>) -> Result<Response, StatusCode> {
        let permit = Arc::clone(&self.on_demand)
            .try_acquire_owned()
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        let missing = self
            .chunks(&bits)
            .find(|chunk| !self.dir.join(format!("{chunk}.wasm")).is_file());
        if let Some(chunk) = missing {
            tracing::warn!(chunk, "a pack names a chunk file that is not there");
            return Err(StatusCode::NOT_FOUND);
        }
        let chunks: Vec<String> = self.chunks(&bits).map(str::to_owned).collect();
        let parts = futures::stream::iter(chunks).then(move |chunk| {
            let packs = Arc::clone(&self);
            let _held = &permit;
            async move {
                tokio::task::spawn_blocking(move || packs.part(&chunk))
                    .await
                    .map_err(std::io::Error::other)?
                    .map(Bytes::from)
            }
        });
        let mut response = Response::new(Body::from_stream(parts));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        Ok(response)
    }
}

/// An answer whose body is `brotli`, already compressed in brotli
/// (`Content-Encoding: br`, which the compression layer leaves as it is).
pub(super) fn in_brotli(brotli: Bytes) -> Response {
    let mut response = Response::new(Body::from(brotli));
    response
        .headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    response
}

/// Whether `headers` accept brotli: `br` in `Accept-Encoding`, not with
/// `q=0` (RFC 9110 §12.5.3).
pub(super) fn takes_brotli(headers: &HeaderMap) -> bool {
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
    /// bytes), of a build that hashes its files or not.
    fn packs_of(chunks: &[(&str, &[u8])], hashed: bool) -> (PathBuf, Arc<Packs>) {
        let dir = std::env::temp_dir().join(format!(
            "sesame-packs-{}",
            crate::server::tokens::new_id().unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in chunks {
            std::fs::write(dir.join(format!("{name}.wasm")), bytes).unwrap();
        }
        let names: Vec<String> = chunks.iter().map(|(name, _)| (*name).to_owned()).collect();
        let packs = Packs::new(dir.clone(), "/pkg".to_owned(), hashed, &names);
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
            true,
        );
        let pack = packs
            .pack(["split_home", "chunk_2.h", "split_home", "unknown"])
            .unwrap();
        assert_eq!(pack.chunks, ["chunk_2.h", "split_home"]);
        let file = pack.address.strip_prefix("/pkg/packs/").unwrap();
        let build = packs.build.clone().unwrap();
        assert_eq!(build.len(), 24);
        assert_eq!(file, format!("{build}.06.pack"));
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

    #[test]
    fn a_chunk_name_that_could_leave_the_folder_or_split_a_list_goes_in_no_pack() {
        for plain in ["chunk_7.VU_uMeTTGgFNrzPZF-eVMA", "split_home", "a"] {
            assert!(is_plain_chunk_name(plain), "{plain}");
        }
        for odd in [
            "",
            "../../etc/passwd",
            "pkg/chunk_1",
            "..",
            ".hidden",
            "chunk 1",
            "chunk_1\"x",
            "chunk_é",
            "c\\d",
            &"c".repeat(129),
        ] {
            assert!(!is_plain_chunk_name(odd), "{odd}");
        }
        let names: Vec<String> = ["chunk_1.aa", "../secret", "chunk 2"]
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        let packs = Arc::new(Packs::new(PathBuf::new(), "/pkg".to_owned(), true, &names));
        assert_eq!(packs.names, ["chunk_1.aa"]);
        assert!(
            packs.pack(["../secret", "chunk 2"]).is_none(),
            "no pack of odd names"
        );
        assert_eq!(
            packs.pack(["chunk_1.aa", "../secret"]).unwrap().chunks,
            ["chunk_1.aa"]
        );
    }

    #[test]
    fn the_build_in_an_address_changes_with_any_chunk_and_only_then() {
        let names =
            |list: &[&str]| -> Vec<String> { list.iter().map(|n| (*n).to_owned()).collect() };
        let build =
            |list: &[&str]| Packs::new(PathBuf::new(), "/pkg".to_owned(), true, &names(list)).build;
        assert_eq!(
            build(&["chunk_1.aa", "chunk_2.bb"]),
            build(&["chunk_2.bb", "chunk_1.aa"])
        );
        assert_ne!(
            build(&["chunk_1.aa", "chunk_2.bb"]),
            build(&["chunk_1.aa", "chunk_2.bc"])
        );
    }

    #[tokio::test]
    async fn once_made_a_pack_goes_in_brotli_to_a_browser_that_takes_it() {
        let chunk = b"\0asm".repeat(500);
        let (dir, packs) = packs_of(&[("chunk_1", &chunk)], true);
        let address = packs.pack(["chunk_1"]).unwrap().address;
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
        assert!(response.headers().get(header::CACHE_CONTROL).is_none());
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
    async fn a_pack_no_page_named_is_streamed_uncached_and_only_a_few_at_once() {
        let (dir, packs) = packs_of(
            &[("chunk_1", b"\0asm-one"), ("chunk_2", b"\0asm-two")],
            false,
        );
        let response = Arc::clone(&packs).answer("03.pack", true).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(unpacked(&body_of(response).await).len(), 2);
        assert!(packs.made.lock().unwrap().is_empty(), "nothing was kept");
        // Bodies not read yet hold their permits: the next one is refused.
        let mut held = Vec::new();
        for _ in 0..ON_DEMAND {
            let response = Arc::clone(&packs).answer("01.pack", false).await;
            assert_eq!(response.status(), StatusCode::OK);
            held.push(response);
        }
        let refused = Arc::clone(&packs).answer("02.pack", false).await;
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        drop(held);
        let again = Arc::clone(&packs).answer("02.pack", false).await;
        assert_eq!(again.status(), StatusCode::OK);
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
        let (dir, packs) = packs_of(&chunks, true);
        let build = packs.build.clone().unwrap();
        // Ten chunks: two bytes of bits, the six past the tenth unset.
        assert!(packs.parse(&format!("{build}.0102.pack")).is_some());
        for file in [
            format!("{build}.0000.pack"),                    // no chunk
            format!("{build}.01.pack"),                      // too short
            format!("{build}.010200.pack"),                  // too long
            format!("{build}.0104.pack"),                    // a bit past the tenth chunk
            format!("{build}.0A02.pack"),                    // another spelling of a pack
            "000000000000000000000000.0102.pack".to_owned(), // another build
            "0102.pack".to_owned(),                          // no build
            format!("{build}.0102.wasm"),                    // not a pack
            format!("{build}.zz02.pack"),                    // not hex
            format!("{build}.0102.pack.br"),                 // not a pack
        ] {
            assert!(packs.parse(&file).is_none(), "{file}");
            let response = Arc::clone(&packs).answer(&file, true).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{file}");
        }
        std::fs::remove_file(dir.join("chunk_1.wasm")).unwrap();
        let response = Arc::clone(&packs)
            .answer(&format!("{build}.0300.pack"), false)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "a chunk file is gone"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unhashed_build_names_its_packs_without_a_build() {
        let (dir, packs) = packs_of(&[("chunk_1", b"\0asm")], false);
        assert_eq!(
            packs.pack(["chunk_1"]).unwrap().address,
            "/pkg/packs/01.pack"
        );
        assert!(packs.pack(["unknown"]).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_page_names_a_chunk_by_its_name_before_the_build_hashed_it() {
        assert_eq!(stem("chunk_7.x1Y2z3A4b5C6d7E8f9G0hI"), "chunk_7");
        assert_eq!(stem("split_home"), "split_home");
        assert_eq!(stem("chunk_7"), "chunk_7");
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
