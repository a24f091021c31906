use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_bsn-knowledge");

/// A command for the binary with a clean environment: no BSN_* variables leak in from the caller.
pub fn command(dir: &Path) -> Command {
    clean(Command::new(BIN), dir)
}

fn clean(mut command: Command, dir: &Path) -> Command {
    for (name, _) in std::env::vars() {
        if name.starts_with("BSN_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(dir)
        .env("BSN_STORAGE__DATA_DIR", dir.join("data"));
    command
}

/// Output of a finished command.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let output = command(dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("binary runs");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A running server on an ephemeral loopback port.
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    logs: Arc<Mutex<String>>,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with("", &[])
    }

    /// Starts with `config` as the config file's text and extra environment variables.
    pub fn start_with(config: &str, env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, config, env)
    }

    pub fn start_in(dir: tempfile::TempDir, config: &str, env: &[(&str, &str)]) -> Server {
        match Self::try_start_in(dir, config, env) {
            Ok(server) => server,
            Err((message, _)) => panic!("{message}"),
        }
    }

    /// Starts with the embedded defaults in a process whose open-file limit (soft and hard) is
    /// `limit`, so that its connection cap is small.
    pub fn start_with_open_file_limit(limit: u64) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        match Self::spawn(dir, "", &[], Some(limit)) {
            Ok(server) => server,
            Err((message, _)) => panic!("{message}"),
        }
    }

    /// Starts, or returns why not and the process's exit status.
    pub fn try_start_in(
        dir: tempfile::TempDir,
        config: &str,
        env: &[(&str, &str)],
    ) -> Result<Server, (String, Option<ExitStatus>)> {
        Self::spawn(dir, config, env, None)
    }

    fn spawn(
        dir: tempfile::TempDir,
        config: &str,
        env: &[(&str, &str)],
        open_file_limit: Option<u64>,
    ) -> Result<Server, (String, Option<ExitStatus>)> {
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut command = match open_file_limit {
            // util-linux's prlimit (essential on Debian) runs the binary under the limit.
            Some(limit) => {
                let mut wrapped = Command::new("prlimit");
                wrapped
                    .arg(format!("--nofile={limit}:{limit}"))
                    .arg("--")
                    .arg(BIN);
                clean(wrapped, dir.path())
            }
            None => command(dir.path()),
        };
        command
            .args(["serve", "--config"])
            .arg(&config_path)
            .env("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn server");
        let logs = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let logs = Arc::clone(&logs);
            let ready_tx = ready_tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let _ = ready_tx.send(rest.trim().to_owned());
                    }
                    let mut logs = logs.lock().unwrap();
                    logs.push_str(&line);
                    logs.push('\n');
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(addr) = ready_rx.recv_timeout(Duration::from_millis(50)) {
                let addr = addr.parse().expect("listen address");
                return Ok(Server {
                    child: Some(child),
                    addr,
                    dir,
                    logs,
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                let logs = logs.lock().unwrap().clone();
                return Err((logs, Some(status)));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err((
                    format!("server did not start: {}", logs.lock().unwrap()),
                    None,
                ));
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// Waits until the logs contain `needle`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.logs().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn signal(&self, signal: rustix::process::Signal) {
        let child = self.child.as_ref().expect("running");
        let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("pid");
        rustix::process::kill_process(pid, signal).expect("send signal");
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "server did not exit within {timeout:?}; logs:\n{}",
                    self.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// kill -9.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A client that waits as long as the server's own request deadline (60 s): the first generation
/// request loads the catalog, which in a debug build beside the adaptive-exam tests building their
/// bank can take longer than a short client timeout.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Checks that `body` is the contract's error envelope for `status` and returns it.
pub fn assert_envelope(body: &serde_json::Value, code: &str, path: &str) {
    assert_eq!(body["error"], true, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(body["path"], path, "{body}");
    assert!(
        body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|error| panic!("timestamp {timestamp} is not RFC 3339: {error}"));
}
