//! Self-signed certificates: the `self-signed` mode's certificate (generated for `[tls].domains`,
//! kept under `data_dir/tls` with mode 0600 and reused until 30 days before it expires), the
//! temporary certificate served while ACME has not delivered yet, and TLS-ALPN-01 challenge
//! certificates.

use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, CustomExtension, DistinguishedName, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;

use super::{Loaded, TlsError};

/// Validity of a generated certificate.
const VALID_DAYS: i64 = 365;
/// A stored self-signed certificate is replaced when it has less than this left.
const REPLACE_DAYS: i64 = 30;

/// The names a certificate is made for: the configured domains, or the loopback names.
fn names_for(domains: &[String]) -> Vec<String> {
    if domains.is_empty() {
        vec!["localhost".into(), "127.0.0.1".into(), "::1".into()]
    } else {
        domains.to_vec()
    }
}

/// Generates a certificate and key, both PEM.
pub fn generate(domains: &[String]) -> Result<(String, String), TlsError> {
    let names = names_for(domains);
    let mut params =
        CertificateParams::new(names.clone()).map_err(|e| TlsError::Generate(e.to_string()))?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, names[0].clone());
    subject.push(DnType::OrganizationName, "BSN Knowledge (self-signed)");
    params.distinguished_name = subject;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(VALID_DAYS);
    let key = KeyPair::generate().map_err(|e| TlsError::Generate(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The `self-signed` mode: reuse the stored certificate when it still fits, otherwise make and
/// store a new one.
pub fn load_or_create(data_dir: &Path, domains: &[String]) -> Result<Loaded, TlsError> {
    let dir = data_dir.join("tls");
    let cert_path = dir.join("self-signed-cert.pem");
    let key_path = dir.join("self-signed-key.pem");
    let wanted = names_for(domains);
    if let (Ok(cert), Ok(key)) = (std::fs::read(&cert_path), std::fs::read(&key_path)) {
        match super::load_pem(&cert, &key, &cert_path.display().to_string(), "self-signed") {
            Ok(loaded)
                if loaded.info.seconds_left() > REPLACE_DAYS * 86_400
                    && wanted.iter().all(|name| loaded.info.covers(name)) =>
            {
                return Ok(loaded);
            }
            Ok(_) => tracing::info!(
                "the stored self-signed certificate is expiring or names other hosts; generating a new one"
            ),
            Err(error) => {
                tracing::warn!(%error, "the stored self-signed certificate cannot be used; generating a new one")
            }
        }
    }
    let (cert, key) = generate(domains)?;
    super::write_private(&key_path, key.as_bytes())?;
    super::write_private(&cert_path, cert.as_bytes())?;
    tracing::info!(path = %cert_path.display(), "generated a self-signed certificate");
    super::load_pem(
        cert.as_bytes(),
        key.as_bytes(),
        &cert_path.display().to_string(),
        "self-signed",
    )
}

/// A certificate kept only in memory, served until ACME delivers the real one.
pub fn temporary(domains: &[String]) -> Result<Loaded, TlsError> {
    let (cert, key) = generate(domains)?;
    super::load_pem(
        cert.as_bytes(),
        key.as_bytes(),
        "temporary",
        "temporary self-signed",
    )
}

/// The TLS-ALPN-01 challenge certificate for `domain` (RFC 8737): self-signed, naming the
/// domain, with the critical acmeIdentifier extension holding the key authorization's digest.
pub fn alpn_challenge(domain: &str, digest: &[u8]) -> Result<Arc<CertifiedKey>, TlsError> {
    let mut params = CertificateParams::new(vec![domain.to_owned()])
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    params.distinguished_name = DistinguishedName::new();
    params
        .custom_extensions
        .push(CustomExtension::new_acme_identifier(digest));
    let key = KeyPair::generate().map_err(|e| TlsError::Generate(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    // Not `CertifiedKey::from_der`: its consistency check parses the certificate with webpki,
    // which rejects the critical acmeIdentifier extension this certificate must carry.
    let signing_key = super::provider()
        .key_provider
        .load_private_key(key_der)
        .map_err(|e| TlsError::Generate(e.to_string()))?;
    Ok(Arc::new(CertifiedKey::new(chain, signing_key)))
}
