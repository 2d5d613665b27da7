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
            <link rel="modulepreload" href=bundle.js.clone() crossorigin="anonymous" />
            <link
                rel="preload"
                href=bundle.wasm.clone()
                r#as="fetch"
                r#type="application/wasm"
                crossorigin="anonymous"
            />
            <script type="module" nonce=nonce>
                {bundle.start_script.clone()}
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
    /// The module script that loads [`Bundle::js`], instantiates
    /// [`Bundle::wasm`] and hydrates the page.
    start_script: String,
    /// `--split` builds only.
    split: Option<Split>,
}

#[derive(Debug)]
struct Split {
    /// `/pkg/__wasm_split.<hash>.js`, which fetches and links the chunks.
    loader: String,
    /// `/pkg`.
    pkg: String,
    /// A lazy function (`#[lazy]`, such as a route's view) → the chunks it
    /// needs, named without `.wasm`.
    chunks: HashMap<String, Vec<String>>,
    /// The lazy functions a page ran, sorted → their `<link>`s, written at
    /// the first such page.
    written: RwLock<HashMap<Vec<&'static str>, Bytes>>,
}

impl Bundle {
    /// Reads `hash.txt` beside `exe_dir` (when `options.hash_files`) and the
    /// split manifest under `options.site_root`. Without `hash.txt` the
    /// files keep their plain names, as Leptos does; without a manifest (a
    /// build without `--split`) pages name no chunks. An unreadable manifest
    /// is logged and treated as absent: the chunks then arrive when the page
    /// asks for them, a little later.
    pub fn load(options: &LeptosOptions, exe_dir: Option<&Path>) -> Bundle {
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
                Ok(chunks) => Some(Split {
                    loader: format!("{pkg}/{loader}"),
                    pkg: pkg.clone(),
                    chunks,
                    written: RwLock::default(),
                }),
                Err(error) => {
                    tracing::warn!(%error, manifest = %manifest.display(), "the split manifest is unreadable; pages name no chunks");
                    None
                }
            });
        Bundle {
            css: format!("{pkg}/{}", name(output, "css", "css")),
            start_script: start_script(&js, &wasm),
            js,
            wasm,
            split,
        }
    }

    /// The `<link>`s that preload the chunks the lazy functions `ran` need,
    /// and the chunk loader; `None` for a build without `--split` or a page
    /// that ran none. Written at the first page that ran this set.
    fn chunk_links(&self, ran: &HashSet<&'static str>) -> Option<Bytes> {
        let split = self.split.as_ref()?;
        if ran.is_empty() {
            return None;
        }
        let mut key: Vec<&'static str> = ran.iter().copied().collect();
        key.sort_unstable();
        if let Some(links) = split.written.read().ok()?.get(&key) {
            return Some(links.clone());
        }
        let mut seen = HashSet::new();
        let mut links = String::new();
        for chunk in key
            .iter()
            .flat_map(|function| split.chunks.get(*function).into_iter().flatten())
            .filter(|chunk| seen.insert(chunk.as_str()))
        {
            links.push_str(&format!(
                "<link rel=\"preload\" href=\"{}/{}.wasm\" as=\"fetch\" \
                 type=\"application/wasm\" crossorigin=\"anonymous\">",
                html_escape::encode_double_quoted_attribute(&split.pkg),
                html_escape::encode_double_quoted_attribute(chunk)
            ));
        }
        if links.is_empty() {
            return None;
        }
        links.push_str(&format!(
            "<link rel=\"modulepreload\" href=\"{}\" crossorigin=\"anonymous\">",
            html_escape::encode_double_quoted_attribute(&split.loader)
        ));
        let links = Bytes::from(links);
        if let Ok(mut written) = split.written.write() {
            written.insert(key, links.clone());
        }
        Some(links)
    }
}

/// `import(js)`, then the Wasm, then `hydrate()`: what wasm-bindgen's
/// generated module asks of its caller. The addresses are JSON strings
/// with `<`, `>` and `&` written as `\u` escapes, so nothing in the script
/// can end the `<script>` element or needs escaping inside it.
fn start_script(js: &str, wasm: &str) -> String {
    let quoted = |text: &str| {
        serde_json::to_string(text)
            .unwrap_or_else(|_| "\"\"".to_owned())
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    };
    format!(
        "import({js}).then(function (bundle) {{ \
         return bundle.default({{ module_or_path: {wasm} }}).then(function () {{ bundle.hydrate(); }}); }});",
        js = quoted(js),
        wasm = quoted(wasm),
    )
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
/// chunks its page needs in the page's `<head>` ([`with_chunk_preloads`]).
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
/// renders it so, to insert its own meta tags there). Any other response,
/// or one drawn without lazy functions, passes unchanged.
pub fn with_chunk_preloads(
    bundle: &Bundle,
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
    let Some(links) = bundle.chunk_links(&ran.names()) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut first = true;
    let body = futures::StreamExt::map(body.into_data_stream(), move |piece| {
        let piece = piece?;
        if !std::mem::take(&mut first) {
            return Ok::<_, axum::Error>(piece);
        }
        Ok(insert_before_head_end(&piece, &links).unwrap_or(piece))
    });
    Response::from_parts(parts, Body::from_stream(body))
}

/// `html` with `links` just before its `</head>`; `None` if it has none.
fn insert_before_head_end(html: &[u8], links: &[u8]) -> Option<Bytes> {
    const HEAD_END: &[u8] = b"</head>";
    let at = html
        .windows(HEAD_END.len())
        .position(|window| window == HEAD_END)?;
    let mut joined = Vec::with_capacity(html.len() + links.len());
    joined.extend_from_slice(&html[..at]);
    joined.extend_from_slice(links);
    joined.extend_from_slice(&html[at..]);
    Some(Bytes::from(joined))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_bundle(chunks: &[(&str, &[&str])]) -> Bundle {
        Bundle {
            split: Some(Split {
                loader: "/pkg/__wasm_split.h.js".to_owned(),
                pkg: "/pkg".to_owned(),
                chunks: chunks
                    .iter()
                    .map(|(function, names)| {
                        (
                            (*function).to_owned(),
                            names.iter().map(|name| (*name).to_owned()).collect(),
                        )
                    })
                    .collect(),
                written: RwLock::default(),
            }),
            ..Bundle::default()
        }
    }

    #[test]
    fn a_page_names_each_chunk_its_lazy_functions_need_once_then_the_loader() {
        let bundle = split_bundle(&[("home_view_1", &["a", "b"]), ("box_view_2", &["b", "c"])]);
        let links = bundle
            .chunk_links(&HashSet::from(["home_view_1", "box_view_2"]))
            .unwrap();
        let links = std::str::from_utf8(&links).unwrap();
        assert_eq!(links.matches("rel=\"preload\"").count(), 3, "{links}");
        for chunk in ["a", "b", "c"] {
            assert!(
                links.contains(&format!("href=\"/pkg/{chunk}.wasm\"")),
                "{links}"
            );
        }
        assert!(links.ends_with(
            "<link rel=\"modulepreload\" href=\"/pkg/__wasm_split.h.js\" crossorigin=\"anonymous\">"
        ));
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
        let pieces: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(
                b"<html><head><title>t</title></head><body>",
            )),
            Ok(Bytes::from_static(b"</head></body></html>")),
        ];
        let mut response = Response::new(Body::from_stream(futures::stream::iter(pieces)));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let response = with_chunk_preloads(&bundle, &ran, response);
        let html = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&html).unwrap(),
            "<html><head><title>t</title>\
             <link rel=\"preload\" href=\"/pkg/a.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"anonymous\">\
             <link rel=\"modulepreload\" href=\"/pkg/__wasm_split.h.js\" crossorigin=\"anonymous\">\
             </head><body></head></body></html>"
        );
    }

    #[test]
    fn the_start_script_quotes_the_addresses_and_needs_no_escaping_in_html() {
        let script = start_script("/pkg/sesame.h.js", "/pkg/sesame.h.wasm");
        assert!(
            script.starts_with("import(\"/pkg/sesame.h.js\")"),
            "{script}"
        );
        assert!(
            script.contains("module_or_path: \"/pkg/sesame.h.wasm\""),
            "{script}"
        );
        assert!(!script.contains(['<', '>', '&']), "{script}");
        let odd = start_script("/p</script>&.js", "/p>.wasm");
        assert!(!odd.contains(['<', '>', '&']), "{odd}");
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
        let bundle = Bundle::load(&options, Some(&dir));
        (dir, bundle)
    }

    #[test]
    fn without_hashes_the_chunk_loader_keeps_cargo_leptos_placeholder_name() {
        let (dir, bundle) = bundle_of_site(&[(
            "pkg/__wasm_split_manifest.json",
            r#"{"home_view_1": ["chunk_1"]}"#,
        )]);
        assert_eq!(bundle.js, "/pkg/sesame.js");
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
                r#"{"home_view_1": ["chunk_1"]}"#,
            ),
        ]);
        assert_eq!(bundle.js, "/pkg/sesame.J1.js");
        assert_eq!(bundle.wasm, "/pkg/sesame.W2.wasm");
        assert_eq!(bundle.css, "/pkg/sesame.C3.css");
        let links = bundle.chunk_links(&HashSet::from(["home_view_1"])).unwrap();
        let links = std::str::from_utf8(&links).unwrap();
        assert!(links.contains("/pkg/chunk_1.wasm") && links.contains("/pkg/__wasm_split.S4.js"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
