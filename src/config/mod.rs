//! The one configuration file, typed.
//!
//! Layers, lowest first: embedded defaults, the TOML file, `BSN_SECTION__KEY` environment variables,
//! command-line flags. Every error names the key, and for the file the line, so an operator can fix
//! it without reading code. This module knows nothing of the rest of the crate.

mod load;
mod schedule;
mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use load::{ConfigError, ConfigSource, Overrides, load, load_from_str};
pub use schedule::Schedule;
pub use secret::Secret;

/// The effective configuration of one process.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub tls: TlsConfig,
    pub storage: StorageConfig,
    pub database: DatabaseConfig,
    pub cache: CacheConfig,
    pub auth: AuthConfig,
    pub rate_limits: RateLimitConfig,
    pub cors: CorsConfig,
    pub logging: LoggingConfig,
    pub metrics: MetricsConfig,
    pub ai: AiConfig,
    pub ragnostic: RagnosticConfig,
    pub backup: BackupConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub http_listen: SocketAddr,
    pub https_listen: SocketAddr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    pub allowed_hosts: Vec<String>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_body_bytes: u64,
    pub request_timeout_secs: u64,
    pub generation_timeout_secs: u64,
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            http_listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            https_listen: SocketAddr::from(([0, 0, 0, 0], 443)),
            public_url: None,
            allowed_hosts: Vec::new(),
            trusted_proxies: Vec::new(),
            max_body_bytes: 52_428_800,
            request_timeout_secs: 60,
            generation_timeout_secs: 120,
            shutdown_grace_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    #[default]
    Off,
    Files,
    SelfSigned,
    Acme,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AcmeChallenge {
    #[default]
    #[serde(rename = "tls-alpn-01")]
    TlsAlpn01,
    #[serde(rename = "http-01")]
    Http01,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    pub mode: TlsMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    pub domains: Vec<String>,
    pub acme_directory_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acme_contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acme_ca_root: Option<PathBuf>,
    pub acme_challenge: AcmeChallenge,
    pub renew_before_days: u32,
}

/// Let's Encrypt production, the default ACME directory.
pub const LETS_ENCRYPT_DIRECTORY: &str = "https://acme-v02.api.letsencrypt.org/directory";

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            mode: TlsMode::Off,
            cert_file: None,
            key_file: None,
            domains: Vec::new(),
            acme_directory_url: LETS_ENCRYPT_DIRECTORY.to_owned(),
            acme_contact: None,
            acme_ca_root: None,
            acme_challenge: AcmeChallenge::TlsAlpn01,
            renew_before_days: 30,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub busy_timeout_ms: u64,
    pub pool_size: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            busy_timeout_ms: 5_000,
            pool_size: 4,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    pub max_entries: u64,
    pub nclex_ttl_secs: u64,
    pub analytics_ttl_secs: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            nclex_ttl_secs: 7_200,
            analytics_ttl_secs: 1_800,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<Secret>,
    #[serde(skip_serializing)]
    pub secret_key_file: Option<PathBuf>,
    pub access_token_hours: u64,
    pub refresh_token_days: u64,
    pub lockout_threshold: u32,
    pub lockout_minutes: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            secret_key: None,
            secret_key_file: None,
            access_token_hours: 8,
            refresh_token_days: 14,
            lockout_threshold: 5,
            lockout_minutes: 15,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    pub general_per_hour: u32,
    pub content_per_hour: u32,
    pub assessment_per_hour: u32,
    pub analytics_per_hour: u32,
    pub per_ip_rps: u32,
    pub per_ip_burst: u32,
    pub content_per_ip_rps: u32,
    pub content_per_ip_burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            general_per_hour: 1_000,
            content_per_hour: 50,
            assessment_per_hour: 200,
            analytics_per_hour: 500,
            per_ip_rps: 10,
            per_ip_burst: 20,
            content_per_ip_rps: 2,
            content_per_ip_burst: 5,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CorsConfig {
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    pub level: String,
    pub format: LogFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    pub keep_files: usize,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
            dir: None,
            keep_files: 14,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub enabled: bool,
    pub allow: Vec<IpNet>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            allow: vec![
                IpNet::from(std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST)),
                IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum AiProvider {
    #[default]
    Offline,
    Openai,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AiConfig {
    pub provider: AiProvider,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    #[serde(skip_serializing)]
    pub api_key_file: Option<PathBuf>,
    pub timeout_secs: u64,
}

impl Default for AiConfig {
    fn default() -> Self {
        Self {
            provider: AiProvider::Offline,
            base_url: None,
            model: None,
            api_key: None,
            api_key_file: None,
            timeout_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RagnosticConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    #[serde(skip_serializing)]
    pub api_key_file: Option<PathBuf>,
    pub timeout_secs: u64,
}

impl Default for RagnosticConfig {
    fn default() -> Self {
        Self {
            url: None,
            api_key: None,
            api_key_file: None,
            timeout_secs: 15,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    pub keep_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_access_key: Option<Secret>,
    #[serde(skip_serializing)]
    pub s3_access_key_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_secret_key: Option<Secret>,
    #[serde(skip_serializing)]
    pub s3_secret_key_file: Option<PathBuf>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            dir: None,
            keep_days: 30,
            keep_count: None,
            schedule: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key: None,
            s3_access_key_file: None,
            s3_secret_key: None,
            s3_secret_key_file: None,
        }
    }
}

impl Config {
    /// The directory backups are written to: `[backup].dir`, or `backups` under the data dir.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup
            .dir
            .clone()
            .unwrap_or_else(|| self.storage.data_dir.join("backups"))
    }

    /// Settings that are valid but probably not what the operator wants; shown by `check-config`
    /// and logged at start.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.tls.mode == TlsMode::Acme && self.tls.domains.is_empty() {
            warnings.push(
                "tls.domains is empty: no certificate can be requested, so a self-signed certificate is served; set [tls].domains to the server's public name".to_owned(),
            );
        }
        if self.server.http_listen.ip().is_unspecified()
            && self.tls.mode == TlsMode::Off
            && self.server.trusted_proxies.is_empty()
        {
            warnings.push(
                "tls.mode is \"off\" and the server listens on every address: passwords cross the network unencrypted unless a proxy terminates TLS in front of it".to_owned(),
            );
        }
        warnings
    }

    /// The effective configuration as TOML, secrets masked.
    pub fn to_masked_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|error| format!("# cannot render config: {error}\n"))
    }
}
