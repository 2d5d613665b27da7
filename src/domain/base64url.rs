//! Base64url without padding (RFC 4648 section 5), as WebAuthn writes its
//! binary fields in JSON (WebAuthn Level 3, 5.1.8 "Base64url encoding"):
//! the browser turns the server's challenge and ids into bytes with
//! [`decode`] and the authenticator's answer into text with [`encode`];
//! the server reads the same text (`webauthn-rs`). One spelling on both
//! sides, from the `base64` crate.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

/// `bytes` as base64url, unpadded (`"AQID"` for `[1, 2, 3]`).
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of a base64url text, with or without its padding.
///
/// Errors: [`NotBase64url`] for a character outside the URL-safe alphabet
/// or a length no encoding gives.
pub fn decode(text: &str) -> Result<Vec<u8>, NotBase64url> {
    if text.ends_with('=') {
        URL_SAFE.decode(text).map_err(|_| NotBase64url)
    } else {
        URL_SAFE_NO_PAD.decode(text).map_err(|_| NotBase64url)
    }
}

/// A text that is not base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotBase64url;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_go_through_text_and_back_unchanged() {
        for length in 0..70 {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)), Ok(bytes));
        }
    }

    #[test]
    fn the_url_safe_alphabet_is_used_and_padding_is_left_off() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8="), Ok(vec![0xfb, 0xff]));
    }

    #[test]
    fn the_standard_alphabet_is_refused() {
        assert_eq!(decode("+/8"), Err(NotBase64url));
    }
}
