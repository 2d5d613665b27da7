//! Hashing passwords and secret answers: argon2id (OWASP Password Storage
//! Cheat Sheet parameters), on dedicated threads, one per core, never on
//! the async executor. How guessable a password is: `server::strength`.

use crate::domain::secret::SecretAnswer;
use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, Output, ParamsString, PasswordHash, Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::Arc;

/// argon2id cost. The defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashCost {
    pub const OWASP: HashCost = HashCost {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
    /// Cheap parameters for tests only.
    pub const TESTS: HashCost = HashCost {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    };

    pub fn at_least_owasp(&self) -> bool {
        self.memory_kib >= Self::OWASP.memory_kib
            && self.iterations >= Self::OWASP.iterations
            && self.parallelism >= 1
    }

    fn params(&self) -> anyhow::Result<Params> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))
    }
}

/// A job for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// Hashing runs on its own threads, one per core, never on the async
/// runtime: a login flood queues here while pages keep rendering. Each
/// thread allocates argon2's 19 MiB of blocks once and reuses them (see
/// [`BLOCKS`]), so memory stays bounded: tokio's blocking pool would spread
/// them over up to 512 threads, and even on few threads the allocator keeps
/// freed 19 MiB sets in its heaps.
#[derive(Clone)]
pub struct Hasher {
    cost: HashCost,
    jobs: std::sync::mpsc::Sender<Job>,
    /// Verified for unknown logins, so they cost the same time.
    dummy: Arc<str>,
}

fn start_threads(count: usize) -> anyhow::Result<std::sync::mpsc::Sender<Job>> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    let receiver = Arc::new(std::sync::Mutex::new(receiver));
    for i in 0..count {
        let receiver = receiver.clone();
        std::thread::Builder::new()
            .name(format!("sesame-hash-{i}"))
            .spawn(move || loop {
                let job = match receiver.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => break,
                };
                match job {
                    // A panicking job drops its answer channel: its caller
                    // gets an error, the thread goes on.
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => break,
                }
            })
            .context("starting a hashing thread")?;
    }
    Ok(sender)
}

impl Hasher {
    pub fn new(cost: HashCost) -> anyhow::Result<Hasher> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let jobs = start_threads(cores)?;
        // On a hashing thread, so that no other thread keeps blocks.
        let (answer, answered) = std::sync::mpsc::channel();
        jobs.send(Box::new(move || {
            let _ = answer.send(hash_blocking(
                cost,
                "sesame dummy password, never a real one",
            ));
        }))
        .map_err(|_| anyhow::anyhow!("the hashing threads are gone"))?;
        let dummy = answered.recv().context("hashing the dummy password")??;
        Ok(Hasher {
            cost,
            jobs,
            dummy: dummy.into(),
        })
    }

    pub fn cost(&self) -> HashCost {
        self.cost
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(job());
            }))
            .map_err(|_| anyhow::anyhow!("the hashing threads are gone"))?;
        answered.await.context("a hashing job failed")
    }

    /// Hashes a secret with a new random salt.
    /// argon2id of `secret` in NFKC (`domain::unicode`), as a PHC string.
    pub async fn hash(&self, secret: &str) -> anyhow::Result<String> {
        let cost = self.cost;
        let secret = crate::domain::unicode::normalized(secret);
        self.run(move || hash_blocking(cost, &secret)).await?
    }

    /// Checks a secret against a stored hash; with no hash (unknown login),
    /// spends the same time on a dummy and answers false.
    ///
    /// The secret is compared in NFKC (NIST SP 800-63B 5.1.1.2). A hash made
    /// before normalisation from other bytes (the same text typed
    /// decomposed) still matches the secret as typed: it is reported
    /// `MatchesButOutdated`, so the login rehashes it in NFKC once.
    pub async fn verify(&self, secret: &str, stored: Option<&str>) -> anyhow::Result<Verified> {
        let (stored, real) = match stored {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy.to_string(), false),
        };
        let normalized = crate::domain::unicode::normalized(secret);
        let as_typed = (normalized != secret).then(|| secret.to_owned());
        let cost = self.cost;
        self.run(move || -> anyhow::Result<Verified> {
            let parsed =
                PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            let matches = verify_blocking(&parsed, &normalized)?;
            let legacy = match &as_typed {
                Some(typed) if !matches => verify_blocking(&parsed, typed)?,
                _ => false,
            };
            let outdated = legacy
                || Params::try_from(&parsed)
                    .map(|p| p.m_cost() < cost.memory_kib || p.t_cost() < cost.iterations)
                    .unwrap_or(true);
            Ok(match ((matches || legacy) && real, outdated) {
                (true, true) => Verified::MatchesButOutdated,
                (true, false) => Verified::Matches,
                _ => Verified::DoesNotMatch,
            })
        })
        .await?
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    Matches,
    /// Matches, with weaker parameters than today's: rehash it.
    MatchesButOutdated,
    DoesNotMatch,
}

impl Verified {
    pub fn matches(self) -> bool {
        self != Verified::DoesNotMatch
    }
}

thread_local! {
    /// argon2's working memory, allocated at a hashing thread's first job
    /// and reused by every later one.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2 of `secret`, in the PHC string format, computed in this thread's
/// [`BLOCKS`]; the same result as `argon2`'s own `hash_password`.
fn argon2_in_place<'a>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: &[u8],
    salt: Salt<'a>,
) -> anyhow::Result<PasswordHash<'a>> {
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_buffer)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let count = params.block_count();
    let params_string =
        ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let argon = Argon2::new(algorithm, version, params);
    let output = BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        Output::init_with(output_len, |out| {
            Ok(argon.hash_password_into_with_memory(
                secret,
                salt_bytes,
                out,
                &mut blocks[..count],
            )?)
        })
    });
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: params_string,
        salt: Some(salt),
        hash: Some(output.map_err(|e| anyhow::anyhow!("hashing: {e}"))?),
    })
}

fn hash_blocking(cost: HashCost, secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2_in_place(
        Algorithm::Argon2id,
        Version::V0x13,
        cost.params()?,
        secret.as_bytes(),
        salt.as_salt(),
    )
    .map(|hash| hash.to_string())
}

/// Whether `secret` hashes to `stored` with its own algorithm, version,
/// parameters and salt; the outputs are compared in constant time.
fn verify_blocking(stored: &PasswordHash<'_>, secret: &str) -> anyhow::Result<bool> {
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Ok(false);
    };
    let algorithm =
        Algorithm::try_from(stored.algorithm).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("stored hash: {e}"))?
        .unwrap_or_default();
    let params = Params::try_from(stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
    let computed = argon2_in_place(algorithm, version, params, secret.as_bytes(), salt)?;
    Ok(computed.hash == Some(expected))
}

/// The form of a secret answer that is hashed: decomposed with
/// compatibility (NFKD, NIST SP 800-63B 5.1.1.2), accents removed, lower
/// case, trimmed, spaces collapsed ("  Médor " and "MEDOR" are one answer,
/// however the accent was typed).
pub fn normalize_answer(answer: &SecretAnswer) -> String {
    use unicode_normalization::UnicodeNormalization;
    answer
        .expose()
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_exactly() {
        let hasher = Hasher::new(HashCost::TESTS).unwrap();
        let hash = hasher.hash("Mot de passe 1").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(hasher
            .verify("Mot de passe 1", Some(&hash))
            .await
            .unwrap()
            .matches());
        for other in [
            "mot de passe 1",
            "Mot de passe 1 ",
            "Mot de passe",
            "Mot  de passe 1",
        ] {
            assert!(
                !hasher.verify(other, Some(&hash)).await.unwrap().matches(),
                "{other:?}"
            );
        }
    }

    /// Hashes stored before the blocks were reused (by `argon2`'s own
    /// `hash_password`) still verify, and `argon2`'s verifier accepts ours.
    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own_hashing() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let cost = HashCost::TESTS;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, cost.params().unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon
            .hash_password(b"Vanille-Fraise-2026", &salt)
            .unwrap()
            .to_string();
        let ours = argon2_in_place(
            Algorithm::Argon2id,
            Version::V0x13,
            cost.params().unwrap(),
            b"Vanille-Fraise-2026",
            salt.as_salt(),
        )
        .unwrap()
        .to_string();
        assert_eq!(ours, theirs);

        let hasher = Hasher::new(cost).unwrap();
        assert!(hasher
            .verify("Vanille-Fraise-2026", Some(&theirs))
            .await
            .unwrap()
            .matches());
        let ours = hasher.hash("Vanille-Fraise-2026").await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"Vanille-Fraise-2026", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"Vanille-Fraise-2027", &parsed)
            .is_err());
    }

    #[tokio::test]
    async fn each_hash_has_its_own_salt() {
        let hasher = Hasher::new(HashCost::TESTS).unwrap();
        assert_ne!(
            hasher.hash("x").await.unwrap(),
            hasher.hash("x").await.unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_login_never_matches() {
        let hasher = Hasher::new(HashCost::TESTS).unwrap();
        assert!(!hasher
            .verify("sesame dummy password, never a real one", None)
            .await
            .unwrap()
            .matches());
    }

    #[tokio::test]
    async fn a_hash_with_weaker_parameters_is_reported_outdated() {
        let old = Hasher::new(HashCost::TESTS)
            .unwrap()
            .hash("Secret123!")
            .await
            .unwrap();
        let today = Hasher::new(HashCost {
            memory_kib: 512,
            iterations: 2,
            parallelism: 1,
        })
        .unwrap();
        assert_eq!(
            today.verify("Secret123!", Some(&old)).await.unwrap(),
            Verified::MatchesButOutdated
        );
    }

    #[test]
    fn the_production_cost_is_at_least_owasps() {
        assert!(HashCost::OWASP.at_least_owasp());
        assert_eq!(
            HashCost::OWASP,
            HashCost {
                memory_kib: 19_456,
                iterations: 2,
                parallelism: 1
            }
        );
        assert!(!HashCost::TESTS.at_least_owasp());
    }

    #[test]
    fn secret_answers_fold_case_accents_and_spaces() {
        let a = SecretAnswer::parse("  Médor   le Chien ").unwrap();
        let b = SecretAnswer::parse("MEDOR LE CHIEN").unwrap();
        assert_eq!(normalize_answer(&a), "medor le chien");
        assert_eq!(normalize_answer(&a), normalize_answer(&b));
    }
}
