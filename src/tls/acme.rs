//! `[tls].mode = "acme"`: certificates from an ACME CA (Let's Encrypt by default; a private CA or
//! Pebble through `acme_ca_root`). Owns the account and certificate files under
//! `data_dir/acme` (mode 0600), the order (TLS-ALPN-01 answered by the HTTPS listener, or HTTP-01
//! answered by the HTTP listener), renewal `renew_before_days` before expiry, and retries with
//! exponential backoff and jitter that honour the CA's `Retry-After` and rate-limit answers.
//! The CA's HTTP traffic goes through reqwest with hickory DNS, never glibc's resolver.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, BodyWrapper, BytesResponse, ChallengeType,
    HttpClient, Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy,
};
use rcgen::{CertificateParams, DistinguishedName, KeyPair};
use serde::{Deserialize, Serialize};

use super::{CertStore, Loaded, TlsError};
use crate::config::{AcmeChallenge, Config};

/// First retry delay after a failed order; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(3_600);
/// How long to wait after the CA says "rate limited" without a Retry-After.
const RATE_LIMITED_BACKOFF: Duration = Duration::from_secs(3_600);
/// Longest sleep between checks of the certificate's age.
const MAX_SLEEP: Duration = Duration::from_secs(12 * 3_600);
/// Shortest wait between two successful orders (guards against a renewal window longer than the
/// certificate's lifetime).
const MIN_RENEW_INTERVAL: Duration = Duration::from_secs(3_600);
/// Bound on one whole order, so a CA that stops answering mid-way cannot stall renewal.
const ORDER_TIMEOUT: Duration = Duration::from_secs(180);

/// Everything the ACME task needs from the config.
#[derive(Debug, Clone)]
pub struct AcmeSettings {
    pub directory_url: String,
    pub contact: Option<String>,
    pub ca_root: Option<PathBuf>,
    pub challenge: AcmeChallenge,
    pub domains: Vec<String>,
    pub renew_before_secs: i64,
    pub dir: PathBuf,
}

impl AcmeSettings {
    pub fn from_config(config: &Config) -> Self {
        let tls = &config.tls;
        Self {
            directory_url: tls.acme_directory_url.clone(),
            contact: tls.acme_contact.clone(),
            ca_root: tls.acme_ca_root.clone(),
            challenge: tls.acme_challenge,
            domains: tls.domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            renew_before_secs: i64::from(tls.renew_before_days) * 86_400,
            dir: config.storage.data_dir.join("acme"),
        }
    }

    fn cert_path(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    fn key_path(&self) -> PathBuf {
        self.dir.join("key.pem")
    }

    fn account_path(&self) -> PathBuf {
        self.dir.join("account.json")
    }

    /// Which directory issued the stored certificate.
    fn meta_path(&self) -> PathBuf {
        self.dir.join("cert-meta.json")
    }
}

#[derive(Serialize, Deserialize)]
struct CertMeta {
    directory_url: String,
}

/// Why an order failed; decides how long to wait before the next one.
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("the ACME CA at {url} cannot be reached or answered badly: {source}")]
    Ca {
        url: String,
        source: instant_acme::Error,
    },
    #[error("the ACME CA refused the request: {0}")]
    Refused(String),
    #[error("the ACME CA rate-limits this account or these names: {0}")]
    RateLimited(String),
    #[error("cannot read tls.acme_ca_root {path}: {reason}")]
    CaRoot { path: PathBuf, reason: String },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("the order did not finish within {0} s")]
    Timeout(u64),
    #[error("{0}")]
    Other(String),
}

impl AcmeError {
    fn from_acme(url: &str, error: instant_acme::Error) -> Self {
        match &error {
            instant_acme::Error::Api(problem) => {
                let kind = problem.r#type.as_deref().unwrap_or_default();
                let detail = format!(
                    "{} ({kind})",
                    problem.detail.as_deref().unwrap_or("no detail")
                );
                if kind.ends_with(":rateLimited") {
                    Self::RateLimited(detail)
                } else if kind.ends_with(":badNonce") || kind.ends_with(":serverInternal") {
                    Self::Ca {
                        url: url.to_owned(),
                        source: error,
                    }
                } else {
                    Self::Refused(detail)
                }
            }
            _ => Self::Ca {
                url: url.to_owned(),
                source: error,
            },
        }
    }

    fn account_gone(&self) -> bool {
        matches!(self, Self::Refused(detail) if detail.contains("accountDoesNotExist") || detail.contains(":unauthorized"))
    }
}

/// The stored certificate, when it is readable, names every configured domain and has not
/// expired. A corrupt or mismatched file is logged and ignored (a new order replaces it).
pub fn load_stored(settings: &AcmeSettings) -> Option<Loaded> {
    let cert_path = settings.cert_path();
    let cert = std::fs::read(&cert_path).ok()?;
    let key = match std::fs::read(settings.key_path()) {
        Ok(key) => key,
        Err(error) => {
            tracing::warn!(%error, "the stored ACME key cannot be read; requesting a new certificate");
            return None;
        }
    };
    if let Ok(text) = std::fs::read(settings.meta_path())
        && let Ok(meta) = serde_json::from_slice::<CertMeta>(&text)
        && meta.directory_url != settings.directory_url
    {
        tracing::info!(
            issued_by = meta.directory_url.as_str(),
            "the stored ACME certificate came from another ACME directory; requesting a new one"
        );
        return None;
    }
    match super::load_pem(&cert, &key, &cert_path.display().to_string(), "acme") {
        Ok(loaded) if loaded.info.seconds_left() <= 0 => {
            tracing::warn!("the stored ACME certificate has expired; requesting a new one");
            None
        }
        Ok(loaded) if !settings.domains.iter().all(|d| loaded.info.covers(d)) => {
            tracing::info!(
                stored = loaded.info.names.join(",").as_str(),
                wanted = settings.domains.join(",").as_str(),
                "tls.domains changed since the stored ACME certificate was issued; requesting a new one"
            );
            None
        }
        Ok(loaded) => {
            tracing::info!(
                serial = loaded.info.serial.as_str(),
                "reusing the stored ACME certificate"
            );
            Some(loaded)
        }
        Err(error) => {
            tracing::error!(%error, path = %cert_path.display(), "the stored ACME certificate cannot be used; serving a temporary certificate and requesting a new one");
            None
        }
    }
}

/// The renewal loop: sleeps until the certificate is due, orders, swaps it in, repeats.
pub async fn run(settings: AcmeSettings, store: Arc<CertStore>) {
    let mut backoff = Backoff::new();
    let mut last_success: Option<tokio::time::Instant> = None;
    loop {
        let info = store.info();
        let is_acme = info.source == "acme";
        let due_in = if is_acme {
            info.not_after - settings.renew_before_secs - super::unix_now()
        } else {
            0
        };
        if due_in > 0 {
            let sleep = Duration::from_secs(due_in as u64).min(MAX_SLEEP);
            tracing::debug!(
                sleep_secs = sleep.as_secs(),
                "acme: certificate not due for renewal yet"
            );
            tokio::time::sleep(sleep).await;
            continue;
        }
        if let Some(at) = last_success
            && at.elapsed() < MIN_RENEW_INTERVAL
        {
            tracing::warn!(
                "acme: the new certificate is already inside the renewal window; tls.renew_before_days is longer than the CA's certificate lifetime, lower it"
            );
            tokio::time::sleep(MIN_RENEW_INTERVAL - at.elapsed()).await;
            continue;
        }
        tracing::info!(
            domains = settings.domains.join(",").as_str(),
            directory = settings.directory_url.as_str(),
            renewal = is_acme,
            "acme: requesting a certificate"
        );
        let outcome = tokio::time::timeout(ORDER_TIMEOUT, order(&settings, &store)).await;
        store.clear_challenges();
        let outcome = outcome.unwrap_or(Err(AcmeError::Timeout(ORDER_TIMEOUT.as_secs())));
        match outcome {
            Ok(loaded) => {
                tracing::info!(
                    serial = loaded.info.serial.as_str(),
                    renewal = is_acme,
                    "acme: certificate issued"
                );
                store.swap(loaded);
                backoff.reset();
                last_success = Some(tokio::time::Instant::now());
            }
            Err(error) => {
                let wait = backoff.next(&error);
                tracing::error!(
                    %error,
                    retry_in_secs = wait.as_secs(),
                    "acme: could not get a certificate; still serving the current one. Check that the names in [tls].domains point at this server and that the CA is reachable"
                );
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Exponential backoff with jitter (each wait is 50–100 % of the nominal delay).
struct Backoff {
    next: Duration,
}

impl Backoff {
    fn new() -> Self {
        Self {
            next: FIRST_BACKOFF,
        }
    }

    fn reset(&mut self) {
        self.next = FIRST_BACKOFF;
    }

    fn next(&mut self, error: &AcmeError) -> Duration {
        let nominal = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        if matches!(error, AcmeError::RateLimited(_)) {
            self.next = MAX_BACKOFF;
            return RATE_LIMITED_BACKOFF;
        }
        let fraction = 0.5 + (uuid::Uuid::new_v4().as_u128() % 1_000) as f64 / 2_000.0;
        nominal.mul_f64(fraction).max(Duration::from_secs(1))
    }
}

/// The reqwest client for the CA: hickory DNS, rustls, and only `acme_ca_root` as trust anchor
/// when it is set.
fn http_client(settings: &AcmeSettings) -> Result<ReqwestHttp, AcmeError> {
    let mut builder = reqwest::Client::builder()
        .hickory_dns(true)
        .https_only(true)
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("bsn-knowledge/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &settings.ca_root {
        let pem = std::fs::read(path).map_err(|error| AcmeError::CaRoot {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| AcmeError::CaRoot {
                path: path.clone(),
                reason: error.to_string(),
            })?;
        if certs.is_empty() {
            return Err(AcmeError::CaRoot {
                path: path.clone(),
                reason: "it holds no PEM certificate".into(),
            });
        }
        builder = builder.tls_certs_only(certs);
    }
    let client = builder
        .build()
        .map_err(|error| AcmeError::Other(format!("cannot build the ACME HTTP client: {error}")))?;
    Ok(ReqwestHttp(client))
}

/// instant-acme's HTTP client trait over reqwest.
struct ReqwestHttp(reqwest::Client);

impl HttpClient for ReqwestHttp {
    fn request(
        &self,
        request: hyper::Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, instant_acme::Error>> + Send>> {
        let client = self.0.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .unwrap_or_default();
            let unsigned =
                parts.method == hyper::Method::GET || parts.method == hyper::Method::HEAD;
            let url = parts.uri.to_string();
            let response = client
                .request(parts.method, &url)
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|error| instant_acme::Error::Other(Box::new(error)))?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response
                .bytes()
                .await
                .map_err(|error| instant_acme::Error::Other(Box::new(error)))?;
            // instant-acme reads problem documents from signed POSTs, but parses a failed GET
            // (the directory) or HEAD (a new nonce) as if it had succeeded, which would surface
            // as "missing field `newNonce`". Name the HTTP status instead.
            if unsigned && (status.is_client_error() || status.is_server_error()) {
                return Err(instant_acme::Error::Other(Box::new(CaStatus {
                    status,
                    url: url.clone(),
                    detail: problem_detail(&bytes),
                })));
            }
            let mut built = hyper::Response::new(Full::new(bytes));
            *built.status_mut() = status;
            *built.headers_mut() = headers;
            Ok(BytesResponse::from(built))
        })
    }
}

/// A failed unsigned request to the CA.
#[derive(Debug, thiserror::Error)]
#[error("{url} answered HTTP {status}{detail}")]
struct CaStatus {
    status: hyper::StatusCode,
    url: String,
    detail: String,
}

/// ": <detail>" from an RFC 7807 problem document, or nothing.
fn problem_detail(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|problem| problem.get("detail")?.as_str().map(str::to_owned))
        .map(|detail| format!(": {}", detail.chars().take(200).collect::<String>()))
        .unwrap_or_default()
}

#[derive(Serialize, Deserialize)]
struct StoredAccount {
    directory_url: String,
    credentials: AccountCredentials,
}

/// The stored account for this directory, or a new one (stored right away).
async fn account(settings: &AcmeSettings, fresh: bool) -> Result<Account, AcmeError> {
    let path = settings.account_path();
    let url = settings.directory_url.as_str();
    if !fresh && let Ok(text) = std::fs::read(&path) {
        match serde_json::from_slice::<StoredAccount>(&text) {
            Ok(stored) if stored.directory_url == settings.directory_url => {
                let http = http_client(settings)?;
                return Account::builder_with_http(Box::new(http))
                    .from_credentials(stored.credentials)
                    .await
                    .map_err(|error| AcmeError::from_acme(url, error));
            }
            Ok(_) => tracing::info!(
                "acme: the stored account belongs to another directory; creating one for {url}"
            ),
            Err(error) => tracing::warn!(
                %error,
                path = %path.display(),
                "acme: the stored account file is corrupt; creating a new account"
            ),
        }
    }
    let contact = settings.contact.as_deref().map(|contact| {
        if contact.starts_with("mailto:") {
            contact.to_owned()
        } else {
            format!("mailto:{contact}")
        }
    });
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let http = http_client(settings)?;
    let (account, credentials) = Account::builder_with_http(Box::new(http))
        .create(
            &NewAccount {
                contact: &contacts,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            settings.directory_url.clone(),
            None,
        )
        .await
        .map_err(|error| AcmeError::from_acme(url, error))?;
    let stored = StoredAccount {
        directory_url: settings.directory_url.clone(),
        credentials,
    };
    let json = serde_json::to_vec_pretty(&stored)
        .map_err(|error| AcmeError::Other(format!("cannot serialize the ACME account: {error}")))?;
    super::write_private(&path, &json)?;
    tracing::info!(id = account.id(), "acme: account created");
    Ok(account)
}

/// One order from start to certificate, stored and ready to serve.
async fn order(settings: &AcmeSettings, store: &Arc<CertStore>) -> Result<Loaded, AcmeError> {
    let url = settings.directory_url.as_str();
    let identifiers: Vec<Identifier> = settings
        .domains
        .iter()
        .map(|domain| Identifier::Dns(domain.clone()))
        .collect();
    let mut account_handle = account(settings, false).await?;
    let mut order = match account_handle
        .new_order(&NewOrder::new(&identifiers))
        .await
        .map_err(|error| AcmeError::from_acme(url, error))
    {
        Ok(order) => order,
        Err(error) if error.account_gone() => {
            tracing::warn!(%error, "acme: the CA does not know the stored account; creating a new one");
            account_handle = account(settings, true).await?;
            account_handle
                .new_order(&NewOrder::new(&identifiers))
                .await
                .map_err(|error| AcmeError::from_acme(url, error))?
        }
        Err(error) => return Err(error),
    };
    let kind = match settings.challenge {
        AcmeChallenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
        AcmeChallenge::Http01 => ChallengeType::Http01,
    };

    let mut authorizations = order.authorizations();
    while let Some(authorization) = authorizations.next().await {
        let mut authorization = authorization.map_err(|error| AcmeError::from_acme(url, error))?;
        match authorization.status {
            AuthorizationStatus::Valid => continue,
            AuthorizationStatus::Pending => {}
            other => {
                return Err(AcmeError::Refused(format!(
                    "authorization is {other:?}; the CA will not validate this name now"
                )));
            }
        }
        let mut challenge = authorization.challenge(kind.clone()).ok_or_else(|| {
            AcmeError::Refused(format!(
                "the CA offers no {kind:?} challenge; set [tls].acme_challenge to the other kind"
            ))
        })?;
        let key_authorization = challenge.key_authorization();
        let domain = challenge.identifier().to_string();
        match settings.challenge {
            AcmeChallenge::TlsAlpn01 => {
                let certificate = super::self_signed::alpn_challenge(
                    &domain,
                    key_authorization.digest().as_ref(),
                )?;
                store.set_alpn_challenge(&domain, certificate);
            }
            AcmeChallenge::Http01 => {
                store.set_http_challenge(&challenge.token, key_authorization.as_str());
            }
        }
        challenge
            .set_ready()
            .await
            .map_err(|error| AcmeError::from_acme(url, error))?;
    }

    let polling = RetryPolicy::new()
        .initial_delay(Duration::from_millis(250))
        .backoff(1.5)
        .timeout(Duration::from_secs(90));
    let status = order
        .poll_ready(&polling)
        .await
        .map_err(|error| AcmeError::from_acme(url, error))?;
    if status != OrderStatus::Ready {
        let mut reasons = Vec::new();
        let mut authorizations = order.authorizations();
        while let Some(Ok(mut authorization)) = authorizations.next().await {
            let Ok(state) = authorization.refresh().await else {
                continue;
            };
            for challenge in &state.challenges {
                if let Some(problem) = &challenge.error {
                    reasons.push(problem.detail.clone().unwrap_or_default());
                }
            }
        }
        return Err(AcmeError::Refused(format!(
            "validation failed ({status:?}): {}",
            reasons.join("; ")
        )));
    }

    let mut params = CertificateParams::new(settings.domains.clone())
        .map_err(|error| TlsError::Generate(error.to_string()))?;
    params.distinguished_name = DistinguishedName::new();
    let key = KeyPair::generate().map_err(|error| TlsError::Generate(error.to_string()))?;
    let csr = params
        .serialize_request(&key)
        .map_err(|error| TlsError::Generate(error.to_string()))?;
    order
        .finalize_csr(csr.der())
        .await
        .map_err(|error| AcmeError::from_acme(url, error))?;
    let chain = order
        .poll_certificate(&polling)
        .await
        .map_err(|error| AcmeError::from_acme(url, error))?;
    let key_pem = key.serialize_pem();
    let loaded = super::load_pem(chain.as_bytes(), key_pem.as_bytes(), "acme order", "acme")?;
    super::write_private(&settings.key_path(), key_pem.as_bytes())?;
    super::write_private(&settings.cert_path(), chain.as_bytes())?;
    let meta = CertMeta {
        directory_url: settings.directory_url.clone(),
    };
    if let Ok(json) = serde_json::to_vec(&meta) {
        super::write_private(&settings.meta_path(), &json)?;
    }
    Ok(loaded)
}
