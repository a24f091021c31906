//! Backups and restores through the real binary: an online backup under a write load restored into
//! a fresh data directory and served again, restore refused while a server runs, the admin API,
//! the schedule with retention and failures in /health and /metrics, and S3 uploads to a local
//! S3-compatible server (moto).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{ADMIN_PASSWORD, Api, SECRET, password_of};
use crate::helpers::{Server, client, run};

/// The config text `Api::start_with` uses, so a restored server signs tokens the same way.
fn api_config(extra: &str) -> String {
    format!(
        "[rate_limits]\nper_ip_rps = 10000\nper_ip_burst = 10000\ngeneral_per_hour = 1000000\n\n[auth]\nsecret_key = \"{SECRET}\"\n\n{extra}\n"
    )
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

async fn usernames(api_url: &str, token: &str) -> BTreeSet<String> {
    let http = client();
    let mut names = BTreeSet::new();
    let mut skip = 0;
    loop {
        let response = http
            .get(format!(
                "{api_url}/api/v1/auth/users?skip={skip}&limit=1000"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Vec<Value> = response.json().await.unwrap();
        if page.is_empty() {
            break;
        }
        skip += page.len();
        names.extend(
            page.iter()
                .map(|user| user["username"].as_str().unwrap().to_owned()),
        );
    }
    names
}

async fn login_token(base: &str, username: &str, password: &str) -> String {
    let response = client()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "login {username}");
    response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Usernames whose creation was acknowledged, with when.
type Acknowledged = Arc<Mutex<Vec<(String, Instant)>>>;

/// Creates users from `workers` concurrent clients until `stop` is set; returns the acknowledged
/// names with the time each was acknowledged.
fn spawn_user_load(
    api: &Api,
    token: &str,
    workers: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Acknowledged, Vec<tokio::task::JoinHandle<()>>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for worker in 0..workers {
        let (url, token, stop, acknowledged) = (
            api.server.url("/api/v1/auth/users"),
            token.to_owned(),
            Arc::clone(&stop),
            Arc::clone(&acknowledged),
        );
        handles.push(tokio::spawn(async move {
            let http = client();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let username = format!("load{worker}x{n}");
                n += 1;
                let body = json!({"username": username, "role": "student", "password": password_of(&username)});
                let Ok(response) = http.post(&url).bearer_auth(&token).json(&body).send().await else { continue };
                if response.status() == 201 {
                    acknowledged.lock().unwrap().push((username, Instant::now()));
                }
            }
        }));
    }
    (acknowledged, handles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_write() {
    let api = Api::start_with("general_per_hour = 1000000", "");
    let admin = api.admin().await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (acknowledged, workers) = spawn_user_load(&api, &admin, 4, Arc::clone(&stop));

    // Let the load run, then back up with the CLI while it continues.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let backup_started = Instant::now();
    let dir = api.server.dir.path().to_owned();
    let config_path = dir.join("config.toml");
    let outcome = tokio::task::spawn_blocking(move || {
        run(
            &dir,
            &["--config", config_path.to_str().unwrap(), "backup"],
            &[],
        )
    })
    .await
    .unwrap();
    assert_eq!(outcome.code, 0, "backup failed: {}", outcome.stderr);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let archive = PathBuf::from(outcome.stdout.trim());
    assert!(
        archive.is_file(),
        "stdout names the archive: {}",
        outcome.stdout
    );
    assert!(outcome.stderr.contains("verified"), "{}", outcome.stderr);
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: BTreeSet<String> = acknowledged
        .iter()
        .filter(|(_, at)| *at < backup_started)
        .map(|(name, _)| name.clone())
        .collect();
    let all: BTreeSet<String> = acknowledged.iter().map(|(name, _)| name.clone()).collect();
    assert!(
        before.len() >= 5,
        "the load acknowledged writes before the backup ({})",
        before.len()
    );
    assert!(
        all.len() > before.len(),
        "the load went on during the backup"
    );

    // Restore into a fresh data directory and serve it with the same config.
    let fresh = tempfile::tempdir().unwrap();
    let restored = run(fresh.path(), &["restore", archive.to_str().unwrap()], &[]);
    assert_eq!(
        restored.code, 0,
        "restore failed: {}{}",
        restored.stdout, restored.stderr
    );
    assert!(restored.stdout.contains("restored"), "{}", restored.stdout);
    assert!(
        restored.stdout.contains("there was no database before"),
        "{}",
        restored.stdout
    );
    let database = fresh.path().join("data/bsn-knowledge.sqlite3");
    assert_eq!(integrity(&database), "ok");
    let server = Server::start_in(fresh, &api_config(""), &[]);
    let base = server.url("");
    let token = login_token(&base, "admin", ADMIN_PASSWORD).await;
    let names = usernames(&base, &token).await;
    let missing: Vec<&String> = before.difference(&names).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup but missing after restore: {missing:?}"
    );
    let phantom: Vec<&String> = names
        .iter()
        .filter(|name| name.starts_with("load") && !all.contains(*name))
        .collect();
    assert!(phantom.is_empty(), "users nobody acknowledged: {phantom:?}");
    // A user from the backup logs in on the restored server.
    let sample = before.iter().next().unwrap();
    login_token(&base, sample, &password_of(sample)).await;
    let health: Value = client()
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "healthy", "{health}");

    // After the load stopped, a backup through the admin API holds every acknowledged write.
    let response = api
        .send(Method::POST, "/api/v1/admin/backups", Some(&admin), None)
        .await;
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    let second = PathBuf::from(report["path"].as_str().unwrap());
    let fresh = tempfile::tempdir().unwrap();
    let restored = run(fresh.path(), &["restore", second.to_str().unwrap()], &[]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    let conn = rusqlite::Connection::open(fresh.path().join("data/bsn-knowledge.sqlite3")).unwrap();
    let mut statement = conn.prepare("SELECT username FROM users").unwrap();
    let stored: BTreeSet<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let missing: Vec<&String> = all.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "acknowledged writes missing from the final backup: {missing:?}"
    );
    let restores: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'restore'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(restores, 1, "the restore is in the audit log");
}

#[tokio::test]
async fn restore_is_refused_while_a_server_runs_and_keeps_the_replaced_database() {
    let server = Server::start();
    let dir = server.dir.path().to_owned();
    let backup = run(
        &dir,
        &[
            "backup",
            "--output",
            dir.join("one.tar.gz").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(backup.code, 0, "{}", backup.stderr);
    assert_eq!(
        backup.stdout.trim(),
        dir.join("one.tar.gz").display().to_string()
    );

    let before = std::fs::read(server.data_dir().join("bsn-knowledge.sqlite3")).unwrap();
    let refused = run(
        &dir,
        &["restore", dir.join("one.tar.gz").to_str().unwrap()],
        &[],
    );
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("server is running"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("systemctl stop bsn-knowledge"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read(server.data_dir().join("bsn-knowledge.sqlite3")).unwrap(),
        before
    );

    // Stopped, the restore goes through and keeps the replaced database beside the new one.
    let mut server = server;
    server.signal(rustix::process::Signal::TERM);
    server.wait_exit(Duration::from_secs(15));
    let restored = run(
        &dir,
        &["restore", dir.join("one.tar.gz").to_str().unwrap()],
        &[],
    );
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    let kept: Vec<String> = std::fs::read_dir(server.data_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("bsn-knowledge.sqlite3.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(restored.stdout.contains(&kept[0]), "{}", restored.stdout);
    assert_eq!(integrity(&server.data_dir().join(&kept[0])), "ok");
    assert!(
        restored.stdout.contains("secret_key"),
        "the generated signing secret is restored: {}",
        restored.stdout
    );

    // Garbage is refused before anything changes.
    std::fs::write(dir.join("bad.tar.gz"), b"not a backup").unwrap();
    let bad = run(
        &dir,
        &["restore", dir.join("bad.tar.gz").to_str().unwrap()],
        &[],
    );
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("not a usable backup archive"),
        "{}",
        bad.stderr
    );
    let missing = run(
        &dir,
        &["restore", dir.join("nope.tar.gz").to_str().unwrap()],
        &[],
    );
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );
}

#[tokio::test]
async fn a_restore_brings_back_the_signing_secret_and_the_config() {
    let secrets = tempfile::tempdir().unwrap();
    let password_file = secrets.path().join("admin");
    std::fs::write(&password_file, format!("{ADMIN_PASSWORD}\n")).unwrap();
    let env = [(
        "BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE",
        password_file.to_str().unwrap(),
    )];
    let config = "[rate_limits]\nper_ip_rps = 1000\nper_ip_burst = 1000\n";
    let mut server = Server::start_with(config, &env);
    assert!(
        server.data_dir().join("secret_key").is_file(),
        "the secret is generated into the data dir"
    );
    let token = login_token(&server.url(""), "admin", ADMIN_PASSWORD).await;
    let response = client()
        .post(server.url("/api/v1/admin/backups"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file.as_str().unwrap())
        .collect();
    assert!(files.contains(&"data/secret_key"), "{files:?}");
    assert!(files.contains(&"config/config.toml"), "{files:?}");
    let archive = PathBuf::from(report["path"].as_str().unwrap());
    server.signal(rustix::process::Signal::TERM);
    server.wait_exit(Duration::from_secs(15));

    let fresh = tempfile::tempdir().unwrap();
    let restored = run(fresh.path(), &["restore", archive.to_str().unwrap()], &[]);
    assert_eq!(restored.code, 0, "{}", restored.stderr);
    assert_eq!(
        std::fs::read(fresh.path().join("data/secret_key")).unwrap(),
        std::fs::read(server.data_dir().join("secret_key")).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(fresh.path().join("data/config.toml.from-backup")).unwrap(),
        config
    );
    assert!(
        restored.stdout.contains("config.toml.from-backup"),
        "{}",
        restored.stdout
    );
    // A token issued before the backup is still valid: the signing secret came back.
    let restored_server = Server::start_in(fresh, config, &[]);
    let me = client()
        .get(restored_server.url("/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn the_admin_api_lists_and_makes_backups_and_records_them() {
    let api = Api::start();
    let admin = api.admin().await;
    let listed: Value = api
        .get("/api/v1/admin/backups", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["backups"].as_array().unwrap().len(), 0, "{listed}");
    assert_eq!(listed["status"]["running"], false);

    let response = api
        .send(Method::POST, "/api/v1/admin/backups", Some(&admin), None)
        .await;
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    assert!(report["size_bytes"].as_u64().unwrap() > 0);
    assert!(
        report["file"]
            .as_str()
            .unwrap()
            .starts_with("bsn-knowledge-")
    );

    let listed: Value = api
        .get("/api/v1/admin/backups", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["backups"][0]["file"], report["file"], "{listed}");
    assert_eq!(
        listed["status"]["last_success_file"], report["file"],
        "{listed}"
    );

    api.create_user(&admin, "nurse1", "student").await;
    let student = api.token("nurse1", &password_of("nurse1")).await;
    let forbidden = api
        .send(Method::POST, "/api/v1/admin/backups", Some(&student), None)
        .await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(
        api.get("/api/v1/admin/backups", &student).await.status(),
        403
    );
    let anonymous = api
        .send(Method::GET, "/api/v1/admin/backups", None, None)
        .await;
    assert_eq!(anonymous.status(), 401);

    let audit: Value = api
        .get("/api/v1/admin/audit?action=backup_created", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["entries"][0]["actor"], "admin", "{audit}");
    assert_eq!(audit["entries"][0]["details"]["trigger"], "api", "{audit}");

    let metrics = client()
        .get(api.server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let success = metric(&metrics, "backup_last_success_timestamp_seconds");
    assert!(success > 1.0e9, "{metrics}");
    assert_eq!(metric(&metrics, "backup_success_total"), 1.0);
    assert_eq!(metric(&metrics, "backup_failures_total"), 0.0);
    assert!(metric(&metrics, "backup_size_bytes") > 0.0);
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

async fn health(server: &Server) -> Value {
    client()
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn scheduled_backups_apply_retention_and_failures_degrade_health() {
    let server = Server::start_with("[backup]\nschedule = \"every 1s\"\nkeep_count = 2\n", &[]);
    let backups = server.data_dir().join("backups");
    assert!(
        server.wait_for_log("backup written and verified", Duration::from_secs(20)),
        "{}",
        server.logs()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.logs().matches("backup written and verified").count() < 4 {
        assert!(
            Instant::now() < deadline,
            "scheduled backups did not continue: {}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let archives = std::fs::read_dir(&backups).unwrap().filter(|entry| {
        entry
            .as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tar.gz")
    });
    assert!(
        archives.count() <= 3,
        "keep_count = 2 prunes older archives (one may be in flight)"
    );
    let body = health(&server).await;
    assert_eq!(body["checks"]["backup"]["status"], "healthy", "{body}");

    // A backup directory that cannot exist: every scheduled backup fails, visibly.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), b"x").unwrap();
    let config = format!(
        "[backup]\nschedule = \"every 1s\"\ndir = \"{}/file/backups\"\n",
        dir.path().display()
    );
    let failing = Server::start_with(&config, &[]);
    assert!(
        failing.wait_for_log("backup failed", Duration::from_secs(20)),
        "{}",
        failing.logs()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let body = health(&failing).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["backup"]["status"], "degraded", "{body}");
    assert!(
        body["checks"]["backup"]["detail"]
            .as_str()
            .unwrap()
            .contains("failed"),
        "{body}"
    );
    let metrics = client()
        .get(failing.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metric(&metrics, "backup_failures_total") >= 1.0,
        "{metrics}"
    );
    assert!(
        failing.logs().contains("[backup].dir"),
        "the log line says what to do: {}",
        failing.logs()
    );
}

#[test]
fn a_bad_schedule_is_a_config_error_naming_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[backup]\nkeep_days = 3\nschedule = \"at noon\"\n",
    )
    .unwrap();
    let outcome = run(
        dir.path(),
        &[
            "--config",
            dir.path().join("config.toml").to_str().unwrap(),
            "check-config",
        ],
        &[],
    );
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("line 3"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("backup.schedule"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("daily HH:MM"), "{}", outcome.stderr);
}

/// A moto S3 server on a free loopback port, stopped on drop.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BSN_TEST_MOTO_SERVER") {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/moto_server");
    if venv.is_file() {
        return Some(venv);
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join("moto_server"))
        .find(|path| path.is_file())
}

async fn start_moto() -> Option<Moto> {
    let Some(binary) = moto_binary() else {
        assert!(
            std::env::var_os("BSN_REQUIRE_MOTO").is_none(),
            "BSN_REQUIRE_MOTO is set but no moto_server was found (set BSN_TEST_MOTO_SERVER)"
        );
        eprintln!(
            "skipped: no moto_server (pip install 'moto[server]', or set BSN_TEST_MOTO_SERVER)"
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if client().get(&moto.url).send().await.is_ok() {
            return Some(moto);
        }
        assert!(
            Instant::now() < deadline,
            "moto_server did not start within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn backups_are_uploaded_to_s3_compatible_storage() {
    let Some(moto) = start_moto().await else {
        return;
    };
    let http = client();
    let created = http
        .put(format!("{}/school-backups", moto.url))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "create bucket: {}",
        created.status()
    );

    let s3 = format!(
        "[backup]\ns3_bucket = \"school-backups\"\ns3_endpoint = \"{}\"\ns3_region = \"us-east-1\"\ns3_access_key = \"testing\"\ns3_secret_key = \"testing\"\n",
        moto.url
    );
    let api = Api::start_with("", &format!("\n{s3}"));
    let admin = api.admin().await;
    let response = api
        .send(Method::POST, "/api/v1/admin/backups", Some(&admin), None)
        .await;
    assert_eq!(response.status(), 201);
    let report: Value = response.json().await.unwrap();
    let file = report["file"].as_str().unwrap();
    assert_eq!(
        report["uploaded_to"],
        format!("{}/school-backups/{file}", moto.url),
        "{report}"
    );
    let bucket = rusty_s3::Bucket::new(
        moto.url.parse().unwrap(),
        rusty_s3::UrlStyle::Path,
        "school-backups",
        "us-east-1",
    )
    .unwrap();
    let credentials = rusty_s3::Credentials::new("testing", "testing");
    let get = rusty_s3::actions::GetObject::new(&bucket, Some(&credentials), file);
    let stored = http
        .get(rusty_s3::actions::S3Action::sign(
            &get,
            Duration::from_secs(60),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    let local = std::fs::read(report["path"].as_str().unwrap()).unwrap();
    assert_eq!(
        stored.bytes().await.unwrap().as_ref(),
        local.as_slice(),
        "the uploaded object is the archive"
    );

    // The CLI uploads too.
    let dir = api.server.dir.path().to_owned();
    let outcome = run(
        &dir,
        &[
            "--config",
            dir.join("config.toml").to_str().unwrap(),
            "backup",
        ],
        &[],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("uploaded to"), "{}", outcome.stderr);

    // A missing bucket is a failed backup that says what to check; the local archive stays.
    let wrong = format!(
        "[backup]\ns3_bucket = \"no-such-bucket\"\ns3_endpoint = \"{}\"\ns3_access_key = \"testing\"\ns3_secret_key = \"testing\"\n",
        moto.url
    );
    let api = Api::start_with("", &format!("\n{wrong}"));
    let admin = api.admin().await;
    let response = api
        .send(Method::POST, "/api/v1/admin/backups", Some(&admin), None)
        .await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("upload to S3 failed") && message.contains("NoSuchBucket"),
        "{message}"
    );
    let listed: Value = api
        .get("/api/v1/admin/backups", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["backups"].as_array().unwrap().len(),
        1,
        "the local archive is kept: {listed}"
    );
}

/// The server speaks systemd's notify protocol: READY=1 once it listens, WATCHDOG=1 at half of
/// WATCHDOG_USEC, STOPPING=1 on SIGTERM (what `Type=notify` and `WatchdogSec=` in the unit rely on).
#[test]
fn systemd_notifications_ready_watchdog_and_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut server = Server::start_with(
        "",
        &[
            ("NOTIFY_SOCKET", socket_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "400000"),
        ],
    );
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(seen.contains("READY=1") && seen.matches("WATCHDOG=1").count() >= 2) {
        assert!(Instant::now() < deadline, "notifications so far: {seen:?}");
        let read = socket.recv(&mut buffer).expect("a notification");
        seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
        seen.push('\n');
    }
    assert!(seen.contains("STATUS=serving on"), "{seen:?}");
    server.signal(rustix::process::Signal::TERM);
    loop {
        let read = socket
            .recv(&mut buffer)
            .expect("STOPPING=1 before the process ends");
        if String::from_utf8_lossy(&buffer[..read]).contains("STOPPING=1") {
            break;
        }
    }
    assert!(server.wait_exit(Duration::from_secs(15)).success());
}
