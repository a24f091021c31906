use std::time::Duration;

use crate::helpers::{Server, client, run};

#[test]
fn a_data_dir_that_cannot_be_created_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("not-a-dir"), b"x").unwrap();
    let data_dir = dir.path().join("not-a-dir/data");
    let outcome = run(
        dir.path(),
        &["serve"],
        // Port 0: the listener is bound before the data directory is made, so a taken default
        // port would fail first.
        &[
            ("BSN_STORAGE__DATA_DIR", data_dir.to_str().unwrap()),
            ("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stderr.contains("is not writable"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("[storage].data_dir"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_corrupt_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let garbage: Vec<u8> = (0..16_384u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(data.join("bsn-knowledge.sqlite3"), &garbage).unwrap();
    let outcome = run(dir.path(), &["serve"], &[]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("failed its integrity check"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("bsn-knowledge restore"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        std::fs::read(data.join("bsn-knowledge.sqlite3")).unwrap(),
        garbage
    );
}

#[test]
fn a_port_already_in_use_is_named() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocker.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(
        dir.path(),
        &["serve"],
        &[("BSN_SERVER__HTTP_LISTEN", &port)],
    );
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stderr.contains(&format!("cannot listen on {port}")),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let server = Server::start();
    let outcome = run(
        server.dir.path(),
        &["serve"],
        &[("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:0")],
    );
    assert_eq!(outcome.code, 1);
    assert!(
        outcome
            .stderr
            .contains("another bsn-knowledge server is using the data directory"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn an_acknowledged_write_survives_kill_9() {
    let mut server = Server::start();
    // /health commits a probe write before it answers; its timestamp is the value written.
    let report: serde_json::Value = client()
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let written = report["timestamp"].as_str().unwrap().to_owned();
    assert_eq!(report["checks"]["database_write"]["status"], "healthy");
    server.kill();

    let conn = rusqlite::Connection::open(server.data_dir().join("bsn-knowledge.sqlite3")).unwrap();
    let stored: String = conn
        .query_row(
            "SELECT checked_at FROM health_probe WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, written);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    // And the server starts again on the same files.
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let again = Server::start_in(dir, "", &[]);
    let status = client()
        .get(again.url("/health"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(10));
}

/// A small tmpfs mounted for the test (needs root); None where mounting is not allowed.
struct SmallDisk {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(SmallDisk { path, _dir: dir })
    }

    /// Fills the disk to the last byte.
    fn fill(&self) {
        let mut file = std::fs::File::create(self.path.join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        let mut size = block.len();
        while size > 0 {
            match std::io::Write::write(&mut file, &block[..size]) {
                Ok(_) => {}
                Err(_) => size /= 2,
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
    }
}

#[test]
fn a_full_disk_at_start_is_named_as_a_full_disk() {
    let Some(disk) = SmallDisk::mount("256k") else {
        panic!("this test mounts a tmpfs and needs root (CAP_SYS_ADMIN)");
    };
    disk.fill();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = disk.path.join("data");
    let outcome = run(
        dir.path(),
        &["serve"],
        &[
            ("BSN_STORAGE__DATA_DIR", data_dir.to_str().unwrap()),
            ("BSN_SERVER__HTTP_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("is full"), "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("chown"), "{}", outcome.stderr);
}

#[tokio::test]
async fn a_disk_that_fills_while_serving_refuses_writes_with_503_and_logs_an_error() {
    let Some(disk) = SmallDisk::mount("8m") else {
        panic!("this test mounts a tmpfs and needs root (CAP_SYS_ADMIN)");
    };
    let secrets = tempfile::tempdir().unwrap();
    let password_file = secrets.path().join("admin-password");
    std::fs::write(&password_file, format!("{}\n", crate::api::ADMIN_PASSWORD)).unwrap();
    let data_dir = disk.path.join("data");
    let server = Server::start_with(
        &format!("[auth]\nsecret_key = \"{}\"\n", crate::api::SECRET),
        &[
            ("BSN_STORAGE__DATA_DIR", data_dir.to_str().unwrap()),
            (
                "BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE",
                password_file.to_str().unwrap(),
            ),
        ],
    );
    let http = client();
    let login: serde_json::Value = http
        .post(server.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": crate::api::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    disk.fill();
    let mut statuses = Vec::new();
    for n in 0..40 {
        let response = http
            .post(server.url("/api/v1/cohorts"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "name": format!("cohort {n}"),
                "description": "x".repeat(2_000),
            }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(statuses.contains(&503), "{statuses:?}");
    // Creating an account on the full disk is refused the same way, not with a 500.
    let mut statuses = Vec::new();
    for n in 0..20 {
        let response = http
            .post(server.url("/api/v1/auth/users"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "username": format!("fulldisk{n}"),
                "role": "student",
                "display_name": "y".repeat(200),
                "password": "a password long enough 123",
            }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if status == 503 {
            let body: serde_json::Value = response.json().await.unwrap();
            crate::helpers::assert_envelope(&body, "SERVICE_UNAVAILABLE", "/api/v1/auth/users");
        }
        statuses.push(status);
    }
    assert!(statuses.contains(&503), "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|status| *status == 201 || *status == 503),
        "{statuses:?}"
    );
    assert!(
        server.wait_for_log(
            "the disk holding the database is full",
            Duration::from_secs(3)
        ),
        "{}",
        server.logs()
    );
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|line| line.contains("the disk holding the database is full"))
        .unwrap();
    assert!(line.contains("ERROR"), "{line}");
    // Bounded: many refused writes, at most the burst of lines.
    let lines = logs
        .lines()
        .filter(|line| line.contains("the disk holding the database is full"))
        .count();
    assert!(lines <= 10, "{lines} lines");
}
