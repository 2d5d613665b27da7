//! The document around the app (`<html>`, `<head>`), drawn by the server
//! only: the stylesheet, the script that starts the Wasm, and each page's
//! chunk preloads.
//!
//! The bundle's addresses are read once at start-up ([`Bundle`]). Leptos's
//! own `HydrationScripts` and `HashedStylesheet` read `hash.txt` on every
//! request, and with `--split` Leptos draws one `<Link>` component per chunk
//! a page needs (61 to 65 here) on every request: together a quarter of the
//! home page's rate. Here a page's preloads are written once per route and
//! inserted as one string ([`preload_chunks`]).

use super::packs::{self, Pack, Packs};
use super::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_meta::MetaTags;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The document of every page Leptos draws: `<head>` with the bundle's
/// files, then `app` (the composition root's, `startup`).
pub fn shell(options: LeptosOptions, app: fn() -> AnyView) -> impl IntoView {
    let lang = super::language::of_current_request();
    super::security::set_content_security_policy();
    let bundle = use_context::<AppState>().map(|state| state.bundle.clone());
    if bundle.is_none() {
        tracing::error!(
            "a page was drawn without AppState in its context: no stylesheet, no script"
        );
    }
    note_lazy_functions();
    let nonce = leptos::nonce::use_nonce().map(|nonce| nonce.to_string());
    let bundle_tags = bundle.map(|bundle| {
        view! {
            <link rel="stylesheet" id="leptos" href=bundle.css.clone() />
            // Fetched once the page is painted (the start script), so that
            // the first paint waits for nothing but the HTML and the CSS.
            <template data-preloads="">
                <link rel="modulepreload" href=bundle.js.clone() crossorigin="anonymous" />
                <link
                    rel="preload"
                    href=bundle.wasm.clone()
                    r#as="fetch"
                    r#type="application/wasm"
                    crossorigin="anonymous"
                />
            </template>
            <script type="module" nonce=nonce>
                {bundle.start_script(lang).to_owned()}
            </script>
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options />
                {bundle_tags}
                <MetaTags />
            </head>
            <body>{app()}</body>
        </html>
    }
}

/// The browser bundle's addresses, read once at start-up from what
/// cargo-leptos wrote: `hash.txt` next to the executable (`hash-files`) and,
/// for a `--split` build, `__wasm_split_manifest.<hash>.json` in `pkg`.
#[derive(Debug, Default)]
pub struct Bundle {
    /// `/pkg/sesame.<hash>.css`.
    pub css: String,
    /// `/pkg/sesame.<hash>.js`: the module that loads the Wasm.
    pub js: String,
    /// `/pkg/sesame.<hash>.wasm`: the main module (with `--split`, the code
    /// every page shares).
    pub wasm: String,
    /// The sentences of each language, which the app draws pages with.
    pub sentences: super::sentences::Sentences,
    /// For each language of [`crate::i18n::Lang::ALL`], in that order, the
    /// module script that loads [`Bundle::js`], instantiates
    /// [`Bundle::wasm`], fetches that language's sentences and hydrates
    /// the page.
    start_scripts: Vec<String>,
    /// `--split` builds only.
    split: Option<Split>,
}

#[derive(Debug)]
struct Split {
    /// `/pkg/__wasm_split.<hash>.js`, which fetches and links the chunks.
    loader: String,
    /// The chunks, sent a page's worth at a time.
    packs: Arc<Packs>,
    /// A lazy function (`#[lazy]`, such as a route's view) → the chunks it
    /// needs, named without `.wasm`.
    chunks: HashMap<String, Vec<String>>,
    /// The lazy functions a page ran, sorted → their `<template
    /// data-preloads>`, written at the first such page.
    written: RwLock<HashMap<Vec<&'static str>, Bytes>>,
    /// Each address of [`LinkedRoutes`] → the chunks its route needs.
    linked: Vec<(&'static str, Vec<String>)>,
    /// (The lazy functions a page ran, which of `linked` its links lead
    /// to, as bits) → the `<template data-prefetch>` of the chunks those
    /// routes need that the page has not, written at the first such page.
    prefetches: RwLock<HashMap<(Vec<&'static str>, u64), Bytes>>,
}

/// Addresses a link may lead to, each with the snake-case name of the route
/// that draws it (`app::LINKED_ROUTES`, handed in by `startup`).
pub type LinkedRoutes = &'static [(&'static str, &'static str)];

impl Split {
    fn new(
        loader: String,
        packs: Packs,
        chunks: HashMap<String, Vec<String>>,
        routes: LinkedRoutes,
    ) -> Split {
        let linked = routes
            .iter()
            .filter_map(|(path, route)| {
                let prefix = format!("__{route}_view_");
                let found = chunks
                    .iter()
                    .find(|(function, _)| function.starts_with(&prefix));
                if found.is_none() {
                    tracing::warn!(route, "the split manifest has no chunks for this route; its links are not prefetched");
                }
                found.map(|(_, needed)| (*path, needed.clone()))
            })
            .collect();
        Split {
            loader,
            packs: Arc::new(packs),
            chunks,
            written: RwLock::default(),
            linked,
            prefetches: RwLock::default(),
        }
    }

    /// The chunks the lazy functions `functions` need, in their order,
    /// each as often as a function names it.
    fn chunks_of<'a>(&'a self, functions: &'a [&str]) -> impl Iterator<Item = &'a String> {
        functions
            .iter()
            .flat_map(|function| self.chunks.get(*function).into_iter().flatten())
    }
}

/// `data-pack="<address>" data-chunks="<stem> <stem>…"`: where the start
/// script fetches a pack, and which chunks it holds, each by its name
/// without its hash ([`packs::stem`]), in the pack's folder's parent.
fn pack_attributes(pack: &Pack) -> String {
    let stems: Vec<&str> = pack.chunks.iter().map(|chunk| packs::stem(chunk)).collect();
    format!(
        "data-pack=\"{}\" data-chunks=\"{}\"",
        html_escape::encode_double_quoted_attribute(&pack.address),
        html_escape::encode_double_quoted_attribute(&stems.join(" "))
    )
}

/// The lazy functions `ran`, sorted: the key of a page's written links.
fn sorted(ran: &HashSet<&'static str>) -> Vec<&'static str> {
    let mut key: Vec<&'static str> = ran.iter().copied().collect();
    key.sort_unstable();
    key
}

impl Bundle {
    /// Reads `hash.txt` beside `exe_dir` (when `options.hash_files`) and the
    /// split manifest under `options.site_root`. Without `hash.txt` the
    /// files keep their plain names, as Leptos does; without a manifest (a
    /// build without `--split`) pages name no chunks. An unreadable manifest
    /// is logged and treated as absent: the chunks then arrive when the page
    /// asks for them, a little later. `routes`: the addresses whose chunks a
    /// page linking to them fetches ahead once idle.
    pub fn load(options: &LeptosOptions, exe_dir: Option<&Path>, routes: LinkedRoutes) -> Bundle {
        let hashes: HashMap<String, String> = if options.hash_files {
            exe_dir
                .map(|dir| dir.join(options.hash_file.as_ref()))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .unwrap_or_default()
                .lines()
                .filter_map(|line| line.split_once(':'))
                .map(|(file, hash)| (file.trim().to_owned(), hash.trim().to_owned()))
                .collect()
        } else {
            HashMap::new()
        };
        let pkg = format!("/{}", options.site_pkg_dir);
        let name = |stem: &str, kind: &str, extension: &str| match hashes.get(kind) {
            Some(hash) => format!("{stem}.{hash}.{extension}"),
            None => format!("{stem}.{extension}"),
        };
        // Unhashed, cargo-leptos names the chunk loader with a placeholder
        // of 22 underscores, which hashing replaces.
        let loader = match hashes.get("split") {
            Some(hash) => format!("__wasm_split.{hash}.js"),
            None => format!("__wasm_split.{}.js", "_".repeat(22)),
        };
        let output = options.output_name.as_ref();
        // cargo-leptos names the Wasm `<output>_bg.wasm` when it neither
        // hashes the files nor sets LEPTOS_OUTPUT_NAME.
        let wasm_stem = if !options.hash_files && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            format!("{output}_bg")
        } else {
            output.to_owned()
        };
        let js = format!("{pkg}/{}", name(output, "js", "js"));
        let wasm = format!("{pkg}/{}", name(&wasm_stem, "wasm", "wasm"));
        let manifest = PathBuf::from(options.site_root.as_ref())
            .join(options.site_pkg_dir.as_ref())
            .join(name("__wasm_split_manifest", "manifest", "json"));
        let split = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| match serde_json::from_str(&text) {
                Ok(chunks) => {
                    let chunks: HashMap<String, Vec<String>> = chunks;
                    let packs = Packs::new(
                        manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
                        pkg.clone(),
                        !hashes.is_empty(),
                        chunks.values().flatten(),
                    );
                    Some(Split::new(format!("{pkg}/{loader}"), packs, chunks, routes))
                }
                Err(error) => {
                    tracing::warn!(%error, manifest = %manifest.display(), "the split manifest is unreadable; pages name no chunks");
                    None
                }
            });
        let sentences = super::sentences::Sentences::new();
        let start_scripts = crate::i18n::Lang::ALL
            .into_iter()
            .map(|lang| start_script(&js, &wasm, &sentences.address(&pkg, lang)))
            .collect();
        Bundle {
            css: format!("{pkg}/{}", name(output, "css", "css")),
            sentences,
            start_scripts,
            js,
            wasm,
            split,
        }
    }

    /// The `<template data-preloads>` of a page that ran the lazy functions
    /// `ran`: its `data-pack` names the pack of the chunks they need, which
    /// the start script fetches once the page is painted, and it holds the
    /// chunk loader's `modulepreload`, which the script puts into the head
    /// then. `None` for a build without `--split` or a page that ran none.
    /// Written at the first page that ran this set.
    fn chunk_links(&self, ran: &HashSet<&'static str>) -> Option<Bytes> {
        let split = self.split.as_ref()?;
        if ran.is_empty() {
            return None;
        }
        let key = sorted(ran);
        if let Some(links) = split.written.read().ok()?.get(&key) {
            return Some(links.clone());
        }
        let pack = split
            .packs
            .pack(split.chunks_of(&key).map(String::as_str))?;
        let links = Bytes::from(format!(
            "<template data-preloads=\"\" {}>\
             <link rel=\"modulepreload\" href=\"{}\" crossorigin=\"anonymous\"></template>",
            pack_attributes(&pack),
            html_escape::encode_double_quoted_attribute(&split.loader)
        ));
        if let Ok(mut written) = split.written.write() {
            written.insert(key, links.clone());
        }
        Some(links)
    }

    /// The packs of this build's chunks; `None` without `--split`.
    pub fn packs(&self) -> Option<Arc<Packs>> {
        self.split.as_ref().map(|split| Arc::clone(&split.packs))
    }

    /// The start script of a page drawn in `lang`; empty in a bundle made
    /// without [`Bundle::load`] (tests).
    fn start_script(&self, lang: crate::i18n::Lang) -> &str {
        self.start_scripts
            .get(lang.index())
            .map_or("", String::as_str)
    }
}

impl Bundle {
    /// Which of the [`LinkedRoutes`] `html` links to, as
    /// bits of [`Split::linked`]: an `href` of exactly its address, or of
    /// its address and a query or a fragment.
    fn linked_in(&self, html: &[u8]) -> u64 {
        const HREF: &[u8] = b"href=\"";
        let Some(split) = self.split.as_ref() else {
            return 0;
        };
        let mut bits = 0;
        let mut rest = html;
        while let Some(at) = memchr::memmem::find(rest, HREF) {
            rest = &rest[at + HREF.len()..];
            let end = rest
                .iter()
                .position(|b| matches!(b, b'"' | b'?' | b'#'))
                .unwrap_or(rest.len());
            let address = &rest[..end];
            if let Some(index) = split
                .linked
                .iter()
                .take(64)
                .position(|(path, _)| path.as_bytes() == address)
            {
                bits |= 1 << index;
            }
        }
        bits
    }

    /// The `<template data-prefetch>` whose `data-pack` names the pack of
    /// the chunks of the routes `linked` (bits of [`Split::linked`]) that
    /// the lazy functions `ran` do not already need; the start script
    /// fetches it once the page has hydrated and the browser is idle.
    /// `None` when there is none.
    fn prefetch_links(&self, ran: &HashSet<&'static str>, linked: u64) -> Option<Bytes> {
        let split = self.split.as_ref()?;
        if linked == 0 {
            return None;
        }
        let key = (sorted(ran), linked);
        if let Some(links) = split.prefetches.read().ok()?.get(&key) {
            return Some(links.clone());
        }
        let had: HashSet<&str> = split.chunks_of(&key.0).map(String::as_str).collect();
        let ahead = split
            .linked
            .iter()
            .enumerate()
            .take(64)
            .filter(|(index, _)| linked & (1 << index) != 0)
            .flat_map(|(_, (_, chunks))| chunks)
            .map(String::as_str)
            .filter(|chunk| !had.contains(chunk));
        let links = split.packs.pack(ahead).map(|pack| {
            Bytes::from(format!(
                "<template data-prefetch=\"\" {}></template>",
                pack_attributes(&pack)
            ))
        });
        if let (Some(links), Ok(mut written)) = (&links, split.prefetches.write()) {
            written.insert(key, links.clone());
        }
        links
    }
}

/// The page's start script: `start.js` (what it does is told there),
/// without its comments and indents, then its call with the addresses of
/// wasm-bindgen's module `js`, of the main Wasm `wasm` and of the page's
/// language's `sentences` ([`super::sentences`]). Lighthouse's simulation counts every request that
/// ended before the largest paint as needed for it; none does.
///
/// The addresses are JSON strings with `<`, `>` and `&` written as `\u`
/// escapes, so that no address can end the `<script>` element, whose text
/// Leptos writes as it is.
fn start_script(js: &str, wasm: &str, sentences: &str) -> String {
    let addresses = serde_json::json!({ "js": js, "wasm": wasm, "sentences": sentences })
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let mut script = String::new();
    for line in include_str!("start.js").lines().map(str::trim) {
        if !line.is_empty() && !line.starts_with("//") {
            script.push_str(line);
            script.push('\n');
        }
    }
    script.push_str(&format!("start({addresses});"));
    script
}

/// Where a page drawn for one request leaves the lazy functions it ran
/// (Leptos records them while the page is drawn), for [`with_chunk_preloads`]
/// to read once the page is complete.
#[derive(Clone, Default)]
pub struct LazyFunctionsRan(Arc<Mutex<Option<leptos::PrefetchLazyFn>>>);

impl LazyFunctionsRan {
    fn names(&self) -> HashSet<&'static str> {
        use leptos::prelude::ReadValue;
        let Ok(recorded) = self.0.lock() else {
            return HashSet::new();
        };
        recorded
            .as_ref()
            .and_then(|ran| ran.0.try_read_value().map(|names| names.clone()))
            .unwrap_or_default()
    }
}

/// Called by the shell: hands Leptos's record of this request's lazy
/// functions to the request's [`LazyFunctionsRan`], if it has one.
fn note_lazy_functions() {
    let (Some(parts), Some(ran)) = (
        use_context::<axum::http::request::Parts>(),
        use_context::<leptos::PrefetchLazyFn>(),
    ) else {
        return;
    };
    if let Some(slot) = parts.extensions.get::<LazyFunctionsRan>() {
        if let Ok(mut recorded) = slot.0.lock() {
            *recorded = Some(ran);
        }
    }
}

/// Middleware: gives each request a [`LazyFunctionsRan`], and names the
/// chunks its page needs in the page's `<head>`, and those of the pages it
/// links to before its `</body>` ([`with_chunk_preloads`]).
pub async fn preload_chunks(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if state.bundle.split.is_none() {
        return next.run(request).await;
    }
    let ran = LazyFunctionsRan::default();
    request.extensions_mut().insert(ran.clone());
    let response = next.run(request).await;
    with_chunk_preloads(&state.bundle, &ran, response)
}

/// Inserts the preloads of the chunks `ran` names before the `</head>` of
/// an HTML `response`, whose first piece holds the whole `<head>` (Leptos
/// renders it so, to insert its own meta tags there), and, before the
/// `</body>`, the prefetches of the chunks of the pages its links lead to
/// ([`Bundle::prefetch_links`]; a link in a piece streamed after that one,
/// or a `</body>` split between two pieces, only means no prefetch). Any
/// other response, or one drawn without lazy functions, passes unchanged.
pub fn with_chunk_preloads(
    bundle: &Arc<Bundle>,
    ran: &LazyFunctionsRan,
    response: Response,
) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let ran = ran.names();
    let Some(links) = bundle.chunk_links(&ran) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut first = true;
    let mut linked = 0;
    let bundle = Arc::clone(bundle);
    let body = futures::StreamExt::map(body.into_data_stream(), move |piece| {
        let piece = piece?;
        let piece = if std::mem::take(&mut first) {
            insert_before_head_end(&piece, &links).unwrap_or(piece)
        } else {
            piece
        };
        linked |= bundle.linked_in(&piece);
        let Some(body_end) = memchr::memmem::find(&piece, BODY_END) else {
            return Ok::<_, axum::Error>(piece);
        };
        Ok(match bundle.prefetch_links(&ran, linked) {
            Some(prefetch) => insert_at(&piece, body_end, &prefetch),
            None => piece,
        })
    });
    Response::from_parts(parts, Body::from_stream(body))
}

const BODY_END: &[u8] = b"</body>";

/// `html` with `links` just before its `</head>`; `None` if it has none.
/// Every page the server sends is searched here and in
/// [`Bundle::linked_in`] and [`with_chunk_preloads`], each time with
/// `memchr`'s substring search: a comparison of every window, byte by byte,
/// took about 5 % of the server's time under load (BENCHMARKS.md, part 15,
/// sixth pass).
fn insert_before_head_end(html: &[u8], links: &[u8]) -> Option<Bytes> {
    let at = memchr::memmem::find(html, b"</head>")?;
    Some(insert_at(html, at, links))
}

/// `html` with `links` at byte `at` (at most `html.len()`).
fn insert_at(html: &[u8], at: usize, links: &[u8]) -> Bytes {
    let mut joined = Vec::with_capacity(html.len() + links.len());
    joined.extend_from_slice(&html[..at]);
    joined.extend_from_slice(links);
    joined.extend_from_slice(&html[at..]);
    Bytes::from(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_bundle(chunks: &[(&str, &[&str])]) -> Bundle {
        let chunks = chunks
            .iter()
            .map(|(function, names)| {
                (
                    (*function).to_owned(),
                    names.iter().map(|name| (*name).to_owned()).collect(),
                )
            })
            .collect();
        let names: Vec<String> = ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec();
        let packs = Packs::new(PathBuf::from("/nowhere"), "/pkg".to_owned(), false, &names);
        Bundle {
            split: Some(Split::new(
                "/pkg/__wasm_split.h.js".to_owned(),
                packs,
                chunks,
                &[
                    ("/", "home_route"),
                    ("/inscription", "signup_route"),
                    ("/mot-de-passe-oublie", "forgot_password_route"),
                    ("/securite", "security_route"),
                ],
            )),
            ..Bundle::default()
        }
    }

    /// A response of `pieces` of HTML, passed through
    /// [`with_chunk_preloads`] for a page that ran `home_view_1`.
    async fn drawn(bundle: Bundle, pieces: &[&'static str]) -> String {
        let ran = LazyFunctionsRan::default();
        *ran.0.lock().unwrap() = Some(leptos::PrefetchLazyFn::default());
        {
            use leptos::prelude::WriteValue;
            let recorded = ran.0.lock().unwrap();
            recorded
                .as_ref()
                .unwrap()
                .0
                .write_value()
                .insert("home_view_1");
        }
        let pieces: Vec<Result<Bytes, std::io::Error>> = pieces
            .iter()
            .map(|piece| Ok(Bytes::from_static(piece.as_bytes())))
            .collect();
        let mut response = Response::new(Body::from_stream(futures::stream::iter(pieces)));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let response = with_chunk_preloads(&Arc::new(bundle), &ran, response);
        let html = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(html.to_vec()).unwrap()
    }

    /// The chunks a pack address names (of the six of [`split_bundle`],
    /// `a` to `f`, unhashed).
    fn packed(html: &str, template: &str) -> Vec<char> {
        let found = html
            .split(&format!(
                "<template data-{template}=\"\" data-pack=\"/pkg/packs/"
            ))
            .nth(1)
            .unwrap_or_else(|| panic!("no {template} pack in {html}"));
        let bits = u8::from_str_radix(found.split(".pack\"").next().unwrap(), 16).unwrap();
        ('a'..='f')
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, c)| c)
            .collect()
    }

    #[test]
    fn a_page_names_one_pack_of_the_chunks_its_lazy_functions_need_then_the_loader() {
        let bundle = split_bundle(&[("home_view_1", &["a", "b"]), ("box_view_2", &["b", "c"])]);
        let links = bundle
            .chunk_links(&HashSet::from(["home_view_1", "box_view_2"]))
            .unwrap();
        let links = std::str::from_utf8(&links).unwrap();
        assert_eq!(packed(links, "preloads"), ['a', 'b', 'c']);
        assert_eq!(
            links,
            "<template data-preloads=\"\" data-pack=\"/pkg/packs/07.pack\" data-chunks=\"a b c\">\
             <link rel=\"modulepreload\" href=\"/pkg/__wasm_split.h.js\" crossorigin=\"anonymous\"></template>"
        );
    }

    #[test]
    fn a_build_without_split_or_a_page_without_lazy_functions_names_no_chunk() {
        assert!(Bundle::default()
            .chunk_links(&HashSet::from(["home_view_1"]))
            .is_none());
        let bundle = split_bundle(&[("home_view_1", &["a"])]);
        assert!(bundle.chunk_links(&HashSet::new()).is_none());
        assert!(bundle.chunk_links(&HashSet::from(["unknown"])).is_none());
    }

    #[tokio::test]
    async fn the_preloads_go_just_before_the_head_ends_and_the_rest_streams_unchanged() {
        let bundle = split_bundle(&[("home_view_1", &["a"])]);
        let html = drawn(
            bundle,
            &[
                "<html><head><title>t</title></head><body>",
                "</head></body></html>",
            ],
        )
        .await;
        assert_eq!(
            html,
            "<html><head><title>t</title><template data-preloads=\"\" data-pack=\"/pkg/packs/01.pack\" data-chunks=\"a\">\
             <link rel=\"modulepreload\" href=\"/pkg/__wasm_split.h.js\" crossorigin=\"anonymous\">\
             </template></head><body></head></body></html>"
        );
    }

    #[tokio::test]
    async fn the_chunks_of_the_pages_a_page_links_to_are_named_for_prefetch_before_the_body_ends() {
        let bundle = split_bundle(&[
            ("home_view_1", &["a", "b"]),
            ("__signup_route_view_42", &["a", "c", "d"]),
            ("__forgot_password_route_view_42", &["b", "e"]),
            ("__security_route_view_42", &["f"]),
        ]);
        let html = drawn(
            bundle,
            &[
                "<html><head></head><body><a href=\"/inscription\">Créer</a>",
                "<a href=\"/mot-de-passe-oublie?email=x\">Oublié</a>\
                 <a href=\"/securite-x\">Autre</a></body></html>",
            ],
        )
        .await;
        assert!(html.ends_with("</template></body></html>"), "{html}");
        // The signup page's chunks and the forgotten password's, but not
        // the ones this page has already, nor the security page's (no
        // link leads there: "/securite-x" is another address).
        assert_eq!(packed(&html, "prefetch"), ['c', 'd', 'e'], "{html}");
    }

    #[tokio::test]
    async fn a_page_that_links_nowhere_new_names_nothing_for_prefetch() {
        let bundle = split_bundle(&[("home_view_1", &["a"]), ("__home_route_view_42", &["a"])]);
        let html = drawn(
            bundle,
            &["<html><head></head><body><a href=\"/\">Accueil</a></body></html>"],
        )
        .await;
        assert!(!html.contains("data-prefetch"), "{html}");
    }

    #[test]
    fn the_start_script_quotes_the_addresses_and_nothing_in_it_ends_the_script_element() {
        let script = start_script(
            "/pkg/sesame.h.js",
            "/pkg/sesame.h.wasm",
            "/pkg/sentences/fr.h.txt",
        );
        let call = script.rsplit_once("start(").unwrap().1;
        let addresses: serde_json::Value =
            serde_json::from_str(call.strip_suffix(");").unwrap()).unwrap();
        assert_eq!(
            addresses,
            serde_json::json!({
                "js": "/pkg/sesame.h.js",
                "wasm": "/pkg/sesame.h.wasm",
                "sentences": "/pkg/sentences/fr.h.txt",
            })
        );
        assert!(script.contains("requestAnimationFrame"), "{script}");
        assert!(!script.contains("\n//"), "comments are left out: {script}");
        let odd = start_script("/p</script>&.js", "/p<!--.wasm", "/p<!--.txt");
        let lower = odd.to_lowercase();
        assert!(
            !lower.contains("</script") && !lower.contains("<!--"),
            "{odd}"
        );
        assert!(odd.contains(r"/p\u003c/script\u003e\u0026.js"), "{odd}");
    }

    /// A site folder holding `files` (path → content), and the bundle
    /// [`Bundle::load`] reads from it (`hash.txt` beside it too).
    fn bundle_of_site(files: &[(&str, &str)]) -> (PathBuf, Bundle) {
        let dir = std::env::temp_dir().join(format!(
            "sesame-bundle-{}",
            crate::server::tokens::new_id().unwrap()
        ));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        for (path, content) in files {
            std::fs::write(dir.join(path), content).unwrap();
        }
        let options = LeptosOptions::builder()
            .output_name("sesame")
            .site_root(dir.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .hash_files(true)
            .build();
        let bundle = Bundle::load(&options, Some(&dir), &[]);
        (dir, bundle)
    }

    #[test]
    fn without_hashes_the_chunk_loader_keeps_cargo_leptos_placeholder_name() {
        let (dir, bundle) = bundle_of_site(&[(
            "pkg/__wasm_split_manifest.json",
            r#"{"home_view_1": ["chunk_1"]}"#,
        )]);
        assert_eq!(bundle.js, "/pkg/sesame.js");
        // A page in English fetches the English sentences, one in French
        // the French ones.
        for lang in crate::i18n::Lang::ALL {
            let address = bundle.sentences.address("/pkg", lang);
            assert!(bundle.start_script(lang).contains(&address), "{lang:?}");
            assert!(address.starts_with(&format!("/pkg/sentences/{}.", lang.code())));
        }
        let links = bundle.chunk_links(&HashSet::from(["home_view_1"])).unwrap();
        let links = std::str::from_utf8(&links).unwrap();
        assert!(
            links.contains("href=\"/pkg/__wasm_split.______________________.js\""),
            "{links}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn hashed_names_come_from_hash_txt_and_the_manifest_is_read_once() {
        let (dir, bundle) = bundle_of_site(&[
            (
                "hash.txt",
                "js: J1\nwasm: W2\ncss: C3\nsplit: S4\nmanifest: M5\n",
            ),
            (
                "pkg/__wasm_split_manifest.M5.json",
                r#"{"home_view_1": ["chunk_1.K6"]}"#,
            ),
        ]);
        assert_eq!(bundle.js, "/pkg/sesame.J1.js");
        assert_eq!(bundle.wasm, "/pkg/sesame.W2.wasm");
        assert_eq!(bundle.css, "/pkg/sesame.C3.css");
        let links = bundle.chunk_links(&HashSet::from(["home_view_1"])).unwrap();
        let links = std::str::from_utf8(&links).unwrap();
        let build = bundle
            .packs()
            .unwrap()
            .pack(["chunk_1.K6"])
            .unwrap()
            .address;
        assert!(
            build.starts_with("/pkg/packs/") && build.ends_with(".01.pack") && build.len() > 30,
            "a hashed build names its packs with a digest: {build}"
        );
        assert!(
            links.contains(&format!("data-pack=\"{build}\" data-chunks=\"chunk_1\""))
                && links.contains("/pkg/__wasm_split.S4.js"),
            "the page names each chunk without its hash: {links}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
