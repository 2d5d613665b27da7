//! Part 6: the browser's files, precompressed and cached.

use crate::helpers::*;

#[tokio::test]
async fn hashed_files_are_served_precompressed_and_kept_a_year() {
    let site = std::env::temp_dir().join(format!(
        "sesame-site-{}",
        sesame::server::tokens::new_id().unwrap()
    ));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let wasm = vec![0u8; 50_000];
    std::fs::write(pkg.join("sesame.Ab12Cd.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("plain.css"), "body { margin: 0; }").unwrap();
    sesame::server::assets::precompress(&pkg).unwrap();
    let app = spawn_app_with(|config| config.site_root = site.clone()).await;

    let brotli = app
        .client
        .get(format!("{}/pkg/sesame.Ab12Cd.wasm", app.address))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let compressed = brotli.bytes().await.unwrap();
    assert!(compressed.len() < 1_000, "{} bytes", compressed.len());

    let gzip = app
        .client
        .get(format!("{}/pkg/sesame.Ab12Cd.wasm", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");

    let unhashed = app
        .client
        .get(format!("{}/pkg/plain.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");
}
