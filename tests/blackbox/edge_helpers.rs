//! Helpers for the edge tests: the HTTPS port of a running server, certificates made with rcgen,
//! a TLS client that reports the served certificate, `openssl s_client` with a timeout, and a
//! real Pebble ACME CA (with pebble-challtestsrv as its DNS) on loopback.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use crate::helpers::Server;

pub fn install_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// A port that was free a moment ago (for daemons that need the number up front).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("free port")
}

/// The HTTPS address the server logged.
pub fn https_addr(server: &Server) -> SocketAddr {
    assert!(
        server.wait_for_log("listening on https://", Duration::from_secs(10)),
        "no https listener: {}",
        server.logs()
    );
    let logs = server.logs();
    let rest = logs
        .split("listening on https://")
        .nth(1)
        .expect("https line");
    rest.split_whitespace()
        .next()
        .expect("address")
        .parse()
        .expect("https address")
}

/// A reqwest client that accepts any certificate and sends `host` as SNI and Host.
pub fn https_client(addr: SocketAddr, host: &str) -> reqwest::Client {
    install_provider();
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .resolve(host, addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

pub fn https_url(addr: SocketAddr, host: &str, path: &str) -> String {
    format!("https://{host}:{}{path}", addr.port())
}

/// A self-signed certificate and key (PEM) for `names`, valid for `days` from now.
pub fn self_signed(names: &[&str], days: i64) -> (String, String) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, names[0].to_owned());
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A CA certificate (PEM) and a leaf certificate and key it signed for `names`.
pub fn ca_and_leaf(names: &[&str]) -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "bsn test ca");
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    (ca_cert.pem(), leaf.pem(), leaf_key.serialize_pem())
}

/// What a TLS handshake showed.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub issuer: String,
    pub names: Vec<String>,
    pub serial: String,
    pub alpn: Option<String>,
}

#[derive(Debug)]
struct AcceptAll(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAll {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Connects to `addr` with SNI `sni`, completes the handshake and reports the leaf certificate.
pub fn handshake(addr: SocketAddr, sni: &str) -> Result<Handshake, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAll(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let name = ServerName::try_from(sni.to_owned()).map_err(|e| e.to_string())?;
    let mut connection =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut socket = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect: {e}"))?;
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    while connection.is_handshaking() {
        connection
            .complete_io(&mut socket)
            .map_err(|e| format!("handshake: {e}"))?;
    }
    let leaf = connection
        .peer_certificates()
        .and_then(|certs| certs.first())
        .ok_or("no certificate")?
        .clone();
    let (_, cert) =
        x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(dns) = name {
                names.push(dns.to_string());
            }
        }
    }
    Ok(Handshake {
        issuer: cert.issuer().to_string(),
        names,
        serial: cert.raw_serial_as_string(),
        alpn: connection
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    })
}

/// Waits until the served certificate (for `sni`) satisfies `want`.
pub fn wait_for_cert(
    addr: SocketAddr,
    sni: &str,
    timeout: Duration,
    want: impl Fn(&Handshake) -> bool,
) -> Result<Handshake, String> {
    let deadline = Instant::now() + timeout;
    let mut last = Err("never tried".to_owned());
    while Instant::now() < deadline {
        last = handshake(addr, sni);
        if let Ok(seen) = &last
            && want(seen)
        {
            return last;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("certificate never matched; last: {last:?}"))
}

/// Runs a command with stdin closed, killing it after `timeout`; returns (success, stdout+stderr).
pub fn run_bounded(program: &str, args: &[&str], timeout: Duration) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut output);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut output);
    }
    (status.is_some_and(|s| s.success()), output)
}

/// `openssl s_client` against `addr` with extra arguments.
pub fn s_client(addr: SocketAddr, extra: &[&str]) -> (bool, String) {
    let connect = addr.to_string();
    let mut args = vec!["s_client", "-connect", connect.as_str()];
    args.extend_from_slice(extra);
    run_bounded("openssl", &args, Duration::from_secs(15))
}

/// Sends raw bytes and returns whatever comes back before the peer closes or `timeout` passes.
pub fn raw_exchange(addr: SocketAddr, request: &[u8], timeout: Duration) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(timeout)).unwrap();
    stream.write_all(request).unwrap();
    let mut buffer = Vec::new();
    let _ = stream.read_to_end(&mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// A Pebble ACME CA and its fake DNS (every name is 127.0.0.1), killed on drop.
pub struct Pebble {
    children: Vec<Child>,
    _dir: tempfile::TempDir,
    pub directory: String,
    pub ca_root: PathBuf,
    log: PathBuf,
}

impl Pebble {
    /// Starts Pebble validating challenges on `http_port` (HTTP-01) and `tls_port`
    /// (TLS-ALPN-01). `nonce_reject` is the percentage of good nonces Pebble refuses.
    pub fn start(http_port: u16, tls_port: u16, nonce_reject: u32) -> Pebble {
        Self::start_with(http_port, tls_port, nonce_reject, &PebblePki::new())
    }

    /// Starts Pebble with a given listener certificate and ACME port.
    pub fn start_with(http_port: u16, tls_port: u16, nonce_reject: u32, pki: &PebblePki) -> Pebble {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_root = pki.write_root(dir.path());
        std::fs::write(dir.path().join("cert.pem"), &pki.leaf).unwrap();
        std::fs::write(dir.path().join("key.pem"), &pki.key).unwrap();
        let acme_port = pki.acme_port;
        let (management_port, dns_port, challtest_port) = (free_port(), free_port(), free_port());
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": format!("127.0.0.1:{acme_port}"),
                "managementListenAddress": format!("127.0.0.1:{management_port}"),
                "certificate": dir.path().join("cert.pem"),
                "privateKey": dir.path().join("key.pem"),
                "httpPort": http_port,
                "tlsPort": tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false
            }
        });
        let config_path = dir.path().join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = dir.path().join("pebble.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let dns = Command::new("pebble-challtestsrv")
            .args([
                "-management",
                &format!("127.0.0.1:{challtest_port}"),
                "-dns01",
                &format!("127.0.0.1:{dns_port}"),
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-defaultIPv4",
                "127.0.0.1",
                "-defaultIPv6",
                "",
            ])
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file.try_clone().unwrap())
            .spawn()
            .expect("pebble-challtestsrv runs (apt-get install pebble)");
        let pebble = Command::new("pebble")
            .args(["-config"])
            .arg(&config_path)
            .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", nonce_reject.to_string())
            .env("PEBBLE_AUTHZREUSE", "0")
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .expect("pebble runs (apt-get install pebble)");
        let pebble = Pebble {
            children: vec![dns, pebble],
            directory: pki.directory(),
            ca_root,
            _dir: dir,
            log,
        };
        pebble.wait_ready(acme_port);
        pebble
    }

    fn wait_ready(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("pebble did not start: {}", self.logs());
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The `[tls]` section pointing at this CA.
    pub fn tls_config(&self, domain: &str, challenge: &str, renew_before_days: u32) -> String {
        tls_section(
            &self.directory,
            &self.ca_root,
            domain,
            challenge,
            renew_before_days,
        )
    }
}

/// Pebble's own listener certificate (made by a test CA) and its ACME port, chosen before it
/// runs so a server can be pointed at a CA that is not up yet.
pub struct PebblePki {
    pub acme_port: u16,
    pub ca: String,
    pub leaf: String,
    pub key: String,
}

impl PebblePki {
    pub fn new() -> Self {
        let (ca, leaf, key) = ca_and_leaf(&["localhost", "127.0.0.1"]);
        Self {
            acme_port: free_port(),
            ca,
            leaf,
            key,
        }
    }

    pub fn directory(&self) -> String {
        format!("https://127.0.0.1:{}/dir", self.acme_port)
    }

    /// Writes the CA certificate clients must trust; returns its path.
    pub fn write_root(&self, dir: &Path) -> PathBuf {
        let path = dir.join("pebble-ca.pem");
        std::fs::write(&path, &self.ca).unwrap();
        path
    }
}

pub fn tls_section(
    directory: &str,
    ca_root: &Path,
    domain: &str,
    challenge: &str,
    renew_before_days: u32,
) -> String {
    format!(
        "[tls]\nmode = \"acme\"\ndomains = [\"{domain}\"]\nacme_directory_url = \"{directory}\"\nacme_ca_root = \"{}\"\nacme_challenge = \"{challenge}\"\nacme_contact = \"it@school.test\"\nrenew_before_days = {renew_before_days}\n",
        ca_root.display()
    )
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
