//! The server's secret key: it seals what the outbox keeps (an email's body
//! holds its link until it is sent), so that no raw token rests in the
//! database. It comes from `SESAME_SECRET_KEY` (64 hexadecimal characters,
//! required in production, the same for every instance); without it, outside
//! production, it is read from (or created in) `SESAME_SECRET_KEY_FILE`
//! (`data/secret.key`), never from the database it protects.

use std::path::Path;

#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn from_hex(hex_key: &str) -> Result<SecretKey, String> {
        let bytes = hex::decode(hex_key.trim()).map_err(|e| format!("not hexadecimal: {e}"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "must be 64 hexadecimal characters (32 bytes)".to_owned())?;
        Ok(SecretKey(key))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(bytes)
    }

    /// 32 bytes from the operating system's random source.
    pub fn random() -> Result<SecretKey, String> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("the OS random source failed: {e}"))?;
        Ok(SecretKey(key))
    }

    /// The key kept in `path`, created (readable by its owner only) when
    /// the file does not exist yet.
    pub fn from_file(path: &Path) -> Result<SecretKey, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => SecretKey::from_hex(&text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::random()?;
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                }
                write_private(path, &hex::encode(key.0)).map_err(|e| e.to_string())?;
                Ok(key)
            }
            Err(error) => Err(error.to_string()),
        }
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_64_hex_characters_and_never_printed() {
        let key = SecretKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!(
            "sesame-key-{}",
            hex::encode(SecretKey::random().unwrap().0)
        ));
        let path = dir.join("secret.key");
        let first = SecretKey::from_file(&path).unwrap();
        let second = SecretKey::from_file(&path).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
