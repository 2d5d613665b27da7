//! Secrets kept at rest are sealed (ChaCha20-Poly1305, with the server's
//! secret key and the row's id as associated data, so a sealed value moved
//! to another row does not open): the outbox's email bodies, whose links
//! must not be readable in the database, and the authenticator apps' keys
//! (RFC 6238 section 5.1: "the keys SHOULD be ... stored securely").

use crate::server::secret_key::SecretKey;
use anyhow::Context;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const PREFIX: &str = "sealed1:";

/// `plain` sealed for the row `id`: `sealed1:` then hex of nonce and
/// ciphertext. Errors: the OS random source failed.
pub fn seal(key: &SecretKey, id: &str, plain: &str) -> anyhow::Result<String> {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.bytes()));
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: id.as_bytes(),
            },
        )
        .map_err(|_| anyhow::anyhow!("sealing a value failed"))?;
    Ok(format!(
        "{PREFIX}{}{}",
        hex::encode(nonce),
        hex::encode(sealed)
    ))
}

/// The value as written; a value stored before sealing existed is returned
/// as it is. Errors: not hexadecimal, too short, or it does not open with
/// this key for this `id`.
pub fn open(key: &SecretKey, id: &str, stored: &str) -> anyhow::Result<String> {
    let Some(sealed) = stored.strip_prefix(PREFIX) else {
        return Ok(stored.to_owned());
    };
    let bytes = hex::decode(sealed).context("a sealed value is not hexadecimal")?;
    anyhow::ensure!(bytes.len() > 12, "a sealed value is too short");
    let (nonce, sealed) = bytes.split_at(12);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key.bytes()));
    let plain = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: id.as_bytes(),
            },
        )
        .map_err(|_| anyhow::anyhow!("a sealed value does not open with this SESAME_SECRET_KEY"))?;
    String::from_utf8(plain).context("an opened body is not UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_body_opens_with_its_key_and_id_only() {
        let key = SecretKey::random().unwrap();
        let sealed = seal(&key, "id-1", "https://x.example/activation/abc").unwrap();
        assert!(!sealed.contains("activation"));
        assert_eq!(
            open(&key, "id-1", &sealed).unwrap(),
            "https://x.example/activation/abc"
        );
        assert!(
            open(&key, "id-2", &sealed).is_err(),
            "opened under another id"
        );
        assert!(open(&SecretKey::random().unwrap(), "id-1", &sealed).is_err());
        assert_eq!(open(&key, "id-1", "plain text").unwrap(), "plain text");
    }
}
