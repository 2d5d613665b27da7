//! Where a redirect may lead: only a path of this site (OWASP Unvalidated
//! Redirects and Forwards Cheat Sheet). Shared by the server, which checks
//! every `suivant` and `next` it follows, and the browser, which checks a
//! path a server function sent before navigating to it.

/// Accepts only an absolute path of this site, as a browser would resolve
/// it (WHATWG URL): returns it unchanged, or `None`.
///
/// Refused: anything but a path starting with one `/` (`//host`, `/\host`,
/// `https:…`, `javascript:…`); a backslash or a control character anywhere
/// (browsers read `\` as `/` and drop tabs and line breaks); and in the
/// path (before `?` or `#`) an encoded `/` or `\` (`%2F`, `%5C`) or a dot
/// segment (`.`, `..`, `%2e`…). A dot segment is how `/.//evil.example/`
/// resolves to the path `//evil.example/`, which reads as another host's
/// address wherever that path is used again as an address (the router's
/// history, a redirect). No page of this site needs either.
pub fn local_path(raw: &str) -> Option<&str> {
    let path = raw.split(['?', '#']).next().unwrap_or_default();
    let lowered = path.to_ascii_lowercase();
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && !lowered.contains("%2f")
        && !lowered.contains("%5c")
        && !lowered.split('/').any(is_dot_segment);
    ok.then_some(raw)
}

/// `.` or `..`, written plainly or percent-encoded (`%2e`, `.%2E`…), as the
/// WHATWG URL standard counts them (§ 4.2, "single-dot" and "double-dot"
/// URL path segments). `segment` is lowercase.
fn is_dot_segment(segment: &str) -> bool {
    matches!(segment, "." | "%2e" | ".." | ".%2e" | "%2e." | "%2e%2e")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_of_this_site_is_followed_with_its_query_and_fragment() {
        for path in [
            "/",
            "/mon-compte",
            "/inscription?x=1",
            "/mon-compte?retour=%2Faccueil",
            "/accueil#sessions",
            "/fichier.v2/a..b/.cache",
        ] {
            assert_eq!(local_path(path), Some(path), "{path:?}");
        }
    }

    #[test]
    fn a_path_with_dot_segments_is_not_followed_since_it_can_resolve_to_another_site() {
        for hostile in [
            "/.//evil.example/",
            "/..//evil.example/",
            "/./",
            "/a/../..//evil.example",
            "/%2e//evil.example",
            "/%2E%2E//evil.example",
            "/.%2e//evil.example",
            "/%2e.//evil.example",
            "/mon-compte/.",
            "/mon-compte/..?x=1",
        ] {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn an_encoded_slash_or_backslash_in_the_path_is_not_followed() {
        for hostile in ["/%2Fevil.example", "/a%2f/b", "/%5Cevil.example", "/a%5c"] {
            assert_eq!(local_path(hostile), None, "{hostile:?}");
        }
    }
}
