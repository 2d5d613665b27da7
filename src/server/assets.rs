//! The browser's files (`/pkg`): hashed names from cargo-leptos
//! (`hash-files`), kept a year by browsers; served precompressed (brotli or
//! gzip, as the browser accepts), the compressed copies written once at
//! start-up next to the originals.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// Serves `/pkg`, precompressed copies first.
pub fn service(site_root: &Path, pkg_dir: &str) -> ServeDir {
    ServeDir::new(site_root.join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip()
}

/// A file whose name carries its content's hash never changes: a year,
/// immutable. Others are checked again each time. A `Cache-Control` the
/// answer has already (a pack not compressed yet, `packs`) is kept. Either way the answer
/// depends on `Accept-Encoding` (a precompressed copy or the original), and
/// says so (`Vary`), so that a shared cache does not hand brotli to a
/// client that did not ask for it.
pub async fn cache_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let hashed = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(|name| name.split('.').count() >= 3);
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let headers = response.headers_mut();
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(value));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Writes `.br` and `.gz` copies of the JavaScript, Wasm and CSS files that
/// lack a fresh one. Runs once at start-up, off the async runtime; until it
/// is done, the compression layer compresses on the fly.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let wanted = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "wasm" | "js" | "css"));
        if !wanted {
            continue;
        }
        let original = std::fs::read(&path)?;
        let modified = std::fs::metadata(&path)?.modified()?;
        for (suffix, compress) in [
            ("br", brotli_of as fn(&[u8]) -> std::io::Result<Vec<u8>>),
            ("gz", gzip_of),
        ] {
            let target = PathBuf::from(format!("{}.{suffix}", path.display()));
            let fresh = std::fs::metadata(&target)
                .and_then(|m| m.modified())
                .is_ok_and(|at| at >= modified);
            if !fresh {
                std::fs::write(&target, compress(&original)?)?;
                written += 1;
            }
        }
    }
    Ok(written)
}

pub fn brotli_of(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

pub fn gzip_of(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompressed_copies_are_written_once_and_decompress_to_the_original() {
        let dir = std::env::temp_dir().join(format!(
            "sesame-assets-{}",
            crate::server::tokens::new_id().unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let css = "body { color: #161616; } ".repeat(100);
        std::fs::write(dir.join("sesame.abc.css"), &css).unwrap();
        std::fs::write(dir.join("notes.txt"), "not served compressed").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 2);
        assert_eq!(precompress(&dir).unwrap(), 0, "fresh copies were rewritten");
        let gz = std::fs::read(dir.join("sesame.abc.css.gz")).unwrap();
        let mut plain = String::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, css);
        let br = std::fs::read(dir.join("sesame.abc.css.br")).unwrap();
        assert!(br.len() < css.len() / 10);
        assert!(!dir.join("notes.txt.br").exists());
    }
}
