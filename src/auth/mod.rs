//! Credentials and tokens: argon2id password hashes, HS256 access tokens, opaque rotating refresh
//! tokens, the signing secret, the in-memory login-failure book (rules in `lockout`) and quota state. Storage of users lives
//! in `db::accounts`; the HTTP routes in `http::auth`.

pub mod accounts;
pub mod bootstrap;
pub mod lockout;
pub mod login;
pub mod passwords;
pub mod sessions;
pub mod tokens;

use std::net::IpAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;

use crate::config::{AuthConfig, RateLimitConfig};
use crate::domain::quotas::{QuotaClass, QuotaDecision, QuotaLimits, QuotaTable};
use lockout::{AddressKey, LockoutBook, LockoutPolicy, Verdict};

pub use passwords::PasswordHasher;
pub use tokens::{AccessClaims, SessionRef, TokenKeys, TokenProblem};

/// The file in the data directory that holds the generated signing secret.
pub const SECRET_FILE: &str = "secret_key";

/// Everything the HTTP edge needs to authenticate requests.
pub struct Auth {
    pub keys: TokenKeys,
    pub passwords: std::sync::Arc<PasswordHasher>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub lockout_threshold: u32,
    pub lockout: Duration,
    quota_limits: ArcSwap<QuotaLimits>,
    quotas: Mutex<QuotaTable>,
    lockout_policy: LockoutPolicy,
    failures: Mutex<LockoutBook>,
}

pub fn quota_limits(config: &RateLimitConfig) -> QuotaLimits {
    QuotaLimits {
        general: config.general_per_hour,
        content: config.content_per_hour,
        assessment: config.assessment_per_hour,
        analytics: config.analytics_per_hour,
    }
}

impl Auth {
    /// Loads or creates the signing secret and sets up hashing and limits.
    pub fn new(
        config: &AuthConfig,
        limits: &RateLimitConfig,
        data_dir: &Path,
    ) -> anyhow::Result<Auth> {
        let secret = match &config.secret_key {
            Some(secret) => secret.expose().as_bytes().to_vec(),
            None => load_or_create_secret(&data_dir.join(SECRET_FILE))?,
        };
        Ok(Auth {
            keys: TokenKeys::new(&secret)?,
            passwords: std::sync::Arc::new(PasswordHasher::new()?),
            access_ttl: Duration::from_secs(config.access_token_hours * 3_600),
            refresh_ttl: Duration::from_secs(config.refresh_token_days * 86_400),
            lockout_threshold: config.lockout_threshold,
            lockout: Duration::from_secs(config.lockout_minutes * 60),
            quota_limits: ArcSwap::from_pointee(quota_limits(limits)),
            quotas: Mutex::new(QuotaTable::default()),
            lockout_policy: LockoutPolicy::new(
                config.lockout_threshold,
                Duration::from_secs(config.lockout_minutes * 60),
            ),
            failures: Mutex::new(LockoutBook::default()),
        })
    }

    /// Applies new hourly limits (SIGHUP).
    pub fn set_quota_limits(&self, limits: QuotaLimits) {
        self.quota_limits.store(std::sync::Arc::new(limits));
    }

    /// Counts one authenticated request against the user's hourly quota for its class.
    pub fn check_quota(
        &self,
        user_id: crate::domain::accounts::UserId,
        class: QuotaClass,
    ) -> QuotaDecision {
        let limit = self.quota_limits.load().limit(class);
        let now = crate::clock::unix_now();
        let mut table = self
            .quotas
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if table.len() > 100_000 {
            table.prune(now);
        }
        table.check(user_id, class, limit, now)
    }

    fn failure_book(&self) -> std::sync::MutexGuard<'_, LockoutBook> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the password of `account` (canonical username) may be checked for an attempt from
    /// `client`; `known` says whether the account signed in from there recently.
    pub fn login_verdict(&self, account: &str, client: IpAddr, known: bool) -> Verdict {
        self.failure_book().verdict(
            &self.lockout_policy,
            account,
            AddressKey::of(client),
            known,
            Instant::now(),
        )
    }

    /// Counts a wrong password; true when it locked the account at this address. `epoch` is the
    /// existing account's password epoch (`None` for an unknown name).
    pub fn record_login_failure(&self, account: &str, client: IpAddr, epoch: Option<i64>) -> bool {
        let mut book = self.failure_book();
        let locked = book.record_failure(
            &self.lockout_policy,
            account,
            AddressKey::of(client),
            Instant::now(),
        );
        if let Some(epoch) = epoch {
            book.note_failure_epoch(account, epoch);
        }
        locked
    }

    /// The existing account's password epoch as read with this attempt: a newer one than its
    /// failures were made under (a reset from the command line, say) ends every lock on it.
    pub fn observe_password_epoch(&self, account: &str, epoch: i64) {
        self.failure_book().observe_password_epoch(account, epoch);
    }

    /// A correct password: the failures of this account at this address are forgotten.
    pub fn record_login_success(&self, account: &str, client: IpAddr) {
        self.failure_book()
            .record_success(account, AddressKey::of(client));
    }

    /// An administrator reset the password: every lock on the account ends.
    pub fn forget_login_failures(&self, account: &str) {
        self.failure_book().forget_account(account);
    }
}

/// Reads the signing secret from `path`, or creates it (64 random bytes, hex, mode 0600).
fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim();
            if secret.len() < 32 {
                anyhow::bail!(
                    "the signing secret in {} is shorter than 32 characters: delete it to generate a new one (this signs everyone out)",
                    path.display()
                );
            }
            return Ok(secret.as_bytes().to_vec());
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => anyhow::bail!("cannot read the signing secret {}: {error}", path.display()),
    }
    let mut bytes = [0u8; 64];
    getrandom::fill(&mut bytes)
        .map_err(|error| anyhow::anyhow!("no randomness for the signing secret: {error}"))?;
    let secret: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|error| {
            anyhow::anyhow!(
                "cannot create the signing secret {}: {error}",
                path.display()
            )
        })?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    Ok(secret.into_bytes())
}

/// A random URL-safe string of `bytes` random bytes (refresh tokens, generated passwords, ids).
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buffer = vec![0u8; bytes];
    // getrandom only fails when the OS has no entropy source at all; fall back to the UUID generator
    // rather than return a predictable value.
    if getrandom::fill(&mut buffer).is_err() {
        for chunk in buffer.chunks_mut(16) {
            let id = uuid::Uuid::new_v4();
            chunk.copy_from_slice(&id.as_bytes()[..chunk.len()]);
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}

/// A new cohort enrolment code (see `domain::accounts::ENROLMENT_ALPHABET`).
pub fn enrolment_code() -> String {
    use crate::domain::accounts::{ENROLMENT_ALPHABET, ENROLMENT_CODE_LEN};
    let mut bytes = [0u8; ENROLMENT_CODE_LEN];
    // 256 is not a multiple of the alphabet's length: draw again rather than favour some letters.
    let mut code = String::with_capacity(ENROLMENT_CODE_LEN);
    while code.len() < ENROLMENT_CODE_LEN {
        if getrandom::fill(&mut bytes).is_err() {
            bytes.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..ENROLMENT_CODE_LEN]);
        }
        let limit = 256 - 256 % ENROLMENT_ALPHABET.len();
        for byte in bytes {
            if usize::from(byte) < limit && code.len() < ENROLMENT_CODE_LEN {
                code.push(ENROLMENT_ALPHABET[usize::from(byte) % ENROLMENT_ALPHABET.len()] as char);
            }
        }
    }
    code
}

/// A generated password that is easy to type from a printout: 20 characters without look-alikes.
pub fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    if getrandom::fill(&mut bytes).is_err() {
        return random_token(15);
    }
    bytes
        .iter()
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(threshold: u32) -> Auth {
        let dir = tempfile::tempdir().unwrap();
        let config = AuthConfig {
            lockout_threshold: threshold,
            ..AuthConfig::default()
        };
        Auth::new(&config, &RateLimitConfig::default(), dir.path()).unwrap()
    }

    #[test]
    fn the_generated_secret_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(&dir.path().join(SECRET_FILE)).unwrap();
        let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            load_or_create_secret(&dir.path().join(SECRET_FILE)).unwrap(),
            first
        );
        assert_eq!(first.len(), 128);
    }

    #[test]
    fn the_configured_threshold_and_minutes_apply() {
        let auth = auth(3);
        let (here, there): (IpAddr, IpAddr) =
            ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        assert!(!auth.record_login_failure("ghost", here, None));
        assert!(!auth.record_login_failure("ghost", here, None));
        assert!(auth.record_login_failure("ghost", here, None));
        assert!(matches!(
            auth.login_verdict("ghost", here, false),
            Verdict::LockedHere { retry_after } if retry_after > Duration::from_secs(14 * 60)
        ));
        assert_eq!(auth.login_verdict("ghost", there, false), Verdict::Check);
        assert_eq!(auth.login_verdict("other", here, false), Verdict::Check);
        auth.forget_login_failures("ghost");
        assert_eq!(auth.login_verdict("ghost", here, false), Verdict::Check);
    }

    #[test]
    fn generated_secrets_are_random() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(48).len(), 64);
        let code = enrolment_code();
        assert_eq!(
            crate::domain::accounts::normalise_enrolment_code(&code).as_deref(),
            Some(code.as_str())
        );
        assert_ne!(code, enrolment_code());
        let password = generated_password();
        assert_eq!(password.len(), 20);
        assert_ne!(password, generated_password());
    }
}
