//! Loading and validating the configuration layers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use super::{AiProvider, Config, Secret, TlsMode};

/// Where the file layer comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// No file: embedded defaults (plus environment and flags).
    Embedded,
    /// A TOML file.
    File(PathBuf),
}

impl ConfigSource {
    /// `--config`/`BSN_CONFIG` when given, else the packaged path when it exists, else embedded.
    pub fn resolve(explicit: Option<PathBuf>) -> Self {
        match explicit {
            Some(path) => Self::File(path),
            None => {
                let packaged = Path::new(PACKAGED_CONFIG_PATH);
                if packaged.exists() {
                    Self::File(packaged.to_owned())
                } else {
                    Self::Embedded
                }
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Embedded => "embedded defaults".to_owned(),
            Self::File(path) => path.display().to_string(),
        }
    }
}

/// The packaged config file, used when no `--config` is given and it exists.
pub const PACKAGED_CONFIG_PATH: &str = "/etc/bsn-knowledge/config.toml";

/// Values given as command-line flags: the top layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub http_listen: Option<SocketAddr>,
    pub log_level: Option<String>,
}

/// A configuration problem, located as precisely as we can: which layer, which key, which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    /// The file path, `environment variable BSN_...`, or `command-line flag --...`.
    pub origin: String,
    pub line: Option<usize>,
    /// Dotted key, e.g. `server.max_body_bytes`.
    pub key: Option<String>,
    pub message: String,
}

impl ConfigError {
    fn render(&self) -> String {
        let mut out = format!("config error in {}", self.origin);
        if let Some(line) = self.line {
            out.push_str(&format!(" line {line}"));
        }
        if let Some(key) = &self.key {
            out.push_str(&format!(", key `{key}`"));
        }
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }
}

/// Reads the file (if any) and layers environment and flags on top.
pub fn load(
    source: &ConfigSource,
    env: &BTreeMap<String, String>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let (origin, text) = match source {
        ConfigSource::Embedded => ("embedded defaults".to_owned(), String::new()),
        ConfigSource::File(path) => {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
                origin: origin.clone(),
                line: None,
                key: None,
                message: format!("cannot read the config file: {error}"),
            })?;
            (origin, text)
        }
    };
    load_from_str(&origin, &text, env, overrides)
}

/// Same as [`load`] with the file's text given; `origin` names it in errors.
pub fn load_from_str(
    origin: &str,
    text: &str,
    env: &BTreeMap<String, String>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let file_error = |error: toml::de::Error| {
        let (line, key) = match error.span() {
            Some(span) => {
                let (line, key) = locate(text, span.start);
                (Some(line), key)
            }
            None => (None, None),
        };
        ConfigError {
            origin: origin.to_owned(),
            line,
            key,
            message: first_line(error.message()),
        }
    };

    // The file alone first, so that its errors carry a line number.
    let file_table: toml::Table = toml::from_str(text).map_err(file_error)?;
    toml::from_str::<Config>(text).map_err(file_error)?;

    let mut origins: BTreeMap<String, String> = BTreeMap::new();
    let mut merged = file_table;
    for (name, raw) in env {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let Some((section, key)) = rest.split_once("__") else {
            continue;
        };
        let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
        let env_origin = format!("environment variable {name}");
        let dotted = format!("{section}.{key}");
        let mut last_error = None;
        for candidate in env_value_candidates(raw) {
            let mut trial = merged.clone();
            if let Err(message) = insert_key(&mut trial, &section, &key, candidate) {
                last_error = Some(message);
                break;
            }
            match toml::Value::Table(trial.clone()).try_into::<Config>() {
                Ok(_) => {
                    merged = trial;
                    last_error = None;
                    break;
                }
                Err(error) => last_error = Some(first_line(error.message())),
            }
        }
        if let Some(message) = last_error {
            return Err(ConfigError {
                origin: env_origin,
                line: None,
                key: Some(dotted),
                message,
            });
        }
        origins.insert(dotted, env_origin);
    }

    let mut config: Config =
        toml::Value::Table(merged)
            .try_into()
            .map_err(|error: toml::de::Error| ConfigError {
                origin: origin.to_owned(),
                line: None,
                key: None,
                message: first_line(error.message()),
            })?;

    if let Some(data_dir) = &overrides.data_dir {
        config.storage.data_dir = data_dir.clone();
        origins.insert(
            "storage.data_dir".into(),
            "command-line flag --data-dir".into(),
        );
    }
    if let Some(listen) = overrides.http_listen {
        config.server.http_listen = listen;
        origins.insert(
            "server.http_listen".into(),
            "command-line flag --http-listen".into(),
        );
    }
    if let Some(level) = &overrides.log_level {
        config.logging.level = level.clone();
        origins.insert(
            "logging.level".into(),
            "command-line flag --log-level".into(),
        );
    }

    let locate_key = |key: &str, message: String| -> ConfigError {
        if let Some(origin) = origins.get(key) {
            return ConfigError {
                origin: origin.clone(),
                line: None,
                key: Some(key.to_owned()),
                message,
            };
        }
        ConfigError {
            origin: origin.to_owned(),
            line: line_of_key(text, key),
            key: Some(key.to_owned()),
            message,
        }
    };

    read_secret_files(&mut config).map_err(|(key, message)| locate_key(&key, message))?;
    validate(&config).map_err(|(key, message)| locate_key(&key, message))?;
    Ok(config)
}

const ENV_PREFIX: &str = "BSN_";

/// An environment value is tried as a TOML literal first (`8000`, `true`, `["a"]`), then as a string.
fn env_value_candidates(raw: &str) -> Vec<toml::Value> {
    let mut candidates = Vec::with_capacity(2);
    if let Ok(mut table) = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        && table.len() == 1
        && let Some(value) = table.remove("v")
    {
        candidates.push(value);
    }
    candidates.push(toml::Value::String(raw.to_owned()));
    candidates
}

fn insert_key(
    table: &mut toml::Table,
    section: &str,
    key: &str,
    value: toml::Value,
) -> Result<(), String> {
    let entry = table
        .entry(section.to_owned())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    match entry {
        toml::Value::Table(section_table) => {
            section_table.insert(key.to_owned(), value);
            Ok(())
        }
        _ => Err(format!("`{section}` is not a section")),
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

/// 1-based line of a byte offset, and the dotted key written on that line if any.
fn locate(text: &str, offset: usize) -> (usize, Option<String>) {
    let offset = offset.min(text.len());
    let line_number = text[..offset].matches('\n').count() + 1;
    let mut section = String::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = parse_header(trimmed) {
            section = header;
        }
        if index + 1 == line_number {
            if let Some(key) = parse_key(trimmed) {
                let dotted = if section.is_empty() {
                    key
                } else {
                    format!("{section}.{key}")
                };
                return (line_number, Some(dotted));
            }
            let key = if section.is_empty() {
                None
            } else {
                Some(section)
            };
            return (line_number, key);
        }
    }
    (line_number, None)
}

/// The line where `section.key` is written in the file, if it is.
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let (wanted_section, wanted_key) = dotted.split_once('.')?;
    let mut section = String::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = parse_header(trimmed) {
            section = header;
            continue;
        }
        if section == wanted_section && parse_key(trimmed).as_deref() == Some(wanted_key) {
            return Some(index + 1);
        }
    }
    None
}

fn parse_header(line: &str) -> Option<String> {
    let inner = line.strip_prefix('[')?.split(']').next()?;
    Some(inner.trim().trim_matches('"').to_owned())
}

fn parse_key(line: &str) -> Option<String> {
    if line.starts_with('#') || line.starts_with('[') {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty()).then(|| key.to_owned())
}

type KeyProblem = (String, String);

fn read_secret_files(config: &mut Config) -> Result<(), KeyProblem> {
    fn resolve(
        section: &str,
        name: &str,
        value: &mut Option<Secret>,
        file: &Option<PathBuf>,
    ) -> Result<(), KeyProblem> {
        let Some(path) = file else { return Ok(()) };
        let file_key = format!("{section}.{name}_file");
        if value.is_some() {
            return Err((
                file_key,
                format!("set either `{name}` or `{name}_file`, not both"),
            ));
        }
        let contents = std::fs::read_to_string(path).map_err(|error| {
            (
                file_key.clone(),
                format!("cannot read {}: {error}", path.display()),
            )
        })?;
        let secret = contents.trim_end_matches(['\r', '\n']);
        if secret.is_empty() {
            return Err((file_key, format!("{} is empty", path.display())));
        }
        *value = Some(Secret::new(secret));
        Ok(())
    }
    resolve(
        "auth",
        "secret_key",
        &mut config.auth.secret_key,
        &config.auth.secret_key_file,
    )?;
    resolve(
        "ai",
        "api_key",
        &mut config.ai.api_key,
        &config.ai.api_key_file,
    )?;
    resolve(
        "ragnostic",
        "api_key",
        &mut config.ragnostic.api_key,
        &config.ragnostic.api_key_file,
    )?;
    resolve(
        "backup",
        "s3_access_key",
        &mut config.backup.s3_access_key,
        &config.backup.s3_access_key_file,
    )?;
    resolve(
        "backup",
        "s3_secret_key",
        &mut config.backup.s3_secret_key,
        &config.backup.s3_secret_key_file,
    )?;
    Ok(())
}

fn check_range(key: &str, value: u64, min: u64, max: u64) -> Result<(), KeyProblem> {
    if value < min || value > max {
        return Err((
            key.to_owned(),
            format!("{value} is out of range: must be between {min} and {max}"),
        ));
    }
    Ok(())
}

fn check_url(key: &str, value: &Option<String>, schemes: &[&str]) -> Result<(), KeyProblem> {
    let Some(url) = value else { return Ok(()) };
    if !schemes
        .iter()
        .any(|scheme| url.starts_with(&format!("{scheme}://")))
    {
        return Err((
            key.to_owned(),
            format!(
                "`{url}` must start with {}",
                schemes.join(":// or ") + "://"
            ),
        ));
    }
    Ok(())
}

/// Rules about single values and between values that serde cannot express.
fn validate(config: &Config) -> Result<(), KeyProblem> {
    let server = &config.server;
    check_range(
        "server.max_body_bytes",
        server.max_body_bytes,
        1_024,
        1 << 30,
    )?;
    check_range(
        "server.request_timeout_secs",
        server.request_timeout_secs,
        1,
        3_600,
    )?;
    check_range(
        "server.generation_timeout_secs",
        server.generation_timeout_secs,
        1,
        3_600,
    )?;
    check_range(
        "server.shutdown_grace_secs",
        server.shutdown_grace_secs,
        0,
        600,
    )?;
    check_url("server.public_url", &server.public_url, &["http", "https"])?;
    for host in &server.allowed_hosts {
        if host.is_empty() || host.contains('/') || host.contains(' ') {
            return Err((
                "server.allowed_hosts".into(),
                format!("`{host}` is not a host name"),
            ));
        }
    }

    let tls = &config.tls;
    match tls.mode {
        TlsMode::Files => {
            if tls.cert_file.is_none() || tls.key_file.is_none() {
                let key = if tls.cert_file.is_none() {
                    "tls.cert_file"
                } else {
                    "tls.key_file"
                };
                return Err((
                    key.into(),
                    "mode \"files\" needs both cert_file and key_file".into(),
                ));
            }
        }
        TlsMode::Acme => {
            check_url(
                "tls.acme_directory_url",
                &Some(tls.acme_directory_url.clone()),
                &["https"],
            )?;
        }
        TlsMode::SelfSigned | TlsMode::Off => {}
    }
    // Port 0 means "any free port": two such listeners never collide.
    if tls.mode != TlsMode::Off
        && server.https_listen == server.http_listen
        && server.https_listen.port() != 0
    {
        return Err((
            "server.https_listen".into(),
            "must differ from server.http_listen".into(),
        ));
    }
    check_range(
        "tls.renew_before_days",
        u64::from(tls.renew_before_days),
        1,
        60,
    )?;

    check_range(
        "database.busy_timeout_ms",
        config.database.busy_timeout_ms,
        0,
        600_000,
    )?;
    check_range(
        "database.pool_size",
        u64::from(config.database.pool_size),
        1,
        64,
    )?;
    check_range("cache.max_entries", config.cache.max_entries, 1, 10_000_000)?;
    check_range(
        "cache.nclex_ttl_secs",
        config.cache.nclex_ttl_secs,
        1,
        604_800,
    )?;
    check_range(
        "cache.analytics_ttl_secs",
        config.cache.analytics_ttl_secs,
        1,
        604_800,
    )?;

    let auth = &config.auth;
    if let Some(secret) = &auth.secret_key
        && secret.expose().len() < 32
    {
        return Err((
            "auth.secret_key".into(),
            "must be at least 32 characters".into(),
        ));
    }
    check_range("auth.access_token_hours", auth.access_token_hours, 1, 168)?;
    check_range("auth.refresh_token_days", auth.refresh_token_days, 1, 365)?;
    check_range(
        "auth.lockout_threshold",
        u64::from(auth.lockout_threshold),
        1,
        100,
    )?;
    check_range("auth.lockout_minutes", auth.lockout_minutes, 1, 1_440)?;

    let limits = &config.rate_limits;
    for (key, value) in [
        ("rate_limits.general_per_hour", limits.general_per_hour),
        ("rate_limits.content_per_hour", limits.content_per_hour),
        (
            "rate_limits.assessment_per_hour",
            limits.assessment_per_hour,
        ),
        ("rate_limits.analytics_per_hour", limits.analytics_per_hour),
        ("rate_limits.per_ip_rps", limits.per_ip_rps),
        ("rate_limits.per_ip_burst", limits.per_ip_burst),
        ("rate_limits.content_per_ip_rps", limits.content_per_ip_rps),
        (
            "rate_limits.content_per_ip_burst",
            limits.content_per_ip_burst,
        ),
    ] {
        check_range(key, u64::from(value), 1, 1_000_000)?;
    }
    for origin in &config.cors.allowed_origins {
        if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
            return Err((
                "cors.allowed_origins".into(),
                format!("`{origin}` must be an origin like https://lms.example.edu"),
            ));
        }
    }

    let logging = &config.logging;
    let is_directive = logging.level.contains('=') || logging.level.contains(',');
    let known_level =
        ["trace", "debug", "info", "warn", "error", "off"].contains(&logging.level.as_str());
    if !(known_level
        || is_directive && tracing_subscriber::EnvFilter::try_new(&logging.level).is_ok())
    {
        return Err((
            "logging.level".into(),
            format!(
                "`{}` is not a level (trace, debug, info, warn, error) or filter",
                logging.level
            ),
        ));
    }
    check_range("logging.keep_files", logging.keep_files as u64, 1, 3_650)?;

    let ai = &config.ai;
    if ai.provider == AiProvider::Openai {
        if ai.base_url.is_none() {
            return Err((
                "ai.base_url".into(),
                "provider \"openai\" needs base_url".into(),
            ));
        }
        if ai.model.is_none() {
            return Err(("ai.model".into(), "provider \"openai\" needs model".into()));
        }
    }
    check_url("ai.base_url", &ai.base_url, &["http", "https"])?;
    check_range("ai.timeout_secs", ai.timeout_secs, 1, 600)?;
    check_url("ragnostic.url", &config.ragnostic.url, &["http", "https"])?;
    check_range(
        "ragnostic.timeout_secs",
        config.ragnostic.timeout_secs,
        1,
        300,
    )?;
    check_range(
        "backup.keep_days",
        u64::from(config.backup.keep_days),
        0,
        3_650,
    )?;
    if let Some(count) = config.backup.keep_count {
        check_range("backup.keep_count", u64::from(count), 1, 10_000)?;
    }
    super::schedule::validate_backup(&config.backup)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Config, ConfigError> {
        load_from_str("test.toml", text, &BTreeMap::new(), &Overrides::default())
    }

    fn check_env(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        load_from_str("test.toml", text, &env, &Overrides::default())
    }

    #[test]
    fn an_empty_file_gives_the_embedded_defaults() {
        assert_eq!(check("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let error =
            check("[server]\nhttp_listen = \"127.0.0.1:9000\"\nmax_body = 5\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert_eq!(error.key.as_deref(), Some("server.max_body"), "{error}");
        assert!(error.message.contains("unknown field"), "{error}");
    }

    #[test]
    fn unknown_sections_are_rejected() {
        let error = check("[serverr]\nx = 1\n").unwrap_err();
        assert_eq!(error.line, Some(1), "{error}");
        assert!(error.message.contains("serverr"), "{error}");
    }

    #[test]
    fn wrong_types_name_key_and_line() {
        let error = check("[database]\n\npool_size = \"four\"\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert_eq!(error.key.as_deref(), Some("database.pool_size"), "{error}");
    }

    #[test]
    fn broken_toml_names_the_line() {
        let error = check("[server]\nhttp_listen = \"127.0.0.1:9000\n").unwrap_err();
        assert_eq!(error.line, Some(2), "{error}");
    }

    #[test]
    fn out_of_range_values_name_key_and_line() {
        let error = check("[server]\n# comment\nmax_body_bytes = 12\n").unwrap_err();
        assert_eq!(error.line, Some(3), "{error}");
        assert_eq!(error.key.as_deref(), Some("server.max_body_bytes"));
        assert!(error.message.contains("out of range"), "{error}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = check_env(
            "[server]\nhttp_listen = \"127.0.0.1:9000\"\n",
            &[
                ("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:9100"),
                ("BSN_DATABASE__POOL_SIZE", "7"),
            ],
        )
        .unwrap();
        assert_eq!(config.server.http_listen.port(), 9100);
        assert_eq!(config.database.pool_size, 7);
    }

    #[test]
    fn a_numeric_looking_secret_from_the_environment_stays_a_string() {
        let secret = "12345678901234567890123456789012345";
        let config = check_env("", &[("BSN_AUTH__SECRET_KEY", secret)]).unwrap();
        assert_eq!(config.auth.secret_key.unwrap().expose(), secret);
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let error = check_env("", &[("BSN_DATABASE__POOL_SIZE", "many")]).unwrap_err();
        assert_eq!(error.origin, "environment variable BSN_DATABASE__POOL_SIZE");
        let error = check_env("", &[("BSN_SERVER__NOPE", "1")]).unwrap_err();
        assert!(error.message.contains("unknown field"), "{error}");
        let error = check_env("", &[("BSN_DATABASE__POOL_SIZE", "0")]).unwrap_err();
        assert_eq!(error.origin, "environment variable BSN_DATABASE__POOL_SIZE");
        assert_eq!(error.key.as_deref(), Some("database.pool_size"));
    }

    #[test]
    fn flags_override_environment() {
        let env = [("BSN_STORAGE__DATA_DIR".to_string(), "/env".to_string())]
            .into_iter()
            .collect();
        let overrides = Overrides {
            data_dir: Some("/flag".into()),
            ..Overrides::default()
        };
        let config =
            load_from_str("t", "[storage]\ndata_dir = \"/file\"\n", &env, &overrides).unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("/flag"));
    }

    #[test]
    fn secrets_can_come_from_files_and_are_masked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "abcdefghijklmnopqrstuvwxyz0123456789\n").unwrap();
        let text = format!("[auth]\nsecret_key_file = \"{}\"\n", path.display());
        let config = check(&text).unwrap();
        assert_eq!(
            config.auth.secret_key.as_ref().unwrap().expose(),
            "abcdefghijklmnopqrstuvwxyz0123456789"
        );
        let shown = config.to_masked_toml();
        assert!(!shown.contains("abcdefghij"), "{shown}");
        assert!(shown.contains("********"), "{shown}");
        assert!(!format!("{config:?}").contains("abcdefghij"));
    }

    #[test]
    fn a_secret_and_its_file_together_are_rejected() {
        let error = check("[auth]\nsecret_key = \"abcdefghijklmnopqrstuvwxyz0123456789\"\nsecret_key_file = \"/x\"\n")
            .unwrap_err();
        assert_eq!(error.key.as_deref(), Some("auth.secret_key_file"));
        assert_eq!(error.line, Some(3));
    }

    #[test]
    fn cross_field_rules_are_checked() {
        let error = check("[tls]\nmode = \"files\"\ncert_file = \"/c.pem\"\n").unwrap_err();
        assert_eq!(error.key.as_deref(), Some("tls.key_file"));
        let config = check("[tls]\nmode = \"acme\"\n").unwrap();
        assert_eq!(
            config.warnings().len(),
            1,
            "acme without domains is a warning, not an error"
        );
        let error = check("[ai]\nprovider = \"openai\"\n").unwrap_err();
        assert_eq!(error.key.as_deref(), Some("ai.base_url"));
        let error = check("[tls]\nmode = \"sometimes\"\n").unwrap_err();
        assert_eq!(error.line, Some(2), "{error}");
    }

    #[test]
    fn the_rendered_error_reads_as_one_sentence() {
        let error = check("[cache]\nmax_entries = 0\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "config error in test.toml line 2, key `cache.max_entries`: 0 is out of range: must be between 1 and 10000000"
        );
    }

    #[test]
    fn the_masked_rendering_parses_back_to_the_same_config() {
        let config = check("[server]\nallowed_hosts = [\"bsn.example.edu\"]\n").unwrap();
        let again = check(&config.to_masked_toml()).unwrap();
        assert_eq!(config, again);
    }
}
