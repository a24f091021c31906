use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{ADMIN_PASSWORD, Api, SECRET, password_of};
use crate::helpers::{Server, assert_envelope, run};

fn sign(claims: Value, secret: &str, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn b64(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn login_returns_a_bearer_pair_and_me_answers() {
    let api = Api::start();
    let pair = api.pair("admin", ADMIN_PASSWORD).await;
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 8 * 3600, "access_token_hours = 8");
    assert!(pair["access_token"].as_str().unwrap().len() > 50);
    assert!(pair["refresh_token"].as_str().unwrap().len() > 50);
    assert_eq!(pair["password_change_required"], false);

    let token = pair["access_token"].as_str().unwrap();
    let response = api.get("/api/v1/auth/me", token).await;
    assert_eq!(response.status(), 200);
    let limit = response.headers()["x-ratelimit-limit"]
        .to_str()
        .unwrap()
        .to_owned();
    let remaining: u64 = response.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let reset: u64 = response.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(limit, "1000");
    assert!(remaining < 1000);
    assert!(reset > now());
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");
    assert!(me.get("password_hash").is_none());

    let verify: Value = api
        .get("/api/v1/auth/verify-token", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verify["valid"], true);
    assert_eq!(verify["user"]["username"], "admin");
    assert_eq!(verify["user"]["role"], "admin");
    let health: Value = api
        .get("/api/v1/auth/health", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "healthy");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let api = Api::start();
    let wrong = api.login("admin", "not the password").await;
    assert_eq!(wrong.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown = api.login("nobody-here", "not the password").await;
    assert_eq!(unknown.status(), 401);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong["message"], unknown["message"]);
    assert!(wrong.get("access_token").is_none());
    assert_envelope(&wrong, "AUTHENTICATION_ERROR", "/api/v1/auth/login");
    assert!(api.server.wait_for_log(
        "[ERROR] Authentication failed for user \"nobody-here\" from 127.0.0.1",
        Duration::from_secs(3)
    ));
}

#[tokio::test]
async fn login_bodies_are_validated() {
    let api = Api::start();
    for body in [
        json!({"username": "admin"}),
        json!({"password": "x"}),
        json!({}),
        json!({"username": 5, "password": "x"}),
    ] {
        let response = api
            .send(Method::POST, "/api/v1/auth/login", None, Some(body.clone()))
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let envelope: Value = response.json().await.unwrap();
        assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/auth/login");
        assert!(envelope["details"]["validation_errors"][0]["field"].is_string());
    }
    let malformed = api
        .http
        .post(api.server.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 422);
    let form = api
        .http
        .post(api.server.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let huge = "p".repeat(10 * 1024 * 1024);
    let response = api.login("admin", &huge).await;
    assert_eq!(
        response.status(),
        422,
        "a 10 MB password is refused before hashing"
    );
}

#[tokio::test]
async fn oauth2_form_login_works() {
    let api = Api::start();
    let response = api
        .http
        .post(api.server.url("/api/v1/auth/login/oauth2"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=admin&password={}&grant_type=password",
            ADMIN_PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let pair: Value = response.json().await.unwrap();
    assert!(pair["access_token"].is_string() && pair["refresh_token"].is_string());
}

#[tokio::test]
async fn inactive_users_are_told_their_account_is_disabled() {
    let api = Api::start();
    let admin = api.admin().await;
    let id = api.create_user(&admin, "dormant", "student").await;
    let response = api
        .send(
            Method::PATCH,
            &format!("/api/v1/auth/users/{id}"),
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = api.login("dormant", &password_of("dormant")).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("disabled"));
}

#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_its_family() {
    let api = Api::start();
    let first = api.pair("admin", ADMIN_PASSWORD).await;
    let old = first["refresh_token"].as_str().unwrap().to_owned();

    let response = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": old})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    let newer = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(newer, old);
    assert_eq!(
        api.get("/api/v1/auth/me", second["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    // The query-parameter form works too.
    let response = api
        .http
        .post(
            api.server
                .url(&format!("/api/v1/auth/refresh?refresh_token={newer}")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let third: Value = response.json().await.unwrap();
    let newest = third["refresh_token"].as_str().unwrap().to_owned();

    // Replaying a rotated token is theft: the whole family dies, including the newest one.
    let replay = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": old})),
        )
        .await;
    assert_eq!(replay.status(), 401);
    let after = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": newest})),
        )
        .await;
    assert_eq!(after.status(), 401);

    let garbage = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": "garbage"})),
        )
        .await;
    assert_eq!(garbage.status(), 401);
    let access = first["access_token"].as_str().unwrap();
    let wrong_kind = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": access})),
        )
        .await;
    assert_eq!(
        wrong_kind.status(),
        401,
        "an access token is not a refresh token"
    );
    let missing = api
        .send(Method::POST, "/api/v1/auth/refresh", None, Some(json!({})))
        .await;
    assert_eq!(missing.status(), 422);
}

#[tokio::test]
async fn bad_tokens_are_refused_on_protected_routes() {
    let api = Api::start();
    let admin = api.admin().await;
    let me = "/api/v1/auth/me";
    let no_token = api.send(Method::GET, me, None, None).await;
    assert_eq!(no_token.status(), 401);
    assert_envelope(&no_token.json().await.unwrap(), "AUTHENTICATION_ERROR", me);

    let claims = |sub: &str, role: &str, iat: u64, exp: u64| json!({"sub": sub, "role": role, "iat": iat, "exp": exp, "jti": "t", "typ": "access"});
    let expired = sign(
        claims("1", "admin", now() - 7200, now() - 3600),
        SECRET,
        jsonwebtoken::Algorithm::HS256,
    );
    let foreign = sign(
        claims("1", "admin", now(), now() + 3600),
        "some-other-secret-that-is-long-enough",
        jsonwebtoken::Algorithm::HS256,
    );
    let hs384 = sign(
        claims("1", "admin", now(), now() + 3600),
        SECRET,
        jsonwebtoken::Algorithm::HS384,
    );
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims("1", "admin", now(), now() + 3600))
    );
    let rs256 = format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(&json!({"alg": "RS256", "typ": "JWT"})),
        b64(&claims("1", "admin", now(), now() + 3600))
    );
    let parts: Vec<&str> = admin.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(&claims("2", "admin", now(), now() + 3600)),
        parts[2]
    );
    for (name, token) in [
        ("expired", expired.as_str()),
        ("foreign", &foreign),
        ("hs384", &hs384),
        ("none", &none),
        ("rs256", &rs256),
        ("tampered", &tampered),
        ("garbage", "garbage"),
    ] {
        for path in [me, "/api/v1/auth/users"] {
            let response = api.get(path, token).await;
            assert_eq!(response.status(), 401, "{name} on {path}");
        }
    }
    let response = api.get(me, &expired).await;
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(api.get(me, &admin).await.status(), 200);
}

#[tokio::test]
async fn logout_ends_the_access_and_refresh_tokens() {
    let api = Api::start();
    let pair = api.pair("admin", ADMIN_PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();
    let response = api
        .send(Method::POST, "/api/v1/auth/logout", Some(access), None)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("admin"));
    assert_eq!(api.get("/api/v1/auth/me", access).await.status(), 401);
    let refresh = api
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": pair["refresh_token"]})),
        )
        .await;
    assert_eq!(refresh.status(), 401);
}

#[tokio::test]
async fn roles_decide_who_lists_users_and_a_demotion_applies_at_once() {
    let api = Api::start();
    let admin = api.admin().await;
    api.create_user(&admin, "teacher", "instructor").await;
    let student_id = api.create_user(&admin, "pupil", "student").await;
    let teacher = api.token("teacher", &password_of("teacher")).await;
    let pupil = api.token("pupil", &password_of("pupil")).await;

    assert_eq!(api.get("/api/v1/auth/users", &admin).await.status(), 200);
    for token in [&teacher, &pupil] {
        let response = api.get("/api/v1/auth/users", token).await;
        assert_eq!(response.status(), 403);
        assert_envelope(
            &response.json().await.unwrap(),
            "AUTHORIZATION_ERROR",
            "/api/v1/auth/users",
        );
    }
    let page: Vec<Value> = api
        .get("/api/v1/auth/users?skip=1&limit=1", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(
        api.get("/api/v1/auth/users?limit=0", &admin).await.status(),
        422
    );

    // Promote the student, then demote again: the same token follows the stored role.
    let promote = api
        .send(
            Method::PATCH,
            &format!("/api/v1/auth/users/{student_id}"),
            Some(&admin),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promote.status(), 200);
    assert_eq!(api.get("/api/v1/auth/users", &pupil).await.status(), 200);
    let demote = api
        .send(
            Method::PATCH,
            &format!("/api/v1/auth/users/{student_id}"),
            Some(&admin),
            Some(json!({"role": "student"})),
        )
        .await;
    assert_eq!(demote.status(), 200);
    assert_eq!(api.get("/api/v1/auth/users", &pupil).await.status(), 403);

    // Disabling ends access at once.
    api.send(
        Method::PATCH,
        &format!("/api/v1/auth/users/{student_id}"),
        Some(&admin),
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(api.get("/api/v1/auth/me", &pupil).await.status(), 401);

    // The last admin cannot demote themselves.
    let me: Value = api
        .get("/api/v1/auth/me", &admin)
        .await
        .json()
        .await
        .unwrap();
    let response = api
        .send(
            Method::PATCH,
            &format!("/api/v1/auth/users/{}", me["id"]),
            Some(&admin),
            Some(json!({"role": "student"})),
        )
        .await;
    assert_eq!(response.status(), 409);
    let roles: Value = api
        .send(Method::GET, "/api/v1/auth/roles", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roles, json!(["student", "instructor", "admin"]));
}

#[tokio::test]
async fn students_and_instructors_see_only_whom_they_may() {
    let api = Api::start();
    let admin = api.admin().await;
    let teacher_id = api.create_user(&admin, "teacher", "instructor").await;
    let other_teacher_id = api.create_user(&admin, "teacher2", "instructor").await;
    let alice = api.create_user(&admin, "alice", "student").await;
    let bob = api.create_user(&admin, "bob", "student").await;
    let cohort = api.create_cohort(&admin, "BSN 2027").await;
    let other_cohort = api.create_cohort(&admin, "BSN 2028").await;
    assert_eq!(
        api.add_member(&admin, cohort, teacher_id, "instructor")
            .await
            .status(),
        204
    );
    assert_eq!(
        api.add_member(&admin, other_cohort, other_teacher_id, "instructor")
            .await
            .status(),
        204
    );
    let teacher = api.token("teacher", &password_of("teacher")).await;
    let teacher2 = api.token("teacher2", &password_of("teacher2")).await;
    let alice_token = api.token("alice", &password_of("alice")).await;

    // Only admins enrol; an instructor cannot add anyone, even to their own cohort.
    assert_eq!(
        api.add_member(&teacher, cohort, alice, "student")
            .await
            .status(),
        403
    );
    assert_eq!(
        api.add_member(&admin, cohort, alice, "student")
            .await
            .status(),
        204
    );
    assert_eq!(
        api.add_member(&teacher, other_cohort, bob, "student")
            .await
            .status(),
        403
    );
    assert_eq!(
        api.add_member(&teacher, cohort, other_teacher_id, "instructor")
            .await
            .status(),
        403
    );
    assert_eq!(
        api.add_member(&alice_token, cohort, bob, "student")
            .await
            .status(),
        403
    );
    assert_eq!(
        api.add_member(&admin, cohort, alice, "instructor")
            .await
            .status(),
        422,
        "role must match the account"
    );
    assert_eq!(
        api.add_member(&admin, other_cohort, bob, "student")
            .await
            .status(),
        204
    );

    let cases = [
        (&alice_token, alice, 200),
        (&alice_token, bob, 403),
        (&teacher, alice, 200),
        (&teacher, bob, 403),
        (&teacher2, alice, 403),
        (&teacher2, bob, 200),
        (&teacher, 999_999, 403),
        (&admin, bob, 200),
        (&admin, 999_999, 404),
    ];
    for (token, target, expected) in cases {
        let response = api
            .get(&format!("/api/v1/auth/users/{target}"), token)
            .await;
        assert_eq!(response.status(), expected, "user {target}");
    }
    assert_eq!(
        api.get("/api/v1/auth/users/not-a-number", &admin)
            .await
            .status(),
        422
    );

    // Cohort views follow membership; students do not see classmates.
    assert_eq!(
        api.get(&format!("/api/v1/cohorts/{other_cohort}"), &teacher)
            .await
            .status(),
        403
    );
    let own: Value = api
        .get(&format!("/api/v1/cohorts/{cohort}"), &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["members"].as_array().unwrap().len(), 2);
    let as_student: Value = api
        .get(&format!("/api/v1/cohorts/{cohort}"), &alice_token)
        .await
        .json()
        .await
        .unwrap();
    assert!(as_student.get("members").is_none());
    let listed: Vec<Value> = api
        .get("/api/v1/cohorts", &teacher)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let response = api
        .send(
            Method::POST,
            "/api/v1/cohorts",
            Some(&teacher),
            Some(json!({"name": "mine"})),
        )
        .await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn account_attacks_change_nothing() {
    let api = Api::start();
    let admin = api.admin().await;
    let before = api.users_in_db();
    let attempts = [
        json!({"username": "robert'); DROP TABLE users;--", "role": "student", "password": "long enough password"}),
        json!({"username": "ＡＤＭＩＮ", "role": "student", "password": "long enough password"}),
        json!({"username": "Admin", "role": "admin", "password": "long enough password"}),
        json!({"username": "x", "role": "student"}),
        json!({"username": "newbie", "role": "superuser"}),
        json!({"username": "newbie", "role": "student", "password": "short"}),
        json!({"username": "newbie", "role": "student", "password": "p".repeat(2_000)}),
    ];
    let expected = [422, 409, 409, 422, 422, 422, 422];
    for (body, status) in attempts.iter().zip(expected) {
        let response = api
            .send(
                Method::POST,
                "/api/v1/auth/users",
                Some(&admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(response.status(), status, "{body}");
    }
    assert_eq!(api.users_in_db(), before, "nothing was stored");
    let response = api.login("admin' OR '1'='1", "x' OR '1'='1").await;
    assert_eq!(response.status(), 401);
    // A look-alike spelling logs in as the same account rather than a different one.
    assert_eq!(api.login("ＡＤＭＩＮ", ADMIN_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn repeated_failures_lock_real_and_unknown_accounts_alike() {
    let api = Api::start_with("", "lockout_threshold = 3\nlockout_minutes = 15");
    let admin = api.admin().await;
    api.create_user(&admin, "carol", "student").await;
    for _ in 0..3 {
        assert_eq!(api.login("carol", "wrong password").await.status(), 401);
        assert_eq!(api.login("ghost", "wrong password").await.status(), 401);
    }
    let real: Value = api
        .login("carol", &password_of("carol"))
        .await
        .json()
        .await
        .unwrap();
    let ghost: Value = api
        .login("ghost", "anything at all")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        real["message"].as_str().unwrap().contains("locked"),
        "{real}"
    );
    assert_eq!(
        real["message"], ghost["message"],
        "lockout does not reveal which accounts exist"
    );

    // An admin reset unlocks.
    let users: Vec<Value> = api
        .get("/api/v1/auth/users", &admin)
        .await
        .json()
        .await
        .unwrap();
    let carol = users.iter().find(|u| u["username"] == "carol").unwrap()["id"]
        .as_i64()
        .unwrap();
    let reset: Value = api
        .send(
            Method::POST,
            &format!("/api/v1/auth/users/{carol}/reset-password"),
            Some(&admin),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let pair = api
        .pair("carol", reset["generated_password"].as_str().unwrap())
        .await;
    assert_eq!(pair["password_change_required"], true);
    let token = pair["access_token"].as_str().unwrap();
    assert_eq!(
        api.get("/api/v1/cohorts", token).await.status(),
        403,
        "must change the password first"
    );
    let change = api
        .send(Method::POST, "/api/v1/auth/password", Some(token), Some(json!({"current_password": reset["generated_password"], "new_password": "carol's new password"})))
        .await;
    assert_eq!(change.status(), 204);
    assert_eq!(api.get("/api/v1/cohorts", token).await.status(), 200);

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
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "user_created",
        "login",
        "login_failed",
        "account_locked",
        "password_reset",
        "password_changed",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    let page: Value = api
        .get("/api/v1/admin/audit?limit=2", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    let next = page["next_before_id"].as_i64().unwrap();
    let older: Value = api
        .get(
            &format!("/api/v1/admin/audit?limit=2&before_id={next}"),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(older["entries"][0]["id"].as_i64().unwrap() < next);
    for action in ["login_failed", "password_reset"] {
        let filtered: Value = api
            .get(&format!("/api/v1/admin/audit?action={action}"), &admin)
            .await
            .json()
            .await
            .unwrap();
        let entries = filtered["entries"].as_array().unwrap();
        assert!(!entries.is_empty(), "{action}: {filtered}");
        assert!(
            entries.iter().all(|entry| entry["action"] == action),
            "{action}: {filtered}"
        );
    }
    for unknown in ["logins", "Login", "", "login%00"] {
        let response = api
            .get(&format!("/api/v1/admin/audit?action={unknown}"), &admin)
            .await;
        assert_eq!(response.status(), 422, "{unknown:?}");
        let envelope: Value = response.json().await.unwrap();
        assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/admin/audit");
        assert_eq!(
            envelope["details"]["validation_errors"][0]["field"], "action",
            "{envelope}"
        );
    }
    assert_eq!(api.get("/api/v1/admin/audit", token).await.status(), 403);
}

#[tokio::test]
async fn one_address_guessing_many_passwords_is_slowed_down() {
    let api = Api::start_with("", "lockout_threshold = 100");
    let mut statuses = Vec::new();
    for attempt in 0..32 {
        statuses.push(
            api.login(&format!("user{attempt}"), "guess guess guess")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses[..30].iter().all(|status| *status == 401),
        "{statuses:?}"
    );
    let blocked = api.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(blocked.status(), 429);
    assert!(blocked.headers().contains_key("retry-after"));
    assert!(api.server.wait_for_log(
        "Rate limit exceeded for logins from 127.0.0.1",
        Duration::from_secs(3)
    ));
}

#[tokio::test]
async fn hourly_quotas_are_per_user_and_shared_by_their_tokens() {
    let api = Api::start_with("general_per_hour = 5", "");
    let first = api.admin().await;
    let second = api.admin().await;
    for index in 0..5 {
        let token = if index % 2 == 0 { &first } else { &second };
        assert_eq!(
            api.get("/api/v1/auth/me", token).await.status(),
            200,
            "call {index}"
        );
    }
    let response = api.get("/api/v1/auth/me", &second).await;
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry));
    assert_eq!(response.headers()["x-ratelimit-limit"], "5");
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    let body: Value = response.json().await.unwrap();
    assert_envelope(&body, "RATE_LIMIT_EXCEEDED", "/api/v1/auth/me");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("rate limit")
    );
    assert_eq!(body["details"]["endpoint_type"], "general");
    assert_eq!(body["details"]["retry_after_seconds"], retry);
    assert!(api.server.wait_for_log(
        "Rate limit exceeded for general requests by user \"admin\" from 127.0.0.1",
        Duration::from_secs(3)
    ));
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let api = Api::start();
    let pair = api.pair("admin", ADMIN_PASSWORD).await;
    let Api {
        mut server, http, ..
    } = api;
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let again = Server::start_in(dir, &config, &[]);
    let response = http
        .get(again.url("/api/v1/auth/me"))
        .bearer_auth(pair["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = http
        .post(again.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": pair["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_generated_signing_secret_is_kept_in_the_data_dir() {
    let server = Server::start();
    let password =
        std::fs::read_to_string(server.data_dir().join("initial-admin-password")).unwrap();
    let password = password.trim_end();
    let http = crate::helpers::client();
    let login = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let pair: Value = login.json().await.unwrap();
    assert_eq!(pair["password_change_required"], true);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(server.data_dir().join("secret_key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn the_user_subcommands_manage_accounts_offline() {
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
    let generated = run(
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "student.one",
            "--role",
            "student",
        ],
        &[],
    );
    assert_eq!(generated.code, 0, "{}", generated.stderr);
    assert!(
        generated.stdout.contains("password: "),
        "{}",
        generated.stdout
    );
    assert_eq!(
        run(
            dir.path(),
            &["user", "create", "--username", "x", "--role", "student"],
            &[]
        )
        .code,
        2,
        "invalid username"
    );
    assert_eq!(
        run(
            dir.path(),
            &[
                "user",
                "create",
                "--username",
                "someone",
                "--role",
                "wizard"
            ],
            &[]
        )
        .code,
        2,
        "invalid role"
    );
    assert_eq!(
        run(
            dir.path(),
            &[
                "user",
                "create",
                "--username",
                "Student.One",
                "--role",
                "student"
            ],
            &[]
        )
        .code,
        1,
        "taken"
    );

    let listed = run(dir.path(), &["user", "list"], &[]);
    assert_eq!(listed.code, 0);
    assert!(
        listed.stdout.contains("nurse.educator") && listed.stdout.contains("student.one"),
        "{}",
        listed.stdout
    );

    let reset = run(
        dir.path(),
        &["user", "reset-password", "--username", "nurse.educator"],
        &[],
    );
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    assert!(reset.stdout.contains("new password for \"nurse.educator\""));
    let disabled = run(
        dir.path(),
        &["user", "disable", "--username", "student.one"],
        &[],
    );
    assert_eq!(disabled.code, 0, "{}", disabled.stderr);
    assert_eq!(
        run(
            dir.path(),
            &["user", "disable", "--username", "nobody"],
            &[]
        )
        .code,
        1
    );

    let conn = rusqlite::Connection::open(dir.path().join("data/bsn-knowledge.sqlite3")).unwrap();
    let active: bool = conn
        .query_row(
            "SELECT is_active FROM users WHERE username = 'student.one'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!active);
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE actor = 'cli'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 4, "two creates, a reset and a disable");
}
