use std::time::Duration;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::Server;

pub const ADMIN_PASSWORD: &str = "bootstrap admin password 1";
pub const SECRET: &str = "test-signing-secret-0123456789-abcdefghijklmnop";

/// A running server with a known admin password and an HTTP client.
pub struct Api {
    pub server: Server,
    pub http: reqwest::Client,
    _secrets: tempfile::TempDir,
}

impl Api {
    pub fn start() -> Api {
        Self::start_with("", "")
    }

    /// Starts with extra `[rate_limits]` and `[auth]` lines. Per-IP buckets are wide open: these
    /// tests are about accounts, not the edge limiter.
    pub fn start_with(rate_limits: &str, auth: &str) -> Api {
        let secrets = tempfile::tempdir().unwrap();
        let password_file = secrets.path().join("admin-password");
        std::fs::write(&password_file, format!("{ADMIN_PASSWORD}\n")).unwrap();
        let config = format!(
            "[rate_limits]\nper_ip_rps = 10000\nper_ip_burst = 10000\n{rate_limits}\n[auth]\nsecret_key = \"{SECRET}\"\n{auth}\n"
        );
        let server = Server::start_with(
            &config,
            &[(
                "BSN_BOOTSTRAP_ADMIN_PASSWORD_FILE",
                password_file.to_str().unwrap(),
            )],
        );
        Api {
            server,
            http: crate::helpers::client(),
            _secrets: secrets,
        }
    }

    /// The same API after a restart: `server` started on the old data directory and config.
    pub fn restarted(server: Server, http: reqwest::Client) -> Api {
        Api {
            server,
            http,
            _secrets: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.http.request(method, self.server.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Logs in over a connection from the loopback address `source` (127.0.0.x: Linux answers on
    /// the whole of 127/8), as a client at another address would.
    pub async fn login_from(&self, source: &str, username: &str, password: &str) -> Response {
        let client = reqwest::Client::builder()
            .local_address(source.parse::<std::net::IpAddr>().expect("source address"))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        client
            .post(self.server.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("request")
    }

    /// Logs in and returns the full token pair.
    pub async fn pair(&self, username: &str, password: &str) -> Value {
        let response = self.login(username, password).await;
        assert_eq!(response.status(), 200, "login {username}");
        response.json().await.unwrap()
    }

    pub async fn token(&self, username: &str, password: &str) -> String {
        self.pair(username, password).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user with password `<username> password 123` and returns its id. The password an
    /// admin sets is temporary, so this also makes the user's first-sign-in change (to the same
    /// text), leaving an account ready for every route.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) -> i64 {
        let id = self.create_user_pending(admin, username, role).await;
        let password = password_of(username);
        let first = self.token(username, &password).await;
        let changed = self
            .send(
                Method::POST,
                "/api/v1/auth/password",
                Some(&first),
                Some(json!({"current_password": password, "new_password": password})),
            )
            .await;
        assert_eq!(changed.status(), 204, "first password change of {username}");
        id
    }

    /// Creates a user with password `<username> password 123` that has not yet made the
    /// first-sign-in password change, and returns its id.
    pub async fn create_user_pending(&self, admin: &str, username: &str, role: &str) -> i64 {
        let body = json!({"username": username, "role": role, "password": password_of(username)});
        let response = self
            .send(Method::POST, "/api/v1/auth/users", Some(admin), Some(body))
            .await;
        assert_eq!(
            response.status(),
            201,
            "create {username}: {}",
            response.text().await.unwrap()
        );
        let created: Value = response.json().await.unwrap();
        created["user"]["id"].as_i64().unwrap()
    }

    pub async fn create_cohort(&self, admin: &str, name: &str) -> i64 {
        let response = self
            .send(
                Method::POST,
                "/api/v1/cohorts",
                Some(admin),
                Some(json!({"name": name})),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    pub async fn add_member(&self, token: &str, cohort: i64, user: i64, role: &str) -> Response {
        self.send(
            Method::PUT,
            &format!("/api/v1/cohorts/{cohort}/members/{user}"),
            Some(token),
            Some(json!({"role": role})),
        )
        .await
    }

    pub fn users_in_db(&self) -> i64 {
        let conn = rusqlite::Connection::open(self.server.data_dir().join("bsn-knowledge.sqlite3"))
            .unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))
            .unwrap()
    }
}

pub fn password_of(username: &str) -> String {
    format!("{username} password 123")
}
