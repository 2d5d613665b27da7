//! Part 6: the browser's files, precompressed and cached.

use crate::helpers::*;

#[tokio::test]
async fn hashed_files_are_served_precompressed_and_kept_a_year() {
    let site = site_with(&[
        ("sesame.Ab12Cd.wasm", &[0u8; 50_000]),
        ("plain.css", b"body { margin: 0; }"),
    ]);
    sesame::server::assets::precompress(&site.join("pkg")).unwrap();
    let app = spawn_app_with(|config| config.site_root = site.clone()).await;

    let brotli = get_accepting(&app, "/pkg/sesame.Ab12Cd.wasm", "gzip, deflate, br").await;
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(brotli.headers()["vary"], "accept-encoding");
    let compressed = brotli.bytes().await.unwrap();
    assert!(compressed.len() < 1_000, "{} bytes", compressed.len());

    let gzip = get_accepting(&app, "/pkg/sesame.Ab12Cd.wasm", "gzip").await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");

    let unhashed = app
        .client
        .get(format!("{}/pkg/plain.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_chunks_of_a_split_build_are_sent_in_one_pack_and_an_address_of_no_pack_is_not_found() {
    let site = site_with(&[
        (
            "__wasm_split_manifest.json",
            br#"{"home_view_1": ["chunk_1", "chunk_2"]}"#,
        ),
        ("chunk_1.wasm", b"\0asm-one"),
        ("chunk_2.wasm", b"\0asm-two"),
    ]);
    let app = spawn_app_with(|config| config.site_root = site.clone()).await;

    // No page of this server named it yet: streamed as it is read, and
    // checked again next time (a copy in brotli comes once a page names it).
    // (`br` only: the pages' layer compresses in gzip alone, so this comes
    // as it is.)
    let pack = get_accepting(&app, "/pkg/packs/03.pack", "br").await;
    assert_eq!(pack.status(), 200);
    assert_eq!(pack.headers()["content-type"], "application/octet-stream");
    assert_eq!(pack.headers()["cache-control"], "no-cache");
    let body = pack.bytes().await.unwrap();
    let names = ["/pkg/chunk_1.wasm", "/pkg/chunk_2.wasm"];
    for (name, bytes) in names.iter().zip([&b"\0asm-one"[..], b"\0asm-two"]) {
        let mut part = (name.len() as u32).to_le_bytes().to_vec();
        part.extend_from_slice(name.as_bytes());
        part.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        part.extend_from_slice(bytes);
        assert!(
            body.windows(part.len()).any(|w| w == part),
            "{name} in {body:?}"
        );
    }
    for unknown in [
        "/pkg/packs/00.pack",
        "/pkg/packs/07.pack",
        "/pkg/packs/../chunk_1.wasm.pack",
    ] {
        let answer = get_accepting(&app, unknown, "gzip, br").await;
        assert_eq!(answer.status(), 404, "{unknown}");
    }
}

#[tokio::test]
async fn pages_are_sent_in_gzip_even_to_a_browser_that_also_takes_brotli() {
    use std::io::Read;
    let app = spawn_app().await;

    // What Chromium sends.
    let page = get_accepting(&app, "/inscription", "gzip, deflate, br, zstd").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let compressed = page.bytes().await.unwrap();
    let mut html = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut html)
        .unwrap();
    assert!(html.contains("<select"), "the signup page, whole");
    assert!(html.contains("</html>"), "the signup page, whole");
    assert!(compressed.len() * 2 < html.len());

    // A client that takes brotli only gets the page as it is.
    let brotli_only = get_accepting(&app, "/inscription", "br").await;
    assert_eq!(brotli_only.status(), 200);
    assert!(brotli_only.headers().get("content-encoding").is_none());
}

/// `GET path`, saying which encodings the client takes (`Accept-Encoding`).
async fn get_accepting(app: &TestApp, path: &str, encodings: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept-encoding", encodings)
        .send()
        .await
        .unwrap()
}
