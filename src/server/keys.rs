//! Keys the server generates once, stores in the database and shares with
//! every instance: nothing to configure, and stable across restarts.

use super::db::Db;
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The server's keys, loaded at start-up.
#[derive(Clone)]
pub struct Keys {
    /// Chooses the decoy secret question of an address without an account.
    decoy: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub async fn load_or_create(db: &Db, now: i64) -> anyhow::Result<Keys> {
        Ok(Keys {
            decoy: load_or_create(db, "decoy_question", now).await?,
        })
    }

    /// A number derived from `value` that only this server can compute,
    /// always the same for the same value.
    pub fn decoy_index(&self, value: &str, count: usize) -> usize {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.decoy) else {
            return 0;
        };
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        (u64::from_be_bytes(first) % count.max(1) as u64) as usize
    }
}

/// The key called `name`; the first instance to start creates it, the others
/// read the same one.
async fn load_or_create(db: &Db, name: &str, now: i64) -> anyhow::Result<[u8; 32]> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| anyhow::anyhow!("the OS random source failed: {e}"))?;
    sqlx::query(
        "INSERT INTO server_keys (name, key_hex, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(hex::encode(fresh))
    .bind(now)
    .execute(db)
    .await
    .with_context(|| format!("storing the key {name}"))?;
    let (stored,): (String,) = sqlx::query_as("SELECT key_hex FROM server_keys WHERE name = $1")
        .bind(name)
        .fetch_one(db)
        .await
        .with_context(|| format!("reading the key {name}"))?;
    let bytes = hex::decode(stored).with_context(|| format!("the key {name} is not hex"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the key {name} is not 32 bytes long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_index_is_stable_for_an_address_and_spread_over_the_list() {
        let keys = Keys { decoy: [7; 32] };
        let a = keys.decoy_index("paul.dupont@menuiserie.fr", 12);
        assert_eq!(a, keys.decoy_index("paul.dupont@menuiserie.fr", 12));
        let seen: std::collections::HashSet<usize> = (0..200)
            .map(|i| keys.decoy_index(&format!("user{i}@example.fr"), 12))
            .collect();
        assert_eq!(seen.len(), 12, "every question is used");
        let other = Keys { decoy: [8; 32] };
        let differs = (0..50).any(|i| {
            let email = format!("user{i}@example.fr");
            keys.decoy_index(&email, 12) != other.decoy_index(&email, 12)
        });
        assert!(differs, "the key does not matter");
    }
}
