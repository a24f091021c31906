//! Lockout that knowing a username is not enough to use against its owner: failures lock an account
//! at one address only; strangers using up an account's hourly failures do not stop it signing in
//! from an address it used before (kept across restarts); a busy classroom address still lets in
//! the students who signed in there before.

use std::time::Duration;

use serde_json::Value;

use crate::api::{ADMIN_PASSWORD, Api, password_of};
use crate::helpers::Server;

const INCORRECT: &str = "Incorrect username or password";

/// Status and message of a login from `source`.
async fn attempt(api: &Api, source: &str, username: &str, password: &str) -> (u16, String) {
    let response = api.login_from(source, username, password).await;
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = response.json().await.unwrap();
    if status == 429 {
        assert!(retry_after, "a 429 says when to retry: {body}");
    }
    (
        status,
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// How many of `tries` wrong passwords from `source` had their password checked (answered
/// "incorrect", the last of them adding that the account is now locked there, rather than refused
/// unchecked).
async fn checked_guesses(api: &Api, source: &str, username: &str, tries: usize) -> usize {
    let mut checked = 0;
    for n in 0..tries {
        let (status, message) = attempt(api, source, username, &format!("guess {n}")).await;
        assert!(status == 401 || status == 429, "{status} {message}");
        if message.starts_with(INCORRECT) {
            checked += 1;
        }
    }
    checked
}

#[tokio::test]
async fn an_attacker_at_one_address_does_not_lock_the_owner_out_elsewhere() {
    let api = Api::start_with("", "lockout_threshold = 3\nlockout_minutes = 15");
    let admin = api.admin().await;
    api.create_user(&admin, "carol", "student").await;
    // The attacker knows the name: three guesses are checked, then carol is locked at their address.
    assert_eq!(checked_guesses(&api, "127.0.0.3", "carol", 12).await, 3);
    let (status, message) = attempt(&api, "127.0.0.3", "carol", &password_of("carol")).await;
    assert_eq!(status, 401);
    assert!(message.contains("locked"), "{message}");
    // Carol, at an address of her own (new to her), signs in; so does any other account from the
    // attacker's address.
    assert_eq!(
        attempt(&api, "127.0.0.4", "carol", &password_of("carol"))
            .await
            .0,
        200
    );
    api.create_user(&admin, "dave", "student").await;
    assert_eq!(
        attempt(&api, "127.0.0.3", "dave", &password_of("dave"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn strangers_everywhere_do_not_lock_the_admin_out_and_guesses_per_hour_are_bounded() {
    let api = Api::start();
    // The admin has signed in from 127.0.0.1 before; that is remembered across a restart.
    api.admin().await;
    let Api {
        mut server, http, ..
    } = api;
    server.kill();
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let api = Api::restarted(Server::start_in(dir, &config, &[]), http);

    // Strangers at ten addresses try 5 passwords each: only 20 are checked in the hour.
    let mut checked = 0;
    for n in 10..20 {
        checked += checked_guesses(&api, &format!("127.0.0.{n}"), "admin", 5).await;
    }
    assert_eq!(checked, 20, "at most 20 guesses per account per hour");
    // A new address is refused for the admin (unchecked, with when to retry)…
    let (status, message) = attempt(&api, "127.0.0.30", "admin", ADMIN_PASSWORD).await;
    assert_eq!(status, 429, "{message}");
    assert!(message.contains("signed in from before"), "{message}");
    // …while the admin's own address still signs in.
    assert_eq!(
        attempt(&api, "127.0.0.1", "admin", ADMIN_PASSWORD).await.0,
        200
    );
    // An unknown name is answered exactly like the admin, so the limit reveals no account.
    for n in 10..20 {
        checked_guesses(&api, &format!("127.0.0.{n}"), "ghost", 5).await;
    }
    let (ghost_status, ghost_message) = attempt(&api, "127.0.0.30", "ghost", "anything").await;
    let words = |text: &str| text.replace(|c: char| c.is_ascii_digit(), "");
    assert_eq!(
        (ghost_status, words(&ghost_message)),
        (status, words(&message))
    );
}

#[tokio::test]
async fn a_classroom_behind_one_address_keeps_signing_in_while_one_student_mistypes() {
    let api = Api::start();
    let admin = api.admin().await;
    let classroom = "127.0.0.20";
    for n in 1..=6 {
        api.create_user(&admin, &format!("student{n}"), "student")
            .await;
    }
    // Students 1-4 have signed in from the classroom before; 5 mistypes; 6 never signed in.
    for n in 1..=5 {
        let name = format!("student{n}");
        assert_eq!(
            attempt(&api, classroom, &name, &password_of(&name)).await.0,
            200
        );
    }
    let before = api.server.logs().matches("Authentication failed").count();
    assert_eq!(checked_guesses(&api, classroom, "student5", 40).await, 5);
    // Refused attempts check no password and write no fail2ban line: one student cannot get the
    // room banned.
    let lines = api.server.logs().matches("Authentication failed").count() - before;
    assert_eq!(lines, 5);
    for n in 1..=4 {
        let name = format!("student{n}");
        assert_eq!(
            attempt(&api, classroom, &name, &password_of(&name)).await.0,
            200
        );
    }
    // The mistyping student is locked at the classroom only.
    let (status, message) = attempt(&api, classroom, "student5", &password_of("student5")).await;
    assert_eq!(status, 401);
    assert!(message.contains("locked"), "{message}");
    assert_eq!(
        attempt(&api, "127.0.0.21", "student5", &password_of("student5"))
            .await
            .0,
        200
    );

    // A guesser behind the same address, spraying names, is stopped after 30 failures for every
    // account not known there; students who signed in there before still get in.
    let mut checked = 0;
    for n in 0..20 {
        checked += checked_guesses(&api, classroom, &format!("victim{n}"), 4).await;
    }
    assert_eq!(
        checked,
        30 - 5,
        "30 failures from one address in 15 minutes"
    );
    let (status, _) = attempt(&api, classroom, "student6", &password_of("student6")).await;
    assert_eq!(status, 429, "an account new to a flooded address waits");
    assert!(api.server.wait_for_log(
        "Rate limit exceeded for logins from 127.0.0.20",
        Duration::from_secs(3)
    ));
    for n in 1..=4 {
        let name = format!("student{n}");
        assert_eq!(
            attempt(&api, classroom, &name, &password_of(&name)).await.0,
            200
        );
    }
}
