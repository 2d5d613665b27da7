//! Where a redirect may lead: only a path of this site (OWASP Unvalidated
//! Redirects and Forwards Cheat Sheet). Shared by the server, which checks
//! every `suivant` and `next` it follows, and the browser, which checks a
//! path a server function sent before navigating to it.

/// Accepts only an absolute path of this site: not `//host`, not `/\host`,
/// no scheme, no control characters, no encoded `//` or `\`. Returns the
/// path unchanged, or `None`.
pub fn local_path(raw: &str) -> Option<&str> {
    let lowered = raw.to_ascii_lowercase();
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && !lowered.contains("%2f%2f")
        && !lowered.starts_with("/%5c");
    ok.then_some(raw)
}
