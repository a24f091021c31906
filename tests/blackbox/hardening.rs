//! Hardening: sessions that end on a password change or reset, cohort access that an instructor
//! cannot grant themselves, refusals that name no one else's data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, password_of};
use crate::helpers::{Server, run};

async fn refresh(api: &Api, token: &Value) -> reqwest::StatusCode {
    api.send(
        Method::POST,
        "/api/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": token})),
    )
    .await
    .status()
}

async fn me(api: &Api, pair: &Value) -> reqwest::StatusCode {
    api.get("/api/v1/auth/me", pair["access_token"].as_str().unwrap())
        .await
        .status()
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_a_reset_ends_all() {
    let api = Api::start();
    let admin = api.admin().await;
    let dana = api.create_user(&admin, "dana", "student").await;
    let here = api.pair("dana", &password_of("dana")).await;
    let elsewhere = api.pair("dana", &password_of("dana")).await;
    assert_eq!(me(&api, &elsewhere).await, 200);

    let change = api
        .send(
            Method::POST,
            "/api/v1/auth/password",
            here["access_token"].as_str(),
            Some(json!({"current_password": password_of("dana"), "new_password": "dana's new password"})),
        )
        .await;
    assert_eq!(change.status(), 204);
    assert_eq!(
        me(&api, &elsewhere).await,
        401,
        "the other access token ends"
    );
    assert_eq!(
        refresh(&api, &elsewhere["refresh_token"]).await,
        401,
        "the other refresh token ends"
    );
    assert_eq!(me(&api, &here).await, 200, "the changing session stays");
    let rotated = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": here["refresh_token"]})),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    assert_eq!(me(&api, &rotated).await, 200);
    let fresh = api.pair("dana", "dana's new password").await;
    assert_eq!(me(&api, &fresh).await, 200, "a new login works at once");

    // An admin reset ends every session, the one that changed the password included.
    let reset = api
        .send(
            Method::POST,
            &format!("/api/v1/auth/users/{dana}/reset-password"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(reset.status(), 200);
    for pair in [&here, &rotated, &fresh] {
        assert_eq!(me(&api, pair).await, 401);
        assert_eq!(refresh(&api, &pair["refresh_token"]).await, 401);
    }
}

#[tokio::test]
async fn user_reset_password_ends_sessions_issued_before() {
    let api = Api::start();
    let admin = api.admin().await;
    api.create_user(&admin, "erin", "instructor").await;
    let pair = api.pair("erin", &password_of("erin")).await;
    let Api {
        mut server, http, ..
    } = api;
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let reset = run(
        dir.path(),
        &["user", "reset-password", "--username", "erin"],
        &[],
    );
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let again = Server::start_in(dir, &config, &[]);
    let response = http
        .get(again.url("/api/v1/auth/me"))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = http
        .post(again.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn code_of(api: &Api, token: &str, cohort: i64) -> reqwest::Response {
    api.get(&format!("/api/v1/cohorts/{cohort}/enrolment-code"), token)
        .await
}

async fn join(api: &Api, token: &str, code: &str) -> reqwest::Response {
    api.send(
        Method::POST,
        "/api/v1/cohorts/join",
        Some(token),
        Some(json!({ "code": code })),
    )
    .await
}

#[tokio::test]
async fn an_instructor_cannot_grant_themselves_a_student() {
    let api = Api::start();
    let admin = api.admin().await;
    let teacher_id = api.create_user(&admin, "teacher", "instructor").await;
    let quinn = api.create_user(&admin, "quinn", "instructor").await;
    let sam = api.create_user(&admin, "sam", "student").await;
    let pat = api.create_user(&admin, "pat", "student").await;
    let mine = api.create_cohort(&admin, "BSN 2027").await;
    let theirs = api.create_cohort(&admin, "BSN 2028").await;
    for (cohort, user) in [(mine, teacher_id), (mine, quinn)] {
        let added = api.add_member(&admin, cohort, user, "instructor").await;
        assert_eq!(added.status(), 204);
    }
    let teacher = api.token("teacher", &password_of("teacher")).await;
    let sam_token = api.token("sam", &password_of("sam")).await;
    let pat_token = api.token("pat", &password_of("pat")).await;
    let mut refusals = Vec::new();

    // The escalation path: an instructor adds a student to their own cohort, then reads them.
    let put = api.add_member(&teacher, mine, sam, "student").await;
    assert_eq!(put.status(), 403);
    refusals.push(put.text().await.unwrap());
    let read = api
        .get(&format!("/api/v1/auth/users/{sam}"), &teacher)
        .await;
    assert_eq!(read.status(), 403, "no access was obtained");
    refusals.push(read.text().await.unwrap());

    // The instructor sees their cohort's code, not another cohort's; students never.
    let code: Value = code_of(&api, &teacher, mine).await.json().await.unwrap();
    let code = code["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 14, "{code}");
    let other = code_of(&api, &teacher, theirs).await;
    assert_eq!(other.status(), 403);
    refusals.push(other.text().await.unwrap());
    assert_eq!(code_of(&api, &sam_token, mine).await.status(), 403);
    assert_eq!(code_of(&api, &admin, theirs).await.status(), 200);
    assert_eq!(code_of(&api, &admin, 999_999).await.status(), 404);

    // The student's own action enrols them; case, spaces and dashes do not matter.
    let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
    let joined = join(&api, &sam_token, &typed).await;
    assert_eq!(joined.status(), 200);
    let joined: Value = joined.json().await.unwrap();
    assert_eq!(joined["id"], mine);
    assert_eq!(
        join(&api, &sam_token, &code).await.status(),
        200,
        "twice is harmless"
    );
    let read = api
        .get(&format!("/api/v1/auth/users/{sam}"), &teacher)
        .await;
    assert_eq!(read.status(), 200);
    assert_eq!(
        join(&api, &teacher, &code).await.status(),
        403,
        "students only"
    );
    let malformed = join(&api, &pat_token, "not a code").await;
    assert_eq!(malformed.status(), 422);

    // Rotating ends the old code; members stay.
    let rotated = api
        .send(
            Method::POST,
            &format!("/api/v1/cohorts/{mine}/enrolment-code"),
            Some(&teacher),
            None,
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    let new_code = rotated["code"].as_str().unwrap().to_owned();
    assert_ne!(new_code, code);
    let stale = join(&api, &pat_token, &code).await;
    assert_eq!(stale.status(), 404);
    refusals.push(stale.text().await.unwrap());
    let before = api
        .get(&format!("/api/v1/auth/users/{pat}"), &teacher)
        .await;
    assert_eq!(before.status(), 403);
    assert_eq!(join(&api, &pat_token, &new_code).await.status(), 200);
    let after = api
        .get(&format!("/api/v1/auth/users/{pat}"), &teacher)
        .await;
    assert_eq!(after.status(), 200);
    let detail: Value = api
        .get(&format!("/api/v1/cohorts/{mine}"), &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["students"], 2);

    // Instructors remove students of their cohort, not fellow instructors.
    let fellow = api
        .send(
            Method::DELETE,
            &format!("/api/v1/cohorts/{mine}/members/{quinn}"),
            Some(&teacher),
            None,
        )
        .await;
    assert_eq!(fellow.status(), 403);
    refusals.push(fellow.text().await.unwrap());
    let removed = api
        .send(
            Method::DELETE,
            &format!("/api/v1/cohorts/{mine}/members/{sam}"),
            Some(&teacher),
            None,
        )
        .await;
    assert_eq!(removed.status(), 204);
    let read = api
        .get(&format!("/api/v1/auth/users/{sam}"), &teacher)
        .await;
    assert_eq!(read.status(), 403, "removal ends the access");

    // Refusals name no one: adding an instructor as a student says what is wrong, not who is who.
    let mismatch = api.add_member(&admin, theirs, quinn, "student").await;
    assert_eq!(mismatch.status(), 422);
    refusals.push(mismatch.text().await.unwrap());
    for body in &refusals {
        let body: Value = serde_json::from_str(body).unwrap();
        let message = body["message"].as_str().unwrap().to_lowercase();
        let words: Vec<&str> = message.split(|c: char| !c.is_alphanumeric()).collect();
        for name in ["sam", "quinn", "teacher", "pat", "admin"] {
            assert!(!words.contains(&name), "{message} names {name}");
        }
        assert!(!message.contains(" is a "), "{message}");
    }

    let audit: Value = api
        .get("/api/v1/admin/audit?limit=500", &admin)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"cohort_joined"), "{actions:?}");
    assert!(actions.contains(&"enrolment_code_rotated"), "{actions:?}");
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_dir_is_private_and_the_first_password_lives_in_a_file_until_changed() {
    let server = Server::start();
    let data = server.data_dir();
    let file = data.join("initial-admin-password");
    assert!(
        server.wait_for_log(
            &format!("its password is in {}", file.display()),
            std::time::Duration::from_secs(3)
        ),
        "{}",
        server.logs()
    );
    let password = std::fs::read_to_string(&file).unwrap();
    let password = password.trim_end().to_owned();
    assert_eq!(password.len(), 20);
    assert!(
        !server.logs().contains(&password),
        "the password is never logged"
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&data), 0o700);
    for name in [
        "bsn-knowledge.sqlite3",
        "bsn-knowledge.sqlite3-wal",
        "bsn-knowledge.sqlite3-shm",
        "secret_key",
    ] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }

    let http = crate::helpers::client();
    let pair: Value = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wrong = http
        .post(server.url("/api/v1/auth/password"))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .json(&json!({"current_password": "not it at all", "new_password": "the admin's own password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(file.exists(), "a refused change keeps the file");
    let changed = http
        .post(server.url("/api/v1/auth/password"))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .json(&json!({"current_password": password, "new_password": "the admin's own password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    assert!(
        !file.exists(),
        "the file is removed once the password is changed"
    );

    // What an older version left readable is tightened at the next start.
    let mut server = server;
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    use std::os::unix::fs::PermissionsExt;
    let database = dir.path().join("data/bsn-knowledge.sqlite3");
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(
        dir.path().join("data"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let again = Server::start_in(dir, &config, &[]);
    assert_eq!(mode(&database), 0o600);
    assert_eq!(mode(&again.data_dir()), 0o700);
    assert!(
        !again.data_dir().join("initial-admin-password").exists(),
        "no new admin, no new file"
    );
}

#[tokio::test]
async fn look_alike_and_mixed_script_usernames_are_refused() {
    let api = Api::start();
    let admin = api.admin().await;
    api.create_user(&admin, "nurse", "student").await;
    api.create_user(&admin, "user1", "student").await;
    api.create_user(&admin, "copa", "student").await;
    let before = api.users_in_db();
    let cases = [
        ("\u{0430}dmin", 422, "Cyrillic а mixed with Latin"),
        (
            "\u{0441}\u{043e}\u{0440}\u{0430}",
            409,
            "all-Cyrillic look-alike of copa",
        ),
        ("n\u{03bf}rse", 422, "Greek ο mixed with Latin"),
        ("user\u{0661}", 422, "Arabic-Indic digit mixed with Latin"),
        ("userl", 409, "l looks like 1"),
        ("nurse", 409, "the same name"),
    ];
    for (username, status, why) in cases {
        let response = api
            .send(
                Method::POST,
                "/api/v1/auth/users",
                Some(&admin),
                Some(json!({"username": username, "role": "student", "password": "long enough password"})),
            )
            .await;
        let code = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(code, status, "{why}: {body}");
    }
    assert_eq!(api.users_in_db(), before, "nothing was stored");
    for fine in ["josé", "иван", "山田たろう"] {
        api.create_user(&admin, fine, "student").await;
    }
}

#[tokio::test]
async fn a_password_an_admin_set_must_be_changed_at_first_sign_in() {
    let api = Api::start();
    let admin = api.admin().await;
    let erin = api.create_user_pending(&admin, "erin", "instructor").await;
    let listed: Value = api
        .get(&format!("/api/v1/auth/users/{erin}"), &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["must_change_password"], true, "set on create");

    // Only me, password, logout and verify-token answer until the user chooses their own.
    let pair = api.pair("erin", &password_of("erin")).await;
    assert_eq!(pair["password_change_required"], true);
    let token = pair["access_token"].as_str().unwrap();
    assert_eq!(api.get("/api/v1/auth/me", token).await.status(), 200);
    let refused = api.get("/api/v1/cohorts", token).await;
    assert_eq!(refused.status(), 403);
    crate::helpers::assert_envelope(
        &refused.json().await.unwrap(),
        "AUTHORIZATION_ERROR",
        "/api/v1/cohorts",
    );
    let change = api
        .send(
            Method::POST,
            "/api/v1/auth/password",
            Some(token),
            Some(json!({"current_password": password_of("erin"), "new_password": "erin's own password"})),
        )
        .await;
    assert_eq!(change.status(), 204);
    assert_eq!(api.get("/api/v1/cohorts", token).await.status(), 200);
    let pair = api.pair("erin", "erin's own password").await;
    assert_eq!(
        pair["password_change_required"], false,
        "cleared by the user's own change"
    );

    // An admin reset sets it again.
    let reset: Value = api
        .send(
            Method::POST,
            &format!("/api/v1/auth/users/{erin}/reset-password"),
            Some(&admin),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let pair = api
        .pair("erin", reset["generated_password"].as_str().unwrap())
        .await;
    assert_eq!(pair["password_change_required"], true, "set on reset");
    assert_eq!(
        api.get("/api/v1/cohorts", pair["access_token"].as_str().unwrap())
            .await
            .status(),
        403
    );
}

#[test]
fn an_account_made_with_the_cli_and_a_password_file_must_change_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("pw");
    std::fs::write(&password_file, "a good long password\n").unwrap();
    let created = run(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "nurse.educator",
            "--role",
            "instructor",
            "--password-file",
            password_file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let conn =
        rusqlite::Connection::open(dir.path().join("data").join("bsn-knowledge.sqlite3")).unwrap();
    let flag: bool = conn
        .query_row(
            "SELECT must_change_password FROM users WHERE username = 'nurse.educator'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(flag, "a password someone else chose is temporary");
}

#[tokio::test]
async fn a_reset_from_the_command_line_ends_the_running_servers_lock() {
    let api = Api::start_with("", "lockout_threshold = 3\nlockout_minutes = 15");
    let admin = api.admin().await;
    api.create_user(&admin, "gwen", "student").await;
    for _ in 0..3 {
        assert_eq!(api.login("gwen", "wrong password").await.status(), 401);
    }
    let locked = api.login("gwen", &password_of("gwen")).await;
    assert_ne!(locked.status(), 200, "locked at this address");

    // `user reset-password` runs in another process, beside the live server.
    let reset = run(
        api.server.dir.path(),
        &["user", "reset-password", "--username", "gwen"],
        &[],
    );
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    let password = reset
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("new password for \"gwen\": "))
        .expect("the generated password is printed")
        .trim()
        .to_owned();

    let signed_in = api.login("gwen", &password).await;
    assert_eq!(signed_in.status(), 200, "the new password ends the lock");
    // The old password is refused as a wrong one, and the count starts again from zero.
    for _ in 0..2 {
        assert_eq!(api.login("gwen", "wrong password").await.status(), 401);
    }
    assert_eq!(api.login("gwen", &password).await.status(), 200);
}
