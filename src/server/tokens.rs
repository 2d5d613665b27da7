//! Random identifiers and secret tokens.

use sha2::{Digest, Sha256};

/// 32 bytes from the operating system's random source, as URL-safe hex.
pub fn new_secret_token() -> anyhow::Result<String> {
    random_hex::<32>()
}

/// A random id for a row: 16 bytes of hex.
pub fn new_id() -> anyhow::Result<String> {
    random_hex::<16>()
}

fn random_hex<const N: usize>() -> anyhow::Result<String> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Whether `token` has the form of a token this module makes (64 hex
/// characters): anything else is refused before the database is asked.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What is stored of a token: its SHA-256, in hex. A 256-bit random token
/// needs no salt nor slow hash.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_token_has_256_bits_and_differs_each_time() {
        let a = new_secret_token().unwrap();
        let b = new_secret_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn the_stored_hash_is_not_the_token() {
        let token = new_secret_token().unwrap();
        let hash = hash_token(&token);
        assert_ne!(hash, token);
        assert_eq!(hash, hash_token(&token));
    }
}
