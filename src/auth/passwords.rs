//! Argon2id password hashes. Parameters are OWASP's minimum (19 MiB, 2 passes, 1 lane), about 20–40 ms
//! per hash on a small server; they are recorded in each hash (PHC string), so raising them later
//! keeps old hashes verifiable. Hashing runs on the blocking pool, a few at a time, so a burst of
//! logins cannot exhaust memory.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Memory cost in KiB, passes and lanes.
pub const MEMORY_KIB: u32 = 19_456;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

pub struct PasswordHasher {
    argon2: Argon2<'static>,
    /// A hash of a random password, verified against when the user does not exist, so both answers
    /// take the same time.
    dummy_hash: String,
    permits: tokio::sync::Semaphore,
}

impl PasswordHasher {
    pub fn new() -> anyhow::Result<Self> {
        let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
            .map_err(|error| anyhow::anyhow!("argon2 parameters: {error}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = dummy_hash()?;
        let permits = tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
        );
        Ok(Self {
            argon2,
            dummy_hash,
            permits,
        })
    }

    /// Hashes a new password (blocking).
    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        hash_with(&self.argon2, password)
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is no user.
    pub fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let stored = hash.unwrap_or(&self.dummy_hash);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let matches = self
            .argon2
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        matches && hash.is_some()
    }

    /// Runs `work` with a hashing permit on the blocking pool.
    pub async fn run<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        work: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|error| anyhow::anyhow!("hashing closed: {error}"))?;
        let hasher = std::sync::Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&hasher))
            .await
            .map_err(|error| anyhow::anyhow!("hashing task failed: {error}"))
    }
}

/// A well-formed hash with our parameters, a random salt and a random digest: verifying against it
/// costs exactly a real verification, and no password matches it. Built without hashing, so start-up
/// does not pay (or keep) argon2's 19 MiB.
fn dummy_hash() -> anyhow::Result<String> {
    use base64::Engine;
    let mut salt = [0u8; 16];
    let mut digest = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    getrandom::fill(&mut digest).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let hash = format!(
        "$argon2id$v=19$m={MEMORY_KIB},t={PASSES},p={LANES}${}${}",
        b64.encode(salt),
        b64.encode(digest)
    );
    PasswordHash::new(&hash).map_err(|error| anyhow::anyhow!("dummy hash: {error}"))?;
    Ok(hash)
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes)
        .map_err(|error| anyhow::anyhow!("no randomness for a salt: {error}"))?;
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|error| anyhow::anyhow!("salt: {error}"))?;
    let hash = argon2
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("hashing failed: {error}"))?;
    Ok(hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_record_their_parameters() {
        let hasher = PasswordHasher::new().unwrap();
        let hash = hasher.hash("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher.verify("correct horse battery", Some(&hash)));
        assert!(!hasher.verify("wrong horse battery", Some(&hash)));
        assert!(!hasher.verify("anything", None), "no user never verifies");
        assert!(!hasher.verify("x", Some("not a phc string")));
    }

    #[test]
    fn the_dummy_hash_parses_with_our_parameters_and_matches_nothing() {
        let dummy = dummy_hash().unwrap();
        let parsed = PasswordHash::new(&dummy).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(dummy.contains("m=19456,t=2,p=1"));
        let hasher = PasswordHasher::new().unwrap();
        assert!(hasher.argon2.verify_password(b"", &parsed).is_err());
        assert_ne!(dummy, dummy_hash().unwrap());
    }

    #[test]
    fn a_hash_with_other_parameters_still_verifies() {
        let hasher = PasswordHasher::new().unwrap();
        let older = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8_192, 1, 1, None).unwrap(),
        );
        let hash = hash_with(&older, "an older password").unwrap();
        assert!(hasher.verify("an older password", Some(&hash)));
    }
}
