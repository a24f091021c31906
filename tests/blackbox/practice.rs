use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::api::{Api, password_of};
use crate::helpers::{Server, assert_envelope};

/// Quotas wide open: these tests are about attempts, not the hourly limits.
fn start() -> Api {
    Api::start_with(
        "assessment_per_hour = 1000000\ncontent_per_hour = 10000",
        "",
    )
}

fn db(api: &Api) -> rusqlite::Connection {
    let conn =
        rusqlite::Connection::open(api.server.data_dir().join("bsn-knowledge.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

async fn json_of(response: reqwest::Response, status: u16, what: &str) -> Value {
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{what}: {body}");
    body
}

/// Like `Api::send`, with time for the first generation request, which loads the item catalog
/// (a debug build on a busy machine takes longer than the usual client timeout).
async fn send_slow(api: &Api, path: &str, token: &str, body: Value) -> reqwest::Response {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(180))
        .build()
        .unwrap()
        .post(api.server.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Generated bank items of several types (as the admin), with their keys.
async fn bank_items(api: &Api, admin: &str, count: usize) -> Vec<Value> {
    let response = send_slow(
            api,
            "/api/v1/nclex/generate",
            admin,
            json!({
                "topic": "pharmacology",
                "question_count": count,
                "item_types": ["multiple_choice", "multiple_response", "matrix", "bow_tie", "drop_down_cloze", "drag_drop_rationale"],
                "seed": 7
            }),
        )
        .await;
    let body = json_of(response, 200, "generate").await;
    body["questions"].as_array().unwrap().clone()
}

/// A wrong answer of the right shape for simple item types.
fn wrong_answer(item: &Value) -> Option<Value> {
    let key = &item["correct_answer"];
    match item["item_type"].as_str()? {
        "multiple_choice" => item["options"]
            .as_array()?
            .iter()
            .map(|option| option["id"].clone())
            .find(|id| id != key),
        _ => None,
    }
}

async fn save(api: &Api, token: &str, attempt: i64, item: &str, body: Value) -> reqwest::Response {
    api.send(
        Method::PUT,
        &format!("/api/v1/attempts/{attempt}/responses/{item}"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_quiz_runs_from_setting_to_review_and_refuses_bad_input() {
    let api = start();
    let admin = api.admin().await;
    let instructor_id = api.create_user(&admin, "instructor1", "instructor").await;
    let student_id = api.create_user(&admin, "student1", "student").await;
    api.create_user(&admin, "student2", "student").await;
    let cohort = api.create_cohort(&admin, "Cohort A").await;
    assert!(
        api.add_member(&admin, cohort, instructor_id, "instructor")
            .await
            .status()
            .is_success()
    );
    assert!(
        api.add_member(&admin, cohort, student_id, "student")
            .await
            .status()
            .is_success()
    );
    let instructor = api.token("instructor1", &password_of("instructor1")).await;
    let student = api.token("student1", &password_of("student1")).await;
    let outsider = api.token("student2", &password_of("student2")).await;

    let items = bank_items(&api, &admin, 8).await;
    let ids: Vec<String> = items
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();

    // Bad quiz bodies.
    for (body, field) in [
        (json!({"title": "", "item_ids": ids}), "title"),
        (json!({"title": "Q"}), "item_ids"),
        (
            json!({"title": "Q", "item_ids": ["no-such-item"]}),
            "item_ids",
        ),
        (
            json!({"title": "Q", "item_ids": [ids[0], ids[0]]}),
            "item_ids",
        ),
        (
            json!({"title": "Q", "item_ids": ids, "time_limit_minutes": 0}),
            "time_limit_minutes",
        ),
        (
            json!({"title": "Q", "item_ids": ids, "cohort_ids": [999]}),
            "cohort_ids",
        ),
        (
            json!({"title": "Q", "item_ids": ids, "opens_at": "tomorrow"}),
            "opens_at",
        ),
    ] {
        let response = api
            .send(
                Method::POST,
                "/api/v1/quizzes",
                Some(&instructor),
                Some(body.clone()),
            )
            .await;
        let envelope = json_of(response, 422, &body.to_string()).await;
        assert_envelope(&envelope, "VALIDATION_ERROR", "/api/v1/quizzes");
        assert_eq!(
            envelope["details"]["validation_errors"][0]["field"], field,
            "{body}"
        );
    }
    let response = api
        .send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&student),
            Some(json!({"title": "Q", "item_ids": ids})),
        )
        .await;
    assert_envelope(
        &json_of(response, 403, "student sets a quiz").await,
        "AUTHORIZATION_ERROR",
        "/api/v1/quizzes",
    );

    let response = api
        .send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&instructor),
            Some(json!({"title": "Pharm quiz", "item_ids": ids, "cohort_ids": [cohort], "shuffle_options": true, "attempt_limit": 1})),
        )
        .await;
    let quiz = json_of(response, 201, "create quiz").await;
    let quiz_id = quiz["id"].as_i64().unwrap();
    let expected_max: u64 = items
        .iter()
        .map(|item| item["max_points"].as_u64().unwrap())
        .sum();
    assert_eq!(quiz["max_score"].as_u64().unwrap(), expected_max);
    assert_eq!(quiz["items"].as_array().unwrap().len(), ids.len());

    // Visibility: the outsider neither sees nor starts it; the member sees it without items.
    let listed = json_of(
        api.get("/api/v1/quizzes", &outsider).await,
        200,
        "outsider list",
    )
    .await;
    assert!(listed["quizzes"].as_array().unwrap().is_empty());
    let path = format!("/api/v1/quizzes/{quiz_id}");
    assert_envelope(
        &json_of(api.get(&path, &outsider).await, 403, "outsider reads").await,
        "AUTHORIZATION_ERROR",
        &path,
    );
    let attempts_path = format!("/api/v1/quizzes/{quiz_id}/attempts");
    let response = api
        .send(Method::POST, &attempts_path, Some(&outsider), None)
        .await;
    json_of(response, 403, "outsider starts").await;
    let listed = json_of(
        api.get("/api/v1/quizzes", &student).await,
        200,
        "student list",
    )
    .await;
    assert_eq!(listed["quizzes"][0]["id"], quiz_id);
    let seen = json_of(api.get(&path, &student).await, 200, "student reads").await;
    assert!(
        seen.get("items").is_none(),
        "no items, so no keys, outside an attempt"
    );

    // Start, and start again from another device: the same attempt.
    let started = json_of(
        api.send(Method::POST, &attempts_path, Some(&student), None)
            .await,
        201,
        "start",
    )
    .await;
    let attempt = started["attempt_id"].as_i64().unwrap();
    let resumed = json_of(
        api.send(Method::POST, &attempts_path, Some(&student), None)
            .await,
        200,
        "resume",
    )
    .await;
    assert_eq!(resumed["attempt_id"], attempt);
    let shown = started["items"].as_array().unwrap();
    assert_eq!(shown.len(), ids.len());
    for item in shown {
        for hidden in [
            "correct_answer",
            "rationale",
            "option_rationales",
            "source_facts",
            "seed",
        ] {
            assert!(
                item.get(hidden).is_none(),
                "{hidden} shown during the attempt"
            );
        }
    }
    assert_eq!(
        resumed["items"], started["items"],
        "the shuffle is kept per attempt"
    );

    // Other students' attempts, keys before submission.
    let attempt_path = format!("/api/v1/attempts/{attempt}");
    json_of(
        api.get(&attempt_path, &outsider).await,
        403,
        "outsider opens attempt",
    )
    .await;
    let review_path = format!("{attempt_path}/review");
    let early = json_of(
        api.get(&review_path, &student).await,
        403,
        "keys before submitting",
    )
    .await;
    assert!(
        early["message"]
            .as_str()
            .unwrap()
            .contains("after the attempt is submitted")
    );
    json_of(
        save(&api, &outsider, attempt, &ids[0], json!({"answer": null})).await,
        403,
        "outsider saves",
    )
    .await;

    // Wrong shapes and items not in the attempt.
    json_of(
        save(
            &api,
            &student,
            attempt,
            "not-in-attempt",
            json!({"answer": "A"}),
        )
        .await,
        404,
        "foreign item",
    )
    .await;
    for item in &items {
        let id = item["id"].as_str().unwrap();
        let bad = match item["item_type"].as_str().unwrap() {
            "multiple_choice" => vec![json!(3), json!("Z"), json!(["A"])],
            "multiple_response" => vec![json!(3), json!(["Z"]), json!("A")],
            "matrix" => vec![json!("A"), json!({"R99": "C1"}), json!({"R1": "C99"})],
            "bow_tie" => vec![
                json!("C1"),
                json!({"condition": "A1"}),
                json!({"actions": ["A1", "A2", "A3"]}),
            ],
            "drop_down_cloze" | "drag_drop_rationale" => {
                vec![json!("A"), json!({"9": "A"}), json!({"1": "Z"})]
            }
            _ => vec![json!({"not": "an answer"})],
        };
        for answer in bad {
            let response = save(&api, &student, attempt, id, json!({"answer": answer})).await;
            let envelope = json_of(response, 422, &format!("{id} {answer}")).await;
            assert_eq!(
                envelope["details"]["validation_errors"][0]["field"],
                "answer"
            );
        }
    }
    let huge = "x".repeat(10 * 1024 * 1024);
    let response = save(&api, &student, attempt, &ids[0], json!({"answer": huge})).await;
    assert_envelope(
        &json_of(response, 413, "10 MB answer").await,
        "PAYLOAD_TOO_LARGE",
        &format!("{attempt_path}/responses/{}", ids[0]),
    );
    assert_eq!(
        count(&db(&api), "SELECT count(*) FROM answer_history"),
        0,
        "nothing stored for refused answers"
    );

    // A wrong answer first where one is easy to make, then every key; flag one item.
    let keyed = &quiz["items"];
    let mut changed = None;
    for item in keyed.as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        if changed.is_none()
            && let Some(wrong) = wrong_answer(item)
        {
            json_of(
                save(&api, &student, attempt, id, json!({"answer": wrong})).await,
                200,
                "wrong first",
            )
            .await;
            changed = Some(id.to_owned());
        }
        let receipt = json_of(
            save(
                &api,
                &student,
                attempt,
                id,
                json!({"answer": item["correct_answer"], "flagged": true}),
            )
            .await,
            200,
            "save key",
        )
        .await;
        assert_eq!(receipt["saved"], true);
        assert_eq!(receipt["flagged"], true);
    }
    // Flag-only change keeps the answer.
    let receipt = json_of(
        save(&api, &student, attempt, &ids[0], json!({"flagged": false})).await,
        200,
        "unflag",
    )
    .await;
    assert_eq!(receipt["flagged"], false);
    let open = json_of(api.get(&attempt_path, &student).await, 200, "open attempt").await;
    assert_eq!(
        open["responses"][&ids[0]]["answer"],
        keyed[0]["correct_answer"]
    );

    // Two devices submit at once: one scoring, the same result twice.
    let submit_path = format!("{attempt_path}/submit");
    let (first, second) = tokio::join!(
        api.send(Method::POST, &submit_path, Some(&student), None),
        api.send(Method::POST, &submit_path, Some(&student), None)
    );
    let first = json_of(first, 200, "submit 1").await;
    let second = json_of(second, 200, "submit 2").await;
    assert_eq!(first["score"].as_u64().unwrap(), expected_max, "{first}");
    assert_eq!(first["score"], second["score"]);
    assert_eq!(first["submitted_at"], second["submitted_at"]);
    let again = json_of(
        api.send(Method::POST, &submit_path, Some(&student), None)
            .await,
        200,
        "submit 3",
    )
    .await;
    assert_eq!(again["submitted_at"], first["submitted_at"]);
    let conn = db(&api);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM item_responses WHERE attempt_id = {attempt}")
        ),
        ids.len() as i64,
        "scored once"
    );
    if let Some(changed) = &changed {
        let history: i64 = conn
            .query_row(
                "SELECT count(*) FROM answer_history WHERE attempt_id = ?1 AND item_id = ?2",
                rusqlite::params![attempt, changed],
                |row| row.get(0),
            )
            .unwrap();
        // The wrong answer, the key, and (for the first item) the flag-only change.
        let saves = if changed == &ids[0] { 3 } else { 2 };
        assert_eq!(history, saves, "the changed answer keeps its history");
    }
    drop(conn);

    // The review: keys, rationales, subtotals.
    let review = json_of(api.get(&review_path, &student).await, 200, "review").await;
    assert_eq!(review["keys_shown"], true);
    for entry in review["items"].as_array().unwrap() {
        assert_eq!(entry["points"], entry["max_points"]);
        assert!(entry["item"]["correct_answer"] != Value::Null);
        assert!(
            entry["item"]["rationale"]
                .as_str()
                .is_some_and(|r| !r.is_empty())
        );
        assert!(entry["item"]["option_rationales"].is_object());
    }
    let need_total: u64 = review["subtotals"]["client_need"]
        .as_object()
        .unwrap()
        .values()
        .map(|subtotal| subtotal["points"].as_u64().unwrap())
        .sum();
    assert_eq!(need_total, expected_max);
    assert!(
        !review["subtotals"]["ncjmm_function"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    let staff_view = json_of(
        api.get(&attempt_path, &instructor).await,
        200,
        "instructor reads attempt",
    )
    .await;
    assert_eq!(staff_view["review"]["score"], first["score"]);

    // After submission: no more answers, no second attempt, the quiz is frozen.
    let late = json_of(
        save(&api, &student, attempt, &ids[0], json!({"answer": null})).await,
        409,
        "after submit",
    )
    .await;
    assert!(late["message"].as_str().unwrap().contains("submitted"));
    let response = api
        .send(Method::POST, &attempts_path, Some(&student), None)
        .await;
    assert!(
        json_of(response, 409, "attempt limit").await["message"]
            .as_str()
            .unwrap()
            .contains("attempt limit")
    );
    let response = api
        .send(
            Method::PUT,
            &path,
            Some(&instructor),
            Some(json!({"title": "Renamed"})),
        )
        .await;
    assert!(
        json_of(response, 409, "edit after attempts").await["message"]
            .as_str()
            .unwrap()
            .contains("frozen")
    );
    // Retiring a bank item later changes nothing in the finished attempt.
    let response = api
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{}", ids[0]),
            Some(&admin),
            Some(json!({"status": "retired"})),
        )
        .await;
    let retired = response.status();
    let after = json_of(
        api.get(&review_path, &student).await,
        200,
        "review after retirement",
    )
    .await;
    assert_eq!(after["score"], review["score"], "retire status {retired}");
    assert_eq!(after["items"], review["items"]);
}

#[tokio::test]
async fn deadlines_are_enforced_by_the_server_and_expired_attempts_are_scored() {
    let api = start();
    let admin = api.admin().await;
    let first_id = api.create_user(&admin, "student-a", "student").await;
    let second_id = api.create_user(&admin, "student-b", "student").await;
    let cohort = api.create_cohort(&admin, "Timed").await;
    api.add_member(&admin, cohort, first_id, "student").await;
    api.add_member(&admin, cohort, second_id, "student").await;
    let first = api.token("student-a", &password_of("student-a")).await;
    let second = api.token("student-b", &password_of("student-b")).await;
    let items = bank_items(&api, &admin, 3).await;
    let ids: Vec<&str> = items
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    let closes = time::OffsetDateTime::now_utc() + time::Duration::seconds(4);
    let closes = closes
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let response = api
        .send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&admin),
            Some(json!({"title": "Timed", "item_ids": ids, "cohort_ids": [cohort], "closes_at": closes, "time_limit_minutes": 30})),
        )
        .await;
    let quiz = json_of(response, 201, "timed quiz").await;
    let attempts_path = format!("/api/v1/quizzes/{}/attempts", quiz["id"]);
    let mine = json_of(
        api.send(Method::POST, &attempts_path, Some(&first), None)
            .await,
        201,
        "start 1",
    )
    .await;
    let theirs = json_of(
        api.send(Method::POST, &attempts_path, Some(&second), None)
            .await,
        201,
        "start 2",
    )
    .await;
    assert!(mine["seconds_remaining"].as_i64().unwrap() <= 4);
    let attempt = mine["attempt_id"].as_i64().unwrap();
    let key = &items[0]["correct_answer"];
    json_of(
        save(&api, &first, attempt, ids[0], json!({"answer": key})).await,
        200,
        "in time",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    let late = json_of(
        save(
            &api,
            &first,
            attempt,
            ids[1],
            json!({"answer": items[1]["correct_answer"]}),
        )
        .await,
        409,
        "late",
    )
    .await;
    assert!(
        late["message"].as_str().unwrap().contains("time limit"),
        "{late}"
    );
    // The late answer closed the attempt: scored with what was saved in time.
    let closed = json_of(
        api.get(&format!("/api/v1/attempts/{attempt}"), &first)
            .await,
        200,
        "closed",
    )
    .await;
    assert_eq!(closed["status"], "expired");
    assert_eq!(closed["review"]["score"], items[0]["max_points"]);
    // The second student never came back: the sweep closes and scores the attempt anyway.
    let other = theirs["attempt_id"].as_i64().unwrap();
    let mut status = String::new();
    for _ in 0..40 {
        status = db(&api)
            .query_row(
                "SELECT status FROM attempts WHERE id = ?1",
                [other],
                |row| row.get(0),
            )
            .unwrap();
        if status == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, "expired");
    let conn = db(&api);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM item_responses WHERE attempt_id = {other}")
        ),
        3
    );
    assert_eq!(
        count(
            &conn,
            &format!("SELECT score FROM attempts WHERE id = {other}")
        ),
        0
    );
    // The quiz closed, so nobody starts it now.
    let response = api
        .send(Method::POST, &attempts_path, Some(&second), None)
        .await;
    assert!(
        json_of(response, 403, "after close").await["message"]
            .as_str()
            .unwrap()
            .contains("closed")
    );
}

#[tokio::test]
async fn self_practice_makes_an_attempt_on_fresh_items() {
    let api = start();
    let admin = api.admin().await;
    let learner_id = api.create_user(&admin, "learner", "student").await;
    api.create_user(&admin, "other", "student").await;
    let student = api.token("learner", &password_of("learner")).await;
    let other = api.token("other", &password_of("other")).await;
    // Load the item catalog first, with time to spare.
    bank_items(&api, &admin, 1).await;
    for (body, field) in [
        (json!({"count": 0}), "count"),
        (
            json!({"count": 3, "topic": "no such topic at all zzz"}),
            "topic",
        ),
        (json!({"count": 3, "item_types": []}), "item_types"),
        (json!({"count": 3, "item_types": ["essay"]}), "item_types"),
    ] {
        let response = api
            .send(
                Method::POST,
                "/api/v1/practice",
                Some(&student),
                Some(body.clone()),
            )
            .await;
        let envelope = json_of(response, 422, &body.to_string()).await;
        let named = envelope["details"]["validation_errors"][0]["field"]
            .as_str()
            .unwrap_or("");
        assert!(named.starts_with(field), "{body}: {envelope}");
    }
    let response = api
        .send(
            Method::POST,
            "/api/v1/practice",
            Some(&admin),
            Some(json!({"count": 3})),
        )
        .await;
    json_of(response, 403, "admin practises").await;
    let body = json!({"topic": "pharmacology", "count": 4, "item_types": ["multiple_choice"]});
    let first = json_of(
        api.send(
            Method::POST,
            "/api/v1/practice",
            Some(&student),
            Some(body.clone()),
        )
        .await,
        201,
        "practice",
    )
    .await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(
        items
            .iter()
            .all(|item| item.get("correct_answer").is_none())
    );
    let second = json_of(
        api.send(Method::POST, "/api/v1/practice", Some(&student), Some(body))
            .await,
        201,
        "practice 2",
    )
    .await;
    let first_ids: Vec<&Value> = items.iter().map(|item| &item["id"]).collect();
    let repeats = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| first_ids.contains(&&item["id"]))
        .count();
    assert_eq!(repeats, 0, "a second set prefers items not seen before");
    let attempt = first["attempt_id"].as_i64().unwrap();
    let submitted = json_of(
        api.send(
            Method::POST,
            &format!("/api/v1/attempts/{attempt}/submit"),
            Some(&student),
            None,
        )
        .await,
        200,
        "submit practice",
    )
    .await;
    assert_eq!(submitted["score"], 0);
    assert_eq!(submitted["max_score"], 4);

    // Each scored response is evidence for its item's AACN competency.
    let profile_path = format!("/api/v1/assessment/competency/profile/{learner_id}");
    let profile = json_of(api.get(&profile_path, &student).await, 200, "profile").await;
    assert_eq!(profile["evidence_by_source"]["item_response"], 4);
    let competencies = profile["competencies"].as_array().unwrap();
    assert_eq!(competencies.len(), 45);
    let counted: u64 = competencies
        .iter()
        .map(|entry| entry["proficiency"]["evidence_count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 4);
    for entry in competencies {
        let proficiency = &entry["proficiency"];
        if proficiency["evidence_count"] == 0 {
            assert_eq!(proficiency["score"], Value::Null, "no evidence, no number");
            assert!(
                proficiency["note"]
                    .as_str()
                    .unwrap()
                    .contains("no evidence")
            );
        } else {
            assert_eq!(proficiency["score"], 0.0, "every answer was left empty");
        }
    }
    json_of(
        api.get(&profile_path, &other).await,
        403,
        "another student's profile",
    )
    .await;
    let domains = json_of(
        api.get("/api/v1/assessment/domains", &student).await,
        200,
        "domains",
    )
    .await;
    assert_eq!(domains["domains"].as_array().unwrap().len(), 10);
    assert_eq!(domains["source"]["edition"], "2021");
    assert_eq!(domains["concepts"].as_array().unwrap().len(), 8);
    assert_eq!(domains["spheres_of_care"].as_array().unwrap().len(), 4);
    assert_eq!(domains["qsen"]["competencies"].as_array().unwrap().len(), 6);
    let available = json_of(
        api.get("/api/v1/assessment/competencies/available", &student)
            .await,
        200,
        "competencies",
    )
    .await;
    assert_eq!(available["competencies"].as_array().unwrap().len(), 45);
    let levels = json_of(
        api.get("/api/v1/assessment/proficiency-levels", &student)
            .await,
        200,
        "levels",
    )
    .await;
    assert_eq!(levels["levels"].as_array().unwrap().len(), 5);
}

/// kill -9 while 50 students answer: every acknowledged answer is on disk, no attempt is scored
/// twice, the file is sound and the server starts again on it.
#[tokio::test]
async fn acknowledged_answers_survive_kill_9_under_fifty_clients() {
    let mut api = start();
    let admin = api.admin().await;
    let cohort = api.create_cohort(&admin, "Load").await;
    let items = bank_items(&api, &admin, 6).await;
    let ids: Vec<String> = items
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
    let response = api
        .send(
            Method::POST,
            "/api/v1/quizzes",
            Some(&admin),
            Some(json!({"title": "Load", "item_ids": ids, "cohort_ids": [cohort]})),
        )
        .await;
    let quiz = json_of(response, 201, "quiz").await["id"].as_i64().unwrap();
    let mut students = Vec::new();
    for index in 0..50 {
        let name = format!("load{index}");
        let id = api.create_user(&admin, &name, "student").await;
        api.add_member(&admin, cohort, id, "student").await;
        let token = api.token(&name, &password_of(&name)).await;
        let started = json_of(
            api.send(
                Method::POST,
                &format!("/api/v1/quizzes/{quiz}/attempts"),
                Some(&token),
                None,
            )
            .await,
            201,
            "start",
        )
        .await;
        students.push((token, started["attempt_id"].as_i64().unwrap()));
    }
    // Ten students submit before the crash.
    let mut submitted = Vec::new();
    for (token, attempt) in students.iter().take(10) {
        json_of(
            save(
                &api,
                token,
                *attempt,
                &ids[0],
                json!({"answer": items[0]["correct_answer"]}),
            )
            .await,
            200,
            "save",
        )
        .await;
        let result = json_of(
            api.send(
                Method::POST,
                &format!("/api/v1/attempts/{attempt}/submit"),
                Some(token),
                None,
            )
            .await,
            200,
            "submit",
        )
        .await;
        submitted.push((*attempt, result["score"].as_i64().unwrap()));
    }
    let url = api.server.url("");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    // One client (one connection per student) for all.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut clients = Vec::new();
    for (token, attempt) in students.iter().skip(10).cloned() {
        let (url, ids, items, stop, acked, http) = (
            url.clone(),
            ids.clone(),
            items.clone(),
            stop.clone(),
            acked.clone(),
            http.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut acknowledged = 0i64;
            let mut sent = 0i64;
            let mut round = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let index = round % ids.len();
                round += 1;
                sent += 1;
                let response = http
                    .put(format!("{url}/api/v1/attempts/{attempt}/responses/{}", ids[index]))
                    .bearer_auth(&token)
                    .json(&json!({"answer": items[index]["correct_answer"], "flagged": round.is_multiple_of(2)}))
                    .send()
                    .await;
                match response {
                    Ok(response) if response.status() == 200 => {
                        acknowledged += 1;
                        acked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Ok(response) => panic!("save refused: {}", response.status()),
                    // The server was killed under this request.
                    Err(_) => break,
                }
            }
            (attempt, acknowledged, sent)
        }));
    }
    // Kill once the 40 clients are well into answering, not after a fixed time: on a loaded debug
    // build the first saves of 40 clients were acknowledged from 0.1 s to about 1 s after they
    // began, and with other tests beside it none within the 2.5 s this test used to wait.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.load(std::sync::atomic::Ordering::Relaxed) < 500
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    api.server.kill();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut results = Vec::new();
    for client in clients {
        results.push(client.await.unwrap());
    }
    let total: i64 = results
        .iter()
        .map(|(_, acknowledged, _)| acknowledged)
        .sum();
    assert!(
        total >= 500,
        "only {total} answers acknowledged before the kill"
    );

    let conn = db(&api);
    assert_eq!(
        conn.query_row("PRAGMA integrity_check", [], |row| row.get::<_, String>(0))
            .unwrap(),
        "ok"
    );
    for (attempt, acknowledged, sent) in &results {
        let stored = count(
            &conn,
            &format!("SELECT count(*) FROM answer_history WHERE attempt_id = {attempt}"),
        );
        let saves = count(
            &conn,
            &format!(
                "SELECT coalesce(sum(saves), 0) FROM attempt_answers WHERE attempt_id = {attempt}"
            ),
        );
        assert!(
            stored >= *acknowledged && stored <= *sent,
            "attempt {attempt}: {stored} stored, {acknowledged} acknowledged, {sent} sent"
        );
        assert_eq!(saves, stored);
    }
    for (attempt, score) in &submitted {
        assert_eq!(
            count(
                &conn,
                &format!("SELECT count(*) FROM item_responses WHERE attempt_id = {attempt}")
            ),
            ids.len() as i64
        );
        assert_eq!(
            count(
                &conn,
                &format!("SELECT score FROM attempts WHERE id = {attempt}")
            ),
            *score
        );
    }
    drop(conn);

    // Restart on the same files: submitting again scores nothing twice.
    let config = std::fs::read_to_string(api.server.dir.path().join("config.toml")).unwrap();
    let dir = std::mem::replace(&mut api.server.dir, tempfile::tempdir().unwrap());
    api.server = Server::start_in(dir, &config, &[]);
    for (token, attempt) in students.iter().take(12) {
        let result = api
            .send(
                Method::POST,
                &format!("/api/v1/attempts/{attempt}/submit"),
                Some(token),
                None,
            )
            .await;
        json_of(result, 200, "submit after restart").await;
    }
    let conn = db(&api);
    let duplicates = count(
        &conn,
        "SELECT count(*) FROM (SELECT attempt_id, item_id FROM item_responses GROUP BY attempt_id, item_id HAVING count(*) > 1)",
    );
    assert_eq!(duplicates, 0);
    for (attempt, score) in &submitted {
        assert_eq!(
            count(
                &conn,
                &format!("SELECT score FROM attempts WHERE id = {attempt}")
            ),
            *score
        );
    }
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM attempts WHERE status = 'submitted'"
        ),
        12
    );
}
